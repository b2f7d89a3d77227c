/*
 * WASI preview1 (`wasi_snapshot_preview1`) on top of the 0.2 layer, modelled
 * on wasmtime 50's p1 adapter (crates/wasi/src/p1.rs) so that results and
 * errnos match it call for call:
 *   - fd_read/fd_write/fd_pread/fd_pwrite use ONLY THE FIRST NON-EMPTY iovec
 *     (short transfers are legal; wasi-libc loops);
 *   - fd numbers: 0-2 stdio, preopens from 3; a new fd reuses the highest
 *     closed number first, else 1 + the highest in use;
 *   - files keep their position here (not in the host fd); append mode
 *     writes at the end and moves the position to the new size;
 *   - stdio: seek/tell/pread/pwrite -> ESPIPE, filestat zeroes, filetype
 *     CHARACTER_DEVICE if a terminal else UNKNOWN;
 *   - results are written to guest memory only after the call succeeded
 *     (so a bad result pointer on a failing call is not a trap).
 * Guest pointers: see wasmaot_wasi.h "Guest pointers" (traps, like wasmtime).
 *
 * Every exported function has the funcref ABI: first argument the ctx (the
 * funcref's `instance`), then the Wasm parameters (i32 -> int32_t, i64 ->
 * int64_t), result i32 errno.
 */
#include "../core/wasi_internal.h"

/* -------------------------------------------------------------- errnos */

enum {
    E_SUCCESS = 0, E_2BIG = 1, E_ACCES = 2, E_AGAIN = 6, E_ALREADY = 7, E_BADF = 8, E_BUSY = 10, E_DEADLK = 16,
    E_DQUOT = 19, E_EXIST = 20, E_FAULT = 21, E_FBIG = 22, E_ILSEQ = 25, E_INPROGRESS = 26, E_INTR = 27,
    E_INVAL = 28, E_IO = 29, E_ISDIR = 31, E_LOOP = 32, E_MLINK = 34, E_MSGSIZE = 35, E_NAMETOOLONG = 37,
    E_NODEV = 43, E_NOENT = 44, E_NOLCK = 46, E_NOMEM = 48, E_NOSPC = 51, E_NOTDIR = 54, E_NOTEMPTY = 55,
    E_NOTRECOVERABLE = 56, E_NOTSOCK = 57, E_NOTSUP = 58, E_NOTTY = 59, E_NXIO = 60, E_OVERFLOW = 61,
    E_PERM = 63, E_PIPE = 64, E_RANGE = 68, E_ROFS = 69, E_SPIPE = 70, E_TXTBSY = 74, E_XDEV = 75
};

/* wasi:filesystem error-code -> errno (wasmtime's From<ErrorCode>). */
static const uint8_t p2_to_errno[] = {
    E_SUCCESS, E_ACCES, E_AGAIN, E_ALREADY, E_BADF, E_BUSY, E_DEADLK, E_DQUOT, E_EXIST, E_FBIG, E_ILSEQ,
    E_INPROGRESS, E_INTR, E_INVAL, E_IO, E_ISDIR, E_LOOP, E_MLINK, E_MSGSIZE, E_NAMETOOLONG, E_NODEV, E_NOENT,
    E_NOLCK, E_NOMEM, E_NOSPC, E_NOTDIR, E_NOTEMPTY, E_NOTRECOVERABLE, E_NOTSUP, E_NOTTY, E_NXIO, E_OVERFLOW,
    E_PERM, E_PIPE, E_ROFS, E_SPIPE, E_TXTBSY, E_XDEV};

static int32_t errno_of(wasmaot_p2_status st) {
    if (st == WASMAOT_P2_STREAM_CLOSED) return E_IO; /* wasmtime: StreamError::Closed -> Io */
    if (st < sizeof p2_to_errno) return p2_to_errno[st];
    return E_IO;
}

/* ------------------------------------------------------------- layouts */

enum { FT_UNKNOWN = 0, FT_BLOCK = 1, FT_CHAR = 2, FT_DIR = 3, FT_REG = 4, FT_SOCK_DGRAM = 5, FT_SOCK_STREAM = 6,
       FT_SYMLINK = 7 };

#define R_FD_DATASYNC (1ull << 0)
#define R_FD_READ (1ull << 1)
#define R_FD_SEEK (1ull << 2)
#define R_FD_FDSTAT_SET_FLAGS (1ull << 3)
#define R_FD_SYNC (1ull << 4)
#define R_FD_TELL (1ull << 5)
#define R_FD_WRITE (1ull << 6)
#define R_FD_ADVISE (1ull << 7)
#define R_FD_ALLOCATE (1ull << 8)
#define R_PATH_CREATE_DIRECTORY (1ull << 9)
#define R_PATH_CREATE_FILE (1ull << 10)
#define R_PATH_LINK_SOURCE (1ull << 11)
#define R_PATH_LINK_TARGET (1ull << 12)
#define R_PATH_OPEN (1ull << 13)
#define R_FD_READDIR (1ull << 14)
#define R_PATH_READLINK (1ull << 15)
#define R_PATH_RENAME_SOURCE (1ull << 16)
#define R_PATH_RENAME_TARGET (1ull << 17)
#define R_PATH_FILESTAT_GET (1ull << 18)
#define R_PATH_FILESTAT_SET_SIZE (1ull << 19)
#define R_PATH_FILESTAT_SET_TIMES (1ull << 20)
#define R_FD_FILESTAT_GET (1ull << 21)
#define R_FD_FILESTAT_SET_SIZE (1ull << 22)
#define R_FD_FILESTAT_SET_TIMES (1ull << 23)
#define R_PATH_SYMLINK (1ull << 24)
#define R_PATH_REMOVE_DIRECTORY (1ull << 25)
#define R_PATH_UNLINK_FILE (1ull << 26)
#define R_POLL_FD_READWRITE (1ull << 27)
#define R_ALL ((1ull << 30) - 1)

/* Hard-coded preopen rights, as wasmtime reports them ("expected by many
 * userlands"). */
#define R_PREOPEN_BASE                                                                                      \
    (R_PATH_CREATE_DIRECTORY | R_PATH_CREATE_FILE | R_PATH_LINK_SOURCE | R_PATH_LINK_TARGET | R_PATH_OPEN | \
     R_FD_READDIR | R_PATH_READLINK | R_PATH_RENAME_SOURCE | R_PATH_RENAME_TARGET | R_PATH_SYMLINK |      \
     R_PATH_REMOVE_DIRECTORY | R_PATH_UNLINK_FILE | R_PATH_FILESTAT_GET | R_PATH_FILESTAT_SET_TIMES |      \
     R_FD_FILESTAT_GET | R_FD_FILESTAT_SET_TIMES)
#define R_PREOPEN_INHERITING                                                                                \
    (R_PREOPEN_BASE | R_FD_DATASYNC | R_FD_READ | R_FD_SEEK | R_FD_FDSTAT_SET_FLAGS | R_FD_SYNC | R_FD_TELL | \
     R_FD_WRITE | R_FD_ADVISE | R_FD_ALLOCATE | R_FD_FILESTAT_GET | R_FD_FILESTAT_SET_SIZE |                \
     R_FD_FILESTAT_SET_TIMES | R_POLL_FD_READWRITE)

enum { FDF_APPEND = 1, FDF_DSYNC = 2, FDF_NONBLOCK = 4, FDF_RSYNC = 8, FDF_SYNC = 16 };
enum { O_CREAT_ = 1, O_DIRECTORY_ = 2, O_EXCL_ = 4, O_TRUNC_ = 8 };
enum { FST_ATIM = 1, FST_ATIM_NOW = 2, FST_MTIM = 4, FST_MTIM_NOW = 8 };

/* ------------------------------------------------------- guest memory */

static wasmaot_wasi_ctx *C(void *inst) { return (wasmaot_wasi_ctx *)inst; }

/* [addr, addr+len) of guest memory, or a trap.  `align` is the natural
 * alignment of the pointee (wiggle traps on misaligned typed pointers). */
