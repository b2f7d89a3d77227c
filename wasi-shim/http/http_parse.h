/*
 * http_parse.h -- HTTP/1.x request-head and chunk-size parsing: pure
 * functions over a caller's buffer (no I/O, no allocation, no global
 * state), so the server and the parser fuzzer share exactly one parser.
 *
 * Invariants every function here keeps, whatever the input bytes:
 *   - it reads only buf[0 .. len-1] and writes only *out (and the
 *     caller's header array, at most out->max_headers entries);
 *   - it returns > 0 (bytes consumed, the whole head through its final
 *     CRLF CRLF), 0 ("need more bytes"; only while len is below the head
 *     limit), or a negative HTTP_PARSE_E* code, whose negation is the
 *     HTTP status the server answers with before closing the connection;
 *   - it runs in time linear in len (one pass, no backtracking).
 * Pointers in *out point into buf; they are valid as long as buf is.
 *
 * Accepted syntax (RFC 9112): request-line `METHOD SP target SP
 * HTTP/1.x CRLF` (a bare LF is accepted as line end, as most servers do;
 * a bare CR is an error), header fields `name ":" OWS value OWS CRLF`
 * (a token name, no whitespace before the colon, no obs-fold), an empty
 * line.  Leading empty lines before the request line are skipped.
 */
#ifndef WASMAOT_HTTP_PARSE_H
#define WASMAOT_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Error codes: -(HTTP status). */
#define HTTP_PARSE_EBAD        (-400) /* malformed request line or header   */
#define HTTP_PARSE_ETOO_LARGE  (-413) /* content-length above max_body      */
#define HTTP_PARSE_EURI_LONG   (-414) /* request target above max_target    */
#define HTTP_PARSE_EHEADERS    (-431) /* head above max_head, or too many headers */
#define HTTP_PARSE_ENOT_IMPL   (-501) /* transfer-encoding other than chunked */
#define HTTP_PARSE_EVERSION    (-505) /* HTTP version other than 1.0 / 1.1  */

typedef struct {
    const char *name;  size_t name_len;   /* token, case as sent */
    const char *value; size_t value_len;  /* surrounding OWS trimmed */
} http_header;

typedef struct {
    size_t max_head;    /* bytes of the whole head, CRLF CRLF included   */
    size_t max_target;  /* bytes of the request target                   */
    uint64_t max_body;  /* a content-length above it is HTTP_PARSE_ETOO_LARGE */
} http_limits;

typedef struct {
    /* in: caller-provided header storage */
    http_header *headers;
    size_t max_headers;
    /* out */
    size_t num_headers;
    const char *method; size_t method_len;
    const char *target; size_t target_len;
    int version_minor;        /* 0 (HTTP/1.0) or 1 (HTTP/1.1) */
    int64_t content_length;   /* -1: no content-length header */
    int chunked;              /* transfer-encoding: chunked (content_length ignored) */
    int keep_alive;           /* after this request: 1.1 unless "connection: close",
                                 1.0 only with "connection: keep-alive" */
    int expect_continue;      /* "expect: 100-continue" */
} http_request_head;

/* Parse one request head from buf[0..len-1] (see the invariants above).
 * Conflicting or repeated content-length, content-length together with
 * transfer-encoding, and a non-digit content-length are HTTP_PARSE_EBAD
 * (request smuggling defences). */
long http_parse_request_head(const char *buf, size_t len,
                             const http_limits *lim, http_request_head *out);

/* Parse one chunk-size line of a chunked body, `HEX [; ext] CRLF`:
 * returns bytes consumed (> 0) and sets *size, 0 for "need more", or
 * HTTP_PARSE_EBAD.  A line longer than 1024 bytes or a size above
 * 2^60 is HTTP_PARSE_EBAD. */
long http_parse_chunk_size(const char *buf, size_t len, uint64_t *size);

/* Case-insensitive comparison of a header name with a lower-case literal. */
int http_name_is(const http_header *h, const char *lower);

#endif
