/* Test program of the misaligned-access emulation in
 * backends/firmware/riscv_misaligned.c (test_rv_misaligned.py): qemu executes
 * misaligned accesses itself, so the emulator is called directly, with
 * mcause/mepc/mtval set as a trap would set them and mepc pointing at an
 * instruction in RAM.  Returns 0 when every case is right, else the
 * number of the first wrong case. */
#include <stdint.h>

int wasmaot_rv_misaligned(uint32_t *regs);
int fw_main(void);

static uint8_t buf[16];
static uint32_t code[2];
static uint32_t regs[32];

/* Emulate `insn` (a 16-bit one in the low half) for trap cause `cause` at
 * address `addr`; the length mepc advanced by, or 0 if not emulated. */
static uint32_t emulate(uint32_t insn, uint32_t cause, uint32_t addr) {
    uint32_t pc = (uint32_t)(uintptr_t)code, after;
    code[0] = insn;
    code[1] = 0;
    __asm__ volatile("csrw mepc, %0\n\tcsrw mcause, %1\n\tcsrw mtval, %2"
                     : : "r"(pc), "r"(cause), "r"(addr) : "memory");
    if (!wasmaot_rv_misaligned(regs)) return 0;
    __asm__ volatile("csrr %0, mepc" : "=r"(after));
    return after - pc;
}

int fw_main(void) {
    uint32_t a = (uint32_t)(uintptr_t)(buf + 1);
    for (int i = 0; i < 16; i++) buf[i] = (uint8_t)(0xF0 + i);
    /* lw a0, 0(a1) */
    if (emulate(0x0005A503u, 4, a) != 4 || regs[10] != 0xF4F3F2F1u) return 1;
    /* lh a0, 0(a1): sign-extended; lhu: zero-extended */
    if (emulate(0x00059503u, 4, a) != 4 || regs[10] != 0xFFFFF2F1u) return 2;
    if (emulate(0x0005D503u, 4, a) != 4 || regs[10] != 0x0000F2F1u) return 3;
    /* sw a2, 0(a1) */
    regs[12] = 0x11223344u;
    if (emulate(0x00C5A023u, 6, a) != 4 || buf[1] != 0x44 || buf[4] != 0x11 || buf[5] != 0xF5) return 4;
    /* sh a2, 0(a1) */
    regs[12] = 0xAABBCCDDu;
    if (emulate(0x00C59023u, 6, a + 4) != 4 || buf[5] != 0xDD || buf[6] != 0xCC || buf[7] != 0xF7) return 5;
    /* c.lw a0, 0(a1) */
    if (emulate(0x4188u, 4, a + 8) != 2 || regs[10] != 0xFCFBFAF9u) return 6;
    /* c.swsp a2, 0(sp) */
    regs[12] = 0x01020304u;
    if (emulate(0xC032u, 6, a + 10) != 2 || buf[11] != 0x04 || buf[14] != 0x01) return 7;
    /* lw with rd = x0: nothing written */
    regs[0] = 0;
    if (emulate(0x0005A003u, 4, a) != 4 || regs[0] != 0) return 8;
    /* not emulated: a load for a store trap, an AMO (amoadd.w a0, a2, (a1)) */
    if (emulate(0x0005A503u, 6, a) != 0) return 9;
    if (emulate(0x00C5A52Fu, 6, a) != 0) return 10;
    return 0;
}
