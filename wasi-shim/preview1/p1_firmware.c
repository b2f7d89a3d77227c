/*
 * WASI preview1 for firmware images: the subset a microcontroller can
 * serve, directly on the bare-metal embedder hooks (wasmaot_wasi.h), with
 * no ctx, no resource table and no WASI 0.2 layer, so that a hello world
 * costs a few hundred bytes of flash instead of the whole shim.
 *
 * What is served, and how:
 *   fd_write        fds 1 and 2: the write hook's streams 1 / 2; other fds EBADF
 *   fd_fdstat_get   fds 0-2: a character device (wasi-libc's stdio asks, to
 *                   decide on line buffering); other fds EBADF
 *   fd_seek         fds 0-2: ESPIPE (a console); other fds EBADF
 *   fd_close        fds 0-2: success, nothing to release; other fds EBADF
 *   proc_exit       the exit hook
 *   args_*, environ_*  empty: nothing is passed to a device program (the
 *                   arguments and environment are baked in: none)
 *   clock_time_get  realtime: the wall-clock hook; monotonic and the CPU
 *                   clocks: the monotonic hook
 *   random_get      the random hook; ENOSYS when the board has no source
 * Any other import is refused at COMPILE time (backends/firmware reads the
 * table below), so the image never meets an import it cannot serve.
 *
 * Guest pointers are checked as in the full shim (wasmaot_wasi.h "Guest
 * pointers"): out of bounds traps.  The `instance` argument of every
 * function is the guest instance's `wasmaot_memory *` slot of its exported
 * "memory" (NULL if it exports none): read at each call, so it is valid
 * from instantiation on.
 */
#include "wasmaot_rt.h"
#include "wasmaot_wasi.h"

#if !WASMAOT_PLATFORM_BAREMETAL
#error "p1_firmware.c is for WASMAOT_PLATFORM_BAREMETAL builds"
#endif

/* WASI preview1 errno values (wasi_snapshot_preview1.witx). */
enum { E_OK = 0, E_BADF = 8, E_INVAL = 28, E_IO = 29, E_NOSYS = 52, E_SPIPE = 70 };
enum { FILETYPE_CHARACTER_DEVICE = 2 };
enum { RIGHT_FD_READ = 1u << 1, RIGHT_FD_WRITE = 1u << 6 };

typedef wasmaot_memory *const *mem_slot;

static uint8_t *guest(void *ctx, uint32_t addr, uint32_t len) {
    wasmaot_memory *m = ctx ? *(mem_slot)ctx : 0;
    if (!m) wasmaot_trap(WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS);
    return (uint8_t *)wasmaot_memory_checked_ptr(m, addr, len);
}

