/*
 * The `spectest` host module every spec script may import from, written as
 * if it were a compiled module: an instance block, a descriptor with exports
 * (offsets into the block, canonical types, trampolines) and an instantiate
 * function.  The driver then links imports against it exactly as against a
 * registered Wasm instance; no special case in the linker.
 *
 * Contents (the reference interpreter's spectest module): print, print_i32,
 * print_i64, print_f32, print_f64, print_i32_f32, print_f64_f64 (they print
 * to STDERR, one line each, so they never mix with the driver's result
 * lines on stdout), global_i32 = 666, global_i64 = 666, global_f32 = 666.6,
 * global_f64 = 666.6 (immutable), table (funcref, 10, max 20), table64 (the
 * same with i64 indices: memory64's tables), memory (1 page, max 2).
 */
#include "spectest_driver.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef struct spectest_instance {
    /* pointer slots (what an importer copies) */
    wasmaot_memory *memory_slot;
    wasmaot_table *table_slot, *table64_slot;
    void *g_i32_slot, *g_i64_slot, *g_f32_slot, *g_f64_slot;
    /* storage */
    wasmaot_memory memory;
    wasmaot_table table, table64;
    uint64_t g_i32, g_i64, g_f32, g_f64;
    wasmaot_funcref f_print, f_print_i32, f_print_i64, f_print_f32, f_print_f64,
        f_print_i32_f32, f_print_f64_f64;
} spectest_instance;

static float f32_of(uint64_t slot) {
    uint32_t b = (uint32_t)slot;
    float f;
    memcpy(&f, &b, 4);
    return f;
}
static double f64_of(uint64_t slot) {
    double d;
    memcpy(&d, &slot, 8);
    return d;
}

/* Native functions (called as f(instance, args...) by Wasm code). */
static void sp_print(void *inst) { (void)inst; fprintf(stderr, "spectest: print\n"); }
static void sp_print_i32(void *inst, int32_t x) { (void)inst; fprintf(stderr, "spectest: %d : i32\n", x); }
static void sp_print_i64(void *inst, int64_t x) { (void)inst; fprintf(stderr, "spectest: %lld : i64\n", (long long)x); }
static void sp_print_f32(void *inst, float x) { (void)inst; fprintf(stderr, "spectest: %g : f32\n", (double)x); }
static void sp_print_f64(void *inst, double x) { (void)inst; fprintf(stderr, "spectest: %g : f64\n", x); }
static void sp_print_i32_f32(void *inst, int32_t x, float y) {
    (void)inst;
    fprintf(stderr, "spectest: %d : i32, %g : f32\n", x, (double)y);
}
static void sp_print_f64_f64(void *inst, double x, double y) {
    (void)inst;
    fprintf(stderr, "spectest: %g : f64, %g : f64\n", x, y);
}

/* Trampolines (driver -> function), per the ABI's slot convention. */
static void t_print(void *i, uint64_t *s) { (void)s; sp_print(i); }
static void t_print_i32(void *i, uint64_t *s) { sp_print_i32(i, (int32_t)(uint32_t)s[0]); }
static void t_print_i64(void *i, uint64_t *s) { sp_print_i64(i, (int64_t)s[0]); }
static void t_print_f32(void *i, uint64_t *s) { sp_print_f32(i, f32_of(s[0])); }
static void t_print_f64(void *i, uint64_t *s) { sp_print_f64(i, f64_of(s[0])); }
static void t_print_i32_f32(void *i, uint64_t *s) { sp_print_i32_f32(i, (int32_t)(uint32_t)s[0], f32_of(s[1])); }
static void t_print_f64_f64(void *i, uint64_t *s) { sp_print_f64_f64(i, f64_of(s[0]), f64_of(s[1])); }

#define OFF(f) ((uint32_t)offsetof(spectest_instance, f))

