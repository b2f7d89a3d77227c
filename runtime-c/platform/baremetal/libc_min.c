/*
 * The four functions a C compiler may emit calls to even with
 * -ffreestanding (struct copies, large zero-initializations): memcpy,
 * memmove, memset, memcmp.  Defined WEAK so that an embedder linking newlib,
 * picolibc or its own optimized versions silently wins; on a bare image with
 * no C library these keep the link working.  (GCC and clang both document
 * that freestanding environments must provide these four.)
 *
 * Each is a plain loop; -ffreestanding (no-builtins) stops the compiler from
 * recognizing the loop as memset/memcpy and calling itself.
 */
#include <stddef.h>

#if defined(__GNUC__) || defined(__clang__)
#define WEAK __attribute__((weak))
#else
#define WEAK
#endif

WEAK void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
    unsigned char *d = (unsigned char *)dst;
    const unsigned char *s = (const unsigned char *)src;
    for (size_t i = 0; i < n; i++) d[i] = s[i];
    return dst;
}

WEAK void *memmove(void *dst, const void *src, size_t n) {
    unsigned char *d = (unsigned char *)dst;
    const unsigned char *s = (const unsigned char *)src;
    if (d < s) {
        for (size_t i = 0; i < n; i++) d[i] = s[i];
    } else if (d > s) {
        for (size_t i = n; i-- > 0;) d[i] = s[i];
    }
    return dst;
}

WEAK void *memset(void *dst, int c, size_t n) {
    unsigned char *d = (unsigned char *)dst;
    for (size_t i = 0; i < n; i++) d[i] = (unsigned char)c;
    return dst;
}

WEAK int memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i]) return (int)x[i] - (int)y[i];
    return 0;
}
