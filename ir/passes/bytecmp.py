"""bytecmp: a byte-compare loop becomes one mismatch8 (the runtime compares a word at a time).

What: the loop of a wasm32 ``memcmp``, a byte at a time, entered only
when the count is not zero::

    G:  brif n0, P, Z                       (or brif eqz n0, Z, P)
    P:  jump H(a0, b0, n0)
    H(a, b, n):                             H(a, b, n):
        x = uload8 a                            k = mismatch8 a, b, n
        y = uload8 b                            f = icmp ne k, n
        d = isub x, y                           brif f, M, E
        brif d, X(.. d ..), C           ->  M:  x = uload8 notrap (a + k)
    C:  a' = a + 1                              y = uload8 notrap (b + k)
        b' = b + 1                              d = isub x, y
        n' = n - 1                              jump X(.. d ..)
        brif n', H(a', b', n'), D(..)       E:  jump D(..)   (a' = a + n, b' = b + n, n' = 0)

``P`` may be ``G`` itself (``brif .., H(a0, b0, n0)``); the test may be
``bxor`` or ``icmp ne`` (leave when true) or ``icmp eq`` (stay when true);
the loads may come in either order; the latch may test ``icmp ne n', 0``.

Why: a wasm32 C library's memcmp is this loop -- Wasm has no wider
compare without SIMD, and a libc built for plain wasm32 has none: zig's
compiler_rt.memcmp, which SQLite's shell calls for every collation (9 M
calls, 91 M turns of 7 instructions, valgrind, against 189 M
instructions for glibc's AVX2 memcmp in the native build).  LLVM cannot
widen it: a loop with an early exit needs every load known
dereferenceable, and a Wasm address is not.  The runtime can: it knows
the memory's size (``wasmaot_memory_mismatch8``, 8 bytes a step).

Why it is exact: the loop, entered with ``n0 != 0``, reads ``a + j`` and
``b + j`` (i32 sums) for ``j = 0, 1, ..`` until the bytes differ at
``j = k`` or ``j`` reaches ``n0``, trapping at the first byte out of
bounds on the way; mismatch8 is defined as exactly that (its result is
``k``, or ``n0``), and its reads have no other effect.  The count's
wrap-around (``n0 = 0`` would loop 2^32 times) is why the guard is
required: with it the count is ``n0``, unsigned.  What leaves the loop
is recomputed at its visit: at a difference ``a + k``, ``b + k``, ``n -
k`` and the two bytes (read again, in bounds: mismatch8 just read them,
and a memory never shrinks); at the end ``a + n``, ``b + n`` and 0.
Those values may leave as the exits' arguments or be used directly in
blocks the exit dominates (``X`` entered only from ``H``, ``D`` only from
``C``: the translator's ``jump block1(v10, ..)`` after the latch); a byte
of the last visit at the end, or a use anywhere else, and the loop stays.
It may hold nothing but the compare (no other effect to keep in place).

Preconditions: before trapelim (mismatch8 checks its own reads; the
loads it leaves are notrap).  32-bit memories only, offsets 0 (``load
a+8`` adds the offset without wrap-around, a different loop).

Left alone: loops that count up to an end pointer or index (musl's
``for (; n && *l == *r; n--, l++, r++)`` tests the count first, and is
entered with any count), loops comparing a byte with a constant (strlen,
strchr), and everything on memory64.
"""
from __future__ import annotations

from ..builder import Cursor
from ..function import Function
from ..opcodes import ImmKind, IntCC, Opcode
from ..types import I32
from . import dce
from .loopversion import _copy_inst, _preds
from .trapelim import iconst_value

#: Pass contract (ir/pipeline.py): one function at a time; changes the CFG
#: (a loop's latch goes, two blocks come).
KIND = "function"
PRESERVES = frozenset()

_M32 = 1 << 32
#: The loop's compare of the two bytes ``x`` and ``y``: opcode and IntCC (or
#: None) -> True if the brif LEAVES when the result is true.
_TESTS = {(Opcode.isub, None): True, (Opcode.bxor, None): True,
          (Opcode.icmp, IntCC.ne): True, (Opcode.icmp, IntCC.eq): False}


