"""Constants, integer and float arithmetic, comparisons, conversions, select.

Wasm semantics map onto LLVM as follows (why each choice is exact):

* shifts: the count is masked to ``width - 1`` first (Wasm takes it modulo
  the width; LLVM's ``shl``/``lshr``/``ashr`` give poison for counts >=
  width);
* rotates: ``llvm.fshl(x, x, n)`` / ``llvm.fshr`` (modulo by definition);
* ``clz``/``ctz``: ``llvm.ctlz``/``cttz`` with ``is_zero_poison = false``
  (0 -> width, as Wasm requires);
* ``fmin``/``fmax``: ``llvm.minimum``/``maximum`` (NaN-propagating, -0 < +0,
  exactly Wasm's; ``minnum`` would not be);
* ``nearest``: ``llvm.roundeven`` (ties to even);
* ``abs``/``neg``/``copysign``: ``llvm.fabs``, ``fneg``, ``llvm.copysign`` --
  pure sign-bit operations in LLVM's semantics, so NaN payloads survive;
* saturating truncation: ``llvm.fptosi.sat``/``fptoui.sat`` (NaN -> 0);
* reinterpret: ``bitcast``.
Division and trapping truncation are in :mod:`.traps`.

Constants are not emitted as instructions: ``iconst``/``fconst``/``null``
become literal operands (``FuncEmitter.consts``).
"""
from __future__ import annotations

import struct

from ...ir.opcodes import FloatCC, ImmKind, IntCC, Opcode
from ...ir.types import F32, F64, I32, I64
from . import traps
from .common import FCMP, ICMP, LTYPE

_INT_BIN = {Opcode.iadd: "add", Opcode.isub: "sub", Opcode.imul: "mul",
            Opcode.band: "and", Opcode.bor: "or", Opcode.bxor: "xor",
            Opcode.iadd_nuw: "add nuw"}
#: the operations that may carry nuw/nsw (backends/llvm/nowrap.py)
_NOWRAP = frozenset((Opcode.iadd, Opcode.isub, Opcode.imul))
_SHIFT = {Opcode.ishl: "shl", Opcode.ushr: "lshr", Opcode.sshr: "ashr"}
_DIV = {Opcode.sdiv: "sdiv", Opcode.udiv: "udiv", Opcode.srem: "srem", Opcode.urem: "urem"}
_FBIN = {Opcode.fadd: "fadd", Opcode.fsub: "fsub", Opcode.fmul: "fmul", Opcode.fdiv: "fdiv"}
_FINTR2 = {Opcode.fmin: "minimum", Opcode.fmax: "maximum", Opcode.fcopysign: "copysign"}
_FINTR1 = {Opcode.fabs: "fabs", Opcode.fsqrt: "sqrt", Opcode.fceil: "ceil",
           Opcode.ffloor: "floor", Opcode.ftrunc: "trunc", Opcode.fnearest: "roundeven"}
_FSUF = {F32: "f32", F64: "f64"}
_ISUF = {I32: "i32", I64: "i64"}


def float_literal(bits: int, ty: int) -> str:
    """LLVM literal for raw IEEE bits.  LLVM spells every float constant as
    the hex of a double; an f32 (NaNs included, payload shifted into place)
    widens exactly, and the parser keeps signalling-NaN payloads."""
    if ty == F64:
        return f"0x{bits:016X}"
    sign = bits >> 31
    exp = (bits >> 23) & 0xFF
    mant = bits & 0x7FFFFF
    if exp == 0xFF:
        d = (sign << 63) | (0x7FF << 52) | (mant << 29)
    else:
        (f,) = struct.unpack("<f", struct.pack("<I", bits))
        (d,) = struct.unpack("<Q", struct.pack("<d", f))
    return f"0x{d:016X}"


def _signed(value: int, bits: int) -> int:
    return value - (1 << bits) if value >= 1 << (bits - 1) else value


def _imm(fe, inst, kind):
    return fe.dfg.inst_imm(inst, kind)


def h_iconst(fe, inst):
    ctrl = fe.dfg.ctrl[inst]
    fe.consts[fe.dfg.res[inst]] = str(_signed(_imm(fe, inst, ImmKind.IMM64), 32 if ctrl == I32 else 64))


def h_fconst(fe, inst):
    fe.consts[fe.dfg.res[inst]] = float_literal(_imm(fe, inst, ImmKind.IEEE), fe.dfg.ctrl[inst])


def h_null(fe, inst):
    fe.consts[fe.dfg.res[inst]] = "null"


