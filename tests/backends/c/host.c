/* Test host for generated modules: links, instantiates and calls a module
 * through its descriptor only (no knowledge of the instance layout).
 *
 *   host describe                 -> "size N", "import ..." and "export ..." lines
 *   host '<export> <u64> <u64>..' -> "ok <u64>..." (result slots) or "trap <message>"
 *
 * Arguments/results are raw 8-byte slot values (floats as bit patterns), so
 * the Python side controls every bit.  Each call runs under wasmaot_rt_try,
 * so one trapping call does not end the process.  Provided imports:
 *   func   host.add1 : (i32)->(i32)  returns x + 1
 *   global host.g    : i32 = 42 (also "mut i32")
 *   memory host.mem  : created with the import's limits
 *   table  host.tab  : funcref table created with the import's limits
 * The module is compiled with prefix "wasm". */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmaot_rt.h"

extern const wasmaot_module_desc wasm_module;

static int32_t host_add1(void *inst, int32_t x) { (void)inst; return x + 1; }
static uint64_t host_global = 42;
static wasmaot_memory host_mem;
static wasmaot_table host_tab;

static void *instance;
static int inst_result;

static void do_instantiate(void *arg) { (void)arg; inst_result = wasm_module.instantiate(instance); }

static int link_imports(void) {
    for (uint32_t i = 0; i < wasm_module.n_imports; i++) {
        const wasmaot_import_desc *d = &wasm_module.imports[i];
        char *slot = (char *)instance + d->offset;
        if (strcmp(d->module, "host") != 0) goto unknown;
        if (d->kind == WASMAOT_EXTERN_FUNC && !strcmp(d->name, "add1")) {
            if (strcmp(d->type, "(i32)->(i32)")) goto incompatible;
            wasmaot_funcref f = {(const void *)host_add1, wasmaot_rt_intern_signature("(i32)->(i32)"), NULL};
            memcpy(slot, &f, sizeof f);
        } else if (d->kind == WASMAOT_EXTERN_GLOBAL && !strcmp(d->name, "g")) {
            *(void **)slot = &host_global;
        } else if (d->kind == WASMAOT_EXTERN_MEMORY && !strcmp(d->name, "mem")) {
            if (wasmaot_memory_new(&host_mem, d->min, d->max, d->has_max ? WASMAOT_MEMORY_HAS_MAX : 0)) return -1;
            *(void **)slot = &host_mem;
        } else if (d->kind == WASMAOT_EXTERN_TABLE && !strcmp(d->name, "tab")) {
            if (wasmaot_table_new(&host_tab, WASMAOT_REF_FUNCREF, d->min, d->max, d->has_max ? WASMAOT_TABLE_HAS_MAX : 0)) return -1;
            *(void **)slot = &host_tab;
        } else {
            goto unknown;
        }
        continue;
    unknown:
        printf("unknown import %s.%s\n", d->module, d->name);
        return -1;
    incompatible:
        printf("incompatible import type %s.%s\n", d->module, d->name);
        return -1;
    }
    return 0;
}

static int count_types(const char *s, const char *end) {
    int n = 0;
    if (s == end) return 0;
    for (const char *p = s; p <= end; p++) {
        if (p == end || *p == ',') {
            n += (p - s == 4 && !strncmp(s, "v128", 4)) ? 2 : 1;
            s = p + 1;
        }
    }
    return n;
}

static void sig_counts(const char *sig, int *np, int *nr) {
    const char *close = strchr(sig, ')');
    *np = count_types(sig + 1, close);
    const char *r = close + 4; /* ")->(" */
    *nr = count_types(r, strchr(r, ')'));
}

struct call { void (*tramp)(void *, uint64_t *); uint64_t slots[64]; };
static void do_call(void *arg) { struct call *c = arg; c->tramp(instance, c->slots); }

static void invoke(char *line) {
    char *name = strtok(line, " ");
    const wasmaot_export_desc *e = NULL;
    for (uint32_t i = 0; i < wasm_module.n_exports; i++)
        if (!strcmp(wasm_module.exports[i].name, name)) e = &wasm_module.exports[i];
    if (!e || e->kind != WASMAOT_EXTERN_FUNC) { printf("no such function %s\n", name); return; }
    static struct call c;
    memset(&c, 0, sizeof c);
    c.tramp = e->trampoline;
    int np, nr;
    sig_counts(e->type, &np, &nr);
    for (int k = 0; k < np; k++) {
        char *a = strtok(NULL, " ");
        if (!a) { printf("missing argument\n"); return; }
        c.slots[k] = strtoull(a, NULL, 0);
    }
    wasmaot_trap_code code;
    wasmaot_rt_try(do_call, &c, &code);
    if (code) { printf("trap %s\n", wasmaot_trap_message(code)); return; }
    printf("ok");
    for (int k = 0; k < nr; k++) printf(" %" PRIu64, c.slots[k]);
    printf("\n");
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (wasmaot_rt_init(argc, argv)) { printf("rt_init failed\n"); return 2; }
    if (argc > 1 && !strcmp(argv[1], "describe")) {
        printf("abi %u size %u\n", wasm_module.abi_version, wasm_module.instance_size);
        for (uint32_t i = 0; i < wasm_module.n_imports; i++) {
            const wasmaot_import_desc *d = &wasm_module.imports[i];
            printf("import %s %s %u %u %s %u %u %u\n", d->module, d->name, d->kind, d->offset,
                   d->type ? d->type : "-", d->min, d->max, d->has_max);
        }
        for (uint32_t i = 0; i < wasm_module.n_exports; i++) {
            const wasmaot_export_desc *d = &wasm_module.exports[i];
            printf("export %s %u %u %s %s\n", d->name, d->kind, d->offset, d->type ? d->type : "-",
                   d->trampoline ? "tramp" : "-");
        }
        return 0;
    }
    instance = aligned_alloc(16, (wasm_module.instance_size + 15) & ~15u);
    memset(instance, 0, wasm_module.instance_size);
    if (link_imports()) return 3;
    wasmaot_trap_code code;
    wasmaot_rt_try(do_instantiate, NULL, &code);
    if (code) { printf("instantiate trap %s\n", wasmaot_trap_message(code)); return 4; }
    if (inst_result) { printf("instantiate failed\n"); return 5; }
    for (int i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "global ", 7)) {   /* "global <name>": print an exported global's 8 bytes */
            const char *n = argv[i] + 7;
            for (uint32_t k = 0; k < wasm_module.n_exports; k++) {
                const wasmaot_export_desc *d = &wasm_module.exports[k];
                if (d->kind == WASMAOT_EXTERN_GLOBAL && !strcmp(d->name, n))
                    printf("ok %" PRIu64 "\n", **(uint64_t **)((char *)instance + d->offset));
            }
            continue;
        }
        char buf[4096];
        snprintf(buf, sizeof buf, "%s", argv[i]);
        invoke(buf);
    }
    return 0;
}
