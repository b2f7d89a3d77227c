/*
 * cm_adapt.c -- calls between the component instances of one compiled
 * component (hosted): the adapters (wasmaot_cm_adapter: lift with the
 * caller's options, lower into the callee, call, and back), the handle
 * tables and resource types of the instantiation (runtime-c/canon), and
 * the resource built-ins.  backends/ABI.md "Component exports" describes
 * the generated side.
 */
#include "cm_host.h"
#include "wasmaot_canon.h"
#include "wasmaot_cm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lifted values live until the adapter call returns: one list of blocks
 * per call (16-byte header: the next block), freed then, so a loop of
 * cross-component calls runs in constant memory. */
static void *env_alloc(void *e, uint32_t size) {
    call_env *env = e;
    void **block = malloc(16 + (size_t)size);
    if (!block) cm_host_out_of_memory();
    *block = *env->arena;
    *env->arena = block;
    return (char *)block + 16;
}

static void arena_free(void *head) {
    while (head) {
        void *next = *(void **)head;
        free(head);
        head = next;
    }
}

/* Failures between components, in wasmtime's classes: a bad handle is an
 * error of the call (its resource tables are host code: exit 1), and so is
 * a string that is not valid in its encoding (wasmtime's transcoders are
 * host calls: "invalid utf8 encoding", exit 1); a bad value in an adapter
 * is a Wasm trap (its adapters are Wasm: 134), and so are the instance
 * flags' checks ("cannot enter component instance"); a guest trap
 * (realloc, a destructor...) is a trap. */
static WASMAOT_NORETURN void canon_error(const char *msg) {
    fflush(stdout);
    fprintf(stderr, "wasmaot: error: %s\n", msg);
    exit(1);
}

/* A trap as the runtime delivers any other: it unwinds to the guest
 * call's wasmaot_rt_try, which reports it ("wasm trap: MSG", the
 * backtrace, exit 134) or, in a host that keeps running (the spec
 * driver), returns it as WASMAOT_TRAP_COMPONENT with this message. */
void cm_trap_message(const char *msg) {
    static char text[200];
    snprintf(text, sizeof text, "%s", msg);
    wasmaot_trap_component(text);
}

static int is_flag_status(wasmaot_canon_status st) {
    return st == WASMAOT_CANON_E_MAY_NOT_ENTER || st == WASMAOT_CANON_E_MAY_NOT_LEAVE ||
           st == WASMAOT_CANON_E_POISONED;
}

void cm_status_error(wasmaot_canon_status st, uint32_t index) {
    char msg[120];
    if (st < WASMAOT_CANON_E_BASE) wasmaot_rt_report_trap_and_exit(st);
    if (is_flag_status(st)) cm_trap_message(wasmaot_canon_message(st));
    if (st == WASMAOT_CANON_E_UNKNOWN_HANDLE) snprintf(msg, sizeof msg, "unknown handle index %u", index);
    else snprintf(msg, sizeof msg, "%s", wasmaot_canon_message(st));
    canon_error(msg);
}

static void adapter_trap(const wasmaot_cm_cx *cx, int err) {
    char msg[200];
    if (err == WASMAOT_CM_ERR_CANON) cm_status_error(cx->detail[0], cx->detail[1]);
    if (err == WASMAOT_CM_ERR_CHAR) snprintf(msg, sizeof msg, "invalid `char` bit pattern");
    else cm_error_text(cx, err, msg, sizeof msg);
    if (err == WASMAOT_CM_ERR_UTF8 || err == WASMAOT_CM_ERR_UTF8_INCOMPLETE || err == WASMAOT_CM_ERR_UTF16)
        canon_error(msg);
    cm_trap_message(msg);
}

/* ---------------------------------------------------- instance flags */

/* Whether component instance `a` is `c` or one of its ancestors. */
static int self_or_ancestor(const wasmaot_cm_component *comp, uint32_t a, uint32_t c) {
    for (uint32_t n = 0; c != WASMAOT_CM_NONE && n <= comp->n_components; n++, c = comp->parents[c])
        if (c == a) return 1;
    return 0;
}

