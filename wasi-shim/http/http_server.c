/*
 * http_server.c -- the HTTP/1.1 server a compiled wasi:http/proxy
 * component runs as (http_server.h: the process model).
 *
 *   acceptor            command line, listen, accept; forks a connection
 *                       process per connection; SIGTERM/SIGINT: stop
 *                       accepting, let connections finish (bounded), exit 0
 *   connection process  reads and parses request heads (http_parse.h),
 *                       forwards the request body de-framed into a pipe,
 *                       forks a request process per request, frames the
 *                       response (content-length, chunked with trailers,
 *                       or close-delimited for HTTP/1.0), enforces the
 *                       limits and timeouts, answers 500 if the request
 *                       process ends before sending a head
 *   request process     calls the guest's handle() once and exits
 *
 * Invariants: only request processes run guest code, so the acceptor and
 * every connection process keep the pristine instance; SIGPIPE is ignored
 * everywhere (a closed peer is an EPIPE error); every wait is bounded by
 * --read-timeout-ms (the client) or --handler-timeout-ms (the guest).
 */
#define _GNU_SOURCE
#include "http_server.h"
#include "wasmaot_cm.h"
#include "../core/wasi_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_HEADERS 100                /* more header fields: 431 */
#define MAX_TARGET 8192                /* a longer request target: 414 */
#define MAX_CONNECTIONS 1024           /* connection processes at once */
#define SHUTDOWN_GRACE_MS 10000        /* in-flight requests at SIGTERM */
#define IO_BUF 65536

http_config wasmaot_http_cfg = {"127.0.0.1", 8080, 65536, 64u << 20, 30000, 60000, 0, {0}, {0}};
http_request wasmaot_http_req;

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig) { (void)sig; stop_flag = 1; }

static void set_signal(int sig, void (*fn)(int)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);        /* no SA_RESTART: a stop interrupts waits */
}

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------- messages */

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

uint8_t *http_fields_serialize(const http_fields *fs, size_t prefix, size_t *len) {
    size_t n = prefix + 4;
    for (uint32_t i = 0; fs && i < fs->n; i++) n += 8 + fs->f[i].name_len + fs->f[i].value_len;
    uint8_t *p = malloc(n), *q = p + prefix;
    if (!p) return NULL;
    put32(q, fs ? fs->n : 0);
    q += 4;
    for (uint32_t i = 0; fs && i < fs->n; i++) {
        put32(q, fs->f[i].name_len);
        memcpy(q + 4, fs->f[i].name, fs->f[i].name_len);
        q += 4 + fs->f[i].name_len;
        put32(q, fs->f[i].value_len);
        memcpy(q + 4, fs->f[i].value, fs->f[i].value_len);
        q += 4 + fs->f[i].value_len;
    }
    *len = n;
    return p;
}

int http_fields_parse(const uint8_t *p, size_t len, http_fields *fs) {
    if (len < 4) return -1;
    uint32_t n = get32(p);
    size_t k = 4;
    for (uint32_t i = 0; i < n; i++) {
        if (len - k < 4) return -1;
        uint32_t nl = get32(p + k);
        if (len - k - 4 < nl || len - k - 4 - nl < 4) return -1;
        const char *name = (const char *)p + k + 4;
        k += 4 + nl;
        uint32_t vl = get32(p + k);
        if (len - k - 4 < vl) return -1;
        if (http_fields_add(fs, name, nl, p + k + 4, vl)) return -1;
        k += 4 + vl;
    }
    return 0;
}

static int write_all(int fd, const void *buf, size_t n) {
    const char *p = buf;
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

int http_msg_write(int fd, uint32_t type, const uint8_t *payload, size_t len) {
    uint8_t hdr[8];
    put32(hdr, type);
    put32(hdr + 4, (uint32_t)len);
    return fd < 0 || write_all(fd, hdr, 8) || write_all(fd, payload, len) ? -1 : 0;
}

/* ----------------------------------------------------------- command line */

static void usage(FILE *f, const char *prog) {
    fprintf(f,
            "usage: %s [options]   (a wasi:http/proxy component as an HTTP/1.1 server)\n"
            "  --addr HOST:PORT           listen address (default 127.0.0.1:8080; port 0: any free port)\n"
            "  --max-header-bytes N       largest request head (default 65536; above: 431)\n"
            "  --max-body-bytes N         largest request body (default 67108864; above: 413)\n"
            "  --read-timeout-ms N        slow client bound: a request head, and each wait for body\n"
            "                             bytes or for the client to take response bytes (default 30000)\n"
            "  --handler-timeout-ms N     guest bound: until the response head, then between\n"
            "                             response body writes (default 60000; expired: 504 or abort)\n"
            "  --allow-outgoing HOST[:PORT]  grant wasi:http/outgoing-handler requests to HOST\n"
            "                             (repeatable; default: none; plain http only, no TLS)\n"
            "  --help                     this text\n",
            prog);
}

static int bad_flag(const char *prog, const char *msg, const char *arg) {
    fprintf(stderr, "%s: %s '%s' (see --help)\n", prog, msg, arg);
    return 2;
}

static int parse_u64(const char *s, uint64_t *out) {
    char *end;
    if (!*s || *s == '-') return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno) return -1;
    *out = v;
    return 0;
}

