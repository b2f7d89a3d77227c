/*
 * WASI 0.2: wasi:cli, wasi:io (error, poll, streams), wasi:clocks,
 * wasi:random, and resource drop.  Portable: everything host-specific goes
 * through the wasmaot_wasi_plat_* interface (wasi_internal.h).
 *
 * Streams complete synchronously (the shim has no I/O threads): output
 * streams are always writable, file input streams always readable; only a
 * stdin stream can be "not ready", which the platform reports through
 * wasmaot_wasi_plat_stdio_wait_readable.
 */
#include "wasi_internal.h"

/* ---------------------------------------------------------------- drop */

wasmaot_p2_status wasmaot_p2_drop(wasmaot_wasi_ctx *ctx, uint32_t h) {
    if (h == 0 || h >= WASMAOT_WASI_MAX_RESOURCES || ctx->res[h].kind == WASMAOT_WASI_RES_FREE)
        return WASMAOT_P2_E_BAD_DESCRIPTOR;
    wasmaot_wasi_resource *r = &ctx->res[h];
#if WASMAOT_WASI_FILESYSTEM
    if (r->kind == WASMAOT_WASI_RES_DESCRIPTOR && r->host >= 0) wasmaot_wasi_plat_close(r->host);
    if (r->kind == WASMAOT_WASI_RES_DIR_STREAM && r->state) wasmaot_wasi_plat_dir_close(r->state);
#endif
    wasmaot_wasi_memset(r, 0, sizeof *r);
    return WASMAOT_P2_OK;
}

/* ------------------------------------------------------------- wasi:cli */

uint32_t wasmaot_p2_environment_count(const wasmaot_wasi_ctx *ctx) {
    return ctx->cfg ? ctx->cfg->envc : 0;
}

void wasmaot_p2_environment_get(const wasmaot_wasi_ctx *ctx, uint32_t i, const char **key, size_t *key_len,
                                const char **value, size_t *value_len) {
    const char *e = ctx->cfg->env[i];
    size_t k = 0;
    while (e[k] && e[k] != '=') k++;
    *key = e;
    *key_len = k;
    *value = e[k] ? e + k + 1 : e + k;
    *value_len = wasmaot_wasi_strlen(*value);
}

uint32_t wasmaot_p2_arguments_count(const wasmaot_wasi_ctx *ctx) {
    return ctx->cfg ? ctx->cfg->argc : 0;
}

const char *wasmaot_p2_argument(const wasmaot_wasi_ctx *ctx, uint32_t i) {
    return ctx->cfg->argv[i] ? ctx->cfg->argv[i] : "";
}

const char *wasmaot_p2_initial_cwd(const wasmaot_wasi_ctx *ctx) {
    (void)ctx;
    return 0;
}

void wasmaot_p2_exit_with_code(wasmaot_wasi_ctx *ctx, uint8_t code) {
    if (ctx->cfg && ctx->cfg->exit_hook) ctx->cfg->exit_hook(ctx->cfg->exit_user, code);
    wasmaot_wasi_plat_exit(code);
}

void wasmaot_p2_exit(wasmaot_wasi_ctx *ctx, int is_err) {
    wasmaot_p2_exit_with_code(ctx, is_err ? 1 : 0);
}

static uint32_t stdio_get(wasmaot_wasi_ctx *ctx, int which) {
    const int fds[3] = {ctx->cfg->stdin_fd, ctx->cfg->stdout_fd, ctx->cfg->stderr_fd};
    uint32_t h = wasmaot_wasi_res_alloc(ctx, which == 0 ? WASMAOT_WASI_RES_INPUT_STREAM : WASMAOT_WASI_RES_OUTPUT_STREAM);
    if (!h) return 0;
    ctx->res[h].sub = fds[which] >= 0 ? WASMAOT_WASI_STREAM_STDIO : WASMAOT_WASI_STREAM_NULL;
    ctx->res[h].host = fds[which];
    return h;
}

