/*
 * wasmaot_rt.h -- THE interface between wasmaot-generated code and its C runtime.
 *
 * Everything the LLVM backend emits calls to, or loads from, is declared here.
 * The compiler does not parse this file: its Python twin is backends/abi.py
 * (ABI version, struct offsets and sizes, trap codes and messages, flags,
 * marker names), and tests/runtime/test_build.py compiles _Static_asserts
 * generated from abi.py against this header for every target, 32-bit
 * included.  The _Static_asserts at the bottom pin the layout for C, so that
 * a layout change breaks the C build instead of silently breaking generated
 * code.  Changing anything marked "ABI" requires bumping
 * WASMAOT_RT_ABI_VERSION and backends/abi.py in the same commit.
 *
 * The header is self-contained and freestanding-clean: it includes only
 * <stdint.h> and <stddef.h>, so it can be used by the bare-metal core.
 *
 * ------------------------------------------------------------------------
 * 1. Configuration macros
 * ------------------------------------------------------------------------
 * Every macro has a default; pass -D<NAME>=<value> to override.  Values are
 * always 0/1 or numbers (never "defined/undefined"), so `-DX=0` means off.
 *
 *   WASMAOT_PLATFORM_POSIX      1: hosted Unix build (Linux/musl, glibc, macOS):
 *                                  mmap, signals, sigsetjmp, wasmaot_rt_try.
 *   WASMAOT_PLATFORM_BAREMETAL  1: freestanding build (Cortex-M, RV32): no
 *                                  OS, no libc, traps go to the embedder's
 *                                  wasmaot_embedder_trap().
 *       Default: POSIX if the compiler is hosted (__STDC_HOSTED__) and the
 *       target is Unix-like, otherwise BAREMETAL.  Exactly one must be 1.
 *
 *   WASMAOT_BOUNDS_GUARD        1: linear memory lives in a fixed 8 GiB + 64 KiB
 *                                  PROT_NONE reservation (see section 3);
 *                                  generated code does NOT compare addresses,
 *                                  out-of-bounds accesses fault and the signal
 *                                  handler turns the fault into a trap.
 *   WASMAOT_BOUNDS_EXPLICIT     1: linear memory is exactly as large as the
 *                                  Wasm memory (plus slack); generated code
 *                                  compares every effective address against
 *                                  wasmaot_memory.size_bytes.
 *       Default: GUARD on POSIX with 64-bit pointers, EXPLICIT otherwise.
 *       Exactly one must be 1.  GUARD on a 32-bit or bare-metal build is an
 *       #error: it needs 8 GiB of address space and a fault handler.
 *       The choice is part of the ABI of the generated object: see
 *       WASMAOT_RT_BOUNDS_MARKER below.
 *
 *   WASMAOT_EXPLICIT_RESERVE_BYTES  (POSIX + EXPLICIT only) how much address
 *       space to reserve up front for a memory, so that memory.grow can
 *       usually commit in place instead of moving.  Default: 4 GiB + 64 KiB on
 *       64-bit hosts (memory never moves in practice), 0 on 32-bit hosts
 *       (reserve only the initial size; each grow that exceeds the reservation
 *       moves `base`).  Whatever the value, generated code in EXPLICIT mode
 *       must assume `base` can change across any call (section 3).
 *
 *   WASMAOT_HUGE_PAGES          (POSIX) 1: linear-memory reservations are
 *       aligned to 2 MiB, and a process started with WASMAOT_HUGE_PAGES=1 in
 *       its environment advises the part of each memory beyond its initial
 *       size MADV_HUGEPAGE, so that where the host enables transparent huge
 *       pages (even in its default "madvise" mode) the heap a program grows
 *       is backed by 2 MiB pages: fewer TLB misses and page faults (brotli
 *       -q 9: 12,500 faults -> ~1,000, 0.50 s -> 0.42 s; its native build,
 *       given huge pages too, gains as much: user time 0.46-0.49 s -> 0.37-0.40 s).
 *       Off unless asked, because it can cost: on a VM whose host reclaims
 *       free guest memory (virtio-balloon free page reporting) a huge page
 *       first touched after a pause costs host faults (about 3 ms each, by
 *       0.1 s of system time over ~30 pages), and brotli ran 0.44-0.61 s
 *       cold.  The initial memory always keeps small pages,
 *       so a small program's start-up never zeroes a 2 MiB page.  Where the
 *       host has no THP the advice is refused and ignored.  Default 1; 0
 *       compiles the alignment and the advice out.
 *
 *   WASMAOT_STACK_RESERVE       Bytes of native stack kept free BELOW
 *       wasmaot_stack_limit for the trap path, host functions called from the
 *       deepest Wasm frame, and C code.  Default 256 KiB (POSIX).  Must be at
 *       least 16 KiB (#error otherwise).  Bare metal: the embedder sets
 *       wasmaot_stack_limit itself, the macro is unused.
 *
 *   WASMAOT_STACK_DEFAULT_SIZE  (POSIX) stack size assumed when RLIMIT_STACK
 *       is unlimited or unavailable.  Default 8 MiB.
 *
 *   WASMAOT_ALTSTACK_SIZE       (POSIX) size of the alternate signal stack the
 *       SIGSEGV handler runs on (needed because it runs when the normal stack
 *       is exhausted).  Default 64 KiB (SIGSTKSZ is too small on some
 *       AArch64/SVE kernels).
 *
 *   WASMAOT_MAX_SIGNATURES      capacity of the signature registry (number of
 *       distinct function signatures in the whole program).  Default 4096 on
 *       POSIX, 256 on bare metal (static storage, two words per slot).
 *
 *   WASMAOT_TABLE_ELEMENTS_LIMIT  resource limit: table.grow beyond this many
 *       elements returns -1 (the spec allows grow to fail).  Default 10000000.
 *
 *   WASMAOT_BACKTRACE           1: a trap records the Wasm frames it unwinds
 *       (a frame-pointer walk, section 9) and the report prints them after
 *       the "wasm trap:" line.  Default 1 on POSIX, 0 on bare metal (an
 *       embedder's linker script need not define the __start_/__stop_
 *       symbols of the generated sections, and its trap handler prints
 *       nothing of ours); 0 compiles the walker and printer out.
 *   WASMAOT_BACKTRACE_FRAMES    Wasm frames recorded and printed per trap,
 *       innermost first (deeper ones are counted).  Default 64.
 *   WASMAOT_BACKTRACE_UNWIND    1: walk with libunwind's DWARF unwinder
 *       (the executable links -lunwind) instead of the frame-pointer chain:
 *       for generated code without frame pointers (x86-64, where the
 *       register is worth more; section 9).  Default 0.  x86-64 POSIX only,
 *       and only with WASMAOT_BACKTRACE (#error otherwise).
 *
 *   WASMAOT_TRAP_EXIT_CODE      exit status of a process that dies of an
 *       unhandled trap.  Default 134 = 128 + SIGABRT(6): it is what a shell
 *       reports for a process killed by abort(), so scripts see "aborted", and
 *       it is exactly what wasmtime's CLI uses on Unix for traps -- but we
 *       exit() with it instead of raising SIGABRT, so there is no core dump
 *       and no "killed by signal" status.  SIGABRT is 6 on Linux (all
 *       architectures) and on macOS/BSD.
 *
 * ------------------------------------------------------------------------
 * 2. Traps
 * ------------------------------------------------------------------------
 * A trap is a uint32_t code (wasmaot_trap_code; a typedef, NOT a C enum,
 * because enum size varies with -fshort-enums, the default on some ARM EABI
 * toolchains).  WASMAOT_TRAP_NONE == 0 means "no trap" so wasmaot_rt_try()
 * can return it.  wasmaot_trap_message() returns the message the official
 * spec testsuite expects in assert_trap / assert_exhaustion; spec harnesses
 * compare by prefix ("uninitialized element 2" in bulk.wast matches
 * "uninitialized element").  Every distinct message in the Wasm 2.0 core
 * suite has a code; codes after CALL_STACK_EXHAUSTED cover the proposals'
 * suites (function-references, gc, threads, exception-handling) so adding
 * those features does not renumber anything.  These are THE trap numbers of
 * the whole compiler: the IR's TrapCode (ir/trapcodes.py) has the same
 * values, named by the enumerators in lower case without WASMAOT_TRAP_
 * (`trapz integer_divide_by_zero v3`), and the same messages (core/trap.c).
 * New codes go at the end, in all three places in one commit.
 *
 * Generated code traps by calling wasmaot_trap(code), which never returns.
 * On POSIX it unwinds (siglongjmp) to the innermost wasmaot_rt_try(), or, if
 * there is none, prints "wasm trap: <message>\n" on stderr and exits with
 * WASMAOT_TRAP_EXIT_CODE.  On bare metal it calls wasmaot_embedder_trap(),
 * which the embedder MUST define (there is deliberately no weak default: a
 * silent default such as an infinite loop would hide a missing handler until
 * the first trap in the field; a link error is better).
 *
 * ------------------------------------------------------------------------
 * 3. Linear memory (struct wasmaot_memory, ABI)
 * ------------------------------------------------------------------------
 * Generated code loads `base` (offset 0) and, in EXPLICIT mode, `size_bytes`
 * (offset 8) on every access.  The layout is the SAME on 32- and 64-bit
 * targets: on 32-bit targets `base` occupies the low-addressed 4 bytes of an
 * 8-byte slot (the other 4 are zero padding), so `size_bytes` is at 8
 * everywhere.
 *
 *     off size field
 *       0   8  base            uint8_t*  (32-bit: 4 bytes + 4 bytes padding)
 *       8   8  size_bytes      uint64_t  current size = pages << page_size_log2
 *      16   4  pages           uint32_t  current size in Wasm pages
 *      20   4  max_pages       uint32_t  effective maximum (if none declared: 4 GiB
 *                                        of pages, 65536; 0xFFFFFFFF for 1-byte pages)
 *      24   8  capacity_bytes  uint64_t  bytes usable without moving `base`
 *                                        (GUARD: the whole reservation)
 *      32   4  flags           uint32_t  WASMAOT_MEMORY_* below
 *      36   4  page_size_log2  uint32_t  16 (65536-byte pages), or 0 (1-byte
 *                                        pages: custom-page-sizes)
 *      40      sizeof (alignment 8; 4 on i386-style ABIs, irrelevant to offsets)
 *
 * On a 32-bit target size_bytes < 2^32 always holds (the address space is
 * smaller), so 32-bit generated code may load just the low word at offset 8
 * (little-endian targets) instead of the full uint64_t.
 *
 * Page size (custom-page-sizes): each memory has its own, fixed when it is
 * created (WASMAOT_MEMORY_PAGE_SIZE_1 in the flags argument) and part of its
 * type: memory.size and memory.grow count in it, bounds are in bytes.  Every
 * size and maximum stays within 4 GiB, so page counts fit a uint32_t.
 *
 * GUARD mode (64-bit POSIX only).  Every memory, whatever its size and maximum,
 * owns a reservation of WASMAOT_GUARD_RESERVATION = 8 GiB + 64 KiB of address
 * space; [base, base + size_bytes) is read/write, the rest is PROT_NONE.  The
 * backend may compute an effective address as
 *     base + zext64(index_i32) + offset_u32        (no wrap-around, no check)
 * for ANY static offset: index + offset <= 2 * (2^32 - 1) < 8 GiB, and the
 * access width (<= 16 bytes for v128) fits in the extra 64 KiB, so every
 * such access either hits committed memory or faults inside the reservation.
 * Why 8 GiB and not wasmtime's 4 GiB + 2 GiB guard: with 8 GiB the backend
 * never needs a fallback check for large offsets, and address space is cheap
 * (128 TiB of user space = 16000 live memories).  memory.grow commits pages
 * in place (mprotect); `base` NEVER changes in GUARD mode, so generated code
 * may keep it in a register across calls.  The SIGSEGV/SIGBUS handler maps a
 * fault inside any live reservation to WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS.
 *
 * EXPLICIT mode.  Generated code must check, for an access of W bytes at
 * index i (u32) with static offset o (u32):
 *     (uint64_t)i + o + W > size_bytes   ->  wasmaot_trap(MEMORY_OUT_OF_BOUNDS)
 * (all in 64-bit arithmetic so nothing wraps).  `base` and `size_bytes` MAY
 * CHANGE across memory.grow and across ANY call (a callee or host import may
 * grow the memory; the runtime may move the memory to a bigger reservation),
 * so generated code must reload both after every call and every memory.grow.
 * Except with runtime-c/platform/baremetal/baremetal.c, where `base` never
 * changes: memory_new hands out a fixed capacity and memory.grow grows
 * inside it, as it does for an attached (EXTERNAL) buffer everywhere.  Code
 * compiled for a firmware image, which links baremetal.c, may load `base`
 * once per function and reload only `size_bytes` (backends/ABI.md "Firmware");
 * other bare-metal platform layers (the firmware spec driver's) may move it.
 *
 * A memory with 1-byte pages may end anywhere inside a host page, where
 * GUARD mode's fault cannot see its end: generated code checks its accesses
 * explicitly in GUARD mode too (backends/llvm/traps.py); its reservation is
 * an ordinary GUARD one (base never moves).
 *
 * Bulk operations (fill/copy/init) always check explicitly, in both modes,
 * before touching memory: an out-of-range bulk operation traps and writes
 * NOTHING (Wasm 2.0 semantics), and n == 0 at exactly the end is allowed while
 * n == 0 beyond the end traps.
 *
 * ------------------------------------------------------------------------
 * 4. Function references and call_indirect (struct wasmaot_funcref, ABI)
 * ------------------------------------------------------------------------
 *     64-bit: off 0 func, 8 type_id, 12 (padding), 16 instance; sizeof 24
 *     32-bit: off 0 func, 4 type_id,               8 instance; sizeof 12
 * (Natural C layout: funcrefs live in arrays, one per table slot, so we do
 * not pad them on microcontrollers.)  A null funcref has func == NULL (and,
 * by convention, type_id == 0 and instance == NULL; only func is tested).
 * `func` is called as  func(instance, wasm params...)  -- the calling
 * convention of the callee is the backend's; the runtime never calls it.
 *
 * type_id: canonical signature ids from a RUNTIME REGISTRY.
 *     uint32_t wasmaot_rt_intern_signature(const char *sig);
 * Every module, at instantiation, interns the canonical string of each
 * function type it uses in call_indirect / ref.func / exports, and stores the
 * ids in instance-private storage; call_indirect then compares two uint32_t.
 * Identical signatures in different modules get the same id because the
 * registry is per process, and ids are dense (1, 2, 3, ... ; 0 = "no type").
 * Why not a compile-time hash: with 32 bits a collision between two distinct
 * signatures is unlikely but possible, and a collision is a type-confusion
 * hole (call with the wrong argument registers); separately compiled modules
 * cannot check each other for collisions.  wasm2c avoids this by comparing
 * 32-byte SHA-256 digests; we prefer an exact integer at the price of one
 * load (the expected id) per call_indirect and a few string compares at
 * instantiation.
 *
 * Canonical signature string grammar (byte-exact; the registry compares
 * strings, so the compiler must produce exactly this):
 *     sig    := "(" types ")->(" types ")"
 *     types  := "" | type ("," type)*
 *     type   := "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref"
 *     e.g.  "()->()", "(i32,i64)->(f32)", "(funcref)->(i32,i32)"
 * (Typed references / gc subtyping will need more than equality; open.)
 * The string must have static storage duration: the registry keeps the
 * pointer, it does not copy (no malloc on bare metal).
 *
 * call_indirect sequence the backend emits (or calls wasmaot_call_indirect_check):
 *     if (idx >= table->size)              trap UNDEFINED_ELEMENT
 *     e = &((wasmaot_funcref *)table->elements)[idx]
 *     if (e->func == NULL)                 trap UNINITIALIZED_ELEMENT
 *     if (e->type_id != expected_id)       trap INDIRECT_CALL_TYPE_MISMATCH
 *     e->func(e->instance, args...)
 *
 * ------------------------------------------------------------------------
 * 5. Tables (struct wasmaot_table, ABI; same layout on 32/64-bit)
 * ------------------------------------------------------------------------
 *     off size field
 *       0   8  elements   wasmaot_funcref* or wasmaot_externref* (32-bit: 4 + pad)
 *       8   4  size       uint32_t current element count
 *      12   4  max_size   uint32_t effective maximum (0xFFFFFFFF if none declared)
 *      16   4  kind       uint32_t WASMAOT_REF_FUNCREF / WASMAOT_REF_EXTERNREF
 *      20   4  capacity   uint32_t elements allocated (>= size)
 *      24   4  flags      uint32_t WASMAOT_TABLE_* below
 *      28   4  reserved0  uint32_t zero
 *      32      sizeof
 * `elements` may move on table.grow (realloc), so generated code must reload
 * it after table.grow and after any call, like `base` in EXPLICIT mode.
 * Element values are passed to the table functions BY POINTER (const void *)
 * to a wasmaot_funcref or wasmaot_externref according to `kind`, so that one
 * signature serves both kinds and no struct is passed by value (which would
 * drag target-specific struct-passing rules into the backend).
 *
 * wasmaot_externref is an opaque pointer-sized value; NULL is ref.null extern.
 * Hosts that need to represent a non-null "extern 0" (the spec driver's
 * `ref.extern 0`) must encode it (e.g. as N+1 or as a pointer to a box).
 *
 * ------------------------------------------------------------------------
 * 6. Segments, globals, instances
 * ------------------------------------------------------------------------
 * Data/element segments are wasmaot_segment {data, size, dropped}:
 *     64-bit: off 0 data, 8 size, 12 dropped; sizeof 16
 *     32-bit: off 0 data, 4 size,  8 dropped; sizeof 12
 * A dropped segment behaves as length 0 (data.drop / elem.drop, and active
 * segments after instantiation).  For element segments `data` points to an
 * array of wasmaot_funcref / wasmaot_externref built at instantiation (a
 * funcref needs the instance pointer, so it cannot be a link-time constant).
 * Globals are plain storage inside the instance (layout chosen by the
 * backend); an imported global is a pointer to the exporter's storage.  The
 * runtime never touches globals or instances.
 *
 * ------------------------------------------------------------------------
 * 7. Stack exhaustion
 * ------------------------------------------------------------------------
 * Two mechanisms, both turning into WASMAOT_TRAP_CALL_STACK_EXHAUSTED:
 *  a) Explicit check (portable, also bare metal): generated function
 *     prologues compare the stack pointer with the global
 *         extern uintptr_t wasmaot_stack_limit;
 *     and call wasmaot_trap(WASMAOT_TRAP_CALL_STACK_EXHAUSTED) if it is below.
 *     In LLVM IR: %sp = call ptr @llvm.stacksave.p0() in the entry block
 *     (static allocas are already part of the frame), ptrtoint, icmp ult
 *     against a load of @wasmaot_stack_limit, branch to a cold block.
 *     POSIX sets the limit in wasmaot_rt_init() to
 *         (stack pointer at init) - (stack size - WASMAOT_STACK_RESERVE)
 *     where the stack size is RLIMIT_STACK (or WASMAOT_STACK_DEFAULT_SIZE).
 *     Bare metal: the embedder stores e.g. (uintptr_t)&__stack_bottom + reserve.
 *     Frames larger than the reserve can jump over it: the backend should
 *     also request stack probes ("probe-stack"="inline-asm") for big frames.
 *     The limit is a process global, valid for the main thread only (open
 *     point for multi-threaded embedders: would become thread-local).
 *  b) Guard page (POSIX): the SIGSEGV handler runs on an alternate signal
 *     stack and classifies a fault address inside the main thread's stack
 *     region (or the kernel's guard gap just below it) as stack exhaustion.
 *     This catches C code and generated code compiled without checks.
 *
 * ------------------------------------------------------------------------
 * 8. ABI/mode marker
 * ------------------------------------------------------------------------
 * A runtime built in GUARD mode defines the symbol wasmaot_rt_abi_v1_guard,
 * in EXPLICIT mode wasmaot_rt_abi_v1_explicit (both `const uint32_t`,
 * value WASMAOT_RT_ABI_VERSION).  Generated code must READ the one matching
 * the mode it was compiled for (e.g. in the instantiate function), so linking
 * unchecked GUARD-mode code against an EXPLICIT runtime (a memory-safety
 * hole) or against an older runtime ABI is a link error, not a silent bug.
 * WASMAOT_RT_BOUNDS_MARKER names the symbol for the current configuration.
 *
 * ------------------------------------------------------------------------
 * 9. Trap backtraces (WASMAOT_BACKTRACE)
 * ------------------------------------------------------------------------
 * Generated code (backends/llvm/backtrace.py; backends/ABI.md "Trap
 * backtraces") keeps frame pointers (x86-64: unwind tables instead, walked
 * by libunwind under WASMAOT_BACKTRACE_UNWIND), puts every generated function in the
 * code section `wasmaot_text` behind a wasmaot_bt_prefix (instance key,
 * Wasm index, body offset), and emits per instance a header
 * (wasmaot_bt_instance: key and names) in section `wasmaot_bt`.  The
 * linker's __start_/__stop_ symbols of both sections are all the runtime
 * needs: nothing is found by symbol name, and all of it survives strip
 * (plain bytes, PC-relative: no dynamic relocations).
 * When a trap is delivered, the platform walks the frame-pointer chain from
 * the trapping PC (signal: the ucontext's PC and frame pointer; explicit
 * check: the caller of wasmaot_trap) and records the PCs that lie in
 * `wasmaot_text`, until it leaves generated code after having seen it.
 * The report looks each one up (scanning back from the PC to the nearest
 * prefix whose key is an instance's) and prints, as wasmtime does:
 *     wasm backtrace:
 *         0:     0x40 - <unknown>!leaf
 *         1:        ? - lib!<wasm function 3>
 * (the Wasm byte offset of the function's body when the compiler knew it,
 * else "?"; the instance's --preload name, "<unknown>" for the main one;
 * the function's name-section name, else "<wasm function N>").
 */
