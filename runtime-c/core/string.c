/*
 * Byte routines used by the core.  Hosted builds forward to the C library
 * (its memmove/memset are vectorized and far faster than anything here);
 * freestanding builds (-ffreestanding => __STDC_HOSTED__ == 0) use plain
 * loops so the core has no external dependency.  Trade-off: the freestanding
 * loops are byte-at-a-time; memory.copy/fill on a microcontroller are rare
 * and small enough that simplicity wins.  With -ffreestanding clang does not
 * turn these loops back into memset/memmove calls (no-builtins).
 */
#include "wasmaot_platform.h"

#if defined(__STDC_HOSTED__) && __STDC_HOSTED__

void wasmaot_rt_memmove(void *dst, const void *src, size_t n) {
    if (n) __builtin_memmove(dst, src, n);
}

void wasmaot_rt_memset(void *dst, int c, size_t n) {
    if (n) __builtin_memset(dst, c, n);
}

#else

void wasmaot_rt_memmove(void *dst, const void *src, size_t n) {
    unsigned char *d = (unsigned char *)dst;
    const unsigned char *s = (const unsigned char *)src;
    if (d == s || n == 0) return;
    if ((uintptr_t)d < (uintptr_t)s) {
        for (size_t i = 0; i < n; i++) d[i] = s[i];
    } else {
        /* overlapping with dst above src: copy backwards */
        for (size_t i = n; i-- > 0;) d[i] = s[i];
    }
}

void wasmaot_rt_memset(void *dst, int c, size_t n) {
    unsigned char *d = (unsigned char *)dst;
    while (n && ((uintptr_t)d & 3)) { *d++ = (unsigned char)c; n--; }
    uint32_t w = (unsigned char)c * 0x01010101u;
    for (; n >= 16; n -= 16, d += 16) {
        ((uint32_t *)d)[0] = w; ((uint32_t *)d)[1] = w;
        ((uint32_t *)d)[2] = w; ((uint32_t *)d)[3] = w;
    }
    for (; n; n--) *d++ = (unsigned char)c;
}

#endif

int wasmaot_rt_strcmp(const char *a, const char *b) {
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (int)(unsigned char)*a - (int)(unsigned char)*b;
}
