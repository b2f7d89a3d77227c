/*
 * p2_component.c -- the shim's WASI 0.2 functions as component host
 * functions (wasmaot_cm_hostfn, runtime-c/include/wasmaot_cm.h): what a
 * compiled component's root imports of wasi:cli, wasi:io, wasi:clocks,
 * wasi:random and wasi:filesystem are bound to.  Hosted builds (layer
 * `host`): every call uses the process-wide default ctx, so a component and
 * the preview1 glue see the same grants (--dir, --env, arguments).
 *
 * Each function gets its parameters lifted by runtime-c/component/
 * cm_import.c (handles are reps, and a rep is the shim's own resource
 * handle; list<u8> is a list of u8 values) and builds its result as a
 * wasmaot_cm_value tree of the lowering's result type, whose nodes come
 * from the component's type graph (child types by position: ok/err,
 * variant cases, record fields in WIT order).  cm_import.c lowers it into
 * the guest: own handles become handles in the component's table, whose
 * drop ends in wasmaot_p2_drop (p2_drop below).
 *
 * The table's order is p2_funcs.def's, which the compiler reads too.
 */
#include "../core/wasi_internal.h"
#include "wasmaot_canon.h"
#include "wasmaot_cm.h"
#include "p2_sockets.h"
#include "../http/p2_http.h"
#include "p2_values.h"

#include <stdlib.h>
#include <string.h>

#define CTX (wasmaot_wasi_default_ctx())
#define OK WASMAOT_CM_OK

/* ------------------------------------------------------------ value trees */

/* cx_t, val, ty, child, vals, set_case, set_fields, set_list: p2_values.h,
 * shared with p2_sockets.c. */

static void scalar(val *v, uint32_t type, uint64_t bits) {
    v->type = type;
    v->n = 0;
    v->u.bits = bits;
}

static void set_string(val *v, const char *s, size_t n) {
    v->n = (uint32_t)n;
    v->u.str = s;
}

/* A list<u8> result from buf (copied into the guest now). */
static int set_bytes(cx_t *cx, val *v, const uint8_t *buf, uint64_t n) {
    return wasmaot_cm_host_bytes(cx, v, buf, (uint32_t)n);
}

/* A list<u8> argument: a view of the caller's bytes (wasmaot_cm_hostfn). */
static const uint8_t *bytes_of(cx_t *cx, const val *v) {
    (void)cx;
    return (const uint8_t *)v->u.str;
}

/* A string argument as a NUL-terminated C string (call storage). */
static const char *cstr(cx_t *cx, const val *v) {
    char *s = cx->alloc(cx->env, v->n + 1);
    memcpy(s, v->u.str, v->n);
    s[v->n] = 0;
    return s;
}

/* stream-error: closed, or last-operation-failed(error) with a new error
 * resource carrying the code. */
static void stream_error(cx_t *cx, val *v, wasmaot_p2_status st) {
    if (st == WASMAOT_P2_STREAM_CLOSED) {
        set_case(cx, v, 1);
        return;
    }
    val *e = set_case(cx, v, 0);
    uint32_t r = wasmaot_wasi_res_alloc(CTX, WASMAOT_WASI_RES_ERROR);
    if (r) wasmaot_wasi_res_get(CTX, r, WASMAOT_WASI_RES_ERROR)->flags = st;
    scalar(e, e->type, r);
}

/* result<T, stream-error>: the ok payload to fill (NULL if none or err). */
static val *stream_result(cx_t *cx, val *r, wasmaot_p2_status st) {
    if (st) {
        stream_error(cx, set_case(cx, r, 1), st);
        return NULL;
    }
    return set_case(cx, r, 0);
}

/* result<T, error-code>: the enum's case index is the status minus one. */
static val *fs_result(cx_t *cx, val *r, wasmaot_p2_status st) {
    if (st) {
        set_case(cx, set_case(cx, r, 1), st - 1);
        return NULL;
    }
    return set_case(cx, r, 0);
}

#define HOST(name) static int name(cx_t *cx, const val *a, val *r)
#define UNUSED (void)cx, (void)a, (void)r

/* ---------------------------------------------------------------- wasi:cli */

HOST(h_get_environment) {
    (void)a;
    uint32_t n = wasmaot_p2_environment_count(CTX);
    val *items = set_list(cx, r, n);
    for (uint32_t i = 0; i < n; i++) {
        const char *k, *v;
        size_t kn, vn;
        wasmaot_p2_environment_get(CTX, i, &k, &kn, &v, &vn);
        val *f = set_fields(cx, &items[i]);
        set_string(&f[0], k, kn);
        set_string(&f[1], v, vn);
    }
    return OK;
}

