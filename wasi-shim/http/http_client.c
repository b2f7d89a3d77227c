/*
 * http_client.c -- wasi:http/outgoing-handler over plain HTTP/1.1 (no
 * TLS: an https request is refused by p2_http.c before it gets here).
 *
 * One request per connection ("connection: close"), sent when the guest
 * asks the future for the response: the request body (a memfd the guest
 * wrote through its outgoing-body stream) goes with a content-length, the
 * whole response is read until the server closes (bounded by
 * --max-body-bytes and --read-timeout-ms), de-chunked if needed, and
 * handed to the guest as a memfd.  Requests run only toward hosts granted
 * with --allow-outgoing (http_client_allowed).
 */
#define _GNU_SOURCE
#include "http_server.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* wasi:http error-code cases */
enum { EC_DNS_ERROR = 1, EC_CONNECTION_REFUSED = 6, EC_CONNECTION_TERMINATED = 7,
       EC_CONNECTION_READ_TIMEOUT = 9, EC_RESPONSE_INCOMPLETE = 25, EC_RESPONSE_BODY_SIZE = 28,
       EC_PROTOCOL_ERROR = 35, EC_INTERNAL = 38 };

int http_client_allowed(const char *host, unsigned port) {
    const http_config *c = &wasmaot_http_cfg;
    for (unsigned i = 0; i < c->n_allowed; i++)
        if (strcasecmp(c->allowed_host[i], host) == 0 && (c->allowed_port[i] == 0 || c->allowed_port[i] == port))
            return 1;
    return 0;
}

static int connect_to(const char *authority) {
    char host[256], port[8] = "80";
    const char *colon = strrchr(authority, ':');
    size_t n = colon ? (size_t)(colon - authority) : strlen(authority);
    if (n >= sizeof host) return -EC_DNS_ERROR;
    memcpy(host, authority, n);
    host[n] = 0;
    if (colon) snprintf(port, sizeof port, "%s", colon + 1);
    struct addrinfo hints, *ai = NULL, *a;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &ai) || !ai) return -EC_DNS_ERROR;
    int fd = -1;
    for (a = ai; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen)) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(ai);
    return fd >= 0 ? fd : -EC_CONNECTION_REFUSED;
}

static int send_all(int fd, const void *p, size_t n) {
    const char *s = p;
    while (n) {
        ssize_t k = send(fd, s, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        s += k, n -= (size_t)k;
    }
    return 0;
}

static int is_hop(const http_field *f) {
    static const char *const names[] = {"host", "content-length", "transfer-encoding", "connection"};
    for (size_t i = 0; i < 4; i++)
        if (strlen(names[i]) == f->name_len && strncasecmp(f->name, names[i], f->name_len) == 0) return 1;
    return 0;
}

static int send_request(int fd, const http_client_request *rq) {
    struct stat sb;
    off_t body = rq->body_fd >= 0 && fstat(rq->body_fd, &sb) == 0 ? sb.st_size : 0;
    size_t cap = 512 + strlen(rq->method) + strlen(rq->path) + strlen(rq->authority), n;
    for (uint32_t i = 0; rq->headers && i < rq->headers->n; i++)
        cap += rq->headers->f[i].name_len + rq->headers->f[i].value_len + 4;
    char *head = malloc(cap);
    if (!head) return -1;
    n = (size_t)snprintf(head, cap, "%s %s HTTP/1.1\r\nhost: %s\r\n", rq->method, rq->path, rq->authority);
    for (uint32_t i = 0; rq->headers && i < rq->headers->n; i++) {
        const http_field *f = &rq->headers->f[i];
        if (is_hop(f)) continue;
        memcpy(head + n, f->name, f->name_len), n += f->name_len;
        memcpy(head + n, ": ", 2), n += 2;
        memcpy(head + n, f->value, f->value_len), n += f->value_len;
        memcpy(head + n, "\r\n", 2), n += 2;
    }
    n += (size_t)snprintf(head + n, cap - n, "content-length: %lld\r\nconnection: close\r\n\r\n", (long long)body);
    int r = send_all(fd, head, n);
    free(head);
    char buf[65536];
    for (off_t off = 0; !r && off < body;) {
        ssize_t k = pread(rq->body_fd, buf, sizeof buf, off);
        if (k <= 0) return -1;
        r = send_all(fd, buf, (size_t)k);
        off += k;
    }
    return r;
}

/* The whole response (until EOF) into a malloc'd buffer. */
static int read_all(int fd, char **out, size_t *len) {
    size_t cap = 65536, n = 0, limit = wasmaot_http_cfg.max_header_bytes + wasmaot_http_cfg.max_body_bytes;
    char *b = malloc(cap);
    if (!b) return EC_INTERNAL;
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, wasmaot_http_cfg.read_timeout_ms) <= 0) {
            free(b);
            return EC_CONNECTION_READ_TIMEOUT;
        }
        if (n == cap) {
            if (cap >= limit) {
                free(b);
                return EC_RESPONSE_BODY_SIZE;
            }
            char *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                return EC_INTERNAL;
            }
            b = nb;
        }
        ssize_t k = recv(fd, b + n, cap - n, 0);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) {
            free(b);
            return EC_CONNECTION_TERMINATED;
        }
        if (k == 0) break;
        n += (size_t)k;
    }
    *out = b;
    *len = n;
    return 0;
}