#ifndef WASMAOT_RT_H
#define WASMAOT_RT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#define _Static_assert static_assert
#endif

#define WASMAOT_RT_ABI_VERSION 3u  /* 2: byte lengths of descriptor names; 3: static_instance */

/* ===================== configuration defaults & checks ================== */

#if !defined(WASMAOT_PLATFORM_POSIX) && !defined(WASMAOT_PLATFORM_BAREMETAL)
#if defined(__STDC_HOSTED__) && __STDC_HOSTED__ && \
    (defined(__unix__) || defined(__unix) || defined(__APPLE__))
#define WASMAOT_PLATFORM_POSIX 1
#else
#define WASMAOT_PLATFORM_BAREMETAL 1
#endif
#endif
#ifndef WASMAOT_PLATFORM_POSIX
#define WASMAOT_PLATFORM_POSIX 0
#endif
#ifndef WASMAOT_PLATFORM_BAREMETAL
#define WASMAOT_PLATFORM_BAREMETAL 0
#endif
#if WASMAOT_PLATFORM_POSIX + WASMAOT_PLATFORM_BAREMETAL != 1
#error "wasmaot_rt.h: exactly one of WASMAOT_PLATFORM_POSIX / WASMAOT_PLATFORM_BAREMETAL must be 1"
#endif
#if WASMAOT_PLATFORM_POSIX && defined(__STDC_HOSTED__) && !__STDC_HOSTED__
#error "wasmaot_rt.h: WASMAOT_PLATFORM_POSIX needs a hosted compiler (drop -ffreestanding or select WASMAOT_PLATFORM_BAREMETAL)"
#endif

