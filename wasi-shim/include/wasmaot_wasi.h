/*
 * wasmaot_wasi.h -- the WASI shim's interface to HOSTS (the standalone main,
 * embedders, tests).
 *
 * The shim implements
 *   - WASI 0.2 host interfaces as C functions over a resource table
 *     (wasmaot_wasi_p2.h): wasi:cli, wasi:io, wasi:clocks, wasi:random,
 *     wasi:filesystem;
 *   - WASI preview1 (`wasi_snapshot_preview1`) ON TOP of that layer, the way
 *     wasmtime's p1 adapter does, with wasmtime's errno choices.
 * Preview1 functions are plain C functions following the funcref ABI of
 * wasmaot_rt.h section 4: `int32_t f(void *instance, args...)` where
 * `instance` is the wasmaot_wasi_ctx.  A host links them with
 * wasmaot_wasi_resolve() (or through the wasmaot_host_module table of
 * runtime-c/host/wasmaot_host.h: wasmaot_host_wasi_snapshot_preview1).
 *
 * ------------------------------------------------------------------------
 * Lifecycle
 * ------------------------------------------------------------------------
 *     wasmaot_wasi_config cfg;
 *     wasmaot_wasi_config_init(&cfg);          // nothing granted, stdio 0/1/2
 *     cfg.argc = ...; cfg.argv = ...;           // or wasmaot_wasi_config_parse
 *     static wasmaot_wasi_ctx ctx;
 *     if (wasmaot_wasi_init(&ctx, &cfg)) { puts(wasmaot_wasi_error(&ctx)); ... }
 *     for each import: wasmaot_wasi_resolve(&ctx, mod, name, sig, &slot)
 *     instantiate; then wasmaot_wasi_bind_memory(&ctx, exported "memory")
 *     call _start (under wasmaot_rt_try)
 *     wasmaot_wasi_destroy(&ctx);
 * The config (and every string it points to) must outlive the ctx: the shim
 * keeps pointers, it copies nothing (no malloc on bare metal).
 *
 * ------------------------------------------------------------------------
 * Capabilities: NOTHING is granted unless asked for
 * ------------------------------------------------------------------------
 *   - arguments: exactly cfg.argv (argv[0] included, as in wasmtime);
 *   - environment: exactly cfg.env ("KEY=VALUE" strings); empty by default;
 *   - file system: only the preopened directories; every path is resolved
 *     beneath the directory descriptor it is relative to (see
 *     platform/posix/posix_fs.c): `..` above it, absolute paths and symlinks
 *     whose target leaves it fail with EPERM (what wasmtime 50 returns; not
 *     ENOTCAPABLE), symlink loops with ELOOP.  A read-only preopen refuses
 *     every mutation (open for write/create/truncate, mkdir, unlink, rename,
 *     link, symlink, set-times, set-size) with EPERM, like wasmtime's
 *     DirPerms::READ + FilePerms::READ;
 *   - stdio: the host descriptors in cfg.stdin_fd/stdout_fd/stderr_fd
 *     (-1: stdin reads EOF, output is discarded -- wasmtime's default when a
 *     stream is not inherited).
 *
 * ------------------------------------------------------------------------
 * Guest pointers
 * ------------------------------------------------------------------------
 * Every guest pointer is checked against the bound memory before use.
 * Matching wasmtime 50 (wiggle: "if an out-of-bounds pointer is passed to a
 * function and the function needs to dereference it, the function shall
 * trap"), an out-of-bounds pointer or length is a TRAP, not an errno:
 * wasmaot_trap(WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS); a misaligned pointer to a
 * typed value (e.g. the u32 result slot of fd_write) traps with
 * WASMAOT_TRAP_HOST.  An out-of-range enum argument (clock id, whence,
 * advice, ...) also traps (WASMAOT_TRAP_HOST), as in wasmtime.  Difference:
 * the wasmtime CLI reports these host errors with exit status 1, a wasmaot
 * executable with the trap status 134 (the runtime's WASMAOT_TRAP_EXIT_CODE).
 * Calling a function that needs memory before wasmaot_wasi_bind_memory()
 * traps with WASMAOT_TRAP_HOST.
 *
 * ------------------------------------------------------------------------
 * proc_exit
 * ------------------------------------------------------------------------
 * proc_exit(code) with code < 126: runs cfg.exit_hook if set (an embedder
 * that wants to unwind back into its own code instead of ending the process
 * longjmps out of it; a future runtime "exit trap" will do that generically
 * through wasmaot_rt_try), otherwise flushes the host's C stdio and calls
 * exit(code) (POSIX) / wasmaot_wasi_embedder_exit(code) (bare metal).  Guest
 * output never needs flushing: the shim writes it with write(2) directly.
 * code >= 126: like wasmtime ("exit with invalid exit status outside of
 * [0..126)"), an error: the message goes to stderr and the exit status is 1.
 *
 * ------------------------------------------------------------------------
 * Configuration macros (each has a default; -DNAME=value overrides)
 * ------------------------------------------------------------------------
 *   WASMAOT_WASI_FILESYSTEM       1: wasi:filesystem backed by the platform
 *                                 (POSIX).  0: no preopens can exist; every
 *                                 file-system call fails like on a ctx
 *                                 without preopens (EBADF).  Default: 1 on
 *                                 WASMAOT_PLATFORM_POSIX, 0 on bare metal.
 *                                 1 on bare metal is an #error.
 *   WASMAOT_WASI_MAX_RESOURCES    slots of the 0.2 resource table (streams,
 *                                 descriptors, pollables, directory streams)
 *                                 per ctx.  Default 1024 (POSIX), 16 (bare
 *                                 metal).  Minimum 8 (#error).
 *   WASMAOT_WASI_MAX_FDS          preview1 descriptor slots per ctx (fds 0..
 *                                 MAX_FDS-1).  Default 1024 / 8.  Must be >= 4
 *                                 and <= WASMAOT_WASI_MAX_RESOURCES (#error).
 *   WASMAOT_WASI_MAX_PATH         longest guest path / symlink target the
 *                                 shim handles (ENAMETOOLONG beyond).
 *                                 Default 4096.
 *   WASMAOT_WASI_MAX_SYMLINKS     symlink expansions per path resolution
 *                                 before ELOOP.  Default 40 (Linux's value).
 *   WASMAOT_WASI_IO_CHUNK         largest single host read/write the shim
 *                                 does for one stream call (wasmtime's
 *                                 blocking-write-and-flush chunk is 4096;
 *                                 reads of files are not chunked by wasmtime,
 *                                 this bounds only stdin reads).
 *                                 Default 65536.
 */
