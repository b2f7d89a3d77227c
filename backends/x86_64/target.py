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

from ..targets import LinkRecipe, Target

#: Intel cores affected by Gather Data Sampling (Downfall, CVE-2022-40982,
#: INTEL-SA-00828), LLVM's names.  The microcode mitigation makes AVX2 and
#: AVX-512 gathers several times slower, but LLVM's cost model of these
#: CPUs predates it and vectorizes strided loads with gathers.  GCC 14
#: stopped doing that when tuning for the same list (its ``m_GDS`` in
#: ``config/i386/i386.h``); so do we, for ``--cpu native`` on such a
#: machine and for these names.  Measured on an Ice Lake server VM (model
#: 106), the bench's nussinov (a column walk inside a max-reduction):
#: 2.0 s with gathers, 1.5 s without (``-cpu x86-64-v2``, no vector code
#: there: 0.75 s); clang's native build of the same C 2.1 s, 0.65 s with
#: ``-mno-gather``.  ``--features=-prefer-no-gather`` gives gathers back.
GDS_AFFECTED_CPUS = ("skylake", "skylake-avx512", "cascadelake", "cooperlake", "cannonlake",
                     "icelake-client", "icelake-server", "tigerlake", "rocketlake")
_NO_GATHER = "+prefer-no-gather,+prefer-no-scatter"

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
    cpu_tuning={cpu: _NO_GATHER for cpu in GDS_AFFECTED_CPUS},
    reroll=True,
    prefetch=True,
    # A 15th allocatable register: brotli's shell ran 2.4% fewer
    # instructions, SQLite's 2.2%, Lua's 1.4%; the kernels' geomean 1.2%
    # (indirect 10%, alloc 8%, recursion 5%).  The backtrace reads LLVM's
    # unwind tables with libunwind instead (backends/llvm/backtrace.py).
    backtrace="unwind-tables",
    # Guard-mode loads that may fault are volatile instead of feeding an
    # asm keep: x86-64 folds a load into the instruction that uses it, which
    # the keep's register operand prevented (backends/llvm/traps.py,
    # "Guard-mode keeps", has the measurements).
    guard_keep="volatile",
    # %gs holds the main memory's base in the executables we link: SQLite's
    # shell ran 2.8% fewer instructions, Lua's 3.1%, brotli's 0.8%
    # (backends/llvm/memory.py, "Segment-addressed memory").
    memory_segment=256,
    link=LinkRecipe(ldflags=("-static", "-lunwind")),
)

TARGETS = (X86_64_LINUX,)
