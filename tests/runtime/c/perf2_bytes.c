/*
 * wasmaot_rt_memmove / wasmaot_rt_memset against byte-at-a-time references:
 * every length up to 300, source and destination offsets that overlap in
 * both directions (and not at all), with guard bytes around the
 * destination; wasmaot_rt_mismatch for every length up to 40 at every
 * alignment, a difference at every position (and none).  Prints the first
 * mismatch and exits 1, else "ok".
 */
#include <stdio.h>
#include <string.h>

#include "wasmaot_platform.h"

enum { BUF = 2048, MAXN = 300 };

static unsigned char got[BUF], want[BUF];

static void fill_pattern(unsigned char *b) {
    for (int i = 0; i < BUF; i++) b[i] = (unsigned char)(i * 7 + 3);
}

static void ref_move(unsigned char *b, size_t d, size_t s, size_t n) {
    unsigned char tmp[MAXN];
    for (size_t i = 0; i < n; i++) tmp[i] = b[s + i];
    for (size_t i = 0; i < n; i++) b[d + i] = tmp[i];
}

static int check(const char *what, size_t d, size_t s, size_t n) {
    if (memcmp(got, want, BUF) == 0) return 0;
    printf("%s mismatch: dst %zu src %zu n %zu\n", what, d, s, n);
    return 1;
}

/* wasmaot_rt_mismatch(a, b, n) for one difference at `at` (none if at >= n;
 * bytes past n differ too, to catch a read that goes on). */
static int check_mismatch(size_t off, size_t n, size_t at) {
    static unsigned char a[64], b[64];
    for (size_t i = 0; i < sizeof a; i++) a[i] = b[i] = (unsigned char)(i * 13 + 1);
    for (size_t i = off + n; i < sizeof b; i++) b[i] ^= 0x40;
    if (at < n) b[off + at] ^= (unsigned char)(1u << (at % 8));
    size_t want = at < n ? at : n;
    size_t r = wasmaot_rt_mismatch(a + off, b + off, n);
    if (r == want) return 0;
    printf("mismatch: offset %zu n %zu difference at %zu: got %zu\n", off, n, at, r);
    return 1;
}

int main(void) {
    for (size_t off = 0; off < 8; off++)
        for (size_t n = 0; n <= 40; n++)
            for (size_t at = 0; at <= n; at++)
                if (check_mismatch(off, n, at)) return 1;
    static const int deltas[] = {-400, -33, -32, -31, -17, -16, -15, -9, -8, -7, -1, 0,
                                 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 400};
    for (size_t n = 0; n <= MAXN; n++) {
        for (size_t k = 0; k < sizeof deltas / sizeof deltas[0]; k++) {
            size_t s = 700 + (n % 5), d = (size_t)((long)s + deltas[k]);
            fill_pattern(got);
            fill_pattern(want);
            wasmaot_rt_memmove(got + d, got + s, n);
            ref_move(want, d, s, n);
            if (check("memmove", d, s, n)) return 1;
        }
        for (size_t d = 400; d < 417; d++) {
            fill_pattern(got);
            fill_pattern(want);
            wasmaot_rt_memset(got + d, 0xA5, n);
            for (size_t i = 0; i < n; i++) want[d + i] = 0xA5;
            if (check("memset", d, 0, n)) return 1;
        }
    }
    printf("ok\n");
    return 0;
}
