/* fdtd-2d (PolyBench/C stencils): 2-D finite-difference time domain. */
#include "bench.h"

#define NX BENCH_PICK(400, 1000)
#define NY BENCH_PICK(480, 1200)
#define TMAX BENCH_PICK(200, 160)

static double ex[NX][NY], ey[NX][NY], hz[NX][NY], fict[TMAX];

int main(void) {
    for (int i = 0; i < TMAX; i++) fict[i] = (double)i;
    for (int i = 0; i < NX; i++)
        for (int j = 0; j < NY; j++) {
            ex[i][j] = ((double)i * (j + 1)) / NX;
            ey[i][j] = ((double)i * (j + 2)) / NY;
            hz[i][j] = ((double)i * (j + 3)) / NX;
        }
    bench_start();
    for (int t = 0; t < TMAX; t++) {
        for (int j = 0; j < NY; j++) ey[0][j] = fict[t];
        for (int i = 1; i < NX; i++)
            for (int j = 0; j < NY; j++) ey[i][j] = ey[i][j] - 0.5 * (hz[i][j] - hz[i - 1][j]);
        for (int i = 0; i < NX; i++)
            for (int j = 1; j < NY; j++) ex[i][j] = ex[i][j] - 0.5 * (hz[i][j] - hz[i][j - 1]);
        for (int i = 0; i < NX - 1; i++)
            for (int j = 0; j < NY - 1; j++)
                hz[i][j] = hz[i][j] - 0.7 * (ex[i][j + 1] - ex[i][j] + ey[i + 1][j] - ey[i][j]);
    }
    bench_stop();
    double check = bench_sum_f64(&ex[0][0], (long)NX * NY) + bench_sum_f64(&ey[0][0], (long)NX * NY)
                 + bench_sum_f64(&hz[0][0], (long)NX * NY);
    bench_check_f64("fdtd-2d", check, EXPECT(fdtd_2d));
    return 0;
}
