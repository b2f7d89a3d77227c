/*
 * The spec-test driver: main() of the one executable built per .wast file.
 *
 * The executable holds every module of the script compiled under the
 * prefixes m0, m1, ... and a command table (format: spec-tests/table.py)
 * with an array of their descriptors.  The driver interprets the table in
 * order: instantiates modules (linking imports against the `spectest` host
 * module and registered instances), registers them, invokes exports through
 * their trampolines, and checks every assertion.
 *
 * Output (stdout, line-buffered so a crash loses nothing already decided):
 *     <line> ok                 an assertion / module / action passed
 *     <line>: <what>            it failed, and why
 *     summary: <P> passed, <F> failed
 * The Python side (spec-tests/exec.py) maps lines back to commands; commands
 * without a result line after a crash are the ones that did not run.
 * spectest print functions write to stderr.  Exit status: 0 if nothing
 * failed, 1 otherwise, 3 for a malformed table.
 */
#include "spectest_driver.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- reader */

typedef struct rd {
    const uint8_t *p, *end;
} rd;

static void malformed(void) {
    printf("0: malformed command table\n");
    fflush(stdout);
    exit(3);
}

static uint8_t r_u8(rd *r) {
    if (r->p + 1 > r->end) malformed();
    return *r->p++;
}
static uint32_t r_u32(rd *r) {
    if (r->p + 4 > r->end) malformed();
    uint32_t v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 | (uint32_t)r->p[3] << 24;
    r->p += 4;
    return v;
}
static uint64_t r_u64(rd *r) {
    uint64_t lo = r_u32(r);
    return lo | (uint64_t)r_u32(r) << 32;
}
/* A length-prefixed string as a fresh NUL-terminated copy; *len (if not
 * NULL) gets its real length, which differs from strlen() when it contains
 * NUL bytes. */
static char *r_str_len(rd *r, size_t *len) {
    uint32_t n = r_u32(r);
    if (len) *len = n;
    if ((size_t)(r->end - r->p) < n) malformed();
    char *s = malloc((size_t)n + 1);
    if (!s) malformed();
    memcpy(s, r->p, n);
    s[n] = '\0';
    r->p += n;
    return s;
}

static char *r_str(rd *r) { return r_str_len(r, NULL); }

/* ------------------------------------------------------------- reporting */

static unsigned n_passed, n_failed;

static void pass(uint32_t line) {
    n_passed++;
    printf("%u ok\n", line);
}

static void fail(uint32_t line, const char *fmt, ...) {
    n_failed++;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    /* one line per result: no embedded newlines */
    for (char *c = buf; *c; c++)
        if (*c == '\n' || *c == '\r') *c = ' ';
    printf("%u: %s\n", line, buf);
}

/* Spec harness rule: the expected message and ours match if one is a
 * prefix of the other ("uninitialized element 2" vs "uninitialized element"). */
static int msg_match(const char *actual, const char *expected) {
    size_t a = strlen(actual), e = strlen(expected);
    return strncmp(actual, expected, a < e ? a : e) == 0;
}

/* ------------------------------------------------------------- instances */

typedef struct instance {
    const wasmaot_module_desc *desc;
    void *inst;
    char broken[256]; /* non-empty: not usable, and why */
} instance;

typedef struct binding {
    char *name;
    instance *rec;
} binding;

/* Names ($id of module commands) and registrations; latest wins. */
static binding *names, *registered;
static size_t n_names, n_registered;
static instance *current;

static void bind_name(binding **list, size_t *n, char *name, instance *rec) {
    binding *b = realloc(*list, (*n + 1) * sizeof **list);
    if (!b) malformed();
    *list = b;
    b[*n].name = name;
    b[*n].rec = rec;
    (*n)++;
}

static instance *lookup(binding *list, size_t n, const char *name) {
    for (size_t i = n; i-- > 0;)
        if (strcmp(list[i].name, name) == 0) return list[i].rec;
    return NULL;
}

static instance *new_instance(void) {
    instance *rec = calloc(1, sizeof *rec);
    if (!rec) malformed();
    return rec;
}