/* HOST:PORT ([v6]:PORT); the host is kept in a static buffer. */
static int parse_hostport(const char *s, const char **host, unsigned *port, int port_required) {
    static char hosts[HTTP_MAX_ALLOWED + 1][256];
    static unsigned used;
    const char *colon = strrchr(s, ':');
    if (colon && strchr(colon, ']')) colon = NULL;
    size_t n = colon ? (size_t)(colon - s) : strlen(s);
    uint64_t p = 0;
    if ((port_required && !colon) || (colon && (parse_u64(colon + 1, &p) || p > 65535)))
        return -1;
    if (s[0] == '[' && n >= 2 && s[n - 1] == ']') s++, n -= 2;
    if (n == 0 || n >= 256 || used > HTTP_MAX_ALLOWED) return -1;
    memcpy(hosts[used], s, n);
    hosts[used][n] = 0;
    *host = hosts[used++];
    *port = (unsigned)p;
    return 0;
}

/* Fills wasmaot_http_cfg from the program's arguments; -1: --help shown
 * (exit 0), else 0 or 2 (a bad flag, reported). */
static int parse_args(int argc, const char *const *argv) {
    http_config *c = &wasmaot_http_cfg;
    const char *prog = argc > 0 ? argv[0] : "server";
    for (int i = 1; i < argc; i++) {
        const char *f = argv[i];
        if (strcmp(f, "--help") == 0 || strcmp(f, "-h") == 0) {
            usage(stdout, prog);
            return -1;
        }
        if (strncmp(f, "--", 2) != 0) return bad_flag(prog, "unexpected argument", f);
        const char *eq = strchr(f, '='), *v;
        char name[64];
        size_t nl = eq ? (size_t)(eq - f) : strlen(f);
        if (nl >= sizeof name) return bad_flag(prog, "unknown flag", f);
        memcpy(name, f, nl);
        name[nl] = 0;
        if (eq) v = eq + 1;
        else if (i + 1 < argc) v = argv[++i];
        else return bad_flag(prog, "missing value for", f);
        uint64_t n = 0;
        if (strcmp(name, "--addr") == 0) {
            if (parse_hostport(v, &c->host, &c->port, 1)) return bad_flag(prog, "bad --addr (want HOST:PORT)", v);
        } else if (strcmp(name, "--allow-outgoing") == 0) {
            if (c->n_allowed == HTTP_MAX_ALLOWED) return bad_flag(prog, "too many --allow-outgoing", v);
            if (parse_hostport(v, &c->allowed_host[c->n_allowed], &c->allowed_port[c->n_allowed], 0))
                return bad_flag(prog, "bad --allow-outgoing (want HOST[:PORT])", v);
            c->n_allowed++;
        } else if (parse_u64(v, &n) || n == 0 || n > (1ull << 40)) {
            return bad_flag(prog, strcmp(name, "--max-header-bytes") && strcmp(name, "--max-body-bytes") &&
                                  strcmp(name, "--read-timeout-ms") && strcmp(name, "--handler-timeout-ms")
                              ? "unknown flag" : "bad number for", f);
        } else if (strcmp(name, "--max-header-bytes") == 0) {
            if (n < 64 || n > (64u << 20)) return bad_flag(prog, "--max-header-bytes out of range (64..67108864)", v);
            c->max_header_bytes = (size_t)n;
        } else if (strcmp(name, "--max-body-bytes") == 0) {
            c->max_body_bytes = n;
        } else if (strcmp(name, "--read-timeout-ms") == 0 && n <= 86400000) {
            c->read_timeout_ms = (int)n;
        } else if (strcmp(name, "--handler-timeout-ms") == 0 && n <= 86400000) {
            c->handler_timeout_ms = (int)n;
        } else {
            return bad_flag(prog, "unknown flag", f);
        }
    }
    return 0;
}

/* ---------------------------------------------------------- socket output */

static const char *reason(unsigned s) {
    switch (s) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 418: return "I'm a teapot";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "";
    }
}

