/*
 * RISC-V (RV32, machine mode, no OS) startup of a wasmaot firmware image:
 * the entry point, placed at the flash origin, and the trap vector.
 * Symbols come from the linker script of backends/firmware/linker.py.
 *
 * Entry (`wasmaot_reset_handler`, what the board's boot ROM or qemu's
 * `-bios none` jumps to): set the stack pointer, point mtvec at the trap
 * vector, then the C part copies .data, zeroes .bss and calls
 * wasmaot_fw_main (fw_main.c), which never returns.  Linear memory and the
 * table heap are NOLOAD regions the runtime zeroes as it hands them out.
 * Interrupts stay disabled (mstatus.MIE is 0 at reset), so the vector only
 * ever sees exceptions: every one goes to wasmaot_rv_trap_entry, which here
 * (weak) is wasmaot_fault_handler (weak); riscv_misaligned.c replaces it
 * with misaligned-access emulation in images that need it.
 * No FPU: rv32imac has none (an F/D target would set mstatus.FS here).
 */
#include <stdint.h>

#include "wasmaot_semihost.h"

extern uint32_t __wasmaot_stack_top[];
extern uint32_t __wasmaot_data_load[], __wasmaot_data_start[], __wasmaot_data_end[];
extern uint32_t __wasmaot_bss_start[], __wasmaot_bss_end[];

__attribute__((noreturn)) void wasmaot_fw_main(void);
__attribute__((noreturn)) void wasmaot_reset_c(void);
void wasmaot_fault_handler(void);

/* The entry and the trap vector: assembly, because nothing may touch the
 * stack before sp is set, and mtvec needs a 4-byte aligned address. */
__asm__(".section .wasmaot_vectors, \"ax\", @progbits\n"
        ".globl wasmaot_reset_handler\n"
        ".type wasmaot_reset_handler, @function\n"
        "wasmaot_reset_handler:\n"
        "  .option push\n"
        "  .option norelax\n"
        "  lla sp, __wasmaot_stack_top\n"
        "  lla t0, wasmaot_trap_vector\n"
        "  csrw mtvec, t0\n"
        "  j wasmaot_reset_c\n"
        "  .balign 4\n"
        "wasmaot_trap_vector:\n"
        "  j wasmaot_rv_trap_entry\n"
        ".weak wasmaot_rv_trap_entry\n"
        "wasmaot_rv_trap_entry:\n"
        "  j wasmaot_fault_handler\n"
        "  .option pop\n"
        ".text\n");

void wasmaot_reset_c(void) {
    /* Word loops: the linker script aligns all four bounds to 4. */
    uint32_t *src = __wasmaot_data_load;
    for (uint32_t *d = __wasmaot_data_start; d < __wasmaot_data_end;) *d++ = *src++;
    for (uint32_t *d = __wasmaot_bss_start; d < __wasmaot_bss_end;) *d++ = 0;
    wasmaot_fw_main();
}

/* Weak: a board's own handler (log, reset) replaces it. */
__attribute__((weak, noreturn)) void wasmaot_fault_handler(void) {
    wasmaot_semihost_write0("wasmaot: processor fault\n");
    wasmaot_semihost_exit(1);
}
