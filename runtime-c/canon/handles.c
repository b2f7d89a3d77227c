/*
 * handles.c -- component instances, handle tables, resources and borrow
 * scopes of the canonical ABI (wasmaot_canon.h sections 2 and 3).
 * Freestanding: no libc, no allocation; storage is the embedder's.
 */
#include "wasmaot_canon.h"

/* ------------------------------------------------------ status and traps */

static const char *const reason_messages[WASMAOT_CANON_E_COUNT - WASMAOT_CANON_E_BASE] = {
    "string pointer/length out of bounds of memory",
    "pointer not aligned",
    "string too long: more than (1 << 28) - 1 bytes",
    "invalid utf-8 sequence",
    "unpaired surrogate found",
    "no realloc for a value that needs allocation",
    "unknown handle index",
    "handle used with the wrong type",
    "cannot remove owned resource while borrowed",
    "cannot lift own handle: it is a borrow",
    "borrow handles still remain at the end of the call",
    "handle table full",
    "cannot leave component instance",
    "cannot enter component instance",
    "cannot enter component instance: poisoned by an earlier trap",
    "too many borrowed handles in one call",
};

wasmaot_trap_code wasmaot_canon_trap_code(wasmaot_canon_status status) {
    if (status < WASMAOT_CANON_E_BASE)
        return status;
    if (status == WASMAOT_CANON_E_OUT_OF_BOUNDS)
        return WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS;
    return WASMAOT_TRAP_HOST;   /* until the CANON_* trap codes exist */
}

const char *wasmaot_canon_message(wasmaot_canon_status status) {
    if (status < WASMAOT_CANON_E_BASE)
        return NULL;
    if (status >= WASMAOT_CANON_E_COUNT)
        return "unknown component model trap";
    return reason_messages[status - WASMAOT_CANON_E_BASE];
}

/* ------------------------------------------------------------ instances */

void wasmaot_canon_instance_init(wasmaot_canon_instance *inst, wasmaot_canon_handle *slots,
                                 uint32_t capacity, wasmaot_canon_grow_fn grow, void *grow_ctx) {
    wasmaot_canon_table *t = &inst->handles;
    t->slots = slots;
    t->capacity = capacity;
    t->length = 1;          /* slot 0: reserved, never live, never free */
    t->free_head = 0;
    t->reserved0 = 0;
    t->grow = grow;
    t->grow_ctx = grow_ctx;
    slots[0] = (wasmaot_canon_handle){0};
    inst->may_leave = 1;
    inst->may_enter = 1;
    inst->trap = WASMAOT_CANON_OK;
}

wasmaot_canon_status wasmaot_canon_poison(wasmaot_canon_instance *inst, wasmaot_canon_status status) {
    if (status != WASMAOT_CANON_OK && inst != NULL && inst->trap == WASMAOT_CANON_OK) {
        inst->trap = status;
        inst->may_enter = 0;
    }
    return status;
}

wasmaot_canon_status wasmaot_canon_enter(wasmaot_canon_instance *inst) {
    if (inst->trap != WASMAOT_CANON_OK)
        return WASMAOT_CANON_E_POISONED;
    if (!inst->may_enter)
        return WASMAOT_CANON_E_MAY_NOT_ENTER;
    inst->may_enter = 0;
    return WASMAOT_CANON_OK;
}

void wasmaot_canon_leave(wasmaot_canon_instance *inst) {
    if (inst->trap == WASMAOT_CANON_OK)   /* a poisoned instance stays closed */
        inst->may_enter = 1;
}

/* ------------------------------------------------------------- the table */

/* Make room for slot index t->length (the free list is empty). */
static wasmaot_canon_status table_reserve(wasmaot_canon_table *t) {
    if (t->length > WASMAOT_CANON_TABLE_MAX_LENGTH)
        return WASMAOT_CANON_E_TABLE_FULL;
    if (t->length < t->capacity)
        return WASMAOT_CANON_OK;
    if (t->grow == NULL)
        return WASMAOT_CANON_E_TABLE_FULL;
    uint32_t new_capacity = 0;
    wasmaot_canon_handle *slots = t->grow(t->grow_ctx, t->slots, t->capacity, t->length + 1, &new_capacity);
    if (slots == NULL || new_capacity <= t->length)
        return WASMAOT_CANON_E_TABLE_FULL;
    t->slots = slots;
    t->capacity = new_capacity;
    return WASMAOT_CANON_OK;
}

