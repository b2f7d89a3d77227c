/*
 * cm_invoke.c -- `./app --invoke 'f(args...)'` of a compiled component
 * (hosted: malloc, stdio).  The steps of `wasmtime run --invoke`:
 * parse the call as WAVE against the export's types (cm_wave.c), lower the
 * arguments into the guest (cm_abi.c; strings and lists through the
 * guest's realloc), call the lifted core function through its trampoline,
 * lift and print the result, then call post-return.
 *
 * Failure classes, as wasmtime 49 reports them:
 *   - bad WAVE or an unknown function: one line, exit 2 (wasmtime: 1; our
 *     usage errors are 2, README "exit codes");
 *   - a canonical-ABI error while lifting (bad char, discriminant, pointer
 *     out of bounds or misaligned): one line "wasmaot: error: MESSAGE" with
 *     wasmtime's message, exit 1, nothing printed on stdout;
 *   - a guest trap (in the function, realloc or post-return): the runtime's
 *     "wasm trap: ..." report, exit 134, as for core modules.
 */
#include "cm_wave.h"
#include "wasmaot_canon.h"
#include "wasmaot_cm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct call_env {
    const wasmaot_cm_host *host;
    const wasmaot_module_desc *desc;
    void *inst;
    const wasmaot_export_desc *realloc;
    char *buf;
    size_t len, cap;
    void **arena;          /* adapters: the call's value blocks (a list), freed when it returns */
} call_env;

/* Adapters run inside the guest call that reached them, under its
 * wasmaot_rt_try: a trap unwinds to it and is reported there, so they call
 * trampolines directly (another try would cost a signal-mask syscall per
 * call). */

static void out_of_memory(void) {
    fputs("wasmaot: out of memory\n", stderr);
    exit(1);
}

static void env_put(void *e, const char *s, uint32_t n) {
    call_env *env = e;
    if (env->len + n + 1 > env->cap) {
        env->cap = (env->len + n + 1) * 2;
        env->buf = realloc(env->buf, env->cap);
        if (!env->buf) out_of_memory();
    }
    memcpy(env->buf + env->len, s, n);
    env->len += n;
    env->buf[env->len] = 0;
}

static void env_put_float(void *e, int is_f64, uint64_t bits) {
    call_env *env = e;
    char buf[400];
    env->host->format_value(buf, sizeof buf, is_f64 ? 3 : 2, &bits);
    env_put(e, buf, (uint32_t)strlen(buf));
}

/* A guest trap is the program's end (as in a core module's call). */
static void call_or_trap(call_env *env, const wasmaot_export_desc *exp, uint64_t *slots) {
    if (env->arena) {                       /* in an adapter: see above */
        exp->trampoline(env->inst, slots);
        return;
    }
    wasmaot_trap_code code = env->host->call(exp, env->inst, slots);
    if (code) wasmaot_rt_report_trap_and_exit(code);
}

static uint32_t env_realloc(void *e, uint32_t old_ptr, uint32_t old_size, uint32_t align, uint32_t size) {
    call_env *env = e;
    uint64_t slots[4] = {old_ptr, old_size, align, size};
    call_or_trap(env, env->realloc, slots);
    return (uint32_t)slots[0];
}

static const wasmaot_export_desc *part(call_env *env, const wasmaot_cm_component *comp,
                                       uint32_t off, uint32_t len) {
    if (!len) return NULL;
    const wasmaot_export_desc *exp = env->host->find_export(env->desc, comp->strings + off, len);
    if (!exp) {
        fprintf(stderr, "wasmaot: error: the component table names a missing core export\n");
        exit(1);
    }
    return exp;
}

static int lift_error(const wasmaot_cm_cx *cx, int err) {
    char msg[200];
    snprintf(msg, sizeof msg, wasmaot_cm_error_message(err), cx->detail[0], cx->detail[1]);
    fflush(stdout);
    fprintf(stderr, "wasmaot: error: %s\n", msg);
    return 1;
}

