/*
 * p2_firmware.c -- WASI 0.2 for components in firmware images: the subset
 * of p2_funcs.def a microcontroller can serve, as component host functions
 * (wasmaot_cm_hostfn, runtime-c/include/wasmaot_cm.h) directly on the
 * bare-metal embedder hooks (wasmaot_wasi.h; fw_main.c's weak defaults use
 * semihosting).  No ctx, no resource table, no allocation: what
 * p1_firmware.c is for modules.
 *
 * The image's startup (backends/firmware/fw_component_main.c) lifts each
 * call's arguments and lowers its result with the canonical ABI
 * (runtime-c/component/cm_abi.c), as the hosted cm_import.c does: handles
 * arrive as reps, list<u8> arguments as views of the caller's bytes.
 *
 * Host resources and their reps (a rep is ours; the guest holds handles to
 * them in its handle tables).  The kind is in the top byte, so a dropped
 * handle tells us what it was:
 *   output-stream  REP_OUT|1 (stdout), REP_OUT|2 (stderr): the write hook
 *   input-stream   REP_IN: stdin, always closed (a device has no input)
 *   error          REP_ERROR: the write hook failed ("console write failed")
 *   pollable       REP_READY: streams' pollables, always ready;
 *                  REP_TIMER|k: monotonic-clock deadlines, a slot of a
 *                  fixed table (WASMAOT_FW_P2_TIMERS), freed on drop;
 *                  polling one spins on the monotonic hook
 *
 * What is served (the table at the end; anything else is refused at compile
 * time, backends/firmware/component.py):
 *   wasi:cli        environment: no arguments, no variables, no cwd (as for
 *                   modules on firmware); exit, exit-with-code: the exit hook;
 *                   stdin/stdout/stderr as above; terminal-*: none
 *   wasi:io         error.to-debug-string; poll, pollable.ready/block;
 *                   streams: every output-stream method (check-write permits
 *                   4096 bytes, flush is a no-op: the hook writes through),
 *                   input-stream read/skip say closed, subscribe
 *   wasi:clocks     monotonic (hook; resolution 1 ns, subscribe-*), wall-clock
 *                   (hook; 0 when the board has no real-time clock)
 *   wasi:random     random: the random hook, a trap when the board has no
 *                   entropy source (never made-up bytes); insecure and
 *                   insecure-seed: a xorshift generator seeded from the
 *                   monotonic clock
 *   wasi:filesystem preopens.get-directories: an empty list, so no
 *                   descriptor can ever exist.  filesystem-error-code: none.
 *                   The descriptor methods the preview1 adapter imports even
 *                   for hello world are bound to no_descriptor, a trap: every
 *                   call passes a descriptor handle, which the canonical ABI
 *                   checks before the call, so it cannot be reached.
 */
#include "wasmaot_canon.h"
#include "wasmaot_cm.h"
#include "wasmaot_rt.h"
#include "wasmaot_wasi.h"

/* cx_t, val, ty, child, vals, set_case, set_fields, set_list, h: p2_values.h. */
#include "p2_values.h"

#if !WASMAOT_PLATFORM_BAREMETAL
#error "p2_firmware.c is for WASMAOT_PLATFORM_BAREMETAL builds"
#endif

#ifndef WASMAOT_FW_P2_TIMERS
#define WASMAOT_FW_P2_TIMERS 8
#endif

#define OK WASMAOT_CM_OK
#define KIND(rep) ((rep) & 0xFF000000u)
enum {
    REP_OUT = 0x01000000u,
    REP_IN = 0x02000000u,
    REP_ERROR = 0x03000000u,
    REP_READY = 0x04000000u,
    REP_TIMER = 0x05000000u
};
/* check-write's permit: what one write may carry (the hook takes any length). */
#define WRITE_PERMIT 4096u

#define HOST(name) int wasmaot_fw_p2_##name(cx_t *cx, const val *a, val *r)
#define UNUSED (void)cx, (void)a, (void)r

/* A message on stderr, then a trap: for what a device cannot do at all. */
static WASMAOT_NORETURN void refuse(const char *msg) {
    size_t n = 0;
    while (msg[n]) n++;
    wasmaot_wasi_embedder_write(2, (const uint8_t *)msg, n);
    wasmaot_trap(WASMAOT_TRAP_HOST);
}

