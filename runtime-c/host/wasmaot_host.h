/*
 * wasmaot_host.h -- what hosts of compiled modules share: the standalone
 * executable's main (standalone_main.c), the spec-test driver
 * (spec-tests/driver/) and host modules such as the future WASI shim.
 *
 * Everything here works only through the module descriptor of
 * backends/ABI.md (wasmaot_module_desc in wasmaot_rt.h): hosts never know an
 * instance's layout.  Hosted (POSIX) builds only: it uses malloc and stdio.
 *
 *  - canonical signature strings -> value type lists and trampoline slots;
 *  - instance allocation, export lookup;
 *  - linking one import against one export (the checks of ABI.md
 *    "Linking"), with the spec's failure messages;
 *  - instantiate / call through a trampoline under wasmaot_rt_try;
 *  - host modules: a named provider of imports (the standalone main keeps a
 *    table of them; WASI plugs in there);
 *  - parsing and printing values the way `wasmtime --invoke` does.
 */
#ifndef WASMAOT_HOST_H
#define WASMAOT_HOST_H

#include "wasmaot_rt.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ----------------------------------------------------------- value types */

/* Numbering shared with the spec command table (spec-tests/table.py). */
enum {
    WASMAOT_VT_I32 = 0,
    WASMAOT_VT_I64 = 1,
    WASMAOT_VT_F32 = 2,
    WASMAOT_VT_F64 = 3,
    WASMAOT_VT_V128 = 4,
    WASMAOT_VT_FUNCREF = 5,
    WASMAOT_VT_EXTERNREF = 6
};

const char *wasmaot_vt_name(uint8_t vt);

/* Trampoline slots a value of type vt takes (v128: 2, others: 1). */
static inline uint32_t wasmaot_vt_slots(uint8_t vt) { return vt == WASMAOT_VT_V128 ? 2u : 1u; }

/* A parsed canonical signature "(i32,i64)->(f32)". */
typedef struct wasmaot_sig {
    uint32_t n_params, n_results;
    uint8_t *params, *results;     /* malloc'd; free with wasmaot_sig_free */
    uint32_t param_slots, result_slots;
} wasmaot_sig;

/* 0 on success, -1 if `s` is not a canonical signature string. */
int wasmaot_sig_parse(const char *s, wasmaot_sig *out);
void wasmaot_sig_free(wasmaot_sig *sig);
/* Slots a trampoline call needs: max(param_slots, result_slots), at least 1. */
static inline uint32_t wasmaot_sig_call_slots(const wasmaot_sig *s) {
    uint32_t n = s->param_slots > s->result_slots ? s->param_slots : s->result_slots;
    return n ? n : 1u;
}

/* Global type string ("i32", "mut f64", "funcref") -> value type, -1 if bad. */
int wasmaot_global_vt(const char *type, int *is_mutable);

/* ------------------------------------------------------------- instances */

/* Zeroed, 16-aligned block of desc->instance_size bytes (at least 16); NULL
 * if out of memory.  For a module with a static instance
 * (desc->static_instance) that block, the first time; NULL after.  Never
 * freed by the hosts here: after a trap during instantiation other
 * instances' tables may point into it (Wasm 2.0 keeps partial writes). */
void *wasmaot_host_alloc_instance(const wasmaot_module_desc *desc);

/* The export named `name` (exact, NUL-terminated), or NULL. */
const wasmaot_export_desc *wasmaot_host_find_export(const wasmaot_module_desc *desc, const char *name);
/* The same by byte string: Wasm names may contain NUL bytes. */
const wasmaot_export_desc *wasmaot_host_find_export_n(const wasmaot_module_desc *desc,
                                                       const char *name, size_t len);

static inline void *wasmaot_host_slot(void *instance, uint32_t offset) {
    return (char *)instance + offset;
}

/* --------------------------------------------------------------- linking */

enum {
    WASMAOT_LINK_OK = 0,
    WASMAOT_LINK_UNKNOWN = 1,       /* "unknown import" */
    WASMAOT_LINK_INCOMPATIBLE = 2   /* "incompatible import type" */
};

/* The spec text for a link status ("unknown import", ...). */
const char *wasmaot_link_message(int status);

/* Check `exp` (an export of the instance `exp_inst`) against `imp` and, if
 * compatible, fill imp's slot in `inst`.  exp == NULL -> UNKNOWN.  Rules
 * (ABI.md "Linking"): same kind; functions: equal signature strings, the
 * funcref is copied; globals: equal type strings incl. mutability, the
 * pointer slot is copied; memories/tables: current size >= imported min,
 * and if the import has a max the exporter must have one <= it (tables also
 * need the same element type); the pointer is copied. */
int wasmaot_host_link_import(void *inst, const wasmaot_import_desc *imp,
                             void *exp_inst, const wasmaot_export_desc *exp);

/* ------------------------------------------------------------ host modules */

/* A provider of imports by module name, for hosts that are not Wasm
 * instances (WASI).  `resolve` is called for each import whose module name
 * equals `name`, before instantiation; it fills the slot (e.g. a funcref
 * {host_fn, type_id, host_state}: the type id comes from
 * wasmaot_rt_intern_signature(imp->type)) and returns a WASMAOT_LINK_*
 * status.  `bind`, if not NULL, is called after the imports are resolved and
 * BEFORE instantiation (so host functions called from the start function
 * work) with the instance and its descriptor: e.g. to record the instance's
 * slot of its exported "memory", which instantiation fills. */
typedef struct wasmaot_host_module {
    const char *name;
    int (*resolve)(const wasmaot_import_desc *imp, void *instance);
    void (*bind)(void *instance, const wasmaot_module_desc *desc);
} wasmaot_host_module;

/* ------------------------------------------------------- running wasm code */

/* desc->instantiate(inst) under wasmaot_rt_try.  Returns the trap code (0
 * if none); *status gets instantiate's return value (0, or -1 if a memory
 * or table could not be created), or 0 after a trap. */
wasmaot_trap_code wasmaot_host_instantiate(const wasmaot_module_desc *desc, void *inst, int *status);

/* exp->trampoline(inst, slots) under wasmaot_rt_try; returns the trap code. */
wasmaot_trap_code wasmaot_host_call(const wasmaot_export_desc *exp, void *inst, uint64_t *slots);

/* ------------------------------------------------------- values as text */

/* Parse a command-line argument of type vt into slots (1 or 2 of them):
 * i32/i64: decimal (optionally negative) or 0x hex, range-checked as either
 * signed or unsigned; f32/f64: strtod syntax (decimal, hex float, inf, nan);
 * v128: decimal or 0x hex 128-bit integer; funcref/externref: only "null".
 * Returns 0, or -1 with nothing written. */
int wasmaot_host_parse_value(const char *text, uint8_t vt, uint64_t *slots);

/* Print the value in slots the way `wasmtime run --invoke` prints results:
 * i32/i64 signed decimal; f32/f64 as Rust's Display (shortest round-trip
 * digits, never an exponent: "1", "0.1", "-0", "inf", "NaN"); v128 as the
 * unsigned 128-bit decimal; refs "<null funcref>", "<funcref>",
 * "<null externref>", "<externref>".  Writes at most n bytes incl. NUL
 * (n >= 64 is enough for all but huge f64 magnitudes, 400 for every value). */
void wasmaot_host_format_value(char *buf, size_t n, uint8_t vt, const uint64_t *slots);

#ifdef __cplusplus
}
#endif
#endif /* WASMAOT_HOST_H */
