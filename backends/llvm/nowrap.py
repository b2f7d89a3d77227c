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

A second source, for pointers that ranges cannot bound (a heap pointer
bumped through a byte loop: ``memcmp``'s ``p + 1``): an i32 ``iadd x, c``
with ``0 < c <= 65536`` does not wrap (``nuw``) where an access at address
``x`` dominates it.  That access ran and did not trap, so ``x`` is below
the memory's size, which the runtime never lets exceed
``WASMAOT_MAX_MEMORY_BYTES`` = 2^32 - 65536 (``abi.MAX_MEMORY_BYTES``: a
grow that would reach the last 64 KiB of the 32-bit space fails, as Wasm
allows any grow to); so ``x + c < 2^32``.  SQLite's shell in guard mode ran
1.8% fewer instructions (its ``memcmp`` loop 10 -> 7 per byte, as native).

Cost: ``Ranges`` is built only for functions with an access to a 32-bit
memory at a computed address, on 64-bit targets (32-bit targets address
memory with the i32 itself: nothing is extended).  Queries are per
instruction, memoised by ``Ranges``.
"""
from __future__ import annotations

from ...ir.analysis.ranges import Ranges, const_of, signed, unsigned
from ...ir.opcodes import OPINFO, ImmKind, Opcode
from ...ir.passes.trapelim import iconst_value
from ...ir.types import I32
from .. import abi

_H = 1 << 31
_M = 1 << 32
#: Largest increment of an accessed address that cannot wrap (module doc).
_MAX_BUMP = _M - abi.MAX_MEMORY_BYTES


class NoWrap:
    """The no-wrap facts of one function being emitted.  Each fact holds
    where the instruction asking runs: ranges are read in its block."""

    def __init__(self, func) -> None:
        self.func = func
        self._ranges: Ranges | None = None
        self._accesses: dict[int, list[int]] | None = None   # address value -> accesses
        self._pos: dict[int, int] = {}                        # inst -> index in its block
        self._dt = None

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

    def _accessed_before(self, inst: int, x: int) -> bool:
        """Whether an access to a 32-bit memory at address ``x`` (any
        offset, at least one byte) dominates ``inst``."""
        func = self.func
        dfg, lay = func.dfg, func.layout
        if self._accesses is None:
            self._accesses = {}
            mems = func.module.memories
            for b in lay.blocks():
                for k, i in enumerate(lay.insts(b)):
                    self._pos[i] = k
                    info = OPINFO[dfg.op[i]]
                    if not info.access or ImmKind.OFFSET not in info.imms:
                        continue
                    mem = dfg.inst_imm(i, ImmKind.MEM)
                    if mem < len(mems) and mems[mem].index_type == I32:
                        self._accesses.setdefault(dfg.inst_args(i)[0], []).append(i)
        uses = self._accesses.get(x)
        if not uses:
            return False
        b = lay.inst_block(inst)
        for a in uses:
            ab = lay.inst_block(a)
            if ab == b:
                if self._pos[a] < self._pos[inst]:
                    return True
                continue
            if self._dt is None:
                from ...ir.cfg import DominatorTree
                self._dt = DominatorTree(func)
            if self._dt.dominates(ab, b):
                return True
        return False

    def _bumped(self, inst: int) -> bool:
        """``iadd x, c`` (either order) with ``0 < c <= _MAX_BUMP`` and an
        access at ``x`` dominating it: cannot wrap (module doc)."""
        dfg = self.func.dfg
        if dfg.op[inst] != Opcode.iadd:
            return False
        a, b = dfg.inst_args(inst)
        for x, c in ((a, b), (b, a)):
            k = iconst_value(dfg, c)
            if k is not None and 0 < k % _M <= _MAX_BUMP and self._accessed_before(inst, x):
                return True
        return False

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
        if (u[0] >= 0 and u[1] < _M) or self._bumped(inst):
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