/* CanonicalABI.md may_enter_from / enter_from: every instance of the
 * entering set (`callee` and its ancestors minus `caller`'s; NONE: the
 * host) must be enterable, and is entered.  Nothing changes on failure. */
wasmaot_canon_status cm_enter(const wasmaot_cm_state *st, uint32_t callee, uint32_t caller) {
    const wasmaot_cm_component *comp = st->comp;
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t c = callee, n = 0; c != WASMAOT_CM_NONE && n <= comp->n_components; n++, c = comp->parents[c]) {
            if (caller != WASMAOT_CM_NONE && self_or_ancestor(comp, c, caller)) break;
            wasmaot_canon_instance *inst = &st->canon[c];
            if (pass == 0 && inst->trap) return WASMAOT_CANON_E_POISONED;
            if (pass == 0 && !inst->may_enter) return WASMAOT_CANON_E_MAY_NOT_ENTER;
            if (pass == 1) inst->may_enter = 0;
        }
    return WASMAOT_CANON_OK;
}

/* leave_to: the entering set may be entered again. */
void cm_leave(const wasmaot_cm_state *st, uint32_t callee, uint32_t caller) {
    const wasmaot_cm_component *comp = st->comp;
    for (uint32_t c = callee, n = 0; c != WASMAOT_CM_NONE && n <= comp->n_components; n++, c = comp->parents[c]) {
        if (caller != WASMAOT_CM_NONE && self_or_ancestor(comp, c, caller)) break;
        wasmaot_canon_leave(&st->canon[c]);
    }
}

/* The state of the instantiation whose core instance is `inst` (the last
 * one wasmaot_cm_state_init set up: a process runs one), or NULL. */
static const wasmaot_cm_state *registered;

const wasmaot_cm_state *cm_state_for(const void *inst, const wasmaot_cm_component *comp) {
    return registered && registered->inst == inst && registered->comp == comp ? registered : NULL;
}

/* An adapter's core exports, looked up by name once (wasmaot_cm_state_init). */
typedef struct resolved_adapter {
    const wasmaot_export_desc *core, *post, *callee_realloc, *callee_memory, *caller_realloc, *caller_memory;
    int direct;        /* the copy path applies (direct_applies) */
} resolved_adapter;

static int direct_applies(const wasmaot_cm_component *comp, const wasmaot_cm_adapter *a);

static void resolve_adapters(wasmaot_cm_state *st) {
    const wasmaot_cm_component *comp = st->comp;
    call_env env = {st->host, st->desc, st->inst, NULL, NULL, 0, 0, NULL};
    resolved_adapter *r = calloc(comp->n_adapters ? comp->n_adapters : 1, sizeof *r);
    if (!r) cm_host_out_of_memory();
    for (uint32_t i = 0; i < comp->n_adapters; i++) {
        const wasmaot_cm_adapter *a = &comp->adapters[i];
        const wasmaot_cm_func *f = &a->callee;
        r[i] = (resolved_adapter){cm_host_part(&env, comp, f->core, f->core_len),
                                  cm_host_part(&env, comp, f->post_return, f->post_return_len),
                                  cm_host_part(&env, comp, f->realloc, f->realloc_len),
                                  cm_host_part(&env, comp, f->memory, f->memory_len),
                                  cm_host_part(&env, comp, a->caller_realloc, a->caller_realloc_len),
                                  cm_host_part(&env, comp, a->caller_memory, a->caller_memory_len),
                                  direct_applies(comp, a)};
    }
    st->resolved = r;
    st->scratch = cm_host_part(&env, comp, comp->scratch, comp->scratch_len);
}

/* One adapter call in progress: both sides' contexts, its borrow scope
 * (CanonicalABI.md: the subtask's lenders on the caller's side, the task's
 * borrows on the callee's) and the blocks its values live in.  It lives on
 * the native stack: the contexts point into it. */
typedef struct adapter_call {
    call_env callee_env, caller_env;
    wasmaot_cm_func caller_func;      /* the callee's types with the caller's encoding */
    wasmaot_cm_cx callee, caller;
    wasmaot_canon_call call;
    uint32_t lenders[256];
    wasmaot_canon_instance *callee_inst;
    const wasmaot_cm_state *st;
    uint32_t callee_component, caller_component;
    void *arena;
    uint64_t *scratch;
} adapter_call;

