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
before the store's write.  Accesses of one run share a *root*: their
address values are ``R + k`` for one SSA value ``R`` and constants ``k``
(through ``iadd``/``isub`` with constants, as trapelim splits them).

Different constants (``p`` and ``p + 600``, ``p + 1``: unrolled loops,
neighbouring rows) are merged only where wrapping cannot change the trap.
The check goes on the lowest address of the run, ``A = R + kmin`` (a
member's own address value), with end ``E = max(k - kmin + off + size)``.
If no member's ``A + d`` wraps past 2^32 that is exactly the largest end
of the run; if one does, ``A >= 2^32 - dmax`` and the check traps, and so
must Wasm: the member at ``A`` itself (offset and size ``off0 + size0``)
traps when ``2^32 - dmax + off0 + size0 > S``, ``S`` the largest size the
memory can have, i.e. when ``dmax < 2^32 - S + off0 + size0``.  ``S`` is
the declared maximum (else 4 GiB, or 2^32 - 1 for 1-byte pages), and at
most ``max_memory_bytes``: 2^32 - 1 on 32-bit targets
(:func:`for_pointer_bytes`), whose address space a memory cannot fill, so
that a size of 65536-byte pages is at most 2^32 - 65536 there and
addresses up to 64 KiB apart merge.  A run whose addresses are further
apart keeps one run per address value.

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

import functools

from ..cfg import ControlFlowGraph
from ..function import Function
from ..opcodes import OPINFO, ImmKind, MemFlags, Opcode
from ..trapcodes import TrapCode
from ..types import I32, NOTYPE
from .trapelim import split_const

KIND = "function"
PRESERVES = frozenset({"cfg"})

_OOB = (TrapCode.memory_out_of_bounds,)
_M32 = 1 << 32


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


def _signed32(k: int) -> int:
    return k - _M32 if k >= 1 << 31 else k


def max_size(decl, max_memory_bytes: int = _M32) -> int | None:
    """The largest byte size memory ``decl`` can ever have (module
    docstring), or None for a memory64 one (merged per address value)."""
    if decl.index_type != I32:
        return None
    page = 1 << decl.page_size_log2
    top = _M32 if decl.max is None else decl.max * page
    top = min(top, _M32 if page > 1 else _M32 - 1, max_memory_bytes)
    return top - top % page


def _insert_check(func: Function, mem: int, root: int, kmin: int, end: int, before: int) -> None:
    """``bounds_check mem (root + kmin)+end`` before ``before`` (``root``
    is available there: it is an operand, a few additions deep, of the
    address of ``before``)."""
    dfg, lay = func.dfg, func.layout
    addr = root
    if kmin % _M32:
        c = dfg.make_inst(Opcode.iconst, I32, (kmin % _M32,), (), None, (I32,))
        a = dfg.make_inst(Opcode.iadd, I32, (), (root, dfg.res[c]), None, (I32,))
        lay.insert_inst_before(c, before)
        lay.insert_inst_before(a, before)
        addr = dfg.res[a]
    check = dfg.make_inst(Opcode.bounds_check, NOTYPE, (mem, end), (addr,), None, ())
    lay.insert_inst_before(check, before)


def _close(func: Function, mem: int, root: int, run: list, size_max: int | None) -> bool:
    """Merge one run ``[(inst, k, end, flags), ...]`` (same memory, same
    root ``R``, ``k`` signed); True if it changed something."""
    if len(run) < 2:
        return False
    kmin = min(m[1] for m in run)
    end0 = max(m[2] for m in run if m[1] == kmin)         # the members at the lowest address
    dmax = max(m[1] for m in run) - kmin
    if dmax and (size_max is None or dmax >= _M32 - size_max + end0):
        by_addr: dict[int, list] = {}                      # too far apart: per address value
        for m in run:
            by_addr.setdefault(m[1], []).append(m)
        changed = False
        for r in by_addr.values():
            changed |= _close(func, mem, root, r, None)
        return changed
    end = max(k - kmin + e for _, k, e, _ in run)
    first = run[0]
    if first[1] == kmin and end <= first[2]:
        return False                 # the first access is the check (trapelim did the rest)
    addr = func.dfg.inst_args(first[0])[0] if first[1] == kmin else None
    _insert_check(func, mem, root if addr is None else addr, 0 if addr is not None else kmin, end,
                  first[0])
    for inst, _, _, flags in run:
        func.dfg.set_imm(inst, ImmKind.MEMFLAGS, flags | MemFlags.NOTRAP)
    return True


def _chain_next(func: Function, cfg: ControlFlowGraph, b: int) -> int | None:
    """The block ``b`` jumps to if ``b`` is its only way in (it always runs
    right after ``b``), else None."""
    term = func.layout.blast[b]
    if term < 0 or func.dfg.op[term] != Opcode.jump:
        return None
    (s,) = func.dfg.inst_successors(term)
    return s if len(cfg.preds[s]) == 1 and s != b else None


def for_pointer_bytes(pointer_bytes: int):
    """The pass's ``run`` for a target with ``pointer_bytes``-byte
    pointers: on a 32-bit target no memory reaches 4 GiB (module doc)."""
    if pointer_bytes >= 8:
        return run
    return functools.partial(run, max_memory_bytes=_M32 - 1)


def _close_all(func: Function, runs: dict, sizes: list) -> bool:
    changed = False
    for (mem, root), r in runs.items():
        changed |= _close(func, mem, root, r, sizes[mem] if mem < len(sizes) else None)
    return changed


def run(func: Function, max_memory_bytes: int = _M32) -> bool:
    dfg, lay = func.dfg, func.layout
    cfg = ControlFlowGraph(func)
    mems = func.module.memories if func.module is not None else []
    sizes = [max_size(m, max_memory_bytes) for m in mems]
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
            for inst in list(lay.insts(b)):
                info = OPINFO[dfg.op[inst]]
                m = _member(dfg, inst, info)
                if m is not None:
                    mem, end, flags = m
                    root, k = split_const(dfg, int(dfg.inst_args(inst)[0]))
                    runs.setdefault((mem, root), []).append((inst, _signed32(k), end, flags))
                    if not info.writes:
                        continue
                elif not _barrier(info) or (info.is_terminator and nxt is not None):
                    continue
                changed |= _close_all(func, runs, sizes)
                runs = {}
            b = nxt
        changed |= _close_all(func, runs, sizes)   # (a chain ends in a terminator: empty)
    return changed
