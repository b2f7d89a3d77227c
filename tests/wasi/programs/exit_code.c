/* exit(argv[1]) after writing to stdout and stderr through stdio buffers
 * (wasi-libc flushes them before proc_exit). */
#include "common.h"
int main(int argc, char **argv) {
    int code = argc > 1 ? atoi(argv[1]) : 0;
    printf("exiting with %d", code); /* no newline: still buffered */
    fprintf(stderr, "stderr before exit\n");
    if (argc > 2 && !strcmp(argv[2], "raw")) {
        fflush(stdout);
        __wasi_proc_exit(code);
    }
    exit(code);
}