def _args(fe, inst):
    return [fe.val(a) for a in fe.dfg.inst_args(inst)]


def h_int_bin(fe, inst):
    a, b = _args(fe, inst)
    ty = LTYPE[fe.dfg.ctrl[inst]]
    op = fe.dfg.op[inst]
    nw = fe.nowrap.flags(inst) if fe.nowrap is not None and op in _NOWRAP else ""
    res = fe.res(inst)
    if fe.frozen and int(fe.dfg.res[inst]) in fe.frozen:
        # an address base LLVM must not re-factor into a loop (addrbase.py)
        fe.emit(f"{res}.s = {_INT_BIN[op]}{nw} {ty} {a}, {b}")
        fe.emit(f"{res} = freeze {ty} {res}.s")
        return
    fe.emit(f"{res} = {_INT_BIN[op]}{nw} {ty} {a}, {b}")


def h_shift(fe, inst):
    a, b = _args(fe, inst)
    ctrl = fe.dfg.ctrl[inst]
    ty = LTYPE[ctrl]
    mask = 31 if ctrl == I32 else 63
    nw = ""
    if b.lstrip("-").isdigit():
        n = str(int(b) & mask)
        if fe.nowrap is not None and fe.dfg.op[inst] == Opcode.ishl:
            nw = fe.nowrap.flags(inst)
    else:
        n = fe.tmp("sh")
        fe.emit(f"{n} = and {ty} {b}, {mask}")
    fe.emit(f"{fe.res(inst)} = {_SHIFT[fe.dfg.op[inst]]}{nw} {ty} {a}, {n}")


def h_rot(fe, inst):
    a, b = _args(fe, inst)
    ctrl = fe.dfg.ctrl[inst]
    ty = LTYPE[ctrl]
    name = "fshl" if fe.dfg.op[inst] == Opcode.rotl else "fshr"
    f = fe.mc.intrinsic(f"llvm.{name}.{ty}", ty, f"{ty}, {ty}, {ty}")
    fe.emit(f"{fe.res(inst)} = call {ty} {f}({ty} {a}, {ty} {a}, {ty} {b})")


def h_div(fe, inst):
    a, b = _args(fe, inst)
    traps.divide(fe, _DIV[fe.dfg.op[inst]], LTYPE[fe.dfg.ctrl[inst]], a, b, fe.res(inst))


def h_bitcount(fe, inst):
    (a,) = _args(fe, inst)
    ty = LTYPE[fe.dfg.ctrl[inst]]
    op = fe.dfg.op[inst]
    if op == Opcode.popcnt:
        f = fe.mc.intrinsic(f"llvm.ctpop.{ty}", ty, ty)
        fe.emit(f"{fe.res(inst)} = call {ty} {f}({ty} {a})")
    else:
        name = "ctlz" if op == Opcode.clz else "cttz"
        f = fe.mc.intrinsic(f"llvm.{name}.{ty}", ty, f"{ty}, i1")
        fe.emit(f"{fe.res(inst)} = call {ty} {f}({ty} {a}, i1 false)")


def h_sext_n(fe, inst):
    (a,) = _args(fe, inst)
    ty = LTYPE[fe.dfg.ctrl[inst]]
    n = {Opcode.sextend8: 8, Opcode.sextend16: 16, Opcode.sextend32: 32}[fe.dfg.op[inst]]
    t = fe.tmp()
    fe.emit(f"{t} = trunc {ty} {a} to i{n}")
    fe.emit(f"{fe.res(inst)} = sext i{n} {t} to {ty}")


def h_eqz(fe, inst):
    (a,) = _args(fe, inst)
    ty = LTYPE[fe.dfg.ctrl[inst]]
    t = fe.tmp("c")
    fe.emit(f"{t} = icmp eq {ty} {a}, 0")
    fe.emit(f"{fe.res(inst)} = zext i1 {t} to i32")


def h_icmp(fe, inst):
    a, b = _args(fe, inst)
    ty = LTYPE[fe.dfg.ctrl[inst]]
    cc = ICMP[IntCC(_imm(fe, inst, ImmKind.INTCC))]
    t = fe.tmp("c")
    fe.emit(f"{t} = icmp {cc} {ty} {a}, {b}")
    fe.emit(f"{fe.res(inst)} = zext i1 {t} to i32")


def h_int_conv(fe, inst):
    (a,) = _args(fe, inst)
    op = fe.dfg.op[inst]
    if op == Opcode.ireduce:
        fe.emit(f"{fe.res(inst)} = trunc i64 {a} to i32")
    else:
        kw = "zext" if op == Opcode.uextend else "sext"
        fe.emit(f"{fe.res(inst)} = {kw} i32 {a} to i64")


