"""trapelim: mark memory accesses proven in bounds notrap, remove redundant bounds checks.

What: an access of S bytes at ``vA+off`` (or a ``bounds_check memN vA+E``)
needs no check when one of these proves ``zext(A) + off + S <= size``:

1. **Ranges** (:mod:`wasmaot.ir.analysis.ranges`): the largest unsigned
   value ``A`` can have where the access runs, plus ``off + S``, is at most
   the memory's *minimum* byte size (declared initial pages times the page
   size; for an import, the minimum it declares, which instantiation
   checks).  Memory never shrinks, so that holds at every point of every
   run.  This proves accesses at constant addresses, through masks
   (``i & 1023``), narrow loads, ``urem``, and loops whose induction
   variables the analysis bounds (``for (i = 0; i < 700; i++) A[i]`` on a
   static array).
2. **Dominating facts**: walking the dominator tree, a ``bounds_check``
   or a trapping access establishes ``zext(X) + E <= size`` for its address
   value ``X`` (after it; it would have trapped otherwise).  Addresses are
   split into ``root + k`` (``k`` a constant, through ``iadd``/``isub`` with
   constants).  A fact ``(root + k0, E0)`` covers an access at ``root + k``
   with end ``e`` when

   * ``c = (k - k0) mod 2^32`` has ``c + e <= E0`` (then ``c < E0``, so
     ``zext(X) + c`` cannot wrap: ``zext(X) <= size - E0 <= 2^32 - E0``), or
   * ``d = (k0 - k) mod 2^32`` is at most the fact address's unsigned lower
     bound (from the ranges: ``root + k`` does not wrap below 0) and
     ``e <= E0 + d``.

   Without a lower bound, a fact at ``p + 8`` says nothing about ``p``:
   ``p + 8`` may have wrapped to a small address while ``p`` is out of
   bounds.
3. **Loop counters**: an access at ``v + k`` where ``v`` counts up by
   one in a loop that runs while ``v + d != e`` (or ``<``; ``e`` the same
   in every iteration, :meth:`Ranges.upper_bounds`) is at most ``e + c``
   (``c = k - d``), which a dominating fact on ``e + c`` covers (rule 2
   on ``e``'s root), when ``e + c`` cannot wrap (``e``'s range; for ``c <
   0``, the counter's lower bound).  This proves ``for (i = 0; i != n;
   i++) a[i]`` after ``a[n - 1]`` or ``a[n]`` was accessed (a buffer
   filled, then read up to its fill count).

Covered accesses become ``notrap`` (no check in explicit mode, no guard
"keep" in guard mode); covered ``bounds_check`` instructions are deleted.
Nothing is hoisted or merged here: every trap stays where it was, the
first access of a group keeps its check.

Why: explicit mode (microcontrollers, 32-bit hosts) pays a compare and
branch per access, guard mode an optimization barrier per load (see
``guard_keep`` in backends/llvm/traps.py); both vanish for proven accesses.

Soundness: linear memory never shrinks (``memory.grow`` only grows it), so a
range proven in bounds stays in bounds across calls and ``memory.grow``.
Facts are keyed on SSA values, which are immutable; the emitter adds
``zext(A) + off`` in 64-bit arithmetic, so that sum never wraps.

Preconditions: verified SSA (dominance is what makes facts sound).
"""
from __future__ import annotations

from ..analysis.ranges import Ranges, unsigned
from ..cfg import ControlFlowGraph, DominatorTree
from ..function import Function
from ..opcodes import OPINFO, ImmKind, MemFlags, Opcode
from ..types import I32

#: Pass contract (ir/pipeline.py): one function at a time; only bounds_check
#: instructions go and memflags change; terminators stay.
KIND = "function"
PRESERVES = frozenset({"cfg"})

_M32 = 1 << 32
#: Facts kept per (memory, root): enough for a struct's fields; more would
#: make the scan quadratic in huge blocks.
_MAX_FACTS = 32
_PEEL = 8     # iadd/isub-with-constant steps followed to find a root


def _min_bytes(func: Function) -> list[int | None]:
    """Per memory, the byte size it has at least (None: not memory32, whose
    addresses this pass does not reason about)."""
    if func.module is None:
        return []
    return [m.min << m.page_size_log2 if m.index_type == I32 else None
            for m in func.module.memories]


def split_const(dfg, v: int) -> tuple[int, int]:
    """``(root, k)`` with ``v == root + k`` (mod 2^32)."""
    k = 0
    for _ in range(_PEEL):
        d = dfg.value_inst(v)
        if d is None or dfg.op[d] not in (Opcode.iadd, Opcode.isub):
            break
        a, b = dfg.inst_args(d)
        cb, ca = iconst_value(dfg, b), iconst_value(dfg, a)
        if cb is not None:
            k += cb if dfg.op[d] == Opcode.iadd else -cb
            v = a
        elif ca is not None and dfg.op[d] == Opcode.iadd:
            k += ca
            v = b
        else:
            break
    return v, k % _M32


