"""constfold: constant folding with exact WebAssembly semantics.

What: an instruction whose operands are all ``iconst``/``fconst`` results is
rewritten in place into an ``iconst``/``fconst`` of its result (the result
value keeps its number, so no use needs rewriting).  Also: ``select`` on a
constant condition (or with equal arms) forwards the chosen operand; ``brif``
on a constant becomes a ``jump``; ``br_table`` on a constant becomes a
``jump`` to the selected target; ``trapz``/``trapnz`` whose condition
makes them never trap are deleted.

Why: the translator emits constants literally (Wasm code is full of them,
and the microcontroller targets compile at -O0-like speed); folding here is
cheap, target independent, and feeds ``unreachable`` and ``dce``.

Semantics (all in :mod:`wasmaot.ir.wasm_numerics`): integer ops wrap, shift
counts are masked, f32 arithmetic is rounded exactly once to f32.  NOT
folded, on purpose:

* anything that traps at run time for these operands (div/rem by zero,
  ``sdiv INT_MIN, -1``, float->int truncation of NaN/out of range): the trap
  is the program's behaviour and must happen at run time;
* float operations whose result is a NaN: Wasm leaves the NaN's sign and
  payload nondeterministic and hardware differs, so folding would make the
  compiled program disagree with its own unfolded code; see the numerics
  module docstring.  Bit-exact ops (``fneg``/``fabs``/``fcopysign``,
  ``bitcast``, comparisons) are folded even on NaN;
* ``trapz 0`` / ``trapnz nonzero`` (always trap): turning them into a
  terminator would split the block; left for the runtime.

Preconditions: verified SSA.  Blocks are visited in reverse postorder so a
definition is folded before its uses; unreachable blocks last.
"""
from __future__ import annotations

from ..builder import replace
from ..cfg import DominatorTree
from ..dfg import VK_RESULT
from ..function import Function
from ..opcodes import Opcode
from ..types import bits, is_float
from .. import wasm_numerics as wn

#: Pass contract (ir/pipeline.py): one function at a time; brif/br_table on
#: a constant become jumps: the CFG changes.
KIND = "function"
PRESERVES = frozenset()

O = Opcode


def _w(t: int) -> int:
    return bits(t)


# opcode -> fold(ctrl, imms, consts, arg_types) -> result bits (may raise Trap)
_INT_BIN = {O.iadd: wn.iadd, O.iadd_nuw: wn.iadd, O.isub: wn.isub, O.imul: wn.imul, O.sdiv: wn.sdiv,
            O.udiv: wn.udiv, O.srem: wn.srem, O.urem: wn.urem, O.band: wn.band,
            O.bor: wn.bor, O.bxor: wn.bxor, O.ishl: wn.ishl, O.ushr: wn.ushr,
            O.sshr: wn.sshr, O.rotl: wn.rotl, O.rotr: wn.rotr}
_INT_UN = {O.clz: wn.clz, O.ctz: wn.ctz, O.popcnt: wn.popcnt, O.eqz: wn.eqz}
_FLT_BIN = {O.fadd: wn.fadd, O.fsub: wn.fsub, O.fmul: wn.fmul, O.fdiv: wn.fdiv,
            O.fmin: wn.fmin, O.fmax: wn.fmax, O.fcopysign: wn.fcopysign}
_FLT_UN = {O.fabs: wn.fabs, O.fneg: wn.fneg, O.fsqrt: wn.fsqrt, O.fceil: wn.fceil,
           O.ffloor: wn.ffloor, O.ftrunc: wn.ftrunc, O.fnearest: wn.fnearest}

#: Float results Wasm defines bit-exactly even when they are NaN.
_EXACT_ON_NAN = frozenset((O.fneg, O.fabs, O.fcopysign, O.bitcast))

FOLDERS = {}
for _op, _fn in _INT_BIN.items():
    FOLDERS[_op] = (lambda fn: lambda c, im, a, t: fn(_w(c), a[0], a[1]))(_fn)
for _op, _fn in _INT_UN.items():
    FOLDERS[_op] = (lambda fn: lambda c, im, a, t: fn(_w(c), a[0]))(_fn)
for _op, _fn in _FLT_BIN.items():
    FOLDERS[_op] = (lambda fn: lambda c, im, a, t: fn(_w(c), a[0], a[1]))(_fn)
for _op, _fn in _FLT_UN.items():
    FOLDERS[_op] = (lambda fn: lambda c, im, a, t: fn(_w(c), a[0]))(_fn)