int wasmaot_cm_invoke(const wasmaot_cm_component *comp, const wasmaot_module_desc *desc, void *inst,
                      const wasmaot_cm_host *host, const char *call) {
    const wasmaot_cm_func *f = NULL;
    wasmaot_cm_value *args = NULL;
    cm_wave_error werr;
    if (cm_wave_parse_call(comp, call, &f, &args, &werr)) {
        fflush(stdout);
        /* Not the call itself: it may span lines (multiline strings). */
        fprintf(stderr, "wasmaot: error: --invoke: %s at column %u\n", werr.msg, werr.column);
        return 2;
    }
    call_env env = {host, desc, inst, NULL, NULL, 0, 0, NULL};
    const wasmaot_export_desc *core = part(&env, comp, f->core, f->core_len);
    const wasmaot_export_desc *mem = part(&env, comp, f->memory, f->memory_len);
    const wasmaot_export_desc *post = part(&env, comp, f->post_return, f->post_return_len);
    env.realloc = part(&env, comp, f->realloc, f->realloc_len);
    wasmaot_cm_cx cx = {comp, f, NULL, &env, env.realloc ? env_realloc : NULL, env_put, env_put_float, {0, 0}, NULL, NULL, NULL, NULL};
    if (mem) cx.memory = *(wasmaot_memory **)((char *)inst + mem->offset);

    uint64_t slots[WASMAOT_CM_MAX_FLAT_PARAMS + 1] = {0};
    uint32_t n = 0;
    int err = wasmaot_cm_lower_args(&cx, args, slots, &n);
    if (err) return lift_error(&cx, err);
    call_or_trap(&env, core, slots);
    uint64_t results[1] = {slots[0]};
    err = wasmaot_cm_lift_result(&cx, results);
    if (err) return lift_error(&cx, err);
    if (post) {
        uint64_t post_slots[1] = {results[0]};
        call_or_trap(&env, post, post_slots);
    }
    fwrite(env.buf, 1, env.len, stdout);
    fputc('\n', stdout);
    free(env.buf);
    return 0;
}

/* ---------------------------------------------------------------- adapters */

/* Lifted values live until the adapter call returns: one list of blocks
 * per call (16-byte header: the next block), freed then, so a loop of
 * cross-component calls runs in constant memory. */
