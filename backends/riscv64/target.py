"""RISC-V 64 Linux (musl, static): what the emitter needs to know about the target.

Same fields as ``x86_64/target.py``; nothing else in the emitter is target
specific.

Why ``generic-rv64`` + ``+m,+a,+f,+d,+c`` (RV64GC): it is the profile every Linux-capable RISC-V board and every
distribution targets (RVA20U64), and exactly what zig's
``riscv64-linux-musl`` builds musl and our C runtime for.  No ``V``: the
vector extension is still absent from much real hardware, so Wasm SIMD
(``v128``) is legalized by LLVM into correct scalar code (each lane in
general-purpose / FP registers).  Users with RVV hardware may pass ``--cpu``
(e.g. ``sifive-x280``) to get vector code.

ABI: ``lp64d`` (doubles in FP registers).  It must match the runtime and
musl objects zig builds, because lld refuses to link objects with
different RISC-V float ABIs (ELF ``e_flags``).  LLVM picks lp64d by default
when ``+d`` is present; ``abi`` records it so helper objects built without
our feature string (``backends/helper_objects.py``) and tests can say so
explicitly.  ``+c`` is not an ABI matter but halves code size; zig's musl
uses it too.

Why ``+unaligned-scalar-mem``: the emitter marks every Wasm access
``align 1`` (Wasm alignment is only a hint), and without this feature LLVM
expands each one into single-byte loads/stores plus shifts (an ``i64.store``
becomes 8 ``sb`` + 7 shifts).  That is slow for the common, actually aligned
case, and in guard mode it is wrong: a store straddling the end of memory
writes its in-bounds bytes before the first out-of-bounds byte faults (spec
memory_trap.wast "no partial store").  The RISC-V Linux user ABI guarantees
misaligned scalar accesses work (in hardware, or trapped and emulated by the
kernel/firmware), and RVA22U64 requires them (Zicclsm), so one ``ld``/``sd``
is always correct.  Trade-off: a *really* misaligned access on a core
without hardware support costs a trap into the emulator (microseconds),
and such emulation may itself write a page-straddling store byte by byte
-- the same "store tearing" ARM permits (wasmtime issue 7237).  The cure,
a probe load of the last byte before every wide store in guard mode, is
not implemented (it would cost a load per store); qemu-user does not tear.  It is not an ABI matter:
objects with and without it link together.

Floats: the D/F instructions are IEEE 754-2008 with RISC-V's canonical-NaN
rule (any NaN result is 0x7fc00000 / 0x7ff8000000000000), which Wasm
allows; ``fmin.s``/``fmax.s`` are minimumNumber (NaN-suppressing), so
LLVM expands Wasm's NaN-propagating ``llvm.minimum``/``maximum`` around
them.  Rounding ops need ``round_may_keep_snan`` (see there).

Running: through ``qemu-riscv64`` (Debian ``qemu-user``), see ``run_prefix``.
"""
from __future__ import annotations

from ..targets import Target

RISCV64_LINUX = Target(
    name="riscv64-linux",
    triple="riscv64-unknown-linux-musl",
    default_cpu="generic-rv64",
    features="+m,+a,+f,+d,+c,+unaligned-scalar-mem",
    zig_target="riscv64-linux-musl",
    pointer_bytes=8,
    default_bounds="guard",
    bounds_modes=("guard", "explicit"),
    runtime_configs={"guard": "riscv64-linux-musl", "explicit": "riscv64-linux-musl-explicit"},
    codegen_aa_option="riscv-use-aa",
    arch="riscv64",
    abi="lp64d",
    run_prefix=("qemu-riscv64",),
    # Without Zfa, ceil/floor/trunc/nearest lower to "convert to integer and
    # back if |x| < 2^52 (2^23), else x", which returns a signalling NaN
    # unquieted (spec f32/f64.wast "nan:arithmetic" cases).
    round_may_keep_snan=True,
    # LLVM 22's RISC-V backend rejects tailcc ("Unsupported calling convention").
    internal_cc="fastcc",
    # LP64D: a 32-bit integer argument or result is sign-extended to 64 bits.
    c_int_ext="signext",
    # LLVM 22 builds a cyclic DAG from a scalarized SIMD extending load
    # (an abort or an endless recursion): Target.freeze_ext_loads.
    freeze_ext_loads=True,
)

TARGETS = (RISCV64_LINUX,)