class _Loop:
    """A matched loop: header ``h``, latch ``c``, and what the rewrite needs."""
    h: int
    c: int
    mem: int
    a: int          # the parameter x's address is
    b: int          # the parameter y's address is
    n: int          # the count
    x: int
    y: int
    loads: tuple    # the instructions loading x and y
    test: int       # the instruction comparing x and y
    exit_call: tuple        # (X, args) taken at a difference
    done_call: tuple        # (D, args) taken when the count runs out
    nexts: dict             # a', b', n' -> a, b, n
    after_exit: list        # instructions past X using the loop's values
    after_done: list        # instructions past D using the latch's values


def _byte_load(func: Function, v: int, h: int, params: list) -> tuple[int, int] | None:
    """(memory, address parameter) of ``v = uload8.i32 mem p`` in ``h``."""
    dfg = func.dfg
    d = dfg.value_inst(v)
    if (d is None or dfg.op[d] != Opcode.uload8 or dfg.ctrl[d] != I32
            or func.layout.inst_block(d) != h or dfg.inst_imm(d, ImmKind.OFFSET) != 0):
        return None
    mem = dfg.inst_imm(d, ImmKind.MEM)
    p = int(dfg.inst_args(d)[0])
    if func.module is None or func.module.memories[mem].index_type != I32 or p not in params:
        return None
    return mem, p


def _header(func: Function, h: int, lp: _Loop) -> bool:
    """Is ``h`` two byte loads, their compare and a brif out of the loop?"""
    dfg, lay = func.dfg, func.layout
    params = [int(v) for v in dfg.bparams[h]]
    insts = list(lay.insts(h))
    if len(params) != 3 or len(insts) != 4 or any(dfg.vtype[p] != I32 for p in params):
        return False
    term = insts[-1]
    if dfg.op[term] != Opcode.brif:
        return False
    cond = int(dfg.inst_args(term)[0])
    t = dfg.value_inst(cond)
    if t is None or t != insts[2]:
        return False
    cc = dfg.inst_imms(t)[0] if dfg.op[t] == Opcode.icmp else None
    leaves = _TESTS.get((dfg.op[t], cc))
    if leaves is None:
        return False
    x, y = (int(v) for v in dfg.inst_args(t))
    lx, ly = _byte_load(func, x, h, params), _byte_load(func, y, h, params)
    if lx is None or ly is None or lx[0] != ly[0] or lx[1] == ly[1]:
        return False
    if {dfg.value_inst(x), dfg.value_inst(y)} != set(insts[:2]):
        return False
    (tb, targs), (eb, eargs) = dfg.inst_block_calls(term)
    lp.exit_call, (lp.c, cargs) = ((tb, targs), (eb, eargs)) if leaves else ((eb, eargs), (tb, targs))
    if cargs or lp.c == h or lp.exit_call[0] in (h, lp.c):
        return False
    lp.h, lp.mem, lp.a, lp.b, lp.x, lp.y, lp.test = h, lx[0], lx[1], ly[1], x, y, t
    lp.loads = (dfg.value_inst(x), dfg.value_inst(y))
    lp.n = next(p for p in params if p not in (lx[1], ly[1]))
    return True


def _step(func: Function, v: int, c: int) -> tuple[int, int] | None:
    """(p, s) if ``v`` is ``p + s`` (iadd or isub of a constant) made in ``c``."""
    dfg = func.dfg
    d = dfg.value_inst(v)
    if d is None or func.layout.inst_block(d) != c or dfg.op[d] not in (Opcode.iadd, Opcode.isub):
        return None
    p, q = (int(u) for u in dfg.inst_args(d))
    k = iconst_value(dfg, q)
    if k is None and dfg.op[d] == Opcode.iadd:
        p, k = q, iconst_value(dfg, p)
    if k is None:
        return None
    return p, (k if dfg.op[d] == Opcode.iadd else -k) % _M32


