/* A component written in C with hand-made canonical-ABI glue (no bindings
 * generator): the exports of rich.wit.  wasm32, freestanding. */
#include <stddef.h>
#include <stdint.h>

#define EXPORT(name) __attribute__((export_name(name)))

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

static char *dup_with(const char *prefix, const char *s, size_t n, size_t *out_len) {
    size_t k = 0;
    while (prefix[k]) k++;
    char *d = cabi_realloc(0, 0, 1, k + n);
    for (size_t i = 0; i < k; i++) d[i] = prefix[i];
    for (size_t i = 0; i < n; i++) d[k + i] = s[i];
    *out_len = k + n;
    return d;
}

EXPORT("add")
uint32_t add(uint32_t a, uint32_t b) { return a + b; }

EXPORT("demo:rich/api#greet")
uint8_t *greet(char *name, size_t len) {
    size_t n;
    char *s = dup_with("hello ", name, len, &n);
    *(uint32_t *)ret_area = (uint32_t)(uintptr_t)s;
    *(uint32_t *)(ret_area + 4) = (uint32_t)n;
    return ret_area;
}

EXPORT("cabi_post_demo:rich/api#greet")
void greet_post(uint8_t *ret) {
    if (ret != ret_area) __builtin_trap();     /* post-return gets the result */
}

EXPORT("demo:rich/api#sum")
uint64_t sum(uint32_t *xs, size_t n) {
    uint64_t s = 0;
    for (size_t i = 0; i < n; i++) s += xs[i];
    return s;
}

/* describe: point (x, y), shape (disc, f64 payload), color, perms ->
 * option<result<string, string>> through the return area. */
EXPORT("demo:rich/api#describe")
uint8_t *describe(int32_t x, int32_t y, int32_t shape, double r, int32_t color, int32_t perms) {
    (void)y;
    if (x < 0) {                                  /* none */
        ret_area[0] = 0;
        return ret_area;
    }
    int ok = shape == 1 || r > 0;
    const char *text = color == 0 ? (perms & 2 ? "red, writable" : "red")
                                  : (perms & 1 ? "green, readable" : "green");
    size_t k = 0, n;
    while (text[k]) k++;
    char *s = dup_with(ok ? "" : "bad radius: ", text, k, &n);
    ret_area[0] = 1;                              /* some */
    ret_area[4] = ok ? 0 : 1;                     /* ok / err */
    *(uint32_t *)(ret_area + 8) = (uint32_t)(uintptr_t)s;
    *(uint32_t *)(ret_area + 12) = (uint32_t)n;
    return ret_area;
}

/* many: 17 u64 spilled into memory (one pointer); the tuple comes back
 * through the return area. */
EXPORT("demo:rich/api#many")
uint8_t *many(uint64_t *a) {
    uint64_t s = 0;
    for (int i = 0; i < 17; i++) s += a[i];
    ret_area[0] = (uint8_t)s;                      /* u8 */
    ret_area[1] = (uint8_t)(int8_t)-1;             /* s8 */
    *(uint16_t *)(ret_area + 2) = 65535;           /* u16 */
    *(int16_t *)(ret_area + 4) = -2;               /* s16 */
    *(uint32_t *)(ret_area + 8) = (uint32_t)a[16]; /* u32 */
    *(int32_t *)(ret_area + 12) = -3;              /* s32 */
    *(uint64_t *)(ret_area + 16) = s;              /* u64 */
    *(int64_t *)(ret_area + 24) = -(int64_t)s;     /* s64 */
    *(float *)(ret_area + 32) = 0.1f;              /* f32 */
    *(double *)(ret_area + 40) = 1e300;            /* f64 */
    *(uint32_t *)(ret_area + 48) = 0x1F600;        /* char */
    ret_area[52] = 1;                              /* bool */
    return ret_area;
}

/* fail: traps in the guest (a Wasm `unreachable`). */
EXPORT("demo:rich/api#fail")
uint32_t fail(uint32_t code) {
    if (code) __builtin_trap();
    return 0;
}

/* counter: a resource.  The handle table is the host's; this side keeps
 * the state behind each rep (1-based index into `counters`). */
__attribute__((import_module("[export]demo:rich/api"), import_name("[resource-new]counter")))
int32_t counter_resource_new(int32_t rep);

static uint32_t counters[64];
static uint32_t n_counters, n_dropped;

EXPORT("demo:rich/api#[constructor]counter")
int32_t counter_new(uint32_t start) {
    if (n_counters == 64) __builtin_trap();
    counters[n_counters++] = start;
    return counter_resource_new((int32_t)n_counters);
}

EXPORT("demo:rich/api#[method]counter.get")
uint32_t counter_get(int32_t rep) { return counters[rep - 1]; }

EXPORT("demo:rich/api#[method]counter.bump")
void counter_bump(int32_t rep) { counters[rep - 1]++; }

EXPORT("demo:rich/api#[dtor]counter")
void counter_dtor(int32_t rep) { (void)rep; n_dropped++; }

EXPORT("demo:rich/api#dropped")
uint32_t dropped(void) { return n_dropped; }
