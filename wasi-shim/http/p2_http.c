/*
 * p2_http.c -- wasi:http/types and wasi:http/outgoing-handler (0.2.x) as
 * component host functions (rows of component/p2_funcs.def), run in a
 * request process of the server (http_server.h describes the model).
 *
 * Every wasi:http resource is a slot of the shim's resource table (kinds
 * RES_* below) whose `state` points at a malloc'd struct; the request
 * process exits after one request, so nothing outlives it.  Bodies are
 * wasi:io streams of the core shim over file descriptors, so read, write,
 * subscribe and poll need nothing new: the incoming request body is the
 * read end of a pipe the connection process fills (de-chunked), the
 * response body the write end of a pipe it frames onto the socket; an
 * outgoing request's body is a memfd sent when the response is asked for,
 * an incoming response's body a memfd holding it.
 *
 * Handles the guest receives from headers() are immutable copies (the WIT
 * says such headers are immutable); a constructor's own `fields` argument
 * is moved into the new resource.
 */
#define _GNU_SOURCE
#include "../core/wasi_internal.h"
#include "../component/p2_values.h"
#include "http_server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CTX (wasmaot_wasi_default_ctx())
#define OK WASMAOT_CM_OK
#define HOST(name) int name(cx_t *cx, const val *a, val *r)

/* Resource kinds (after p2_sockets.c's 0x40..). */
enum {
    RES_FIELDS = 0x60, RES_IN_REQUEST, RES_OUT_REQUEST, RES_OPTIONS, RES_OUTPARAM,
    RES_IN_RESPONSE, RES_IN_BODY, RES_FUT_TRAILERS, RES_OUT_RESPONSE, RES_OUT_BODY,
    RES_FUT_RESPONSE
};
/* `flags` of a stdio stream whose descriptor this file owns (closed on drop). */
#define HTTP_STREAM 0x4854u

/* wasi:http error-code cases used here. */
enum { EC_CONNECTION_REFUSED = 6, EC_HTTP_REQUEST_DENIED = 15, EC_INTERNAL = 38 };

/* method cases, in WIT order. */
static const char *const METHODS[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT",
                                      "OPTIONS", "TRACE", "PATCH"};
#define N_METHODS 9u

typedef struct in_body {
    int fd;               /* body bytes; -1 after stream() */
    int trailers_fd;      /* request trailers (control message), -1: none */
    int taken;            /* stream() called */
} in_body;

typedef struct out_body {
    int fd;               /* response pipe or request memfd */
    int taken, finished;
    int is_response;
    http_fields *trailers;
} out_body;

typedef struct out_message {     /* outgoing-request and outgoing-response */
    uint32_t headers;            /* RES_FIELDS rep owned by this resource */
    uint32_t body;               /* RES_OUT_BODY rep once body() is called */
    unsigned status;
    char *method, *path, *authority, *scheme;  /* NULL: none (requests) */
    int scheme_https;
} out_message;

typedef struct in_response {
    unsigned status;
    http_fields headers;
    int body_fd;
    int consumed;
} in_response;

typedef struct fut_response {
    uint32_t request;    /* RES_OUT_REQUEST rep moved into the future */
    int done, taken;
    int code;            /* error-code case, or -1 */
    uint32_t response;   /* RES_IN_RESPONSE rep */
} fut_response;

typedef struct options {
    int has[3];
    uint64_t v[3];
} options;

static wasmaot_wasi_resource *res(uint32_t rep, uint8_t kind) { return wasmaot_wasi_res_get(CTX, rep, kind); }

static void *state_of(const val *v, uint8_t kind) {
    wasmaot_wasi_resource *x = res(h(v), kind);
    return x ? x->state : NULL;
}

/* A new resource of `kind` owning `state`; 0 if the table is full. */
static uint32_t new_res(uint8_t kind, void *state) {
    uint32_t rep = wasmaot_wasi_res_alloc(CTX, kind);
    if (rep) CTX->res[rep].state = state;
    return rep;
}

static void *zalloc(size_t n) {
    void *p = calloc(1, n ? n : 1);
    if (!p) {
        wasmaot_wasi_plat_error_line("wasmaot: out of memory");
        _exit(1);
    }
    return p;
}

static char *strndup0(const char *s, size_t n) {
    char *p = zalloc(n + 1);
    memcpy(p, s, n);
    return p;
}

