/*
 * Host-side helpers shared by the standalone main and the spec-test driver:
 * signatures, instances, linking, trampoline calls and value text.  See
 * wasmaot_host.h for the contract of each function.
 */
#include "wasmaot_host.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ value types */

static const char *const vt_names[] = {"i32", "i64", "f32", "f64", "v128", "funcref", "externref"};

const char *wasmaot_vt_name(uint8_t vt) {
    return vt <= WASMAOT_VT_EXTERNREF ? vt_names[vt] : "?";
}

/* The first `c` in s[0..len), or NULL.  Our own: the firmware spec driver's
 * C library (spec-tests/driver/fwlibc) has no memchr or strchr. */
static const char *find_char(const char *s, size_t len, char c) {
    for (size_t i = 0; i < len; i++)
        if (s[i] == c) return s + i;
    return NULL;
}

/* Match a type name at s[0..len).  A typed reference (function
 * references) is spelled "funcref#<n|r><heap>" (frontend.types.desc_type):
 * its value type is the name before '#'. */
static int vt_from(const char *s, size_t len) {
    const char *hash = find_char(s, len, '#');
    if (hash) len = (size_t)(hash - s);
    for (int i = 0; i <= WASMAOT_VT_EXTERNREF; i++)
        if (strlen(vt_names[i]) == len && memcmp(vt_names[i], s, len) == 0) return i;
    return -1;
}

/* Parse "t1,t2,..." up to ')' at *p; counts if out == NULL. */
static int parse_types(const char **p, uint8_t *out, uint32_t *n) {
    const char *s = *p;
    uint32_t k = 0;
    if (*s != ')') {
        for (;;) {
            const char *e = s;
            while (*e && *e != ',' && *e != ')') e++;
            int vt = vt_from(s, (size_t)(e - s));
            if (vt < 0) return -1;
            if (out) out[k] = (uint8_t)vt;
            k++;
            if (*e == ')') { s = e; break; }
            if (*e != ',') return -1;
            s = e + 1;
        }
    }
    *p = s + 1; /* past ')' */
    *n = k;
    return 0;
}

int wasmaot_sig_parse(const char *s, wasmaot_sig *out) {
    memset(out, 0, sizeof *out);
    if (!s || s[0] != '(') return -1;
    /* Two passes: count, then fill (signatures are short). */
    const char *p = s + 1;
    uint32_t np, nr;
    if (parse_types(&p, NULL, &np) || strncmp(p, "->(", 3) != 0) return -1;
    p += 3;
    if (parse_types(&p, NULL, &nr) || *p != '\0') return -1;
    out->params = malloc(np ? np : 1);
    out->results = malloc(nr ? nr : 1);
    if (!out->params || !out->results) { wasmaot_sig_free(out); return -1; }
    p = s + 1;
    parse_types(&p, out->params, &np);
    p += 3;
    parse_types(&p, out->results, &nr);
    out->n_params = np;
    out->n_results = nr;
    for (uint32_t i = 0; i < np; i++) out->param_slots += wasmaot_vt_slots(out->params[i]);
    for (uint32_t i = 0; i < nr; i++) out->result_slots += wasmaot_vt_slots(out->results[i]);
    return 0;
}

void wasmaot_sig_free(wasmaot_sig *sig) {
    free(sig->params);
    free(sig->results);
    memset(sig, 0, sizeof *sig);
}

int wasmaot_global_vt(const char *type, int *is_mutable) {
    if (!type) return -1;
    int mut = strncmp(type, "mut ", 4) == 0;
    if (is_mutable) *is_mutable = mut;
    if (mut) type += 4;
    return vt_from(type, strlen(type));
}

/* -------------------------------------------------------------- instances */

void *wasmaot_host_alloc_instance(const wasmaot_module_desc *desc) {
    size_t size = desc->instance_size ? desc->instance_size : 16;
    size = (size + 15u) & ~(size_t)15u; /* aligned_alloc wants a multiple */
    if (desc->static_instance) {
        /* The code addresses this block (wasmaot_rt.h): hand it out once. */
        uint8_t *block = (uint8_t *)desc->static_instance;
        if (block[size]) return NULL;
        block[size] = 1;
        return block;
    }
    void *p = aligned_alloc(16, size);
    if (p) memset(p, 0, size);
    return p;
}

const wasmaot_export_desc *wasmaot_host_find_export_n(const wasmaot_module_desc *desc,
                                                       const char *name, size_t len) {
    for (uint32_t i = 0; i < desc->n_exports; i++) {
        const wasmaot_export_desc *e = &desc->exports[i];
        if (e->name_len == len && memcmp(e->name, name, len) == 0) return e;
    }
    return NULL;
}

const wasmaot_export_desc *wasmaot_host_find_export(const wasmaot_module_desc *desc, const char *name) {
    return wasmaot_host_find_export_n(desc, name, strlen(name));
}

