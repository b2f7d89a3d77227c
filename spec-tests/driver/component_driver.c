/*
 * main() of a component spec-test executable: one compiled component
 * (prefix `wasm`, its export table `wasmaot_component`), linked as the
 * standalone executable is, but running every call on its command line in
 * one process, so the instance keeps its state between the script's
 * commands (spec-tests/component_exec.py).
 *
 * Protocol (stdout; stderr is the same stream, so the runtime's and the
 * canonical-ABI layer's one-line errors land between the markers):
 *     @@call K          before argv[K] (a WAVE call, as `--invoke` takes it)
 *     ...               its output: the WAVE result, or `wasm trap: MSG`, or
 *                       `wasmaot: error: MSG` (a lifting error)
 *     @@done K STATUS   0, or 134 for a trap, or wasmaot_cm_invoke's status
 * A trap, in the guest or in an adapter (wasmaot_trap_component), returns
 * here through the host's `call` (below); an error of the call (a bad
 * handle, an invalid string: exit 1, cm_adapt.c) exits the process: the
 * driver then restarts from the next call with a fresh instance.
 * Instantiation failing prints `@@instantiate STATUS` and exits.
 */
#define _POSIX_C_SOURCE 200809L  /* sigsetjmp */
#include "wasmaot_cm.h"
#include "wasmaot_host.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const wasmaot_module_desc wasm_module;
extern const wasmaot_cm_component wasmaot_component;

static sigjmp_buf call_trapped;
static int in_call;

/* The host's call: a trap ends the script command, not the process. */
static wasmaot_trap_code call_or_unwind(const wasmaot_export_desc *exp, void *inst, uint64_t *slots) {
    wasmaot_trap_code code = wasmaot_host_call(exp, inst, slots);
    if (code && in_call) {
        printf("wasm trap: %s\n", wasmaot_trap_message(code));
        siglongjmp(call_trapped, 1);
    }
    return code;
}

static const wasmaot_cm_host cm_host = {wasmaot_host_find_export_n, call_or_unwind,
                                        wasmaot_host_format_value};
static wasmaot_cm_state cm_state;

/* The adapter module's host functions (standalone_main.c's, without a
 * host table: a script's components with root imports do not compile, so
 * `host` is bound but never called). */
static const void *host_func(const char *name) {
    if (strcmp(name, WASMAOT_CM_ADAPT_NAME) == 0) return (const void *)wasmaot_cm_adapt;
    if (strcmp(name, WASMAOT_CM_BUILTIN_NAME) == 0) return (const void *)wasmaot_cm_builtin_call;
    if (strcmp(name, WASMAOT_CM_HOST_NAME) == 0) return (const void *)wasmaot_cm_host_import;
    return NULL;
}

static int resolve(const wasmaot_import_desc *imp, void *inst) {
    const void *fn = strcmp(imp->module, WASMAOT_CM_ADAPT_MODULE) == 0 ? host_func(imp->name) : NULL;
    if (!fn) return WASMAOT_LINK_UNKNOWN;
    if (strcmp(imp->type, "(i32)->()") != 0) return WASMAOT_LINK_INCOMPATIBLE;
    wasmaot_funcref *slot = wasmaot_host_slot(inst, imp->offset);
    slot->func = fn;
    slot->type_id = wasmaot_rt_intern_signature(imp->type);
    slot->instance = &cm_state;
    return WASMAOT_LINK_OK;
}

static void *instantiate(void) {
    const wasmaot_module_desc *desc = &wasm_module;
    void *inst = wasmaot_host_alloc_instance(desc);
    if (!inst) return NULL;
    cm_state = (wasmaot_cm_state){.comp = &wasmaot_component, .desc = desc, .inst = inst, .host = &cm_host};
    wasmaot_cm_state_init(&cm_state);
    wasmaot_cm_hosts_init(&cm_state);
    for (uint32_t i = 0; i < desc->n_imports; i++) {
        int st = resolve(&desc->imports[i], inst);
        if (st != WASMAOT_LINK_OK) {
            printf("@@instantiate 1 %s \"%s\" \"%s\"\n",
                   st == WASMAOT_LINK_UNKNOWN ? "unknown import" : "incompatible import type",
                   desc->imports[i].module, desc->imports[i].name);
            return NULL;
        }
    }
    int status = 0;
    wasmaot_trap_code code = wasmaot_host_instantiate(desc, inst, &status);
    if (code) {
        printf("@@instantiate 134 wasm trap: %s\n", wasmaot_trap_message(code));
        return NULL;
    }
    if (status) {
        printf("@@instantiate 1 cannot create a memory or table\n");
        return NULL;
    }
    return inst;
}

int main(int argc, char **argv) {
    dup2(STDOUT_FILENO, STDERR_FILENO);
    setvbuf(stdout, NULL, _IONBF, 0);
    if (wasmaot_rt_init(1, argv) != 0) return 1;
    if (wasm_module.abi_version != WASMAOT_RT_ABI_VERSION ||
        wasmaot_component.version != WASMAOT_CM_VERSION) {
        printf("@@instantiate 1 version mismatch\n");
        return 1;
    }
    void *inst = instantiate();
    if (!inst) return 1;
    printf("@@instantiate 0\n");
    for (int k = 1; k < argc; k++) {
        printf("@@call %d\n", k);
        int status = 134;
        in_call = 1;
        if (!sigsetjmp(call_trapped, 1))
            status = wasmaot_cm_invoke(&wasmaot_component, &wasm_module, inst, &cm_host, argv[k]);
        in_call = 0;
        printf("@@done %d %d\n", k, status);
    }
    return 0;
}
