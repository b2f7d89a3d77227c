/*
 * wasi_internal.h -- what the shim's own files share: the resource table,
 * and the PLATFORM interface (implemented once per platform:
 * platform/posix/, platform/baremetal/).  Not for hosts.
 *
 * Platform functions report failures as wasmaot_p2_status codes (never raw
 * errno values), so the interface code above them is platform-neutral.
 */
#ifndef WASMAOT_WASI_INTERNAL_H
#define WASMAOT_WASI_INTERNAL_H

#include "wasmaot_wasi_p2.h"

/* ----------------------------------------------------------- resources */

/* Stream kinds (wasmaot_wasi_resource.sub). */
enum {
    WASMAOT_WASI_STREAM_STDIO = 1,  /* host = stdio descriptor (platform meaning) */
    WASMAOT_WASI_STREAM_FILE = 2,   /* target = descriptor resource, offset = position */
    WASMAOT_WASI_STREAM_APPEND = 3, /* target = descriptor resource */
    WASMAOT_WASI_STREAM_NULL = 4    /* no stdio: EOF / discard */
};
/* Pollable kinds. */
enum {
    WASMAOT_WASI_POLL_CLOCK = 1,    /* offset = monotonic deadline (ns) */
    WASMAOT_WASI_POLL_STREAM = 2,   /* target = stream resource */
    WASMAOT_WASI_POLL_READY = 3     /* always ready */
};

/* A free slot of kind `kind`, zeroed, or 0 if the table is full. */
uint32_t wasmaot_wasi_res_alloc(wasmaot_wasi_ctx *ctx, uint8_t kind);
/* The live resource `h` of kind `kind`, or NULL. */
wasmaot_wasi_resource *wasmaot_wasi_res_get(wasmaot_wasi_ctx *ctx, uint32_t h, uint8_t kind);

/* Minimal string helpers (no libc on bare metal). */
size_t wasmaot_wasi_strlen(const char *s);
int wasmaot_wasi_memeq(const void *a, const void *b, size_t n);
void wasmaot_wasi_memcpy(void *d, const void *s, size_t n);
void wasmaot_wasi_memset(void *d, int c, size_t n);

/* Preview1 fd table helpers (core/ctx.c): allocate per wasmtime's rule
 * (highest freed fd first, else 1 + highest in use); -1 when full. */
int32_t wasmaot_wasi_fd_alloc(wasmaot_wasi_ctx *ctx);
void wasmaot_wasi_fd_release(wasmaot_wasi_ctx *ctx, uint32_t fd);

/* ------------------------------------------------------------- platform */

uint64_t wasmaot_wasi_plat_monotonic_ns(void);
uint64_t wasmaot_wasi_plat_monotonic_resolution(void);
wasmaot_p2_datetime wasmaot_wasi_plat_wall(void);
wasmaot_p2_datetime wasmaot_wasi_plat_wall_resolution(void);
void wasmaot_wasi_plat_sleep_until(uint64_t monotonic_deadline_ns);
/* Cryptographic randomness: 0, or -1 (caller traps). */
int wasmaot_wasi_plat_random(uint8_t *buf, size_t len);

/* stdio: `fd` is cfg->std*_fd (>= 0).  read: bytes (0 = EOF) or -(status).
 * write: writes everything or fails: 0 or a status. */
long wasmaot_wasi_plat_stdio_read(int fd, uint8_t *buf, size_t len);
wasmaot_p2_status wasmaot_wasi_plat_stdio_write(int fd, const uint8_t *buf, size_t len);
int wasmaot_wasi_plat_isatty(int fd);
/* 1 if a read on fd would not block (data or EOF), waiting up to
 * timeout_ns (UINT64_MAX: forever; 0: just poll). */
int wasmaot_wasi_plat_stdio_wait_readable(int fd, uint64_t timeout_ns);

/* Flush host-side buffered output (C stdio of the embedder), then end the
 * process with `code`. */
