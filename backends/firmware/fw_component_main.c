/*
 * The firmware image's "host" for a WASI 0.2 command *component*: what
 * the hosted standalone main does for one (runtime-c/host/standalone_main.c,
 * runtime-c/component/cm_import.c and cm_adapt.c), without malloc or stdio.
 * fw_main.c's hooks (trap handler, exit, the WASI embedder hooks) are linked
 * beside it; its module main is not (backends/firmware/component.py).
 *
 *   1. The core instances (the flattened component, its adapter module and
 *      export shim: backends/component/plan.py) are one program: one static
 *      instance block (-DWASMAOT_FW_INSTANCE_SIZE), as for a module.
 *   2. State in .bss, sized at compile time: one handle table per component
 *      instance (WASMAOT_FW_CM_HANDLES slots each, fixed: no grow, an add
 *      beyond it traps TABLE_FULL), one resource type per resource (host
 *      resources get p2_firmware.c's destructor, the component's its core
 *      destructor export), the imports' memory/realloc exports found once.
 *   3. The adapter module's imports ("wasmaot:component" "host" and
 *      "builtin"; "adapt", calls between component instances, is refused at
 *      compile time: a stub) are bound to the functions below.
 *   4. instantiate, then the root's wasi:cli/run: its result's discriminant
 *      is the exit status (0 ok, 1 err), as in wasmtime; exit and
 *      exit-with-code end the program with theirs.
 *
 * A root import's call: the adapter-module function stored its core
 * arguments as 8-byte slots at scratch[0..] and calls host(k); k's lifted
 * arguments go to wasmaot_fw_cm_hostfns[k] (generated: the p2_firmware.c
 * function serving import k, chosen by the compiler), whose result is
 * lowered back into scratch[0] or the caller's out-pointer.  Values live in
 * a static arena reset by every call (host calls do not nest: the only
 * guest code a host call runs is realloc, which imports nothing).
 */
#include "wasmaot_canon.h"
#include "wasmaot_cm.h"
#include "wasmaot_rt.h"
#include "wasmaot_wasi.h"

#if !defined(WASMAOT_FW_INSTANCE_SIZE) || !defined(WASMAOT_FW_CM_COMPONENTS) || \
    !defined(WASMAOT_FW_CM_RESOURCES) || !defined(WASMAOT_FW_CM_IMPORTS)
#error "fw_component_main.c: the compiler passes the instance size and the component's counts"
#endif
#ifndef WASMAOT_FW_CM_HANDLES
#define WASMAOT_FW_CM_HANDLES 32
#endif
#ifndef WASMAOT_FW_CM_ARENA
#define WASMAOT_FW_CM_ARENA 1024
#endif
#define AT_LEAST_1(n) ((n) ? (n) : 1)

extern const wasmaot_module_desc wasm_module;
extern const wasmaot_cm_component wasmaot_component;
extern uint8_t __wasmaot_stack_limit[];
/* Generated (backends/firmware/component.py): import k's host function. */
extern const wasmaot_cm_hostfn wasmaot_fw_cm_hostfns[];
/* p2_firmware.c: the host resources' destructor. */
wasmaot_canon_status wasmaot_fw_p2_drop(const wasmaot_canon_rtype *rt, uint32_t rep);
/* fw_main.c: the end of the program (a weak hook). */
WASMAOT_NORETURN void wasmaot_fw_exit(int code);
WASMAOT_NORETURN void wasmaot_fw_main(void);

/* The name the size report looks for (backends/firmware/size.py). */
static uint8_t wasmaot_fw_instance[WASMAOT_FW_INSTANCE_SIZE] __attribute__((aligned(16)));
static wasmaot_canon_instance canon[AT_LEAST_1(WASMAOT_FW_CM_COMPONENTS)];
static wasmaot_canon_handle handles[AT_LEAST_1(WASMAOT_FW_CM_COMPONENTS)][WASMAOT_FW_CM_HANDLES];
static wasmaot_canon_rtype rtypes[AT_LEAST_1(WASMAOT_FW_CM_RESOURCES)];
static const wasmaot_export_desc *dtors[AT_LEAST_1(WASMAOT_FW_CM_RESOURCES)];
static const wasmaot_export_desc *memories[AT_LEAST_1(WASMAOT_FW_CM_IMPORTS)];
static const wasmaot_export_desc *reallocs[AT_LEAST_1(WASMAOT_FW_CM_IMPORTS)];
static const wasmaot_export_desc *scratch_export;
static uint64_t arena[WASMAOT_FW_CM_ARENA / 8];
static uint32_t arena_used;

