"""Exception handling (Wasm 3.0, the exnref form): ``throw``,
``throw_ref``, ``try_table`` and the check after each call.

How exceptions travel (backends/ABI.md "Exceptions"): no unwinder.  An
exception is a heap object (``exn_new``; an ``externref``-typed pointer in
the IR, as ``exnref`` erases to it).  Inside one function, raising it is a
``jump`` to the dispatch block of the innermost enclosing ``try_table``;
with none, ``exn_propagate`` stores it in the per-thread *pending* slot and
returns.  Every caller that may see that (``FuncTranslator.eh``: the module
has tags or imports functions from other instances) loads the slot after
each call and, when it is set, clears it and raises the exception again in
its own frame (propagating keeps it set).  So exception edges are ordinary
IR branches: every pass already understands them, the code runs on every
target (bare-metal firmware too), and a module that cannot see an
exception pays nothing.  A trap never enters any of this: traps unwind with
the runtime's longjmp, past every handler.

Why not a ``try_call`` terminator (Cranelift's: a call with a normal and
handler successors, exception tables for an unwinder): without an unwinder
such a terminator would lower to exactly this load, test and branch, and
every call that may throw needs the edge, inside a try_table or not (out of
the function is an edge too).  Spelling the edge as ``exn_pending`` +
``brif`` keeps the DFG's one branch form (no call with successors: the
design review's O3 change to variadic branches is not needed), and the
passes (constfold, dce, unreachable, trapelim) see plain control flow.

A ``try_table`` is a block (Frame kind TRY) that remembers its catch
clauses; its dispatch block (parameter: the exnref) is created by the
first raise inside it and filled at its ``end``: one ``exn_is`` test per
``catch``/``catch_ref`` in order, then ``catch_all``; with no match the
exception is raised again outside.  Catch labels are resolved after the
try_table's frame is popped, as the spec resolves them (outside it).

Lifetime of exception objects: ``catch`` and ``catch_all`` free the object
(``exn_free``, to the runtime's free list) once its payload is read, so a
throw caught without ``_ref`` leaks nothing.  An exnref that escapes into
Wasm values (``catch_ref``, ``catch_all_ref``: ``exn_keep`` marks it) lives
as long as the program, and a later ``exn_free`` of it does nothing:
without a garbage collector there is no knowing when the last copy dies
(``throw_ref`` reuses the object, it never copies).
"""
from __future__ import annotations

from ..opcodes import Opcode
from ..trapcodes import TrapCode
from ..types import EXTERNREF, I32, NOTYPE
from .state import HANDLER_KINDS, LCATCH, LTRY, TRY, Frame

_O = Opcode
_EXN_NEW = int(_O.exn_new)
_EXN_PENDING = int(_O.exn_pending)
_EXN_CLEAR = int(_O.exn_clear)
_EXN_PROPAGATE = int(_O.exn_propagate)
_EXN_IS = int(_O.exn_is)
_EXN_FIELD = int(_O.exn_field)
_EXN_FREE = int(_O.exn_free)
_EXN_KEEP = int(_O.exn_keep)
_IS_NULL = int(_O.is_null)
_BRIF = int(_O.brif)
_TRAPNZ = int(_O.trapnz)
_EXN_T = (EXTERNREF,)

CATCH, CATCH_REF, CATCH_ALL, CATCH_ALL_REF = range(4)


def _innermost_try(t, top: int | None = None) -> Frame | None:
    """The innermost frame that catches (HANDLER_KINDS) among ``t.ctrl[:top
    + 1]`` (default: all)."""
    ctrl = t.ctrl if top is None else t.ctrl[:top + 1]
    for f in reversed(ctrl):
        if f.kind in HANDLER_KINDS:
            return f
    return None


