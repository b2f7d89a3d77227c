/* The benchmark's provider (bench.wit, world provider) in C with hand-made
 * canonical-ABI glue, wasm32 freestanding.  Its realloc is a bump
 * allocator that post-return resets: each call's arguments are the only
 * live allocation, so a loop of calls runs in constant memory. */
#include <stddef.h>
#include <stdint.h>

#define EXPORT(name) __attribute__((export_name(name)))

static unsigned char heap[1 << 17] __attribute__((aligned(8)));
static size_t heap_top;
static uint32_t ret_area[2];

EXPORT("cabi_realloc")
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
    if (old && new_size <= old_size) return old;
    heap_top = (heap_top + align - 1) & ~(align - 1);
    unsigned char *p = heap + heap_top;
    heap_top += new_size;
    if (heap_top > sizeof heap) __builtin_trap();
    for (size_t i = 0; i < old_size; i++) p[i] = ((unsigned char *)old)[i];
    return p;
}

EXPORT("bench:cc/api#add")
uint32_t add(uint32_t a, uint32_t b) { return a + b; }

/* The string comes back in the buffer realloc gave it: the adapter copies
 * it out before post-return frees it. */
EXPORT("bench:cc/api#echo")
uint32_t *echo(char *s, size_t len) {
    ret_area[0] = (uint32_t)(uintptr_t)s;
    ret_area[1] = (uint32_t)len;
    return ret_area;
}

EXPORT("cabi_post_bench:cc/api#echo")
void echo_post(uint32_t *ret) { (void)ret; heap_top = 0; }

typedef struct entry { uint32_t key; uint64_t value; } entry;   /* size 16, align 8 */

/* Each record's value grows by its key, in place. */
EXPORT("bench:cc/api#bump")
uint32_t *bump(entry *xs, size_t n) {
    for (size_t i = 0; i < n; i++) xs[i].value += xs[i].key;
    ret_area[0] = (uint32_t)(uintptr_t)xs;
    ret_area[1] = (uint32_t)n;
    return ret_area;
}

EXPORT("cabi_post_bench:cc/api#bump")
void bump_post(uint32_t *ret) { (void)ret; heap_top = 0; }
