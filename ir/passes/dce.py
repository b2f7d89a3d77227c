"""dce: dead code elimination of removable instructions.

What: removes every instruction none of whose results is (transitively)
used by something that must stay.  "Must stay" = terminators, calls,
anything that writes memory/tables/globals/segments, hints (``prefetch``),
and anything that can trap -- a trap is observable behaviour, so an unused ``sdiv`` whose divisor
may be zero, an unused trapping ``load`` or a ``bounds_check`` is kept.
Pure instructions and non-trapping reads (``global_get``, ``memory_size``,
``notrap`` loads) are removable.  One refinement: ``udiv``/``urem`` by a
non-zero constant, ``srem`` by a non-zero constant and ``sdiv`` by a
constant other than 0 and -1 cannot trap, so they are removable too.

Why: folding and branch simplification leave unused definitions behind;
fewer instructions is less work for every later stage.

How: mark-live worklist from the roots over the use-def edges, O(n).  Block
parameters are not removed here (see ``unreachable`` for redundant params).

Preconditions: none beyond a well-formed function (unused results of removed
instructions are, by construction, unused).
"""
from __future__ import annotations

from ..dfg import VK_RESULT
from ..function import Function
from ..opcodes import OPINFO, Opcode
from .. import wasm_numerics as wn
from ..types import bits

#: Pass contract (ir/pipeline.py): one function at a time; terminators
#: always stay, so blocks and edges are unchanged.
KIND = "function"
PRESERVES = frozenset({"cfg"})

_DIVS = {Opcode.sdiv, Opcode.srem, Opcode.udiv, Opcode.urem}


def removable(func: Function, inst: int) -> bool:
    """May ``inst`` be deleted when its results are unused?"""
    dfg = func.dfg
    info = OPINFO[dfg.op[inst]]
    if info.is_terminator or info.writes or info.is_hint:   # calls count as writes
        return False
    if not info.may_trap or not dfg.can_trap(inst):
        return True
    if dfg.op[inst] in _DIVS:
        d = dfg.inst_args(inst)[1]
        if dfg.vkind[d] == VK_RESULT and dfg.op[dfg.vdef[d]] == Opcode.iconst:
            c = dfg.pool[dfg.off[dfg.vdef[d]]]
            w = bits(dfg.ctrl[inst])
            # only sdiv has a second trap (INT_MIN / -1); srem(INT_MIN, -1) == 0
            if c != 0 and (dfg.op[inst] != Opcode.sdiv or c != wn.mask(w)):
                return True
    return False


# Per-opcode answers, so the common case costs one list index.
_PURE = [i.is_pure or (not i.is_terminator and not i.writes and not i.may_trap
                       and not i.is_hint) for i in OPINFO]
_NEVER = [i.is_terminator or i.writes or i.is_hint for i in OPINFO]


def run(func: Function) -> bool:
    dfg = func.dfg
    vkind, vdef, op = dfg.vkind, dfg.vdef, dfg.op
    live = bytearray(dfg.num_insts)
    work = []
    insts = list(func.all_insts())
    for i in insts:
        o = op[i]
        if _PURE[o]:
            continue
        if _NEVER[o] or not removable(func, i):
            live[i] = 1
            work.append(i)
    while work:
        i = work.pop()
        for v in dfg.uses(i):
            if vkind[v] == VK_RESULT:
                d = vdef[v]
                if not live[d]:
                    live[d] = 1
                    work.append(d)
    changed = False
    remove = func.layout.remove_inst
    for i in insts:
        if not live[i]:
            remove(i)
            changed = True
    return changed
