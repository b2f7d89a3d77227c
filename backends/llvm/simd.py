"""SIMD (v128) operations -> LLVM vector IR.

What: every IR value of type v128 is an LLVM ``<2 x i64>`` (the ABI type,
see ``common.LTYPE``).  A lane-wise op bitcasts its operands to the vector
type of its lane shape (``<4 x i32>`` for ``i32x4`` ...), computes with
ordinary vector instructions or target-independent intrinsics, and bitcasts
the result back; LLVM folds the casts, so x86-64 gets SSE (and AVX2 when
the CPU has it) and AArch64 NEON, while a target without vectors gets the
same IR legalized to scalars.  Target-independent IR throughout (the
patterns below are the ones LLVM's x86/AArch64 backends match to single
instructions: pavg, pmaddwd, packss/packus, pshufb for swizzle ...), with
one exception: AArch64 swizzle is NEON ``tbl`` (LLVM does not match the
generic variable permute there).

Where LLVM's default semantics differ from Wasm's (why each choice is exact):

* shifts: count ``& (lane bits - 1)`` then splat (LLVM: poison for counts
  >= the lane width);
* ``swizzle``: lanes whose index is >= 16 are 0 (a select after a masked
  variable permute; LLVM's extractelement would be poison);
* ``fmin``/``fmax``: ``llvm.minimum``/``maximum`` (NaN-propagating, -0 < +0)
  then ``llvm.canonicalize`` (they may pass a signalling NaN through);
  ``pmin``/``pmax``: ``select (b < a), b, a`` / ``select (a < b), b, a`` --
  Wasm's definition, NaN/zero behaviour included;
* saturating float->int: NaN -> 0, clamp into range, then ``fptosi``/``fptoui``
  (see :func:`h_cvt_to_int_sat`);
* narrowing: signed clamp (``smax``/``smin``) then ``trunc``;
* ``q15mulr_sat_s``: ``(a*b + 0x4000) >> 15`` in i32, clamped to 0x7fff
  (the only overflow: -0x8000 * -0x8000);
* ``abs``: ``llvm.abs`` with ``is_int_min_poison = false`` (INT_MIN stays);
* ``nearest``: ``llvm.roundeven``;
* comparisons produce all-ones / all-zero lanes (``sext`` of the i1 mask);
* arithmetic NaNs: as in :mod:`.arith`, an op LLVM would fold to an
  identity (``x * 1``, ``x + -0`` ...) and promote/demote are followed by
  ``llvm.canonicalize``, so a signalling NaN input gives a quiet NaN.

Relaxed SIMD never reaches this file as such: the translator lowers each
relaxed instruction to the ops above, choosing Wasm 3.0's deterministic
profile (ir/translate/simd.py, "relaxed SIMD", says why per instruction).

Memory accesses go through :func:`.memory.effective_ptr`, i.e. the same
bounds policy (guard / explicit, ``traps.py``) as scalar accesses, with the
access width the IR op declares (16 bytes for ``load.v128``, which the
scalar handlers in :mod:`.memory` already lower).
"""
from __future__ import annotations

import struct

from ...ir.opcodes import FloatCC, ImmKind, IntCC, Opcode
from ...ir.types import F32X4, F64X2, I8X16, I16X8, I32X4, I64X2, lane_bits, lane_count
from .arith import expand_minmax
from .common import FCMP, ICMP
from .memory import access_md, effective_ptr, emit_load

V = "<2 x i64>"
VT = {I8X16: "<16 x i8>", I16X8: "<8 x i16>", I32X4: "<4 x i32>", I64X2: "<2 x i64>",
      F32X4: "<4 x float>", F64X2: "<2 x double>"}
SUF = {I8X16: "v16i8", I16X8: "v8i16", I32X4: "v4i32", I64X2: "v2i64",
       F32X4: "v4f32", F64X2: "v2f64"}
ELEM = {I8X16: "i8", I16X8: "i16", I32X4: "i32", I64X2: "i64", F32X4: "float", F64X2: "double"}
#: the integer shape of the same lane width (float compare masks, bit tricks)
INT_OF = {F32X4: I32X4, F64X2: I64X2, I8X16: I8X16, I16X8: I16X8, I32X4: I32X4,
          I64X2: I64X2}
#: the shape with lanes half as wide (the source of a widening op)
HALF = {I16X8: I8X16, I32X4: I16X8, I64X2: I32X4}



def _vec(n: int, ty: str) -> str:
    return f"<{n} x {ty}>"


def _mask(idx) -> str:
    """Typed constant ``<N x i32>`` shuffle mask."""
    idx = list(idx)
    return f"<{len(idx)} x i32> <" + ", ".join(f"i32 {i}" for i in idx) + ">"


def _splat_const(n: int, ty: str, value) -> str:
    return "<" + ", ".join(f"{ty} {value}" for _ in range(n)) + ">"


