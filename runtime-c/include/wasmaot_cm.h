/*
 * wasmaot_cm.h -- the component-export table: what a compiled *component*
 * publishes beside its core descriptor (backends/ABI.md "Component
 * exports"), and the canonical-ABI entry points of runtime-c/component/.
 *
 * The compiler (backends/component/) flattens the component, compiles its
 * core instances as one link plan, and emits one `wasmaot_component`
 * object.  Its functions are the root's exported *lifted* functions; every
 * type they mention is a node of one type graph, precomputed from
 * CanonicalABI.md's rules (frontend/component/canonabi.py): size,
 * alignment, flat core types.  The run time never computes a layout.
 *
 * Everything is integers, so the table is position independent and the
 * Python side (backends/component/cm_abi.py mirrors the numbers below;
 * tests/component/test_compile_descriptors.py checks it against this
 * header) emits it as plain arrays:
 *   - `pool`: uint32 words; a node or function names a run of it;
 *   - `strings`: bytes; a label is (offset, length) into it, two pool words.
 *
 * Core functions and memories are reached through the *core* descriptor
 * (`wasm_module`): the compiler adds a last core instance that re-exports
 * every lifted function, memory, realloc and post-return under the names
 * stored here, so the standalone host calls them through ordinary
 * trampolines (backends/component/plan.py).
 */
#ifndef WASMAOT_CM_H
#define WASMAOT_CM_H

#include "wasmaot_rt.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WASMAOT_CM_VERSION 5u

/* Type kinds (wasmaot_cm_type.kind). */
enum {
    WASMAOT_CM_BOOL = 0,
    WASMAOT_CM_S8 = 1,
    WASMAOT_CM_U8 = 2,
    WASMAOT_CM_S16 = 3,
    WASMAOT_CM_U16 = 4,
    WASMAOT_CM_S32 = 5,
    WASMAOT_CM_U32 = 6,
    WASMAOT_CM_S64 = 7,
    WASMAOT_CM_U64 = 8,
    WASMAOT_CM_F32 = 9,
    WASMAOT_CM_F64 = 10,
    WASMAOT_CM_CHAR = 11,
    WASMAOT_CM_STRING = 12,
    WASMAOT_CM_LIST = 13,
    WASMAOT_CM_RECORD = 14,
    WASMAOT_CM_TUPLE = 15,
    WASMAOT_CM_VARIANT = 16,
    WASMAOT_CM_ENUM = 17,
    WASMAOT_CM_OPTION = 18,
    WASMAOT_CM_RESULT = 19,
    WASMAOT_CM_FLAGS = 20,
    WASMAOT_CM_OWN = 21,
    WASMAOT_CM_BORROW = 22,
    WASMAOT_CM_KIND_COUNT = 23
};

/* Flat core types (pool words of a node's `flat` run). */
enum {
    WASMAOT_CM_FLAT_I32 = 0,
    WASMAOT_CM_FLAT_I64 = 1,
    WASMAOT_CM_FLAT_F32 = 2,
    WASMAOT_CM_FLAT_F64 = 3
};

/* String encodings (wasmaot_cm_func.encoding). */
enum {
    WASMAOT_CM_UTF8 = 0,
    WASMAOT_CM_UTF16 = 1,
    WASMAOT_CM_LATIN1_UTF16 = 2
};

/* "No such thing": an absent payload type, an absent option. */
#define WASMAOT_CM_NONE 0xFFFFFFFFu

/* Canonical ABI limits (CanonicalABI.md "Flattening"). */
#define WASMAOT_CM_MAX_FLAT_PARAMS 16u
#define WASMAOT_CM_MAX_FLAT_RESULTS 1u

/* One node of the type graph.  `n` and `children` by kind:
 *   list                  n = 1, children -> [elem]
 *   option                n = 2, children -> [none payload = NONE, some payload]
 *   result                n = 2, children -> [ok or NONE, err or NONE]
 *   record, tuple         n fields, children -> their types
 *   variant               n cases, children -> payload types (NONE: none)
 *   enum, flags           n labels, children unused
 *   primitives, handles   n = 0
 * `labels` -> 2n words (offset, length) in `strings` for record fields,
 * variant/enum/option/result cases and flags (NONE for tuples, lists).
 * Variant-likes (variant, enum, option, result): `disc_size` bytes of
 * discriminant, payload at `payload_offset`.  Records and tuples: the
 * field offsets are the run at `offsets` (n words).  Handles: `resource`
 * (a resource type of this instantiation).  `flat` -> flat_count
 * WASMAOT_CM_FLAT_* words (CanonicalABI.md flatten_type, variants joined). */
