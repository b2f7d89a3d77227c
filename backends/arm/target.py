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

Next, ``cortex-m4f`` (tried, not registered yet: the tests of other
components must first accept its arch ``thumbv7em``): triple
``thumbv7em-unknown-none-eabihf``, CPU ``cortex-m4``, features
``+vfp4d16sp``, zig ``thumb-freestanding-eabihf`` with
``-mcpu=cortex_m4+vfp4d16sp`` in its configs (zig's ``cortex_m4`` model has
no FPU; without it zig's C and compiler-rt pass doubles in r0:r1 while LLVM
passes them in d0), ``FirmwareRecipe(fpu=True)``, board ``mps2-an386`` (the
AN385 memory map).  With that, hello world, traps and the float test ran
under qemu.

zig spells the CPU ``cortex_m3`` and LLVM ``cortex-m3``: the runtime config
(``runtime-c/sources.txt``) passes zig's spelling, ``default_cpu`` is LLVM's;
both must name the same core, as the float ABI must agree.
"""
from __future__ import annotations

from ..targets import FirmwareRecipe, Target

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
    internal_cc="fastcc",
    tail_call_cc="fastcc",
    firmware=FirmwareRecipe(startup="cortex_m_startup.c", default_board="mps2-an385"),
)

TARGETS = (CORTEX_M3,)