# ---- casts between the ABI type and lane shapes ---------------------------------

def vin(fe, v: int, shape: int) -> str:
    """Operand ``v`` (a v128) as the vector type of ``shape``."""
    t = fe.tmp("vi")
    fe.emit(f"{t} = bitcast {V} {fe.val(v)} to {VT[shape]}")
    return t


def vout(fe, inst, x: str, shape: int) -> None:
    """Result of ``inst`` := ``x`` (of ``shape``'s vector type) as a v128."""
    fe.emit(f"{fe.res(inst)} = bitcast {VT[shape]} {x} to {V}")


def _args(fe, inst, shape: int) -> list[str]:
    return [vin(fe, a, shape) for a in fe.dfg.inst_args(inst)]


def _ctrl(fe, inst) -> int:
    return fe.dfg.ctrl[inst]


def _call(fe, name: str, ret: str, args: list[tuple[str, str]], hint: str = "r") -> str:
    f = fe.mc.intrinsic(name, ret, ", ".join(t for t, _ in args))
    r = fe.tmp(hint)
    fe.emit(f"{r} = call {ret} {f}(" + ", ".join(f"{t} {v}" for t, v in args) + ")")
    return r


def _op(fe, text: str, hint: str = "r") -> str:
    r = fe.tmp(hint)
    fe.emit(f"{r} = {text}")
    return r


def _splat(fe, n: int, ty: str, scalar: str) -> str:
    vt = _vec(n, ty)
    t = _op(fe, f"insertelement {vt} poison, {ty} {scalar}, i64 0", "sp")
    return _op(fe, f"shufflevector {vt} {t}, {vt} poison, <{n} x i32> zeroinitializer", "sp")


def _canonicalize(fe, shape: int, x: str) -> str:
    return _call(fe, f"llvm.canonicalize.{SUF[shape]}", VT[shape], [(VT[shape], x)], "cn")


# ---- constants, shuffles, lanes --------------------------------------------------

def _s64(x: int) -> int:
    return x - (1 << 64) if x >> 63 else x


def h_vconst(fe, inst):
    lo, hi = fe.dfg.inst_imms(inst)
    fe.consts[fe.dfg.res[inst]] = ("zeroinitializer" if lo == hi == 0
                                   else f"<i64 {_s64(lo)}, i64 {_s64(hi)}>")


def h_shuffle(fe, inst):
    lo, hi = fe.dfg.inst_imms(inst)
    m = lo | hi << 64
    a, b = _args(fe, inst, I8X16)
    t = _op(fe, f"shufflevector <16 x i8> {a}, <16 x i8> {b}, "
                f"{_mask((m >> (8 * k)) & 0xFF for k in range(16))}")
    vout(fe, inst, t, I8X16)


def h_swizzle(fe, inst):
    a, idx = _args(fe, inst, I8X16)
    if fe.mc.target.arch == "aarch64":
        # NEON tbl: an index >= 16 selects 0, exactly Wasm's swizzle (the
        # generic form below is scalarized through the stack on AArch64)
        r = _call(fe, "llvm.aarch64.neon.tbl1.v16i8", "<16 x i8>",
                  [("<16 x i8>", a), ("<16 x i8>", idx)])
        vout(fe, inst, r, I8X16)
        return
    # A variable permute: lane k = a[idx[k] & 15] (never poison), then
    # zero where idx[k] >= 16.  x86 selects pshufb for the build_vector of
    # extracts, AArch64 tbl.
    m = _op(fe, f"and <16 x i8> {idx}, {_splat_const(16, 'i8', 15)}", "sw")
    acc = "poison"
    for k in range(16):
        i = _op(fe, f"extractelement <16 x i8> {m}, i64 {k}", "sw")
        e = _op(fe, f"extractelement <16 x i8> {a}, i8 {i}", "sw")
        acc = _op(fe, f"insertelement <16 x i8> {acc}, i8 {e}, i64 {k}", "sw")
    inb = _op(fe, f"icmp ult <16 x i8> {idx}, {_splat_const(16, 'i8', 16)}", "sw")
    r = _op(fe, f"select <16 x i1> {inb}, <16 x i8> {acc}, <16 x i8> zeroinitializer", "sw")
    vout(fe, inst, r, I8X16)


def _scalar_to_lane(fe, shape: int, x: str) -> str:
    if shape in (I8X16, I16X8):
        return _op(fe, f"trunc i32 {x} to {ELEM[shape]}", "tr")
    return x


def h_splat(fe, inst):
    shape = _ctrl(fe, inst)
    (x,) = fe.dfg.inst_args(inst)
    s = _scalar_to_lane(fe, shape, fe.val(x))
    vout(fe, inst, _splat(fe, lane_count(shape), ELEM[shape], s), shape)


