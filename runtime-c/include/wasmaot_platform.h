/*
 * wasmaot_platform.h -- the contract between the freestanding core
 * (runtime-c/core) and a platform layer (runtime-c/platform/<name>).
 *
 * NOT part of the generated-code ABI: generated code only uses wasmaot_rt.h.
 * A platform layer implements every function declared here; the core calls
 * nothing else outside itself (no libc), which is what lets the same core
 * run on Linux and on a Cortex-M.
 */
#ifndef WASMAOT_PLATFORM_H
#define WASMAOT_PLATFORM_H

#include "wasmaot_rt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Deliver a trap: unwind to the innermost wasmaot_rt_try (POSIX), call the
 * embedder (bare metal), or report and exit.  Never returns.  wasmaot_trap()
 * is a thin wrapper so that generated code has one stable symbol. */
WASMAOT_NORETURN void wasmaot_platform_trap(wasmaot_trap_code code);

/* Platform-owned linear memory.
 *  memory_new:  fill in base / capacity_bytes / flags (MAPPED, GUARD) so that
 *               [base, base + initial_bytes) is zeroed read/write.  The core has
 *               already validated the sizes and set pages/max_pages/size_bytes/
 *               page_size_log2 (sizes need not be whole host pages).
 *               0 or -1.
 *  memory_grow: make [base, base + new_bytes) read/write; bytes past the old
 *               size must read as zero.  May move base (EXPLICIT mode only) and
 *               must then update base and capacity_bytes.  The core updates
 *               pages/size_bytes after success.  0 or -1 (memory unchanged).
 *  memory_free: release what memory_new/grow acquired. */
int wasmaot_platform_memory_new(wasmaot_memory *mem, uint64_t initial_bytes, uint64_t max_bytes);
int wasmaot_platform_memory_grow(wasmaot_memory *mem, uint64_t new_bytes);
void wasmaot_platform_memory_free(wasmaot_memory *mem);

/* Heap for table storage: realloc semantics (p may be NULL), NULL on failure
 * (the old block is then untouched).  Bare metal returns NULL. */
void *wasmaot_platform_realloc(void *p, size_t new_bytes);
void wasmaot_platform_free(void *p);

/* Byte routines of the core (core/string.c): hosted builds use inline
 * word-sized moves (not the C library: a static executable's memmove is
 * generic code), freestanding builds small loops.  n == 0 never
 * dereferences.  Generated code calls memmove and memset directly for
 * memory.copy / memory.fill of 32-bit memories, after checking the ranges
 * itself (backends/ABI.md, "Traps, bounds and modes"). */
void wasmaot_rt_memmove(void *dst, const void *src, size_t n);
void wasmaot_rt_memset(void *dst, int c, size_t n);
/* The index of the first byte at which a and b differ, or n if none does
 * (wasmaot_memory_mismatch8's fast part). */
size_t wasmaot_rt_mismatch(const void *a, const void *b, size_t n);
int wasmaot_rt_strcmp(const char *a, const char *b);

#ifdef __cplusplus
}
#endif
#endif /* WASMAOT_PLATFORM_H */