/* A server-made response (an error): a short text body, connection closed. */
static void send_error(int sock, unsigned status) {
    char buf[256];
    const char *why = reason(status);
    int n = snprintf(buf, sizeof buf,
                     "HTTP/1.1 %u %s\r\ncontent-type: text/plain\r\ncontent-length: %zu\r\n"
                     "connection: close\r\n\r\n%s\n",
                     status, why, strlen(why) + 1, why);
    write_all(sock, buf, (size_t)n);
}

/* ------------------------------------------------------ request body input */

/* De-framing of a request body: content-length or chunked (+ trailers). */
typedef struct body_in {
    int chunked;
    uint64_t remaining;       /* content-length: bytes left; chunked: of this chunk */
    int state;                /* chunked: 0 size line, 1 data, 2 data CRLF, 3 trailers, 4 done */
    uint64_t total;
    http_fields trailers;
} body_in;

/* Consume framed bytes from in[0..*len) into out (room `cap`), sliding
 * the rest down; returns body bytes produced, or -(status) on a framing
 * error or a body above the limit. */
static long body_feed(body_in *b, char *in, size_t *len, char *out, size_t cap) {
    size_t k = 0, produced = 0;
    while (k < *len && b->state != 4) {
        if (!b->chunked || b->state == 1) {
            size_t n = *len - k;
            if (n > b->remaining) n = (size_t)b->remaining;
            if (n > cap - produced) n = cap - produced;
            if (n == 0 && b->remaining) break;
            memcpy(out + produced, in + k, n);
            produced += n, k += n, b->remaining -= n;
            if (b->remaining == 0) b->state = b->chunked ? 2 : 4;
        } else if (b->state == 0) {
            uint64_t size = 0;
            long r = http_parse_chunk_size(in + k, *len - k, &size);
            if (r < 0) return r;
            if (r == 0) break;
            k += (size_t)r;
            b->total += size;
            if (b->total > wasmaot_http_cfg.max_body_bytes) return HTTP_PARSE_ETOO_LARGE;
            b->remaining = size;
            b->state = size ? 1 : 3;
        } else if (b->state == 2) {
            if (in[k] == '\n') k++, b->state = 0;
            else if (in[k] == '\r' && k + 1 < *len) {
                if (in[k + 1] != '\n') return HTTP_PARSE_EBAD;
                k += 2, b->state = 0;
            } else if (in[k] == '\r') break;
            else return HTTP_PARSE_EBAD;
        } else {                       /* trailer section: field lines, empty line */
            char *nl = memchr(in + k, '\n', *len - k);
            if (!nl) {
                if (*len - k > wasmaot_http_cfg.max_header_bytes) return HTTP_PARSE_EHEADERS;
                break;
            }
            size_t n = (size_t)(nl - (in + k));
            size_t ln = n && in[k + n - 1] == '\r' ? n - 1 : n;
            if (ln == 0) b->state = 4;
            else {
                char *colon = memchr(in + k, ':', ln);
                if (!colon || colon == in + k) return HTTP_PARSE_EBAD;
                const char *v = colon + 1, *e = in + k + ln;
                while (v < e && (*v == ' ' || *v == '\t')) v++;
                while (e > v && (e[-1] == ' ' || e[-1] == '\t')) e--;
                http_fields_add(&b->trailers, in + k, (size_t)(colon - (in + k)), (const uint8_t *)v, (size_t)(e - v));
            }
            k += n + 1;
        }
        if (produced == cap) break;
    }
    memmove(in, in + k, *len - k);
    *len -= k;
    return (long)produced;
}

/* ------------------------------------------------------------- the request */

typedef struct conn {
    int sock;
    char *in;                 /* received, not yet consumed */
    size_t len, cap;
    const wasmaot_cm_state *st;
    const wasmaot_cm_func *handle;
} conn;

/* Wait until fd is readable, up to deadline (ms, monotonic); 1, 0 on
 * timeout, -1 on a stop request while `idle`. */
static int wait_readable(int fd, int64_t deadline, int idle) {
    for (;;) {
        if (idle && stop_flag) return -1;
        int64_t left = deadline - now_ms();
        if (left <= 0) return 0;
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, left > 200 ? 200 : (int)left);
        if (r > 0) return 1;
    }
}

/* Read more bytes into c->in; >0, 0 on EOF or error, -1 on timeout/stop. */
static long fill(conn *c, int64_t deadline, int idle) {
    if (c->len == c->cap) return 0;
    int w = wait_readable(c->sock, deadline, idle);
    if (w <= 0) return -1;
    ssize_t n = read(c->sock, c->in + c->len, c->cap - c->len);
    if (n < 0 && errno == EINTR) return fill(c, deadline, idle);
    if (n <= 0) return 0;
    c->len += (size_t)n;
    return n;
}

