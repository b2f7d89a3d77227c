/* wordfreq (string): tokenize a generated text, count the words in a
 * chained hash table of strings (strcmp, memcpy), then sort the distinct
 * words by frequency and name with qsort and a comparator. */
#include "bench.h"

#define TEXT BENCH_PICK(1000000, 4000000)
#define NBUCKETS 65536
#define ROUNDS BENCH_PICK(4, 20)

typedef struct Entry { struct Entry *next; uint32_t count; uint32_t len; char word[]; } Entry;

static char text[TEXT + 1];
static Entry *buckets[NBUCKETS];
static Entry **all;
static uint32_t nall, cap_all;

static const char *const syll[] = { "ka", "lo", "mi", "ne", "ru", "ta", "shi", "vo", "x", "qua", "ze", "po" };

static uint32_t fnv(const char *s, uint32_t n) {
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < n; i++) { h ^= (unsigned char)s[i]; h *= 16777619u; }
    return h;
}

static void add_word(const char *s, uint32_t n) {
    char buf[64];
    memcpy(buf, s, n); buf[n] = 0;
    uint32_t b = fnv(buf, n) & (NBUCKETS - 1);
    for (Entry *e = buckets[b]; e; e = e->next)
        if (e->len == n && strcmp(e->word, buf) == 0) { e->count++; return; }
    Entry *e = malloc(sizeof *e + n + 1);
    bench_require(e != NULL, "wordfreq", "out of memory");
    e->count = 1; e->len = n; memcpy(e->word, buf, n + 1);
    e->next = buckets[b]; buckets[b] = e;
    if (nall == cap_all) {
        cap_all = cap_all ? cap_all * 2 : 1024;
        all = realloc(all, cap_all * sizeof *all);
        bench_require(all != NULL, "wordfreq", "out of memory");
    }
    all[nall++] = e;
}

static int by_count_then_word(const void *pa, const void *pb) {
    const Entry *a = *(Entry *const *)pa, *b = *(Entry *const *)pb;
    if (a->count != b->count) return a->count < b->count ? 1 : -1;
    return strcmp(a->word, b->word);
}

int main(void) {
    bench_seed(31337);
    long n = 0;
    while (n < TEXT - 40) {
        uint32_t r = bench_rand();
        int k = 1 + (int)(r % 4);            /* 1..4 syllables: a Zipf-ish vocabulary */
        for (int i = 0; i < k; i++) {
            const char *s = syll[(r >> (4 + 4 * i)) % 12 * ((r >> 20) % (i + 1) == 0)];
            while (*s) text[n++] = *s++;
        }
        text[n++] = (r >> 30) == 0 ? '.' : ' ';
        if ((r >> 26) % 9 == 0) text[n++] = '\n';
    }
    text[n] = 0;
    bench_start();
    for (int round = 0; round < ROUNDS; round++)
    for (long i = 0; i < n;) {
        while (i < n && !(text[i] >= 'a' && text[i] <= 'z')) i++;
        long j = i;
        while (j < n && text[j] >= 'a' && text[j] <= 'z' && j - i < 63) j++;
        if (j > i) add_word(text + i, (uint32_t)(j - i));
        i = j;
    }
    qsort(all, nall, sizeof *all, by_count_then_word);
    bench_stop();
    uint64_t h = nall, total = 0;
    for (uint32_t i = 0; i < nall; i++) {
        total += all[i]->count;
        if (i) bench_require(by_count_then_word(&all[i - 1], &all[i]) < 0, "wordfreq", "not sorted");
        if (i < 200) h = bench_hash_u64(bench_hash_u64(h, all[i]->count), fnv(all[i]->word, all[i]->len));
    }
    h = bench_hash_u64(h, total);
    bench_check_u64("wordfreq", h, EXPECT(wordfreq));
    return 0;
}
