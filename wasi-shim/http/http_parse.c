/*
 * http_parse.c -- the pure HTTP/1.x request-head parser (http_parse.h).
 *
 * One forward pass: the head's end (the first empty line) is found first,
 * so a head that is still incomplete costs one scan and returns 0 (or
 * HTTP_PARSE_EHEADERS once it exceeds max_head); only a complete head is
 * split into request line and fields.  No libc beyond <stddef.h>-level
 * types: the fuzzer and bare builds need nothing else.
 */
#include "http_parse.h"

static int is_tchar(unsigned char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*':
    case '+': case '-': case '.': case '^': case '_': case '`': case '|': case '~':
        return 1;
    default:
        return 0;
    }
}

/* Field-value bytes: visible ASCII, obs-text, SP and HTAB; no CTLs. */
static int is_vchar(unsigned char c) {
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static unsigned char lower(unsigned char c) {
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static int eq_nocase(const char *s, size_t n, const char *lit) {
    size_t i = 0;
    for (; i < n; i++)
        if (lit[i] == 0 || lower((unsigned char)s[i]) != (unsigned char)lit[i])
            return 0;
    return lit[i] == 0;
}

int http_name_is(const http_header *h, const char *lit) {
    return eq_nocase(h->name, h->name_len, lit);
}

/* Index just past the head's terminating empty line, 0 if not there yet,
 * or -1 on a bare CR.  Line ends are CRLF or LF. */
static long find_head_end(const char *buf, size_t len, size_t *start) {
    size_t i = 0;
    /* RFC 9112 2.2: ignore at least one empty line before the request-line. */
    while (i < len && (buf[i] == '\r' || buf[i] == '\n')) {
        if (buf[i] == '\r' && (i + 1 >= len || buf[i + 1] != '\n'))
            return i + 1 >= len ? 0 : -1;
        i += buf[i] == '\r' ? 2 : 1;
    }
    *start = i;
    int empty = 0; /* the current line has no byte yet (after a line end) */
    for (; i < len; i++) {
        char c = buf[i];
        if (c == '\r') {
            if (i + 1 >= len)
                return 0;
            if (buf[i + 1] != '\n')
                return -1;
            i++;
            c = '\n';
        }
        if (c == '\n') {
            if (empty)
                return (long)(i + 1);
            empty = 1;
        } else {
            empty = 0;
        }
    }
    return 0;
}

/* Length of the line at p (up to, not including, its CRLF or LF) and the
 * offset of the next line. */
static size_t line_len(const char *p, const char *end, const char **next) {
    const char *q = p;
    while (q < end && *q != '\n')
        q++;
    *next = q < end ? q + 1 : end;
    return (size_t)((q > p && q[-1] == '\r') ? q - 1 - p : q - p);
}

static long parse_request_line(const char *p, size_t n, const http_limits *lim,
                               http_request_head *out) {
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)p[i]))
        i++;
    if (i == 0 || i >= n || p[i] != ' ')
        return HTTP_PARSE_EBAD;
    out->method = p;
    out->method_len = i;
    size_t t = ++i;
    while (i < n && p[i] != ' ') {
        unsigned char c = (unsigned char)p[i];
        if (c <= 0x20 || c >= 0x7f)
            return HTTP_PARSE_EBAD;
        i++;
    }
    if (i - t > lim->max_target)
        return HTTP_PARSE_EURI_LONG;
    if (i == t || i >= n)
        return HTTP_PARSE_EBAD;
    out->target = p + t;
    out->target_len = i - t;
    i++;
    /* "HTTP/" DIGIT "." DIGIT, nothing after */
    if (n - i != 8 || p[i] != 'H' || p[i + 1] != 'T' || p[i + 2] != 'T' ||
        p[i + 3] != 'P' || p[i + 4] != '/' || p[i + 6] != '.' || p[i + 5] < '0' || p[i + 5] > '9' ||
        p[i + 7] < '0' || p[i + 7] > '9')
        return HTTP_PARSE_EBAD;
    if (p[i + 5] != '1' || (p[i + 7] != '0' && p[i + 7] != '1'))
        return HTTP_PARSE_EVERSION;
    out->version_minor = p[i + 7] - '0';
    return 0;
}

/* Does the comma-separated list v contain the token lit (case-insensitive)? */
static int list_has(const char *v, size_t n, const char *lit) {
    size_t i = 0;
    while (i < n) {
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t s = i;
        while (i < n && v[i] != ',')
            i++;
        size_t e = i;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
        if (e > s && eq_nocase(v + s, e - s, lit))
            return 1;
    }
    return 0;
}

/* Transfer-encoding: only exactly "chunked" (the last and only coding). */
static long apply_te(const http_header *h, http_request_head *out) {
    if (out->chunked || !eq_nocase(h->value, h->value_len, "chunked"))
        return out->chunked ? HTTP_PARSE_EBAD : HTTP_PARSE_ENOT_IMPL;
    out->chunked = 1;
    return 0;
}

