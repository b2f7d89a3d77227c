"""Integer value ranges of i32/i64 SSA values, for the bounds-check passes.

What: for every integer value, a *modular interval*: a pair ``(lo, hi)`` of
Python ints with ``0 <= lo < 2^W``, ``lo <= hi`` and ``hi - lo < 2^W``
(W = 32 or 64), meaning "the W-bit value is ``x mod 2^W`` for some ``x`` in
``[lo, hi]``"; ``None`` means any value.  Modular so that wrapping
arithmetic stays exact: ``i + (-5600)`` with ``i`` in ``[24620960,
28535360]`` is ``[24615360, 28529760]``, not "anything".  A range whose
``hi >= 2^W`` wraps: its unsigned values are ``[lo, 2^W) U [0, hi - 2^W]``
(:func:`unsigned` then gives the whole space).

Where facts come from:

* instructions: constants, ``iadd``/``isub``/``imul``/``ishl`` (exact,
  modular), ``band`` with a bound, ``ushr``/``sshr``, ``urem``/``udiv``,
  ``bor``/``bxor``, ``select``, comparisons (0..1), bit counts, extensions
  and the zero-/sign-extending narrow loads (``uload8`` is 0..255);
* branch conditions: on an edge ``T -> S`` where ``T`` ends in ``brif c``
  with two different targets and ``S`` has no other predecessor, the
  comparison ``c`` (``icmp``, ``eqz``, or ``c != 0``) holds in every block
  ``S`` dominates (a refinement of its operands, and of ``v`` when the
  operand is ``v + const``); on any such edge it also refines the block
  arguments passed along it;
* block parameters: the join of the incoming arguments over forward edges;
  a loop header's parameter (some predecessor is dominated by the header)
  is an *induction variable* when every back edge passes ``v + c`` (or
  ``v``) for one constant ``c``: then ``v`` is ``init + k*c`` at the k-th
  visit, and the loop's trip bound ``B`` (below) gives ``v`` in ``init +
  [0, B*c]``.  Any other loop-header parameter gets the join of its
  initial values and what its back edges pass, when each of those is
  bounded whatever the loop does: by the back edge's own condition (``c <
  2048`` on the edge back), by its operation read a few definitions deep
  with the loop's values unknown (``(x + y) & 15``), by being the
  parameter itself, or by being a parameter of a join block inside the
  loop each of whose incoming values is bounded so (a few joins deep;
  the header's parameter passed on adds nothing); else ``None``.

Trip bound of a loop with header ``H``: the most back edges taken in a row
(k = 0..B: B + 1 visits of ``H`` per entry).  It comes from a *guard*: a
comparison ``x cc y`` that must hold for the back edge to be taken from
visit k, where ``x = v + d`` for an induction variable ``v`` with the same
step ``c != 0`` on every back edge and ``y`` is defined outside the loop
(its block strictly dominates ``H``).  A guard is the condition on the one
back edge (a latch ``brif``), or on the edge into a block ``S`` (single
predecessor) that dominates every latch: every path from visit k to a back
edge goes through it, with ``v`` still the value of visit k.  Bounds, with
``x_k = x_0 + k*c`` and ``y`` in ``[ylo, yhi]`` (unsigned; signed
comparisons are the same after adding ``2^(W-1)`` to both sides):

* ``x != e`` (``brif x``: e = 0), ``x_0`` and ``e`` constants: the first
  ``k`` with ``x_k = e`` is ``D / c`` where ``D = (e - x_0) mod 2^W``, if
  ``c`` divides ``D`` (no smaller multiple of ``c`` is ``D`` mod ``2^W``);
  ``c < 0`` likewise with ``D = (x_0 - e) mod 2^W``.
* ``x < y`` (``<=``: ``yhi + 1``), ``c > 0``: ``B = ceil((yhi - x_0lo) /
  c)``, valid only if ``yhi + c <= 2^W`` (the step over ``yhi`` cannot
  wrap back below it).
* ``x > y`` (``>=``), ``c < 0``: mirrored, ``B = ceil((x_0hi - t + 1) /
  |c|)`` with ``t = ylo + 1`` (``ylo``), valid only if ``t >= |c|``.

The smallest bound over all guards is the loop's.  Other loop shapes (no
such guard, a step that is not constant, irreducible edges) give ``None``.

Soundness: a value's range is computed once, at its definition, from its
operands' ranges as refined by the conditions that dominate its block (so
it holds at every use, all of which the definition dominates).
:meth:`Ranges.at` adds the refinements of the block asking.  Reading a
range never assumes the program is free of traps: a trapping ``urem`` has
no result, so ``x urem y < y`` holds whenever it has one.
"""
from __future__ import annotations