#if UINTPTR_MAX == 0xFFFFFFFFFFFFFFFFu
#define WASMAOT_PTR64 1
#elif UINTPTR_MAX == 0xFFFFFFFFu
#define WASMAOT_PTR64 0
#else
#error "wasmaot_rt.h: only 32- and 64-bit pointers are supported"
#endif

#if !defined(WASMAOT_BOUNDS_GUARD) && !defined(WASMAOT_BOUNDS_EXPLICIT)
#if WASMAOT_PLATFORM_POSIX && WASMAOT_PTR64
#define WASMAOT_BOUNDS_GUARD 1
#else
#define WASMAOT_BOUNDS_EXPLICIT 1
#endif
#endif
#ifndef WASMAOT_BOUNDS_GUARD
#define WASMAOT_BOUNDS_GUARD 0
#endif
#ifndef WASMAOT_BOUNDS_EXPLICIT
#define WASMAOT_BOUNDS_EXPLICIT 0
#endif
#if WASMAOT_BOUNDS_GUARD + WASMAOT_BOUNDS_EXPLICIT != 1
#error "wasmaot_rt.h: exactly one of WASMAOT_BOUNDS_GUARD / WASMAOT_BOUNDS_EXPLICIT must be 1"
#endif
#if WASMAOT_BOUNDS_GUARD && !WASMAOT_PTR64
#error "wasmaot_rt.h: WASMAOT_BOUNDS_GUARD needs 64-bit pointers (8 GiB reservation per memory); use WASMAOT_BOUNDS_EXPLICIT"
#endif
#if WASMAOT_BOUNDS_GUARD && !WASMAOT_PLATFORM_POSIX
#error "wasmaot_rt.h: WASMAOT_BOUNDS_GUARD needs virtual memory and a fault handler (POSIX); use WASMAOT_BOUNDS_EXPLICIT"
#endif