def raise_exn(t, exn: int, top: int | None = None) -> None:
    """Raise exception value ``exn`` here: to the innermost handler's
    dispatch (only frames up to ``t.ctrl[top]``: ``delegate``), or out of
    the function.  Ends the current block."""
    f = _innermost_try(t, top)
    if f is None:
        t.emit(_EXN_PROPAGATE, NOTYPE, (), (exn,))
    else:
        if f.handler < 0:
            f.handler = t.new_block(False, _EXN_T)
        t.jump(f.handler, (exn,))
    t.terminate()


def check_after_call(t) -> None:
    """After a call: if the callee left an exception pending, raise it in
    this function (clearing the slot when a handler here may take it)."""
    if not t.eh:
        return
    exn = t.value(_EXN_PENDING, NOTYPE, (), (), _EXN_T)
    none = t.value(_IS_NULL, NOTYPE, (), (exn,), (I32,))
    cont = t.new_block()
    thrown = t.new_block()
    t.branch(_BRIF, (none,), [(cont, ()), (thrown, ())])
    t.switch(thrown)
    if _innermost_try(t) is not None:
        t.emit(_EXN_CLEAR, NOTYPE, (), ())
    raise_exn(t, exn)
    t.switch(cont)


def _tag_params(t, tag: int) -> tuple:
    return t.module.sigs[t.module.tags[tag].sig].params


def _throw(t, tag: int) -> None:
    sig = t.module.tags[tag].sig
    args = t.pop_n(len(t.module.sigs[sig].params))
    raise_exn(t, t.value(_EXN_NEW, NOTYPE, (sig, tag), args, _EXN_T))


def _throw_ref(t, _) -> None:
    exn = t.stack.pop()
    null = t.value(_IS_NULL, NOTYPE, (), (exn,), (I32,))
    t.emit(_TRAPNZ, NOTYPE, (int(TrapCode.null_reference),), (null,))
    raise_exn(t, exn)


def _try_table(t, imm) -> None:
    bt, catches = imm
    params, results = t.blocktype(bt)
    f = Frame(TRY, params, results, len(t.stack) - len(params))
    f.catches = catches
    t.ctrl.append(f)


def end_try(t, f: Frame) -> None:
    """At a try_table's ``end`` (its frame already popped), when something
    inside raised: fall through to the merge block, then fill the dispatch
    block.  The caller goes on as for a block whose merge block exists."""
    if not t.dead:
        t.jump(t.merge_of(f), t.top_n(len(f.results)))
    t.ssa.seal(f.handler)
    t.switch(f.handler)
    exn = t.block_params(f.handler)[0]
    for kind, tag, label in f.catches:
        b, _ = t.target(label)
        if kind >= CATCH_ALL:
            t.emit(_EXN_FREE if kind == CATCH_ALL else _EXN_KEEP, NOTYPE, (), (exn,))
            t.jump(b, (exn,) if kind == CATCH_ALL_REF else ())
            t.terminate()
            return
        hit = t.value(_EXN_IS, NOTYPE, (tag,), (exn,), (I32,))
        yes = t.new_block()
        no = t.new_block()
        t.branch(_BRIF, (hit,), [(yes, ()), (no, ())])
        t.switch(yes)
        vals = [t.value(_EXN_FIELD, ty, (k,), (exn,), (ty,))
                for k, ty in enumerate(_tag_params(t, tag))]
        if kind == CATCH_REF:
            vals.append(exn)
        t.emit(_EXN_FREE if kind == CATCH else _EXN_KEEP, NOTYPE, (), (exn,))
        t.jump(b, vals)
        t.switch(no)
    raise_exn(t, exn)


# ---- legacy exception handling: try / catch / catch_all / delegate / rethrow ----
# A legacy ``try`` is a handler frame (LTRY) until its first arm; then an
# LCATCH frame, whose ``next_test`` is the block where the next ``catch``
# tests the exception (the dispatch block at first; -1 once a catch_all took
# it, or when nothing in the body raised: the arms are then dead code).  An
# arm gets the exception as ``exn``, for ``rethrow``; an arm that ends
# normally frees it (one that branches out leaks it: nothing else knows),
# unless it was rethrown (kept: another arm may still hold it).
# At ``end``, an exception no arm took is raised outside.  ``delegate l``
# raises whatever its body raised at label ``l`` (outside the try): to the
# handlers from that frame outwards.