/* A stdio stream of `kind` over fd (owned by the stream); 0 if full. */
static uint32_t fd_stream(int fd, uint8_t kind) {
    uint32_t rep = wasmaot_wasi_res_alloc(CTX, kind);
    if (!rep) return 0;
    CTX->res[rep].sub = WASMAOT_WASI_STREAM_STDIO;
    CTX->res[rep].host = fd;
    CTX->res[rep].flags = HTTP_STREAM;
    return rep;
}

static uint32_t ready_pollable(void) {
    uint32_t rep = wasmaot_wasi_res_alloc(CTX, WASMAOT_WASI_RES_POLLABLE);
    if (rep) CTX->res[rep].sub = WASMAOT_WASI_POLL_READY;
    return rep;
}

/* ------------------------------------------------------------------ fields */

int http_fields_add(http_fields *fs, const char *name, size_t nl, const uint8_t *value, size_t vl) {
    if (fs->n == fs->cap) {
        uint32_t cap = fs->cap ? 2 * fs->cap : 8;
        http_field *f = realloc(fs->f, cap * sizeof *f);
        if (!f) return -1;
        fs->f = f;
        fs->cap = cap;
    }
    http_field *f = &fs->f[fs->n++];
    f->name = strndup0(name, nl);
    f->name_len = (uint32_t)nl;
    f->value = zalloc(vl);
    memcpy(f->value, value, vl);
    f->value_len = (uint32_t)vl;
    return 0;
}

void http_fields_free(http_fields *fs) {
    for (uint32_t i = 0; i < fs->n; i++) {
        free(fs->f[i].name);
        free(fs->f[i].value);
    }
    free(fs->f);
    fs->f = NULL;
    fs->n = fs->cap = 0;
}

static int name_eq(const http_field *f, const char *s, size_t n) {
    if (f->name_len != n) return 0;
    for (size_t i = 0; i < n; i++) {
        char a = f->name[i], b = s[i];
        if (a >= 'A' && a <= 'Z') a += 32;
        if (b >= 'A' && b <= 'Z') b += 32;
        if (a != b) return 0;
    }
    return 1;
}

/* RFC 9110 token / field-value checks (header-error.invalid-syntax). */
static int valid_name(const char *s, size_t n) {
    if (n == 0) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f || strchr("\"(),/:;<=>?@[\\]{}", c)) return 0;
    }
    return 1;
}

static int valid_value(const uint8_t *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f) return 0;
    return 1;
}

/* Hop-by-hop and framing fields the host owns (header-error.forbidden):
 * wasmtime-wasi-http's default list. */
static int forbidden(const char *s, size_t n) {
    static const char *const names[] = {"connection", "keep-alive", "proxy-authenticate",
                                        "proxy-authorization", "proxy-connection", "te",
                                        "transfer-encoding", "upgrade", "http2-settings"};
    http_field f = {(char *)s, (uint32_t)n, NULL, 0};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (name_eq(&f, names[i], strlen(names[i]))) return 1;
    return 0;
}

static void fields_delete(http_fields *fs, const char *s, size_t n) {
    uint32_t k = 0;
    for (uint32_t i = 0; i < fs->n; i++) {
        if (name_eq(&fs->f[i], s, n)) {
            free(fs->f[i].name);
            free(fs->f[i].value);
        } else {
            fs->f[k++] = fs->f[i];
        }
    }
    fs->n = k;
}

static http_fields *fields_clone(const http_fields *src, int immutable) {
    http_fields *fs = zalloc(sizeof *fs);
    for (uint32_t i = 0; src && i < src->n; i++)
        http_fields_add(fs, src->f[i].name, src->f[i].name_len, src->f[i].value, src->f[i].value_len);
    fs->immutable = immutable;
    return fs;
}

static http_fields *fields_of(uint32_t rep) {
    wasmaot_wasi_resource *x = res(rep, RES_FIELDS);
    return x ? x->state : NULL;
}

/* The bytes of a list<u8> value: a view (top-level argument) or items. */
static const uint8_t *bytes_arg(cx_t *cx, const val *v, int nested) {
    if (!nested) return (const uint8_t *)v->u.str;
    uint8_t *b = cx->alloc(cx->env, v->n ? v->n : 1);
    for (uint32_t i = 0; i < v->n; i++) b[i] = (uint8_t)v->u.items[i].u.bits;
    return b;
}

