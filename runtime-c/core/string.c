/*
 * Byte routines used by the core: memory.copy / memory.fill / memory.init
 * and table copies.
 *
 * Hosted builds: inline word copies, not the C library's memmove/memset.
 * Why: what a static wasmaot executable links as memmove is zig's
 * compiler_rt (generic code, ~30 instructions for a 20-byte copy), and a
 * Wasm program built by clang with bulk memory calls memory.copy for every
 * memcpy it does not inline: SQLite's shell does 20 M of them, mostly under
 * 64 bytes (instructions executed, valgrind: runtime memmove 690 M against
 * glibc's 270 M in the native build).  Up to 32 bytes every byte is loaded
 * before any is stored (overlap-safe in both directions, no loop); above,
 * 16-byte moves in the direction the overlap needs, the first (or last) 16
 * bytes loaded before the loop and stored after it.  The 16-byte moves are
 * __builtin_memcpy of a fixed size: clang emits unaligned vector loads and
 * stores, never a call.
 *
 * Freestanding builds (-ffreestanding => __STDC_HOSTED__ == 0) keep plain
 * loops: the core has no external dependency, and memory.copy/fill on a
 * microcontroller are rare and small enough that code size wins.  With
 * -ffreestanding clang does not turn these loops back into memset/memmove
 * calls (no-builtins).
 */
#include "wasmaot_platform.h"

#if defined(__STDC_HOSTED__) && __STDC_HOSTED__

typedef struct { uint64_t lo, hi; } w16;

/* Unaligned loads and stores of a fixed size (one instruction each). */
#define DEFINE_ACCESS(T, name)                                                         \
    static inline T load_##name(const unsigned char *p) { T v; __builtin_memcpy(&v, p, sizeof v); return v; } \
    static inline void store_##name(unsigned char *p, T v) { __builtin_memcpy(p, &v, sizeof v); }
DEFINE_ACCESS(w16, 16)
DEFINE_ACCESS(uint64_t, 8)
DEFINE_ACCESS(uint32_t, 4)
DEFINE_ACCESS(uint16_t, 2)

/* n <= 32: both (possibly overlapping) halves loaded, then stored. */
static inline void move_small(unsigned char *d, const unsigned char *s, size_t n) {
    if (n >= 16) {
        w16 a = load_16(s), b = load_16(s + n - 16);
        store_16(d, a);
        store_16(d + n - 16, b);
    } else if (n >= 8) {
        uint64_t a = load_8(s), b = load_8(s + n - 8);
        store_8(d, a);
        store_8(d + n - 8, b);
    } else if (n >= 4) {
        uint32_t a = load_4(s), b = load_4(s + n - 4);
        store_4(d, a);
        store_4(d + n - 4, b);
    } else if (n >= 2) {
        uint16_t a = load_2(s), b = load_2(s + n - 2);
        store_2(d, a);
        store_2(d + n - 2, b);
    } else if (n) {
        *d = *s;
    }
}

/* no_builtin: clang would turn the loops back into calls to the C
 * library's memmove/memset (loop idiom recognition). */
#define NO_LIBCALLS __attribute__((no_builtin("memcpy", "memmove", "memset", "memcmp", "bcmp")))

NO_LIBCALLS void wasmaot_rt_memmove(void *dst, const void *src, size_t n) {
    unsigned char *d = (unsigned char *)dst;
    const unsigned char *s = (const unsigned char *)src;
    if (n <= 32) {
        move_small(d, s, n);
        return;
    }
    if ((uintptr_t)d - (uintptr_t)s >= n) {
        /* Forward (d below s, or no overlap): the store at d + i reaches
         * only source bytes below s + i + 16, all loaded already. */
        w16 last = load_16(s + n - 16);
        for (size_t i = 0; i < n - 16; i += 16) store_16(d + i, load_16(s + i));
        store_16(d + n - 16, last);
    } else {
        /* Backward (d inside [s, s + n)): the mirror image. */
        w16 first = load_16(s);
        for (size_t k = 0; k < n - 16; k += 16) store_16(d + n - 16 - k, load_16(s + n - 16 - k));
        store_16(d, first);
    }
}

NO_LIBCALLS void wasmaot_rt_memset(void *dst, int c, size_t n) {
    unsigned char *d = (unsigned char *)dst;
    uint64_t w = (uint8_t)c * 0x0101010101010101ull;
    /* The smallest sizes are tested first: a Wasm program's memset calls
     * are mostly under 4 bytes (strings' run-length decoder: 1.42 M fills,
     * 45 instructions a call on average in the runtime with a byte loop,
     * which clang vectorized into masked SIMD; 15 with these branches
     * largest first; 11 smallest first, valgrind). */
    if (n < 4) {
        if (n >= 2) {
            store_2(d, (uint16_t)w);
            store_2(d + n - 2, (uint16_t)w);
        } else if (n) {
            *d = (unsigned char)c;
        }
    } else if (n < 16) {
        if (n >= 8) {
            store_8(d, w);
            store_8(d + n - 8, w);
        } else {
            store_4(d, (uint32_t)w);
            store_4(d + n - 4, (uint32_t)w);
        }
    } else {
        w16 v = {w, w};
        for (size_t i = 0; i < n - 16; i += 16) store_16(d + i, v);
        store_16(d + n - 16, v);
    }
}