/* ---------------------------------------------------------------- wasi:cli */

HOST(get_environment) { (void)a; set_list(cx, r, 0); return OK; }
HOST(get_arguments) { (void)a; set_list(cx, r, 0); return OK; }
HOST(initial_cwd) { (void)a; set_case(cx, r, 0); return OK; }

/* exit(status: result): ok is 0, err is 1 (wasmtime's statuses). */
HOST(exit) { UNUSED; wasmaot_wasi_embedder_exit(a[0].n != 0); }
HOST(exit_with_code) { UNUSED; wasmaot_wasi_embedder_exit((uint8_t)a[0].u.bits); }

HOST(get_stdin) { (void)cx, (void)a; r->u.bits = REP_IN; return OK; }
HOST(get_stdout) { (void)cx, (void)a; r->u.bits = REP_OUT | 1; return OK; }
HOST(get_stderr) { (void)cx, (void)a; r->u.bits = REP_OUT | 2; return OK; }
/* No terminal: option none (get-terminal-stdin/stdout/stderr). */
HOST(no_terminal) { (void)a; set_case(cx, r, 0); return OK; }

/* ----------------------------------------------------------------- wasi:io */

HOST(error_to_debug_string) {
    static const char msg[] = "console write failed";
    (void)cx, (void)a;
    r->n = sizeof msg - 1;
    r->u.str = msg;
    return OK;
}

static uint64_t timers[WASMAOT_FW_P2_TIMERS];
static uint32_t timers_used;        /* bit k: slot k is a live pollable */

static uint32_t pollable_at(uint64_t deadline) {
    for (uint32_t k = 0; k < WASMAOT_FW_P2_TIMERS; k++)
        if (!(timers_used & (1u << k))) {
            timers_used |= 1u << k;
            timers[k] = deadline;
            return REP_TIMER | k;
        }
    refuse("wasmaot: too many clock pollables at once (WASMAOT_FW_P2_TIMERS)\n");
}

static int ready(uint32_t rep) {
    return KIND(rep) != REP_TIMER || wasmaot_wasi_embedder_monotonic_ns() >= timers[rep & 0xFFu];
}

static void block(uint32_t rep) {
    while (!ready(rep)) {
    }
}

HOST(pollable_ready) { (void)cx; r->u.bits = (uint64_t)ready(h(&a[0])); return OK; }
HOST(pollable_block) { UNUSED; block(h(&a[0])); return OK; }

/* poll: the indices of the ready pollables, waiting until one is. */
HOST(poll) {
    uint32_t n = a[0].n, k = 0;
    uint32_t *out = cx->alloc(cx->env, (n ? n : 1) * 4);
    while (n && !k)
        for (uint32_t i = 0; i < n; i++)
            if (ready(h(&a[0].u.items[i]))) out[k++] = i;
    val *items = set_list(cx, r, k);
    for (uint32_t i = 0; i < k; i++) items[i].u.bits = out[i];
    return OK;
}

/* result<T, stream-error>: closed (case 1), or last-operation-failed
 * (case 0) with an error; the ok payload to fill (NULL for an error). */
static val *stream_result(cx_t *cx, val *r, int failed, int closed) {
    if (!failed && !closed) return set_case(cx, r, 0);
    val *e = set_case(cx, r, 1);
    val *err = set_case(cx, e, closed ? 1 : 0);
    if (err) err->u.bits = REP_ERROR;
    return NULL;
}

/* The console has no input: every read, skip or splice finds it closed. */
HOST(input_closed) { (void)a; stream_result(cx, r, 0, 1); return OK; }
HOST(subscribe) { (void)cx, (void)a; r->u.bits = REP_READY; return OK; }

HOST(output_check_write) {
    val *ok = stream_result(cx, r, 0, 0);
    (void)a;
    ok->u.bits = WRITE_PERMIT;
    return OK;
}

/* All of buf through the write hook of output stream `rep`; 0 if it failed. */
static int write_all(uint32_t rep, const uint8_t *buf, uint64_t n) {
    while (n) {
        long w = wasmaot_wasi_embedder_write((int)(rep & 0xFFu), buf, (size_t)n);
        if (w <= 0) return 0;
        buf += w;
        n -= (uint64_t)w;
    }
    return 1;
}

