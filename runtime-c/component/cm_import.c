/*
 * cm_import.c -- root imports of a compiled component bound to host
 * functions (hosted), and running its `wasi:cli/run` export.
 *
 * A `canon lower` of an imported function is an adapter-module function
 * (backends/component/plan.py) that stores its core arguments in the
 * scratch slots and calls "wasmaot:component" "host" (i32 index).  Here the
 * arguments are lifted with the lowering's options (the caller's memory,
 * handles from the caller's table: a borrow of a host resource is its rep,
 * nothing lent since the host keeps no borrow), the host function of the
 * import is called, and its result is lowered back (own handles of host
 * resources become new handles in the caller's table).  Values live in a
 * per-call block list freed when the call returns, as for adapters.
 * backends/ABI.md "Component imports / WASI 0.2" describes both sides.
 *
 * A component that exports wasi:http/incoming-handler instead of
 * wasi:cli/run runs as an HTTP server: wasmaot_cm_run hands it to the WASI
 * shim's server (wasi-shim/http/http_server.c, a weak reference: linked
 * with the shim), which calls the handler through wasmaot_cm_call_handler.
 */
#include "cm_host.h"
#include "wasmaot_canon.h"
#include "wasmaot_cm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *import_alloc(void *e, uint32_t size) {
    call_env *env = e;
    void **block = malloc(16 + (size_t)size);
    if (!block) cm_host_out_of_memory();
    *block = *env->arena;
    *env->arena = block;
    return (char *)block + 16;
}

static void blocks_free(void *head) {
    while (head) {
        void *next = *(void **)head;
        free(head);
        head = next;
    }
}

/* A failure of the canonical ABI on the guest's side of a host call: as
 * in wasmtime, whose host calls lift and lower in host code, an error of
 * the call (exit 1); a bad handle says which. */
static void import_error(const wasmaot_cm_cx *cx, int err) {
    char msg[200];
    if (err == WASMAOT_CM_ERR_CANON && cx->detail[0] == WASMAOT_CANON_E_UNKNOWN_HANDLE)
        snprintf(msg, sizeof msg, "unknown handle index %u", cx->detail[1]);
    else if (err == WASMAOT_CM_ERR_CANON && cx->detail[0] < WASMAOT_CANON_E_BASE)
        wasmaot_rt_report_trap_and_exit(cx->detail[0]);
    else if (err == WASMAOT_CM_ERR_CANON)
        snprintf(msg, sizeof msg, "%s", wasmaot_canon_message(cx->detail[0]));
    else
        snprintf(msg, sizeof msg, wasmaot_cm_error_message(err), cx->detail[0], cx->detail[1]);
    fflush(stdout);
    fprintf(stderr, "wasmaot: error: %s\n", msg);
    exit(1);
}

typedef struct resolved_import {
    const wasmaot_export_desc *memory, *realloc;
} resolved_import;

void wasmaot_cm_hosts_init(wasmaot_cm_state *st) {
    const wasmaot_cm_component *comp = st->comp;
    if (st->hostfns)
        for (uint32_t i = 0; i < comp->n_resources; i++)
            if (comp->resources[i].defined_by == WASMAOT_CM_NONE) st->rtypes[i].dtor = st->hostfns->drop;
    resolved_import *r = calloc(comp->n_imports ? comp->n_imports : 1, sizeof *r);
    if (!r) cm_host_out_of_memory();
    call_env env = {st->host, st->desc, st->inst, NULL, NULL, 0, 0, NULL};
    for (uint32_t i = 0; i < comp->n_imports; i++) {
        const wasmaot_cm_func *f = &comp->imports[i].func;
        r[i] = (resolved_import){cm_host_part(&env, comp, f->memory, f->memory_len),
                                 cm_host_part(&env, comp, f->realloc, f->realloc_len)};
    }
    st->resolved_imports = r;
    if (comp->n_imports && !st->scratch) st->scratch = cm_host_part(&env, comp, comp->scratch, comp->scratch_len);
}

static int is_bytes(const wasmaot_cm_component *comp, const wasmaot_cm_type *t) {
    return t->kind == WASMAOT_CM_LIST && comp->types[comp->pool[t->children]].kind == WASMAOT_CM_U8;
}

/* A lifted list<u8> (a spilled argument) as a view of a copy of its bytes. */
static void bytes_from_items(wasmaot_cm_cx *cx, wasmaot_cm_value *v) {
    uint8_t *b = import_alloc(cx->env, v->n ? v->n : 1);
    for (uint32_t i = 0; i < v->n; i++) b[i] = (uint8_t)v->u.items[i].u.bits;
    v->u.str = (const char *)b;
}

