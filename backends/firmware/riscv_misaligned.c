/*
 * Misaligned loads and stores on RV32 firmware, emulated in machine mode.
 *
 * Wasm allows any alignment, and generated code compiled with
 * `+unaligned-scalar-mem` (one lw for an i32 load instead of four lbu and
 * three shifts/ors: rv32imac code ran 1.5-3x the instructions of native C
 * without it, benchmarks/firmware_instr.py) relies on misaligned accesses
 * working.  A core without them in hardware raises a misaligned-address
 * exception (mcause 4: load, 6: store); nothing runs below machine mode on
 * a microcontroller to emulate it, so this file does: the trap vector of
 * riscv_startup.c jumps to wasmaot_rv_trap_entry (weak there: straight to
 * wasmaot_fault_handler), which this file defines.  The firmware link adds
 * it for targets whose features include +unaligned-scalar-mem.
 *
 * The entry decides on mcause before touching the stack (mscratch holds
 * t0), so any other exception, a fault of the stack itself included,
 * reaches wasmaot_fault_handler as before.  For a misaligned access it saves
 * x1..x31 (regs[i] = x_i), lets wasmaot_rv_misaligned do the access byte by
 * byte and update the destination register and mepc, restores and mret's.
 */
#include <stdint.h>

__asm__(".section .text.wasmaot_rv_trap_entry, \"ax\", @progbits\n"
        ".globl wasmaot_rv_trap_entry\n"
        ".type wasmaot_rv_trap_entry, @function\n"
        ".balign 4\n"
        "wasmaot_rv_trap_entry:\n"
        "  csrw mscratch, t0\n"
        "  csrr t0, mcause\n"
        "  addi t0, t0, -4\n"          /* load address misaligned */
        "  beqz t0, 1f\n"
        "  addi t0, t0, -2\n"          /* store address misaligned */
        "  beqz t0, 1f\n"
        "  csrr t0, mscratch\n"
        "  j wasmaot_fault_handler\n"
        "1:\n"
        "  csrr t0, mscratch\n"
        "  addi sp, sp, -128\n"        /* x0..x31 as wasmaot_rv_misaligned's regs[] */
        "  sw x1, 4(sp)\n"
        "  sw x3, 12(sp)\n"
        "  sw x4, 16(sp)\n"
        "  sw x5, 20(sp)\n"
        "  sw x6, 24(sp)\n"
        "  sw x7, 28(sp)\n"
        "  sw x8, 32(sp)\n"
        "  sw x9, 36(sp)\n"
        "  sw x10, 40(sp)\n"
        "  sw x11, 44(sp)\n"
        "  sw x12, 48(sp)\n"
        "  sw x13, 52(sp)\n"
        "  sw x14, 56(sp)\n"
        "  sw x15, 60(sp)\n"
        "  sw x16, 64(sp)\n"
        "  sw x17, 68(sp)\n"
        "  sw x18, 72(sp)\n"
        "  sw x19, 76(sp)\n"
        "  sw x20, 80(sp)\n"
        "  sw x21, 84(sp)\n"
        "  sw x22, 88(sp)\n"
        "  sw x23, 92(sp)\n"
        "  sw x24, 96(sp)\n"
        "  sw x25, 100(sp)\n"
        "  sw x26, 104(sp)\n"
        "  sw x27, 108(sp)\n"
        "  sw x28, 112(sp)\n"
        "  sw x29, 116(sp)\n"
        "  sw x30, 120(sp)\n"
        "  sw x31, 124(sp)\n"
        "  addi t0, sp, 128\n"
        "  sw t0, 8(sp)\n"             /* regs[2]: sp before the trap */
        "  sw zero, 0(sp)\n"
        "  mv a0, sp\n"
        "  call wasmaot_rv_misaligned\n"
        "  beqz a0, 2f\n"
        "  lw x1, 4(sp)\n"
        "  lw x3, 12(sp)\n"
        "  lw x4, 16(sp)\n"
        "  lw x5, 20(sp)\n"
        "  lw x6, 24(sp)\n"
        "  lw x7, 28(sp)\n"
        "  lw x8, 32(sp)\n"
        "  lw x9, 36(sp)\n"
        "  lw x10, 40(sp)\n"
        "  lw x11, 44(sp)\n"
        "  lw x12, 48(sp)\n"
        "  lw x13, 52(sp)\n"
        "  lw x14, 56(sp)\n"
        "  lw x15, 60(sp)\n"
        "  lw x16, 64(sp)\n"
        "  lw x17, 68(sp)\n"
        "  lw x18, 72(sp)\n"
        "  lw x19, 76(sp)\n"
        "  lw x20, 80(sp)\n"
        "  lw x21, 84(sp)\n"
        "  lw x22, 88(sp)\n"
        "  lw x23, 92(sp)\n"
        "  lw x24, 96(sp)\n"
        "  lw x25, 100(sp)\n"
        "  lw x26, 104(sp)\n"
        "  lw x27, 108(sp)\n"
        "  lw x28, 112(sp)\n"
        "  lw x29, 116(sp)\n"
        "  lw x30, 120(sp)\n"
        "  lw x31, 124(sp)\n"
        "  addi sp, sp, 128\n"
        "  mret\n"
        "2:\n"
        "  j wasmaot_fault_handler\n"
        ".text\n");

