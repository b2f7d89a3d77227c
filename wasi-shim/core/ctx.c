/*
 * The ctx: configuration, resource table, preview1 fd table, memory binding.
 * Portable (bare metal included): no libc beyond what the compiler may emit.
 */
#include "wasi_internal.h"

/* ------------------------------------------------------------ strings */

size_t wasmaot_wasi_strlen(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

int wasmaot_wasi_memeq(const void *a, const void *b, size_t n) {
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i]) return 0;
    return 1;
}

/* Byte loops on purpose: the compiler may still turn them into memcpy /
 * memset calls, which exist everywhere (the runtime's libc_min.c on bare
 * metal). */
void wasmaot_wasi_memcpy(void *d, const void *s, size_t n) {
    unsigned char *x = d;
    const unsigned char *y = s;
    for (size_t i = 0; i < n; i++) x[i] = y[i];
}

void wasmaot_wasi_memset(void *d, int c, size_t n) {
    unsigned char *x = d;
    for (size_t i = 0; i < n; i++) x[i] = (unsigned char)c;
}

static void set_error(wasmaot_wasi_ctx *ctx, const char *a, const char *b) {
    size_t k = 0, cap = sizeof ctx->error - 1;
    for (const char *p = a; p && *p && k < cap; p++) ctx->error[k++] = *p;
    for (const char *p = b; p && *p && k < cap; p++) ctx->error[k++] = *p;
    ctx->error[k] = '\0';
}

/* ------------------------------------------------------------ resources */

uint32_t wasmaot_wasi_res_alloc(wasmaot_wasi_ctx *ctx, uint8_t kind) {
    for (uint32_t i = 1; i < WASMAOT_WASI_MAX_RESOURCES; i++) {
        if (ctx->res[i].kind == WASMAOT_WASI_RES_FREE) {
            wasmaot_wasi_memset(&ctx->res[i], 0, sizeof ctx->res[i]);
            ctx->res[i].kind = kind;
            ctx->res[i].host = -1;
            return i;
        }
    }
    return 0;
}

wasmaot_wasi_resource *wasmaot_wasi_res_get(wasmaot_wasi_ctx *ctx, uint32_t h, uint8_t kind) {
    if (h == 0 || h >= WASMAOT_WASI_MAX_RESOURCES || ctx->res[h].kind != kind) return 0;
    return &ctx->res[h];
}

/* ----------------------------------------------------------- fd table */

int32_t wasmaot_wasi_fd_alloc(wasmaot_wasi_ctx *ctx) {
    /* wasmtime: `free.pop_last()` (the highest closed fd), else one past
     * the highest fd in use. */
    for (uint32_t i = ctx->n_fds; i-- > 0;) {
        if (ctx->fd_freed[i] && ctx->fds[i].kind == WASMAOT_WASI_FD_FREE) {
            ctx->fd_freed[i] = 0;
            return (int32_t)i;
        }
    }
    if (ctx->n_fds >= WASMAOT_WASI_MAX_FDS) return -1;
    return (int32_t)ctx->n_fds++;
}

void wasmaot_wasi_fd_release(wasmaot_wasi_ctx *ctx, uint32_t fd) {
    wasmaot_wasi_memset(&ctx->fds[fd], 0, sizeof ctx->fds[fd]);
    ctx->fd_freed[fd] = 1;
}

/* --------------------------------------------------------------- config */

void wasmaot_wasi_config_init(wasmaot_wasi_config *cfg) {
    wasmaot_wasi_memset(cfg, 0, sizeof *cfg);
    cfg->stdin_fd = 0;
    cfg->stdout_fd = 1;
    cfg->stderr_fd = 2;
}

static uint32_t stdio_stream(wasmaot_wasi_ctx *ctx, uint8_t kind, int fd) {
    uint32_t h = wasmaot_wasi_res_alloc(ctx, kind);
    if (!h) return 0;
    ctx->res[h].sub = fd >= 0 ? WASMAOT_WASI_STREAM_STDIO : WASMAOT_WASI_STREAM_NULL;
    ctx->res[h].host = fd;
    return h;
}

