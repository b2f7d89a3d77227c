/*
 * WASI 0.2 wasi:filesystem (types, preopens) over the platform's file
 * functions.  This file holds the CAPABILITY checks that do not depend on
 * the host (which descriptor may do what, read-only preopens, argument
 * validation, in wasmtime's order so errors match); path resolution beneath
 * a directory is the platform's job (platform/posix/posix_fs.c).
 *
 * Read-only preopens follow wasmtime's DirPerms::READ + FilePerms::READ:
 * every descriptor opened beneath one inherits `read_only`, and any request
 * that could mutate (open with write/create/truncate, mkdir, unlink, rmdir,
 * rename, link, symlink, set-times, set-size, writes) is NOT_PERMITTED
 * before the path is even looked at.
 */
#include "wasi_internal.h"

uint32_t wasmaot_p2_preopens_count(const wasmaot_wasi_ctx *ctx) {
    return ctx->cfg ? ctx->cfg->n_preopens : 0;
}

uint32_t wasmaot_p2_preopen(const wasmaot_wasi_ctx *ctx, uint32_t i, const char **guest_path) {
    for (uint32_t fd = 0; fd < ctx->n_fds; fd++) {
        if (ctx->fds[fd].kind == WASMAOT_WASI_FD_DIR && ctx->fds[fd].preopen == (int32_t)i) {
            *guest_path = ctx->cfg->preopens[i].guest_path;
            return ctx->fds[fd].res;
        }
    }
    *guest_path = 0;
    return 0;
}

#if WASMAOT_WASI_FILESYSTEM

static wasmaot_wasi_resource *desc(wasmaot_wasi_ctx *ctx, uint32_t d) {
    return wasmaot_wasi_res_get(ctx, d, WASMAOT_WASI_RES_DESCRIPTOR);
}

#define GET_DESC(r, d)                                  \
    wasmaot_wasi_resource *r = desc(ctx, d);            \
    if (!r) return WASMAOT_P2_E_BAD_DESCRIPTOR

/* A directory descriptor (wasmtime: `.dir()?` -> NotDirectory). */
#define GET_DIR(r, d)                                                      \
    GET_DESC(r, d);                                                        \
    if (r->sub != WASMAOT_P2_TYPE_DIRECTORY) return WASMAOT_P2_E_NOT_DIRECTORY

/* A non-directory descriptor (wasmtime: `.file()?` -> BadDescriptor). */
#define GET_FILE(r, d)                                                     \
    GET_DESC(r, d);                                                        \
    if (r->sub == WASMAOT_P2_TYPE_DIRECTORY) return WASMAOT_P2_E_BAD_DESCRIPTOR

#define NEED_MUTATE(r) \
    if (r->read_only) return WASMAOT_P2_E_NOT_PERMITTED

static wasmaot_p2_status new_stream(wasmaot_wasi_ctx *ctx, uint8_t kind, uint8_t sub, uint32_t d, uint64_t offset,
                                    uint32_t *out) {
    uint32_t h = wasmaot_wasi_res_alloc(ctx, kind);
    if (!h) return WASMAOT_P2_E_INSUFFICIENT_MEMORY;
    ctx->res[h].sub = sub;
    ctx->res[h].target = d;
    ctx->res[h].offset = offset;
    *out = h;
    return WASMAOT_P2_OK;
}

wasmaot_p2_status wasmaot_p2_read_via_stream(wasmaot_wasi_ctx *ctx, uint32_t d, uint64_t offset, uint32_t *stream) {
    GET_FILE(r, d);
    if (!(r->flags & WASMAOT_P2_DESC_READ)) return WASMAOT_P2_E_BAD_DESCRIPTOR;
    return new_stream(ctx, WASMAOT_WASI_RES_INPUT_STREAM, WASMAOT_WASI_STREAM_FILE, d, offset, stream);
}

wasmaot_p2_status wasmaot_p2_write_via_stream(wasmaot_wasi_ctx *ctx, uint32_t d, uint64_t offset, uint32_t *stream) {
    GET_FILE(r, d);
    if (!(r->flags & WASMAOT_P2_DESC_WRITE)) return WASMAOT_P2_E_BAD_DESCRIPTOR;
    NEED_MUTATE(r);
    return new_stream(ctx, WASMAOT_WASI_RES_OUTPUT_STREAM, WASMAOT_WASI_STREAM_FILE, d, offset, stream);
}

