/* Native driver for kernels.c: `./native <kernel> <iters>` prints the
 * checksum as `wasmaot compile`'s executables print an i32 result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.c"

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s fir|blend|sad ITERS\n", argv[0]);
        return 2;
    }
    int n = atoi(argv[2]);
    int r;
    if (!strcmp(argv[1], "bench_fir")) r = bench_fir(n);
    else if (!strcmp(argv[1], "bench_blend")) r = bench_blend(n);
    else if (!strcmp(argv[1], "bench_sad")) r = bench_sad(n);
    else { fprintf(stderr, "unknown kernel %s\n", argv[1]); return 2; }
    printf("%d\n", r);
    return 0;
}
