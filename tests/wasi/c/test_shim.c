/*
 * Native unit tests of the WASI shim: preview1 functions called directly,
 * the way generated code calls them (ctx first), against a fake guest
 * memory (wasmaot_memory_attach on a static buffer, EXPLICIT bounds mode).
 *
 *   test_shim --list                 names of all cases
 *   test_shim CASE DIR [ARGS...]     run one case; DIR is a scratch
 *                                    directory (the tests preopen DIR/root
 *                                    and keep DIR/outside as the target of
 *                                    escape attempts)
 * A case prints "ok" and exits 0, or prints "FAIL file:line: ..." and
 * exits 1.  Cases about exit codes and traps end the process on purpose;
 * pytest checks their status (tests/wasi/test_shim.py).
 */
#define _GNU_SOURCE 1
#include "wasmaot_wasi.h"
#include "wasmaot_wasi_p2.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* preview1 entry points (the shim does not export a header for them:
 * generated code reaches them through wasmaot_wasi_resolve). */
#define P1(name, ...) int32_t wasmaot_p1_##name(void *, __VA_ARGS__)
P1(args_get, int32_t, int32_t); P1(args_sizes_get, int32_t, int32_t);
P1(environ_get, int32_t, int32_t); P1(environ_sizes_get, int32_t, int32_t);
P1(clock_res_get, int32_t, int32_t); P1(clock_time_get, int32_t, int64_t, int32_t);
P1(fd_advise, int32_t, int64_t, int64_t, int32_t); P1(fd_allocate, int32_t, int64_t, int64_t);
P1(fd_close, int32_t); P1(fd_datasync, int32_t); P1(fd_sync, int32_t);
P1(fd_fdstat_get, int32_t, int32_t); P1(fd_fdstat_set_flags, int32_t, int32_t);
P1(fd_fdstat_set_rights, int32_t, int64_t, int64_t);
P1(fd_filestat_get, int32_t, int32_t); P1(fd_filestat_set_size, int32_t, int64_t);
P1(fd_filestat_set_times, int32_t, int64_t, int64_t, int32_t);
P1(fd_pread, int32_t, int32_t, int32_t, int64_t, int32_t); P1(fd_pwrite, int32_t, int32_t, int32_t, int64_t, int32_t);
P1(fd_read, int32_t, int32_t, int32_t, int32_t); P1(fd_write, int32_t, int32_t, int32_t, int32_t);
P1(fd_prestat_get, int32_t, int32_t); P1(fd_prestat_dir_name, int32_t, int32_t, int32_t);
P1(fd_readdir, int32_t, int32_t, int32_t, int64_t, int32_t); P1(fd_renumber, int32_t, int32_t);
P1(fd_seek, int32_t, int64_t, int32_t, int32_t); P1(fd_tell, int32_t, int32_t);
P1(path_create_directory, int32_t, int32_t, int32_t);
P1(path_filestat_get, int32_t, int32_t, int32_t, int32_t, int32_t);
P1(path_filestat_set_times, int32_t, int32_t, int32_t, int32_t, int64_t, int64_t, int32_t);
P1(path_link, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t);
P1(path_open, int32_t, int32_t, int32_t, int32_t, int32_t, int64_t, int64_t, int32_t, int32_t);
P1(path_readlink, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t);
P1(path_remove_directory, int32_t, int32_t, int32_t);
P1(path_rename, int32_t, int32_t, int32_t, int32_t, int32_t, int32_t);
P1(path_symlink, int32_t, int32_t, int32_t, int32_t, int32_t);
P1(path_unlink_file, int32_t, int32_t, int32_t);
P1(poll_oneoff, int32_t, int32_t, int32_t, int32_t); P1(proc_raise, int32_t);
P1(random_get, int32_t, int32_t); P1(sock_accept, int32_t, int32_t, int32_t);
P1(sock_shutdown, int32_t, int32_t);
int32_t wasmaot_p1_sched_yield(void *);
void wasmaot_p1_proc_exit(void *, int32_t);

/* errnos */
enum { OK = 0, EBADF_ = 8, EEXIST_ = 20, EILSEQ_ = 25, EINTR_ = 27, EINVAL_ = 28, EISDIR_ = 31, ELOOP_ = 32,
       ENAMETOOLONG_ = 37, ENOENT_ = 44, ENOTDIR_ = 54, ENOTEMPTY_ = 55, ENOTSOCK_ = 57, ENOTSUP_ = 58, EPERM_ = 63,
       ESPIPE_ = 70 };
#define RIGHTS_RW ((1ll << 1) | (1ll << 6)) /* FD_READ | FD_WRITE */
#define RIGHTS_R (1ll << 1)

/* ------------------------------------------------------------ harness */

static const char *g_case;
#define FAIL(...)                                                                            \
    do {                                                                                     \
        printf("FAIL %s:%d [%s]: ", __FILE__, __LINE__, g_case);                             \
        printf(__VA_ARGS__);                                                                 \
        printf("\n");                                                                        \
        fflush(stdout);                                                                      \
        exit(1);                                                                             \
    } while (0)