enum { PH_NOT_COMPILED, PH_LINK, PH_TRAP, PH_RESOURCE, PH_OK };

/* Link and (unless link_only) instantiate module `idx`.  Returns a PH_*
 * phase; *rec is the instance record (always allocated, `broken` set on
 * failure); msg gets the failure text, *trap the trap code. */
static int instantiate(int32_t idx, int link_only, instance **out, char *msg, size_t msgn,
                       wasmaot_trap_code *trap) {
    instance *rec = new_instance();
    *out = rec;
    *trap = 0;
    msg[0] = '\0';
    if (idx < 0 || (uint32_t)idx >= wasmaot_spec_n_modules || !wasmaot_spec_modules[idx]) {
        snprintf(msg, msgn, "module not compiled");
        snprintf(rec->broken, sizeof rec->broken, "%s", msg);
        return PH_NOT_COMPILED;
    }
    const wasmaot_module_desc *d = wasmaot_spec_modules[idx];
    rec->desc = d;
    if (d->abi_version != WASMAOT_RT_ABI_VERSION) {
        snprintf(msg, msgn, "module ABI version %u, runtime %u", d->abi_version, WASMAOT_RT_ABI_VERSION);
        snprintf(rec->broken, sizeof rec->broken, "%s", msg);
        return PH_NOT_COMPILED;
    }
    rec->inst = wasmaot_host_alloc_instance(d);
    if (!rec->inst) malformed();
    for (uint32_t i = 0; i < d->n_imports; i++) {
        const wasmaot_import_desc *imp = &d->imports[i];
        instance *src = lookup(registered, n_registered, imp->module);
        const wasmaot_export_desc *exp = NULL;
        if (src && !src->broken[0]) exp = wasmaot_host_find_export_n(src->desc, imp->name, imp->name_len);
        int st = wasmaot_host_link_import(rec->inst, imp, exp ? src->inst : NULL, exp);
        if (st != WASMAOT_LINK_OK) {
            snprintf(msg, msgn, "%s \"%s\" \"%s\"", wasmaot_link_message(st), imp->module, imp->name);
            snprintf(rec->broken, sizeof rec->broken, "%s", msg);
            return PH_LINK;
        }
    }
    if (link_only) return PH_OK;
    int status = 0;
    *trap = wasmaot_host_instantiate(d, rec->inst, &status);
    if (*trap) {
        snprintf(msg, msgn, "trap during instantiation: %s", wasmaot_trap_message(*trap));
        snprintf(rec->broken, sizeof rec->broken, "%s", msg);
        return PH_TRAP;
    }
    if (status != 0) {
        snprintf(msg, msgn, "instantiation failed (memory or table could not be created)");
        snprintf(rec->broken, sizeof rec->broken, "%s", msg);
        return PH_RESOURCE;
    }
    return PH_OK;
}

/* ---------------------------------------------------------------- values */

/* A value from the table: type + up to 16 bytes.  Refs: is_null, and for
 * externrefs the host number N (passed to Wasm as the pointer N + 1). */
typedef struct tval {
    uint8_t type;
    uint8_t is_null;
    uint64_t lo, hi;
} tval;

static tval r_value(rd *r) {
    tval v = {0, 0, 0, 0};
    v.type = r_u8(r);
    switch (v.type) {
    case WASMAOT_VT_I32:
    case WASMAOT_VT_F32: v.lo = r_u32(r); break;
    case WASMAOT_VT_I64:
    case WASMAOT_VT_F64: v.lo = r_u64(r); break;
    case WASMAOT_VT_V128: v.lo = r_u64(r); v.hi = r_u64(r); break;
    case WASMAOT_VT_FUNCREF:
    case WASMAOT_VT_EXTERNREF: v.is_null = r_u8(r); v.lo = r_u64(r); break;
    default: malformed();
    }
    return v;
}

