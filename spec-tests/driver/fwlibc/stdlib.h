/* The stdlib subset the spec driver uses on firmware (fw_libc.c): a heap
 * over the image's RAM region, exit over semihosting. */
#ifndef WASMAOT_FW_STDLIB_H
#define WASMAOT_FW_STDLIB_H
#include <stddef.h>

void *malloc(size_t n);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t n);
void *aligned_alloc(size_t align, size_t n);
void free(void *p);
__attribute__((noreturn)) void exit(int status);
__attribute__((noreturn)) void abort(void);
int atoi(const char *s);
double strtod(const char *s, char **end);
float strtof(const char *s, char **end);
#endif