/* Status line and header fields of buf[0..len); the offset of the body,
 * or 0 if malformed. */
static size_t parse_head(const char *b, size_t len, unsigned *status, http_fields *fs) {
    const char *end = memmem(b, len, "\r\n\r\n", 4);
    if (!end || len < 12 || memcmp(b, "HTTP/1.", 7) != 0) return 0;
    *status = (unsigned)atoi(b + 9);
    const char *line = memchr(b, '\n', (size_t)(end - b)) + 1;
    while (line < end + 2) {
        const char *eol = memchr(line, '\n', (size_t)(end + 2 - line));
        if (!eol) break;
        const char *colon = memchr(line, ':', (size_t)(eol - line));
        const char *ve = eol > line && eol[-1] == '\r' ? eol - 1 : eol;
        if (colon) {
            const char *v = colon + 1;
            while (v < ve && (*v == ' ' || *v == '\t')) v++;
            while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) ve--;
            http_fields_add(fs, line, (size_t)(colon - line), (const uint8_t *)v, (size_t)(ve - v));
        }
        line = eol + 1;
    }
    return (size_t)(end + 4 - b);
}

static const http_field *find(const http_fields *fs, const char *name) {
    for (uint32_t i = 0; i < fs->n; i++)
        if (strlen(name) == fs->f[i].name_len && strncasecmp(fs->f[i].name, name, fs->f[i].name_len) == 0)
            return &fs->f[i];
    return NULL;
}

/* The body of a chunked response, de-chunked into fd; 0 or an error code. */
static int dechunk(const char *p, size_t n, int fd) {
    size_t k = 0;
    for (;;) {
        uint64_t size = 0;
        long r = http_parse_chunk_size(p + k, n - k, &size);
        if (r <= 0) return EC_RESPONSE_INCOMPLETE;
        k += (size_t)r;
        if (size == 0) return 0;
        if (size > n - k) return EC_RESPONSE_INCOMPLETE;
        if (write(fd, p + k, (size_t)size) != (ssize_t)size) return EC_INTERNAL;
        k += (size_t)size;
        if (k < n && p[k] == '\r') k++;
        if (k < n && p[k] == '\n') k++;
    }
}

int http_client_send(const http_client_request *rq, unsigned *status, http_fields *headers, int *body_fd) {
    int fd = connect_to(rq->authority);
    if (fd < 0) return -fd;
    char *buf = NULL;
    size_t len = 0;
    int code = send_request(fd, rq) ? EC_CONNECTION_TERMINATED : read_all(fd, &buf, &len);
    close(fd);
    if (code) return code;
    size_t off = parse_head(buf, len, status, headers);
    int out = off ? memfd_create("wasmaot-http-response", MFD_CLOEXEC) : -1;
    if (!off || out < 0) {
        free(buf);
        return off ? EC_INTERNAL : EC_PROTOCOL_ERROR;
    }
    const http_field *te = find(headers, "transfer-encoding"), *cl = find(headers, "content-length");
    if (te && te->value_len == 7 && strncasecmp((const char *)te->value, "chunked", 7) == 0) {
        code = dechunk(buf + off, len - off, out);
    } else {
        size_t n = len - off;
        if (cl) {
            char tmp[24] = {0};
            memcpy(tmp, cl->value, cl->value_len < 23 ? cl->value_len : 23);
            size_t want = (size_t)strtoull(tmp, NULL, 10);
            if (want > n) code = EC_RESPONSE_INCOMPLETE;
            else n = want;
        }
        if (!code && write(out, buf + off, n) != (ssize_t)n) code = EC_INTERNAL;
    }
    free(buf);
    if (code) {
        close(out);
        http_fields_free(headers);
        return code;
    }
    lseek(out, 0, SEEK_SET);
    *body_fd = out;
    return 0;
}