def iconst_value(dfg, v: int) -> int | None:
    d = dfg.value_inst(v)
    return dfg.pool[dfg.off[d]] if d is not None and dfg.op[d] == Opcode.iconst else None


def _covered(facts: list, k: int, end: int) -> bool:
    for k0, e0, lo0 in facts:
        c = (k - k0) % _M32
        if c + end <= e0:
            return True
        d = (k0 - k) % _M32
        if d <= lo0 and end <= e0 + d:
            return True
    return False


def _counter_covered(dfg, ranges: Ranges, facts: dict, b: int, mem: int, root: int, k: int,
                     end: int) -> bool:
    """An access at ``root + k`` with ``root`` a loop counter bounded by
    ``e`` (``lo <= root + d <= e``: :meth:`Ranges.upper_bounds`), so at
    most ``e + c`` for ``c = k - d``, covered by a fact on ``e + c``
    (module doc, rule 3)."""
    if dfg.vtype[root] != I32:
        return False
    for e, d, lo in ranges.upper_bounds(root):
        c = (k - d) % _M32
        if c >= 1 << 31:                   # below the counter: no wrap below 0
            if lo < _M32 - c:
                continue
        elif unsigned(ranges.at(b, e), 32)[1] + c >= _M32:
            continue                       # e + c might wrap
        eroot, ek = split_const(dfg, e)
        known = facts.get((mem, eroot))
        if not known:
            continue
        # A fact on e's own value: e >= the counter >= lo bounds it too.
        known = [(k0, e0, max(lo0, lo) if k0 == ek else lo0) for k0, e0, lo0 in known]
        if _covered(known, (ek + c) % _M32, end):
            return True
    return False


def checked_access(dfg, inst: int, info) -> tuple[int, int, int] | None:
    """``(mem, end, flags)`` of a trapping access or check, else None
    (flags -1 for a bounds_check)."""
    if inst is None:
        return None
    if info.opcode == Opcode.bounds_check:
        mem, off = dfg.inst_imms(inst)
        return mem, off, -1
    if info.access and ImmKind.MEMFLAGS in info.imms:
        flags, mem, off = dfg.inst_imms(inst)[:3]   # lane accesses add a lane imm
        if MemFlags.notrap(flags):
            return None
        return mem, off + dfg.access_bytes(inst), flags
    return None


def run(func: Function) -> bool:
    dfg, lay = func.dfg, func.layout
    if lay.first_block < 0:
        return False
    cfg = ControlFlowGraph(func)
    dt = DominatorTree(func, cfg)
    mins = _min_bytes(func)
    ranges: Ranges | None = None
    facts: dict[tuple[int, int], list] = {}
    changed = False
    # Iterative preorder walk with an undo log per block (scoped facts).
    stack: list[tuple[int, bool, list]] = [(lay.first_block, False, [])]
    while stack:
        b, leaving, undo = stack.pop()
        if leaving:
            for key in reversed(undo):
                facts[key].pop()
            continue
        stack.append((b, True, undo))
        for inst in lay.insts(b):
            acc = checked_access(dfg, inst, OPINFO[dfg.op[inst]])
            if acc is None:
                continue
            mem, end, flags = acc
            addr = int(dfg.inst_args(inst)[0])
            lo, proven = 0, False
            if mem < len(mins) and mins[mem] is not None:
                if ranges is None:
                    ranges = Ranges(func, cfg, dt)
                lo, hi = unsigned(ranges.at(b, addr), 32)
                proven = hi + end <= mins[mem]
            root, k = split_const(dfg, addr)
            key = (mem, root)
            known = facts.get(key)
            if not proven and not (known and _covered(known, k, end)) and facts:
                if ranges is None:
                    ranges = Ranges(func, cfg, dt)
                proven = _counter_covered(dfg, ranges, facts, b, mem, root, k, end)
            if proven or (known and _covered(known, k, end)):
                if flags < 0:
                    lay.remove_inst(inst)
                else:
                    dfg.set_imm(inst, ImmKind.MEMFLAGS, flags | MemFlags.NOTRAP)
                changed = True
                continue
            if known is None:
                known = facts[key] = []
            if len(known) < _MAX_FACTS:
                known.append((k, end, lo))
                undo.append(key)
        for c in reversed(dt.children[b]):
            stack.append((c, False, []))
    return changed
