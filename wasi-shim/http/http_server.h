/*
 * http_server.h -- what the HTTP server (http_server.c), the wasi:http host
 * functions (p2_http.c) and the plain-HTTP client (http_client.c) share.
 * Internal to wasi-shim/http; hosted POSIX builds only (layer `host`).
 *
 * Process model (backends/ABI.md "wasi:http/proxy components"): the
 * acceptor instantiates the component once and never calls into it; it
 * forks one *connection process* per accepted connection, which parses
 * requests and frames responses but never runs guest code either, and
 * forks one *request process* per request from that pristine state: the
 * guest's `handle` runs there, in a copy-on-write copy of the freshly
 * instantiated instance, and the process exits after the request.  The
 * request process never sees the client socket: the request body reaches
 * it through a pipe (already de-chunked), the response body leaves through
 * another, and the response head and trailers through a control pipe
 * (messages below), so a trap or crash can only end that process and the
 * connection process answers 500 if no head was sent.
 */
#ifndef WASMAOT_HTTP_SERVER_H
#define WASMAOT_HTTP_SERVER_H

#include "http_parse.h"

#include <stddef.h>
#include <stdint.h>

/* One header field (names as sent; values are bytes). */
typedef struct http_field {
    char *name;
    uint32_t name_len;
    uint8_t *value;
    uint32_t value_len;
} http_field;

/* A `fields` resource's state. */
typedef struct http_fields {
    uint32_t n, cap;
    http_field *f;
    int immutable;
} http_fields;

/* Server settings (command line; defaults in http_server.c's usage). */
#define HTTP_MAX_ALLOWED 32
typedef struct http_config {
    const char *host;         /* listen address */
    unsigned port;
    size_t max_header_bytes;
    uint64_t max_body_bytes;
    int read_timeout_ms;
    int handler_timeout_ms;
    unsigned n_allowed;       /* --allow-outgoing grants */
    const char *allowed_host[HTTP_MAX_ALLOWED];
    unsigned allowed_port[HTTP_MAX_ALLOWED];  /* 0: any port */
} http_config;

extern http_config wasmaot_http_cfg;

/* The request a request process serves (set before the guest is called). */
typedef struct http_request {
    const char *method; size_t method_len;
    const char *target; size_t target_len;
    const http_header *headers; size_t n_headers;
    int body_fd;       /* read end of the request-body pipe, -1: consumed */
    int trailers_fd;   /* read end of the request-trailers pipe (a control message) */
    int resp_fd;       /* write end of the response-body pipe */
    int ctl_fd;        /* write end of the control pipe */
} http_request;

extern http_request wasmaot_http_req;

/* Control messages (request process -> connection process and, for request
 * trailers, back): u32 type, u32 payload length, payload.  HEAD's payload
 * is u32 status then a field list; END's (the body is complete) and
 * TRAILERS' are a field list: u32 count, then per field u32 name length,
 * name, u32 value length, value. */
enum { HTTP_MSG_HEAD = 1, HTTP_MSG_END = 2, HTTP_MSG_TRAILERS = 3 };

/* Serialize `fs` (may be NULL: no fields) after `prefix_len` bytes of a
 * fresh malloc'd buffer; *len = total.  NULL if out of memory. */
uint8_t *http_fields_serialize(const http_fields *fs, size_t prefix_len, size_t *len);
/* Parse a field list of `len` bytes at p into *fs (malloc'd); 0 or -1. */
int http_fields_parse(const uint8_t *p, size_t len, http_fields *fs);
/* Append a field (copies); 0 or -1 (out of memory). */
int http_fields_add(http_fields *fs, const char *name, size_t nl, const uint8_t *value, size_t vl);
void http_fields_free(http_fields *fs);
/* Write one control message (blocking, whole); 0 or -1. */
int http_msg_write(int fd, uint32_t type, const uint8_t *payload, size_t len);

/* Plain-HTTP client for wasi:http/outgoing-handler (http_client.c).  On
 * success returns 0 with the status, the response headers and a memfd
 * holding the body (positioned at 0); else the index of the wasi:http
 * error-code case.  `body_fd` (-1: none) holds the request body. */
typedef struct http_client_request {
    const char *method;
    const char *authority;   /* host[:port] */
    const char *path;        /* with query; "/" if none */
    const http_fields *headers;
    int body_fd;
} http_client_request;
int http_client_send(const http_client_request *rq, unsigned *status, http_fields *headers, int *body_fd);
/* Whether host[:port] is granted by --allow-outgoing. */
int http_client_allowed(const char *host, unsigned port);

/* Calls the guest's exported handle(request, response-out) with two new
 * own handles for the given host reps (runtime-c/component/cm_import.c). */
struct wasmaot_cm_state;
struct wasmaot_cm_func;
void wasmaot_cm_call_handler(const struct wasmaot_cm_state *st, const struct wasmaot_cm_func *f,
                             uint32_t request_rep, uint32_t outparam_rep);
/* p2_http.c: the reps of the request process's incoming-request and
 * response-outparam resources (0: table full). */
uint32_t wasmaot_http_new_request(void);
uint32_t wasmaot_http_new_outparam(void);
/* p2_http.c: a host resource dropped by the guest (its state freed). */
void wasmaot_p2_http_drop(uint32_t rep);

/* The server: runs until SIGTERM/SIGINT; the process exit status. */
int wasmaot_http_serve(const struct wasmaot_cm_state *st, const struct wasmaot_cm_func *handle);

#endif
