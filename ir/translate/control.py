"""Control instructions: block, loop, if/else, end, br, br_if, br_table,
return, unreachable, nop.

What: each structured instruction pushes or pops a :class:`~.state.Frame`
and creates IR blocks with parameters for the values that flow along edges
(Wasm stack values only; locals flow through :mod:`.ssa`).

* ``block``: no IR block at entry; the merge block (params = results) is
  created by the first branch to it, or at ``end``; if nothing branches to
  it, ``end`` simply continues in the current block.
* ``loop``: a header block (params = loop params) entered by a jump; it is
  sealed at ``end``; the loop's ``end`` falls through without a new block.
* ``if``: ``brif cond, then, else``; the param values stay on the stack and
  dominate both arms.  Without ``else``, the else edge is retargeted at
  ``end`` to the merge block, passing the params straight through.
* ``br`` to the function's label is ``return``; ``br_if``/``br_table`` to
  it go to the function frame's merge block, which returns its params.

``SKIP`` holds the handlers that run in dead code (nesting bookkeeping).
"""
from __future__ import annotations

from ..opcodes import Opcode
from ..trapcodes import TrapCode
from ..types import I32, NOTYPE
from .exceptions import SKIP as _EH_SKIP
from .exceptions import end_legacy, end_try
from .state import BLOCK, ELSE, FUNC, IF, LCATCH, LOOP, LTRY, TRY, Frame

_BRIF = int(Opcode.brif)
_BR_TABLE = int(Opcode.br_table)
_RETURN = int(Opcode["return"])
_TRAP = int(Opcode.trap)
_IS_NULL = int(Opcode.is_null)


def _block(t, bt):
    params, results = t.blocktype(bt)
    t.ctrl.append(Frame(BLOCK, params, results, len(t.stack) - len(params)))


def _loop(t, bt):
    params, results = t.blocktype(bt)
    n = len(params)
    h = t.new_block(False, params)
    t.jump(h, t.top_n(n))
    t.switch(h)
    s = t.stack
    s[len(s) - n:] = t.block_params(h)
    f = Frame(LOOP, params, results, len(s) - n)
    f.header = h
    t.ctrl.append(f)


def _if(t, bt):
    c = t.stack.pop()
    params, results = t.blocktype(bt)
    then_b = t.new_block()
    else_b = t.new_block()
    f = Frame(IF, params, results, len(t.stack) - len(params))
    f.param_vals = tuple(t.top_n(len(params)))
    f.if_block = t.cur
    f.else_block = else_b
    # The else edge's predecessor is recorded at `else`/`end`, when it is
    # known where it goes (else arm, or the merge block if there is none).
    f.brif = inst = t.dfg.make_inst(_BRIF, NOTYPE, (), (c,), [(then_b, ()), (else_b, ())], ())
    t.layout.append_inst(inst, t.cur)
    t.ssa.add_pred(then_b, t.cur, inst, 0)
    if t.hint is not None:
        # The arm the hint calls unlikely is cold.  then_b has no other
        # predecessor; else_b neither, but without an `else` the edge goes
        # to the merge block instead, through a cold block of its own
        # (_end).
        t.layout.set_cold(else_b if t.hint else then_b)
    t.ctrl.append(f)
    t.switch(then_b)


def _else(t, _):
    f = t.ctrl[-1]
    if not t.dead:
        t.jump(t.merge_of(f), t.top_n(len(f.results)))
    del t.stack[f.height:]
    t.stack.extend(f.param_vals)
    t.ssa.add_pred(f.else_block, f.if_block, f.brif, 1)
    f.kind = ELSE
    t.switch(f.else_block)