typedef struct exchange {
    conn *c;
    http_request_head *head;
    body_in body;
    int body_done;
    int req_fd, trl_fd, resp_fd, ctl_fd;     /* connection-process ends (-1: closed) */
    pid_t child;
    /* response */
    int head_sent, end_seen, no_body, chunked, close_after;
    int64_t content_length, sent;
    http_fields trailers;
    uint8_t *ctl; size_t ctl_len, ctl_cap;
    char fwd[IO_BUF]; size_t fwd_len;         /* body bytes for the request pipe */
    int64_t body_deadline;                    /* the client must send body bytes by then */
    int te_trailers;                          /* the request's TE lists "trailers" */
} exchange;

static void request_process(exchange *x, int req_rd, int trl_rd, int resp_wr, int ctl_wr) {
    set_signal(SIGTERM, SIG_IGN);
    set_signal(SIGINT, SIG_IGN);
    close(x->c->sock);
    http_request *q = &wasmaot_http_req;
    const http_request_head *hd = x->head;
    *q = (http_request){hd->method, hd->method_len, hd->target, hd->target_len, hd->headers, hd->num_headers,
                        req_rd, trl_rd, resp_wr, ctl_wr};
    uint32_t req = wasmaot_http_new_request(), out = wasmaot_http_new_outparam();
    if (req && out) wasmaot_cm_call_handler(x->c->st, x->c->handle, req, out);
    fflush(stdout);
    fflush(stderr);
    _exit(0);
}

static int is_name(const http_field *f, const char *lit) {
    size_t n = strlen(lit);
    if (f->name_len != n) return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = f->name[i];
        if (ch >= 'A' && ch <= 'Z') ch += 32;
        if (ch != lit[i]) return 0;
    }
    return 1;
}

/* The response head from a HEAD message; -1 if malformed. */
static int send_head(exchange *x, const uint8_t *p, size_t len) {
    http_fields fs = {0, 0, NULL, 0};
    if (len < 4 || http_fields_parse(p + 4, len - 4, &fs)) return -1;
    unsigned status = get32(p);
    if (status < 100 || status > 999) status = 500;
    const http_request_head *hd = x->head;
    int is_head = hd->method_len == 4 && memcmp(hd->method, "HEAD", 4) == 0;
    x->no_body = is_head || status == 204 || status == 304 || status < 200;
    x->content_length = -1;
    size_t cap = 256, n = 0;
    for (uint32_t i = 0; i < fs.n; i++) cap += fs.f[i].name_len + fs.f[i].value_len + 4;
    char *out = malloc(cap);
    if (!out) return -1;
    n += (size_t)snprintf(out, cap, "HTTP/1.1 %u %s\r\n", status, reason(status));
    for (uint32_t i = 0; i < fs.n; i++) {
        http_field *f = &fs.f[i];
        if (is_name(f, "connection") || is_name(f, "transfer-encoding") || is_name(f, "keep-alive")) continue;
        if (is_name(f, "content-length")) {
            uint64_t v = 0;
            char tmp[24];
            if (f->value_len == 0 || f->value_len >= sizeof tmp) continue;
            memcpy(tmp, f->value, f->value_len);
            tmp[f->value_len] = 0;
            if (parse_u64(tmp, &v) || x->content_length >= 0) continue;
            x->content_length = (int64_t)v;
        }
        memcpy(out + n, f->name, f->name_len), n += f->name_len;
        memcpy(out + n, ": ", 2), n += 2;
        memcpy(out + n, f->value, f->value_len), n += f->value_len;
        memcpy(out + n, "\r\n", 2), n += 2;
    }
    http_fields_free(&fs);
    x->chunked = !x->no_body && x->content_length < 0 && hd->version_minor == 1;
    if (!x->no_body && x->content_length < 0 && !x->chunked) x->close_after = 1;
    if (x->chunked) n += (size_t)snprintf(out + n, cap - n, "transfer-encoding: chunked\r\n");
    if (x->close_after || !hd->keep_alive || stop_flag) {
        x->close_after = 1;
        n += (size_t)snprintf(out + n, cap - n, "connection: close\r\n");
    } else if (hd->version_minor == 0) {
        n += (size_t)snprintf(out + n, cap - n, "connection: keep-alive\r\n");
    }
    n += (size_t)snprintf(out + n, cap - n, "\r\n");
    int r = write_all(x->c->sock, out, n);
    free(out);
    x->head_sent = 1;
    return r;
}

