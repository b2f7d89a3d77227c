/* A coverage-guided mutation fuzzer for the HTTP/1.x request-head and
 * chunk-size parser (wasi-shim/http/http_parse.h), driven by run.py.
 *
 *   http_fuzz CORPUS_DIR SECONDS SEED CRASH_DIR      fuzz; one JSON line of counts
 *   http_fuzz --selftest CRASH_DIR                   read one byte past an input
 *
 * The parser is compiled with -fsanitize-coverage=trace-pc-guard (its
 * edges guide the corpus: an input reaching a new edge joins it) and with
 * UBSan in trap mode; this file without coverage.  Every input is placed
 * against a PROT_NONE guard page, after its end or (every other input)
 * before its start, so a read outside buf[0..len-1] faults.  A fault, a
 * trap or a broken invariant saves the input to CRASH_DIR and exits 2; an
 * input that takes more than 2 s (a watchdog alarm sees no progress) is a
 * hang: saved, exit 3.
 *
 * Invariants checked on every input (http_parse.h promises them): the
 * result is <= len and, if > 0, the bytes consumed end with an empty line
 * (LF, then LF or CRLF: a bare LF ends a line too); header, method and target pointers lie inside the consumed
 * bytes; num_headers <= max_headers; a second call gives the same result;
 * a shorter prefix of a complete head is never complete and never an error
 * (the server parses as bytes arrive); the chunk-size parser consumes <=
 * len and a size <= 2^60.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "http_parse.h"

#define FUZZ_MAX 16384
#define MAX_CORPUS 8192
#define PAGE 4096
#define MAP_BYTES (FUZZ_MAX + 3 * PAGE)

/* ------------------------------------------------------------- coverage */

static uint8_t *seen;          /* per edge: reached by some input before */
static volatile int new_edge;
static uint32_t n_edges, n_seen;

void __sanitizer_cov_trace_pc_guard_init(uint32_t *start, uint32_t *stop) {
    if (start == stop || *start) return;
    for (uint32_t *g = start; g < stop; g++) *g = ++n_edges;
    seen = calloc(n_edges + 1, 1);
}

void __sanitizer_cov_trace_pc_guard(uint32_t *guard) {
    if (!seen[*guard]) {
        seen[*guard] = 1;
        n_seen++;
        new_edge = 1;
    }
}

/* -------------------------------------------------------- crash records */

static const char *crash_dir;
static const uint8_t *cur;     /* the input under test, for the handlers */
static size_t cur_len;
static volatile unsigned long progress;

static void save(const char *kind) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s-%d-%lu", crash_dir, kind, (int)getpid(), progress);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        if (cur_len && write(fd, cur, cur_len) < 0) { /* the exit status still reports it */ }
        close(fd);
    }
}

static void on_fault(int sig) {
    save("crash");
    char msg[64];
    int n = snprintf(msg, sizeof msg, "http_fuzz: signal %d\n", sig);
    if (write(2, msg, (size_t)n) < 0) { /* exiting anyway */ }
    _exit(2);
}

static void on_alarm(int sig) {
    static unsigned long last = (unsigned long)-1;
    static int stuck;
    (void)sig;
    if (progress != last) { last = progress; stuck = 0; return; }
    if (++stuck >= 2) {
        save("hang");
        _exit(3);
    }
}

static void fail(const char *what) {
    fprintf(stderr, "http_fuzz: invariant broken: %s\n", what);
    save("crash");
    _exit(2);
}

/* ---------------------------------------------------------- the checks */

static uint8_t *area;          /* PAGE guard | FUZZ_MAX + PAGE | PAGE guard */

/* buf placed so that buf + len (end) or buf - 1 (start) is a guard page. */
static const char *place(const uint8_t *data, size_t len, int at_end) {
    uint8_t *end_guard = area + MAP_BYTES - PAGE;
    uint8_t *buf = at_end ? end_guard - len : area + PAGE;
    memcpy(buf, data, len);
    return (const char *)buf;
}

static int inside(const char *p, size_t n, const char *buf, long used) {
    return p >= buf && p + n <= buf + used;
}

