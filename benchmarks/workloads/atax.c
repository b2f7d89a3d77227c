/* atax (PolyBench/C linear-algebra/kernels): y = A^T (A x), repeated with a
 * different x each round so no round can be skipped. */
#include "bench.h"

#define M BENCH_PICK(380, 1900)
#define N BENCH_PICK(420, 2100)
#define REPS BENCH_PICK(120, 60)

static double A[M][N], x[N], y[N], tmp[M];

int main(void) {
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) A[i][j] = (double)((i + j) % N) / (5.0 * M);
    double check = 0.0;
    bench_start();
    for (int r = 0; r < REPS; r++) {
        for (int j = 0; j < N; j++) x[j] = 1.0 + (double)((j + r) % N) / N;
        for (int j = 0; j < N; j++) y[j] = 0.0;
        for (int i = 0; i < M; i++) {
            double t = 0.0;
            for (int j = 0; j < N; j++) t += A[i][j] * x[j];
            tmp[i] = t;
            for (int j = 0; j < N; j++) y[j] += A[i][j] * t;
        }
        check += bench_sum_f64(y, N);
    }
    bench_stop();
    bench_check_f64("atax", check, EXPECT(atax));
    return 0;
}