def _latch(func: Function, preds: dict, lp: _Loop) -> bool:
    """Does ``c`` step ``a`` and ``b`` by 1 and ``n`` by -1 and go back to
    ``h`` while ``n'`` is not 0, with nothing else in it?"""
    dfg, lay = func.dfg, func.layout
    c, h = lp.c, lp.h
    if preds.get(c) != [h]:
        return False
    term = lay.blast[c]
    if term < 0 or dfg.op[term] != Opcode.brif:
        return False
    (tb, targs), (eb, eargs) = dfg.inst_block_calls(term)
    cond = int(dfg.inst_args(term)[0])
    ci = dfg.value_inst(cond)
    if ci is not None and dfg.op[ci] == Opcode.icmp and lay.inst_block(ci) == c:
        u, w = (int(v) for v in dfg.inst_args(ci))
        if iconst_value(dfg, w) != 0:
            return False
        zero_test, cc = u, dfg.inst_imms(ci)[0]
        if cc not in (IntCC.ne, IntCC.eq):
            return False
        stays = cc == IntCC.ne
    else:
        zero_test, stays = cond, True
    (back, bargs), lp.done_call = ((tb, targs), (eb, eargs)) if stays else ((eb, eargs), (tb, targs))
    if back != h or lp.done_call[0] in (h, c):
        return False
    want = {lp.a: 1, lp.b: 1, lp.n: _M32 - 1}
    lp.nexts = {}
    for p, v in zip(dfg.bparams[h], bargs):
        st = _step(func, int(v), c)
        if st is None or st != (int(p), want[int(p)]):
            return False
        lp.nexts[int(v)] = int(p)
    n_next = next(v for v, p in lp.nexts.items() if p == lp.n)
    if zero_test != n_next:
        return False
    allowed = {dfg.value_inst(v) for v in (*lp.nexts, cond)} | {term}
    return all(inst in allowed or dfg.op[inst] == Opcode.iconst for inst in lay.insts(c))


def _nonzero_on_edge(func: Function, term: int, to: int, v: int) -> bool:
    """Does the brif ``term`` go to ``to`` only when ``v`` is not 0?"""
    dfg = func.dfg
    if dfg.op[term] != Opcode.brif:
        return False
    (tb, _), (eb, _) = dfg.inst_block_calls(term)
    if tb == eb:
        return False
    cond = int(dfg.inst_args(term)[0])
    if cond == v:
        return tb == to
    d = dfg.value_inst(cond)
    if d is None:
        return False
    if dfg.op[d] == Opcode.eqz and int(dfg.inst_args(d)[0]) == v:
        return eb == to
    if dfg.op[d] == Opcode.icmp:
        u, w = (int(x) for x in dfg.inst_args(d))
        if iconst_value(dfg, w) == 0 and u == v or iconst_value(dfg, u) == 0 and w == v:
            cc = dfg.inst_imms(d)[0]
            return (cc == IntCC.ne and tb == to) or (cc == IntCC.eq and eb == to)
    return False


def _entered_nonzero(func: Function, preds: dict, lp: _Loop) -> bool:
    """Is ``h`` entered from one block besides the latch, with a count the
    edge (or the one into a jump-only block before it) proves not 0?"""
    dfg, lay = func.dfg, func.layout
    outside = [q for q in preds[lp.h] if q != lp.c]
    if len(outside) != 1 or lp.h == lay.first_block:
        return False
    e = outside[0]
    term = lay.blast[e]
    calls = dfg.inst_block_calls(term)
    into = [args for b, args in calls if b == lp.h]
    if len(into) != 1:
        return False
    n0 = int(into[0][[int(p) for p in dfg.bparams[lp.h]].index(lp.n)])
    if dfg.op[term] == Opcode.jump:
        g = preds[e]
        return len(g) == 1 and _nonzero_on_edge(func, lay.blast[g[0]], e, n0)
    return _nonzero_on_edge(func, term, lp.h, n0)