wasmaot_p2_status wasmaot_p2_append_via_stream(wasmaot_wasi_ctx *ctx, uint32_t d, uint32_t *stream) {
    GET_FILE(r, d);
    if (!(r->flags & WASMAOT_P2_DESC_WRITE)) return WASMAOT_P2_E_BAD_DESCRIPTOR;
    NEED_MUTATE(r);
    return new_stream(ctx, WASMAOT_WASI_RES_OUTPUT_STREAM, WASMAOT_WASI_STREAM_APPEND, d, 0, stream);
}

wasmaot_p2_status wasmaot_p2_advise(wasmaot_wasi_ctx *ctx, uint32_t d, uint64_t offset, uint64_t len, uint32_t advice) {
    GET_FILE(r, d);
    if (advice > WASMAOT_P2_ADVICE_NO_REUSE) return WASMAOT_P2_E_INVALID;
    return wasmaot_wasi_plat_advise(r->host, offset, len, advice);
}

wasmaot_p2_status wasmaot_p2_sync_data(wasmaot_wasi_ctx *ctx, uint32_t d) {
    GET_DESC(r, d);
    return wasmaot_wasi_plat_sync(r->host, 1);
}

wasmaot_p2_status wasmaot_p2_sync(wasmaot_wasi_ctx *ctx, uint32_t d) {
    GET_DESC(r, d);
    return wasmaot_wasi_plat_sync(r->host, 0);
}

wasmaot_p2_status wasmaot_p2_get_flags(wasmaot_wasi_ctx *ctx, uint32_t d, uint32_t *flags) {
    GET_DESC(r, d);
    *flags = r->flags;
    return WASMAOT_P2_OK;
}

wasmaot_p2_status wasmaot_p2_get_type(wasmaot_wasi_ctx *ctx, uint32_t d, uint32_t *type) {
    GET_DESC(r, d);
    if (r->sub == WASMAOT_P2_TYPE_DIRECTORY) {
        *type = WASMAOT_P2_TYPE_DIRECTORY;
        return WASMAOT_P2_OK;
    }
    wasmaot_p2_descriptor_stat st;
    wasmaot_p2_status s = wasmaot_wasi_plat_stat(r->host, &st, 0);
    if (!s) *type = st.type;
    return s;
}

wasmaot_p2_status wasmaot_p2_set_size(wasmaot_wasi_ctx *ctx, uint32_t d, uint64_t size) {
    GET_FILE(r, d);
    NEED_MUTATE(r);
    return wasmaot_wasi_plat_set_size(r->host, size);
}

static int bad_ts(const wasmaot_p2_new_timestamp *t) {
    return t->tag > WASMAOT_P2_TS_TIMESTAMP ||
           (t->tag == WASMAOT_P2_TS_TIMESTAMP && t->ts.nanoseconds >= 1000000000u);
}

wasmaot_p2_status wasmaot_p2_set_times(wasmaot_wasi_ctx *ctx, uint32_t d, const wasmaot_p2_new_timestamp *a,
                                       const wasmaot_p2_new_timestamp *m) {
    GET_DESC(r, d);
    NEED_MUTATE(r);
    if (bad_ts(a) || bad_ts(m)) return WASMAOT_P2_E_INVALID;
    return wasmaot_wasi_plat_set_times(r->host, a, m);
}

wasmaot_p2_status wasmaot_p2_read(wasmaot_wasi_ctx *ctx, uint32_t d, uint8_t *buf, uint64_t len, uint64_t offset,
                                  uint64_t *n, int *eof) {
    *n = 0;
    *eof = 0;
    GET_FILE(r, d);
    wasmaot_p2_status s = wasmaot_wasi_plat_pread(r->host, buf, len, offset, n);
    if (!s && *n == 0 && len > 0) *eof = 1;
    return s;
}

wasmaot_p2_status wasmaot_p2_write(wasmaot_wasi_ctx *ctx, uint32_t d, const uint8_t *buf, uint64_t len,
                                   uint64_t offset, uint64_t *n) {
    *n = 0;
    GET_FILE(r, d);
    if (!(r->flags & WASMAOT_P2_DESC_WRITE)) return WASMAOT_P2_E_BAD_DESCRIPTOR;
    NEED_MUTATE(r);
    return wasmaot_wasi_plat_pwrite(r->host, buf, len, offset, n);
}

