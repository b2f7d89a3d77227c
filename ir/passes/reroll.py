"""reroll: roll a loop unrolled k times back into a loop of one body (for the vectorizer).

What: a single-block loop ``H`` whose body is ``k`` copies of one body,
copy ``j`` doing at ``i + j*d`` what copy 0 does at ``i``, with the counter
``i`` stepping by ``S = k*d``, becomes a loop of copy 0 alone stepping by
``d``::

    H(i): f(i); f(i + d); f(i + 2d)        H(i): f(i)
          i' = i + 3d                            i' = i + d
          brif i' != y, H(i'), X                 brif i' != y, H(i'), X

Why: a producer compiling C to wasm32 without SIMD unrolls loops with a
constant trip count by a divisor of it (clang's loop unroller: gemm's
``C[i][j] += a * B[k][j]`` by 3 at N = 1200, by 2 at N = 700, its
``C[i][j] *= beta`` by 5).  LLVM then sees an interleave group of factor 3
on contiguous memory, which its loop vectorizer rejects at SSE width as
not beneficial, and SLP does not pack 3 statements: the loop stays scalar
where the native build of the same source has an SSE loop (gemm at
x86-64-v2: 1.33x native).  Rolled back, it is the loop clang vectorizes
natively.  Only for targets whose LLVM vectorizes (``Target.reroll``):
for a scalar core the unrolled loop was the better one.  And there only
for factors that are not a power of two (:func:`for_vectorizer`, the
default pipeline's): LLVM widens factors 2, 4 and 8 itself, better.

Why it is exact: the rolled loop runs the same instructions on the same
values in the same order.  Visit ``m = t*k + j`` of the new loop (counter
``i_0 + m*d``) is copy ``j`` of the old loop's visit ``t``: every side
effect (an access, a call, anything not pure) keeps its place in the one
sequence of effects, so traps, memory order and aliasing are untouched
and no dependence test is needed.  What must hold:

* *Copies match*: the body's effects, in order, are ``k`` runs of ``n``;
  effect ``j*n + e`` has copy 0's effect ``e``'s opcode and immediates,
  and its operands are copy 0's operands with the counters shifted by
  ``j*d``: checked operand by operand (:class:`_Match`).  A value linear
  in the counters (``iadd``/``isub``/``imul``/``ishl`` by constants of
  counters and loop invariants, i32) matches when its linear form is copy
  0's plus the shift; an access matches only one with the same offset
  (``load v+8`` is not ``load (v+8)``: the offset is added without
  wrap-around, so when ``v + 8`` wraps one traps and the other reads
  near address 0); an effect's result matches only the effect of the
  same index in copy 0; a value that varies in the loop is never shared
  between copies.
* *Same trip*: the loop leaves when the counter ``x = i + S`` equals a
  constant ``y`` and starts from a constant ``i_0``; ``D = y - i_0`` (mod
  2^32, in the direction of the step) is a positive multiple of ``S``, so
  the old loop makes ``T = D / S`` visits and the new one reaches ``y``
  first at ``T*k`` visits (before that its counter is ``i_0 + m*d`` with
  ``m*d < D``).  Other parameters must be counters too (back edge
  ``p + S_p``, ``k`` dividing ``S_p``: they step by ``S_p / k``).
* *Nothing escapes*: no value of ``H`` (a parameter included: its value
  at exit differs) is used outside it, and the back edge passes only the
  counters' next values, which nothing in the body uses except through
  their linear forms.

Preconditions: a well-formed function; no bounds checks yet (it runs
before trapelim, which then derives explicit mode's checks from the
rolled loop, and loopversion versions it like any counted loop).  A
``bounds_check`` would simply have to match like any effect.

Left alone: loops whose count is not a constant (a runtime trip count
with a remainder loop; the rolled count would need a test), sums and
other parameters that are not counters, loops of several blocks.
"""
from __future__ import annotations

from ..function import Function
from ..opcodes import OPINFO, ImmKind, Opcode
from ..types import I32
from . import dce
from .loopversion import _M32, _candidate, _exit_test, _preds, _signed
from .trapelim import iconst_value