HOST(output_write) {
    stream_result(cx, r, !write_all(h(&a[0]), (const uint8_t *)a[1].u.str, a[1].n), 0);
    return OK;
}

static int write_zeroes(uint32_t rep, uint64_t n) {
    static const uint8_t zeroes[64];
    for (; n; n -= n < sizeof zeroes ? n : sizeof zeroes)
        if (!write_all(rep, zeroes, n < sizeof zeroes ? n : sizeof zeroes)) return 0;
    return 1;
}

HOST(output_write_zeroes) { stream_result(cx, r, !write_zeroes(h(&a[0]), a[1].u.bits), 0); return OK; }
HOST(output_flush) { (void)a; stream_result(cx, r, 0, 0); return OK; }

/* ------------------------------------------------------- wasi:clocks, random */

HOST(monotonic_now) { UNUSED; r->u.bits = wasmaot_wasi_embedder_monotonic_ns(); return OK; }
HOST(monotonic_resolution) { UNUSED; r->u.bits = 1; return OK; }
HOST(subscribe_instant) { (void)cx; r->u.bits = pollable_at(a[0].u.bits); return OK; }

HOST(subscribe_duration) {
    (void)cx;
    r->u.bits = pollable_at(wasmaot_wasi_embedder_monotonic_ns() + a[0].u.bits);
    return OK;
}

static void set_datetime(cx_t *cx, val *v, uint64_t ns) {
    val *f = set_fields(cx, v);
    f[0].u.bits = ns / 1000000000u;
    f[1].u.bits = ns % 1000000000u;
}

HOST(wall_now) { (void)a; set_datetime(cx, r, wasmaot_wasi_embedder_wall_ns()); return OK; }
HOST(wall_resolution) { (void)a; set_datetime(cx, r, 1); return OK; }

/* A list<u8> result of n bytes made in the caller's memory (its realloc,
 * alignment 1, as lowering the list would) and filled there by `fill`,
 * lowered as the (pointer, length) pair the compiler provides
 * (wasmaot_cm_component.pair_type): no host buffer. */
static int guest_bytes(cx_t *cx, val *v, uint64_t n, void (*fill)(uint8_t *, uint32_t)) {
    const wasmaot_cm_component *comp = cx->comp;
    if (n > 0xFFFFFFu) n = 0xFFFFFFu;                 /* a list the guest could hold */
    if (comp->pair_type == WASMAOT_CM_NONE || !cx->realloc || !cx->memory) return WASMAOT_CM_ERR_UNSUPPORTED;
    uint32_t ptr = cx->realloc(cx->env, 0, 0, 1, (uint32_t)n);
    if ((uint64_t)ptr + n > cx->memory->size_bytes) return WASMAOT_CM_ERR_REALLOC;
    fill(cx->memory->base + ptr, (uint32_t)n);
    val *items = vals(cx, 2);
    uint32_t u32 = child(cx, comp->pair_type, 0);
    items[0] = (val){u32, 0, {ptr}};
    items[1] = (val){u32, 0, {n}};
    *v = (val){comp->pair_type, 2, {0}};
    v->u.items = items;
    return OK;
}

static void secure_fill(uint8_t *p, uint32_t n) {
    if (wasmaot_wasi_embedder_random(p, n) != 0)
        refuse("wasmaot: wasi:random: this board has no entropy source "
               "(a board file defines wasmaot_wasi_embedder_random)\n");
}

static uint64_t xorshift_state;

static uint64_t insecure_u64(void) {
    uint64_t x = xorshift_state;
    if (!x) x = wasmaot_wasi_embedder_monotonic_ns() | 1;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return xorshift_state = x;
}

static void insecure_fill(uint8_t *p, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) p[i] = (uint8_t)(insecure_u64() >> 32);
}

HOST(get_random_bytes) { return guest_bytes(cx, r, a[0].u.bits, secure_fill); }
HOST(get_insecure_random_bytes) { return guest_bytes(cx, r, a[0].u.bits, insecure_fill); }