static void adapter_begin(adapter_call *ac, const wasmaot_cm_state *st, uint32_t index) {
    const wasmaot_cm_component *comp = st->comp;
    const wasmaot_cm_adapter *a = &comp->adapters[index];
    const resolved_adapter *r = &((const resolved_adapter *)st->resolved)[index];
    ac->arena = NULL;
    ac->callee_env = (call_env){st->host, st->desc, st->inst, r->callee_realloc, NULL, 0, 0, &ac->arena};
    ac->caller_env = (call_env){st->host, st->desc, st->inst, r->caller_realloc, NULL, 0, 0, &ac->arena};
    wasmaot_canon_call_init(&ac->call, ac->lenders, sizeof ac->lenders / sizeof ac->lenders[0]);
    ac->callee_inst = &st->canon[a->callee_component];
    ac->st = st;
    ac->callee_component = a->callee_component;
    ac->caller_component = a->caller_component;
    ac->callee = (wasmaot_cm_cx){comp, &a->callee, cm_host_memory(&ac->callee_env, r->callee_memory),
                                &ac->callee_env, r->callee_realloc ? cm_host_realloc : NULL, NULL, NULL,
                                {0, 0}, env_alloc, ac->callee_inst, st->rtypes, &ac->call};
    ac->caller_func = a->callee;
    ac->caller_func.encoding = a->caller_encoding;
    ac->caller = (wasmaot_cm_cx){comp, &ac->caller_func, cm_host_memory(&ac->caller_env, r->caller_memory),
                                &ac->caller_env, r->caller_realloc ? cm_host_realloc : NULL, NULL, NULL,
                                {0, 0}, env_alloc, &st->canon[a->caller_component], st->rtypes, &ac->call};
    ac->scratch = (uint64_t *)cm_host_memory(&ac->callee_env, st->scratch)->base;
}

/* The caller's arguments (flat in the scratch slots, or a tuple at the
 * pointer in slot 0) lifted; *retptr: the caller's out-pointer, if any. */
static wasmaot_cm_value *adapter_args(adapter_call *ac, uint32_t *retptr) {
    const wasmaot_cm_func *f = ac->caller.func;
    const wasmaot_cm_component *comp = ac->caller.comp;
    uint32_t flat = 0;
    for (uint32_t i = 0; i < f->n_params; i++) flat += comp->types[comp->pool[f->params + i]].flat_count;
    int spilled = flat > WASMAOT_CM_MAX_FLAT_PARAMS;
    wasmaot_cm_value *args = env_alloc(&ac->caller_env, (f->n_params ? f->n_params : 1) * (uint32_t)sizeof *args);
    int err = wasmaot_cm_lift_values(&ac->caller, &comp->pool[f->params], f->n_params, ac->scratch,
                                     spilled ? (uint32_t)ac->scratch[0] : WASMAOT_CM_NONE, args);
    if (err) adapter_trap(&ac->caller, err);
    *retptr = (uint32_t)ac->scratch[spilled ? 1 : flat];    /* read before the slots are reused */
    return args;
}

/* The callee's result (slots: its core results) lifted and lowered into
 * the caller: scratch slot 0 or the out-pointer. */
static void adapter_result(adapter_call *ac, const uint64_t *slots, uint32_t retptr) {
    const wasmaot_cm_func *f = ac->callee.func;
    wasmaot_cm_value result;
    int flat = ac->callee.comp->types[f->result].flat_count <= WASMAOT_CM_MAX_FLAT_RESULTS;
    int err = wasmaot_cm_lift_values(&ac->callee, &f->result, 1, flat ? slots : NULL,
                                     flat ? WASMAOT_CM_NONE : (uint32_t)slots[0], &result);
    if (err) adapter_trap(&ac->callee, err);
    if ((err = wasmaot_cm_lower_result(&ac->caller, &result, ac->scratch, retptr))) adapter_trap(&ac->caller, err);
}

/* The borrows lent for the call come back, post-return runs (it may not
 * call out), the callee may be entered again, the values are freed. */
