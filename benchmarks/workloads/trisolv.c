/* trisolv (PolyBench/C linear-algebra/solvers): solve L x = b by forward
 * substitution, for a new right-hand side each round. */
#include "bench.h"

#define N BENCH_PICK(600, 2000)
#define REPS BENCH_PICK(120, 160)

static double L[N][N], x[N], b[N];

int main(void) {
    for (int i = 0; i < N; i++)
        for (int j = 0; j <= i; j++)
            L[i][j] = (double)((i + N - j + 1) * 2) / N / N + (i == j ? 1.0 : 0.0);
    double check = 0.0;
    bench_start();
    for (int r = 0; r < REPS; r++) {
        for (int i = 0; i < N; i++) b[i] = (double)((i + r) % 17) - 8.0;
        for (int i = 0; i < N; i++) {
            double t = b[i];
            for (int j = 0; j < i; j++) t -= L[i][j] * x[j];
            x[i] = t / L[i][i];
        }
        check += bench_sum_f64(x, N);
    }
    bench_stop();
    bench_check_f64("trisolv", check, EXPECT(trisolv));
    return 0;
}