uint32_t wasmaot_p2_get_stdin(wasmaot_wasi_ctx *ctx) { return stdio_get(ctx, 0); }
uint32_t wasmaot_p2_get_stdout(wasmaot_wasi_ctx *ctx) { return stdio_get(ctx, 1); }
uint32_t wasmaot_p2_get_stderr(wasmaot_wasi_ctx *ctx) { return stdio_get(ctx, 2); }

static uint32_t terminal_get(wasmaot_wasi_ctx *ctx, int which) {
    const int fds[3] = {ctx->cfg->stdin_fd, ctx->cfg->stdout_fd, ctx->cfg->stderr_fd};
    if (fds[which] < 0 || !wasmaot_wasi_plat_isatty(fds[which])) return 0;
    return wasmaot_wasi_res_alloc(ctx, which == 0 ? WASMAOT_WASI_RES_TERMINAL_INPUT : WASMAOT_WASI_RES_TERMINAL_OUTPUT);
}

uint32_t wasmaot_p2_get_terminal_stdin(wasmaot_wasi_ctx *ctx) { return terminal_get(ctx, 0); }
uint32_t wasmaot_p2_get_terminal_stdout(wasmaot_wasi_ctx *ctx) { return terminal_get(ctx, 1); }
uint32_t wasmaot_p2_get_terminal_stderr(wasmaot_wasi_ctx *ctx) { return terminal_get(ctx, 2); }

/* -------------------------------------------------------------- wasi:io */

static const char *const error_names[] = {
    "success", "access", "would-block", "already", "bad-descriptor", "busy", "deadlock", "quota", "exist",
    "file-too-large", "illegal-byte-sequence", "in-progress", "interrupted", "invalid", "io", "is-directory",
    "loop", "too-many-links", "message-size", "name-too-long", "no-device", "no-entry", "no-lock",
    "insufficient-memory", "insufficient-space", "not-directory", "not-empty", "not-recoverable",
    "unsupported", "no-tty", "no-such-device", "overflow", "not-permitted", "pipe", "read-only",
    "invalid-seek", "text-file-busy", "cross-device"};

const char *wasmaot_p2_error_to_debug_string(wasmaot_wasi_ctx *ctx, uint32_t error) {
    wasmaot_wasi_resource *r = wasmaot_wasi_res_get(ctx, error, WASMAOT_WASI_RES_ERROR);
    if (!r || r->flags >= sizeof error_names / sizeof error_names[0]) return "unknown error";
    return error_names[r->flags];
}

wasmaot_p2_status wasmaot_p2_filesystem_error_code(wasmaot_wasi_ctx *ctx, uint32_t error) {
    wasmaot_wasi_resource *r = wasmaot_wasi_res_get(ctx, error, WASMAOT_WASI_RES_ERROR);
    return r ? r->flags : 0;
}

#if WASMAOT_WASI_FILESYSTEM
static wasmaot_wasi_resource *descriptor_of(wasmaot_wasi_ctx *ctx, const wasmaot_wasi_resource *stream) {
    return wasmaot_wasi_res_get(ctx, stream->target, WASMAOT_WASI_RES_DESCRIPTOR);
}
#endif