static uint8_t *gp(wasmaot_wasi_ctx *ctx, uint32_t addr, uint64_t len, uint32_t align) {
    const wasmaot_memory *m = ctx->memory ? ctx->memory : ctx->memory_slot ? *ctx->memory_slot : 0;
    if (!m) wasmaot_trap(WASMAOT_TRAP_HOST);
    if ((uint64_t)addr + len > m->size_bytes) wasmaot_trap(WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS);
    if (align > 1 && (addr & (align - 1u))) wasmaot_trap(WASMAOT_TRAP_HOST);
    return m->base + addr;
}

static void put_u32(wasmaot_wasi_ctx *ctx, uint32_t addr, uint32_t v) { wasmaot_wasi_memcpy(gp(ctx, addr, 4, 4), &v, 4); }
static void put_u64(wasmaot_wasi_ctx *ctx, uint32_t addr, uint64_t v) { wasmaot_wasi_memcpy(gp(ctx, addr, 8, 8), &v, 8); }
static uint32_t get_u32(const uint8_t *p) { uint32_t v; wasmaot_wasi_memcpy(&v, p, 4); return v; }
static uint64_t get_u64(const uint8_t *p) { uint64_t v; wasmaot_wasi_memcpy(&v, p, 8); return v; }

/* wiggle's GuestPtr<str>: bounds, then UTF-8 (ILSEQ). */
static int utf8_valid(const uint8_t *s, uint32_t n) {
    uint32_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        uint32_t k, cp;
        if (c < 0x80) { i++; continue; }
        if ((c & 0xE0) == 0xC0) { k = 1; cp = c & 0x1F; }
        else if ((c & 0xF0) == 0xE0) { k = 2; cp = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { k = 3; cp = c & 0x07; }
        else return 0;
        if ((uint64_t)i + k >= n) return 0; /* truncated sequence */
        for (uint32_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += k + 1;
    }
    return 1;
}

#if WASMAOT_WASI_FILESYSTEM
/* Two path buffers: path_rename/link/symlink take two strings.  Static
 * (single-threaded shim, no malloc); only in file-system builds. */
static char path_buf[2][WASMAOT_WASI_MAX_PATH + 1];
#endif

/* Read the guest string (ptr, len) into path buffer `slot`; returns errno
 * (0 on success).  Traps on bad pointers. */
static int32_t read_path(wasmaot_wasi_ctx *ctx, uint32_t ptr, uint32_t len, int slot, const char **out) {
    const uint8_t *s = gp(ctx, ptr, len, 1);
    if (!utf8_valid(s, len)) return E_ILSEQ;
    for (uint32_t i = 0; i < len; i++)
        if (s[i] == 0) return E_INVAL; /* a NUL cannot be passed to the host */
#if WASMAOT_WASI_FILESYSTEM
    if (len > WASMAOT_WASI_MAX_PATH) return E_NAMETOOLONG;
    wasmaot_wasi_memcpy(path_buf[slot], s, len);
    path_buf[slot][len] = '\0';
    *out = path_buf[slot];
#else
    (void)slot;
    *out = "";
#endif
    return E_SUCCESS;
}

/* ------------------------------------------------------- descriptors */

static wasmaot_wasi_fd *fd_get(wasmaot_wasi_ctx *ctx, int32_t fd) {
    if (fd < 0 || (uint32_t)fd >= ctx->n_fds || ctx->fds[fd].kind == WASMAOT_WASI_FD_FREE) return 0;
    return &ctx->fds[fd];
}

/* wasmtime's get_file / get_dir_fd / get_fd: EBADF if not that kind. */
static wasmaot_wasi_fd *fd_file(wasmaot_wasi_ctx *ctx, int32_t fd) {
    wasmaot_wasi_fd *f = fd_get(ctx, fd);
    return f && f->kind == WASMAOT_WASI_FD_FILE ? f : 0;
}
static wasmaot_wasi_fd *fd_dir(wasmaot_wasi_ctx *ctx, int32_t fd) {
    wasmaot_wasi_fd *f = fd_get(ctx, fd);
    return f && f->kind == WASMAOT_WASI_FD_DIR ? f : 0;
}
static wasmaot_wasi_fd *fd_fs(wasmaot_wasi_ctx *ctx, int32_t fd) {
    wasmaot_wasi_fd *f = fd_get(ctx, fd);
    return f && (f->kind == WASMAOT_WASI_FD_FILE || f->kind == WASMAOT_WASI_FD_DIR) ? f : 0;
}
static int is_stdio(const wasmaot_wasi_fd *f) {
    return f->kind == WASMAOT_WASI_FD_STDIN || f->kind == WASMAOT_WASI_FD_STDOUT || f->kind == WASMAOT_WASI_FD_STDERR;
}

/* ------------------------------------------------------------ args/env */

int32_t wasmaot_p1_args_sizes_get(void *inst, int32_t argc_ptr, int32_t buf_size_ptr) {
    wasmaot_wasi_ctx *ctx = C(inst);
    uint32_t n = wasmaot_p2_arguments_count(ctx);
    uint64_t size = 0;
    for (uint32_t i = 0; i < n; i++) size += wasmaot_wasi_strlen(wasmaot_p2_argument(ctx, i)) + 1;
    if (size > 0xFFFFFFFFu) return E_OVERFLOW;
    put_u32(ctx, (uint32_t)argc_ptr, n);
    put_u32(ctx, (uint32_t)buf_size_ptr, (uint32_t)size);
    return E_SUCCESS;
}

int32_t wasmaot_p1_args_get(void *inst, int32_t argv, int32_t argv_buf) {
    wasmaot_wasi_ctx *ctx = C(inst);
    uint32_t n = wasmaot_p2_arguments_count(ctx), p = (uint32_t)argv, b = (uint32_t)argv_buf;
    for (uint32_t i = 0; i < n; i++) {
        const char *a = wasmaot_p2_argument(ctx, i);
        uint32_t len = (uint32_t)wasmaot_wasi_strlen(a) + 1;
        put_u32(ctx, p, b);
        wasmaot_wasi_memcpy(gp(ctx, b, len, 1), a, len);
        p += 4;
        b += len;
    }
    return E_SUCCESS;
}

int32_t wasmaot_p1_environ_sizes_get(void *inst, int32_t count_ptr, int32_t buf_size_ptr) {
    wasmaot_wasi_ctx *ctx = C(inst);
    uint32_t n = wasmaot_p2_environment_count(ctx);
    uint64_t size = 0;
    for (uint32_t i = 0; i < n; i++) {
        const char *k, *v;
        size_t kl, vl;
        wasmaot_p2_environment_get(ctx, i, &k, &kl, &v, &vl);
        size += kl + 1 + vl + 1;
    }
    if (size > 0xFFFFFFFFu) return E_OVERFLOW;
    put_u32(ctx, (uint32_t)count_ptr, n);
    put_u32(ctx, (uint32_t)buf_size_ptr, (uint32_t)size);
    return E_SUCCESS;
}

int32_t wasmaot_p1_environ_get(void *inst, int32_t environ, int32_t environ_buf) {
    wasmaot_wasi_ctx *ctx = C(inst);
    uint32_t n = wasmaot_p2_environment_count(ctx), p = (uint32_t)environ, b = (uint32_t)environ_buf;
    for (uint32_t i = 0; i < n; i++) {
        const char *k, *v;
        size_t kl, vl;
        wasmaot_p2_environment_get(ctx, i, &k, &kl, &v, &vl);
        put_u32(ctx, p, b);
        uint8_t *d = gp(ctx, b, kl + 1 + vl + 1, 1);
        wasmaot_wasi_memcpy(d, k, kl);
        d[kl] = '=';
        wasmaot_wasi_memcpy(d + kl + 1, v, vl);
        d[kl + 1 + vl] = 0;
        p += 4;
        b += (uint32_t)(kl + 1 + vl + 1);
    }
    return E_SUCCESS;
}

/* -------------------------------------------------------------- clocks */

enum { CLOCK_REALTIME_ = 0, CLOCK_MONOTONIC_ = 1, CLOCK_PROCESS_ = 2, CLOCK_THREAD_ = 3 };

static void check_enum(uint32_t v, uint32_t n) {
    /* wiggle: an out-of-range enum argument fails the call with an error
     * that wasmtime reports like a trap. */
    if (v >= n) wasmaot_trap(WASMAOT_TRAP_HOST);
}

static int32_t datetime_ns(wasmaot_p2_datetime d, uint64_t *ns) {
    if (d.seconds > (UINT64_MAX - d.nanoseconds) / 1000000000u) return E_OVERFLOW;
    *ns = d.seconds * 1000000000u + d.nanoseconds;
    return E_SUCCESS;
}

int32_t wasmaot_p1_clock_res_get(void *inst, int32_t id, int32_t out) {
    wasmaot_wasi_ctx *ctx = C(inst);
    check_enum((uint32_t)id, 4);
    uint64_t r;
    if (id == CLOCK_REALTIME_) {
        int32_t e = datetime_ns(wasmaot_p2_wall_resolution(ctx), &r);
        if (e) return e;
    } else if (id == CLOCK_MONOTONIC_) {
        r = wasmaot_p2_monotonic_resolution(ctx);
    } else {
        return E_BADF; /* wasmtime: cputime clocks are not supported */
    }
    put_u64(ctx, (uint32_t)out, r);
    return E_SUCCESS;
}

int32_t wasmaot_p1_clock_time_get(void *inst, int32_t id, int64_t precision, int32_t out) {
    wasmaot_wasi_ctx *ctx = C(inst);
    (void)precision;
    check_enum((uint32_t)id, 4);
    uint64_t t;
    if (id == CLOCK_REALTIME_) {
        int32_t e = datetime_ns(wasmaot_p2_wall_now(ctx), &t);
        if (e) return e;
    } else if (id == CLOCK_MONOTONIC_) {
        t = wasmaot_p2_monotonic_now(ctx);
    } else {
        return E_BADF;
    }
    put_u64(ctx, (uint32_t)out, t);
    return E_SUCCESS;
}

/* ------------------------------------------------------------- fd_* */

/* First non-empty (buf, len) of an iovec array, or (0, 0). */
static void first_iov(wasmaot_wasi_ctx *ctx, uint32_t iovs, uint32_t n, uint32_t *buf, uint32_t *len) {
    const uint8_t *a = gp(ctx, iovs, (uint64_t)n * 8u, 4);
    *buf = 0;
    *len = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t l = get_u32(a + 8 * i + 4);
        if (l) {
            *buf = get_u32(a + 8 * i);
            *len = l;
            return;
        }
    }
}

