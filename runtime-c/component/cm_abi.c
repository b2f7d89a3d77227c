/*
 * cm_abi.c -- the canonical ABI between host values and a lifted core
 * function (CanonicalABI.md: lower_flat_values / lift_flat_values, store /
 * load, strings and lists), freestanding.
 *
 * Types are the compiler's precomputed nodes (wasmaot_cm.h): sizes,
 * alignments, field offsets and flat types are read, never computed, except
 * the layout of spilled parameters (a tuple of the parameters).
 *
 * Core values are trampoline slots (backends/ABI.md "Descriptor"): one
 * uint64_t each, integers zero-extended, floats as bits in the low bits.
 * So the variant "join" coercions of the spec (i32 into an i64 slot, f32
 * bits into an i32 ...) are the identity on the slot when lowering, and a
 * truncation to the wanted width when lifting.
 *
 * Lifting prints WAVE as it goes (cx->put): the caller buffers the text and
 * drops it on an error, so a bad value prints nothing, as in wasmtime.
 */
#include "cm_escape.h"
#include "wasmaot_canon.h"
#include "wasmaot_cm.h"
#include "wasmaot_rt.h"

#include <stddef.h>
#include <stdint.h>

typedef const wasmaot_cm_type *ty_t;

static ty_t type_at(const wasmaot_cm_cx *cx, uint32_t i) { return &cx->comp->types[i]; }
static uint32_t pool(const wasmaot_cm_cx *cx, uint32_t i) { return cx->comp->pool[i]; }
static ty_t child(const wasmaot_cm_cx *cx, ty_t t, uint32_t k) {
    uint32_t c = pool(cx, t->children + k);
    return c == WASMAOT_CM_NONE ? NULL : type_at(cx, c);
}
static uint32_t align_to(uint32_t x, uint32_t a) { return (x + a - 1) / a * a; }

/* ------------------------------------------------------------ memory */

static uint8_t *mem_base(const wasmaot_cm_cx *cx) { return cx->memory ? cx->memory->base : NULL; }
static uint64_t mem_size(const wasmaot_cm_cx *cx) { return cx->memory ? cx->memory->size_bytes : 0; }

static int in_bounds(const wasmaot_cm_cx *cx, uint64_t ptr, uint64_t len) {
    return ptr + len <= mem_size(cx);
}