static void adapter_end(adapter_call *ac, const wasmaot_export_desc *post, uint64_t *post_slots) {
    wasmaot_canon_status cs = wasmaot_canon_call_finish(&ac->call, ac->callee_inst);
    if (cs) cm_status_error(cs, 0);
    if (post) {
        ac->callee_inst->may_leave = 0;
        cm_host_call(&ac->callee_env, post, post_slots);
        ac->callee_inst->may_leave = 1;
    }
    cm_leave(ac->st, ac->callee_component, ac->caller_component);
    arena_free(ac->arena);
}

/* ------------------------------------------------- the direct copy path */

/* Adapters whose every value is an identity scalar (u32, s32, u64, s64), a
 * UTF-8 string on both sides, or a list of a *plain* type (integers and
 * records/tuples of them: the same bytes on both sides, no value to check
 * or normalize) copy memory to memory: each string or list is checked in
 * the source memory, allocated by the destination's realloc and copied
 * with one memmove, instead of being lifted into host values and lowered
 * again.  Same checks, same realloc calls in the same order; a value that
 * fails a check takes the generic path, which reports it with its exact
 * message (before the call: nothing has happened yet; after it: the
 * generic lift of the result finds the same fault). */
enum { COPY_NO, COPY_SCALAR, COPY_STRING, COPY_LIST };

static const wasmaot_cm_type *type_of(const wasmaot_cm_component *comp, uint32_t i) { return &comp->types[i]; }

static int plain(const wasmaot_cm_component *comp, uint32_t ti) {
    const wasmaot_cm_type *t = type_of(comp, ti);
    if (t->kind >= WASMAOT_CM_S8 && t->kind <= WASMAOT_CM_U64) return 1;
    if (t->kind != WASMAOT_CM_RECORD && t->kind != WASMAOT_CM_TUPLE) return 0;
    for (uint32_t k = 0; k < t->n; k++)
        if (!plain(comp, comp->pool[t->children + k])) return 0;
    return 1;
}

static int copy_kind(const wasmaot_cm_component *comp, uint32_t ti) {
    const wasmaot_cm_type *t = type_of(comp, ti);
    if (t->kind >= WASMAOT_CM_S32 && t->kind <= WASMAOT_CM_U64) return COPY_SCALAR;
    if (t->kind == WASMAOT_CM_STRING) return COPY_STRING;
    if (t->kind == WASMAOT_CM_LIST && plain(comp, comp->pool[t->children])) return COPY_LIST;
    return COPY_NO;
}

static int direct_applies(const wasmaot_cm_component *comp, const wasmaot_cm_adapter *a) {
    const wasmaot_cm_func *f = &a->callee;
    uint32_t flat = 0;
    if (f->encoding != WASMAOT_CM_UTF8 || a->caller_encoding != WASMAOT_CM_UTF8) return 0;
    for (uint32_t i = 0; i < f->n_params; i++) {
        uint32_t ti = comp->pool[f->params + i];
        if (copy_kind(comp, ti) == COPY_NO) return 0;
        flat += type_of(comp, ti)->flat_count;
    }
    return flat <= WASMAOT_CM_MAX_FLAT_PARAMS && (f->result == WASMAOT_CM_NONE || copy_kind(comp, f->result) != COPY_NO);
}

/* The length of p[0..n)'s ASCII prefix, rounded down to 64 bytes: eight
 * words per test (the common case of a whole string). */
static uint32_t ascii_run(const uint8_t *p, uint32_t n) {
    uint32_t i = 0;
    for (; n - i >= 64; i += 64) {
        uint64_t w[8];
        memcpy(w, p + i, 64);
        if ((w[0] | w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7]) & 0x8080808080808080ull) break;
    }
    return i;
}