HOST(h_get_arguments) {
    (void)a;
    uint32_t n = wasmaot_p2_arguments_count(CTX);
    val *items = set_list(cx, r, n);
    for (uint32_t i = 0; i < n; i++) {
        const char *s = wasmaot_p2_argument(CTX, i);
        set_string(&items[i], s, strlen(s));
    }
    return OK;
}

HOST(h_initial_cwd) {
    (void)a;
    const char *s = wasmaot_p2_initial_cwd(CTX);
    if (s) set_string(set_case(cx, r, 1), s, strlen(s));
    else set_case(cx, r, 0);
    return OK;
}

HOST(h_exit) { UNUSED; wasmaot_p2_exit(CTX, a[0].n != 0); }
HOST(h_exit_with_code) { UNUSED; wasmaot_p2_exit_with_code(CTX, (uint8_t)a[0].u.bits); }

static int handle_result(val *r, uint32_t handle) {
    r->u.bits = handle;
    return OK;
}

static int option_handle(cx_t *cx, val *r, uint32_t handle) {
    if (handle) scalar(set_case(cx, r, 1), child(cx, r->type, 1), handle);
    else set_case(cx, r, 0);
    return OK;
}

HOST(h_get_stdin) { (void)cx, (void)a; return handle_result(r, wasmaot_p2_get_stdin(CTX)); }
HOST(h_get_stdout) { (void)cx, (void)a; return handle_result(r, wasmaot_p2_get_stdout(CTX)); }
HOST(h_get_stderr) { (void)cx, (void)a; return handle_result(r, wasmaot_p2_get_stderr(CTX)); }
HOST(h_get_terminal_stdin) { (void)a; return option_handle(cx, r, wasmaot_p2_get_terminal_stdin(CTX)); }
HOST(h_get_terminal_stdout) { (void)a; return option_handle(cx, r, wasmaot_p2_get_terminal_stdout(CTX)); }
HOST(h_get_terminal_stderr) { (void)a; return option_handle(cx, r, wasmaot_p2_get_terminal_stderr(CTX)); }

/* ----------------------------------------------------------------- wasi:io */

HOST(h_error_to_debug_string) {
    (void)cx;
    const char *s = wasmaot_p2_error_to_debug_string(CTX, h(&a[0]));
    set_string(r, s, strlen(s));
    return OK;
}

HOST(h_pollable_ready) { (void)cx; r->u.bits = wasmaot_p2_pollable_ready(CTX, h(&a[0])) != 0; return OK; }
HOST(h_pollable_block) { UNUSED; wasmaot_p2_pollable_block(CTX, h(&a[0])); return OK; }

HOST(h_poll) {
    uint32_t n = a[0].n;
    uint32_t *in = cx->alloc(cx->env, (n ? n : 1) * 4), *out = cx->alloc(cx->env, (n ? n : 1) * 4);
    for (uint32_t i = 0; i < n; i++) in[i] = h(&a[0].u.items[i]);
    uint32_t k = n ? wasmaot_p2_poll(CTX, in, n, out) : 0;
    val *items = set_list(cx, r, k);
    for (uint32_t i = 0; i < k; i++) scalar(&items[i], items[i].type, out[i]);
    return OK;
}

typedef wasmaot_p2_status (*read_fn)(wasmaot_wasi_ctx *, uint32_t, uint8_t *, uint64_t, uint64_t *);

static int do_read(cx_t *cx, const val *a, val *r, read_fn fn) {
    uint64_t len = a[1].u.bits, n = 0;
    if (len > WASMAOT_WASI_IO_CHUNK) len = WASMAOT_WASI_IO_CHUNK;
    uint8_t *buf = cx->alloc(cx->env, (uint32_t)(len ? len : 1));
    val *ok = stream_result(cx, r, fn(CTX, h(&a[0]), buf, len, &n));
    return ok ? set_bytes(cx, ok, buf, n) : OK;
}

HOST(h_input_read) { return do_read(cx, a, r, wasmaot_p2_input_read); }
HOST(h_input_blocking_read) { return do_read(cx, a, r, wasmaot_p2_input_blocking_read); }

typedef wasmaot_p2_status (*skip_fn)(wasmaot_wasi_ctx *, uint32_t, uint64_t, uint64_t *);

