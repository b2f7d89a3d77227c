/*
 * Test-only host of the differential fuzzer (tests/fuzz/differential.py).
 *
 * Linked with the modules named by DIFF_MODULES (compiled with -D, an
 * X-macro list of symbol prefixes, X(m0)X(m1)...: descriptors `m0_module`,
 * ...; default one module, prefix `wasm`), the runtime and
 * runtime-c/host/host_link.c.  It reads a call script from the file named
 * by argv[1] and runs it, printing after every step what the Python side
 * compares with wasmtime.  Batches of modules in one executable are the
 * long run's economy: one link and one process for many modules.
 *
 * Script, one command per line (names are hex so any byte works):
 *     module <k>                        instantiate module k (no imports:
 *                                       the fuzzer generates none); the
 *                                       calls that follow go to it.  A
 *                                       script that starts with a call
 *                                       instantiates module 0 first.
 *     call x<name-hex> <slot-hex>...    one 64-bit slot per argument, two
 *                                       for a v128 (low half first); the
 *                                       `x` keeps an empty name a token.
 *                                       Ignored after a failed instantiation.
 *
 * Output (stdout, line-buffered, so a crash loses nothing already printed):
 *     module <k>                        (echo of the command)
 *     inst ok | inst trap <code> | inst fail
 *     ret <value>...                    results, see fmt_value
 *     trap <code>                       the call trapped (code: wasmaot_rt.h)
 *     state <name-hex>=<value> ...      every exported memory, table and
 *                                       global, in export order, after each
 *                                       call (and after instantiation)
 *     error <why>                       a script line we could not run
 * Values: i32:%08x i64:%016x f32:%08x f64:%016x v128:<hi%016x><lo%016x>,
 * funcref/externref: null | ref; memories mem:<pages>:<crc32 of the bytes>,
 * tables table:<size>:<crc32 of one byte per element, 1 = non-null>.  The
 * CRC is zlib's crc32 (Python computes the same with zlib.crc32).
 * Exit status: 0, or 3 if the setup failed.
 */
#include "wasmaot_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef DIFF_MODULES
#define DIFF_MODULES X(wasm)
#endif
#define X(p) extern const wasmaot_module_desc p##_module;
DIFF_MODULES
#undef X
#define X(p) &p##_module,
static const wasmaot_module_desc *const modules[] = {DIFF_MODULES};
#undef X
#define N_MODULES (sizeof modules / sizeof modules[0])

/* ------------------------------------------------------------------ crc32 */

static uint32_t crc_table[256];

static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t crc_update(uint32_t crc, const uint8_t *p, size_t n) {
    crc = ~crc;
    while (n--) crc = crc_table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

/* ----------------------------------------------------------------- values */

static void print_value(uint8_t vt, const uint64_t *s) {
    switch (vt) {
    case WASMAOT_VT_I32: printf("i32:%08x", (uint32_t)s[0]); break;
    case WASMAOT_VT_F32: printf("f32:%08x", (uint32_t)s[0]); break;
    case WASMAOT_VT_I64: printf("i64:%016llx", (unsigned long long)s[0]); break;
    case WASMAOT_VT_F64: printf("f64:%016llx", (unsigned long long)s[0]); break;
    case WASMAOT_VT_V128:
        printf("v128:%016llx%016llx", (unsigned long long)s[1], (unsigned long long)s[0]);
        break;
    case WASMAOT_VT_FUNCREF: {
        const wasmaot_funcref *f = (const wasmaot_funcref *)(uintptr_t)s[0];
        printf("funcref:%s", f && f->func ? "ref" : "null");
        break;
    }
    case WASMAOT_VT_EXTERNREF: printf("externref:%s", s[0] ? "ref" : "null"); break;
    default: printf("?"); break;
    }
}

static void print_hex(const char *name, size_t len) {
    for (size_t i = 0; i < len; i++) printf("%02x", (unsigned char)name[i]);
}

/* --------------------------------------------------------------- state */

static void print_global(void *inst, const wasmaot_export_desc *e) {
    int vt = wasmaot_global_vt(e->type, NULL);
    const void *storage = *(void *const *)wasmaot_host_slot(inst, e->offset);
    uint64_t s[2] = {0, 0};
    if (vt == WASMAOT_VT_I32 || vt == WASMAOT_VT_F32) {
        uint32_t v;
        memcpy(&v, storage, 4);
        s[0] = v;
    } else if (vt == WASMAOT_VT_V128) {
        memcpy(s, storage, 16);
    } else if (vt == WASMAOT_VT_FUNCREF || vt == WASMAOT_VT_EXTERNREF) {
        void *p;
        memcpy(&p, storage, sizeof p);
        s[0] = (uint64_t)(uintptr_t)p;
    } else {
        memcpy(s, storage, 8);
    }
    print_value((uint8_t)vt, s);
}

static void print_table(void *inst, const wasmaot_export_desc *e) {
    const wasmaot_table *t = *(wasmaot_table *const *)wasmaot_host_slot(inst, e->offset);
    uint32_t crc = 0;
    for (uint32_t i = 0; i < t->size; i++) {
        uint8_t live;
        if (t->kind == WASMAOT_REF_FUNCREF) live = ((const wasmaot_funcref *)t->elements)[i].func != NULL;
        else live = ((const wasmaot_externref *)t->elements)[i] != NULL;
        crc = crc_update(crc, &live, 1);
    }
    printf("table:%u:%08x", t->size, crc);
}

static void print_memory(void *inst, const wasmaot_export_desc *e) {
    const wasmaot_memory *m = *(wasmaot_memory *const *)wasmaot_host_slot(inst, e->offset);
    printf("mem:%u:%08x", m->pages, crc_update(0, m->base, (size_t)m->size_bytes));
}

/* Exports the state leaves out, as wasmtime_ref.exports_of does: functions
 * (called, not printed), tags (an exception's identity is not observable
 * from outside), and globals and tables of a typed reference type: the
 * descriptor spells one as its erased name, '#' and the heap type
 * ("externref#nexn" is exnref), and the fuzzer's modules have no typed
 * references but exnref, which wasmtime_ref has no value kind for. */
static int stateless(const wasmaot_export_desc *e) {
    if (e->kind == WASMAOT_EXTERN_FUNC || e->kind == WASMAOT_EXTERN_TAG) return 1;
    if (e->kind == WASMAOT_EXTERN_GLOBAL || e->kind == WASMAOT_EXTERN_TABLE)
        return e->type == NULL || strchr(e->type, '#') != NULL;
    return 0;
}

static void print_state(const wasmaot_module_desc *d, void *inst) {
    printf("state");
    for (uint32_t i = 0; i < d->n_exports; i++) {
        const wasmaot_export_desc *e = &d->exports[i];
        if (stateless(e)) continue;
        putchar(' ');
        print_hex(e->name, e->name_len);
        putchar('=');
        if (e->kind == WASMAOT_EXTERN_GLOBAL) print_global(inst, e);
        else if (e->kind == WASMAOT_EXTERN_TABLE) print_table(inst, e);
        else print_memory(inst, e);
    }
    putchar('\n');
}

/* ---------------------------------------------------------------- calls */

static int unhex_name(const char *hex, char *out, size_t cap, size_t *len) {
    if (*hex++ != 'x') return -1;
    size_t n = strlen(hex);
    if (n % 2 || n / 2 >= cap) return -1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1) return -1;
        out[i] = (char)v;
    }
    *len = n / 2;
    out[*len] = '\0';
    return 0;
}