/* Response body bytes from the guest, framed onto the socket. */
static int send_body(exchange *x, const char *p, size_t n) {
    if (x->no_body || n == 0) return 0;
    if (x->content_length >= 0) {
        if ((int64_t)n > x->content_length - x->sent) {
            n = (size_t)(x->content_length - x->sent);
            x->close_after = 1;              /* the guest wrote more than it declared */
        }
        x->sent += (int64_t)n;
        return write_all(x->c->sock, p, n);
    }
    if (!x->chunked) return write_all(x->c->sock, p, n);
    char size[24];
    int k = snprintf(size, sizeof size, "%zx\r\n", n);
    return write_all(x->c->sock, size, (size_t)k) || write_all(x->c->sock, p, n) ||
           write_all(x->c->sock, "\r\n", 2);
}

/* Whether the request's TE field lists "trailers": only then does a
 * response carry its trailer section (RFC 9110 6.5.1; hyper, under
 * wasmtime serve, does the same). */
static int wants_trailers(const http_request_head *hd) {
    for (size_t i = 0; i < hd->num_headers; i++) {
        const http_header *h = &hd->headers[i];
        if (!http_name_is(h, "te")) continue;
        for (size_t k = 0; k + 8 <= h->value_len; k++)
            if (strncasecmp(h->value + k, "trailers", 8) == 0 && (k == 0 || h->value[k - 1] == ' ' ||
                                                                 h->value[k - 1] == ','))
                return 1;
    }
    return 0;
}

/* The end of a complete response body (chunked: last chunk + trailers). */
static int send_end(exchange *x) {
    if (x->content_length >= 0 && x->sent < x->content_length && !x->no_body) x->close_after = 1;
    if (!x->chunked) return 0;
    if (!x->te_trailers) http_fields_free(&x->trailers);
    size_t cap = 16, n = 0;
    for (uint32_t i = 0; i < x->trailers.n; i++) cap += x->trailers.f[i].name_len + x->trailers.f[i].value_len + 4;
    char *out = malloc(cap);
    if (!out) return -1;
    memcpy(out, "0\r\n", 3), n = 3;
    for (uint32_t i = 0; i < x->trailers.n; i++) {
        http_field *f = &x->trailers.f[i];
        memcpy(out + n, f->name, f->name_len), n += f->name_len;
        memcpy(out + n, ": ", 2), n += 2;
        memcpy(out + n, f->value, f->value_len), n += f->value_len;
        memcpy(out + n, "\r\n", 2), n += 2;
    }
    memcpy(out + n, "\r\n", 2), n += 2;
    int r = write_all(x->c->sock, out, n);
    free(out);
    return r;
}

/* Handle complete control messages in x->ctl; -1 on a socket error. */
static int control(exchange *x) {
    size_t k = 0;
    while (x->ctl_len - k >= 8) {
        uint32_t type = get32(x->ctl + k), len = get32(x->ctl + k + 4);
        if (x->ctl_len - k - 8 < len) break;
        const uint8_t *p = x->ctl + k + 8;
        if (type == HTTP_MSG_HEAD && !x->head_sent && send_head(x, p, len)) return -1;
        if (type == HTTP_MSG_END) {
            x->end_seen = 1;
            http_fields_free(&x->trailers);
            http_fields_parse(p, len, &x->trailers);
        }
        k += 8 + len;
    }
    memmove(x->ctl, x->ctl + k, x->ctl_len - k);
    x->ctl_len -= k;
    return 0;
}

static void close_fd(int *fd) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

/* The request body is complete: the pipe closes (EOF for the guest) and
 * the trailers follow on their own pipe. */
static void body_complete(exchange *x) {
    x->body_done = 1;
    close_fd(&x->req_fd);
    if (x->trl_fd >= 0) {
        size_t len;
        uint8_t *msg = http_fields_serialize(&x->body.trailers, 0, &len);
        if (msg) http_msg_write(x->trl_fd, HTTP_MSG_TRAILERS, msg, len);
        free(msg);
        close_fd(&x->trl_fd);
    }
}

/* Move request body bytes: socket buffer -> de-framed -> pipe.  Returns
 * -(status) on a framing error or an over-limit body, else 0. */
static long pump_request(exchange *x) {
    if (x->body_done && x->req_fd < 0) return 0;
    if (x->fwd_len == 0 && !x->body_done) {
        long n = body_feed(&x->body, x->c->in, &x->c->len, x->fwd, sizeof x->fwd);
        if (n < 0) return n;
        x->fwd_len = (size_t)n;
        if (x->body.state == 4 && x->fwd_len == 0) body_complete(x);
    }
    if (x->fwd_len && x->req_fd >= 0) {
        ssize_t k = write(x->req_fd, x->fwd, x->fwd_len);
        if (k > 0) {
            /* the guest took bytes: the client's allowance starts again */
            x->body_deadline = now_ms() + wasmaot_http_cfg.read_timeout_ms;
            memmove(x->fwd, x->fwd + k, x->fwd_len - (size_t)k);
            x->fwd_len -= (size_t)k;
        } else if (k < 0 && errno != EAGAIN && errno != EINTR) {
            close_fd(&x->req_fd);            /* the guest closed its body: drain */
        }
    }
    if (x->req_fd < 0) x->fwd_len = 0;
    if (x->body.state == 4 && x->fwd_len == 0 && !x->body_done) body_complete(x);
    return 0;
}

