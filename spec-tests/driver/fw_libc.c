/*
 * The C library subset the spec driver (spectest_driver.c, spectest_host.c,
 * runtime-c/host/host_link.c) needs, for running it as a firmware image
 * (spec-tests/firmware.py): there is no C library on a bare-metal image.
 * Declarations are in fwlibc/ (found before any system header: -I first).
 *
 *  - A heap (malloc/free/realloc) over the RAM region the linker script
 *    reserves as [__wasmaot_memory_start, __wasmaot_memory_end): the
 *    driver's strings and instances, and (fw_spec_main.c) every linear
 *    memory and table of the script's modules.  First fit over the blocks
 *    in address order, neighbouring free blocks merged, so a script's many
 *    short-lived strings do not fragment the region.
 *  - printf and friends: formatted into a buffer, written with one
 *    semihosting call per printf.  Integers are exact; %e/%g only appear
 *    in failure messages next to the exact hex bits, and are approximate.
 *  - exit: semihosting exit with the status.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmaot_semihost.h"

int errno;

/* ------------------------------------------------------------------ heap */

extern uint8_t __wasmaot_memory_start[], __wasmaot_memory_end[];

/* Every block starts with a header; payloads are 16-byte aligned and their
 * sizes multiples of 16.  Blocks tile [heap start, top): the next block's
 * header follows the payload.  Invariant: no two free blocks are adjacent
 * once free() or a scan has merged them. */
typedef struct block {
    size_t size;    /* payload bytes */
    size_t used;
    size_t pad[2];  /* header = 16 bytes, keeps payloads 16-aligned */
} block;

static uint8_t *top;   /* end of the last block (NULL: heap empty) */

static uint8_t *heap_start(void) {
    return (uint8_t *)(((uintptr_t)__wasmaot_memory_start + 15u) & ~(uintptr_t)15u);
}

static block *next_of(block *b) { return (block *)((uint8_t *)(b + 1) + b->size); }

static size_t round16(size_t n) { return (n + 15u) & ~(size_t)15u; }

/* Merge the free blocks after `b` into it (b free). */
static void merge_next(block *b) {
    for (block *n = next_of(b); (uint8_t *)n < top && !n->used; n = next_of(b))
        b->size += sizeof(block) + n->size;
}

/* Split `b` to `n` bytes if the rest can hold a block. */
static void split(block *b, size_t n) {
    if (b->size >= n + sizeof(block) + 16) {
        block *rest = (block *)((uint8_t *)(b + 1) + n);
        rest->size = b->size - n - sizeof(block);
        rest->used = 0;
        b->size = n;
    }
}

void *malloc(size_t n) {
    if (!top) top = heap_start();
    n = round16(n ? n : 1);
    for (block *b = (block *)heap_start(); (uint8_t *)b < top; b = next_of(b)) {
        if (b->used) continue;
        merge_next(b);
        if (b->size >= n) {
            split(b, n);
            b->used = 1;
            return b + 1;
        }
    }
    if ((size_t)(__wasmaot_memory_end - top) < sizeof(block) + n) return NULL;
    block *b = (block *)top;
    b->size = n;
    b->used = 1;
    top = (uint8_t *)next_of(b);
    return b + 1;
}

void free(void *p) {
    if (!p) return;
    block *b = (block *)p - 1;
    b->used = 0;
    merge_next(b);
    if ((uint8_t *)next_of(b) == top) top = (uint8_t *)b;   /* give the tail back */
}

void *calloc(size_t n, size_t size) {
    if (size && n > SIZE_MAX / size) return NULL;
    void *p = malloc(n * size);
    if (p) memset(p, 0, n * size);
    return p;
}

void *aligned_alloc(size_t align, size_t n) {
    return align <= 16 ? malloc(n) : NULL;   /* every payload is 16-aligned */
}

void *realloc(void *p, size_t n) {
    if (!p) return malloc(n);
    block *b = (block *)p - 1;
    n = round16(n ? n : 1);
    if (n <= b->size) return p;
    if ((uint8_t *)next_of(b) == top) {                  /* the last block: grow in place */
        if ((size_t)(__wasmaot_memory_end - (uint8_t *)(b + 1)) < n) return NULL;
        b->size = n;
        top = (uint8_t *)next_of(b);
        return p;
    }
    b->used = 0;                                          /* free neighbours after it? */
    merge_next(b);
    b->used = 1;
    if (b->size >= n) {
        split(b, n);
        return p;
    }
    if ((uint8_t *)next_of(b) == top) return realloc(p, n);
    void *q = malloc(n);
    if (q) {
        memcpy(q, p, b->size);
        free(p);
    }
    return q;
}

/* ---------------------------------------------------------------- string */

size_t strlen(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

int strncmp(const char *a, const char *b, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x != y || !x) return (int)x - (int)y;
    }
    return 0;
}

int strcmp(const char *a, const char *b) { return strncmp(a, b, SIZE_MAX); }

char *strstr(const char *hay, const char *needle) {
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncmp(hay, needle, n) == 0) return (char *)hay;
    return n ? NULL : (char *)hay;
}

int atoi(const char *s) {
    int neg = 0, v = 0;
    if (*s == '+' || *s == '-') neg = *s++ == '-';
    while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
    return neg ? -v : v;
}

