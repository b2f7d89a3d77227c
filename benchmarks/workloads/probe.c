/* probe: the smallest program of the bench's kind (stdio, clock_gettime,
 * exit status); an engine that cannot run it is reported as missing. */
#include "bench.h"

int main(int argc, char **argv) {
    (void)argv;
    bench_start();
    volatile int x = 6;
    int y = x * (7 + argc - 1);
    bench_stop();
    printf("probe: %d\n", y);
    return y == 42 ? 0 : 1;
}