/* header-error cases */
enum { HE_INVALID = 0, HE_FORBIDDEN = 1, HE_IMMUTABLE = 2 };

static int header_result(cx_t *cx, val *r, int err) {
    if (err < 0) set_case(cx, r, 0);
    else set_case(cx, set_case(cx, r, 1), (uint32_t)err);
    return OK;
}

static int check_name(const http_fields *fs, const val *name) {
    if (fs->immutable) return HE_IMMUTABLE;
    if (!valid_name(name->u.str, name->n)) return HE_INVALID;
    if (forbidden(name->u.str, name->n)) return HE_FORBIDDEN;
    return -1;
}

HOST(h_fields_new) { (void)cx, (void)a; r->u.bits = new_res(RES_FIELDS, zalloc(sizeof(http_fields))); return OK; }

HOST(h_fields_from_list) {
    http_fields *fs = zalloc(sizeof *fs);
    for (uint32_t i = 0; i < a[0].n; i++) {
        const val *t = a[0].u.items[i].u.items;
        const uint8_t *v = bytes_arg(cx, &t[1], 1);
        if (!valid_name(t[0].u.str, t[0].n) || !valid_value(v, t[1].n) || forbidden(t[0].u.str, t[0].n)) {
            int e = forbidden(t[0].u.str, t[0].n) && valid_name(t[0].u.str, t[0].n) ? HE_FORBIDDEN : HE_INVALID;
            http_fields_free(fs);
            free(fs);
            return header_result(cx, r, e);
        }
        http_fields_add(fs, t[0].u.str, t[0].n, v, t[1].n);
    }
    set_case(cx, r, 0)->u.bits = new_res(RES_FIELDS, fs);
    return OK;
}

HOST(h_fields_get) {
    http_fields *fs = state_of(&a[0], RES_FIELDS);
    uint32_t n = 0;
    for (uint32_t i = 0; fs && i < fs->n; i++) n += name_eq(&fs->f[i], a[1].u.str, a[1].n);
    val *items = set_list(cx, r, n);
    for (uint32_t i = 0, k = 0; fs && i < fs->n; i++)
        if (name_eq(&fs->f[i], a[1].u.str, a[1].n)) {
            int e = wasmaot_cm_host_bytes(cx, &items[k++], fs->f[i].value, fs->f[i].value_len);
            if (e) return e;
        }
    return OK;
}

HOST(h_fields_has) {
    (void)cx;
    http_fields *fs = state_of(&a[0], RES_FIELDS);
    r->u.bits = 0;
    for (uint32_t i = 0; fs && i < fs->n; i++) r->u.bits |= (uint64_t)name_eq(&fs->f[i], a[1].u.str, a[1].n);
    return OK;
}

HOST(h_fields_set) {
    http_fields *fs = state_of(&a[0], RES_FIELDS);
    int e = fs ? check_name(fs, &a[1]) : HE_INVALID;
    for (uint32_t i = 0; e < 0 && i < a[2].n; i++)
        if (!valid_value(bytes_arg(cx, &a[2].u.items[i], 1), a[2].u.items[i].n)) e = HE_INVALID;
    if (e >= 0) return header_result(cx, r, e);
    fields_delete(fs, a[1].u.str, a[1].n);
    for (uint32_t i = 0; i < a[2].n; i++)
        http_fields_add(fs, a[1].u.str, a[1].n, bytes_arg(cx, &a[2].u.items[i], 1), a[2].u.items[i].n);
    return header_result(cx, r, -1);
}

HOST(h_fields_delete) {
    http_fields *fs = state_of(&a[0], RES_FIELDS);
    int e = fs ? check_name(fs, &a[1]) : HE_INVALID;
    if (e < 0) fields_delete(fs, a[1].u.str, a[1].n);
    return header_result(cx, r, e);
}

HOST(h_fields_append) {
    http_fields *fs = state_of(&a[0], RES_FIELDS);
    int e = fs ? check_name(fs, &a[1]) : HE_INVALID;
    const uint8_t *v = bytes_arg(cx, &a[2], 0);
    if (e < 0 && !valid_value(v, a[2].n)) e = HE_INVALID;
    if (e < 0) http_fields_add(fs, a[1].u.str, a[1].n, v, a[2].n);
    return header_result(cx, r, e);
}