#: Pass contract (ir/pipeline.py): one function at a time; instructions in
#: a loop block change, blocks and edges do not.
KIND = "function"
PRESERVES = frozenset({"cfg"})

#: Largest unroll factor tried (clang unrolls by at most 8 at -O2; 16 leaves room).
MAX_FACTOR = 16
_CONST = None        # key of the constant term in a linear form


class _Loop:
    """The facts about one candidate loop the match needs."""

    def __init__(self, func: Function, h: int, steps: dict):
        self.func, self.h = func, h
        self.steps = steps                   # counter parameter -> its step S_p
        self.lin: dict[int, dict | None] = {}
        self.varying: set[int] = set()       # values of H that differ between visits
        dfg, lay = func.dfg, func.layout
        self.varying.update(int(v) for v in dfg.bparams[h])
        self.effects: list[int] = []
        self.index: dict[int, int] = {}      # effect -> its place in effects
        term = lay.blast[h]
        for inst in lay.insts(h):
            if inst == term:
                break
            info = OPINFO[dfg.op[inst]]
            if not info.is_pure:
                self.index[inst] = len(self.effects)
                self.effects.append(inst)
            if not info.is_pure or any(int(a) in self.varying for a in dfg.inst_args(inst)):
                self.varying.update(int(r) for r in dfg.inst_results(inst))

    def inside(self, v: int) -> bool:
        dfg = self.func.dfg
        d = dfg.value_inst(v)
        if d is None:
            return dfg.vdef[v] == self.h
        return self.func.layout.inst_block(d) == self.h

    def linear(self, v: int, depth: int = 0) -> dict | None:
        """``v`` as ``sum(coef * atom) + const`` (mod 2^32): atoms are the
        counters and values that do not vary in the loop; None if ``v`` is
        not such a sum (or not i32)."""
        if v in self.lin:
            return self.lin[v]
        r = self._linear(v, depth) if depth < 24 else None
        r = None if r is None else _norm(r)
        self.lin[v] = r
        return r

    def _linear(self, v: int, depth: int) -> dict | None:
        dfg = self.func.dfg
        if dfg.vtype[v] != I32:
            return None
        k = iconst_value(dfg, v)
        if k is not None:
            return {_CONST: k}
        if v in self.steps:
            return {v: 1}
        d = dfg.value_inst(v)
        if d is None or dfg.op[d] not in (Opcode.iadd, Opcode.isub, Opcode.imul, Opcode.ishl):
            return None if v in self.varying else {v: 1}
        a, b = (int(x) for x in dfg.inst_args(d))
        la = self.linear(a, depth + 1)
        if dfg.op[d] in (Opcode.imul, Opcode.ishl):
            c = iconst_value(dfg, b)
            if la is None or c is None:
                return None if v in self.varying else {v: 1}
            c = c if dfg.op[d] == Opcode.imul else 1 << (c & 31)
            return _norm({t: k * c for t, k in la.items()})
        lb = self.linear(b, depth + 1)
        if la is None or lb is None:
            return None if v in self.varying else {v: 1}
        sign = 1 if dfg.op[d] == Opcode.iadd else -1
        out = dict(la)
        for t, k in lb.items():
            out[t] = out.get(t, 0) + sign * k
        return _norm(out)


def _norm(form: dict) -> dict:
    out = {t: k % _M32 for t, k in form.items()}
    return {t: k for t, k in out.items() if k or t is _CONST} | {_CONST: out.get(_CONST, 0)}


