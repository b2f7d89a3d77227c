"""Fixed-width SIMD (the 0xFD prefix): every Wasm 2.0 v128 instruction and
the relaxed-SIMD ones (one deterministic choice each, see "relaxed SIMD").

What: ``_LANEWISE`` maps each lane-wise Wasm op to ``(IR opcode, lane
shape, extra immediate)`` -- ``i32x4.lt_u -> vicmp.i32x4 ult``.  From it,
at import time, one small closure per op is built with the opcode,
controlling type (the lane shape), immediates and operand count resolved.
The remaining shapes of instruction (constants, shuffles, lanes, memory)
have one handler each.

IR conventions (see the SIMD rows of :mod:`wasmaot.ir.opcodes`): every
vector value is ``v128``; lane-wise ops carry their lane shape as the
controlling type; widening/narrowing ops carry the *result* shape;
int<->float conversions carry the float shape.  ``v128.const`` and the
shuffle mask are 128-bit immediates (byte 0 = lane 0 in the low bits).

Nothing here checks bounds or NaN rules: those are part of each IR op's
contract, implemented by the emitter.  Preconditions: the module is
validated (lane indices are in range, shuffle mask bytes < 32).
"""
from __future__ import annotations

from ...frontend.opcodes import OPS
from ..opcodes import BY_NAME, FloatCC, IntCC, MemFlags, Opcode
from ..types import (
    F32X4,
    F64X2,
    I8X16,
    I16X8,
    I32,
    I32X4,
    I64X2,
    NOTYPE,
    V128,
    lane_type,
)

_SHAPES = {"i8x16": I8X16, "i16x8": I16X8, "i32x4": I32X4, "i64x2": I64X2,
           "f32x4": F32X4, "f64x2": F64X2}
_V = (V128,)
_I = IntCC
_F = FloatCC

