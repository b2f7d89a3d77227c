"""loopversion: run a counted loop in an unchecked copy when its accesses all fit (explicit mode).

What: a loop that is one block ``H`` (a back edge to itself), entered from
one block ``P`` that ends in ``jump H(init)``, left to a block ``X`` that
only ``H`` branches to, and that runs while ``x != y`` with ``x`` an
*affine* value of ``H`` and ``y`` defined outside it, is versioned::

    P: ... jump H(init)         P: ...; ok = <every visit in bounds>
                                   brif ok, H'(init), H(init)
    H: checked body             H: checked body (unchanged) -> H or X
                                H': the body with the covered checks gone -> H' or X
    X: ...                      X(escaping values of H or H'): ...

*Affine*: ``v_t = v_0 + s*t (mod 2^32)`` at visit ``t = 0, 1, ...`` for a
constant step ``s``: a value defined outside ``H`` (``s = 0``), a
parameter of ``H`` whose back-edge argument is itself plus a constant, or
``iadd``/``isub``/``iconst``/``imul``/``ishl`` (by constants) of affine
values, all i32 (linear mod 2^32, so ``v_0`` is that expression with the
parameters replaced by ``init``, computed in ``P``).

Also a loop that runs while ``x < y`` (``ult``/``slt``, or leaves on
``uge``/``sge``) with ``x`` rising: :func:`_trip_count_less` (an
allocator's byte copy ``while (i + 1 < n)``: ``alloc`` ran 381 M
instructions in guard mode before, 226 M after, explicit mode 260 M, 255 M).

Trip count: the loop leaves ``H`` at the first visit ``T`` with ``x_T ==
y``.  For ``s_x > 0`` that is ``T = D / s_x`` with ``D = (y - x_0) mod
2^32`` if ``s_x`` divides ``D`` (no smaller ``t`` has ``s_x*t == D``:
``s_x*t < D < 2^32``); ``s_x < 0`` mirrors it with ``D = (x_0 - y) mod
2^32``.  Otherwise the count is unknown and ``ok`` is false.

Covered checks: a trapping access or ``bounds_check`` of a 32-bit memory
in ``H`` at an affine address ``a`` with end ``E`` (offset plus size).
For ``s_a >= 0``, ``zext(a_0) + s_a*T + E <= size`` (64-bit, cannot wrap)
means ``a_t`` never wraps for ``t <= T`` and every visit is in bounds; for
``s_a < 0``, ``zext(a_0) + E <= size`` and ``s_a*T <= a_0`` (no wrap below
0).  ``size`` is read in ``P``; memory never shrinks, so a later grow or
call inside the loop only makes room.  ``ok`` is the conjunction with the
divisibility test.  Accesses at ``root + k`` for one affine ``root`` and
constants ``k`` (trapelim's split) share one test: ``a_0 = root_0 + kmin``
and ``E = max(k + end) - kmin``, which also bounds every member (none of
them wraps when the test passes).  In ``H'`` the covered ``bounds_check``
instructions are deleted and covered accesses are ``notrap``; the other
checks stay.

Addresses in the copy (64-bit targets, loops with a strided group,
:func:`_affine`): an access of a
group with a positive step addresses ``A + o`` plus a constant offset, ``o``
a new parameter of ``H'`` counting ``0, s, 2s, ...``, with ``iadd_nuw``
(the test shows the sums fit), so that LLVM sees a 64-bit affine address
instead of the zero-extension of an i32 that might wrap.

Why the trap stays exact: ``H'`` runs only when no visit that can happen
(the loop leaves at visit ``T`` at the latest; a trap of another kind or a
call that does not return ends it sooner) makes a covered check fail, so
it does what ``H`` would, instruction for instruction.  Otherwise ``H``,
unchanged, runs.  Nothing moves across a side effect, so stores, calls and
other traps may sit anywhere in the loop.

Cost: the test runs once per entry, so a loop that makes few visits
(``T + 1`` below what its checks would cost, :func:`_min_visits`) skips
it: ``P`` first branches to ``H`` on ``T`` alone (loops left after a few
visits, such as an unrolled loop's remainder, pay a compare).

Alias scopes (:mod:`._aliasscope`): when the loop writes one key (a
covered group, or an address that does not vary) and touches another of a
different step, the test also asks that their bytes over all visits do
not meet, and the copy's accesses carry ``scope=D:G``; LLVM then keeps a
counter stored in memory every visit in a register and vectorizes walks
of different strides (SQLite's ``balance``).

Values of ``H`` used after the loop: ``X`` (only ``H`` reached it, so it
dominates every such use) gets one parameter per escaping value, passed
by ``H`` and by ``H'``.

Loops of several blocks (:func:`_natural`): ``H`` entered by ``P``'s
jump, one back edge from a latch ``B`` whose ``brif`` runs while ``x !=
y`` or leaves to ``X`` (entered from ``B`` only), and no other branch out
of the loop (a return or trap may end it).  A *visit* runs from ``H`` to
``B``; a value computed in the loop from ``H``'s parameters has one value
per visit (SSA: its definition dominates its uses within the visit), so
the affine rules and the trip count are those above with ``B``'s test,
and the accesses of every block (an inner loop's too, executed any
number of times per visit at the same address) are covered alike; a
join's parameter is not affine.  The whole loop is copied (the inner
loops already versioned: single-block loops go first, then loops of
several blocks from the smallest), and escaping values reach ``X`` from
``B`` and its copy.  Cost: copied only when the covered checks are at
least half the loop's checked accesses (sort's shell-sort middle loop,
one check of four covered, ran 9% more instructions on cortex-m3 when
copied, 4.08M -> 4.43M; not analysed, presumably LLVM's code for the
function with two copies of the data-dependent inner loop).

Why: explicit mode (firmware) pays a compare and branch per check in the
hottest loops (strength-reduced row pointers of a 2-D table, a CRC over a
frame), where trapelim has no trip count to bound the addresses (the
count is ``n - i``, unknown at compile time); the test in ``P`` costs a
few instructions per entry instead of a check per visit.  In guard mode
an access costs no instruction, but every load that may fault carries a
keep (backends/llvm/traps.py, ``guard_keep``) that stops LLVM's loop
optimizations; the copy's covered loads are ``notrap`` and carry none.
The driver runs the pass after ``checkmerge`` in explicit mode, and as
:func:`guard_mode` (loops of at least :data:`GUARD_MIN_VISITS` visits) in
guard mode: nussinov went from 4.34x to 2.18x native's instructions on
x86-64, the same as explicit mode; strings ran 4% more and wordfreq 2%
more (not analysed: their versioned loops are long, so presumably LLVM's
code for the copies rather than the test).

Preconditions: verified SSA.
"""
from __future__ import annotations

