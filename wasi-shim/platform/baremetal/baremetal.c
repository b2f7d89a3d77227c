/*
 * Bare-metal platform for the WASI shim (Cortex-M, RV32): every host
 * service is an embedder hook (declared, with its contract, in
 * wasmaot_wasi.h "bare-metal embedder hooks").  No libc, no file system
 * (WASMAOT_WASI_FILESYSTEM is 0 here), no malloc: the ctx is a static
 * object of the embedder.
 *
 * stdio descriptors in the config: 0 = embedder stdin (read hook), 1 and 2 =
 * the write hook's stream 1 / 2, -1 = none.
 */
#include "../../core/wasi_internal.h"

#if !WASMAOT_PLATFORM_BAREMETAL
#error "platform/baremetal/baremetal.c is for WASMAOT_PLATFORM_BAREMETAL builds"
#endif

#define WEAK __attribute__((weak))

/* Optional hooks: harmless defaults. */
WEAK long wasmaot_wasi_embedder_read(uint8_t *buf, size_t len) {
    (void)buf;
    (void)len;
    return 0; /* EOF */
}

WEAK void wasmaot_wasi_embedder_sleep_until(uint64_t deadline_ns) {
    while (wasmaot_wasi_embedder_monotonic_ns() < deadline_ns) {
    }
}

WEAK uint64_t wasmaot_wasi_embedder_clock_resolution_ns(void) {
    return 1;
}

uint64_t wasmaot_wasi_plat_monotonic_ns(void) { return wasmaot_wasi_embedder_monotonic_ns(); }

uint64_t wasmaot_wasi_plat_monotonic_resolution(void) {
    uint64_t r = wasmaot_wasi_embedder_clock_resolution_ns();
    return r ? r : 1;
}

wasmaot_p2_datetime wasmaot_wasi_plat_wall(void) {
    uint64_t ns = wasmaot_wasi_embedder_wall_ns();
    wasmaot_p2_datetime d = {ns / 1000000000u, (uint32_t)(ns % 1000000000u)};
    return d;
}

wasmaot_p2_datetime wasmaot_wasi_plat_wall_resolution(void) {
    uint64_t r = wasmaot_wasi_plat_monotonic_resolution();
    wasmaot_p2_datetime d = {r / 1000000000u, (uint32_t)(r % 1000000000u)};
    return d;
}

void wasmaot_wasi_plat_sleep_until(uint64_t deadline) { wasmaot_wasi_embedder_sleep_until(deadline); }

int wasmaot_wasi_plat_random(uint8_t *buf, size_t len) { return wasmaot_wasi_embedder_random(buf, len); }

long wasmaot_wasi_plat_stdio_read(int fd, uint8_t *buf, size_t len) {
    if (fd != 0) return 0;
    long n = wasmaot_wasi_embedder_read(buf, len);
    return n < 0 ? -(long)WASMAOT_P2_E_IO : n;
}

wasmaot_p2_status wasmaot_wasi_plat_stdio_write(int fd, const uint8_t *buf, size_t len) {
    if (fd != 1 && fd != 2) return WASMAOT_P2_OK; /* not an output: discard */
    while (len) {
        long n = wasmaot_wasi_embedder_write(fd, buf, len);
        if (n <= 0) return WASMAOT_P2_E_IO;
        buf += n;
        len -= (size_t)n;
    }
    return WASMAOT_P2_OK;
}

int wasmaot_wasi_plat_isatty(int fd) {
    (void)fd;
    return 0;
}

int wasmaot_wasi_plat_stdio_wait_readable(int fd, uint64_t timeout_ns) {
    /* The read hook is blocking by contract: report "readable" so a poll
     * on stdin does not spin. */
    (void)fd;
    (void)timeout_ns;
    return 1;
}

void wasmaot_wasi_plat_exit(int code) {
    wasmaot_wasi_embedder_exit(code);
}

void wasmaot_wasi_plat_error_line(const char *msg) {
    size_t n = wasmaot_wasi_strlen(msg);
    wasmaot_wasi_embedder_write(2, (const uint8_t *)msg, n);
    wasmaot_wasi_embedder_write(2, (const uint8_t *)"\n", 1);
}