static uint64_t rng_state;
static uint64_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static long parse(const char *buf, size_t len, size_t max_headers, http_request_head *h,
                  http_header *storage) {
    static const http_limits lim = {8192, 2048, 1u << 20};
    memset(h, 0, sizeof *h);
    h->headers = storage;
    h->max_headers = max_headers;
    return http_parse_request_head(buf, len, &lim, h);
}

static void check_head(const uint8_t *data, size_t len, int at_end) {
    static http_header storage[64], storage2[64];
    static const size_t caps[] = {0, 1, 4, 64};
    size_t max_headers = caps[rnd() % 4];
    const char *buf = place(data, len, at_end);
    http_request_head h, h2;
    long r = parse(buf, len, max_headers, &h, storage);
    if (r > (long)len) fail("consumed more than len");
    if (r < 0 && r != HTTP_PARSE_EBAD && r != HTTP_PARSE_ETOO_LARGE && r != HTTP_PARSE_EURI_LONG &&
        r != HTTP_PARSE_EHEADERS && r != HTTP_PARSE_ENOT_IMPL && r != HTTP_PARSE_EVERSION)
        fail("unknown error code");
    if (r > 0) {
        if (!(r >= 2 && buf[r - 1] == '\n' && (buf[r - 2] == '\n' || (r >= 3 && buf[r - 2] == '\r' && buf[r - 3] == '\n'))))
            fail("the head does not end with an empty line");
        if (h.num_headers > max_headers) fail("more headers than room");
        if (!inside(h.method, h.method_len, buf, r) || !inside(h.target, h.target_len, buf, r))
            fail("method or target outside the head");
        for (size_t i = 0; i < h.num_headers; i++)
            if (!inside(h.headers[i].name, h.headers[i].name_len, buf, r) ||
                !inside(h.headers[i].value, h.headers[i].value_len, buf, r))
                fail("header outside the head");
        if (h.version_minor != 0 && h.version_minor != 1) fail("version");
        if (h.content_length < -1) fail("content length below -1");
        /* A prefix of a complete head is incomplete, never an error. */
        size_t cut = (size_t)(rnd() % (uint64_t)r);
        long rp = parse(place(data, cut, at_end), cut, max_headers, &h2, storage2);
        if (rp != 0) fail("a prefix of a complete head is not 'need more'");
        buf = place(data, len, at_end);
    }
    if (parse(buf, len, max_headers, &h2, storage2) != r) fail("not deterministic");
}

static void check_chunk(const uint8_t *data, size_t len, int at_end) {
    uint64_t size = 0;
    long r = http_parse_chunk_size(place(data, len, at_end), len, &size);
    if (r > (long)len) fail("chunk: consumed more than len");
    if (r > 0 && size > (1ull << 60)) fail("chunk: size above 2^60");
    if (r < 0 && r != HTTP_PARSE_EBAD) fail("chunk: unknown error code");
}

/* ------------------------------------------------------------ mutation */

typedef struct { uint8_t *data; size_t len; } input_t;
static input_t corpus[MAX_CORPUS];
static size_t n_corpus;

static const char *const DICT[] = {
    "\r\n", "\r\n\r\n", "\n", "\r", ": ", ":", " ", "\t", "GET ", "POST ", "HEAD ", " HTTP/1.1", " HTTP/1.0",
    "HTTP/", "Host: ", "Content-Length: ", "Transfer-Encoding: chunked", "Transfer-Encoding: ", "chunked",
    "Connection: close", "Connection: keep-alive", "Expect: 100-continue", "0", "18446744073709551616",
    "9999999999999999999", "-1", "ffffffffffffffff", ";ext=1", "0\r\n\r\n", "\x00", "\x7f", "\xff", "/", "?",
    "%00", ",", "identity", "gzip, chunked", "keep-alive, close",
};
#define N_DICT (sizeof DICT / sizeof DICT[0])

static void add_corpus(const uint8_t *data, size_t len) {
    if (n_corpus == MAX_CORPUS) return;
    corpus[n_corpus].data = malloc(len ? len : 1);
    memcpy(corpus[n_corpus].data, data, len);
    corpus[n_corpus++].len = len;
}

static size_t insert(uint8_t *b, size_t len, size_t at, const void *src, size_t n) {
    if (len + n > FUZZ_MAX) n = FUZZ_MAX - len;
    memmove(b + at + n, b + at, len - at);
    memcpy(b + at, src, n);
    return len + n;
}

