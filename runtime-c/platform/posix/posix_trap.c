/*
 * POSIX trap delivery: wasmaot_rt_try (sigsetjmp), the fault handler
 * (SIGSEGV/SIGBUS/SIGFPE on an alternate signal stack), the stack limit, and
 * the executable-facing helpers (init, run, report).
 *
 * Design notes
 * - The handler is installed with SA_NODEFER and an empty sa_mask, so the
 *   signal mask inside the handler equals the mask of the interrupted code.
 *   That is what lets us leave the handler with a plain (non-mask-saving)
 *   siglongjmp: nothing needs restoring, and wasmaot_rt_try costs no
 *   sigprocmask syscall.  (Same approach as wasmtime.)
 * - SA_ONSTACK + sigaltstack: on stack exhaustion the faulting thread has no
 *   stack left to run a handler on.  Jumping out of the handler leaves the
 *   alternate stack (the kernel decides "on altstack" from the stack pointer).
 * - Classification never guesses: a SIGSEGV/SIGBUS is a Wasm trap only if
 *   the kernel raised it (si_code > 0) and the fault address lies in a live
 *   GUARD reservation (out of bounds memory access) or in the main thread's
 *   stack window (call stack exhausted).  Anything else goes to the previous
 *   handler or the default action, so runtime bugs still crash visibly.
 * - Traps jump over C frames without cleanup; see wasmaot_rt_try in the
 *   header.  Jumping out of a signal handler is only sound because the
 *   interrupted code is generated code or our own lock-free runtime code,
 *   never inside malloc or stdio.
 */
#define _GNU_SOURCE 1
#include "posix_internal.h"

#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <ucontext.h>
#include <unistd.h>

#if !defined(MAP_ANONYMOUS) && defined(MAP_ANON)
#define MAP_ANONYMOUS MAP_ANON
#endif

extern char **environ;

/* ------------------------------------------------------------ try frames */

typedef struct try_frame {
    sigjmp_buf buf;
    struct try_frame *prev;
    volatile wasmaot_trap_code code; /* written between sigsetjmp and siglongjmp */
} try_frame;

/* Innermost active wasmaot_rt_try of this thread, NULL if none. */
static _Thread_local try_frame *current_try;

int wasmaot_rt_try(void (*fn)(void *), void *arg, wasmaot_trap_code *out) {
    try_frame frame;
    frame.prev = current_try;
    frame.code = WASMAOT_TRAP_NONE;
    if (sigsetjmp(frame.buf, 0) == 0) {
        current_try = &frame;
        fn(arg);
    }
    /* Normal return or trap: either way this frame is no longer active. */
    current_try = frame.prev;
    wasmaot_trap_code code = frame.code;
    if (out) *out = code;
    return (int)code;
}

/* ----------------------------------------------------------- reporting */

static void write_stderr(const char *s, size_t n) {
    ssize_t r = write(2, s, n);
    (void)r;
}

/* async-signal-safe: write(2) only.  The first line is the contract (tests
 * and the spec harness match it); the backtrace follows. */
static void write_trap_message(wasmaot_trap_code code) {
    static const char prefix[] = "wasm trap: ";
    const char *msg = wasmaot_trap_message(code);
    write_stderr(prefix, sizeof prefix - 1);
    write_stderr(msg, strlen(msg));
    write_stderr("\n", 1);
#if WASMAOT_BACKTRACE
    wasmaot_backtrace_print(write_stderr);
#endif
}

void wasmaot_rt_report_trap_and_exit(wasmaot_trap_code code) {
    write_trap_message(code);
    exit(WASMAOT_TRAP_EXIT_CODE); /* flushes stdio: the guest's output is not lost */
}

static WASMAOT_NORETURN void deliver(wasmaot_trap_code code, int in_signal_handler) {
    try_frame *f = current_try;
    if (f != NULL) {
        f->code = code;
        siglongjmp(f->buf, 1);
    }
    if (in_signal_handler) {
        /* exit() is not async-signal-safe; stdio buffers are lost here.
         * wasmaot_rt_run avoids this path by always having a try frame. */
        write_trap_message(code);
        _exit(WASMAOT_TRAP_EXIT_CODE);
    }
    wasmaot_rt_report_trap_and_exit(code);
}