wasmaot_p2_status wasmaot_p2_append(wasmaot_wasi_ctx *ctx, uint32_t d, const uint8_t *buf, uint64_t len,
                                    uint64_t *n) {
    *n = 0;
    GET_FILE(r, d);
    if (!(r->flags & WASMAOT_P2_DESC_WRITE)) return WASMAOT_P2_E_BAD_DESCRIPTOR;
    NEED_MUTATE(r);
    return wasmaot_wasi_plat_append(r->host, buf, len, n);
}

wasmaot_p2_status wasmaot_p2_read_directory(wasmaot_wasi_ctx *ctx, uint32_t d, uint32_t *out) {
    GET_DIR(r, d);
    uint32_t h = wasmaot_wasi_res_alloc(ctx, WASMAOT_WASI_RES_DIR_STREAM);
    if (!h) return WASMAOT_P2_E_INSUFFICIENT_MEMORY;
    wasmaot_p2_status s = wasmaot_wasi_plat_dir_open(r->host, &ctx->res[h].state);
    if (s) {
        ctx->res[h].kind = WASMAOT_WASI_RES_FREE;
        return s;
    }
    ctx->res[h].target = d;
    *out = h;
    return WASMAOT_P2_OK;
}

wasmaot_p2_status wasmaot_p2_read_directory_entry(wasmaot_wasi_ctx *ctx, uint32_t ds, int *has, uint32_t *type,
                                                  char *name, size_t cap, size_t *len) {
    wasmaot_wasi_resource *r = wasmaot_wasi_res_get(ctx, ds, WASMAOT_WASI_RES_DIR_STREAM);
    *has = 0;
    if (!r) return WASMAOT_P2_E_BAD_DESCRIPTOR;
    return wasmaot_wasi_plat_dir_next(r->state, has, type, name, cap, len);
}

wasmaot_p2_status wasmaot_p2_create_directory_at(wasmaot_wasi_ctx *ctx, uint32_t d, const char *path) {
    GET_DIR(r, d);
    NEED_MUTATE(r);
    return wasmaot_wasi_plat_mkdir_at(r->host, path);
}

wasmaot_p2_status wasmaot_p2_stat(wasmaot_wasi_ctx *ctx, uint32_t d, wasmaot_p2_descriptor_stat *st) {
    GET_DESC(r, d);
    return wasmaot_wasi_plat_stat(r->host, st, 0);
}

wasmaot_p2_status wasmaot_p2_stat_at(wasmaot_wasi_ctx *ctx, uint32_t d, uint32_t path_flags, const char *path,
                                     wasmaot_p2_descriptor_stat *st) {
    GET_DIR(r, d);
    return wasmaot_wasi_plat_stat_at(r->host, path_flags & WASMAOT_P2_PATH_SYMLINK_FOLLOW, path, st, 0);
}

wasmaot_p2_status wasmaot_p2_set_times_at(wasmaot_wasi_ctx *ctx, uint32_t d, uint32_t path_flags, const char *path,
                                          const wasmaot_p2_new_timestamp *a, const wasmaot_p2_new_timestamp *m) {
    GET_DIR(r, d);
    NEED_MUTATE(r);
    if (bad_ts(a) || bad_ts(m)) return WASMAOT_P2_E_INVALID;
    return wasmaot_wasi_plat_set_times_at(r->host, path_flags & WASMAOT_P2_PATH_SYMLINK_FOLLOW, path, a, m);
}

wasmaot_p2_status wasmaot_p2_link_at(wasmaot_wasi_ctx *ctx, uint32_t d, uint32_t old_flags, const char *old_path,
                                     uint32_t new_d, const char *new_path) {
    GET_DIR(r, d);
    GET_DIR(nr, new_d);
    NEED_MUTATE(nr);
    NEED_MUTATE(r);
    /* wasmtime refuses to follow a symlink for link-at (hard links to a
     * symlink's target are not portable): INVALID, before any lookup. */
    if (old_flags & WASMAOT_P2_PATH_SYMLINK_FOLLOW) return WASMAOT_P2_E_INVALID;
    return wasmaot_wasi_plat_link_at(r->host, old_flags & WASMAOT_P2_PATH_SYMLINK_FOLLOW, old_path, nr->host,
                                     new_path);
}