/* Value in trampoline slots -> table value (for messages). */
static void fmt_slots(char *buf, size_t n, uint8_t vt, const uint64_t *s) {
    switch (vt) {
    case WASMAOT_VT_I32: snprintf(buf, n, "i32:0x%08x", (uint32_t)s[0]); break;
    case WASMAOT_VT_I64: snprintf(buf, n, "i64:0x%016llx", (unsigned long long)s[0]); break;
    case WASMAOT_VT_F32: {
        char v[400];
        wasmaot_host_format_value(v, sizeof v, vt, s);
        snprintf(buf, n, "f32:0x%08x (%s)", (uint32_t)s[0], v);
        break;
    }
    case WASMAOT_VT_F64: {
        char v[400];
        wasmaot_host_format_value(v, sizeof v, vt, s);
        snprintf(buf, n, "f64:0x%016llx (%.40s)", (unsigned long long)s[0], v);
        break;
    }
    case WASMAOT_VT_V128:
        snprintf(buf, n, "v128:0x%016llx%016llx", (unsigned long long)s[1], (unsigned long long)s[0]);
        break;
    case WASMAOT_VT_FUNCREF:
        if (s[0] && ((const wasmaot_funcref *)(uintptr_t)s[0])->func) snprintf(buf, n, "ref.func");
        else snprintf(buf, n, "ref.null func");
        break;
    case WASMAOT_VT_EXTERNREF:
        if (s[0]) snprintf(buf, n, "ref.extern %llu", (unsigned long long)(s[0] - 1));
        else snprintf(buf, n, "ref.null extern");
        break;
    default: snprintf(buf, n, "?"); break;
    }
}

static int is_null_funcref(uint64_t s) {
    return s == 0 || ((const wasmaot_funcref *)(uintptr_t)s)->func == NULL;
}

static int nan_ok(uint64_t bits, int is64, int which) {
    if (is64) {
        uint64_t b = bits & 0x7FFFFFFFFFFFFFFFull;
        return which == SPEC_NAN_CANONICAL ? b == 0x7FF8000000000000ull
                                           : (b & 0x7FF8000000000000ull) == 0x7FF8000000000000ull;
    }
    uint32_t b = (uint32_t)bits & 0x7FFFFFFFu;
    return which == SPEC_NAN_CANONICAL ? b == 0x7FC00000u : (b & 0x7FC00000u) == 0x7FC00000u;
}

/* Read one expected result and check it against (vt, s).  Always consumes
 * the whole record (also when it does not match), so callers can go on. */
static int match_expected(rd *r, uint8_t vt, const uint64_t *s) {
    uint8_t kind = r_u8(r);
    switch (kind) {
    case SPEC_EXP_VALUE: {
        tval v = r_value(r);
        if (v.type != vt) return 0;
        switch (vt) {
        case WASMAOT_VT_I32:
        case WASMAOT_VT_F32: return (uint32_t)s[0] == (uint32_t)v.lo;
        case WASMAOT_VT_I64:
        case WASMAOT_VT_F64: return s[0] == v.lo;
        case WASMAOT_VT_V128: return s[0] == v.lo && s[1] == v.hi;
        case WASMAOT_VT_FUNCREF: return v.is_null ? is_null_funcref(s[0]) : !is_null_funcref(s[0]);
        case WASMAOT_VT_EXTERNREF: return v.is_null ? s[0] == 0 : s[0] == v.lo + 1;
        }
        return 0;
    }
    case SPEC_EXP_NAN: {
        uint8_t t = r_u8(r), which = r_u8(r);
        if (t != vt) return 0;
        return nan_ok(s[0], t == WASMAOT_VT_F64, which);
    }
    case SPEC_EXP_V128_LANES: {
        uint8_t lt = r_u8(r);
        int is64 = lt == WASMAOT_VT_F64;
        int lanes = is64 ? 2 : 4, ok = vt == WASMAOT_VT_V128;
        for (int i = 0; i < lanes; i++) {
            uint8_t which = r_u8(r);
            uint64_t bits = is64 ? r_u64(r) : r_u32(r);
            if (!ok) continue;
            uint64_t lane = is64 ? s[i] : (uint32_t)(s[i / 2] >> (32 * (i % 2)));
            if (which == SPEC_LANE_EXACT) ok = is64 ? lane == bits : (uint32_t)lane == (uint32_t)bits;
            else ok = nan_ok(lane, is64, which);
        }
        return ok;
    }
    case SPEC_EXP_REF_FUNC: return vt == WASMAOT_VT_FUNCREF && !is_null_funcref(s[0]);
    case SPEC_EXP_REF_EXTERN_ANY: return vt == WASMAOT_VT_EXTERNREF && s[0] != 0;
    case SPEC_EXP_EITHER: {
        uint32_t n = r_u32(r);
        int any = 0;
        for (uint32_t i = 0; i < n; i++) any |= match_expected(r, vt, s);
        return any;
    }
    default: malformed();
    }
    return 0;
}