typedef struct wasmaot_cm_type {
    uint32_t kind;
    uint32_t size;
    uint32_t align;
    uint32_t flat_count;
    uint32_t flat;
    uint32_t n;
    uint32_t children;
    uint32_t labels;
    uint32_t offsets;
    uint32_t disc_size;
    uint32_t payload_offset;
    uint32_t resource;       /* own, borrow: index into the resources; else NONE */
} wasmaot_cm_type;

/* One exported lifted function.  `name` is what `--invoke` calls it
 * (wasmtime's spelling: `add`, `demo:rich/api.sum`).  `params` -> n_params
 * type indices then n_params (offset, length) name pairs.  `result` is a
 * type index or NONE.  `core`, `memory`, `realloc`, `post_return` are
 * (offset, length) names of exports of the core descriptor, length 0 when
 * absent.  `component`: the component instance the function runs in (an
 * import's: the lowering's), whose handle table and instance flags a call
 * uses (CanonicalABI.md may_enter / may_leave). */
typedef struct wasmaot_cm_func {
    uint32_t name, name_len;
    uint32_t n_params;
    uint32_t params;
    uint32_t result;
    uint32_t encoding;
    uint32_t core, core_len;
    uint32_t memory, memory_len;
    uint32_t realloc, realloc_len;
    uint32_t post_return, post_return_len;
    uint32_t component;
} wasmaot_cm_func;

/* An adapter: a core import of one component instance bound (`canon
 * lower`) to a function another one lifts.  The generated adapter module
 * (backends/component/plan.py) stores the caller's core arguments as 8-byte
 * slots at offset 0 of its `scratch` memory and calls the host function
 * "wasmaot:component" "adapt" (i32 adapter index); the host lifts them with
 * the caller's options, lowers them into the callee, calls it, and back
 * (results, or the caller's out-pointer, in the same slots).  `callee` is
 * the lifted side (name unused); `caller_*` the lowering's options; both
 * sides share the callee's parameter and result types. */
typedef struct wasmaot_cm_adapter {
    wasmaot_cm_func callee;
    uint32_t caller_memory, caller_memory_len;
    uint32_t caller_realloc, caller_realloc_len;
    uint32_t caller_encoding;
    uint32_t caller_component;   /* component instances: their handle tables */
    uint32_t callee_component;
    uint32_t reserved;
} wasmaot_cm_adapter;

/* A resource type of this instantiation: the component instance that
 * defines it (its handle table owns the rep) and its destructor, a core
 * export name (length 0: none). */
typedef struct wasmaot_cm_resource {
    uint32_t defined_by;
    uint32_t dtor, dtor_len;
    uint32_t reserved;
} wasmaot_cm_resource;

/* `canon resource.new/rep/drop` bound to a core import: an adapter-module
 * function that calls the host's "wasmaot:component" "builtin" (i32 index)
 * with its argument in scratch slot 0 (and its result back there). */
enum { WASMAOT_CM_RESOURCE_NEW = 0, WASMAOT_CM_RESOURCE_REP = 1, WASMAOT_CM_RESOURCE_DROP = 2 };
typedef struct wasmaot_cm_builtin {
    uint32_t op;
    uint32_t resource;
    uint32_t component;      /* whose handle table */
    uint32_t reserved;
} wasmaot_cm_builtin;

/* A root import bound to a host function (component imports of WASI 0.2,
 * backends/ABI.md "Component imports"): a `canon lower` of an imported
 * function is an adapter-module function calling the host's
 * "wasmaot:component" "host" (i32 index), arguments in the scratch slots
 * as for adapters.  `func` is the lowering: its types, the caller's
 * encoding, memory and realloc (core, post_return unused; name: the
 * import's "interface#function" for messages).  `host` indexes the host's
 * function table (wasmaot_cm_hostfns; for WASI, the rows of
 * wasi-shim/component/p2_funcs.def); the caller's handle table is
 * `func.component`'s. */
typedef struct wasmaot_cm_import {
    wasmaot_cm_func func;
    uint32_t host;
    uint32_t reserved;
} wasmaot_cm_import;

