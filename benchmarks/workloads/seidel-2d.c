/* seidel-2d (PolyBench/C stencils): 9-point Gauss-Seidel, in place (a
 * loop-carried dependence: no vectorization for anybody). */
#include "bench.h"

#define N BENCH_PICK(200, 800)
#define TSTEPS BENCH_PICK(80, 80)

static double A[N][N];

int main(void) {
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) A[i][j] = ((double)i * (j + 2) + 2) / N;
    bench_start();
    for (int t = 0; t < TSTEPS; t++)
        for (int i = 1; i <= N - 2; i++)
            for (int j = 1; j <= N - 2; j++)
                A[i][j] = (A[i - 1][j - 1] + A[i - 1][j] + A[i - 1][j + 1]
                         + A[i][j - 1] + A[i][j] + A[i][j + 1]
                         + A[i + 1][j - 1] + A[i + 1][j] + A[i + 1][j + 1]) / 9.0;
    bench_stop();
    bench_check_f64("seidel-2d", bench_sum_f64(&A[0][0], (long)N * N), EXPECT(seidel_2d));
    return 0;
}
