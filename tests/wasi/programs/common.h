/* Shared helpers of the WASI test programs: print the errno of raw
 * preview1 calls so wasmtime and wasmaot can be compared line by line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define RIGHTS_ALL 0x1fffffffull
#define RIGHTS_R (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_READDIR)
#define RIGHTS_RW (RIGHTS_R | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE)

static int show(const char *what, int e) {
    printf("%-40s -> %d\n", what, e);
    return e;
}

/* path_open relative to dirfd; prints and returns the errno. */
static int po(int dirfd, const char *path, int lookup, int oflags, unsigned long long rights, int fdflags, int *fd) {
    __wasi_fd_t f = 0;
    __wasi_errno_t e = __wasi_path_open(dirfd, lookup, path, oflags, rights, rights, fdflags, &f);
    char what[200];
    snprintf(what, sizeof what, "open(%d,%s,o%d,fl%d)", dirfd, path, oflags, fdflags);
    show(what, e);
    if (fd) *fd = e ? -1 : (int)f;
    else if (!e) __wasi_fd_close(f);
    return e;
}

/* The fd of the preopen named `name` (found with prestat, as wasi-libc does). */
static int preopen_fd(const char *name) {
    for (int fd = 3; fd < 64; fd++) {
        __wasi_prestat_t ps;
        if (__wasi_fd_prestat_get(fd, &ps) != 0) continue;
        char buf[256];
        if (ps.u.dir.pr_name_len >= sizeof buf) continue;
        if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, ps.u.dir.pr_name_len) != 0) continue;
        buf[ps.u.dir.pr_name_len] = 0;
        if (!strcmp(buf, name)) return fd;
    }
    return -1;
}