import functools

from ..analysis.ranges import Ranges, canon, signed
from ..function import Function
from ..opcodes import OPINFO, ImmKind, IntCC, MemFlags, Opcode
from ..types import I32, I64, NOTYPE
from . import _aliasscope
from .checkmerge import max_size
from .trapelim import checked_access, iconst_value, split_const

#: Pass contract (ir/pipeline.py): one function at a time; adds blocks.
KIND = "function"
PRESERVES = frozenset()

_M32 = 1 << 32
#: Largest loop body copied (instructions): code size stays bounded.
_MAX_BODY = 160
#: Largest loop of several blocks copied (instructions: a parser's loop
#: with its inlined helpers).
_MAX_LOOP = 480
#: Guard mode: fewest visits for which a loop is versioned (:func:`guard_mode`).
GUARD_MIN_VISITS = 16
_LINEAR = (Opcode.iadd, Opcode.isub, Opcode.iconst, Opcode.imul, Opcode.ishl)


def _signed(k: int) -> int:
    k %= _M32
    return k - _M32 if k >= 1 << 31 else k


class _Loop:
    """One candidate loop ``H`` entered from ``P``, left to ``X``."""

    def __init__(self, func: Function, h: int, p: int, x: int, back: tuple,
                 blocks: frozenset | None = None, latch: int | None = None):
        self.func, self.h, self.p, self.x = func, h, p, x
        self.back = back                        # the back edge's arguments
        self.blocks = blocks or frozenset((h,))  # the loop: H dominates them all
        self.latch = h if latch is None else latch  # the block of the back edge and the exit
        self.steps: dict[int, int | None] = {}
        self.mat: dict[int, int] = {}
        self.max_bytes = _M32             # the largest memory the target allows
        self.min_visits = 0               # versioned only from this many visits (guard mode)
        self.affine = True                # rewrite the copy's addresses (:func:`_affine`)
        self.domains = None               # alias scope domains of this run (_aliasscope.Domains)
        self.starts: dict = {}            # group -> its lowest address at visit 0, in P
        self.bmap: dict = {}              # block -> its copy
        self.imap: dict = {}              # instruction -> its copy

    def inside(self, v: int) -> bool:
        dfg = self.func.dfg
        d = dfg.value_inst(v)
        if d is None:
            return dfg.vdef[v] in self.blocks
        return self.func.layout.inst_block(d) in self.blocks

    def step(self, v: int, depth: int = 0) -> int | None:
        """``s`` with ``v_t = v_0 + s*t`` (mod 2^32), else None."""
        if v in self.steps:
            return self.steps[v]
        self.steps[v] = None                    # cycles through params: not affine
        s = self._step(v, depth) if depth < 24 else None
        self.steps[v] = s
        return s

    def _step(self, v: int, depth: int) -> int | None:
        dfg = self.func.dfg
        if dfg.vtype[v] != I32:
            return None
        if not self.inside(v):
            return 0
        d = dfg.value_inst(v)
        if d is None:                           # a parameter of H: back edge passes v + c?
            if dfg.vdef[v] != self.h:           # another block's (a join's): not affine
                return None
            root, k = split_const(dfg, self.back[dfg.vnum[v]])
            return k if root == v else None
        op = dfg.op[d]
        if op not in _LINEAR:
            return None
        if op == Opcode.iconst:
            return 0
        a, b = dfg.inst_args(d)
        if op in (Opcode.imul, Opcode.ishl):
            c = iconst_value(dfg, b)
            sa = self.step(a, depth + 1)
            if c is None or sa is None:
                return None
            return (sa * c if op == Opcode.imul else sa << (c & 31)) % _M32
        sa, sb = self.step(a, depth + 1), self.step(b, depth + 1)
        if sa is None or sb is None:
            return None
        return (sa + sb if op == Opcode.iadd else sa - sb) % _M32

    def emit(self, op, ctrl, imms, args, ty) -> int:
        """A new instruction before ``P``'s jump; its result."""
        dfg = self.func.dfg
        i = dfg.make_inst(op, ctrl, imms, args, None, (ty,) if ty is not None else ())
        self.func.layout.insert_inst_before(i, self.func.layout.blast[self.p])
        return dfg.res[i]

    def const(self, ty: int, k: int) -> int:
        return self.emit(Opcode.iconst, ty, (k % (1 << (64 if ty == I64 else 32)),), (), ty)

    def initial(self, v: int) -> int:
        """``v_0``, computed in ``P`` (``v`` affine)."""
        if not self.inside(v):
            return v
        if v in self.mat:
            return self.mat[v]
        dfg = self.func.dfg
        d = dfg.value_inst(v)
        if d is None:
            r = self.init[dfg.vnum[v]]
        elif dfg.op[d] == Opcode.iconst:
            r = self.const(I32, dfg.pool[dfg.off[d]])
        else:
            a, b = dfg.inst_args(d)
            r = self.emit(dfg.op[d], I32, (), (self.initial(a), self.initial(b)), I32)
        self.mat[v] = r
        return r