static void put_u32(void *ctx, uint32_t addr, uint32_t v) {
    uint8_t *p = guest(ctx, addr, 4);
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(void *ctx, uint32_t addr, uint64_t v) {
    put_u32(ctx, addr, (uint32_t)v);
    put_u32(ctx, addr + 4, (uint32_t)(v >> 32));
}

static uint32_t get_u32(void *ctx, uint32_t addr) {
    const uint8_t *p = guest(ctx, addr, 4);
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int32_t wasmaot_fw_p1_fd_write(void *ctx, int32_t fd, uint32_t iovs, uint32_t n, uint32_t nwritten) {
    if (fd != 1 && fd != 2) return E_BADF;
    uint32_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t buf = get_u32(ctx, iovs + 8 * i), len = get_u32(ctx, iovs + 8 * i + 4);
        const uint8_t *p = guest(ctx, buf, len);
        while (len) {
            long w = wasmaot_wasi_embedder_write(fd, p, len);
            if (w <= 0) return E_IO;
            p += w;
            len -= (uint32_t)w;
            total += (uint32_t)w;
        }
    }
    put_u32(ctx, nwritten, total);
    return E_OK;
}

int32_t wasmaot_fw_p1_fd_fdstat_get(void *ctx, int32_t fd, uint32_t out) {
    if (fd < 0 || fd > 2) return E_BADF;
    uint8_t *p = guest(ctx, out, 24);
    for (int i = 0; i < 24; i++) p[i] = 0;
    p[0] = FILETYPE_CHARACTER_DEVICE;
    put_u64(ctx, out + 8, fd == 0 ? RIGHT_FD_READ : RIGHT_FD_WRITE);
    return E_OK;
}

int32_t wasmaot_fw_p1_fd_seek(void *ctx, int32_t fd, int64_t off, int32_t whence, uint32_t out) {
    (void)ctx; (void)off; (void)whence; (void)out;
    return fd >= 0 && fd <= 2 ? E_SPIPE : E_BADF;
}

int32_t wasmaot_fw_p1_fd_close(void *ctx, int32_t fd) {
    (void)ctx;
    return fd >= 0 && fd <= 2 ? E_OK : E_BADF;
}

void wasmaot_fw_p1_proc_exit(void *ctx, int32_t code) {
    (void)ctx;
    wasmaot_wasi_embedder_exit(code);
}

/* args_sizes_get and environ_sizes_get: zero strings, zero bytes. */
static int32_t sizes_get(void *ctx, uint32_t count, uint32_t bytes) {
    put_u32(ctx, count, 0);
    put_u32(ctx, bytes, 0);
    return E_OK;
}

int32_t wasmaot_fw_p1_args_sizes_get(void *ctx, uint32_t argc, uint32_t bytes) {
    return sizes_get(ctx, argc, bytes);
}

int32_t wasmaot_fw_p1_environ_sizes_get(void *ctx, uint32_t count, uint32_t bytes) {
    return sizes_get(ctx, count, bytes);
}

/* args_get and environ_get: nothing to copy. */
int32_t wasmaot_fw_p1_args_get(void *ctx, uint32_t ptrs, uint32_t buf) {
    (void)ctx; (void)ptrs; (void)buf;
    return E_OK;
}

int32_t wasmaot_fw_p1_environ_get(void *ctx, uint32_t ptrs, uint32_t buf) {
    (void)ctx; (void)ptrs; (void)buf;
    return E_OK;
}

int32_t wasmaot_fw_p1_clock_time_get(void *ctx, int32_t id, int64_t precision, uint32_t out) {
    (void)precision;
    if (id < 0 || id > 3) return E_INVAL;
    put_u64(ctx, out, id == 0 ? wasmaot_wasi_embedder_wall_ns() : wasmaot_wasi_embedder_monotonic_ns());
    return E_OK;
}

int32_t wasmaot_fw_p1_random_get(void *ctx, uint32_t buf, uint32_t len) {
    uint8_t *p = guest(ctx, buf, len);
    return wasmaot_wasi_embedder_random(p, len) == 0 ? E_OK : E_NOSYS;
}

/* THE list of what firmware serves, one F(name, signature) row per
 * function wasmaot_fw_p1_<name> above.  backends/firmware parses the rows:
 * it refuses any other import at compile time, and binds each import of
 * the program to its function in a table it generates (so only the
 * functions the program imports are linked, and no name is compared on
 * the device).  tests/firmware checks every row against the object. */
#define WASMAOT_FW_P1_FUNCS(F)                           \
    F(fd_write, "(i32,i32,i32,i32)->(i32)")              \
    F(fd_fdstat_get, "(i32,i32)->(i32)")                 \
    F(fd_seek, "(i32,i64,i32,i32)->(i32)")               \
    F(fd_close, "(i32)->(i32)")                          \
    F(proc_exit, "(i32)->()")                            \
    F(args_sizes_get, "(i32,i32)->(i32)")                \
    F(args_get, "(i32,i32)->(i32)")                      \
    F(environ_sizes_get, "(i32,i32)->(i32)")             \
    F(environ_get, "(i32,i32)->(i32)")                   \
    F(clock_time_get, "(i32,i64,i32)->(i32)")            \
    F(random_get, "(i32,i32)->(i32)")

