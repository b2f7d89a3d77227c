"""Tables whose contents are known at compile time (``call_indirect``'s fast path).

A table is *constant* when nothing can change it after instantiation, so its
entries are the ones the init function wrote:

* it is defined here (not imported) and not exported: no other instance and
  no host can reach it (an imported or exported table may be written by the
  host, another instance or a ``--preload`` module);
* its element type is a function reference;
* no function writes it: no ``table.set``/``table.fill``/``table.grow``/
  ``table.copy``/``table.init`` names it, in any function, except the init
  function's entry-block ``table.init`` of an element segment whose items
  are all ``ref.func`` of defined functions or ``ref.null``, with constant
  destination, source and length, in bounds of the table's minimum size
  (an out-of-bounds one traps instantiation, so nothing would run);
* the init function is straight-line (one block), so each such
  ``table.init`` runs exactly once, in order, before any Wasm code.

Its size is then its declared minimum (no ``table.grow``), and entry ``i``
the defined function it holds, or None (null).  The instance's own table
still exists and holds the same entries (``table.get`` reads it); the
constant copy only lets a call skip the loads and the callee's instance.
"""
from __future__ import annotations

from ..module import EXTERN_TABLE
from ..opcodes import OPINFO, ImmKind, Opcode
from ..types import FUNCREF

_WRITERS = (Opcode.table_set, Opcode.table_fill, Opcode.table_grow, Opcode.table_copy,
            Opcode.table_init)


def _tables_named(dfg, inst) -> list[int]:
    """Every table index among the immediates of ``inst``."""
    imms = OPINFO[dfg.op[inst]].imms
    base = dfg.off[inst]
    return [int(dfg.pool[base + k]) for k, kind in enumerate(imms) if kind == ImmKind.TABLE]


def _const(dfg, v) -> int | None:
    """The value of ``v`` if an ``iconst`` defines it."""
    d = dfg.value_inst(v)
    if d is None or dfg.op[d] != Opcode.iconst:
        return None
    return int(dfg.inst_imm(d, ImmKind.IMM64))


def _segment_items(irmod, e: int) -> list[int | None] | None:
    """Element segment ``e``'s items as defined functions / None, or None if
    any item is something else (an imported function, a global)."""
    out: list[int | None] = []
    for it in irmod.elems[e].items:
        if it.op == Opcode.null:
            out.append(None)
        elif it.op == Opcode.func_ref and irmod.funcs[it.value].import_ is None:
            out.append(int(it.value))
        else:
            return None
    return out


def _apply_init(irmod, dfg, inst, contents: dict[int, list]) -> None:
    """Apply one init-function ``table.init`` to ``contents``, or drop its
    table from ``contents`` if it is not a constant, in-bounds one."""
    t = dfg.inst_imm(inst, ImmKind.TABLE)
    if t not in contents:
        return
    vals = [_const(dfg, a) for a in dfg.inst_args(inst)]
    items = _segment_items(irmod, dfg.inst_imm(inst, ImmKind.ELEM))
    if None in vals or items is None:
        del contents[t]
        return
    dst, src, n = vals
    if src + n > len(items) or dst + n > len(contents[t]):
        del contents[t]
        return
    contents[t][dst:dst + n] = items[src:src + n]


def constant_tables(irmod) -> dict[int, tuple[int | None, ...]]:
    """Table index -> its entries (defined function index or None), for
    every constant table of ``irmod`` (module docstring)."""
    exported = {ex.index for ex in irmod.exports if ex.kind == EXTERN_TABLE}
    contents = {i: [None] * t.min for i, t in enumerate(irmod.tables)
                if t.import_ is None and i not in exported and t.elem == FUNCREF}
    init = irmod.init_func
    for fi, d in enumerate(irmod.funcs):
        if not contents:
            break
        if d.body is None:
            continue
        f = d.body
        dfg = f.dfg
        blocks = list(f.blocks())
        for b in blocks:
            for inst in f.insts(b):
                if dfg.op[inst] not in _WRITERS:
                    continue
                if fi == init and len(blocks) == 1 and dfg.op[inst] == Opcode.table_init:
                    _apply_init(irmod, dfg, inst, contents)
                    continue
                for t in _tables_named(dfg, inst):
                    contents.pop(t, None)
    return {t: tuple(c) for t, c in contents.items()}
