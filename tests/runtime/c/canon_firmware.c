/*
 * A minimal bare-metal embedder of the canon layer: a fixed-capacity handle
 * table in static RAM (no grow callback), a bump realloc over a static
 * "guest memory", one string transcoding and a resource's life cycle.
 * test_canon_build.py links it -nostdlib with the bare-metal runtime objects
 * to prove the layer needs no C library or OS.  It is linked, never run.
 */
#include "wasmaot_canon.h"

static wasmaot_canon_handle slots[16];
static unsigned char guest_a[256], guest_b[256];
static uint32_t next_free = 128;
volatile wasmaot_trap_code last_trap;

void wasmaot_embedder_trap(wasmaot_trap_code code) {
    last_trap = code;
    for (;;) {
    }
}

static wasmaot_canon_status bump(wasmaot_canon_mem *m, uint32_t old, uint32_t old_size, uint32_t align,
                                 uint32_t new_size, uint32_t *out) {
    (void)m, (void)old, (void)old_size;
    next_free = (next_free + align - 1) / align * align;
    *out = next_free;
    next_free += new_size;
    return WASMAOT_CANON_OK;
}

static wasmaot_canon_status fw_main(void) {
    wasmaot_canon_instance inst;
    wasmaot_canon_rtype rt = {&inst, NULL, NULL};
    wasmaot_canon_instance_init(&inst, slots, 16, NULL, NULL);
    uint32_t h, rep, ptr, len;
    wasmaot_canon_status s = wasmaot_canon_resource_new(&inst, &rt, 42, &h);
    if (s == WASMAOT_CANON_OK) s = wasmaot_canon_resource_rep(&inst, &rt, h, &rep);
    if (s == WASMAOT_CANON_OK) s = wasmaot_canon_resource_drop(&inst, &rt, h);
    guest_a[0] = 'h', guest_a[1] = 0xC3, guest_a[2] = 0xA9;
    wasmaot_canon_mem a = {guest_a, sizeof guest_a, NULL, NULL, NULL};
    wasmaot_canon_mem b = {guest_b, sizeof guest_b, bump, &inst, NULL};
    if (s == WASMAOT_CANON_OK)
        s = wasmaot_canon_transcode(&a, WASMAOT_CANON_UTF8, 0, 3, &b, WASMAOT_CANON_LATIN1_UTF16, &ptr, &len);
    return s;
}

void _start(void) {
    wasmaot_canon_status s = fw_main();
    if (s != WASMAOT_CANON_OK)
        wasmaot_embedder_trap(wasmaot_canon_trap_code(s));
    for (;;) {
    }
}
