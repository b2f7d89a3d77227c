"""Numeric instructions: constants, comparisons, arithmetic, conversions.

What: one table, ``_OPS``, maps each Wasm op name to its IR opcode and the
extra immediate (``IntCC``/``FloatCC``) -- ``i32.lt_u -> icmp ult``.  From
it, at import time, one small closure per op is built (``unop``/``binop``)
with the IR opcode, controlling type, immediates and result type resolved,
so translating ``i32.add`` costs two stack operations and one instruction.

The controlling type is the Wasm operand type when the IR opcode takes it
from an operand (``iadd``, ``icmp``, ``eqz``), else the Wasm result type
(``fcvt_to_sint``, ``ireduce``, ``bitcast``...).  Trapping ops map to IR
trapping ops (``sdiv``, ``fcvt_to_sint``); the emitter implements the checks.
Float constants stay IEEE bit patterns from the decoder to the IR.
"""
from __future__ import annotations

from ...frontend.opcodes import OPS
from ..dfg import resolve_spec
from ..opcodes import BY_NAME, FloatCC, IntCC, Opcode
from ..types import F32, F64, I32, I64, NOTYPE

_I = IntCC
_F = FloatCC

# Wasm name suffix -> (IR opcode, immediate or None), per operand kind.
_INT = {
    "eqz": ("eqz", None), "eq": ("icmp", _I.eq), "ne": ("icmp", _I.ne),
    "lt_s": ("icmp", _I.slt), "lt_u": ("icmp", _I.ult), "gt_s": ("icmp", _I.sgt),
    "gt_u": ("icmp", _I.ugt), "le_s": ("icmp", _I.sle), "le_u": ("icmp", _I.ule),
    "ge_s": ("icmp", _I.sge), "ge_u": ("icmp", _I.uge),
    "clz": ("clz", None), "ctz": ("ctz", None), "popcnt": ("popcnt", None),
    "add": ("iadd", None), "sub": ("isub", None), "mul": ("imul", None),
    "div_s": ("sdiv", None), "div_u": ("udiv", None),
    "rem_s": ("srem", None), "rem_u": ("urem", None),
    "and": ("band", None), "or": ("bor", None), "xor": ("bxor", None),
    "shl": ("ishl", None), "shr_s": ("sshr", None), "shr_u": ("ushr", None),
    "rotl": ("rotl", None), "rotr": ("rotr", None),
    "extend8_s": ("sextend8", None), "extend16_s": ("sextend16", None),
    "extend32_s": ("sextend32", None),
    "wrap_i64": ("ireduce", None), "extend_i32_s": ("sextend", None),
    "extend_i32_u": ("uextend", None),
    "trunc_f32_s": ("fcvt_to_sint", None), "trunc_f64_s": ("fcvt_to_sint", None),
    "trunc_f32_u": ("fcvt_to_uint", None), "trunc_f64_u": ("fcvt_to_uint", None),
    "trunc_sat_f32_s": ("fcvt_to_sint_sat", None), "trunc_sat_f64_s": ("fcvt_to_sint_sat", None),
    "trunc_sat_f32_u": ("fcvt_to_uint_sat", None), "trunc_sat_f64_u": ("fcvt_to_uint_sat", None),
    "reinterpret_f32": ("bitcast", None), "reinterpret_f64": ("bitcast", None),
}
_FLOAT = {
    "eq": ("fcmp", _F.eq), "ne": ("fcmp", _F.ne), "lt": ("fcmp", _F.lt),
    "gt": ("fcmp", _F.gt), "le": ("fcmp", _F.le), "ge": ("fcmp", _F.ge),
    "abs": ("fabs", None), "neg": ("fneg", None), "ceil": ("fceil", None),
    "floor": ("ffloor", None), "trunc": ("ftrunc", None), "nearest": ("fnearest", None),
    "sqrt": ("fsqrt", None), "add": ("fadd", None), "sub": ("fsub", None),
    "mul": ("fmul", None), "div": ("fdiv", None), "min": ("fmin", None),
    "max": ("fmax", None), "copysign": ("fcopysign", None),
    "convert_i32_s": ("fcvt_from_sint", None), "convert_i64_s": ("fcvt_from_sint", None),
    "convert_i32_u": ("fcvt_from_uint", None), "convert_i64_u": ("fcvt_from_uint", None),
    "demote_f64": ("fdemote", None), "promote_f32": ("fpromote", None),
    "reinterpret_i32": ("bitcast", None), "reinterpret_i64": ("bitcast", None),
}
_PREFIX = {"i32": _INT, "i64": _INT, "f32": _FLOAT, "f64": _FLOAT}

_ICONST = int(Opcode.iconst)
_FCONST = int(Opcode.fconst)


def _ir_op(name: str):
    """(OpInfo, extra imm) for a Wasm numeric op name, or None."""
    ty, _, rest = name.partition(".")
    row = _PREFIX.get(ty, {}).get(rest)
    if row is None:
        return None
    return BY_NAME[row[0]], row[1]


def _make(wop) -> callable:
    info, cc = _ir_op(wop.name)
    ctrl = wop.params[0] if info.ctrl_arg >= 0 else wop.results[0]
    imms = (int(cc),) if cc is not None else ()
    rtypes = (resolve_spec(info.results[0], info, ctrl, imms, None),)
    assert rtypes == wop.results, wop.name
    op = info.opcode
    if len(wop.params) == 2:
        def binop(t, _):
            s = t.stack
            b = s.pop()
            s[-1] = t.value(op, ctrl, imms, (s[-1], b), rtypes)
        return binop

    def unop(t, _):
        s = t.stack
        s[-1] = t.value(op, ctrl, imms, (s[-1],), rtypes)
    return unop


def _const(ty: int, opcode: int):
    rtypes = (ty,)

    def const(t, bits):
        t.stack.append(t.value(opcode, ty, (bits,), (), rtypes))
    return const


def _wide(opcode: int, nargs: int):
    """Wide arithmetic (``i64.add128`` ...): ``nargs`` i64 operands, two i64
    results (low, high), one IR instruction with the same operand order."""
    rtypes = (I64, I64)

    def wide(t, _):
        inst = t.emit(opcode, NOTYPE, (), t.pop_n(nargs), rtypes)
        t.stack.extend(t.results_of(inst))
    return wide


HANDLERS = {
    "i32.const": _const(I32, _ICONST), "i64.const": _const(I64, _ICONST),
    "f32.const": _const(F32, _FCONST), "f64.const": _const(F64, _FCONST),
    "i64.add128": _wide(int(Opcode.iadd128), 4), "i64.sub128": _wide(int(Opcode.isub128), 4),
    "i64.mul_wide_s": _wide(int(Opcode.smul_wide), 2),
    "i64.mul_wide_u": _wide(int(Opcode.umul_wide), 2),
}
for _op in OPS:
    if _op.prefix != 0xFD and _ir_op(_op.name) is not None:
        HANDLERS[_op.name] = _make(_op)