#: Exit tests besides ``x != y``: the loop runs while ``x < y`` (``cc`` on
#: the branch into ``H``, or its negation on the branch out).
_LESS = {IntCC.ult: "ult", IntCC.slt: "slt"}
_NOT_LESS = {IntCC.uge: "ult", IntCC.sge: "slt"}


def _exit_test(func: Function, term: int, h: int):
    """``(x, y, kind)`` of a loop ``brif`` that stays in ``h`` while ``x !=
    y`` (kind ``"ne"``; ``y`` None: 0) or while ``x < y`` (``"ult"``,
    ``"slt"``), else None."""
    dfg = func.dfg
    cond = dfg.inst_args(term)[0]
    (t, _), (e, _) = dfg.inst_block_calls(term)
    d = dfg.value_inst(cond)
    if d is not None and dfg.op[d] == Opcode.icmp and dfg.vtype[dfg.inst_args(d)[0]] == I32:
        cc = dfg.inst_imms(d)[0]
        a, b = dfg.inst_args(d)
        if (cc == IntCC.ne and t == h) or (cc == IntCC.eq and e == h):
            return a, b, "ne"
        if (cc in _LESS and t == h) or (cc in _NOT_LESS and e == h):
            return a, b, _LESS.get(cc) or _NOT_LESS[cc]
        return None
    if t == h and dfg.vtype[cond] == I32:
        return cond, None, "ne"                 # brif x: runs while x != 0
    return None


def _candidate(func: Function, preds: dict, h: int) -> _Loop | None:
    dfg, lay = func.dfg, func.layout
    term = lay.blast[h]
    if term < 0 or dfg.op[term] != Opcode.brif or h == lay.first_block:
        return None
    (t, targs), (e, eargs) = dfg.inst_block_calls(term)
    if (t == h) == (e == h):
        return None
    x = e if t == h else t
    outside = [q for q in preds[h] if q != h]
    if len(outside) != 1 or preds[x] != [h] or outside[0] == x:
        return None
    p = outside[0]
    pt = lay.blast[p]
    if dfg.op[pt] != Opcode.jump or sum(1 for _ in lay.insts(h)) > _MAX_BODY:
        return None
    loop = _Loop(func, h, p, x, tuple(targs if t == h else eargs))
    loop.init = dfg.inst_block_calls(pt)[0][1]
    return loop


def _natural(func: Function, preds: dict, h: int) -> _Loop | None:
    """A loop of several blocks headed by ``h``: entered only by ``P``'s
    ``jump H(init)``, with one back edge, from a latch ``B`` that ends in
    ``brif`` to ``H`` or ``X``; ``X`` is reached only from ``B``, and no
    other block of the loop branches out of it (a ``return`` or trap may
    end it).  The loop is ``H`` and every block that reaches ``B`` without
    passing ``H``; each of them is entered only from the loop (so ``H``
    dominates them)."""
    dfg, lay = func.dfg, func.layout
    if h == lay.first_block or len(preds[h]) != 2:
        return None
    ends = {q: dfg.op[lay.blast[q]] for q in preds[h]}
    ps = [q for q in preds[h] if ends[q] == Opcode.jump]
    bs = [q for q in preds[h] if ends[q] == Opcode.brif and q != h]
    if len(ps) != 1 or len(bs) != 1:
        return None
    p, b = ps[0], bs[0]
    body, todo = {h, b}, [b]
    while todo:
        for q in preds[todo.pop()]:
            if q not in body:
                if q == lay.first_block or q == p:
                    return None
                body.add(q)
                todo.append(q)
    (t, targs), (e, eargs) = dfg.inst_block_calls(lay.blast[b])
    if (t == h) == (e == h):
        return None
    x = e if t == h else t
    if x in body or x == p or preds[x] != [b] or not _closed(func, preds, body, h, b):
        return None
    if sum(1 for q in body for _ in lay.insts(q)) > _MAX_LOOP:
        return None
    loop = _Loop(func, h, p, x, tuple(targs if t == h else eargs), frozenset(body), b)
    loop.init = dfg.inst_block_calls(lay.blast[p])[0][1]
    return loop