/* Main-thread stack top (see init_stack_limit); 0 until wasmaot_rt_init. */
static uintptr_t stack_top;

void wasmaot_platform_trap(wasmaot_trap_code code) {
#if WASMAOT_BACKTRACE
    /* From our own frame, through wasmaot_trap and any runtime helper, to
     * the generated code that called it. */
#if WASMAOT_BACKTRACE_UNWIND
    wasmaot_backtrace_capture_unwind(NULL);
#else
    /* The runtime is compiled with frame pointers: our frame record lies
     * within two words of fp. */
    uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
    wasmaot_backtrace_capture(0, fp, 1, fp - 2 * sizeof(uintptr_t), stack_top);
#endif
#endif
    deliver(code, 0);
}

int wasmaot_rt_run(void (*fn)(void *), void *arg) {
    wasmaot_trap_code code;
    if (wasmaot_rt_try(fn, arg, &code) != 0) wasmaot_rt_report_trap_and_exit(code);
    return 0;
}

/* ---------------------------------------------------- GUARD reservations */

typedef struct reservation {
    uintptr_t start, end;
    struct reservation *next;
} reservation;

/* Singly linked, modified only outside signal context (memory new/free),
 * published with release stores so the handler sees complete nodes. */
static reservation *reservations;

int wasmaot_posix_register_reservation(uintptr_t start, uintptr_t end) {
    reservation *r = (reservation *)malloc(sizeof *r);
    if (r == NULL) return -1;
    r->start = start;
    r->end = end;
    r->next = reservations;
    __atomic_store_n(&reservations, r, __ATOMIC_RELEASE);
    return 0;
}

void wasmaot_posix_unregister_reservation(uintptr_t start) {
    for (reservation **pp = &reservations; *pp != NULL; pp = &(*pp)->next) {
        reservation *r = *pp;
        if (r->start == start) {
            __atomic_store_n(pp, r->next, __ATOMIC_RELEASE);
            free(r);
            return;
        }
    }
}

int wasmaot_posix_in_reservation(uintptr_t addr) {
    for (reservation *r = __atomic_load_n(&reservations, __ATOMIC_ACQUIRE); r != NULL;
         r = __atomic_load_n(&r->next, __ATOMIC_ACQUIRE)) {
        if (addr >= r->start && addr < r->end) return 1;
    }
    return 0;
}

/* ------------------------------------------------------------ the stack */

/* Main-thread stack window for fault classification: [stack_window_lo, stack_top). */
static uintptr_t stack_window_lo;

/* Slop below the rlimit bottom still counted as "the stack": Linux keeps a
 * 1 MiB guard gap (stack_guard_gap) below a growing stack, and a frame may
 * start its first touch anywhere in it. */
#define STACK_WINDOW_SLOP ((uintptr_t)4 << 20)

/* The highest stack address in use: the argument and environment strings
 * sit at the very top of the main thread's stack (Linux/BSD process layout),
 * so the end of the highest of them is within a page of the true top.  Falls
 * back to the current frame, which underestimates by the size of those
 * strings; the reserve and the window slop absorb that. */
static uintptr_t estimate_stack_top(char **argv, uintptr_t sp) {
    uintptr_t top = sp;
    char **lists[2] = {argv, environ};
    for (int l = 0; l < 2; l++) {
        if (lists[l] == NULL) continue;
        for (char **p = lists[l]; *p != NULL; p++) {
            uintptr_t s = (uintptr_t)*p;
            /* only strings plausibly on this stack (within 64 MiB above sp) */
            if (s > sp && s - sp < ((uintptr_t)64 << 20)) {
                uintptr_t e = s + strlen(*p) + 1;
                if (e > top) top = e;
            }
        }
    }
    return top;
}