def h_extractlane(fe, inst):
    shape = _ctrl(fe, inst)
    lane = fe.dfg.inst_imm(inst, ImmKind.LANE)
    (a,) = _args(fe, inst, shape)
    op = fe.dfg.op[inst]
    if op == Opcode.extractlane:
        fe.emit(f"{fe.res(inst)} = extractelement {VT[shape]} {a}, i64 {lane}")
        return
    e = _op(fe, f"extractelement {VT[shape]} {a}, i64 {lane}")
    ext = "sext" if op == Opcode.sextractlane else "zext"
    fe.emit(f"{fe.res(inst)} = {ext} {ELEM[shape]} {e} to i32")


def h_insertlane(fe, inst):
    shape = _ctrl(fe, inst)
    lane = fe.dfg.inst_imm(inst, ImmKind.LANE)
    v, x = fe.dfg.inst_args(inst)
    a = vin(fe, v, shape)
    s = _scalar_to_lane(fe, shape, fe.val(x))
    vout(fe, inst, _op(fe, f"insertelement {VT[shape]} {a}, {ELEM[shape]} {s}, i64 {lane}"),
         shape)


# ---- bitwise ------------------------------------------------------------------------

_ONES = "<i64 -1, i64 -1>"


def h_bitwise(fe, inst):
    op = fe.dfg.op[inst]
    args = [fe.val(a) for a in fe.dfg.inst_args(inst)]
    r = fe.res(inst)
    if op == Opcode.vnot:
        fe.emit(f"{r} = xor {V} {args[0]}, {_ONES}")
    elif op == Opcode.vandnot:
        n = _op(fe, f"xor {V} {args[1]}, {_ONES}")
        fe.emit(f"{r} = and {V} {args[0]}, {n}")
    elif op == Opcode.bitselect:
        a, b, c = args
        # (a & c) | (b & ~c) == ((a ^ b) & c) ^ b
        x = _op(fe, f"xor {V} {a}, {b}")
        y = _op(fe, f"and {V} {x}, {c}")
        fe.emit(f"{r} = xor {V} {y}, {b}")
    else:
        kw = {Opcode.vand: "and", Opcode.vor: "or", Opcode.vxor: "xor"}[op]
        fe.emit(f"{r} = {kw} {V} {args[0]}, {args[1]}")


def h_any_true(fe, inst):
    (a,) = fe.dfg.inst_args(inst)
    w = _op(fe, f"bitcast {V} {fe.val(a)} to i128")
    c = _op(fe, f"icmp ne i128 {w}, 0")
    fe.emit(f"{fe.res(inst)} = zext i1 {c} to i32")


def h_all_true(fe, inst):
    shape = _ctrl(fe, inst)
    n = lane_count(shape)
    (a,) = _args(fe, inst, shape)
    nz = _op(fe, f"icmp ne {VT[shape]} {a}, zeroinitializer")
    c = _call(fe, f"llvm.vector.reduce.and.v{n}i1", "i1", [(f"<{n} x i1>", nz)])
    fe.emit(f"{fe.res(inst)} = zext i1 {c} to i32")


def h_bitmask(fe, inst):
    shape = _ctrl(fe, inst)
    n = lane_count(shape)
    (a,) = _args(fe, inst, shape)
    neg = _op(fe, f"icmp slt {VT[shape]} {a}, zeroinitializer")
    bits = _op(fe, f"bitcast <{n} x i1> {neg} to i{n}")
    fe.emit(f"{fe.res(inst)} = zext i{n} {bits} to i32")


# ---- integer arithmetic -----------------------------------------------------------

_IBIN = {Opcode.viadd: "add", Opcode.visub: "sub", Opcode.vimul: "mul"}
_IINTR2 = {Opcode.vsadd_sat: "sadd.sat", Opcode.vuadd_sat: "uadd.sat",
           Opcode.vssub_sat: "ssub.sat", Opcode.vusub_sat: "usub.sat",
           Opcode.vsmin: "smin", Opcode.vumin: "umin", Opcode.vsmax: "smax",
           Opcode.vumax: "umax"}


def h_ibin(fe, inst):
    shape = _ctrl(fe, inst)
    a, b = _args(fe, inst, shape)
    vout(fe, inst, _op(fe, f"{_IBIN[fe.dfg.op[inst]]} {VT[shape]} {a}, {b}"), shape)


def h_iintr2(fe, inst):
    shape = _ctrl(fe, inst)
    a, b = _args(fe, inst, shape)
    t = VT[shape]
    r = _call(fe, f"llvm.{_IINTR2[fe.dfg.op[inst]]}.{SUF[shape]}", t, [(t, a), (t, b)])
    vout(fe, inst, r, shape)