static wasmaot_p2_status input_read(wasmaot_wasi_ctx *ctx, uint32_t s, uint8_t *buf, uint64_t len, uint64_t *n,
                                    int blocking) {
    *n = 0;
    wasmaot_wasi_resource *r = wasmaot_wasi_res_get(ctx, s, WASMAOT_WASI_RES_INPUT_STREAM);
    if (!r) return WASMAOT_P2_E_BAD_DESCRIPTOR;
    if (r->closed) return WASMAOT_P2_STREAM_CLOSED;
    if (len == 0) return WASMAOT_P2_OK;
    switch (r->sub) {
    case WASMAOT_WASI_STREAM_STDIO: {
        if (!blocking && !wasmaot_wasi_plat_stdio_wait_readable((int)r->host, 0)) return WASMAOT_P2_OK;
        size_t want = len > WASMAOT_WASI_IO_CHUNK ? WASMAOT_WASI_IO_CHUNK : (size_t)len;
        long got = wasmaot_wasi_plat_stdio_read((int)r->host, buf, want);
        if (got < 0) { r->closed = 1; return (wasmaot_p2_status)-got; }
        if (got == 0) { r->closed = 1; return WASMAOT_P2_STREAM_CLOSED; }
        *n = (uint64_t)got;
        return WASMAOT_P2_OK;
    }
#if WASMAOT_WASI_FILESYSTEM
    case WASMAOT_WASI_STREAM_FILE: {
        wasmaot_wasi_resource *d = descriptor_of(ctx, r);
        if (!d) return WASMAOT_P2_E_BAD_DESCRIPTOR;
        wasmaot_p2_status st = wasmaot_wasi_plat_pread(d->host, buf, len, r->offset, n);
        if (st) { r->closed = 1; return st; }
        if (*n == 0) { r->closed = 1; return WASMAOT_P2_STREAM_CLOSED; }
        r->offset += *n;
        return WASMAOT_P2_OK;
    }
#endif
    default:
        r->closed = 1;
        return WASMAOT_P2_STREAM_CLOSED;
    }
}

wasmaot_p2_status wasmaot_p2_input_read(wasmaot_wasi_ctx *ctx, uint32_t s, uint8_t *buf, uint64_t len, uint64_t *n) {
    return input_read(ctx, s, buf, len, n, 0);
}

wasmaot_p2_status wasmaot_p2_input_blocking_read(wasmaot_wasi_ctx *ctx, uint32_t s, uint8_t *buf, uint64_t len,
                                                 uint64_t *n) {
    return input_read(ctx, s, buf, len, n, 1);
}

static wasmaot_p2_status input_skip(wasmaot_wasi_ctx *ctx, uint32_t s, uint64_t len, uint64_t *n, int blocking) {
    uint8_t tmp[512];
    *n = 0;
    while (*n < len) {
        uint64_t got, want = len - *n > sizeof tmp ? sizeof tmp : len - *n;
        wasmaot_p2_status st = input_read(ctx, s, tmp, want, &got, blocking && *n == 0);
        if (st) return *n ? WASMAOT_P2_OK : st;
        if (got == 0) break;
        *n += got;
        if (got < want) break;
    }
    return WASMAOT_P2_OK;
}

wasmaot_p2_status wasmaot_p2_input_skip(wasmaot_wasi_ctx *ctx, uint32_t s, uint64_t len, uint64_t *n) {
    return input_skip(ctx, s, len, n, 0);
}

wasmaot_p2_status wasmaot_p2_input_blocking_skip(wasmaot_wasi_ctx *ctx, uint32_t s, uint64_t len, uint64_t *n) {
    return input_skip(ctx, s, len, n, 1);
}

static uint32_t new_pollable(wasmaot_wasi_ctx *ctx, uint8_t sub, uint32_t target, uint64_t deadline) {
    uint32_t h = wasmaot_wasi_res_alloc(ctx, WASMAOT_WASI_RES_POLLABLE);
    if (!h) return 0;
    ctx->res[h].sub = sub;
    ctx->res[h].target = target;
    ctx->res[h].offset = deadline;
    return h;
}

uint32_t wasmaot_p2_input_subscribe(wasmaot_wasi_ctx *ctx, uint32_t s) {
    wasmaot_wasi_resource *r = wasmaot_wasi_res_get(ctx, s, WASMAOT_WASI_RES_INPUT_STREAM);
    if (!r) return 0;
    if (r->sub == WASMAOT_WASI_STREAM_STDIO && !r->closed) return new_pollable(ctx, WASMAOT_WASI_POLL_STREAM, s, 0);
    return new_pollable(ctx, WASMAOT_WASI_POLL_READY, s, 0);
}

wasmaot_p2_status wasmaot_p2_output_check_write(wasmaot_wasi_ctx *ctx, uint32_t s, uint64_t *permit) {
    wasmaot_wasi_resource *r = wasmaot_wasi_res_get(ctx, s, WASMAOT_WASI_RES_OUTPUT_STREAM);
    *permit = 0;
    if (!r) return WASMAOT_P2_E_BAD_DESCRIPTOR;
    if (r->closed) return WASMAOT_P2_STREAM_CLOSED;
    *permit = WASMAOT_WASI_IO_CHUNK;
    return WASMAOT_P2_OK;
}

