/* SIMD-heavy kernels for benchmarks/simd/run.py.
 *
 * Plain C, written so that clang's loop vectorizer turns the hot loops into
 * vector code both for wasm32 with -msimd128 (v128 instructions, which
 * wasmaot then compiles) and natively (SSE/AVX): the benchmark compares
 * wasmaot's code for the Wasm SIMD build with the native build of the very
 * same source.
 *
 * No libc: every kernel is an export `int bench_<name>(int iters)` that
 * fills its inputs deterministically (a fixed LCG), runs the hot loop
 * `iters` times and returns a checksum, so the Wasm build runs as
 * `./prog --invoke bench_fir 200` and needs no WASI.  Checksums are
 * integers (float results are folded by their bit patterns) and are
 * bit-identical between the Wasm and native builds: no fast-math, no
 * reassociation, and x86-64-v2 has no FMA to contract into.
 */
#include <stdint.h>

#if defined(__wasm__)
#define EXPORT(name) __attribute__((export_name(name)))
#else
#define EXPORT(name)
#endif

static uint32_t lcg_state;
static uint32_t lcg(void) {
    lcg_state = lcg_state * 1664525u + 1013904223u;
    return lcg_state >> 8;
}

static uint32_t fold_f32(const float *x, int n) {
    uint32_t h = 2166136261u;
    for (int i = 0; i < n; i++) {
        union { float f; uint32_t u; } c = { x[i] };
        h = (h ^ c.u) * 16777619u;
    }
    return h;
}

/* ---- 1. FIR filter, f32: out[i] = sum_k taps[k] * in[i + k] ----------------
 * Vectorized over i (f32x4 mul/add); the sum order per output is the source
 * order, so the result is exact across builds. */
#define FIR_N 16384
#define FIR_TAPS 32
static float fir_in[FIR_N + FIR_TAPS], fir_out[FIR_N], fir_taps[FIR_TAPS];

static void fir_once(void) {
    for (int i = 0; i < FIR_N; i++) fir_out[i] = 0.0f;
    for (int k = 0; k < FIR_TAPS; k++) {
        float t = fir_taps[k];
        const float *src = fir_in + k;
        for (int i = 0; i < FIR_N; i++) fir_out[i] += t * src[i];
    }
}

EXPORT("bench_fir") int bench_fir(int iters) {
    lcg_state = 1;
    for (int i = 0; i < FIR_N + FIR_TAPS; i++) fir_in[i] = (float)(int)(lcg() & 0xFFF) / 4096.0f - 0.5f;
    for (int k = 0; k < FIR_TAPS; k++) fir_taps[k] = (float)(int)(lcg() & 0xFF) / 256.0f - 0.5f;
    uint32_t h = 0;
    for (int r = 0; r < iters; r++) {
        fir_once();
        fir_in[r % FIR_N] += 0.25f;        /* keep iterations distinct */
        h = h * 31u + fold_f32(fir_out, 64);
    }
    return (int)(h ^ fold_f32(fir_out, FIR_N));
}

/* ---- 2. alpha blend, u8 pixels: out = (a*al + b*(255-al) + 127) / 255 -------
 * Widening u8 -> u16 multiplies and narrowing back (i16x8 extmul/extend,
 * narrow, shifts): the integer-SIMD workhorse of image code. */
#define PIX 65536
static uint8_t img_a[PIX], img_b[PIX], img_alpha[PIX], img_out[PIX];

static void blend_once(void) {
    for (int i = 0; i < PIX; i++) {
        unsigned al = img_alpha[i];
        unsigned v = img_a[i] * al + img_b[i] * (255u - al) + 128u;
        img_out[i] = (uint8_t)((v + (v >> 8)) >> 8);     /* exact /255, rounded */
    }
}

EXPORT("bench_blend") int bench_blend(int iters) {
    lcg_state = 2;
    for (int i = 0; i < PIX; i++) {
        img_a[i] = (uint8_t)lcg();
        img_b[i] = (uint8_t)lcg();
        img_alpha[i] = (uint8_t)lcg();
    }
    uint32_t h = 0;
    for (int r = 0; r < iters; r++) {
        blend_once();
        img_alpha[r % PIX] ^= 0x55;
        uint32_t s = 0;
        for (int i = 0; i < PIX; i++) s += img_out[i];   /* vectorized reduction */
        h = h * 31u + s;
    }
    return (int)h;
}

/* ---- 3. i16 dot products / sum of absolute differences ----------------------
 * Motion-estimation style: for every candidate offset, sum |a[i] - b[i+off]|
 * over a block, plus a 16-bit dot product (i32x4.dot_i16x8_s pattern). */
#define SAD_N 4096
#define SAD_OFFS 64
static int16_t sad_a[SAD_N], sad_b[SAD_N + SAD_OFFS];

EXPORT("bench_sad") int bench_sad(int iters) {
    lcg_state = 3;
    for (int i = 0; i < SAD_N; i++) sad_a[i] = (int16_t)(lcg() & 0x3FFF) - 0x2000;
    for (int i = 0; i < SAD_N + SAD_OFFS; i++) sad_b[i] = (int16_t)(lcg() & 0x3FFF) - 0x2000;
    uint32_t h = 0;
    for (int r = 0; r < iters; r++) {
        int best = 0x7FFFFFFF;
        int32_t dotsum = 0;
        for (int off = 0; off < SAD_OFFS; off++) {
            const int16_t *b = sad_b + off;
            int32_t sad = 0, dot = 0;
            for (int i = 0; i < SAD_N; i++) {
                int d = sad_a[i] - b[i];
                sad += d < 0 ? -d : d;
                dot += sad_a[i] * b[i];
            }
            if (sad < best) best = sad;
            dotsum += dot;
        }
        sad_a[r % SAD_N] += 1;
        h = h * 31u + (uint32_t)best + (uint32_t)dotsum;
    }
    return (int)h;
}
