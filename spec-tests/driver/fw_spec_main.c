/*
 * The spec driver as a firmware image (spec-tests/firmware.py): the entry
 * the startup file's reset handler calls, trap recovery, and the platform
 * layer that replaces runtime-c/platform/baremetal/baremetal.c in these
 * images only.
 *
 * Why a platform layer of its own: a device instantiates its module once,
 * so baremetal.c hands out memory with a bump pointer and never frees, and
 * gives a memory without a maximum all the RAM that is left.  A script
 * instantiates dozens of modules, and memory.grow must move a memory
 * (explicit bounds: generated code reloads the base after calls, as under
 * the POSIX explicit mode).  Here linear memories and tables live in the
 * heap of fw_libc.c: a memory holds exactly its current size, and grow is
 * realloc (-1 when the RAM region cannot hold the new size).
 *
 * Traps: wasmaot_rt_try (the driver's host_link.c calls it) saves the
 * callee-saved registers with fw_setjmp; a trap (wasmaot_embedder_trap)
 * jumps back to the innermost one.  Nothing on the abandoned frames needs
 * cleanup (no locks, and the heap is consistent between calls).
 */
#include <stdlib.h>

#include "wasmaot_platform.h"
#include "wasmaot_semihost.h"

int main(int argc, char **argv);
WASMAOT_NORETURN void wasmaot_fw_main(void);
int wasmaot_rt_try(void (*fn)(void *), void *arg, wasmaot_trap_code *out);

extern uint8_t __wasmaot_stack_limit[];

/* ------------------------------------------------------- setjmp/longjmp */

/* Callee-saved state: ARM r4-r11, sp, lr (+ s16-s31 with an FPU the C code
 * uses); RISC-V ra, sp, s0-s11. */
typedef uint32_t fw_jmp_buf[32];

#if defined(__arm__)
#if defined(__ARM_FP)
#define FW_SAVE_FP "vstmia r0!, {s16-s31}\n\t"
#define FW_LOAD_FP "vldmia r0!, {s16-s31}\n\t"
#else
/* C built for soft float never holds values in s16-s31, and every frame a
 * longjmp abandons ends in C (the driver's try): nothing to restore. */
#define FW_SAVE_FP ""
#define FW_LOAD_FP ""
#endif
__attribute__((naked, returns_twice)) static int fw_setjmp(__attribute__((unused)) fw_jmp_buf b) {
    __asm__ volatile("mov r12, sp\n\t"
                     "stmia r0!, {r4-r11, r12, lr}\n\t" FW_SAVE_FP
                     "movs r0, #0\n\t"
                     "bx lr\n\t");
}
__attribute__((naked, noreturn)) static void fw_longjmp(__attribute__((unused)) fw_jmp_buf b) {
    __asm__ volatile("ldmia r0!, {r4-r11, r12, lr}\n\t"
                     "mov sp, r12\n\t" FW_LOAD_FP
                     "movs r0, #1\n\t"
                     "bx lr\n\t");
}
#elif defined(__riscv) && __riscv_xlen == 32
__attribute__((naked, returns_twice)) static int fw_setjmp(__attribute__((unused)) fw_jmp_buf b) {
    __asm__ volatile("sw ra, 0(a0)\n\t sw sp, 4(a0)\n\t sw s0, 8(a0)\n\t sw s1, 12(a0)\n\t"
                     "sw s2, 16(a0)\n\t sw s3, 20(a0)\n\t sw s4, 24(a0)\n\t sw s5, 28(a0)\n\t"
                     "sw s6, 32(a0)\n\t sw s7, 36(a0)\n\t sw s8, 40(a0)\n\t sw s9, 44(a0)\n\t"
                     "sw s10, 48(a0)\n\t sw s11, 52(a0)\n\t li a0, 0\n\t ret\n\t");
}
__attribute__((naked, noreturn)) static void fw_longjmp(__attribute__((unused)) fw_jmp_buf b) {
    __asm__ volatile("lw ra, 0(a0)\n\t lw sp, 4(a0)\n\t lw s0, 8(a0)\n\t lw s1, 12(a0)\n\t"
                     "lw s2, 16(a0)\n\t lw s3, 20(a0)\n\t lw s4, 24(a0)\n\t lw s5, 28(a0)\n\t"
                     "lw s6, 32(a0)\n\t lw s7, 36(a0)\n\t lw s8, 40(a0)\n\t lw s9, 44(a0)\n\t"
                     "lw s10, 48(a0)\n\t lw s11, 52(a0)\n\t li a0, 1\n\t ret\n\t");
}
#else
#error "fw_spec_main.c: setjmp for this architecture is missing"
#endif