HOST(get_random_u64) {
    uint8_t b[8];
    uint64_t v = 0;
    UNUSED;
    secure_fill(b, sizeof b);
    for (int i = 0; i < 8; i++) v = v << 8 | b[i];
    r->u.bits = v;
    return OK;
}

HOST(get_insecure_random_u64) { UNUSED; r->u.bits = insecure_u64(); return OK; }

HOST(insecure_seed) {
    val *f = set_fields(cx, r);
    (void)a;
    f[0].u.bits = insecure_u64();
    f[1].u.bits = insecure_u64();
    return OK;
}

/* ------------------------------------------------------------ wasi:filesystem */

HOST(get_directories) { (void)a; set_list(cx, r, 0); return OK; }
HOST(filesystem_error_code) { (void)a; set_case(cx, r, 0); return OK; }

HOST(no_descriptor) {
    UNUSED;
    refuse("wasmaot: wasi:filesystem: no file system on this device\n");
}

/* ---------------------------------------------------------------- drops */

/* The destructor of every host resource (fw_component_main.c installs it):
 * a clock pollable's slot is freed; the others hold nothing. */
wasmaot_canon_status wasmaot_fw_p2_drop(const wasmaot_canon_rtype *rt, uint32_t rep) {
    (void)rt;
    if (KIND(rep) == REP_TIMER) timers_used &= ~(1u << (rep & 0xFFu));
    return WASMAOT_CANON_OK;
}

/* THE list of what firmware serves: F(interface, function, C name), one row
 * per function of p2_funcs.def served here by wasmaot_fw_p2_<C name>.
 * backends/firmware/component.py parses the rows: a component importing
 * any other function is refused at compile time, naming it, and each
 * import of the component is bound to its function in a generated table
 * (wasmaot_fw_cm_hostfns), so only what the program imports is linked.
 * tests/firmware/test_component_firmware.py checks the rows against
 * p2_funcs.def and the object. */
