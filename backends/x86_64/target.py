"""x86-64 Linux (musl, static): what the emitter needs to know about the target.

Every target family is one folder with the same files (``target.py``
exporting ``TARGETS``: a tuple of :class:`~wasmaot.backends.targets.Target`),
registered by name in ``targets.FAMILIES``.  Adding ``thumbv7m/`` or
``riscv32/`` means filling in the same fields; nothing else in the emitter,
the linker or the CLI is target specific except what these fields say
(pointer size, default bounds mode, runtime configs, link recipe, ...).

Why ``x86-64-v2`` by default: it is the oldest level still common in
practice and includes SSE4.1, which makes ``llvm.roundeven``/``ceil``/
``floor``/``trunc`` single instructions (``roundss``) instead of libm calls,
and POPCNT.  Users can override with ``--cpu``.
"""
from __future__ import annotations

from ..targets import Target

X86_64_LINUX = Target(
    name="x86_64-linux",
    triple="x86_64-unknown-linux-musl",
    default_cpu="x86-64-v2",
    features="",
    zig_target="x86_64-linux-musl",
    pointer_bytes=8,
    default_bounds="guard",
    bounds_modes=("guard", "explicit"),
    runtime_configs={"guard": "x86_64-linux-musl", "explicit": "x86_64-linux-musl-explicit"},
    # fastcc for modules without tail calls (tail_call_cc stays tailcc):
    # tailcc makes every callee pop an 8-byte argument area that keeps the
    # stack 16-aligned (``ret $8`` and a ``sub $8, %rsp`` after each call)
    # and a larger frame.
    internal_cc="fastcc",
)

TARGETS = (X86_64_LINUX,)