/* One `call` line (already split at spaces: tok[1] the name, tok[2..] slots). */
static void run_call(const wasmaot_module_desc *d, void *inst, char **tok, int ntok) {
    char name[4096];
    size_t len;
    if (ntok < 2 || unhex_name(tok[1], name, sizeof name, &len)) {
        printf("error bad call line\n");
        return;
    }
    const wasmaot_export_desc *exp = wasmaot_host_find_export_n(d, name, len);
    wasmaot_sig sig;
    if (!exp || exp->kind != WASMAOT_EXTERN_FUNC || wasmaot_sig_parse(exp->type, &sig)) {
        printf("error no function export %s\n", tok[1]);
        return;
    }
    if ((uint32_t)(ntok - 2) != sig.param_slots) {
        printf("error %s takes %u slots, given %d\n", tok[1], sig.param_slots, ntok - 2);
        wasmaot_sig_free(&sig);
        return;
    }
    uint64_t *slots = calloc(wasmaot_sig_call_slots(&sig), sizeof *slots);
    if (!slots) exit(3);
    for (int i = 2; i < ntok; i++) slots[i - 2] = strtoull(tok[i], NULL, 16);
    wasmaot_trap_code code = wasmaot_host_call(exp, inst, slots);
    if (code) {
        printf("trap %u\n", code);
    } else {
        printf("ret");
        for (uint32_t i = 0, s = 0; i < sig.n_results; i++) {
            putchar(' ');
            print_value(sig.results[i], &slots[s]);
            s += wasmaot_vt_slots(sig.results[i]);
        }
        putchar('\n');
    }
    free(slots);
    wasmaot_sig_free(&sig);
    print_state(d, inst);
}

/* Instantiate module k; prints its inst line (and state).  The instance, or
 * NULL if instantiation failed (its calls are then skipped). */
static void *start_module(unsigned long k, const wasmaot_module_desc **out) {
    if (k >= N_MODULES) {
        printf("error no module %lu\n", k);
        return NULL;
    }
    const wasmaot_module_desc *d = modules[k];
    void *inst = d->abi_version == WASMAOT_RT_ABI_VERSION && d->n_imports == 0
                     ? wasmaot_host_alloc_instance(d) : NULL;
    if (!inst) {
        printf("inst fail\n");
        return NULL;
    }
    int status = 0;
    wasmaot_trap_code code = wasmaot_host_instantiate(d, inst, &status);
    if (code) {
        printf("inst trap %u\n", code);
        return NULL;
    }
    if (status) {
        printf("inst fail\n");
        return NULL;
    }
    printf("inst ok\n");
    print_state(d, inst);
    *out = d;
    return inst;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    crc_init();
    if (argc != 2) {
        fprintf(stderr, "usage: %s SCRIPT\n", argv[0]);
        return 3;
    }
    FILE *script = fopen(argv[1], "r");
    if (!script || wasmaot_rt_init(1, argv) != 0) return 3;
    const wasmaot_module_desc *d = NULL;
    void *inst = NULL;
    int started = 0;
    static char line[1 << 16];
    while (fgets(line, sizeof line, script)) {
        char *tok[600];
        int ntok = 0;
        for (char *t = strtok(line, " \n"); t && ntok < 600; t = strtok(NULL, " \n")) tok[ntok++] = t;
        if (ntok == 0) continue;
        if (strcmp(tok[0], "module") == 0 && ntok == 2) {
            unsigned long k = strtoul(tok[1], NULL, 10);
            printf("module %lu\n", k);
            inst = start_module(k, &d);
            started = 1;
        } else if (strcmp(tok[0], "call") == 0) {
            if (!started) {
                inst = start_module(0, &d);
                started = 1;
            }
            if (inst) run_call(d, inst, tok, ntok);
        } else {
            printf("error unknown command %s\n", tok[0]);
        }
    }
    if (!started) start_module(0, &d);
    fflush(stdout);
    return 0;
}