static int do_skip(cx_t *cx, const val *a, val *r, skip_fn fn) {
    uint64_t n = 0;
    val *ok = stream_result(cx, r, fn(CTX, h(&a[0]), a[1].u.bits, &n));
    if (ok) ok->u.bits = n;
    return OK;
}

HOST(h_input_skip) { return do_skip(cx, a, r, wasmaot_p2_input_skip); }
HOST(h_input_blocking_skip) { return do_skip(cx, a, r, wasmaot_p2_input_blocking_skip); }
HOST(h_input_subscribe) { (void)cx; return handle_result(r, wasmaot_p2_input_subscribe(CTX, h(&a[0]))); }
HOST(h_output_subscribe) { (void)cx; return handle_result(r, wasmaot_p2_output_subscribe(CTX, h(&a[0]))); }

HOST(h_output_check_write) {
    uint64_t permit = 0;
    val *ok = stream_result(cx, r, wasmaot_p2_output_check_write(CTX, h(&a[0]), &permit));
    if (ok) ok->u.bits = permit;
    return OK;
}

HOST(h_output_write) {
    stream_result(cx, r, wasmaot_p2_output_write(CTX, h(&a[0]), bytes_of(cx, &a[1]), a[1].n));
    return OK;
}

HOST(h_output_blocking_write_and_flush) {
    stream_result(cx, r, wasmaot_p2_output_blocking_write_and_flush(CTX, h(&a[0]), bytes_of(cx, &a[1]), a[1].n));
    return OK;
}

HOST(h_output_flush) { stream_result(cx, r, wasmaot_p2_output_flush(CTX, h(&a[0]))); return OK; }
HOST(h_output_blocking_flush) { stream_result(cx, r, wasmaot_p2_output_blocking_flush(CTX, h(&a[0]))); return OK; }

HOST(h_output_write_zeroes) {
    stream_result(cx, r, wasmaot_p2_output_write_zeroes(CTX, h(&a[0]), a[1].u.bits));
    return OK;
}

HOST(h_output_blocking_write_zeroes) {
    stream_result(cx, r, wasmaot_p2_output_blocking_write_zeroes_and_flush(CTX, h(&a[0]), a[1].u.bits));
    return OK;
}

typedef wasmaot_p2_status (*splice_fn)(wasmaot_wasi_ctx *, uint32_t, uint32_t, uint64_t, uint64_t *);

static int do_splice(cx_t *cx, const val *a, val *r, splice_fn fn) {
    uint64_t n = 0;
    val *ok = stream_result(cx, r, fn(CTX, h(&a[0]), h(&a[1]), a[2].u.bits, &n));
    if (ok) ok->u.bits = n;
    return OK;
}

HOST(h_output_splice) { return do_splice(cx, a, r, wasmaot_p2_output_splice); }
HOST(h_output_blocking_splice) { return do_splice(cx, a, r, wasmaot_p2_output_blocking_splice); }

/* ------------------------------------------------------- wasi:clocks, random */

static void set_datetime(cx_t *cx, val *v, wasmaot_p2_datetime dt) {
    val *f = set_fields(cx, v);
    f[0].u.bits = dt.seconds;
    f[1].u.bits = dt.nanoseconds;
}

HOST(h_monotonic_now) { UNUSED; r->u.bits = wasmaot_p2_monotonic_now(CTX); return OK; }
HOST(h_monotonic_resolution) { UNUSED; r->u.bits = wasmaot_p2_monotonic_resolution(CTX); return OK; }
HOST(h_subscribe_instant) { (void)cx; return handle_result(r, wasmaot_p2_monotonic_subscribe_instant(CTX, a[0].u.bits)); }
HOST(h_subscribe_duration) { (void)cx; return handle_result(r, wasmaot_p2_monotonic_subscribe_duration(CTX, a[0].u.bits)); }
HOST(h_wall_now) { (void)a; set_datetime(cx, r, wasmaot_p2_wall_now(CTX)); return OK; }
HOST(h_wall_resolution) { (void)a; set_datetime(cx, r, wasmaot_p2_wall_resolution(CTX)); return OK; }

typedef void (*bytes_fn)(wasmaot_wasi_ctx *, uint8_t *, uint64_t);

static int random_bytes(cx_t *cx, const val *a, val *r, bytes_fn fn) {
    uint64_t n = a[0].u.bits;
    if (n > 0xFFFFFFu) n = 0xFFFFFFu;            /* a list the guest could hold */
    uint8_t *buf = cx->alloc(cx->env, (uint32_t)(n ? n : 1));
    fn(CTX, buf, n);
    return set_bytes(cx, r, buf, n);
}