/* RFC 3629 UTF-8 (no overlongs, surrogates or values past U+10FFFF). */
static int utf8_valid(const uint8_t *p, uint32_t n) {
    uint32_t i = 0;
    while (i < n) {
        i += ascii_run(p + i, n - i);
        if (i >= n) break;
        uint8_t b = p[i];
        if (b < 0x80) { i++; continue; }
        uint32_t len = b < 0xc2 ? 0 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : b < 0xf5 ? 4 : 0;
        if (!len || n - i < len) return 0;
        uint8_t lo = b == 0xe0 ? 0xa0 : b == 0xf0 ? 0x90 : 0x80;
        uint8_t hi = b == 0xed ? 0x9f : b == 0xf4 ? 0x8f : 0xbf;
        if (p[i + 1] < lo || p[i + 1] > hi) return 0;
        for (uint32_t k = 2; k < len; k++)
            if ((p[i + k] & 0xc0) != 0x80) return 0;
        i += len;
    }
    return 1;
}

/* Whether the string or list (kind) at (ptr, n) of cx's memory passes the
 * lift's checks; its byte length in *bytes. */
static int block_ok(const wasmaot_cm_cx *cx, int kind, uint32_t ti, uint32_t ptr, uint32_t n, uint32_t *bytes) {
    const wasmaot_cm_type *e = kind == COPY_LIST ? type_of(cx->comp, cx->comp->pool[type_of(cx->comp, ti)->children]) : NULL;
    uint64_t len = e ? (uint64_t)n * e->size : n;
    if (!cx->memory || (e && ptr % e->align) || ptr + len > cx->memory->size_bytes) return 0;
    if (!e && (len > WASMAOT_CANON_MAX_STRING_BYTE_LENGTH || !utf8_valid(cx->memory->base + ptr, n))) return 0;
    *bytes = (uint32_t)len;
    return 1;
}

/* The block (checked by block_ok) copied into `to`'s memory through its
 * realloc: the new address, or a trap (realloc's result checked). */
static uint32_t block_copy(const wasmaot_cm_cx *from, wasmaot_cm_cx *to, int kind, uint32_t ti, uint32_t ptr,
                           uint32_t bytes) {
    uint32_t align = kind == COPY_LIST ? type_of(to->comp, to->comp->pool[type_of(to->comp, ti)->children])->align : 1;
    if (!to->realloc || !to->memory) adapter_trap(to, WASMAOT_CM_ERR_UNSUPPORTED);
    uint32_t p = to->realloc(to->env, 0, 0, align, bytes);
    if (p % align) adapter_trap(to, WASMAOT_CM_ERR_REALLOC_ALIGN);
    if ((uint64_t)p + bytes > to->memory->size_bytes) adapter_trap(to, WASMAOT_CM_ERR_REALLOC);
    memmove(to->memory->base + p, from->memory->base + ptr, bytes);
    return p;
}

/* The caller's flat arguments checked as the lift checks them (0: one
 * fails); their byte lengths in bytes[], the out-pointer in *retptr. */
static int direct_check(adapter_call *ac, uint32_t *bytes, uint32_t *retptr) {
    const wasmaot_cm_func *f = ac->callee.func;
    const wasmaot_cm_component *comp = ac->callee.comp;
    uint32_t k = 0;
    for (uint32_t i = 0; i < f->n_params; i++) {
        uint32_t ti = comp->pool[f->params + i];
        int kind = copy_kind(comp, ti);
        if (kind != COPY_SCALAR && !block_ok(&ac->caller, kind, ti, (uint32_t)ac->scratch[k],
                                             (uint32_t)ac->scratch[k + 1], &bytes[i]))
            return 0;
        k += kind == COPY_SCALAR ? 1 : 2;
    }
    *retptr = (uint32_t)ac->scratch[k];
    return 1;
}

/* The checked arguments copied into the callee as its core arguments. */
static void direct_copy(adapter_call *ac, const uint32_t *bytes, uint64_t *slots) {
    const wasmaot_cm_func *f = ac->callee.func;
    const wasmaot_cm_component *comp = ac->callee.comp;
    for (uint32_t i = 0, k = 0; i < f->n_params; i++) {
        uint32_t ti = comp->pool[f->params + i];
        int kind = copy_kind(comp, ti);
        slots[k] = ac->scratch[k];
        if (kind != COPY_SCALAR) {
            slots[k] = block_copy(&ac->caller, &ac->callee, kind, ti, (uint32_t)ac->scratch[k], bytes[i]);
            slots[k + 1] = ac->scratch[k + 1];
        }
        k += kind == COPY_SCALAR ? 1 : 2;
    }
}