/* One flat list<u8> argument (pointer, length) as a view of guest memory. */
static int bytes_view(wasmaot_cm_cx *cx, uint32_t type, const uint64_t *slots, wasmaot_cm_value *v) {
    uint32_t ptr = (uint32_t)slots[0], n = (uint32_t)slots[1];
    if (!cx->memory || (uint64_t)ptr + n > cx->memory->size_bytes) return WASMAOT_CM_ERR_LIST_BOUNDS;
    *v = (wasmaot_cm_value){type, n, {0}};
    v->u.str = (const char *)cx->memory->base + ptr;
    return WASMAOT_CM_OK;
}

/* The core parameters: flat in the slots, one value at a time (byte lists
 * as views), or a tuple at slots[0]. */
static wasmaot_cm_value *import_args(wasmaot_cm_cx *cx, const uint64_t *scratch, uint32_t *retptr) {
    const wasmaot_cm_func *f = cx->func;
    const wasmaot_cm_component *comp = cx->comp;
    const uint32_t *types = &comp->pool[f->params];
    uint32_t flat = 0;
    for (uint32_t i = 0; i < f->n_params; i++) flat += comp->types[types[i]].flat_count;
    int spilled = flat > WASMAOT_CM_MAX_FLAT_PARAMS, err = WASMAOT_CM_OK;
    wasmaot_cm_value *args = import_alloc(cx->env, (f->n_params ? f->n_params : 1) * (uint32_t)sizeof *args);
    if (spilled) {
        err = wasmaot_cm_lift_values(cx, types, f->n_params, scratch, (uint32_t)scratch[0], args);
        for (uint32_t i = 0; !err && i < f->n_params; i++)
            if (is_bytes(comp, &comp->types[types[i]])) bytes_from_items(cx, &args[i]);
    }
    for (uint32_t i = 0, k = 0; !spilled && !err && i < f->n_params; i++) {
        const wasmaot_cm_type *t = &comp->types[types[i]];
        err = is_bytes(comp, t) ? bytes_view(cx, types[i], scratch + k, &args[i])
                                : wasmaot_cm_lift_values(cx, &types[i], 1, scratch + k, WASMAOT_CM_NONE, &args[i]);
        k += t->flat_count;
    }
    if (err) import_error(cx, err);
    *retptr = (uint32_t)scratch[spilled ? 1 : flat];
    return args;
}

int wasmaot_cm_host_bytes(wasmaot_cm_cx *cx, wasmaot_cm_value *v, const uint8_t *buf, uint32_t n) {
    const wasmaot_cm_component *comp = cx->comp;
    wasmaot_cm_value *items = cx->alloc(cx->env, ((comp->pair_type == WASMAOT_CM_NONE ? n : 2) + 1) * (uint32_t)sizeof(wasmaot_cm_value));
    if (comp->pair_type == WASMAOT_CM_NONE) {
        uint32_t elem = comp->pool[comp->types[v->type].children];
        for (uint32_t i = 0; i < n; i++) items[i] = (wasmaot_cm_value){elem, 0, {buf[i]}};
        v->n = n;
        v->u.items = items;
        return WASMAOT_CM_OK;
    }
    if (!cx->realloc || !cx->memory) return WASMAOT_CM_ERR_UNSUPPORTED;
    uint32_t ptr = cx->realloc(cx->env, 0, 0, 1, n);
    if ((uint64_t)ptr + n > cx->memory->size_bytes) return WASMAOT_CM_ERR_REALLOC;
    memcpy(cx->memory->base + ptr, buf, n);
    uint32_t u32 = comp->pool[comp->types[comp->pair_type].children];
    items[0] = (wasmaot_cm_value){u32, 0, {ptr}};
    items[1] = (wasmaot_cm_value){u32, 0, {n}};
    *v = (wasmaot_cm_value){comp->pair_type, 2, {0}};
    v->u.items = items;
    return WASMAOT_CM_OK;
}

void wasmaot_cm_host_import(void *state, uint32_t index) {
    const wasmaot_cm_state *st = state;
    const wasmaot_cm_component *comp = st->comp;
    const wasmaot_cm_import *imp = &comp->imports[index];
    const resolved_import *r = &((const resolved_import *)st->resolved_imports)[index];
    /* canon_lower: trap_if(not may_leave) (the caller's realloc or post-return is running) */
    if (!st->canon[imp->func.component].may_leave) cm_status_error(WASMAOT_CANON_E_MAY_NOT_LEAVE, 0);
    void *arena = NULL;
    call_env env = {st->host, st->desc, st->inst, r->realloc, NULL, 0, 0, &arena};
    wasmaot_cm_cx cx = {comp, &imp->func, cm_host_memory(&env, r->memory), &env,
                        r->realloc ? cm_host_realloc : NULL, NULL, NULL, {0, 0}, import_alloc,
                        &st->canon[imp->func.component], st->rtypes, NULL};
    uint64_t *scratch = (uint64_t *)cm_host_memory(&env, st->scratch)->base;
    uint32_t retptr = 0;
    wasmaot_cm_value *args = import_args(&cx, scratch, &retptr);
    wasmaot_cm_value result = {imp->func.result, 0, {0}};
    int err = st->hostfns->fns[imp->host](&cx, args, &result);
    /* The memory may have grown during the call (realloc): read it again. */
    cx.memory = cm_host_memory(&env, r->memory);
    if (!err && imp->func.result != WASMAOT_CM_NONE) err = wasmaot_cm_lower_result(&cx, &result, scratch, retptr);
    if (err) import_error(&cx, err);
    blocks_free(arena);
}