from ..cfg import ControlFlowGraph, DominatorTree
from ..dfg import VK_PARAM
from ..function import Function
from ..opcodes import IntCC, Opcode
from ..types import I8X16 as _I8X16
from ..types import I32, I64

Range = tuple[int, int]

_BITS = {I32: 32, I64: 64}

_NEG = {IntCC.eq: IntCC.ne, IntCC.ne: IntCC.eq, IntCC.ult: IntCC.uge, IntCC.uge: IntCC.ult,
        IntCC.ule: IntCC.ugt, IntCC.ugt: IntCC.ule, IntCC.slt: IntCC.sge, IntCC.sge: IntCC.slt,
        IntCC.sle: IntCC.sgt, IntCC.sgt: IntCC.sle}
_SWAP = {IntCC.eq: IntCC.eq, IntCC.ne: IntCC.ne, IntCC.ult: IntCC.ugt, IntCC.ugt: IntCC.ult,
         IntCC.ule: IntCC.uge, IntCC.uge: IntCC.ule, IntCC.slt: IntCC.sgt, IntCC.sgt: IntCC.slt,
         IntCC.sle: IntCC.sge, IntCC.sge: IntCC.sle}
_UNSIGNED = {IntCC.slt: IntCC.ult, IntCC.sle: IntCC.ule, IntCC.sgt: IntCC.ugt, IntCC.sge: IntCC.uge}


# ---- modular interval arithmetic ---------------------------------------------

def canon(lo: int, hi: int, w: int) -> Range | None:
    """The range of the math interval ``[lo, hi]`` taken mod ``2^w``."""
    m = 1 << w
    if hi - lo >= m:
        return None
    s = lo - lo % m
    return lo - s, hi - s


def unsigned(r: Range | None, w: int) -> Range:
    """Bounds of the unsigned values of ``r`` (the whole space if it wraps)."""
    if r is None or r[1] >= 1 << w:
        return 0, (1 << w) - 1
    return r


def signed(r: Range | None, w: int) -> Range:
    """Bounds of the signed (two's complement) values of ``r``."""
    m, h = 1 << w, 1 << (w - 1)
    if r is not None:
        lo, hi = r
        if hi < h:
            return lo, hi
        if lo >= h and hi < m + h:
            return lo - m, hi - m
    return -h, h - 1


def shift(r: Range | None, d: int, w: int) -> Range | None:
    return None if r is None else canon(r[0] + d, r[1] + d, w)


def join(a: Range | None, b: Range | None, w: int) -> Range | None:
    """The narrowest range holding both (shifting one by ``2^w`` may make
    it narrower: ``{2^w - 1} | {0}`` is two values, not the whole space)."""
    if a is None or b is None:
        return None
    m = 1 << w
    best = None
    for s in (-m, 0, m):
        lo, hi = min(a[0], b[0] + s), max(a[1], b[1] + s)
        if best is None or hi - lo < best[1] - best[0]:
            best = lo, hi
    return canon(best[0], best[1], w)


def _pieces(r: Range, w: int) -> list[Range]:
    m = 1 << w
    return [r] if r[1] < m else [(r[0], m - 1), (0, r[1] - m)]


def meet(a: Range | None, b: Range | None, w: int) -> Range | None:
    """A range holding every value in both (their hull if the intersection
    is two pieces).  An empty intersection (unreachable code) keeps ``a``."""
    if a is None:
        return b
    if b is None:
        return a
    out = None
    for p in _pieces(a, w):
        for q in _pieces(b, w):
            lo, hi = max(p[0], q[0]), min(p[1], q[1])
            if lo <= hi:
                out = (lo, hi) if out is None else join(out, (lo, hi), w)
    return a if out is None else out


def signed_const(c: int, w: int) -> int:
    return c - (1 << w) if c >> (w - 1) else c


# ---- transfer functions --------------------------------------------------------

def const_of(r: Range | None) -> int | None:
    """The one value of ``r``, or None."""
    return r[0] if r is not None and r[0] == r[1] else None


def _mul(a, b, w):
    if a is None or b is None:
        return None
    ca, cb = const_of(a), const_of(b)
    if cb is not None:                 # exact and modular: multiply the interval
        cs = signed_const(cb, w)
        return canon(min(a[0] * cs, a[1] * cs), max(a[0] * cs, a[1] * cs), w)
    if ca is not None:
        return _mul(b, a, w)
    (alo, ahi), (blo, bhi) = unsigned(a, w), unsigned(b, w)
    return canon(alo * blo, ahi * bhi, w)


def _shl(a, b, w):
    k = const_of(b)
    return None if k is None else _mul(a, (1 << (k % w),) * 2, w)


