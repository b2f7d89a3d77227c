/* alloc (memory-heavy): allocator churn.  Binary trees built and freed
 * node by node (the "binary-trees" pattern), plus a pool of variable-size
 * blocks that are malloc'ed, realloc'ed, written and freed in random order.
 * Uses each platform's own malloc (glibc natively, wasi-libc's dlmalloc in
 * wasm). */
#include "bench.h"

#define MAX_DEPTH BENCH_PICK(13, 17)
#define SLOTS 4096
#define CHURN BENCH_PICK(200000, 3000000)

typedef struct Node { struct Node *l, *r; uint32_t v; } Node;

static Node *build(int depth, uint32_t v) {
    Node *n = malloc(sizeof *n);
    bench_require(n != NULL, "alloc", "out of memory");
    n->v = v;
    if (depth > 0) { n->l = build(depth - 1, 2 * v); n->r = build(depth - 1, 2 * v + 1); }
    else n->l = n->r = NULL;
    return n;
}

static uint64_t walk_free(Node *n) {
    if (!n) return 0;
    uint64_t s = n->v + walk_free(n->l) * 3 + walk_free(n->r);
    free(n);
    return s;
}

static unsigned char *slot[SLOTS];
static uint32_t slot_len[SLOTS];

int main(void) {
    uint64_t h = 0;
    bench_seed(99);
    bench_start();
    for (int d = 4; d <= MAX_DEPTH; d += 2) {
        int iters = 1 << (MAX_DEPTH - d + 4);
        for (int i = 0; i < iters; i++) h = bench_hash_u64(h, walk_free(build(d, (uint32_t)i)));
    }
    for (long c = 0; c < CHURN; c++) {
        uint32_t r = bench_rand();
        uint32_t k = r % SLOTS;
        if (slot[k] && (r >> 12) % 4 == 0) {                 /* grow */
            uint32_t n = slot_len[k] * 2 + 1;
            unsigned char *p = realloc(slot[k], n);
            bench_require(p != NULL, "alloc", "out of memory");
            memset(p + slot_len[k], (int)(r >> 24), n - slot_len[k]);
            slot[k] = p; slot_len[k] = n;
        } else if (slot[k]) {                                /* free */
            h = bench_hash_u64(h, (uint64_t)slot[k][slot_len[k] / 2] + slot_len[k]);
            free(slot[k]); slot[k] = NULL;
        } else {                                             /* allocate 8..1031 bytes */
            uint32_t n = 8 + (r >> 22) % 1024;
            slot[k] = malloc(n);
            bench_require(slot[k] != NULL, "alloc", "out of memory");
            memset(slot[k], (int)(r & 0xff), n);
            slot_len[k] = n;
        }
    }
    for (int k = 0; k < SLOTS; k++)
        if (slot[k]) { h = bench_hash_u64(h, slot[k][0] + slot_len[k]); free(slot[k]); }
    bench_stop();
    bench_check_u64("alloc", h, EXPECT(alloc));
    return 0;
}
