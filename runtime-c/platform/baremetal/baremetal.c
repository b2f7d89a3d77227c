/*
 * Bare-metal platform layer (Cortex-M, RV32, ...): no OS, no heap, no
 * signals.  Everything that needs an OS is either delegated to the embedder
 * or fails cleanly:
 *  - traps call wasmaot_embedder_trap(), which the embedder MUST define (no
 *    weak default, see wasmaot_rt.h section 2);
 *  - memories and tables get their storage from the embedder, either
 *    explicitly (wasmaot_memory_attach / wasmaot_table_attach) or, for the
 *    memories and tables a module defines (generated `instantiate` calls
 *    wasmaot_memory_new / wasmaot_table_new), from two static RAM regions
 *    that the image's linker script reserves (backends/firmware: sized at
 *    compile time from the module, see backends/ABI.md "Firmware"):
 *        [__wasmaot_memory_start, __wasmaot_memory_end)  linear memories
 *        [__wasmaot_heap_start, __wasmaot_heap_end)      table elements
 *    Both are handed out by a bump pointer and never freed: a device
 *    instantiates its module once.  The symbols are weak: an embedder that
 *    reserves no region gets the old behaviour, the "new" paths fail, and a
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

/* The regions of the linker script; weak, so undefined ones are empty. */
#define WEAK_REGION(name) extern uint8_t name[] __attribute__((weak))
WEAK_REGION(__wasmaot_memory_start);
WEAK_REGION(__wasmaot_memory_end);
WEAK_REGION(__wasmaot_heap_start);
WEAK_REGION(__wasmaot_heap_end);

/* Next free byte of each region (NULL: its start). */
static uint8_t *memory_next, *heap_next;

/* A memory gets what is left of the region, up to its maximum, in whole
 * pages (of its own page size): memory.grow then succeeds exactly while the
 * new size fits. */
int wasmaot_platform_memory_new(wasmaot_memory *mem, uint64_t initial_bytes, uint64_t max_bytes) {
    uint8_t *p = memory_next ? memory_next : __wasmaot_memory_start;
    uint64_t room = (uint64_t)(__wasmaot_memory_end - p);
    if (__wasmaot_memory_end < p) room = 0;
    uint64_t cap = (max_bytes < room ? max_bytes : room) & ~(((uint64_t)1 << mem->page_size_log2) - 1);
    if (initial_bytes > cap) return -1;
    /* The region is NOLOAD (reset does not zero it): zero what is in use. */
    wasmaot_rt_memset(p, 0, (size_t)initial_bytes);
    mem->base = p;
    mem->capacity_bytes = cap;
    memory_next = p + cap;
    return 0;
}

int wasmaot_platform_memory_grow(wasmaot_memory *mem, uint64_t new_bytes) {
    if (new_bytes > mem->capacity_bytes) return -1;
    wasmaot_rt_memset(mem->base + mem->size_bytes, 0, (size_t)(new_bytes - mem->size_bytes));
    return 0;
}

void wasmaot_platform_memory_free(wasmaot_memory *mem) {
    (void)mem;
}

/* No segment registers here (backends/ABI.md "Segment-addressed memory"). */
int wasmaot_memory_segment(const wasmaot_memory *mem) {
    (void)mem;
    return -1;
}

/* Heap blocks: 16-byte aligned, their size in the 4 bytes before them.
 * The last block grows in place; any other realloc copies into a new one.
 * backends/firmware sizes the heap as sum(round16(bytes) + 16) per block. */
#define HEAP_ALIGN 16u

static uint8_t *heap_alloc(size_t n) {
    uint8_t *next = heap_next ? heap_next : __wasmaot_heap_start;
    uintptr_t b = ((uintptr_t)next + 4u + HEAP_ALIGN - 1u) & ~(uintptr_t)(HEAP_ALIGN - 1u);
    if (!next || b > (uintptr_t)__wasmaot_heap_end || n > (uintptr_t)__wasmaot_heap_end - b) return NULL;
    ((uint32_t *)b)[-1] = (uint32_t)n;
    heap_next = (uint8_t *)(b + n);
    return (uint8_t *)b;
}

void *wasmaot_platform_realloc(void *p, size_t new_bytes) {
    uint8_t *old = (uint8_t *)p;
    size_t old_bytes = old ? ((uint32_t *)old)[-1] : 0;
    if (old && old + old_bytes == heap_next && new_bytes <= (size_t)(__wasmaot_heap_end - old)) {
        ((uint32_t *)old)[-1] = (uint32_t)new_bytes;          /* the last block: in place */
        heap_next = old + new_bytes;
        return old;
    }
    uint8_t *q = heap_alloc(new_bytes);
    if (q && old) wasmaot_rt_memmove(q, old, old_bytes < new_bytes ? old_bytes : new_bytes);
    return q;
}

void wasmaot_platform_free(void *p) {
    (void)p;   /* bump heap: a device instantiates once */
}

int wasmaot_rt_init(int argc, char **argv) {
    /* No signals or stack discovery here: the embedder owns both. */
    wasmaot_rt_argc = argc;
    wasmaot_rt_argv = argv;
    return 0;
}
