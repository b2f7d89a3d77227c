/*
 * The libm functions LLVM calls for Wasm instructions on a core without
 * the matching instruction, which compiler-rt (zig's) does not provide:
 *   roundeven[f]          f32/f64.nearest (llvm.roundeven)
 *   fminimum[f], fmaximum[f]  f32/f64.min/max (llvm.minimum/maximum:
 *                         NaN-propagating, -0 < +0)
 * (ceil/floor/trunc/sqrt/copysign and the arithmetic come from compiler-rt.)
 * WEAK, like libc_min.c: an embedder's libm wins.
 *
 * A NaN operand gives a quiet NaN (x + x quiets it), as Wasm's arithmetic
 * NaN rule wants.  No <math.h>: freestanding; bits through unions.
 */
#include <stdint.h>

#define WEAK __attribute__((weak))

float roundevenf(float x);
double roundeven(double x);
float fminimumf(float a, float b);
float fmaximumf(float a, float b);
double fminimum(double a, double b);
double fmaximum(double a, double b);

typedef union { float f; uint32_t u; } f32_bits;
typedef union { double f; uint64_t u; } f64_bits;

/* Round to nearest, ties to even: for |x| < 2^23 (2^52), adding and then
 * subtracting 2^23 (2^52) rounds exactly so in the default rounding mode,
 * which is the only one Wasm has.  Larger values are integers already;
 * the sign is put back so that -0.3 gives -0. */
WEAK float roundevenf(float x) {
    f32_bits v = {x};
    uint32_t e = (v.u >> 23) & 0xFFu, sign = v.u & 0x80000000u;
    if (e >= 150) return e == 0xFF ? x + x : x;
    f32_bits a = {.u = v.u & 0x7FFFFFFFu};
    f32_bits r = {(a.f + 8388608.0f) - 8388608.0f};
    r.u |= sign;
    return r.f;
}

WEAK double roundeven(double x) {
    f64_bits v = {x};
    uint64_t e = (v.u >> 52) & 0x7FFu, sign = v.u & 0x8000000000000000u;
    if (e >= 1075) return e == 0x7FF ? x + x : x;
    f64_bits a = {.u = v.u & 0x7FFFFFFFFFFFFFFFu};
    f64_bits r = {(a.f + 4503599627370496.0) - 4503599627370496.0};
    r.u |= sign;
    return r.f;
}

WEAK float fminimumf(float a, float b) {
    if (a != a || b != b) return a + b;
    if (a == b) return ((f32_bits){a}.u >> 31) ? a : b;   /* -0 < +0 */
    return a < b ? a : b;
}

WEAK float fmaximumf(float a, float b) {
    if (a != a || b != b) return a + b;
    if (a == b) return ((f32_bits){a}.u >> 31) ? b : a;
    return a > b ? a : b;
}

WEAK double fminimum(double a, double b) {
    if (a != a || b != b) return a + b;
    if (a == b) return ((f64_bits){a}.u >> 63) ? a : b;
    return a < b ? a : b;
}

WEAK double fmaximum(double a, double b) {
    if (a != a || b != b) return a + b;
    if (a == b) return ((f64_bits){a}.u >> 63) ? b : a;
    return a > b ? a : b;
}
