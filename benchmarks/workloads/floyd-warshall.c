/* floyd-warshall (PolyBench/C medley): all-pairs shortest paths, int32. */
#include "bench.h"

#define N BENCH_PICK(380, 1100)

static int32_t path[N][N];

int main(void) {
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            path[i][j] = i * j % 7 + 1;
            if ((i + j) % 13 == 0 || (i + j) % 7 == 0 || (i + j) % 11 == 0) path[i][j] = 999;
        }
    bench_start();
    for (int k = 0; k < N; k++)
        for (int i = 0; i < N; i++) {
            int32_t pik = path[i][k];
            for (int j = 0; j < N; j++) {
                int32_t d = pik + path[k][j];
                path[i][j] = path[i][j] < d ? path[i][j] : d;
            }
        }
    bench_stop();
    uint64_t h = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) h = bench_hash_u64(h, (uint64_t)path[i][j]);
    bench_check_u64("floyd-warshall", h, EXPECT(floyd_warshall));
    return 0;
}
