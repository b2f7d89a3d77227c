"""Spec commands that cannot pass on a firmware target's board, with the
reason: the "impossible cases" of running the suite as firmware
(:mod:`.firmware`).  Same rules as :mod:`.expected_failures`: keyed by
``(file name, line)``, limited to the targets named, and a listed command
that passes is reported as an unexpected pass, so the list cannot go stale.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

#: Targets whose spec runs use the MPS2 boards' 16 MiB PSRAM as RAM
#: (riscv32 virt has 109 MiB: these pass there).
MPS2 = frozenset({"cortex-m3", "cortex-m4f", "cortex-m33"})
#: f64 arithmetic is compiler-rt on every firmware target (no double FPU);
#: f32 too where the core has no FPU.
SOFT_F64 = MPS2 | {"rv32imac"}
SOFT_F32 = frozenset({"cortex-m3", "rv32imac"})

_GROW_52M = ("memory.grow to 803 pages (52 MiB) of linear memory: more than the board's "
             "16 MiB of RAM, so the grow returns -1")
_GROW_20M = "memory.grow by 0x132 pages (20 MiB): more than the board's 16 MiB of RAM"
# Not a limit of the board: a bug of the toolchain's soft float, to be
# fixed by a correct division in the bare-metal runtime (reported).
_DIV = ("zig's compiler-rt division (__divsf3/__divdf3) truncates a subnormal quotient "
        "instead of rounding it to nearest (1 ulp low, or 0 for the least subnormal)")


@dataclass(frozen=True)
class FirmwareExpected:
    reason: str
    targets: frozenset[str]

    def applies(self, opts) -> bool:
        return opts.mode == "exec" and opts.target in self.targets


EXPECTED: dict[tuple[str, int], FirmwareExpected] = {
    ("memory_grow.wast", 45): FirmwareExpected(_GROW_52M, MPS2),
    ("memory_grow.wast", 48): FirmwareExpected(_GROW_52M + " (and the size stays 3 pages)", MPS2),
    ("call.wast", 359): FirmwareExpected(_GROW_20M, MPS2),
    ("call_indirect.wast", 603): FirmwareExpected(_GROW_20M, MPS2),
    ("float_exprs.wast", 595): FirmwareExpected(_DIV, SOFT_F32),
    ("float_misc.wast", 476): FirmwareExpected(_DIV, SOFT_F32),
    ("float_exprs.wast", 599): FirmwareExpected(_DIV, SOFT_F64),
    **{("float_misc.wast", line): FirmwareExpected(_DIV, SOFT_F64) for line in (444, 445, 446, 447, 478)},
}


def expected(path: str, line: int):
    """``(entry or None, False)``: the runner checks ``applies``."""
    return EXPECTED.get((os.path.basename(path), line)), False
