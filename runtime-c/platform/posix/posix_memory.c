/*
 * POSIX linear memory: mmap reservations, committed with mprotect.
 *
 * GUARD mode: one PROT_NONE reservation of WASMAOT_GUARD_RESERVATION bytes
 * per memory (MAP_NORESERVE: untouched PROT_NONE pages cost address space,
 * not RAM or commit charge).  Growing only mprotects more of it, so base is
 * stable, and fresh anonymous pages are zero, so grow needs no memset.  The
 * reservation is registered for the fault handler.
 *
 * EXPLICIT mode: reserve min(max, WASMAOT_EXPLICIT_RESERVE_BYTES) (at least
 * the initial size, at least one Wasm page so base is never NULL), or only
 * that least size if the address space is too limited for more, and commit
 * the current size.  A grow past the reservation maps a bigger one, copies,
 * and unmaps the old one: base moves (generated code reloads it after calls).
 * EXPLICIT reservations are deliberately NOT registered with the fault
 * handler: generated code checks every access, so a fault there is a
 * compiler bug and should crash loudly rather than pass for a Wasm trap.
 *
 * Both modes: with WASMAOT_HUGE_PAGES a reservation starts on a 2 MiB
 * boundary, and when the process runs with WASMAOT_HUGE_PAGES=1 in its
 * environment what lies beyond the initial size is advised MADV_HUGEPAGE
 * (see reserve() and advise_huge()).
 */
#define _GNU_SOURCE 1
#include "posix_internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if !defined(MAP_ANONYMOUS) && defined(MAP_ANON)
#define MAP_ANONYMOUS MAP_ANON
#endif
#ifndef MAP_NORESERVE
#define MAP_NORESERVE 0
#endif

#if WASMAOT_HUGE_PAGES && defined(MADV_HUGEPAGE)
#define HUGE_ALIGN ((uint64_t)2 << 20) /* x86-64 and 4K-page AArch64 PMD size */
#else
#define HUGE_ALIGN ((uint64_t)0)       /* no alignment, no advice */
#endif

static uint64_t host_page(void) {
    static uint64_t page;
    if (page == 0) page = (uint64_t)sysconf(_SC_PAGESIZE);
    return page;
}

/* Reserve `bytes` (whole host pages, as mmap and munmap count them: a memory
 * with 1-byte pages may ask for any size).  With HUGE_ALIGN the reservation
 * starts on a 2 MiB boundary (over-reserve, trim both ends): a huge page
 * can only back an aligned 2 MiB block, so an unaligned base would lose one
 * at each end of every committed range. */
static void *reserve(uint64_t bytes) {
    bytes = (bytes + host_page() - 1) & ~(host_page() - 1);
    if (bytes > (uint64_t)SIZE_MAX - HUGE_ALIGN) return NULL;
    uint8_t *p = (uint8_t *)mmap(NULL, (size_t)(bytes + HUGE_ALIGN), PROT_NONE,
                                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == (uint8_t *)MAP_FAILED) return NULL;
    if (HUGE_ALIGN == 0) return p;
    uintptr_t head = (uintptr_t)(-(uintptr_t)p & (HUGE_ALIGN - 1));
    if (head) munmap(p, head);
    if (HUGE_ALIGN - head) munmap(p + head + bytes, (size_t)(HUGE_ALIGN - head));
    return p + head;
}

#if WASMAOT_HUGE_PAGES && defined(MADV_HUGEPAGE)
/* Asked for at run time, with WASMAOT_HUGE_PAGES=1 in the environment: on a
 * VM whose balloon reports free memory to its host (free page reporting), a
 * huge page first touched after the host took it back costs host faults
 * (about 3 ms each, from 0.1 s of system time for brotli's ~30 huge pages),
 * so brotli ran 0.42 s warm but 0.44-0.61 s cold (0.50-0.54 s with small
 * pages).  Where huge pages are cheap it pays, where they are not it costs:
 * the user chooses, like glibc's glibc.malloc.hugetlb tunable.  Read once;
 * a benign race at worst (every reader computes the same value). */
static int huge_wanted(void) {
    static int wanted = -1;
    if (wanted < 0) {
        const char *e = getenv("WASMAOT_HUGE_PAGES");
        wanted = e != NULL && strcmp(e, "1") == 0;
    }
    return wanted;
}

/* Advise huge pages for [base + from, base + cap), from rounded up to 2 MiB.
 * Only memory a program GROWS gets the advice: its initial memory (data,
 * stack, a small program's whole heap) keeps small pages, because the
 * first touch of a huge page zeroes 2 MiB -- a hello world would pay
 * ~0.15 ms for a page it barely uses.  The advice is a flag of the
 * mapping, kept when commit()'s mprotect splits it.  A refusal (THP
 * compiled out of the kernel) is harmless: small pages work. */