/* ------------------------------------------------------------- wasi:cli/run */

static int is_run(const wasmaot_cm_component *comp, const wasmaot_cm_func *f) {
    const char *name = comp->strings + f->name;
    static const char prefix[] = "wasi:cli/run@", suffix[] = ".run";
    size_t n = f->name_len, np = sizeof prefix - 1, ns = sizeof suffix - 1;
    return n > np + ns && memcmp(name, prefix, np) == 0 && memcmp(name + n - ns, suffix, ns) == 0;
}

/* wasi:http/incoming-handler@0.2.x's handle(incoming-request, response-outparam). */
static int is_http_handler(const wasmaot_cm_component *comp, const wasmaot_cm_func *f) {
    const char *name = comp->strings + f->name;
    static const char prefix[] = "wasi:http/incoming-handler@0.2.", suffix[] = ".handle";
    size_t n = f->name_len, np = sizeof prefix - 1, ns = sizeof suffix - 1;
    return n > np + ns && memcmp(name, prefix, np) == 0 && memcmp(name + n - ns, suffix, ns) == 0 &&
           f->n_params == 2;
}

/* wasi-shim/http/http_server.h (weak: defined when the shim is linked). */
extern int wasmaot_http_serve(const wasmaot_cm_state *st, const wasmaot_cm_func *handle) __attribute__((weak));

void wasmaot_cm_call_handler(const wasmaot_cm_state *st, const wasmaot_cm_func *f, uint32_t request_rep,
                             uint32_t outparam_rep);

/* Call handle(request, response-out) with two new own handles of the host
 * resources `request_rep` and `outparam_rep` in the exporting instance's
 * table; a trap is reported (exit 134), as for wasi:cli/run. */
void wasmaot_cm_call_handler(const wasmaot_cm_state *st, const wasmaot_cm_func *f, uint32_t request_rep,
                             uint32_t outparam_rep) {
    const wasmaot_cm_component *comp = st->comp;
    call_env env = {st->host, st->desc, st->inst, NULL, NULL, 0, 0, NULL};
    wasmaot_cm_cx cx = {comp, f, NULL, &env, NULL, NULL, NULL, {0, 0}, NULL,
                        &st->canon[f->component], st->rtypes, NULL};
    const uint32_t *types = &comp->pool[f->params];
    wasmaot_cm_value args[2] = {{types[0], 0, {request_rep}}, {types[1], 0, {outparam_rep}}};
    uint64_t slots[WASMAOT_CM_MAX_FLAT_PARAMS];
    uint32_t n = 0;
    int err = wasmaot_cm_lower_args(&cx, args, slots, &n);
    if (err) import_error(&cx, err);
    cm_host_call(&env, cm_host_part(&env, comp, f->core, f->core_len), slots);
    const wasmaot_export_desc *post = cm_host_part(&env, comp, f->post_return, f->post_return_len);
    if (post) cm_host_call(&env, post, slots);
}

int wasmaot_cm_run(const wasmaot_cm_state *st) {
    const wasmaot_cm_component *comp = st->comp;
    const wasmaot_cm_func *f = NULL;
    for (uint32_t i = 0; i < comp->n_funcs && !f; i++)
        if (is_run(comp, &comp->funcs[i])) f = &comp->funcs[i];
    for (uint32_t i = 0; i < comp->n_funcs && !f && wasmaot_http_serve; i++)
        if (is_http_handler(comp, &comp->funcs[i])) return wasmaot_http_serve(st, &comp->funcs[i]);
    if (!f) {
        fprintf(stderr, "wasmaot: error: the component exports no wasi:cli/run\n");
        return 1;
    }
    call_env env = {st->host, st->desc, st->inst, NULL, NULL, 0, 0, NULL};
    const wasmaot_export_desc *core = cm_host_part(&env, comp, f->core, f->core_len);
    const wasmaot_export_desc *post = cm_host_part(&env, comp, f->post_return, f->post_return_len);
    uint64_t slots[2] = {0, 0};
    cm_host_call(&env, core, slots);
    /* run: func() -> result: one flat i32, the discriminant (0 ok, 1 err). */
    uint32_t disc = (uint32_t)slots[0];
    if (post) {
        uint64_t post_slots[1] = {slots[0]};
        cm_host_call(&env, post, post_slots);
    }
    return disc == 0 ? 0 : 1;
}
