/* bicg (PolyBench/C linear-algebra/kernels): s = A^T r, q = A p, repeated. */
#include "bench.h"

#define M BENCH_PICK(400, 2000)
#define N BENCH_PICK(380, 1900)
#define REPS BENCH_PICK(150, 80)

static double A[N][M], s[M], q[N], p[M], r[N];

int main(void) {
    for (int i = 0; i < N; i++)
        for (int j = 0; j < M; j++) A[i][j] = (double)(i * (j + 1) % N) / N;
    double check = 0.0;
    bench_start();
    for (int rep = 0; rep < REPS; rep++) {
        for (int i = 0; i < M; i++) p[i] = (double)((i + rep) % M) / M;
        for (int i = 0; i < N; i++) r[i] = (double)((i + 2 * rep) % N) / N;
        for (int i = 0; i < M; i++) s[i] = 0.0;
        for (int i = 0; i < N; i++) {
            double t = 0.0;
            for (int j = 0; j < M; j++) {
                s[j] += r[i] * A[i][j];
                t += A[i][j] * p[j];
            }
            q[i] = t;
        }
        check += bench_sum_f64(s, M) + bench_sum_f64(q, N);
    }
    bench_stop();
    bench_check_f64("bicg", check, EXPECT(bicg));
    return 0;
}