/* The callee's result copied into the caller: a scalar into scratch slot
 * 0; a string or list (the callee returned a pointer to its pair) into
 * the caller's memory and its pair to the caller's out-pointer.  A fault
 * goes to the generic lift, which reports it. */
static void direct_result(adapter_call *ac, const uint64_t *slots, uint32_t retptr) {
    const wasmaot_cm_component *comp = ac->callee.comp;
    uint32_t ti = ac->callee.func->result, bytes;
    int kind = copy_kind(comp, ti);
    if (kind == COPY_SCALAR) {
        ac->scratch[0] = slots[0];
        return;
    }
    const wasmaot_cm_cx *src = &ac->callee;
    uint32_t pair = (uint32_t)slots[0], ptr, n;
    wasmaot_memory *cm = ac->caller.memory;
    if (!src->memory || pair % 4 || (uint64_t)pair + 8 > src->memory->size_bytes || !cm || retptr % 4
        || (uint64_t)retptr + 8 > cm->size_bytes) {
        adapter_result(ac, slots, retptr);
        return;
    }
    memcpy(&ptr, src->memory->base + pair, 4);
    memcpy(&n, src->memory->base + pair + 4, 4);
    if (!block_ok(src, kind, ti, ptr, n, &bytes)) {
        adapter_result(ac, slots, retptr);
        return;
    }
    uint32_t p = block_copy(src, &ac->caller, kind, ti, ptr, bytes);
    cm = ac->caller.memory;             /* realloc may have grown it */
    if ((uint64_t)retptr + 8 > cm->size_bytes) adapter_trap(&ac->caller, WASMAOT_CM_ERR_BOUNDS);
    memcpy(cm->base + retptr, &p, 4);
    memcpy(cm->base + retptr + 4, &n, 4);
}

/* ---------------------------------------------------------------- adapt */

/* canon_lower's and Store.lift's flag checks (CanonicalABI.md): the caller
 * may leave (not in its realloc or post-return), the entering set may be
 * entered.  A lowering of a function its own component instance lifts
 * always traps, as in wasmtime (its adapter compiler emits a trap for it:
 * the call would enter the instance it is running in). */
static void adapter_enter(const wasmaot_cm_state *st, const wasmaot_cm_adapter *a) {
    if (!st->canon[a->caller_component].may_leave) cm_status_error(WASMAOT_CANON_E_MAY_NOT_LEAVE, 0);
    if (a->caller_component == a->callee_component) cm_status_error(WASMAOT_CANON_E_MAY_NOT_ENTER, 0);
    wasmaot_canon_status cs = cm_enter(st, a->callee_component, a->caller_component);
    if (cs) cm_status_error(cs, 0);
}

void wasmaot_cm_adapt(void *state, uint32_t index) {
    const wasmaot_cm_state *st = state;
    const resolved_adapter *r = &((const resolved_adapter *)st->resolved)[index];
    adapter_enter(st, &st->comp->adapters[index]);
    adapter_call ac;
    adapter_begin(&ac, st, index);
    uint32_t retptr = 0, n = 0, bytes[WASMAOT_CM_MAX_FLAT_PARAMS];
    uint64_t slots[WASMAOT_CM_MAX_FLAT_PARAMS + 1] = {0};
    int direct = r->direct && direct_check(&ac, bytes, &retptr);
    wasmaot_cm_value *args = direct ? NULL : adapter_args(&ac, &retptr);
    /* Lowering calls the callee's realloc: it may not call out. */
    ac.callee_inst->may_leave = 0;
    if (direct) {
        direct_copy(&ac, bytes, slots);
    } else {
        int err = wasmaot_cm_lower_args(&ac.callee, args, slots, &n);
        if (err) adapter_trap(&ac.callee, err);
    }
    ac.callee_inst->may_leave = 1;
    cm_host_call(&ac.callee_env, r->core, slots);
    uint64_t post_slots[1] = {slots[0]};
    /* Lowered into the caller (its realloc may not call out either) before
     * post-return, which may free the callee's copy. */
    if (ac.callee.func->result != WASMAOT_CM_NONE) {
        wasmaot_canon_instance *caller = ac.caller.canon;
        caller->may_leave = 0;
        if (direct) direct_result(&ac, slots, retptr);
        else adapter_result(&ac, slots, retptr);
        caller->may_leave = 1;
    }
    adapter_end(&ac, r->post, post_slots);
}