def _canonicalize(fe, ctrl: int, x: str, res: str) -> None:
    """``res = llvm.canonicalize(x)``: quiets a signalling NaN (payload
    kept), identity otherwise; LLVM does not fold it away."""
    ty = LTYPE[ctrl]
    f = fe.mc.intrinsic(f"llvm.canonicalize.{_FSUF[ctrl]}", ty, ty)
    fe.emit(f"{res} = call {ty} {f}({ty} {x})")


# Constants that make an arithmetic op an identity LLVM folds away
# (x + -0, x - +0, x * 1, x / 1).  Wasm requires the result of an
# arithmetic op on a signalling NaN to be quiet, which the folded form is
# not, so such ops get a canonicalize (spec float_exprs "no_fold_*").
# (f32 bits, f64 bits, operand positions); -1 and "-0 - x" fold to fneg.
_ONE, _M1, _M0 = (0x3F800000, 0x3FF0000000000000), (0xBF800000, 0xBFF0000000000000), \
    (0x80000000, 0x8000000000000000)
_IDENTITY = {Opcode.fadd: [(*_M0, (0, 1))],
             Opcode.fsub: [(0, 0, (1,)), (*_M0, (0,))],
             Opcode.fmul: [(*_ONE, (0, 1)), (*_M1, (0, 1))],
             Opcode.fdiv: [(*_ONE, (1,)), (*_M1, (1,))]}


def _is_identity_const(fe, inst) -> bool:
    ctrl = fe.dfg.ctrl[inst]
    args = fe.dfg.inst_args(inst)
    for b32, b64, pos in _IDENTITY[fe.dfg.op[inst]]:
        want = float_literal(b32 if ctrl == F32 else b64, ctrl)
        if any(fe.consts.get(args[k]) == want for k in pos):
            return True
    return False


def h_fbin(fe, inst):
    a, b = _args(fe, inst)
    ctrl = fe.dfg.ctrl[inst]
    ty = LTYPE[ctrl]
    if _is_identity_const(fe, inst):
        t = fe.tmp("f")
        fe.emit(f"{t} = {_FBIN[fe.dfg.op[inst]]} {ty} {a}, {b}")
        _canonicalize(fe, ctrl, t, fe.res(inst))
        return
    fe.emit(f"{fe.res(inst)} = {_FBIN[fe.dfg.op[inst]]} {ty} {a}, {b}")


def h_fintr2(fe, inst):
    a, b = _args(fe, inst)
    ctrl = fe.dfg.ctrl[inst]
    ty = LTYPE[ctrl]
    op = fe.dfg.op[inst]
    f = fe.mc.intrinsic(f"llvm.{_FINTR2[op]}.{_FSUF[ctrl]}", ty, f"{ty}, {ty}")
    if op == Opcode.fcopysign:
        fe.emit(f"{fe.res(inst)} = call {ty} {f}({ty} {a}, {ty} {b})")
        return
    # llvm.minimum/maximum may return a signalling NaN operand unchanged;
    # Wasm wants an arithmetic (quiet) NaN.
    if ctrl == F64 and fe.mc.target.expand_f64_minmax:
        t = expand_minmax(fe, ty, "i64", a, b, op == Opcode.fmin)
    else:
        t = fe.tmp("f")
        fe.emit(f"{t} = call {ty} {f}({ty} {a}, {ty} {b})")
    _canonicalize(fe, ctrl, t, fe.res(inst))


def expand_minmax(fe, ty: str, ity: str, a: str, b: str, is_min: bool) -> str:
    """Wasm fmin/fmax (scalar or vector type ``ty``, same-width integer
    ``ity``) by compares and selects, for targets where LLVM cannot select
    llvm.minimum/maximum (``Target.expand_f64_minmax``): the smaller/larger
    operand; equal operands: the OR (min) or AND (max) of their bits, so
    -0 < +0; a NaN operand: a + b, a quiet NaN."""
    lt, eq, uno, ai, bi, oi, o, nan, m1, m2, r = (fe.tmp(h) for h in (
        "mlt", "meq", "muno", "mai", "mbi", "moi", "mo", "mnan", "m1", "m2", "mr"))
    fe.emit(f"{lt} = fcmp {'olt' if is_min else 'ogt'} {ty} {a}, {b}")
    fe.emit(f"{eq} = fcmp oeq {ty} {a}, {b}")
    fe.emit(f"{uno} = fcmp uno {ty} {a}, {b}")
    fe.emit(f"{ai} = bitcast {ty} {a} to {ity}")
    fe.emit(f"{bi} = bitcast {ty} {b} to {ity}")
    fe.emit(f"{oi} = {'or' if is_min else 'and'} {ity} {ai}, {bi}")
    fe.emit(f"{o} = bitcast {ity} {oi} to {ty}")
    fe.emit(f"{nan} = fadd {ty} {a}, {b}")
    fe.emit(f"{m1} = select {_cond_type(ty)} {lt}, {ty} {a}, {ty} {b}")
    fe.emit(f"{m2} = select {_cond_type(ty)} {eq}, {ty} {o}, {ty} {m1}")
    fe.emit(f"{r} = select {_cond_type(ty)} {uno}, {ty} {nan}, {ty} {m2}")
    return r