int32_t wasmaot_p1_fd_advise(void *inst, int32_t fd, int64_t offset, int64_t len, int32_t advice) {
    wasmaot_wasi_ctx *ctx = C(inst);
    check_enum((uint32_t)advice, 6);
    wasmaot_wasi_fd *f = fd_file(ctx, fd);
    if (!f) return E_BADF;
    return errno_of(wasmaot_p2_advise(ctx, f->res, (uint64_t)offset, (uint64_t)len, (uint32_t)advice));
}

int32_t wasmaot_p1_fd_allocate(void *inst, int32_t fd, int64_t offset, int64_t len) {
    (void)offset;
    (void)len;
    return fd_file(C(inst), fd) ? E_NOTSUP : E_BADF;
}

int32_t wasmaot_p1_fd_close(void *inst, int32_t fd) {
    wasmaot_wasi_ctx *ctx = C(inst);
    wasmaot_wasi_fd *f = fd_get(ctx, fd);
    if (!f) return E_BADF;
    uint32_t res = f->res;
    wasmaot_wasi_fd_release(ctx, (uint32_t)fd);
    wasmaot_p2_drop(ctx, res);
    return E_SUCCESS;
}

int32_t wasmaot_p1_fd_datasync(void *inst, int32_t fd) {
    wasmaot_wasi_fd *f = fd_file(C(inst), fd);
    return f ? errno_of(wasmaot_p2_sync_data(C(inst), f->res)) : E_BADF;
}

int32_t wasmaot_p1_fd_sync(void *inst, int32_t fd) {
    wasmaot_wasi_fd *f = fd_file(C(inst), fd);
    return f ? errno_of(wasmaot_p2_sync(C(inst), f->res)) : E_BADF;
}

static void write_fdstat(wasmaot_wasi_ctx *ctx, uint32_t out, uint8_t ft, uint16_t flags, uint64_t base,
                         uint64_t inh) {
    uint8_t *p = gp(ctx, out, 24, 8);
    wasmaot_wasi_memset(p, 0, 24);
    p[0] = ft;
    wasmaot_wasi_memcpy(p + 2, &flags, 2);
    wasmaot_wasi_memcpy(p + 8, &base, 8);
    wasmaot_wasi_memcpy(p + 16, &inh, 8);
}

int32_t wasmaot_p1_fd_fdstat_get(void *inst, int32_t fd, int32_t out) {
    wasmaot_wasi_ctx *ctx = C(inst);
    wasmaot_wasi_fd *f = fd_get(ctx, fd);
    if (!f) return E_BADF;
    uint8_t tty = f->isatty ? FT_CHAR : FT_UNKNOWN;
    switch (f->kind) {
    case WASMAOT_WASI_FD_STDIN: write_fdstat(ctx, (uint32_t)out, tty, 0, R_FD_READ, R_FD_READ); return E_SUCCESS;
    case WASMAOT_WASI_FD_STDOUT:
    case WASMAOT_WASI_FD_STDERR: write_fdstat(ctx, (uint32_t)out, tty, 0, R_FD_WRITE, R_FD_WRITE); return E_SUCCESS;
    default: break;
    }
    if (f->kind == WASMAOT_WASI_FD_DIR && f->preopen >= 0) {
        write_fdstat(ctx, (uint32_t)out, FT_DIR, 0, R_PREOPEN_BASE, R_PREOPEN_INHERITING);
        return E_SUCCESS;
    }
    uint32_t flags, type;
    wasmaot_p2_status st = wasmaot_p2_get_flags(ctx, f->res, &flags);
    if (!st) st = wasmaot_p2_get_type(ctx, f->res, &type);
    if (st) return errno_of(st);
    static const uint8_t ft_of[] = {FT_UNKNOWN, FT_BLOCK, FT_CHAR, FT_DIR, FT_UNKNOWN, FT_SYMLINK, FT_REG, FT_UNKNOWN};
    uint8_t ft = ft_of[type & 7];
    if (type == WASMAOT_P2_TYPE_SOCKET) wasmaot_trap(WASMAOT_TRAP_HOST); /* wasmtime: "sockets are not supported" */
    uint64_t rights = R_ALL;
    uint16_t fl = 0;
    if (ft == FT_DIR) rights &= ~(R_FD_SEEK | R_FD_FILESTAT_SET_SIZE | R_PATH_FILESTAT_SET_SIZE);
    if (!(flags & WASMAOT_P2_DESC_READ)) rights &= ~(R_FD_READ | R_FD_READDIR);
    if (!(flags & WASMAOT_P2_DESC_WRITE)) rights &= ~R_FD_WRITE;
    if (flags & WASMAOT_P2_DESC_DATA_INTEGRITY_SYNC) fl |= FDF_DSYNC;
    if (flags & WASMAOT_P2_DESC_REQUESTED_WRITE_SYNC) fl |= FDF_RSYNC;
    if (flags & WASMAOT_P2_DESC_FILE_INTEGRITY_SYNC) fl |= FDF_SYNC;
    if (f->append) fl |= FDF_APPEND;
    if (f->nonblock) fl |= FDF_NONBLOCK;
    write_fdstat(ctx, (uint32_t)out, ft, fl, rights, rights);
    return E_SUCCESS;
}

int32_t wasmaot_p1_fd_fdstat_set_flags(void *inst, int32_t fd, int32_t flags) {
    wasmaot_wasi_fd *f = fd_file(C(inst), fd);
    if (!f) return E_BADF;
    if ((uint32_t)flags & ~0x1Fu) return E_INVAL;
    if (flags & (FDF_DSYNC | FDF_SYNC | FDF_RSYNC)) return E_INVAL;
    f->append = (flags & FDF_APPEND) != 0;
    f->nonblock = (flags & FDF_NONBLOCK) != 0;
    return E_SUCCESS;
}

int32_t wasmaot_p1_fd_fdstat_set_rights(void *inst, int32_t fd, int64_t base, int64_t inh) {
    (void)base;
    (void)inh;
    return fd_fs(C(inst), fd) ? E_NOTSUP : E_BADF;
}

