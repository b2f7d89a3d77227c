/*
 * Test harness shared by the runtime test programs.  It hides the one thing
 * that differs between platforms: how a trap is caught and where storage
 * comes from.
 *  - POSIX builds: wasmaot_rt_try, wasmaot_memory_new, wasmaot_table_new.
 *  - Bare-metal core built freestanding but run on the host: this file plays
 *    the embedder -- it defines wasmaot_embedder_trap (longjmp to the
 *    innermost h_try, or print + exit 134 like the POSIX default) and hands
 *    out heap buffers through wasmaot_memory_attach / wasmaot_table_attach.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include "wasmaot_rt.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if WASMAOT_PLATFORM_BAREMETAL

/* capacity handed to each attached memory / table (tests stay below it) */
#define H_MEMORY_CAPACITY_PAGES 8u
#define H_TABLE_CAPACITY 64u

static jmp_buf *h_jmp;
static volatile wasmaot_trap_code h_code;

void wasmaot_embedder_trap(wasmaot_trap_code code) {
    if (h_jmp == NULL) {
        fflush(stdout);
        fprintf(stderr, "wasm trap: %s\n", wasmaot_trap_message(code));
        exit(WASMAOT_TRAP_EXIT_CODE);
    }
    h_code = code;
    longjmp(*h_jmp, 1);
}

static int h_try(void (*fn)(void *), void *arg) {
    jmp_buf buf;
    jmp_buf *prev = h_jmp;
    h_code = WASMAOT_TRAP_NONE;
    if (setjmp(buf) == 0) {
        h_jmp = &buf;
        fn(arg);
    }
    h_jmp = prev;
    return (int)h_code;
}

static int h_memory_new(wasmaot_memory *mem, uint32_t initial, uint32_t max, uint32_t flags) {
    uint64_t cap = (uint64_t)H_MEMORY_CAPACITY_PAGES * WASMAOT_PAGE_SIZE;
    void *buf = malloc((size_t)cap);
    memset(buf, 0xA5, (size_t)cap); /* garbage: attach/grow must zero what they expose */
    return wasmaot_memory_attach(mem, buf, cap, initial, max, flags);
}

static int h_table_new(wasmaot_table *t, uint32_t kind, uint32_t initial, uint32_t max, uint32_t flags) {
    void *buf = malloc(H_TABLE_CAPACITY * wasmaot_ref_size(kind));
    memset(buf, 0xA5, H_TABLE_CAPACITY * wasmaot_ref_size(kind));
    return wasmaot_table_attach(t, kind, buf, H_TABLE_CAPACITY, initial, max, flags);
}

#define H_PLATFORM "baremetal"

#else

static int h_try(void (*fn)(void *), void *arg) { return wasmaot_rt_try(fn, arg, NULL); }
#define h_memory_new wasmaot_memory_new
#define h_table_new wasmaot_table_new
#define H_PLATFORM "posix"

#endif

static const char *h_result(int code) { return code ? wasmaot_trap_message((wasmaot_trap_code)code) : "ok"; }

#endif