/* ---------------------------------------------------------------- linking */

const char *wasmaot_link_message(int status) {
    switch (status) {
    case WASMAOT_LINK_OK: return "ok";
    case WASMAOT_LINK_UNKNOWN: return "unknown import";
    default: return "incompatible import type";
    }
}

static int streq(const char *a, const char *b) {
    return a && b && strcmp(a, b) == 0;
}

/* Reference type a <: b, both in descriptor text ("funcref", "externref",
 * or "<name>#<n|r><heap>", heap "func"/"nofunc"/"extern"/"noextern"/"h<digest>"):
 * without GC, a concrete type's only supertypes are itself and func, its
 * only subtype nofunc; non-null <: nullable. */
static void ref_parts(const char *t, const char **heap, int *nullable) {
    const char *h = find_char(t, strlen(t), '#');
    if (!h) { *nullable = 1; *heap = strncmp(t, "funcref", 7) == 0 ? "func" : "extern"; return; }
    *nullable = h[1] == 'n';
    *heap = h + 2;
}

static int is_ref(const char *t) {
    return strncmp(t, "funcref", 7) == 0 || strncmp(t, "externref", 9) == 0;
}

static int ref_sub(const char *a, const char *b) {
    if (streq(a, b)) return 1;
    /* numbers and vectors: equal or incompatible */
    if (!a || !b || find_char(a, strlen(a), '(') || find_char(b, strlen(b), '(') || !is_ref(a) ||
        !is_ref(b))
        return 0;
    const char *ha, *hb; int na, nb;
    ref_parts(a, &ha, &na);
    ref_parts(b, &hb, &nb);
    if (na && !nb) return 0;
    if (strcmp(ha, hb) == 0) return 1;
    if (strcmp(hb, "func") == 0) return strcmp(ha, "nofunc") == 0 || ha[0] == 'h';
    if (hb[0] == 'h') return strcmp(ha, "nofunc") == 0;
    if (strcmp(hb, "extern") == 0) return strcmp(ha, "noextern") == 0;
    return 0;
}

/* The page size's log2 a memory import's type string asks for. */
static uint32_t wanted_page_size_log2(const char *type) {
    return type && strstr(type, "pagesize 1") ? 0 : 16;
}

/* Limits subtyping (spec "import subtyping"): the exporter's current size
 * against the import's min, and a declared import max needs an exporter max
 * that is no larger. */
static int limits_ok(const wasmaot_import_desc *imp, uint32_t cur, int has_max, uint32_t max) {
    if (cur < imp->min) return 0;
    if (imp->has_max && (!has_max || max > imp->max)) return 0;
    return 1;
}

int wasmaot_host_link_import(void *inst, const wasmaot_import_desc *imp,
                             void *exp_inst, const wasmaot_export_desc *exp) {
    if (!exp) return WASMAOT_LINK_UNKNOWN;
    if (exp->kind != imp->kind) return WASMAOT_LINK_INCOMPATIBLE;
    void *dst = wasmaot_host_slot(inst, imp->offset);
    void *src = wasmaot_host_slot(exp_inst, exp->offset);
    switch (imp->kind) {
    case WASMAOT_EXTERN_FUNC:
        if (!streq(imp->type, exp->type)) return WASMAOT_LINK_INCOMPATIBLE;
        memcpy(dst, src, sizeof(wasmaot_funcref));
        return WASMAOT_LINK_OK;
    case WASMAOT_EXTERN_TAG:
        /* exception tags: the same signature; the slot points at the
         * exporter's tag (its identity: catching compares the pointers) */
        if (!streq(imp->type, exp->type)) return WASMAOT_LINK_INCOMPATIBLE;
        memcpy(dst, src, sizeof(void *));
        return WASMAOT_LINK_OK;
    case WASMAOT_EXTERN_GLOBAL:
        /* an immutable global's type may be a subtype (typed references) */
        if (!streq(imp->type, exp->type) &&
            !(imp->type && exp->type && strncmp(imp->type, "mut ", 4) != 0 &&
              strncmp(exp->type, "mut ", 4) != 0 && ref_sub(exp->type, imp->type)))
            return WASMAOT_LINK_INCOMPATIBLE;
        memcpy(dst, src, sizeof(void *));
        return WASMAOT_LINK_OK;
    case WASMAOT_EXTERN_MEMORY: {
        /* type: NULL for a 32-bit memory of 65536-byte pages, else "i64"
         * (memory64) and/or "pagesize 1" (custom-page-sizes); they must
         * match, and so must the memory's own page size (a host's export
         * may publish no type) */
        wasmaot_memory *m = *(wasmaot_memory **)src;
        if (!m || !(imp->type == exp->type || streq(imp->type, exp->type)) ||
            m->page_size_log2 != wanted_page_size_log2(imp->type) ||
            !limits_ok(imp, m->pages, (m->flags & WASMAOT_MEMORY_HAS_MAX) != 0, m->max_pages))
            return WASMAOT_LINK_INCOMPATIBLE;
        memcpy(dst, src, sizeof(void *));
        return WASMAOT_LINK_OK;
    }
    case WASMAOT_EXTERN_TABLE: {
        wasmaot_table *t = *(wasmaot_table **)src;
        if (!t || !streq(imp->type, exp->type) ||
            !limits_ok(imp, t->size, (t->flags & WASMAOT_TABLE_HAS_MAX) != 0, t->max_size))
            return WASMAOT_LINK_INCOMPATIBLE;
        memcpy(dst, src, sizeof(void *));
        return WASMAOT_LINK_OK;
    }
    default:
        return WASMAOT_LINK_INCOMPATIBLE;
    }
}