#define CHECK(c) do { if (!(c)) FAIL("%s", #c); } while (0)
#define EQ(a, b)                                                                                    \
    do {                                                                                            \
        long long a_ = (long long)(a), b_ = (long long)(b);                                         \
        if (a_ != b_) FAIL("%s == %lld, expected %s == %lld", #a, a_, #b, b_);                      \
    } while (0)

static _Alignas(65536) uint8_t guest_buf[2 * 65536];
static wasmaot_memory mem;
static wasmaot_wasi_ctx ctx;
static wasmaot_wasi_config cfg;
static wasmaot_wasi_preopen preopens[4];
static char dir[4096], root[4200], outside[4200];
static uint32_t heap = 1024; /* bump allocator in guest memory */

static uint8_t *G(uint32_t a) { return mem.base + a; }
static uint32_t galloc(uint32_t n) {
    heap = (heap + 7u) & ~7u;
    uint32_t a = heap;
    heap += n;
    if (heap > 65536) FAIL("guest heap exhausted");
    memset(G(a), 0, n);
    return a;
}
static uint32_t gstr(const char *s) {
    uint32_t a = galloc((uint32_t)strlen(s) + 1);
    memcpy(G(a), s, strlen(s) + 1);
    return a;
}
static uint32_t u32at(uint32_t a) { uint32_t v; memcpy(&v, G(a), 4); return v; }
static uint64_t u64at(uint32_t a) { uint64_t v; memcpy(&v, G(a), 8); return v; }

static void host_write(const char *path, const char *data) {
    FILE *f = fopen(path, "wb");
    if (!f) FAIL("cannot create %s", path);
    fputs(data, f);
    fclose(f);
}

static char *host_read(const char *path) {
    static char buf[65536];
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

/* The standard setup: DIR/root (preopened as "/sandbox", fd 3) holds
 * file "hello" ("hello world"), dir "sub" (with "sub/inner"); DIR/outside
 * holds "secret".  ro: the preopen is read-only. */
static void setup(int ro, int with_preopen) {
    snprintf(root, sizeof root, "%s/root", dir);
    snprintf(outside, sizeof outside, "%s/outside", dir);
    mkdir(root, 0777);
    mkdir(outside, 0777);
    char p[4400];
    snprintf(p, sizeof p, "%s/hello", root); host_write(p, "hello world");
    snprintf(p, sizeof p, "%s/sub", root); mkdir(p, 0777);
    snprintf(p, sizeof p, "%s/sub/inner", root); host_write(p, "inner");
    snprintf(p, sizeof p, "%s/secret", outside); host_write(p, "SECRET");
    if (wasmaot_memory_attach(&mem, guest_buf, sizeof guest_buf, 1, 2, WASMAOT_MEMORY_HAS_MAX) != 0)
        FAIL("memory_attach");
    wasmaot_wasi_config_init(&cfg);
    static const char *argv[] = {"prog", "a", "b c"};
    cfg.argc = 3;
    cfg.argv = argv;
    if (with_preopen) {
        preopens[0].host_path = root;
        preopens[0].guest_path = "/sandbox";
        preopens[0].read_only = ro;
        cfg.n_preopens = 1;
        cfg.preopens = preopens;
    }
    if (wasmaot_wasi_init(&ctx, &cfg) != 0) FAIL("init: %s", wasmaot_wasi_error(&ctx));
    wasmaot_wasi_bind_memory(&ctx, &mem);
}

/* path_open relative to fd 3; returns errno, *fd on success. */
static int32_t open3(int32_t dirfd, const char *path, int32_t lookup, int32_t oflags, int64_t rights, int32_t fdflags,
                     int32_t *fd) {
    uint32_t p = gstr(path), out = galloc(4);
    int32_t e = wasmaot_p1_path_open(&ctx, dirfd, lookup, (int32_t)p, (int32_t)strlen(path), oflags, rights, rights,
                                     fdflags, (int32_t)out);
    if (fd) *fd = e ? -1 : (int32_t)u32at(out);
    return e;
}
static int32_t open_r(const char *path) { return open3(3, path, 1, 0, RIGHTS_R, 0, NULL); }

static int32_t write_str(int32_t fd, const char *s, uint32_t *n) {
    uint32_t iov = galloc(8), out = galloc(4), b = gstr(s);
    uint32_t len = (uint32_t)strlen(s);
    memcpy(G(iov), &b, 4);
    memcpy(G(iov + 4), &len, 4);
    int32_t e = wasmaot_p1_fd_write(&ctx, fd, (int32_t)iov, 1, (int32_t)out);
    if (n) *n = u32at(out);
    return e;
}

static int32_t read_to(int32_t fd, char *dst, uint32_t cap, uint32_t *n) {
    uint32_t iov = galloc(8), out = galloc(4), b = galloc(cap);
    memcpy(G(iov), &b, 4);
    memcpy(G(iov + 4), &cap, 4);
    int32_t e = wasmaot_p1_fd_read(&ctx, fd, (int32_t)iov, 1, (int32_t)out);
    *n = e ? 0 : u32at(out);
    memcpy(dst, G(b), *n);
    dst[*n] = 0;
    return e;
}

static int32_t path_op(int32_t (*f)(void *, int32_t, int32_t, int32_t), int32_t fd, const char *path) {
    return f(&ctx, fd, (int32_t)gstr(path), (int32_t)strlen(path));
}

/* Run fn under wasmaot_rt_try and return the trap code (0 = none). */
static void (*g_trap_fn)(void);
static void trampoline(void *a) { (void)a; g_trap_fn(); }
static wasmaot_trap_code trap_of(void (*fn)(void)) {
    g_trap_fn = fn;
    wasmaot_trap_code code = 0;
    wasmaot_rt_try(trampoline, NULL, &code);
    return code;
}

/* -------------------------------------------------------------- cases */

static void t_args(void) {
    setup(0, 0);
    uint32_t c = galloc(4), s = galloc(4);
    EQ(wasmaot_p1_args_sizes_get(&ctx, (int32_t)c, (int32_t)s), OK);
    EQ(u32at(c), 3);
    EQ(u32at(s), 5 + 2 + 4);
    uint32_t argv = galloc(12), buf = galloc(11);
    EQ(wasmaot_p1_args_get(&ctx, (int32_t)argv, (int32_t)buf), OK);
    CHECK(!strcmp((char *)G(u32at(argv)), "prog"));
    CHECK(!strcmp((char *)G(u32at(argv + 4)), "a"));
    CHECK(!strcmp((char *)G(u32at(argv + 8)), "b c"));
    EQ(u32at(argv), buf);
}

static void t_env_none(void) {
    setup(0, 0);
    uint32_t c = galloc(4), s = galloc(4);
    EQ(wasmaot_p1_environ_sizes_get(&ctx, (int32_t)c, (int32_t)s), OK);
    EQ(u32at(c), 0);
    EQ(u32at(s), 0);
}

static void t_env(void) {
    static const char *env[] = {"A=1", "EMPTY=", "NOEQ", "X=y=z"};
    setup(0, 0);
    cfg.envc = 4;
    cfg.env = env;
    uint32_t c = galloc(4), s = galloc(4);
    EQ(wasmaot_p1_environ_sizes_get(&ctx, (int32_t)c, (int32_t)s), OK);
    EQ(u32at(c), 4);
    EQ(u32at(s), 4 + 7 + 6 + 6);
    uint32_t v = galloc(16), buf = galloc(u32at(s));
    EQ(wasmaot_p1_environ_get(&ctx, (int32_t)v, (int32_t)buf), OK);
    CHECK(!strcmp((char *)G(u32at(v)), "A=1"));
    CHECK(!strcmp((char *)G(u32at(v + 4)), "EMPTY="));
    CHECK(!strcmp((char *)G(u32at(v + 8)), "NOEQ="));
    CHECK(!strcmp((char *)G(u32at(v + 12)), "X=y=z"));
}

static void t_env_parse(void) {
    /* wasmaot_wasi_config_parse: wasmtime spellings */
    setenv("WASMAOT_T_INH", "inherited", 1);
    wasmaot_wasi_config c;
    wasmaot_wasi_config_init(&c);
    const char *opts[] = {"--env", "K=V", "--env=L=W", "--env", "WASMAOT_T_INH", "--env", "WASMAOT_T_UNSET",
                          "--dir", "/tmp::/t", "--dir-ro=/::/r", "--dir", "/usr", "prog", "--env", "X=1"};
    int used;
    char err[200];
    EQ(wasmaot_wasi_config_parse(&c, 15, opts, &used, err, sizeof err), 0);
    EQ(used, 12);
    EQ(c.envc, 3);
    CHECK(!strcmp(c.env[0], "K=V") && !strcmp(c.env[1], "L=W") && !strcmp(c.env[2], "WASMAOT_T_INH=inherited"));
    EQ(c.n_preopens, 3);
    CHECK(!strcmp(c.preopens[0].host_path, "/tmp") && !strcmp(c.preopens[0].guest_path, "/t") &&
          !c.preopens[0].read_only);
    CHECK(!strcmp(c.preopens[1].host_path, "/") && !strcmp(c.preopens[1].guest_path, "/r") &&
          c.preopens[1].read_only);
    CHECK(!strcmp(c.preopens[2].host_path, "/usr") && !strcmp(c.preopens[2].guest_path, "/usr"));
    const char *bad[] = {"--frobnicate"};
    EQ(wasmaot_wasi_config_parse(&c, 1, bad, &used, err, sizeof err), -1);
    CHECK(strstr(err, "--frobnicate"));
    const char *bad2[] = {"--dir"};
    EQ(wasmaot_wasi_config_parse(&c, 1, bad2, &used, err, sizeof err), -1);
    wasmaot_wasi_config_init(&c);
    const char *inh[] = {"-S", "inherit-env"};
    EQ(wasmaot_wasi_config_parse(&c, 2, inh, &used, err, sizeof err), 0);
    CHECK(c.envc > 0);
    int found = 0;
    for (uint32_t i = 0; i < c.envc; i++) found |= !strcmp(c.env[i], "WASMAOT_T_INH=inherited");
    CHECK(found);
}

static void t_clocks(void) {
    setup(0, 0);
    uint32_t t = galloc(8);
    EQ(wasmaot_p1_clock_res_get(&ctx, 0, (int32_t)t), OK);
    CHECK(u64at(t) > 0 && u64at(t) <= 1000000000ull);
    EQ(wasmaot_p1_clock_res_get(&ctx, 1, (int32_t)t), OK);
    CHECK(u64at(t) > 0);
    EQ(wasmaot_p1_clock_res_get(&ctx, 2, (int32_t)t), EBADF_);
    EQ(wasmaot_p1_clock_time_get(&ctx, 3, 0, (int32_t)t), EBADF_);
    EQ(wasmaot_p1_clock_time_get(&ctx, 0, 1, (int32_t)t), OK);
    uint64_t now = (uint64_t)time(NULL) * 1000000000ull;
    CHECK(u64at(t) + 5000000000ull > now && u64at(t) < now + 5000000000ull);
    EQ(wasmaot_p1_clock_time_get(&ctx, 1, 1, (int32_t)t), OK);
    uint64_t a = u64at(t);
    struct timespec ts = {0, 2000000};
    nanosleep(&ts, NULL);
    EQ(wasmaot_p1_clock_time_get(&ctx, 1, 1, (int32_t)t), OK);
    CHECK(u64at(t) >= a + 2000000);
}

static void bad_clock(void) { uint32_t t = 64; wasmaot_p1_clock_time_get(&ctx, 9, 0, (int32_t)t); }
static void t_clock_bad_id_traps(void) {
    setup(0, 0);
    EQ(trap_of(bad_clock), WASMAOT_TRAP_HOST);
}

static void t_random(void) {
    setup(0, 0);
    uint32_t a = galloc(64), b = galloc(64);
    EQ(wasmaot_p1_random_get(&ctx, (int32_t)a, 64), OK);
    EQ(wasmaot_p1_random_get(&ctx, (int32_t)b, 64), OK);
    CHECK(memcmp(G(a), G(b), 64) != 0);
    int nz = 0;
    for (int i = 0; i < 64; i++) nz += G(a)[i] != 0;
    CHECK(nz > 32);
    EQ(wasmaot_p1_random_get(&ctx, 65536, 0), OK); /* empty at the very end: fine */
    /* wasi:random insecure + seed (0.2 layer) */
    uint64_t lo, hi, lo2, hi2;
    wasmaot_p2_insecure_seed(&ctx, &lo, &hi);
    wasmaot_p2_insecure_seed(&ctx, &lo2, &hi2);
    CHECK(lo == lo2 && hi == hi2 && (lo | hi));
    CHECK(wasmaot_p2_get_insecure_random_u64(&ctx) != wasmaot_p2_get_insecure_random_u64(&ctx));
    CHECK(wasmaot_p2_get_random_u64(&ctx) != wasmaot_p2_get_random_u64(&ctx));
}

static void oob_random(void) { wasmaot_p1_random_get(&ctx, 65530, 7); }
static void oob_iovec(void) { wasmaot_p1_fd_write(&ctx, 1, (int32_t)0xFFFFFFF0u, 4, 64); }
static void oob_buffer(void) {
    uint32_t iov = galloc(8), b = 65000, len = 1000;
    memcpy(G(iov), &b, 4);
    memcpy(G(iov + 4), &len, 4);
    wasmaot_p1_fd_write(&ctx, 1, (int32_t)iov, 1, 64);
}
static void misaligned_result(void) {
    uint32_t iov = galloc(8);
    wasmaot_p1_fd_write(&ctx, 1, (int32_t)iov, 1, 65); /* nwritten at an odd address */
}
static void oob_path(void) { wasmaot_p1_path_open(&ctx, 3, 0, 65530, 100, 0, RIGHTS_R, RIGHTS_R, 0, 64); }
static void unbound_memory(void) {
    wasmaot_wasi_bind_memory(&ctx, NULL);
    wasmaot_p1_args_sizes_get(&ctx, 0, 4);
}
static void t_bad_pointers_trap(void) {
    setup(0, 1);
    EQ(trap_of(oob_random), WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS);
    EQ(trap_of(oob_iovec), WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS);
    EQ(trap_of(oob_buffer), WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS);
    EQ(trap_of(misaligned_result), WASMAOT_TRAP_HOST);
    EQ(trap_of(oob_path), WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS);
    /* a failing call does not touch its result pointer (wasmtime writes
     * results only on success): EBADF, no trap */
    uint32_t iov = galloc(8);
    EQ(wasmaot_p1_fd_write(&ctx, 99, (int32_t)iov, 1, (int32_t)0xFFFFFFF0u), EBADF_);
    EQ(trap_of(unbound_memory), WASMAOT_TRAP_HOST);
}

static void t_stdout_first_iovec(void) {
    setup(0, 0);
    /* Only the first NON-EMPTY iovec is written (wasmtime). */
    uint32_t iov = galloc(24), out = galloc(4);
    uint32_t e = gstr(""), a = gstr("first\n"), b = gstr("second\n");
    uint32_t l0 = 0, la = 6, lb = 7;
    memcpy(G(iov), &e, 4); memcpy(G(iov + 4), &l0, 4);
    memcpy(G(iov + 8), &a, 4); memcpy(G(iov + 12), &la, 4);
    memcpy(G(iov + 16), &b, 4); memcpy(G(iov + 20), &lb, 4);
    EQ(wasmaot_p1_fd_write(&ctx, 1, (int32_t)iov, 3, (int32_t)out), OK);
    EQ(u32at(out), 6);
    EQ(wasmaot_p1_fd_write(&ctx, 2, (int32_t)iov, 1, (int32_t)out), OK); /* all empty */
    EQ(u32at(out), 0);
    EQ(write_str(2, "to stderr\n", NULL), OK);
    EQ(write_str(0, "x", NULL), EBADF_);   /* stdin is not writable */
    EQ(write_str(77, "x", NULL), EBADF_);
    uint32_t off = galloc(8);
    EQ(wasmaot_p1_fd_seek(&ctx, 1, 0, 0, (int32_t)off), ESPIPE_);
    EQ(wasmaot_p1_fd_tell(&ctx, 0, (int32_t)off), ESPIPE_);
    EQ(wasmaot_p1_fd_pwrite(&ctx, 1, (int32_t)iov, 3, 0, (int32_t)out), ESPIPE_);
    EQ(wasmaot_p1_fd_pread(&ctx, 0, (int32_t)iov, 3, 0, (int32_t)out), ESPIPE_);
}

static void t_stdin_echo(void) {
    /* pytest pipes data into stdin; echo it back through the shim */
    setup(0, 0);
    char buf[1000];
    uint32_t n;
    size_t total = 0;
    for (;;) {
        EQ(read_to(0, buf, 7, &n), OK); /* small reads: several calls */
        if (n == 0) break;
        total += n;
        EQ(write_str(1, buf, NULL), OK);
    }
    EQ(read_to(0, buf, 7, &n), OK); /* EOF stays EOF */
    EQ(n, 0);
    char none[1];
    uint32_t iov = galloc(8), out = galloc(4);
    (void)none;
    EQ(wasmaot_p1_fd_read(&ctx, 0, (int32_t)iov, 1, (int32_t)out), EINTR_); /* empty read (wasmtime) */
    EQ(read_to(1, buf, 7, &n), EBADF_);
    fprintf(stderr, "read %zu bytes\n", total);
}

static void t_stdin_null(void) {
    /* stdin not granted: EOF at once; stdout not granted: discarded */
    setup(0, 0);
    wasmaot_wasi_destroy(&ctx);
    cfg.stdin_fd = -1;
    cfg.stdout_fd = -1;
    EQ(wasmaot_wasi_init(&ctx, &cfg), 0);
    wasmaot_wasi_bind_memory(&ctx, &mem);
    char buf[16];
    uint32_t n;
    EQ(read_to(0, buf, 8, &n), OK);
    EQ(n, 0);
    EQ(write_str(1, "invisible\n", &n), OK);
    EQ(n, 10);
}

static void t_exit_code(void) {
    setup(0, 0);
    write_str(1, "before exit\n", NULL);
    wasmaot_p1_proc_exit(&ctx, 3);
    FAIL("proc_exit returned");
}

static void t_exit_invalid(void) {
    setup(0, 0);
    wasmaot_p1_proc_exit(&ctx, 200);
    FAIL("proc_exit returned");
}

static int hook_code = -1;
static void exit_hook(void *user, int code) {
    hook_code = code;
    printf("hook %d %s\n", code, (const char *)user);
    fflush(stdout);
    _exit(0); /* an embedder would longjmp back into its own code */
}
static void t_exit_hook(void) {
    setup(0, 0);
    cfg.exit_hook = exit_hook;
    cfg.exit_user = "user";
    wasmaot_p1_proc_exit(&ctx, 42);
    FAIL("proc_exit returned");
}

static void t_fdstat(void) {
    setup(0, 1);
    uint32_t st = galloc(24);
    EQ(wasmaot_p1_fd_fdstat_get(&ctx, 0, (int32_t)st), OK);
    EQ(u64at(st + 8), 2);
    EQ(wasmaot_p1_fd_fdstat_get(&ctx, 1, (int32_t)st), OK);
    EQ(G(st)[0], 0); /* a pipe, not a terminal: UNKNOWN */
    EQ(u64at(st + 8), 0x40);
    EQ(wasmaot_p1_fd_fdstat_get(&ctx, 3, (int32_t)st), OK);
    EQ(G(st)[0], 3);
    EQ(u64at(st + 8), 0x7b7fe00);   /* wasmtime's hard-coded preopen rights */
    EQ(u64at(st + 16), 0xff7ffff);
    EQ(wasmaot_p1_fd_fdstat_get(&ctx, 4, (int32_t)st), EBADF_);
    int32_t fd;
    EQ(open3(3, "hello", 1, 0, RIGHTS_R, 0, &fd), OK);
    EQ(wasmaot_p1_fd_fdstat_get(&ctx, fd, (int32_t)st), OK);
    EQ(G(st)[0], 4);
    EQ(u64at(st + 8), ((1ll << 30) - 1) & ~(1ll << 6));
    EQ(wasmaot_p1_fd_fdstat_set_flags(&ctx, fd, 1), OK);
    EQ(wasmaot_p1_fd_fdstat_get(&ctx, fd, (int32_t)st), OK);
    EQ(G(st)[2], 1);
    EQ(wasmaot_p1_fd_fdstat_set_flags(&ctx, fd, 2), EINVAL_); /* DSYNC cannot be changed */
    EQ(wasmaot_p1_fd_fdstat_set_flags(&ctx, 1, 1), EBADF_);   /* only files */
    EQ(wasmaot_p1_fd_fdstat_set_rights(&ctx, fd, 0, 0), ENOTSUP_);
    EQ(wasmaot_p1_fd_fdstat_set_rights(&ctx, 1, 0, 0), EBADF_);
    int32_t dfd;
    EQ(open3(3, "sub", 1, 2, RIGHTS_R, 0, &dfd), OK);
    EQ(wasmaot_p1_fd_fdstat_get(&ctx, dfd, (int32_t)st), OK);
    EQ(G(st)[0], 3);
    CHECK(!(u64at(st + 8) & (1ll << 2))); /* no FD_SEEK on directories */
}

static void t_prestat(void) {
    setup(0, 1);
    uint32_t ps = galloc(8), name = galloc(32);
    EQ(wasmaot_p1_fd_prestat_get(&ctx, 3, (int32_t)ps), OK);
    EQ(G(ps)[0], 0);
    EQ(u32at(ps + 4), 8);
    EQ(wasmaot_p1_fd_prestat_dir_name(&ctx, 3, (int32_t)name, 8), OK);
    CHECK(!memcmp(G(name), "/sandbox", 8));
    EQ(wasmaot_p1_fd_prestat_dir_name(&ctx, 3, (int32_t)name, 7), ENAMETOOLONG_);
    EQ(wasmaot_p1_fd_prestat_get(&ctx, 0, (int32_t)ps), EBADF_);
    EQ(wasmaot_p1_fd_prestat_get(&ctx, 4, (int32_t)ps), EBADF_);
    EQ(wasmaot_p1_fd_prestat_dir_name(&ctx, 1, (int32_t)name, 8), ENOTDIR_);
    EQ(wasmaot_p1_fd_prestat_dir_name(&ctx, 9, (int32_t)name, 8), EBADF_);
    int32_t dfd;
    EQ(open3(3, "sub", 1, 2, RIGHTS_R, 0, &dfd), OK);
    EQ(wasmaot_p1_fd_prestat_get(&ctx, dfd, (int32_t)ps), EBADF_); /* opened, not preopened */
}

static void t_no_grants(void) {
    /* nothing granted: no fd 3, every path call EBADF */
    setup(0, 0);
    uint32_t ps = galloc(8);
    EQ(wasmaot_p1_fd_prestat_get(&ctx, 3, (int32_t)ps), EBADF_);
    EQ(open3(3, "hello", 1, 0, RIGHTS_R, 0, NULL), EBADF_);
    EQ(path_op(wasmaot_p1_path_create_directory, 3, "x"), EBADF_);
    EQ(open3(1, "hello", 1, 0, RIGHTS_R, 0, NULL), EBADF_);
}

static void t_file_io(void) {
    setup(0, 1);
    int32_t fd;
    EQ(open3(3, "new.txt", 1, 1 | 4, RIGHTS_RW, 0, &fd), OK);
    EQ(fd, 4);
    uint32_t n;
    EQ(write_str(fd, "0123456789", &n), OK);
    EQ(n, 10);
    uint32_t pos = galloc(8);
    EQ(wasmaot_p1_fd_tell(&ctx, fd, (int32_t)pos), OK);
    EQ(u64at(pos), 10);
    EQ(wasmaot_p1_fd_seek(&ctx, fd, 2, 0, (int32_t)pos), OK);
    EQ(u64at(pos), 2);
    char buf[64];
    EQ(read_to(fd, buf, 3, &n), OK);
    CHECK(!strcmp(buf, "234"));
    EQ(wasmaot_p1_fd_seek(&ctx, fd, -1, 1, (int32_t)pos), OK);
    EQ(u64at(pos), 4);
    EQ(wasmaot_p1_fd_seek(&ctx, fd, -3, 2, (int32_t)pos), OK);
    EQ(u64at(pos), 7);
    EQ(wasmaot_p1_fd_seek(&ctx, fd, -8, 1, (int32_t)pos), EINVAL_);
    EQ(wasmaot_p1_fd_seek(&ctx, fd, -1, 0, (int32_t)pos), EINVAL_);
    EQ(wasmaot_p1_fd_seek(&ctx, fd, 100, 0, (int32_t)pos), OK); /* past the end is fine */
    EQ(read_to(fd, buf, 3, &n), OK);
    EQ(n, 0);
    /* pread/pwrite do not move the position */
    uint32_t iov = galloc(8), out = galloc(4), b = gstr("AB");
    uint32_t two = 2;
    memcpy(G(iov), &b, 4); memcpy(G(iov + 4), &two, 4);
    EQ(wasmaot_p1_fd_pwrite(&ctx, fd, (int32_t)iov, 1, 0, (int32_t)out), OK);
    EQ(u32at(out), 2);
    EQ(wasmaot_p1_fd_pread(&ctx, fd, (int32_t)iov, 1, 8, (int32_t)out), OK);
    CHECK(!memcmp(G(b), "89", 2));
    EQ(wasmaot_p1_fd_tell(&ctx, fd, (int32_t)pos), OK);
    EQ(u64at(pos), 100); /* the read at 100 returned 0 bytes */
    /* filestat, set_size */
    uint32_t fs = galloc(64);
    EQ(wasmaot_p1_fd_filestat_get(&ctx, fd, (int32_t)fs), OK);
    EQ(u64at(fs), 1);       /* dev, as wasmtime */
    EQ(G(fs)[16], 4);       /* regular file */
    EQ(u64at(fs + 32), 10); /* size */
    EQ(wasmaot_p1_fd_filestat_set_size(&ctx, fd, 4), OK);
    EQ(wasmaot_p1_fd_filestat_get(&ctx, fd, (int32_t)fs), OK);
    EQ(u64at(fs + 32), 4);
    EQ(wasmaot_p1_fd_filestat_set_times(&ctx, fd, 1000000000ll * 1000, 1000000000ll * 2000, 1 | 4), OK);
    EQ(wasmaot_p1_fd_filestat_get(&ctx, fd, (int32_t)fs), OK);
    EQ(u64at(fs + 48), 2000000000000ull);
    EQ(wasmaot_p1_fd_filestat_set_times(&ctx, fd, 0, 0, 1 | 2), EINVAL_); /* ATIM and ATIM_NOW */
    EQ(wasmaot_p1_fd_sync(&ctx, fd), OK);
    EQ(wasmaot_p1_fd_datasync(&ctx, fd), OK);
    EQ(wasmaot_p1_fd_advise(&ctx, fd, 0, 4, 1), OK);
    EQ(wasmaot_p1_fd_allocate(&ctx, fd, 0, 4), ENOTSUP_);
    EQ(wasmaot_p1_fd_sync(&ctx, 3), EBADF_); /* files only, like wasmtime */
    /* append mode: writes go to the end, position follows */
    EQ(wasmaot_p1_fd_fdstat_set_flags(&ctx, fd, 1), OK);
    EQ(wasmaot_p1_fd_seek(&ctx, fd, 0, 0, (int32_t)pos), OK);
    EQ(write_str(fd, "xyz", &n), OK);
    EQ(wasmaot_p1_fd_tell(&ctx, fd, (int32_t)pos), OK);
    EQ(u64at(pos), 7);
    EQ(wasmaot_p1_fd_close(&ctx, fd), OK);
    char p[4400];
    snprintf(p, sizeof p, "%s/new.txt", root);
    CHECK(!strcmp(host_read(p), "AB23xyz"));
    EQ(wasmaot_p1_fd_close(&ctx, fd), EBADF_);
    EQ(read_to(fd, buf, 3, &n), EBADF_);
    /* read-only fd refuses writes with EBADF (the OS answer wasmtime passes on) */
    EQ(open3(3, "hello", 1, 0, RIGHTS_R, 0, &fd), OK);
    EQ(write_str(fd, "no", &n), EBADF_);
    EQ(read_to(fd, buf, 64, &n), OK);
    CHECK(!strcmp(buf, "hello world"));
    /* O_TRUNC */
    EQ(open3(3, "new.txt", 1, 8, RIGHTS_RW, 0, NULL), OK);
    CHECK(!strcmp(host_read(p), ""));
}

static void t_fd_numbers(void) {
    setup(0, 1);
    int32_t a, b, c, d;
    EQ(open_r("hello"), OK);
    EQ(open3(3, "hello", 1, 0, RIGHTS_R, 0, &a), OK);
    EQ(a, 5);
    EQ(open3(3, "hello", 1, 0, RIGHTS_R, 0, &b), OK);
    EQ(open3(3, "hello", 1, 0, RIGHTS_R, 0, &c), OK);
    EQ(wasmaot_p1_fd_close(&ctx, 4), OK);
    EQ(wasmaot_p1_fd_close(&ctx, b), OK);
    EQ(open3(3, "hello", 1, 0, RIGHTS_R, 0, &d), OK);
    EQ(d, b); /* the highest closed number first (wasmtime's BTreeSet::pop_last) */
    EQ(open3(3, "hello", 1, 0, RIGHTS_R, 0, &d), OK);
    EQ(d, 4);
    EQ(open3(3, "hello", 1, 0, RIGHTS_R, 0, &d), OK);
    EQ(d, c + 1);
    /* renumber */
    EQ(wasmaot_p1_fd_renumber(&ctx, c, 99), EBADF_);
    EQ(wasmaot_p1_fd_renumber(&ctx, 99, c), EBADF_);
    EQ(wasmaot_p1_fd_renumber(&ctx, d, a), OK);
    EQ(wasmaot_p1_fd_close(&ctx, d), EBADF_);
    uint32_t pos = galloc(8);
    EQ(wasmaot_p1_fd_tell(&ctx, a, (int32_t)pos), OK);
    EQ(wasmaot_p1_fd_renumber(&ctx, a, a), OK);
    /* closing a preopen is allowed */
    EQ(wasmaot_p1_fd_close(&ctx, 3), OK);
    EQ(open_r("hello"), EBADF_);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void t_dirs(void) {
    setup(0, 1);
    EQ(path_op(wasmaot_p1_path_create_directory, 3, "d"), OK);
    EQ(path_op(wasmaot_p1_path_create_directory, 3, "d"), EEXIST_);
    EQ(path_op(wasmaot_p1_path_create_directory, 3, "d/e"), OK);
    EQ(path_op(wasmaot_p1_path_create_directory, 3, "nope/e"), ENOENT_);
    EQ(path_op(wasmaot_p1_path_remove_directory, 3, "d"), ENOTEMPTY_);
    EQ(path_op(wasmaot_p1_path_remove_directory, 3, "d/e"), OK);
    EQ(path_op(wasmaot_p1_path_remove_directory, 3, "hello"), ENOTDIR_);
    EQ(path_op(wasmaot_p1_path_unlink_file, 3, "d"), EISDIR_);
    EQ(path_op(wasmaot_p1_path_unlink_file, 3, "hello/"), ENOTDIR_);
    /* readdir: ".", "..", then entries; cookies are indices */
    int32_t dfd;
    EQ(open3(3, ".", 1, 2, RIGHTS_R, 0, &dfd), OK);
    uint32_t buf = galloc(4096), used = galloc(4);
    EQ(wasmaot_p1_fd_readdir(&ctx, dfd, (int32_t)buf, 4096, 0, (int32_t)used), OK);
    char *names[16];
    int k = 0;
    for (uint32_t off = 0; off < u32at(used) && k < 16;) {
        uint32_t nl = u32at(buf + off + 16);
        names[k] = strndup((char *)G(buf + off + 24), nl);
        EQ(u64at(buf + off), k + 1); /* d_next */
        k++;
        off += 24 + nl;
    }
    EQ(k, 5);
    CHECK(!strcmp(names[0], ".") && !strcmp(names[1], ".."));
    qsort(names + 2, 3, sizeof names[0], cmp_str);
    CHECK(!strcmp(names[2], "d") && !strcmp(names[3], "hello") && !strcmp(names[4], "sub"));
    /* resume from cookie 4: exactly one entry left */
    EQ(wasmaot_p1_fd_readdir(&ctx, dfd, (int32_t)buf, 4096, 4, (int32_t)used), OK);
    CHECK(u32at(used) >= 25 && u32at(used) <= 24 + 5);
    /* a tiny buffer is filled completely (truncated entry): used == len */
    EQ(wasmaot_p1_fd_readdir(&ctx, dfd, (int32_t)buf, 30, 0, (int32_t)used), OK);
    EQ(u32at(used), 30);
    EQ(wasmaot_p1_fd_readdir(&ctx, 1, (int32_t)buf, 30, 0, (int32_t)used), EBADF_);
    /* rename, symlink, readlink, link, filestat */
    uint32_t a = gstr("hello"), b = gstr("renamed");
    EQ(wasmaot_p1_path_rename(&ctx, 3, (int32_t)a, 5, 3, (int32_t)b, 7), OK);
    EQ(open_r("hello"), ENOENT_);
    EQ(open_r("renamed"), OK);
    uint32_t t = gstr("renamed"), l = gstr("lnk");
    EQ(wasmaot_p1_path_symlink(&ctx, (int32_t)t, 7, 3, (int32_t)l, 3), OK);
    uint32_t rb = galloc(64), rn = galloc(4);
    EQ(wasmaot_p1_path_readlink(&ctx, 3, (int32_t)l, 3, (int32_t)rb, 64, (int32_t)rn), OK);
    EQ(u32at(rn), 7);
    CHECK(!memcmp(G(rb), "renamed", 7));
    EQ(wasmaot_p1_path_readlink(&ctx, 3, (int32_t)l, 3, (int32_t)rb, 3, (int32_t)rn), OK);
    EQ(u32at(rn), 3); /* truncated, like wasmtime */
    EQ(wasmaot_p1_path_readlink(&ctx, 3, (int32_t)t, 7, (int32_t)rb, 64, (int32_t)rn), EINVAL_); /* not a link */
    char buf2[64];
    uint32_t n;
    int32_t fd;
    EQ(open3(3, "lnk", 1, 0, RIGHTS_R, 0, &fd), OK); /* followed */
    EQ(read_to(fd, buf2, 64, &n), OK);
    CHECK(!strcmp(buf2, "hello world"));
    EQ(open3(3, "lnk", 0, 0, RIGHTS_R, 0, NULL), ELOOP_); /* not followed: ELOOP, as wasmtime */
    uint32_t fs = galloc(64);
    uint32_t lp = gstr("lnk");
    EQ(wasmaot_p1_path_filestat_get(&ctx, 3, 0, (int32_t)lp, 3, (int32_t)fs), OK);
    EQ(G(fs)[16], 7); /* symlink */
    EQ(wasmaot_p1_path_filestat_get(&ctx, 3, 1, (int32_t)lp, 3, (int32_t)fs), OK);
    EQ(G(fs)[16], 4);
    EQ(u64at(fs + 32), 11);
    uint32_t h = gstr("hardlink");
    EQ(wasmaot_p1_path_link(&ctx, 3, 0, (int32_t)t, 7, 3, (int32_t)h, 8), OK);
    EQ(wasmaot_p1_path_filestat_get(&ctx, 3, 0, (int32_t)h, 8, (int32_t)fs), OK);
    EQ(u64at(fs + 24), 2); /* nlink */
    EQ(wasmaot_p1_path_filestat_set_times(&ctx, 3, 0, (int32_t)h, 8, 0, 5000000000ll, 4), OK);
    EQ(wasmaot_p1_path_filestat_get(&ctx, 3, 0, (int32_t)h, 8, (int32_t)fs), OK);
    EQ(u64at(fs + 48), 5000000000ull);
    EQ(path_op(wasmaot_p1_path_unlink_file, 3, "hardlink"), OK);
    EQ(path_op(wasmaot_p1_path_unlink_file, 3, "lnk"), OK);
    /* a path relative to a subdirectory fd */
    EQ(open3(3, "sub", 1, 2, RIGHTS_R, 0, &dfd), OK);
    EQ(open3(dfd, "inner", 1, 0, RIGHTS_R, 0, &fd), OK);
    EQ(read_to(fd, buf2, 64, &n), OK);
    CHECK(!strcmp(buf2, "inner"));
    EQ(open3(fd, "x", 1, 0, RIGHTS_R, 0, NULL), ENOTDIR_); /* relative to a file */
}

static void t_open_errors(void) {
    setup(0, 1);
    EQ(open_r("missing"), ENOENT_);
    EQ(open_r(""), ENOENT_);
    EQ(open3(3, "hello", 1, 1 | 4, RIGHTS_RW, 0, NULL), EEXIST_);
    EQ(open3(3, "hello", 1, 2, RIGHTS_R, 0, NULL), ENOTDIR_);
    EQ(open_r("hello/"), ENOTDIR_);
    EQ(open_r("hello/x"), ENOTDIR_);
    EQ(open3(3, "sub", 1, 0, RIGHTS_RW, 0, NULL), EISDIR_);
    EQ(open3(3, "sub", 1, 2 | 1, RIGHTS_RW, 0, NULL), EINVAL_); /* DIRECTORY with CREAT */
    EQ(open3(3, "new", 1, 1, RIGHTS_R, 0, NULL), OK);           /* create without write: allowed (wasmtime 50) */
    EQ(open3(1, "hello", 1, 0, RIGHTS_R, 0, NULL), EBADF_);
    EQ(open3(42, "hello", 1, 0, RIGHTS_R, 0, NULL), EBADF_);
    /* guest strings: invalid UTF-8 -> EILSEQ, embedded NUL -> EINVAL */
    uint32_t p = gstr("\xff\xfe"), out = galloc(4);
    EQ(wasmaot_p1_path_open(&ctx, 3, 1, (int32_t)p, 2, 0, RIGHTS_R, 0, 0, (int32_t)out), EILSEQ_);
    uint32_t q = galloc(8);
    memcpy(G(q), "hello\0x", 7);
    EQ(wasmaot_p1_path_open(&ctx, 3, 1, (int32_t)q, 7, 0, RIGHTS_R, 0, 0, (int32_t)out), EINVAL_);
    char longname[300];
    memset(longname, 'a', 299);
    longname[299] = 0;
    EQ(open_r(longname), ENAMETOOLONG_);
    char *huge = malloc(WASMAOT_WASI_MAX_PATH + 10);
    memset(huge, 'a', WASMAOT_WASI_MAX_PATH + 9);
    for (int i = 1; i < WASMAOT_WASI_MAX_PATH + 9; i += 2) huge[i] = '/';
    huge[WASMAOT_WASI_MAX_PATH + 9] = 0;
    EQ(open_r(huge), ENAMETOOLONG_);
    /* read from a directory fd */
    char buf[8];
    uint32_t n;
    EQ(read_to(3, buf, 4, &n), EBADF_);
    EQ(write_str(3, "x", &n), EBADF_);
    uint32_t pos = galloc(8);
    EQ(wasmaot_p1_fd_seek(&ctx, 3, 0, 0, (int32_t)pos), EBADF_);
    /* sockets do not exist */
    EQ(wasmaot_p1_sock_accept(&ctx, 1, 0, (int32_t)out), ENOTSOCK_);
    EQ(wasmaot_p1_sock_shutdown(&ctx, 50, 0), EBADF_);
    EQ(wasmaot_p1_sched_yield(&ctx), OK);
    EQ(wasmaot_p1_proc_raise(&ctx, 1), ENOTSUP_);
}

static void bad_whence(void) { wasmaot_p1_fd_seek(&ctx, 4, 0, 3, 64); }
static void t_bad_enum_traps(void) {
    setup(0, 1);
    EQ(open_r("hello"), OK);
    EQ(trap_of(bad_whence), WASMAOT_TRAP_HOST);
}

/* ----------------------------------------------------- capability rules */

static void t_escape_dotdot(void) {
    setup(0, 1);
    EQ(open_r(".."), EPERM_);
    EQ(open_r("../outside/secret"), EPERM_);
    EQ(open_r("sub/../../outside/secret"), EPERM_);
    EQ(open_r("sub/../hello"), OK); /* staying inside is fine */
    EQ(open_r("./sub/./../sub/inner"), OK);
    EQ(path_op(wasmaot_p1_path_create_directory, 3, "../newdir"), EPERM_);
    EQ(path_op(wasmaot_p1_path_unlink_file, 3, "../outside/secret"), EPERM_);
    uint32_t fs = galloc(64), p = gstr("../outside/secret");
    EQ(wasmaot_p1_path_filestat_get(&ctx, 3, 1, (int32_t)p, (int32_t)strlen("../outside/secret"), (int32_t)fs),
       EPERM_);
    uint32_t a = gstr("hello"), b = gstr("../outside/stolen");
    EQ(wasmaot_p1_path_rename(&ctx, 3, (int32_t)a, 5, 3, (int32_t)b, 17), EPERM_);
    EQ(wasmaot_p1_path_link(&ctx, 3, 0, (int32_t)p, 17, 3, (int32_t)gstr("l"), 1), EPERM_);
    /* the sandbox root is the DESCRIPTOR: `..` out of a subdirectory fd is
     * refused even though it would stay inside the preopen (cap-std) */
    int32_t dfd;
    EQ(open3(3, "sub", 1, 2, RIGHTS_R, 0, &dfd), OK);
    EQ(open3(dfd, "../hello", 1, 0, RIGHTS_R, 0, NULL), EPERM_);
    char q[4400];
    snprintf(q, sizeof q, "%s/stolen", outside);
    CHECK(access(q, F_OK) != 0);
}

static void t_escape_absolute(void) {
    setup(0, 1);
    EQ(open_r("/etc/passwd"), EPERM_);
    EQ(open_r("/"), EPERM_);
    char p[4400];
    snprintf(p, sizeof p, "%s/secret", outside);
    EQ(open_r(p), EPERM_); /* the host path of an outside file */
    EQ(path_op(wasmaot_p1_path_create_directory, 3, "/tmp/x"), EPERM_);
    /* symlink_at with an absolute target is refused up front */
    uint32_t t = gstr("/etc"), l = gstr("abs");
    EQ(wasmaot_p1_path_symlink(&ctx, (int32_t)t, 4, 3, (int32_t)l, 3), EPERM_);
}

static void t_escape_symlink(void) {
    setup(0, 1);
    char p[4400];
    snprintf(p, sizeof p, "%s/out_rel", root); symlink("../outside", p);
    snprintf(p, sizeof p, "%s/out_abs", root); symlink(outside, p);
    snprintf(p, sizeof p, "%s/secret_link", root); symlink("../outside/secret", p);
    snprintf(p, sizeof p, "%s/sub/up2", root); symlink("../../outside/secret", p);
    snprintf(p, sizeof p, "%s/sub/up1", root); symlink("../hello", p);
    snprintf(p, sizeof p, "%s/chain1", root); symlink("chain2", p);
    snprintf(p, sizeof p, "%s/chain2", root); symlink("sub/up1", p);
    EQ(open_r("out_rel/secret"), EPERM_);
    EQ(open_r("out_abs/secret"), EPERM_);
    EQ(open_r("out_abs"), EPERM_);
    EQ(open_r("secret_link"), EPERM_);
    EQ(open_r("sub/up2"), EPERM_);
    EQ(open3(3, "out_rel/", 1, 2, RIGHTS_R, 0, NULL), EPERM_);
    EQ(path_op(wasmaot_p1_path_create_directory, 3, "out_rel/newdir"), EPERM_);
    EQ(path_op(wasmaot_p1_path_unlink_file, 3, "out_rel/secret"), EPERM_);
    /* a symlink that stays inside works, through chains and `..` */
    int32_t fd;
    EQ(open3(3, "chain1", 1, 0, RIGHTS_R, 0, &fd), OK);
    char buf[64];
    uint32_t n;
    EQ(read_to(fd, buf, 64, &n), OK);
    CHECK(!strcmp(buf, "hello world"));
    /* not following the final link: it is the link itself (unlink is fine) */
    EQ(path_op(wasmaot_p1_path_unlink_file, 3, "secret_link"), OK);
    snprintf(p, sizeof p, "%s/secret", outside);
    CHECK(!strcmp(host_read(p), "SECRET")); /* the target is untouched */
    /* hard link to a symlink's outside target */
    uint32_t src = gstr("out_rel/secret"), dst = gstr("stolen");
    EQ(wasmaot_p1_path_link(&ctx, 3, 1, (int32_t)src, 14, 3, (int32_t)dst, 6), EINVAL_); /* follow: wasmtime says EINVAL */
    EQ(wasmaot_p1_path_link(&ctx, 3, 0, (int32_t)src, 14, 3, (int32_t)dst, 6), EPERM_);
}

static void t_escape_loop(void) {
    setup(0, 1);
    char p[4400];
    snprintf(p, sizeof p, "%s/loop", root); symlink("loop", p);
    snprintf(p, sizeof p, "%s/ping", root); symlink("pong", p);
    snprintf(p, sizeof p, "%s/pong", root); symlink("ping", p);
    snprintf(p, sizeof p, "%s/deep", root); symlink("deep/x", p);
    EQ(open_r("loop"), ELOOP_);
    EQ(open_r("ping"), ELOOP_);
    EQ(open_r("loop/x"), ELOOP_);
    EQ(open_r("deep"), ELOOP_);
    uint32_t fs = galloc(64), q = gstr("ping");
    EQ(wasmaot_p1_path_filestat_get(&ctx, 3, 1, (int32_t)q, 4, (int32_t)fs), ELOOP_);
    EQ(wasmaot_p1_path_filestat_get(&ctx, 3, 0, (int32_t)q, 4, (int32_t)fs), OK); /* the link itself */
}

static void t_escape_readonly(void) {
    setup(1, 1);
    int32_t fd;
    EQ(open3(3, "hello", 1, 0, RIGHTS_R, 0, &fd), OK); /* reading is allowed */
    char buf[64];
    uint32_t n;
    EQ(read_to(fd, buf, 64, &n), OK);
    CHECK(!strcmp(buf, "hello world"));
    EQ(write_str(fd, "x", &n), EBADF_);
    EQ(wasmaot_p1_fd_filestat_set_size(&ctx, fd, 0), EPERM_);
    EQ(wasmaot_p1_fd_filestat_set_times(&ctx, fd, 0, 0, 2), EPERM_);
    EQ(open3(3, "hello", 1, 0, RIGHTS_RW, 0, NULL), EPERM_);
    EQ(open3(3, "new", 1, 1, RIGHTS_RW, 0, NULL), EPERM_);
    EQ(open3(3, "hello", 1, 8, RIGHTS_RW, 0, NULL), EPERM_);
    EQ(open3(3, "missing", 1, 0, RIGHTS_RW, 0, NULL), EPERM_); /* refused before lookup, like wasmtime */
    EQ(path_op(wasmaot_p1_path_create_directory, 3, "d"), EPERM_);
    EQ(path_op(wasmaot_p1_path_remove_directory, 3, "sub"), EPERM_);
    EQ(path_op(wasmaot_p1_path_unlink_file, 3, "hello"), EPERM_);
    uint32_t a = gstr("hello"), b = gstr("moved");
    EQ(wasmaot_p1_path_rename(&ctx, 3, (int32_t)a, 5, 3, (int32_t)b, 5), EPERM_);
    EQ(wasmaot_p1_path_symlink(&ctx, (int32_t)a, 5, 3, (int32_t)b, 5), EPERM_);
    EQ(wasmaot_p1_path_link(&ctx, 3, 0, (int32_t)a, 5, 3, (int32_t)b, 5), EPERM_);
    EQ(wasmaot_p1_path_filestat_set_times(&ctx, 3, 0, (int32_t)a, 5, 0, 0, 2), EPERM_);
    /* subdirectories inherit read-only */
    int32_t dfd;
    EQ(open3(3, "sub", 1, 2, RIGHTS_R, 0, &dfd), OK);
    EQ(path_op(wasmaot_p1_path_unlink_file, dfd, "inner"), EPERM_);
    EQ(open3(dfd, "x", 1, 1, RIGHTS_RW, 0, NULL), EPERM_);
    char p[4400];
    snprintf(p, sizeof p, "%s/hello", root);
    CHECK(!strcmp(host_read(p), "hello world"));
    snprintf(p, sizeof p, "%s/sub/inner", root);
    CHECK(!strcmp(host_read(p), "inner"));
}

/* Race: a thread keeps swapping root/swap between a real directory (with a
 * harmless file) and a symlink to the outside directory, while the guest
 * keeps opening swap/secret.  Every open must either fail or read the
 * inside file; the outside secret must never be readable. */
static volatile int race_stop;
static void *swapper(void *arg) {
    (void)arg;
    char d[4400], l[4400], tmpd[4400], tmpl[4400];
    snprintf(d, sizeof d, "%s/swap", root);
    snprintf(tmpd, sizeof tmpd, "%s/swap_dir", root);
    snprintf(tmpl, sizeof tmpl, "%s/swap_link", root);
    (void)l;
    while (!race_stop) {
        rename(tmpl, d); /* swap := symlink to outside */
        rename(d, tmpl);
        rename(tmpd, d); /* swap := real directory */
        rename(d, tmpd);
    }
    return NULL;
}
static void t_escape_race(void) {
    setup(0, 1);
    char p[4400];
    snprintf(p, sizeof p, "%s/swap_dir", root); mkdir(p, 0777);
    snprintf(p, sizeof p, "%s/swap_dir/secret", root); host_write(p, "inside");
    snprintf(p, sizeof p, "%s/swap_link", root); symlink(outside, p);
    pthread_t th;
    pthread_create(&th, NULL, swapper, NULL);
    int inside = 0, refused = 0;
    for (int i = 0; i < 20000; i++) {
        uint32_t save = heap;
        int32_t fd;
        int32_t e = open3(3, "swap/secret", 1, 0, RIGHTS_R, 0, &fd);
        if (e == OK) {
            char buf[64];
            uint32_t n;
            EQ(read_to(fd, buf, 64, &n), OK);
            if (strcmp(buf, "inside") != 0) { race_stop = 1; FAIL("read outside content: %s", buf); }
            inside++;
            wasmaot_p1_fd_close(&ctx, fd);
        } else {
            CHECK(e == ENOENT_ || e == EPERM_ || e == ENOTDIR_);
            refused++;
        }
        heap = save;
    }
    race_stop = 1;
    pthread_join(th, NULL);
    printf("race: %d inside, %d refused\n", inside, refused);
}

/* ------------------------------------------------------------ poll */

static void t_poll(void) {
    setup(0, 1);
    uint32_t subs = galloc(48 * 3), evs = galloc(32 * 3), n = galloc(4);
    EQ(wasmaot_p1_poll_oneoff(&ctx, (int32_t)subs, (int32_t)evs, 0, (int32_t)n), EINVAL_);
    /* one relative clock: sleeps, one event with nbytes 1 (wasmtime's fast path) */
    uint64_t ud = 77, timeout = 20000000;
    memcpy(G(subs), &ud, 8);
    G(subs)[8] = 0;
    uint32_t mono = 1;
    memcpy(G(subs + 16), &mono, 4);
    memcpy(G(subs + 24), &timeout, 8);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    EQ(wasmaot_p1_poll_oneoff(&ctx, (int32_t)subs, (int32_t)evs, 1, (int32_t)n), OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long long el = (t1.tv_sec - t0.tv_sec) * 1000000000ll + (t1.tv_nsec - t0.tv_nsec);
    CHECK(el >= 20000000);
    EQ(u32at(n), 1);
    EQ(u64at(evs), 77);
    EQ(G(evs)[10], 0);
    EQ(u64at(evs + 16), 1);
    /* clock (10 s) + fd_write on stdout: stdout is ready at once */
    timeout = 10000000000ull;
    memcpy(G(subs + 24), &timeout, 8);
    uint64_t ud2 = 88;
    memcpy(G(subs + 48), &ud2, 8);
    G(subs + 48)[8] = 2;
    uint32_t one = 1;
    memcpy(G(subs + 48 + 16), &one, 4);
    EQ(wasmaot_p1_poll_oneoff(&ctx, (int32_t)subs, (int32_t)evs, 2, (int32_t)n), OK);
    EQ(u32at(n), 1);
    EQ(u64at(evs), 88);
    EQ(G(evs)[10], 2);
    /* fd_read on a file at EOF: ready, HANGUP */
    int32_t fd;
    EQ(open3(3, "hello", 1, 0, RIGHTS_R, 0, &fd), OK);
    uint32_t pos = galloc(8);
    EQ(wasmaot_p1_fd_seek(&ctx, fd, 0, 2, (int32_t)pos), OK);
    G(subs + 48)[8] = 1;
    memcpy(G(subs + 48 + 16), &fd, 4);
    EQ(wasmaot_p1_poll_oneoff(&ctx, (int32_t)subs, (int32_t)evs, 2, (int32_t)n), OK);
    EQ(u32at(n), 1);
    EQ(G(evs)[10], 1);
    EQ(G(evs)[24], 1); /* FD_READWRITE_HANGUP */
    /* a bad fd fails the whole call */
    uint32_t bad = 99;
    memcpy(G(subs + 48 + 16), &bad, 4);
    EQ(wasmaot_p1_poll_oneoff(&ctx, (int32_t)subs, (int32_t)evs, 2, (int32_t)n), EBADF_);
    /* absolute monotonic clock in the past: immediately ready */
    uint16_t abs = 1;
    uint64_t past = 1;
    memcpy(G(subs + 24), &past, 8);
    memcpy(G(subs + 40), &abs, 2);
    EQ(wasmaot_p1_poll_oneoff(&ctx, (int32_t)subs, (int32_t)evs, 1, (int32_t)n), OK);
    EQ(u32at(n), 1);
    EQ(u64at(evs + 16), 0);
    /* the resource table does not leak pollables */
    int live = 0;
    for (int i = 1; i < WASMAOT_WASI_MAX_RESOURCES; i++) live += ctx.res[i].kind == WASMAOT_WASI_RES_POLLABLE;
    EQ(live, 0);
}

static void t_poll_stdin(void) {
    /* pytest writes to stdin after 0.3 s: poll on fd 0 waits for it */
    setup(0, 0);
    uint32_t subs = galloc(48 * 2), evs = galloc(64), n = galloc(4);
    uint64_t ud = 5, timeout = 5000000000ull;
    memcpy(G(subs), &ud, 8);
    G(subs)[8] = 1; /* fd_read */
    memset(G(subs + 16), 0, 4);
    memcpy(G(subs + 48 + 24), &timeout, 8);
    uint32_t mono = 1;
    memcpy(G(subs + 48 + 16), &mono, 4);
    EQ(wasmaot_p1_poll_oneoff(&ctx, (int32_t)subs, (int32_t)evs, 2, (int32_t)n), OK);
    EQ(u32at(n), 1);
    EQ(u64at(evs), 5);
    char buf[32];
    uint32_t got;
    EQ(read_to(0, buf, 31, &got), OK);
    printf("got %s\n", buf);
}

/* -------------------------------------------------------------- resolve */

static void t_resolve(void) {
    setup(0, 0);
    EQ(wasmaot_wasi_p1_count(), 46);
    for (uint32_t i = 0; i < wasmaot_wasi_p1_count(); i++) {
        const char *name = wasmaot_wasi_p1_name(i);
        const char *sig = wasmaot_wasi_p1_signature(name);
        wasmaot_funcref fr;
        /* a copy of the signature string: resolve compares contents */
        char copy[128];
        snprintf(copy, sizeof copy, "%s", sig);
        EQ(wasmaot_wasi_resolve(&ctx, "wasi_snapshot_preview1", name, copy, &fr), 0);
        CHECK(fr.func != NULL && fr.instance == &ctx);
        EQ(fr.type_id, wasmaot_rt_intern_signature(sig));
    }
    wasmaot_funcref fr;
    EQ(wasmaot_wasi_resolve(&ctx, "wasi_snapshot_preview1", "fd_write", "(i32,i32,i32,i32)->(i32)", &fr), 0);
    /* calling through the funcref, as generated code does */
    int32_t (*fn)(void *, int32_t, int32_t, int32_t, int32_t) =
        (int32_t (*)(void *, int32_t, int32_t, int32_t, int32_t))fr.func;
    uint32_t iov = galloc(8), out = galloc(4), b = gstr("via funcref\n");
    uint32_t len = 12;
    memcpy(G(iov), &b, 4);
    memcpy(G(iov + 4), &len, 4);
    EQ(fn(fr.instance, 1, (int32_t)iov, 1, (int32_t)out), OK);
    EQ(u32at(out), 12);
    EQ(wasmaot_wasi_resolve(&ctx, "wasi_snapshot_preview1", "fd_write", "(i32,i32,i32)->(i32)", &fr), -1);
    EQ(wasmaot_wasi_resolve(&ctx, "wasi_snapshot_preview1", "fd_write", "(i32,i32,i32,i64)->(i32)", &fr), -1);
    EQ(wasmaot_wasi_resolve(&ctx, "wasi_snapshot_preview1", "no_such", "()->()", &fr), -1);
    EQ(wasmaot_wasi_resolve(&ctx, "wasi_unstable", "fd_write", "(i32,i32,i32,i32)->(i32)", &fr), -1);
    EQ(wasmaot_wasi_resolve(&ctx, "env", "fd_write", "(i32,i32,i32,i32)->(i32)", &fr), -1);
    EQ(wasmaot_wasi_resolve(&ctx, "wasi_snapshot_preview1", "proc_exit", "(i32)->()", &fr), 0);
}

/* ------------------------------------------------------- the 0.2 layer */

static void t_p2_streams(void) {
    setup(0, 1);
    uint32_t out = wasmaot_p2_get_stdout(&ctx);
    CHECK(out);
    EQ(wasmaot_p2_output_blocking_write_and_flush(&ctx, out, (const uint8_t *)"p2 stdout\n", 10), 0);
    uint64_t permit;
    EQ(wasmaot_p2_output_check_write(&ctx, out, &permit), 0);
    CHECK(permit >= 4096);
    uint32_t p = wasmaot_p2_output_subscribe(&ctx, out);
    CHECK(wasmaot_p2_pollable_ready(&ctx, p));
    EQ(wasmaot_p2_drop(&ctx, p), 0);
    EQ(wasmaot_p2_drop(&ctx, out), 0);
    EQ(wasmaot_p2_drop(&ctx, out), WASMAOT_P2_E_BAD_DESCRIPTOR);
    EQ(wasmaot_p2_get_terminal_stdout(&ctx), 0); /* a pipe */
    /* preopens + a file through streams */
    EQ(wasmaot_p2_preopens_count(&ctx), 1);
    const char *gpath;
    uint32_t d = wasmaot_p2_preopen(&ctx, 0, &gpath);
    CHECK(d && !strcmp(gpath, "/sandbox"));
    uint32_t f;
    EQ(wasmaot_p2_open_at(&ctx, d, 0, "stream.txt", WASMAOT_P2_OPEN_CREATE,
                          WASMAOT_P2_DESC_READ | WASMAOT_P2_DESC_WRITE, &f), 0);
    uint32_t ws, rs;
    EQ(wasmaot_p2_write_via_stream(&ctx, f, 0, &ws), 0);
    EQ(wasmaot_p2_output_write(&ctx, ws, (const uint8_t *)"abc", 3), 0);
    EQ(wasmaot_p2_output_write_zeroes(&ctx, ws, 2), 0);
    uint32_t as;
    EQ(wasmaot_p2_append_via_stream(&ctx, f, &as), 0);
    EQ(wasmaot_p2_output_write(&ctx, as, (const uint8_t *)"Z", 1), 0);
    EQ(wasmaot_p2_read_via_stream(&ctx, f, 1, &rs), 0);
    uint8_t buf[16];
    uint64_t n;
    EQ(wasmaot_p2_input_blocking_read(&ctx, rs, buf, sizeof buf, &n), 0);
    EQ(n, 5);
    CHECK(!memcmp(buf, "bc\0\0Z", 5));
    EQ(wasmaot_p2_input_read(&ctx, rs, buf, sizeof buf, &n), WASMAOT_P2_STREAM_CLOSED);
    wasmaot_p2_descriptor_stat st;
    EQ(wasmaot_p2_stat(&ctx, f, &st), 0);
    EQ(st.size, 6);
    EQ(st.type, WASMAOT_P2_TYPE_REGULAR_FILE);
    uint32_t type;
    EQ(wasmaot_p2_get_type(&ctx, d, &type), 0);
    EQ(type, WASMAOT_P2_TYPE_DIRECTORY);
    CHECK(wasmaot_p2_is_same_object(&ctx, d, d));
    CHECK(!wasmaot_p2_is_same_object(&ctx, d, f));
    wasmaot_p2_metadata_hash_value h1, h2;
    EQ(wasmaot_p2_metadata_hash(&ctx, f, &h1), 0);
    EQ(wasmaot_p2_metadata_hash_at(&ctx, d, 0, "stream.txt", &h2), 0);
    CHECK(h1.lower == h2.lower && h1.upper == h2.upper);
    /* directory stream */
    uint32_t ds;
    EQ(wasmaot_p2_read_directory(&ctx, d, &ds), 0);
    int has, count = 0;
    char name[256];
    size_t nl;
    do {
        EQ(wasmaot_p2_read_directory_entry(&ctx, ds, &has, &type, name, sizeof name, &nl), 0);
        count += has;
    } while (has);
    EQ(count, 3); /* hello, sub, stream.txt */
    EQ(wasmaot_p2_drop(&ctx, ds), 0);
    /* monotonic clock pollables */
    uint32_t c = wasmaot_p2_monotonic_subscribe_duration(&ctx, 5000000);
    CHECK(!wasmaot_p2_pollable_ready(&ctx, c));
    wasmaot_p2_pollable_block(&ctx, c);
    CHECK(wasmaot_p2_pollable_ready(&ctx, c));
    uint32_t list[2] = {c, wasmaot_p2_monotonic_subscribe_duration(&ctx, 10000000000ull)}, ready[2];
    EQ(wasmaot_p2_poll(&ctx, list, 2, ready), 1);
    EQ(ready[0], 0);
    /* environment / arguments / cwd */
    EQ(wasmaot_p2_arguments_count(&ctx), 3);
    CHECK(!strcmp(wasmaot_p2_argument(&ctx, 2), "b c"));
    CHECK(wasmaot_p2_initial_cwd(&ctx) == NULL);
    wasmaot_p2_datetime wnow = wasmaot_p2_wall_now(&ctx);
    CHECK(wnow.seconds > 1600000000u);
    /* filesystem errors surface as codes */
    EQ(wasmaot_p2_open_at(&ctx, d, 0, "../x", 0, WASMAOT_P2_DESC_READ, &f), WASMAOT_P2_E_NOT_PERMITTED);
    EQ(wasmaot_p2_create_directory_at(&ctx, f, "x"), WASMAOT_P2_E_NOT_DIRECTORY);
}

static void t_init_errors(void) {
    setup(0, 0);
    wasmaot_wasi_config c;
    wasmaot_wasi_config_init(&c);
    wasmaot_wasi_preopen p = {"/nonexistent/dir", "/x", 0};
    c.n_preopens = 1;
    c.preopens = &p;
    static wasmaot_wasi_ctx c2;
    EQ(wasmaot_wasi_init(&c2, &c), -1);
    CHECK(strstr(wasmaot_wasi_error(&c2), "/nonexistent/dir"));
    char f[4400];
    snprintf(f, sizeof f, "%s/hello", dir);
    host_write(f, "x");
    p.host_path = f; /* a file, not a directory */
    EQ(wasmaot_wasi_init(&c2, &c), -1);
}

/* ------------------------------------------------------------ dispatch */

typedef struct { const char *name; void (*fn)(void); } tcase;
static const tcase cases[] = {
    {"args", t_args}, {"env_none", t_env_none}, {"env", t_env}, {"env_parse", t_env_parse},
    {"clocks", t_clocks}, {"clock_bad_id_traps", t_clock_bad_id_traps}, {"random", t_random},
    {"bad_pointers_trap", t_bad_pointers_trap}, {"stdout_first_iovec", t_stdout_first_iovec},
    {"stdin_echo", t_stdin_echo}, {"stdin_null", t_stdin_null}, {"exit_code", t_exit_code},
    {"exit_invalid", t_exit_invalid}, {"exit_hook", t_exit_hook}, {"fdstat", t_fdstat}, {"prestat", t_prestat},
    {"no_grants", t_no_grants}, {"file_io", t_file_io}, {"fd_numbers", t_fd_numbers}, {"dirs", t_dirs},
    {"open_errors", t_open_errors}, {"bad_enum_traps", t_bad_enum_traps}, {"escape_dotdot", t_escape_dotdot},
    {"escape_absolute", t_escape_absolute}, {"escape_symlink", t_escape_symlink}, {"escape_loop", t_escape_loop},
    {"escape_readonly", t_escape_readonly}, {"escape_race", t_escape_race}, {"poll", t_poll},
    {"poll_stdin", t_poll_stdin}, {"resolve", t_resolve}, {"p2_streams", t_p2_streams},
    {"init_errors", t_init_errors},
};

int main(int argc, char **argv) {
    if (argc == 2 && !strcmp(argv[1], "--list")) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) printf("%s\n", cases[i].name);
        return 0;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: %s --list | CASE DIR\n", argv[0]);
        return 2;
    }
    wasmaot_rt_init(argc, argv);
    snprintf(dir, sizeof dir, "%s", argv[2]);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (!strcmp(cases[i].name, argv[1])) {
            g_case = cases[i].name;
            cases[i].fn();
            printf("ok\n");
            return 0;
        }
    }
    fprintf(stderr, "unknown case %s\n", argv[1]);
    return 2;
}