/* Text of one expected result (consumes it). */
static void fmt_expected(rd *r, char *buf, size_t n) {
    uint8_t kind = r_u8(r);
    static const char *const nan_names[] = {"", "nan:canonical", "nan:arithmetic"};
    switch (kind) {
    case SPEC_EXP_VALUE: {
        tval v = r_value(r);
        uint64_t s[2] = {v.lo, v.hi};
        if (v.type == WASMAOT_VT_EXTERNREF) s[0] = v.is_null ? 0 : v.lo + 1;
        if (v.type == WASMAOT_VT_FUNCREF) {
            snprintf(buf, n, v.is_null ? "ref.null func" : "ref.func");
            return;
        }
        fmt_slots(buf, n, v.type, s);
        return;
    }
    case SPEC_EXP_NAN: {
        uint8_t t = r_u8(r), which = r_u8(r);
        snprintf(buf, n, "%s:%s", wasmaot_vt_name(t), which <= 2 ? nan_names[which] : "?");
        return;
    }
    case SPEC_EXP_V128_LANES: {
        uint8_t lt = r_u8(r);
        int is64 = lt == WASMAOT_VT_F64;
        size_t k = (size_t)snprintf(buf, n, "v128:%s", is64 ? "f64x2" : "f32x4");
        for (int i = 0; i < (is64 ? 2 : 4); i++) {
            uint8_t which = r_u8(r);
            uint64_t bits = is64 ? r_u64(r) : r_u32(r);
            if (k >= n) continue;
            if (which == SPEC_LANE_EXACT) k += (size_t)snprintf(buf + k, n - k, " 0x%llx", (unsigned long long)bits);
            else k += (size_t)snprintf(buf + k, n - k, " %s", which <= 2 ? nan_names[which] : "?");
        }
        return;
    }
    case SPEC_EXP_REF_FUNC: snprintf(buf, n, "ref.func"); return;
    case SPEC_EXP_REF_EXTERN_ANY: snprintf(buf, n, "ref.extern"); return;
    case SPEC_EXP_EITHER: {
        uint32_t cnt = r_u32(r);
        size_t k = (size_t)snprintf(buf, n, "either(");
        for (uint32_t i = 0; i < cnt; i++) {
            char one[256];
            fmt_expected(r, one, sizeof one);
            if (k < n) k += (size_t)snprintf(buf + k, n - k, "%s%s", i ? " | " : "", one);
        }
        if (k < n) snprintf(buf + k, n - k, ")");
        return;
    }
    default: malformed();
    }
}

/* --------------------------------------------------------------- actions */

typedef struct outcome {
    int error;                /* the action could not run: `msg` says why */
    wasmaot_trap_code trap;   /* it ran and trapped */
    char msg[512];
    uint32_t n_results;
    uint8_t *types;           /* result types (owned by sig or single) */
    uint64_t *slots;
    wasmaot_sig sig;          /* for invoke */
    uint8_t single;           /* for get */
    uint64_t get_slots[2];
} outcome;

static void outcome_free(outcome *o) {
    if (o->slots != o->get_slots) free(o->slots);
    wasmaot_sig_free(&o->sig);
}