/* ------------------------------------------------------ running wasm code */

struct inst_call { const wasmaot_module_desc *desc; void *inst; int status; };

static void do_instantiate(void *arg) {
    struct inst_call *c = arg;
    c->status = c->desc->instantiate(c->inst);
}

wasmaot_trap_code wasmaot_host_instantiate(const wasmaot_module_desc *desc, void *inst, int *status) {
    struct inst_call c = {desc, inst, 0};
    wasmaot_trap_code code = WASMAOT_TRAP_NONE;
    wasmaot_rt_try(do_instantiate, &c, &code);
    if (status) *status = code ? 0 : c.status;
    return code;
}

struct tramp_call { const wasmaot_export_desc *exp; void *inst; uint64_t *slots; };

static void do_call(void *arg) {
    struct tramp_call *c = arg;
    c->exp->trampoline(c->inst, c->slots);
}

wasmaot_trap_code wasmaot_host_call(const wasmaot_export_desc *exp, void *inst, uint64_t *slots) {
    struct tramp_call c = {exp, inst, slots};
    wasmaot_trap_code code = WASMAOT_TRAP_NONE;
    wasmaot_rt_try(do_call, &c, &code);
    return code;
}

/* ---------------------------------------------------------- values as text */

/* Unsigned 128-bit value as two 64-bit halves; parse decimal or 0x hex. */
static int parse_u128(const char *s, uint64_t *lo, uint64_t *hi) {
    uint64_t l = 0, h = 0;
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) { base = 16; s += 2; }
    if (!*s) return -1;
    for (; *s; s++) {
        if (*s == '_') continue;
        int d;
        if (*s >= '0' && *s <= '9') d = *s - '0';
        else if (base == 16 && *s >= 'a' && *s <= 'f') d = *s - 'a' + 10;
        else if (base == 16 && *s >= 'A' && *s <= 'F') d = *s - 'A' + 10;
        else return -1;
        /* (h:l) = (h:l) * base + d, with overflow detection on 32-bit limbs */
        uint64_t limbs[4] = {l & 0xFFFFFFFFu, l >> 32, h & 0xFFFFFFFFu, h >> 32};
        uint64_t carry = (uint64_t)d;
        for (int i = 0; i < 4; i++) {
            uint64_t v = limbs[i] * (uint64_t)base + carry;
            limbs[i] = v & 0xFFFFFFFFu;
            carry = v >> 32;
        }
        if (carry) return -1;
        l = limbs[0] | (limbs[1] << 32);
        h = limbs[2] | (limbs[3] << 32);
    }
    *lo = l;
    *hi = h;
    return 0;
}

/* Integer of `bits` (32/64): signed or unsigned range, decimal or 0x hex. */
static int parse_int(const char *s, int bits, uint64_t *out) {
    int neg = 0;
    if (*s == '-') { neg = 1; s++; }
    else if (*s == '+') s++;
    uint64_t lo, hi;
    if (parse_u128(s, &lo, &hi) || hi) return -1;
    uint64_t umax = bits == 32 ? 0xFFFFFFFFu : UINT64_MAX;
    uint64_t nmax = (uint64_t)1 << (bits - 1); /* |INT_MIN| */
    if (neg ? lo > nmax : lo > umax) return -1;
    uint64_t v = neg ? (uint64_t)0 - lo : lo;
    *out = bits == 32 ? (v & 0xFFFFFFFFu) : v;
    return 0;
}