static long apply_cl(const http_header *h, const http_limits *lim, http_request_head *out) {
    if (out->content_length >= 0 || h->value_len == 0 || h->value_len > 19)
        return HTTP_PARSE_EBAD;
    uint64_t v = 0;
    for (size_t i = 0; i < h->value_len; i++) {
        char c = h->value[i];
        if (c < '0' || c > '9')
            return HTTP_PARSE_EBAD;
        v = v * 10 + (uint64_t)(c - '0');
    }
    if (v > (uint64_t)INT64_MAX)
        return HTTP_PARSE_EBAD;
    out->content_length = (int64_t)v;
    return v > lim->max_body ? HTTP_PARSE_ETOO_LARGE : 0;
}

static long parse_field(const char *p, size_t n, http_header *h) {
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)p[i]))
        i++;
    if (i == 0 || i >= n || p[i] != ':')
        return HTTP_PARSE_EBAD; /* also: whitespace before the colon, obs-fold */
    h->name = p;
    h->name_len = i;
    i++;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    size_t e = n;
    while (e > i && (p[e - 1] == ' ' || p[e - 1] == '\t'))
        e--;
    for (size_t k = i; k < e; k++)
        if (!is_vchar((unsigned char)p[k]))
            return HTTP_PARSE_EBAD;
    h->value = p + i;
    h->value_len = e - i;
    return 0;
}

static long apply_field(const http_header *h, const http_limits *lim,
                        http_request_head *out, int *conn_close, int *conn_keep) {
    if (http_name_is(h, "content-length"))
        return apply_cl(h, lim, out);
    if (http_name_is(h, "transfer-encoding"))
        return apply_te(h, out);
    if (http_name_is(h, "connection")) {
        *conn_close |= list_has(h->value, h->value_len, "close");
        *conn_keep |= list_has(h->value, h->value_len, "keep-alive");
    } else if (http_name_is(h, "expect")) {
        out->expect_continue = eq_nocase(h->value, h->value_len, "100-continue");
    }
    return 0;
}

long http_parse_request_head(const char *buf, size_t len,
                             const http_limits *lim, http_request_head *out) {
    size_t start = 0;
    size_t scan = len > lim->max_head ? lim->max_head : len;
    long end = find_head_end(buf, scan, &start);
    if (end < 0)
        return HTTP_PARSE_EBAD;
    if (end == 0)
        return len >= lim->max_head ? HTTP_PARSE_EHEADERS : 0;
    out->num_headers = 0;
    out->content_length = -1;
    out->chunked = 0;
    out->expect_continue = 0;
    const char *p = buf + start, *stop = buf + end, *next;
    size_t n = line_len(p, stop, &next);
    long r = parse_request_line(p, n, lim, out);
    if (r < 0)
        return r;
    int conn_close = 0, conn_keep = 0;
    for (p = next; p < stop; p = next) {
        n = line_len(p, stop, &next);
        if (n == 0)
            break;
        if (out->num_headers >= out->max_headers)
            return HTTP_PARSE_EHEADERS;
        http_header *h = &out->headers[out->num_headers];
        if ((r = parse_field(p, n, h)) < 0 ||
            (r = apply_field(h, lim, out, &conn_close, &conn_keep)) < 0)
            return r;
        out->num_headers++;
    }
    if (out->chunked && out->content_length >= 0)
        return HTTP_PARSE_EBAD;
    if (out->chunked && out->version_minor == 0)
        return HTTP_PARSE_EBAD;
    out->keep_alive = out->version_minor == 1 ? !conn_close : (conn_keep && !conn_close);
    return end;
}

long http_parse_chunk_size(const char *buf, size_t len, uint64_t *size) {
    uint64_t v = 0;
    size_t i = 0, lim = len < 1024 ? len : 1024;
    for (; i < lim; i++) {
        char c = buf[i];
        int d = (c >= '0' && c <= '9') ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        if (d < 0)
            break;
        if (v >> 56) /* v * 16 + d would pass 2^60, the documented bound */
            return HTTP_PARSE_EBAD;
        v = v * 16 + (uint64_t)d;
    }
    if (i == lim)
        return len >= 1024 ? HTTP_PARSE_EBAD : 0;
    if (i == 0)
        return HTTP_PARSE_EBAD;
    /* chunk extensions are ignored, but must hold no CTL except HTAB */
    if (buf[i] != ';' && buf[i] != '\r' && buf[i] != '\n' && buf[i] != ' ' && buf[i] != '\t')
        return HTTP_PARSE_EBAD;
    for (; i < lim; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == '\n' || c == '\r')
            break;
        if (c < 0x20 && c != '\t')
            return HTTP_PARSE_EBAD;
    }
    if (i == lim)
        return len >= 1024 ? HTTP_PARSE_EBAD : 0;
    if (buf[i] == '\r') {
        if (i + 1 >= len)
            return i + 1 >= 1024 ? HTTP_PARSE_EBAD : 0;
        if (buf[i + 1] != '\n')
            return HTTP_PARSE_EBAD;
        i++;
    }
    *size = v;
    return (long)(i + 1);
}