wasmaot_canon_status wasmaot_canon_table_add(wasmaot_canon_table *t, const wasmaot_canon_handle *e,
                                             uint32_t *out_index) {
    uint32_t i = t->free_head;
    if (i != 0) {
        t->free_head = t->slots[i].rep;   /* pop: most recently freed first, like the spec's list */
    } else {
        wasmaot_canon_status s = table_reserve(t);
        if (s != WASMAOT_CANON_OK)
            return s;
        i = t->length++;
    }
    t->slots[i] = *e;
    *out_index = i;
    return WASMAOT_CANON_OK;
}

wasmaot_canon_status wasmaot_canon_table_get(wasmaot_canon_table *t, uint32_t i, wasmaot_canon_handle **out) {
    if (i >= t->length || t->slots[i].rt == NULL)   /* slot 0 has rt == NULL */
        return WASMAOT_CANON_E_UNKNOWN_HANDLE;
    *out = &t->slots[i];
    return WASMAOT_CANON_OK;
}

wasmaot_canon_status wasmaot_canon_table_remove(wasmaot_canon_table *t, uint32_t i, wasmaot_canon_handle *out) {
    wasmaot_canon_handle *h;
    wasmaot_canon_status s = wasmaot_canon_table_get(t, i, &h);
    if (s != WASMAOT_CANON_OK)
        return s;
    if (out != NULL)
        *out = *h;
    *h = (wasmaot_canon_handle){0};
    h->rep = t->free_head;   /* push onto the free list */
    t->free_head = i;
    return WASMAOT_CANON_OK;
}

/* ----------------------------------------------------------------- calls */

void wasmaot_canon_call_init(wasmaot_canon_call *call, uint32_t *lenders, uint32_t capacity) {
    *call = (wasmaot_canon_call){0};
    call->lenders = lenders;
    call->lenders_capacity = capacity;
}

wasmaot_canon_status wasmaot_canon_call_finish(wasmaot_canon_call *call, wasmaot_canon_instance *callee) {
    if (call->num_borrows != 0)
        return wasmaot_canon_poison(callee, WASMAOT_CANON_E_BORROWS_REMAIN);
    for (uint32_t k = 0; k < call->num_lenders; k++)
        call->lender_inst->handles.slots[call->lenders[k]].num_lends--;   /* still live: lent slots cannot be freed */
    call->num_lenders = 0;
    return WASMAOT_CANON_OK;
}

static wasmaot_canon_status add_lender(wasmaot_canon_call *call, wasmaot_canon_instance *inst, uint32_t i,
                                       wasmaot_canon_handle *h) {
    if (call->num_lenders == call->lenders_capacity)
        return WASMAOT_CANON_E_LENDERS_FULL;
    call->lender_inst = inst;   /* every lender of one call is in the caller's table */
    call->lenders[call->num_lenders++] = i;
    h->num_lends++;
    return WASMAOT_CANON_OK;
}

/* ------------------------------------------------------------- resources */

/* Handle i of inst's table, of type rt. */
static wasmaot_canon_status typed_get(wasmaot_canon_instance *inst, const wasmaot_canon_rtype *rt, uint32_t i,
                                      wasmaot_canon_handle **out) {
    wasmaot_canon_status s = wasmaot_canon_table_get(&inst->handles, i, out);
    if (s == WASMAOT_CANON_OK && (*out)->rt != rt)
        s = WASMAOT_CANON_E_WRONG_TYPE;
    return s;
}

static wasmaot_canon_status add_handle(wasmaot_canon_instance *inst, const wasmaot_canon_rtype *rt, uint32_t rep,
                                       uint32_t own, wasmaot_canon_call *scope, uint32_t *out_index) {
    wasmaot_canon_handle e = {rt, scope, rep, 0, own, 0};
    return wasmaot_canon_poison(inst, wasmaot_canon_table_add(&inst->handles, &e, out_index));
}

wasmaot_canon_status wasmaot_canon_resource_new(wasmaot_canon_instance *inst, const wasmaot_canon_rtype *rt,
                                                uint32_t rep, uint32_t *out_index) {
    if (!inst->may_leave)
        return wasmaot_canon_poison(inst, WASMAOT_CANON_E_MAY_NOT_LEAVE);
    return add_handle(inst, rt, rep, 1, NULL, out_index);
}

wasmaot_canon_status wasmaot_canon_resource_rep(wasmaot_canon_instance *inst, const wasmaot_canon_rtype *rt,
                                                uint32_t i, uint32_t *out_rep) {
    wasmaot_canon_handle *h;
    wasmaot_canon_status s = typed_get(inst, rt, i, &h);
    if (s != WASMAOT_CANON_OK)
        return wasmaot_canon_poison(inst, s);
    *out_rep = h->rep;
    return WASMAOT_CANON_OK;
}