/* One poll round of the exchange; 1 when the request process is done, -1
 * on a client or framing failure (*status: an HTTP status to answer with
 * if no head was sent, 0: none). */
static int exchange_step(exchange *x, int64_t *deadline, int *status) {
    struct pollfd p[4];
    int np = 0, i_sock = -1, i_req = -1, i_ctl = -1, i_resp = -1;
    /* bytes already received (with the head, or a previous read) first */
    long e = pump_request(x);
    if (e < 0) {
        *status = (int)-e;
        return -1;
    }
    int want_sock = !x->body_done && x->fwd_len == 0;
    if (want_sock && now_ms() >= x->body_deadline) {
        *status = x->head_sent ? 0 : 408;        /* a client stalled mid-body */
        return -1;
    }
    if (want_sock) i_sock = np, p[np++] = (struct pollfd){x->c->sock, POLLIN, 0};
    if (x->fwd_len && x->req_fd >= 0) i_req = np, p[np++] = (struct pollfd){x->req_fd, POLLOUT, 0};
    if (x->ctl_fd >= 0) i_ctl = np, p[np++] = (struct pollfd){x->ctl_fd, POLLIN, 0};
    if (x->resp_fd >= 0 && x->head_sent) i_resp = np, p[np++] = (struct pollfd){x->resp_fd, POLLIN, 0};
    if (x->ctl_fd < 0 && (x->resp_fd < 0 || !x->head_sent)) return 1;
    int64_t left = *deadline - now_ms();
    if (left <= 0) {
        *status = x->head_sent ? 0 : 504;
        return -1;
    }
    if (want_sock && x->body_deadline - now_ms() < left) left = x->body_deadline - now_ms() + 1;
    if (poll(p, (nfds_t)np, left > 1000 ? 1000 : (int)left) <= 0) return 0;
    if (i_sock >= 0 && p[i_sock].revents) {
        ssize_t n = x->c->len < x->c->cap ? read(x->c->sock, x->c->in + x->c->len, x->c->cap - x->c->len) : 0;
        if (n <= 0 && !(n < 0 && errno == EINTR)) {
            *status = 0;                 /* the client went away mid-body */
            return -1;
        }
        if (n > 0) {
            x->c->len += (size_t)n;
            x->body_deadline = now_ms() + wasmaot_http_cfg.read_timeout_ms;
        }
    }
    e = pump_request(x);
    if (e < 0) {
        *status = (int)-e;
        return -1;
    }
    (void)i_req;
    if (i_ctl >= 0 && p[i_ctl].revents) {
        if (x->ctl_len + IO_BUF > x->ctl_cap) {
            x->ctl_cap = x->ctl_len + 2 * IO_BUF;
            x->ctl = realloc(x->ctl, x->ctl_cap);
            if (!x->ctl) _exit(1);
        }
        ssize_t n = read(x->ctl_fd, x->ctl + x->ctl_len, IO_BUF);
        if (n > 0) {
            x->ctl_len += (size_t)n;
            *deadline = now_ms() + wasmaot_http_cfg.handler_timeout_ms;
            if (control(x)) return -1;
        } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
            close_fd(&x->ctl_fd);
        }
    }
    if (i_resp >= 0 && p[i_resp].revents) {
        char buf[IO_BUF];
        ssize_t n = read(x->resp_fd, buf, sizeof buf);
        if (n > 0) {
            *deadline = now_ms() + wasmaot_http_cfg.handler_timeout_ms;
            if (send_body(x, buf, (size_t)n)) return -1;
        } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
            close_fd(&x->resp_fd);
        }
    }
    return 0;
}

/* Discard the rest of the request body so the connection can serve the
 * next request; 0, or -1 (then the connection closes). */
static int drain_request(exchange *x) {
    while (!x->body_done) {
        if (pump_request(x) < 0) return -1;
        x->fwd_len = 0;
        if (x->body_done) break;
        if (x->c->len == 0 && fill(x->c, now_ms() + wasmaot_http_cfg.read_timeout_ms, 0) <= 0) return -1;
    }
    return 0;
}

static void nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