def _closed(func: Function, preds: dict, body: set, h: int, b: int) -> bool:
    """Every block of ``body`` but ``H`` is entered from ``body`` only, and
    every branch in it but ``B``'s terminator stays in ``body``."""
    dfg, lay = func.dfg, func.layout
    for q in body:
        if q != h and any(r not in body for r in preds[q]):
            return False
        for inst in lay.insts(q):
            if OPINFO[dfg.op[inst]].branches and inst != lay.blast[b]:
                if any(s not in body for s in dfg.inst_successors(inst)):
                    return False
    return True


def _covered(func: Function, loop: _Loop) -> tuple[dict, dict]:
    """The checks in ``H`` the versioning test can cover, each with its
    group, and the groups: ``(mem, root, step) -> [kmin, kmax + end]`` for
    addresses ``root + k`` (``k`` signed, trapelim's split), one test per
    group."""
    dfg = func.dfg
    mems = func.module.memories if func.module is not None else []
    insts, groups = {}, {}
    for inst in (i for b in loop.blocks for i in func.layout.insts(b)):
        acc = checked_access(dfg, inst, OPINFO[dfg.op[inst]])
        if acc is None or acc[0] >= len(mems) or mems[acc[0]].index_type != I32:
            continue
        root, k = split_const(dfg, int(dfg.inst_args(inst)[0]))
        s = loop.step(root)
        if s is None or acc[1] >= _M32:
            continue
        k = _signed(k)
        insts[inst] = key = (acc[0], root, _signed(s))
        g = groups.setdefault(key, [k, k + acc[1]])
        g[0], g[1] = min(g[0], k), max(g[1], k + acc[1])
    return insts, groups


def _accesses(func: Function, loop: _Loop) -> int:
    """Checked accesses of the loop (covered or not)."""
    dfg = func.dfg
    return sum(1 for b in loop.blocks for i in func.layout.insts(b)
               if checked_access(dfg, i, OPINFO[dfg.op[i]]) is not None)


def _trip_count(loop: _Loop, x: int, y: int | None, kind: str = "ne") -> tuple[int, int]:
    """``(ok, T)`` in ``P`` (i32 values; ``T`` means something only if
    ``ok``) for an affine counter ``x`` (step not 0) and an invariant
    ``y``."""
    if kind != "ne":
        return _trip_count_less(loop, x, y, kind == "slt")
    sx = _signed(loop.step(x))
    y0 = loop.const(I32, 0) if y is None else y
    x0 = loop.initial(x)
    d = loop.emit(Opcode.isub, I32, (), (y0, x0) if sx > 0 else (x0, y0), I32)
    n = abs(sx)
    if n == 1:
        return loop.const(I32, 1), d
    if n & (n - 1) == 0:
        rem = loop.emit(Opcode.band, I32, (), (d, loop.const(I32, n - 1)), I32)
        t = loop.emit(Opcode.ushr, I32, (), (d, loop.const(I32, n.bit_length() - 1)), I32)
    else:
        rem = loop.emit(Opcode.urem, I32, (), (d, loop.const(I32, n)), I32)
        t = loop.emit(Opcode.udiv, I32, (), (d, loop.const(I32, n)), I32)
    ok = loop.emit(Opcode.icmp, I32, (int(IntCC.eq),), (rem, loop.const(I32, 0)), I32)
    return ok, t


def _trip_count_less(loop: _Loop, x: int, y: int, signed_: bool) -> tuple[int, int]:
    """``(ok, T)`` for a loop that runs while ``x < y`` (unsigned, or signed
    if ``signed_``), ``x`` rising by ``s > 0``: it leaves at the first visit
    with ``x_T >= y``, so ``T = 0`` if ``x_0 >= y``, else ``(y - x_0 - 1) /
    s + 1`` (``y - x_0`` is the exact difference, below 2^32).  Exact only
    if no step jumps past the top (2^32, or 2^31 signed) before reaching
    ``y``: ``x_T <= y - 1 + s``, so ``ok`` is ``y <= 2^32 - s`` (signed:
    ``y <= 2^31 - s``), always true for ``s = 1`` unsigned."""
    s = _signed(loop.step(x))
    x0 = loop.initial(x)
    cc = IntCC.slt if signed_ else IntCC.ult
    runs = loop.emit(Opcode.icmp, I32, (int(cc),), (x0, y), I32)
    d = loop.emit(Opcode.isub, I32, (), (y, x0), I32)
    d1 = loop.emit(Opcode.isub, I32, (), (d, loop.const(I32, 1)), I32)
    if s == 1:
        q = d1
    elif s & (s - 1) == 0:
        q = loop.emit(Opcode.ushr, I32, (), (d1, loop.const(I32, s.bit_length() - 1)), I32)
    else:
        q = loop.emit(Opcode.udiv, I32, (), (d1, loop.const(I32, s)), I32)
    t1 = loop.emit(Opcode.iadd, I32, (), (q, loop.const(I32, 1)), I32)
    t = loop.emit(Opcode.select, I32, (), (runs, t1, loop.const(I32, 0)), I32)
    if signed_:
        ok = loop.emit(Opcode.icmp, I32, (int(IntCC.sle),), (y, loop.const(I32, (1 << 31) - s)), I32)
    elif s == 1:
        ok = loop.const(I32, 1)
    else:
        ok = loop.emit(Opcode.icmp, I32, (int(IntCC.ule),), (y, loop.const(I32, _M32 - s)), I32)
    return ok, t


