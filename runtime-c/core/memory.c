/*
 * Linear memory operations called from generated code (memory.grow, the
 * bulk-memory instructions) and memory lifetime.  Freestanding: storage comes
 * from the platform layer or from an embedder buffer.
 *
 * Invariants kept by every function here (generated code relies on them):
 *   size_bytes == (uint64_t)pages * WASMAOT_PAGE_SIZE
 *   pages <= max_pages <= WASMAOT_MAX_PAGES
 *   size_bytes <= capacity_bytes, and [base, base + size_bytes) is read/write
 *   GUARD mode: base never changes between memory_new and memory_free
 * Bounds checks use 64-bit sums of 32-bit operands, so they cannot wrap.
 */
#include "wasmaot_platform.h"

static int valid_limits(uint32_t initial_pages, uint32_t *max_pages, uint32_t flags) {
    if (!(flags & WASMAOT_MEMORY_HAS_MAX)) *max_pages = WASMAOT_MAX_PAGES;
    return *max_pages <= WASMAOT_MAX_PAGES && initial_pages <= *max_pages;
}

int wasmaot_memory_new(wasmaot_memory *mem, uint32_t initial_pages, uint32_t max_pages, uint32_t flags) {
    wasmaot_rt_memset(mem, 0, sizeof *mem);
    if (!valid_limits(initial_pages, &max_pages, flags)) return -1;
    mem->pages = initial_pages;
    mem->max_pages = max_pages;
    mem->size_bytes = (uint64_t)initial_pages * WASMAOT_PAGE_SIZE;
    mem->flags = flags & WASMAOT_MEMORY_HAS_MAX;
    if (wasmaot_platform_memory_new(mem, mem->size_bytes, (uint64_t)max_pages * WASMAOT_PAGE_SIZE) != 0) {
        wasmaot_rt_memset(mem, 0, sizeof *mem);
        return -1;
    }
    return 0;
}

int wasmaot_memory_attach(wasmaot_memory *mem, void *buffer, uint64_t capacity_bytes,
                          uint32_t initial_pages, uint32_t max_pages, uint32_t flags) {
    wasmaot_rt_memset(mem, 0, sizeof *mem);
#if WASMAOT_BOUNDS_GUARD
    /* Unchecked generated code would run off the end of an ordinary buffer. */
    (void)buffer; (void)capacity_bytes; (void)initial_pages; (void)max_pages; (void)flags;
    return -1;
#else
    if (!valid_limits(initial_pages, &max_pages, flags)) return -1;
    if (buffer == NULL && capacity_bytes != 0) return -1;
    uint64_t initial_bytes = (uint64_t)initial_pages * WASMAOT_PAGE_SIZE;
    if (initial_bytes > capacity_bytes) return -1;
    wasmaot_rt_memset(buffer, 0, (size_t)initial_bytes);
    mem->base = (uint8_t *)buffer;
    mem->size_bytes = initial_bytes;
    mem->pages = initial_pages;
    mem->max_pages = max_pages;
    mem->capacity_bytes = capacity_bytes;
    mem->flags = (flags & WASMAOT_MEMORY_HAS_MAX) | WASMAOT_MEMORY_EXTERNAL;
    return 0;
#endif
}

void wasmaot_memory_free(wasmaot_memory *mem) {
    if (mem->flags & WASMAOT_MEMORY_MAPPED) wasmaot_platform_memory_free(mem);
    wasmaot_rt_memset(mem, 0, sizeof *mem);
}

int32_t wasmaot_memory_grow(wasmaot_memory *mem, uint32_t delta_pages) {
    uint32_t old_pages = mem->pages;
    if (delta_pages == 0) return (int32_t)old_pages;
    uint64_t new_pages = (uint64_t)old_pages + delta_pages;
    if (new_pages > mem->max_pages) return -1;
    uint64_t new_bytes = new_pages * WASMAOT_PAGE_SIZE;
    if (mem->flags & WASMAOT_MEMORY_EXTERNAL) {
        if (new_bytes > mem->capacity_bytes) return -1;
        /* The buffer past the old size may hold anything (e.g. uninitialized
         * RAM on a microcontroller): new pages must read as zero. */
        wasmaot_rt_memset(mem->base + mem->size_bytes, 0, (size_t)(new_bytes - mem->size_bytes));
    } else if (wasmaot_platform_memory_grow(mem, new_bytes) != 0) {
        return -1;
    }
    mem->size_bytes = new_bytes;
    mem->pages = (uint32_t)new_pages;
    return (int32_t)old_pages;
}

/* True if [start, start + n) lies within [0, limit).  n == 0 at start ==
 * limit is in range (bulk memory allows it); start > limit is not, even for
 * n == 0. */
static inline int in_range(uint32_t start, uint32_t n, uint64_t limit) {
    return (uint64_t)start + n <= limit;
}

void wasmaot_memory_fill(wasmaot_memory *mem, uint32_t d, uint32_t value, uint32_t n) {
    if (!in_range(d, n, mem->size_bytes)) wasmaot_trap(WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS);
    wasmaot_rt_memset(mem->base + d, (int)(uint8_t)value, n);
}

void wasmaot_memory_copy(wasmaot_memory *dst, const wasmaot_memory *src, uint32_t d, uint32_t s, uint32_t n) {
    if (!in_range(d, n, dst->size_bytes) || !in_range(s, n, src->size_bytes))
        wasmaot_trap(WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS);
    wasmaot_rt_memmove(dst->base + d, src->base + s, n);
}

void wasmaot_memory_init(wasmaot_memory *mem, uint32_t d, const uint8_t *src_data, uint32_t src_len,
                         uint32_t s, uint32_t n) {
    if (!in_range(s, n, src_len) || !in_range(d, n, mem->size_bytes))
        wasmaot_trap(WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS);
    wasmaot_rt_memmove(mem->base + d, src_data + s, n);
}

void *wasmaot_memory_checked_ptr(const wasmaot_memory *mem, uint32_t addr, uint32_t len) {
    if (!in_range(addr, len, mem->size_bytes)) wasmaot_trap(WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS);
    return mem->base + addr;
}