/* Serve one parsed request; 1 to keep the connection, 0 to close it. */
static int serve_request(conn *c, http_request_head *hd) {
    static exchange x;
    memset(&x, 0, sizeof x);
    x.c = c, x.head = hd;
    x.req_fd = x.trl_fd = -1;
    x.body_deadline = now_ms() + wasmaot_http_cfg.read_timeout_ms;
    x.te_trailers = wants_trailers(hd);
    int has_body = hd->chunked || hd->content_length > 0;
    x.body = (body_in){hd->chunked, hd->chunked ? 0 : (uint64_t)(hd->content_length > 0 ? hd->content_length : 0),
                       hd->chunked ? 0 : (has_body ? 1 : 4), 0, {0, 0, NULL, 0}};
    if (!has_body) x.body_done = 1;
    if (hd->expect_continue && has_body) write_all(c->sock, "HTTP/1.1 100 Continue\r\n\r\n", 25);
    int req[2] = {-1, -1}, trl[2] = {-1, -1}, resp[2], ctl[2];
    if ((has_body && pipe2(req, O_CLOEXEC)) || (hd->chunked && pipe2(trl, O_CLOEXEC)) ||
        pipe2(resp, O_CLOEXEC) || pipe2(ctl, O_CLOEXEC)) {
        send_error(c->sock, 503);
        return 0;
    }
    fflush(stdout);
    fflush(stderr);
    x.child = fork();
    if (x.child == 0) {
        close_fd(&req[1]), close_fd(&trl[1]), close_fd(&resp[0]), close_fd(&ctl[0]);
        request_process(&x, req[0], trl[0], resp[1], ctl[1]);
    }
    close_fd(&req[0]), close_fd(&trl[0]), close_fd(&resp[1]), close_fd(&ctl[1]);
    if (x.child < 0) {
        close_fd(&req[1]), close_fd(&trl[1]), close_fd(&resp[0]), close_fd(&ctl[0]);
        send_error(c->sock, 503);
        return 0;
    }
    x.req_fd = req[1], x.trl_fd = trl[1], x.resp_fd = resp[0], x.ctl_fd = ctl[0];
    if (x.req_fd >= 0) nonblock(x.req_fd);
    nonblock(x.resp_fd), nonblock(x.ctl_fd);
    if (x.body_done) body_complete(&x);
    int64_t deadline = now_ms() + wasmaot_http_cfg.handler_timeout_ms;
    int status = 0, r;
    while ((r = exchange_step(&x, &deadline, &status)) == 0) {}
    int ws = 0;
    if (r < 0) kill(x.child, SIGKILL);
    while (waitpid(x.child, &ws, 0) < 0 && errno == EINTR) {}
    close_fd(&x.req_fd), close_fd(&x.trl_fd), close_fd(&x.resp_fd), close_fd(&x.ctl_fd);
    free(x.ctl);
    int clean = WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
    int keep = 0;
    if (r < 0 && !x.head_sent) {
        if (status) send_error(c->sock, (unsigned)status);
    } else if (!x.head_sent) {
        send_error(c->sock, 500);          /* trap, crash or no response set */
    } else if (r > 0 && (x.end_seen || clean)) {
        keep = send_end(&x) == 0 && !x.close_after && hd->keep_alive;
    }
    http_fields_free(&x.trailers);
    http_fields_free(&x.body.trailers);
    if (keep && drain_request(&x)) keep = 0;
    return keep && !stop_flag;
}

/* One connection: requests until close, error, timeout or stop. */
static void connection_process(int sock, const wasmaot_cm_state *st, const wasmaot_cm_func *handle) {
    set_signal(SIGTERM, on_stop);
    set_signal(SIGINT, on_stop);
    struct timeval tv = {wasmaot_http_cfg.read_timeout_ms / 1000, (wasmaot_http_cfg.read_timeout_ms % 1000) * 1000};
    setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    conn c = {sock, NULL, 0, wasmaot_http_cfg.max_header_bytes + IO_BUF, st, handle};
    c.in = malloc(c.cap);
    static http_header headers[MAX_HEADERS];
    http_limits lim = {wasmaot_http_cfg.max_header_bytes,
                       MAX_TARGET < wasmaot_http_cfg.max_header_bytes ? MAX_TARGET : wasmaot_http_cfg.max_header_bytes,
                       wasmaot_http_cfg.max_body_bytes};
    for (;;) {
        http_request_head hd;
        memset(&hd, 0, sizeof hd);
        hd.headers = headers, hd.max_headers = MAX_HEADERS;
        int64_t deadline = now_ms() + wasmaot_http_cfg.read_timeout_ms;
        long r;
        while ((r = http_parse_request_head(c.in, c.len, &lim, &hd)) == 0) {
            long n = fill(&c, deadline, c.len == 0);
            if (n < 0 && c.len > 0 && !stop_flag) send_error(sock, 408);
            if (n <= 0) return;
        }
        if (r < 0) {
            send_error(sock, (unsigned)-r);
            return;
        }
        /* The head stays in place (the request process reads it); the
         * body and what follows start at r. */
        char *head_copy = malloc((size_t)r);
        if (!head_copy) return;
        memcpy(head_copy, c.in, (size_t)r);
        for (size_t i = 0; i < hd.num_headers; i++) {
            headers[i].name = head_copy + (headers[i].name - c.in);
            headers[i].value = head_copy + (headers[i].value - c.in);
        }
        hd.method = head_copy + (hd.method - c.in);
        hd.target = head_copy + (hd.target - c.in);
        memmove(c.in, c.in + r, c.len - (size_t)r);
        c.len -= (size_t)r;
        int keep = serve_request(&c, &hd);
        free(head_copy);
        if (!keep) return;
    }
}

