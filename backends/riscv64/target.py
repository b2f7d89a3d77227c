"""RISC-V 64 Linux (musl, static): what the emitter needs to know about the target.

Same fields as ``x86_64/target.py``; nothing else in the emitter is target
specific.

Why ``generic-rv64`` + ``+m,+a,+f,+d,+c`` (RV64GC minus nothing that
matters): it is the profile every Linux-capable RISC-V board and every
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
our feature string (``backends/link.py:_abi_flag``) and tests can say so
explicitly.  ``+c`` is not an ABI matter but halves code size; zig's musl
uses it too.

Running: through ``qemu-riscv64`` (Debian ``qemu-user``), see ``run_prefix``.
"""
from __future__ import annotations

from ..targets import Target

RISCV64_LINUX = Target(
    name="riscv64-linux",
    triple="riscv64-unknown-linux-musl",
    default_cpu="generic-rv64",
    features="+m,+a,+f,+d,+c",
    zig_target="riscv64-linux-musl",
    pointer_bytes=8,
    default_bounds="guard",
    bounds_modes=("guard", "explicit"),
    # Only the guard config is in runtime-c/sources.txt; backends/link.py
    # derives the explicit one (bounds macro swapped) under this name.
    runtime_configs={"guard": "riscv64-linux-musl", "explicit": "riscv64-linux-musl-explicit"},
    llvm_target_init="RISCV",
    arch="riscv64",
    abi="lp64d",
    run_prefix=("qemu-riscv64",),
)

TARGETS = (RISCV64_LINUX,)
