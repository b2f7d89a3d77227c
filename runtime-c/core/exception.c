/* Exception objects and the pending slot (wasmaot_rt.h "exceptions",
 * backends/ABI.md "Exceptions").
 *
 * Freed objects go on a free list and are reused by the next throw whose
 * payload fits: the platform heap is asked only while the number of live
 * exceptions grows.  Objects that escaped as exnref values (catch_ref) are
 * never freed (their `escaped` flag): without a garbage collector nobody
 * knows when the last copy dies. */
#include "wasmaot_rt.h"
#include "wasmaot_platform.h"

void *wasmaot_exn_pending;

typedef struct exn_header {
    union { const void *tag; struct exn_header *next_free; } u;
    uint32_t capacity;
    uint32_t escaped;    /* set by generated code when the object became an
                            exnref value (catch_ref): never freed then */
} exn_header;

_Static_assert(sizeof(exn_header) <= WASMAOT_EXN_PAYLOAD, "exception header fits");

static exn_header *free_list;

void *wasmaot_exn_new(const void *tag, uint32_t payload_bytes) {
    exn_header **pp = &free_list;
    for (exn_header *e = free_list; e; pp = &e->u.next_free, e = e->u.next_free) {
        if (e->capacity >= payload_bytes) {
            *pp = e->u.next_free;
            e->u.tag = tag;
            e->escaped = 0;
            return e;
        }
    }
    exn_header *e = wasmaot_platform_realloc(NULL, WASMAOT_EXN_PAYLOAD + (size_t)payload_bytes);
    if (!e) wasmaot_trap(WASMAOT_TRAP_HOST);
    e->u.tag = tag;
    e->capacity = payload_bytes;
    e->escaped = 0;
    return e;
}

void wasmaot_exn_free(void *exn) {
    exn_header *e = exn;
    if (e->escaped) return;
    e->u.next_free = free_list;
    free_list = e;
}

uint32_t wasmaot_exn_component_depth;

void wasmaot_exn_uncaught(void) {
    if (wasmaot_exn_component_depth) wasmaot_exn_component_boundary();   /* traps */
    void *e = wasmaot_exn_pending;
    wasmaot_exn_pending = 0;
    if (e) wasmaot_exn_free(e);
    wasmaot_trap(WASMAOT_TRAP_UNCAUGHT_EXCEPTION);
}

void wasmaot_exn_component_boundary(void) {
    void *e = wasmaot_exn_pending;
    if (!e) return;
    wasmaot_exn_pending = 0;
    wasmaot_exn_free(e);
    wasmaot_trap_component("uncaught exception propagated out of component");
}