def h_iunary(fe, inst):
    shape = _ctrl(fe, inst)
    (a,) = _args(fe, inst, shape)
    t = VT[shape]
    op = fe.dfg.op[inst]
    if op == Opcode.vineg:
        r = _op(fe, f"sub {t} zeroinitializer, {a}")
    elif op == Opcode.viabs:
        r = _call(fe, f"llvm.abs.{SUF[shape]}", t, [(t, a), ("i1", "false")])
    else:  # vpopcnt
        r = _call(fe, f"llvm.ctpop.{SUF[shape]}", t, [(t, a)])
    vout(fe, inst, r, shape)


def _wide(shape: int) -> tuple[str, str]:
    """(vector type with lanes twice as wide, its element type)."""
    n, w = lane_count(shape), lane_bits(shape)
    return _vec(n, f"i{2 * w}"), f"i{2 * w}"


def h_avgr(fe, inst):
    shape = _ctrl(fe, inst)
    a, b = _args(fe, inst, shape)
    t, n = VT[shape], lane_count(shape)
    wt, we = _wide(shape)
    # (a + b + 1) >> 1 without overflow: in lanes twice as wide (pavgb/w).
    x = _op(fe, f"zext {t} {a} to {wt}")
    y = _op(fe, f"zext {t} {b} to {wt}")
    s = _op(fe, f"add nuw nsw {wt} {x}, {y}")
    s1 = _op(fe, f"add nuw nsw {wt} {s}, {_splat_const(n, we, 1)}")
    h = _op(fe, f"lshr {wt} {s1}, {_splat_const(n, we, 1)}")
    vout(fe, inst, _op(fe, f"trunc {wt} {h} to {t}"), shape)


def h_q15mulr(fe, inst):
    a, b = _args(fe, inst, I16X8)
    x = _op(fe, f"sext <8 x i16> {a} to <8 x i32>")
    y = _op(fe, f"sext <8 x i16> {b} to <8 x i32>")
    p = _op(fe, f"mul nsw <8 x i32> {x}, {y}")
    r = _op(fe, f"add nsw <8 x i32> {p}, {_splat_const(8, 'i32', 0x4000)}")
    s = _op(fe, f"ashr <8 x i32> {r}, {_splat_const(8, 'i32', 15)}")
    c = _call(fe, "llvm.smin.v8i32", "<8 x i32>",
              [("<8 x i32>", s), ("<8 x i32>", _splat_const(8, "i32", 0x7FFF))])
    vout(fe, inst, _op(fe, f"trunc <8 x i32> {c} to <8 x i16>"), I16X8)


def h_dot(fe, inst):
    a, b = _args(fe, inst, I16X8)
    x = _op(fe, f"sext <8 x i16> {a} to <8 x i32>")
    y = _op(fe, f"sext <8 x i16> {b} to <8 x i32>")
    p = _op(fe, f"mul nsw <8 x i32> {x}, {y}")
    ev = _op(fe, f"shufflevector <8 x i32> {p}, <8 x i32> poison, {_mask([0, 2, 4, 6])}")
    od = _op(fe, f"shufflevector <8 x i32> {p}, <8 x i32> poison, {_mask([1, 3, 5, 7])}")
    # wraps for (-0x8000 * -0x8000) * 2, as Wasm (and pmaddwd) do
    vout(fe, inst, _op(fe, f"add <4 x i32> {ev}, {od}"), I32X4)


def _half(fe, src: str, shape: int, high: bool) -> str:
    """Low or high half of the lanes of ``src`` (of vector type ``shape``)."""
    n = lane_count(shape)
    start = n // 2 if high else 0
    return _op(fe, f"shufflevector {VT[shape]} {src}, {VT[shape]} poison, "
                   f"{_mask(range(start, start + n // 2))}", "h")


_EXTMUL = {Opcode.vsextmul_low: ("sext", False), Opcode.vsextmul_high: ("sext", True),
           Opcode.vuextmul_low: ("zext", False), Opcode.vuextmul_high: ("zext", True)}
_WIDEN = {Opcode.vswiden_low: ("sext", False), Opcode.vswiden_high: ("sext", True),
          Opcode.vuwiden_low: ("zext", False), Opcode.vuwiden_high: ("zext", True)}