static int32_t write_filestat(wasmaot_wasi_ctx *ctx, uint32_t out, const wasmaot_p2_descriptor_stat *st,
                              uint64_t ino) {
    static const uint8_t ft_of[] = {FT_UNKNOWN, FT_BLOCK, FT_CHAR, FT_DIR, FT_UNKNOWN, FT_SYMLINK, FT_REG, FT_UNKNOWN};
    if (st->type == WASMAOT_P2_TYPE_SOCKET) wasmaot_trap(WASMAOT_TRAP_HOST);
    uint64_t a = 0, m = 0, c = 0;
    int32_t e;
    if (st->has_atime && (e = datetime_ns(st->atime, &a))) return e;
    if (st->has_mtime && (e = datetime_ns(st->mtime, &m))) return e;
    if (st->has_ctime && (e = datetime_ns(st->ctime, &c))) return e;
    uint8_t *p = gp(ctx, out, 64, 8);
    uint64_t dev = 1;
    wasmaot_wasi_memset(p, 0, 64);
    wasmaot_wasi_memcpy(p + 0, &dev, 8);
    wasmaot_wasi_memcpy(p + 8, &ino, 8);
    p[16] = ft_of[st->type & 7];
    wasmaot_wasi_memcpy(p + 24, &st->link_count, 8);
    wasmaot_wasi_memcpy(p + 32, &st->size, 8);
    wasmaot_wasi_memcpy(p + 40, &a, 8);
    wasmaot_wasi_memcpy(p + 48, &m, 8);
    wasmaot_wasi_memcpy(p + 56, &c, 8);
    return E_SUCCESS;
}

int32_t wasmaot_p1_fd_filestat_get(void *inst, int32_t fd, int32_t out) {
    wasmaot_wasi_ctx *ctx = C(inst);
    wasmaot_wasi_fd *f = fd_get(ctx, fd);
    if (!f) return E_BADF;
    if (is_stdio(f)) {
        uint8_t *p = gp(ctx, (uint32_t)out, 64, 8);
        wasmaot_wasi_memset(p, 0, 64);
        p[16] = f->isatty ? FT_CHAR : FT_UNKNOWN;
        return E_SUCCESS;
    }
    wasmaot_p2_descriptor_stat st;
    wasmaot_p2_metadata_hash_value h;
    wasmaot_p2_status s = wasmaot_p2_stat(ctx, f->res, &st);
    if (!s) s = wasmaot_p2_metadata_hash(ctx, f->res, &h);
    if (s) return errno_of(s);
    return write_filestat(ctx, (uint32_t)out, &st, h.lower);
}

int32_t wasmaot_p1_fd_filestat_set_size(void *inst, int32_t fd, int64_t size) {
    wasmaot_wasi_fd *f = fd_file(C(inst), fd);
    return f ? errno_of(wasmaot_p2_set_size(C(inst), f->res, (uint64_t)size)) : E_BADF;
}

/* wasmtime's systimespec: both "set" and "now" is EINVAL. */
static int32_t timespec_of(int set, int now, uint64_t ts, wasmaot_p2_new_timestamp *out) {
    if (set && now) return E_INVAL;
    out->tag = set ? WASMAOT_P2_TS_TIMESTAMP : now ? WASMAOT_P2_TS_NOW : WASMAOT_P2_TS_NO_CHANGE;
    out->ts.seconds = ts / 1000000000u;
    out->ts.nanoseconds = (uint32_t)(ts % 1000000000u);
    return E_SUCCESS;
}

static int32_t times_of(int64_t atim, int64_t mtim, int32_t fst, wasmaot_p2_new_timestamp *a,
                        wasmaot_p2_new_timestamp *m) {
    if ((uint32_t)fst & ~0xFu) return E_INVAL;
    int32_t e = timespec_of(fst & FST_ATIM, fst & FST_ATIM_NOW, (uint64_t)atim, a);
    return e ? e : timespec_of(fst & FST_MTIM, fst & FST_MTIM_NOW, (uint64_t)mtim, m);
}

int32_t wasmaot_p1_fd_filestat_set_times(void *inst, int32_t fd, int64_t atim, int64_t mtim, int32_t fst) {
    wasmaot_wasi_ctx *ctx = C(inst);
    wasmaot_p2_new_timestamp a, m;
    int32_t e = times_of(atim, mtim, fst, &a, &m);
    if (e) return e;
    wasmaot_wasi_fd *f = fd_fs(ctx, fd);
    if (!f) return E_BADF;
    return errno_of(wasmaot_p2_set_times(ctx, f->res, &a, &m));
}

int32_t wasmaot_p1_fd_read(void *inst, int32_t fd, int32_t iovs, int32_t iovs_len, int32_t nread) {
    wasmaot_wasi_ctx *ctx = C(inst);
    uint32_t buf, len;
    first_iov(ctx, (uint32_t)iovs, (uint32_t)iovs_len, &buf, &len);
    wasmaot_wasi_fd *f = fd_get(ctx, fd);
    if (!f) return E_BADF;
    uint64_t n = 0;
    if (f->kind == WASMAOT_WASI_FD_FILE) {
        uint8_t *p = gp(ctx, buf, len, 1);
        int eof;
        wasmaot_p2_status st = wasmaot_p2_read(ctx, f->res, p, len, f->position, &n, &eof);
        if (st) return errno_of(st);
        f->position += n;
    } else if (f->kind == WASMAOT_WASI_FD_STDIN) {
        uint8_t *p = gp(ctx, buf, len, 1);
        if (len == 0) return E_INTR; /* wasmtime: an empty blocking read is EINTR */
        wasmaot_p2_status st = wasmaot_p2_input_blocking_read(ctx, f->res, p, len, &n);
        if (st == WASMAOT_P2_STREAM_CLOSED) n = 0; /* EOF */
        else if (st) return errno_of(st);
    } else {
        return E_BADF;
    }
    put_u32(ctx, (uint32_t)nread, (uint32_t)n);
    return E_SUCCESS;
}

int32_t wasmaot_p1_fd_pread(void *inst, int32_t fd, int32_t iovs, int32_t iovs_len, int64_t offset, int32_t nread) {
    wasmaot_wasi_ctx *ctx = C(inst);
    uint32_t buf, len;
    first_iov(ctx, (uint32_t)iovs, (uint32_t)iovs_len, &buf, &len);
    wasmaot_wasi_fd *f = fd_get(ctx, fd);
    if (!f) return E_BADF;
    if (f->kind == WASMAOT_WASI_FD_STDIN) return E_SPIPE;
    if (f->kind != WASMAOT_WASI_FD_FILE) return E_BADF;
    uint8_t *p = gp(ctx, buf, len, 1);
    uint64_t n = 0;
    int eof;
    wasmaot_p2_status st = wasmaot_p2_read(ctx, f->res, p, len, (uint64_t)offset, &n, &eof);
    if (st) return errno_of(st);
    put_u32(ctx, (uint32_t)nread, (uint32_t)n);
    return E_SUCCESS;
}

static int32_t fd_write_impl(wasmaot_wasi_ctx *ctx, int32_t fd, int32_t iovs, int32_t iovs_len, int at,
                             uint64_t offset, int32_t nwritten) {
    uint32_t buf, len;
    first_iov(ctx, (uint32_t)iovs, (uint32_t)iovs_len, &buf, &len);
    wasmaot_wasi_fd *f = fd_get(ctx, fd);
    if (!f) return E_BADF;
    const uint8_t *p = gp(ctx, buf, len, 1);
    uint64_t n = 0;
    if (f->kind == WASMAOT_WASI_FD_FILE) {
        wasmaot_p2_status st = f->append ? wasmaot_p2_append(ctx, f->res, p, len, &n)
                                         : wasmaot_p2_write(ctx, f->res, p, len, at ? offset : f->position, &n);
        if (st) return errno_of(st);
        if (!at) {
            if (f->append) {
                wasmaot_p2_descriptor_stat s;
                st = wasmaot_p2_stat(ctx, f->res, &s);
                if (st) return errno_of(st);
                f->position = s.size;
            } else {
                f->position += n;
            }
        }
    } else if (f->kind == WASMAOT_WASI_FD_STDOUT || f->kind == WASMAOT_WASI_FD_STDERR) {
        if (at) return E_SPIPE;
        /* wasmtime writes stdio in blocking-write-and-flush chunks of 4096;
         * the result is the same bytes, in one call here. */
        wasmaot_p2_status st = wasmaot_p2_output_blocking_write_and_flush(ctx, f->res, p, len);
        if (st) return errno_of(st);
        n = len;
    } else {
        return E_BADF;
    }
    put_u32(ctx, (uint32_t)nwritten, (uint32_t)n);
    return E_SUCCESS;
}

