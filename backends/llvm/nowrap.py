"""No-wrap facts for LLVM: ``nsw``/``nuw`` on i32 arithmetic and ``zext
nneg`` on 32-bit addresses, where value ranges prove them.

Why: a Wasm address is an i32 that the access zero-extends to 64 bits.
Wasm producers (clang's loop strength reduction for wasm32) often count a
loop up from a negative constant to 0 and address ``iv + C``::

    v119 = phi [-3200, ...], [v151, ...]     ; -3200, -3184, ..., -16
    v121 = add i32 v119, 18006400            ; unsigned, this wraps
    ea   = zext i32 v121 to i64

As unsigned values ``v119 + C`` wraps past 2^32 at every visit, so LLVM
cannot rewrite ``zext(v119 + C)`` as a 64-bit induction variable plus a
constant.  It widens ``v119`` with zext and masks every address back to 32
bits (``lea``, ``and`` and a register per access: bicg ran 1.69x native's
instructions).  With ``add nsw`` (the signed sum does not overflow) and
``zext nneg`` (the address is below 2^31), LLVM widens ``v119`` as a
signed 64-bit counter and folds ``C`` into the access's displacement:
the loop is instruction for instruction what native code compiled from
the same C does.

Where the facts come from: :class:`wasmaot.ir.analysis.ranges.Ranges`
(induction variables with trip bounds, branch conditions), the analysis
explicit-mode bounds-check elimination already trusts.  A flag is emitted
only when the operands' ranges, refined where the instruction runs, make
the exact (unbounded) result fit: a flag that did not hold would make the
value poison, so nothing here guesses.

A second source: an address that was accessed.  The runtime never lets a
memory reach ``abi.MAX_MEMORY_BYTES`` (4 GiB - 64 KiB), so an i32 ``p``
that an access (of at least one byte, any offset) used without trapping
is below it, and ``p + c`` for ``0 <= c <= 65536`` cannot wrap: ``add nuw``
wherever such an access runs before the add on every path (it dominates
the add, or precedes it in its block).  The most recent access then used
this very ``p``: the access is dominated by ``p``'s definition, so a path
from that definition to the add passes through the access.  Walking a
string or an array by an i32 pointer is the common case: with ``nuw``
LLVM folds ``c`` into the address and widens the pointer to 64 bits
instead of zero-extending it again at every access (SQLite's shell: 3.5%
fewer instructions; its ``memcmp`` loop lost two of ten per byte).

Cost: ``Ranges`` is built only for functions with an access to a 32-bit
memory at a computed address, on 64-bit targets (32-bit targets address
memory with the i32 itself: nothing is extended).  Queries are per
instruction, memoised by ``Ranges``.
"""
from __future__ import annotations

from ...ir.analysis.ranges import Ranges, const_of, signed, unsigned
from ...ir.cfg import ControlFlowGraph, DominatorTree
from ...ir.opcodes import OPINFO, ImmKind, Opcode
from ...ir.types import I32
from .. import abi

#: The largest ``c`` for which ``p + c`` cannot wrap once ``p`` was accessed.
ACCESSED_SLACK = (1 << 32) - abi.MAX_MEMORY_BYTES

_H = 1 << 31
_M = 1 << 32