/* Read an action and perform it. */
static void run_action(rd *r, outcome *o) {
    memset(o, 0, sizeof *o);
    uint8_t kind = r_u8(r);
    char *modname = r_str(r);
    size_t field_len;
    char *field = r_str_len(r, &field_len);
    uint32_t nargs = 0;
    tval *args = NULL;
    if (kind == SPEC_ACTION_INVOKE) {
        nargs = r_u32(r);
        args = calloc(nargs ? nargs : 1, sizeof *args);
        if (!args) malformed();
        for (uint32_t i = 0; i < nargs; i++) args[i] = r_value(r);
    } else if (kind != SPEC_ACTION_GET) {
        malformed();
    }
    instance *rec = modname[0] ? lookup(names, n_names, modname) : current;
    const wasmaot_export_desc *exp = NULL;
    if (!rec) {
        o->error = 1;
        snprintf(o->msg, sizeof o->msg, modname[0] ? "no module named %s" : "no current module", modname);
        goto done;
    }
    if (rec->broken[0]) {
        o->error = 1;
        snprintf(o->msg, sizeof o->msg, "module unavailable (%s)", rec->broken);
        goto done;
    }
    exp = wasmaot_host_find_export_n(rec->desc, field, field_len);
    if (kind == SPEC_ACTION_GET) {
        int vt = exp && exp->kind == WASMAOT_EXTERN_GLOBAL ? wasmaot_global_vt(exp->type, NULL) : -1;
        if (vt < 0) {
            o->error = 1;
            snprintf(o->msg, sizeof o->msg, "no global export \"%s\"", field);
            goto done;
        }
        const void *storage = *(void *const *)wasmaot_host_slot(rec->inst, exp->offset);
        o->single = (uint8_t)vt;
        o->types = &o->single;
        o->n_results = 1;
        o->slots = o->get_slots;
        if (vt == WASMAOT_VT_I32 || vt == WASMAOT_VT_F32) {
            uint32_t v;
            memcpy(&v, storage, 4);
            o->slots[0] = v;
        } else if (vt == WASMAOT_VT_V128) {
            memcpy(o->slots, storage, 16);
        } else if (vt == WASMAOT_VT_FUNCREF || vt == WASMAOT_VT_EXTERNREF) {
            void *p;
            memcpy(&p, storage, sizeof p);
            o->slots[0] = (uint64_t)(uintptr_t)p;
        } else {
            memcpy(o->slots, storage, 8);
        }
        goto done;
    }
    if (!exp || exp->kind != WASMAOT_EXTERN_FUNC || !exp->trampoline) {
        o->error = 1;
        snprintf(o->msg, sizeof o->msg, "no function export \"%s\"", field);
        goto done;
    }
    if (wasmaot_sig_parse(exp->type, &o->sig)) {
        o->error = 1;
        snprintf(o->msg, sizeof o->msg, "export \"%s\" has a bad signature \"%s\"", field, exp->type);
        goto done;
    }
    if (o->sig.n_params != nargs) {
        o->error = 1;
        snprintf(o->msg, sizeof o->msg, "export \"%s\" %s takes %u arguments, given %u", field, exp->type,
                 o->sig.n_params, nargs);
        goto done;
    }
    o->slots = calloc(wasmaot_sig_call_slots(&o->sig), sizeof(uint64_t));
    if (!o->slots) malformed();
    for (uint32_t i = 0, s = 0; i < nargs; i++) {
        if (args[i].type != o->sig.params[i]) {
            o->error = 1;
            snprintf(o->msg, sizeof o->msg, "argument %u: %s given, export \"%s\" %s", i,
                     wasmaot_vt_name(args[i].type), field, exp->type);
            goto done;
        }
        switch (args[i].type) {
        case WASMAOT_VT_V128: o->slots[s] = args[i].lo; o->slots[s + 1] = args[i].hi; break;
        case WASMAOT_VT_EXTERNREF: o->slots[s] = args[i].is_null ? 0 : args[i].lo + 1; break;
        case WASMAOT_VT_FUNCREF: o->slots[s] = 0; break; /* only ref.null func can be written */
        default: o->slots[s] = args[i].lo; break;
        }
        s += wasmaot_vt_slots(args[i].type);
    }
    o->trap = wasmaot_host_call(exp, rec->inst, o->slots);
    o->types = o->sig.results;
    o->n_results = o->sig.n_results;
done:
    free(args);
    free(modname);
    free(field);
}