HOST(h_fields_entries) {
    http_fields *fs = state_of(&a[0], RES_FIELDS);
    uint32_t n = fs ? fs->n : 0;
    val *items = set_list(cx, r, n);
    for (uint32_t i = 0; i < n; i++) {
        val *f = set_fields(cx, &items[i]);
        f[0].n = fs->f[i].name_len;
        f[0].u.str = fs->f[i].name;
        int e = wasmaot_cm_host_bytes(cx, &f[1], fs->f[i].value, fs->f[i].value_len);
        if (e) return e;
    }
    return OK;
}

HOST(h_fields_clone) {
    (void)cx;
    r->u.bits = new_res(RES_FIELDS, fields_clone(state_of(&a[0], RES_FIELDS), 0));
    return OK;
}

/* ------------------------------------------------------- incoming-request */

uint32_t wasmaot_http_new_request(void) { return new_res(RES_IN_REQUEST, &wasmaot_http_req); }
uint32_t wasmaot_http_new_outparam(void) { return new_res(RES_OUTPARAM, zalloc(sizeof(int))); }

static void set_method(cx_t *cx, val *r, const char *m, size_t n) {
    for (uint32_t i = 0; i < N_METHODS; i++)
        if (strlen(METHODS[i]) == n && memcmp(METHODS[i], m, n) == 0) {
            set_case(cx, r, i);
            return;
        }
    val *o = set_case(cx, r, N_METHODS);
    o->n = (uint32_t)n;
    o->u.str = m;
}

static void set_opt_string(cx_t *cx, val *r, const char *s, size_t n) {
    if (!s) {
        set_case(cx, r, 0);
        return;
    }
    val *v = set_case(cx, r, 1);
    v->n = (uint32_t)n;
    v->u.str = s;
}

HOST(h_in_request_method) {
    (void)a;
    set_method(cx, r, wasmaot_http_req.method, wasmaot_http_req.method_len);
    return OK;
}

HOST(h_in_request_path) {
    (void)a;
    set_opt_string(cx, r, wasmaot_http_req.target, wasmaot_http_req.target_len);
    return OK;
}

HOST(h_in_request_scheme) { (void)a; set_case(cx, set_case(cx, r, 1), 0); return OK; } /* HTTP */

HOST(h_in_request_authority) {
    (void)a;
    const http_request *q = &wasmaot_http_req;
    for (size_t i = 0; i < q->n_headers; i++)
        if (http_name_is(&q->headers[i], "host")) {
            set_opt_string(cx, r, q->headers[i].value, q->headers[i].value_len);
            return OK;
        }
    set_opt_string(cx, r, NULL, 0);
    return OK;
}

HOST(h_in_request_headers) {
    (void)cx, (void)a;
    http_fields *fs = zalloc(sizeof *fs);
    const http_request *q = &wasmaot_http_req;
    for (size_t i = 0; i < q->n_headers; i++)
        http_fields_add(fs, q->headers[i].name, q->headers[i].name_len, (const uint8_t *)q->headers[i].value,
                        q->headers[i].value_len);
    fs->immutable = 1;
    r->u.bits = new_res(RES_FIELDS, fs);
    return OK;
}

static int consume_body(cx_t *cx, val *r, int *fd, int trailers_fd) {
    if (*fd == -2) {
        set_case(cx, r, 1);
        return OK;
    }
    in_body *b = zalloc(sizeof *b);
    b->fd = *fd;
    b->trailers_fd = trailers_fd;
    *fd = -2;                                   /* consumed */
    set_case(cx, r, 0)->u.bits = new_res(RES_IN_BODY, b);
    return OK;
}

HOST(h_in_request_consume) {
    (void)a;
    return consume_body(cx, r, &wasmaot_http_req.body_fd, wasmaot_http_req.trailers_fd);
}

/* ------------------------------------------------------------ incoming-body */

HOST(h_in_body_stream) {
    in_body *b = state_of(&a[0], RES_IN_BODY);
    if (!b || b->taken) {
        set_case(cx, r, 1);
        return OK;
    }
    b->taken = 1;
    /* no body (fd -1): a stream at EOF */
    int fd = b->fd >= 0 ? b->fd : open("/dev/null", O_RDONLY | O_CLOEXEC);
    b->fd = -1;
    set_case(cx, r, 0)->u.bits = fd_stream(fd, WASMAOT_WASI_RES_INPUT_STREAM);
    return OK;
}