wasmaot_p2_status wasmaot_p2_open_at(wasmaot_wasi_ctx *ctx, uint32_t d, uint32_t path_flags, const char *path,
                                     uint32_t oflags, uint32_t flags, uint32_t *out) {
    GET_DIR(r, d);
    /* wasmtime's order: permissions, then flag consistency, then the OS. */
    if (r->read_only &&
        ((oflags & (WASMAOT_P2_OPEN_CREATE | WASMAOT_P2_OPEN_TRUNCATE)) ||
         (flags & (WASMAOT_P2_DESC_WRITE | WASMAOT_P2_DESC_MUTATE_DIRECTORY))))
        return WASMAOT_P2_E_NOT_PERMITTED;
    if ((oflags & WASMAOT_P2_OPEN_DIRECTORY) &&
        (oflags & (WASMAOT_P2_OPEN_CREATE | WASMAOT_P2_OPEN_EXCLUSIVE | WASMAOT_P2_OPEN_TRUNCATE)))
        return WASMAOT_P2_E_INVALID;
    uint32_t h = wasmaot_wasi_res_alloc(ctx, WASMAOT_WASI_RES_DESCRIPTOR);
    if (!h) return WASMAOT_P2_E_INSUFFICIENT_MEMORY;
    int64_t fd;
    uint32_t type;
    wasmaot_p2_status s = wasmaot_wasi_plat_open_at(r->host, path_flags & WASMAOT_P2_PATH_SYMLINK_FOLLOW, path, oflags,
                                                    flags, &fd, &type);
    if (s) {
        ctx->res[h].kind = WASMAOT_WASI_RES_FREE;
        return s;
    }
    wasmaot_wasi_resource *n = &ctx->res[h];
    n->host = fd;
    n->sub = (uint8_t)(type == WASMAOT_P2_TYPE_DIRECTORY ? WASMAOT_P2_TYPE_DIRECTORY : WASMAOT_P2_TYPE_REGULAR_FILE);
    n->read_only = r->read_only;
    if (type == WASMAOT_P2_TYPE_DIRECTORY)
        n->flags = WASMAOT_P2_DESC_READ | (r->read_only ? 0u : (flags & WASMAOT_P2_DESC_MUTATE_DIRECTORY));
    else
        /* Like wasmtime: without WRITE the file is opened for reading even if
         * READ was not asked for (the OS needs some access mode). */
        n->flags = (flags & ~WASMAOT_P2_DESC_MUTATE_DIRECTORY) |
                   ((flags & WASMAOT_P2_DESC_WRITE) ? 0u : WASMAOT_P2_DESC_READ);
    *out = h;
    return WASMAOT_P2_OK;
}

wasmaot_p2_status wasmaot_p2_readlink_at(wasmaot_wasi_ctx *ctx, uint32_t d, const char *path, char *buf, size_t cap,
                                         size_t *len) {
    GET_DIR(r, d);
    return wasmaot_wasi_plat_readlink_at(r->host, path, buf, cap, len);
}

wasmaot_p2_status wasmaot_p2_remove_directory_at(wasmaot_wasi_ctx *ctx, uint32_t d, const char *path) {
    GET_DIR(r, d);
    NEED_MUTATE(r);
    return wasmaot_wasi_plat_rmdir_at(r->host, path);
}

wasmaot_p2_status wasmaot_p2_rename_at(wasmaot_wasi_ctx *ctx, uint32_t d, const char *old_path, uint32_t new_d,
                                       const char *new_path) {
    GET_DIR(r, d);
    GET_DIR(nr, new_d);
    NEED_MUTATE(r);
    NEED_MUTATE(nr);
    return wasmaot_wasi_plat_rename_at(r->host, old_path, nr->host, new_path);
}

wasmaot_p2_status wasmaot_p2_symlink_at(wasmaot_wasi_ctx *ctx, uint32_t d, const char *old_path, const char *new_path) {
    GET_DIR(r, d);
    NEED_MUTATE(r);
    return wasmaot_wasi_plat_symlink_at(old_path, r->host, new_path);
}

