"""ARM Cortex-M microcontrollers: firmware images, not Linux executables.

Same fields as ``x86_64/target.py``; what differs is the output kind,
``"firmware"``: the generated objects, the bare-metal runtime, a startup
file and (for a module that imports WASI) the bare-metal WASI subset are
linked by ``backends/firmware`` into an ELF image with a linker script made
from a board's memory map, plus its ``.bin`` and ``.hex``.

``cortex-m3``: ARMv7-M, Thumb-2 only, no FPU, so the soft-float EABI
(``eabi``, not ``eabihf``): f32/f64 arithmetic become compiler-rt calls
(``__aeabi_fadd`` ...), which zig links in.  Only explicit bounds checks:
there is no MMU for guard pages (an MPU region could only cover a fixed
power-of-two window).

Calling convention: ``fastcc`` for Wasm-to-Wasm calls, not ``tailcc`` (see
the record).

``cortex-m4f``: ARMv7E-M with the single-precision FPU (FPv4-SP-D16)
and the hard-float EABI (``eabihf``: float and double arguments in s/d
registers, so every object of the image must agree; lld refuses a mix).
f32 arithmetic runs on the FPU, f64 in compiler-rt.  zig's ``cortex_m4``
CPU model has no FPU: the runtime configs say ``cortex_m4+vfp4d16sp``,
without which zig's C and compiler-rt pass doubles in r0:r1 while LLVM
passes them in d0 (f64.sqrt returned its operand).  Board ``mps2-an386``.

``cortex-m33``: ARMv8-M Mainline *with* its FPU (FPv5-SP-D16) and DSP
extension (LLVM's ``cortex-m33`` model has both), but the soft-float
calling convention (``eabi``, as the issue's triple
``thumbv8m.main-unknown-none-eabi`` says): LLVM emits VFP instructions for
f32 arithmetic and passes floats in core registers ("softfp"), and zig
builds the runtime and compiler-rt for ``thumb-freestanding-eabi``
(pure soft float, the same argument passing), so objects link without a
float-ABI mismatch; f64 is compiler-rt either way (the FPU is single
precision).  A core without the FPU option needs ``--cpu`` with
``-fp-armv8`` features, not provided as a target.  Board ``mps2-an505``,
run in the Secure state the core resets into (TrustZone left unused).

Both FPU targets enable the FPU at reset (CPACR, ``FirmwareRecipe.fpu``)
before any floating-point instruction can run.

zig spells the CPU ``cortex_m3`` and LLVM ``cortex-m3``: the runtime config
(``runtime-c/sources.txt``) passes zig's spelling, ``default_cpu`` is LLVM's;
both must name the same core, as the float ABI must agree.
"""
from __future__ import annotations

from ..targets import FirmwareRecipe, Target

# ARM's cost model unrolls M-profile loops partially and at run time, up to
# a count that fills its size budget (6 for a 12-trip loop).  The loops of a
# Wasm module were often unrolled already by the compiler that produced it
# (LLVM for wasm32), so a second unroll multiplies the span of the constant
# offsets past what Thumb-2 addressing encodes (imm12, imm8 negative): every
# access then materializes its offset with movw/movt.  matmul (48x48, a
# 4x-unrolled k loop from zig) executed 1.41x native's instructions, 1.03x
# with this cap; the other firmware workloads moved by at most 2%
# (benchmarks/firmware_instr.py).  4 is also the cost model's own count
# for loops whose trip count is known only at run time.
_M_PROFILE_UNROLL_MAX = 4

CORTEX_M3 = Target(
    name="cortex-m3",
    triple="thumbv7m-unknown-none-eabi",
    default_cpu="cortex-m3",
    features="",
    zig_target="thumb-freestanding-eabi",
    pointer_bytes=4,
    default_bounds="explicit",
    bounds_modes=("explicit",),
    runtime_configs={"explicit": "thumbv7m-cortex-m3-fw"},
    output_kind="firmware",
    arch="thumbv7m",
    # tailcc corrupts the caller's frame here (LLVM 22, Thumb-2): wasi-libc's
    # printf returned into a clobbered frame (saved registers overwritten)
    # after a path through stdio's seek (i64 and stack-passed arguments);
    # fastcc runs it correctly.  So Wasm tail calls between different
    # prototypes are normal calls here, as on RISC-V (backends/ABI.md
    # "Functions").
    # ceil/floor/trunc of a float the core has no rounding instruction for
    # are compiler-rt calls (zig's), which return a signalling NaN unquieted;
    # the emitter then canonicalizes (spec f32/f64.wast "nan:arithmetic").
    round_may_keep_snan=True,
    internal_cc="fastcc",
    tail_call_cc="fastcc",
    unroll_max_count=_M_PROFILE_UNROLL_MAX,
    firmware=FirmwareRecipe(startup="cortex_m_startup.c", default_board="mps2-an385"),
)

CORTEX_M4F = Target(
    name="cortex-m4f",
    triple="thumbv7em-unknown-none-eabihf",
    default_cpu="cortex-m4",
    features="+vfp4d16sp",
    zig_target="thumb-freestanding-eabihf",
    pointer_bytes=4,
    default_bounds="explicit",
    bounds_modes=("explicit",),
    runtime_configs={"explicit": "thumbv7em-cortex-m4f-fw"},
    output_kind="firmware",
    arch="thumbv7em",
    # ceil/floor/trunc of a float the core has no rounding instruction for
    # are compiler-rt calls (zig's), which return a signalling NaN unquieted;
    # the emitter then canonicalizes (spec f32/f64.wast "nan:arithmetic").
    round_may_keep_snan=True,
    expand_f64_minmax=True,   # single-precision FPU: llvm.minimum.f64 crashes LLVM
    internal_cc="fastcc",     # as cortex-m3
    tail_call_cc="fastcc",
    unroll_max_count=_M_PROFILE_UNROLL_MAX,
    split_f64_accesses=True,
    firmware=FirmwareRecipe(startup="cortex_m_startup.c", default_board="mps2-an386", fpu=True),
)

CORTEX_M33 = Target(
    name="cortex-m33",
    triple="thumbv8m.main-unknown-none-eabi",
    default_cpu="cortex-m33",
    features="",              # the CPU model brings the FPU and DSP
    zig_target="thumb-freestanding-eabi",
    pointer_bytes=4,
    default_bounds="explicit",
    bounds_modes=("explicit",),
    runtime_configs={"explicit": "thumbv8m.main-cortex-m33-fw"},
    output_kind="firmware",
    arch="thumbv8m.main",
    # ceil/floor/trunc of a float the core has no rounding instruction for
    # are compiler-rt calls (zig's), which return a signalling NaN unquieted;
    # the emitter then canonicalizes (spec f32/f64.wast "nan:arithmetic").
    round_may_keep_snan=True,
    expand_f64_minmax=True,   # single-precision FPU: llvm.minimum.f64 crashes LLVM
    internal_cc="fastcc",     # as cortex-m3
    tail_call_cc="fastcc",
    unroll_max_count=_M_PROFILE_UNROLL_MAX,
    split_f64_accesses=True,
    firmware=FirmwareRecipe(startup="cortex_m_startup.c", default_board="mps2-an505", fpu=True),
)

TARGETS = (CORTEX_M3, CORTEX_M4F, CORTEX_M33)