# Wasm suffix -> (IR opcode, immediate or None); shape = the Wasm prefix.
_INT = {
    "eq": ("vicmp", _I.eq), "ne": ("vicmp", _I.ne),
    "lt_s": ("vicmp", _I.slt), "lt_u": ("vicmp", _I.ult),
    "gt_s": ("vicmp", _I.sgt), "gt_u": ("vicmp", _I.ugt),
    "le_s": ("vicmp", _I.sle), "le_u": ("vicmp", _I.ule),
    "ge_s": ("vicmp", _I.sge), "ge_u": ("vicmp", _I.uge),
    "add": ("viadd", None), "sub": ("visub", None), "mul": ("vimul", None),
    "neg": ("vineg", None), "abs": ("viabs", None), "popcnt": ("vpopcnt", None),
    "add_sat_s": ("vsadd_sat", None), "add_sat_u": ("vuadd_sat", None),
    "sub_sat_s": ("vssub_sat", None), "sub_sat_u": ("vusub_sat", None),
    "min_s": ("vsmin", None), "min_u": ("vumin", None),
    "max_s": ("vsmax", None), "max_u": ("vumax", None),
    "avgr_u": ("vavgr_u", None), "q15mulr_sat_s": ("vq15mulr_sat", None),
    "all_true": ("vall_true", None), "bitmask": ("vbitmask", None),
    "shl": ("vishl", None), "shr_s": ("vsshr", None), "shr_u": ("vushr", None),
    "splat": ("splat", None),
}
_FLOAT = {
    "eq": ("vfcmp", _F.eq), "ne": ("vfcmp", _F.ne), "lt": ("vfcmp", _F.lt),
    "gt": ("vfcmp", _F.gt), "le": ("vfcmp", _F.le), "ge": ("vfcmp", _F.ge),
    "add": ("vfadd", None), "sub": ("vfsub", None), "mul": ("vfmul", None),
    "div": ("vfdiv", None), "min": ("vfmin", None), "max": ("vfmax", None),
    "pmin": ("vfpmin", None), "pmax": ("vfpmax", None),
    "abs": ("vfabs", None), "neg": ("vfneg", None), "sqrt": ("vfsqrt", None),
    "ceil": ("vfceil", None), "floor": ("vffloor", None), "trunc": ("vftrunc", None),
    "nearest": ("vfnearest", None), "splat": ("splat", None),
}
# Full names whose operation is not "suffix on the prefix's shape".
_SPECIAL = {
    "v128.not": ("vnot", NOTYPE), "v128.and": ("vand", NOTYPE),
    "v128.andnot": ("vandnot", NOTYPE), "v128.or": ("vor", NOTYPE),
    "v128.xor": ("vxor", NOTYPE), "v128.bitselect": ("bitselect", NOTYPE),
    "v128.any_true": ("vany_true", NOTYPE), "i8x16.swizzle": ("swizzle", NOTYPE),
    "i32x4.dot_i16x8_s": ("vdot_s", I32X4),
    "f32x4.demote_f64x2_zero": ("vfdemote_zero", NOTYPE),
    "f64x2.promote_low_f32x4": ("vfpromote_low", NOTYPE),
    "f32x4.convert_i32x4_s": ("vfcvt_from_sint", F32X4),
    "f32x4.convert_i32x4_u": ("vfcvt_from_uint", F32X4),
    "f64x2.convert_low_i32x4_s": ("vfcvt_from_sint", F64X2),
    "f64x2.convert_low_i32x4_u": ("vfcvt_from_uint", F64X2),
    "i32x4.trunc_sat_f32x4_s": ("vfcvt_to_sint_sat", F32X4),
    "i32x4.trunc_sat_f32x4_u": ("vfcvt_to_uint_sat", F32X4),
    "i32x4.trunc_sat_f64x2_s_zero": ("vfcvt_to_sint_sat", F64X2),
    "i32x4.trunc_sat_f64x2_u_zero": ("vfcvt_to_uint_sat", F64X2),
}
# Widening / narrowing families: "<result shape>.<kind>_<src shape>_<s|u>".
_WIDEN = {"extmul_low": "extmul_low", "extmul_high": "extmul_high",
          "extadd_pairwise": "extadd_pairwise", "extend_low": "widen_low",
          "extend_high": "widen_high", "narrow": "narrow"}


def _lanewise(name: str):
    """(OpInfo, ctrl, imms) for a lane-wise Wasm op, or None."""
    if name in _SPECIAL:
        ir, ctrl = _SPECIAL[name]
        return BY_NAME[ir], ctrl, ()
    prefix, _, rest = name.partition(".")
    shape = _SHAPES.get(prefix)
    if shape is None:
        return None
    parts = rest.split("_")
    if parts[-1] in ("s", "u") and len(parts) >= 3:
        kind = "_".join(parts[:-2])
        if kind in _WIDEN:      # i16x8.extmul_low_i8x16_s -> vsextmul_low.i16x8
            base = _WIDEN[kind]
            ir = ("vs" if parts[-1] == "s" else "vu") + base
            return BY_NAME[ir], shape, ()
    table = _FLOAT if prefix[0] == "f" else _INT
    row = table.get(rest)
    if row is None:
        return None
    ir, cc = row
    return BY_NAME[ir], shape, (() if cc is None else (int(cc),))


def _make(wop):
    info, ctrl, imms = _lanewise(wop.name)
    op = info.opcode
    rtypes = wop.results
    n = len(wop.params)
    if n == 1:
        def unop(t, _):
            s = t.stack
            s[-1] = t.value(op, ctrl, imms, (s[-1],), rtypes)
        return unop
    if n == 2:
        def binop(t, _):
            s = t.stack
            b = s.pop()
            s[-1] = t.value(op, ctrl, imms, (s[-1], b), rtypes)
        return binop

    def ternop(t, _):
        t.stack.append(t.value(op, ctrl, imms, t.pop_n(3), rtypes))
    return ternop


# ---- constants, shuffles, lanes -------------------------------------------------
_VCONST = int(Opcode.vconst)
_SHUFFLE = int(Opcode.shuffle)
_MASK64 = (1 << 64) - 1