def _cond_type(ty: str) -> str:
    """The i1 (or <N x i1>) condition type of a select on ``ty``."""
    if ty.startswith("<"):
        return ty.split(" x ")[0] + " x i1>"
    return "i1"


def h_fintr1(fe, inst):
    (a,) = _args(fe, inst)
    ctrl = fe.dfg.ctrl[inst]
    ty = LTYPE[ctrl]
    op = fe.dfg.op[inst]
    f = fe.mc.intrinsic(f"llvm.{_FINTR1[op]}.{_FSUF[ctrl]}", ty, ty)
    if op in _ROUNDING and fe.mc.target.round_may_keep_snan:
        # The target's lowering may return a signalling NaN unchanged
        # (RISC-V without Zfa: "|x| >= 2^52 or NaN -> x"); Wasm wants an
        # arithmetic (quiet) NaN.  Elsewhere this would cost an instruction.
        t = fe.tmp("f")
        fe.emit(f"{t} = call {ty} {f}({ty} {a})")
        _canonicalize(fe, ctrl, t, fe.res(inst))
        return
    fe.emit(f"{fe.res(inst)} = call {ty} {f}({ty} {a})")


_ROUNDING = (Opcode.fceil, Opcode.ffloor, Opcode.ftrunc, Opcode.fnearest)


def h_fneg(fe, inst):
    (a,) = _args(fe, inst)
    fe.emit(f"{fe.res(inst)} = fneg {LTYPE[fe.dfg.ctrl[inst]]} {a}")


def h_fcmp(fe, inst):
    a, b = _args(fe, inst)
    ty = LTYPE[fe.dfg.ctrl[inst]]
    cc = FCMP[FloatCC(_imm(fe, inst, ImmKind.FLOATCC))]
    t = fe.tmp("c")
    fe.emit(f"{t} = fcmp {cc} {ty} {a}, {b}")
    fe.emit(f"{fe.res(inst)} = zext i1 {t} to i32")


def h_fconv(fe, inst):
    (a,) = _args(fe, inst)
    op = fe.dfg.op[inst]
    dst = LTYPE[fe.dfg.ctrl[inst]]
    src = fe.ty(fe.dfg.inst_args(inst)[0])
    kw = {Opcode.fpromote: "fpext", Opcode.fdemote: "fptrunc",
          Opcode.fcvt_from_sint: "sitofp", Opcode.fcvt_from_uint: "uitofp",
          Opcode.bitcast: "bitcast"}[op]
    if op == Opcode.fpromote or op == Opcode.fdemote:
        # Wasm: promote/demote of a signalling NaN yields a quiet one, but
        # LLVM folds fptrunc(fpext x) to x (float_exprs no_fold_promote_demote).
        t = fe.tmp("f")
        fe.emit(f"{t} = {kw} {src} {a} to {dst}")
        _canonicalize(fe, fe.dfg.ctrl[inst], t, fe.res(inst))
        return
    fe.emit(f"{fe.res(inst)} = {kw} {src} {a} to {dst}")


def h_trunc(fe, inst):
    (v,) = fe.dfg.inst_args(inst)
    signed = fe.dfg.op[inst] == Opcode.fcvt_to_sint
    traps.trunc_checked(fe, signed, fe.dfg.vtype[v], fe.dfg.ctrl[inst], fe.val(v), fe.res(inst))


def h_trunc_sat(fe, inst):
    (v,) = fe.dfg.inst_args(inst)
    ctrl = fe.dfg.ctrl[inst]
    src = fe.dfg.vtype[v]
    s = "s" if fe.dfg.op[inst] == Opcode.fcvt_to_sint_sat else "u"
    ity, fty = LTYPE[ctrl], LTYPE[src]
    f = fe.mc.intrinsic(f"llvm.fpto{s}i.sat.{_ISUF[ctrl]}.{_FSUF[src]}", ity, fty)
    fe.emit(f"{fe.res(inst)} = call {ity} {f}({fty} {fe.val(v)})")


