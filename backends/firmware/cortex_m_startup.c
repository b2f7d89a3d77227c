/*
 * Cortex-M startup of a wasmaot firmware image: the vector table and the
 * reset handler.  Symbols come from the linker script that
 * backends/firmware/linker.py generates from the board's memory map.
 *
 * Reset: copy .data from flash (its load address) to RAM, zero .bss, enable
 * the FPU where there is one (WASMAOT_FW_FPU), then wasmaot_fw_main
 * (fw_main.c), which never returns.  Linear memory and the table heap are
 * NOT zeroed here: they are NOLOAD regions the runtime zeroes as it hands
 * them out (runtime-c/platform/baremetal/baremetal.c), so a 64 KiB page
 * costs no boot time until it is used.
 *
 * Only the 16 system exception vectors are present: nothing enables an
 * interrupt (the NVIC is left as reset leaves it), so no IRQ vector can be
 * taken.  Every fault and exception goes to wasmaot_fault_handler (weak:
 * a board may log or reset instead).
 */
#include <stdint.h>

#include "wasmaot_semihost.h"

#ifndef WASMAOT_FW_FPU
#define WASMAOT_FW_FPU 0
#endif

extern uint32_t __wasmaot_stack_top[];
extern uint32_t __wasmaot_data_load[], __wasmaot_data_start[], __wasmaot_data_end[];
extern uint32_t __wasmaot_bss_start[], __wasmaot_bss_end[];

__attribute__((noreturn)) void wasmaot_fw_main(void);
__attribute__((noreturn)) void wasmaot_reset_handler(void);
void wasmaot_fault_handler(void);

void wasmaot_reset_handler(void) {
    /* Word loops: the linker script aligns all four bounds to 4. */
    uint32_t *src = __wasmaot_data_load;
    for (uint32_t *d = __wasmaot_data_start; d < __wasmaot_data_end;) *d++ = *src++;
    for (uint32_t *d = __wasmaot_bss_start; d < __wasmaot_bss_end;) *d++ = 0;
#if WASMAOT_FW_FPU
    /* CPACR: full access to coprocessors 10 and 11 (the FPU), before any
     * floating-point instruction can run. */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    wasmaot_fw_main();
}

/* Weak: a board's own handler (log, reset) replaces it. */
__attribute__((weak, noreturn)) void wasmaot_fault_handler(void) {
    wasmaot_semihost_write0("wasmaot: processor fault\n");
    wasmaot_semihost_exit(1);
}

typedef void (*vector)(void);

/* Kept by the linker script (KEEP(*(.wasmaot_vectors))) at the start of flash. */
__attribute__((section(".wasmaot_vectors"), used))
const vector wasmaot_vectors[16] = {
    (vector)(uintptr_t)__wasmaot_stack_top,   /* initial main stack pointer */
    wasmaot_reset_handler,
    wasmaot_fault_handler,                    /* NMI */
    wasmaot_fault_handler,                    /* HardFault */
    wasmaot_fault_handler,                    /* MemManage */
    wasmaot_fault_handler,                    /* BusFault */
    wasmaot_fault_handler,                    /* UsageFault */
    0, 0, 0, 0,                               /* reserved */
    wasmaot_fault_handler,                    /* SVCall */
    wasmaot_fault_handler,                    /* DebugMonitor */
    0,                                        /* reserved */
    wasmaot_fault_handler,                    /* PendSV */
    wasmaot_fault_handler,                    /* SysTick */
};