HOST(h_in_body_finish) {
    (void)cx;
    in_body *b = state_of(&a[0], RES_IN_BODY);
    int *fd = zalloc(sizeof *fd);
    *fd = b ? b->trailers_fd : -1;
    wasmaot_p2_drop(CTX, h(&a[0]));
    if (b) {
        if (b->fd >= 0) close(b->fd);
        free(b);
    }
    r->u.bits = new_res(RES_FUT_TRAILERS, fd);
    return OK;
}

HOST(h_fut_trailers_subscribe) { (void)cx, (void)a; r->u.bits = ready_pollable(); return OK; }

/* option<result<result<option<trailers>, error-code>>>: the request's
 * trailers (a TRAILERS control message the connection process sends after
 * the body; none when it had none), once. */
HOST(h_fut_trailers_get) {
    int *fd = state_of(&a[0], RES_FUT_TRAILERS);
    val *outer = set_case(cx, r, 1);
    if (!fd || *fd == -2) {
        set_case(cx, outer, 1);
        return OK;
    }
    http_fields *fs = zalloc(sizeof *fs);
    if (*fd >= 0) {
        uint32_t hdr[2] = {0, 0};
        if (read(*fd, hdr, 8) == 8 && hdr[0] == HTTP_MSG_TRAILERS && hdr[1] < (1u << 24)) {
            uint8_t *p = zalloc(hdr[1]);
            size_t got = 0;
            ssize_t k;
            while (got < hdr[1] && (k = read(*fd, p + got, hdr[1] - got)) > 0) got += (size_t)k;
            if (got == hdr[1]) http_fields_parse(p, hdr[1], fs);
            free(p);
        }
        close(*fd);
    }
    *fd = -2;
    val *inner = set_case(cx, set_case(cx, outer, 0), 0);
    if (fs->n == 0) {
        set_case(cx, inner, 0);
        free(fs);
    } else {
        fs->immutable = 1;
        set_case(cx, inner, 1)->u.bits = new_res(RES_FIELDS, fs);
    }
    return OK;
}

/* -------------------------------------------------------- outgoing messages */

static uint32_t new_message(uint8_t kind, uint32_t headers) {
    out_message *m = zalloc(sizeof *m);
    m->headers = headers;
    m->status = 200;
    if (kind == RES_OUT_REQUEST) m->method = strndup0("GET", 3);
    http_fields *fs = fields_of(headers);
    if (fs) fs->immutable = 1;
    return new_res(kind, m);
}

HOST(h_out_response_new) { (void)cx; r->u.bits = new_message(RES_OUT_RESPONSE, h(&a[0])); return OK; }
HOST(h_out_request_new) { (void)cx; r->u.bits = new_message(RES_OUT_REQUEST, h(&a[0])); return OK; }

static out_message *message(const val *v) {
    wasmaot_wasi_resource *x = wasmaot_wasi_res_get(CTX, h(v), RES_OUT_RESPONSE);
    if (!x) x = wasmaot_wasi_res_get(CTX, h(v), RES_OUT_REQUEST);
    return x ? x->state : NULL;
}

HOST(h_out_response_status) { (void)cx; out_message *m = message(&a[0]); r->u.bits = m ? m->status : 200; return OK; }

HOST(h_out_response_set_status) {
    out_message *m = message(&a[0]);
    unsigned s = (unsigned)a[1].u.bits;
    if (!m || s < 100 || s > 999) {
        set_case(cx, r, 1);
        return OK;
    }
    m->status = s;
    set_case(cx, r, 0);
    return OK;
}

HOST(h_out_message_headers) {
    (void)cx;
    out_message *m = message(&a[0]);
    r->u.bits = new_res(RES_FIELDS, fields_clone(m ? fields_of(m->headers) : NULL, 1));
    return OK;
}

HOST(h_out_message_body) {
    int is_response = wasmaot_wasi_res_get(CTX, h(&a[0]), RES_OUT_RESPONSE) != NULL;
    out_message *m = message(&a[0]);
    if (!m || m->body) {
        set_case(cx, r, 1);
        return OK;
    }
    out_body *b = zalloc(sizeof *b);
    b->is_response = is_response;
    b->fd = is_response ? -1 : memfd_create("wasmaot-http-body", MFD_CLOEXEC);
    m->body = new_res(RES_OUT_BODY, b);
    set_case(cx, r, 0)->u.bits = m->body;
    return OK;
}

