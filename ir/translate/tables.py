"""Tables and references: table.get/set/size/grow/fill/copy/init,
elem.drop, ref.null/is_null/func.

What: one IR op per Wasm op, operands in Wasm order; the IR ops carry the
table index (and the element segment) as immediates.  Bounds traps are the
IR ops' contract.
"""
from __future__ import annotations

from ..opcodes import Opcode
from ...frontend.types import erase
from ..trapcodes import TrapCode
from ..types import FUNCREF, I32, NOTYPE

_O = Opcode
_GET, _SET, _SIZE, _GROW = int(_O.table_get), int(_O.table_set), int(_O.table_size), int(_O.table_grow)
_FILL, _COPY, _INIT, _DROP = int(_O.table_fill), int(_O.table_copy), int(_O.table_init), int(_O.elem_drop)
_NULL, _IS_NULL, _FUNC_REF = int(_O.null), int(_O.is_null), int(_O.func_ref)
_I32 = (I32,)


def _table_get(t, tab):
    s = t.stack
    s[-1] = t.value(_GET, NOTYPE, (tab,), (s[-1],), (t.module.tables[tab].elem,))


def _table_set(t, tab):
    t.emit(_SET, NOTYPE, (tab,), t.pop_n(2))


def _table_size(t, tab):
    t.stack.append(t.value(_SIZE, NOTYPE, (tab,), (), _I32))


def _table_grow(t, tab):
    t.stack.append(t.value(_GROW, NOTYPE, (tab,), t.pop_n(2), _I32))


def _table_fill(t, tab):
    t.emit(_FILL, NOTYPE, (tab,), t.pop_n(3))


def _table_copy(t, imm):
    dst, src = imm
    t.emit(_COPY, NOTYPE, (dst, src), t.pop_n(3))


def _table_init(t, imm):
    elem, tab = imm
    t.emit(_INIT, NOTYPE, (tab, elem), t.pop_n(3))


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
