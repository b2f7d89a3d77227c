/*
 * Hand-written stand-ins for the compiled modules m0..m7 of
 * tests/hosts/data/driver.wast (m8 "fails to compile" and has no symbol).
 * Each mirrors the imports/exports of the Wasm text it stands for; the
 * behaviour is what the text says.
 */
#include "fake.h"

/* ------------------------------------------------------------------ m0 */

typedef struct m0_inst {
    wasmaot_memory *mem_slot;
    wasmaot_table *tab_slot;
    void *g_slot;
    wasmaot_memory mem;
    wasmaot_table tab;
    uint64_t g;
    wasmaot_funcref f_add, f_div, f_nan32, f_arith32, f_nan64, f_multi, f_vec, f_ext, f_fref, f_nullf, f_rec,
        f_crash, f_spin;
} m0_inst;

static int32_t m0_add(void *inst, int32_t a, int32_t b) { (void)inst; return (int32_t)((uint32_t)a + (uint32_t)b); }
static int32_t m0_div(void *inst, int32_t a, int32_t b) {
    (void)inst;
    if (b == 0) wasmaot_trap(WASMAOT_TRAP_INTEGER_DIVIDE_BY_ZERO);
    if (a == INT32_MIN && b == -1) wasmaot_trap(WASMAOT_TRAP_INTEGER_OVERFLOW);
    return a / b;
}
static volatile int32_t rec_sink;
static int32_t m0_rec(void *inst) {
    WASMAOT_STACK_CHECK();
    volatile char pad[64];
    pad[0] = 1;
    int32_t r = m0_rec(inst);
    rec_sink = r + pad[0]; /* not a tail call */
    return rec_sink;
}

typedef struct { int32_t a; int64_t b; double c; } multi_ret;
static multi_ret m0_multi(void *inst, int64_t x) { (void)inst; multi_ret r = {(int32_t)x, x + 1, 7.5}; return r; }

static void t_add(void *i, uint64_t *s) { s[0] = (uint32_t)m0_add(i, (int32_t)(uint32_t)s[0], (int32_t)(uint32_t)s[1]); }
static void t_div(void *i, uint64_t *s) { s[0] = (uint32_t)m0_div(i, (int32_t)(uint32_t)s[0], (int32_t)(uint32_t)s[1]); }
static void t_nan32(void *i, uint64_t *s) { (void)i; s[0] = 0xFFC00000u; /* canonical, negative sign */ }
static void t_arith32(void *i, uint64_t *s) { (void)i; s[0] = 0x7FC00001u; /* arithmetic, not canonical */ }
static void t_nan64(void *i, uint64_t *s) { (void)i; s[0] = 0x7FF8000000000000ull; }
static void t_multi(void *i, uint64_t *s) {
    multi_ret r = m0_multi(i, (int64_t)s[0]);
    s[0] = (uint32_t)r.a;
    s[1] = (uint64_t)r.b;
    s[2] = fake_f64_bits(r.c);
}
static void t_vec(void *i, uint64_t *s) {
    (void)i;
    s[0] = 0x7FC00000ull | (uint64_t)fake_f32_bits(1.0f) << 32;
    s[1] = fake_f32_bits(2.0f) | (uint64_t)0x7FC00001u << 32;
}
static void t_ext(void *i, uint64_t *s) { (void)i; (void)s; /* identity: result slot = argument slot */ }
static void t_fref(void *i, uint64_t *s) { s[0] = (uint64_t)(uintptr_t)&((m0_inst *)i)->f_add; }
static void t_nullf(void *i, uint64_t *s) { (void)i; s[0] = 0; }
static void t_rec(void *i, uint64_t *s) { s[0] = (uint32_t)m0_rec(i); }
static void t_crash(void *i, uint64_t *s) {
    (void)i;
    (void)s;
    /* a host bug, not a trap: SIGSEGV outside any guard region */
    *(volatile int *)(uintptr_t)16 = 1;
}

static void t_spin(void *i, uint64_t *s) {
    (void)i;
    (void)s;
    for (volatile int forever = 1; forever;) {
    }
}

