/* covariance (PolyBench/C datamining): covariance matrix of M variables
 * over N observations. */
#include "bench.h"

#define M BENCH_PICK(360, 900)
#define N BENCH_PICK(400, 1000)

static double data[N][M], cov[M][M], mean[M];

int main(void) {
    double float_n = (double)N;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < M; j++) data[i][j] = ((double)i * j) / M + (double)((i * 7 + j) % 13);
    bench_start();
    for (int j = 0; j < M; j++) {
        mean[j] = 0.0;
        for (int i = 0; i < N; i++) mean[j] += data[i][j];
        mean[j] /= float_n;
    }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < M; j++) data[i][j] -= mean[j];
    for (int i = 0; i < M; i++)
        for (int j = i; j < M; j++) {
            double c = 0.0;
            for (int k = 0; k < N; k++) c += data[k][i] * data[k][j];
            c /= (float_n - 1.0);
            cov[i][j] = cov[j][i] = c;
        }
    bench_stop();
    bench_check_f64("covariance", bench_sum_f64(&cov[0][0], (long)M * M), EXPECT(covariance));
    return 0;
}