HOST(h_out_request_method) {
    (void)a;
    out_message *m = message(&a[0]);
    set_method(cx, r, m->method, strlen(m->method));
    return OK;
}

/* The method of a `method` variant value, as a string (call storage). */
static char *method_name(const val *v) {
    if (v->n < N_METHODS) return strndup0(METHODS[v->n], strlen(METHODS[v->n]));
    return strndup0(v->u.items->u.str, v->u.items->n);
}

HOST(h_out_request_set_method) {
    out_message *m = message(&a[0]);
    if (a[1].n == N_METHODS && !valid_name(a[1].u.items->u.str, a[1].u.items->n)) {
        set_case(cx, r, 1);
        return OK;
    }
    free(m->method);
    m->method = method_name(&a[1]);
    set_case(cx, r, 0);
    return OK;
}

static void get_opt(cx_t *cx, val *r, const char *s) { set_opt_string(cx, r, s, s ? strlen(s) : 0); }

static void put_opt(char **slot, const val *opt) {
    free(*slot);
    *slot = opt->n ? strndup0(opt->u.items->u.str, opt->u.items->n) : NULL;
}

HOST(h_out_request_path) { get_opt(cx, r, message(&a[0])->path); return OK; }
HOST(h_out_request_authority) { get_opt(cx, r, message(&a[0])->authority); return OK; }
HOST(h_out_request_set_path) { put_opt(&message(&a[0])->path, &a[1]); set_case(cx, r, 0); return OK; }
HOST(h_out_request_set_authority) { put_opt(&message(&a[0])->authority, &a[1]); set_case(cx, r, 0); return OK; }

HOST(h_out_request_scheme) {
    out_message *m = message(&a[0]);
    if (!m->scheme) {
        set_case(cx, r, 0);
        return OK;
    }
    val *s = set_case(cx, r, 1);
    if (strcmp(m->scheme, "http") == 0) set_case(cx, s, 0);
    else if (strcmp(m->scheme, "https") == 0) set_case(cx, s, 1);
    else {
        val *o = set_case(cx, s, 2);                   /* other(string) */
        o->n = (uint32_t)strlen(m->scheme);
        o->u.str = m->scheme;
    }
    return OK;
}

HOST(h_out_request_set_scheme) {
    out_message *m = message(&a[0]);
    free(m->scheme);
    m->scheme = NULL;
    if (a[1].n) {
        const val *s = a[1].u.items;
        m->scheme = s->n == 0 ? strndup0("http", 4) : s->n == 1 ? strndup0("https", 5)
                                                              : strndup0(s->u.items->u.str, s->u.items->n);
    }
    set_case(cx, r, 0);
    return OK;
}

/* ---------------------------------------------------------- request-options */

HOST(h_options_new) { (void)cx, (void)a; r->u.bits = new_res(RES_OPTIONS, zalloc(sizeof(options))); return OK; }

static int options_get(cx_t *cx, const val *a, val *r, int k) {
    options *o = state_of(&a[0], RES_OPTIONS);
    if (o && o->has[k]) set_case(cx, r, 1)->u.bits = o->v[k];
    else set_case(cx, r, 0);
    return OK;
}

static int options_set(cx_t *cx, const val *a, val *r, int k) {
    options *o = state_of(&a[0], RES_OPTIONS);
    if (o) {
        o->has[k] = a[1].n != 0;
        o->v[k] = a[1].n ? a[1].u.items->u.bits : 0;
    }
    set_case(cx, r, 0);
    return OK;
}

HOST(h_options_connect) { return options_get(cx, a, r, 0); }
HOST(h_options_first_byte) { return options_get(cx, a, r, 1); }
HOST(h_options_between_bytes) { return options_get(cx, a, r, 2); }
HOST(h_options_set_connect) { return options_set(cx, a, r, 0); }
HOST(h_options_set_first_byte) { return options_set(cx, a, r, 1); }
HOST(h_options_set_between_bytes) { return options_set(cx, a, r, 2); }

/* ----------------------------------------------------------- outgoing-body */