class NoWrap:
    """The no-wrap facts of one function being emitted.  Each fact holds
    where the instruction asking runs: ranges are read in its block."""

    def __init__(self, func) -> None:
        self.func = func
        self._ranges: Ranges | None = None
        self._accesses: dict[int, list[tuple[int, int]]] | None = None
        self._dom: DominatorTree | None = None
        self._pos: dict[int, int] = {}

    @staticmethod
    def for_function(fe) -> "NoWrap | None":
        """None when no access could use the facts (see the module doc)."""
        if fe.mc.ptr_bytes != 8:
            return None
        func = fe.func
        dfg, lay = func.dfg, func.layout
        mems = func.module.memories
        for b in lay.blocks():
            for inst in lay.insts(b):
                info = OPINFO[dfg.op[inst]]
                if not info.access or ImmKind.MEM not in info.imms:
                    continue
                mem = dfg.inst_imm(inst, ImmKind.MEM)
                if mem < len(mems) and mems[mem].index_type == I32:
                    d = dfg.value_inst(dfg.inst_args(inst)[0])
                    if d is None or dfg.op[d] != Opcode.iconst:
                        return NoWrap(func)
        return None

    def _at(self, inst: int, v: int):
        if self._ranges is None:
            self._ranges = Ranges(self.func)
        return self._ranges.at(self.func.layout.inst_block(inst), v)

    def _accessed(self, inst: int, v: int) -> bool:
        """Whether an access at i32 address ``v`` runs before ``inst`` on
        every path (see the module doc)."""
        func = self.func
        dfg, lay = func.dfg, func.layout
        if self._accesses is None:
            self._accesses = {}
            for b in lay.blocks():
                for k, i in enumerate(lay.insts(b)):
                    self._pos[i] = k
                    if OPINFO[dfg.op[i]].access and ImmKind.MEM in OPINFO[dfg.op[i]].imms:
                        a = dfg.inst_args(i)[0]
                        if dfg.vtype[a] == I32:
                            self._accesses.setdefault(a, []).append((int(b), i))
        sites = self._accesses.get(v)
        if not sites:
            return False
        here = int(lay.inst_block(inst))
        for b, i in sites:
            if b == here:
                if self._pos[i] < self._pos[inst]:
                    return True
                continue
            if self._dom is None:
                self._dom = DominatorTree(func, ControlFlowGraph(func))
            if self._dom.dominates(b, here):
                return True
        return False

    def _accessed_plus(self, inst: int, p: int, c: int | None) -> bool:
        """``p + c`` cannot wrap: ``p`` was accessed and ``c`` is small."""
        return c is not None and 0 <= c <= ACCESSED_SLACK and self._accessed(inst, p)

    def nonneg(self, inst: int, v: int) -> bool:
        """Whether i32 ``v`` is below 2^31 where ``inst`` runs."""
        return signed(self._at(inst, v), 32)[0] >= 0

    def flags(self, inst: int) -> str:
        """`` nuw nsw`` / `` nsw`` / `` nuw`` / ``""`` for an i32
        ``iadd``/``isub``/``imul``, or an ``ishl`` by a constant (as a
        multiplication by ``2^k``)."""
        dfg = self.func.dfg
        if dfg.ctrl[inst] != I32:
            return ""
        op = dfg.op[inst]
        a, b = dfg.inst_args(inst)
        ra, rb = self._at(inst, a), self._at(inst, b)
        if op == Opcode.ishl:
            k = const_of(rb)
            if k is None:
                return ""
            op, ub = Opcode.imul, (1 << (k & 31),) * 2
            sb = ub
        else:
            ub, sb = unsigned(rb, 32), signed(rb, 32)
        out = ""
        u = _exact(op, unsigned(ra, 32), ub)
        if u[0] >= 0 and u[1] < _M:
            out += " nuw"
        elif op == Opcode.iadd and (self._accessed_plus(inst, a, const_of(rb))
                                    or self._accessed_plus(inst, b, const_of(ra))):
            out += " nuw"
        s = _exact(op, signed(ra, 32), sb)
        if s[0] >= -_H and s[1] < _H:
            out += " nsw"
        return out


def _exact(op: int, a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    """Bounds of the exact result of ``a op b`` (``iadd``, ``isub`` or
    ``imul``) over the integer intervals."""
    if op == Opcode.iadd:
        return a[0] + b[0], a[1] + b[1]
    if op == Opcode.isub:
        return a[0] - b[1], a[1] - b[0]
    p = [x * y for x in a for y in b]
    return min(p), max(p)
