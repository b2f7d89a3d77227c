/*
 * Bare-metal platform layer (Cortex-M, RV32, ...): no OS, no heap, no
 * signals.  Everything that needs an OS is either delegated to the embedder
 * or fails cleanly:
 *  - traps call wasmaot_embedder_trap(), which the embedder MUST define (no
 *    weak default, see wasmaot_rt.h section 2);
 *  - memories and tables get their storage from the embedder through
 *    wasmaot_memory_attach / wasmaot_table_attach; the "new" paths fail so a
 *    module that was not given storage fails to instantiate instead of
 *    running off into unowned RAM;
 *  - stack exhaustion relies on the explicit check only: the embedder sets
 *    wasmaot_stack_limit (e.g. to the linker's stack bottom + a reserve).
 *    There is no fault handler (an MPU/PMP guard region could add one).
 */
#include "wasmaot_platform.h"

#if !WASMAOT_PLATFORM_BAREMETAL
#error "runtime-c/platform/baremetal is only for WASMAOT_PLATFORM_BAREMETAL builds"
#endif

void wasmaot_platform_trap(wasmaot_trap_code code) {
    wasmaot_embedder_trap(code);
    /* The embedder broke its contract by returning: never continue past a
     * trap (that would execute code the Wasm semantics say is unreachable). */
    for (;;) {
    }
}

int wasmaot_platform_memory_new(wasmaot_memory *mem, uint64_t initial_bytes, uint64_t max_bytes) {
    (void)mem; (void)initial_bytes; (void)max_bytes;
    return -1;
}

int wasmaot_platform_memory_grow(wasmaot_memory *mem, uint64_t new_bytes) {
    (void)mem; (void)new_bytes;
    return -1;
}

void wasmaot_platform_memory_free(wasmaot_memory *mem) {
    (void)mem;
}

void *wasmaot_platform_realloc(void *p, size_t new_bytes) {
    (void)p; (void)new_bytes;
    return NULL;
}

void wasmaot_platform_free(void *p) {
    (void)p;
}

int wasmaot_rt_init(int argc, char **argv) {
    /* No signals or stack discovery here: the embedder owns both. */
    wasmaot_rt_argc = argc;
    wasmaot_rt_argv = argv;
    return 0;
}
