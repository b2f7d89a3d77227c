/* FIR filter: 32 taps, Q15 fixed point (16x16->32 multiply-accumulate,
 * saturation), over a block of samples, repeated, as audio or sensor code
 * runs it. */
#include "fw.h"

#define TAPS 32
#define N 4096
#define BLOCKS 12

static int16_t coef[TAPS];
static int16_t in[N + TAPS];
static int16_t out[N];

static int16_t sat16(int32_t v) {
    return v > 32767 ? 32767 : v < -32768 ? -32768 : (int16_t)v;
}

static void fir(const int16_t *x, int16_t *y, int n) {
    for (int i = 0; i < n; i++) {
        int32_t acc = 1 << 14;             /* rounding */
        for (int k = 0; k < TAPS; k++) acc += (int32_t)coef[k] * x[i + k];
        y[i] = sat16(acc >> 15);
    }
}

int fw_main(void) {
    for (int k = 0; k < TAPS; k++) coef[k] = (int16_t)((fw_rand() & 0x1FFF) - 0x1000);
    uint32_t sum = 0;
    for (int b = 0; b < BLOCKS; b++) {
        for (int i = 0; i < N + TAPS; i++) in[i] = (int16_t)fw_rand();
        fir(in, out, N);
        for (int i = 0; i < N; i++) sum = sum * 31u + (uint16_t)out[i];
    }
    return FW_EXPECT("fir", sum, FW_EXPECT_fir);
}