def _v128_const(t, raw):
    v = int.from_bytes(raw, "little")
    t.stack.append(t.value(_VCONST, NOTYPE, (v & _MASK64, v >> 64), (), _V))


def _shuffle(t, raw):
    v = int.from_bytes(raw, "little")
    s = t.stack
    b = s.pop()
    s[-1] = t.value(_SHUFFLE, NOTYPE, (v & _MASK64, v >> 64), (s[-1], b), _V)


def _extract(irname: str, shape: int):
    op, rtypes = BY_NAME[irname].opcode, (lane_type(shape),)

    def extract(t, lane):
        s = t.stack
        s[-1] = t.value(op, shape, (lane,), (s[-1],), rtypes)
    return extract


def _replace(shape: int):
    op = int(Opcode.insertlane)

    def replace(t, lane):
        s = t.stack
        x = s.pop()
        s[-1] = t.value(op, shape, (lane,), (s[-1], x), _V)
    return replace


# ---- memory ---------------------------------------------------------------------
_LOADS = {
    "v128.load": "load", "v128.load8x8_s": "vload8x8_s", "v128.load8x8_u": "vload8x8_u",
    "v128.load16x4_s": "vload16x4_s", "v128.load16x4_u": "vload16x4_u",
    "v128.load32x2_s": "vload32x2_s", "v128.load32x2_u": "vload32x2_u",
    "v128.load8_splat": "vload8_splat", "v128.load16_splat": "vload16_splat",
    "v128.load32_splat": "vload32_splat", "v128.load64_splat": "vload64_splat",
    "v128.load32_zero": "vload32_zero", "v128.load64_zero": "vload64_zero",
}
_LANE_OPS = {
    "v128.load8_lane": "vload8_lane", "v128.load16_lane": "vload16_lane",
    "v128.load32_lane": "vload32_lane", "v128.load64_lane": "vload64_lane",
    "v128.store8_lane": "vstore8_lane", "v128.store16_lane": "vstore16_lane",
    "v128.store32_lane": "vstore32_lane", "v128.store64_lane": "vstore64_lane",
}


def _flags_by_align(info) -> list[int]:
    """memflags for each valid memarg alignment (natural -> 0, see MemFlags)."""
    nat = (info.access if info.access > 0 else 16).bit_length() - 1
    return [MemFlags.make(False, a, nat) for a in range(nat + 1)]


def _make_load(irname: str):
    info = BY_NAME[irname]
    op, flags = info.opcode, _flags_by_align(info)
    ctrl = V128 if info.ctrl is not None else NOTYPE    # load.v128

    def load(t, memarg):
        align, offset, mem = memarg
        s = t.stack
        s[-1] = t.value(op, ctrl, (flags[align], mem, offset), (s[-1],), _V)
    return load


_STORE = int(Opcode.store)
_STORE_FLAGS = [MemFlags.make(False, a, 4) for a in range(5)]     # natural: 16 bytes


def _v128_store(t, memarg):
    align, offset, mem = memarg
    s = t.stack
    v = s.pop()
    t.emit(_STORE, V128, (_STORE_FLAGS[align], mem, offset), (s.pop(), v))


def _make_lane(irname: str):
    info = BY_NAME[irname]
    op, flags = info.opcode, _flags_by_align(info)
    if info.results:
        def load_lane(t, imm):
            align, offset, mem, lane = imm
            s = t.stack
            v = s.pop()
            s[-1] = t.value(op, NOTYPE, (flags[align], mem, offset, lane), (s[-1], v), _V)
        return load_lane

    def store_lane(t, imm):
        align, offset, mem, lane = imm
        s = t.stack
        v = s.pop()
        t.emit(op, NOTYPE, (flags[align], mem, offset, lane), (s.pop(), v))
    return store_lane


