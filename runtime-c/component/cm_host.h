/*
 * cm_host.h -- what the hosted component files share (cm_invoke.c: the
 * --invoke path; cm_adapt.c: adapters, handle tables, built-ins).
 * Internal to runtime-c/component.
 */
#ifndef WASMAOT_CM_HOST_H
#define WASMAOT_CM_HOST_H

#include "wasmaot_canon.h"
#include "wasmaot_cm.h"

#include <stddef.h>
#include <stdint.h>

/* One side of a call: the host services, the core descriptor and program
 * instance, the side's realloc export, the --invoke output buffer. */
typedef struct call_env {
    const wasmaot_cm_host *host;
    const wasmaot_module_desc *desc;
    void *inst;
    const wasmaot_export_desc *realloc;
    char *buf;
    size_t len, cap;
    void **arena;          /* adapters: the call's value blocks (a list), freed when it returns */
} call_env;

/* Prints "out of memory" and exits 1. */
void cm_host_out_of_memory(void);
/* Call a core export's trampoline; a guest trap is reported (exit 134).
 * In an adapter (env->arena set) the call runs inside the guest call that
 * reached it, under that call's wasmaot_rt_try: a trap unwinds to it and is
 * reported there, so the trampoline is called directly. */
void cm_host_call(call_env *env, const wasmaot_export_desc *exp, uint64_t *slots);
/* The guest's realloc through env->realloc (wasmaot_cm_cx.realloc). */
uint32_t cm_host_realloc(void *e, uint32_t old_ptr, uint32_t old_size, uint32_t align, uint32_t size);
/* The core export the table names at (off, len); NULL for len 0. */
const wasmaot_export_desc *cm_host_part(call_env *env, const wasmaot_cm_component *comp, uint32_t off,
                                        uint32_t len);
/* The memory a memory export's slot points at (NULL for NULL). */
wasmaot_memory *cm_host_memory(call_env *env, const wasmaot_export_desc *exp);

/* `cx`'s error `err` as one line (wasmaot_cm_error_message with its
 * numbers; a handle error: its canonical-ABI reason). */
void cm_error_text(const wasmaot_cm_cx *cx, int err, char *buf, size_t size);
/* Raise a trap with message MSG (wasmaot_trap_component): reported as
 * "wasm trap: MSG" where the guest call's trap is reported. */
WASMAOT_NORETURN void cm_trap_message(const char *msg);
/* A canonical-ABI status reported in its class (cm_adapt.c): a guest trap
 * code or an instance flag's check as a trap, a handle error as an error
 * of the call (exit 1, "unknown handle index N").  Never returns. */
WASMAOT_NORETURN void cm_status_error(wasmaot_canon_status st, uint32_t index);
/* CanonicalABI.md enter_from / leave_to for the entering set of a call of
 * component instance `callee` from `caller` (WASMAOT_CM_NONE: the host). */
wasmaot_canon_status cm_enter(const wasmaot_cm_state *st, uint32_t callee, uint32_t caller);
void cm_leave(const wasmaot_cm_state *st, uint32_t callee, uint32_t caller);
/* The state wasmaot_cm_state_init set up for core instance `inst` of
 * `comp`, or NULL (a component without adapters has none). */
const wasmaot_cm_state *cm_state_for(const void *inst, const wasmaot_cm_component *comp);

#endif