static const wasmaot_export_desc spectest_exports[] = {
    {"print", WASMAOT_EXTERN_FUNC, OFF(f_print), "()->()", t_print, sizeof "print" - 1},
    {"print_i32", WASMAOT_EXTERN_FUNC, OFF(f_print_i32), "(i32)->()", t_print_i32, sizeof "print_i32" - 1},
    {"print_i64", WASMAOT_EXTERN_FUNC, OFF(f_print_i64), "(i64)->()", t_print_i64, sizeof "print_i64" - 1},
    {"print_f32", WASMAOT_EXTERN_FUNC, OFF(f_print_f32), "(f32)->()", t_print_f32, sizeof "print_f32" - 1},
    {"print_f64", WASMAOT_EXTERN_FUNC, OFF(f_print_f64), "(f64)->()", t_print_f64, sizeof "print_f64" - 1},
    {"print_i32_f32", WASMAOT_EXTERN_FUNC, OFF(f_print_i32_f32), "(i32,f32)->()", t_print_i32_f32, sizeof "print_i32_f32" - 1},
    {"print_f64_f64", WASMAOT_EXTERN_FUNC, OFF(f_print_f64_f64), "(f64,f64)->()", t_print_f64_f64, sizeof "print_f64_f64" - 1},
    {"global_i32", WASMAOT_EXTERN_GLOBAL, OFF(g_i32_slot), "i32", NULL, sizeof "global_i32" - 1},
    {"global_i64", WASMAOT_EXTERN_GLOBAL, OFF(g_i64_slot), "i64", NULL, sizeof "global_i64" - 1},
    {"global_f32", WASMAOT_EXTERN_GLOBAL, OFF(g_f32_slot), "f32", NULL, sizeof "global_f32" - 1},
    {"global_f64", WASMAOT_EXTERN_GLOBAL, OFF(g_f64_slot), "f64", NULL, sizeof "global_f64" - 1},
    {"table", WASMAOT_EXTERN_TABLE, OFF(table_slot), "funcref", NULL, sizeof "table" - 1},
    {"table64", WASMAOT_EXTERN_TABLE, OFF(table64_slot), "funcref i64", NULL, sizeof "table64" - 1},
    {"memory", WASMAOT_EXTERN_MEMORY, OFF(memory_slot), NULL, NULL, sizeof "memory" - 1},
};

static void set_func(spectest_instance *si, wasmaot_funcref *f, const void *fn, const char *sig) {
    f->func = fn;
    f->type_id = wasmaot_rt_intern_signature(sig);
    f->instance = si;
}

static int spectest_instantiate(void *instance) {
    spectest_instance *si = instance;
    set_func(si, &si->f_print, (const void *)sp_print, "()->()");
    set_func(si, &si->f_print_i32, (const void *)sp_print_i32, "(i32)->()");
    set_func(si, &si->f_print_i64, (const void *)sp_print_i64, "(i64)->()");
    set_func(si, &si->f_print_f32, (const void *)sp_print_f32, "(f32)->()");
    set_func(si, &si->f_print_f64, (const void *)sp_print_f64, "(f64)->()");
    set_func(si, &si->f_print_i32_f32, (const void *)sp_print_i32_f32, "(i32,f32)->()");
    set_func(si, &si->f_print_f64_f64, (const void *)sp_print_f64_f64, "(f64,f64)->()");
    if (wasmaot_memory_new(&si->memory, 1, 2, WASMAOT_MEMORY_HAS_MAX) != 0) return -1;
    if (wasmaot_table_new(&si->table, WASMAOT_REF_FUNCREF, 10, 20, WASMAOT_TABLE_HAS_MAX) != 0) return -1;
    if (wasmaot_table_new(&si->table64, WASMAOT_REF_FUNCREF, 10, 20, WASMAOT_TABLE_HAS_MAX) != 0) return -1;
    si->table64_slot = &si->table64;
    si->memory_slot = &si->memory;
    si->table_slot = &si->table;
    float f32 = 666.6f;
    double f64 = 666.6;
    uint32_t f32b;
    memcpy(&f32b, &f32, 4);
    si->g_i32 = 666;
    si->g_i64 = 666;
    si->g_f32 = f32b;
    memcpy(&si->g_f64, &f64, 8);
    si->g_i32_slot = &si->g_i32;
    si->g_i64_slot = &si->g_i64;
    si->g_f32_slot = &si->g_f32;
    si->g_f64_slot = &si->g_f64;
    return 0;
}

const wasmaot_module_desc spectest_host_module = {
    WASMAOT_RT_ABI_VERSION,
    (uint32_t)sizeof(spectest_instance),
    0,
    (uint32_t)(sizeof spectest_exports / sizeof spectest_exports[0]),
    NULL,
    spectest_exports,
    spectest_instantiate,
};