HOST(h_get_random_bytes) { return random_bytes(cx, a, r, wasmaot_p2_get_random_bytes); }
HOST(h_get_insecure_random_bytes) { return random_bytes(cx, a, r, wasmaot_p2_get_insecure_random_bytes); }
HOST(h_get_random_u64) { UNUSED; r->u.bits = wasmaot_p2_get_random_u64(CTX); return OK; }
HOST(h_get_insecure_random_u64) { UNUSED; r->u.bits = wasmaot_p2_get_insecure_random_u64(CTX); return OK; }

HOST(h_insecure_seed) {
    (void)a;
    uint64_t lo, hi;
    wasmaot_p2_insecure_seed(CTX, &lo, &hi);
    val *f = set_fields(cx, r);
    f[0].u.bits = lo;
    f[1].u.bits = hi;
    return OK;
}

/* ------------------------------------------------------------ wasi:filesystem */

HOST(h_get_directories) {
    (void)a;
    uint32_t n = wasmaot_p2_preopens_count(CTX);
    val *items = set_list(cx, r, n);
    for (uint32_t i = 0; i < n; i++) {
        const char *path = "";
        uint32_t d = wasmaot_p2_preopen(CTX, i, &path);
        val *f = set_fields(cx, &items[i]);
        f[0].u.bits = d;
        set_string(&f[1], path, strlen(path));
    }
    return OK;
}

HOST(h_filesystem_error_code) {
    wasmaot_p2_status code = wasmaot_p2_filesystem_error_code(CTX, h(&a[0]));
    if (code && code < WASMAOT_P2_STREAM_CLOSED) set_case(cx, set_case(cx, r, 1), code - 1);
    else set_case(cx, r, 0);
    return OK;
}

HOST(h_read_via_stream) {
    uint32_t s = 0;
    val *ok = fs_result(cx, r, wasmaot_p2_read_via_stream(CTX, h(&a[0]), a[1].u.bits, &s));
    if (ok) ok->u.bits = s;
    return OK;
}

HOST(h_write_via_stream) {
    uint32_t s = 0;
    val *ok = fs_result(cx, r, wasmaot_p2_write_via_stream(CTX, h(&a[0]), a[1].u.bits, &s));
    if (ok) ok->u.bits = s;
    return OK;
}

HOST(h_append_via_stream) {
    uint32_t s = 0;
    val *ok = fs_result(cx, r, wasmaot_p2_append_via_stream(CTX, h(&a[0]), &s));
    if (ok) ok->u.bits = s;
    return OK;
}

HOST(h_get_flags) {
    uint32_t flags = 0;
    val *ok = fs_result(cx, r, wasmaot_p2_get_flags(CTX, h(&a[0]), &flags));
    if (ok) ok->u.bits = flags;
    return OK;
}

HOST(h_get_type) {
    uint32_t type = 0;
    val *ok = fs_result(cx, r, wasmaot_p2_get_type(CTX, h(&a[0]), &type));
    if (ok) set_case(cx, ok, type);
    return OK;
}

/* descriptor-stat { type, link-count, size, data-access-timestamp,
 * data-modification-timestamp, status-change-timestamp } */
static void set_option_datetime(cx_t *cx, val *v, int has, wasmaot_p2_datetime dt) {
    if (has) set_datetime(cx, set_case(cx, v, 1), dt);
    else set_case(cx, v, 0);
}

static void set_stat(cx_t *cx, val *v, const wasmaot_p2_descriptor_stat *st) {
    val *f = set_fields(cx, v);
    set_case(cx, &f[0], st->type);
    f[1].u.bits = st->link_count;
    f[2].u.bits = st->size;
    set_option_datetime(cx, &f[3], st->has_atime, st->atime);
    set_option_datetime(cx, &f[4], st->has_mtime, st->mtime);
    set_option_datetime(cx, &f[5], st->has_ctime, st->ctime);
}

HOST(h_stat) {
    wasmaot_p2_descriptor_stat st;
    memset(&st, 0, sizeof st);
    val *ok = fs_result(cx, r, wasmaot_p2_stat(CTX, h(&a[0]), &st));
    if (ok) set_stat(cx, ok, &st);
    return OK;
}

