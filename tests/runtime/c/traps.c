/*
 * Trap scenarios, one per invocation:  traps <scenario> [arg]
 * The Python side checks exit status, stdout and stderr exactly.
 *
 *   code N            wasmaot_trap(N) under wasmaot_rt_run
 *   output-then-trap  buffered stdout text, then a trap: text must survive
 *   guard-store OFF   1-page memory, store one byte at base+OFF (hex) under
 *                     wasmaot_rt_run; prints "stored" if it did not trap
 *   guard-store-notry OFF   same without any try frame (signal-context exit)
 *   stack-unchecked   unbounded C recursion, no checks (guard-page route)
 *   stack-checked     recursion with WASMAOT_STACK_CHECK (explicit route)
 *   null-store        store to address 16: NOT a Wasm trap, must crash
 *   raise-segv        raise(SIGSEGV): not a fault, must die by the signal
 *   div-zero          a real integer division by zero (SIGFPE)
 *   loop N            N rounds of mixed traps caught with wasmaot_rt_try
 *   nested            nested wasmaot_rt_try frames
 */
#include "wasmaot_rt.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uintptr_t arg_u;
static wasmaot_memory mem;

static void do_trap(void *p) { wasmaot_trap((wasmaot_trap_code)(uintptr_t)p); }

static void do_guard_store(void *p) {
    (void)p;
    volatile uint8_t *addr = mem.base + arg_u;
    *addr = 0x5A;
    printf("stored\n");
}

/* Deliberately unbounded; noinline + the volatile buffer + the use after
 * the call stop the compiler from turning it into a loop. */
static volatile uint32_t depth;
static __attribute__((noinline)) int recurse_unchecked(int n) {
    volatile char pad[200];
    pad[0] = (char)n;
    depth++;
    return recurse_unchecked(n + 1) + pad[0];
}

static uintptr_t min_frame;
static __attribute__((noinline)) int recurse_checked(int n) {
    WASMAOT_STACK_CHECK();
    volatile char pad[200];
    pad[0] = (char)n;
    uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
    if (fp < min_frame) min_frame = fp;
    depth++;
    return recurse_checked(n + 1) + pad[0];
}

static void do_stack_unchecked(void *p) { (void)p; recurse_unchecked(0); }
static void do_stack_checked(void *p) { (void)p; min_frame = UINTPTR_MAX; recurse_checked(0); }

static void do_null_store(void *p) {
    (void)p;
    volatile uint8_t *addr = (volatile uint8_t *)(uintptr_t)16;
    *addr = 1;
}

static volatile int divisor = 0;
static void do_div_zero(void *p) {
    (void)p;
    volatile int x = 7 / divisor;
    (void)x;
}

/* ---- loop: many traps in one process, state kept across traps ---- */

typedef struct {
    int kind;
    uint32_t round;
} round_arg;

static void do_round(void *p) {
    round_arg *r = (round_arg *)p;
    /* state written before the trap must still be there afterwards */
    mem.base[r->round] = (uint8_t)(r->round + 1);
    switch (r->kind) {
    case 0: wasmaot_trap(WASMAOT_TRAP_UNREACHABLE);
    case 1: mem.base[mem.size_bytes + r->round] = 1; break; /* guard fault (GUARD) */
    case 2: recurse_unchecked(0); break;
    case 3: min_frame = UINTPTR_MAX; recurse_checked(0); break;
    case 4: wasmaot_memory_fill(&mem, (uint32_t)mem.size_bytes, 0, 1); break;
    }
}

static int run_loop(uint32_t rounds) {
    static const wasmaot_trap_code expect[5] = {
        WASMAOT_TRAP_UNREACHABLE, WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS, WASMAOT_TRAP_CALL_STACK_EXHAUSTED,
        WASMAOT_TRAP_CALL_STACK_EXHAUSTED, WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS};
    uint32_t per_kind[5] = {0}, bad = 0;
    int kinds = WASMAOT_BOUNDS_GUARD ? 5 : 4;
    for (uint32_t i = 0; i < rounds; i++) {
        round_arg r = {.kind = (int)(i % (uint32_t)kinds), .round = i};
        if (!WASMAOT_BOUNDS_GUARD && r.kind == 1) r.kind = 4;
        wasmaot_trap_code code;
        int ret = wasmaot_rt_try(do_round, &r, &code);
        if (ret != (int)code || code != expect[r.kind] || mem.base[i] != (uint8_t)(i + 1)) {
            printf("round %" PRIu32 ": kind %d gave %d (%s)\n", i, r.kind, ret, wasmaot_trap_message(code));
            bad++;
        } else {
            per_kind[r.kind]++;
        }
    }
    uint32_t total = 0;
    for (int k = 0; k < 5; k++) total += per_kind[k];
    printf("%" PRIu32 " traps caught, %" PRIu32 " wrong\n", total, bad);
    return bad ? 1 : 0;
}

