/*
 * Linear memory operations called from generated code (memory.grow, the
 * bulk-memory instructions) and memory lifetime.  Freestanding: storage comes
 * from the platform layer or from an embedder buffer.
 *
 * Invariants kept by every function here (generated code relies on them):
 *   size_bytes == (uint64_t)pages << page_size_log2   (page_size_log2: 16 or 0)
 *   pages <= max_pages <= max_pages_for(page_size_log2)  (4 GiB at most)
 *   size_bytes <= WASMAOT_MAX_MEMORY_BYTES (4 GiB - 64 KiB), whatever max_pages
 *   size_bytes <= capacity_bytes, and [base, base + size_bytes) is read/write
 *   GUARD mode: base never changes between memory_new and memory_free
 * Bounds checks use 64-bit sums of 32-bit operands, so they cannot wrap.
 */
#include "wasmaot_platform.h"

static uint32_t page_size_log2(uint32_t flags) {
    return (flags & WASMAOT_MEMORY_PAGE_SIZE_1) ? 0 : 16;
}

/* The most pages a memory may have: 4 GiB of them (WASMAOT_MAX_PAGES for
 * 65536-byte pages), as a uint32_t (2^32 - 1 for 1-byte pages, as the
 * custom-page-sizes proposal bounds a 32-bit memory). */
static uint32_t max_pages_for(uint32_t log2) {
    uint64_t n = (1ull << 32) >> log2;
    return n > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)n;
}

/* max_pages is the type's maximum (linking compares it); the size itself
 * stops at WASMAOT_MAX_MEMORY_BYTES (wasmaot_rt.h says why). */
static int valid_limits(uint32_t initial_pages, uint32_t *max_pages, uint32_t flags) {
    uint32_t log2 = page_size_log2(flags);
    uint32_t cap = max_pages_for(log2);
    if (!(flags & WASMAOT_MEMORY_HAS_MAX)) *max_pages = cap;
    return *max_pages <= cap && initial_pages <= *max_pages &&
           ((uint64_t)initial_pages << log2) <= WASMAOT_MAX_MEMORY_BYTES;
}

static uint64_t pages_to_bytes(uint64_t pages, uint32_t log2) {
    return pages << log2;
}

int wasmaot_memory_new(wasmaot_memory *mem, uint32_t initial_pages, uint32_t max_pages, uint32_t flags) {
    wasmaot_rt_memset(mem, 0, sizeof *mem);
    if (!valid_limits(initial_pages, &max_pages, flags)) return -1;
    mem->pages = initial_pages;
    mem->max_pages = max_pages;
    mem->page_size_log2 = page_size_log2(flags);
    mem->size_bytes = pages_to_bytes(initial_pages, mem->page_size_log2);
    mem->flags = flags & WASMAOT_MEMORY_HAS_MAX;
    if (wasmaot_platform_memory_new(mem, mem->size_bytes, pages_to_bytes(max_pages, mem->page_size_log2)) != 0) {
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
    uint64_t initial_bytes = pages_to_bytes(initial_pages, page_size_log2(flags));
    if (initial_bytes > capacity_bytes) return -1;
    wasmaot_rt_memset(buffer, 0, (size_t)initial_bytes);
    mem->base = (uint8_t *)buffer;
    mem->size_bytes = initial_bytes;
    mem->pages = initial_pages;
    mem->max_pages = max_pages;
    mem->page_size_log2 = page_size_log2(flags);
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
    uint64_t new_bytes = pages_to_bytes(new_pages, mem->page_size_log2);
    if (new_bytes > WASMAOT_MAX_MEMORY_BYTES) return -1;
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

/* Bytes of the memory at and after `at` (0 past its end). */
static uint64_t room(uint32_t at, uint64_t size) {
    return at < size ? size - at : 0;
}

/* Generated code calls this only when a run reaches the end of memory
 * (it compares runs in bounds with wasmaot_rt_mismatch itself), but it
 * takes any.  `run`: the bytes both runs can read before either leaves
 * the memory.  If they are equal and the loop had more to read, its next
 * read, at a + run or b + run, is the first byte out of bounds: no address
 * wraps before that, since a memory ends below 2^32 - 1 (the invariants
 * at the top). */
uint32_t wasmaot_memory_mismatch8(const wasmaot_memory *mem, uint32_t a, uint32_t b, uint32_t n) {
    uint64_t run = n;
    if (run > room(a, mem->size_bytes)) run = room(a, mem->size_bytes);
    if (run > room(b, mem->size_bytes)) run = room(b, mem->size_bytes);
    size_t k = run ? wasmaot_rt_mismatch(mem->base + a, mem->base + b, (size_t)run) : 0;
    if (k == run && run < n) wasmaot_trap(WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS);
    return (uint32_t)k;
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
