/*
 * p2_values.h -- building and reading the wasmaot_cm_value trees of WASI
 * 0.2 host functions (wasmaot_cm_hostfn, runtime-c/include/wasmaot_cm.h):
 * a result's nodes take their types from the component's type graph
 * (child types by position: ok/err, variant cases, record fields in WIT
 * order), storage from the call's allocator (freed when the call returns).
 *
 * Static inline so that each host-function file gets its own copy without
 * a link-time symbol: p2_component.c, p2_sockets.c and p2_firmware.c (a
 * freestanding build: nothing here may need the C library).
 */
#ifndef WASMAOT_P2_VALUES_H
#define WASMAOT_P2_VALUES_H

#include "wasmaot_cm.h"

typedef wasmaot_cm_cx cx_t;
typedef wasmaot_cm_value val;

static inline const wasmaot_cm_type *ty(const cx_t *cx, uint32_t t) { return &cx->comp->types[t]; }

static inline uint32_t child(const cx_t *cx, uint32_t t, uint32_t k) {
    return cx->comp->pool[ty(cx, t)->children + k];
}

/* n zeroed nodes (at least one) from the call's storage. */
static inline val *vals(cx_t *cx, uint32_t n) {
    val *v = cx->alloc(cx->env, (n ? n : 1) * (uint32_t)sizeof(val));
    /* No memset: freestanding builds (p2_firmware.c) have no <string.h>. */
    for (uint32_t i = 0; i < (n ? n : 1); i++) v[i] = (val){0, 0, {0}};
    return v;
}

/* Case `c` of variant-like `v` (type already set); the payload to fill, or
 * NULL when the case has none. */
static inline val *set_case(cx_t *cx, val *v, uint32_t c) {
    v->n = c;
    v->u.items = NULL;
    if (ty(cx, v->type)->kind == WASMAOT_CM_ENUM) return NULL;
    uint32_t p = child(cx, v->type, c);
    if (p == WASMAOT_CM_NONE) return NULL;
    v->u.items = vals(cx, 1);
    v->u.items->type = p;
    return v->u.items;
}

/* A record/tuple's fields, typed, to fill. */
static inline val *set_fields(cx_t *cx, val *v) {
    uint32_t n = ty(cx, v->type)->n;
    v->n = n;
    v->u.items = vals(cx, n);
    for (uint32_t i = 0; i < n; i++) v->u.items[i].type = child(cx, v->type, i);
    return v->u.items;
}

/* List `v` (type already set) of n elements, each typed as the list's
 * element; the elements to fill. */
static inline val *set_list(cx_t *cx, val *v, uint32_t n) {
    uint32_t elem = child(cx, v->type, 0);
    v->n = n;
    v->u.items = vals(cx, n);
    for (uint32_t i = 0; i < n; i++) v->u.items[i].type = elem;
    return v->u.items;
}

/* A handle argument's rep (the shim's own resource handle). */
static inline uint32_t h(const val *v) { return (uint32_t)v->u.bits; }

#endif /* WASMAOT_P2_VALUES_H */
