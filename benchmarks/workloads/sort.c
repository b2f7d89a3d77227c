/* sort (memory-heavy): quicksort, bottom-up merge sort and heapsort of the
 * same pseudo-random u32 array (own code, not libc's qsort); each result
 * must be sorted and a permutation of the input (order-independent hash). */
#include "bench.h"

#define N BENCH_PICK(150000, 2000000)

static uint32_t *src, *a, *tmp;

static void quicksort(uint32_t *v, long lo, long hi) {
    while (hi - lo > 16) {
        uint32_t p = v[lo + (hi - lo) / 2];
        long i = lo, j = hi;
        while (i <= j) {
            while (v[i] < p) i++;
            while (v[j] > p) j--;
            if (i <= j) { uint32_t t = v[i]; v[i] = v[j]; v[j] = t; i++; j--; }
        }
        if (j - lo < hi - i) { quicksort(v, lo, j); lo = i; }
        else { quicksort(v, i, hi); hi = j; }
    }
    for (long i = lo + 1; i <= hi; i++) {
        uint32_t x = v[i]; long j = i - 1;
        while (j >= lo && v[j] > x) { v[j + 1] = v[j]; j--; }
        v[j + 1] = x;
    }
}

static void mergesort(uint32_t *v0, uint32_t *t, long n) {
    uint32_t *v = v0;
    for (long w = 1; w < n; w *= 2) {
        for (long lo = 0; lo < n; lo += 2 * w) {
            long mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            long i = lo, j = mid, k = lo;
            while (i < mid && j < hi) t[k++] = v[i] <= v[j] ? v[i++] : v[j++];
            while (i < mid) t[k++] = v[i++];
            while (j < hi) t[k++] = v[j++];
        }
        uint32_t *s = v; v = t; t = s;
    }
    if (v != v0) memcpy(v0, v, (size_t)n * sizeof *v);
}

static void sift(uint32_t *v, long i, long n) {
    uint32_t x = v[i];
    for (;;) {
        long c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && v[c + 1] > v[c]) c++;
        if (v[c] <= x) break;
        v[i] = v[c]; i = c;
    }
    v[i] = x;
}

static void heapsort(uint32_t *v, long n) {
    for (long i = n / 2 - 1; i >= 0; i--) sift(v, i, n);
    for (long i = n - 1; i > 0; i--) { uint32_t t = v[0]; v[0] = v[i]; v[i] = t; sift(v, 0, i); }
}

static uint64_t check_sorted(const uint32_t *v, long n) {
    uint64_t sum = 0, sq = 0;
    for (long i = 0; i < n; i++) {
        bench_require(i == 0 || v[i - 1] <= v[i], "sort", "result not sorted");
        sum += v[i]; sq += (uint64_t)v[i] * v[i];
    }
    return sum ^ (sq * 31) ^ ((uint64_t)v[n / 3] << 7);
}

int main(void) {
    src = malloc(N * sizeof *src); a = malloc(N * sizeof *a); tmp = malloc(N * sizeof *tmp);
    bench_require(src && a && tmp, "sort", "out of memory");
    bench_seed(4242);
    for (long i = 0; i < N; i++) src[i] = bench_rand() % (N * 4u);
    uint64_t h = 0;
    bench_start();
    memcpy(a, src, N * sizeof *a); quicksort(a, 0, N - 1);
    h = bench_hash_u64(h, check_sorted(a, N));
    memcpy(a, src, N * sizeof *a); mergesort(a, tmp, N);
    h = bench_hash_u64(h, check_sorted(a, N));
    memcpy(a, src, N * sizeof *a); heapsort(a, N);
    h = bench_hash_u64(h, check_sorted(a, N));
    bench_stop();
    bench_check_u64("sort", h, EXPECT(sort));
    return 0;
}