def _ushr(a, b, w):
    lo, hi = unsigned(a, w)
    k = const_of(b)
    if k is not None:
        return lo >> (k % w), hi >> (k % w)
    klo, khi = unsigned(b, w)
    return (lo >> khi, hi >> klo) if khi < w else (0, hi)


def _sshr(a, b, w):
    k = const_of(b)
    if k is None:
        return None
    lo, hi = signed(a, w)
    return canon(lo >> (k % w), hi >> (k % w), w)


def _band(a, b, w):
    for x, m in ((a, const_of(b)), (b, const_of(a))):
        if m is not None and m | (m - 1) == (1 << w) - 1 and m:
            lo, hi = unsigned(x, w)          # clearing low bits is monotone
            return lo & m, hi & m
    return 0, min(unsigned(a, w)[1], unsigned(b, w)[1])


def _bor(a, b, w):
    (alo, ahi), (blo, bhi) = unsigned(a, w), unsigned(b, w)
    return max(alo, blo), (1 << max(ahi.bit_length(), bhi.bit_length())) - 1


def _bxor(a, b, w):
    return 0, (1 << max(unsigned(a, w)[1].bit_length(), unsigned(b, w)[1].bit_length())) - 1


def _urem(a, b, w):
    return 0, min(unsigned(a, w)[1], max(unsigned(b, w)[1] - 1, 0))


def _udiv(a, b, w):
    (alo, ahi), (blo, bhi) = unsigned(a, w), unsigned(b, w)
    return alo // max(bhi, 1), ahi // max(blo, 1)


def _sext(bits):
    """sextend8/16/32: unchanged if the signed value fits in ``bits``."""
    def f(a, w):
        h = 1 << (bits - 1)
        lo, hi = signed(a, w)
        if lo < -h or hi >= h:
            lo, hi = -h, h - 1
        return canon(lo, hi, w)
    return f


_BINARY = {
    Opcode.iadd: lambda a, b, w: None if a is None or b is None else canon(a[0] + b[0], a[1] + b[1], w),
    Opcode.isub: lambda a, b, w: None if a is None or b is None else canon(a[0] - b[1], a[1] - b[0], w),
    Opcode.imul: _mul, Opcode.ishl: _shl, Opcode.ushr: _ushr, Opcode.sshr: _sshr,
    Opcode.band: _band, Opcode.bor: _bor, Opcode.bxor: _bxor,
    Opcode.urem: _urem, Opcode.udiv: _udiv,
}
# the wrapped sum's range holds for iadd_nuw too (a result that would wrap
# is poison: any value, this one as well)
_BINARY[Opcode.iadd_nuw] = _BINARY[Opcode.iadd]
_UNARY = {
    Opcode.sextend8: _sext(8), Opcode.sextend16: _sext(16), Opcode.sextend32: _sext(32),
}
#: Results whose range does not depend on the operands: (lo, hi) or a
#: function of W.
_FIXED = {
    Opcode.icmp: (0, 1), Opcode.eqz: (0, 1), Opcode.fcmp: (0, 1), Opcode.is_null: (0, 1),
    Opcode.vany_true: (0, 1), Opcode.vall_true: (0, 1), Opcode.vbitmask: (0, 0xFFFF),
    Opcode.uload8: (0, 0xFF), Opcode.uload16: (0, 0xFFFF), Opcode.uload32: (0, 0xFFFFFFFF),
    Opcode.clz: None, Opcode.ctz: None, Opcode.popcnt: None,
}
_SIGNED_LOADS = {Opcode.sload8: 8, Opcode.sload16: 16, Opcode.sload32: 32}


