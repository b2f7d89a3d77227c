/*
 * Semihosting: console output and exit through the debugger or emulator
 * (qemu-system-* -semihosting-config enable=on), for firmware images
 * without a UART driver.  ARM: `bkpt 0xab` (M profile); RISC-V: the
 * `slli x0,x0,0x1f; ebreak; srai x0,x0,7` sequence.  Operation numbers and
 * argument blocks are those of ARM's "Semihosting for AArch32 and AArch64"
 * specification, which RISC-V's semihosting reuses.
 *
 * WARNING: on a board with no debugger attached, a semihosting call is a
 * breakpoint with nobody to answer it (HardFault on Cortex-M).  Images for
 * such boards replace the hooks that call these (weak, see
 * backends/firmware/fw_main.c) with a UART driver.
 */
#ifndef WASMAOT_SEMIHOST_H
#define WASMAOT_SEMIHOST_H

#include <stddef.h>
#include <stdint.h>

/* Write NUL-terminated `s` to the debug console (SYS_WRITE0). */
void wasmaot_semihost_write0(const char *s);

/* Write `len` bytes to stream 1 (stdout) or 2 (stderr) of the host
 * (SYS_OPEN ":tt" once per stream, then SYS_WRITE).  Returns the bytes
 * written, or -1. */
long wasmaot_semihost_write(int stream, const void *buf, size_t len);

/* Nanoseconds since the emulator started (SYS_ELAPSED / SYS_TICKFREQ); 0
 * if the host does not implement them. */
uint64_t wasmaot_semihost_elapsed_ns(void);

/* End the program with exit status `code` (SYS_EXIT_EXTENDED; hosts
 * without it get SYS_EXIT, which can only say 0 or "error"). */
__attribute__((noreturn)) void wasmaot_semihost_exit(int code);

#endif /* WASMAOT_SEMIHOST_H */
