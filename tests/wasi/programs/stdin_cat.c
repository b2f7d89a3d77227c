/* Copy stdin to stdout with raw fd_read/fd_write; count on stderr. */
#include "common.h"
int main(void) {
    static uint8_t buf[3000];
    unsigned long total = 0, calls = 0;
    for (;;) {
        __wasi_iovec_t iov = {buf, sizeof buf};
        __wasi_size_t n;
        __wasi_errno_t e = __wasi_fd_read(0, &iov, 1, &n);
        if (e) { fprintf(stderr, "read errno %d\n", e); return 2; }
        if (n == 0) break;
        calls++;
        total += n;
        size_t off = 0;
        while (off < n) {
            __wasi_ciovec_t c = {buf + off, n - off};
            __wasi_size_t w;
            if (__wasi_fd_write(1, &c, 1, &w)) return 3;
            off += w;
        }
    }
    fprintf(stderr, "total %lu bytes\n", total);
    __wasi_fdstat_t st;
    __wasi_fd_fdstat_get(0, &st);
    fprintf(stderr, "stdin rights %llx\n", (unsigned long long)st.fs_rights_base);
    __wasi_fd_fdstat_get(1, &st);
    fprintf(stderr, "stdout rights %llx\n", (unsigned long long)st.fs_rights_base);
    __wasi_filesize_t off;
    fprintf(stderr, "seek stdin %d\n", __wasi_fd_seek(0, 0, 0, &off));
    fprintf(stderr, "write stdin %d\n", __wasi_fd_write(0, &(__wasi_ciovec_t){buf, 1}, 1, &(__wasi_size_t){0}));
    fprintf(stderr, "read stdout %d\n", __wasi_fd_read(1, &(__wasi_iovec_t){buf, 1}, 1, &(__wasi_size_t){0}));
    return 0;
}
