/* 2mm (PolyBench/C linear-algebra/kernels): D = alpha*A*B*C + beta*D */
#include "bench.h"

#define N BENCH_PICK(500, 1100)

static double A[N][N], B[N][N], C[N][N], D[N][N], T[N][N];

int main(void) {
    double alpha = 1.5, beta = 1.2;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            A[i][j] = (double)((i * j + 1) % N) / N;
            B[i][j] = (double)(i * (j + 1) % N) / N;
            C[i][j] = (double)((i * (j + 3) + 1) % N) / N;
            D[i][j] = (double)(i * (j + 2) % N) / N;
        }
    bench_start();
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) T[i][j] = 0.0;
        for (int k = 0; k < N; k++) {
            double a = alpha * A[i][k];
            for (int j = 0; j < N; j++) T[i][j] += a * B[k][j];
        }
    }
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) D[i][j] *= beta;
        for (int k = 0; k < N; k++) {
            double t = T[i][k];
            for (int j = 0; j < N; j++) D[i][j] += t * C[k][j];
        }
    }
    bench_stop();
    bench_check_f64("2mm", bench_sum_f64(&D[0][0], (long)N * N), EXPECT(2mm));
    return 0;
}