int wasmaot_wasi_init(wasmaot_wasi_ctx *ctx, const wasmaot_wasi_config *cfg) {
    wasmaot_wasi_memset(ctx, 0, sizeof *ctx);
    ctx->cfg = cfg;
    const int stdio_fds[3] = {cfg->stdin_fd, cfg->stdout_fd, cfg->stderr_fd};
    for (int i = 0; i < 3; i++) {
        int32_t fd = wasmaot_wasi_fd_alloc(ctx);
        uint32_t h = stdio_stream(ctx, i == 0 ? WASMAOT_WASI_RES_INPUT_STREAM : WASMAOT_WASI_RES_OUTPUT_STREAM,
                                  stdio_fds[i]);
        ctx->fds[fd].kind = (uint8_t)(WASMAOT_WASI_FD_STDIN + i);
        ctx->fds[fd].res = h;
        ctx->fds[fd].preopen = -1;
        ctx->fds[fd].isatty = stdio_fds[i] >= 0 && wasmaot_wasi_plat_isatty(stdio_fds[i]);
    }
    if (cfg->n_preopens > (uint32_t)WASMAOT_WASI_MAX_FDS - 3u) {
        set_error(ctx, "too many preopened directories (WASMAOT_WASI_MAX_FDS)", 0);
        return -1;
    }
#if WASMAOT_WASI_FILESYSTEM
    for (uint32_t i = 0; i < cfg->n_preopens; i++) {
        const wasmaot_wasi_preopen *p = &cfg->preopens[i];
        int64_t hostfd;
        if (!p->host_path || !p->guest_path || wasmaot_wasi_plat_open_dir(p->host_path, &hostfd) != WASMAOT_P2_OK) {
            set_error(ctx, "cannot open preopened directory: ", p->host_path ? p->host_path : "(null)");
            wasmaot_wasi_destroy(ctx);
            return -1;
        }
        uint32_t h = wasmaot_wasi_res_alloc(ctx, WASMAOT_WASI_RES_DESCRIPTOR);
        int32_t fd = h ? wasmaot_wasi_fd_alloc(ctx) : -1;
        if (fd < 0) {
            wasmaot_wasi_plat_close(hostfd);
            set_error(ctx, "resource table full", 0);
            wasmaot_wasi_destroy(ctx);
            return -1;
        }
        ctx->res[h].host = hostfd;
        ctx->res[h].sub = WASMAOT_P2_TYPE_DIRECTORY;
        ctx->res[h].read_only = p->read_only ? 1 : 0;
        ctx->res[h].flags = WASMAOT_P2_DESC_READ | (p->read_only ? 0u : WASMAOT_P2_DESC_MUTATE_DIRECTORY);
        ctx->fds[fd].kind = WASMAOT_WASI_FD_DIR;
        ctx->fds[fd].res = h;
        ctx->fds[fd].preopen = (int32_t)i;
    }
#else
    if (cfg->n_preopens) {
        set_error(ctx, "this build has no file system (WASMAOT_WASI_FILESYSTEM=0)", 0);
        return -1;
    }
#endif
    ctx->initialized = 1;
    return 0;
}

const char *wasmaot_wasi_error(const wasmaot_wasi_ctx *ctx) {
    return ctx->error;
}

void wasmaot_wasi_destroy(wasmaot_wasi_ctx *ctx) {
    for (uint32_t i = 1; i < WASMAOT_WASI_MAX_RESOURCES; i++)
        if (ctx->res[i].kind != WASMAOT_WASI_RES_FREE) wasmaot_p2_drop(ctx, i);
    for (uint32_t i = 0; i < WASMAOT_WASI_MAX_FDS; i++) ctx->fds[i].kind = WASMAOT_WASI_FD_FREE;
    ctx->n_fds = 0;
    ctx->initialized = 0;
}

void wasmaot_wasi_bind_memory(wasmaot_wasi_ctx *ctx, wasmaot_memory *mem) {
    ctx->memory = mem;
    ctx->memory_slot = 0;
}

void wasmaot_wasi_bind_memory_slot(wasmaot_wasi_ctx *ctx, wasmaot_memory *const *slot) {
    ctx->memory = 0;
    ctx->memory_slot = slot;
}
