/*
 * Trap backtraces (wasmaot_rt.h section 9): walk the frame-pointer chain
 * (or, WASMAOT_BACKTRACE_UNWIND, let libunwind walk the unwind tables),
 * keep the PCs that lie in generated code, and print them as Wasm frames
 * through the prefix before each generated function and the per-instance
 * headers (backends/llvm/backtrace.py).
 *
 * Freestanding (no libc): memory reads and a caller-supplied writer only, so
 * the signal handler may use it.  Compiled out unless WASMAOT_BACKTRACE.
 *
 * Invariants of the walk:
 * - A frame record is read only if it lies entirely inside [lo, hi) (the
 *   live part of the stack, from the trapping frame's stack pointer to the
 *   top), and each frame pointer is above the previous one, so the walk
 *   never faults and always ends.
 * - Return addresses are looked up as (ra - 1): a call to a noreturn
 *   function (wasmaot_trap) may be the last instruction of a function, and
 *   its return address the first byte of the next one (its prefix).
 * - Walking stops at the first frame outside generated code once a frame
 *   inside it was seen: above the outermost Wasm frame lie the host's C
 *   frames, and C compiled without frame pointers (libc, the WASI shim)
 *   leaves garbage in the frame-pointer register.
 */
#include "wasmaot_platform.h"

#if WASMAOT_BACKTRACE

/* Bounds of generated code and of the table headers, from the linker (lld
 * and GNU ld define __start_X/__stop_X for a section X named like a C
 * identifier).  Weak: without generated code they are 0 and nothing is
 * recorded. */
extern const char __start_wasmaot_text[] __attribute__((weak));
extern const char __stop_wasmaot_text[] __attribute__((weak));
extern const wasmaot_bt_instance __start_wasmaot_bt[] __attribute__((weak));
extern const wasmaot_bt_instance __stop_wasmaot_bt[] __attribute__((weak));

/* The frame record a frame pointer designates: {caller's fp, return address}
 * at fp on x86-64 and AArch64 (push rbp / stp x29, x30), just below fp on
 * RISC-V (s0 is the frame's top: ra at s0-8, the caller's s0 at s0-16). */
#if defined(__riscv)
#define RECORD_LO(fp) ((fp) - 2 * sizeof(uintptr_t))
#define RECORD_HI(fp) (fp)
#define CALLER_FP(fp) (((const uintptr_t *)(fp))[-2])
#define RETURN_ADDRESS(fp) (((const uintptr_t *)(fp))[-1])
#else
#define RECORD_LO(fp) (fp)
#define RECORD_HI(fp) ((fp) + 2 * sizeof(uintptr_t))
#define CALLER_FP(fp) (((const uintptr_t *)(fp))[0])
#define RETURN_ADDRESS(fp) (((const uintptr_t *)(fp))[1])
#endif

static uintptr_t frames[WASMAOT_BACKTRACE_FRAMES];
static uint32_t n_frames;
static uint32_t n_more; /* generated-code frames beyond WASMAOT_BACKTRACE_FRAMES */

static int in_generated_code(uintptr_t pc) {
    return pc >= (uintptr_t)__start_wasmaot_text && pc < (uintptr_t)__stop_wasmaot_text;
}

void wasmaot_backtrace_clear(void) {
    n_frames = 0;
    n_more = 0;
}

/* Record the frame at PC `at` if it lies in generated code; 0 when the walk
 * is over: it left generated code after having been inside it. */
static int keep_frame(uintptr_t at, int *seen) {
    if (!in_generated_code(at)) return !*seen;
    *seen = 1;
    if (n_frames < WASMAOT_BACKTRACE_FRAMES) frames[n_frames++] = at;
    else n_more++;
    return 1;
}

void wasmaot_backtrace_capture(uintptr_t pc, uintptr_t fp, int pc_exact, uintptr_t lo, uintptr_t hi) {
    wasmaot_backtrace_clear();
    if (__start_wasmaot_text == 0) return;
    uintptr_t at = pc_exact ? pc : pc - 1;
    uintptr_t floor = lo; /* the next frame record must lie at or above this */
    int seen = 0;
    for (;;) {
        if (!keep_frame(at, &seen)) return;
        if (fp % sizeof(uintptr_t) != 0 || RECORD_HI(fp) < RECORD_LO(fp) /* wrapped */ ||
            RECORD_LO(fp) < floor || RECORD_HI(fp) > hi)
            return;
        uintptr_t ra = RETURN_ADDRESS(fp);
        if (ra == 0) return;
        at = ra - 1;
        floor = RECORD_HI(fp); /* callers' records lie above: the walk ends */
        fp = CALLER_FP(fp);
    }
}

#if WASMAOT_BACKTRACE_UNWIND
/* libunwind (LLVM's, which zig builds for -lunwind) reads the unwind tables
 * LLVM emits for generated code without frame pointers (x86-64) and for the
 * C runtime.  It reads only what the tables say lies in live frames; a walk
 * is bounded by WALK_STEPS. */
#define UNW_LOCAL_ONLY
#include <libunwind.h>

enum { WALK_STEPS = 1 << 16 };

static void walk(unw_cursor_t *cur, int pc_exact) {
    int seen = 0;
    for (uint32_t step = 0; step < WALK_STEPS; step++) {
        unw_word_t ip;
        if (unw_get_reg(cur, UNW_REG_IP, &ip) != UNW_ESUCCESS || ip == 0) return;
        uintptr_t at = pc_exact ? (uintptr_t)ip : (uintptr_t)ip - 1;
        pc_exact = 0; /* every frame above the first is at a return address */
        if (!keep_frame(at, &seen) || unw_step(cur) <= 0) return;
    }
}