/* ------------------------------------------------------------ messages */

static void put(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    wasmaot_wasi_embedder_write(2, (const uint8_t *)s, n);
}

static void put_u32(uint32_t v) {
    char buf[11], *p = buf + sizeof buf - 1;
    *p = 0;
    do *--p = (char)('0' + v % 10); while (v /= 10);
    put(p);
}

static WASMAOT_NORETURN void fail(const char *msg) {
    put("wasmaot: ");
    put(msg);
    put("\n");
    wasmaot_fw_exit(1);
}

/* "wasmaot: error: MSG" with MSG's %u (and %s, as %u) filled from detail,
 * exit 1: a canonical-ABI error of a host call, as wasmtime reports it. */
static WASMAOT_NORETURN void error_exit(const char *fmt, const uint32_t detail[2]) {
    int k = 0;
    put("wasmaot: error: ");
    for (const char *p = fmt; *p; p++) {
        if (p[0] == '%' && (p[1] == 'u' || p[1] == 's') && k < 2) {
            put_u32(detail[k++]);
            p++;
            continue;
        }
        wasmaot_wasi_embedder_write(2, (const uint8_t *)p, 1);
    }
    put("\n");
    wasmaot_fw_exit(1);
}

static WASMAOT_NORETURN void status_error(wasmaot_canon_status st, uint32_t index) {
    if (st < WASMAOT_CANON_E_BASE) wasmaot_trap((wasmaot_trap_code)st);
    const uint32_t detail[2] = {index, 0};
    if (st == WASMAOT_CANON_E_UNKNOWN_HANDLE) error_exit("unknown handle index %u", detail);
    error_exit(wasmaot_canon_message(st), detail);
}

static WASMAOT_NORETURN void cm_error(const wasmaot_cm_cx *cx, int err) {
    if (err == WASMAOT_CM_ERR_CANON) status_error(cx->detail[0], cx->detail[1]);
    error_exit(wasmaot_cm_error_message(err), cx->detail);
}

/* ------------------------------------------------------------ exports */

static const wasmaot_export_desc *find_export(const char *name, uint32_t len) {
    const wasmaot_module_desc *d = &wasm_module;
    for (uint32_t i = 0; i < d->n_exports; i++) {
        const wasmaot_export_desc *e = &d->exports[i];
        uint32_t k = 0;
        while (k < len && k < e->name_len && name[k] == e->name[k]) k++;
        if (k == len && k == e->name_len) return e;
    }
    return 0;
}

/* The core export the table names at (off, len); NULL for len 0. */
static const wasmaot_export_desc *part(uint32_t off, uint32_t len) {
    if (!len) return 0;
    const wasmaot_export_desc *e = find_export(wasmaot_component.strings + off, len);
    if (!e) fail("the component table names a missing core export");
    return e;
}

static wasmaot_memory *memory_of(const wasmaot_export_desc *e) {
    return e ? *(wasmaot_memory **)(wasmaot_fw_instance + e->offset) : 0;
}

/* A guest trap ends the program in the trap handler (no unwinding). */
static void call(const wasmaot_export_desc *e, uint64_t *slots) {
    e->trampoline(wasmaot_fw_instance, slots);
}

/* ------------------------------------------------------------ host calls */

static void *arena_alloc(void *env, uint32_t size) {
    (void)env;
    uint32_t n = (size + 7) / 8;
    if (n > WASMAOT_FW_CM_ARENA / 8 - arena_used) fail("a WASI call needs more than WASMAOT_FW_CM_ARENA bytes");
    void *p = &arena[arena_used];
    arena_used += n;
    return p;
}

static uint32_t guest_realloc(void *env, uint32_t old_ptr, uint32_t old_size, uint32_t align, uint32_t size) {
    uint64_t slots[4] = {old_ptr, old_size, align, size};
    call(env, slots);
    return (uint32_t)slots[0];
}

static int is_bytes(const wasmaot_cm_component *comp, const wasmaot_cm_type *t) {
    return t->kind == WASMAOT_CM_LIST && comp->types[comp->pool[t->children]].kind == WASMAOT_CM_U8;
}

