/* A consumer of rich.c's demo:rich/api, in C with hand-made canonical-ABI
 * glue: each export calls the import of the same type and hands the result
 * back, so every call crosses the adapter between the two components. */
#include <stddef.h>
#include <stdint.h>

#define EXPORT(name) __attribute__((export_name(name)))
#define IMPORT(name) __attribute__((import_module("demo:rich/api"), import_name(name)))

IMPORT("greet") void api_greet(char *s, size_t n, uint8_t *ret);
IMPORT("sum") uint64_t api_sum(uint32_t *xs, size_t n);
IMPORT("describe") void api_describe(int32_t x, int32_t y, int32_t shape, double r, int32_t color,
                                     int32_t perms, uint8_t *ret);
IMPORT("many") void api_many(uint64_t *args, uint8_t *ret);
IMPORT("fail") uint32_t api_fail(uint32_t code);

static unsigned char heap[1 << 16];
static size_t heap_top;
static uint8_t ret_area[64] __attribute__((aligned(8)));

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

EXPORT("relay-greet")
uint8_t *relay_greet(char *s, size_t n) {
    api_greet(s, n, ret_area);
    return ret_area;
}

EXPORT("relay-sum")
uint64_t relay_sum(uint32_t *xs, size_t n) { return api_sum(xs, n); }

EXPORT("relay-describe")
uint8_t *relay_describe(int32_t x, int32_t y, int32_t shape, double r, int32_t color, int32_t perms) {
    api_describe(x, y, shape, r, color, perms, ret_area);
    return ret_area;
}

EXPORT("relay-many")
uint8_t *relay_many(uint64_t *args) {
    api_many(args, ret_area);
    return ret_area;
}

EXPORT("relay-fail")
uint32_t relay_fail(uint32_t code) { return api_fail(code); }