int wasmaot_host_parse_value(const char *text, uint8_t vt, uint64_t *slots) {
    char *end;
    switch (vt) {
    case WASMAOT_VT_I32: return parse_int(text, 32, slots);
    case WASMAOT_VT_I64: return parse_int(text, 64, slots);
    case WASMAOT_VT_F32: {
        errno = 0;
        float f = strtof(text, &end);
        if (end == text || *end) return -1;
        uint32_t b;
        memcpy(&b, &f, 4);
        *slots = b;
        return 0;
    }
    case WASMAOT_VT_F64: {
        double d = strtod(text, &end);
        if (end == text || *end) return -1;
        memcpy(slots, &d, 8);
        return 0;
    }
    case WASMAOT_VT_V128: {
        uint64_t lo, hi;
        if (parse_u128(text, &lo, &hi)) return -1;
        slots[0] = lo;
        slots[1] = hi;
        return 0;
    }
    case WASMAOT_VT_FUNCREF:
    case WASMAOT_VT_EXTERNREF:
        if (strcmp(text, "null") != 0) return -1;
        *slots = 0;
        return 0;
    default:
        return -1;
    }
}

/* Rust's `Display` for floats: the shortest digit string that reads back
 * as the same value, written positionally (no exponent). */
static void format_float(char *buf, size_t n, double v, int is_f32) {
    if (v != v) { snprintf(buf, n, "NaN"); return; }
    if (v == 1.0 / 0.0) { snprintf(buf, n, "inf"); return; }
    if (v == -1.0 / 0.0) { snprintf(buf, n, "-inf"); return; }
    if (v == 0) { snprintf(buf, n, "%s", __builtin_signbit(v) ? "-0" : "0"); return; }
    char sci[64];
    int maxp = is_f32 ? 9 : 17;
    for (int p = 1; p <= maxp; p++) {
        snprintf(sci, sizeof sci, "%.*e", p - 1, v);
        if (is_f32 ? strtof(sci, NULL) == (float)v : strtod(sci, NULL) == v) break;
    }
    /* sci = [-]d[.ddd]e[+-]X */
    const char *s = sci;
    int neg = *s == '-';
    if (neg) s++;
    char digits[32];
    int nd = 0;
    for (; *s && *s != 'e'; s++)
        if (*s != '.') digits[nd++] = *s;
    int exp10 = atoi(s + 1);
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    char out[400];
    size_t k = 0;
    if (neg) out[k++] = '-';
    if (exp10 >= 0) {
        for (int i = 0; i <= exp10 || i < nd; i++) {
            if (i == exp10 + 1) out[k++] = '.';
            out[k++] = i < nd ? digits[i] : '0';
        }
    } else {
        out[k++] = '0';
        out[k++] = '.';
        for (int i = 0; i < -exp10 - 1; i++) out[k++] = '0';
        for (int i = 0; i < nd; i++) out[k++] = digits[i];
    }
    out[k] = '\0';
    snprintf(buf, n, "%s", out);
}

/* Unsigned 128-bit decimal. */
static void format_u128(char *buf, size_t n, uint64_t lo, uint64_t hi) {
    uint32_t limbs[4] = {(uint32_t)lo, (uint32_t)(lo >> 32), (uint32_t)hi, (uint32_t)(hi >> 32)};
    char tmp[48];
    int k = 0;
    do {
        uint64_t rem = 0;
        for (int i = 3; i >= 0; i--) {
            uint64_t cur = (rem << 32) | limbs[i];
            limbs[i] = (uint32_t)(cur / 10);
            rem = cur % 10;
        }
        tmp[k++] = (char)('0' + rem);
    } while (limbs[0] | limbs[1] | limbs[2] | limbs[3]);
    char out[48];
    for (int i = 0; i < k; i++) out[i] = tmp[k - 1 - i];
    out[k] = '\0';
    snprintf(buf, n, "%s", out);
}

void wasmaot_host_format_value(char *buf, size_t n, uint8_t vt, const uint64_t *slots) {
    switch (vt) {
    case WASMAOT_VT_I32: snprintf(buf, n, "%d", (int32_t)(uint32_t)slots[0]); break;
    case WASMAOT_VT_I64: snprintf(buf, n, "%lld", (long long)(int64_t)slots[0]); break;
    case WASMAOT_VT_F32: {
        uint32_t b = (uint32_t)slots[0];
        float f;
        memcpy(&f, &b, 4);
        format_float(buf, n, (double)f, 1);
        break;
    }
    case WASMAOT_VT_F64: {
        double d;
        memcpy(&d, &slots[0], 8);
        format_float(buf, n, d, 0);
        break;
    }
    case WASMAOT_VT_V128: format_u128(buf, n, slots[0], slots[1]); break;
    case WASMAOT_VT_FUNCREF:
        snprintf(buf, n, "%s", slots[0] && ((const wasmaot_funcref *)(uintptr_t)slots[0])->func
                                   ? "<funcref>" : "<null funcref>");
        break;
    case WASMAOT_VT_EXTERNREF: snprintf(buf, n, "%s", slots[0] ? "<externref>" : "<null externref>"); break;
    default: snprintf(buf, n, "?"); break;
    }
}
