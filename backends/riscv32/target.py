"""RISC-V 32 microcontrollers (RV32IMAC, no FPU): firmware images.

Same fields as ``x86_64/target.py``; output kind ``"firmware"`` as for
``arm/target.py`` (images linked by ``backends/firmware``).

``rv32imac``: integer, multiply/divide, atomics and compressed
instructions, no F/D, so the soft-float ABI ``ilp32`` (floats in integer
registers, arithmetic in compiler-rt).  It must match what zig builds the
runtime and compiler-rt for (``riscv32-freestanding``, ``-mcpu=
generic_rv32+m+a+c``): lld refuses objects of different float ABIs
(``abi`` is also what helper objects carry).  ``+unaligned-scalar-mem``:
without it LLVM splits every access it cannot prove aligned into bytes
(rv32imac executed 1.6x the instructions of native code on the firmware
bench because of it).  A core may trap on a misaligned access and there is
no kernel to emulate it, so every image of this target links the
machine-mode emulation (``backends/firmware/riscv_misaligned.c``, linked by
``link_image``): correct everywhere, fast where the core handles it and on
aligned data (most Wasm accesses).  Only explicit bounds checks (no MMU).

Calling convention: ``fastcc`` (LLVM's RISC-V backend has no ``tailcc``).
"""
from __future__ import annotations

from ..targets import FirmwareRecipe, Target

RV32IMAC = Target(
    name="rv32imac",
    triple="riscv32-unknown-none-elf",
    default_cpu="generic-rv32",
    features="+m,+a,+c,+unaligned-scalar-mem",
    zig_target="riscv32-freestanding",
    pointer_bytes=4,
    default_bounds="explicit",
    bounds_modes=("explicit",),
    runtime_configs={"explicit": "riscv32-imac-fw"},
    output_kind="firmware",
    arch="riscv32",
    abi="ilp32",
    # ceil/floor/trunc of a float the core has no rounding instruction for
    # are compiler-rt calls (zig's), which return a signalling NaN unquieted;
    # the emitter then canonicalizes (spec f32/f64.wast "nan:arithmetic").
    round_may_keep_snan=True,
    internal_cc="fastcc",
    mem_offset_imm_max=2047,
    firmware=FirmwareRecipe(startup="riscv_startup.c", default_board="virt-rv32"),
)

TARGETS = (RV32IMAC,)