#ifndef WASMAOT_WASI_H
#define WASMAOT_WASI_H

#include "wasmaot_rt.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ===================== configuration defaults & checks ================== */

#ifndef WASMAOT_WASI_FILESYSTEM
#define WASMAOT_WASI_FILESYSTEM WASMAOT_PLATFORM_POSIX
#endif
#if WASMAOT_WASI_FILESYSTEM && !WASMAOT_PLATFORM_POSIX
#error "wasmaot_wasi.h: WASMAOT_WASI_FILESYSTEM needs WASMAOT_PLATFORM_POSIX (no file system on bare metal)"
#endif

#ifndef WASMAOT_WASI_MAX_RESOURCES
#if WASMAOT_PLATFORM_POSIX
#define WASMAOT_WASI_MAX_RESOURCES 1024
#else
#define WASMAOT_WASI_MAX_RESOURCES 16
#endif
#endif
#if WASMAOT_WASI_MAX_RESOURCES < 8
#error "wasmaot_wasi.h: WASMAOT_WASI_MAX_RESOURCES must be at least 8 (stdio streams + temporaries)"
#endif

#ifndef WASMAOT_WASI_MAX_FDS
#if WASMAOT_PLATFORM_POSIX
#define WASMAOT_WASI_MAX_FDS 1024
#else
#define WASMAOT_WASI_MAX_FDS 8
#endif
#endif
#if WASMAOT_WASI_MAX_FDS < 4
#error "wasmaot_wasi.h: WASMAOT_WASI_MAX_FDS must be at least 4 (stdio + one preopen)"
#endif
#if WASMAOT_WASI_MAX_FDS > WASMAOT_WASI_MAX_RESOURCES
#error "wasmaot_wasi.h: WASMAOT_WASI_MAX_FDS cannot exceed WASMAOT_WASI_MAX_RESOURCES (each fd holds a resource)"
#endif

#ifndef WASMAOT_WASI_MAX_PATH
#define WASMAOT_WASI_MAX_PATH 4096
#endif
#if WASMAOT_WASI_MAX_PATH < 256
#error "wasmaot_wasi.h: WASMAOT_WASI_MAX_PATH must be at least 256"
#endif

#ifndef WASMAOT_WASI_MAX_SYMLINKS
#define WASMAOT_WASI_MAX_SYMLINKS 40
#endif

