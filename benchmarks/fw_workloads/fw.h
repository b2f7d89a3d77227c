/* Shared by the embedded-style kernels of benchmarks/firmware_instr.py.
 *
 * Each kernel is one C file that defines `int fw_main(void)`: it computes,
 * checks its own result against a constant and returns 0 when right,
 * non-zero (its own code) when not.  The same file is built two ways:
 *
 *   - wasm32 freestanding (no libc): `_start` below is the module's export;
 *     a non-zero result ends the program through WASI's proc_exit, which
 *     the firmware image serves over semihosting;
 *   - natively for the core (native_main.c): the reset handler of the
 *     firmware startup calls fw_main and exits over semihosting.
 *
 * -DFW_CALIBRATE (a host build): print the value checked instead, so the
 * constants can be (re)computed.  No libc calls in kernels: both builds are
 * freestanding and must run the same code.
 */
#ifndef WASMAOT_FW_H
#define WASMAOT_FW_H

#include <stddef.h>
#include <stdint.h>

int fw_main(void);

#ifdef FW_CALIBRATE
#include <stdio.h>
#define FW_EXPECT(name, got, want) \
    (printf("%s 0x%08xu\n", name, (unsigned)(got)), 0)
int main(void) { return fw_main(); }
#else
#include "expected.h"
/* 0 when `got` equals `want`, else `code` (the program's exit status). */
#define FW_EXPECT(name, got, want) ((uint32_t)(got) == (uint32_t)(want) ? 0 : 1)
#endif

#if defined(__wasm__) && !defined(FW_CALIBRATE)
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_exit"), noreturn))
void fw_proc_exit(int code);
__attribute__((import_module("wasi_snapshot_preview1"), import_name("fd_write")))
int fw_fd_write(int fd, const void *iovs, size_t n, size_t *written);

__attribute__((export_name("_start"))) void _start(void) {
    int r = fw_main();
    if (r) fw_proc_exit(r);
}

/* End the program with status `code` now. */
static inline __attribute__((noreturn)) void fw_exit(int code) { fw_proc_exit(code); }

/* Write `n` bytes to stdout. */
static inline void fw_write(const char *s, size_t n) {
    struct { const char *p; size_t n; } iov = {s, n};
    size_t w;
    fw_fd_write(1, &iov, 1, &w);
}
#elif !defined(FW_CALIBRATE)
/* runtime-c/platform/baremetal/wasmaot_semihost.h (native_main.c links it). */
long wasmaot_semihost_write(int stream, const void *buf, size_t len);
__attribute__((noreturn)) void wasmaot_semihost_exit(int code);

static inline __attribute__((noreturn)) void fw_exit(int code) { wasmaot_semihost_exit(code); }
static inline void fw_write(const char *s, size_t n) { wasmaot_semihost_write(1, s, n); }
#endif

/* Deterministic input (xorshift32): the same sequence in every build. */
static uint32_t fw__rng = 2463534242u;
static inline uint32_t fw_rand(void) {
    uint32_t x = fw__rng;
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    return fw__rng = x;
}

#endif
