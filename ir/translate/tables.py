"""Tables and references: table.get/set/size/grow/fill/copy/init,
elem.drop, ref.null/is_null/func.

What: one IR op per Wasm op, operands in Wasm order; the IR ops carry the
table index (and the element segment) as immediates.  Bounds traps are the
IR ops' contract.  The IR's table ops take i32 indices and lengths; a
table64 (memory64) table's i64 operands are narrowed first (:func:`narrow`)
and its i32 results widened, so nothing below the translator knows.
"""
from __future__ import annotations

from ..opcodes import IntCC, Opcode
from ...frontend.types import erase
from ..trapcodes import TrapCode
from ..types import FUNCREF, I32, I64, NOTYPE

_O = Opcode
_GET, _SET, _SIZE, _GROW = int(_O.table_get), int(_O.table_set), int(_O.table_size), int(_O.table_grow)
_FILL, _COPY, _INIT, _DROP = int(_O.table_fill), int(_O.table_copy), int(_O.table_init), int(_O.elem_drop)
_NULL, _IS_NULL, _FUNC_REF = int(_O.null), int(_O.is_null), int(_O.func_ref)
_I32, _I64 = (I32,), (I64,)
_ICONST, _ICMP, _SELECT = int(_O.iconst), int(_O.icmp), int(_O.select)
_IREDUCE, _UEXTEND = int(_O.ireduce), int(_O.uextend)


def _is64(t, tab) -> bool:
    return t.module.tables[tab].index_type == I64


def narrow(t, v: int) -> int:
    """A table64 index, fill or copy length (i64) as the i32 the IR's table
    ops take: values above 0xFFFFFFFF become 0xFFFFFFFF.  Sound because a
    table never holds 0xFFFFFFFF entries (the runtime's limit is below
    that): the narrowed operand is out of bounds, or a grow fails, exactly
    when the original one is."""
    big = t.value(_ICONST, I64, (0xFFFFFFFF,), (), _I64)
    over = t.value(_ICMP, I64, (int(IntCC.ugt),), (v, big), _I32)
    v = t.value(_SELECT, I64, (), (over, big, v), _I64)
    return t.value(_IREDUCE, I32, (), (v,), _I32)


def _widen_result(t, r: int) -> int:
    """table.grow's i32 result as table64's i64: -1 stays -1 (failure),
    an old size (below 0xFFFFFFFF) is zero-extended."""
    neg = t.value(_ICONST, I64, ((1 << 64) - 1,), (), _I64)
    fail = t.value(_ICMP, I32, (int(IntCC.eq),), (r, t.value(_ICONST, I32, (0xFFFFFFFF,), (), _I32)),
                   _I32)
    return t.value(_SELECT, I64, (), (fail, neg, t.value(_UEXTEND, I64, (), (r,), _I64)), _I64)


def _narrow_args(t, args: list[int], which) -> list[int]:
    return [narrow(t, a) if w else a for a, w in zip(args, which)]


def _table_get(t, tab):
    s = t.stack
    i = narrow(t, s[-1]) if _is64(t, tab) else s[-1]
    s[-1] = t.value(_GET, NOTYPE, (tab,), (i,), (t.module.tables[tab].elem,))


def _table_set(t, tab):
    i, v = t.pop_n(2)
    t.emit(_SET, NOTYPE, (tab,), (narrow(t, i) if _is64(t, tab) else i, v))


def _table_size(t, tab):
    n = t.value(_SIZE, NOTYPE, (tab,), (), _I32)
    t.stack.append(t.value(_UEXTEND, I64, (), (n,), _I64) if _is64(t, tab) else n)


def _table_grow(t, tab):
    v, n = t.pop_n(2)
    if not _is64(t, tab):
        t.stack.append(t.value(_GROW, NOTYPE, (tab,), (v, n), _I32))
        return
    r = t.value(_GROW, NOTYPE, (tab,), (v, narrow(t, n)), _I32)
    t.stack.append(_widen_result(t, r))


def _table_fill(t, tab):
    w = _is64(t, tab)
    t.emit(_FILL, NOTYPE, (tab,), _narrow_args(t, t.pop_n(3), (w, False, w)))


def _table_copy(t, imm):
    dst, src = imm
    d64, s64 = _is64(t, dst), _is64(t, src)
    # the length has the narrower type: i64 only when both tables are 64-bit
    args = _narrow_args(t, t.pop_n(3), (d64, s64, d64 and s64))
    t.emit(_COPY, NOTYPE, (dst, src), args)


def _table_init(t, imm):
    elem, tab = imm
    args = _narrow_args(t, t.pop_n(3), (_is64(t, tab), False, False))
    t.emit(_INIT, NOTYPE, (tab, elem), args)


def _elem_drop(t, elem):
    t.emit(_DROP, NOTYPE, (elem,), ())


def _ref_null(t, heaptype):
    ty = erase(heaptype)            # the heap type is its nullable reference type
    t.stack.append(t.value(_NULL, ty, (), (), (ty,)))


def _ref_is_null(t, _):
    s = t.stack
    s[-1] = t.value(_IS_NULL, NOTYPE, (), (s[-1],), _I32)


def _ref_func(t, f):
    t.stack.append(t.value(_FUNC_REF, NOTYPE, (f,), (), (FUNCREF,)))


def _ref_as_non_null(t, _):
    """Traps ``null_reference`` on null; the value stays on the stack."""
    c = t.value(_IS_NULL, NOTYPE, (), (t.stack[-1],), _I32)
    t.emit(_TRAPNZ, NOTYPE, (int(TrapCode.null_reference),), (c,))


_TRAPNZ = int(_O.trapnz)


HANDLERS = {
    "ref.as_non_null": _ref_as_non_null,
    "table.get": _table_get, "table.set": _table_set, "table.size": _table_size,
    "table.grow": _table_grow, "table.fill": _table_fill, "table.copy": _table_copy,
    "table.init": _table_init, "elem.drop": _elem_drop,
    "ref.null": _ref_null, "ref.is_null": _ref_is_null, "ref.func": _ref_func,
}