def _in_bounds(func: Function, loop: _Loop, t: int, t64, sizes: dict, mem: int, root: int,
               kmin: int, end: int, s: int) -> int:
    """An i32 that is 1 iff the accesses ``root + k`` (``kmin <= k``, each
    ending at most at ``root + end``) are in bounds at every visit
    ``0..T``: with ``A = root_0 + kmin`` (u32) and ``E = end - kmin``,
    ``zext(A) + E + s*T <= size`` for ``s >= 0`` (so no ``A + k - kmin``
    wraps either); ``zext(A) + E <= size`` and ``|s|*T <= zext(A)`` for
    ``s < 0``."""
    decl = func.module.memories[mem]
    if max_size(decl, loop.max_bytes) < _M32 and end - kmin < _M32:
        return _in_bounds32(func, loop, t, sizes, mem, root, kmin, end, s)
    if mem not in sizes:
        pages = loop.emit(Opcode.memory_size, NOTYPE, (mem,), (), I32)
        wide = loop.emit(Opcode.uextend, I64, (), (pages,), I64)
        log2 = func.module.memories[mem].page_size_log2
        sizes[mem] = loop.emit(Opcode.ishl, I64, (), (wide, loop.const(I64, log2)), I64)
    size = sizes[mem]
    t64 = t64()
    a = loop.initial(root)
    if kmin % _M32:
        a = loop.emit(Opcode.iadd, I32, (), (a, loop.const(I32, kmin)), I32)
    loop.starts[mem, root, s] = a
    a0 = loop.emit(Opcode.uextend, I64, (), (a,), I64)
    top = loop.emit(Opcode.iadd, I64, (), (a0, loop.const(I64, end - kmin)), I64)
    if s > 0:
        span = loop.emit(Opcode.imul, I64, (), (t64, loop.const(I64, s)), I64)
        top = loop.emit(Opcode.iadd, I64, (), (top, span), I64)
    fits = loop.emit(Opcode.icmp, I64, (int(IntCC.ule),), (top, size), I32)
    if s >= 0:
        return fits
    span = loop.emit(Opcode.imul, I64, (), (t64, loop.const(I64, -s)), I64)
    above = loop.emit(Opcode.icmp, I64, (int(IntCC.ule),), (span, a0), I32)
    return loop.emit(Opcode.band, I32, (), (fits, above), I32)


def _in_bounds32(func: Function, loop: _Loop, t: int, sizes: dict, mem: int, root: int,
                 kmin: int, end: int, s: int) -> int:
    """:func:`_in_bounds` in 32-bit arithmetic, for a memory whose size
    stays below 2^32 (``S``, exact in an i32; half the instructions of the
    64-bit sums on a 32-bit core): ``E <= S``, ``A <= S - E`` and ``T <=
    (S - E - A) / s`` (so ``A + E + s*T <= S`` exactly) for ``s > 0``;
    ``T <= A / |s|`` for ``s < 0``."""
    key = (mem, 32)
    if key not in sizes:
        pages = loop.emit(Opcode.memory_size, NOTYPE, (mem,), (), I32)
        log2 = func.module.memories[mem].page_size_log2
        sizes[key] = loop.emit(Opcode.ishl, I32, (), (pages, loop.const(I32, log2)), I32)
    size, e = sizes[key], end - kmin
    a = loop.initial(root)
    if kmin % _M32:
        a = loop.emit(Opcode.iadd, I32, (), (a, loop.const(I32, kmin)), I32)
    loop.starts[mem, root, s] = a
    room = loop.emit(Opcode.isub, I32, (), (size, loop.const(I32, e)), I32)
    ok = loop.emit(Opcode.icmp, I32, (int(IntCC.ule),), (a, room), I32)
    decl = func.module.memories[mem]
    if e > decl.min << decl.page_size_log2:         # the minimum size may be smaller than E
        fits = loop.emit(Opcode.icmp, I32, (int(IntCC.ule),), (loop.const(I32, e), size), I32)
        ok = loop.emit(Opcode.band, I32, (), (ok, fits), I32)
    if s == 0:
        return ok
    span = loop.emit(Opcode.isub, I32, (), (room, a), I32) if s > 0 else a
    n = abs(s)
    if n & (n - 1) == 0:
        most = loop.emit(Opcode.ushr, I32, (), (span, loop.const(I32, n.bit_length() - 1)), I32)
    else:
        most = loop.emit(Opcode.udiv, I32, (), (span, loop.const(I32, n)), I32)
    steps = loop.emit(Opcode.icmp, I32, (int(IntCC.ule),), (t, most), I32)
    return loop.emit(Opcode.band, I32, (), (ok, steps), I32)


