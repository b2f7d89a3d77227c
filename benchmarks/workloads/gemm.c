/* gemm (PolyBench/C linear-algebra/blas): C = alpha*A*B + beta*C */
#include "bench.h"

#define N BENCH_PICK(700, 1200)

static double A[N][N], B[N][N], C[N][N];

int main(void) {
    double alpha = 1.5, beta = 1.2;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            A[i][j] = (double)((i * j + 1) % N) / N;
            B[i][j] = (double)((i * (j + 1) + 2) % N) / N;
            C[i][j] = (double)((i * (j + 2) + 3) % N) / N;
        }
    bench_start();
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) C[i][j] *= beta;
        for (int k = 0; k < N; k++) {
            double a = alpha * A[i][k];
            for (int j = 0; j < N; j++) C[i][j] += a * B[k][j];
        }
    }
    bench_stop();
    bench_check_f64("gemm", bench_sum_f64(&C[0][0], (long)N * N), EXPECT(gemm));
    return 0;
}