def _outside_uses(func: Function, preds: dict, lp: _Loop) -> bool:
    """Record in ``lp.after_exit`` / ``lp.after_done`` the instructions
    outside the loop that use its values, each in a block only the exit
    at a difference (``X``, if ``H`` is its one predecessor) or the one at
    the end (``D``, if ``C`` is) dominates; False if a use is elsewhere, or
    a value of the end is not one the rewrite recomputes (a step or a
    constant: not a byte of the last visit)."""
    dfg, lay = func.dfg, func.layout
    h_vals = {int(p) for p in dfg.bparams[lp.h]}
    h_vals.update(int(r) for inst in lay.insts(lp.h) for r in dfg.inst_results(inst))
    c_vals = {int(r) for inst in lay.insts(lp.c) for r in dfg.inst_results(inst)}
    done_ok = set(lp.nexts) | {v for v in c_vals if iconst_value(dfg, v) is not None}
    if any(int(v) in (h_vals | c_vals) - done_ok for v in lp.done_call[1]):
        return False
    users = [(b, inst) for b in lay.blocks() if b not in (lp.h, lp.c) for inst in lay.insts(b)
             if any(int(v) in h_vals or int(v) in c_vals for v in dfg.uses(inst))]
    lp.after_exit, lp.after_done = [], []
    if not users:
        return True
    from ..cfg import DominatorTree
    dt = DominatorTree(func)
    x, d = lp.exit_call[0], lp.done_call[0]
    for b, inst in users:
        used = {int(v) for v in dfg.uses(inst)}
        if preds[x] == [lp.h] and dt.dominates(x, b) and not used & c_vals:
            lp.after_exit.append(inst)
        elif preds[d] == [lp.c] and dt.dominates(d, b) and not used & (h_vals | c_vals) - done_ok:
            lp.after_done.append(inst)
        else:
            return False
    return True


def _match(func: Function, preds: dict, h: int) -> _Loop | None:
    lp = _Loop()
    if not (_header(func, h, lp) and _latch(func, preds, lp)
            and _entered_nonzero(func, preds, lp) and _outside_uses(func, preds, lp)):
        return None
    return lp


def _rewrite(func: Function, lp: _Loop) -> None:
    dfg, lay = func.dfg, func.layout
    exit_b, exit_args = lp.exit_call
    done_b, done_args = lp.done_call
    latch_consts = {int(r): iconst_value(dfg, int(r)) for inst in lay.insts(lp.c)
                    for r in dfg.inst_results(inst) if iconst_value(dfg, int(r)) is not None}
    for b in (lp.h, lp.c):
        for inst in list(lay.insts(b)):
            lay.remove_inst(inst)
    lay.remove_block(lp.c)
    m, e = dfg.make_block(), dfg.make_block()
    lay.insert_block_after(m, lp.h)
    lay.insert_block_after(e, m)
    at = Cursor(func, None, lp.h)
    k = at.mismatch8(lp.mem, lp.a, lp.b, lp.n)
    at.brif(at.icmp(IntCC.ne, k, lp.n), m, e)
    # At the difference: the loop's values at visit k -- its loads (in
    # bounds now: mismatch8 read those bytes) and its test, copied with
    # the addresses moved on by k.
    at = Cursor(func, None, m)
    vals = {lp.a: int(at.iadd(lp.a, k)), lp.b: int(at.iadd(lp.b, k)), lp.n: int(at.isub(lp.n, k))}
    for inst, covered in ((lp.loads[0], True), (lp.loads[1], True), (lp.test, False)):
        new = _copy_inst(func, inst, covered, {})
        dfg.rewrite_uses(new, vals)
        lay.append_inst(new, m)
        vals[int(dfg.first_result(inst))] = int(dfg.first_result(new))
    at.jump((exit_b, [vals.get(int(v), v) for v in exit_args]))
    for inst in lp.after_exit:
        dfg.rewrite_uses(inst, vals)
    # At the end: the steps' values after the last visit.  (dce drops what
    # nothing uses.)
    at = Cursor(func, None, e)
    ends = {lp.a: at.iadd(lp.a, lp.n), lp.b: at.iadd(lp.b, lp.n), lp.n: at.iconst(I32, 0)}
    vals = {v: int(ends[p]) for v, p in lp.nexts.items()}
    vals.update({v: int(at.iconst(I32, c)) for v, c in latch_consts.items()})
    at.jump((done_b, [vals.get(int(v), v) for v in done_args]))
    for inst in lp.after_done:
        dfg.rewrite_uses(inst, vals)


def run(func: Function) -> bool:
    if func.layout.first_block < 0 or func.module is None:
        return False
    dfg, lay = func.dfg, func.layout
    # A header has 3 parameters and 4 instructions: most functions have none.
    heads = [h for h in lay.blocks() if len(dfg.bparams[h]) == 3
             and sum(1 for _ in lay.insts(h)) == 4]
    changed, preds = False, None
    for h in heads:                   # (a rewrite removes a latch: never a header)
        preds = preds or _preds(func)
        lp = _match(func, preds, h)
        if lp is not None:
            _rewrite(func, lp)
            changed, preds = True, None
    if changed:
        dce.run(func)
    return changed
