/* recursion (call-heavy): naive Fibonacci, Takeuchi's tak and a recursive
 * permutation counter (N-queens); almost all time is call/return. */
#include "bench.h"

#define FIB BENCH_PICK(33, 40)
#define TAK_X BENCH_PICK(20, 24)
#define QUEENS BENCH_PICK(10, 12)

__attribute__((noinline)) static uint32_t fib(uint32_t n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

__attribute__((noinline)) static int tak(int x, int y, int z) {
    return y < x ? tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y)) : z;
}

__attribute__((noinline)) static uint32_t queens(int n, int row, uint32_t cols, uint32_t d1, uint32_t d2) {
    if (row == n) return 1;
    uint32_t count = 0;
    for (int c = 0; c < n; c++) {
        uint32_t a = 1u << c, b = 1u << (row + c), e = 1u << (row - c + n - 1);
        if ((cols & a) || (d1 & b) || (d2 & e)) continue;
        count += queens(n, row + 1, cols | a, d1 | b, d2 | e);
    }
    return count;
}

int main(int argc, char **argv) {
    (void)argv;
    int k = argc > 100 ? 1 : 0;   /* opaque to the compiler: no constant folding */
    bench_start();
    uint64_t h = 0;
    h = bench_hash_u64(h, fib(FIB + k));
    h = bench_hash_u64(h, (uint64_t)tak(TAK_X + k, 12, 6));
    h = bench_hash_u64(h, queens(QUEENS + k, 0, 0, 0, 0));
    bench_stop();
    bench_check_u64("recursion", h, EXPECT(recursion));
    return 0;
}