class Ranges:
    """Ranges of the integer values of ``func`` (see the module doc)."""

    def __init__(self, func: Function, cfg: ControlFlowGraph | None = None,
                 dt: DominatorTree | None = None) -> None:
        self.func = func
        self.cfg = cfg = cfg or ControlFlowGraph(func)
        self.dt = dt or DominatorTree(func, cfg)
        self.rng: dict[int, Range] = {}
        #: block -> the refinements valid in it (shared with the idom when
        #: the block adds none).
        self.refs: list[dict[int, Range] | None] = [None] * func.dfg.num_blocks
        entry = func.layout.first_block
        for b in self.dt.rpo:
            self._block(b, entry)

    # ---- queries -------------------------------------------------------------
    def at(self, block: int, v: int, depth: int = 2) -> Range | None:
        """Range of ``v`` where ``block`` runs (``v`` must be available
        there).  A value computed before a branch from an operand the branch
        refines is recomputed with the refinement (``v58 & -2`` after
        ``v58 != 0``), ``depth`` definitions deep."""
        refs = self.refs[block]
        if not refs:
            return self.rng.get(v)
        r = refs.get(v)
        if r is not None:
            return r
        r = self.rng.get(v)
        if depth:
            dfg = self.func.dfg
            d = dfg.value_inst(v)
            if d is not None and dfg.nres[d] == 1 and any(a in refs for a in dfg.inst_args(d)):
                w = _BITS.get(dfg.vtype[v])
                if w:
                    r = meet(r, self._transfer(block, d, w, depth - 1), w)
        return r

    def width(self, v: int) -> int:
        return _BITS.get(self.func.dfg.vtype[v], 0)

    def upper_bounds(self, v: int) -> list[tuple[int, int, int]]:
        """Symbolic bounds of a loop counter: ``(e, d, lo)`` such that
        ``lo <= v + d <= e`` (unsigned, ``v + d`` taken mod 2^W) wherever
        ``v`` is available, for ``v`` a parameter of a loop header ``H``
        that every back edge passes as ``v + 1``, ``e`` the same at every
        visit of ``H``, and a guard (module doc) ``v + d != e``, ``v + d <u
        e`` or ``v + d <s e`` on the way to every back edge: by induction
        over the visits, from ``x_0 = init + d`` with ``x_0 <= e`` (ranges:
        ``x_0``'s largest value is at most ``e``'s smallest; for ``<s``
        both non-negative), ``x_k <= e`` and the guard make ``x_k < e``, so
        ``x_(k+1) = x_k + 1 <= e`` without wrapping.  For trapelim: an
        access at ``v + d + c`` is at most ``e + c``."""
        memo = self.__dict__.setdefault("_upper", {})
        if v not in memo:
            memo[v] = self._upper_bounds(v)
        return memo[v]

    def _upper_bounds(self, v: int) -> list[tuple[int, int, int]]:
        dfg = self.func.dfg
        kind, h, i = dfg.value_def(v)
        w = self.width(v)
        if kind != VK_PARAM or not w:
            return []
        back = [(p, t) for p, t in self.cfg.preds[h] if self.dt.is_reachable(p) and self.dt.dominates(h, p)]
        fwd = [(p, t) for p, t in self.cfg.preds[h]
               if self.dt.is_reachable(p) and not self.dt.dominates(h, p)]
        if not back or not fwd or self._steps(h, i, back) != {1}:
            return []
        init = None
        for k, (p, t) in enumerate(fwd):
            r = self._edge_ranges(p, t, h)[i]
            init = r if k == 0 else join(init, r, w)
        if init is None:
            return []
        index = {x: j for j, x in enumerate(dfg.bparams[h])}
        out = []
        for cc, x, y in self._guards(h, back):
            for cc_, a, b in ((cc, x, y), (_SWAP[cc], y, x)):
                iv = self._iv_offset(a, index)
                if iv is None or iv[0] != i or b is None or b in index:
                    continue
                if cc_ not in (IntCC.ne, IntCC.ult, IntCC.slt) or not self._invariant(b, h)[0]:
                    continue
                x0 = shift(init, iv[1], w)
                if x0 is None or x0[1] >= 1 << w:
                    continue
                elo, ehi = unsigned(self.at(h, b), w)
                if cc_ == IntCC.slt and (x0[1] >= 1 << (w - 1) or ehi >= 1 << (w - 1)):
                    continue           # both non-negative: signed order is unsigned order
                if x0[1] <= elo:
                    out.append((b, iv[1], x0[0]))
        return out

    # ---- per block -------------------------------------------------------------
    def _block(self, b: int, entry: int) -> None:
        dfg, dt = self.func.dfg, self.dt
        refs = {} if b == entry else self.refs[dt.idom[b]]
        preds = self.cfg.preds[b]
        if b != entry and len(preds) == 1:
            p, term = preds[0]
            new = self._refine(p, self._relation(term, b))
            if new:
                refs = {**refs, **new}
        self.refs[b] = refs
        if b != entry and dfg.bparams[b]:
            self._params(b, entry)
        for inst in self.func.layout.insts(b):
            if dfg.nres[inst] == 1:
                v = dfg.res[inst]
                w = _BITS.get(dfg.vtype[v])
                if w:
                    r = self._transfer(b, inst, w)
                    if r is not None:
                        self.rng[v] = r

    def _transfer(self, b: int, inst: int, w: int, depth: int = 2) -> Range | None:
        dfg = self.func.dfg
        op = dfg.op[inst]
        if op == Opcode.iconst:
            c = dfg.pool[dfg.off[inst]]
            return c, c
        if op in _FIXED:
            r = _FIXED[op]
            return (0, w) if r is None else r
        if op in _SIGNED_LOADS:
            n = _SIGNED_LOADS[op]
            return canon(-(1 << (n - 1)), (1 << (n - 1)) - 1, w)
        args = dfg.inst_args(inst)
        f = _BINARY.get(op)
        if f is not None:
            return f(self.at(b, args[0], depth), self.at(b, args[1], depth), w)
        f = _UNARY.get(op)
        if f is not None:
            return f(self.at(b, args[0], depth), w)
        if op == Opcode.select:
            return join(self.at(b, args[1], depth), self.at(b, args[2], depth), w)
        if op == Opcode.uextend:
            return unsigned(self.at(b, args[0], depth), 32)
        if op == Opcode.sextend:
            return canon(*signed(self.at(b, args[0], depth), 32), w)
        if op == Opcode.ireduce:
            r = self.at(b, args[0], depth)
            return None if r is None else canon(r[0], r[1], 32)
        if op in (Opcode.uextractlane, Opcode.sextractlane):
            n = 8 if dfg.ctrl[inst] == _I8X16 else 16
            if op == Opcode.uextractlane:
                return 0, (1 << n) - 1
            return canon(-(1 << (n - 1)), (1 << (n - 1)) - 1, w)
        return None

    # ---- branch conditions ---------------------------------------------------------
    def _relation(self, term: int, target: int) -> tuple | None:
        """``(cc, x, y)`` that holds on the edge ``term -> target`` (``y``
        None: the constant 0), or None."""
        dfg = self.func.dfg
        if dfg.op[term] != Opcode.brif:
            return None
        (then, _), (other, _) = dfg.inst_block_calls(term)
        if then == other:
            return None
        c = dfg.inst_args(term)[0]
        rel = (IntCC.ne, c, None)
        d = dfg.value_inst(c)
        if d is not None:
            if dfg.op[d] == Opcode.icmp:
                x, y = dfg.inst_args(d)
                rel = (IntCC(dfg.pool[dfg.off[d]]), x, y)
            elif dfg.op[d] == Opcode.eqz:
                rel = (IntCC.eq, dfg.inst_args(d)[0], None)
        if target != then:
            rel = (_NEG[rel[0]], rel[1], rel[2])
        return rel

    def _refine(self, p: int, rel: tuple | None) -> dict[int, Range]:
        """New ranges implied by ``rel`` for values seen from block ``p``."""
        if rel is None:
            return {}
        cc, x, y = rel
        w = self.width(x)
        if not w:
            return {}
        out: dict[int, Range] = {}
        for cc_, a, b in ((cc, x, y), (_SWAP[cc], y, x)):
            if a is None:
                continue
            cur = self.at(p, a)
            if const_of(cur) is not None:
                continue
            br = (0, 0) if b is None else (self.at(p, b) or self._loose(b, 0))
            new = meet(cur, _bound(cc_, br, cur, w), w)
            if new is None or new == cur:
                continue
            out[a] = new
            d = self.func.dfg.value_inst(a)        # a = v + k: v is a - k
            if d is not None and self.func.dfg.op[d] in (Opcode.iadd, Opcode.isub):
                v, k = self._plus_const(d, w)
                if v is not None:
                    nv = meet(self.at(p, v), shift(new, -k, w), w)
                    if nv is not None:
                        out[v] = nv
        return out

    def _plus_const(self, inst: int, w: int) -> tuple[int | None, int]:
        """``(v, k)`` when ``inst`` computes ``v + k`` for a constant ``k``."""
        dfg = self.func.dfg
        a, b = dfg.inst_args(inst)
        ca, cb = self._constant(a), self._constant(b)
        if dfg.op[inst] == Opcode.iadd:
            if cb is not None:
                return a, cb
            if ca is not None:
                return b, ca
        elif cb is not None:
            return a, (-cb) % (1 << w)
        return None, 0

    # ---- block parameters ------------------------------------------------------------
    def _edge_ranges(self, p: int, term: int, b: int) -> list:
        """Ranges of the parameters of ``b`` as passed on the edges from
        ``p`` (refined by the edge's condition; joined if ``term`` branches
        to ``b`` twice)."""
        dfg = self.func.dfg
        params = dfg.bparams[b]
        rel = self._relation(term, b)
        new = self._refine(p, rel) if rel is not None else {}
        out = None
        for blk, args in dfg.inst_block_calls(term):
            if blk != b:
                continue
            rs = [new.get(v) or self.at(p, v) for v in args]
            out = rs if out is None else [join(x, y, self.width(v)) for x, y, v in zip(out, rs, params)]
        return out or [None] * len(params)

    def _params(self, b: int, entry: int) -> None:
        dt, dfg = self.dt, self.func.dfg
        fwd, back = [], []
        for p, term in self.cfg.preds[b]:
            if not dt.is_reachable(p):
                continue
            if dt.dominates(b, p):
                back.append((p, term))
            elif dt.rpo_index[p] < dt.rpo_index[b]:
                fwd.append((p, term))
            else:
                return                     # irreducible: nothing known
        params = dfg.bparams[b]
        inits = [None] * len(params)
        if fwd:
            inits = self._edge_ranges(*fwd[0], b)
            for p, term in fwd[1:]:
                inits = [join(x, y, self.width(v)) if self.width(v) else None
                         for x, y, v in zip(inits, self._edge_ranges(p, term, b), params)]
        if back:
            self._loop(b, params, inits, back)
            return
        for v, r in zip(params, inits):
            if r is not None:
                self.rng[v] = r

    def _steps(self, h: int, i: int, back: list) -> set[int] | None:
        """The constants ``c`` that the back edges add to parameter ``i``."""
        dfg = self.func.dfg
        v = dfg.bparams[h][i]
        w = self.width(v)
        out = set()
        for _, term in back:
            for blk, args in dfg.inst_block_calls(term):
                if blk != h:
                    continue
                a = args[i]
                if a == v:
                    out.add(0)
                    continue
                d = dfg.value_inst(a)
                if d is None or dfg.op[d] not in (Opcode.iadd, Opcode.isub):
                    return None
                base, k = self._plus_const(d, w)
                if base != v:
                    return None
                out.add(k)
        return out

    def _loop(self, h: int, params, inits, back) -> None:
        steps = [self._steps(h, i, back) if self.width(v) else None for i, v in enumerate(params)]
        trips = None
        backs = None
        for i, v in enumerate(params):
            s = steps[i]
            if inits[i] is None:
                continue
            if s is None:
                if backs is None:
                    backs = self._back_ranges(h, params, back)
                if backs[i] is not None:
                    r = join(inits[i], backs[i], self.width(v)) if backs[i] != () else inits[i]
                    if r is not None:
                        self.rng[v] = r
                continue
            if s == {0}:
                self.rng[v] = inits[i]
                continue
            nz = s - {0}
            if len(nz) != 1:
                continue
            if trips is None:
                trips = self._trip_bound(h, params, inits, steps, back)
            if trips < 0:
                continue
            w = self.width(v)
            c = signed_const(next(iter(nz)), w)
            r = canon(inits[i][0] + min(0, trips * c), inits[i][1] + max(0, trips * c), w)
            if r is not None:
                self.rng[v] = r

    def _back_ranges(self, h: int, params, back) -> list:
        """Per parameter of loop header ``h``, the join of what its back
        edges pass (``()``: only the parameter itself), or None if some
        back edge passes a value of unknown range.  Ranges are read before
        the loop body is analysed, so a value defined in the body counts
        as unknown unless the edge's own condition bounds it (``c < 2048``
        on the edge back from the test): each such range holds whatever
        the parameter is, so the parameter stays within the join of its
        initial values and these (induction on the visits of ``h``)."""
        dfg = self.func.dfg
        out: list = [()] * len(params)
        for p, term in back:
            rel = self._relation(term, h)
            new = self._refine(p, rel) if rel is not None else {}
            for blk, args in dfg.inst_block_calls(term):
                if blk != h:
                    continue
                for i, a in enumerate(args):
                    if a == params[i] or out[i] is None:
                        continue
                    r = new.get(a) or self.at(p, a) or self._loose_join(a, params[i], h)
                    if r == ():
                        continue
                    w = self.width(params[i])
                    out[i] = None if r is None or not w else (r if out[i] == () else join(out[i], r, w))
        return out

    def _loose_join(self, a: int, v: int, h: int, depth: int = 3):
        """What a back edge of loop header ``h`` passes to its parameter
        ``v`` as ``a``: ``()`` if ``a`` is ``v`` itself; for ``a`` a
        parameter of a join block inside the loop, the join of what its
        incoming edges pass (``v`` itself adding nothing), ``depth`` joins
        deep; else :meth:`_loose`."""
        if a == v:
            return ()
        dfg = self.func.dfg
        kind, blk, i = dfg.value_def(a)
        if kind != VK_PARAM or blk == h or not depth or not self.dt.dominates(h, blk):
            return self._loose(a)
        w = self.width(a)
        out = ()
        for _, term in self.cfg.preds[blk]:
            for b2, args in dfg.inst_block_calls(term):
                if b2 != blk:
                    continue
                r = self._loose_join(args[i], v, h, depth - 1)
                if r is None or not w:
                    return None
                if r != ():
                    out = r if out == () else join(out, r, w)
                    if out is None:
                        return None
        return out

    def _loose(self, v: int, depth: int = 3) -> Range | None:
        """A range of ``v`` that holds whatever the values not analysed yet
        are (they count as unknown): for a value of a loop body read from
        its header, ``depth`` definitions deep (``(x + y) & 15`` is 0..15)."""
        r = self.rng.get(v)
        dfg = self.func.dfg
        d = dfg.value_inst(v)
        w = _BITS.get(dfg.vtype[v])
        if r is not None or d is None or not w or dfg.nres[d] != 1:
            return r
        op = dfg.op[d]
        if op == Opcode.iconst or op in _FIXED or op in _SIGNED_LOADS:
            return self._transfer(-1, d, w)        # these read no operand (nor the block)
        if not depth:
            return None
        args = dfg.inst_args(d)
        f = _BINARY.get(op)
        if f is not None:
            return f(self._loose(args[0], depth - 1), self._loose(args[1], depth - 1), w)
        f = _UNARY.get(op)
        if f is not None:
            return f(self._loose(args[0], depth - 1), w)
        if op == Opcode.select:
            return join(self._loose(args[1], depth - 1), self._loose(args[2], depth - 1), w)
        return None

    def _guards(self, h: int, back) -> list[tuple]:
        """Relations that must hold for a back edge to be taken (module doc)."""
        dt = self.dt
        out = []
        if len(back) == 1:
            p, term = back[0]
            rel = self._relation(term, h)
            if rel is not None:
                out.append(rel)
        # Blocks dominating every latch, from the latches' common dominator up.
        s = back[0][0]
        for p, _ in back[1:]:
            while not dt.dominates(s, p):
                s = dt.idom[s]
        while s != h:
            preds = self.cfg.preds[s]
            if len(preds) == 1:
                rel = self._relation(preds[0][1], s)
                if rel is not None:
                    out.append(rel)
            s = dt.idom[s]
        return out

    def _trip_bound(self, h, params, inits, steps, back) -> int:
        """The loop's trip bound B (module doc), or -1 if none is known."""
        index = {v: i for i, v in enumerate(params)}
        best = -1
        for cc, x, y in self._guards(h, back):
            for cc_, a, b in ((cc, x, y), (_SWAP[cc], y, x)):
                iv = self._iv_offset(a, index)
                if iv is None:
                    continue
                i, d = iv
                if b is not None and b in index:
                    continue
                s = steps[i]
                if s is None or len(s) != 1 or 0 in s:
                    continue
                invariant, yr = (True, (0, 0)) if b is None else self._invariant(b, h)
                if not invariant:
                    continue
                w = self.width(params[i])
                c = signed_const(next(iter(s)), w)
                x0 = shift(inits[i], d, w)
                bound = _trips(cc_, x0, c, yr, w)
                if bound is None and cc_ == IntCC.ne:
                    bound = _trips_ne(x0, c, yr, w if b is None else self._tz(b), w)
                if bound is not None and (best < 0 or bound < best):
                    best = bound
        return best

    def _constant(self, v: int) -> int | None:
        """The value of an ``iconst`` (read from the instruction: inside a
        loop it may not have been visited yet)."""
        dfg = self.func.dfg
        d = dfg.value_inst(v)
        if d is not None and dfg.op[d] == Opcode.iconst:
            return dfg.pool[dfg.off[d]]
        return None

    def _invariant(self, v: int, h: int, depth: int = 3) -> tuple[bool, Range | None]:
        """Is ``v`` the same in every visit of loop header ``h`` (defined
        before the loop, or a pure operation of such values computed in
        it), and its range there."""
        k = self._constant(v)
        if k is not None:
            return True, (k, k)
        blk = self._def_block(v)
        if blk != h and self.dt.dominates(blk, h):
            return True, self.at(h, v)
        dfg = self.func.dfg
        d = dfg.value_inst(v)
        if d is None or depth == 0:
            return False, None
        op = dfg.op[d]
        f, n = (_BINARY.get(op), 2) if op in _BINARY else (_UNARY.get(op), 1)
        if f is None or op in (Opcode.udiv, Opcode.urem):     # may trap: not hoistable
            return False, None
        rs = []
        for a in dfg.inst_args(d)[:n]:
            ok, r = self._invariant(a, h, depth - 1)
            if not ok:
                return False, None
            rs.append(r)
        return True, f(*rs, self.width(v))

    def _tz(self, v: int, depth: int = 4) -> int:
        """Low bits of ``v`` known to be zero (structurally)."""
        dfg = self.func.dfg
        d = dfg.value_inst(v)
        if d is None or depth == 0:
            return 0
        op = dfg.op[d]
        if op == Opcode.iconst:
            c = dfg.pool[dfg.off[d]]
            return (c & -c).bit_length() - 1 if c else self.width(v)
        if op not in (Opcode.band, Opcode.ishl, Opcode.iadd, Opcode.isub, Opcode.imul):
            return 0
        a, b = dfg.inst_args(d)
        if op == Opcode.ishl:
            k = self._constant(b)
            return min(self.width(v), self._tz(a, depth - 1) + k % self.width(v)) if k is not None else 0
        ta, tb = self._tz(a, depth - 1), self._tz(b, depth - 1)
        if op == Opcode.band:
            return max(ta, tb)
        if op == Opcode.imul:
            return min(self.width(v), ta + tb)
        return min(ta, tb)

    def _def_block(self, v: int) -> int:
        dfg = self.func.dfg
        kind, d, _ = dfg.value_def(v)
        return d if kind == VK_PARAM else self.func.layout.iblock[d]

    def _iv_offset(self, a: int | None, index: dict[int, int]) -> tuple[int, int] | None:
        """``(i, d)`` if ``a`` is parameter ``i`` of the header plus ``d``."""
        if a is None:
            return None
        if a in index:
            return index[a], 0
        dfg = self.func.dfg
        d = dfg.value_inst(a)
        if d is None or dfg.op[d] not in (Opcode.iadd, Opcode.isub):
            return None
        v, k = self._plus_const(d, self.width(a))
        if v is None or v not in index:
            return None
        return index[v], k