#if WASMAOT_BOUNDS_GUARD
#define WASMAOT_RT_BOUNDS_MARKER wasmaot_rt_abi_v1_guard
#else
#define WASMAOT_RT_BOUNDS_MARKER wasmaot_rt_abi_v1_explicit
#endif

#ifndef WASMAOT_EXPLICIT_RESERVE_BYTES
#if WASMAOT_PTR64
#define WASMAOT_EXPLICIT_RESERVE_BYTES ((1ull << 32) + 65536u)
#else
#define WASMAOT_EXPLICIT_RESERVE_BYTES 0u
#endif
#endif

#ifndef WASMAOT_HUGE_PAGES
#define WASMAOT_HUGE_PAGES 1
#endif

#ifndef WASMAOT_STACK_RESERVE
#define WASMAOT_STACK_RESERVE (256u * 1024u)
#endif
#if WASMAOT_STACK_RESERVE < 16384
#error "wasmaot_rt.h: WASMAOT_STACK_RESERVE must be at least 16 KiB (the trap path and the C library need it)"
#endif
#ifndef WASMAOT_STACK_DEFAULT_SIZE
#define WASMAOT_STACK_DEFAULT_SIZE (8u * 1024u * 1024u)
#endif
#ifndef WASMAOT_ALTSTACK_SIZE
#define WASMAOT_ALTSTACK_SIZE (64u * 1024u)
#endif

#ifndef WASMAOT_MAX_SIGNATURES
#if WASMAOT_PLATFORM_BAREMETAL
#define WASMAOT_MAX_SIGNATURES 256
#else
#define WASMAOT_MAX_SIGNATURES 4096
#endif
#endif
#if WASMAOT_MAX_SIGNATURES < 1
#error "wasmaot_rt.h: WASMAOT_MAX_SIGNATURES must be positive"
#endif

#ifndef WASMAOT_TABLE_ELEMENTS_LIMIT
#define WASMAOT_TABLE_ELEMENTS_LIMIT 10000000u
#endif

#ifndef WASMAOT_BACKTRACE
#define WASMAOT_BACKTRACE WASMAOT_PLATFORM_POSIX
#endif
#ifndef WASMAOT_BACKTRACE_FRAMES
#define WASMAOT_BACKTRACE_FRAMES 64
#endif
#if WASMAOT_BACKTRACE_FRAMES < 1
#error "wasmaot_rt.h: WASMAOT_BACKTRACE_FRAMES must be positive"
#endif
#ifndef WASMAOT_BACKTRACE_UNWIND
#define WASMAOT_BACKTRACE_UNWIND 0
#endif
#if WASMAOT_BACKTRACE_UNWIND && !(WASMAOT_BACKTRACE && WASMAOT_PLATFORM_POSIX && defined(__x86_64__))
#error "wasmaot_rt.h: WASMAOT_BACKTRACE_UNWIND needs WASMAOT_BACKTRACE on x86-64 POSIX"
#endif

#ifndef WASMAOT_TRAP_EXIT_CODE
#define WASMAOT_TRAP_EXIT_CODE 134
#endif
#if WASMAOT_TRAP_EXIT_CODE <= 0 || WASMAOT_TRAP_EXIT_CODE > 255
#error "wasmaot_rt.h: WASMAOT_TRAP_EXIT_CODE must be an exit status in 1..255"
#endif

/* Fixed constants (not configurable: the backend relies on them). */
#define WASMAOT_PAGE_SIZE 65536u /* the default page size; a memory's own is
                                    1 << page_size_log2 (custom-page-sizes) */
#define WASMAOT_MAX_PAGES 65536u /* 4 GiB: the wasm32 limit; memory64 memories
                                    are capped at it too (page counts stay u32: a
                                    larger declared maximum is clamped, a larger
                                    minimum fails to instantiate) */
/* The most bytes a memory ever has, whatever its type allows: 4 GiB less
 * one 64 KiB page.  A larger minimum fails to instantiate, and memory.grow
 * past it returns -1 (the spec lets a grow fail for want of resources).
 * Generated code relies on it: an i32 address that was accessed without a
 * trap is below 2^32 - 65536, so adding at most 65536 to it cannot wrap
 * (backends/llvm/nowrap.py marks such adds `nuw`). */
#define WASMAOT_MAX_MEMORY_BYTES ((1ull << 32) - 65536u)
#define WASMAOT_GUARD_RESERVATION ((8ull << 30) + 65536u)

#if defined(__GNUC__) || defined(__clang__)
#define WASMAOT_NORETURN __attribute__((noreturn))
#define WASMAOT_COLD __attribute__((cold))
#else
#define WASMAOT_NORETURN _Noreturn
#define WASMAOT_COLD
#endif

/* ================================ traps ================================= */

typedef uint32_t wasmaot_trap_code;