def _clone(func: Function, loop: _Loop, covered: set) -> int:
    """``H'``: the loop's blocks without the covered checks, branching
    among themselves (placed after the loop's last block); ``H'``."""
    dfg, lay = func.dfg, func.layout
    order = [b for b in lay.blocks() if b in loop.blocks]
    bmap, after = {}, order[-1]
    for b in order:
        bmap[b] = dfg.make_block()
        lay.insert_block_after(bmap[b], after)
        after = bmap[b]
    vmap = {}
    for b in order:
        for v in dfg.bparams[b]:
            vmap[v] = int(dfg.append_block_param(bmap[b], dfg.vtype[v]))
    made = []
    for b in order:
        for inst in lay.insts(b):
            new = _copy_inst(func, inst, inst in covered, bmap)
            if new is None:
                continue
            for r, r2 in zip(dfg.inst_results(inst), dfg.inst_results(new)):
                vmap[int(r)] = int(r2)
            lay.append_inst(new, bmap[b])
            made.append(new)
            loop.imap[inst] = new
    for new in made:                    # a block may use values of one laid out later
        dfg.rewrite_uses(new, vmap)
    _escape(func, loop, bmap, vmap)
    loop.bmap = bmap
    return bmap[loop.h]


def _copy_inst(func: Function, inst: int, covered: bool, bmap: dict) -> int | None:
    """A copy of ``inst`` (operands not yet renamed, branches into the
    copy's blocks), without its check if ``covered``; None for a covered
    ``bounds_check``."""
    dfg = func.dfg
    info = OPINFO[dfg.op[inst]]
    if covered and info.opcode == Opcode.bounds_check:
        return None
    imms = list(dfg.inst_imms(inst))
    if covered:
        imms[0] |= MemFlags.NOTRAP
    calls = None
    if info.branches:
        calls = [(bmap.get(b, b), list(ca)) for b, ca in dfg.inst_block_calls(inst)]
    res = [dfg.vtype[r] for r in dfg.inst_results(inst)]
    return dfg.make_inst(dfg.op[inst], dfg.ctrl[inst], imms, list(dfg.inst_args(inst)), calls, res)


def _affine(func: Function, loop: _Loop, h2: int, groups: dict) -> list[int]:
    """Give the copy's addresses a form LLVM reads as a 64-bit affine
    sequence; the arguments ``P`` passes to the new parameters of ``H'``.

    For each group whose step ``s`` is positive, ``H'`` has a parameter
    ``o`` (0, then ``o + s`` each visit; one per step) and computes ``b =
    A + o``, ``A`` the group's lowest address at visit 0 (in ``P``, for
    the test); an
    access of the copy at ``root + k`` whose bytes lie in the group's
    tested span becomes an access at ``b`` with ``k - kmin`` added to its
    offset: the same address, for the test shows that no visit's wraps.
    Both sums are ``iadd_nuw``: ``A + s*t + E <= size <= 2^32`` at every
    visit ``t <= T``.  (``o + s`` at the last visit may exceed it; that
    value is never used, and an unused poison value is harmless.)

    Why: an address is an i32 that the access zero-extends, and LLVM can
    only see ``zext(root + k)`` as ``zext(A) + s*t + (k - kmin)`` if no
    step wraps; without it, a strided load in a vectorized loop is a
    zero-extension and an extraction per lane.  nussinov's column walk
    (``--cpu native``, Ice Lake, no gathers) ran 1.5 s that way, 0.66 s
    with these facts (x86-64-v2: 0.78 s, 0.66 s).

    When: only for a loop with a *strided* group (a step larger than the
    bytes the group touches per visit: a column walk), and then for all
    its groups (nussinov needs its row walk rewritten too: 217 M
    instructions, 374 M with the column alone).  A loop of contiguous walks
    LLVM already vectorizes (its own run-time wrap test), and there the
    extra induction variable only took a register: rewriting those too
    cost SQLite's shell 0.55% more instructions (spills in
    sqlite3VdbeExec) and wordfreq 1.7%, for 0.7% off strings.  Only for
    64-bit targets: a 32-bit one uses the i32 address as it is, and the
    parameter would cost it a register."""
    dfg, lay = func.dfg, func.layout
    latch2 = loop.bmap[loop.latch]
    first = lay.first_inst(h2)
    bases, offsets, nexts = {}, {}, []
    for (mem, root, s), (kmin, end) in groups.items():
        a = loop.starts.get((mem, root, s))
        if s <= 0 or a is None:
            continue
        if s not in offsets:                    # one parameter per step
            offsets[s] = o = int(dfg.append_block_param(h2, I32))
            step = dfg.make_inst(Opcode.iconst, I32, (s,), (), None, (I32,))
            nxt = dfg.make_inst(Opcode.iadd_nuw, I32, (), (o, dfg.res[step]), None, (I32,))
            for i in (step, nxt):
                lay.insert_inst_before(i, lay.blast[latch2])
            nexts.append(dfg.res[nxt])
        b = dfg.make_inst(Opcode.iadd_nuw, I32, (), (a, offsets[s]), None, (I32,))
        lay.insert_inst_before(b, first)
        bases[mem, root] = dfg.res[b], kmin, end - kmin
    if not bases:
        return []
    entry = [loop.const(I32, 0)] * len(offsets)
    term = lay.blast[latch2]
    dfg.set_block_calls(term, [(blk, list(ca) + (nexts if blk == h2 else []))
                               for blk, ca in dfg.inst_block_calls(term)])
    for inst, new in loop.imap.items():
        info = OPINFO[dfg.op[new]]
        if not info.access or ImmKind.MEMFLAGS not in info.imms:
            continue
        mem, off = dfg.inst_imm(new, ImmKind.MEM), dfg.inst_imm(new, ImmKind.OFFSET)
        root, k = split_const(dfg, int(dfg.inst_args(inst)[0]))
        if (mem, root) not in bases:
            continue
        b, kmin, span = bases[mem, root]
        d = _signed(k) - kmin
        # in the tested span, and the offset still a u32 (a span of more
        # than 4 GiB compiles, though its test never passes)
        if d >= 0 and d + off + dfg.access_bytes(new) <= span and off + d < _M32:
            dfg.set_arg(new, 0, b)
            dfg.set_imm(new, ImmKind.OFFSET, off + d)
    return entry


