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
IMPORT("[constructor]counter") int32_t api_counter_new(uint32_t start);
IMPORT("[method]counter.get") uint32_t api_counter_get(int32_t self);
IMPORT("[method]counter.bump") void api_counter_bump(int32_t self);
IMPORT("[resource-drop]counter") void api_counter_drop(int32_t self);
IMPORT("dropped") uint32_t api_dropped(void);

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

/* An own handle from the provider's constructor, lent (borrow) to its
 * methods, dropped (the provider's destructor runs): 100 * value + drops. */
EXPORT("relay-counter")
uint32_t relay_counter(uint32_t start, uint32_t bumps) {
    int32_t a = api_counter_new(start), b = api_counter_new(1000);
    for (uint32_t i = 0; i < bumps; i++) api_counter_bump(a);
    uint32_t v = api_counter_get(a);
    api_counter_drop(a);
    api_counter_drop(b);
    return 100 * v + api_dropped();
}

/* A handle used after its drop: the host's table traps. */
EXPORT("relay-use-after-drop")
uint32_t relay_use_after_drop(void) {
    int32_t a = api_counter_new(1);
    api_counter_drop(a);
    return api_counter_get(a);
}
