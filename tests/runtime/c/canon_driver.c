/*
 * Batch driver of wasmaot_canon_transcode for targets ctypes cannot load
 * (test_canon_strings.py builds it for 32-bit i386 and runs it natively).
 * One case per input line, two result lines per case:
 *
 *   in:  <src_enc> <dst_enc> <src_hex|-> <ptr> <tagged> <dst_size> <start> <bad_call> <bad_kind>
 *   out: calls <old,old_size,align,new_size;...|->
 *        <status> <ptr> <tagged> <dst_hex|->        (ptr and tagged 0 after a trap)
 *
 * The realloc is the tests' Alloc (test_canon_strings.py): a bump allocator
 * over the destination that copies on growth within the memory, and at call
 * number bad_call misbehaves per bad_kind: m (misaligned), o (out of bounds),
 * t (traps with WASMAOT_TRAP_UNREACHABLE), n (never).
 */
#include <stdio.h>
#include <string.h>

#include "wasmaot_canon.h"

enum { MEM = 4096 };
static uint8_t src[MEM], dst[MEM];
static uint32_t dst_size, next_free, calls, bad_call;
static char bad_kind;

static wasmaot_canon_status alloc(wasmaot_canon_mem *m, uint32_t old, uint32_t old_size, uint32_t align,
                                  uint32_t new_size, uint32_t *out) {
    (void)m;
    uint32_t ptr = old;
    printf("%s%u,%u,%u,%u", calls ? ";" : "", old, old_size, align, new_size);
    if (!(old && new_size <= old_size)) {
        ptr = (next_free + align - 1) / align * align;
        next_free = ptr + new_size;
        if (old && ptr < dst_size) {
            uint32_t n = old_size < dst_size - ptr ? old_size : dst_size - ptr;
            memmove(dst + ptr, dst + old, n);
        }
    }
    if (calls++ == bad_call) {
        if (bad_kind == 't')
            return WASMAOT_TRAP_UNREACHABLE;
        if (bad_kind == 'm')
            ptr += 1;
        if (bad_kind == 'o')
            ptr = ((new_size <= dst_size ? dst_size - new_size : 0) / align + 1) * align;
    }
    *out = ptr;
    return WASMAOT_CANON_OK;
}

static uint32_t unhex(const char *h, uint8_t *out) {
    uint32_t n = 0;
    if (strcmp(h, "-") != 0)
        for (; h[0] && h[1]; h += 2) {
            unsigned v;
            sscanf(h, "%2x", &v);
            out[n++] = (uint8_t)v;
        }
    return n;
}

int main(void) {
    unsigned se, de, ptr, tagged, start, bc;
    static char hex[2 * MEM + 2];
    while (scanf("%u %u %8193s %u %u %u %u %u %c", &se, &de, hex, &ptr, &tagged, &dst_size, &start, &bc,
                 &bad_kind) == 9) {
        memset(dst, 0, sizeof dst);
        uint32_t src_size = unhex(hex, src);
        next_free = start, calls = 0, bad_call = bc;
        wasmaot_canon_mem s = {src, src_size, NULL, NULL, NULL};
        wasmaot_canon_mem d = {dst, dst_size, alloc, NULL, NULL};
        uint32_t out_ptr = 0, out_tagged = 0;
        wasmaot_canon_status st;
        printf("calls ");
        st = wasmaot_canon_transcode(&s, se, ptr, tagged, &d, de, &out_ptr, &out_tagged);
        printf("%s\n%u %u %u ", calls ? "" : "-", st, st ? 0 : out_ptr, st ? 0 : out_tagged);
        for (uint32_t i = 0; i < dst_size; i++)
            printf("%02x", dst[i]);
        printf("%s\n", dst_size ? "" : "-");
    }
    return 0;
}