#ifndef WASMAOT_WASI_IO_CHUNK
#define WASMAOT_WASI_IO_CHUNK 65536
#endif
#if WASMAOT_WASI_IO_CHUNK < 4096
#error "wasmaot_wasi.h: WASMAOT_WASI_IO_CHUNK must be at least 4096"
#endif

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "wasmaot_wasi.h: the shim copies preview1 structs to guest memory natively; big-endian hosts are not supported"
#endif

/* ================================ config ================================ */

typedef struct wasmaot_wasi_preopen {
    const char *host_path;  /* directory on the host */
    const char *guest_path; /* name the guest sees (fd_prestat_dir_name) */
    int read_only;          /* 1: every mutation fails with EPERM */
} wasmaot_wasi_preopen;

typedef struct wasmaot_wasi_config {
    uint32_t argc;
    const char *const *argv;   /* argv[0] is the program name, as in wasmtime */
    uint32_t envc;
    const char *const *env;    /* "KEY=VALUE"; an entry without '=' has an empty value */
    uint32_t n_preopens;
    const wasmaot_wasi_preopen *preopens; /* guest fds 3, 4, ... in this order */
    /* POSIX: host descriptors for the guest's stdin/stdout/stderr; -1 = none
     * (EOF / discard).  Bare metal: 0/1/2 = the embedder hooks, -1 = none. */
    int stdin_fd, stdout_fd, stderr_fd;
    /* proc_exit: if set, called with the status (0..125); it may longjmp
     * away.  If it returns, the process exits as without a hook. */
    void (*exit_hook)(void *user, int code);
    void *exit_user;
    /* wasi:sockets grants (WASMAOT_WASI_NET_*), as `wasmtime run`'s: no
     * socket, no address, no name lookup unless granted.  Only components
     * reach sockets (preview1 has no socket call). */
    uint32_t network;
} wasmaot_wasi_config;

enum {
    WASMAOT_WASI_NET_INHERIT = 1,      /* -S inherit-network: every address; TCP and UDP too */
    WASMAOT_WASI_NET_NAME_LOOKUP = 2,  /* -S allow-ip-name-lookup */
    WASMAOT_WASI_NET_TCP = 4,          /* -S tcp: TCP sockets may be created ... */
    WASMAOT_WASI_NET_TCP_SET = 8,      /* ... said explicitly (=y or =n): overrides INHERIT */
    WASMAOT_WASI_NET_UDP = 16,         /* -S udp, likewise */
    WASMAOT_WASI_NET_UDP_SET = 32
};

/* Zero *cfg (no args, no env, no preopens) and use the process's stdio
 * (0, 1, 2). */
void wasmaot_wasi_config_init(wasmaot_wasi_config *cfg);

#if WASMAOT_PLATFORM_POSIX
/* Parse host options, spelled like `wasmtime run`:
 *     --dir HOST[::GUEST]      preopen HOST as GUEST (default: HOST itself)
 *     --dir-ro HOST[::GUEST]   the same, read-only (wasmtime has no CLI
 *                              spelling; its API calls it DirPerms::READ /
 *                              FilePerms::READ, Python's fs_mutable=False)
 *     --env NAME=VAL           set NAME to VAL
 *     --env NAME               inherit NAME from the host, if set (wasmtime)
 *     --inherit-env            inherit the whole host environment (also
 *     -S inherit-env           accepted in wasmtime's -S spelling)
 *     -S inherit-network[=y|n] wasi:sockets: any address, TCP and UDP
 *     -S allow-ip-name-lookup[=y|n]  wasi:sockets/ip-name-lookup
 *     -S tcp[=y|n], -S udp[=y|n]     TCP / UDP sockets, whatever
 *                              inherit-network says (cfg->network)
 * Both `--opt value` and `--opt=value` work.  opts[0..n) are parsed; a
 * non-option stops parsing and *consumed tells how many entries were used.
 * Environment entries are appended to cfg->env in command-line order (a
 * later duplicate NAME wins in the guest's libc, as with wasmtime).  Arrays
 * and strings are malloc'd and live until exit (hosts parse once).
 * Returns 0, or -1 with a one-line message in err. */
int wasmaot_wasi_config_parse(wasmaot_wasi_config *cfg, int n, const char *const *opts,
                              int *consumed, char *err, size_t errlen);

/* A NULL-terminated option list baked into an executable by the compiler
 * driver (`wasmaot compile --dir ...`), same syntax as
 * wasmaot_wasi_config_parse.  Weak: absent = nothing granted. */
extern const char *const wasmaot_wasi_baked_options[] __attribute__((weak));

/* Environment variable holding run-time grants for an executable, in the
 * same syntax (whitespace-separated): WASMAOT_WASI_OPTIONS="--dir d::/d".
 * Read after the baked options; never passed on to the program, even with
 * --inherit-env. */
