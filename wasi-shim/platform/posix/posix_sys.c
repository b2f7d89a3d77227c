/*
 * POSIX platform for the WASI shim: clocks, randomness, stdio, exit.
 * (Files live in posix_fs.c, option parsing in posix_config.c.)
 */
#define _GNU_SOURCE 1
#include "../../core/wasi_internal.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/random.h>
#endif

uint64_t wasmaot_wasi_plat_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t wasmaot_wasi_plat_monotonic_resolution(void) {
    struct timespec ts;
    if (clock_getres(CLOCK_MONOTONIC, &ts) != 0) return 1;
    uint64_t r = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    return r ? r : 1;
}

wasmaot_p2_datetime wasmaot_wasi_plat_wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    wasmaot_p2_datetime d = {ts.tv_sec < 0 ? 0 : (uint64_t)ts.tv_sec, (uint32_t)ts.tv_nsec};
    return d;
}

wasmaot_p2_datetime wasmaot_wasi_plat_wall_resolution(void) {
    struct timespec ts;
    wasmaot_p2_datetime d = {0, 1};
    if (clock_getres(CLOCK_REALTIME, &ts) == 0 && (ts.tv_sec || ts.tv_nsec)) {
        d.seconds = (uint64_t)ts.tv_sec;
        d.nanoseconds = (uint32_t)ts.tv_nsec;
    }
    return d;
}

void wasmaot_wasi_plat_sleep_until(uint64_t deadline) {
    for (;;) {
        uint64_t now = wasmaot_wasi_plat_monotonic_ns();
        if (now >= deadline) return;
        uint64_t d = deadline - now;
        struct timespec ts = {(time_t)(d / 1000000000u), (long)(d % 1000000000u)};
        nanosleep(&ts, NULL); /* EINTR: loop recomputes the remainder */
    }
}

int wasmaot_wasi_plat_random(uint8_t *buf, size_t len) {
    while (len) {
#if defined(__linux__)
        /* getrandom(2): no file descriptor needed, works in a chroot, blocks
         * only until the pool is first initialized. */
        ssize_t n = getrandom(buf, len > 33554431u ? 33554431u : len, 0);
#else
        ssize_t n = getentropy(buf, len > 256 ? 256 : len) == 0 ? (ssize_t)(len > 256 ? 256 : len) : -1;
#endif
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static wasmaot_p2_status io_status(int e) {
    switch (e) {
    case EPIPE: return WASMAOT_P2_E_PIPE;
    case EBADF: return WASMAOT_P2_E_BAD_DESCRIPTOR;
    case ENOSPC: return WASMAOT_P2_E_INSUFFICIENT_SPACE;
    case EAGAIN: return WASMAOT_P2_E_WOULD_BLOCK;
    case EISDIR: return WASMAOT_P2_E_IS_DIRECTORY;
    case EINVAL: return WASMAOT_P2_E_INVALID;
    default: return WASMAOT_P2_E_IO;
    }
}

long wasmaot_wasi_plat_stdio_read(int fd, uint8_t *buf, size_t len) {
    for (;;) {
        ssize_t n = read(fd, buf, len);
        if (n >= 0) return (long)n;
        if (errno == EINTR) continue;
        if (errno == EAGAIN) { /* non-blocking host fd: wait, then retry */
            wasmaot_wasi_plat_stdio_wait_readable(fd, UINT64_MAX);
            continue;
        }
        return -(long)io_status(errno);
    }
}

wasmaot_p2_status wasmaot_wasi_plat_stdio_write(int fd, const uint8_t *buf, size_t len) {
    while (len) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) {
                struct pollfd p = {fd, POLLOUT, 0};
                poll(&p, 1, -1);
                continue;
            }
            return io_status(errno);
        }
        buf += n;
        len -= (size_t)n;
    }
    return WASMAOT_P2_OK;
}

int wasmaot_wasi_plat_isatty(int fd) {
    return isatty(fd) == 1;
}

int wasmaot_wasi_plat_stdio_wait_readable(int fd, uint64_t timeout_ns) {
    struct pollfd p = {fd, POLLIN, 0};
    int ms = timeout_ns == UINT64_MAX ? -1 : (int)(timeout_ns / 1000000u > 0x7fffffff ? 0x7fffffff
                                                   : (timeout_ns + 999999u) / 1000000u);
    for (;;) {
        int r = poll(&p, 1, ms);
        if (r < 0 && errno == EINTR) continue;
        /* An error or hang-up also counts as "a read would not block". */
        return r > 0;
    }
}

void wasmaot_wasi_plat_exit(int code) {
    fflush(NULL);
    exit(code);
}

void wasmaot_wasi_plat_error_line(const char *msg) {
    fflush(stdout);
    size_t n = strlen(msg);
    ssize_t w = write(2, msg, n);
    w = write(2, "\n", 1);
    (void)w;
}
