/* The string.h subset the spec driver uses on firmware: the four memory
 * routines come from the runtime's libc_min.c, the rest from fw_libc.c. */
#ifndef WASMAOT_FW_STRING_H
#define WASMAOT_FW_STRING_H
#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strstr(const char *hay, const char *needle);
#endif
