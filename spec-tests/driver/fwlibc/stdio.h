/* The stdio subset the spec driver uses, for firmware spec runs
 * (spec-tests/driver/fw_libc.c; no C library on a bare-metal image).
 * Output goes over semihosting; formats: %d %u %x %s %g with the flags,
 * widths, precisions and l/ll modifiers the driver uses. */
#ifndef WASMAOT_FW_STDIO_H
#define WASMAOT_FW_STDIO_H
#include <stdarg.h>
#include <stddef.h>

typedef struct fw_file FILE;
extern FILE *const stdout, *const stderr;
#define _IOLBF 1

int printf(const char *fmt, ...);
int fprintf(FILE *f, const char *fmt, ...);
int snprintf(char *buf, size_t n, const char *fmt, ...);
int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int fflush(FILE *f);
int setvbuf(FILE *f, char *buf, int mode, size_t size);
#endif