def _bound(cc: IntCC, br: Range | None, cur: Range | None, w: int) -> Range | None:
    """Range of ``a`` given ``a cc b`` and ``b`` in ``br``."""
    m, h = 1 << w, 1 << (w - 1)
    if cc == IntCC.eq:
        return br
    if cc == IntCC.ne:
        c = const_of(br)
        if c is None or cur is None or cur[1] >= m:
            return None
        if cur[0] == c and c < cur[1]:
            return c + 1, cur[1]
        if cur[1] == c and cur[0] < c:
            return cur[0], c - 1
        return None
    if cc in (IntCC.ult, IntCC.ule, IntCC.ugt, IntCC.uge):
        lo, hi = unsigned(br, w)
        if cc == IntCC.ult:
            return (0, hi - 1) if hi > 0 else None
        if cc == IntCC.ule:
            return 0, hi
        if cc == IntCC.ugt:
            return (lo + 1, m - 1) if lo < m - 1 else None
        return lo, m - 1
    lo, hi = signed(br, w)
    if cc == IntCC.slt:
        return canon(-h, hi - 1, w) if hi > -h else None
    if cc == IntCC.sle:
        return canon(-h, hi, w)
    if cc == IntCC.sgt:
        return canon(lo + 1, h - 1, w) if lo < h - 1 else None
    return canon(lo, h - 1, w)