#define WASMAOT_FW_P2_FUNCS(F)                                                                  \
    F("wasi:cli/environment", "get-environment", get_environment)                             \
    F("wasi:cli/environment", "get-arguments", get_arguments)                                 \
    F("wasi:cli/environment", "initial-cwd", initial_cwd)                                     \
    F("wasi:cli/exit", "exit", exit)                                                          \
    F("wasi:cli/exit", "exit-with-code", exit_with_code)                                      \
    F("wasi:cli/stdin", "get-stdin", get_stdin)                                               \
    F("wasi:cli/stdout", "get-stdout", get_stdout)                                            \
    F("wasi:cli/stderr", "get-stderr", get_stderr)                                            \
    F("wasi:cli/terminal-stdin", "get-terminal-stdin", no_terminal)                           \
    F("wasi:cli/terminal-stdout", "get-terminal-stdout", no_terminal)                         \
    F("wasi:cli/terminal-stderr", "get-terminal-stderr", no_terminal)                         \
    F("wasi:io/error", "[method]error.to-debug-string", error_to_debug_string)                \
    F("wasi:io/poll", "[method]pollable.ready", pollable_ready)                               \
    F("wasi:io/poll", "[method]pollable.block", pollable_block)                               \
    F("wasi:io/poll", "poll", poll)                                                           \
    F("wasi:io/streams", "[method]input-stream.read", input_closed)                           \
    F("wasi:io/streams", "[method]input-stream.blocking-read", input_closed)                  \
    F("wasi:io/streams", "[method]input-stream.skip", input_closed)                           \
    F("wasi:io/streams", "[method]input-stream.blocking-skip", input_closed)                  \
    F("wasi:io/streams", "[method]input-stream.subscribe", subscribe)                         \
    F("wasi:io/streams", "[method]output-stream.check-write", output_check_write)             \
    F("wasi:io/streams", "[method]output-stream.write", output_write)                         \
    F("wasi:io/streams", "[method]output-stream.blocking-write-and-flush", output_write)      \
    F("wasi:io/streams", "[method]output-stream.flush", output_flush)                         \
    F("wasi:io/streams", "[method]output-stream.blocking-flush", output_flush)                \
    F("wasi:io/streams", "[method]output-stream.subscribe", subscribe)                        \
    F("wasi:io/streams", "[method]output-stream.write-zeroes", output_write_zeroes)           \
    F("wasi:io/streams", "[method]output-stream.blocking-write-zeroes-and-flush", output_write_zeroes) \
    F("wasi:io/streams", "[method]output-stream.splice", input_closed)                        \
    F("wasi:io/streams", "[method]output-stream.blocking-splice", input_closed)               \
    F("wasi:clocks/monotonic-clock", "now", monotonic_now)                                    \
    F("wasi:clocks/monotonic-clock", "resolution", monotonic_resolution)                      \
    F("wasi:clocks/monotonic-clock", "subscribe-instant", subscribe_instant)                  \
    F("wasi:clocks/monotonic-clock", "subscribe-duration", subscribe_duration)                \
    F("wasi:clocks/wall-clock", "now", wall_now)                                              \
    F("wasi:clocks/wall-clock", "resolution", wall_resolution)                                \
    F("wasi:random/random", "get-random-bytes", get_random_bytes)                             \
    F("wasi:random/random", "get-random-u64", get_random_u64)                                 \
    F("wasi:random/insecure", "get-insecure-random-bytes", get_insecure_random_bytes)         \
    F("wasi:random/insecure", "get-insecure-random-u64", get_insecure_random_u64)             \
    F("wasi:random/insecure-seed", "insecure-seed", insecure_seed)                            \
    F("wasi:filesystem/preopens", "get-directories", get_directories)                         \
    F("wasi:filesystem/types", "filesystem-error-code", filesystem_error_code)                 \
    F("wasi:filesystem/types", "[method]descriptor.read-via-stream", no_descriptor)           \
    F("wasi:filesystem/types", "[method]descriptor.write-via-stream", no_descriptor)          \
    F("wasi:filesystem/types", "[method]descriptor.append-via-stream", no_descriptor)         \
    F("wasi:filesystem/types", "[method]descriptor.get-flags", no_descriptor)                 \
    F("wasi:filesystem/types", "[method]descriptor.get-type", no_descriptor)                  \
    F("wasi:filesystem/types", "[method]descriptor.stat", no_descriptor)                      \
    F("wasi:filesystem/types", "[method]descriptor.stat-at", no_descriptor)                   \
    F("wasi:filesystem/types", "[method]descriptor.open-at", no_descriptor)                   \
    F("wasi:filesystem/types", "[method]descriptor.read", no_descriptor)                      \
    F("wasi:filesystem/types", "[method]descriptor.write", no_descriptor)                     \
    F("wasi:filesystem/types", "[method]descriptor.set-size", no_descriptor)                  \
    F("wasi:filesystem/types", "[method]descriptor.sync", no_descriptor)                      \
    F("wasi:filesystem/types", "[method]descriptor.sync-data", no_descriptor)                 \
    F("wasi:filesystem/types", "[method]descriptor.read-directory", no_descriptor)            \
    F("wasi:filesystem/types", "[method]directory-entry-stream.read-directory-entry", no_descriptor) \
    F("wasi:filesystem/types", "[method]descriptor.create-directory-at", no_descriptor)       \
    F("wasi:filesystem/types", "[method]descriptor.remove-directory-at", no_descriptor)       \
    F("wasi:filesystem/types", "[method]descriptor.unlink-file-at", no_descriptor)            \
    F("wasi:filesystem/types", "[method]descriptor.rename-at", no_descriptor)                 \
    F("wasi:filesystem/types", "[method]descriptor.symlink-at", no_descriptor)                \
    F("wasi:filesystem/types", "[method]descriptor.readlink-at", no_descriptor)               \
    F("wasi:filesystem/types", "[method]descriptor.is-same-object", no_descriptor)            \
    F("wasi:filesystem/types", "[method]descriptor.metadata-hash", no_descriptor)             \
    F("wasi:filesystem/types", "[method]descriptor.metadata-hash-at", no_descriptor)          \
    F("wasi:filesystem/types", "[method]descriptor.advise", no_descriptor)                    \
    F("wasi:filesystem/types", "[method]descriptor.set-times", no_descriptor)                 \
    F("wasi:filesystem/types", "[method]descriptor.set-times-at", no_descriptor)              \
    F("wasi:filesystem/types", "[method]descriptor.link-at", no_descriptor)