void wasmaot_backtrace_capture_unwind(const uint64_t gpr[17]) {
    wasmaot_backtrace_clear();
    if (__start_wasmaot_text == 0) return;
    unw_context_t ctx;
    unw_cursor_t cur;
    /* Always taken: it also fills the fields past the 17 registers. */
    if (unw_getcontext(&ctx) != UNW_ESUCCESS) return;
    if (gpr != 0) {
        /* LLVM libunwind's x86-64 context starts with these 17 registers,
         * in this order (Registers_x86_64, as __unw_getcontext stores them). */
        _Static_assert(sizeof(ctx) >= 17 * sizeof(uint64_t), "unw_context_t too small");
        uint64_t *d = (uint64_t *)(void *)&ctx;
        for (int i = 0; i < 17; i++) d[i] = gpr[i];
    }
    if (unw_init_local(&cur, &ctx) != UNW_ESUCCESS) return;
    walk(&cur, gpr != 0);
}
#endif

/* The address a relative field designates. */
static uintptr_t rel(const int32_t *field) { return (uintptr_t)field + (uintptr_t)(intptr_t)*field; }

/* Little-endian u32 at any alignment (prefixes sit at code alignment). */
static uint32_t load32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static const wasmaot_bt_instance *instance_of(uint32_t key_lo, uint32_t key_hi) {
    for (const wasmaot_bt_instance *h = __start_wasmaot_bt; h && h < __stop_wasmaot_bt; h++)
        if (h->key_lo == key_lo && h->key_hi == key_hi && h->version == WASMAOT_BT_VERSION) return h;
    return 0;
}

typedef struct frame_info {
    const wasmaot_bt_instance *instance;
    uintptr_t entry;
    uint32_t index, offset;
} frame_info;

/* The function holding `pc`: the nearest prefix at or below it whose key is
 * an instance's (every function in wasmaot_text has one; 64 bits of key make
 * a false match in code bytes negligible).  0 if none. */
static int lookup(uintptr_t pc, frame_info *out) {
    uintptr_t lowest = (uintptr_t)__start_wasmaot_text + sizeof(wasmaot_bt_prefix);
    for (uintptr_t entry = pc; entry >= lowest; entry--) {
        const unsigned char *p = (const unsigned char *)entry - sizeof(wasmaot_bt_prefix);
        const wasmaot_bt_instance *h = instance_of(load32(p), load32(p + 4));
        if (h) {
            out->instance = h;
            out->entry = entry;
            out->index = load32(p + 8);
            out->offset = load32(p + 12);
            return 1;
        }
    }
    return 0;
}

static const char *function_name(const frame_info *f) {
    const char *names = (const char *)rel(&f->instance->names);
    if (f->index >= f->instance->n_funcs) return "";
    const uint32_t *index = (const uint32_t *)rel(&f->instance->names_index);
    return names + index[f->index];
}

/* ------------------------------------------------------------- printing */

typedef void (*writer)(const char *s, size_t n);

static size_t length(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

static void put(writer w, const char *s) { w(s, length(s)); }

/* `v` in base 10 or 16 (with 0x), right-aligned in `width` columns. */
static void put_number(writer w, uint32_t v, int hex, unsigned width) {
    char buf[16];
    unsigned n = 0;
    do {
        unsigned d = v % (hex ? 16u : 10u);
        buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= hex ? 16u : 10u;
    } while (v);
    if (hex) {
        buf[n++] = 'x';
        buf[n++] = '0';
    }
    char out[32];
    unsigned k = 0;
    while (k + n < width && k < 16) out[k++] = ' ';
    while (n) out[k++] = buf[--n];
    w(out, k);
}

void wasmaot_backtrace_print(writer w) {
    uint32_t printed = 0;
    frame_info prev = {0, 0, 0, 0};
    for (uint32_t i = 0; i < n_frames; i++) {
        frame_info f;
        if (!lookup(frames[i], &f) || f.index == WASMAOT_BT_GLUE) continue; /* instantiate, helpers */
        /* A trampoline or C entry stands for the function it enters (LLVM
         * may have inlined the function into it); when the function has its
         * own frame just inside, the entry's frame adds nothing. */
        int entry_of_prev = prev.instance == f.instance && prev.index == f.index && prev.entry != f.entry;
        prev = f;
        if (entry_of_prev) continue;
        if (printed == 0) put(w, "wasm backtrace:\n");
        put_number(w, printed++, 0, 5);
        put(w, ": ");
        if (f.offset == WASMAOT_BT_NO_OFFSET) put(w, "       ?");
        else put_number(w, f.offset, 1, 8);
        put(w, " - ");
        const char *instance = (const char *)rel(&f.instance->names);
        put(w, instance[0] ? instance : "<unknown>");
        put(w, "!");
        const char *name = function_name(&f);
        if (name[0]) {
            put(w, name);
        } else {
            put(w, "<wasm function ");
            put_number(w, f.index, 0, 0);
            put(w, ">");
        }
        put(w, "\n");
    }
    if (printed != 0 && n_more != 0) {
        put(w, "    ... ");
        put_number(w, n_more, 0, 0);
        put(w, " more frames\n");
    }
}

#endif /* WASMAOT_BACKTRACE */