def h_select(fe, inst):
    c, a, b = fe.dfg.inst_args(inst)
    t = fe.tmp("c")
    fe.emit(f"{t} = icmp ne i32 {fe.val(c)}, 0")
    ty = LTYPE[fe.dfg.ctrl[inst]]
    fe.emit(f"{fe.res(inst)} = select i1 {t}, {ty} {fe.val(a)}, {ty} {fe.val(b)}")


def h_is_null(fe, inst):
    (a,) = _args(fe, inst)
    t = fe.tmp("c")
    fe.emit(f"{t} = icmp eq ptr {a}, null")
    fe.emit(f"{fe.res(inst)} = zext i1 {t} to i32")


def _i128(fe, lo: str, hi: str, ext: str = "zext") -> str:
    """``hi:lo`` as one i128 (``ext`` only matters when ``hi`` is None: the
    single i64 ``lo`` widened, signed or not)."""
    w = fe.tmp("w")
    if hi is None:
        fe.emit(f"{w} = {ext} i64 {lo} to i128")
        return w
    fe.emit(f"{w}.lo = zext i64 {lo} to i128")
    fe.emit(f"{w}.hi0 = zext i64 {hi} to i128")
    fe.emit(f"{w}.hi = shl i128 {w}.hi0, 64")
    fe.emit(f"{w} = or i128 {w}.hi, {w}.lo")
    return w


def h_wide(fe, inst):
    """Wide arithmetic on i128 (LLVM lowers it to add/adc, sub/sbb, one
    widening multiply per target); results are the (low, high) halves."""
    args = _args(fe, inst)
    op = fe.dfg.op[inst]
    if op == Opcode.iadd128 or op == Opcode.isub128:
        a = _i128(fe, args[0], args[1])
        b = _i128(fe, args[2], args[3])
        what = "add" if op == Opcode.iadd128 else "sub"
    else:
        ext = "sext" if op == Opcode.smul_wide else "zext"
        a = _i128(fe, args[0], None, ext)
        b = _i128(fe, args[1], None, ext)
        what = "mul"
    r = fe.tmp("w")
    fe.emit(f"{r} = {what} i128 {a}, {b}")
    lo, hi = fe.dfg.inst_results(inst)
    fe.emit(f"%v{int(lo)} = trunc i128 {r} to i64")
    fe.emit(f"{r}.h = lshr i128 {r}, 64")
    fe.emit(f"%v{int(hi)} = trunc i128 {r}.h to i64")


HANDLERS = {
    Opcode.iadd128: h_wide, Opcode.isub128: h_wide, Opcode.smul_wide: h_wide,
    Opcode.umul_wide: h_wide,
    Opcode.iconst: h_iconst, Opcode.fconst: h_fconst, Opcode.null: h_null,
    **{op: h_int_bin for op in _INT_BIN},
    **{op: h_shift for op in _SHIFT},
    Opcode.rotl: h_rot, Opcode.rotr: h_rot,
    **{op: h_div for op in _DIV},
    Opcode.clz: h_bitcount, Opcode.ctz: h_bitcount, Opcode.popcnt: h_bitcount,
    Opcode.sextend8: h_sext_n, Opcode.sextend16: h_sext_n, Opcode.sextend32: h_sext_n,
    Opcode.eqz: h_eqz, Opcode.icmp: h_icmp,
    Opcode.ireduce: h_int_conv, Opcode.uextend: h_int_conv, Opcode.sextend: h_int_conv,
    **{op: h_fbin for op in _FBIN},
    **{op: h_fintr2 for op in _FINTR2},
    **{op: h_fintr1 for op in _FINTR1},
    Opcode.fneg: h_fneg, Opcode.fcmp: h_fcmp,
    Opcode.fpromote: h_fconv, Opcode.fdemote: h_fconv, Opcode.fcvt_from_sint: h_fconv,
    Opcode.fcvt_from_uint: h_fconv, Opcode.bitcast: h_fconv,
    Opcode.fcvt_to_sint: h_trunc, Opcode.fcvt_to_uint: h_trunc,
    Opcode.fcvt_to_sint_sat: h_trunc_sat, Opcode.fcvt_to_uint_sat: h_trunc_sat,
    Opcode.select: h_select, Opcode.is_null: h_is_null,
}
