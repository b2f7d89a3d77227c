/*
 * A minimal bare-metal "embedder": static RAM for one memory and one table,
 * the required trap handler, and an entry point.  test_build.py links it
 * with the bare-metal runtime objects, -nostdlib, to prove the runtime
 * needs nothing from a C library or OS.  It is linked, never run.
 */
#include "wasmaot_rt.h"

static unsigned char ram[2 * WASMAOT_PAGE_SIZE];
static wasmaot_funcref slots[8];
volatile wasmaot_trap_code last_trap;

void wasmaot_embedder_trap(wasmaot_trap_code code) {
    last_trap = code; /* a real device would log and reset */
    for (;;) {
    }
}

static int fw_main(void) {
    wasmaot_memory m;
    wasmaot_table t;
    wasmaot_stack_limit = 0; /* a real embedder: (uintptr_t)&__stack_bottom + reserve */
    if (wasmaot_memory_attach(&m, ram, sizeof ram, 1, 2, WASMAOT_MEMORY_HAS_MAX) != 0) return -1;
    if (wasmaot_table_attach(&t, WASMAOT_REF_FUNCREF, slots, 8, 2, 8, WASMAOT_TABLE_HAS_MAX) != 0) return -1;
    wasmaot_memory_fill(&m, 0, 1, 16);
    wasmaot_memory_copy(&m, &m, 16, 0, 16);
    wasmaot_funcref null_ref = {0, 0, 0};
    wasmaot_table_fill(&t, 0, &null_ref, 2);
    return wasmaot_memory_grow(&m, 1) + (int)wasmaot_rt_intern_signature("()->()");
}

void _start(void) {
    fw_main();
    for (;;) {
    }
}
