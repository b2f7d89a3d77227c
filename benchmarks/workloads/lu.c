/* lu (PolyBench/C linear-algebra/solvers): in-place LU without pivoting of a
 * diagonally dominant matrix (stable, so the result is well defined). */
#include "bench.h"

#define N BENCH_PICK(500, 1200)

static double A[N][N];

int main(void) {
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            A[i][j] = (double)((i * 7 + j * 13) % 101) / 101.0 + (i == j ? N : 0);
    bench_start();
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < i; j++) {
            double a = A[i][j];
            for (int k = 0; k < j; k++) a -= A[i][k] * A[k][j];
            A[i][j] = a / A[j][j];
        }
        for (int j = i; j < N; j++) {
            double a = A[i][j];
            for (int k = 0; k < i; k++) a -= A[i][k] * A[k][j];
            A[i][j] = a;
        }
    }
    bench_stop();
    bench_check_f64("lu", bench_sum_f64(&A[0][0], (long)N * N), EXPECT(lu));
    return 0;
}