wasmaot_p2_status wasmaot_p2_output_write(wasmaot_wasi_ctx *ctx, uint32_t s, const uint8_t *buf, uint64_t len) {
    wasmaot_wasi_resource *r = wasmaot_wasi_res_get(ctx, s, WASMAOT_WASI_RES_OUTPUT_STREAM);
    if (!r) return WASMAOT_P2_E_BAD_DESCRIPTOR;
    if (r->closed) return WASMAOT_P2_STREAM_CLOSED;
    wasmaot_p2_status st = WASMAOT_P2_OK;
    switch (r->sub) {
    case WASMAOT_WASI_STREAM_STDIO:
        st = wasmaot_wasi_plat_stdio_write((int)r->host, buf, (size_t)len);
        break;
#if WASMAOT_WASI_FILESYSTEM
    case WASMAOT_WASI_STREAM_FILE:
    case WASMAOT_WASI_STREAM_APPEND: {
        wasmaot_wasi_resource *d = descriptor_of(ctx, r);
        if (!d) return WASMAOT_P2_E_BAD_DESCRIPTOR;
        uint64_t done = 0;
        while (done < len && !st) {
            uint64_t n = 0;
            st = r->sub == WASMAOT_WASI_STREAM_APPEND
                     ? wasmaot_wasi_plat_append(d->host, buf + done, len - done, &n)
                     : wasmaot_wasi_plat_pwrite(d->host, buf + done, len - done, r->offset, &n);
            if (!st && n == 0) st = WASMAOT_P2_E_IO;
            done += n;
            r->offset += n;
        }
        break;
    }
#endif
    default: /* NULL stream: discard */
        break;
    }
    if (st) r->closed = 1;
    return st;
}

wasmaot_p2_status wasmaot_p2_output_blocking_write_and_flush(wasmaot_wasi_ctx *ctx, uint32_t s, const uint8_t *buf,
                                                             uint64_t len) {
    return wasmaot_p2_output_write(ctx, s, buf, len);
}

wasmaot_p2_status wasmaot_p2_output_flush(wasmaot_wasi_ctx *ctx, uint32_t s) {
    wasmaot_wasi_resource *r = wasmaot_wasi_res_get(ctx, s, WASMAOT_WASI_RES_OUTPUT_STREAM);
    if (!r) return WASMAOT_P2_E_BAD_DESCRIPTOR;
    return r->closed ? WASMAOT_P2_STREAM_CLOSED : WASMAOT_P2_OK; /* nothing is buffered */
}

wasmaot_p2_status wasmaot_p2_output_blocking_flush(wasmaot_wasi_ctx *ctx, uint32_t s) {
    return wasmaot_p2_output_flush(ctx, s);
}

wasmaot_p2_status wasmaot_p2_output_write_zeroes(wasmaot_wasi_ctx *ctx, uint32_t s, uint64_t len) {
    static const uint8_t zeros[256];
    while (len) {
        uint64_t n = len > sizeof zeros ? sizeof zeros : len;
        wasmaot_p2_status st = wasmaot_p2_output_write(ctx, s, zeros, n);
        if (st) return st;
        len -= n;
    }
    return WASMAOT_P2_OK;
}

wasmaot_p2_status wasmaot_p2_output_blocking_write_zeroes_and_flush(wasmaot_wasi_ctx *ctx, uint32_t s, uint64_t len) {
    return wasmaot_p2_output_write_zeroes(ctx, s, len);
}