int32_t wasmaot_p1_fd_write(void *inst, int32_t fd, int32_t iovs, int32_t iovs_len, int32_t nwritten) {
    return fd_write_impl(C(inst), fd, iovs, iovs_len, 0, 0, nwritten);
}

int32_t wasmaot_p1_fd_pwrite(void *inst, int32_t fd, int32_t iovs, int32_t iovs_len, int64_t offset,
                             int32_t nwritten) {
    return fd_write_impl(C(inst), fd, iovs, iovs_len, 1, (uint64_t)offset, nwritten);
}

int32_t wasmaot_p1_fd_prestat_get(void *inst, int32_t fd, int32_t out) {
    wasmaot_wasi_ctx *ctx = C(inst);
    wasmaot_wasi_fd *f = fd_get(ctx, fd);
    if (!f || f->kind != WASMAOT_WASI_FD_DIR || f->preopen < 0) return E_BADF;
    const char *name = ctx->cfg->preopens[f->preopen].guest_path;
    uint8_t *p = gp(ctx, (uint32_t)out, 8, 4);
    uint32_t len = (uint32_t)wasmaot_wasi_strlen(name);
    wasmaot_wasi_memset(p, 0, 8);
    wasmaot_wasi_memcpy(p + 4, &len, 4);
    return E_SUCCESS;
}

int32_t wasmaot_p1_fd_prestat_dir_name(void *inst, int32_t fd, int32_t path, int32_t path_len) {
    wasmaot_wasi_ctx *ctx = C(inst);
    wasmaot_wasi_fd *f = fd_get(ctx, fd);
    if (!f) return E_BADF;
    if (f->kind != WASMAOT_WASI_FD_DIR || f->preopen < 0) return E_NOTDIR;
    const char *name = ctx->cfg->preopens[f->preopen].guest_path;
    size_t len = wasmaot_wasi_strlen(name);
    if (len > (uint32_t)path_len) return E_NAMETOOLONG;
    wasmaot_wasi_memcpy(gp(ctx, (uint32_t)path, len, 1), name, len);
    return E_SUCCESS;
}

int32_t wasmaot_p1_fd_renumber(void *inst, int32_t from, int32_t to) {
    wasmaot_wasi_ctx *ctx = C(inst);
    wasmaot_wasi_fd *t = fd_get(ctx, to);
    if (!t) return E_BADF;
    wasmaot_wasi_fd *f = fd_get(ctx, from);
    if (!f) return E_BADF;
    if (from != to) {
        uint32_t old = t->res;
        *t = *f;
        wasmaot_wasi_fd_release(ctx, (uint32_t)from);
        ctx->fd_freed[to] = 0;
        wasmaot_p2_drop(ctx, old); /* the replaced descriptor is closed */
    }
    return E_SUCCESS;
}

/* wasmtime's get_seekable: files; stdio -> ESPIPE; anything else EBADF. */
static wasmaot_wasi_fd *seekable(wasmaot_wasi_ctx *ctx, int32_t fd, int32_t *err) {
    wasmaot_wasi_fd *f = fd_get(ctx, fd);
    *err = !f ? E_BADF : f->kind == WASMAOT_WASI_FD_FILE ? E_SUCCESS : is_stdio(f) ? E_SPIPE : E_BADF;
    return *err ? 0 : f;
}

int32_t wasmaot_p1_fd_seek(void *inst, int32_t fd, int64_t offset, int32_t whence, int32_t out) {
    wasmaot_wasi_ctx *ctx = C(inst);
    check_enum((uint32_t)whence, 3);
    int32_t e;
    wasmaot_wasi_fd *f = seekable(ctx, fd, &e);
    if (!f) return e;
    uint64_t pos;
    if (whence == 0) { /* SET */
        if (offset < 0) return E_INVAL;
        pos = (uint64_t)offset;
    } else {
        uint64_t basepos;
        if (whence == 1) {
            basepos = f->position;
        } else {
            wasmaot_p2_descriptor_stat st;
            wasmaot_p2_status s = wasmaot_p2_stat(ctx, f->res, &st);
            if (s) return errno_of(s);
            basepos = st.size;
        }
        if (offset < 0 ? (uint64_t)(-(offset + 1)) + 1u > basepos : basepos + (uint64_t)offset < basepos)
            return E_INVAL;
        pos = basepos + (uint64_t)offset;
    }
    f->position = pos;
    put_u64(ctx, (uint32_t)out, pos);
    return E_SUCCESS;
}

int32_t wasmaot_p1_fd_tell(void *inst, int32_t fd, int32_t out) {
    wasmaot_wasi_ctx *ctx = C(inst);
    int32_t e;
    wasmaot_wasi_fd *f = seekable(ctx, fd, &e);
    if (!f) return e;
    put_u64(ctx, (uint32_t)out, f->position);
    return E_SUCCESS;
}

/* Append `len` bytes of src to the readdir output; returns 1 when the
 * buffer is full (wasmtime then reports buf_len). */
static int rd_put(wasmaot_wasi_ctx *ctx, uint32_t *buf, uint32_t *cap, const void *src, uint32_t len) {
    uint32_t k = len < *cap ? len : *cap;
    if (k) wasmaot_wasi_memcpy(gp(ctx, *buf, k, 1), src, k);
    *buf += k;
    *cap -= k;
    return *cap == 0;
}

static int rd_entry(wasmaot_wasi_ctx *ctx, uint32_t *buf, uint32_t *cap, uint64_t next, uint64_t ino, uint8_t type,
                    const char *name, uint32_t namelen) {
    uint8_t d[24];
    wasmaot_wasi_memset(d, 0, sizeof d);
    wasmaot_wasi_memcpy(d, &next, 8);
    wasmaot_wasi_memcpy(d + 8, &ino, 8);
    wasmaot_wasi_memcpy(d + 16, &namelen, 4);
    d[20] = type;
    if (rd_put(ctx, buf, cap, d, 24)) return 1;
    return rd_put(ctx, buf, cap, name, namelen);
}

int32_t wasmaot_p1_fd_readdir(void *inst, int32_t fd, int32_t buf, int32_t buf_len, int64_t cookie, int32_t out) {
    wasmaot_wasi_ctx *ctx = C(inst);
    wasmaot_wasi_fd *f = fd_dir(ctx, fd);
    if (!f) return E_BADF;
    uint32_t ds;
    wasmaot_p2_status st = wasmaot_p2_read_directory(ctx, f->res, &ds);
    if (st) return errno_of(st);
    wasmaot_p2_metadata_hash_value dh;
    st = wasmaot_p2_metadata_hash(ctx, f->res, &dh);
    if (st) { wasmaot_p2_drop(ctx, ds); return errno_of(st); }
    uint32_t p = (uint32_t)buf, cap = (uint32_t)buf_len;
    uint64_t index = 0, skip = (uint64_t)cookie;
    int full = 0;
    int32_t result = E_SUCCESS;
    /* ".", "..", then the directory's entries; d_next is the index of the
     * following entry (wasmtime's cookies). */
    if (skip <= index && !full) full = rd_entry(ctx, &p, &cap, 1, dh.lower, FT_DIR, ".", 1);
    index++;
    if (skip <= index && !full) full = rd_entry(ctx, &p, &cap, 2, dh.lower, FT_DIR, "..", 2);
    index++;
#if WASMAOT_WASI_FILESYSTEM
    static char name[WASMAOT_WASI_MAX_PATH];
    while (!full) {
        int has;
        uint32_t type;
        size_t nlen;
        st = wasmaot_p2_read_directory_entry(ctx, ds, &has, &type, name, sizeof name, &nlen);
        if (st) { result = errno_of(st); break; }
        if (!has) break;
        if (nlen >= sizeof name) { result = E_NAMETOOLONG; break; }
        if (skip <= index) {
            static const uint8_t ft_of[] = {FT_UNKNOWN, FT_BLOCK, FT_CHAR, FT_DIR, FT_UNKNOWN, FT_SYMLINK, FT_REG, FT_UNKNOWN};
            wasmaot_p2_metadata_hash_value h;
            st = wasmaot_p2_metadata_hash_at(ctx, f->res, 0, name, &h);
            if (st) { result = errno_of(st); break; }
            full = rd_entry(ctx, &p, &cap, index + 1, h.lower, ft_of[type & 7], name, (uint32_t)nlen);
        }
        index++;
    }
#endif
    wasmaot_p2_drop(ctx, ds);
    if (result) return result;
    put_u32(ctx, (uint32_t)out, (uint32_t)buf_len - cap);
    return E_SUCCESS;
}