wasmaot_p2_status wasmaot_p2_unlink_file_at(wasmaot_wasi_ctx *ctx, uint32_t d, const char *path) {
    GET_DIR(r, d);
    NEED_MUTATE(r);
    return wasmaot_wasi_plat_unlink_at(r->host, path);
}

int wasmaot_p2_is_same_object(wasmaot_wasi_ctx *ctx, uint32_t a, uint32_t b) {
    wasmaot_wasi_resource *x = desc(ctx, a), *y = desc(ctx, b);
    return x && y && wasmaot_wasi_plat_same_object(x->host, y->host);
}

wasmaot_p2_status wasmaot_p2_metadata_hash(wasmaot_wasi_ctx *ctx, uint32_t d, wasmaot_p2_metadata_hash_value *h) {
    GET_DESC(r, d);
    wasmaot_p2_descriptor_stat st;
    return wasmaot_wasi_plat_stat(r->host, &st, h);
}

wasmaot_p2_status wasmaot_p2_metadata_hash_at(wasmaot_wasi_ctx *ctx, uint32_t d, uint32_t path_flags,
                                              const char *path, wasmaot_p2_metadata_hash_value *h) {
    GET_DIR(r, d);
    wasmaot_p2_descriptor_stat st;
    return wasmaot_wasi_plat_stat_at(r->host, path_flags & WASMAOT_P2_PATH_SYMLINK_FOLLOW, path, &st, h);
}

#else /* !WASMAOT_WASI_FILESYSTEM: no descriptor can exist */