static wasmaot_p2_status splice(wasmaot_wasi_ctx *ctx, uint32_t dst, uint32_t src, uint64_t len, uint64_t *n,
                                int blocking) {
    uint8_t tmp[4096];
    *n = 0;
    if (!wasmaot_wasi_res_get(ctx, dst, WASMAOT_WASI_RES_OUTPUT_STREAM)) return WASMAOT_P2_E_BAD_DESCRIPTOR;
    uint64_t want = len > sizeof tmp ? sizeof tmp : len;
    wasmaot_p2_status st = input_read(ctx, src, tmp, want, n, blocking);
    if (st) return st;
    return wasmaot_p2_output_write(ctx, dst, tmp, *n);
}

wasmaot_p2_status wasmaot_p2_output_splice(wasmaot_wasi_ctx *ctx, uint32_t dst, uint32_t src, uint64_t len,
                                           uint64_t *n) {
    return splice(ctx, dst, src, len, n, 0);
}

wasmaot_p2_status wasmaot_p2_output_blocking_splice(wasmaot_wasi_ctx *ctx, uint32_t dst, uint32_t src, uint64_t len,
                                                    uint64_t *n) {
    return splice(ctx, dst, src, len, n, 1);
}

uint32_t wasmaot_p2_output_subscribe(wasmaot_wasi_ctx *ctx, uint32_t s) {
    if (!wasmaot_wasi_res_get(ctx, s, WASMAOT_WASI_RES_OUTPUT_STREAM)) return 0;
    return new_pollable(ctx, WASMAOT_WASI_POLL_READY, s, 0);
}

/* poll */

/* 1 if ready now; for clocks *deadline gets the wake-up time. */
static int pollable_ready_now(wasmaot_wasi_ctx *ctx, wasmaot_wasi_resource *p, uint64_t now) {
    switch (p->sub) {
    case WASMAOT_WASI_POLL_CLOCK:
        return now >= p->offset;
    case WASMAOT_WASI_POLL_STREAM: {
        wasmaot_wasi_resource *s = wasmaot_wasi_res_get(ctx, p->target, WASMAOT_WASI_RES_INPUT_STREAM);
        if (!s || s->closed || s->sub != WASMAOT_WASI_STREAM_STDIO) return 1;
        return wasmaot_wasi_plat_stdio_wait_readable((int)s->host, 0);
    }
    default:
        return 1;
    }
}

int wasmaot_p2_pollable_ready(wasmaot_wasi_ctx *ctx, uint32_t h) {
    wasmaot_wasi_resource *p = wasmaot_wasi_res_get(ctx, h, WASMAOT_WASI_RES_POLLABLE);
    return !p || pollable_ready_now(ctx, p, wasmaot_wasi_plat_monotonic_ns());
}

void wasmaot_p2_pollable_block(wasmaot_wasi_ctx *ctx, uint32_t h) {
    uint32_t out;
    wasmaot_p2_poll(ctx, &h, 1, &out);
}

uint32_t wasmaot_p2_poll(wasmaot_wasi_ctx *ctx, const uint32_t *ps, uint32_t n, uint32_t *out) {
    if (n == 0) return 0;
    for (;;) {
        uint64_t now = wasmaot_wasi_plat_monotonic_ns();
        uint32_t k = 0;
        uint64_t deadline = UINT64_MAX;
        int wait_fd = -1;
        for (uint32_t i = 0; i < n; i++) {
            wasmaot_wasi_resource *p = wasmaot_wasi_res_get(ctx, ps[i], WASMAOT_WASI_RES_POLLABLE);
            if (!p || pollable_ready_now(ctx, p, now)) {
                out[k++] = i;
                continue;
            }
            if (p->sub == WASMAOT_WASI_POLL_CLOCK && p->offset < deadline) deadline = p->offset;
            if (p->sub == WASMAOT_WASI_POLL_STREAM) {
                wasmaot_wasi_resource *s = wasmaot_wasi_res_get(ctx, p->target, WASMAOT_WASI_RES_INPUT_STREAM);
                if (s) wait_fd = (int)s->host;
            }
        }
        if (k) return k;
        /* Nothing ready: sleep until the earliest clock, or until stdin
         * becomes readable (whichever comes first). */
        if (wait_fd >= 0)
            wasmaot_wasi_plat_stdio_wait_readable(wait_fd, deadline == UINT64_MAX ? UINT64_MAX : deadline - now);
        else
            wasmaot_wasi_plat_sleep_until(deadline);
    }
}