/* The destructor call of an own handle: a sync call from inst into rt->impl
 * (no enter when the caller is the impl itself: nothing is freshly entered). */
static wasmaot_canon_status run_dtor(wasmaot_canon_instance *inst, const wasmaot_canon_rtype *rt, uint32_t rep) {
    if (rt->dtor == NULL)
        return WASMAOT_CANON_OK;
    wasmaot_canon_instance *impl = rt->impl;
    int enters = impl != NULL && impl != inst;
    if (enters) {
        wasmaot_canon_status s = wasmaot_canon_enter(impl);
        if (s != WASMAOT_CANON_OK)
            return wasmaot_canon_poison(inst, s);
    }
    wasmaot_canon_status s = rt->dtor(rt, rep);
    if (s != WASMAOT_CANON_OK) {
        wasmaot_canon_poison(impl, s);
        return wasmaot_canon_poison(inst, s);
    }
    if (enters)
        wasmaot_canon_leave(impl);
    return WASMAOT_CANON_OK;
}

wasmaot_canon_status wasmaot_canon_resource_drop(wasmaot_canon_instance *inst, const wasmaot_canon_rtype *rt,
                                                 uint32_t i) {
    if (!inst->may_leave)
        return wasmaot_canon_poison(inst, WASMAOT_CANON_E_MAY_NOT_LEAVE);
    wasmaot_canon_handle *h;
    wasmaot_canon_status s = typed_get(inst, rt, i, &h);
    if (s == WASMAOT_CANON_OK && h->num_lends != 0)
        s = WASMAOT_CANON_E_BORROWED;
    if (s != WASMAOT_CANON_OK)
        return wasmaot_canon_poison(inst, s);
    wasmaot_canon_handle e;
    wasmaot_canon_table_remove(&inst->handles, i, &e);   /* cannot fail: just looked up */
    if (!e.own) {
        if (e.scope != NULL)
            e.scope->num_borrows--;
        return WASMAOT_CANON_OK;
    }
    return run_dtor(inst, rt, e.rep);
}

wasmaot_canon_status wasmaot_canon_lift_own(wasmaot_canon_instance *inst, const wasmaot_canon_rtype *rt,
                                            uint32_t i, uint32_t *out_rep) {
    wasmaot_canon_handle *h;
    wasmaot_canon_status s = typed_get(inst, rt, i, &h);
    if (s == WASMAOT_CANON_OK && h->num_lends != 0)
        s = WASMAOT_CANON_E_BORROWED;
    if (s == WASMAOT_CANON_OK && !h->own)
        s = WASMAOT_CANON_E_NOT_OWN;
    if (s != WASMAOT_CANON_OK)
        return wasmaot_canon_poison(inst, s);
    *out_rep = h->rep;
    wasmaot_canon_table_remove(&inst->handles, i, NULL);
    return WASMAOT_CANON_OK;
}

wasmaot_canon_status wasmaot_canon_lift_borrow(wasmaot_canon_instance *inst, const wasmaot_canon_rtype *rt,
                                               uint32_t i, wasmaot_canon_call *call, uint32_t *out_rep) {
    wasmaot_canon_handle *h;
    wasmaot_canon_status s = typed_get(inst, rt, i, &h);
    if (s == WASMAOT_CANON_OK && call != NULL)
        s = add_lender(call, inst, i, h);
    if (s != WASMAOT_CANON_OK)
        return wasmaot_canon_poison(inst, s);
    *out_rep = h->rep;
    return WASMAOT_CANON_OK;
}

wasmaot_canon_status wasmaot_canon_lower_own(wasmaot_canon_instance *inst, const wasmaot_canon_rtype *rt,
                                             uint32_t rep, uint32_t *out_index) {
    return add_handle(inst, rt, rep, 1, NULL, out_index);
}

wasmaot_canon_status wasmaot_canon_lower_borrow(wasmaot_canon_instance *inst, const wasmaot_canon_rtype *rt,
                                                uint32_t rep, wasmaot_canon_call *call, uint32_t *out_index) {
    if (inst == rt->impl) {
        *out_index = rep;
        return WASMAOT_CANON_OK;
    }
    wasmaot_canon_status s = add_handle(inst, rt, rep, 0, call, out_index);
    if (s == WASMAOT_CANON_OK && call != NULL)
        call->num_borrows++;
    return s;
}