/* ------------------------------------------------------------- path_* */

int32_t wasmaot_p1_path_create_directory(void *inst, int32_t fd, int32_t path, int32_t path_len) {
    wasmaot_wasi_ctx *ctx = C(inst);
    wasmaot_wasi_fd *f = fd_dir(ctx, fd);
    if (!f) return E_BADF;
    const char *p;
    int32_t e = read_path(ctx, (uint32_t)path, (uint32_t)path_len, 0, &p);
    return e ? e : errno_of(wasmaot_p2_create_directory_at(ctx, f->res, p));
}

int32_t wasmaot_p1_path_filestat_get(void *inst, int32_t fd, int32_t flags, int32_t path, int32_t path_len,
                                     int32_t out) {
    wasmaot_wasi_ctx *ctx = C(inst);
    wasmaot_wasi_fd *f = fd_dir(ctx, fd);
    if (!f) return E_BADF;
    const char *p;
    int32_t e = read_path(ctx, (uint32_t)path, (uint32_t)path_len, 0, &p);
    if (e) return e;
    wasmaot_p2_descriptor_stat st;
    wasmaot_p2_metadata_hash_value h;
    uint32_t pf = (uint32_t)flags & 1u;
    wasmaot_p2_status s = wasmaot_p2_stat_at(ctx, f->res, pf, p, &st);
    if (!s) s = wasmaot_p2_metadata_hash_at(ctx, f->res, pf, p, &h);
    if (s) return errno_of(s);
    return write_filestat(ctx, (uint32_t)out, &st, h.lower);
}

int32_t wasmaot_p1_path_filestat_set_times(void *inst, int32_t fd, int32_t flags, int32_t path, int32_t path_len,
                                           int64_t atim, int64_t mtim, int32_t fst) {
    wasmaot_wasi_ctx *ctx = C(inst);
    wasmaot_p2_new_timestamp a, m;
    int32_t e = times_of(atim, mtim, fst, &a, &m);
    if (e) return e;
    wasmaot_wasi_fd *f = fd_dir(ctx, fd);
    if (!f) return E_BADF;
    const char *p;
    if ((e = read_path(ctx, (uint32_t)path, (uint32_t)path_len, 0, &p))) return e;
    return errno_of(wasmaot_p2_set_times_at(ctx, f->res, (uint32_t)flags & 1u, p, &a, &m));
}

int32_t wasmaot_p1_path_link(void *inst, int32_t old_fd, int32_t old_flags, int32_t old_path, int32_t old_len,
                             int32_t new_fd, int32_t new_path, int32_t new_len) {
    wasmaot_wasi_ctx *ctx = C(inst);
    wasmaot_wasi_fd *a = fd_dir(ctx, old_fd);
    if (!a) return E_BADF;
    wasmaot_wasi_fd *b = fd_dir(ctx, new_fd);
    if (!b) return E_BADF;
    const char *op, *np;
    int32_t e = read_path(ctx, (uint32_t)old_path, (uint32_t)old_len, 0, &op);
    if (!e) e = read_path(ctx, (uint32_t)new_path, (uint32_t)new_len, 1, &np);
    return e ? e : errno_of(wasmaot_p2_link_at(ctx, a->res, (uint32_t)old_flags & 1u, op, b->res, np));
}

int32_t wasmaot_p1_path_open(void *inst, int32_t fd, int32_t dirflags, int32_t path, int32_t path_len,
                             int32_t oflags, int64_t rights_base, int64_t rights_inh, int32_t fdflags, int32_t out) {
    wasmaot_wasi_ctx *ctx = C(inst);
    (void)rights_inh;
    const char *p;
    int32_t e = read_path(ctx, (uint32_t)path, (uint32_t)path_len, 0, &p);
    if (e) return e;
    uint32_t flags = 0;
    if ((uint64_t)rights_base & R_FD_READ) flags |= WASMAOT_P2_DESC_READ;
    if ((uint64_t)rights_base & R_FD_WRITE) flags |= WASMAOT_P2_DESC_WRITE;
    if (fdflags & FDF_SYNC) flags |= WASMAOT_P2_DESC_FILE_INTEGRITY_SYNC;
    if (fdflags & FDF_DSYNC) flags |= WASMAOT_P2_DESC_DATA_INTEGRITY_SYNC;
    if (fdflags & FDF_RSYNC) flags |= WASMAOT_P2_DESC_REQUESTED_WRITE_SYNC;
    wasmaot_wasi_fd *d = fd_get(ctx, fd);
    if (!d) return E_BADF;
    if (d->kind == WASMAOT_WASI_FD_FILE) return E_NOTDIR;
    if (d->kind != WASMAOT_WASI_FD_DIR) return E_BADF;
    uint32_t of = 0;
    if (oflags & O_CREAT_) of |= WASMAOT_P2_OPEN_CREATE;
    if (oflags & O_DIRECTORY_) of |= WASMAOT_P2_OPEN_DIRECTORY;
    if (oflags & O_EXCL_) of |= WASMAOT_P2_OPEN_EXCLUSIVE;
    if (oflags & O_TRUNC_) of |= WASMAOT_P2_OPEN_TRUNCATE;
    uint32_t h;
    wasmaot_p2_status st = wasmaot_p2_open_at(ctx, d->res, (uint32_t)dirflags & 1u, p, of, flags, &h);
    if (st) return errno_of(st);
    int32_t nfd = wasmaot_wasi_fd_alloc(ctx);
    if (nfd < 0) {
        wasmaot_p2_drop(ctx, h);
        return 33; /* EMFILE: our fixed-size table is full */
    }
    uint32_t type = 0;
    wasmaot_p2_get_type(ctx, h, &type);
    wasmaot_wasi_fd *n = &ctx->fds[nfd];
    n->kind = type == WASMAOT_P2_TYPE_DIRECTORY ? WASMAOT_WASI_FD_DIR : WASMAOT_WASI_FD_FILE;
    n->res = h;
    n->preopen = -1;
    n->position = 0;
    n->append = n->kind == WASMAOT_WASI_FD_FILE && (fdflags & FDF_APPEND);
    n->nonblock = n->kind == WASMAOT_WASI_FD_FILE && (fdflags & FDF_NONBLOCK);
    put_u32(ctx, (uint32_t)out, (uint32_t)nfd);
    return E_SUCCESS;
}

int32_t wasmaot_p1_path_readlink(void *inst, int32_t fd, int32_t path, int32_t path_len, int32_t buf,
                                 int32_t buf_len, int32_t out) {
    wasmaot_wasi_ctx *ctx = C(inst);
    wasmaot_wasi_fd *f = fd_dir(ctx, fd);
    if (!f) return E_BADF;
    const char *p;
    int32_t e = read_path(ctx, (uint32_t)path, (uint32_t)path_len, 0, &p);
    if (e) return e;
#if WASMAOT_WASI_FILESYSTEM
    size_t len;
    wasmaot_p2_status st = wasmaot_p2_readlink_at(ctx, f->res, p, path_buf[1], sizeof path_buf[1], &len);
    if (st) return errno_of(st);
    if (len > (uint32_t)buf_len) len = (uint32_t)buf_len;
    if (len > sizeof path_buf[1]) len = sizeof path_buf[1];
    wasmaot_wasi_memcpy(gp(ctx, (uint32_t)buf, len, 1), path_buf[1], len);
    put_u32(ctx, (uint32_t)out, (uint32_t)len);
    return E_SUCCESS;
#else
    (void)buf;
    (void)buf_len;
    (void)out;
    return E_BADF;
#endif
}

