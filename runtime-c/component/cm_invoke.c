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
    const wasmaot_export_desc *core = cm_host_part(&env, comp, f->core, f->core_len);
    const wasmaot_export_desc *mem = cm_host_part(&env, comp, f->memory, f->memory_len);
    const wasmaot_export_desc *post = cm_host_part(&env, comp, f->post_return, f->post_return_len);
    env.realloc = cm_host_part(&env, comp, f->realloc, f->realloc_len);
    wasmaot_cm_cx cx = {comp, f, NULL, &env, env.realloc ? cm_host_realloc : NULL, env_put, env_put_float, {0, 0}, NULL, NULL, NULL, NULL};
    if (mem) cx.memory = *(wasmaot_memory **)((char *)inst + mem->offset);

    uint64_t slots[WASMAOT_CM_MAX_FLAT_PARAMS + 1] = {0};
    uint32_t n = 0;
    int err = wasmaot_cm_lower_args(&cx, args, slots, &n);
    if (err) return lift_error(&cx, err);
    cm_host_call(&env, core, slots);
    uint64_t results[1] = {slots[0]};
    err = wasmaot_cm_lift_result(&cx, results);
    if (err) return lift_error(&cx, err);
    if (post) {
        uint64_t post_slots[1] = {results[0]};
        cm_host_call(&env, post, post_slots);
    }
    fwrite(env.buf, 1, env.len, stdout);
    fputc('\n', stdout);
    free(env.buf);
    return 0;
}

/* ---------------------------------------------------------- shared helpers */

void cm_host_out_of_memory(void) {
    fputs("wasmaot: out of memory\n", stderr);
    exit(1);
}


/* A guest trap is the program's end (as in a core module's call). */
void cm_host_call(call_env *env, const wasmaot_export_desc *exp, uint64_t *slots) {
    if (env->arena) {                       /* in an adapter: see above */
        exp->trampoline(env->inst, slots);
        return;
    }
    wasmaot_trap_code code = env->host->call(exp, env->inst, slots);
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