static void init_stack_limit(char **argv) {
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    uintptr_t size = WASMAOT_STACK_DEFAULT_SIZE;
    struct rlimit rl;
    if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur > 0 &&
        rl.rlim_cur < ((rlim_t)1 << 40))
        size = (uintptr_t)rl.rlim_cur;
    stack_top = estimate_stack_top(argv, sp);
    uintptr_t usable = size > 2u * WASMAOT_STACK_RESERVE ? size - WASMAOT_STACK_RESERVE : size / 2;
    wasmaot_stack_limit = stack_top > usable ? stack_top - usable : 0;
    uintptr_t below = size + STACK_WINDOW_SLOP;
    stack_window_lo = stack_top > below ? stack_top - below : 0;
}

/* -------------------------------------------------------- fault handler */

static struct sigaction previous[3];
static const int handled_signals[3] = {SIGSEGV, SIGBUS, SIGFPE};

static struct sigaction *previous_for(int sig) {
    for (int i = 0; i < 3; i++)
        if (handled_signals[i] == sig) return &previous[i];
    return NULL;
}

static wasmaot_trap_code classify(int sig, const siginfo_t *info) {
    if (info->si_code <= 0) return WASMAOT_TRAP_NONE; /* sent by kill()/raise(), not a fault */
    if (sig == SIGSEGV || sig == SIGBUS) {
        uintptr_t addr = (uintptr_t)info->si_addr;
        if (wasmaot_posix_in_reservation(addr)) return WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS;
        if (addr >= stack_window_lo && addr < stack_top) return WASMAOT_TRAP_CALL_STACK_EXHAUSTED;
        return WASMAOT_TRAP_NONE;
    }
    if (sig == SIGFPE) {
        /* The compiler checks division explicitly; this is a safety net.
         * x86 reports INT_MIN / -1 as FPE_INTDIV too, so an overflow that
         * slipped through would be misreported as divide by zero. */
        if (info->si_code == FPE_INTDIV) return WASMAOT_TRAP_INTEGER_DIVIDE_BY_ZERO;
        if (info->si_code == FPE_INTOVF) return WASMAOT_TRAP_INTEGER_OVERFLOW;
    }
    return WASMAOT_TRAP_NONE;
}

#if WASMAOT_BACKTRACE && !WASMAOT_BACKTRACE_UNWIND
/* The interrupted PC, frame pointer and stack pointer; 0 if this
 * architecture is not known here (then no frame is recorded). */
static int interrupted_frame(const ucontext_t *uc, uintptr_t *pc, uintptr_t *fp, uintptr_t *sp) {
#if defined(__x86_64__)
    *pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    *fp = (uintptr_t)uc->uc_mcontext.gregs[REG_RBP];
    *sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
#elif defined(__aarch64__)
    *pc = (uintptr_t)uc->uc_mcontext.pc;
    *fp = (uintptr_t)uc->uc_mcontext.regs[29];
    *sp = (uintptr_t)uc->uc_mcontext.sp;
#elif defined(__riscv) && __riscv_xlen == 64
    *pc = (uintptr_t)uc->uc_mcontext.__gregs[REG_PC];
    *fp = (uintptr_t)uc->uc_mcontext.__gregs[REG_S0];
    *sp = (uintptr_t)uc->uc_mcontext.__gregs[REG_SP];
#else
    (void)uc, (void)pc, (void)fp, (void)sp;
    return 0;
#endif
    return 1;
}
#endif