def _trips_ne(x0: Range | None, c: int, er: Range | None, tz_e: int, w: int) -> int | None:
    """Trip bound of ``x_k != e`` when ``x_0`` or ``e`` is a range (``e``'s
    low ``tz_e`` bits zero).  The loop reaches every such ``e`` exactly when
    ``e - x_0`` is a multiple of ``c``: ``|c| = 1``, or ``|c| = 2^s`` with
    ``x_0`` a constant multiple of ``2^s`` and ``s <= tz_e``; and when every
    ``e`` lies on the side the loop moves to (``e >= x_0`` for ``c > 0``),
    so that the distance is below ``2^W``.  Then ``B = max distance / |c|``."""
    if x0 is None or er is None or x0[1] >= 1 << w or er[1] >= 1 << w:
        return None
    a = abs(c)
    if a != 1:
        x = const_of(x0)
        if x is None or a & (a - 1) or a.bit_length() - 1 > tz_e or x % a:
            return None
    if c > 0:
        return (er[1] - x0[0]) // a if er[0] >= x0[1] else None
    return (x0[1] - er[0]) // a if er[1] <= x0[0] else None


def _trips(cc: IntCC, x0: Range | None, c: int, yr: Range | None, w: int) -> int | None:
    """Most back edges taken while ``x_k = x_0 + k*c`` satisfies ``x_k cc y``
    (module doc), or None."""
    if x0 is None:
        return None
    m = 1 << w
    if cc in _UNSIGNED:                          # signed: bias both sides
        x0, yr = shift(x0, m >> 1, w), shift(yr, m >> 1, w) if yr is not None else None
        cc = _UNSIGNED[cc]
    if cc == IntCC.ne:
        x, e = const_of(x0), const_of(yr)
        if x is None or e is None:
            return None
        dist = (e - x) % m if c > 0 else (x - e) % m
        return dist // abs(c) if dist % abs(c) == 0 else None
    if x0[1] >= m:
        return None
    ylo, yhi = unsigned(yr, w)
    if cc in (IntCC.ult, IntCC.ule) and c > 0:
        top = yhi + (cc == IntCC.ule)
        if top + c > m:
            return None
        return max(0, -(-(top - x0[0]) // c))
    if cc in (IntCC.ugt, IntCC.uge) and c < 0:
        t = ylo + (cc == IntCC.ugt)
        if t < -c:
            return None
        return max(0, -(-(x0[1] - t + 1) // -c))
    return None
