/* The C wasi:http proxy the HTTP tests serve (tests/http/): one handler,
 * routes by path.  Same routes as the JavaScript and Python proxies where
 * those can express them (../js/hello.js, ../py/app.py):
 *
 *   GET  /            200 "hello from C\n", content-type and x-hello headers
 *   POST /echo        200, the request body (content-length or chunked)
 *   GET  /headers     200, the request's x-echo values, joined, in x-echo
 *   GET  /stream      200, five chunks, each written and flushed alone
 *   GET  /trailers    200, chunked, with the trailer x-checksum: 42
 *   GET  /big?N       200, N KiB of 'x' (N < 100000), in 4 KiB writes
 *   GET  /trap        traps (unreachable)
 *   GET  /hang        never returns (for the handler timeout)
 *   GET  /noresponse  returns without setting the response
 *   anything else     404 "not found\n"
 */
#include <stdlib.h>
#include <string.h>

#include "http_abi.h"

/* The canonical ABI allocates returned strings and lists through this. */
__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size) {
    (void)old_size;
    (void)align; /* malloc's 16-byte alignment covers every WIT type */
    return new_size ? realloc(ptr, new_size) : ptr;
}

typedef struct { uint8_t *data; size_t len, cap; } buf_t;

static void buf_add(buf_t *b, const void *data, size_t len) {
    if (b->len + len > b->cap) {
        b->cap = (b->len + len) * 2;
        b->data = realloc(b->data, b->cap);
        if (!b->data) __builtin_trap();
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
}

static void header(handle_t fields, const char *name, const char *value, size_t len) {
    uint8_t ret[8];
    fields_append(fields, name, strlen(name), (const uint8_t *)value, len, ret);
    if (ret[0]) __builtin_trap();
}

static void header_str(handle_t fields, const char *name, const char *value) {
    header(fields, name, value, strlen(value));
}

static void header_len(handle_t fields, size_t n) {
    char digits[24];
    int i = sizeof digits;
    do { digits[--i] = (char)('0' + n % 10); n /= 10; } while (n);
    header(fields, "content-length", digits + i, sizeof digits - i);
}

/* The body's whole bytes (content-length or chunked: the host decodes). */
static buf_t read_body(handle_t request) {
    buf_t b = {0};
    uint32_t ret[4];
    request_consume(request, ret);
    if ((uint8_t)ret[0]) __builtin_trap();
    handle_t body = (handle_t)ret[1];
    incoming_body_stream(body, ret);
    if ((uint8_t)ret[0]) __builtin_trap();
    handle_t in = (handle_t)ret[1];
    for (;;) {
        input_blocking_read(in, 65536, ret);
        if ((uint8_t)ret[0]) {
            if ((uint8_t)ret[1] != 1) __builtin_trap(); /* failed, not closed */
            break;
        }
        buf_add(&b, (void *)(uintptr_t)ret[1], ret[2]);
        free((void *)(uintptr_t)ret[1]);
    }
    input_drop(in);
    incoming_body_drop(body);
    return b;
}

/* A response whose body writes are flushed one by one: a stream. */
typedef struct { handle_t body, out; } stream_t;

static stream_t respond(handle_t outparam, int status, handle_t headers) {
    handle_t response = response_new(headers);
    if (response_set_status(response, status)) __builtin_trap();
    uint32_t ret[4];
    response_body(response, ret);
    if ((uint8_t)ret[0]) __builtin_trap();
    stream_t s = {(handle_t)ret[1], 0};
    outgoing_body_write(s.body, ret);
    if ((uint8_t)ret[0]) __builtin_trap();
    s.out = (handle_t)ret[1];
    outparam_set(outparam, 0, response, 0, 0, 0, 0, 0, 0);
    return s;
}

static void write_all(stream_t *s, const void *data, size_t len) {
    const uint8_t *p = data;
    while (len) {
        size_t n = len < 4096 ? len : 4096;
        uint32_t ret[4];
        output_write_flush(s->out, p, n, ret);
        if ((uint8_t)ret[0]) return; /* the client went away: stop writing */
        p += n;
        len -= n;
    }
}

/* trailers: a fields handle, or 0 for none. */
static void finish_with(stream_t *s, handle_t trailers) {
    uint64_t ret[8];
    output_drop(s->out); /* the stream is a child of the body: dropped first */
    outgoing_body_finish(s->body, trailers != 0, trailers, ret);
}

static void finish(stream_t *s) { finish_with(s, 0); }

static void respond_text(handle_t outparam, int status, const char *text, handle_t headers) {
    header_str(headers, "content-type", "text/plain; charset=utf-8");
    header_len(headers, strlen(text));
    stream_t s = respond(outparam, status, headers);
    write_all(&s, text, strlen(text));
    finish(&s);
}

static int is(const char *path, size_t len, const char *want) {
    return len == strlen(want) && memcmp(path, want, len) == 0;
}

static void echo_headers(handle_t request, handle_t outparam) {
    handle_t in = request_headers(request);
    uint32_t ret[2];
    fields_get(in, "x-echo", 6, ret);
    const uint32_t *values = (const uint32_t *)(uintptr_t)ret[0];
    buf_t joined = {0};
    for (uint32_t i = 0; i < ret[1]; i++) {
        if (i) buf_add(&joined, ", ", 2);
        buf_add(&joined, (void *)(uintptr_t)values[2 * i], values[2 * i + 1]);
    }
    fields_drop(in);
    handle_t out = fields_new();
    header(out, "x-echo", (const char *)joined.data, joined.len);
    char text[64] = "x-echo values: ";
    size_t n = strlen(text);
    text[n++] = (char)('0' + (ret[1] > 9 ? 9 : ret[1]));
    text[n++] = '\n';
    text[n] = 0;
    respond_text(outparam, 200, text, out);
}

static void big(handle_t outparam, const char *query, size_t len) {
    size_t kib = 0;
    for (size_t i = 0; i < len && i < 5; i++) kib = kib * 10 + (size_t)(query[i] - '0');
    static uint8_t block[1024];
    memset(block, 'x', sizeof block);
    handle_t headers = fields_new();
    header_len(headers, kib * 1024);
    stream_t s = respond(outparam, 200, headers);
    for (size_t i = 0; i < kib; i++) write_all(&s, block, sizeof block);
    finish(&s);
}

__attribute__((export_name("wasi:http/incoming-handler@0.2.12#handle")))
void handle(handle_t request, handle_t outparam) {
    uint32_t ret[4];
    request_method(request, ret);
    int method = (uint8_t)ret[0];
    request_path(request, ret);
    const char *path = (uint8_t)ret[0] ? (const char *)(uintptr_t)ret[1] : "/";
    size_t path_len = (uint8_t)ret[0] ? ret[2] : 1;
    const char *query = memchr(path, '?', path_len);
    size_t route_len = query ? (size_t)(query - path) : path_len;

    if (method == METHOD_GET && is(path, route_len, "/")) {
        handle_t headers = fields_new();
        header_str(headers, "x-hello", "c");
        respond_text(outparam, 200, "hello from C\n", headers);
    } else if (method == METHOD_POST && is(path, route_len, "/echo")) {
        buf_t body = read_body(request);
        handle_t headers = fields_new();
        header_str(headers, "content-type", "application/octet-stream");
        header_len(headers, body.len);
        stream_t s = respond(outparam, 200, headers);
        write_all(&s, body.data, body.len);
        finish(&s);
    } else if (is(path, route_len, "/headers")) {
        echo_headers(request, outparam);
    } else if (is(path, route_len, "/stream")) {
        handle_t headers = fields_new();
        header_str(headers, "content-type", "text/plain; charset=utf-8");
        stream_t s = respond(outparam, 200, headers);
        for (int i = 0; i < 5; i++) {
            char line[] = "chunk 0\n";
            line[6] = (char)('0' + i);
            write_all(&s, line, sizeof line - 1);
        }
        finish(&s);
    } else if (is(path, route_len, "/trailers")) {
        handle_t headers = fields_new();
        header_str(headers, "content-type", "text/plain; charset=utf-8");
        header_str(headers, "trailer", "x-checksum");
        stream_t s = respond(outparam, 200, headers);
        write_all(&s, "with trailers\n", 14);
        handle_t trailers = fields_new();
        header_str(trailers, "x-checksum", "42");
        finish_with(&s, trailers);
    } else if (is(path, route_len, "/big")) {
        big(outparam, query ? query + 1 : "", query ? path_len - route_len - 1 : 0);
    } else if (is(path, route_len, "/trap")) {
        __builtin_trap();
    } else if (is(path, route_len, "/hang")) {
        for (volatile int spin = 0;; spin++) {
        }
    } else if (is(path, route_len, "/noresponse")) {
        /* the outparam is dropped unset */
    } else {
        respond_text(outparam, 404, "not found\n", fields_new());
    }
    request_drop(request);
}