int wasmaot_rv_misaligned(uint32_t *regs);

/* Emulate the misaligned load or store at mepc (mtval: its address) with
 * byte accesses; regs[i] is x_i at the trap (written back by the vector).
 * Returns 0, leaving everything as it was, for anything but a plain
 * LB/LH/LW/LBU/LHU/SB/SH/SW or C.LW/C.SW/C.LWSP/C.SWSP of the matching
 * kind (an AMO, say): the fault handler then reports it. */
int wasmaot_rv_misaligned(uint32_t *regs) {
    uint32_t cause, pc, addr;
    __asm__ volatile("csrr %0, mcause" : "=r"(cause));
    __asm__ volatile("csrr %0, mepc" : "=r"(pc));
    __asm__ volatile("csrr %0, mtval" : "=r"(addr));
    const volatile uint16_t *ip = (const volatile uint16_t *)pc;   /* 2-aligned (RVC) */
    uint32_t insn = ip[0], len = 2, reg, width = 4, sign = 1;
    int store;
    if ((insn & 3) == 3) {
        uint32_t f3;
        insn |= (uint32_t)ip[1] << 16;
        len = 4;
        f3 = (insn >> 12) & 7;
        if ((insn & 0x7f) == 0x03 && f3 != 3 && f3 <= 5) {            /* LB LH LW LBU LHU */
            store = 0, reg = (insn >> 7) & 31, width = 1u << (f3 & 3), sign = !(f3 & 4);
        } else if ((insn & 0x7f) == 0x23 && f3 <= 2) {                /* SB SH SW */
            store = 1, reg = (insn >> 20) & 31, width = 1u << f3;
        } else {
            return 0;
        }
    } else {
        uint32_t op = insn & 3, f3 = insn >> 13;
        if (op == 0 && (f3 == 2 || f3 == 6))                          /* C.LW, C.SW */
            store = f3 == 6, reg = 8 + ((insn >> 2) & 7);
        else if (op == 2 && f3 == 2)                                  /* C.LWSP */
            store = 0, reg = (insn >> 7) & 31;
        else if (op == 2 && f3 == 6)                                  /* C.SWSP */
            store = 1, reg = (insn >> 2) & 31;
        else
            return 0;
    }
    if (store != (cause == 6)) return 0;
    volatile uint8_t *p = (volatile uint8_t *)addr;
    if (store) {
        for (uint32_t i = 0; i < width; i++) p[i] = (uint8_t)(regs[reg] >> (8 * i));
    } else {
        uint32_t v = 0;
        for (uint32_t i = 0; i < width; i++) v |= (uint32_t)p[i] << (8 * i);
        if (sign && width < 4) {
            uint32_t m = 1u << (8 * width - 1);
            v = (v ^ m) - m;
        }
        if (reg) regs[reg] = v;
    }
    __asm__ volatile("csrw mepc, %0" : : "r"(pc + len));
    return 1;
}