#define WASMAOT_WASI_OPTIONS_ENV "WASMAOT_WASI_OPTIONS"
#endif

/* =============================== context ================================ */

/* Resource kinds of the 0.2 table (wasmaot_wasi_p2.h). */
enum {
    WASMAOT_WASI_RES_FREE = 0,
    WASMAOT_WASI_RES_INPUT_STREAM,
    WASMAOT_WASI_RES_OUTPUT_STREAM,
    WASMAOT_WASI_RES_DESCRIPTOR,
    WASMAOT_WASI_RES_DIR_STREAM,
    WASMAOT_WASI_RES_POLLABLE,
    WASMAOT_WASI_RES_TERMINAL_INPUT,
    WASMAOT_WASI_RES_TERMINAL_OUTPUT,
    WASMAOT_WASI_RES_ERROR
};

/* One resource.  Private to the shim; in the header only so that a ctx can
 * be a static object on bare metal. */
typedef struct wasmaot_wasi_resource {
    uint8_t kind;      /* WASMAOT_WASI_RES_* */
    uint8_t sub;       /* stream: WASMAOT_WASI_STREAM_*; pollable: WASMAOT_WASI_POLL_* */
    uint8_t closed;    /* stream reached EOF / failed */
    uint8_t read_only; /* descriptor: opened beneath a read-only preopen */
    uint32_t flags;    /* descriptor: descriptor-flags; error: p2 error code */
    int64_t host;      /* descriptor: host fd; stdio stream: host fd; dir stream: index */
    uint64_t offset;   /* file stream position; pollable: monotonic deadline */
    uint32_t target;   /* file stream / dir stream / pollable: resource it refers to */
    void *state;       /* dir stream: platform iterator */
} wasmaot_wasi_resource;

enum { WASMAOT_WASI_FD_FREE = 0, WASMAOT_WASI_FD_STDIN, WASMAOT_WASI_FD_STDOUT, WASMAOT_WASI_FD_STDERR,
       WASMAOT_WASI_FD_DIR, WASMAOT_WASI_FD_FILE };

/* One preview1 descriptor (wasmtime's p1 `Descriptor`).  Private. */
typedef struct wasmaot_wasi_fd {
    uint8_t kind;        /* WASMAOT_WASI_FD_* */
    uint8_t append;      /* fdflags APPEND */
    uint8_t nonblock;    /* fdflags NONBLOCK (reported only, like wasmtime) */
    uint8_t isatty;      /* stdio: terminal? (filetype CHARACTER_DEVICE) */
    int32_t preopen;     /* index into config preopens, -1 if not a preopen */
    uint32_t res;        /* 0.2 resource: stream (stdio) or descriptor */
    uint64_t position;   /* files: current offset */
} wasmaot_wasi_fd;

typedef struct wasmaot_wasi_ctx {
    const wasmaot_wasi_config *cfg;
    wasmaot_memory *memory;                  /* guest memory 0, after bind */
    wasmaot_memory *const *memory_slot;      /* or: the instance's memory pointer slot,
                                                read at each call (bound before
                                                instantiation: start functions) */
    uint32_t n_fds;                          /* 1 + highest fd in use (0 if none) */
    int initialized;
    uint64_t insecure_state[2];              /* xorshift128+ for wasi:random/insecure */
    uint64_t insecure_seed[2];
    char error[160];                         /* last wasmaot_wasi_init failure */
    wasmaot_wasi_resource res[WASMAOT_WASI_MAX_RESOURCES]; /* index 0 unused: handle 0 = none */
    wasmaot_wasi_fd fds[WASMAOT_WASI_MAX_FDS];
    uint8_t fd_freed[WASMAOT_WASI_MAX_FDS];  /* wasmtime's `free` set: closed fds reused highest first */
} wasmaot_wasi_ctx;

/* Set up ctx from cfg: stdio streams as fds 0-2, then every preopen (opened
 * now, as directories) as fds 3, 4, ...  Returns 0, or -1 with a message in
 * wasmaot_wasi_error(ctx) (e.g. a preopen that is not a directory; too many
 * preopens for WASMAOT_WASI_MAX_FDS). */
int wasmaot_wasi_init(wasmaot_wasi_ctx *ctx, const wasmaot_wasi_config *cfg);

/* The message of the last failed wasmaot_wasi_init ("" if none). */
const char *wasmaot_wasi_error(const wasmaot_wasi_ctx *ctx);

/* Close every host descriptor the ctx owns (not the stdio it was given). */
void wasmaot_wasi_destroy(wasmaot_wasi_ctx *ctx);

