"""Locals, globals and the parametric instructions (drop, select).

What: ``local.get/set/tee`` emit nothing -- they read and write SSA
variables (:mod:`.ssa`), so a local costs IR only where its definitions
merge.  ``global.get/set`` become ``global_get/global_set``; ``select``
(typed or not: the IR op takes its type from the operands) becomes
``select cond, a, b``; ``drop`` pops.
"""
from __future__ import annotations

from ..opcodes import Opcode
from ..types import NOTYPE

_GLOBAL_GET = int(Opcode.global_get)
_GLOBAL_SET = int(Opcode.global_set)
_SELECT = int(Opcode.select)


def _local_get(t, x):
    t.stack.append(t.ssa.use_var(x, t.cur))


def _local_set(t, x):
    t.ssa.def_var(x, t.cur, t.stack.pop())


def _local_tee(t, x):
    t.ssa.def_var(x, t.cur, t.stack[-1])


def _global_get(t, g):
    t.stack.append(t.value(_GLOBAL_GET, NOTYPE, (g,), (), (t.module.globals[g].type,)))


def _global_set(t, g):
    t.emit(_GLOBAL_SET, NOTYPE, (g,), (t.stack.pop(),))


def _drop(t, _):
    t.stack.pop()


def _select(t, _):
    s = t.stack
    c = s.pop()
    b = s.pop()
    a = s[-1]
    ty = t.dfg.vtype[a]
    s[-1] = t.value(_SELECT, ty, (), (c, a, b), (ty,))


HANDLERS = {
    "local.get": _local_get, "local.set": _local_set, "local.tee": _local_tee,
    "global.get": _global_get, "global.set": _global_set,
    "drop": _drop, "select": _select,
}
