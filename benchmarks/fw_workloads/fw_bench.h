/* The bench workloads (the C files of benchmarks/workloads/) as firmware kernels:
 * `-include fw_bench.h` stands in for their bench.h (whose include guard
 * it defines, so theirs is skipped), without libc, for both the wasm32 and
 * the native build of benchmarks/firmware_instr.py.
 *
 * - Sizes: BENCH_PICK(quick, full) is the quick size times FW_SCALE / 1000
 *   (-DFW_SCALE=N per workload, chosen in firmware_instr.py so that a run
 *   fits the board's RAM and takes a few million instructions), at least 1.
 * - Checks: the expected.h constants are for the quick sizes, so instead
 *   each checksum is printed ("checksum: <16 hex digits>", the bits of a
 *   double or the u64) and firmware_instr.py requires the wasm image to
 *   print exactly what the native build prints (both use the same
 *   compiler-rt for floats, and no contraction).  bench_require failures
 *   exit 3 as in bench.h.
 * - Timing (bench_start/bench_stop) is gone: instructions are counted.
 */
#ifndef WASMAOT_BENCH_H
#define WASMAOT_BENCH_H

#include "fw.h"

#ifndef FW_SCALE
#define FW_SCALE 1000
#endif
#define BENCH_PICK(quick, full) ((quick) * FW_SCALE / 1000 > 0 ? (quick) * FW_SCALE / 1000 : 1)
#define EXPECT(name) 0

double sqrt(double);
static inline double fabs(double x) { return __builtin_fabs(x); }

#ifdef FW_MAIN_ARGS        /* main(int argc, char **argv): argc stays opaque */
int main(int argc, char **argv);
int fw_main(void) {
    static volatile int argc = 1;
    return main(argc, 0);
}
#else
int main(void);
int fw_main(void) { return main(); }
#endif

static inline void bench_start(void) {}
static inline void bench_stop(void) {}

/* As bench.h: xorshift32, the same sequence everywhere. */
static uint32_t bench__rng = 2463534242u;
static inline void bench_seed(uint32_t s) { bench__rng = s ? s : 2463534242u; }
static inline uint32_t bench_rand(void) {
    uint32_t x = bench__rng;
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    return bench__rng = x;
}
static inline double bench_randf(void) { return (double)(bench_rand() >> 8) / 16777216.0; }

static void fw_report(uint64_t bits) {
    char line[] = "checksum: 0123456789abcdef\n";
    for (int i = 0; i < 16; i++) line[10 + i] = "0123456789abcdef"[(bits >> (60 - 4 * i)) & 15];
    fw_write(line, sizeof line - 1);
}

static void bench_check_f64(const char *name, double got, double expect) {
    (void)name; (void)expect;
    uint64_t bits;
    __builtin_memcpy(&bits, &got, sizeof bits);
    fw_report(bits);
}

static void bench_check_u64(const char *name, uint64_t got, uint64_t expect) {
    (void)name; (void)expect;
    fw_report(got);
}

static void bench_require(int ok, const char *name, const char *what) {
    (void)name; (void)what;
    if (!ok) fw_exit(3);
}

static double bench_sum_f64(const double *a, long n) {
    double s = 0.0;
    for (long i = 0; i < n; i++) s += a[i] * (double)(1 + i % 7);
    return s;
}

static uint64_t bench_hash_u64(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}

#endif