static void fault_handler(int sig, siginfo_t *info, void *uctx) {
    wasmaot_trap_code code = classify(sig, info);
    if (code != WASMAOT_TRAP_NONE) {
#if WASMAOT_BACKTRACE
#if WASMAOT_BACKTRACE_UNWIND
        if (uctx != NULL) {
            const greg_t *g = ((const ucontext_t *)uctx)->uc_mcontext.gregs;
            const uint64_t gpr[17] = {
                g[REG_RAX], g[REG_RBX], g[REG_RCX], g[REG_RDX], g[REG_RDI], g[REG_RSI],
                g[REG_RBP], g[REG_RSP], g[REG_R8],  g[REG_R9],  g[REG_R10], g[REG_R11],
                g[REG_R12], g[REG_R13], g[REG_R14], g[REG_R15], g[REG_RIP]};
            wasmaot_backtrace_capture_unwind(gpr);
        } else {
            wasmaot_backtrace_clear();
        }
#else
        uintptr_t pc, fp, sp;
        if (uctx != NULL && interrupted_frame((const ucontext_t *)uctx, &pc, &fp, &sp))
            wasmaot_backtrace_capture(pc, fp, 1, sp, stack_top);
        else
            wasmaot_backtrace_clear();
#endif
#endif
        /* Leave with the interrupted code's signal mask.  With SA_NODEFER
         * and an empty sa_mask this is a no-op on a real kernel, but
         * qemu-user (7.2, Debian 12) for RISC-V reads the handler's sa_mask
         * one word too far into the kernel sigaction struct -- musl's
         * uninitialized padding -- so the handler can run with arbitrary
         * signals, SIGSEGV included, blocked.  A plain siglongjmp would keep
         * them blocked and the next trap would kill the process.  Costs one
         * (async-signal-safe) syscall per trap, none per wasmaot_rt_try. */
        if (uctx != NULL) sigprocmask(SIG_SETMASK, &((ucontext_t *)uctx)->uc_sigmask, NULL);
        deliver(code, 1);
    }

    /* Not ours: hand over to whoever was installed before us, else the
     * default action (returning re-executes the faulting instruction, which
     * then kills the process with the original signal). */
    struct sigaction *prev = previous_for(sig);
    if (prev != NULL && (prev->sa_flags & SA_SIGINFO) && prev->sa_sigaction != NULL) {
        prev->sa_sigaction(sig, info, uctx);
        return;
    }
    if (prev != NULL && !(prev->sa_flags & SA_SIGINFO) && prev->sa_handler != SIG_DFL &&
        prev->sa_handler != SIG_IGN) {
        prev->sa_handler(sig);
        return;
    }
    signal(sig, SIG_DFL);
    if (info->si_code <= 0) raise(sig);
}

static int install_altstack(void) {
    stack_t old;
    if (sigaltstack(NULL, &old) == 0 && !(old.ss_flags & SS_DISABLE) && old.ss_size >= WASMAOT_ALTSTACK_SIZE)
        return 0; /* the embedder already has a big enough one */
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0) page = 4096;
    size_t len = WASMAOT_ALTSTACK_SIZE + (size_t)page;
    uint8_t *p = (uint8_t *)mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == (uint8_t *)MAP_FAILED) return -1;
    /* guard page below the alternate stack: an overflowing handler faults
     * (and dies) instead of scribbling over a neighbouring mapping */
    mprotect(p, (size_t)page, PROT_NONE);
    stack_t ss;
    memset(&ss, 0, sizeof ss);
    ss.ss_sp = p + page;
    ss.ss_size = WASMAOT_ALTSTACK_SIZE;
    ss.ss_flags = 0;
    return sigaltstack(&ss, NULL);
}

static int install_handlers(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fault_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; i++)
        if (sigaction(handled_signals[i], &sa, &previous[i]) != 0) return -1;
    return 0;
}

/* ---------------------------------------------------------------- init */

int wasmaot_rt_init(int argc, char **argv) {
    static int initialized;
    if (initialized) return 0;
    initialized = 1;
    wasmaot_rt_argc = argc;
    wasmaot_rt_argv = argv;
    init_stack_limit(argv);
    /* A write to a closed pipe must fail with EPIPE (WASI maps it to its
     * errno), not kill the process: Wasm semantics never asks for a signal
     * death (wasmtime, too, fails the write; it says EIO).  An embedder's
     * own handler stays. */
    struct sigaction pipe_action;
    if (sigaction(SIGPIPE, NULL, &pipe_action) == 0 && !(pipe_action.sa_flags & SA_SIGINFO) &&
        pipe_action.sa_handler == SIG_DFL)
        signal(SIGPIPE, SIG_IGN);
    if (install_altstack() != 0) return -1;
    if (install_handlers() != 0) return -1;
    return 0;
}