FOLDERS.update({
    O.sextend8: lambda c, im, a, t: wn.sextend_from(_w(c), a[0], 8),
    O.sextend16: lambda c, im, a, t: wn.sextend_from(_w(c), a[0], 16),
    O.sextend32: lambda c, im, a, t: wn.sextend_from(_w(c), a[0], 32),
    O.icmp: lambda c, im, a, t: wn.icmp(im[0], _w(c), a[0], a[1]),
    O.fcmp: lambda c, im, a, t: wn.fcmp(im[0], _w(c), a[0], a[1]),
    O.ireduce: lambda c, im, a, t: wn.ireduce(a[0]),
    O.uextend: lambda c, im, a, t: wn.uextend(a[0]),
    O.sextend: lambda c, im, a, t: wn.sextend(a[0]),
    O.fpromote: lambda c, im, a, t: wn.fpromote(a[0]),
    O.fdemote: lambda c, im, a, t: wn.fdemote(a[0]),
    O.fcvt_from_sint: lambda c, im, a, t: wn.fcvt_from_sint(_w(c), _w(t[0]), a[0]),
    O.fcvt_from_uint: lambda c, im, a, t: wn.fcvt_from_uint(_w(c), _w(t[0]), a[0]),
    O.fcvt_to_sint: lambda c, im, a, t: wn.fcvt_to_sint(_w(c), _w(t[0]), a[0]),
    O.fcvt_to_uint: lambda c, im, a, t: wn.fcvt_to_uint(_w(c), _w(t[0]), a[0]),
    O.fcvt_to_sint_sat: lambda c, im, a, t: wn.fcvt_to_sint_sat(_w(c), _w(t[0]), a[0]),
    O.fcvt_to_uint_sat: lambda c, im, a, t: wn.fcvt_to_uint_sat(_w(c), _w(t[0]), a[0]),
    O.bitcast: lambda c, im, a, t: wn.bitcast(a[0]),
})


def run(func: Function) -> bool:
    dfg, lay = func.dfg, func.layout
    op_arr, vkind, vdef, vtype = dfg.op, dfg.vkind, dfg.vdef, dfg.vtype
    alias: dict[int, int] = {}
    changed = False

    def const(v: int):
        v = alias.get(v, v)
        if vkind[v] != VK_RESULT:
            return None
        d = vdef[v]
        o = op_arr[d]
        if o == O.iconst or o == O.fconst:
            return dfg.pool[dfg.off[d]]
        return None

    dt = DominatorTree(func)
    reach = set(dt.rpo)
    order = list(dt.rpo) + [b for b in lay.blocks() if b not in reach]
    for b in order:
        for inst in lay.insts(b):
            o = op_arr[inst]
            if o == O.iconst or o == O.fconst:
                continue
            fold = FOLDERS.get(o)
            if fold is not None:
                args = dfg.inst_args(inst)
                cs = [const(a) for a in args]
                if None in cs:
                    continue
                try:
                    r = fold(dfg.ctrl[inst], dfg.inst_imms(inst), cs, [vtype[a] for a in args])
                except wn.Trap:
                    continue                   # traps at run time: keep it
                rt = vtype[dfg.res[inst]]
                if is_float(rt):
                    if o not in _EXACT_ON_NAN and wn.is_nan(_w(rt), r):
                        continue               # nondeterministic NaN: keep it
                    replace(func, inst).fconst(rt, r)
                else:
                    replace(func, inst).iconst(rt, r)
                changed = True
            elif o == O.select:
                c, x, y = dfg.inst_args(inst)
                cv = const(c)
                if cv is not None or alias.get(x, x) == alias.get(y, y):
                    pick = x if (cv is None or cv != 0) else y
                    alias[int(dfg.res[inst])] = alias.get(int(pick), int(pick))
                    changed = True
            elif o == O.brif:
                cv = const(dfg.inst_args(inst)[0])
                if cv is not None:
                    then, els = dfg.inst_block_calls(inst)
                    replace(func, inst).jump(then if cv else els)
                    changed = True
            elif o == O.br_table:
                cv = const(dfg.inst_args(inst)[0])
                if cv is not None:
                    calls = dfg.inst_block_calls(inst)
                    table = calls[1:]
                    replace(func, inst).jump(table[cv] if cv < len(table) else calls[0])
                    changed = True
            elif o == O.trapz or o == O.trapnz:
                cv = const(dfg.inst_args(inst)[0])
                if cv is not None and (cv != 0) == (o == O.trapz):
                    lay.remove_inst(inst)
                    changed = True
    if alias:
        func.replace_uses(alias)
    return changed