static uint64_t load_le(const wasmaot_cm_cx *cx, uint32_t ptr, uint32_t n) {
    const uint8_t *p = mem_base(cx) + ptr;
    uint64_t v = 0;
    for (uint32_t i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void store_le(wasmaot_cm_cx *cx, uint32_t ptr, uint32_t n, uint64_t v) {
    uint8_t *p = mem_base(cx) + ptr;
    for (uint32_t i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* realloc(0, 0, align, size) with the spec's checks on its result. */
static int allocate(wasmaot_cm_cx *cx, uint32_t align, uint32_t size, uint32_t *out) {
    if (!cx->realloc || !cx->memory) return WASMAOT_CM_ERR_UNSUPPORTED;
    uint32_t p = cx->realloc(cx->env, 0, 0, align, size);
    if (p % align) return WASMAOT_CM_ERR_REALLOC_ALIGN;
    if (!in_bounds(cx, p, size)) return WASMAOT_CM_ERR_REALLOC;
    *out = p;
    return WASMAOT_CM_OK;
}

/* ------------------------------------------------------------ lowering */

static int store(wasmaot_cm_cx *cx, const wasmaot_cm_value *v, uint32_t ptr);
static int lower_flat(wasmaot_cm_cx *cx, const wasmaot_cm_value *v, uint64_t *out, uint32_t *k);

static uint64_t canon_f32(double d) {
    union { float f; uint32_t u; } x;
    x.f = (float)d;
    if (d != d) x.u = 0x7fc00000u;
    return x.u;
}

static uint64_t canon_f64(double d) {
    union { double f; uint64_t u; } x;
    x.f = d;
    if (d != d) x.u = 0x7ff8000000000000ull;
    return x.u;
}

/* The bits of a scalar kind as its core value (or memory bytes). */
static uint64_t scalar_bits(ty_t t, const wasmaot_cm_value *v) {
    switch (t->kind) {
    case WASMAOT_CM_F32: return canon_f32(v->u.f64);
    case WASMAOT_CM_F64: return canon_f64(v->u.f64);
    case WASMAOT_CM_BOOL: return v->u.bits != 0;
    case WASMAOT_CM_S8: case WASMAOT_CM_S16: case WASMAOT_CM_S32:
        return (uint32_t)v->u.bits;       /* two's complement, 32 bits */
    default: return v->u.bits;
    }
}

static int is_scalar(uint32_t kind) { return kind <= WASMAOT_CM_CHAR; }

/* The guest's realloc as the transcoder calls it; the view follows the
 * memory, which the call may have grown or moved. */
static wasmaot_canon_status canon_realloc(wasmaot_canon_mem *m, uint32_t old_ptr, uint32_t old_size,
                                          uint32_t align, uint32_t new_size, uint32_t *new_ptr) {
    wasmaot_cm_cx *cx = m->ctx;
    *new_ptr = cx->realloc(cx->env, old_ptr, old_size, align, new_size);
    m->base = mem_base(cx);
    m->size = mem_size(cx);
    return WASMAOT_CANON_OK;
}

/* A host string (UTF-8) into guest memory in the function's encoding,
 * with the spec's realloc calls (runtime-c/canon's transcoder). */
static int store_string(wasmaot_cm_cx *cx, const wasmaot_cm_value *v, uint32_t *ptr, uint32_t *len) {
    if (!cx->realloc || !cx->memory) return WASMAOT_CM_ERR_UNSUPPORTED;
    wasmaot_canon_mem src = {(uint8_t *)(uintptr_t)v->u.str, v->n, NULL, NULL, NULL};
    wasmaot_canon_mem dst = {mem_base(cx), mem_size(cx), canon_realloc, NULL, cx};
    wasmaot_canon_status st = wasmaot_canon_transcode(&src, WASMAOT_CANON_UTF8, 0, v->n, &dst,
                                                      cx->func->encoding, ptr, len);
    if (st == WASMAOT_CANON_OK) return WASMAOT_CM_OK;
    if (st == WASMAOT_CANON_E_UNALIGNED) return WASMAOT_CM_ERR_REALLOC_ALIGN;
    if (st == WASMAOT_CANON_E_OUT_OF_BOUNDS) return WASMAOT_CM_ERR_REALLOC;
    return WASMAOT_CM_ERR_STRING_TOO_LONG;
}

static int store_list(wasmaot_cm_cx *cx, ty_t t, const wasmaot_cm_value *v, uint32_t *ptr) {
    ty_t e = child(cx, t, 0);
    uint64_t bytes = (uint64_t)e->size * v->n;
    if (bytes > 0xFFFFFFFFu) return WASMAOT_CM_ERR_BOUNDS;
    int err = allocate(cx, e->align, (uint32_t)bytes, ptr);
    for (uint32_t i = 0; !err && i < v->n; i++) err = store(cx, &v->u.items[i], *ptr + i * e->size);
    return err;
}

/* lower_own / lower_borrow into this side's handle table: the index. */
static int lower_handle(wasmaot_cm_cx *cx, ty_t t, uint32_t rep, uint32_t *index) {
    if (!cx->canon || t->resource == WASMAOT_CM_NONE) return WASMAOT_CM_ERR_UNSUPPORTED;
    const wasmaot_canon_rtype *rt = &cx->rtypes[t->resource];
    wasmaot_canon_status st = t->kind == WASMAOT_CM_OWN
                                  ? wasmaot_canon_lower_own(cx->canon, rt, rep, index)
                                  : wasmaot_canon_lower_borrow(cx->canon, rt, rep, cx->call, index);
    if (st == WASMAOT_CANON_OK) return WASMAOT_CM_OK;
    cx->detail[0] = st;
    return WASMAOT_CM_ERR_CANON;
}

/* lift_own / lift_borrow from this side's handle table: the rep. */
static int lift_handle(wasmaot_cm_cx *cx, ty_t t, uint32_t index, uint32_t *rep) {
    if (!cx->canon || t->resource == WASMAOT_CM_NONE) return WASMAOT_CM_ERR_UNSUPPORTED;
    const wasmaot_canon_rtype *rt = &cx->rtypes[t->resource];
    wasmaot_canon_status st = t->kind == WASMAOT_CM_OWN
                                  ? wasmaot_canon_lift_own(cx->canon, rt, index, rep)
                                  : wasmaot_canon_lift_borrow(cx->canon, rt, index, cx->call, rep);
    if (st == WASMAOT_CANON_OK) return WASMAOT_CM_OK;
    cx->detail[0] = st;
    cx->detail[1] = index;
    return WASMAOT_CM_ERR_CANON;
}

static int store(wasmaot_cm_cx *cx, const wasmaot_cm_value *v, uint32_t ptr) {
    ty_t t = type_at(cx, v->type);
    if (is_scalar(t->kind)) { store_le(cx, ptr, t->size, scalar_bits(t, v)); return WASMAOT_CM_OK; }
    uint32_t p = 0, n = 0;
    int e = WASMAOT_CM_OK;
    switch (t->kind) {
    case WASMAOT_CM_STRING:
        if ((e = store_string(cx, v, &p, &n))) return e;
        store_le(cx, ptr, 4, p);
        store_le(cx, ptr + 4, 4, n);
        return e;
    case WASMAOT_CM_LIST:
        if ((e = store_list(cx, t, v, &p))) return e;
        store_le(cx, ptr, 4, p);
        store_le(cx, ptr + 4, 4, v->n);
        return e;
    case WASMAOT_CM_RECORD: case WASMAOT_CM_TUPLE:
        for (uint32_t i = 0; !e && i < t->n; i++) e = store(cx, &v->u.items[i], ptr + pool(cx, t->offsets + i));
        return e;
    case WASMAOT_CM_VARIANT: case WASMAOT_CM_OPTION: case WASMAOT_CM_RESULT: case WASMAOT_CM_ENUM:
        store_le(cx, ptr, t->disc_size, v->n);
        return v->u.items ? store(cx, v->u.items, ptr + t->payload_offset) : e;
    case WASMAOT_CM_FLAGS:
        store_le(cx, ptr, t->size, v->u.bits);
        return e;
    case WASMAOT_CM_OWN: case WASMAOT_CM_BORROW:
        if ((e = lower_handle(cx, t, (uint32_t)v->u.bits, &p))) return e;
        store_le(cx, ptr, 4, p);
        return e;
    default:
        return WASMAOT_CM_ERR_UNSUPPORTED;
    }
}

static int lower_flat(wasmaot_cm_cx *cx, const wasmaot_cm_value *v, uint64_t *out, uint32_t *k) {
    ty_t t = type_at(cx, v->type);
    if (is_scalar(t->kind)) { out[(*k)++] = scalar_bits(t, v); return WASMAOT_CM_OK; }
    uint32_t p = 0, n = 0, start = *k;
    int e = WASMAOT_CM_OK;
    switch (t->kind) {
    case WASMAOT_CM_STRING:
        if ((e = store_string(cx, v, &p, &n))) return e;
        out[(*k)++] = p;
        out[(*k)++] = n;
        return e;
    case WASMAOT_CM_LIST:
        if ((e = store_list(cx, t, v, &p))) return e;
        out[(*k)++] = p;
        out[(*k)++] = v->n;
        return e;
    case WASMAOT_CM_RECORD: case WASMAOT_CM_TUPLE:
        for (uint32_t i = 0; !e && i < t->n; i++) e = lower_flat(cx, &v->u.items[i], out, k);
        return e;
    case WASMAOT_CM_VARIANT: case WASMAOT_CM_OPTION: case WASMAOT_CM_RESULT: case WASMAOT_CM_ENUM:
        out[(*k)++] = v->n;
        if (v->u.items && (e = lower_flat(cx, v->u.items, out, k))) return e;
        while (*k < start + t->flat_count) out[(*k)++] = 0;   /* the unused joined slots */
        return e;
    case WASMAOT_CM_FLAGS:
        out[(*k)++] = v->u.bits;
        return e;
    case WASMAOT_CM_OWN: case WASMAOT_CM_BORROW:
        if ((e = lower_handle(cx, t, (uint32_t)v->u.bits, &p))) return e;
        out[(*k)++] = p;
        return e;
    default:
        return WASMAOT_CM_ERR_UNSUPPORTED;
    }
}

int wasmaot_cm_lower_args(wasmaot_cm_cx *cx, const wasmaot_cm_value *args, uint64_t *slots,
                          uint32_t *n_slots) {
    const wasmaot_cm_func *f = cx->func;
    uint32_t flat = 0, size = 0, align = 1;
    for (uint32_t i = 0; i < f->n_params; i++) {
        ty_t t = type_at(cx, pool(cx, f->params + i));
        flat += t->flat_count;
        size = align_to(size, t->align) + t->size;
        align = t->align > align ? t->align : align;
    }
    *n_slots = 0;
    if (flat <= WASMAOT_CM_MAX_FLAT_PARAMS) {
        int e = WASMAOT_CM_OK;
        for (uint32_t i = 0; !e && i < f->n_params; i++) e = lower_flat(cx, &args[i], slots, n_slots);
        return e;
    }
    /* Too many: the parameters as one tuple in guest memory. */
    uint32_t ptr, off = 0;
    int e = allocate(cx, align, align_to(size, align), &ptr);
    for (uint32_t i = 0; !e && i < f->n_params; i++) {
        ty_t t = type_at(cx, pool(cx, f->params + i));
        off = align_to(off, t->align);
        e = store(cx, &args[i], ptr + off);
        off += t->size;
    }
    slots[0] = ptr;
    *n_slots = 1;
    return e;
}

/* ------------------------------------------------------------ lifting */

static void put(wasmaot_cm_cx *cx, const char *s) {
    uint32_t n = 0;
    while (s[n]) n++;
    cx->put(cx->env, s, n);
}

static void put_label(wasmaot_cm_cx *cx, ty_t t, uint32_t k, int escape_keywords) {
    uint32_t off = pool(cx, t->labels + 2 * k), len = pool(cx, t->labels + 2 * k + 1);
    const char *s = cx->comp->strings + off;
    if (escape_keywords) {
        static const char *const kw[] = {"true", "false", "some", "none", "ok", "err", "inf", "nan"};
        for (uint32_t i = 0; i < sizeof kw / sizeof kw[0]; i++) {
            uint32_t j = 0;
            while (j < len && kw[i][j] == s[j]) j++;
            if (j == len && kw[i][j] == 0) { put(cx, "%"); break; }
        }
    }
    cx->put(cx->env, s, len);
}

static void put_u64(wasmaot_cm_cx *cx, uint64_t v, int negative) {
    char buf[24];
    int i = (int)sizeof buf;
    buf[--i] = 0;
    do { buf[--i] = (char)('0' + v % 10); v /= 10; } while (v);
    if (negative) buf[--i] = '-';
    put(cx, buf + i);
}

static void put_int(wasmaot_cm_cx *cx, uint64_t bits, uint32_t width, int is_signed) {
    uint64_t mask = width == 64 ? ~0ull : ((1ull << width) - 1);
    bits &= mask;
    if (is_signed && (bits >> (width - 1)) & 1) {
        uint64_t mag = (~bits + 1) & mask;
        put_u64(cx, mag, 1);
    } else {
        put_u64(cx, bits, 0);
    }
}

static void put_float(wasmaot_cm_cx *cx, int is_f64, uint64_t bits) {
    uint32_t exp_all = is_f64 ? ((bits >> 52) & 0x7ff) == 0x7ff : ((bits >> 23) & 0xff) == 0xff;
    uint64_t frac = is_f64 ? bits & 0xfffffffffffffull : bits & 0x7fffffu;
    int neg = is_f64 ? (int)(bits >> 63) : (int)((bits >> 31) & 1);
    if (exp_all && frac) put(cx, "nan");          /* NaNs are canonicalized: one spelling */
    else if (exp_all) put(cx, neg ? "-inf" : "inf");
    else cx->put_float(cx->env, is_f64, bits);
}

/* Characters printed as \u{...}: the generated table of wave.py's rule
 * (cm_escape.h), by binary search. */
static int needs_escape(uint32_t c) {
    uint32_t lo = 0, hi = CM_ESCAPE_RANGES;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (c < cm_escape_ranges[mid][0]) hi = mid;
        else if (c > cm_escape_ranges[mid][1]) lo = mid + 1;
        else return 1;
    }
    return 0;
}

/* Rust's char::escape_debug as wasm-wave uses it: the named escapes, then
 * the generated table. */
static void put_char(wasmaot_cm_cx *cx, uint32_t c, char quote) {
    char buf[16];
    const char *named = NULL;
    switch (c) {
    case '\\': named = "\\\\"; break;
    case '"': named = "\\\""; break;
    case '\'': named = "\\'"; break;
    case '\t': named = "\\t"; break;
    case '\r': named = "\\r"; break;
    case '\n': named = "\\n"; break;
    }
    (void)quote;
    if (named) { put(cx, named); return; }
    if (needs_escape(c)) {
        static const char hex[] = "0123456789abcdef";
        int i = (int)sizeof buf;
        buf[--i] = 0;
        buf[--i] = '}';
        do { buf[--i] = hex[c & 15]; c >>= 4; } while (c);
        buf[--i] = '{';
        buf[--i] = 'u';
        buf[--i] = '\\';
        put(cx, buf + i);
        return;
    }
    int n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    static const uint8_t lead[] = {0, 0, 0xc0, 0xe0, 0xf0};
    for (int i = n - 1; i > 0; i--) { buf[i] = (char)(0x80 | (c & 0x3f)); c >>= 6; }
    buf[0] = (char)(n == 1 ? c : (lead[n] | c));
    cx->put(cx->env, buf, (uint32_t)n);
}

static int is_scalar_value(uint64_t c) { return c < 0x110000 && !(c >= 0xd800 && c <= 0xdfff); }

/* Decode one UTF-8 scalar at p[0..n): its length, or 0 if invalid, with
 * *bad = the length of the maximal invalid subpart (Rust's
 * Utf8Error::error_len), or 0 when the input ends inside a valid prefix. */
static uint32_t utf8_next(const uint8_t *p, uint32_t n, uint32_t *c, uint32_t *bad) {
    uint8_t b = p[0];
    uint32_t len = b < 0x80 ? 1 : b < 0xc2 ? 0 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : b < 0xf5 ? 4 : 0;
    *bad = 1;
    if (!len) return 0;
    uint32_t v = len == 1 ? b : b & (0x7f >> len);
    for (uint32_t i = 1; i < len; i++) {
        if (i >= n) { *bad = 0; return 0; }
        uint8_t lo = 0x80, hi = 0xbf;
        if (i == 1 && b == 0xe0) lo = 0xa0;
        if (i == 1 && b == 0xed) hi = 0x9f;
        if (i == 1 && b == 0xf0) lo = 0x90;
        if (i == 1 && b == 0xf4) hi = 0x8f;
        if (p[i] < lo || p[i] > hi) { *bad = i; return 0; }
        v = v << 6 | (p[i] & 0x3f);
    }
    *c = v;
    return len;
}

/* A UTF-8 string's bytes: validated before anything is printed. */
static int lift_utf8(wasmaot_cm_cx *cx, const uint8_t *p, uint32_t len) {
    uint32_t c = 0, bad;
    for (uint32_t i = 0, k; i < len; i += k)
        if (!(k = utf8_next(p + i, len - i, &c, &bad))) {
            cx->detail[0] = bad ? bad : i;
            cx->detail[1] = i;
            return bad ? WASMAOT_CM_ERR_UTF8 : WASMAOT_CM_ERR_UTF8_INCOMPLETE;
        }
    put(cx, "\"");
    for (uint32_t i = 0, k; i < len; i += k) {
        k = utf8_next(p + i, len - i, &c, &bad);
        put_char(cx, c, '"');
    }
    put(cx, "\"");
    return WASMAOT_CM_OK;
}

/* UTF-16LE units (`wide`) or Latin-1 bytes; an unpaired surrogate is an
 * error, found before anything is printed. */
static int lift_wide(wasmaot_cm_cx *cx, const uint8_t *p, uint32_t units, int wide) {
    for (int pass = 0; pass < 2; pass++) {
        if (pass) put(cx, "\"");
        for (uint32_t i = 0; i < units; i++) {
            uint32_t c = wide ? (uint32_t)(p[2 * i] | p[2 * i + 1] << 8) : p[i];
            if (wide && c >= 0xd800 && c <= 0xdfff) {
                uint32_t lo = i + 1 < units ? (uint32_t)(p[2 * i + 2] | p[2 * i + 3] << 8) : 0;
                if (c >= 0xdc00 || lo < 0xdc00 || lo > 0xdfff) {
                    cx->detail[0] = c;
                    return WASMAOT_CM_ERR_UTF16;
                }
                c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
                i++;
            }
            if (pass) put_char(cx, c, '"');
        }
    }
    put(cx, "\"");
    return WASMAOT_CM_OK;
}

/* load_string_from_range: the length limit, alignment and bounds, then the text. */
static int lift_string(wasmaot_cm_cx *cx, uint32_t ptr, uint32_t tagged) {
    uint32_t enc = cx->func->encoding, units = tagged & ~WASMAOT_CANON_UTF16_TAG;
    int wide = enc == WASMAOT_CM_UTF16 || (enc == WASMAOT_CM_LATIN1_UTF16 && (tagged & WASMAOT_CANON_UTF16_TAG));
    uint64_t nbytes = enc == WASMAOT_CM_UTF8 ? tagged : wide ? 2ull * (enc == WASMAOT_CM_UTF16 ? tagged : units) : units;
    uint32_t align = enc == WASMAOT_CM_UTF8 ? 1 : 2;
    /* wasmtime's order (the spec checks the length limit first): the
     * limit only matters for memories beyond 256 MiB. */
    if (ptr % align) return WASMAOT_CM_ERR_STRING_ALIGN;
    if (!in_bounds(cx, ptr, nbytes)) return WASMAOT_CM_ERR_STRING_BOUNDS;
    if (nbytes > WASMAOT_CANON_MAX_STRING_BYTE_LENGTH) {
        cx->detail[0] = (uint32_t)nbytes;
        return WASMAOT_CM_ERR_STRING_TOO_LONG;
    }
    const uint8_t *p = mem_base(cx) + ptr;
    if (enc == WASMAOT_CM_UTF8) return lift_utf8(cx, p, (uint32_t)nbytes);
    return lift_wide(cx, p, wide ? (uint32_t)(nbytes / 2) : units, wide);
}

static int load(wasmaot_cm_cx *cx, ty_t t, uint32_t ptr);

static int lift_list(wasmaot_cm_cx *cx, ty_t t, uint32_t ptr, uint32_t n) {
    ty_t e = child(cx, t, 0);
    if (ptr % e->align) return WASMAOT_CM_ERR_LIST_ALIGN;
    if (!in_bounds(cx, ptr, (uint64_t)n * e->size)) return WASMAOT_CM_ERR_LIST_BOUNDS;
    if ((uint64_t)n * e->size > WASMAOT_CANON_MAX_STRING_BYTE_LENGTH) {   /* MAX_LIST_BYTE_LENGTH: the same */
        cx->detail[0] = n;
        return WASMAOT_CM_ERR_LIST_TOO_LONG;
    }
    put(cx, "[");
    int err = WASMAOT_CM_OK;
    for (uint32_t i = 0; !err && i < n; i++) {
        if (i) put(cx, ", ");
        err = load(cx, e, ptr + i * e->size);
    }
    put(cx, "]");
    return err;
}

/* A scalar's bits (from a core value or memory) printed, with the char check. */
static int lift_scalar(wasmaot_cm_cx *cx, ty_t t, uint64_t bits) {
    static const uint8_t width[] = {0, 8, 8, 16, 16, 32, 32, 64, 64};
    switch (t->kind) {
    case WASMAOT_CM_BOOL: put(cx, (bits & 0xffffffffu) ? "true" : "false"); return WASMAOT_CM_OK;
    case WASMAOT_CM_F32: put_float(cx, 0, bits & 0xffffffffu); return WASMAOT_CM_OK;
    case WASMAOT_CM_F64: put_float(cx, 1, bits); return WASMAOT_CM_OK;
    case WASMAOT_CM_CHAR:
        bits &= 0xffffffffu;
        if (!is_scalar_value(bits)) return WASMAOT_CM_ERR_CHAR;
        put(cx, "'");
        put_char(cx, (uint32_t)bits, '\'');
        put(cx, "'");
        return WASMAOT_CM_OK;
    default:
        put_int(cx, bits, width[t->kind], t->kind % 2 == 1);
        return WASMAOT_CM_OK;
    }
}

/* Where a compound value's parts come from: core values or memory. */
typedef struct source {
    const uint64_t *slots;   /* flat: slots[*k] is the next core value */
    uint32_t k;
    uint32_t ptr;            /* memory: the value's address */
} source;

static int lift_from(wasmaot_cm_cx *cx, ty_t t, source *s, int flat);

static int lift_fields(wasmaot_cm_cx *cx, ty_t t, source *s, int flat) {
    int record = t->kind == WASMAOT_CM_RECORD, err = WASMAOT_CM_OK, shown = 0;
    put(cx, record ? "{" : "(");
    for (uint32_t i = 0; !err && i < t->n; i++) {
        ty_t f = child(cx, t, i);
        source sub = {s->slots, s->k, s->ptr + (flat ? 0 : pool(cx, t->offsets + i))};
        /* Records leave out `none` fields, as wasm-wave writes them. */
        int none = 0;
        if (record && f->kind == WASMAOT_CM_OPTION)
            none = (flat ? s->slots[s->k] & 0xffffffffu
                         : in_bounds(cx, sub.ptr, 1) ? load_le(cx, sub.ptr, f->disc_size) : 1) == 0;
        if (none) {
            if (flat) s->k += f->flat_count;
            continue;
        }
        if (shown++) put(cx, ", ");
        if (record) { put_label(cx, t, i, 0); put(cx, ": "); }
        err = lift_from(cx, f, &sub, flat);
        if (flat) s->k = sub.k;
    }
    put(cx, record ? (shown ? "}" : ":}") : ")");
    return err;
}

static int lift_case(wasmaot_cm_cx *cx, ty_t t, source *s, int flat) {
    uint32_t start = s->k;
    uint64_t disc = flat ? s->slots[s->k++] & 0xffffffffu : load_le(cx, s->ptr, t->disc_size);
    if (disc >= t->n) {
        cx->detail[0] = (uint32_t)disc;
        cx->detail[1] = t->n;
        return WASMAOT_CM_ERR_DISCRIMINANT;
    }
    put_label(cx, t, (uint32_t)disc, t->kind == WASMAOT_CM_VARIANT || t->kind == WASMAOT_CM_ENUM);
    ty_t p = t->kind == WASMAOT_CM_ENUM ? NULL : child(cx, t, (uint32_t)disc);
    int err = WASMAOT_CM_OK;
    if (p) {
        source sub = {s->slots, s->k, s->ptr + t->payload_offset};
        put(cx, "(");
        err = lift_from(cx, p, &sub, flat);
        put(cx, ")");
    }
    if (flat) s->k = start + t->flat_count;
    return err;
}

static int lift_from(wasmaot_cm_cx *cx, ty_t t, source *s, int flat) {
    if (!flat && !in_bounds(cx, s->ptr, t->size)) return WASMAOT_CM_ERR_BOUNDS;
    if (is_scalar(t->kind))
        return lift_scalar(cx, t, flat ? s->slots[s->k++] : load_le(cx, s->ptr, t->size));
    uint32_t a, b;
    switch (t->kind) {
    case WASMAOT_CM_STRING: case WASMAOT_CM_LIST:
        if (flat) { a = (uint32_t)s->slots[s->k]; b = (uint32_t)s->slots[s->k + 1]; s->k += 2; }
        else { a = (uint32_t)load_le(cx, s->ptr, 4); b = (uint32_t)load_le(cx, s->ptr + 4, 4); }
        return t->kind == WASMAOT_CM_STRING ? lift_string(cx, a, b) : lift_list(cx, t, a, b);
    case WASMAOT_CM_RECORD: case WASMAOT_CM_TUPLE:
        return lift_fields(cx, t, s, flat);
    case WASMAOT_CM_VARIANT: case WASMAOT_CM_OPTION: case WASMAOT_CM_RESULT: case WASMAOT_CM_ENUM:
        return lift_case(cx, t, s, flat);
    case WASMAOT_CM_FLAGS: {
        uint64_t bits = flat ? s->slots[s->k++] : load_le(cx, s->ptr, t->size);
        int shown = 0;
        put(cx, "{");
        for (uint32_t i = 0; i < t->n; i++)
            if ((bits >> i) & 1) {
                if (shown++) put(cx, ", ");
                put_label(cx, t, i, 0);
            }
        put(cx, "}");
        return WASMAOT_CM_OK;
    }
    case WASMAOT_CM_OWN: case WASMAOT_CM_BORROW: {
        /* Lifted as the canonical ABI lifts it (the handle's checks, the
         * own handle leaves the table), but WAVE has no resource values:
         * not printed (wasmtime 49's --invoke panics on them). */
        uint32_t rep = 0;
        a = (uint32_t)(flat ? s->slots[s->k++] : load_le(cx, s->ptr, 4));
        int err = lift_handle(cx, t, a, &rep);
        return err ? err : WASMAOT_CM_ERR_UNSUPPORTED;
    }
    default:
        return WASMAOT_CM_ERR_UNSUPPORTED;
    }
}

static int load(wasmaot_cm_cx *cx, ty_t t, uint32_t ptr) {
    source s = {NULL, 0, ptr};
    return lift_from(cx, t, &s, 0);
}

uint32_t wasmaot_cm_core_results(const wasmaot_cm_cx *cx) {
    uint32_t r = cx->func->result;
    return r == WASMAOT_CM_NONE ? 0 : type_at(cx, r)->flat_count ? 1 : 0;
}

int wasmaot_cm_lift_result(wasmaot_cm_cx *cx, const uint64_t *slots) {
    uint32_t r = cx->func->result;
    if (r == WASMAOT_CM_NONE) { put(cx, "()"); return WASMAOT_CM_OK; }
    ty_t t = type_at(cx, r);
    if (t->flat_count <= WASMAOT_CM_MAX_FLAT_RESULTS) {
        source s = {slots, 0, 0};
        return lift_from(cx, t, &s, 1);
    }
    uint32_t ptr = (uint32_t)slots[0];
    if (ptr % t->align) return WASMAOT_CM_ERR_ALIGN;
    if (!in_bounds(cx, ptr, t->size)) return WASMAOT_CM_ERR_BOUNDS;
    return load(cx, t, ptr);
}

const char *wasmaot_cm_error_message(int err) {
    switch (err) {
    case WASMAOT_CM_ERR_CHAR: return "converted integer out of range for `char`";
    case WASMAOT_CM_ERR_BOUNDS: return "pointer out of bounds of memory";
    case WASMAOT_CM_ERR_ALIGN: return "return pointer not aligned";
    case WASMAOT_CM_ERR_DISCRIMINANT: return "discriminant %u out of range [0..%u)";
    case WASMAOT_CM_ERR_UTF8: return "invalid utf-8 sequence of %u bytes from index %u";
    case WASMAOT_CM_ERR_UTF8_INCOMPLETE: return "incomplete utf-8 byte sequence from index %u";
    case WASMAOT_CM_ERR_REALLOC: return "realloc return: beyond end of memory";
    case WASMAOT_CM_ERR_UNSUPPORTED: return "not supported yet (string encoding or resource handle)";
    case WASMAOT_CM_ERR_NOMEM: return "out of memory";
    case WASMAOT_CM_ERR_FLAGS: return "invalid flags";
    case WASMAOT_CM_ERR_LIST_ALIGN: return "list pointer is not aligned";
    case WASMAOT_CM_ERR_STRING_ALIGN: return "string pointer not aligned to 2";
    case WASMAOT_CM_ERR_UTF16: return "unpaired surrogate found: %x";
    case WASMAOT_CM_ERR_STRING_TOO_LONG: return "string too long: %u bytes";
    case WASMAOT_CM_ERR_LIST_TOO_LONG: return "list too long: %u elements";
    case WASMAOT_CM_ERR_REALLOC_ALIGN: return "realloc return: result not aligned";
    case WASMAOT_CM_ERR_CANON: return "handle trap %u";   /* hosts print wasmaot_canon_message */
    case WASMAOT_CM_ERR_STRING_BOUNDS: return "string pointer/length out of bounds of memory";
    case WASMAOT_CM_ERR_LIST_BOUNDS: return "list pointer/length out of bounds of memory";
    default: return "no error";
    }
}

/* ------------------------------------------------- lifting into values */

static void *alloc(wasmaot_cm_cx *cx, uint32_t size) {
    return cx->alloc ? cx->alloc(cx->env, size ? size : 1) : NULL;
}

static uint32_t put_utf8_bytes(uint8_t *d, uint32_t c) {
    if (c < 0x80) { d[0] = (uint8_t)c; return 1; }
    if (c < 0x800) { d[0] = (uint8_t)(0xc0 | c >> 6); d[1] = (uint8_t)(0x80 | (c & 63)); return 2; }
    if (c < 0x10000) {
        d[0] = (uint8_t)(0xe0 | c >> 12); d[1] = (uint8_t)(0x80 | (c >> 6 & 63)); d[2] = (uint8_t)(0x80 | (c & 63));
        return 3;
    }
    d[0] = (uint8_t)(0xf0 | c >> 18); d[1] = (uint8_t)(0x80 | (c >> 12 & 63));
    d[2] = (uint8_t)(0x80 | (c >> 6 & 63)); d[3] = (uint8_t)(0x80 | (c & 63));
    return 4;
}

/* A guest string as host UTF-8 (a copy: lowering it may run the other
 * side's realloc).  The checks are lift_string's: wasmtime's order. */
static int tree_string(wasmaot_cm_cx *cx, uint32_t ptr, uint32_t tagged, wasmaot_cm_value *out) {
    uint32_t enc = cx->func->encoding, units = tagged & ~WASMAOT_CANON_UTF16_TAG;
    int wide = enc == WASMAOT_CM_UTF16 || (enc == WASMAOT_CM_LATIN1_UTF16 && (tagged & WASMAOT_CANON_UTF16_TAG));
    uint64_t nbytes = enc == WASMAOT_CM_UTF8 ? tagged : wide ? 2ull * (enc == WASMAOT_CM_UTF16 ? tagged : units) : units;
    if (enc != WASMAOT_CM_UTF8 && ptr % 2) return WASMAOT_CM_ERR_STRING_ALIGN;
    if (!in_bounds(cx, ptr, nbytes)) return WASMAOT_CM_ERR_STRING_BOUNDS;
    if (nbytes > WASMAOT_CANON_MAX_STRING_BYTE_LENGTH) {
        cx->detail[0] = (uint32_t)nbytes;
        return WASMAOT_CM_ERR_STRING_TOO_LONG;
    }
    const uint8_t *p = mem_base(cx) + ptr;
    /* UTF-8 needs at most 3 bytes per UTF-16 unit or 2 per Latin-1 byte. */
    uint8_t *d = alloc(cx, (uint32_t)(enc == WASMAOT_CM_UTF8 ? nbytes : nbytes * 2));
    uint32_t n = 0, c = 0, bad;
    if (!d) return WASMAOT_CM_ERR_NOMEM;
    if (enc == WASMAOT_CM_UTF8) {
        for (uint32_t i = 0, k; i < nbytes; i += k) {
            if (!(k = utf8_next(p + i, (uint32_t)nbytes - i, &c, &bad))) {
                cx->detail[0] = bad ? bad : i;
                cx->detail[1] = i;
                return bad ? WASMAOT_CM_ERR_UTF8 : WASMAOT_CM_ERR_UTF8_INCOMPLETE;
            }
            n += put_utf8_bytes(d + n, c);
        }
    } else {
        uint32_t count = wide ? (uint32_t)(nbytes / 2) : units;
        for (uint32_t i = 0; i < count; i++) {
            c = wide ? (uint32_t)(p[2 * i] | p[2 * i + 1] << 8) : p[i];
            if (wide && c >= 0xd800 && c <= 0xdfff) {
                uint32_t lo = i + 1 < count ? (uint32_t)(p[2 * i + 2] | p[2 * i + 3] << 8) : 0;
                if (c >= 0xdc00 || lo < 0xdc00 || lo > 0xdfff) {
                    cx->detail[0] = c;
                    return WASMAOT_CM_ERR_UTF16;
                }
                c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
                i++;
            }
            n += put_utf8_bytes(d + n, c);
        }
    }
    out->u.str = (const char *)d;
    out->n = n;
    return WASMAOT_CM_OK;
}

static int lift_tree(wasmaot_cm_cx *cx, ty_t t, source *s, int flat, wasmaot_cm_value *out);

static int tree_list(wasmaot_cm_cx *cx, ty_t t, uint32_t ptr, uint32_t n, wasmaot_cm_value *out) {
    ty_t e = child(cx, t, 0);
    if (ptr % e->align) return WASMAOT_CM_ERR_LIST_ALIGN;
    if (!in_bounds(cx, ptr, (uint64_t)n * e->size)) return WASMAOT_CM_ERR_LIST_BOUNDS;
    out->u.items = alloc(cx, n * (uint32_t)sizeof(wasmaot_cm_value));
    if (!out->u.items) return WASMAOT_CM_ERR_NOMEM;
    out->n = n;
    int err = WASMAOT_CM_OK;
    for (uint32_t i = 0; !err && i < n; i++) {
        source sub = {NULL, 0, ptr + i * e->size};
        err = lift_tree(cx, e, &sub, 0, &out->u.items[i]);
    }
    return err;
}

static void scalar_from_bits(ty_t t, uint64_t bits, wasmaot_cm_value *out) {
    union { float f; uint32_t u; } f32;
    union { double f; uint64_t u; } f64;
    switch (t->kind) {
    case WASMAOT_CM_F32: f32.u = (uint32_t)bits; out->u.f64 = f32.f; return;
    case WASMAOT_CM_F64: f64.u = bits; out->u.f64 = f64.f; return;
    case WASMAOT_CM_BOOL: out->u.bits = (bits & 0xffffffffu) != 0; return;
    default: break;
    }
    uint32_t w = 8 * t->size;                /* the value's own width, sign-extended */
    bits &= w == 64 ? ~0ull : (1ull << w) - 1;
    if (t->kind % 2 == 1 && t->kind <= WASMAOT_CM_S64 && w < 64 && (bits >> (w - 1)) & 1)
        bits |= ~0ull << w;
    out->u.bits = bits;
}

static int lift_tree(wasmaot_cm_cx *cx, ty_t t, source *s, int flat, wasmaot_cm_value *out) {
    out->type = (uint32_t)(t - cx->comp->types);
    out->n = 0;
    out->u.items = NULL;
    if (!flat && !in_bounds(cx, s->ptr, t->size)) return WASMAOT_CM_ERR_BOUNDS;
    if (is_scalar(t->kind)) {
        uint64_t bits = flat ? s->slots[s->k++] : load_le(cx, s->ptr, t->size);
        if (t->kind == WASMAOT_CM_CHAR && !is_scalar_value(bits & 0xffffffffu)) return WASMAOT_CM_ERR_CHAR;
        if (t->kind == WASMAOT_CM_BOOL) bits = flat ? bits : bits & 0xff;
        scalar_from_bits(t, bits, out);
        return WASMAOT_CM_OK;
    }
    uint32_t a, b, start = s->k;
    int err = WASMAOT_CM_OK;
    switch (t->kind) {
    case WASMAOT_CM_STRING: case WASMAOT_CM_LIST:
        if (flat) { a = (uint32_t)s->slots[s->k]; b = (uint32_t)s->slots[s->k + 1]; s->k += 2; }
        else { a = (uint32_t)load_le(cx, s->ptr, 4); b = (uint32_t)load_le(cx, s->ptr + 4, 4); }
        return t->kind == WASMAOT_CM_STRING ? tree_string(cx, a, b, out) : tree_list(cx, t, a, b, out);
    case WASMAOT_CM_RECORD: case WASMAOT_CM_TUPLE:
        out->u.items = alloc(cx, t->n * (uint32_t)sizeof(wasmaot_cm_value));
        if (!out->u.items) return WASMAOT_CM_ERR_NOMEM;
        out->n = t->n;
        for (uint32_t i = 0; !err && i < t->n; i++) {
            source sub = {s->slots, s->k, s->ptr + (flat ? 0 : pool(cx, t->offsets + i))};
            err = lift_tree(cx, child(cx, t, i), &sub, flat, &out->u.items[i]);
            s->k = sub.k;
        }
        return err;
    case WASMAOT_CM_VARIANT: case WASMAOT_CM_OPTION: case WASMAOT_CM_RESULT: case WASMAOT_CM_ENUM: {
        uint64_t disc = flat ? s->slots[s->k++] & 0xffffffffu : load_le(cx, s->ptr, t->disc_size);
        if (disc >= t->n) {
            cx->detail[0] = (uint32_t)disc;
            cx->detail[1] = t->n;
            return WASMAOT_CM_ERR_DISCRIMINANT;
        }
        out->n = (uint32_t)disc;
        ty_t p = t->kind == WASMAOT_CM_ENUM ? NULL : child(cx, t, (uint32_t)disc);
        if (p) {
            source sub = {s->slots, s->k, s->ptr + t->payload_offset};
            out->u.items = alloc(cx, (uint32_t)sizeof(wasmaot_cm_value));
            if (!out->u.items) return WASMAOT_CM_ERR_NOMEM;
            err = lift_tree(cx, p, &sub, flat, out->u.items);
        }
        if (flat) s->k = start + t->flat_count;
        return err;
    }
    case WASMAOT_CM_FLAGS:
        out->u.bits = flat ? s->slots[s->k++] : load_le(cx, s->ptr, t->size);
        out->u.bits &= t->n >= 64 ? ~0ull : (1ull << t->n) - 1;
        return err;
    case WASMAOT_CM_OWN: case WASMAOT_CM_BORROW:
        a = (uint32_t)(flat ? s->slots[s->k++] : load_le(cx, s->ptr, 4));
        b = 0;
        err = lift_handle(cx, t, a, &b);
        out->u.bits = b;
        return err;
    default:
        return WASMAOT_CM_ERR_UNSUPPORTED;
    }
}

int wasmaot_cm_lift_values(wasmaot_cm_cx *cx, const uint32_t *types, uint32_t n,
                           const uint64_t *slots, uint32_t ptr, wasmaot_cm_value *out) {
    source s = {slots, 0, ptr};
    uint32_t off = 0, align = 1;
    for (uint32_t i = 0; i < n && ptr != WASMAOT_CM_NONE; i++) {
        ty_t t = type_at(cx, types[i]);
        off = align_to(off, t->align) + t->size;
        align = t->align > align ? t->align : align;
    }
    if (ptr != WASMAOT_CM_NONE) {                  /* a tuple in memory: one check for all */
        if (ptr % align) return WASMAOT_CM_ERR_ALIGN;
        if (!in_bounds(cx, ptr, align_to(off, align))) return WASMAOT_CM_ERR_BOUNDS;
        off = 0;
    }
    int err = WASMAOT_CM_OK;
    for (uint32_t i = 0; !err && i < n; i++) {
        ty_t t = type_at(cx, types[i]);
        if (ptr != WASMAOT_CM_NONE) {
            off = align_to(off, t->align);
            s.ptr = ptr + off;
            off += t->size;
        }
        err = lift_tree(cx, t, &s, ptr == WASMAOT_CM_NONE, &out[i]);
    }
    return err;
}

int wasmaot_cm_lower_result(wasmaot_cm_cx *cx, const wasmaot_cm_value *v, uint64_t *slots,
                            uint32_t retptr) {
    ty_t t = type_at(cx, v->type);
    if (t->flat_count <= WASMAOT_CM_MAX_FLAT_RESULTS) {
        uint32_t k = 0;
        return lower_flat(cx, v, slots, &k);
    }
    if (retptr % t->align) return WASMAOT_CM_ERR_ALIGN;
    if (!in_bounds(cx, retptr, t->size)) return WASMAOT_CM_ERR_BOUNDS;
    return store(cx, v, retptr);
}