enum {
    WASMAOT_TRAP_NONE = 0,
    /* Wasm 2.0 core (every distinct assert_trap/assert_exhaustion message) */
    WASMAOT_TRAP_UNREACHABLE = 1,                 /* "unreachable" */
    WASMAOT_TRAP_MEMORY_OUT_OF_BOUNDS = 2,        /* "out of bounds memory access" (loads, stores, memory.fill/copy/init) */
    WASMAOT_TRAP_TABLE_OUT_OF_BOUNDS = 3,         /* "out of bounds table access" (table.get/set/fill/copy/init) */
    WASMAOT_TRAP_INDIRECT_CALL_TYPE_MISMATCH = 4, /* "indirect call type mismatch" */
    WASMAOT_TRAP_UNINITIALIZED_ELEMENT = 5,       /* "uninitialized element": call_indirect of a null slot */
    WASMAOT_TRAP_UNDEFINED_ELEMENT = 6,           /* "undefined element": call_indirect index >= table size */
    WASMAOT_TRAP_INTEGER_DIVIDE_BY_ZERO = 7,      /* "integer divide by zero" */
    WASMAOT_TRAP_INTEGER_OVERFLOW = 8,            /* "integer overflow": INT_MIN / -1 */
    WASMAOT_TRAP_INVALID_CONVERSION = 9,          /* "invalid conversion to integer": trunc of NaN */
    WASMAOT_TRAP_CALL_STACK_EXHAUSTED = 10,       /* "call stack exhausted" */
    /* Proposals' suites (reserved now so numbering stays stable) */
    WASMAOT_TRAP_NULL_FUNCTION_REFERENCE = 11,    /* "null function reference": call_ref */
    WASMAOT_TRAP_NULL_REFERENCE = 12,             /* "null reference": ref.as_non_null */
    WASMAOT_TRAP_NULL_STRUCTURE_REFERENCE = 13,   /* "null structure reference" */
    WASMAOT_TRAP_NULL_ARRAY_REFERENCE = 14,       /* "null array reference" */
    WASMAOT_TRAP_NULL_I31_REFERENCE = 15,         /* "null i31 reference" */
    WASMAOT_TRAP_CAST_FAILURE = 16,               /* "cast failure" */
    WASMAOT_TRAP_ARRAY_OUT_OF_BOUNDS = 17,        /* "out of bounds array access" */
    WASMAOT_TRAP_UNALIGNED_ATOMIC = 18,           /* "unaligned atomic" */
    WASMAOT_TRAP_UNCAUGHT_EXCEPTION = 19,         /* "uncaught exception" */
    /* Embedder-raised (e.g. a host import that cannot continue) */
    WASMAOT_TRAP_HOST = 20,                       /* "host trap" */
    /* The canonical ABI (components): its message is the detail
     * wasmaot_trap_component set, e.g. "cannot enter component instance" */
    WASMAOT_TRAP_COMPONENT = 21,                  /* "component model trap" */
    WASMAOT_TRAP_COUNT = 22                       /* number of codes; not a code */
};

/* Message for `code` (the spec testsuite text); "unknown trap" for codes
 * >= WASMAOT_TRAP_COUNT, "no trap" for WASMAOT_TRAP_NONE.  Never NULL. */
const char *wasmaot_trap_message(wasmaot_trap_code code);

/* Raise a trap.  Never returns.  Called by generated code and by the runtime's
 * own checks.  WASMAOT_TRAP_NONE is a caller bug and is raised as
 * 0xFFFFFFFF ("unknown trap") so that it cannot pass for a normal return.  Safe to call with little stack left (it uses a few hundred
 * bytes; WASMAOT_STACK_RESERVE covers it). */
WASMAOT_NORETURN WASMAOT_COLD void wasmaot_trap(wasmaot_trap_code code);

/* Raise WASMAOT_TRAP_COMPONENT with `message` (static storage, one line):
 * wasmaot_trap_message(WASMAOT_TRAP_COMPONENT) returns it until the next
 * such trap.  The canonical ABI's traps in the component run time
 * (runtime-c/component), whose messages carry details no code has. */
WASMAOT_NORETURN WASMAOT_COLD void wasmaot_trap_component(const char *message);

#if WASMAOT_PLATFORM_BAREMETAL
/* REQUIRED on bare metal, provided by the embedder: handle a trap (log, reset,
 * longjmp into a supervisor loop, ...).  Must not return; if it does, the
 * runtime spins forever rather than continue past a trap. */
WASMAOT_NORETURN void wasmaot_embedder_trap(wasmaot_trap_code code);
#endif

/* =============================== memories =============================== */

enum {
    WASMAOT_MEMORY_HAS_MAX = 1u << 0,  /* the module declared a maximum */
    WASMAOT_MEMORY_EXTERNAL = 1u << 1, /* buffer supplied by the embedder (wasmaot_memory_attach); never freed/moved */
    WASMAOT_MEMORY_MAPPED = 1u << 2,   /* platform-owned mapping (POSIX mmap) */
    WASMAOT_MEMORY_GUARD = 1u << 3,    /* GUARD-mode reservation: the whole WASMAOT_GUARD_RESERVATION is mapped */
    WASMAOT_MEMORY_PAGE_SIZE_1 = 1u << 4 /* argument of wasmaot_memory_new/attach only: 1-byte pages
                                            (custom-page-sizes); recorded as page_size_log2 = 0 */
};

typedef struct wasmaot_memory {
    union {
        uint8_t *base;      /* ABI offset 0 */
        uint64_t base_slot_; /* keeps size_bytes at offset 8 on 32-bit targets */
    };
    uint64_t size_bytes;     /* ABI offset 8 */
    uint32_t pages;          /* ABI offset 16 */
    uint32_t max_pages;      /* ABI offset 20 */
    uint64_t capacity_bytes; /* ABI offset 24 */
    uint32_t flags;          /* ABI offset 32 */
    uint32_t page_size_log2; /* ABI offset 36: 16, or 0 (1-byte pages) */
} wasmaot_memory;

/* Create a memory with `initial_pages`; `max_pages` is used only when
 * `flags & WASMAOT_MEMORY_HAS_MAX` (otherwise the maximum is 4 GiB of
 * pages).  Pages are 65536 bytes, or 1 byte with WASMAOT_MEMORY_PAGE_SIZE_1
 * in `flags` (a declared maximum is then at most 0xFFFFFFFF).  POSIX:
 * mmap-backed, mode per WASMAOT_BOUNDS_*.  Bare metal: always fails (the
 * embedder provides storage with wasmaot_memory_attach).  Returns 0, or -1 if
 * the arguments are invalid or the platform cannot provide the memory (the
 * instantiation must then fail).  Contents start zeroed. */
int wasmaot_memory_new(wasmaot_memory *mem, uint32_t initial_pages, uint32_t max_pages, uint32_t flags);

/* Use an embedder-supplied buffer of `capacity_bytes` (static RAM on a
 * microcontroller).  memory.grow succeeds while the new size fits the buffer
 * and the maximum.  Zeroes the initial pages.  EXPLICIT mode only (a guard
 * reservation cannot be supplied from outside): returns -1 in GUARD mode. */
int wasmaot_memory_attach(wasmaot_memory *mem, void *buffer, uint64_t capacity_bytes,
                          uint32_t initial_pages, uint32_t max_pages, uint32_t flags);

/* Release a memory from wasmaot_memory_new (unmap) or detach an attached one.
 * The struct is zeroed. */
void wasmaot_memory_free(wasmaot_memory *mem);

/* Point the x86-64 %gs segment base at `mem`'s base, for generated code
 * that addresses this memory as %gs:index (backends/ABI.md "Segment-
 * addressed memory"; called once by the instantiation of the program's
 * one segment-addressed memory, a GUARD-mode memory, whose base never
 * moves).  The segment base is per thread and the process's own: only a
 * program that wasmaot links into its own executable (one instance, one
 * thread) uses this.  x86-64 Linux (arch_prctl ARCH_SET_GS); returns 0,
 * or -1 if the kernel refuses or elsewhere (generated code for other
 * targets never calls it). */
int wasmaot_memory_segment(const wasmaot_memory *mem);

/* memory.grow: returns the old size in pages, or -1 (as int32_t, i.e. the
 * i32 result 0xFFFFFFFF) if the new size would exceed the maximum, 4 GiB,
 * or available storage.  New pages are zero.  EXPLICIT mode: base may
 * move. */
int32_t wasmaot_memory_grow(wasmaot_memory *mem, uint32_t delta_pages);

/* memory.fill: set n bytes at d to (uint8_t)value.  Traps
 * MEMORY_OUT_OF_BOUNDS (writing nothing) if d + n > size_bytes. */
void wasmaot_memory_fill(wasmaot_memory *mem, uint32_t d, uint32_t value, uint32_t n);