/* One flat list<u8> argument (pointer, length): a view of guest memory. */
static int bytes_view(wasmaot_cm_cx *cx, uint32_t type, const uint64_t *slots, wasmaot_cm_value *v) {
    uint32_t ptr = (uint32_t)slots[0], n = (uint32_t)slots[1];
    if (!cx->memory || (uint64_t)ptr + n > cx->memory->size_bytes) return WASMAOT_CM_ERR_LIST_BOUNDS;
    *v = (wasmaot_cm_value){type, n, {0}};
    v->u.str = (const char *)cx->memory->base + ptr;
    return WASMAOT_CM_OK;
}

/* The arguments, flat in the scratch slots (byte lists as views) or a
 * tuple at slots[0] (byte lists lifted as values: no host function served
 * here takes one); *retptr: the out-pointer after them. */
static wasmaot_cm_value *import_args(wasmaot_cm_cx *cx, const uint64_t *scratch, uint32_t *retptr) {
    const wasmaot_cm_func *f = cx->func;
    const wasmaot_cm_component *comp = cx->comp;
    const uint32_t *types = &comp->pool[f->params];
    uint32_t flat = 0;
    for (uint32_t i = 0; i < f->n_params; i++) flat += comp->types[types[i]].flat_count;
    int spilled = flat > WASMAOT_CM_MAX_FLAT_PARAMS, err = WASMAOT_CM_OK;
    wasmaot_cm_value *args = arena_alloc(0, AT_LEAST_1(f->n_params) * (uint32_t)sizeof *args);
    if (spilled) err = wasmaot_cm_lift_values(cx, types, f->n_params, scratch, (uint32_t)scratch[0], args);
    for (uint32_t i = 0, k = 0; !spilled && !err && i < f->n_params; i++) {
        const wasmaot_cm_type *t = &comp->types[types[i]];
        err = is_bytes(comp, t) ? bytes_view(cx, types[i], scratch + k, &args[i])
                                : wasmaot_cm_lift_values(cx, &types[i], 1, scratch + k, WASMAOT_CM_NONE, &args[i]);
        k += t->flat_count;
    }
    if (err) cm_error(cx, err);
    *retptr = (uint32_t)scratch[spilled ? 1 : flat];
    return args;
}

/* "wasmaot:component" "host" (i32 k): root import k. */
static void host_import(void *state, uint32_t index) {
    (void)state;
    const wasmaot_cm_component *comp = &wasmaot_component;
    const wasmaot_cm_import *imp = &comp->imports[index];
    arena_used = 0;
    wasmaot_cm_cx cx = {comp, &imp->func, memory_of(memories[index]), (void *)reallocs[index],
                        reallocs[index] ? guest_realloc : 0, 0, 0, {0, 0}, arena_alloc,
                        &canon[imp->func.component], rtypes, 0};
    uint64_t *scratch = (uint64_t *)memory_of(scratch_export)->base;
    uint32_t retptr = 0;
    wasmaot_cm_value *args = import_args(&cx, scratch, &retptr);
    wasmaot_cm_value result = {imp->func.result, 0, {0}};
    int err = wasmaot_fw_cm_hostfns[index](&cx, args, &result);
    if (!err && imp->func.result != WASMAOT_CM_NONE) err = wasmaot_cm_lower_result(&cx, &result, scratch, retptr);
    if (err) cm_error(&cx, err);
}

