"""checkmerge: one bounds check for a run of accesses off one address (explicit mode).

What: in a block, accesses (trapping loads/stores) to the same memory and
the same address value ``X`` at different static offsets, with nothing
observable between them, get one ``bounds_check memN X+E`` before the
first of them, ``E`` the largest end offset of the run, and all become
``notrap``::

    v1 = load.i32 mem0 v0          bounds_check mem0 v0+16
    v2 = load.i32 mem0 v0+8   =>   v1 = load.i32 notrap mem0 v0
    v3 = load.i64 mem0 v0+8        v2 = load.i32 notrap mem0 v0+8
                                   v3 = load.i64 notrap mem0 v0+8

The rule (why the trap stays exact): the check traps iff the access with
the largest end would, so it never traps when Wasm does not; when it
traps, Wasm would have trapped at that access or at an earlier one of the
run, and between the check and that access the program does nothing
observable: only instructions that neither write (no store, call,
``global_set``, table or bulk-memory operation, ``memory.grow``) nor trap
with another code (division, conversion, ``trapz``, ``call_indirect``...).
Loads of other addresses may be in between: their trap would have the
same code (``out of bounds memory access``) and nothing happens between
either trap point.  A store may join a run (its write follows the check:
if the check traps, Wasm traps at the store or before it, and a trapping
store writes nothing) but ends it: a later access's trap must not move
before the store's write.  Only one SSA address value per run (an access
at ``X + c`` computed by an ``iadd`` may have wrapped to a small address
while ``X + c + off`` as a check would not: different traps).

A run may go on through a ``jump`` into a block that has no other
predecessor (that block always runs next, so its accesses are as certain to
execute as the ones before the jump).  A run whose first access already has
the largest end needs nothing new (trapelim, which runs before, marks the
rest ``notrap``).

Why a separate pass: a ``bounds_check`` is a compare and branch in both
bounds modes.  In explicit mode it replaces several; in guard mode the
accesses cost no instruction, so the check would only add one.  The driver
runs it for ``--bounds explicit`` only (after ``trapelim``).

Preconditions: verified SSA.
"""
from __future__ import annotations

from ..cfg import ControlFlowGraph
from ..function import Function
from ..opcodes import OPINFO, ImmKind, MemFlags, Opcode
from ..trapcodes import TrapCode
from ..types import NOTYPE

KIND = "function"
PRESERVES = frozenset({"cfg"})

_OOB = (TrapCode.memory_out_of_bounds,)


def _barrier(info) -> bool:
    """Observable: writes something, or may trap with another code."""
    if info.writes or info.is_terminator:
        return True
    if not info.may_trap:
        return False
    return info.trap_imm or tuple(info.traps) != _OOB


def _member(dfg, inst, info):
    """``(mem, end, flags)`` of a trapping memory access, else None."""
    if not info.access or ImmKind.MEMFLAGS not in info.imms:
        return None
    flags, mem, off = dfg.inst_imms(inst)[:3]
    if MemFlags.notrap(flags):
        return None
    return mem, off + dfg.access_bytes(inst), flags


def _close(func: Function, run: list) -> bool:
    """Merge one run ``[(inst, end, flags), ...]`` (same memory, same
    address); True if it changed something."""
    if len(run) < 2:
        return False
    end = max(e for _, e, _ in run)
    first, first_end, _ = run[0]
    if end <= first_end:
        return False
    dfg = func.dfg
    mem = dfg.inst_imm(first, ImmKind.MEM)
    addr = dfg.inst_args(first)[0]
    check = dfg.make_inst(Opcode.bounds_check, NOTYPE, (mem, end), (addr,), None, ())
    func.layout.insert_inst_before(check, first)
    for inst, _, flags in run:
        dfg.set_imm(inst, ImmKind.MEMFLAGS, flags | MemFlags.NOTRAP)
    return True


def _chain_next(func: Function, cfg: ControlFlowGraph, b: int) -> int | None:
    """The block ``b`` jumps to if ``b`` is its only way in (it always runs
    right after ``b``), else None."""
    term = func.layout.blast[b]
    if term < 0 or func.dfg.op[term] != Opcode.jump:
        return None
    (s,) = func.dfg.inst_successors(term)
    return s if len(cfg.preds[s]) == 1 and s != b else None


def run(func: Function) -> bool:
    dfg, lay = func.dfg, func.layout
    cfg = ControlFlowGraph(func)
    nexts = {b: _chain_next(func, cfg, b) for b in lay.blocks()}
    inner = {n for n in nexts.values() if n is not None}
    changed = False
    done: set[int] = set()
    for head in lay.blocks():
        if head in inner:
            continue
        runs: dict[tuple[int, int], list] = {}
        b = head
        while b is not None and b not in done:     # a chain: each block follows the last
            done.add(b)
            nxt = nexts[b]
            for inst in lay.insts(b):
                info = OPINFO[dfg.op[inst]]
                m = _member(dfg, inst, info)
                if m is not None:
                    mem, end, flags = m
                    runs.setdefault((mem, int(dfg.inst_args(inst)[0])), []).append((inst, end, flags))
                    if not info.writes:
                        continue
                elif not _barrier(info) or (info.is_terminator and nxt is not None):
                    continue
                for r in runs.values():
                    changed |= _close(func, r)
                runs = {}
            b = nxt
        for r in runs.values():              # (a chain ends in a terminator: empty)
            changed |= _close(func, r)
    return changed