/* ---- nested ---- */

static void inner(void *p) {
    printf("inner: start\n");
    wasmaot_trap((wasmaot_trap_code)(uintptr_t)p);
}

static void middle(void *p) {
    (void)p;
    wasmaot_trap_code code;
    int r = wasmaot_rt_try(inner, (void *)(uintptr_t)WASMAOT_TRAP_INTEGER_OVERFLOW, &code);
    printf("middle: inner returned %d (%s)\n", r, wasmaot_trap_message(code));
    r = wasmaot_rt_try(inner, (void *)(uintptr_t)WASMAOT_TRAP_INVALID_CONVERSION, &code);
    printf("middle: inner returned %d (%s)\n", r, wasmaot_trap_message(code));
    printf("middle: now trapping itself\n");
    wasmaot_trap(WASMAOT_TRAP_UNDEFINED_ELEMENT);
}

static void ok_fn(void *p) {
    (void)p;
    printf("ok_fn: ran\n");
}

static int run_nested(void) {
    wasmaot_trap_code code = 12345;
    int r = wasmaot_rt_try(middle, NULL, &code);
    printf("outer: middle returned %d (%s)\n", r, wasmaot_trap_message(code));
    r = wasmaot_rt_try(ok_fn, NULL, &code);
    printf("outer: ok_fn returned %d, out=%" PRIu32 "\n", r, code);
    r = wasmaot_rt_try(ok_fn, NULL, NULL);
    printf("outer: ok_fn returned %d with out=NULL\n", r);
    /* no try frame left: this one ends the process via the default path */
    wasmaot_trap(WASMAOT_TRAP_INDIRECT_CALL_TYPE_MISMATCH);
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    if (wasmaot_rt_init(argc, argv) != 0) {
        printf("init failed\n");
        return 3;
    }
    const char *s = argv[1];
    if (argc > 2) arg_u = (uintptr_t)strtoull(argv[2], NULL, 0);
    if (wasmaot_memory_new(&mem, 1, 1, WASMAOT_MEMORY_HAS_MAX) != 0) {
        printf("memory_new failed\n");
        return 3;
    }

    if (!strcmp(s, "code")) return wasmaot_rt_run(do_trap, (void *)arg_u);
    if (!strcmp(s, "output-then-trap")) {
        printf("partial output, no newline");
        return wasmaot_rt_run(do_trap, (void *)(uintptr_t)WASMAOT_TRAP_UNREACHABLE);
    }
    if (!strcmp(s, "guard-store")) return wasmaot_rt_run(do_guard_store, NULL);
    if (!strcmp(s, "guard-store-notry")) {
        do_guard_store(NULL);
        return 0;
    }
    if (!strcmp(s, "stack-unchecked")) return wasmaot_rt_run(do_stack_unchecked, NULL);
    if (!strcmp(s, "stack-checked")) {
        wasmaot_trap_code code;
        wasmaot_rt_try(do_stack_checked, NULL, &code);
        /* explicit route: the deepest frame that passed the check sits just
         * above the limit (one frame of this function is < 1 KiB) */
        printf("limit set: %s\n", wasmaot_stack_limit != 0 ? "yes" : "no");
        printf("trapped at the limit: %s\n",
               min_frame >= wasmaot_stack_limit && min_frame - wasmaot_stack_limit < 1024 ? "yes" : "no");
        printf("depth > 10000: %s\n", depth > 10000 ? "yes" : "no");
        fflush(stdout);
        if (code) wasmaot_rt_report_trap_and_exit(code);
        return 0;
    }
    if (!strcmp(s, "null-store")) return wasmaot_rt_run(do_null_store, NULL);
    if (!strcmp(s, "raise-segv")) {
        raise(SIGSEGV);
        printf("survived raise\n");
        return 0;
    }
    if (!strcmp(s, "div-zero")) return wasmaot_rt_run(do_div_zero, NULL);
    if (!strcmp(s, "loop")) return run_loop((uint32_t)arg_u);
    if (!strcmp(s, "nested")) return run_nested();
    printf("unknown scenario %s\n", s);
    return 2;
}