typedef struct wasmaot_cm_component {
    uint32_t version;        /* WASMAOT_CM_VERSION */
    uint32_t n_funcs;
    uint32_t n_types;
    uint32_t has_run;        /* main runs an export: wasi:cli/run, or wasi:http/incoming-handler (the HTTP server) */
    uint32_t n_adapters;
    uint32_t scratch, scratch_len;  /* core export name of the adapters' scratch memory */
    uint32_t n_components;          /* component instances (one handle table each) */
    uint32_t n_resources;
    uint32_t n_builtins;
    uint32_t n_imports;             /* root imports bound to host functions */
    uint32_t pair_type;             /* a tuple<u32, u32> node, or NONE (wasmaot_cm_host_bytes) */
    const wasmaot_cm_func *funcs;
    const wasmaot_cm_type *types;
    const uint32_t *pool;
    const char *strings;
    const wasmaot_cm_adapter *adapters;
    const wasmaot_cm_resource *resources;
    const wasmaot_cm_builtin *builtins;
    const wasmaot_cm_import *imports;
    /* n_components words: the component instance that instantiated each
     * one (CanonicalABI.md ComponentInstance.parent), NONE for a root. */
    const uint32_t *parents;
} wasmaot_cm_component;

/* ------------------------------------------------------------ run time */

/* Errors of lifting and lowering that are not Wasm traps: wasmtime reports
 * them as errors of the call (exit 1), with these messages. */
enum {
    WASMAOT_CM_OK = 0,
    WASMAOT_CM_ERR_CHAR = 1,          /* "converted integer out of range for `char`" */
    WASMAOT_CM_ERR_BOUNDS = 2,        /* "pointer out of bounds of memory" */
    WASMAOT_CM_ERR_ALIGN = 3,         /* "return pointer not aligned" */
    WASMAOT_CM_ERR_DISCRIMINANT = 4,  /* "discriminant N out of range [0..M)" */
    WASMAOT_CM_ERR_UTF8 = 5,          /* "invalid utf-8 sequence of N bytes from index I" */
    WASMAOT_CM_ERR_REALLOC = 6,       /* "realloc return: beyond end of memory" */
    WASMAOT_CM_ERR_UNSUPPORTED = 7,   /* a resource handle (not lifted or lowered yet) */
    WASMAOT_CM_ERR_NOMEM = 8,         /* host out of memory */
    WASMAOT_CM_ERR_FLAGS = 9,         /* "invalid flags" (bits beyond the labels)  */
    WASMAOT_CM_ERR_LIST_ALIGN = 10,   /* "list pointer is not aligned" */
    WASMAOT_CM_ERR_STRING_ALIGN = 11, /* "string pointer not aligned" */
    WASMAOT_CM_ERR_STRING_BOUNDS = 12,/* "string pointer/length out of bounds of memory" */
    WASMAOT_CM_ERR_LIST_BOUNDS = 13,  /* "list pointer/length out of bounds of memory" */
    WASMAOT_CM_ERR_UTF8_INCOMPLETE = 14,
    WASMAOT_CM_ERR_UTF16 = 15,        /* "unpaired surrogate found: X" */
    WASMAOT_CM_ERR_STRING_TOO_LONG = 16,
    WASMAOT_CM_ERR_LIST_TOO_LONG = 17,
    WASMAOT_CM_ERR_REALLOC_ALIGN = 18,/* "realloc return: result not aligned" */
    WASMAOT_CM_ERR_CANON = 19         /* a handle trap: detail[0] is the wasmaot_canon_status */

};

/* The message of `err`: a printf format taking two unsigned arguments,
 * the context's `detail` words (used by some messages only, Rust's
 * wording: "discriminant %u out of range [0..%u)"). */
const char *wasmaot_cm_error_message(int err);

/* A host value being lowered (parsed from WAVE): `type` indexes the
 * component's types.  By kind:
 *   bool, ints, char   u.bits (char: the scalar value)
 *   f32, f64           u.f64 (an f32 is exactly representable)
 *   string             u.str, n = byte length (UTF-8)
 *   list, record, tuple u.items, n items
 *   variant, option, result, enum: n = case index, u.items -> payload or NULL
 *   flags              u.bits, bit k = label k */
typedef struct wasmaot_cm_value {
    uint32_t type;
    uint32_t n;
    union {
        uint64_t bits;
        double f64;
        const char *str;
        struct wasmaot_cm_value *items;
    } u;
} wasmaot_cm_value;

/* ---------------------------------------- lowering and lifting (core) */