static void fmt_results(const outcome *o, char *buf, size_t n) {
    size_t k = 0;
    buf[0] = '\0';
    for (uint32_t i = 0, s = 0; i < o->n_results && k < n; i++) {
        char one[128];
        fmt_slots(one, sizeof one, o->types[i], &o->slots[s]);
        k += (size_t)snprintf(buf + k, n - k, "%s%s", i ? " " : "", one);
        s += wasmaot_vt_slots(o->types[i]);
    }
    if (o->n_results == 0) snprintf(buf, n, "no results");
}

/* --------------------------------------------------------------- commands */

static void skip_expected(rd *r, uint32_t n) {
    uint64_t zero[2] = {0, 0};
    for (uint32_t i = 0; i < n; i++) (void)match_expected(r, WASMAOT_VT_I32, zero);
}

static void cmd_assert_return(rd *r, uint32_t line) {
    outcome o;
    run_action(r, &o);
    uint32_t n = r_u32(r);
    if (o.error || o.trap) {
        skip_expected(r, n);
        if (o.error) fail(line, "%s", o.msg);
        else fail(line, "unexpected trap: %s", wasmaot_trap_message(o.trap));
        outcome_free(&o);
        return;
    }
    if (n != o.n_results) {
        skip_expected(r, n);
        char got[512];
        fmt_results(&o, got, sizeof got);
        fail(line, "expected %u results, got %u (%s)", n, o.n_results, got);
        outcome_free(&o);
        return;
    }
    int ok = 1;
    char why[1024] = "";
    for (uint32_t i = 0, s = 0; i < n; i++) {
        rd at = *r;
        if (!match_expected(r, o.types[i], &o.slots[s]) && ok) {
            ok = 0;
            char want[512], got[256];
            fmt_expected(&at, want, sizeof want);
            fmt_slots(got, sizeof got, o.types[i], &o.slots[s]);
            snprintf(why, sizeof why, "result %u: got %s, expected %s", i, got, want);
        }
        s += wasmaot_vt_slots(o.types[i]);
    }
    if (ok) pass(line);
    else fail(line, "%s", why);
    outcome_free(&o);
}

static void cmd_assert_trap(rd *r, uint32_t line, int exhaustion) {
    outcome o;
    run_action(r, &o);
    char *want = r_str(r);
    if (o.error) {
        fail(line, "%s", o.msg);
    } else if (!o.trap) {
        char got[512];
        fmt_results(&o, got, sizeof got);
        fail(line, "expected trap \"%s\", returned %s", want, got);
    } else if (exhaustion && o.trap != WASMAOT_TRAP_CALL_STACK_EXHAUSTED) {
        fail(line, "expected exhaustion \"%s\", trapped: %s", want, wasmaot_trap_message(o.trap));
    } else if (!msg_match(wasmaot_trap_message(o.trap), want)) {
        fail(line, "expected trap \"%s\", trapped: %s", want, wasmaot_trap_message(o.trap));
    } else {
        pass(line);
    }
    free(want);
    outcome_free(&o);
}

static void cmd_action(rd *r, uint32_t line) {
    outcome o;
    run_action(r, &o);
    if (o.error) fail(line, "%s", o.msg);
    else if (o.trap) fail(line, "unexpected trap: %s", wasmaot_trap_message(o.trap));
    else pass(line);
    outcome_free(&o);
}

static void cmd_module(rd *r, uint32_t line) {
    int32_t idx = (int32_t)r_u32(r);
    char *name = r_str(r);
    instance *rec;
    char msg[512];
    wasmaot_trap_code trap;
    int ph = instantiate(idx, 0, &rec, msg, sizeof msg, &trap);
    if (ph == PH_OK) pass(line);
    else fail(line, "%s", msg);
    /* A failed module still becomes current, so later actions fail
     * ("module unavailable") instead of silently hitting an older module. */
    current = rec;
    if (name[0]) bind_name(&names, &n_names, name, rec);
    else free(name);
}