HOST(h_stat_at) {
    wasmaot_p2_descriptor_stat st;
    memset(&st, 0, sizeof st);
    val *ok = fs_result(cx, r, wasmaot_p2_stat_at(CTX, h(&a[0]), (uint32_t)a[1].u.bits, cstr(cx, &a[2]), &st));
    if (ok) set_stat(cx, ok, &st);
    return OK;
}

HOST(h_open_at) {
    uint32_t d = 0;
    wasmaot_p2_status st = wasmaot_p2_open_at(CTX, h(&a[0]), (uint32_t)a[1].u.bits, cstr(cx, &a[2]),
                                              (uint32_t)a[3].u.bits, (uint32_t)a[4].u.bits, &d);
    val *ok = fs_result(cx, r, st);
    if (ok) ok->u.bits = d;
    return OK;
}

HOST(h_read) {
    uint64_t len = a[1].u.bits, n = 0;
    int eof = 0;
    if (len > WASMAOT_WASI_IO_CHUNK) len = WASMAOT_WASI_IO_CHUNK;
    uint8_t *buf = cx->alloc(cx->env, (uint32_t)(len ? len : 1));
    val *ok = fs_result(cx, r, wasmaot_p2_read(CTX, h(&a[0]), buf, len, a[2].u.bits, &n, &eof));
    if (ok) {
        val *f = set_fields(cx, ok);
        f[1].u.bits = eof != 0;
        return set_bytes(cx, &f[0], buf, n);
    }
    return OK;
}

HOST(h_write) {
    uint64_t n = 0;
    val *ok = fs_result(cx, r, wasmaot_p2_write(CTX, h(&a[0]), bytes_of(cx, &a[1]), a[1].n, a[2].u.bits, &n));
    if (ok) ok->u.bits = n;
    return OK;
}

HOST(h_set_size) { fs_result(cx, r, wasmaot_p2_set_size(CTX, h(&a[0]), a[1].u.bits)); return OK; }
HOST(h_sync) { fs_result(cx, r, wasmaot_p2_sync(CTX, h(&a[0]))); return OK; }
HOST(h_sync_data) { fs_result(cx, r, wasmaot_p2_sync_data(CTX, h(&a[0]))); return OK; }

HOST(h_read_directory) {
    uint32_t s = 0;
    val *ok = fs_result(cx, r, wasmaot_p2_read_directory(CTX, h(&a[0]), &s));
    if (ok) ok->u.bits = s;
    return OK;
}

/* result<option<directory-entry { type, name }>, error-code> */
HOST(h_read_directory_entry) {
    char *name = cx->alloc(cx->env, WASMAOT_WASI_MAX_PATH);
    size_t len = 0;
    int has = 0;
    uint32_t type = 0;
    wasmaot_p2_status st = wasmaot_p2_read_directory_entry(CTX, h(&a[0]), &has, &type, name, WASMAOT_WASI_MAX_PATH, &len);
    val *ok = fs_result(cx, r, st);
    if (!ok) return OK;
    if (!has) {
        set_case(cx, ok, 0);
        return OK;
    }
    val *f = set_fields(cx, set_case(cx, ok, 1));
    set_case(cx, &f[0], type);
    set_string(&f[1], name, len < WASMAOT_WASI_MAX_PATH ? len : WASMAOT_WASI_MAX_PATH - 1);
    return OK;
}

HOST(h_create_directory_at) { fs_result(cx, r, wasmaot_p2_create_directory_at(CTX, h(&a[0]), cstr(cx, &a[1]))); return OK; }
HOST(h_remove_directory_at) { fs_result(cx, r, wasmaot_p2_remove_directory_at(CTX, h(&a[0]), cstr(cx, &a[1]))); return OK; }
HOST(h_unlink_file_at) { fs_result(cx, r, wasmaot_p2_unlink_file_at(CTX, h(&a[0]), cstr(cx, &a[1]))); return OK; }

HOST(h_rename_at) {
    fs_result(cx, r, wasmaot_p2_rename_at(CTX, h(&a[0]), cstr(cx, &a[1]), h(&a[2]), cstr(cx, &a[3])));
    return OK;
}

HOST(h_symlink_at) {
    fs_result(cx, r, wasmaot_p2_symlink_at(CTX, h(&a[0]), cstr(cx, &a[1]), cstr(cx, &a[2])));
    return OK;
}

HOST(h_readlink_at) {
    char *buf = cx->alloc(cx->env, WASMAOT_WASI_MAX_PATH);
    size_t len = 0;
    val *ok = fs_result(cx, r, wasmaot_p2_readlink_at(CTX, h(&a[0]), cstr(cx, &a[1]), buf, WASMAOT_WASI_MAX_PATH, &len));
    if (ok) set_string(ok, buf, len < WASMAOT_WASI_MAX_PATH ? len : WASMAOT_WASI_MAX_PATH - 1);
    return OK;
}