int32_t wasmaot_p1_path_remove_directory(void *inst, int32_t fd, int32_t path, int32_t path_len) {
    wasmaot_wasi_ctx *ctx = C(inst);
    wasmaot_wasi_fd *f = fd_dir(ctx, fd);
    if (!f) return E_BADF;
    const char *p;
    int32_t e = read_path(ctx, (uint32_t)path, (uint32_t)path_len, 0, &p);
    return e ? e : errno_of(wasmaot_p2_remove_directory_at(ctx, f->res, p));
}

int32_t wasmaot_p1_path_rename(void *inst, int32_t fd, int32_t old_path, int32_t old_len, int32_t new_fd,
                               int32_t new_path, int32_t new_len) {
    wasmaot_wasi_ctx *ctx = C(inst);
    wasmaot_wasi_fd *a = fd_dir(ctx, fd);
    if (!a) return E_BADF;
    wasmaot_wasi_fd *b = fd_dir(ctx, new_fd);
    if (!b) return E_BADF;
    const char *op, *np;
    int32_t e = read_path(ctx, (uint32_t)old_path, (uint32_t)old_len, 0, &op);
    if (!e) e = read_path(ctx, (uint32_t)new_path, (uint32_t)new_len, 1, &np);
    return e ? e : errno_of(wasmaot_p2_rename_at(ctx, a->res, op, b->res, np));
}

int32_t wasmaot_p1_path_symlink(void *inst, int32_t old_path, int32_t old_len, int32_t fd, int32_t new_path,
                                int32_t new_len) {
    wasmaot_wasi_ctx *ctx = C(inst);
    wasmaot_wasi_fd *f = fd_dir(ctx, fd);
    if (!f) return E_BADF;
    const char *op, *np;
    int32_t e = read_path(ctx, (uint32_t)old_path, (uint32_t)old_len, 0, &op);
    if (!e) e = read_path(ctx, (uint32_t)new_path, (uint32_t)new_len, 1, &np);
    return e ? e : errno_of(wasmaot_p2_symlink_at(ctx, f->res, op, np));
}

int32_t wasmaot_p1_path_unlink_file(void *inst, int32_t fd, int32_t path, int32_t path_len) {
    wasmaot_wasi_ctx *ctx = C(inst);
    wasmaot_wasi_fd *f = fd_dir(ctx, fd);
    if (!f) return E_BADF;
    const char *p;
    int32_t e = read_path(ctx, (uint32_t)path, (uint32_t)path_len, 0, &p);
    return e ? e : errno_of(wasmaot_p2_unlink_file_at(ctx, f->res, p));
}

/* --------------------------------------------------------- poll_oneoff */

enum { EV_CLOCK = 0, EV_FD_READ = 1, EV_FD_WRITE = 2 };
#define SUB_SIZE 48u
#define EVENT_SIZE 32u
#define POLL_MAX_SUBS 64u /* per call; more is EINVAL (wasmtime has no limit but fuel) */

static void write_event(wasmaot_wasi_ctx *ctx, uint32_t at, uint64_t userdata, uint8_t type, uint64_t nbytes,
                        uint16_t flags) {
    uint8_t *e = gp(ctx, at, EVENT_SIZE, 8);
    wasmaot_wasi_memset(e, 0, EVENT_SIZE);
    wasmaot_wasi_memcpy(e, &userdata, 8);
    e[10] = type;
    wasmaot_wasi_memcpy(e + 16, &nbytes, 8);
    wasmaot_wasi_memcpy(e + 24, &flags, 2);
}

int32_t wasmaot_p1_poll_oneoff(void *inst, int32_t in, int32_t out, int32_t nsubs, int32_t nevents) {
    wasmaot_wasi_ctx *ctx = C(inst);
    uint32_t n = (uint32_t)nsubs;
    if (n == 0) return E_INVAL;
    const uint8_t *subs = gp(ctx, (uint32_t)in, (uint64_t)n * SUB_SIZE, 8);
    /* wasmtime's fast path: one relative clock is a plain sleep, and its
     * event reports nbytes = 1. */
    if (n == 1 && subs[8] == EV_CLOCK) {
        uint32_t id = get_u32(subs + 16);
        uint16_t fl;
        wasmaot_wasi_memcpy(&fl, subs + 40, 2);
        check_enum(id, 4);
        if (!(fl & 1u)) {
            uint64_t timeout = get_u64(subs + 24);
            uint32_t p = wasmaot_p2_monotonic_subscribe_duration(ctx, timeout);
            if (p) {
                wasmaot_p2_pollable_block(ctx, p);
                wasmaot_p2_drop(ctx, p);
            }
            write_event(ctx, (uint32_t)out, get_u64(subs), EV_CLOCK, 1, 0);
            put_u32(ctx, (uint32_t)nevents, 1);
            return E_SUCCESS;
        }
    }
    if (n > POLL_MAX_SUBS) return E_INVAL;
    gp(ctx, (uint32_t)out, (uint64_t)n * EVENT_SIZE, 8);
    uint32_t ps[POLL_MAX_SUBS], ready[POLL_MAX_SUBS];
    uint32_t k = 0;
    int32_t err = E_SUCCESS;
    for (; k < n; k++) {
        const uint8_t *s = subs + k * SUB_SIZE;
        uint8_t tag = s[8];
        check_enum(tag, 3);
        uint32_t p = 0;
        if (tag == EV_CLOCK) {
            uint32_t id = get_u32(s + 16);
            uint64_t timeout = get_u64(s + 24);
            uint16_t fl;
            wasmaot_wasi_memcpy(&fl, s + 40, 2);
            check_enum(id, 4);
            int abs = fl & 1u;
            if (id == CLOCK_MONOTONIC_) {
                p = abs ? wasmaot_p2_monotonic_subscribe_instant(ctx, timeout)
                        : wasmaot_p2_monotonic_subscribe_duration(ctx, timeout);
            } else if (id == CLOCK_REALTIME_) {
                uint64_t rel = timeout;
                if (abs) {
                    uint64_t now;
                    if (datetime_ns(wasmaot_p2_wall_now(ctx), &now)) now = UINT64_MAX;
                    rel = timeout > now ? timeout - now : 0;
                }
                p = wasmaot_p2_monotonic_subscribe_duration(ctx, rel);
            } else {
                err = E_INVAL;
                break;
            }
        } else {
            wasmaot_wasi_fd *f = fd_get(ctx, (int32_t)get_u32(s + 16));
            if (tag == EV_FD_READ && f && f->kind == WASMAOT_WASI_FD_STDIN) {
                p = wasmaot_p2_input_subscribe(ctx, f->res);
            } else if (f && (f->kind == WASMAOT_WASI_FD_FILE ||
                             (tag == EV_FD_WRITE &&
                              (f->kind == WASMAOT_WASI_FD_STDOUT || f->kind == WASMAOT_WASI_FD_STDERR)))) {
                /* files and output streams are always ready (wasmtime's
                 * file streams and stdout report ready at once too) */
                p = wasmaot_wasi_res_alloc(ctx, WASMAOT_WASI_RES_POLLABLE);
                if (p) ctx->res[p].sub = WASMAOT_WASI_POLL_READY;
            } else {
                err = E_BADF;
                break;
            }
        }
        if (!p) { err = E_NOMEM; break; }
        ps[k] = p;
    }
    uint32_t nready = 0;
    if (!err) nready = wasmaot_p2_poll(ctx, ps, n, ready);
    for (uint32_t i = 0; i < k; i++) wasmaot_p2_drop(ctx, ps[i]);
    if (err) return err;
    for (uint32_t i = 0; i < nready; i++) {
        const uint8_t *s = subs + ready[i] * SUB_SIZE;
        uint64_t ud = get_u64(s);
        uint8_t tag = s[8];
        uint32_t at = (uint32_t)out + i * EVENT_SIZE;
        if (tag == EV_CLOCK) {
            write_event(ctx, at, ud, EV_CLOCK, 0, 0);
        } else {
            wasmaot_wasi_fd *f = fd_get(ctx, (int32_t)get_u32(s + 16));
            if (!f) return E_BADF;
            uint16_t flags = 0;
            if (tag == EV_FD_READ && f->kind == WASMAOT_WASI_FD_FILE) {
                wasmaot_p2_descriptor_stat st;
                wasmaot_p2_status r = wasmaot_p2_stat(ctx, f->res, &st);
                if (r) return errno_of(r);
                if (st.size <= f->position) flags = 1; /* FD_READWRITE_HANGUP */
            }
            write_event(ctx, at, ud, tag, 1, flags);
        }
    }
    put_u32(ctx, (uint32_t)nevents, nready);
    return E_SUCCESS;
}