def _end(t, _):
    f = t.ctrl.pop()
    kind = f.kind
    if kind == LOOP:
        t.ssa.seal(f.header)
        return                       # falls through in the current block
    if kind == TRY and f.handler >= 0:
        end_try(t, f)                # leaves this block dead
    elif kind == LTRY or kind == LCATCH:
        end_legacy(t, f)             # likewise
    if kind == IF:
        m = t.merge_of(f)
        if not t.dead:
            t.jump(m, t.top_n(len(f.results)))
        then_call = t.dfg.inst_block_calls(f.brif)[0]
        if t.layout.is_cold(f.else_block):
            # a likely `if` without `else`: its false edge reaches the merge
            # block through the cold else block (a plain jump)
            t.dfg.set_block_calls(f.brif, [then_call, (f.else_block, ())])
            t.ssa.add_pred(f.else_block, f.if_block, f.brif, 1)
            t.switch(f.else_block)
            t.jump(m, f.param_vals)
        else:
            t.dfg.set_block_calls(f.brif, [then_call, (m, f.param_vals)])
            t.ssa.add_pred(m, f.if_block, f.brif, 1)
    elif f.merge < 0:
        # Nothing branched here: continue in the current block (results are
        # already on top of the stack), or stay dead.
        if kind == FUNC and not t.dead:
            t.branch(_RETURN, t.top_n(len(f.results)), ())
            t.terminate()
        return
    else:
        m = f.merge
        if not t.dead:
            t.jump(m, t.top_n(len(f.results)))
    t.ssa.seal(m)
    t.switch(m)
    del t.stack[f.height:]
    t.stack.extend(t.block_params(m)[:len(f.results)])
    if kind == FUNC:
        t.branch(_RETURN, t.top_n(len(f.results)), ())
        t.terminate()


def _br(t, depth):
    f = t.ctrl[-1 - depth]
    if f.kind == FUNC:
        t.branch(_RETURN, t.top_n(len(f.results)), ())
    else:
        b, n = t.target(depth)
        t.jump(b, t.top_n(n))
    t.terminate()


def _br_if(t, depth):
    c = t.stack.pop()
    b, n = t.target(depth)
    cont = t.new_block()
    if t.hint == 0:
        # unlikely taken: the edge goes through a cold block of its own (the
        # target is shared)
        cold = t.new_block()
        t.layout.set_cold(cold)
        args = t.top_n(n)
        t.branch(_BRIF, (c,), [(cold, ()), (cont, ())])
        t.switch(cold)
        t.jump(b, args)
    else:
        t.branch(_BRIF, (c,), [(b, t.top_n(n)), (cont, ())])
        if t.hint == 1:
            t.layout.set_cold(cont)       # likely taken: the fall-through is cold
    t.switch(cont)


def _br_table(t, imm):
    labels, default = imm
    idx = t.stack.pop()
    b, n = t.target(default)
    args = tuple(t.top_n(n))
    calls = [(b, args)]
    target = t.target
    for d in labels:
        calls.append((target(d)[0], args))
    t.branch(_BR_TABLE, (idx,), calls)
    t.terminate()


def _return(t, _):
    t.branch(_RETURN, t.top_n(len(t.ctrl[0].results)), ())
    t.terminate()


def _unreachable(t, _):
    t.emit(_TRAP, NOTYPE, (int(TrapCode.unreachable),), ())
    t.terminate()


def _nop(t, _):
    pass


def _br_on_null(t, depth):
    """Branch to ``depth`` (with the values below the reference) if the
    reference is null; else continue with it."""
    s = t.stack
    v = s.pop()
    c = t.value(_IS_NULL, NOTYPE, (), (v,), (I32,))
    b, n = t.target(depth)
    cont = t.new_block()
    t.branch(_BRIF, (c,), [(b, t.top_n(n)), (cont, ())])
    t.switch(cont)
    s.append(v)


def _br_on_non_null(t, depth):
    """Branch to ``depth`` with the reference (the label's last value) if it
    is not null; else continue without it."""
    s = t.stack
    v = s.pop()
    c = t.value(_IS_NULL, NOTYPE, (), (v,), (I32,))
    b, n = t.target(depth)
    cont = t.new_block()
    t.branch(_BRIF, (c,), [(cont, ()), (b, (*t.top_n(n - 1), v))])
    t.switch(cont)


HANDLERS = {
    "br_on_null": _br_on_null, "br_on_non_null": _br_on_non_null,
    "block": _block, "loop": _loop, "if": _if, "else": _else, "end": _end,
    "br": _br, "br_if": _br_if, "br_table": _br_table, "return": _return,
    "unreachable": _unreachable, "nop": _nop,
}


# ---- dead code: only nesting matters -------------------------------------------
def _skip_open(t, _):
    t.skip += 1


def _skip_else(t, imm):
    if t.skip == 0:
        _else(t, imm)


def _skip_end(t, imm):
    if t.skip:
        t.skip -= 1
    else:
        _end(t, imm)


SKIP = {"block": _skip_open, "loop": _skip_open, "if": _skip_open, "try_table": _skip_open,
        "try": _skip_open, **_EH_SKIP,
        "else": _skip_else, "end": _skip_end}
