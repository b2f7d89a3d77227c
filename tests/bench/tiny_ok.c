/* A tiny workload for the harness tests: correct result, exit 0. */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static uint64_t now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv) {
    (void)argv;
    uint64_t t0 = now(), s = 0;
    for (uint64_t i = 0; i < 100000u + (unsigned)argc - 1; i++) s += i * i % 1009;
    fprintf(stderr, "kernel-ns: %llu\n", (unsigned long long)(now() - t0));
    printf("checksum: %llu\n", (unsigned long long)s);
#ifdef EXPECT_WRONG
    uint64_t expect = 12345;           /* deliberately wrong */
#else
    uint64_t expect = 50393452;
#endif
    if (s != expect) {
        fprintf(stderr, "CHECK FAILED: tiny: checksum %llu, expected %llu\n",
                (unsigned long long)s, (unsigned long long)expect);
        return 3;
    }
    return 0;
}
