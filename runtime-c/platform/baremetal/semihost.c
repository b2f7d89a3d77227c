/*
 * Semihosting calls (see wasmaot_semihost.h).  The only architecture
 * specific part is the trap instruction sequence in sh_call(); the rest is
 * ARM's semihosting specification.
 */
#include "wasmaot_semihost.h"

#if !WASMAOT_PLATFORM_BAREMETAL
#error "semihost.c is for WASMAOT_PLATFORM_BAREMETAL builds"
#endif

enum {
    SYS_OPEN = 0x01,
    SYS_WRITE = 0x05,
    SYS_WRITE0 = 0x04,
    SYS_EXIT = 0x18,
    SYS_EXIT_EXTENDED = 0x20,
    SYS_ELAPSED = 0x30,
    SYS_TICKFREQ = 0x31,
    ADP_STOPPED_APPLICATION_EXIT = 0x20026,
    ADP_STOPPED_RUNTIME_ERROR = 0x20023,
    OPEN_MODE_W = 4,   /* ":tt" opened "w" is stdout */
    OPEN_MODE_A = 8,   /* ":tt" opened "a" is stderr */
};

/* One semihosting request: operation `op`, argument word or block `arg`;
 * the host's result.  "memory": the host reads and writes the block. */
static long sh_call(uintptr_t op, const void *arg) {
#if defined(__arm__) || defined(__thumb__)
    register uintptr_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return (long)r0;
#elif defined(__riscv)
    register uintptr_t a0 __asm__("a0") = op;
    register const void *a1 __asm__("a1") = arg;
    /* The three instructions must be uncompressed and in one 16-byte
     * aligned group, or the host does not recognize them. */
    __asm__ volatile(".option push\n.option norvc\n.balign 16\n"
                     "slli x0, x0, 0x1f\nebreak\nsrai x0, x0, 7\n.option pop"
                     : "+r"(a0) : "r"(a1) : "memory");
    return (long)a0;
#else
#error "semihost.c: no semihosting trap for this architecture"
#endif
}

void wasmaot_semihost_write0(const char *s) {
    sh_call(SYS_WRITE0, s);
}

static long open_tty(int stream) {
    uintptr_t block[3] = {(uintptr_t)":tt", stream == 2 ? OPEN_MODE_A : OPEN_MODE_W, 3};
    return sh_call(SYS_OPEN, block);
}

long wasmaot_semihost_write(int stream, const void *buf, size_t len) {
    /* Handles, opened on first use; 0 = not yet (hosts number from 1). */
    static long handles[2];
    if (stream != 1 && stream != 2) return -1;
    long *h = &handles[stream - 1];
    if (*h <= 0) *h = open_tty(stream);
    if (*h <= 0) return -1;
    uintptr_t block[3] = {(uintptr_t)*h, (uintptr_t)buf, len};
    long left = sh_call(SYS_WRITE, block);   /* bytes NOT written */
    return left < 0 || (size_t)left > len ? -1 : (long)(len - (size_t)left);
}

uint64_t wasmaot_semihost_elapsed_ns(void) {
    uint32_t ticks[2] = {0, 0};              /* 64-bit count, low word first */
    long freq = sh_call(SYS_TICKFREQ, 0);
    if (freq <= 0 || sh_call(SYS_ELAPSED, ticks) != 0) return 0;
    uint64_t t = ((uint64_t)ticks[1] << 32) | ticks[0];
    /* Scale by a 32-bit factor: a 64-bit division would pull in 1.4 KiB of
     * compiler-rt (__udivmoddi4) on a 32-bit core.  Exact for every
     * frequency that divides 1 GHz (qemu's is 1 GHz); else rounded. */
    return t * (1000000000u / (uint32_t)freq);
}

void wasmaot_semihost_exit(int code) {
    uintptr_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uintptr_t)code};
    sh_call(SYS_EXIT_EXTENDED, block);
    /* Still here: the host lacks the extension.  On 32-bit ARM, SYS_EXIT
     * takes the reason itself, not a block. */
#if defined(__arm__) || defined(__thumb__)
    sh_call(SYS_EXIT, (const void *)(uintptr_t)(code ? ADP_STOPPED_RUNTIME_ERROR : ADP_STOPPED_APPLICATION_EXIT));
#else
    sh_call(SYS_EXIT, block);
#endif
    for (;;) {
    }
}