static void *env_alloc(void *e, uint32_t size) {
    call_env *env = e;
    void **block = malloc(16 + (size_t)size);
    if (!block) out_of_memory();
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
 * error of the call (its resource tables are host code: exit 1); a bad
 * value in an adapter is a Wasm trap (its adapters are Wasm: 134); a
 * guest trap (realloc, a destructor...) is a trap. */
static void canon_error(const char *msg) {
    fflush(stdout);
    fprintf(stderr, "wasmaot: error: %s\n", msg);
    exit(1);
}

static void status_error(wasmaot_canon_status st, uint32_t index) {
    char msg[120];
    if (st < WASMAOT_CANON_E_BASE) wasmaot_rt_report_trap_and_exit(st);
    if (st == WASMAOT_CANON_E_UNKNOWN_HANDLE) snprintf(msg, sizeof msg, "unknown handle index %u", index);
    else snprintf(msg, sizeof msg, "%s", wasmaot_canon_message(st));
    canon_error(msg);
}

static void adapter_trap(const wasmaot_cm_cx *cx, int err) {
    char msg[200];
    if (err == WASMAOT_CM_ERR_CANON) status_error(cx->detail[0], cx->detail[1]);
    if (err == WASMAOT_CM_ERR_CHAR) snprintf(msg, sizeof msg, "invalid `char` bit pattern");
    else snprintf(msg, sizeof msg, wasmaot_cm_error_message(err), cx->detail[0], cx->detail[1]);
    fflush(stdout);
    fprintf(stderr, "wasm trap: %s\n", msg);
    exit(WASMAOT_TRAP_EXIT_CODE);
}

static wasmaot_memory *memory_of(call_env *env, const wasmaot_export_desc *exp) {
    return exp ? *(wasmaot_memory **)((char *)env->inst + exp->offset) : NULL;
}

/* An adapter's core exports, looked up by name once (wasmaot_cm_state_init). */
typedef struct resolved_adapter {
    const wasmaot_export_desc *core, *post, *callee_realloc, *callee_memory, *caller_realloc, *caller_memory;
} resolved_adapter;

static void resolve_adapters(wasmaot_cm_state *st) {
    const wasmaot_cm_component *comp = st->comp;
    call_env env = {st->host, st->desc, st->inst, NULL, NULL, 0, 0, NULL};
    resolved_adapter *r = calloc(comp->n_adapters ? comp->n_adapters : 1, sizeof *r);
    if (!r) out_of_memory();
    for (uint32_t i = 0; i < comp->n_adapters; i++) {
        const wasmaot_cm_adapter *a = &comp->adapters[i];
        const wasmaot_cm_func *f = &a->callee;
        r[i] = (resolved_adapter){part(&env, comp, f->core, f->core_len),
                                  part(&env, comp, f->post_return, f->post_return_len),
                                  part(&env, comp, f->realloc, f->realloc_len),
                                  part(&env, comp, f->memory, f->memory_len),
                                  part(&env, comp, a->caller_realloc, a->caller_realloc_len),
                                  part(&env, comp, a->caller_memory, a->caller_memory_len)};
    }
    st->resolved = r;
    st->scratch = part(&env, comp, comp->scratch, comp->scratch_len);
}

void wasmaot_cm_adapt(void *state, uint32_t index) {
    const wasmaot_cm_state *st = state;
    const wasmaot_cm_component *comp = st->comp;
    const wasmaot_cm_adapter *a = &comp->adapters[index];
    const wasmaot_cm_func *f = &a->callee;
    const resolved_adapter *r = &((const resolved_adapter *)st->resolved)[index];
    void *arena = NULL;
    call_env callee_env = {st->host, st->desc, st->inst, NULL, NULL, 0, 0, &arena};
    call_env caller_env = callee_env;
    const wasmaot_export_desc *core = r->core, *post = r->post;
    callee_env.realloc = r->callee_realloc;
    caller_env.realloc = r->caller_realloc;
    /* The borrow scope of this call (CanonicalABI.md: the subtask's lenders
     * on the caller's side, the task's borrows on the callee's). */
    uint32_t lenders[256];
    wasmaot_canon_call call;
    wasmaot_canon_call_init(&call, lenders, sizeof lenders / sizeof lenders[0]);
    wasmaot_canon_instance *callee_inst = &st->canon[a->callee_component];
    wasmaot_canon_instance *caller_inst = &st->canon[a->caller_component];
    wasmaot_cm_cx callee = {comp, f, memory_of(&callee_env, r->callee_memory),
                            &callee_env, callee_env.realloc ? env_realloc : NULL, NULL, NULL, {0, 0}, env_alloc,
                            callee_inst, st->rtypes, &call};
    /* The caller's view: same types, its own memory, realloc and encoding. */
    wasmaot_cm_func caller_func = *f;
    caller_func.encoding = a->caller_encoding;
    wasmaot_cm_cx caller = {comp, &caller_func,
                            memory_of(&caller_env, r->caller_memory),
                            &caller_env, caller_env.realloc ? env_realloc : NULL, NULL, NULL, {0, 0}, env_alloc,
                            caller_inst, st->rtypes, &call};
    uint64_t *scratch = (uint64_t *)memory_of(&callee_env, st->scratch)->base;

    /* Arguments: flat in the scratch slots, or a tuple at the pointer in slot 0. */
    uint32_t flat = 0;
    for (uint32_t i = 0; i < f->n_params; i++) flat += comp->types[comp->pool[f->params + i]].flat_count;
    int spilled = flat > WASMAOT_CM_MAX_FLAT_PARAMS;
    wasmaot_cm_value *args = env_alloc(&caller_env, (f->n_params ? f->n_params : 1) * (uint32_t)sizeof *args);
    int err = wasmaot_cm_lift_values(&caller, &comp->pool[f->params], f->n_params, scratch,
                                     spilled ? (uint32_t)scratch[0] : WASMAOT_CM_NONE, args);
    if (err) adapter_trap(&caller, err);
    uint32_t retptr = (uint32_t)scratch[spilled ? 1 : flat];   /* read before the slots are reused */

    wasmaot_canon_status cs = wasmaot_canon_enter(callee_inst);
    if (cs) status_error(cs, 0);
    uint64_t slots[WASMAOT_CM_MAX_FLAT_PARAMS + 1] = {0};
    uint32_t n = 0;
    if ((err = wasmaot_cm_lower_args(&callee, args, slots, &n))) adapter_trap(&callee, err);
    call_or_trap(&callee_env, core, slots);
    if (f->result == WASMAOT_CM_NONE) {
        if ((cs = wasmaot_canon_call_finish(&call, callee_inst))) status_error(cs, 0);
        if (post) call_or_trap(&callee_env, post, slots);
        wasmaot_canon_leave(callee_inst);
        arena_free(arena);
        return;
    }
    wasmaot_cm_value result;
    const wasmaot_cm_type *rt = &comp->types[f->result];
    err = rt->flat_count <= WASMAOT_CM_MAX_FLAT_RESULTS
              ? wasmaot_cm_lift_values(&callee, &f->result, 1, slots, WASMAOT_CM_NONE, &result)
              : wasmaot_cm_lift_values(&callee, &f->result, 1, NULL, (uint32_t)slots[0], &result);
    if (err) adapter_trap(&callee, err);
    uint64_t post_slots[1] = {slots[0]};
    /* Lowered into the caller before post-return (which may free the
     * callee's copy). */
    if ((err = wasmaot_cm_lower_result(&caller, &result, scratch, retptr))) adapter_trap(&caller, err);
    if ((cs = wasmaot_canon_call_finish(&call, callee_inst))) status_error(cs, 0);
    if (post) {
        callee_inst->may_leave = 0;          /* post-return may not call out */
        call_or_trap(&callee_env, post, post_slots);
        callee_inst->may_leave = 1;
    }
    wasmaot_canon_leave(callee_inst);
    arena_free(arena);
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
    if (!st->canon || !st->rtypes) out_of_memory();
    for (uint32_t i = 0; i < nc; i++) {
        wasmaot_canon_handle *slots = calloc(16, sizeof *slots);
        if (!slots) out_of_memory();
        wasmaot_canon_instance_init(&st->canon[i], slots, 16, grow_table, NULL);
    }
    call_env env = {st->host, st->desc, st->inst, NULL, NULL, 0, 0, NULL};
    for (uint32_t i = 0; i < comp->n_resources; i++) {
        const wasmaot_cm_resource *r = &comp->resources[i];
        wasmaot_canon_rtype *rt = &st->rtypes[i];
        rt->impl = r->defined_by == WASMAOT_CM_NONE ? NULL : &st->canon[r->defined_by];
        if (r->dtor_len) {
            dtor_ctx *d = malloc(sizeof *d);
            if (!d) out_of_memory();
            d->st = st;
            d->dtor = part(&env, comp, r->dtor, r->dtor_len);
            rt->dtor = call_dtor;
            rt->ctx = d;
        }
    }
    resolve_adapters(st);
}

void wasmaot_cm_builtin_call(void *state, uint32_t index) {
    const wasmaot_cm_state *st = state;
    const wasmaot_cm_component *comp = st->comp;
    const wasmaot_cm_builtin *b = &comp->builtins[index];
    call_env env = {st->host, st->desc, st->inst, NULL, NULL, 0, 0, NULL};
    uint64_t *scratch = (uint64_t *)memory_of(&env, st->scratch)->base;
    wasmaot_canon_instance *inst = &st->canon[b->component];
    const wasmaot_canon_rtype *rt = &st->rtypes[b->resource];
    uint32_t arg = (uint32_t)scratch[0], out = 0;
    wasmaot_canon_status cs;
    switch (b->op) {
    case WASMAOT_CM_RESOURCE_NEW: cs = wasmaot_canon_resource_new(inst, rt, arg, &out); break;
    case WASMAOT_CM_RESOURCE_REP: cs = wasmaot_canon_resource_rep(inst, rt, arg, &out); break;
    default: cs = wasmaot_canon_resource_drop(inst, rt, arg); break;
    }
    if (cs) status_error(cs, arg);
    scratch[0] = out;
}