#define NODESC return WASMAOT_P2_E_BAD_DESCRIPTOR
wasmaot_p2_status wasmaot_p2_read_via_stream(wasmaot_wasi_ctx *c, uint32_t d, uint64_t o, uint32_t *s) { (void)c; (void)d; (void)o; (void)s; NODESC; }
wasmaot_p2_status wasmaot_p2_write_via_stream(wasmaot_wasi_ctx *c, uint32_t d, uint64_t o, uint32_t *s) { (void)c; (void)d; (void)o; (void)s; NODESC; }
wasmaot_p2_status wasmaot_p2_append_via_stream(wasmaot_wasi_ctx *c, uint32_t d, uint32_t *s) { (void)c; (void)d; (void)s; NODESC; }
wasmaot_p2_status wasmaot_p2_advise(wasmaot_wasi_ctx *c, uint32_t d, uint64_t o, uint64_t l, uint32_t a) { (void)c; (void)d; (void)o; (void)l; (void)a; NODESC; }
wasmaot_p2_status wasmaot_p2_sync_data(wasmaot_wasi_ctx *c, uint32_t d) { (void)c; (void)d; NODESC; }
wasmaot_p2_status wasmaot_p2_sync(wasmaot_wasi_ctx *c, uint32_t d) { (void)c; (void)d; NODESC; }
wasmaot_p2_status wasmaot_p2_get_flags(wasmaot_wasi_ctx *c, uint32_t d, uint32_t *f) { (void)c; (void)d; (void)f; NODESC; }
wasmaot_p2_status wasmaot_p2_get_type(wasmaot_wasi_ctx *c, uint32_t d, uint32_t *t) { (void)c; (void)d; (void)t; NODESC; }
wasmaot_p2_status wasmaot_p2_set_size(wasmaot_wasi_ctx *c, uint32_t d, uint64_t s) { (void)c; (void)d; (void)s; NODESC; }
wasmaot_p2_status wasmaot_p2_set_times(wasmaot_wasi_ctx *c, uint32_t d, const wasmaot_p2_new_timestamp *a, const wasmaot_p2_new_timestamp *m) { (void)c; (void)d; (void)a; (void)m; NODESC; }
wasmaot_p2_status wasmaot_p2_read(wasmaot_wasi_ctx *c, uint32_t d, uint8_t *b, uint64_t l, uint64_t o, uint64_t *n, int *e) { (void)c; (void)d; (void)b; (void)l; (void)o; *n = 0; *e = 0; NODESC; }
wasmaot_p2_status wasmaot_p2_write(wasmaot_wasi_ctx *c, uint32_t d, const uint8_t *b, uint64_t l, uint64_t o, uint64_t *n) { (void)c; (void)d; (void)b; (void)l; (void)o; *n = 0; NODESC; }
wasmaot_p2_status wasmaot_p2_append(wasmaot_wasi_ctx *c, uint32_t d, const uint8_t *b, uint64_t l, uint64_t *n) { (void)c; (void)d; (void)b; (void)l; *n = 0; NODESC; }
wasmaot_p2_status wasmaot_p2_read_directory(wasmaot_wasi_ctx *c, uint32_t d, uint32_t *o) { (void)c; (void)d; (void)o; NODESC; }
wasmaot_p2_status wasmaot_p2_read_directory_entry(wasmaot_wasi_ctx *c, uint32_t s, int *h, uint32_t *t, char *n, size_t cap, size_t *l) { (void)c; (void)s; (void)t; (void)n; (void)cap; (void)l; *h = 0; NODESC; }
wasmaot_p2_status wasmaot_p2_create_directory_at(wasmaot_wasi_ctx *c, uint32_t d, const char *p) { (void)c; (void)d; (void)p; NODESC; }
wasmaot_p2_status wasmaot_p2_stat(wasmaot_wasi_ctx *c, uint32_t d, wasmaot_p2_descriptor_stat *s) { (void)c; (void)d; (void)s; NODESC; }
wasmaot_p2_status wasmaot_p2_stat_at(wasmaot_wasi_ctx *c, uint32_t d, uint32_t f, const char *p, wasmaot_p2_descriptor_stat *s) { (void)c; (void)d; (void)f; (void)p; (void)s; NODESC; }
wasmaot_p2_status wasmaot_p2_set_times_at(wasmaot_wasi_ctx *c, uint32_t d, uint32_t f, const char *p, const wasmaot_p2_new_timestamp *a, const wasmaot_p2_new_timestamp *m) { (void)c; (void)d; (void)f; (void)p; (void)a; (void)m; NODESC; }
wasmaot_p2_status wasmaot_p2_link_at(wasmaot_wasi_ctx *c, uint32_t d, uint32_t f, const char *p, uint32_t nd, const char *np) { (void)c; (void)d; (void)f; (void)p; (void)nd; (void)np; NODESC; }
wasmaot_p2_status wasmaot_p2_open_at(wasmaot_wasi_ctx *c, uint32_t d, uint32_t pf, const char *p, uint32_t of, uint32_t f, uint32_t *o) { (void)c; (void)d; (void)pf; (void)p; (void)of; (void)f; (void)o; NODESC; }
wasmaot_p2_status wasmaot_p2_readlink_at(wasmaot_wasi_ctx *c, uint32_t d, const char *p, char *b, size_t cap, size_t *l) { (void)c; (void)d; (void)p; (void)b; (void)cap; (void)l; NODESC; }
wasmaot_p2_status wasmaot_p2_remove_directory_at(wasmaot_wasi_ctx *c, uint32_t d, const char *p) { (void)c; (void)d; (void)p; NODESC; }
wasmaot_p2_status wasmaot_p2_rename_at(wasmaot_wasi_ctx *c, uint32_t d, const char *p, uint32_t nd, const char *np) { (void)c; (void)d; (void)p; (void)nd; (void)np; NODESC; }
wasmaot_p2_status wasmaot_p2_symlink_at(wasmaot_wasi_ctx *c, uint32_t d, const char *o, const char *n) { (void)c; (void)d; (void)o; (void)n; NODESC; }
wasmaot_p2_status wasmaot_p2_unlink_file_at(wasmaot_wasi_ctx *c, uint32_t d, const char *p) { (void)c; (void)d; (void)p; NODESC; }
int wasmaot_p2_is_same_object(wasmaot_wasi_ctx *c, uint32_t a, uint32_t b) { (void)c; (void)a; (void)b; return 0; }
wasmaot_p2_status wasmaot_p2_metadata_hash(wasmaot_wasi_ctx *c, uint32_t d, wasmaot_p2_metadata_hash_value *h) { (void)c; (void)d; (void)h; NODESC; }
wasmaot_p2_status wasmaot_p2_metadata_hash_at(wasmaot_wasi_ctx *c, uint32_t d, uint32_t f, const char *p, wasmaot_p2_metadata_hash_value *h) { (void)c; (void)d; (void)f; (void)p; (void)h; NODESC; }
#endif