class _Match:
    """Does copy ``j`` (effects ``j*n ..``) do at ``i + j*d`` what copy 0 does
    at ``i``?  ``d``: counter -> its new step."""

    def __init__(self, loop: _Loop, n: int, j: int, d: dict):
        self.loop, self.n, self.j, self.d = loop, n, j, d
        self.pairs: dict[int, int] = {}

    def shifted(self, form: dict, extra: int = 0) -> dict:
        """Copy 0's linear form ``form`` with the counters moved by ``j*d``."""
        k = form[_CONST] + extra + self.j * sum(c * self.d[t] for t, c in form.items()
                                                if t in self.d)
        return _norm(dict(form) | {_CONST: k})

    def effect(self, e: int) -> bool:
        loop = self.loop
        return self.inst(loop.effects[self.j * self.n + e], loop.effects[e])

    def value(self, a: int, b: int) -> bool:
        loop = self.loop
        if a == b:
            return a not in loop.varying
        la, lb = loop.linear(a), loop.linear(b)
        if la is not None and lb is not None:
            return la == self.shifted(lb)
        dfg = loop.func.dfg
        ia, ib = dfg.value_inst(a), dfg.value_inst(b)
        if ia is None or ib is None or not loop.inside(a) or not loop.inside(b):
            return False
        if dfg.inst_results(ia).index(a) != dfg.inst_results(ib).index(b):
            return False
        if ia in loop.index or ib in loop.index:
            return (ia in loop.index and ib in loop.index
                    and loop.index[ia] == loop.index[ib] + self.j * self.n)
        return self.inst(ia, ib)

    def inst(self, a: int, b: int) -> bool:
        if a in self.pairs:
            return self.pairs[a] == b
        self.pairs[a] = b
        dfg = self.loop.func.dfg
        info = OPINFO[dfg.op[a]]
        if (dfg.op[a], dfg.ctrl[a]) != (dfg.op[b], dfg.ctrl[b]) or info.is_branch:
            return False
        ia, ib = list(dfg.inst_imms(a)), list(dfg.inst_imms(b))
        xa, xb = list(dfg.inst_args(a)), list(dfg.inst_args(b))
        if len(xa) != len(xb):
            return False
        if ImmKind.OFFSET in info.imms and ImmKind.MEM in info.imms and xa:
            k = info.imms.index(ImmKind.OFFSET)
            if not self.address(xa[0], ia[k], xb[0], ib[k]):
                return False
            ia[k] = ib[k] = 0
            xa, xb = xa[1:], xb[1:]
        return ia == ib and all(self.value(int(x), int(y)) for x, y in zip(xa, xb))

    def address(self, a: int, off_a: int, b: int, off_b: int) -> bool:
        """Is ``a + off_a`` copy 0's ``b + off_b`` shifted?  Only with equal
        offsets: the address is ``zext(a) + off`` without wrap-around, so
        ``a + 8`` (i32) with offset 0 and ``a`` with offset 8 differ when
        ``a + 8`` wraps (one traps, the other reads near 0)."""
        return off_a == off_b and self.value(a, b)


def _counters(func: Function, h: int, back: tuple) -> dict | None:
    """Parameter -> step for every parameter of ``h`` (None unless each is
    a counter: the back edge passes it plus a constant)."""
    dfg = func.dfg
    steps = {}
    for p, nxt in zip(dfg.bparams[h], back):
        d = dfg.value_inst(nxt)
        if d is None or dfg.op[d] != Opcode.iadd or dfg.vtype[nxt] != I32:
            return None
        a, b = (int(x) for x in dfg.inst_args(d))
        s = iconst_value(dfg, b) if a == p else iconst_value(dfg, a) if b == p else None
        if not s:
            return None
        steps[int(p)] = s
    return steps


def _same_trip(func: Function, loop, steps: dict) -> bool:
    """Does the loop leave when a counter's next value ``p + S`` equals a
    constant ``y``, ``p`` starting from a constant ``i_0``, with ``D = y -
    i_0`` (in the step's direction) a positive multiple of ``S``?"""
    dfg, lay = func.dfg, func.layout
    test = _exit_test(func, lay.blast[loop.h], loop.h)
    if test is None or test[2] != "ne":
        return False
    x, y, _ = test
    yk = 0 if y is None else iconst_value(dfg, y)
    if yk is None or x not in loop.back:
        return False
    q = list(loop.back).index(x)
    i0 = iconst_value(dfg, loop.init[q])
    if i0 is None:
        return False
    s = _signed(steps[int(dfg.bparams[loop.h][q])])
    dist = (yk - i0) % _M32 if s > 0 else (i0 - yk) % _M32
    return dist != 0 and dist % abs(s) == 0