#define M0(f) FAKE_OFF(m0_inst, f)
static const wasmaot_export_desc m0_exports[] = {
    {"mem", WASMAOT_EXTERN_MEMORY, M0(mem_slot), NULL, NULL, sizeof "mem" - 1},
    {"g", WASMAOT_EXTERN_GLOBAL, M0(g_slot), "i32", NULL, sizeof "g" - 1},
    {"tab", WASMAOT_EXTERN_TABLE, M0(tab_slot), "funcref", NULL, sizeof "tab" - 1},
    {"add", WASMAOT_EXTERN_FUNC, M0(f_add), "(i32,i32)->(i32)", t_add, sizeof "add" - 1},
    {"div", WASMAOT_EXTERN_FUNC, M0(f_div), "(i32,i32)->(i32)", t_div, sizeof "div" - 1},
    {"nan32", WASMAOT_EXTERN_FUNC, M0(f_nan32), "()->(f32)", t_nan32, sizeof "nan32" - 1},
    {"arith32", WASMAOT_EXTERN_FUNC, M0(f_arith32), "()->(f32)", t_arith32, sizeof "arith32" - 1},
    {"nan64", WASMAOT_EXTERN_FUNC, M0(f_nan64), "()->(f64)", t_nan64, sizeof "nan64" - 1},
    {"multi", WASMAOT_EXTERN_FUNC, M0(f_multi), "(i64)->(i32,i64,f64)", t_multi, sizeof "multi" - 1},
    {"vec", WASMAOT_EXTERN_FUNC, M0(f_vec), "()->(v128)", t_vec, sizeof "vec" - 1},
    {"ext", WASMAOT_EXTERN_FUNC, M0(f_ext), "(externref)->(externref)", t_ext, sizeof "ext" - 1},
    {"fref", WASMAOT_EXTERN_FUNC, M0(f_fref), "()->(funcref)", t_fref, sizeof "fref" - 1},
    {"nullf", WASMAOT_EXTERN_FUNC, M0(f_nullf), "()->(funcref)", t_nullf, sizeof "nullf" - 1},
    {"rec", WASMAOT_EXTERN_FUNC, M0(f_rec), "()->(i32)", t_rec, sizeof "rec" - 1},
    {"crash", WASMAOT_EXTERN_FUNC, M0(f_crash), "()->()", t_crash, sizeof "crash" - 1},
    {"spin", WASMAOT_EXTERN_FUNC, M0(f_spin), "()->()", t_spin, sizeof "spin" - 1},
};

static int m0_instantiate(void *instance) {
    m0_inst *in = instance;
    /* read the mode marker, as generated code must (a mismatch is a link error) */
    volatile uint32_t marker = WASMAOT_RT_BOUNDS_MARKER;
    (void)marker;
    if (wasmaot_memory_new(&in->mem, 1, 2, WASMAOT_MEMORY_HAS_MAX)) return -1;
    if (wasmaot_table_new(&in->tab, WASMAOT_REF_FUNCREF, 3, 0, 0)) return -1;
    in->mem_slot = &in->mem;
    in->tab_slot = &in->tab;
    in->g = 42;
    in->g_slot = &in->g;
    fake_func(&in->f_add, (const void *)m0_add, "(i32,i32)->(i32)", in);
    fake_func(&in->f_div, (const void *)m0_div, "(i32,i32)->(i32)", in);
    fake_func(&in->f_multi, (const void *)m0_multi, "(i64)->(i32,i64,f64)", in);
    fake_func(&in->f_rec, (const void *)m0_rec, "()->(i32)", in);
    return 0;
}

const wasmaot_module_desc m0_module = {
    WASMAOT_RT_ABI_VERSION, sizeof(m0_inst), 0, sizeof m0_exports / sizeof m0_exports[0],
    NULL, m0_exports, m0_instantiate,
};

/* ------------------------------------------------------------------ m1 */

typedef struct m1_inst {
    wasmaot_funcref imp_add, imp_print;
    void *imp_g;
    wasmaot_memory *imp_spmem, *imp_m0mem;
    wasmaot_funcref f_sum3, f_gi, f_pages;
} m1_inst;

static int32_t m1_sum3(void *inst, int32_t x) {
    m1_inst *in = inst;
    ((void (*)(void *, int32_t))in->imp_print.func)(in->imp_print.instance, x);
    return ((int32_t(*)(void *, int32_t, int32_t))in->imp_add.func)(in->imp_add.instance, x, 3);
}
static void t_sum3(void *i, uint64_t *s) { s[0] = (uint32_t)m1_sum3(i, (int32_t)(uint32_t)s[0]); }
static void t_gi(void *i, uint64_t *s) { s[0] = *(uint32_t *)((m1_inst *)i)->imp_g; }
static void t_pages(void *i, uint64_t *s) {
    m1_inst *in = i;
    s[0] = in->imp_spmem->pages * 10u + in->imp_m0mem->pages;
}