static size_t mutate(uint8_t *b, size_t len) {
    int steps = 1 + (int)(rnd() % 6);
    for (int s = 0; s < steps; s++) {
        size_t at = len ? (size_t)(rnd() % (len + 1)) : 0;
        switch (rnd() % 9) {
        case 0: if (len) b[rnd() % len] ^= (uint8_t)(1u << (rnd() % 8)); break;
        case 1: if (len) b[rnd() % len] = (uint8_t)rnd(); break;
        case 2: { uint8_t c = (uint8_t)rnd(); len = insert(b, len, at, &c, 1); break; }
        case 3: if (at < len) { size_t n = 1 + rnd() % (len - at); memmove(b + at, b + at + n, len - at - n); len -= n; } break;
        case 4: case 5: { const char *t = DICT[rnd() % N_DICT]; len = insert(b, len, at, t, strlen(t)); break; }
        case 6: if (at < len) { size_t n = 1 + rnd() % (len - at); uint8_t tmp[FUZZ_MAX]; memcpy(tmp, b + at, n); len = insert(b, len, at, tmp, n); } break;
        case 7: { input_t *o = &corpus[rnd() % n_corpus]; if (o->len) { size_t from = rnd() % o->len, n = 1 + rnd() % (o->len - from); len = insert(b, len, at, o->data + from, n); } break; }
        case 8: { /* a long run of one byte: limits and linear time */
            uint8_t run[4096]; size_t n = 1 + rnd() % sizeof run; memset(run, b[at < len ? at : 0], n); len = insert(b, len, at, run, n); break; }
        }
    }
    return len;
}

static void load_corpus(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) { perror(dir); exit(1); }
    struct dirent *e;
    static uint8_t buf[FUZZ_MAX];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f) continue;
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        add_corpus(buf, n);
    }
    closedir(d);
    if (!n_corpus) { fprintf(stderr, "http_fuzz: empty corpus %s\n", dir); exit(1); }
}

static void setup(const char *crashes) {
    crash_dir = crashes;
    area = mmap(NULL, MAP_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED) { perror("mmap"); exit(1); }
    mprotect(area, PAGE, PROT_NONE);
    mprotect(area + MAP_BYTES - PAGE, PAGE, PROT_NONE);
    int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) signal(sigs[i], on_fault);
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "--selftest")) {
        setup(argv[2]);
        static const uint8_t in[] = "GET / HTTP/1.1\r\n";
        cur = in;
        cur_len = sizeof in - 1;
        volatile const char *buf = place(in, cur_len, 1);
        return buf[cur_len]; /* one past the end: the guard page faults */
    }
    if (argc != 5) {
        fprintf(stderr, "usage: http_fuzz CORPUS_DIR SECONDS SEED CRASH_DIR | --selftest CRASH_DIR\n");
        return 1;
    }
    setup(argv[4]);
    load_corpus(argv[1]);
    double seconds = atof(argv[2]);
    rng_state = strtoull(argv[3], NULL, 10) * 0x9E3779B97F4A7C15ull | 1;
    signal(SIGALRM, on_alarm);
    struct itimerval tick = {{1, 0}, {1, 0}};
    setitimer(ITIMER_REAL, &tick, NULL);
    size_t seeds = n_corpus;
    static uint8_t b[FUZZ_MAX];
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (unsigned long i = 0;; i++) {
        if ((i & 1023) == 0) {
            clock_gettime(CLOCK_MONOTONIC, &t);
            if ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) * 1e-9 >= seconds) break;
        }
        input_t *base = &corpus[i < seeds ? i : rnd() % n_corpus];
        memcpy(b, base->data, base->len);
        size_t len = i < seeds ? base->len : mutate(b, base->len);
        cur = b;
        cur_len = len;
        new_edge = 0;
        check_head(b, len, (int)(i & 1));
        check_chunk(b, len, (int)(i & 1));
        if (new_edge) add_corpus(b, len);
        progress++;
    }
    printf("{\"inputs\": %lu, \"seeds\": %zu, \"corpus\": %zu, \"edges\": %u, \"edges_seen\": %u, "
           "\"crashes\": 0, \"hangs\": 0}\n", progress, seeds, n_corpus, n_edges, n_seen);
    return 0;
}