/* One call's canonical-ABI context (runtime-c/component/cm_abi.c, which is
 * freestanding: every effect goes through these callbacks).
 *   memory     the function's `memory` option (NULL if none); read through
 *              on every access, since realloc may grow (and move) it;
 *   realloc    the guest's realloc(old, old_size, align, size); a guest trap does not
 *              return (the host reports it);
 *   put        appends printed WAVE text (the caller buffers it: an error
 *              later in the same result must print nothing);
 *   put_float  appends a finite float as Rust's Display prints it. */
typedef struct wasmaot_cm_cx {
    const wasmaot_cm_component *comp;
    const wasmaot_cm_func *func;
    wasmaot_memory *memory;
    void *env;
    uint32_t (*realloc)(void *env, uint32_t old_ptr, uint32_t old_size, uint32_t align,
                        uint32_t new_size);
    void (*put)(void *env, const char *s, uint32_t n);
    void (*put_float)(void *env, int is_f64, uint64_t bits);
    uint32_t detail[2];    /* numbers of the last error's message */
    /* storage for lifted values (wasmaot_cm_lift_values); NULL: none */
    void *(*alloc)(void *env, uint32_t size);
    /* handles: this side's component instance, every resource type of the
     * instantiation (index = wasmaot_cm_type.resource) and the call's
     * borrow scope; NULL when the function has no handles */
    struct wasmaot_canon_instance *canon;
    const struct wasmaot_canon_rtype *rtypes;
    struct wasmaot_canon_call *call;
} wasmaot_cm_cx;

/* Lower `args` (one per parameter) into core arguments: at most
 * WASMAOT_CM_MAX_FLAT_PARAMS slots, else one pointer to them spilled into
 * guest memory.  `slots` holds at least WASMAOT_CM_MAX_FLAT_PARAMS.
 * Returns WASMAOT_CM_OK (and *n_slots) or an error. */
int wasmaot_cm_lower_args(wasmaot_cm_cx *cx, const wasmaot_cm_value *args, uint64_t *slots,
                          uint32_t *n_slots);

/* Lift the core results in `slots` (the trampoline's) and print them as
 * WAVE through cx->put ("()" for a function without a result). */
int wasmaot_cm_lift_result(wasmaot_cm_cx *cx, const uint64_t *slots);

/* Lift `n` values of types `types` (pool indices) from core values
 * (flat: `slots`, consumed in order) or, when `ptr` != NONE, from a tuple
 * of them at guest address `ptr` (alignment and bounds checked), into
 * `out` (storage from cx->alloc; strings become UTF-8).  For adapters. */
int wasmaot_cm_lift_values(wasmaot_cm_cx *cx, const uint32_t *types, uint32_t n,
                           const uint64_t *slots, uint32_t ptr, wasmaot_cm_value *out);

/* Lower one result value for a caller that lowered the function: flat into
 * slots[0] if it has at most one core value, else stored at the caller's
 * out-pointer `retptr` (alignment and bounds checked). */
int wasmaot_cm_lower_result(wasmaot_cm_cx *cx, const wasmaot_cm_value *v, uint64_t *slots,
                            uint32_t retptr);

/* Number of core results of the lifted function (0 or 1). */
uint32_t wasmaot_cm_core_results(const wasmaot_cm_cx *cx);

/* -------------------------------------------- the standalone host (posix) */

/* Services of the standalone host that the component path uses, passed in
 * so that the runtime does not depend on the host's objects (they are
 * wasmaot_host.h's functions of the same shapes). */
typedef struct wasmaot_cm_host {
    const wasmaot_export_desc *(*find_export)(const wasmaot_module_desc *desc, const char *name,
                                              size_t len);
    wasmaot_trap_code (*call)(const wasmaot_export_desc *exp, void *inst, uint64_t *slots);
    /* wasmaot_host_format_value: vt 2 = f32, 3 = f64 (finite values only here) */
    void (*format_value)(char *buf, size_t n, uint8_t vt, const uint64_t *slots);
} wasmaot_cm_host;

/* A host function behind root imports: `args` are the lowering's
 * parameters lifted from the caller (handles as reps: a host resource's rep
 * is the host's own handle; strings UTF-8); it builds its result of type
 * cx->func->result in *result (storage from cx->alloc, freed when the call
 * returns).  Returns WASMAOT_CM_OK or an error (reported as a trap).
 * Byte lists are not lists of values: a `list<u8>` parameter arrives as a
 * view, u.str -> its n bytes in the caller's memory (valid during the call,
 * until the host itself calls into the guest), and a `list<u8>` in the
 * result is made with wasmaot_cm_host_bytes. */