static void cmd_module_assert(rd *r, uint32_t line, uint8_t op) {
    int32_t idx = (int32_t)r_u32(r);
    char *want = r_str(r);
    instance *rec;
    char msg[512];
    wasmaot_trap_code trap;
    int ph = instantiate(idx, op == SPEC_OP_ASSERT_UNLINKABLE, &rec, msg, sizeof msg, &trap);
    if (ph == PH_NOT_COMPILED) {
        fail(line, "%s", msg);
    } else if (op == SPEC_OP_ASSERT_UNLINKABLE) {
        if (ph != PH_LINK) fail(line, "expected link failure \"%s\", module linked", want);
        else if (!msg_match(msg, want)) fail(line, "expected \"%s\", got %s", want, msg);
        else pass(line);
    } else {
        if (ph == PH_LINK) fail(line, "expected trap \"%s\", link failed: %s", want, msg);
        else if (ph != PH_TRAP) fail(line, "expected trap \"%s\", %s", want, ph == PH_OK ? "instantiated" : msg);
        else if (!msg_match(wasmaot_trap_message(trap), want))
            fail(line, "expected trap \"%s\", trapped: %s", want, wasmaot_trap_message(trap));
        else pass(line);
    }
    free(want);
}

static void cmd_register(rd *r, uint32_t line) {
    char *as = r_str(r);
    char *modname = r_str(r);
    instance *rec = modname[0] ? lookup(names, n_names, modname) : current;
    if (!rec) {
        /* register is not an assertion: note it, imports from it will fail */
        fprintf(stderr, "%u: register: no module %s\n", line, modname[0] ? modname : "(current)");
        rec = new_instance();
        snprintf(rec->broken, sizeof rec->broken, "no module to register");
    }
    bind_name(&registered, &n_registered, as, rec);
    free(modname);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (wasmaot_rt_init(argc, argv) != 0) {
        printf("0: cannot initialize the runtime\n");
        return 3;
    }
    /* the spectest host module, registered like any instance */
    instance *sp = new_instance();
    sp->desc = &spectest_host_module;
    sp->inst = wasmaot_host_alloc_instance(sp->desc);
    if (!sp->inst || spectest_host_module.instantiate(sp->inst) != 0) {
        printf("0: cannot create the spectest module\n");
        return 3;
    }
    char *spname = malloc(sizeof "spectest");
    if (!spname) malformed();
    memcpy(spname, "spectest", sizeof "spectest");
    bind_name(&registered, &n_registered, spname, sp);

    rd r = {wasmaot_spec_table, wasmaot_spec_table + wasmaot_spec_table_size};
    if (r_u32(&r) != SPEC_TABLE_MAGIC || r_u32(&r) != SPEC_TABLE_VERSION) malformed();
    uint32_t n_cmds = r_u32(&r);
    (void)r_u32(&r); /* module count (the descriptor array carries it too) */
    for (uint32_t i = 0; i < n_cmds; i++) {
        uint8_t op = r_u8(&r);
        uint32_t line = r_u32(&r);
        switch (op) {
        case SPEC_OP_MODULE: cmd_module(&r, line); break;
        case SPEC_OP_REGISTER: cmd_register(&r, line); break;
        case SPEC_OP_ACTION: cmd_action(&r, line); break;
        case SPEC_OP_ASSERT_RETURN: cmd_assert_return(&r, line); break;
        case SPEC_OP_ASSERT_TRAP: cmd_assert_trap(&r, line, 0); break;
        case SPEC_OP_ASSERT_EXHAUSTION: cmd_assert_trap(&r, line, 1); break;
        case SPEC_OP_ASSERT_TRAP_MODULE:
        case SPEC_OP_ASSERT_UNLINKABLE:
        case SPEC_OP_ASSERT_UNINSTANTIABLE: cmd_module_assert(&r, line, op); break;
        default: malformed();
        }
    }
    printf("summary: %u passed, %u failed\n", n_passed, n_failed);
    fflush(stdout);
    return n_failed ? 1 : 0;
}