/* The first differing byte of two words is the lowest set byte of their
 * XOR on a little-endian host, the highest on a big-endian one. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define FIRST_BYTE64(x) ((size_t)(__builtin_clzll(x) >> 3))
#define FIRST_BYTE32(x) ((size_t)(__builtin_clz(x) >> 3))
#else
#define FIRST_BYTE64(x) ((size_t)(__builtin_ctzll(x) >> 3))
#define FIRST_BYTE32(x) ((size_t)(__builtin_ctz(x) >> 3))
#endif

/* 8 bytes a turn, the last word overlapping the one before it (its bytes
 * below i are equal, so its first difference is the run's); under 8
 * bytes, two overlapping 4-byte words, under 4 a byte loop.  The loops
 * this serves (a Wasm program's memcmp, a byte loop in wasm32 libcs)
 * compare ~10 bytes a call on average in SQLite's collation; a byte loop
 * for the tail took 21 instructions a call there (valgrind). */
NO_LIBCALLS size_t wasmaot_rt_mismatch(const void *pa, const void *pb, size_t n) {
    const unsigned char *a = (const unsigned char *)pa, *b = (const unsigned char *)pb;
    if (n >= 8) {
        size_t i = 0;
        for (; n - i > 8; i += 8) {
            uint64_t x = load_8(a + i) ^ load_8(b + i);
            if (x) return i + FIRST_BYTE64(x);
        }
        uint64_t x = load_8(a + n - 8) ^ load_8(b + n - 8);
        return x ? n - 8 + FIRST_BYTE64(x) : n;
    }
    if (n >= 4) {
        uint32_t x = load_4(a) ^ load_4(b);
        if (x) return FIRST_BYTE32(x);
        x = load_4(a + n - 4) ^ load_4(b + n - 4);
        return x ? n - 4 + FIRST_BYTE32(x) : n;
    }
    size_t i = 0;
    while (i < n && a[i] == b[i]) i++;
    return i;
}

#else

size_t wasmaot_rt_mismatch(const void *pa, const void *pb, size_t n) {
    const unsigned char *a = (const unsigned char *)pa, *b = (const unsigned char *)pb;
    size_t i = 0;
    while (i < n && a[i] == b[i]) i++;
    return i;
}

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
    /* 64 bytes per turn: instantiation zeroes every page of linear memory
     * with this (bare metal: the region is NOLOAD), and with 16 a turn the
     * loop's own compare and branch were a third of a 2-page image's
     * start-up (~49K of 50K instructions on cortex-m3). */
#if defined(__thumb2__)
    /* Thumb-2 (ARMv7-M, ARMv8-M Mainline): store-multiple of 8 registers,
     * 32 bytes an instruction, as the C libraries' ARM memsets do (a
     * Cortex-M3 STM of N registers takes 1 + N cycles by the core's timing
     * table, 4 STRD 12; qemu counts instructions, not cycles).  Not
     * r7 (Thumb's frame pointer) nor r9 (a platform register). */
    if (n >= 64) {
        size_t turns = n / 64;
        __asm__ volatile(
            "mov r3, %[w]\n\tmov r4, %[w]\n\tmov r5, %[w]\n\tmov r6, %[w]\n\t"
            "mov r8, %[w]\n\tmov r10, %[w]\n\tmov r11, %[w]\n\tmov r12, %[w]\n"
            "1:\n\tstmia %[d]!, {r3-r6, r8, r10-r12}\n\t"
            "stmia %[d]!, {r3-r6, r8, r10-r12}\n\t"
            "subs %[t], %[t], #1\n\tbne 1b"
            : [d] "+r"(d), [t] "+r"(turns)
            : [w] "r"(w)
            : "r3", "r4", "r5", "r6", "r8", "r10", "r11", "r12", "cc", "memory");
        n %= 64;
    }
#else
    for (; n >= 64; n -= 64, d += 64) {
        uint32_t *q = (uint32_t *)d;   /* written out: -Os keeps loops rolled */
        q[0] = w; q[1] = w; q[2] = w; q[3] = w; q[4] = w; q[5] = w; q[6] = w; q[7] = w;
        q[8] = w; q[9] = w; q[10] = w; q[11] = w; q[12] = w; q[13] = w; q[14] = w; q[15] = w;
    }
#endif
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
