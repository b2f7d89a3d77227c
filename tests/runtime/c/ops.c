/*
 * Prints a transcript of memory, table and signature-registry operations,
 * one line per operation: "<operation> -> <result>".  The expected
 * transcript lives in tests/runtime/test_ops.py, so the semantics under test
 * are readable there; this program only performs and reports.
 */
#include "harness.h"

#include <inttypes.h>

/* ------------------------------------------------------------ memory ops */

enum { M_FILL, M_COPY, M_INIT, M_INIT_SEG, M_PTR };

typedef struct {
    int op;
    wasmaot_memory *m, *m2;
    uint32_t d, s, n, v;
    const uint8_t *src;
    uint32_t len;
    const wasmaot_segment *seg;
} mop;

static void run_mop(void *p) {
    mop *o = (mop *)p;
    switch (o->op) {
    case M_FILL: wasmaot_memory_fill(o->m, o->d, o->v, o->n); break;
    case M_COPY: wasmaot_memory_copy(o->m, o->m2 ? o->m2 : o->m, o->d, o->s, o->n); break;
    case M_INIT: wasmaot_memory_init(o->m, o->d, o->src, o->len, o->s, o->n); break;
    case M_INIT_SEG: wasmaot_memory_init_segment(o->m, o->seg, o->d, o->s, o->n); break;
    case M_PTR: wasmaot_memory_checked_ptr(o->m, o->d, o->n); break;
    }
}

static void fill(wasmaot_memory *m, uint32_t d, uint32_t v, uint32_t n) {
    mop o = {.op = M_FILL, .m = m, .d = d, .v = v, .n = n};
    printf("fill(d=%" PRIu32 ",v=0x%" PRIx32 ",n=%" PRIu32 ") -> %s\n", d, v, n, h_result(h_try(run_mop, &o)));
}
static void copy(wasmaot_memory *m, wasmaot_memory *m2, uint32_t d, uint32_t s, uint32_t n) {
    mop o = {.op = M_COPY, .m = m, .m2 = m2, .d = d, .s = s, .n = n};
    printf("copy(d=%" PRIu32 ",s=%" PRIu32 ",n=%" PRIu32 ")%s -> %s\n", d, s, n, m2 ? " from m2" : "",
           h_result(h_try(run_mop, &o)));
}
static void init(wasmaot_memory *m, uint32_t d, const char *src, uint32_t s, uint32_t n) {
    mop o = {.op = M_INIT, .m = m, .d = d, .s = s, .n = n, .src = (const uint8_t *)src, .len = (uint32_t)strlen(src)};
    printf("init(d=%" PRIu32 ",\"%s\",s=%" PRIu32 ",n=%" PRIu32 ") -> %s\n", d, src, s, n, h_result(h_try(run_mop, &o)));
}
static void init_seg(wasmaot_memory *m, const wasmaot_segment *seg, uint32_t d, uint32_t s, uint32_t n) {
    mop o = {.op = M_INIT_SEG, .m = m, .seg = seg, .d = d, .s = s, .n = n};
    printf("init_segment(d=%" PRIu32 ",s=%" PRIu32 ",n=%" PRIu32 ")%s -> %s\n", d, s, n,
           seg->dropped ? " dropped" : "", h_result(h_try(run_mop, &o)));
}
static void ptr(wasmaot_memory *m, uint32_t a, uint32_t n) {
    mop o = {.op = M_PTR, .m = m, .d = a, .n = n};
    printf("checked_ptr(%" PRIu32 ",%" PRIu32 ") -> %s\n", a, n, h_result(h_try(run_mop, &o)));
}
static void bytes(wasmaot_memory *m, uint32_t at, uint32_t n) {
    printf("bytes[%" PRIu32 "..%" PRIu32 "] =", at, at + n);
    for (uint32_t i = 0; i < n; i++) printf(" %02x", m->base[at + i]);
    printf("\n");
}
/* set when a grow moved `base` (compared grow by grow: a memory that moves
 * twice may come back to where it started, 2 MiB-aligned reservations make
 * that likely) */
