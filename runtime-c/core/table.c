/*
 * Tables: table.get/set/grow/fill/copy/init and the call_indirect check.
 *
 * Invariants:
 *   size <= capacity; size <= max_size; size <= WASMAOT_TABLE_ELEMENTS_LIMIT
 *   elements[0, size) are valid elements of `kind`
 *   the null element of either kind is all-zero bytes (func == NULL /
 *   externref == NULL), so zeroed storage is a table full of nulls
 * `elements` may move on grow (realloc); see wasmaot_rt.h section 5.
 */
#include "wasmaot_platform.h"

static int valid_kind(uint32_t kind) {
    return kind == WASMAOT_REF_FUNCREF || kind == WASMAOT_REF_EXTERNREF;
}

static int valid_limits(uint32_t initial, uint32_t *max_size, uint32_t flags) {
    if (!(flags & WASMAOT_TABLE_HAS_MAX)) *max_size = 0xFFFFFFFFu;
    return initial <= *max_size && initial <= WASMAOT_TABLE_ELEMENTS_LIMIT;
}

int wasmaot_table_new(wasmaot_table *t, uint32_t kind, uint32_t initial, uint32_t max_size, uint32_t flags) {
    wasmaot_rt_memset(t, 0, sizeof *t);
    if (!valid_kind(kind) || !valid_limits(initial, &max_size, flags)) return -1;
    if (initial > 0) {
        size_t bytes = (size_t)initial * wasmaot_ref_size(kind);
        void *p = wasmaot_platform_realloc(NULL, bytes);
        if (p == NULL) return -1;
        wasmaot_rt_memset(p, 0, bytes);
        t->elements = p;
    }
    t->size = initial;
    t->capacity = initial;
    t->max_size = max_size;
    t->kind = kind;
    t->flags = flags & WASMAOT_TABLE_HAS_MAX;
    return 0;
}

int wasmaot_table_attach(wasmaot_table *t, uint32_t kind, void *elements, uint32_t capacity,
                         uint32_t initial, uint32_t max_size, uint32_t flags) {
    wasmaot_rt_memset(t, 0, sizeof *t);
    if (!valid_kind(kind) || !valid_limits(initial, &max_size, flags)) return -1;
    if (initial > capacity || (elements == NULL && capacity != 0)) return -1;
    wasmaot_rt_memset(elements, 0, (size_t)initial * wasmaot_ref_size(kind));
    t->elements = elements;
    t->size = initial;
    t->capacity = capacity;
    t->max_size = max_size;
    t->kind = kind;
    t->flags = (flags & WASMAOT_TABLE_HAS_MAX) | WASMAOT_TABLE_EXTERNAL;
    return 0;
}

void wasmaot_table_free(wasmaot_table *t) {
    if (!(t->flags & WASMAOT_TABLE_EXTERNAL) && t->elements != NULL) wasmaot_platform_free(t->elements);
    wasmaot_rt_memset(t, 0, sizeof *t);
}

static inline uint8_t *slot(const wasmaot_table *t, uint32_t i) {
    return (uint8_t *)t->elements + (size_t)i * wasmaot_ref_size(t->kind);
}

static inline int in_range(uint32_t start, uint32_t n, uint64_t limit) {
    return (uint64_t)start + n <= limit;
}

void wasmaot_table_get(const wasmaot_table *t, uint32_t i, void *out) {
    if (i >= t->size) wasmaot_trap(WASMAOT_TRAP_TABLE_OUT_OF_BOUNDS);
    wasmaot_rt_memmove(out, slot(t, i), wasmaot_ref_size(t->kind));
}

void wasmaot_table_set(wasmaot_table *t, uint32_t i, const void *val) {
    if (i >= t->size) wasmaot_trap(WASMAOT_TRAP_TABLE_OUT_OF_BOUNDS);
    wasmaot_rt_memmove(slot(t, i), val, wasmaot_ref_size(t->kind));
}

static void fill_slots(wasmaot_table *t, uint32_t i, const void *val, uint32_t n) {
    size_t esz = wasmaot_ref_size(t->kind);
    uint8_t *p = slot(t, i);
    for (uint32_t k = 0; k < n; k++, p += esz) wasmaot_rt_memmove(p, val, esz);
}

uint32_t wasmaot_table_grow(wasmaot_table *t, const void *init, uint32_t delta) {
    uint32_t old = t->size;
    if (delta == 0) return old;
    uint64_t want = (uint64_t)old + delta;
    if (want > t->max_size || want > WASMAOT_TABLE_ELEMENTS_LIMIT) return 0xFFFFFFFFu;
    if (want > t->capacity) {
        if (t->flags & WASMAOT_TABLE_EXTERNAL) return 0xFFFFFFFFu;
        /* Geometric growth so a loop of table.grow 1 is not quadratic. */
        uint64_t cap = (uint64_t)t->capacity * 2;
        if (cap < want) cap = want;
        if (cap > t->max_size) cap = t->max_size;
        if (cap > WASMAOT_TABLE_ELEMENTS_LIMIT) cap = WASMAOT_TABLE_ELEMENTS_LIMIT;
        void *p = wasmaot_platform_realloc(t->elements, (size_t)cap * wasmaot_ref_size(t->kind));
        if (p == NULL) return 0xFFFFFFFFu;
        t->elements = p;
        t->capacity = (uint32_t)cap;
    }
    fill_slots(t, old, init, delta);
    t->size = (uint32_t)want;
    return old;
}

void wasmaot_table_fill(wasmaot_table *t, uint32_t i, const void *val, uint32_t n) {
    if (!in_range(i, n, t->size)) wasmaot_trap(WASMAOT_TRAP_TABLE_OUT_OF_BOUNDS);
    fill_slots(t, i, val, n);
}

void wasmaot_table_copy(wasmaot_table *dst, const wasmaot_table *src, uint32_t d, uint32_t s, uint32_t n) {
    if (!in_range(d, n, dst->size) || !in_range(s, n, src->size))
        wasmaot_trap(WASMAOT_TRAP_TABLE_OUT_OF_BOUNDS);
    wasmaot_rt_memmove(slot(dst, d), slot(src, s), (size_t)n * wasmaot_ref_size(dst->kind));
}

void wasmaot_table_init(wasmaot_table *t, uint32_t d, const void *src, uint32_t src_len, uint32_t s, uint32_t n) {
    if (!in_range(s, n, src_len) || !in_range(d, n, t->size))
        wasmaot_trap(WASMAOT_TRAP_TABLE_OUT_OF_BOUNDS);
    size_t esz = wasmaot_ref_size(t->kind);
    wasmaot_rt_memmove(slot(t, d), (const uint8_t *)src + (size_t)s * esz, (size_t)n * esz);
}

const wasmaot_funcref *wasmaot_call_indirect_check(const wasmaot_table *t, uint32_t idx, uint32_t expected_type_id) {
    if (idx >= t->size) wasmaot_trap(WASMAOT_TRAP_UNDEFINED_ELEMENT);
    const wasmaot_funcref *e = (const wasmaot_funcref *)t->elements + idx;
    if (e->func == NULL) wasmaot_trap(WASMAOT_TRAP_UNINITIALIZED_ELEMENT);
    if (e->type_id != expected_type_id) wasmaot_trap(WASMAOT_TRAP_INDIRECT_CALL_TYPE_MISMATCH);
    return e;
}