/* memory.copy (memmove semantics; dst and src may be the same memory or two
 * memories).  Traps if d + n > dst size or s + n > src size. */
void wasmaot_memory_copy(wasmaot_memory *dst, const wasmaot_memory *src, uint32_t d, uint32_t s, uint32_t n);

/* The IR's mismatch8 (the bytecmp pass's form of a byte-compare loop): the
 * least k < n at which the bytes at a + k and b + k differ (the sums wrap
 * as i32 additions), or n if there is none.  Reads as the loop did, a + k
 * and b + k for k = 0, 1, ...: traps MEMORY_OUT_OF_BOUNDS at the first
 * byte out of bounds, unless a difference came before it.  32-bit memories. */
uint32_t wasmaot_memory_mismatch8(const wasmaot_memory *mem, uint32_t a, uint32_t b, uint32_t n);

/* memory.init: copy src_data[s, s+n) to memory[d, d+n).  Traps
 * MEMORY_OUT_OF_BOUNDS if s + n > src_len or d + n > size_bytes.  A dropped
 * segment is passed with src_len == 0 (see wasmaot_memory_init_segment). */
void wasmaot_memory_init(wasmaot_memory *mem, uint32_t d, const uint8_t *src_data, uint32_t src_len,
                         uint32_t s, uint32_t n);

/* For host code (WASI shim etc.): a pointer to [addr, addr+len) of the
 * memory, or a MEMORY_OUT_OF_BOUNDS trap.  The pointer is valid until the
 * next memory.grow (EXPLICIT mode may move the memory). */
void *wasmaot_memory_checked_ptr(const wasmaot_memory *mem, uint32_t addr, uint32_t len);

static inline uint32_t wasmaot_memory_size(const wasmaot_memory *mem) { return mem->pages; }

/* ================================ tables ================================ */

enum { WASMAOT_REF_FUNCREF = 0, WASMAOT_REF_EXTERNREF = 1 };

enum {
    WASMAOT_TABLE_HAS_MAX = 1u << 0,  /* the module declared a maximum */
    WASMAOT_TABLE_EXTERNAL = 1u << 1  /* element storage supplied by the embedder */
};

typedef struct wasmaot_funcref {
    const void *func;  /* NULL: null funcref */
    uint32_t type_id;  /* id from wasmaot_rt_intern_signature, 0 for null */
    void *instance;    /* passed as the callee's first argument */
} wasmaot_funcref;

typedef void *wasmaot_externref; /* NULL: null externref */

typedef struct wasmaot_table {
    union {
        void *elements;          /* ABI offset 0: wasmaot_funcref[] or wasmaot_externref[] */
        uint64_t elements_slot_; /* uniform offsets on 32-bit targets */
    };
    uint32_t size;     /* ABI offset 8 */
    uint32_t max_size; /* ABI offset 12 */
    uint32_t kind;     /* ABI offset 16 */
    uint32_t capacity; /* ABI offset 20 */
    uint32_t flags;    /* ABI offset 24 */
    uint32_t reserved0; /* ABI offset 28 */
} wasmaot_table;

/* Size in bytes of one element of a table of `kind`. */
static inline size_t wasmaot_ref_size(uint32_t kind) {
    return kind == WASMAOT_REF_FUNCREF ? sizeof(wasmaot_funcref) : sizeof(wasmaot_externref);
}

/* Create a table of `kind` with `initial` null elements; `max_size` used only
 * with WASMAOT_TABLE_HAS_MAX.  POSIX: heap-allocated.  Bare metal: only an
 * empty table can be created here; use wasmaot_table_attach.  0 or -1. */
int wasmaot_table_new(wasmaot_table *t, uint32_t kind, uint32_t initial, uint32_t max_size, uint32_t flags);

/* Embedder-supplied element storage for `capacity` elements; initial
 * elements are set to null.  table.grow fails beyond `capacity`. */
int wasmaot_table_attach(wasmaot_table *t, uint32_t kind, void *elements, uint32_t capacity,
                         uint32_t initial, uint32_t max_size, uint32_t flags);

void wasmaot_table_free(wasmaot_table *t);

/* table.get / table.set: `out`/`val` point to an element of the table's
 * kind.  Trap TABLE_OUT_OF_BOUNDS if i >= size. */
void wasmaot_table_get(const wasmaot_table *t, uint32_t i, void *out);
void wasmaot_table_set(wasmaot_table *t, uint32_t i, const void *val);

/* table.grow: returns the old size, or 0xFFFFFFFF (i32 -1) on failure (new
 * size beyond max_size, WASMAOT_TABLE_ELEMENTS_LIMIT, or storage).  New
 * slots are set to *init.  `elements` may move. */
uint32_t wasmaot_table_grow(wasmaot_table *t, const void *init, uint32_t delta);

/* table.fill / table.copy / table.init: bounds-checked up front (64-bit
 * arithmetic), trap TABLE_OUT_OF_BOUNDS and change nothing when out of range;
 * n == 0 at exactly the end is fine.  copy has memmove semantics; the two
 * tables must have the same kind (guaranteed by validation).  init reads
 * src[s, s+n) where src is an array of src_len elements of the table's kind
 * (a dropped segment: src_len == 0). */
void wasmaot_table_fill(wasmaot_table *t, uint32_t i, const void *val, uint32_t n);
void wasmaot_table_copy(wasmaot_table *dst, const wasmaot_table *src, uint32_t d, uint32_t s, uint32_t n);
void wasmaot_table_init(wasmaot_table *t, uint32_t d, const void *src, uint32_t src_len, uint32_t s, uint32_t n);

static inline uint32_t wasmaot_table_size(const wasmaot_table *t) { return t->size; }

/* The call_indirect checks of section 4 as a function: returns the funcref
 * to call, or traps UNDEFINED_ELEMENT / UNINITIALIZED_ELEMENT /
 * INDIRECT_CALL_TYPE_MISMATCH.  Generated code may inline the same sequence. */
const wasmaot_funcref *wasmaot_call_indirect_check(const wasmaot_table *t, uint32_t idx, uint32_t expected_type_id);

/* ======================== segments (data / elem) ======================== */

typedef struct wasmaot_segment {
    const void *data; /* bytes (data segment) or element array (elem segment) */
    uint32_t size;    /* bytes or elements */
    uint32_t dropped; /* nonzero after data.drop / elem.drop */
} wasmaot_segment;

static inline uint32_t wasmaot_segment_len(const wasmaot_segment *seg) { return seg->dropped ? 0u : seg->size; }
static inline void wasmaot_segment_drop(wasmaot_segment *seg) { seg->dropped = 1u; }

static inline void wasmaot_memory_init_segment(wasmaot_memory *mem, const wasmaot_segment *seg,
                                               uint32_t d, uint32_t s, uint32_t n) {
    wasmaot_memory_init(mem, d, (const uint8_t *)seg->data, wasmaot_segment_len(seg), s, n);
}
static inline void wasmaot_table_init_segment(wasmaot_table *t, const wasmaot_segment *seg,
                                              uint32_t d, uint32_t s, uint32_t n) {
    wasmaot_table_init(t, d, seg->data, wasmaot_segment_len(seg), s, n);
}

/* ========================== signature registry ========================== */

/* Canonical id (>= 1) for the signature string `sig` (grammar in section 4).
 * Same string -> same id for the life of the process.  Returns 0 if the
 * registry is full (WASMAOT_MAX_SIGNATURES) or sig is NULL; instantiation
 * must then fail.  Not thread-safe: instantiate modules from one thread. */
uint32_t wasmaot_rt_intern_signature(const char *sig);

/* The string interned as `id`, or NULL. */
const char *wasmaot_rt_signature_string(uint32_t id);

/* ============================ stack limit =============================== */

/* Generated code traps CALL_STACK_EXHAUSTED when its stack pointer is below
 * this address (section 7).  0 disables the check (every sp is >= 0). */