def _narrow_half_type(src: int) -> str:
    return _vec(lane_count(src) // 2, ELEM[src])


def h_extmul(fe, inst):
    res = _ctrl(fe, inst)
    src = HALF[res]
    ext, high = _EXTMUL[fe.dfg.op[inst]]
    a, b = _args(fe, inst, src)
    ht = _narrow_half_type(src)
    x = _op(fe, f"{ext} {ht} {_half(fe, a, src, high)} to {VT[res]}")
    y = _op(fe, f"{ext} {ht} {_half(fe, b, src, high)} to {VT[res]}")
    vout(fe, inst, _op(fe, f"mul {VT[res]} {x}, {y}"), res)


def h_widen(fe, inst):
    res = _ctrl(fe, inst)
    src = HALF[res]
    ext, high = _WIDEN[fe.dfg.op[inst]]
    (a,) = _args(fe, inst, src)
    ht = _narrow_half_type(src)
    vout(fe, inst, _op(fe, f"{ext} {ht} {_half(fe, a, src, high)} to {VT[res]}"), res)


def h_extadd(fe, inst):
    res = _ctrl(fe, inst)
    src = HALF[res]
    ext = "sext" if fe.dfg.op[inst] == Opcode.vsextadd_pairwise else "zext"
    (a,) = _args(fe, inst, src)
    n = lane_count(res)
    ht = _vec(n, ELEM[src])
    ev = _op(fe, f"shufflevector {VT[src]} {a}, {VT[src]} poison, {_mask(range(0, 2 * n, 2))}")
    od = _op(fe, f"shufflevector {VT[src]} {a}, {VT[src]} poison, {_mask(range(1, 2 * n, 2))}")
    x = _op(fe, f"{ext} {ht} {ev} to {VT[res]}")
    y = _op(fe, f"{ext} {ht} {od} to {VT[res]}")
    vout(fe, inst, _op(fe, f"add {VT[res]} {x}, {y}"), res)


def h_narrow(fe, inst):
    res = _ctrl(fe, inst)          # i8x16 from i16x8, i16x8 from i32x4
    src = {I8X16: I16X8, I16X8: I32X4}[res]
    a, b = _args(fe, inst, src)
    n = lane_count(res)
    w = lane_bits(res)
    st = _vec(n, ELEM[src])
    cat = _op(fe, f"shufflevector {VT[src]} {a}, {VT[src]} {b}, {_mask(range(n))}")
    if fe.dfg.op[inst] == Opcode.vsnarrow:
        lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
    else:
        lo, hi = 0, (1 << w) - 1
    e = ELEM[src]
    sfx = f"v{n}{e}"
    c1 = _call(fe, f"llvm.smax.{sfx}", st, [(st, cat), (st, _splat_const(n, e, lo))])
    c2 = _call(fe, f"llvm.smin.{sfx}", st, [(st, c1), (st, _splat_const(n, e, hi))])
    vout(fe, inst, _op(fe, f"trunc {st} {c2} to {VT[res]}"), res)


_SHIFT = {Opcode.vishl: "shl", Opcode.vushr: "lshr", Opcode.vsshr: "ashr"}


def h_shift(fe, inst):
    shape = _ctrl(fe, inst)
    v, cnt = fe.dfg.inst_args(inst)
    a = vin(fe, v, shape)
    w = lane_bits(shape)
    e = ELEM[shape]
    c = fe.val(cnt)
    if c.lstrip("-").isdigit():
        amt = _splat_const(lane_count(shape), e, int(c) & (w - 1))
    else:
        m = _op(fe, f"and i32 {c}, {w - 1}", "sh")
        if w < 32:
            m = _op(fe, f"trunc i32 {m} to {e}", "sh")
        elif w > 32:
            m = _op(fe, f"zext i32 {m} to {e}", "sh")
        amt = _splat(fe, lane_count(shape), e, m)
    vout(fe, inst, _op(fe, f"{_SHIFT[fe.dfg.op[inst]]} {VT[shape]} {a}, {amt}"), shape)


def h_icmp(fe, inst):
    shape = _ctrl(fe, inst)
    a, b = _args(fe, inst, shape)
    cc = ICMP[IntCC(fe.dfg.inst_imm(inst, ImmKind.INTCC))]
    n = lane_count(shape)
    c = _op(fe, f"icmp {cc} {VT[shape]} {a}, {b}", "c")
    vout(fe, inst, _op(fe, f"sext <{n} x i1> {c} to {VT[shape]}"), shape)


# ---- floating point ---------------------------------------------------------------

def h_fcmp(fe, inst):
    shape = _ctrl(fe, inst)
    a, b = _args(fe, inst, shape)
    cc = FCMP[FloatCC(fe.dfg.inst_imm(inst, ImmKind.FLOATCC))]
    n = lane_count(shape)
    ish = INT_OF[shape]
    c = _op(fe, f"fcmp {cc} {VT[shape]} {a}, {b}", "c")
    vout(fe, inst, _op(fe, f"sext <{n} x i1> {c} to {VT[ish]}"), ish)


_FBIN = {Opcode.vfadd: "fadd", Opcode.vfsub: "fsub", Opcode.vfmul: "fmul",
         Opcode.vfdiv: "fdiv"}
# Lane constants that make an op an identity LLVM may fold away (see
# arith._IDENTITY): (f32 bits, f64 bits, operand positions).
_ONE, _M1, _M0 = (0x3F800000, 0x3FF0000000000000), (0xBF800000, 0xBFF0000000000000), \
    (0x80000000, 0x8000000000000000)
_IDENTITY = {Opcode.vfadd: [(*_M0, (0, 1))],
             Opcode.vfsub: [(0, 0, (1,)), (*_M0, (0,))],
             Opcode.vfmul: [(*_ONE, (0, 1)), (*_M1, (0, 1))],
             Opcode.vfdiv: [(*_ONE, (1,)), (*_M1, (1,))]}


def _const_lanes(fe, v: int, shape: int) -> set[int] | None:
    """The set of lane bit patterns of a constant v128 operand, or None."""
    inst = fe.dfg.value_inst(v)
    if inst is None or fe.dfg.op[inst] != Opcode.vconst:
        return None
    lo, hi = fe.dfg.inst_imms(inst)
    x = lo | hi << 64
    w = lane_bits(shape)
    return {(x >> (w * k)) & ((1 << w) - 1) for k in range(lane_count(shape))}


def _identity_operand(fe, inst, shape: int) -> bool:
    args = fe.dfg.inst_args(inst)
    for b32, b64, pos in _IDENTITY[fe.dfg.op[inst]]:
        want = b32 if shape == F32X4 else b64
        for k in pos:
            lanes = _const_lanes(fe, args[k], shape)
            if lanes is not None and want in lanes:
                return True
    return False


def h_fbin(fe, inst):
    shape = _ctrl(fe, inst)
    a, b = _args(fe, inst, shape)
    r = _op(fe, f"{_FBIN[fe.dfg.op[inst]]} {VT[shape]} {a}, {b}")
    if _identity_operand(fe, inst, shape):
        r = _canonicalize(fe, shape, r)
    vout(fe, inst, r, shape)


def h_fminmax(fe, inst):
    shape = _ctrl(fe, inst)
    a, b = _args(fe, inst, shape)
    t = VT[shape]
    name = "minimum" if fe.dfg.op[inst] == Opcode.vfmin else "maximum"
    if t == "<2 x double>" and fe.mc.target.expand_f64_minmax:
        r = expand_minmax(fe, t, "<2 x i64>", a, b, name == "minimum")
    else:
        r = _call(fe, f"llvm.{name}.{SUF[shape]}", t, [(t, a), (t, b)])
    vout(fe, inst, _canonicalize(fe, shape, r), shape)


def h_pminmax(fe, inst):
    shape = _ctrl(fe, inst)
    a, b = _args(fe, inst, shape)
    t = VT[shape]
    n = lane_count(shape)
    if fe.dfg.op[inst] == Opcode.vfpmin:      # b < a ? b : a
        c = _op(fe, f"fcmp olt {t} {b}, {a}", "c")
    else:                                     # a < b ? b : a
        c = _op(fe, f"fcmp olt {t} {a}, {b}", "c")
    vout(fe, inst, _op(fe, f"select <{n} x i1> {c}, {t} {b}, {t} {a}"), shape)


_FUNARY = {Opcode.vfabs: "fabs", Opcode.vfsqrt: "sqrt", Opcode.vfceil: "ceil",
           Opcode.vffloor: "floor", Opcode.vftrunc: "trunc", Opcode.vfnearest: "roundeven"}


_ROUNDING = (Opcode.vfceil, Opcode.vffloor, Opcode.vftrunc, Opcode.vfnearest)


def h_funary(fe, inst):
    shape = _ctrl(fe, inst)
    (a,) = _args(fe, inst, shape)
    t = VT[shape]
    op = fe.dfg.op[inst]
    if op == Opcode.vfneg:
        r = _op(fe, f"fneg {t} {a}")
    else:
        r = _call(fe, f"llvm.{_FUNARY[op]}.{SUF[shape]}", t, [(t, a)])
        if op in _ROUNDING and fe.mc.target.round_may_keep_snan:
            # the target's rounding sequence returns a signalling NaN as is
            # (see Target.round_may_keep_snan); Wasm wants it quiet
            r = _canonicalize(fe, shape, r)
    vout(fe, inst, r, shape)


def h_cvt_from_int(fe, inst):
    shape = _ctrl(fe, inst)
    (a,) = _args(fe, inst, I32X4)
    kw = "sitofp" if fe.dfg.op[inst] == Opcode.vfcvt_from_sint else "uitofp"
    if shape == F32X4:
        r = _op(fe, f"{kw} <4 x i32> {a} to <4 x float>")
    else:
        lo = _half(fe, a, I32X4, False)
        r = _op(fe, f"{kw} <2 x i32> {lo} to <2 x double>")
    vout(fe, inst, r, shape)


def h_cvt_to_int_sat(fe, inst):
    """Saturating float -> i32 lanes, NaN -> 0.

    Not ``llvm.fpto[su]i.sat`` on vectors: x86 scalarizes those (four
    cvttss2si + fixups).  Instead the input is clamped in the float domain
    into the range where ``fptosi``/``fptoui`` are defined, which LLVM lowers
    to cvttps2dq / cvttpd2dq.  f64: every i32/u32 bound is exact in double,
    so clamping to [min, max] is the whole job.  f32: 2^31-1 and 2^32-1 are
    not floats, so lanes >= 2^31 (2^32) are clamped to 0 before the
    conversion and then replaced by the integer maximum."""
    shape = _ctrl(fe, inst)
    (a,) = _args(fe, inst, shape)
    signed = fe.dfg.op[inst] == Opcode.vfcvt_to_sint_sat
    kw = "fptosi" if signed else "fptoui"
    n = lane_count(shape)
    t = VT[shape]
    e = ELEM[shape]
    fc = lambda x: _splat_const(n, e, _flit(x))
    ordered = _op(fe, f"fcmp ord {t} {a}, {a}", "c")
    x = _op(fe, f"select <{n} x i1> {ordered}, {t} {a}, {t} zeroinitializer")
    lo = -2.0 ** 31 if signed else 0.0
    low = _op(fe, f"fcmp olt {t} {x}, {fc(lo)}", "c")
    x = _op(fe, f"select <{n} x i1> {low}, {t} {fc(lo)}, {t} {x}")
    if shape == F64X2:
        hi = 2.0 ** 31 - 1 if signed else 2.0 ** 32 - 1
        high = _op(fe, f"fcmp ogt {t} {x}, {fc(hi)}", "c")
        x = _op(fe, f"select <2 x i1> {high}, {t} {fc(hi)}, {t} {x}")
        r2 = _op(fe, f"{kw} {t} {x} to <2 x i32>")
        r = _op(fe, f"shufflevector <2 x i32> {r2}, <2 x i32> zeroinitializer, "
                    f"{_mask([0, 1, 2, 3])}")
    else:
        limit = 2.0 ** 31 if signed else 2.0 ** 32
        big = _op(fe, f"fcmp oge {t} {a}, {fc(limit)}", "c")
        x = _op(fe, f"select <4 x i1> {big}, {t} zeroinitializer, {t} {x}")
        i = _op(fe, f"{kw} {t} {x} to <4 x i32>")
        imax = (1 << 31) - 1 if signed else -1
        r = _op(fe, f"select <4 x i1> {big}, <4 x i32> {_splat_const(4, 'i32', imax)}, "
                    f"<4 x i32> {i}")
    vout(fe, inst, r, I32X4)


def _flit(x: float) -> str:
    """LLVM literal for a float/double constant (exact: the hex of a double)."""
    return f"0x{struct.unpack('<Q', struct.pack('<d', x))[0]:016X}"


def h_demote(fe, inst):
    (a,) = _args(fe, inst, F64X2)
    # Quiet signalling NaNs even if LLVM folds demote(promote x) into x
    # (arith.h_fconv): canonicalize the <2 x double> input.  Not the <4 x
    # float> result: LLVM narrows that canonicalize to <2 x float> when a
    # promote takes the low half, and x86 cannot legalize it (an abort).
    a = _canonicalize(fe, F64X2, a)
    t = _op(fe, f"fptrunc <2 x double> {a} to <2 x float>")
    r = _op(fe, f"shufflevector <2 x float> {t}, <2 x float> zeroinitializer, "
                f"{_mask([0, 1, 2, 3])}")
    vout(fe, inst, r, F32X4)


def h_promote(fe, inst):
    (a,) = _args(fe, inst, F32X4)
    lo = _half(fe, a, F32X4, False)
    r = _op(fe, f"fpext <2 x float> {lo} to <2 x double>")
    vout(fe, inst, _canonicalize(fe, F64X2, r), F64X2)


# ---- memory -------------------------------------------------------------------------

# op -> (bytes loaded, lanes, source element, result shape, ext)
_EXT_LOAD = {
    Opcode.vload8x8_s: (8, "i8", I16X8, "sext"), Opcode.vload8x8_u: (8, "i8", I16X8, "zext"),
    Opcode.vload16x4_s: (4, "i16", I32X4, "sext"), Opcode.vload16x4_u: (4, "i16", I32X4, "zext"),
    Opcode.vload32x2_s: (2, "i32", I64X2, "sext"), Opcode.vload32x2_u: (2, "i32", I64X2, "zext"),
}
_SPLAT_LOAD = {Opcode.vload8_splat: I8X16, Opcode.vload16_splat: I16X8,
               Opcode.vload32_splat: I32X4, Opcode.vload64_splat: I64X2}
_ZERO_LOAD = {Opcode.vload32_zero: I32X4, Opcode.vload64_zero: I64X2}
_LANE_LOAD = {Opcode.vload8_lane: I8X16, Opcode.vload16_lane: I16X8,
              Opcode.vload32_lane: I32X4, Opcode.vload64_lane: I64X2}
_LANE_STORE = {Opcode.vstore8_lane: I8X16, Opcode.vstore16_lane: I16X8,
               Opcode.vstore32_lane: I32X4, Opcode.vstore64_lane: I64X2}


def _mload(fe, inst, ty: str, nbytes: int) -> str:
    p = effective_ptr(fe, inst, nbytes)
    x = fe.tmp("ld")
    emit_load(fe, inst, ty, p, x)
    return x


def h_ext_load(fe, inst):
    n, e, res, ext = _EXT_LOAD[fe.dfg.op[inst]]
    x = _mload(fe, inst, _vec(n, e), 8)
    if fe.mc.target.freeze_ext_loads:          # an LLVM bug on RV64 (Target)
        x = _op(fe, f"freeze {_vec(n, e)} {x}")
    vout(fe, inst, _op(fe, f"{ext} {_vec(n, e)} {x} to {VT[res]}"), res)


def h_splat_load(fe, inst):
    shape = _SPLAT_LOAD[fe.dfg.op[inst]]
    x = _mload(fe, inst, ELEM[shape], lane_bits(shape) // 8)
    vout(fe, inst, _splat(fe, lane_count(shape), ELEM[shape], x), shape)


def h_zero_load(fe, inst):
    shape = _ZERO_LOAD[fe.dfg.op[inst]]
    x = _mload(fe, inst, ELEM[shape], lane_bits(shape) // 8)
    vout(fe, inst, _op(fe, f"insertelement {VT[shape]} zeroinitializer, {ELEM[shape]} {x}, i64 0"),
         shape)


def h_lane_load(fe, inst):
    shape = _LANE_LOAD[fe.dfg.op[inst]]
    lane = fe.dfg.inst_imm(inst, ImmKind.LANE)
    v = fe.dfg.inst_args(inst)[1]
    x = _mload(fe, inst, ELEM[shape], lane_bits(shape) // 8)
    a = vin(fe, v, shape)
    vout(fe, inst, _op(fe, f"insertelement {VT[shape]} {a}, {ELEM[shape]} {x}, i64 {lane}"), shape)


def h_lane_store(fe, inst):
    shape = _LANE_STORE[fe.dfg.op[inst]]
    lane = fe.dfg.inst_imm(inst, ImmKind.LANE)
    v = fe.dfg.inst_args(inst)[1]
    a = vin(fe, v, shape)
    x = _op(fe, f"extractelement {VT[shape]} {a}, i64 {lane}")
    p = effective_ptr(fe, inst, lane_bits(shape) // 8)
    fe.emit(f"store {ELEM[shape]} {x}, {p}, align 1{access_md(fe, inst)}")


_O = Opcode
HANDLERS = {
    _O.vconst: h_vconst, _O.shuffle: h_shuffle, _O.swizzle: h_swizzle, _O.splat: h_splat,
    _O.extractlane: h_extractlane, _O.sextractlane: h_extractlane,
    _O.uextractlane: h_extractlane, _O.insertlane: h_insertlane,
    **{op: h_bitwise for op in (_O.vnot, _O.vand, _O.vor, _O.vxor, _O.vandnot, _O.bitselect)},
    _O.vany_true: h_any_true, _O.vall_true: h_all_true, _O.vbitmask: h_bitmask,
    **{op: h_ibin for op in _IBIN},
    **{op: h_iintr2 for op in _IINTR2},
    _O.vineg: h_iunary, _O.viabs: h_iunary, _O.vpopcnt: h_iunary,
    _O.vavgr_u: h_avgr, _O.vq15mulr_sat: h_q15mulr, _O.vdot_s: h_dot,
    **{op: h_extmul for op in _EXTMUL},
    **{op: h_widen for op in _WIDEN},
    _O.vsextadd_pairwise: h_extadd, _O.vuextadd_pairwise: h_extadd,
    _O.vsnarrow: h_narrow, _O.vunarrow: h_narrow,
    **{op: h_shift for op in _SHIFT},
    _O.vicmp: h_icmp, _O.vfcmp: h_fcmp,
    **{op: h_fbin for op in _FBIN},
    _O.vfmin: h_fminmax, _O.vfmax: h_fminmax, _O.vfpmin: h_pminmax, _O.vfpmax: h_pminmax,
    _O.vfneg: h_funary, **{op: h_funary for op in _FUNARY},
    _O.vfcvt_from_sint: h_cvt_from_int, _O.vfcvt_from_uint: h_cvt_from_int,
    _O.vfcvt_to_sint_sat: h_cvt_to_int_sat, _O.vfcvt_to_uint_sat: h_cvt_to_int_sat,
    _O.vfdemote_zero: h_demote, _O.vfpromote_low: h_promote,
    **{op: h_ext_load for op in _EXT_LOAD},
    **{op: h_splat_load for op in _SPLAT_LOAD},
    **{op: h_zero_load for op in _ZERO_LOAD},
    **{op: h_lane_load for op in _LANE_LOAD},
    **{op: h_lane_store for op in _LANE_STORE},
}