def _try(t, bt) -> None:
    params, results = t.blocktype(bt)
    t.ctrl.append(Frame(LTRY, params, results, len(t.stack) - len(params)))


def _end_arm(t, f: Frame) -> None:
    """The body or an arm of legacy try ``f`` ends: on to the merge block."""
    if not t.dead:
        if f.kind == LCATCH and f.exn >= 0:
            t.emit(_EXN_FREE, NOTYPE, (), (f.exn,))
        t.jump(t.merge_of(f), t.top_n(len(f.results)))
        t.terminate()
    del t.stack[f.height:]
    if f.kind == LTRY:
        f.kind = LCATCH
        if f.handler >= 0:
            t.ssa.seal(f.handler)
            f.next_test = f.handler
            f.exn = t.block_params(f.handler)[0]


def _catch(t, tag: int) -> None:
    f = t.ctrl[-1]
    _end_arm(t, f)
    if f.next_test < 0:
        return                          # dead arm
    t.switch(f.next_test)
    hit = t.value(_EXN_IS, NOTYPE, (tag,), (f.exn,), (I32,))
    yes = t.new_block()
    no = t.new_block()
    t.branch(_BRIF, (hit,), [(yes, ()), (no, ())])
    t.switch(yes)
    t.stack.extend(t.value(_EXN_FIELD, ty, (k,), (f.exn,), (ty,))
                   for k, ty in enumerate(_tag_params(t, tag)))
    f.next_test = no


def _catch_all(t, _) -> None:
    f = t.ctrl[-1]
    _end_arm(t, f)
    if f.next_test >= 0:
        t.switch(f.next_test)
        f.next_test = -1


def end_legacy(t, f: Frame) -> None:
    """At a legacy try's ``end`` (frame popped): the last arm ends, and an
    exception no arm took goes on outside."""
    _end_arm(t, f)
    if f.next_test >= 0:
        t.switch(f.next_test)
        raise_exn(t, f.exn)


def _delegate(t, label: int) -> None:
    f = t.ctrl.pop()
    if not t.dead:
        t.jump(t.merge_of(f), t.top_n(len(f.results)))
        t.terminate()
    if f.handler >= 0:
        t.ssa.seal(f.handler)
        t.switch(f.handler)
        raise_exn(t, t.block_params(f.handler)[0], len(t.ctrl) - 1 - label)
    del t.stack[f.height:]
    if f.merge < 0:
        return                          # nothing gets past the try: stays dead
    t.ssa.seal(f.merge)
    t.switch(f.merge)
    t.stack.extend(t.block_params(f.merge)[:len(f.results)])


def _rethrow(t, label: int) -> None:
    """The arm's exception again.  Marked kept: the arm (and any arm
    around it holding the same object) may still use it after a handler
    inside took it, so no catch may recycle it any more."""
    exn = t.ctrl[-1 - label].exn
    t.emit(_EXN_KEEP, NOTYPE, (), (exn,))
    raise_exn(t, exn)


def _skip_arm(handler):
    """In dead code: an arm of the try being skipped at this level may be
    live again (its exception came from the body)."""
    def skip(t, imm):
        if t.skip == 0:
            handler(t, imm)
    return skip


def _skip_delegate(t, label: int) -> None:
    if t.skip:
        t.skip -= 1                     # closes a dead nested try
    else:
        _delegate(t, label)


HANDLERS = {"throw": _throw, "throw_ref": _throw_ref, "try_table": _try_table,
            "try": _try, "catch": _catch, "catch_all": _catch_all, "delegate": _delegate,
            "rethrow": _rethrow}
SKIP = {"catch": _skip_arm(_catch), "catch_all": _skip_arm(_catch_all),
        "delegate": _skip_delegate}