extern uintptr_t wasmaot_stack_limit;

/* What a generated prologue does, for C code and tests. */
#define WASMAOT_STACK_CHECK()                                                  \
    do {                                                                       \
        if ((uintptr_t)__builtin_frame_address(0) < wasmaot_stack_limit)       \
            wasmaot_trap(WASMAOT_TRAP_CALL_STACK_EXHAUSTED);                   \
    } while (0)

/* ============================ trap backtraces =========================== */

/* What generated code emits (section 9; ABI).  Relative fields hold
 * (target address - address of the field). */
#define WASMAOT_BT_VERSION 2u
#define WASMAOT_BT_GLUE 0xFFFFFFFFu      /* index of generated non-Wasm code */
#define WASMAOT_BT_NO_OFFSET 0xFFFFFFFFu /* body offset unknown */

/* The 16 bytes just before each generated function's entry (LLVM prefix
 * data, never executed; read byte by byte, they need no alignment). */
typedef struct wasmaot_bt_prefix {
    uint32_t key_lo, key_hi; /* the instance's key (its header's) */
    uint32_t index;          /* Wasm function index, or WASMAOT_BT_GLUE */
    uint32_t offset;         /* Wasm byte offset of the body, or WASMAOT_BT_NO_OFFSET */
} wasmaot_bt_prefix;

/* One per instance, in section wasmaot_bt. */
typedef struct wasmaot_bt_instance {
    uint32_t version;        /* WASMAOT_BT_VERSION */
    uint32_t n_funcs;        /* entries of names_index: every function index */
    uint32_t key_lo, key_hi; /* 64 bits, unique per instance in an executable */
    int32_t names_index;     /* relative: uint32_t[n_funcs], offsets into `names` */
    int32_t names;           /* relative: the instance's name at offset 0, then
                                NUL-terminated function names ("" = none) */
} wasmaot_bt_instance;

#if WASMAOT_BACKTRACE
/* Record the Wasm frames of the chain starting at (pc, fp); `pc` is an
 * exact PC (a fault) when pc_exact, else a return address.  Frame pointers
 * are only followed inside [lo, hi) and upwards, so the walk never faults.
 * Replaces the previous record.  Async-signal-safe. */
void wasmaot_backtrace_capture(uintptr_t pc, uintptr_t fp, int pc_exact, uintptr_t lo, uintptr_t hi);
#if WASMAOT_BACKTRACE_UNWIND
/* The same with libunwind: from the interrupted registers of a fault, in
 * libunwind's x86-64 order (rax rbx rcx rdx rdi rsi rbp rsp r8-r15 rip),
 * or (gpr NULL) from the caller's own frame. */
void wasmaot_backtrace_capture_unwind(const uint64_t gpr[17]);
#endif
/* Forget the record (a trap that is not walked prints no stale frames). */
void wasmaot_backtrace_clear(void);
/* Write the recorded backtrace ("wasm backtrace:" and one line per frame;
 * nothing if no Wasm frame was recorded) through `write`.  Async-signal-safe
 * if `write` is. */
void wasmaot_backtrace_print(void (*write)(const char *s, size_t n));
#endif

/* ========================= entry API (executables) ====================== */

/* Initialize the runtime: remember argc/argv (for WASI), set
 * wasmaot_stack_limit, and on POSIX install the SIGSEGV/SIGBUS/SIGFPE
 * handler on an alternate signal stack and ignore SIGPIPE (unless a handler
 * is installed already): a write to a closed pipe then fails with EPIPE,
 * which WASI reports to the program, instead of killing the process.  Call once from main() before any
 * Wasm code runs; later calls are no-ops.  Returns 0, or -1 if a handler or
 * the signal stack could not be installed (guard mode would then be unsafe). */
int wasmaot_rt_init(int argc, char **argv);

extern int wasmaot_rt_argc;
extern char **wasmaot_rt_argv;

#if WASMAOT_PLATFORM_POSIX
/* Run fn(arg).  Returns 0 (and stores WASMAOT_TRAP_NONE in *out if out is
 * non-NULL) if it returned normally, or the trap code if it trapped (signal
 * or wasmaot_trap).  Calls nest: a trap unwinds to the innermost active
 * wasmaot_rt_try only.  After a trap, memories/tables/globals keep whatever
 * state they had at the trap (Wasm semantics); C frames between the trap and
 * the try are discarded without cleanup (no destructors, no unlocking), so
 * host functions must not hold resources across calls back into Wasm.
 * Cost: one sigsetjmp without signal-mask save (no syscall). */
int wasmaot_rt_try(void (*fn)(void *), void *arg, wasmaot_trap_code *out);

/* Print "wasm trap: <message>\n" on stderr (write(2), unbuffered), then the
 * backtrace recorded when the trap was delivered (section 9), and exit with
 * WASMAOT_TRAP_EXIT_CODE after flushing stdio.  Never returns. */
WASMAOT_NORETURN void wasmaot_rt_report_trap_and_exit(wasmaot_trap_code code);

/* The default main-side helper:  return wasmaot_rt_run(start, instance);
 * runs fn(arg) under wasmaot_rt_try; on a trap reports it and exits with
 * WASMAOT_TRAP_EXIT_CODE; otherwise returns 0. */
int wasmaot_rt_run(void (*fn)(void *), void *arg);
#endif

/* ============================== exceptions ==============================
 * Exception handling (Wasm 3.0; backends/ABI.md "Exceptions").  No unwinder:
 * a function that throws past its own handlers stores the exception in
 * wasmaot_exn_pending and returns; callers that may see one check the slot
 * after each call.  A trap never touches it (traps unwind with longjmp).
 *
 * An exception object: its tag's identity at offset 0, its payload capacity
 * (bytes, u32) at offset sizeof(void *), an `escaped` u32 after it (set by
 * generated code when the object becomes an exnref value: catch_ref,
 * catch_all_ref; such an object is never freed), the payload from offset 16, one
 * 16-byte slot per value (value k at 16 + 16k, in the value's native
 * layout).  Objects are recycled through a free list, so a throw caught
 * without _ref allocates nothing after the first (bare metal's bump heap
 * never frees). */
#define WASMAOT_EXN_PAYLOAD 16
#define WASMAOT_EXN_SLOT 16
#define WASMAOT_EXN_ESCAPED_OFFSET (sizeof(void *) + 4)

/* The pending exception (NULL: none).  One thread runs Wasm code per
 * process (as the WASI layer assumes), so it is a plain global. */
extern void *wasmaot_exn_pending;

/* A new exception of `tag` with room for `payload_bytes` (payload zeroed
 * not; the caller stores every value).  Traps WASMAOT_TRAP_HOST when the
 * heap is exhausted. */
void *wasmaot_exn_new(const void *tag, uint32_t payload_bytes);

/* Recycle `exn` unless it escaped (a catch without _ref read its payload:
 * nothing else refers to it). */
void wasmaot_exn_free(void *exn);

/* At a host boundary (export trampolines, instantiate): the pending
 * exception is uncaught: clear it and trap WASMAOT_TRAP_UNCAUGHT_EXCEPTION. */
WASMAOT_NORETURN WASMAOT_COLD void wasmaot_exn_uncaught(void);

/* How many component-boundary calls (runtime-c/component: cm_host_call) are
 * running: while one is, wasmaot_exn_uncaught at a trampoline is the
 * component trap below, not "uncaught exception". */
extern uint32_t wasmaot_exn_component_depth;

/* At a component boundary (a lifted export called through the canonical
 * ABI, a fused cross-component call): an exception must not cross it
 * (wasmtime's rule).  If one is pending: clear it and trap
 * WASMAOT_TRAP_COMPONENT "uncaught exception propagated out of component";
 * else return. */
void wasmaot_exn_component_boundary(void);