/* ------------------------------------------------------ handles, built-ins */

typedef struct dtor_ctx {
    const wasmaot_cm_state *st;
    const wasmaot_export_desc *dtor;
} dtor_ctx;

static wasmaot_canon_status call_dtor(const wasmaot_canon_rtype *rt, uint32_t rep) {
    const dtor_ctx *d = rt->ctx;
    uint64_t slots[1] = {rep};
    return d->st->host->call(d->dtor, d->st->inst, slots);   /* a trap code, or 0 */
}

static wasmaot_canon_handle *grow_table(void *ctx, wasmaot_canon_handle *old, uint32_t old_capacity,
                                        uint32_t want, uint32_t *new_capacity) {
    (void)ctx;
    (void)old_capacity;
    uint32_t cap = want < 16 ? 16 : want * 2;
    wasmaot_canon_handle *p = realloc(old, cap * sizeof *p);
    if (!p) return NULL;
    *new_capacity = cap;
    return p;
}

void wasmaot_cm_state_init(wasmaot_cm_state *st) {
    const wasmaot_cm_component *comp = st->comp;
    uint32_t nc = comp->n_components ? comp->n_components : 1;
    st->canon = calloc(nc, sizeof *st->canon);
    st->rtypes = calloc(comp->n_resources ? comp->n_resources : 1, sizeof *st->rtypes);
    if (!st->canon || !st->rtypes) cm_host_out_of_memory();
    for (uint32_t i = 0; i < nc; i++) {
        wasmaot_canon_handle *slots = calloc(16, sizeof *slots);
        if (!slots) cm_host_out_of_memory();
        wasmaot_canon_instance_init(&st->canon[i], slots, 16, grow_table, NULL);
    }
    call_env env = {st->host, st->desc, st->inst, NULL, NULL, 0, 0, NULL};
    for (uint32_t i = 0; i < comp->n_resources; i++) {
        const wasmaot_cm_resource *r = &comp->resources[i];
        wasmaot_canon_rtype *rt = &st->rtypes[i];
        rt->impl = r->defined_by == WASMAOT_CM_NONE ? NULL : &st->canon[r->defined_by];
        if (r->dtor_len) {
            dtor_ctx *d = malloc(sizeof *d);
            if (!d) cm_host_out_of_memory();
            d->st = st;
            d->dtor = cm_host_part(&env, comp, r->dtor, r->dtor_len);
            rt->dtor = call_dtor;
            rt->ctx = d;
        }
    }
    resolve_adapters(st);
    registered = st;
}

void wasmaot_cm_builtin_call(void *state, uint32_t index) {
    const wasmaot_cm_state *st = state;
    const wasmaot_cm_component *comp = st->comp;
    const wasmaot_cm_builtin *b = &comp->builtins[index];
    call_env env = {st->host, st->desc, st->inst, NULL, NULL, 0, 0, NULL};
    uint64_t *scratch = (uint64_t *)cm_host_memory(&env, st->scratch)->base;
    wasmaot_canon_instance *inst = &st->canon[b->component];
    const wasmaot_canon_rtype *rt = &st->rtypes[b->resource];
    uint32_t arg = (uint32_t)scratch[0], out = 0;
    wasmaot_canon_status cs;
    switch (b->op) {
    case WASMAOT_CM_RESOURCE_NEW: cs = wasmaot_canon_resource_new(inst, rt, arg, &out); break;
    case WASMAOT_CM_RESOURCE_REP: cs = wasmaot_canon_resource_rep(inst, rt, arg, &out); break;
    default: cs = wasmaot_canon_resource_drop(inst, rt, arg); break;
    }
    if (cs) cm_status_error(cs, arg);
    scratch[0] = out;
}
