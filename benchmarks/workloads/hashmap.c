/* hashmap (memory-heavy): open-addressing hash map (linear probing, u64
 * keys) that is filled, probed with hits and misses, and emptied again,
 * with a table larger than the caches. */
#include "bench.h"

#define LOG_CAP BENCH_PICK(18, 21)
#define CAP (1u << LOG_CAP)
#define NKEYS (CAP / 2)
#define ROUNDS BENCH_PICK(3, 4)

typedef struct { uint64_t key; uint64_t val; } Slot;   /* key 0 = empty, 1 = tombstone */

static Slot *table;

static inline uint32_t slot_of(uint64_t k) {
    k ^= k >> 33; k *= 0xff51afd7ed558ccdull; k ^= k >> 33;
    return (uint32_t)k & (CAP - 1);
}

static void put(uint64_t k, uint64_t v) {
    uint32_t i = slot_of(k), tomb = CAP;
    for (;; i = (i + 1) & (CAP - 1)) {
        if (table[i].key == k) { table[i].val = v; return; }
        if (table[i].key == 1 && tomb == CAP) tomb = i;
        if (table[i].key == 0) break;
    }
    if (tomb != CAP) i = tomb;
    table[i].key = k; table[i].val = v;
}

static int get(uint64_t k, uint64_t *v) {
    for (uint32_t i = slot_of(k);; i = (i + 1) & (CAP - 1)) {
        if (table[i].key == k) { *v = table[i].val; return 1; }
        if (table[i].key == 0) return 0;
    }
}

static int del(uint64_t k) {
    for (uint32_t i = slot_of(k);; i = (i + 1) & (CAP - 1)) {
        if (table[i].key == k) { table[i].key = 1; return 1; }
        if (table[i].key == 0) return 0;
    }
}

static uint64_t key_of(uint32_t i, uint32_t round) { return ((uint64_t)i * 2654435761u + round * 977u) * 2 + 2; }

int main(void) {
    table = calloc(CAP, sizeof(Slot));
    bench_require(table != NULL, "hashmap", "out of memory");
    uint64_t h = 0;
    bench_start();
    for (uint32_t r = 0; r < ROUNDS; r++) {
        for (uint32_t i = 0; i < NKEYS; i++) put(key_of(i, r), i ^ r);
        for (uint32_t i = 0; i < NKEYS; i += 2) put(key_of(i, r), i + 7);     /* updates */
        uint64_t hits = 0, sum = 0, v;
        for (uint32_t i = 0; i < 2 * NKEYS; i++)                                /* half miss */
            if (get(key_of(i, r), &v)) { hits++; sum += v; }
        uint64_t dels = 0;
        for (uint32_t i = 0; i < NKEYS; i++) dels += (uint64_t)del(key_of(i, r));
        h = bench_hash_u64(bench_hash_u64(bench_hash_u64(h, hits), sum), dels);
        memset(table, 0, CAP * sizeof(Slot));
    }
    bench_stop();
    free(table);
    bench_check_u64("hashmap", h, EXPECT(hashmap));
    return 0;
}