# ---- relaxed SIMD ---------------------------------------------------------------
# Each relaxed instruction lets the implementation pick a result from a small
# set, fixed for the whole execution (Wasm 3.0, exec/numerics "Relaxed
# Operations").  wasmaot always picks the DETERMINISTIC PROFILE's member
# (every choice parameter 0), on every target and CPU: a program computes the
# same bits on x86-64, AArch64, RISC-V and the 32-bit firmware targets (where
# LLVM legalizes the vectors to scalars), no choice depends on the build
# machine's CPU features, and `-W relaxed-simd-deterministic` holds by
# construction.  (wasmtime's deterministic mode, older than the 3.0 spec's
# profile, differs in two places: it fuses madd/nmadd and wraps the dot
# product's i16 sums; tests/spectest/relaxed_simd_choices.wast shows both.)
# Most of them are the Wasm 2.0 instruction the relaxed one
# relaxes, so they reuse its IR op (and its lowering, backends/llvm/simd.py):
#
# * relaxed_swizzle -> swizzle: indices >= 16 give 0 (x86's pshufb would
#   read byte idx & 15 for 16..127).
# * relaxed_trunc -> trunc_sat: NaN -> 0, out of range saturates (not
#   INT32_MIN / UINT32_MAX as cvttps2dq-based sequences give).
# * relaxed_laneselect -> bitselect, also for masks whose lanes mix set and
#   clear bits (not a top-bit select as blendv does).
# * relaxed_min/max -> min/max: NaN in -> NaN out, -0 < +0 (not minps's
#   "second operand").
# * relaxed_q15mulr_s -> q15mulr_sat_s: INT16_MIN * INT16_MIN gives
#   INT16_MAX (not INT16_MIN, as pmulhrsw / sqrdmulh would).
# * relaxed_madd/nmadd: UNFUSED, a*b rounded then +c rounded (vfmul, vfneg,
#   vfadd).  This is also the cheap one on the targets where we have a
#   choice: x86-64's baseline has no FMA (a fused lowering would be a libm
#   call per lane), nor have the soft-float firmware targets; on AArch64 it
#   costs one instruction over fmla.
# * relaxed_dot_i8x16_i7x16_s: b's bytes read as SIGNED (not unsigned, as
#   pmaddubsw does), the two i16 products of a lane summed with signed
#   SATURATION (the spec's ivdot_sat; only -128*-128 + -128*-128 saturates).
#   Lowered with i16 lane shifts (even bytes: shl 8 then sshr 8; odd bytes:
#   sshr 8), two i16 multiplies (exact: |product| <= 2^14) and a saturating
#   add -- no shuffles, cheap in SSE, NEON and scalar code alike.
# * relaxed_dot_i8x16_i7x16_add_s: that i16x8 dot, then the i32 pairwise
#   sum (extadd_pairwise_s) plus c, as the spec defines it.
_RELAXED_AS = {
    "i8x16.relaxed_swizzle": "i8x16.swizzle",
    "i32x4.relaxed_trunc_f32x4_s": "i32x4.trunc_sat_f32x4_s",
    "i32x4.relaxed_trunc_f32x4_u": "i32x4.trunc_sat_f32x4_u",
    "i32x4.relaxed_trunc_f64x2_s_zero": "i32x4.trunc_sat_f64x2_s_zero",
    "i32x4.relaxed_trunc_f64x2_u_zero": "i32x4.trunc_sat_f64x2_u_zero",
    "i8x16.relaxed_laneselect": "v128.bitselect",
    "i16x8.relaxed_laneselect": "v128.bitselect",
    "i32x4.relaxed_laneselect": "v128.bitselect",
    "i64x2.relaxed_laneselect": "v128.bitselect",
    "f32x4.relaxed_min": "f32x4.min", "f32x4.relaxed_max": "f32x4.max",
    "f64x2.relaxed_min": "f64x2.min", "f64x2.relaxed_max": "f64x2.max",
    "i16x8.relaxed_q15mulr_s": "i16x8.q15mulr_sat_s",
}
_O = Opcode
_VFMUL, _VFADD, _VFNEG = int(_O.vfmul), int(_O.vfadd), int(_O.vfneg)
_VISHL, _VSSHR, _VIMUL, _VIADD = int(_O.vishl), int(_O.vsshr), int(_O.vimul), int(_O.viadd)
_VSADD_SAT = int(_O.vsadd_sat)
_VSEXTADD = int(_O.vsextadd_pairwise)
_ICONST = int(_O.iconst)