/* ----------------------------------------------------------------- traps */

typedef struct try_frame {
    fw_jmp_buf regs;
    struct try_frame *prev;
    wasmaot_trap_code code;
} try_frame;

static try_frame *volatile innermost;

int wasmaot_rt_try(void (*fn)(void *), void *arg, wasmaot_trap_code *out) {
    try_frame f;
    f.prev = innermost;
    f.code = WASMAOT_TRAP_NONE;
    if (fw_setjmp(f.regs) == 0) {
        innermost = &f;
        fn(arg);
    }
    /* Both ways out: a normal return, or a trap's jump back here. */
    try_frame *self = innermost;
    innermost = self->prev;
    if (out) *out = self->code;
    return (int)self->code;
}

void wasmaot_embedder_trap(wasmaot_trap_code code) {
    try_frame *f = innermost;
    if (!f) {                       /* outside any try: the driver itself */
        wasmaot_semihost_write0("wasm trap outside the spec driver's calls\n");
        wasmaot_semihost_exit(WASMAOT_TRAP_EXIT_CODE);
    }
    f->code = code;
    fw_longjmp(f->regs);
}

void wasmaot_platform_trap(wasmaot_trap_code code) {
    wasmaot_embedder_trap(code);
}

/* -------------------------------------------------------- platform layer */

int wasmaot_platform_memory_new(wasmaot_memory *mem, uint64_t initial_bytes, uint64_t max_bytes) {
    (void)max_bytes;
    if (initial_bytes > SIZE_MAX / 2) return -1;
    uint8_t *base = malloc(initial_bytes ? (size_t)initial_bytes : 1);   /* base never NULL */
    if (!base) return -1;
    wasmaot_rt_memset(base, 0, (size_t)initial_bytes);
    mem->base = base;
    mem->capacity_bytes = initial_bytes;
    mem->flags |= WASMAOT_MEMORY_MAPPED;
    return 0;
}

int wasmaot_platform_memory_grow(wasmaot_memory *mem, uint64_t new_bytes) {
    if (new_bytes > SIZE_MAX / 2) return -1;
    uint8_t *base = realloc(mem->base, (size_t)new_bytes);
    if (!base) return -1;
    wasmaot_rt_memset(base + mem->size_bytes, 0, (size_t)(new_bytes - mem->size_bytes));
    mem->base = base;
    mem->capacity_bytes = new_bytes;
    return 0;
}

void wasmaot_platform_memory_free(wasmaot_memory *mem) {
    free(mem->base);
}

void *wasmaot_platform_realloc(void *p, size_t new_bytes) {
    return realloc(p, new_bytes);
}

void wasmaot_platform_free(void *p) {
    free(p);
}

int wasmaot_rt_init(int argc, char **argv) {
    wasmaot_rt_argc = argc;
    wasmaot_rt_argv = argv;
    return 0;
}

/* ----------------------------------------------------------------- entry */

void wasmaot_fw_main(void) {
    wasmaot_stack_limit = (uintptr_t)__wasmaot_stack_limit;
    static char *argv[] = {"spectest", 0};
    wasmaot_semihost_exit(main(1, argv));
}