/* Decimal [-]d[.d][e[+-]d] only (approximate: float text in messages). */
double strtod(const char *s, char **end) {
    const char *p = s;
    int neg = 0;
    if (*p == '+' || *p == '-') neg = *p++ == '-';
    double v = 0, scale = 1;
    while (*p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++) v += (*p - '0') * (scale /= 10);
    if (*p == 'e' || *p == 'E') {
        int e = atoi(p + 1);
        p++;
        if (*p == '+' || *p == '-') p++;
        while (*p >= '0' && *p <= '9') p++;
        for (; e > 0; e--) v *= 10;
        for (; e < 0; e++) v /= 10;
    }
    if (end) *end = (char *)p;
    return neg ? -v : v;
}

float strtof(const char *s, char **end) { return (float)strtod(s, end); }

/* ------------------------------------------------------------------ exit */

void exit(int status) { wasmaot_semihost_exit(status); }

void abort(void) { wasmaot_semihost_exit(134); }

/* ---------------------------------------------------------------- printf */

struct fw_file { int stream; };
static const struct fw_file out_file = {1}, err_file = {2};
FILE *const stdout = (FILE *)&out_file;
FILE *const stderr = (FILE *)&err_file;

int fflush(FILE *f) { (void)f; return 0; }               /* nothing is buffered */
int setvbuf(FILE *f, char *buf, int mode, size_t size) { (void)f; (void)buf; (void)mode; (void)size; return 0; }

typedef struct sink {
    char *buf;
    size_t cap, len;   /* len counts every byte, stored or not */
} sink;

static void put(sink *s, char c) {
    if (s->len + 1 < s->cap) s->buf[s->len] = c;
    s->len++;
}

static void put_str(sink *s, const char *p, size_t max) {
    for (size_t i = 0; i < max && p[i]; i++) put(s, p[i]);
}

/* An unsigned number in `base`, at least `width` wide (padded with `pad`). */
static void put_uint(sink *s, unsigned long long v, unsigned base, int width, char pad, int neg) {
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (neg && pad == '0') put(s, '-');
    for (int w = n + neg; w < width; w++) put(s, pad);
    if (neg && pad != '0') put(s, '-');
    while (n) put(s, tmp[--n]);
}

/* %e with `prec` digits after the point (approximate: scaling in double). */
static void put_exp(sink *s, double v, int prec) {
    if (v != v) { put_str(s, "nan", 3); return; }
    if (v < 0 || (v == 0 && 1 / v < 0)) { put(s, '-'); v = -v; }
    if (v == v + v && v != 0) { put_str(s, "inf", 3); return; }
    int e = 0;
    if (v != 0) {
        while (v >= 10) { v /= 10; e++; }
        while (v < 1) { v *= 10; e--; }
    }
    for (int i = 0; i <= prec; i++) {
        int d = (int)v;
        if (d > 9) d = 9;
        put(s, (char)('0' + d));
        if (i == 0 && prec > 0) put(s, '.');
        v = (v - d) * 10;
    }
    put(s, 'e');
    put(s, e < 0 ? '-' : '+');
    put_uint(s, (unsigned long long)(e < 0 ? -e : e), 10, 2, '0', 0);
}

int vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap) {
    sink s = {buf, cap, 0};
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') { put(&s, *f); continue; }
        f++;
        char pad = ' ';
        if (*f == '0') { pad = '0'; f++; }
        int width = 0, prec = -1, longs = 0;
        while (*f >= '0' && *f <= '9') width = width * 10 + (*f++ - '0');
        if (*f == '.') {
            f++;
            if (*f == '*') { prec = va_arg(ap, int); f++; }
            else for (prec = 0; *f >= '0' && *f <= '9'; f++) prec = prec * 10 + (*f - '0');
        }
        while (*f == 'l') { longs++; f++; }
        if (*f == 'z') { f++; }
        switch (*f) {
        case 'd': {
            long long v = longs >= 2 ? va_arg(ap, long long) : longs ? va_arg(ap, long) : va_arg(ap, int);
            put_uint(&s, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v, 10, width, pad, v < 0);
            break;
        }
        case 'u':
        case 'x': {
            unsigned long long v = longs >= 2 ? va_arg(ap, unsigned long long)
                                 : longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
            put_uint(&s, v, *f == 'x' ? 16 : 10, width, pad, 0);
            break;
        }
        case 's': put_str(&s, va_arg(ap, const char *), prec < 0 ? SIZE_MAX : (size_t)prec); break;
        case 'c': put(&s, (char)va_arg(ap, int)); break;
        case 'e':
        case 'g': put_exp(&s, va_arg(ap, double), prec < 0 ? 6 : prec); break;
        case '%': put(&s, '%'); break;
        default: put_str(&s, "<?>", 3); break;
        }
    }
    if (cap) buf[s.len < cap ? s.len : cap - 1] = '\0';
    return (int)s.len;
}

int snprintf(char *buf, size_t n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}

static int vfprintf_(int stream, const char *fmt, va_list ap) {
    char buf[1200];
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1;
    wasmaot_semihost_write(stream, buf, len);
    return n;
}

int printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = vfprintf_(1, fmt, ap);
    va_end(ap);
    return r;
}

int fprintf(FILE *f, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = vfprintf_(f->stream, fmt, ap);
    va_end(ap);
    return r;
}
