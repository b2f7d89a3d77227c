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
fewer instructions; its inlined ``memcmp`` loop went from 10 to 7 per byte).
The same two sources answer :meth:`NoWrap.sum_fits` for an access at
``x + c`` itself: memory.py then addresses ``zext(x)`` with ``c`` in the
access's offset (``_fold_offset``), where LLVM had kept the i32 sum.

Cost: ``Ranges`` is built only for functions with an access to a 32-bit
memory at a computed address, on 64-bit targets (32-bit targets address
memory with the i32 itself: nothing is extended).  Queries are per
instruction, memoised by ``Ranges``.
"""
from __future__ import annotations

from ...ir.analysis.ranges import Ranges, const_of, signed, unsigned
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
        self._accesses: dict[int, list[tuple[int, int]]] | None = None   # address -> (block, inst)
        self._pos: dict[int, int] = {}                  # inst -> index in its block (per block, lazily)

    @staticmethod
    def for_function(fe) -> "NoWrap | None":
        """None when no access could use the facts (see the module doc)."""
        if fe.mc.ptr_bytes != 8:
            return None
        func = fe.func
        dfg = func.dfg
        for _b, inst in _accesses32(func):
            d = dfg.value_inst(dfg.inst_args(inst)[0])
            if d is None or dfg.op[d] != Opcode.iconst:
                return NoWrap(func)
        return None

    def _ranges_of(self) -> Ranges:
        if self._ranges is None:
            self._ranges = Ranges(self.func)
        return self._ranges

    def _at(self, inst: int, v: int):
        return self._ranges_of().at(self.func.layout.inst_block(inst), v)

    def _accessed(self, inst: int, v: int) -> bool:
        """Whether an access at i32 address ``v`` runs before ``inst`` on
        every path (see the module doc)."""
        dfg, lay = self.func.dfg, self.func.layout
        if self._accesses is None:
            self._accesses = {}
            for b, i in _accesses32(self.func):
                self._accesses.setdefault(dfg.inst_args(i)[0], []).append((b, i))
        here = int(lay.inst_block(inst))
        dt = self._ranges_of().dt
        for b, i in self._accesses.get(v, ()):
            if b != here:
                if dt.dominates(b, here):
                    return True
            elif self._index(i) < self._index(inst):
                return True
        return False

    def _index(self, inst: int) -> int:
        """``inst``'s index in its block (a block's indices are taken at once)."""
        if inst not in self._pos:
            lay = self.func.layout
            self._pos.update((i, k) for k, i in enumerate(lay.insts(lay.inst_block(inst))))
        return self._pos[inst]

    def _accessed_plus(self, inst: int, p: int, c: int | None) -> bool:
        """``p + c`` cannot wrap: ``p`` was accessed and ``c`` is small."""
        return c is not None and 0 <= c <= ACCESSED_SLACK and self._accessed(inst, p)

    def sum_fits(self, inst: int, x: int, c: int) -> bool:
        """Whether i32 ``x`` plus the constant ``c`` (0 <= c < 2^32) stays
        below 2^32 where ``inst`` runs: by ``x``'s range there, or because
        ``x`` was accessed before ``inst``."""
        return unsigned(self._at(inst, x), 32)[1] + c < _M or self._accessed_plus(inst, x, c)

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


def _accesses32(func):
    """``(block, inst)`` of every access to a 32-bit memory."""
    dfg, lay = func.dfg, func.layout
    mems = func.module.memories
    for b in lay.blocks():
        for inst in lay.insts(b):
            info = OPINFO[dfg.op[inst]]
            if info.access and ImmKind.MEM in info.imms:
                mem = dfg.inst_imm(inst, ImmKind.MEM)
                if mem < len(mems) and mems[mem].index_type == I32:
                    yield int(b), inst
