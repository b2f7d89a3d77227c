"""unreachable: remove blocks not reachable from the entry, then tidy up.

What:
1. Every block not reachable from the entry block is removed from the layout
   (with its instructions).  Branches in reachable blocks never target an
   unreachable block, so no branch needs fixing; values defined in removed
   blocks can only be used in blocks they dominate, which are removed too.
2. Degenerate branches are simplified: ``brif c, B(args), B(args)`` becomes
   ``jump B(args)``; ``br_table`` entries at the end of the table that equal
   the default are dropped (an index past the table takes the default
   anyway), and a table that is empty or all-default becomes a ``jump``.
3. Block parameters made redundant by the lost predecessors are removed: a
   parameter that receives one and the same value on every incoming edge
   (ignoring edges passing the parameter to itself) is replaced by that value
   and dropped from the block and from every branch to it.  Repeated until
   nothing changes (Braun et al.'s trivial-phi removal, on block params).

Why: constfold turns constant branches into jumps, leaving dead blocks and
single-predecessor merge points behind; the translator also creates
unreachable blocks after ``br``/``return``/``unreachable`` in Wasm code.

Preconditions: a verified function (so the entry block has no predecessors
and its parameters -- the function's arguments -- are never touched).
"""
from __future__ import annotations

from ..builder import replace
from ..cfg import DominatorTree
from ..function import Function
from ..opcodes import Opcode

#: Pass contract (ir/pipeline.py): one function at a time; removes blocks
#: and edges.
KIND = "function"
PRESERVES = frozenset()


def run(func: Function) -> bool:
    changed = _remove_unreachable(func)
    changed |= _simplify_branches(func)
    while _remove_trivial_params(func):
        changed = True
    return changed


def _remove_unreachable(func: Function) -> bool:
    dt = DominatorTree(func)
    changed = False
    for b in func.layout.blocks():
        if not dt.is_reachable(b):
            func.layout.remove_block(b)
            changed = True
    return changed


def _simplify_branches(func: Function) -> bool:
    dfg, lay = func.dfg, func.layout
    changed = False
    for b in lay.blocks():
        inst = lay.last_inst(b)
        if inst is None:
            continue
        op = dfg.op[inst]
        if op == Opcode.brif:
            then, els = dfg.inst_block_calls(inst)
            if then == els:
                replace(func, inst).jump(then)
                changed = True
        elif op == Opcode.br_table:
            calls = dfg.inst_block_calls(inst)
            default, table = calls[0], calls[1:]
            n = len(table)
            while n and table[n - 1] == default:
                n -= 1
            if n == 0:
                replace(func, inst).jump(default)
                changed = True
            elif n < len(table):
                dfg.set_block_calls(inst, [default] + table[:n])
                changed = True
    return changed


def _remove_trivial_params(func: Function) -> bool:
    dfg, lay = func.dfg, func.layout
    entry = lay.first_block
    incoming: dict[int, list[tuple]] = {}
    for b in lay.blocks():
        inst = lay.last_inst(b)
        if inst is None:
            continue
        for tb, args in dfg.inst_block_calls(inst):
            if dfg.bparams[tb]:
                incoming.setdefault(int(tb), []).append(args)
    mapping: dict[int, int] = {}

    def resolve(v: int) -> int:
        while v in mapping:
            v = mapping[v]
        return v

    drops: dict[int, set[int]] = {}
    for b in lay.blocks():
        params = dfg.bparams[b]
        if b == entry or not params:
            continue
        calls = incoming.get(int(b))
        if not calls:
            continue
        for k, p in enumerate(params):
            vals = {resolve(int(args[k])) for args in calls} - {p}
            if len(vals) == 1:
                (v,) = vals
                if v != p:       # resolve() never yields p itself here
                    mapping[p] = v
                    drops.setdefault(int(b), set()).add(k)
    if not mapping:
        return False
    func.replace_uses(mapping)
    func.remove_block_params(drops)
    return True
