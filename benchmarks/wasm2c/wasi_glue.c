/*
 * wasi_glue.c -- main() and the WASI preview1 imports of a bench workload
 * translated by wasm2c (the `wasm2c` engine of `wasmaot bench`,
 * benchmarks/engines.py).
 *
 * The generated module is named `bench` (wasm2c -n bench) and its header is
 * included through WASM2C_HEADER.  Only the calls the bench workloads make
 * are served (wasi-libc's stdio, clock_gettime, exit, argv); any other
 * import is left undefined, so a workload that needs more fails to link
 * and the bench reports it, instead of running against a stub.
 *
 * Guest pointers are checked against the memory's size before every
 * access (EFAULT otherwise): the glue must not be the one thing in the
 * process without bounds checks.  wasm2c's own runtime (wasm-rt-impl.c,
 * guard pages on 64-bit hosts) handles traps; a trap prints the same
 * "wasm trap:" line as the other engines and exits 134.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wasm-rt-exceptions.h"
#include "wasm-rt-impl.h"
#include WASM2C_HEADER

enum { WASI_ESUCCESS = 0, WASI_EBADF = 8, WASI_EFAULT = 21, WASI_EINVAL = 28, WASI_ESPIPE = 70 };

struct w2c_wasi__snapshot__preview1 {
    wasm_rt_memory_t *mem;
    int argc;
    char **argv;
};

/* [off, off + n) inside the guest's memory: its host address, or NULL. */
static uint8_t *guest(struct w2c_wasi__snapshot__preview1 *w, uint64_t off, uint64_t n) {
    if (off > w->mem->size || n > w->mem->size - off) return NULL;
    return w->mem->data + off;
}

static int put32(struct w2c_wasi__snapshot__preview1 *w, u32 off, uint32_t v) {
    uint8_t *p = guest(w, off, 4);
    if (!p) return 0;
    memcpy(p, &v, 4);
    return 1;
}

u32 w2c_wasi__snapshot__preview1_args_sizes_get(struct w2c_wasi__snapshot__preview1 *w,
                                                u32 argc_out, u32 size_out) {
    uint32_t size = 0;
    for (int i = 0; i < w->argc; i++) size += (uint32_t)strlen(w->argv[i]) + 1;
    if (!put32(w, argc_out, (uint32_t)w->argc) || !put32(w, size_out, size)) return WASI_EFAULT;
    return WASI_ESUCCESS;
}

u32 w2c_wasi__snapshot__preview1_args_get(struct w2c_wasi__snapshot__preview1 *w, u32 argv_out,
                                          u32 buf) {
    for (int i = 0; i < w->argc; i++) {
        uint32_t n = (uint32_t)strlen(w->argv[i]) + 1;
        uint8_t *dst = guest(w, buf, n);
        if (!dst || !put32(w, argv_out + 4u * (uint32_t)i, buf)) return WASI_EFAULT;
        memcpy(dst, w->argv[i], n);
        buf += n;
    }
    return WASI_ESUCCESS;
}

u32 w2c_wasi__snapshot__preview1_clock_time_get(struct w2c_wasi__snapshot__preview1 *w, u32 id,
                                                u64 precision, u32 out) {
    static const clockid_t ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                                    CLOCK_THREAD_CPUTIME_ID};
    (void)precision;
    struct timespec ts;
    if (id >= sizeof ids / sizeof ids[0] || clock_gettime(ids[id], &ts) != 0) return WASI_EINVAL;
    uint64_t ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    uint8_t *p = guest(w, out, 8);
    if (!p) return WASI_EFAULT;
    memcpy(p, &ns, 8);
    return WASI_ESUCCESS;
}

u32 w2c_wasi__snapshot__preview1_fd_close(struct w2c_wasi__snapshot__preview1 *w, u32 fd) {
    (void)w;
    return fd <= 2 ? WASI_ESUCCESS : WASI_EBADF;
}

/* stdin/stdout/stderr only: character devices, every right. */
u32 w2c_wasi__snapshot__preview1_fd_fdstat_get(struct w2c_wasi__snapshot__preview1 *w, u32 fd,
                                               u32 out) {
    if (fd > 2) return WASI_EBADF;
    uint8_t *p = guest(w, out, 24);
    if (!p) return WASI_EFAULT;
    memset(p, 0, 24);
    p[0] = 2;                                   /* filetype character_device */
    memset(p + 8, 0xff, 16);                    /* rights base and inheriting */
    return WASI_ESUCCESS;
}

u32 w2c_wasi__snapshot__preview1_fd_seek(struct w2c_wasi__snapshot__preview1 *w, u32 fd,
                                         u64 offset, u32 whence, u32 out) {
    (void)w, (void)offset, (void)whence, (void)out;
    return fd <= 2 ? WASI_ESPIPE : WASI_EBADF;
}

u32 w2c_wasi__snapshot__preview1_fd_write(struct w2c_wasi__snapshot__preview1 *w, u32 fd, u32 iovs,
                                          u32 n_iovs, u32 nwritten) {
    if (fd != 1 && fd != 2) return WASI_EBADF;
    uint32_t total = 0;
    for (u32 i = 0; i < n_iovs; i++) {
        uint32_t iov[2];
        uint8_t *p = guest(w, (uint64_t)iovs + 8u * i, 8);
        if (!p) return WASI_EFAULT;
        memcpy(iov, p, 8);
        uint8_t *buf = guest(w, iov[0], iov[1]);
        if (!buf) return WASI_EFAULT;
        for (uint32_t done = 0; done < iov[1];) {
            ssize_t k = write((int)fd, buf + done, iov[1] - done);
            if (k < 0) return WASI_EBADF;
            done += (uint32_t)k;
        }
        total += iov[1];
    }
    return put32(w, nwritten, total) ? WASI_ESUCCESS : WASI_EFAULT;
}

void w2c_wasi__snapshot__preview1_proc_exit(struct w2c_wasi__snapshot__preview1 *w, u32 code) {
    (void)w;
    exit((int)code);
}

int main(int argc, char **argv) {
    static w2c_bench inst;
    struct w2c_wasi__snapshot__preview1 wasi = {NULL, argc, argv};
    wasm_rt_init();
    wasm_rt_trap_t trap = wasm_rt_impl_try();
    if (trap != WASM_RT_TRAP_NONE) {
        fprintf(stderr, "wasm trap: %s\n", wasm_rt_strerror(trap));
        return 134;
    }
    wasm2c_bench_instantiate(&inst, &wasi);
    wasi.mem = w2c_bench_memory(&inst);
    w2c_bench_0x5Fstart(&inst);
    return 0;
}
