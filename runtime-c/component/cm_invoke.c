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
#include "cm_host.h"
#include "cm_wave.h"
#include "wasmaot_canon.h"
#include "wasmaot_cm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void env_put(void *e, const char *s, uint32_t n) {
    call_env *env = e;
    if (env->len + n + 1 > env->cap) {
        env->cap = (env->len + n + 1) * 2;
        env->buf = realloc(env->buf, env->cap);
        if (!env->buf) cm_host_out_of_memory();
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

static int lift_error(const wasmaot_cm_cx *cx, int err) {
    char msg[200];
    if (err == WASMAOT_CM_ERR_CANON && (cx->detail[0] < WASMAOT_CANON_E_BASE || cx->detail[0] == WASMAOT_CANON_E_MAY_NOT_LEAVE))
        cm_status_error(cx->detail[0], cx->detail[1]);
    cm_error_text(cx, err, msg, sizeof msg);
    fflush(stdout);
    fprintf(stderr, "wasmaot: error: %s\n", msg);
    return 1;
}

/* The call's instance flags and handle table: Store.lift's enter_from for
 * the host (the function's component instance and its ancestors), and
 * the handles of its values in that instance's table.  Without a state (a
 * component without adapters or resources) nothing can reenter. */
typedef struct invoke_scope {
    const wasmaot_cm_state *st;
    uint32_t component;
    wasmaot_canon_call call;
    uint32_t lenders[16];
} invoke_scope;

static void scope_enter(invoke_scope *sc, wasmaot_cm_cx *cx) {
    if (!sc->st || sc->component == WASMAOT_CM_NONE) return;
    wasmaot_canon_status cs = cm_enter(sc->st, sc->component, WASMAOT_CM_NONE);
    if (cs) cm_status_error(cs, 0);
    wasmaot_canon_call_init(&sc->call, sc->lenders, sizeof sc->lenders / sizeof sc->lenders[0]);
    cx->canon = &sc->st->canon[sc->component];
    cx->rtypes = sc->st->rtypes;
    cx->call = &sc->call;
}

/* may_leave of the function's instance (cleared while its realloc and
 * post-return run: they may not call out). */
static void scope_may_leave(invoke_scope *sc, uint32_t flag) {
    if (sc->st && sc->component != WASMAOT_CM_NONE) sc->st->canon[sc->component].may_leave = flag;
}

static void scope_leave(invoke_scope *sc) {
    if (!sc->st || sc->component == WASMAOT_CM_NONE) return;
    wasmaot_canon_status cs = wasmaot_canon_call_finish(&sc->call, &sc->st->canon[sc->component]);
    if (cs) cm_status_error(cs, 0);
    cm_leave(sc->st, sc->component, WASMAOT_CM_NONE);
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
    const wasmaot_export_desc *core = cm_host_part(&env, comp, f->core, f->core_len);
    const wasmaot_export_desc *mem = cm_host_part(&env, comp, f->memory, f->memory_len);
    const wasmaot_export_desc *post = cm_host_part(&env, comp, f->post_return, f->post_return_len);
    env.realloc = cm_host_part(&env, comp, f->realloc, f->realloc_len);
    wasmaot_cm_cx cx = {comp, f, NULL, &env, env.realloc ? cm_host_realloc : NULL, env_put, env_put_float, {0, 0}, NULL, NULL, NULL, NULL};
    if (mem) cx.memory = *(wasmaot_memory **)((char *)inst + mem->offset);
    invoke_scope sc = {cm_state_for(inst, comp), f->component, {0}, {0}};
    scope_enter(&sc, &cx);

    uint64_t slots[WASMAOT_CM_MAX_FLAT_PARAMS + 1] = {0};
    uint32_t n = 0;
    scope_may_leave(&sc, 0);
    int err = wasmaot_cm_lower_args(&cx, args, slots, &n);
    scope_may_leave(&sc, 1);
    if (err) return lift_error(&cx, err);
    cm_host_call(&env, core, slots);
    uint64_t results[1] = {slots[0]};
    err = wasmaot_cm_lift_result(&cx, results);
    if (err) return lift_error(&cx, err);
    if (post) {
        uint64_t post_slots[1] = {results[0]};
        scope_may_leave(&sc, 0);
        cm_host_call(&env, post, post_slots);
        scope_may_leave(&sc, 1);
    }
    scope_leave(&sc);
    fwrite(env.buf, 1, env.len, stdout);
    fputc('\n', stdout);
    free(env.buf);
    return 0;
}

void cm_error_text(const wasmaot_cm_cx *cx, int err, char *buf, size_t size) {
    wasmaot_canon_status st = cx->detail[0];
    if (err == WASMAOT_CM_ERR_CANON && st == WASMAOT_CANON_E_UNKNOWN_HANDLE)
        snprintf(buf, size, "unknown handle index %u", cx->detail[1]);
    else if (err == WASMAOT_CM_ERR_CANON && st >= WASMAOT_CANON_E_BASE)
        snprintf(buf, size, "%s", wasmaot_canon_message(st));
    else
        snprintf(buf, size, wasmaot_cm_error_message(err), cx->detail[0], cx->detail[1]);
}

/* ---------------------------------------------------------- shared helpers */

void cm_host_out_of_memory(void) {
    fputs("wasmaot: out of memory\n", stderr);
    exit(1);
}


/* A guest trap is the program's end (as in a core module's call).  Every
 * call into a component's core code comes through here, so it marks the
 * component boundary for exceptions: one left pending when the core
 * function returns is "uncaught exception propagated out of component"
 * (wasmaot_exn_uncaught reads the depth), not a core module's "uncaught
 * exception".  The depth is restored after the host's trap-catching call,
 * so a trap that skipped inner restores leaves it right. */
void cm_host_call(call_env *env, const wasmaot_export_desc *exp, uint64_t *slots) {
    uint32_t depth = wasmaot_exn_component_depth++;
    if (env->arena) {                       /* in an adapter: see above */
        exp->trampoline(env->inst, slots);
        wasmaot_exn_component_depth = depth;
        return;
    }
    wasmaot_trap_code code = env->host->call(exp, env->inst, slots);
    wasmaot_exn_component_depth = depth;
    if (code) wasmaot_rt_report_trap_and_exit(code);
}

uint32_t cm_host_realloc(void *e, uint32_t old_ptr, uint32_t old_size, uint32_t align, uint32_t size) {
    call_env *env = e;
    uint64_t slots[4] = {old_ptr, old_size, align, size};
    cm_host_call(env, env->realloc, slots);
    return (uint32_t)slots[0];
}


const wasmaot_export_desc *cm_host_part(call_env *env, const wasmaot_cm_component *comp,
                                       uint32_t off, uint32_t len) {
    if (!len) return NULL;
    const wasmaot_export_desc *exp = env->host->find_export(env->desc, comp->strings + off, len);
    if (!exp) {
        fprintf(stderr, "wasmaot: error: the component table names a missing core export\n");
        exit(1);
    }
    return exp;
}


wasmaot_memory *cm_host_memory(call_env *env, const wasmaot_export_desc *exp) {
    return exp ? *(wasmaot_memory **)((char *)env->inst + exp->offset) : NULL;
}
