/* Sorting as firmware does it: insertion sort of small arrays, and a
 * non-recursive heap sort and shell sort of 4096 uint32; each result is
 * checked for order and for the same multiset (sum and xor). */
#include "fw.h"

#define N 4096
#define SMALL 24

static uint32_t a[N];

static void fill(uint32_t *p, int n) { for (int i = 0; i < n; i++) p[i] = fw_rand(); }

static void insertion(uint32_t *p, int n) {
    for (int i = 1; i < n; i++) {
        uint32_t v = p[i];
        int j = i;
        while (j > 0 && p[j - 1] > v) { p[j] = p[j - 1]; j--; }
        p[j] = v;
    }
}

static void sift(uint32_t *p, int root, int n) {
    uint32_t v = p[root];
    for (int c; (c = 2 * root + 1) < n; root = c) {
        if (c + 1 < n && p[c + 1] > p[c]) c++;
        if (p[c] <= v) break;
        p[root] = p[c];
    }
    p[root] = v;
}

static void heapsort(uint32_t *p, int n) {
    for (int i = n / 2 - 1; i >= 0; i--) sift(p, i, n);
    for (int i = n - 1; i > 0; i--) { uint32_t t = p[0]; p[0] = p[i]; p[i] = t; sift(p, 0, i); }
}

static void shellsort(uint32_t *p, int n) {
    static const int gaps[] = {1750, 701, 301, 132, 57, 23, 10, 4, 1};
    for (unsigned g = 0; g < sizeof gaps / sizeof gaps[0]; g++)
        for (int i = gaps[g]; i < n; i++) {
            uint32_t v = p[i];
            int j = i;
            for (; j >= gaps[g] && p[j - gaps[g]] > v; j -= gaps[g]) p[j] = p[j - gaps[g]];
            p[j] = v;
        }
}

static int check(const uint32_t *p, int n, uint32_t sum, uint32_t x) {
    for (int i = 0; i < n; i++) { sum -= p[i]; x ^= p[i]; }
    for (int i = 1; i < n; i++) if (p[i - 1] > p[i]) return 0;
    return sum == 0 && x == 0;
}

static uint32_t digest(const uint32_t *p, int n, uint32_t *x) {
    uint32_t s = 0;
    *x = 0;
    for (int i = 0; i < n; i++) { s += p[i]; *x ^= p[i]; }
    return s;
}

int fw_main(void) {
    uint32_t h = 0, s, x;
    for (int r = 0; r < 400; r++) {
        fill(a, SMALL);
        s = digest(a, SMALL, &x);
        insertion(a, SMALL);
        if (!check(a, SMALL, s, x)) return 2;
        h = h * 31u + a[SMALL / 2];
    }
    for (int r = 0; r < 3; r++) {
        fill(a, N);
        s = digest(a, N, &x);
        if (r & 1) shellsort(a, N); else heapsort(a, N);
        if (!check(a, N, s, x)) return 3;
        h = h * 31u + a[N / 3];
    }
    return FW_EXPECT("sort", h, FW_EXPECT_sort);
}