HOST(h_out_body_write) {
    out_body *b = state_of(&a[0], RES_OUT_BODY);
    if (!b || b->taken || b->finished) {
        set_case(cx, r, 1);
        return OK;
    }
    b->taken = 1;
    int fd = b->is_response ? wasmaot_http_req.resp_fd : b->fd;
    fd = fd >= 0 ? dup(fd) : -1;
    uint32_t s = fd >= 0 ? fd_stream(fd, WASMAOT_WASI_RES_OUTPUT_STREAM) : 0;
    if (!s) {
        set_case(cx, r, 1);
        return OK;
    }
    set_case(cx, r, 0)->u.bits = s;
    return OK;
}

/* finish(this, option<trailers>) -> result<_, error-code>: a response
 * body ends with an END message carrying the trailers, and its pipe is
 * closed; a request body is complete once finished (sent by get()). */
HOST(h_out_body_finish) {
    out_body *b = state_of(&a[0], RES_OUT_BODY);
    http_fields *tr = a[1].n ? fields_of(h(a[1].u.items)) : NULL;
    if (b && b->is_response && !b->finished) {
        size_t len;
        uint8_t *msg = http_fields_serialize(tr, 0, &len);
        if (msg) http_msg_write(wasmaot_http_req.ctl_fd, HTTP_MSG_END, msg, len);
        free(msg);
        if (wasmaot_http_req.resp_fd >= 0) close(wasmaot_http_req.resp_fd);
        wasmaot_http_req.resp_fd = -1;
    }
    if (b) b->finished = 1;
    if (a[1].n) wasmaot_p2_drop(CTX, h(a[1].u.items)), wasmaot_p2_http_drop(h(a[1].u.items));
    /* the body handle was moved in: its slot stays (the message refers to
     * it) until the message is dropped */
    set_case(cx, r, 0);
    return OK;
}

/* ------------------------------------------------------ response-outparam */

/* set(param, result<outgoing-response, error-code>): the response head
 * goes to the connection process now; an error-code is a 500. */
HOST(h_outparam_set) {
    (void)cx, (void)r;
    int *sent = state_of(&a[0], RES_OUTPARAM);
    if (!sent || *sent) return OK;
    *sent = 1;
    unsigned status = 500;
    http_fields *fs = NULL;
    out_message *m = NULL;
    if (a[1].n == 0) {
        wasmaot_wasi_resource *x = res(h(a[1].u.items), RES_OUT_RESPONSE);
        m = x ? x->state : NULL;
        if (m) status = m->status, fs = fields_of(m->headers);
    }
    size_t len;
    uint8_t *msg = http_fields_serialize(fs, 4, &len);
    if (!msg) return WASMAOT_CM_ERR_NOMEM;
    memcpy(msg, &status, 4);
    http_msg_write(wasmaot_http_req.ctl_fd, HTTP_MSG_HEAD, msg, len);
    free(msg);
    if (!m) http_msg_write(wasmaot_http_req.ctl_fd, HTTP_MSG_END, (const uint8_t *)"\0\0\0\0", 4);
    return OK;
}

/* ------------------------------------------------------- outgoing-handler */

static int split_authority(const char *auth, char *host, size_t cap, unsigned *port) {
    const char *colon = strrchr(auth, ':');
    size_t n = colon && !strchr(colon, ']') ? (size_t)(colon - auth) : strlen(auth);
    *port = 80;
    if (colon && n < strlen(auth)) *port = (unsigned)atoi(colon + 1);
    if (n == 0 || n >= cap || *port == 0 || *port > 65535) return -1;
    memcpy(host, auth, n);
    host[n] = 0;
    return 0;
}

static void error_code(cx_t *cx, val *e, int code, const char *msg) {
    val *p = set_case(cx, e, (uint32_t)code);
    if (code == EC_INTERNAL && p) set_opt_string(cx, p, msg, strlen(msg));
}

/* handle(request, options) -> result<future-incoming-response, error-code>:
 * refused unless the authority is granted (--allow-outgoing) and the
 * scheme plain http; the request is sent when the future is asked for. */
