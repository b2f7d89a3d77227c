/* The benchmark's consumer (bench.wit, world consumer): each export calls
 * one provider function n times and returns a checksum of the results, so
 * that every call crosses the adapter between the two components.  The
 * results land in memory its bump realloc hands out; the loop resets it
 * after each call (nothing else allocates), so memory stays constant. */
#include <stddef.h>
#include <stdint.h>

#define EXPORT(name) __attribute__((export_name(name)))
#define IMPORT(name) __attribute__((import_module("bench:cc/api"), import_name(name)))

typedef struct entry { uint32_t key; uint64_t value; } entry;   /* size 16, align 8 */

IMPORT("add") uint32_t api_add(uint32_t a, uint32_t b);
IMPORT("echo") void api_echo(const char *s, size_t n, uint32_t *ret);
IMPORT("bump") void api_bump(const entry *xs, size_t n, uint32_t *ret);

#define STRING_LEN 1024
#define LIST_LEN 1000

static unsigned char heap[1 << 15] __attribute__((aligned(8)));
static size_t heap_top;
static uint32_t ret_area[2];
static char text[STRING_LEN];
static entry entries[LIST_LEN];

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

/* The xor-shift keeps each call's arguments dependent on the last result
 * in a way no compiler sums in closed form: once a fused call is inlined,
 * acc = add(acc, i) alone would fold into n (n - 1) / 2 and nothing would
 * be left to measure. */
EXPORT("run-add")
uint32_t run_add(uint32_t n) {
    uint32_t acc = 0;
    for (uint32_t i = 0; i < n; i++) acc = api_add(acc ^ (acc >> 5), i);
    return acc;
}

/* One byte of each returned string (a different one each time) and its
 * length: the copy must have happened, and no loop over it hides the call. */
EXPORT("run-string")
uint32_t run_string(uint32_t n) {
    for (uint32_t i = 0; i < STRING_LEN; i++) text[i] = (char)('a' + i % 26);
    uint32_t acc = 0;
    for (uint32_t i = 0; i < n; i++) {
        api_echo(text, STRING_LEN, ret_area);
        const unsigned char *s = (const unsigned char *)(uintptr_t)ret_area[0];
        acc = acc * 31 + ret_area[1] + s[i % ret_area[1]];
        heap_top = 0;
    }
    return acc;
}

EXPORT("run-list")
uint32_t run_list(uint32_t n) {
    for (uint32_t i = 0; i < LIST_LEN; i++) entries[i] = (entry){i, (uint64_t)i << 32};
    uint32_t acc = 0;
    for (uint32_t i = 0; i < n; i++) {
        api_bump(entries, LIST_LEN, ret_area);
        const entry *out = (const entry *)(uintptr_t)ret_area[0];
        const entry *e = &out[i % ret_area[1]];
        acc = acc * 31 + ret_area[1] + e->key + (uint32_t)e->value + (uint32_t)(e->value >> 32);
        heap_top = 0;
    }
    return acc;
}
