/*
 * A hand-written "module compiled with prefix wasm" for the standalone main
 * (runtime-c/host/standalone_main.c).  -DWITH_START=1 adds a `_start`
 * export; -DWITH_IMPORT=1 adds an import nobody provides.
 */
#include "fake.h"

#include <stdio.h>

typedef struct inst {
    wasmaot_funcref f[8];
    wasmaot_funcref imp;
} inst;

static void t_add(void *i, uint64_t *s) { (void)i; s[0] = (uint32_t)((uint32_t)s[0] + (uint32_t)s[1]); }
static void t_floats(void *i, uint64_t *s) {
    (void)i;
    s[0] = fake_f32_bits(1.0f);
    s[1] = fake_f64_bits(0.1);
    s[2] = fake_f32_bits(-0.0f);
    s[3] = fake_f64_bits(1e21);
    s[4] = fake_f32_bits(-1.0f / 0.0f);
    s[5] = 0x7FC00000u;
    s[6] = fake_f64_bits(-1.5e-7);
    s[7] = fake_f32_bits(3.4028235e38f);
}
static void t_id64(void *i, uint64_t *s) { (void)i; (void)s; }
static void t_trap(void *i, uint64_t *s) { (void)i; (void)s; wasmaot_trap(WASMAOT_TRAP_UNREACHABLE); }
static void t_v(void *i, uint64_t *s) { (void)i; (void)s; }
static void t_refs(void *i, uint64_t *s) { s[0] = 0; s[1] = (uint64_t)(uintptr_t)&((inst *)i)->f[0]; }
static void t_fid(void *i, uint64_t *s) { (void)i; (void)s; }
#if WITH_START
static void t_start(void *i, uint64_t *s) {
    (void)i; (void)s;
    printf("started with %d args:", wasmaot_rt_argc);
    for (int k = 1; k < wasmaot_rt_argc; k++) printf(" %s", wasmaot_rt_argv[k]);
    printf("\n");
}
#endif

#define OFF(k) FAKE_OFF(inst, f[k])
static const wasmaot_export_desc exports[] = {
    {"add", WASMAOT_EXTERN_FUNC, OFF(0), "(i32,i32)->(i32)", t_add, sizeof "add" - 1},
    {"floats", WASMAOT_EXTERN_FUNC, OFF(1), "()->(f32,f64,f32,f64,f32,f32,f64,f32)", t_floats, sizeof "floats" - 1},
    {"id64", WASMAOT_EXTERN_FUNC, OFF(2), "(i64)->(i64)", t_id64, sizeof "id64" - 1},
    {"trap", WASMAOT_EXTERN_FUNC, OFF(3), "()->()", t_trap, sizeof "trap" - 1},
    {"v", WASMAOT_EXTERN_FUNC, OFF(4), "(v128)->(v128)", t_v, sizeof "v" - 1},
    {"refs", WASMAOT_EXTERN_FUNC, OFF(5), "()->(externref,funcref)", t_refs, sizeof "refs" - 1},
    {"fid", WASMAOT_EXTERN_FUNC, OFF(6), "(f32,f64)->(f32,f64)", t_fid, sizeof "fid" - 1},
#if WITH_START
    {"_start", WASMAOT_EXTERN_FUNC, OFF(7), "()->()", t_start, sizeof "_start" - 1},
#endif
};

#if WITH_IMPORT
static const wasmaot_import_desc imports[] = {
    {"env", "foo", WASMAOT_EXTERN_FUNC, FAKE_OFF(inst, imp), "()->()", 0, FAKE_NO_MAX, 0, sizeof "env" - 1, sizeof "foo" - 1},
};
#define N_IMPORTS 1u
#else
#define imports NULL
#define N_IMPORTS 0u
#endif

static int instantiate(void *instance) {
    inst *in = instance;
    fake_func(&in->f[0], (const void *)t_add, "(i32,i32)->(i32)", in);
    return 0;
}

const wasmaot_module_desc wasm_module = {
    WASMAOT_RT_ABI_VERSION, sizeof(inst), N_IMPORTS, sizeof exports / sizeof exports[0],
    imports, exports, instantiate,
};