/* ----------------------------------------------------------- proc/misc */

void wasmaot_p1_proc_exit(void *inst, int32_t code) {
    wasmaot_wasi_ctx *ctx = C(inst);
    if ((uint32_t)code >= 126u) {
        /* wasmtime: an error, not an exit; its CLI prints it and exits 1. */
        wasmaot_wasi_plat_error_line("Error: exit with invalid exit status outside of [0..126)");
        wasmaot_p2_exit_with_code(ctx, 1);
    }
    wasmaot_p2_exit_with_code(ctx, (uint8_t)code);
}

int32_t wasmaot_p1_proc_raise(void *inst, int32_t sig) {
    (void)inst;
    (void)sig;
    return E_NOTSUP;
}

int32_t wasmaot_p1_sched_yield(void *inst) {
    (void)inst;
    return E_SUCCESS;
}

int32_t wasmaot_p1_random_get(void *inst, int32_t buf, int32_t len) {
    wasmaot_wasi_ctx *ctx = C(inst);
    uint8_t *p = gp(ctx, (uint32_t)buf, (uint32_t)len, 1);
    wasmaot_p2_get_random_bytes(ctx, p, (uint32_t)len);
    return E_SUCCESS;
}

int32_t wasmaot_p1_sock_accept(void *inst, int32_t fd, int32_t flags, int32_t out) {
    (void)flags;
    (void)out;
    return fd_get(C(inst), fd) ? E_NOTSOCK : E_BADF;
}

int32_t wasmaot_p1_sock_recv(void *inst, int32_t fd, int32_t ri, int32_t ri_len, int32_t flags, int32_t n,
                             int32_t roflags) {
    (void)ri;
    (void)ri_len;
    (void)flags;
    (void)n;
    (void)roflags;
    return fd_get(C(inst), fd) ? E_NOTSOCK : E_BADF;
}

int32_t wasmaot_p1_sock_send(void *inst, int32_t fd, int32_t si, int32_t si_len, int32_t flags, int32_t n) {
    (void)si;
    (void)si_len;
    (void)flags;
    (void)n;
    return fd_get(C(inst), fd) ? E_NOTSOCK : E_BADF;
}

int32_t wasmaot_p1_sock_shutdown(void *inst, int32_t fd, int32_t how) {
    (void)how;
    return fd_get(C(inst), fd) ? E_NOTSOCK : E_BADF;
}

/* ------------------------------------------------------------ resolve */

typedef struct p1_func {
    const char *name;
    const char *sig; /* canonical signature, wasmaot_rt.h section 4 */
    const void *fn;
} p1_func;

#define F(n, s) {#n, s, (const void *)wasmaot_p1_##n}
static const p1_func p1_funcs[] = {
    F(args_get, "(i32,i32)->(i32)"),
    F(args_sizes_get, "(i32,i32)->(i32)"),
    F(environ_get, "(i32,i32)->(i32)"),
    F(environ_sizes_get, "(i32,i32)->(i32)"),
    F(clock_res_get, "(i32,i32)->(i32)"),
    F(clock_time_get, "(i32,i64,i32)->(i32)"),
    F(fd_advise, "(i32,i64,i64,i32)->(i32)"),
    F(fd_allocate, "(i32,i64,i64)->(i32)"),
    F(fd_close, "(i32)->(i32)"),
    F(fd_datasync, "(i32)->(i32)"),
    F(fd_fdstat_get, "(i32,i32)->(i32)"),
    F(fd_fdstat_set_flags, "(i32,i32)->(i32)"),
    F(fd_fdstat_set_rights, "(i32,i64,i64)->(i32)"),
    F(fd_filestat_get, "(i32,i32)->(i32)"),
    F(fd_filestat_set_size, "(i32,i64)->(i32)"),
    F(fd_filestat_set_times, "(i32,i64,i64,i32)->(i32)"),
    F(fd_pread, "(i32,i32,i32,i64,i32)->(i32)"),
    F(fd_prestat_get, "(i32,i32)->(i32)"),
    F(fd_prestat_dir_name, "(i32,i32,i32)->(i32)"),
    F(fd_pwrite, "(i32,i32,i32,i64,i32)->(i32)"),
    F(fd_read, "(i32,i32,i32,i32)->(i32)"),
    F(fd_readdir, "(i32,i32,i32,i64,i32)->(i32)"),
    F(fd_renumber, "(i32,i32)->(i32)"),
    F(fd_seek, "(i32,i64,i32,i32)->(i32)"),
    F(fd_sync, "(i32)->(i32)"),
    F(fd_tell, "(i32,i32)->(i32)"),
    F(fd_write, "(i32,i32,i32,i32)->(i32)"),
    F(path_create_directory, "(i32,i32,i32)->(i32)"),
    F(path_filestat_get, "(i32,i32,i32,i32,i32)->(i32)"),
    F(path_filestat_set_times, "(i32,i32,i32,i32,i64,i64,i32)->(i32)"),
    F(path_link, "(i32,i32,i32,i32,i32,i32,i32)->(i32)"),
    F(path_open, "(i32,i32,i32,i32,i32,i64,i64,i32,i32)->(i32)"),
    F(path_readlink, "(i32,i32,i32,i32,i32,i32)->(i32)"),
    F(path_remove_directory, "(i32,i32,i32)->(i32)"),
    F(path_rename, "(i32,i32,i32,i32,i32,i32)->(i32)"),
    F(path_symlink, "(i32,i32,i32,i32,i32)->(i32)"),
    F(path_unlink_file, "(i32,i32,i32)->(i32)"),
    F(poll_oneoff, "(i32,i32,i32,i32)->(i32)"),
    F(proc_exit, "(i32)->()"),
    F(proc_raise, "(i32)->(i32)"),
    F(sched_yield, "()->(i32)"),
    F(random_get, "(i32,i32)->(i32)"),
    F(sock_accept, "(i32,i32,i32)->(i32)"),
    F(sock_recv, "(i32,i32,i32,i32,i32,i32)->(i32)"),
    F(sock_send, "(i32,i32,i32,i32,i32)->(i32)"),
    F(sock_shutdown, "(i32,i32)->(i32)"),
};
#undef F

static int streq(const char *a, const char *b) {
    size_t n = wasmaot_wasi_strlen(a);
    return n == wasmaot_wasi_strlen(b) && wasmaot_wasi_memeq(a, b, n);
}

static const p1_func *find(const char *name) {
    for (size_t i = 0; i < sizeof p1_funcs / sizeof p1_funcs[0]; i++)
        if (streq(p1_funcs[i].name, name)) return &p1_funcs[i];
    return 0;
}

const char *wasmaot_wasi_p1_signature(const char *name) {
    const p1_func *f = name ? find(name) : 0;
    return f ? f->sig : 0;
}

uint32_t wasmaot_wasi_p1_count(void) { return (uint32_t)(sizeof p1_funcs / sizeof p1_funcs[0]); }

const char *wasmaot_wasi_p1_name(uint32_t i) {
    return i < wasmaot_wasi_p1_count() ? p1_funcs[i].name : 0;
}

int wasmaot_wasi_resolve(wasmaot_wasi_ctx *ctx, const char *module, const char *name, const char *signature,
                         wasmaot_funcref *out) {
    if (!module || !name || !signature || !streq(module, "wasi_snapshot_preview1")) return -1;
    const p1_func *f = find(name);
    if (!f || !streq(f->sig, signature)) return -1;
    /* Intern OUR static copy: the registry keeps the pointer. */
    uint32_t id = wasmaot_rt_intern_signature(f->sig);
    if (!id) return -1;
    out->func = f->fn;
    out->type_id = id;
    out->instance = ctx;
    return 0;
}
