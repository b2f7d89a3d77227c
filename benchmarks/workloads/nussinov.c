/* nussinov (PolyBench/C medley): RNA secondary structure, dynamic
 * programming over an int32 table. */
#include "bench.h"

#define N BENCH_PICK(750, 1800)

static int32_t table[N][N];
static uint8_t seq[N];

#define MATCH(b1, b2) (((b1) + (b2)) == 3 ? 1 : 0)
#define MAX(a, b) ((a) >= (b) ? (a) : (b))

int main(void) {
    for (int i = 0; i < N; i++) seq[i] = (uint8_t)((i + 1) % 4);
    bench_seed(12345);
    for (int i = 0; i < N; i++) seq[i] = (uint8_t)((seq[i] + (bench_rand() >> 30)) % 4);
    bench_start();
    for (int i = N - 1; i >= 0; i--) {
        for (int j = i + 1; j < N; j++) {
            int32_t t = table[i][j];
            if (j - 1 >= 0) t = MAX(t, table[i][j - 1]);
            if (i + 1 < N) t = MAX(t, table[i + 1][j]);
            if (j - 1 >= 0 && i + 1 < N) {
                if (i < j - 1) t = MAX(t, table[i + 1][j - 1] + MATCH(seq[i], seq[j]));
                else t = MAX(t, table[i + 1][j - 1]);
            }
            for (int k = i + 1; k < j; k++) t = MAX(t, table[i][k] + table[k + 1][j]);
            table[i][j] = t;
        }
    }
    bench_stop();
    uint64_t h = 0;
    for (int i = 0; i < N; i++)
        for (int j = i; j < N; j += 3) h = bench_hash_u64(h, (uint64_t)table[i][j]);
    bench_check_u64("nussinov", h, EXPECT(nussinov));
    return 0;
}
