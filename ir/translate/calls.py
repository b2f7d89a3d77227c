"""Calls: ``call`` and ``call_indirect``, and the tail calls ``return_call``
and ``return_call_indirect``.

What: arguments are popped in Wasm order, results (any number: multi-value)
pushed in order; the IR ops take the callee signature from the function
(``call fnN``) or the type index (``call_indirect sigT tableX``, whose first
operand is the table index).  The signature and type checks of
``call_indirect`` are the IR op's contract (emitter).  A tail call is a
terminator with no successors (like ``return``, whose values are the
callee's results): the rest of the Wasm block is dead code.
"""
from __future__ import annotations

from ..opcodes import Opcode
from ..types import I64, NOTYPE
from .exceptions import check_after_call
from .tables import narrow

_CALL = int(Opcode.call)
_CALL_INDIRECT = int(Opcode.call_indirect)
_RETURN_CALL = int(Opcode.return_call)
_RETURN_CALL_INDIRECT = int(Opcode.return_call_indirect)
_CALL_REF = int(Opcode.call_ref)
_RETURN_CALL_REF = int(Opcode.return_call_ref)


def _call(t, f):
    sig = t.module.funcs[f].sig
    inst = t.emit(_CALL, NOTYPE, (f,), t.pop_n(len(sig.params)), sig.results)
    t.stack.extend(t.results_of(inst))
    if f not in t.module.nothrow:
        check_after_call(t)


def _call_indirect(t, imm):
    typeidx, table = imm
    sig = t.module.sigs[typeidx]
    idx = t.stack.pop()
    if t.module.tables[table].index_type == I64:
        idx = narrow(t, idx)
    args = t.pop_n(len(sig.params))
    args.insert(0, idx)
    inst = t.emit(_CALL_INDIRECT, NOTYPE, (typeidx, table), args, sig.results)
    t.stack.extend(t.results_of(inst))
    check_after_call(t)


def _return_call(t, f):
    sig = t.module.funcs[f].sig
    t.emit(_RETURN_CALL, NOTYPE, (f,), t.pop_n(len(sig.params)))
    t.terminate()


def _return_call_indirect(t, imm):
    typeidx, table = imm
    sig = t.module.sigs[typeidx]
    idx = t.stack.pop()
    if t.module.tables[table].index_type == I64:
        idx = narrow(t, idx)
    args = t.pop_n(len(sig.params))
    args.insert(0, idx)
    t.emit(_RETURN_CALL_INDIRECT, NOTYPE, (typeidx, table), args)
    t.terminate()


def _call_ref(t, typeidx):
    """``call_ref $t``: the funcref is on top of the arguments; the IR op
    takes it first."""
    sig = t.module.sigs[typeidx]
    f = t.stack.pop()
    args = t.pop_n(len(sig.params))
    inst = t.emit(_CALL_REF, NOTYPE, (typeidx,), [f, *args], sig.results)
    t.stack.extend(t.results_of(inst))
    check_after_call(t)


def _return_call_ref(t, typeidx):
    sig = t.module.sigs[typeidx]
    f = t.stack.pop()
    args = t.pop_n(len(sig.params))
    t.emit(_RETURN_CALL_REF, NOTYPE, (typeidx,), [f, *args])
    t.terminate()


HANDLERS = {"call": _call, "call_indirect": _call_indirect, "return_call": _return_call,
            "return_call_indirect": _return_call_indirect, "call_ref": _call_ref,
            "return_call_ref": _return_call_ref}
