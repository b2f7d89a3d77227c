"""Where a function's stack check goes (backends/llvm/traps.py, "stack").

The check traps ``call stack exhausted`` before the stack can overflow.  A
path through a function that makes no Wasm call adds one bounded frame on
top of a checked caller, exactly as a leaf function does (which has no
check: the runtime's reserve absorbs that frame).  So the check only has to
run before the function's first call on every path, not at its entry:
``fib(n) = n < 2 ? n : fib(n - 1) + fib(n - 2)`` checks only when it
recurses, and half of its calls do not.

The block: the nearest common dominator ``D`` of every block that makes a
call (so the check, at the start of ``D``, runs before each call), moved up
the dominator tree while ``D`` lies on a cycle (a check inside a loop would
run once per iteration instead of once per call of the function).  The
entry block when that is where it ends up; None when the function makes no
call.  Calls: ``call``, ``call_indirect``, ``call_ref`` (tail calls replace
the frame instead of adding one).
"""
from __future__ import annotations

from ..cfg import ControlFlowGraph, DominatorTree
from ..function import Function
from ..opcodes import Opcode

CALL_OPS = (Opcode.call, Opcode.call_indirect, Opcode.call_ref)

#: Larger functions keep the check in the entry block (the cycle test is a
#: walk of the CFG per step up the tree).
MAX_BLOCKS = 4096


def _common(dt: DominatorTree, a: int, b: int) -> int:
    idx = dt.rpo_index
    while a != b:
        while idx[a] > idx[b]:
            a = dt.idom[a]
        while idx[b] > idx[a]:
            b = dt.idom[b]
    return a


def _on_cycle(cfg: ControlFlowGraph, b: int) -> bool:
    """Whether some path leaves ``b`` and comes back to it."""
    seen = set()
    stack = list(cfg.succs[b])
    while stack:
        s = stack.pop()
        if s == b:
            return True
        if s not in seen:
            seen.add(s)
            stack.extend(cfg.succs[s])
    return False


def stack_check_block(func: Function) -> int | None:
    """The block at whose start the stack check goes, or None (no calls)."""
    dfg, lay = func.dfg, func.layout
    entry = lay.first_block
    if entry < 0:
        return None
    cfg = ControlFlowGraph(func)
    dt = DominatorTree(func, cfg)
    sites = [b for b in dt.rpo if any(dfg.op[i] in CALL_OPS for i in lay.insts(b))]
    if not sites:
        return None
    if len(dt.rpo) > MAX_BLOCKS:
        return entry
    d = sites[0]
    for b in sites[1:]:
        d = _common(dt, d, b)
    while d != entry and _on_cycle(cfg, d):
        d = dt.idom[d]
    return d
