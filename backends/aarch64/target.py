"""AArch64 Linux (musl, static): what the emitter needs to know about the target.

Same fields as ``x86_64/target.py``; nothing else in the emitter is target
specific.

Why ``generic`` + ``+neon,+fp-armv8``: the ARMv8.0-A baseline every AArch64
Linux machine has (Cortex-A53 up, Apple, Graviton, qemu's default ``max``
CPU).  NEON (Advanced SIMD) and FP are architecturally mandatory for
AArch64 Linux, so spelling them out costs nothing and guarantees that Wasm
SIMD (``v128``) lowers to NEON registers and instructions rather than being
scalarized.  Scalar float ops that Wasm needs map one to one: ``frintn``
(nearest, ties to even), ``frintp``/``frintm``/``frintz``, ``fmin``/``fmax``
(IEEE minimum/maximum with NaN propagation, as Wasm wants).  Users may
pass ``--cpu`` (e.g. ``neoverse-n1``) for newer extensions.

ABI: LP64 AAPCS64, the only hosted ABI zig's ``aarch64-linux-musl`` uses;
there is no float-ABI variant to match (unlike RISC-V), so no ``abi`` tag.

Running: not the build machine's architecture in general, so tests and
``wasmaot spectest`` run the static executables through ``qemu-aarch64``
(Debian ``qemu-user``), see ``run_prefix``.
"""
from __future__ import annotations

from ..targets import Target

AARCH64_LINUX = Target(
    name="aarch64-linux",
    triple="aarch64-unknown-linux-musl",
    default_cpu="generic",
    features="+neon,+fp-armv8",
    zig_target="aarch64-linux-musl",
    pointer_bytes=8,
    default_bounds="guard",
    bounds_modes=("guard", "explicit"),
    runtime_configs={"guard": "aarch64-linux-musl", "explicit": "aarch64-linux-musl-explicit"},
    codegen_aa_option="aarch64-use-aa",
    arch="aarch64",
    run_prefix=("qemu-aarch64",),
    # tailcc miscompiles here: brotli built in guard mode computes wrong
    # addresses (a trap at -O2, a wild access at -O0) with tailcc and runs
    # correctly with fastcc or the C convention (tests/wasi/test_brotli.py,
    # under qemu-aarch64 7.2; root cause not found, real hardware not tried).
    internal_cc="fastcc",
    reroll=True,
    prefetch=True,
)

TARGETS = (AARCH64_LINUX,)