HOST(h_outgoing_handle) {
    out_message *m = message(&a[0]);
    char host[256];
    unsigned port;
    if (!m || !m->authority || split_authority(m->authority, host, sizeof host, &port)) {
        error_code(cx, set_case(cx, r, 1), 19, "");          /* HTTP-request-URI-invalid */
        return OK;
    }
    if (m->scheme && strcmp(m->scheme, "http") != 0) {
        error_code(cx, set_case(cx, r, 1), EC_INTERNAL, "only plain http is supported (no TLS)");
        return OK;
    }
    if (!http_client_allowed(host, port)) {
        char line[400];
        snprintf(line, sizeof line, "wasmaot: outgoing HTTP request to %s:%u denied (grant it with "
                 "--allow-outgoing %s:%u)", host, port, host, port);
        wasmaot_wasi_plat_error_line(line);
        error_code(cx, set_case(cx, r, 1), EC_HTTP_REQUEST_DENIED, "");
        return OK;
    }
    fut_response *f = zalloc(sizeof *f);
    f->request = h(&a[0]);
    f->code = -1;
    set_case(cx, r, 0)->u.bits = new_res(RES_FUT_RESPONSE, f);
    return OK;
}

HOST(h_fut_response_subscribe) { (void)cx, (void)a; r->u.bits = ready_pollable(); return OK; }

static void send_request(fut_response *f) {
    out_message *m = res(f->request, RES_OUT_REQUEST)->state;
    wasmaot_wasi_resource *bx = m->body ? res(m->body, RES_OUT_BODY) : NULL;
    out_body *b = bx ? bx->state : NULL;
    http_client_request rq = {m->method, m->authority, m->path ? m->path : "/", fields_of(m->headers),
                              b ? b->fd : -1};
    in_response *resp = zalloc(sizeof *resp);
    int code = http_client_send(&rq, &resp->status, &resp->headers, &resp->body_fd);
    f->done = 1;
    if (code) {
        f->code = code;
        free(resp);
        return;
    }
    resp->headers.immutable = 1;
    f->response = new_res(RES_IN_RESPONSE, resp);
}

/* get: option<result<result<incoming-response, error-code>>> */
HOST(h_fut_response_get) {
    fut_response *f = state_of(&a[0], RES_FUT_RESPONSE);
    if (!f || f->taken) {
        set_case(cx, set_case(cx, r, 1), 1);
        return OK;
    }
    if (!f->done) send_request(f);
    f->taken = 1;
    val *inner = set_case(cx, set_case(cx, r, 1), 0);
    if (f->code >= 0) error_code(cx, set_case(cx, inner, 1), f->code, "request failed");
    else set_case(cx, inner, 0)->u.bits = f->response;
    return OK;
}

HOST(h_in_response_status) { (void)cx; in_response *x = state_of(&a[0], RES_IN_RESPONSE); r->u.bits = x ? x->status : 0; return OK; }

HOST(h_in_response_headers) {
    (void)cx;
    in_response *x = state_of(&a[0], RES_IN_RESPONSE);
    r->u.bits = new_res(RES_FIELDS, fields_clone(x ? &x->headers : NULL, 1));
    return OK;
}

HOST(h_in_response_consume) {
    in_response *x = state_of(&a[0], RES_IN_RESPONSE);
    if (!x) {
        set_case(cx, r, 1);
        return OK;
    }
    return consume_body(cx, r, &x->body_fd, -1);
}

/* http-error-code(borrow<io-error>) -> option<error-code>: stream errors
 * here are plain I/O errors. */
HOST(h_http_error_code) { (void)a; set_case(cx, r, 0); return OK; }

/* ------------------------------------------------------------------ drops */

void wasmaot_p2_http_drop(uint32_t rep) {
    if (rep == 0 || rep >= WASMAOT_WASI_MAX_RESOURCES) return;
    wasmaot_wasi_resource *x = &CTX->res[rep];
    int stream = x->kind == WASMAOT_WASI_RES_INPUT_STREAM || x->kind == WASMAOT_WASI_RES_OUTPUT_STREAM;
    if (stream && x->flags == HTTP_STREAM && x->host >= 0) {
        close((int)x->host);
        x->host = -1;
        return;
    }
    if (x->kind < RES_FIELDS || x->kind > RES_FUT_RESPONSE || !x->state) return;
    if (x->kind == RES_FIELDS) http_fields_free(x->state);
    if (x->kind == RES_IN_REQUEST) return;              /* static state */
    if (x->kind == RES_OUT_RESPONSE || x->kind == RES_OUT_REQUEST) {
        out_message *m = x->state;
        if (m->headers) wasmaot_p2_http_drop(m->headers), wasmaot_p2_drop(CTX, m->headers);
        free(m->method), free(m->path), free(m->authority), free(m->scheme);
    }
    free(x->state);
    x->state = NULL;
}
