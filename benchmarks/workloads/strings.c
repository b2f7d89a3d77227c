/* strings: byte-string processing written out by hand (not libc's SIMD
 * routines): substring search (naive and Boyer-Moore-Horspool), case
 * folding, run-length encoding and decoding, reversal and a rolling hash,
 * over a generated text of a few MB. */
#include "bench.h"

#define TEXT BENCH_PICK(400000, 4000000)
#define ROUNDS BENCH_PICK(4, 6)

static char text[TEXT + 1], work[TEXT + 1];
static unsigned char rle[2 * TEXT + 2];

static const char *const words[] = {
    "alpha", "beta", "gamma", "delta", "wasm", "module", "function", "memory",
    "Table", "Global", "import", "export", "i32.add", "f64.mul", "br_if", "loop",
};

static long count_naive(const char *s, long n, const char *p, long m) {
    long c = 0;
    for (long i = 0; i + m <= n; i++) {
        long j = 0;
        while (j < m && s[i + j] == p[j]) j++;
        if (j == m) c++;
    }
    return c;
}

static long count_horspool(const char *s, long n, const char *p, long m) {
    long shift[256], c = 0;
    for (int i = 0; i < 256; i++) shift[i] = m;
    for (long i = 0; i < m - 1; i++) shift[(unsigned char)p[i]] = m - 1 - i;
    for (long i = 0; i + m <= n;) {
        long j = m - 1;
        while (j >= 0 && s[i + j] == p[j]) j--;
        if (j < 0) c++;
        i += shift[(unsigned char)s[i + m - 1]];
    }
    return c;
}

static long rle_encode(const char *s, long n, unsigned char *out) {
    long o = 0;
    for (long i = 0; i < n;) {
        long j = i;
        while (j < n && s[j] == s[i] && j - i < 255) j++;
        out[o++] = (unsigned char)(j - i); out[o++] = (unsigned char)s[i];
        i = j;
    }
    return o;
}

static long rle_decode(const unsigned char *in, long n, char *out) {
    long o = 0;
    for (long i = 0; i < n; i += 2)
        for (int k = 0; k < in[i]; k++) out[o++] = (char)in[i + 1];
    return o;
}

int main(void) {
    bench_seed(2024);
    long n = 0;
    while (n < TEXT - 20) {
        uint32_t r = bench_rand();
        const char *w = words[r % 16];
        while (*w && n < TEXT - 20) text[n++] = *w++;
        int spaces = 1 + (r >> 28) % 3;
        for (int k = 0; k < spaces; k++) text[n++] = ' ';
        if ((r >> 8) % 11 == 0) text[n++] = '\n';
    }
    text[n] = 0;
    uint64_t h = 0;
    bench_start();
    for (int round = 0; round < ROUNDS; round++) {
        const char *pat[4] = { "function", "i32.add", "a  b", "wasm memory" };
        for (int p = 0; p < 4; p++) {
            long m = (long)strlen(pat[p]);
            long a = count_naive(text, n, pat[p], m), b = count_horspool(text, n, pat[p], m);
            bench_require(a == b, "strings", "naive and Horspool search disagree");
            h = bench_hash_u64(h, (uint64_t)a);
        }
        for (long i = 0; i < n; i++) {                           /* swap case */
            char c = text[i];
            work[i] = c >= 'a' && c <= 'z' ? (char)(c - 32) : c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
        }
        long e = rle_encode(work, n, rle);
        long d = rle_decode(rle, e, work);
        bench_require(d == n, "strings", "RLE round trip changed the length");
        for (long i = 0, j = n - 1; i < j; i++, j--) { char t = work[i]; work[i] = work[j]; work[j] = t; }
        uint64_t roll = 0;
        for (long i = 0; i < n; i++) roll = roll * 131 + (unsigned char)work[i];
        h = bench_hash_u64(bench_hash_u64(h, (uint64_t)e), roll);
    }
    bench_stop();
    bench_check_u64("strings", h, EXPECT(strings));
    return 0;
}