/* ========================== module descriptor ============================
 * What a compiled module exports so that hosts (the standalone main, the
 * spec-test driver, an embedder) can link, instantiate and call it without
 * knowing its instance layout.  Specified in backends/ABI.md; generated by
 * the emitter as `const wasmaot_module_desc P_module`.  ABI. */

enum {
    WASMAOT_EXTERN_FUNC = 0,
    WASMAOT_EXTERN_TABLE = 1,
    WASMAOT_EXTERN_MEMORY = 2,
    WASMAOT_EXTERN_GLOBAL = 3,
    WASMAOT_EXTERN_TAG = 4     /* exception tag: a pointer slot to the tag's
                                  identity (its defining instance's storage);
                                  type: "tag" + the canonical signature */
};

typedef struct wasmaot_import_desc {
    const char *module;
    const char *name;
    uint32_t kind;     /* WASMAOT_EXTERN_* */
    uint32_t offset;   /* instance offset of the slot the host fills: FUNC: a
                          wasmaot_funcref; TABLE/MEMORY/GLOBAL: a pointer */
    const char *type;  /* FUNC: canonical signature (section 4); GLOBAL: "i32",
                          "mut i64", ...; TABLE: "funcref"/"externref"; MEMORY: NULL,
                          else "i64" (memory64), "pagesize 1" (1-byte pages)
                          or "i64 pagesize 1" (linking compares them) */
    uint32_t min;      /* TABLE/MEMORY limits */
    uint32_t max;      /* 0xFFFFFFFF when has_max == 0 */
    uint32_t has_max;
    /* Byte lengths of `module` and `name`: Wasm names may contain NUL
     * bytes, so compare with these, not strcmp (the strings are still
     * NUL-terminated for printing). */
    uint32_t module_len;
    uint32_t name_len;
} wasmaot_import_desc;

typedef struct wasmaot_export_desc {
    const char *name;
    uint32_t kind;     /* WASMAOT_EXTERN_* */
    uint32_t offset;   /* FUNC: offset of its wasmaot_funcref; others: offset of
                          the pointer slot (wasmaot_memory*, wasmaot_table*,
                          pointer to the global's storage) */
    const char *type;  /* as in wasmaot_import_desc */
    /* FUNC only (else NULL): arguments in slots[0..], results written back to
     * slots[0..]; one 8-byte slot per i32/i64/f32/f64/ref (ints
     * zero-extended, floats as bit patterns in the low bits, refs as the
     * pointer), two for v128 (low half first). */
    void (*trampoline)(void *instance, uint64_t *slots);
    uint32_t name_len; /* byte length of `name` (names may contain NUL) */
} wasmaot_export_desc;

typedef struct wasmaot_module_desc {
    uint32_t abi_version;    /* WASMAOT_RT_ABI_VERSION */
    uint32_t instance_size;  /* bytes; the host allocates it zeroed, 16-aligned */
    uint32_t n_imports;
    uint32_t n_exports;
    const wasmaot_import_desc *imports;
    const wasmaot_export_desc *exports;
    /* After the host filled every import slot: intern signatures, create
     * defined memories/tables, build segments, initialize globals, apply
     * active element then data segments, run the start function.  May trap
     * (call it under wasmaot_rt_try); returns 0, or -1 when a memory or table
     * could not be created. */
    int (*instantiate)(void *instance);
    /* NULL, or the only instance the code can have (compiled with
     * CompileOptions.static_instance: function bodies address this block,
     * not their instance argument).  It is zeroed and instance_size bytes
     * (rounded up to 16) long, followed by one byte the host sets when it
     * hands the block out (wasmaot_host_alloc_instance): instantiate
     * returns -1 for any other block. */
    void *static_instance;
} wasmaot_module_desc;

/* ============================= ABI marker =============================== */

#if WASMAOT_BOUNDS_GUARD
extern const uint32_t wasmaot_rt_abi_v1_guard;
#else
extern const uint32_t wasmaot_rt_abi_v1_explicit;
#endif

/* ========================= layout assertions =========================== */

#define WASMAOT_ASSERT_OFFSET_(T, f, off) \
    _Static_assert(offsetof(T, f) == (off), "ABI: offset of " #T "." #f " changed")

WASMAOT_ASSERT_OFFSET_(wasmaot_memory, base, 0);
WASMAOT_ASSERT_OFFSET_(wasmaot_memory, size_bytes, 8);
WASMAOT_ASSERT_OFFSET_(wasmaot_memory, pages, 16);
WASMAOT_ASSERT_OFFSET_(wasmaot_memory, max_pages, 20);
WASMAOT_ASSERT_OFFSET_(wasmaot_memory, capacity_bytes, 24);
WASMAOT_ASSERT_OFFSET_(wasmaot_memory, flags, 32);
WASMAOT_ASSERT_OFFSET_(wasmaot_memory, page_size_log2, 36);
_Static_assert(sizeof(wasmaot_memory) == 40, "ABI: sizeof(wasmaot_memory) changed");

WASMAOT_ASSERT_OFFSET_(wasmaot_table, elements, 0);
WASMAOT_ASSERT_OFFSET_(wasmaot_table, size, 8);
WASMAOT_ASSERT_OFFSET_(wasmaot_table, max_size, 12);
WASMAOT_ASSERT_OFFSET_(wasmaot_table, kind, 16);
WASMAOT_ASSERT_OFFSET_(wasmaot_table, capacity, 20);
WASMAOT_ASSERT_OFFSET_(wasmaot_table, flags, 24);
WASMAOT_ASSERT_OFFSET_(wasmaot_table, reserved0, 28);
_Static_assert(sizeof(wasmaot_table) == 32, "ABI: sizeof(wasmaot_table) changed");

#if WASMAOT_PTR64
WASMAOT_ASSERT_OFFSET_(wasmaot_funcref, func, 0);
WASMAOT_ASSERT_OFFSET_(wasmaot_funcref, type_id, 8);
WASMAOT_ASSERT_OFFSET_(wasmaot_funcref, instance, 16);
_Static_assert(sizeof(wasmaot_funcref) == 24, "ABI: sizeof(wasmaot_funcref) changed");
WASMAOT_ASSERT_OFFSET_(wasmaot_segment, data, 0);
WASMAOT_ASSERT_OFFSET_(wasmaot_segment, size, 8);
WASMAOT_ASSERT_OFFSET_(wasmaot_segment, dropped, 12);
_Static_assert(sizeof(wasmaot_segment) == 16, "ABI: sizeof(wasmaot_segment) changed");
_Static_assert(sizeof(wasmaot_externref) == 8, "ABI: externref is pointer-sized");
#else
WASMAOT_ASSERT_OFFSET_(wasmaot_funcref, func, 0);
WASMAOT_ASSERT_OFFSET_(wasmaot_funcref, type_id, 4);
WASMAOT_ASSERT_OFFSET_(wasmaot_funcref, instance, 8);
_Static_assert(sizeof(wasmaot_funcref) == 12, "ABI: sizeof(wasmaot_funcref) changed");
WASMAOT_ASSERT_OFFSET_(wasmaot_segment, data, 0);
WASMAOT_ASSERT_OFFSET_(wasmaot_segment, size, 4);
WASMAOT_ASSERT_OFFSET_(wasmaot_segment, dropped, 8);
_Static_assert(sizeof(wasmaot_segment) == 12, "ABI: sizeof(wasmaot_segment) changed");
_Static_assert(sizeof(wasmaot_externref) == 4, "ABI: externref is pointer-sized");
#endif
_Static_assert(sizeof(wasmaot_trap_code) == 4, "ABI: trap codes are uint32_t");
_Static_assert(sizeof(wasmaot_bt_prefix) == 16, "ABI: sizeof(wasmaot_bt_prefix) changed");
_Static_assert(sizeof(wasmaot_bt_instance) == 24, "ABI: sizeof(wasmaot_bt_instance) changed");

#ifdef __cplusplus
}
#endif
#endif /* WASMAOT_RT_H */