def _madd(shape: int, negate: bool):
    def madd(t, _):
        a, b, c = t.pop_n(3)
        p = t.value(_VFMUL, shape, (), (a, b), _V)
        if negate:
            p = t.value(_VFNEG, shape, (), (p,), _V)
        t.stack.append(t.value(_VFADD, shape, (), (p, c), _V))
    return madd


def _dot16(t, a: int, b: int) -> int:
    """sum of the two signed byte products in each i16 lane, saturating."""
    eight = t.value(_ICONST, I32, (8,), (), (I32,))

    def even(x):
        return t.value(_VSSHR, I16X8, (), (t.value(_VISHL, I16X8, (), (x, eight), _V), eight), _V)

    def odd(x):
        return t.value(_VSSHR, I16X8, (), (x, eight), _V)
    lo = t.value(_VIMUL, I16X8, (), (even(a), even(b)), _V)
    hi = t.value(_VIMUL, I16X8, (), (odd(a), odd(b)), _V)
    return t.value(_VSADD_SAT, I16X8, (), (lo, hi), _V)


def _relaxed_dot(t, _):
    b = t.stack.pop()
    t.stack[-1] = _dot16(t, t.stack[-1], b)


def _relaxed_dot_add(t, _):
    a, b, c = t.pop_n(3)
    p = t.value(_VSEXTADD, I32X4, (), (_dot16(t, a, b),), _V)
    t.stack.append(t.value(_VIADD, I32X4, (), (p, c), _V))


_RELAXED = {
    "f32x4.relaxed_madd": _madd(F32X4, False), "f32x4.relaxed_nmadd": _madd(F32X4, True),
    "f64x2.relaxed_madd": _madd(F64X2, False), "f64x2.relaxed_nmadd": _madd(F64X2, True),
    "i16x8.relaxed_dot_i8x16_i7x16_s": _relaxed_dot,
    "i32x4.relaxed_dot_i8x16_i7x16_add_s": _relaxed_dot_add,
}

HANDLERS = {
    "v128.const": _v128_const, "i8x16.shuffle": _shuffle, "v128.store": _v128_store,
    "i8x16.extract_lane_s": _extract("sextractlane", I8X16),
    "i8x16.extract_lane_u": _extract("uextractlane", I8X16),
    "i16x8.extract_lane_s": _extract("sextractlane", I16X8),
    "i16x8.extract_lane_u": _extract("uextractlane", I16X8),
    "i32x4.extract_lane": _extract("extractlane", I32X4),
    "i64x2.extract_lane": _extract("extractlane", I64X2),
    "f32x4.extract_lane": _extract("extractlane", F32X4),
    "f64x2.extract_lane": _extract("extractlane", F64X2),
}
HANDLERS.update({f"{n}.replace_lane": _replace(sh) for n, sh in _SHAPES.items()})
HANDLERS.update({name: _make_load(ir) for name, ir in _LOADS.items()})
HANDLERS.update({name: _make_lane(ir) for name, ir in _LANE_OPS.items()})
HANDLERS.update(_RELAXED)
for _op in OPS:
    if _op.prefix == 0xFD and _op.name not in HANDLERS and _op.name not in _RELAXED_AS:
        if _lanewise(_op.name) is None:
            raise AssertionError(f"no SIMD translation for {_op.name}")
        HANDLERS[_op.name] = _make(_op)
for _name, _same in _RELAXED_AS.items():
    HANDLERS[_name] = HANDLERS[_same]
