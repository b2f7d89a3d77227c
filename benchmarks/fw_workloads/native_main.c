/* The native side of benchmarks/firmware_instr.py: the firmware startup
 * (backends/firmware/*_startup.c: .data, .bss, FPU) calls
 * wasmaot_fw_main, which here runs the kernel directly, then exits with
 * its status over semihosting, as the wasm image does. */
#include "wasmaot_semihost.h"

int fw_main(void);
__attribute__((noreturn)) void wasmaot_fw_main(void);

void wasmaot_fw_main(void) {
    wasmaot_semihost_exit(fw_main());
}
