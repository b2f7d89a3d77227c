/* Writes to stdout until a write fails, then says why on stderr and exits
 * with its own status: 3 for EPIPE, 4 for another error, 0 if 64 MiB went
 * through.  tests/runtime/test_sigpipe.py closes the reading end early: the
 * program must see EPIPE and exit 3, never die of SIGPIPE (status 141). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    static char buf[4096];
    memset(buf, 'x', sizeof buf);
    for (int i = 0; i < 16384; i++) {
        if (write(1, buf, sizeof buf) < 0) {
            int e = errno;
            fprintf(stderr, "write failed: %s\n", e == EPIPE ? "EPIPE" : strerror(e));
            return e == EPIPE ? 3 : 4;
        }
    }
    return 0;
}