HOST(h_is_same_object) { (void)cx; r->u.bits = wasmaot_p2_is_same_object(CTX, h(&a[0]), h(&a[1])) != 0; return OK; }

static void set_hash(cx_t *cx, val *v, const wasmaot_p2_metadata_hash_value *hv) {
    val *f = set_fields(cx, v);
    f[0].u.bits = hv->lower;
    f[1].u.bits = hv->upper;
}

HOST(h_metadata_hash) {
    wasmaot_p2_metadata_hash_value hv = {0, 0};
    val *ok = fs_result(cx, r, wasmaot_p2_metadata_hash(CTX, h(&a[0]), &hv));
    if (ok) set_hash(cx, ok, &hv);
    return OK;
}

HOST(h_metadata_hash_at) {
    wasmaot_p2_metadata_hash_value hv = {0, 0};
    val *ok = fs_result(cx, r, wasmaot_p2_metadata_hash_at(CTX, h(&a[0]), (uint32_t)a[1].u.bits, cstr(cx, &a[2]), &hv));
    if (ok) set_hash(cx, ok, &hv);
    return OK;
}

HOST(h_advise) {
    fs_result(cx, r, wasmaot_p2_advise(CTX, h(&a[0]), a[1].u.bits, a[2].u.bits, a[3].n));
    return OK;
}

/* new-timestamp: no-change, now, timestamp(datetime { seconds, nanoseconds }). */
static wasmaot_p2_new_timestamp timestamp_of(const val *v) {
    wasmaot_p2_new_timestamp t = {v->n, {0, 0}};
    if (v->n == WASMAOT_P2_TS_TIMESTAMP && v->u.items) {
        t.ts.seconds = v->u.items->u.items[0].u.bits;
        t.ts.nanoseconds = (uint32_t)v->u.items->u.items[1].u.bits;
    }
    return t;
}

HOST(h_set_times) {
    wasmaot_p2_new_timestamp at = timestamp_of(&a[1]), mt = timestamp_of(&a[2]);
    fs_result(cx, r, wasmaot_p2_set_times(CTX, h(&a[0]), &at, &mt));
    return OK;
}

HOST(h_set_times_at) {
    wasmaot_p2_new_timestamp at = timestamp_of(&a[3]), mt = timestamp_of(&a[4]);
    fs_result(cx, r, wasmaot_p2_set_times_at(CTX, h(&a[0]), (uint32_t)a[1].u.bits, cstr(cx, &a[2]), &at, &mt));
    return OK;
}

HOST(h_link_at) {
    fs_result(cx, r, wasmaot_p2_link_at(CTX, h(&a[0]), (uint32_t)a[1].u.bits, cstr(cx, &a[2]), h(&a[3]),
                                        cstr(cx, &a[4])));
    return OK;
}

/* ------------------------------------------------------------------- table */

static int is_preopen(uint32_t rep) {
    const char *path;
    for (uint32_t i = 0; i < wasmaot_p2_preopens_count(CTX); i++)
        if (wasmaot_p2_preopen(CTX, i, &path) == rep) return 1;
    return 0;
}

/* A host resource's own handle dropped by the guest: the shim's handle is
 * released -- except a preopen's descriptor, which the ctx keeps for the
 * process (its preview1 fd table owns it): get-directories hands out the
 * same rep on every call (the preview1 adapter calls it more than once and
 * drops the first list), so one drop must not close it for the others. */
static wasmaot_canon_status p2_drop(const wasmaot_canon_rtype *rt, uint32_t rep) {
    (void)rt;
    if (is_preopen(rep)) return WASMAOT_CANON_OK;
    wasmaot_p2_sockets_drop(rep);     /* a socket's host descriptor */
    wasmaot_p2_http_drop(rep);        /* an http resource's state, a body's descriptor */
    wasmaot_p2_drop(CTX, rep);
    return WASMAOT_CANON_OK;
}

static const wasmaot_cm_hostfn p2_fns[] = {
#define P2(iface, func, impl) impl,
#include "p2_funcs.def"
#undef P2
};

const wasmaot_cm_hostfns wasmaot_wasi_p2_hostfns = {sizeof p2_fns / sizeof p2_fns[0], p2_fns, p2_drop};