def _escapes(func: Function, h: int, exits: list) -> bool:
    """Is a value of ``h`` used in another block (or passed out of it)?"""
    dfg, lay = func.dfg, func.layout
    mine = {int(v) for v in dfg.bparams[h]}
    for inst in lay.insts(h):
        mine.update(int(r) for r in dfg.inst_results(inst))
    if any(int(v) in mine for v in exits):
        return True
    return any(int(v) in mine for b in lay.blocks() if b != h
               for inst in lay.insts(b) for v in dfg.uses(inst))


def _factor(loop: _Loop, pow2: bool) -> tuple[int, dict] | None:
    """The largest ``k`` by which the body is ``k`` matching copies, and
    the counters' new steps (``pow2``: powers of two count too)."""
    total = len(loop.effects)
    for k in range(min(total, MAX_FACTOR), 1, -1):
        if total % k or any(_signed(s) % k for s in loop.steps.values()):
            continue
        if not pow2 and k & (k - 1) == 0:
            continue
        d = {p: (_signed(s) // k) % _M32 for p, s in loop.steps.items()}
        n = total // k
        matches = (_Match(loop, n, j, d) for j in range(1, k))
        if all(all(m.effect(e) for e in range(n)) for m in matches):
            return k, d
    return None


def _reroll(func: Function, h: int, cand, steps: dict, pow2: bool) -> bool:
    dfg, lay = func.dfg, func.layout
    term = lay.blast[h]
    loop = _Loop(func, h, steps)
    if not loop.effects:
        return False
    found = _factor(loop, pow2)
    if found is None:
        return False
    k, d = found
    n = len(loop.effects) // k
    # New next values (the old ones may still be used by copy 0's linear forms).
    new = {}
    for p, nxt in zip(dfg.bparams[h], cand.back):
        c = dfg.make_inst(Opcode.iconst, I32, (d[int(p)],), (), None, (I32,))
        lay.insert_inst_before(c, term)
        a = dfg.make_inst(Opcode.iadd, I32, (), (p, dfg.first_result(c)), None, (I32,))
        lay.insert_inst_before(a, term)
        new[int(nxt)] = int(dfg.first_result(a))
    cond = int(dfg.inst_args(term)[0])
    ci = dfg.value_inst(cond)
    if cond not in new:                     # icmp x, y: a new compare of the new x
        cmp = dfg.make_inst(dfg.op[ci], dfg.ctrl[ci], dfg.inst_imms(ci), dfg.inst_args(ci),
                            None, (dfg.vtype[cond],))
        dfg.rewrite_uses(cmp, new)
        lay.insert_inst_before(cmp, term)
        new[cond] = int(dfg.first_result(cmp))
    dfg.rewrite_uses(term, new)
    for inst in loop.effects[n:]:
        lay.remove_inst(inst)
    return True


def for_vectorizer(func: Function) -> bool:
    """The pass in the default pipeline: only factors that are not a power
    of two.  LLVM's loop vectorizer widens an interleave group of factor
    2, 4 or 8 on contiguous memory itself, and its code for those was as
    fast or faster than for the rolled loop (floyd-warshall, unrolled by
    2: rolled, LLVM chose 4 x 4 lanes and left 12 of each row's 1,100
    elements to a scalar remainder, 15% slower; covariance, cholesky,
    correlation, fdtd-2d: no change); factors 3 and 5 it rejects at SSE
    width (gemm 27% faster rolled, atax 10%)."""
    return run(func, pow2=False)


def run(func: Function, pow2: bool = True) -> bool:
    if func.layout.first_block < 0:
        return False
    preds = _preds(func)
    changed = False
    for h in list(func.layout.blocks()):
        cand = _candidate(func, preds, h)
        if cand is None:
            continue
        steps = _counters(func, h, cand.back)
        if not steps or not _same_trip(func, cand, steps):
            continue
        (t, targs), (e, eargs) = func.dfg.inst_block_calls(func.layout.blast[h])
        if _escapes(func, h, list(eargs if t == h else targs)):
            continue
        changed |= _reroll(func, h, cand, steps, pow2)
    if changed:
        dce.run(func)
    return changed