static void advise_huge(uint8_t *base, uint64_t from, uint64_t cap) {
    if (!huge_wanted()) return;
    from = (from + HUGE_ALIGN - 1) & ~(HUGE_ALIGN - 1);
    if (from < cap) (void)madvise(base + from, (size_t)(cap - from), MADV_HUGEPAGE);
}
#else
static void advise_huge(uint8_t *base, uint64_t from, uint64_t cap) {
    (void)base, (void)from, (void)cap;
}
#endif

/* Make [start, start + bytes) read/write.  mprotect works on whole host
 * pages: start is rounded down to one (a memory with 1-byte pages ends
 * anywhere; the rest of its last host page is already read/write). */
static int commit(uint8_t *start, uint64_t bytes) {
    if (bytes == 0) return 0;
    uintptr_t skip = (uintptr_t)start & (uintptr_t)(host_page() - 1);
    return mprotect(start - skip, (size_t)(bytes + skip), PROT_READ | PROT_WRITE);
}

int wasmaot_platform_memory_new(wasmaot_memory *mem, uint64_t initial_bytes, uint64_t max_bytes) {
#if WASMAOT_BOUNDS_GUARD
    (void)max_bytes;
    uint64_t cap = WASMAOT_GUARD_RESERVATION;
#else
    uint64_t cap = (uint64_t)WASMAOT_EXPLICIT_RESERVE_BYTES;
    if (cap > max_bytes) cap = max_bytes;
    if (cap < initial_bytes) cap = initial_bytes;
    if (cap < WASMAOT_PAGE_SIZE) cap = WASMAOT_PAGE_SIZE;
#endif
    uint8_t *base = (uint8_t *)reserve(cap);
#if !WASMAOT_BOUNDS_GUARD
    /* The up-front reservation is only an optimization: where the address
     * space is limited (ulimit -v) fall back to the smallest one, and let
     * grow move the memory (and return -1 when the host cannot back it). */
    uint64_t least = initial_bytes < WASMAOT_PAGE_SIZE ? WASMAOT_PAGE_SIZE : initial_bytes;
    if (base == NULL && cap > least) base = (uint8_t *)reserve(cap = least);
#endif
    if (base == NULL) return -1;
    if (commit(base, initial_bytes) != 0) {
        munmap(base, (size_t)cap);
        return -1;
    }
    advise_huge(base, initial_bytes, cap);
#if WASMAOT_BOUNDS_GUARD
    if (wasmaot_posix_register_reservation((uintptr_t)base, (uintptr_t)base + (uintptr_t)cap) != 0) {
        munmap(base, (size_t)cap);
        return -1;
    }
    mem->flags |= WASMAOT_MEMORY_GUARD;
#endif
    /* capacity_bytes is the whole reservation in both modes: a grow that
     * stays inside it only commits more pages, in place. */
    mem->base = base;
    mem->capacity_bytes = cap;
    mem->flags |= WASMAOT_MEMORY_MAPPED;
    return 0;
}

int wasmaot_platform_memory_grow(wasmaot_memory *mem, uint64_t new_bytes) {
    if (new_bytes <= mem->capacity_bytes)
        return commit(mem->base + mem->size_bytes, new_bytes - mem->size_bytes) == 0 ? 0 : -1;
#if WASMAOT_BOUNDS_GUARD
    return -1; /* unreachable: the reservation exceeds 4 GiB */
#else
    /* Move to a bigger reservation; double to amortize, capped at max. */
    uint64_t max_bytes = (uint64_t)mem->max_pages << mem->page_size_log2;
    uint64_t cap = mem->capacity_bytes * 2;
    if (cap < new_bytes) cap = new_bytes;
    if (cap > max_bytes) cap = max_bytes;
    uint8_t *base = (uint8_t *)reserve(cap);
    if (base == NULL && cap > new_bytes) base = (uint8_t *)reserve(cap = new_bytes);
    if (base == NULL) return -1;
    if (commit(base, new_bytes) != 0) {
        munmap(base, (size_t)cap);
        return -1;
    }
    advise_huge(base, 0, cap);   /* a moving memory is a growing one */
    memcpy(base, mem->base, (size_t)mem->size_bytes);
    munmap(mem->base, (size_t)mem->capacity_bytes);
    mem->base = base;
    mem->capacity_bytes = cap;
    return 0;
#endif
}

void wasmaot_platform_memory_free(wasmaot_memory *mem) {
    if (mem->base == NULL) return;
#if WASMAOT_BOUNDS_GUARD
    wasmaot_posix_unregister_reservation((uintptr_t)mem->base);
#endif
    munmap(mem->base, (size_t)mem->capacity_bytes);
}

void *wasmaot_platform_realloc(void *p, size_t new_bytes) {
    return realloc(p, new_bytes);
}

void wasmaot_platform_free(void *p) {
    free(p);
}

#if defined(__x86_64__) && defined(__linux__)
#include <asm/prctl.h>
#include <sys/syscall.h>

int wasmaot_memory_segment(const wasmaot_memory *mem) {
    return syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)mem->base) == 0 ? 0 : -1;
}
#else
int wasmaot_memory_segment(const wasmaot_memory *mem) {
    (void)mem;
    return -1;
}
#endif