static int base_moved;
static void grow(wasmaot_memory *m, uint32_t delta) {
    uint8_t *before = m->base;
    int32_t r = wasmaot_memory_grow(m, delta);
    base_moved |= m->base != before;
    printf("grow(%" PRIu32 ") -> %" PRId32 " pages=%" PRIu32 " size=%" PRIu64 "\n", delta, r, m->pages, m->size_bytes);
}
static int all_zero(const uint8_t *p, uint64_t n) {
    for (uint64_t i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

static void memory_section(void) {
    printf("== memory lifecycle\n");
    wasmaot_memory m;
    int r = h_memory_new(&m, 1, 3, WASMAOT_MEMORY_HAS_MAX);
    printf("new(1,max=3) -> %d pages=%" PRIu32 " size=%" PRIu64 " max=%" PRIu32 " zeroed=%s\n", r, m.pages,
           m.size_bytes, m.max_pages, all_zero(m.base, m.size_bytes) ? "yes" : "no");
    m.base[0] = 0x11;
    m.base[65535] = 0x22;
    base_moved = 0;
    grow(&m, 0);
    grow(&m, 1);
    printf("data kept: %s; new page zero: %s\n", m.base[0] == 0x11 && m.base[65535] == 0x22 ? "yes" : "no",
           all_zero(m.base + 65536, 65536) ? "yes" : "no");
    m.base[131071] = 0x33;
    grow(&m, 2);
    grow(&m, 1);
    grow(&m, 1);
    grow(&m, 0);
    printf("data kept: %s; new page zero: %s\n",
           m.base[0] == 0x11 && m.base[65535] == 0x22 && m.base[131071] == 0x33 ? "yes" : "no",
           all_zero(m.base + 131072, 65536) ? "yes" : "no");
    printf("base unchanged by grow: %s\n", base_moved ? "no" : "yes");
    printf("capacity >= size: %s\n", m.capacity_bytes >= m.size_bytes ? "yes" : "no");
    wasmaot_memory_free(&m);
    printf("free -> base=%s pages=%" PRIu32 "\n", m.base ? "set" : "NULL", m.pages);

    wasmaot_memory e;
    r = h_memory_new(&e, 0, 0, 0);
    printf("new(0,no max) -> %d pages=%" PRIu32 " max=%" PRIu32 " base=%s\n", r, e.pages, e.max_pages,
           e.base ? "set" : "NULL");
    grow(&e, 65537);
    grow(&e, 0xFFFFFFFFu);
    grow(&e, 0);
    fill(&e, 0, 0, 0);
    fill(&e, 1, 0, 0);
    ptr(&e, 0, 0);
    grow(&e, 1);
    wasmaot_memory_free(&e);

    wasmaot_memory bad;
    printf("new(2,max=1) -> %d\n", h_memory_new(&bad, 2, 1, WASMAOT_MEMORY_HAS_MAX));
    printf("new(0,max=65537) -> %d\n", h_memory_new(&bad, 0, 65537, WASMAOT_MEMORY_HAS_MAX));
}

static void bulk_section(void) {
    printf("== bulk memory\n");
    wasmaot_memory m, m2;
    h_memory_new(&m, 1, 1, WASMAOT_MEMORY_HAS_MAX);
    h_memory_new(&m2, 1, 1, WASMAOT_MEMORY_HAS_MAX);

    fill(&m, 10, 0x1AB, 4);
    bytes(&m, 9, 6);
    fill(&m, 65536, 0x77, 0);
    fill(&m, 65537, 0x77, 0);
    fill(&m, 65535, 0x77, 1);
    fill(&m, 65534, 0x66, 3);
    bytes(&m, 65534, 2);
    fill(&m, 0xFFFFFFFFu, 0x55, 2);
    fill(&m, 1, 0x55, 0xFFFFFFFFu);
    bytes(&m, 0, 2);

    for (uint32_t i = 0; i < 8; i++) m.base[100 + i] = (uint8_t)(i + 1);
    copy(&m, NULL, 102, 100, 6);
    bytes(&m, 100, 8);
    copy(&m, NULL, 100, 102, 6);
    bytes(&m, 100, 8);
    copy(&m, NULL, 65536, 0, 0);
    copy(&m, NULL, 0, 65536, 0);
    copy(&m, NULL, 65537, 0, 0);
    copy(&m, NULL, 0, 65537, 0);
    copy(&m, NULL, 65530, 100, 7);
    bytes(&m, 65530, 6);
    copy(&m, NULL, 100, 65530, 7);
    bytes(&m, 100, 7);
    m2.base[0] = 0xEE;
    m2.base[1] = 0xFF;
    copy(&m, &m2, 200, 0, 2);
    bytes(&m, 200, 2);
    copy(&m, &m2, 200, 65535, 2);

    init(&m, 300, "hello", 0, 5);
    bytes(&m, 300, 5);
    init(&m, 300, "hello", 1, 3);
    bytes(&m, 300, 5);
    init(&m, 300, "hello", 5, 0);
    init(&m, 300, "hello", 6, 0);
    init(&m, 300, "hello", 2, 4);
    init(&m, 65536, "hello", 0, 0);
    init(&m, 65537, "hello", 0, 0);
    init(&m, 65535, "hello", 0, 2);
    bytes(&m, 65535, 1);
    init(&m, 0, "", 0, 0);

    wasmaot_segment seg = {.data = "abc", .size = 3, .dropped = 0};
    init_seg(&m, &seg, 400, 0, 3);
    bytes(&m, 400, 3);
    wasmaot_segment_drop(&seg);
    init_seg(&m, &seg, 400, 0, 0);
    init_seg(&m, &seg, 400, 0, 1);
    init_seg(&m, &seg, 400, 1, 0);
    printf("segment_len(dropped) = %" PRIu32 "\n", wasmaot_segment_len(&seg));

    ptr(&m, 65535, 1);
    ptr(&m, 65535, 2);
    ptr(&m, 65536, 0);
    ptr(&m, 65537, 0);
    wasmaot_memory_free(&m);
    wasmaot_memory_free(&m2);
}

/* ------------------------------------------------------------- table ops */

enum { T_GET, T_SET, T_FILL, T_COPY, T_INIT, T_INIT_SEG, T_CALL };

typedef struct {
    int op;
    wasmaot_table *t, *t2;
    uint32_t i, s, n, type;
    const void *val;
    void *out;
    const void *src;
    uint32_t len;
    const wasmaot_segment *seg;
} top;

static void run_top(void *p) {
    top *o = (top *)p;
    switch (o->op) {
    case T_GET: wasmaot_table_get(o->t, o->i, o->out); break;
    case T_SET: wasmaot_table_set(o->t, o->i, o->val); break;
    case T_FILL: wasmaot_table_fill(o->t, o->i, o->val, o->n); break;
    case T_COPY: wasmaot_table_copy(o->t, o->t2 ? o->t2 : o->t, o->i, o->s, o->n); break;
    case T_INIT: wasmaot_table_init(o->t, o->i, o->src, o->len, o->s, o->n); break;
    case T_INIT_SEG: wasmaot_table_init_segment(o->t, o->seg, o->i, o->s, o->n); break;
    case T_CALL: {
        const wasmaot_funcref *f = wasmaot_call_indirect_check(o->t, o->i, o->type);
        int (*fn)(void *, int) = (int (*)(void *, int))f->func;
        printf("  called: %d\n", fn(f->instance, 20));
        break;
    }
    }
}

static int fn_a(void *inst, int x) { return x + 1 + (inst ? *(int *)inst : 0); }
static int fn_b(void *inst, int x) { return x * 2 + (inst ? *(int *)inst : 0); }
static int fn_c(void *inst, int x) { return x - 3 + (inst ? *(int *)inst : 0); }

/* Name of a funcref for the transcript: a, b, c or null. */
static const char *fname(const wasmaot_funcref *f) {
    if (f->func == NULL) return "null";
    if (f->func == (const void *)fn_a) return "a";
    if (f->func == (const void *)fn_b) return "b";
    if (f->func == (const void *)fn_c) return "c";
    return "?";
}

static void show_table(wasmaot_table *t) {
    printf("table size=%" PRIu32 " [", t->size);
    for (uint32_t i = 0; i < t->size; i++) printf("%s%s", i ? " " : "", fname((wasmaot_funcref *)t->elements + i));
    printf("]\n");
}

static void tcall(const char *what, top *o) {
    printf("%s -> %s\n", what, h_result(h_try(run_top, o)));
}

static void table_section(void) {
    printf("== tables\n");
    uint32_t sig_ii = wasmaot_rt_intern_signature("(i32)->(i32)");
    uint32_t sig_v = wasmaot_rt_intern_signature("()->()");
    static int inst_val = 100;
    wasmaot_funcref A = {(const void *)fn_a, sig_ii, NULL};
    wasmaot_funcref B = {(const void *)fn_b, sig_ii, &inst_val};
    wasmaot_funcref C = {(const void *)fn_c, sig_v, NULL};
    wasmaot_funcref NUL = {NULL, 0, NULL};
    wasmaot_funcref out;

    wasmaot_table t;
    printf("new(funcref,2,max=6) -> %d\n", h_table_new(&t, WASMAOT_REF_FUNCREF, 2, 6, WASMAOT_TABLE_HAS_MAX));
    show_table(&t);
    top o = {.op = T_GET, .t = &t, .i = 1, .out = &out};
    tcall("get(1)", &o);
    printf("  = %s\n", fname(&out));
    o.i = 2;
    tcall("get(2)", &o);
    o = (top){.op = T_SET, .t = &t, .i = 2, .val = &A};
    tcall("set(2,a)", &o);
    o.i = 0;
    tcall("set(0,a)", &o);
    printf("grow(1,b) -> %" PRIu32 "\n", wasmaot_table_grow(&t, &B, 1));
    printf("grow(4,c) -> %" PRIu32 "\n", wasmaot_table_grow(&t, &C, 4));
    printf("grow(3,c) -> %" PRIu32 "\n", wasmaot_table_grow(&t, &C, 3));
    printf("grow(0,c) -> %" PRIu32 "\n", wasmaot_table_grow(&t, &C, 0));
    show_table(&t);

    o = (top){.op = T_FILL, .t = &t, .i = 1, .val = &B, .n = 2};
    tcall("fill(1,b,2)", &o);
    show_table(&t);
    o.i = 6; o.n = 0;
    tcall("fill(6,b,0)", &o);
    o.i = 7; o.n = 0;
    tcall("fill(7,b,0)", &o);
    o.i = 5; o.n = 2; o.val = &NUL;
    tcall("fill(5,null,2)", &o);
    show_table(&t);

    o = (top){.op = T_COPY, .t = &t, .i = 2, .s = 0, .n = 3};
    tcall("copy(d=2,s=0,n=3)", &o);
    show_table(&t);
    o.i = 0; o.s = 3; o.n = 3;
    tcall("copy(d=0,s=3,n=3)", &o);
    show_table(&t);
    o.i = 6; o.s = 0; o.n = 0;
    tcall("copy(d=6,s=0,n=0)", &o);
    o.i = 7; o.s = 0; o.n = 0;
    tcall("copy(d=7,s=0,n=0)", &o);
    o.i = 0; o.s = 7; o.n = 0;
    tcall("copy(d=0,s=7,n=0)", &o);
    o.i = 4; o.s = 0; o.n = 3;
    tcall("copy(d=4,s=0,n=3)", &o);
    show_table(&t);

    wasmaot_funcref elems[3] = {C, NUL, A};
    o = (top){.op = T_INIT, .t = &t, .i = 1, .src = elems, .len = 3, .s = 1, .n = 2};
    tcall("init(d=1,[c null a],s=1,n=2)", &o);
    show_table(&t);
    o.i = 0; o.s = 3; o.n = 0;
    tcall("init(d=0,s=3,n=0)", &o);
    o.i = 0; o.s = 4; o.n = 0;
    tcall("init(d=0,s=4,n=0)", &o);
    o.i = 6; o.s = 0; o.n = 0;
    tcall("init(d=6,s=0,n=0)", &o);
    o.i = 7; o.s = 0; o.n = 0;
    tcall("init(d=7,s=0,n=0)", &o);
    o.i = 5; o.s = 0; o.n = 2;
    tcall("init(d=5,s=0,n=2)", &o);
    show_table(&t);
    wasmaot_segment seg = {.data = elems, .size = 3, .dropped = 0};
    wasmaot_segment_drop(&seg);
    o = (top){.op = T_INIT_SEG, .t = &t, .seg = &seg, .i = 0, .s = 0, .n = 0};
    tcall("init_segment dropped (d=0,s=0,n=0)", &o);
    o.n = 1;
    tcall("init_segment dropped (d=0,s=0,n=1)", &o);

    printf("-- call_indirect\n");
    wasmaot_funcref row[6] = {A, B, NUL, C, A, B};
    o = (top){.op = T_INIT, .t = &t, .i = 0, .src = row, .len = 6, .s = 0, .n = 6};
    h_try(run_top, &o);
    show_table(&t);
    o = (top){.op = T_CALL, .t = &t, .type = sig_ii};
    o.i = 0;
    tcall("call_indirect(0,(i32)->(i32))", &o);
    o.i = 1;
    tcall("call_indirect(1,(i32)->(i32))", &o);
    o.i = 2;
    tcall("call_indirect(2,(i32)->(i32))", &o);
    o.i = 3;
    tcall("call_indirect(3,(i32)->(i32))", &o);
    o.i = 6;
    tcall("call_indirect(6,(i32)->(i32))", &o);
    o.i = 0xFFFFFFFFu;
    tcall("call_indirect(0xffffffff,(i32)->(i32))", &o);
    o.i = 3; o.type = wasmaot_rt_intern_signature("()->()");
    printf("  (()->() interned again: same id %s)\n", o.type == sig_v ? "yes" : "no");
    o.i = 2;
    tcall("call_indirect(2,()->())", &o);
    wasmaot_table_free(&t);

    printf("-- externref\n");
    wasmaot_table x;
    printf("new(externref,0,no max) -> %d max=0x%" PRIx32 "\n", h_table_new(&x, WASMAOT_REF_EXTERNREF, 0, 0, 0),
           x.max_size);
    wasmaot_externref e1 = (wasmaot_externref)&inst_val, enull = NULL, got = NULL;
    printf("grow(0xfffffff0) -> 0x%" PRIx32 "\n", wasmaot_table_grow(&x, &enull, 0xFFFFFFF0u));
    printf("grow(%u) -> 0x%" PRIx32 "\n", (unsigned)WASMAOT_TABLE_ELEMENTS_LIMIT + 1u,
           wasmaot_table_grow(&x, &enull, WASMAOT_TABLE_ELEMENTS_LIMIT + 1u));
    printf("grow(3,e1) -> %" PRIu32 "\n", wasmaot_table_grow(&x, &e1, 3));
    o = (top){.op = T_SET, .t = &x, .i = 1, .val = &enull};
    tcall("set(1,null)", &o);
    for (uint32_t i = 0; i < 3; i++) {
        o = (top){.op = T_GET, .t = &x, .i = i, .out = &got};
        h_try(run_top, &o);
        printf("get(%" PRIu32 ") = %s\n", i, got == NULL ? "null" : got == e1 ? "e1" : "?");
    }
    o = (top){.op = T_GET, .t = &x, .i = 3, .out = &got};
    tcall("get(3)", &o);
    for (int i = 0; i < 20; i++) wasmaot_table_grow(&x, &e1, 1); /* many small grows: storage moves */
    printf("after 20 grow(1): size=%" PRIu32 " capacity>=size: %s\n", x.size, x.capacity >= x.size ? "yes" : "no");
    wasmaot_table_free(&x);

    wasmaot_table bad;
    printf("new(funcref,3,max=2) -> %d\n", h_table_new(&bad, WASMAOT_REF_FUNCREF, 3, 2, WASMAOT_TABLE_HAS_MAX));
    printf("new(kind=7) -> %d\n", h_table_new(&bad, 7, 0, 0, 0));
}

/* -------------------------------------------------------------- registry */

static void signature_section(void) {
    printf("== signatures\n");
    /* Fresh process, but table_section interned two already. */
    char dup[] = "(i32)->(i32)"; /* same text, different pointer */
    printf("intern(\"(i32)->(i32)\" copy) -> %" PRIu32 "\n", wasmaot_rt_intern_signature(dup));
    printf("intern(\"(i64)->()\") -> %" PRIu32 "\n", wasmaot_rt_intern_signature("(i64)->()"));
    printf("intern(\"()->()\") -> %" PRIu32 "\n", wasmaot_rt_intern_signature("()->()"));
    printf("intern(NULL) -> %" PRIu32 "\n", wasmaot_rt_intern_signature(NULL));
    printf("string(3) = %s\n", wasmaot_rt_signature_string(3));
    printf("string(0) = %s\n", wasmaot_rt_signature_string(0) ? "?" : "NULL");
    printf("string(4) = %s\n", wasmaot_rt_signature_string(4) ? "?" : "NULL");
    static char names[WASMAOT_MAX_SIGNATURES + 8][24];
    uint32_t last = 0, n = 0, zero_at = 0;
    for (uint32_t i = 0; i < WASMAOT_MAX_SIGNATURES + 8; i++) {
        snprintf(names[i], sizeof names[i], "(i32)->(f%" PRIu32 ")", i);
        uint32_t id = wasmaot_rt_intern_signature(names[i]);
        if (id == 0) {
            if (!zero_at) zero_at = i + 1;
            continue;
        }
        if (id != last + 1 && last != 0) printf("non-dense id %" PRIu32 " after %" PRIu32 "\n", id, last);
        last = id;
        n++;
    }
    printf("filled: last id == WASMAOT_MAX_SIGNATURES: %s; further interns return 0: %s\n",
           last == WASMAOT_MAX_SIGNATURES ? "yes" : "no", zero_at == n + 1 ? "yes" : "no");
    printf("existing still found when full: %s\n", wasmaot_rt_intern_signature("()->()") == 2 ? "yes" : "no");
    uint32_t again = 0;
    for (uint32_t i = 0; i < n; i++)
        if (wasmaot_rt_intern_signature(names[i]) != 4 + i) again++;
    printf("all ids stable on re-intern: %s\n", again == 0 ? "yes" : "no");
}

int main(int argc, char **argv) {
    if (wasmaot_rt_init(argc, argv) != 0) {
        printf("init failed\n");
        return 1;
    }
    printf("platform %s, bounds %s\n", H_PLATFORM, WASMAOT_BOUNDS_GUARD ? "guard" : "explicit");
    memory_section();
    bulk_section();
    table_section();
    signature_section();
    printf("== done\n");
    return 0;
}
