"""prefetch: a loop's base address, known before an earlier loop, is prefetched where it is known.

What: a load in a loop ``L`` at ``R + X`` (constants peeled), whose base
``R = iadd p, q`` is defined outside ``L`` -- a probe of a table slot or
a hash bucket, ``bucket = table + (key << k)`` then ``bucket[i]`` for
several ``i`` -- gets ``prefetch memN p + q`` at the end of the block
``D`` where the later of ``p`` and ``q`` is defined, when ``D`` lies
before ``R``'s block ``P`` with another loop in between::

    block1:                               block1:
        v5 = ishl.i32 v4, v3                  v5 = ishl.i32 v4, v3
                                              v20 = iadd.i32 v1, v5
                                              prefetch mem0 v20
        jump block2                           jump block2
    block2: ... (a loop)             =>   block2: ... (a loop)
    block3:                               block3:
        v6 = iadd.i32 v1, v5                  v6 = iadd.i32 v1, v5
        jump block4                           jump block4
    block4: v7 = load mem0 v6+v8 ...      block4: v7 = load mem0 v6+v8 ...

Why: a producer computes such a base early and uses it late; the hardware
cannot start the load before it reaches the loop, and when the line
misses the cache the loop waits for it.  Native code often says so
itself: brotli's hash-chain search prefetches its bucket as soon as it
has hashed the position, then checks the last distances (a loop), then
walks the bucket.  Wasm has no prefetch instruction, so clang drops the
hint when it compiles to wasm32 and the bucket load waits: with this
pass brotli ran 1.16x -> 1.08x native (benchmarks/README.md, "Prefetch").
A prefetch never faults and changes nothing the program can observe, so
the pass is free of any soundness condition; its only cost is one
instruction and, when the loop does not touch the line after all, one
line fetched for nothing.  The conditions keep that rare:

* every path from ``D`` reaches ``P`` before leaving the function (a path
  may end in a trap) and before coming back to ``D``: the prefetch runs
  no more often than the loop is reached;
* a loop lies on the way (a block of the walk is a loop header whose loop
  does not contain ``D``): without one the processor's own window sees
  the load early enough, and the prefetch would only add an instruction;
* ``D`` is not ``P`` (nothing to gain), and one prefetch per base.

Which targets: those whose prefetch cannot fault (``Target.prefetch``:
x86-64, AArch64); the driver adds the pass last, after ``dce`` (which
keeps a ``prefetch``: it is a hint, ir/opcodes.py).

Preconditions: verified SSA.
"""
from __future__ import annotations

from ..builder import Cursor
from ..cfg import ControlFlowGraph, DominatorTree, natural_loops
from ..dfg import VK_RESULT
from ..function import Function
from ..opcodes import ImmKind, Opcode
from .trapelim import split_const

KIND = "function"
PRESERVES = frozenset({"cfg"})

#: Loads whose address may be a probe (the first operand is the address).
_LOADS = frozenset({Opcode.load, Opcode.uload8, Opcode.sload8, Opcode.uload16,
                    Opcode.sload16, Opcode.uload32, Opcode.sload32})
#: How many blocks the walk from D to P may visit (compile time).
WALK_LIMIT = 256


def run(func: Function) -> bool:
    cfg = ControlFlowGraph(func)
    dom = DominatorTree(func, cfg)
    loops = natural_loops(func, cfg, dom)
    if not loops:
        return False
    dfg = func.dfg
    seen: set[tuple[int, int]] = set()
    done = _present(func)
    todo: list[tuple[int, int, int, int]] = []     # (D, mem, p, q)
    for body in loops.values():
        for b in body:
            for inst in func.insts(b):
                if dfg.op[inst] not in _LOADS:
                    continue
                for r in _bases(func, dfg.inst_args(inst)[0], body):
                    mem = dfg.inst_imm(inst, ImmKind.MEM)
                    if (mem, r) in seen:
                        continue
                    seen.add((mem, r))
                    pq = tuple(dfg.inst_args(dfg.value_inst(r)))
                    if (mem, pq) in done:
                        continue
                    site = _site(func, cfg, dom, loops, r)
                    if site is not None:
                        done.add((mem, pq))
                        todo.append((site, mem, *pq))
    for d, mem, p, q in todo:
        at = Cursor(func, func.layout.blast[d])
        at.prefetch(mem, at.iadd(p, q))
    return bool(todo)


def _present(func: Function) -> set[tuple[int, tuple[int, int]]]:
    """``(mem, (p, q))`` of the prefetches already there (an IR input that
    went through the pass before): the pass adds none twice."""
    dfg = func.dfg
    out = set()
    for b in func.layout.blocks():
        for inst in func.insts(b):
            if dfg.op[inst] == Opcode.prefetch:
                d = dfg.value_inst(dfg.inst_args(inst)[0])
                if d is not None and dfg.op[d] == Opcode.iadd:
                    out.add((dfg.inst_imm(inst, ImmKind.MEM), tuple(dfg.inst_args(d))))
    return out


def _block_of(func: Function, v: int) -> int:
    dfg = func.dfg
    if dfg.vkind[v] == VK_RESULT:
        return int(func.layout.inst_block(dfg.vdef[v]))
    return dfg.vdef[v]


def _bases(func: Function, addr: int, body: set[int]) -> list[int]:
    """The operands ``R`` of the address's root ``R + X`` that are defined
    outside the loop and are themselves an ``iadd``."""
    dfg = func.dfg
    d = dfg.value_inst(split_const(dfg, addr)[0])
    if d is None or dfg.op[d] != Opcode.iadd:
        return []
    out = []
    for r in dfg.inst_args(d):
        rd = dfg.value_inst(r)
        if rd is not None and dfg.op[rd] == Opcode.iadd and _block_of(func, r) not in body:
            out.append(r)
    return out


def _site(func, cfg, dom, loops, r: int) -> int | None:
    """The block ``D`` to prefetch ``R`` in, or None (module docstring)."""
    dfg = func.dfg
    p_blk = _block_of(func, r)
    a, b = (_block_of(func, v) for v in dfg.inst_args(dfg.value_inst(r)))
    d = b if dom.dominates(a, b) else a         # the later definition
    if d == p_blk or not dom.dominates(d, p_blk):
        return None
    far = False
    seen = {d}
    todo = list(cfg.succs[d])
    while todo:
        x = todo.pop()
        if x == p_blk:
            continue
        if x == d or len(seen) > WALK_LIMIT:
            return None                          # around D without P, or too far
        if x in seen:
            continue
        seen.add(x)
        if not cfg.succs[x] and dfg.op[func.layout.blast[x]] != Opcode.trap:
            return None                          # leaves the function without P
        if x in loops and d not in loops[x]:
            far = True
        todo.extend(cfg.succs[x])
    return d if far else None
