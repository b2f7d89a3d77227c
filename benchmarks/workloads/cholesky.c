/* cholesky (PolyBench/C linear-algebra/solvers): A = L L^T in place for a
 * symmetric, diagonally dominant (so positive definite) matrix. */
#include "bench.h"

#define N BENCH_PICK(600, 1500)

static double A[N][N];

int main(void) {
    for (int i = 0; i < N; i++)
        for (int j = 0; j <= i; j++) {
            double v = (double)((i * 3 + j * 5) % 97) / 97.0;
            A[i][j] = A[j][i] = v;
        }
    for (int i = 0; i < N; i++) A[i][i] += N;
    bench_start();
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < i; j++) {
            double a = A[i][j];
            for (int k = 0; k < j; k++) a -= A[i][k] * A[j][k];
            A[i][j] = a / A[j][j];
        }
        double d = A[i][i];
        for (int k = 0; k < i; k++) d -= A[i][k] * A[i][k];
        A[i][i] = sqrt(d);
    }
    bench_stop();
    double check = 0.0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j <= i; j++) check += A[i][j] * (double)(1 + (i + j) % 7);
    bench_check_f64("cholesky", check, EXPECT(cholesky));
    return 0;
}