/* Bind the guest's memory (the instance's exported "memory", after
 * instantiation).  Preview1 functions read pointers from it.  May be called
 * again (another instance). */
void wasmaot_wasi_bind_memory(wasmaot_wasi_ctx *ctx, wasmaot_memory *mem);

/* Bind the guest's memory through the instance's pointer slot for it, which
 * may be done BEFORE instantiation (the slot is filled when the instance
 * creates its memory), so that WASI calls from a start function work.  The
 * slot is read at every call. */
void wasmaot_wasi_bind_memory_slot(wasmaot_wasi_ctx *ctx, wasmaot_memory *const *slot);

/* Import resolution.  module "wasi_snapshot_preview1" (and, for old
 * binaries, "wasi_unstable" is NOT supported: -1).  On success fills *out
 * with {func, wasmaot_rt_intern_signature(signature), ctx} and returns 0;
 * returns -1 if the name is unknown or `signature` is not exactly the
 * function's canonical signature (wasmaot_rt.h section 4), or if the
 * signature registry is full. */
int wasmaot_wasi_resolve(wasmaot_wasi_ctx *ctx, const char *module, const char *name,
                         const char *signature, wasmaot_funcref *out);

/* The canonical signature of preview1 function `name`, or NULL. */
const char *wasmaot_wasi_p1_signature(const char *name);

/* Number of preview1 functions the shim provides, and the i-th name (for
 * tests and `wasmaot inspect`-style listings). */
uint32_t wasmaot_wasi_p1_count(void);
const char *wasmaot_wasi_p1_name(uint32_t i);

#if WASMAOT_PLATFORM_POSIX
/* The process-wide ctx used by the wasmaot_host_module glue
 * (wasmaot_host_wasi_snapshot_preview1, host/wasi_host_module.c): on first
 * use it is configured from wasmaot_rt_argc/wasmaot_rt_argv (the program's
 * arguments) plus wasmaot_wasi_baked_options, with stdio 0/1/2.  A bad baked
 * option or preopen prints "wasmaot: <message>" and exits 1.  Hosts that
 * want another configuration call wasmaot_wasi_set_default_config() before
 * resolving imports. */
wasmaot_wasi_ctx *wasmaot_wasi_default_ctx(void);
void wasmaot_wasi_set_default_config(const wasmaot_wasi_config *cfg);
#endif

#if WASMAOT_PLATFORM_BAREMETAL
/* ========================= bare-metal embedder hooks =====================
 * Defined by the embedder (no weak defaults for the required ones: a missing
 * clock or entropy source must be a link error, not silently wrong).
 *
 * REQUIRED:
 *   wasmaot_wasi_embedder_write   guest output: stream 1 = stdout, 2 = stderr.
 *                                 Returns bytes accepted (<= len), or -1 on
 *                                 error (the guest sees EIO).
 *   wasmaot_wasi_embedder_monotonic_ns  monotonic nanoseconds (any epoch).
 *   wasmaot_wasi_embedder_wall_ns wall-clock nanoseconds since 1970 (return
 *                                 0 if unknown).
 *   wasmaot_wasi_embedder_random  fill buf with CRYPTOGRAPHIC randomness
 *                                 (TRNG); 0, or -1 if unavailable (the guest
 *                                 then traps: WASI has no error for it).
 *   wasmaot_wasi_embedder_exit    proc_exit; must not return.
 * OPTIONAL (weak defaults in platform/baremetal/baremetal.c):
 *   wasmaot_wasi_embedder_read    guest stdin; bytes read, 0 = EOF (default:
 *                                 always EOF), -1 = error.
 *   wasmaot_wasi_embedder_sleep_until  wait until monotonic_ns() >= deadline
 *                                 (default: busy-wait on the clock).
 *   wasmaot_wasi_embedder_clock_resolution_ns  (default 1).
 */
long wasmaot_wasi_embedder_write(int stream, const uint8_t *buf, size_t len);
uint64_t wasmaot_wasi_embedder_monotonic_ns(void);
uint64_t wasmaot_wasi_embedder_wall_ns(void);
int wasmaot_wasi_embedder_random(uint8_t *buf, size_t len);
WASMAOT_NORETURN void wasmaot_wasi_embedder_exit(int code);
long wasmaot_wasi_embedder_read(uint8_t *buf, size_t len);
void wasmaot_wasi_embedder_sleep_until(uint64_t deadline_ns);
uint64_t wasmaot_wasi_embedder_clock_resolution_ns(void);
#endif

#ifdef __cplusplus
}
#endif
#endif /* WASMAOT_WASI_H */