#define M1(f) FAKE_OFF(m1_inst, f)
static const wasmaot_import_desc m1_imports[] = {
    {"M0", "add", WASMAOT_EXTERN_FUNC, M1(imp_add), "(i32,i32)->(i32)", 0, FAKE_NO_MAX, 0, sizeof "M0" - 1, sizeof "add" - 1},
    {"spectest", "print_i32", WASMAOT_EXTERN_FUNC, M1(imp_print), "(i32)->()", 0, FAKE_NO_MAX, 0, sizeof "spectest" - 1, sizeof "print_i32" - 1},
    {"spectest", "global_i32", WASMAOT_EXTERN_GLOBAL, M1(imp_g), "i32", 0, FAKE_NO_MAX, 0, sizeof "spectest" - 1, sizeof "global_i32" - 1},
    {"spectest", "memory", WASMAOT_EXTERN_MEMORY, M1(imp_spmem), NULL, 1, FAKE_NO_MAX, 0, sizeof "spectest" - 1, sizeof "memory" - 1},
    {"M0", "mem", WASMAOT_EXTERN_MEMORY, M1(imp_m0mem), NULL, 1, 2, 1, sizeof "M0" - 1, sizeof "mem" - 1},
};
static const wasmaot_export_desc m1_exports[] = {
    {"sum3", WASMAOT_EXTERN_FUNC, M1(f_sum3), "(i32)->(i32)", t_sum3, sizeof "sum3" - 1},
    {"gi", WASMAOT_EXTERN_FUNC, M1(f_gi), "()->(i32)", t_gi, sizeof "gi" - 1},
    {"pages", WASMAOT_EXTERN_FUNC, M1(f_pages), "()->(i32)", t_pages, sizeof "pages" - 1},
};
static int m1_instantiate(void *instance) {
    m1_inst *in = instance;
    fake_func(&in->f_sum3, (const void *)m1_sum3, "(i32)->(i32)", in);
    return 0;
}
const wasmaot_module_desc m1_module = {
    WASMAOT_RT_ABI_VERSION, sizeof(m1_inst), 5, 3, m1_imports, m1_exports, m1_instantiate,
};

/* ---------------------------------------------- m2..m5: unlinkable ones */

typedef struct imp_inst { wasmaot_funcref f; void *p; } imp_inst;

static int never(void *instance) { (void)instance; wasmaot_trap(WASMAOT_TRAP_HOST); }

static const wasmaot_import_desc m2_imports[] = {
    {"spectest", "nope", WASMAOT_EXTERN_FUNC, 0, "()->()", 0, FAKE_NO_MAX, 0, sizeof "spectest" - 1, sizeof "nope" - 1},
};
static const wasmaot_import_desc m3_imports[] = {
    {"spectest", "print_i32", WASMAOT_EXTERN_FUNC, 0, "(i64)->()", 0, FAKE_NO_MAX, 0, sizeof "spectest" - 1, sizeof "print_i32" - 1},
};
static const wasmaot_import_desc m4_imports[] = {
    {"spectest", "memory", WASMAOT_EXTERN_MEMORY, FAKE_OFF(imp_inst, p), NULL, 3, FAKE_NO_MAX, 0, sizeof "spectest" - 1, sizeof "memory" - 1},
};
static const wasmaot_import_desc m5_imports[] = {
    {"spectest", "table", WASMAOT_EXTERN_TABLE, FAKE_OFF(imp_inst, p), "funcref", 11, FAKE_NO_MAX, 0, sizeof "spectest" - 1, sizeof "table" - 1},
};
const wasmaot_module_desc m2_module = {WASMAOT_RT_ABI_VERSION, sizeof(imp_inst), 1, 0, m2_imports, NULL, never};
const wasmaot_module_desc m3_module = {WASMAOT_RT_ABI_VERSION, sizeof(imp_inst), 1, 0, m3_imports, NULL, never};
const wasmaot_module_desc m4_module = {WASMAOT_RT_ABI_VERSION, sizeof(imp_inst), 1, 0, m4_imports, NULL, never};
const wasmaot_module_desc m5_module = {WASMAOT_RT_ABI_VERSION, sizeof(imp_inst), 1, 0, m5_imports, NULL, never};

/* ------------------------------------------- m6, m7: trap at instantiation */

static int start_unreachable(void *instance) { (void)instance; wasmaot_trap(WASMAOT_TRAP_UNREACHABLE); }
static int data_oob(void *instance) { (void)instance; wasmaot_trap(WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS); }
const wasmaot_module_desc m6_module = {WASMAOT_RT_ABI_VERSION, 16, 0, 0, NULL, NULL, start_unreachable};
const wasmaot_module_desc m7_module = {WASMAOT_RT_ABI_VERSION, 16, 0, 0, NULL, NULL, data_oob};
