/* correlation (PolyBench/C datamining): correlation matrix of M variables
 * over N observations. */
#include "bench.h"

#define M BENCH_PICK(360, 900)
#define N BENCH_PICK(400, 1000)

static double data[N][M], corr[M][M], mean[M], stddev[M];

int main(void) {
    double float_n = (double)N, eps = 0.1;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < M; j++) data[i][j] = (double)(i * j) / M + i;
    bench_start();
    for (int j = 0; j < M; j++) {
        mean[j] = 0.0;
        for (int i = 0; i < N; i++) mean[j] += data[i][j];
        mean[j] /= float_n;
    }
    for (int j = 0; j < M; j++) {
        stddev[j] = 0.0;
        for (int i = 0; i < N; i++) stddev[j] += (data[i][j] - mean[j]) * (data[i][j] - mean[j]);
        stddev[j] /= float_n;
        stddev[j] = sqrt(stddev[j]);
        stddev[j] = stddev[j] <= eps ? 1.0 : stddev[j];
    }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < M; j++) {
            data[i][j] -= mean[j];
            data[i][j] /= sqrt(float_n) * stddev[j];
        }
    for (int i = 0; i < M - 1; i++) {
        corr[i][i] = 1.0;
        for (int j = i + 1; j < M; j++) {
            double c = 0.0;
            for (int k = 0; k < N; k++) c += data[k][i] * data[k][j];
            corr[i][j] = corr[j][i] = c;
        }
    }
    corr[M - 1][M - 1] = 1.0;
    bench_stop();
    bench_check_f64("correlation", bench_sum_f64(&corr[0][0], (long)M * M), EXPECT(correlation));
    return 0;
}