typedef int (*wasmaot_cm_hostfn)(wasmaot_cm_cx *cx, const wasmaot_cm_value *args, wasmaot_cm_value *result);

/* A host's function table (the WASI shim's: wasmaot_wasi_p2_hostfns) and
 * the destructor of the resources it defines (every imported resource type
 * of the component: own handles dropped by the guest end there). */
typedef struct wasmaot_cm_hostfns {
    uint32_t n;
    const wasmaot_cm_hostfn *fns;
    uint32_t (*drop)(const struct wasmaot_canon_rtype *rt, uint32_t rep);  /* a wasmaot_canon_dtor_fn */
} wasmaot_cm_hostfns;

/* What the host function "wasmaot:component" "adapt" needs: its funcref's
 * instance points at this (standalone_main.c fills it). */
typedef struct wasmaot_cm_state {
    const wasmaot_cm_component *comp;
    const wasmaot_module_desc *desc;
    void *inst;
    const wasmaot_cm_host *host;
    struct wasmaot_canon_instance *canon;    /* n_components (wasmaot_cm_state_init) */
    struct wasmaot_canon_rtype *rtypes;      /* n_resources */
    void *resolved;                          /* the adapters' core exports, found once */
    const wasmaot_export_desc *scratch;
    const wasmaot_cm_hostfns *hostfns;       /* NULL: no host behind root imports */
    void *resolved_imports;                  /* the imports' memory/realloc exports */
} wasmaot_cm_state;

/* Fill `st` (comp, desc, inst, host set by the caller): one handle table
 * per component instance, one resource type per resource, destructors
 * calling the core exports.  Hosted (malloc); exits if out of memory. */
void wasmaot_cm_state_init(wasmaot_cm_state *st);

/* The host function behind `canon resource.*` (wasmaot_cm_builtin). */
void wasmaot_cm_builtin_call(void *state, uint32_t index);
#define WASMAOT_CM_BUILTIN_NAME "builtin"

/* The host function behind every adapter: see wasmaot_cm_adapter.  A
 * canonical-ABI error on either side is a trap (reported, exit 134). */
void wasmaot_cm_adapt(void *state, uint32_t index);

/* Root imports (runtime-c/component/cm_import.c).  hosts_init: after
 * wasmaot_cm_state_init, with st->hostfns set: host resources get the
 * host's destructor, the imports' exports are found once.  host_import: the
 * host function "wasmaot:component" "host" (i32 index): lift the caller's
 * arguments, call st->hostfns->fns[import.host], lower the result. */
void wasmaot_cm_hosts_init(wasmaot_cm_state *st);
/* For host functions: the list<u8> node `v` of a result becomes the bytes
 * buf[0..n), copied into the caller's memory now (its realloc, alignment
 * 1, as lowering the list would) and lowered as the (pointer, length) pair
 * `pair_type`, which has a list's flat and memory layout.  Without a pair
 * type, a list of n values.  WASMAOT_CM_OK or a realloc error. */
int wasmaot_cm_host_bytes(wasmaot_cm_cx *cx, wasmaot_cm_value *v, const uint8_t *buf, uint32_t n);
void wasmaot_cm_host_import(void *state, uint32_t index);
#define WASMAOT_CM_HOST_NAME "host"

/* Run the root's `wasi:cli/run` export (comp->has_run): its status as
 * wasmtime's, 0 for ok, 1 for err; a trap is reported (exit 134). */
int wasmaot_cm_run(const wasmaot_cm_state *st);

#define WASMAOT_CM_ADAPT_MODULE "wasmaot:component"
#define WASMAOT_CM_ADAPT_NAME "adapt"

/* `--invoke 'name(args...)'` of a compiled component: parse the call as
 * WAVE against the export's types, lower, call, lift, print the result and
 * a newline on stdout, call post-return.  Returns the process exit status
 * for errors it reported (2: bad WAVE or unknown function, 1: a lifting
 * error), 0 on success; a guest trap is reported and exits (134). */
int wasmaot_cm_invoke(const wasmaot_cm_component *comp, const wasmaot_module_desc *desc, void *inst,
                      const wasmaot_cm_host *host, const char *call);

#ifdef __cplusplus
}
#endif
#endif /* WASMAOT_CM_H */
