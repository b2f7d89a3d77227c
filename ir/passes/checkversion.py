"""checkversion: a small function whose checks are off one parameter gets an unchecked copy, entered after one test (explicit mode).

What: in a function of at most :data:`MAX_INSTS` instructions, the
trapping accesses (and ``bounds_check``) of a 32-bit memory whose address
is a parameter ``p``, or ``p + t`` with ``t`` in a known unsigned range
``[lo, hi]`` (``ir.analysis.ranges``: ``m->r[i->b]``, ``i->b`` a byte), all
lie in ``[p, p + E)``, ``E`` the largest ``hi + offset + size``.  When
there are at least :data:`MIN_CHECKS` of them (and ``E`` is at most
:data:`MAX_END`), the function becomes::

    block_new(params):                      ; the new entry
        c = in_bounds memN p+E
        brif c, fast_entry(params), old_entry(params)

where the old blocks are unchanged (the *slow* copy) and ``fast_*`` is a
copy of them in which those accesses are ``notrap`` and those
``bounds_check`` are gone.  A function called in a loop with
``p`` inside memory (the usual case) then makes one compare per call
instead of one per access.

Why the trap stays exact: the slow copy is the original function, so
whenever the test fails nothing changes.  When it passes, ``p + E <=
size`` (computed in 64 bits, so ``p + hi`` cannot wrap past 2^32), and
every covered access touches ``[p + t + off, p + t + off + size) `` with
``t <= hi``, so inside ``[p, p + E)``: none of them could trap, the size
never shrinks, and so they need no check in the fast copy.  The ranges
are the analysis's facts at the access's block, which hold in the copy
too (same instructions, same branches).

Cost: code size (the function twice), so only small functions, and only
when at least :data:`MIN_CHECKS` checks go (the test itself is one).
Explicit mode only, after ``checkmerge`` (which may leave a
``bounds_check`` off ``p``: it is covered like an access).

Preconditions: verified SSA; the entry block's parameters are the
function's.
"""
from __future__ import annotations

from ..analysis.ranges import Ranges, unsigned
from ..function import Function
from ..opcodes import ImmKind, MemFlags, Opcode
from ..types import I32, NOTYPE
from .trapelim import checked_access

KIND = "function"
PRESERVES: frozenset = frozenset()

#: Largest function copied (live instructions): the copy doubles its code.
MAX_INSTS = 160
#: Fewest checks the fast copy must drop (the test costs one).
MIN_CHECKS = 2
#: Largest span ``E`` tested: a wider one would often fail for a ``p``
#: near the end of a small memory (then the slow copy runs: correct, no
#: faster).
MAX_END = 1 << 16


def _param_offset(dfg, ranges: Ranges, block: int, a: int, params: set) -> tuple[int, int] | None:
    """``(p, hi)`` when address ``a`` is ``p`` or ``p + t`` with ``t`` at
    most ``hi`` (unsigned, below 2^31), ``p`` a parameter; else None."""
    if a in params:
        return a, 0
    d = dfg.value_inst(a)
    if d is None or dfg.op[d] != Opcode.iadd:
        return None
    x, y = dfg.inst_args(d)
    for p, t in ((x, y), (y, x)):
        if p in params:
            lo, hi = unsigned(ranges.at(block, t), 32)
            if hi < 1 << 31:
                return p, hi
    return None


def _candidates(func: Function) -> tuple[int, int, int, list[int]] | None:
    """The group to test: ``(mem, p, E, covered instructions)``, or None."""
    dfg, lay = func.dfg, func.layout
    mems = func.module.memories if func.module is not None else None
    params = {int(v) for v in dfg.block_params(lay.first_block) if dfg.value_type(v) == I32}
    if not params or mems is None:
        return None
    ranges = None
    groups: dict[tuple[int, int], list] = {}
    for b in lay.blocks():
        for i in lay.insts(b):
            acc = checked_access(dfg, i, dfg.inst_info(i))
            if acc is None or mems[acc[0]].index_type != I32:
                continue
            mem, end = acc[:2]
            ranges = ranges or Ranges(func)
            s = _param_offset(dfg, ranges, b, int(dfg.inst_args(i)[0]), params)
            if s is not None:
                groups.setdefault((mem, s[0]), []).append((i, s[1] + end))
    best = max(groups.items(), key=lambda kv: len(kv[1]), default=None)
    if best is None or len(best[1]) < MIN_CHECKS:
        return None
    (mem, p), members = best
    end = max(e for _, e in members)
    if not 1 <= end <= MAX_END:
        return None
    return mem, p, end, [i for i, _ in members]


def _copy(func: Function, covered: set) -> tuple[int, dict]:
    """Append a copy of every block (``covered`` accesses ``notrap``,
    covered ``bounds_check`` dropped); (copy of the entry, value map)."""
    dfg, lay = func.dfg, func.layout
    blocks = list(lay.blocks())
    bmap = {int(b): int(dfg.make_block()) for b in blocks}
    vmap: dict[int, int] = {}
    for b in blocks:
        for v in dfg.block_params(b):
            vmap[int(v)] = int(dfg.append_block_param(bmap[b], dfg.value_type(v)))
    made = []
    for b in blocks:
        lay.append_block(bmap[b])
        for i in list(lay.insts(b)):
            info = dfg.inst_info(i)
            if i in covered and info.opcode == Opcode.bounds_check:
                continue
            imms = list(dfg.inst_imms(i))
            if i in covered:
                imms[info.imms.index(ImmKind.MEMFLAGS)] |= MemFlags.NOTRAP
            calls = None
            if info.branches:
                calls = [(bmap[int(t)], args) for t, args in dfg.inst_block_calls(i)]
            rtys = [dfg.value_type(v) for v in dfg.inst_results(i)]
            n = dfg.make_inst(dfg.op[i], dfg.ctrl[i], imms, dfg.inst_args(i), calls, rtys)
            for old, new in zip(dfg.inst_results(i), dfg.inst_results(n)):
                vmap[int(old)] = int(new)
            lay.append_inst(n, bmap[b])
            made.append(n)
    for n in made:
        dfg.rewrite_uses(n, vmap)
    return bmap[int(blocks[0])], vmap


def run(func: Function) -> bool:
    dfg, lay = func.dfg, func.layout
    if lay.first_block < 0 or func.num_live_insts() > MAX_INSTS:
        return False
    group = _candidates(func)
    if group is None:
        return False
    mem, p, end, covered = group
    old_entry = lay.first_block
    fast_entry, _ = _copy(func, set(covered))
    entry = int(dfg.make_block())
    args = [int(dfg.append_block_param(entry, dfg.value_type(v))) for v in dfg.block_params(old_entry)]
    lay.insert_block_first(entry)
    pnew = args[[int(v) for v in dfg.block_params(old_entry)].index(p)]
    test = dfg.make_inst(Opcode.in_bounds, NOTYPE, (mem, end), (pnew,), None, (I32,))
    lay.append_inst(test, entry)
    br = dfg.make_inst(Opcode.brif, NOTYPE, (), (dfg.res[test],),
                       [(fast_entry, args), (old_entry, args)], ())
    lay.append_inst(br, entry)
    return True