/* --------------------------------------------------------------- acceptor */

static int listen_socket(void) {
    char port[16];
    snprintf(port, sizeof port, "%u", wasmaot_http_cfg.port);
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int e = getaddrinfo(wasmaot_http_cfg.host, port, &hints, &ai);
    if (e || !ai) {
        fprintf(stderr, "wasmaot: cannot resolve listen address %s: %s\n", wasmaot_http_cfg.host, gai_strerror(e));
        return -1;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 512)) {
        fprintf(stderr, "wasmaot: cannot listen on %s:%u: %s\n", wasmaot_http_cfg.host, wasmaot_http_cfg.port,
                strerror(errno));
        freeaddrinfo(ai);
        if (fd >= 0) close(fd);
        return -1;
    }
    freeaddrinfo(ai);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned p = 0;
    if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &a6->sin6_addr, host, sizeof host);
        p = ntohs(a6->sin6_port);
        fprintf(stderr, "listening on http://[%s]:%u\n", host, p);
    } else {
        struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &a4->sin_addr, host, sizeof host);
        p = ntohs(a4->sin_port);
        fprintf(stderr, "listening on http://%s:%u\n", host, p);
    }
    fflush(stderr);
    return fd;
}

typedef struct children {
    pid_t pid[MAX_CONNECTIONS];
    unsigned n;
} children;

static void reap(children *ch, int block) {
    int ws;
    pid_t pid;
    while (ch->n && (pid = waitpid(-1, &ws, block ? 0 : WNOHANG)) > 0) {
        for (unsigned i = 0; i < ch->n; i++)
            if (ch->pid[i] == pid) {
                ch->pid[i] = ch->pid[--ch->n];
                break;
            }
        block = 0;
    }
}

/* SIGTERM/SIGINT: connections finish their request (each is told to
 * stop), bounded by SHUTDOWN_GRACE_MS; stragglers are killed. */
static void shutdown_children(children *ch) {
    for (unsigned i = 0; i < ch->n; i++) kill(ch->pid[i], SIGTERM);
    int64_t end = now_ms() + SHUTDOWN_GRACE_MS;
    while (ch->n && now_ms() < end) {
        reap(ch, 0);
        if (ch->n) usleep(5000);
    }
    for (unsigned i = 0; i < ch->n; i++) kill(ch->pid[i], SIGKILL);
    while (ch->n) reap(ch, 1);
}

int wasmaot_http_serve(const wasmaot_cm_state *st, const wasmaot_cm_func *handle) {
    wasmaot_wasi_ctx *ctx = wasmaot_wasi_default_ctx();
    int argc = (int)wasmaot_p2_arguments_count(ctx);
    const char **argv = calloc((size_t)argc + 1, sizeof *argv);
    for (int i = 0; argv && i < argc; i++) argv[i] = wasmaot_p2_argument(ctx, (uint32_t)i);
    int pr = argv ? parse_args(argc, argv) : 1;
    free(argv);
    if (pr) return pr < 0 ? 0 : pr;
    set_signal(SIGPIPE, SIG_IGN);
    set_signal(SIGTERM, on_stop);
    set_signal(SIGINT, on_stop);
    int lfd = listen_socket();
    if (lfd < 0) return 1;
    static children ch;
    while (!stop_flag) {
        reap(&ch, 0);
        struct pollfd p = {lfd, POLLIN, 0};
        if (ch.n >= MAX_CONNECTIONS || poll(&p, 1, 200) <= 0) {
            if (ch.n >= MAX_CONNECTIONS) usleep(1000);
            continue;
        }
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) continue;
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            close(lfd);
            connection_process(fd, st, handle);
            shutdown(fd, SHUT_WR);
            close(fd);
            _exit(0);
        }
        close(fd);
        if (pid > 0) ch.pid[ch.n++] = pid;
    }
    close(lfd);
    shutdown_children(&ch);
    return 0;
}