/* "wasmaot:component" "builtin" (i32 k): canon resource.new/rep/drop. */
static void builtin(void *state, uint32_t index) {
    (void)state;
    const wasmaot_cm_builtin *b = &wasmaot_component.builtins[index];
    uint64_t *scratch = (uint64_t *)memory_of(scratch_export)->base;
    wasmaot_canon_instance *inst = &canon[b->component];
    const wasmaot_canon_rtype *rt = &rtypes[b->resource];
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

/* "wasmaot:component" "adapt": imported by every adapter module, called by
 * none here (the compiler refuses a component whose instances call each
 * other on firmware). */
static void adapt(void *state, uint32_t index) {
    (void)state, (void)index;
    fail("calls between component instances are not supported on firmware");
}

/* A resource the component defines: its core destructor export. */
static wasmaot_canon_status call_dtor(const wasmaot_canon_rtype *rt, uint32_t rep) {
    uint64_t slots[1] = {rep};
    call(rt->ctx, slots);
    return WASMAOT_CANON_OK;
}

/* ------------------------------------------------------------ start-up */

static void state_init(void) {
    const wasmaot_cm_component *comp = &wasmaot_component;
    if (comp->version != WASMAOT_CM_VERSION || comp->n_components > WASMAOT_FW_CM_COMPONENTS ||
        comp->n_resources > WASMAOT_FW_CM_RESOURCES || comp->n_imports > WASMAOT_FW_CM_IMPORTS)
        fail("the image's component table and startup do not match");
    for (uint32_t i = 0; i < comp->n_components; i++)
        wasmaot_canon_instance_init(&canon[i], handles[i], WASMAOT_FW_CM_HANDLES, 0, 0);
    for (uint32_t i = 0; i < comp->n_resources; i++) {
        const wasmaot_cm_resource *r = &comp->resources[i];
        if (r->defined_by == WASMAOT_CM_NONE) {
            rtypes[i].dtor = wasmaot_fw_p2_drop;
            continue;
        }
        rtypes[i].impl = &canon[r->defined_by];
        dtors[i] = part(r->dtor, r->dtor_len);
        if (dtors[i]) rtypes[i] = (wasmaot_canon_rtype){&canon[r->defined_by], call_dtor, (void *)dtors[i]};
    }
    for (uint32_t i = 0; i < comp->n_imports; i++) {
        const wasmaot_cm_func *f = &comp->imports[i].func;
        memories[i] = part(f->memory, f->memory_len);
        reallocs[i] = part(f->realloc, f->realloc_len);
    }
    scratch_export = part(comp->scratch, comp->scratch_len);
}

static int streq(const char *a, const char *b) {
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}

/* The adapter module's imports: the only imports of a component's program. */
static void bind_imports(void) {
    const wasmaot_module_desc *d = &wasm_module;
    for (uint32_t i = 0; i < d->n_imports; i++) {
        const wasmaot_import_desc *imp = &d->imports[i];
        wasmaot_funcref *slot = (wasmaot_funcref *)(wasmaot_fw_instance + imp->offset);
        slot->func = streq(imp->name, WASMAOT_CM_HOST_NAME) ? (const void *)host_import
                   : streq(imp->name, WASMAOT_CM_BUILTIN_NAME) ? (const void *)builtin
                   : streq(imp->name, WASMAOT_CM_ADAPT_NAME) ? (const void *)adapt : 0;
        slot->type_id = wasmaot_rt_intern_signature(imp->type);   /* a static string */
        slot->instance = 0;
        if (!slot->func) fail("a component import the firmware does not serve");
        if (!slot->type_id) fail("too many signatures");
    }
}

static int is_run(const wasmaot_cm_func *f) {
    static const char prefix[] = "wasi:cli/run@", suffix[] = ".run";
    const char *name = wasmaot_component.strings + f->name;
    uint32_t n = f->name_len, np = sizeof prefix - 1, ns = sizeof suffix - 1, k = 0;
    if (n <= np + ns) return 0;
    while (k < np && name[k] == prefix[k]) k++;
    for (uint32_t j = 0; k == np && j < ns; j++)
        if (name[n - ns + j] != suffix[j]) return 0;
    return k == np;
}

/* wasi:cli/run: func() -> result, one flat i32 (0 ok, 1 err). */
static int run(void) {
    const wasmaot_cm_component *comp = &wasmaot_component;
    for (uint32_t i = 0; i < comp->n_funcs; i++) {
        const wasmaot_cm_func *f = &comp->funcs[i];
        if (!is_run(f)) continue;
        const wasmaot_export_desc *post = part(f->post_return, f->post_return_len);
        uint64_t slots[2] = {0, 0};
        call(part(f->core, f->core_len), slots);
        uint32_t disc = (uint32_t)slots[0];
        if (post) call(post, slots);
        return disc == 0 ? 0 : 1;
    }
    fail("the component exports no wasi:cli/run");
}

void wasmaot_fw_main(void) {
    const wasmaot_module_desc *d = &wasm_module;
    wasmaot_stack_limit = (uintptr_t)__wasmaot_stack_limit;
    if (d->abi_version != WASMAOT_RT_ABI_VERSION || d->instance_size > sizeof wasmaot_fw_instance)
        fail("the image's module and runtime do not match");
    state_init();
    bind_imports();
    if (d->instantiate(wasmaot_fw_instance) != 0)
        fail("instantiation failed: a memory or table does not fit its RAM region");
    wasmaot_fw_exit(run());
}