WASMAOT_NORETURN void wasmaot_wasi_plat_exit(int code);
/* Report an error line on the host's stderr (best effort). */
void wasmaot_wasi_plat_error_line(const char *msg);

#if WASMAOT_WASI_FILESYSTEM
/* Host descriptors are int64_t (a POSIX fd).  Every *_at function resolves
 * `path` BENEATH dirfd (platform/posix/posix_fs.c explains how). */
wasmaot_p2_status wasmaot_wasi_plat_open_dir(const char *host_path, int64_t *fd);
wasmaot_p2_status wasmaot_wasi_plat_open_at(int64_t dirfd, int follow, const char *path, uint32_t open_flags,
                                            uint32_t desc_flags, int64_t *fd, uint32_t *type);
void wasmaot_wasi_plat_close(int64_t fd);
wasmaot_p2_status wasmaot_wasi_plat_pread(int64_t fd, uint8_t *buf, uint64_t len, uint64_t off, uint64_t *n);
wasmaot_p2_status wasmaot_wasi_plat_pwrite(int64_t fd, const uint8_t *buf, uint64_t len, uint64_t off, uint64_t *n);
wasmaot_p2_status wasmaot_wasi_plat_append(int64_t fd, const uint8_t *buf, uint64_t len, uint64_t *n);
wasmaot_p2_status wasmaot_wasi_plat_stat(int64_t fd, wasmaot_p2_descriptor_stat *st, wasmaot_p2_metadata_hash_value *h);
wasmaot_p2_status wasmaot_wasi_plat_stat_at(int64_t dirfd, int follow, const char *path,
                                            wasmaot_p2_descriptor_stat *st, wasmaot_p2_metadata_hash_value *h);
wasmaot_p2_status wasmaot_wasi_plat_set_size(int64_t fd, uint64_t size);
wasmaot_p2_status wasmaot_wasi_plat_set_times(int64_t fd, const wasmaot_p2_new_timestamp *a,
                                              const wasmaot_p2_new_timestamp *m);
wasmaot_p2_status wasmaot_wasi_plat_set_times_at(int64_t dirfd, int follow, const char *path,
                                                 const wasmaot_p2_new_timestamp *a,
                                                 const wasmaot_p2_new_timestamp *m);
wasmaot_p2_status wasmaot_wasi_plat_sync(int64_t fd, int data_only);
wasmaot_p2_status wasmaot_wasi_plat_advise(int64_t fd, uint64_t off, uint64_t len, uint32_t advice);
wasmaot_p2_status wasmaot_wasi_plat_mkdir_at(int64_t dirfd, const char *path);
wasmaot_p2_status wasmaot_wasi_plat_rmdir_at(int64_t dirfd, const char *path);
wasmaot_p2_status wasmaot_wasi_plat_unlink_at(int64_t dirfd, const char *path);
wasmaot_p2_status wasmaot_wasi_plat_rename_at(int64_t olddir, const char *oldp, int64_t newdir, const char *newp);
wasmaot_p2_status wasmaot_wasi_plat_link_at(int64_t olddir, int follow, const char *oldp, int64_t newdir,
                                            const char *newp);
wasmaot_p2_status wasmaot_wasi_plat_symlink_at(const char *target, int64_t dirfd, const char *path);
wasmaot_p2_status wasmaot_wasi_plat_readlink_at(int64_t dirfd, const char *path, char *buf, size_t cap,
                                                size_t *len);
/* Directory iteration: opendir takes a fresh iterator over dirfd. */
wasmaot_p2_status wasmaot_wasi_plat_dir_open(int64_t dirfd, void **state);
wasmaot_p2_status wasmaot_wasi_plat_dir_next(void *state, int *has, uint32_t *type, char *name, size_t cap,
                                             size_t *len);
void wasmaot_wasi_plat_dir_close(void *state);
int wasmaot_wasi_plat_same_object(int64_t a, int64_t b);
#endif

#endif /* WASMAOT_WASI_INTERNAL_H */