def _escape(func: Function, loop: _Loop, bmap: dict, vmap: dict) -> None:
    """Values of the loop used outside it become parameters of ``X``
    (the only way out to another block: ``X`` dominates every such use,
    and so each value dominates the latch)."""
    dfg, lay = func.dfg, func.layout
    both = set(loop.blocks) | set(bmap.values())
    used = set()
    for b in lay.blocks():
        if b in both:
            continue
        for inst in lay.insts(b):
            used.update(u for u in dfg.uses(inst) if u in vmap)
    if not used:
        return
    order = sorted(used)
    repl = {v: int(dfg.append_block_param(loop.x, dfg.vtype[v])) for v in order}
    for b in lay.blocks():
        if b not in both:
            for inst in lay.insts(b):
                dfg.rewrite_uses(inst, repl)
    for blk, extra in ((loop.latch, order), (bmap[loop.latch], [vmap[v] for v in order])):
        term = lay.blast[blk]
        dfg.set_block_calls(term, [(b, list(ca) + (extra if b == loop.x else []))
                                   for b, ca in dfg.inst_block_calls(term)])


def _min_visits(checks: int, groups: int) -> int:
    """Visits from which the test pays (rough instruction counts of a
    32-bit core: a check is about 2 (rv32imac: add, branch), the test
    about 3 + 6 per group), at least 2: one visit saves its checks once,
    about what the test costs."""
    return max(2, -(-(3 + 6 * groups) // (2 * checks)))


def _gate(func: Function, loop: _Loop, t: int, visits: int) -> None:
    """A loop that makes fewer than ``visits`` visits (``T + 1``) goes
    straight to ``H``: ``P`` ends in ``brif T >= visits - 1, P', H(init)``
    and the test goes into the new block ``P'`` (``loop.p`` from now on)."""
    if visits <= 1:
        return
    dfg, lay = func.dfg, func.layout
    enough = loop.emit(Opcode.icmp, I32, (int(IntCC.uge),), (t, loop.const(I32, visits - 1)), I32)
    p2 = dfg.make_block()
    lay.insert_block_after(p2, loop.p)
    lay.append_inst(dfg.make_inst(Opcode.jump, NOTYPE, (), (), [(loop.h, list(loop.init))], ()), p2)
    lay.remove_inst(lay.blast[loop.p])
    br = dfg.make_inst(Opcode.brif, NOTYPE, (), (enough,), [(p2, []), (loop.h, list(loop.init))], ())
    lay.append_inst(br, loop.p)
    loop.p = p2


def _start_range(loop: _Loop, ranges: Ranges, v: int):
    """Range of ``v_0`` in ``P`` (as :meth:`_Loop.initial` computes it),
    or None."""
    dfg = loop.func.dfg
    if not loop.inside(v):
        return ranges.at(loop.p, v)
    d = dfg.value_inst(v)
    if d is None:
        return ranges.at(loop.p, loop.init[dfg.vnum[v]])
    if dfg.op[d] == Opcode.iconst:
        k = dfg.pool[dfg.off[d]]
        return k, k
    if dfg.op[d] not in (Opcode.iadd, Opcode.isub):
        return None
    a, b = (_start_range(loop, ranges, u) for u in dfg.inst_args(d))
    if a is None or b is None:
        return None
    if dfg.op[d] == Opcode.iadd:
        return canon(a[0] + b[0], a[1] + b[1], 32)
    return canon(a[0] - b[1], a[1] - b[0], 32)


def _few_visits(loop: _Loop, ranges: Ranges, x: int, y: int | None, visits: int) -> bool:
    """True if the ranges show at most ``max(visits, 4)`` visits whenever
    ``T`` is a count that fits in 31 bits (an unrolled loop's remainder:
    ``n & 3`` iterations)."""
    x0 = _start_range(loop, ranges, x)
    y0 = (0, 0) if y is None else ranges.at(loop.p, y)
    if x0 is None or y0 is None:
        return False
    sx = _signed(loop.step(x))
    d = canon(y0[0] - x0[1], y0[1] - x0[0], 32) if sx > 0 else canon(x0[0] - y0[1], x0[1] - y0[0], 32)
    return signed(d, 32)[1] // abs(sx) + 1 <= max(visits, 4)


def _version(func: Function, loop: _Loop, ranges: Ranges) -> bool:
    dfg, lay = func.dfg, func.layout
    covered, groups = _covered(func, loop)
    if len(loop.blocks) > 1 and 2 * len(covered) < _accesses(func, loop):
        return False
    test = _exit_test(func, lay.blast[loop.latch], loop.h) if covered else None
    if test is None:
        return False
    x, y, kind = test
    if kind == "ne" and y is not None and loop.step(x) == 0:
        x, y = y, x                                 # y != x: the counter on the right
    if loop.step(x) in (None, 0) or (y is not None and loop.inside(y)):
        return False
    if kind != "ne" and not 0 < _signed(loop.step(x)) < 1 << 30:
        return False                                # x < y: a rising counter only
    visits = max(loop.min_visits, _min_visits(len(covered), len(groups)))
    if _few_visits(loop, ranges, x, y, visits):
        return False
    ok, t = _trip_count(loop, x, y, kind)
    _gate(func, loop, t, visits)
    wide: list[int] = []

    def t64() -> int:                      # T as an i64, made once if needed
        if not wide:
            wide.append(loop.emit(Opcode.uextend, I64, (), (t,), I64))
        return wide[0]
    sizes: dict = {}
    for (mem, root, s), (kmin, end) in groups.items():
        fits = _in_bounds(func, loop, t, t64, sizes, mem, root, kmin, end, s)
        ok = loop.emit(Opcode.band, I32, (), (ok, fits), I32)
    scoped = _aliasscope.disjoint(func, loop, covered, groups, t64)
    if scoped is not None:
        ok = loop.emit(Opcode.band, I32, (), (ok, scoped[0]), I32)
    h2 = _clone(func, loop, covered)
    init = list(loop.init)
    strided = any(s > end - kmin for (_, _, s), (kmin, end) in groups.items())
    extra = _affine(func, loop, h2, groups) if loop.affine and strided else []
    if scoped is not None:
        _aliasscope.mark(func, loop, scoped[2], scoped[1])
    pt = lay.blast[loop.p]
    lay.remove_inst(pt)
    br = dfg.make_inst(Opcode.brif, NOTYPE, (), (ok,), [(h2, init + extra), (loop.h, init)], ())
    lay.append_inst(br, loop.p)
    return True


def _preds(func: Function) -> dict[int, list[int]]:
    dfg, lay = func.dfg, func.layout
    preds: dict[int, list[int]] = {b: [] for b in lay.blocks()}
    for b in lay.blocks():
        term = lay.blast[b]
        if term >= 0:
            for s in dict.fromkeys(dfg.inst_successors(term)):
                preds[s].append(b)
    return preds


def for_pointer_bytes(pointer_bytes: int):
    """The pass's ``run`` for a target with ``pointer_bytes``-byte pointers:
    on a 32-bit target no memory reaches 4 GiB (checkmerge's
    ``max_size``), so every test is 32-bit."""
    if pointer_bytes >= 8:
        return run
    return functools.partial(run, max_memory_bytes=_M32 - 1, affine=False)


def guard_mode(func: Function) -> bool:
    """The pass for ``--bounds guard``: a versioned loop saves no check,
    only the keep of each covered load (backends/llvm/traps.py), which
    costs nothing where it stands but stops LLVM's loop optimizations; so
    only loops making at least :data:`GUARD_MIN_VISITS` visits take the
    copy (a guess, not a measurement: the bench's versioned loops are all
    long)."""
    return run(func, min_visits=GUARD_MIN_VISITS)


def run(func: Function, max_memory_bytes: int = _M32, min_visits: int = 0,
        affine: bool = True) -> bool:
    if func.layout.first_block < 0 or func.module is None:
        return False
    domains = _aliasscope.Domains(func)
    changed = _single(func, max_memory_bytes, min_visits, affine, domains)
    return _multi(func, max_memory_bytes, min_visits, affine, domains) or changed


def _single(func: Function, max_memory_bytes: int, min_visits: int, affine: bool,
            domains: _aliasscope.Domains) -> bool:
    """Single-block loops, first: a loop of several blocks copied later
    holds them versioned."""
    changed = False
    preds = _preds(func)
    ranges = None       # of the function as it was: the blocks and values it knows stay
    for h in list(func.layout.blocks()):
        loop = _candidate(func, preds, h)
        if loop is None:
            continue
        ranges = ranges or Ranges(func)
        loop.max_bytes, loop.min_visits, loop.affine = max_memory_bytes, min_visits, affine
        loop.domains = domains
        if _version(func, loop, ranges):
            changed = True
            preds = _preds(func)
    return changed


def _multi(func: Function, max_memory_bytes: int, min_visits: int, affine: bool,
           domains: _aliasscope.Domains) -> bool:
    """Loops of several blocks, innermost (smallest) first, each header
    tried once (a versioned loop's entry ends in ``brif``: not again).
    Loops and ranges are found again only after a copy changed the
    function (``_version`` changes nothing when it declines): rebuilt for
    every candidate, they took 1.06 s of strings' 1.18 s of IR passes
    (68 ``Ranges`` and 11,916 natural-loop searches), 0.14 s now."""
    changed, tried = False, set()
    loops: list | None = None
    ranges: Ranges | None = None
    while True:
        if loops is None:
            preds = _preds(func)
            loops = [lp for h in func.layout.blocks() if h not in tried
                     for lp in [_natural(func, preds, h)] if lp is not None and len(lp.blocks) > 1]
        if not loops:
            return changed
        loop = min(loops, key=lambda lp: len(lp.blocks))
        loops.remove(loop)
        tried.add(loop.h)
        loop.max_bytes, loop.min_visits, loop.affine = max_memory_bytes, min_visits, affine
        loop.domains = domains
        ranges = ranges or Ranges(func)
        if _version(func, loop, ranges):
            loops = ranges = None
            changed = True