/* ---------------------------------------------------------- wasi:clocks */

uint64_t wasmaot_p2_monotonic_now(wasmaot_wasi_ctx *ctx) {
    (void)ctx;
    return wasmaot_wasi_plat_monotonic_ns();
}

uint64_t wasmaot_p2_monotonic_resolution(wasmaot_wasi_ctx *ctx) {
    (void)ctx;
    return wasmaot_wasi_plat_monotonic_resolution();
}

uint32_t wasmaot_p2_monotonic_subscribe_instant(wasmaot_wasi_ctx *ctx, uint64_t when) {
    return new_pollable(ctx, WASMAOT_WASI_POLL_CLOCK, 0, when);
}

uint32_t wasmaot_p2_monotonic_subscribe_duration(wasmaot_wasi_ctx *ctx, uint64_t duration) {
    uint64_t now = wasmaot_wasi_plat_monotonic_ns();
    uint64_t when = now + duration < now ? UINT64_MAX : now + duration; /* saturate */
    return new_pollable(ctx, WASMAOT_WASI_POLL_CLOCK, 0, when);
}

wasmaot_p2_datetime wasmaot_p2_wall_now(wasmaot_wasi_ctx *ctx) {
    (void)ctx;
    return wasmaot_wasi_plat_wall();
}

wasmaot_p2_datetime wasmaot_p2_wall_resolution(wasmaot_wasi_ctx *ctx) {
    (void)ctx;
    return wasmaot_wasi_plat_wall_resolution();
}

/* ---------------------------------------------------------- wasi:random */

void wasmaot_p2_get_random_bytes(wasmaot_wasi_ctx *ctx, uint8_t *buf, uint64_t len) {
    (void)ctx;
    if (len && wasmaot_wasi_plat_random(buf, (size_t)len) != 0) wasmaot_trap(WASMAOT_TRAP_HOST);
}

uint64_t wasmaot_p2_get_random_u64(wasmaot_wasi_ctx *ctx) {
    uint64_t v;
    wasmaot_p2_get_random_bytes(ctx, (uint8_t *)&v, sizeof v);
    return v;
}

static void insecure_init(wasmaot_wasi_ctx *ctx) {
    if (ctx->insecure_state[0] | ctx->insecure_state[1]) return;
    wasmaot_p2_get_random_bytes(ctx, (uint8_t *)ctx->insecure_seed, sizeof ctx->insecure_seed);
    ctx->insecure_state[0] = ctx->insecure_seed[0] | 1u; /* xorshift state must not be all zero */
    ctx->insecure_state[1] = ctx->insecure_seed[1];
}

uint64_t wasmaot_p2_get_insecure_random_u64(wasmaot_wasi_ctx *ctx) {
    insecure_init(ctx);
    /* xorshift128+ (Vigna): fast, statistically decent, NOT for secrets --
     * which is the contract of wasi:random/insecure. */
    uint64_t s1 = ctx->insecure_state[0];
    const uint64_t s0 = ctx->insecure_state[1];
    ctx->insecure_state[0] = s0;
    s1 ^= s1 << 23;
    ctx->insecure_state[1] = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
    return ctx->insecure_state[1] + s0;
}

void wasmaot_p2_get_insecure_random_bytes(wasmaot_wasi_ctx *ctx, uint8_t *buf, uint64_t len) {
    while (len) {
        uint64_t v = wasmaot_p2_get_insecure_random_u64(ctx);
        size_t n = len < 8 ? (size_t)len : 8;
        wasmaot_wasi_memcpy(buf, &v, n);
        buf += n;
        len -= n;
    }
}

void wasmaot_p2_insecure_seed(wasmaot_wasi_ctx *ctx, uint64_t *lo, uint64_t *hi) {
    insecure_init(ctx);
    *lo = ctx->insecure_seed[0];
    *hi = ctx->insecure_seed[1];
}
