"""Wasm numeric semantics (``wasm_numerics``) against known values, and
against numpy's float32 (an independent IEEE implementation) where numpy
is installed."""
from __future__ import annotations

import math
import struct
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings, strategies as st

from wasmaot.ir import wasm_numerics as wn
from wasmaot.ir.opcodes import FloatCC, IntCC
from wasmaot.ir.trapcodes import TrapCode

M32 = 0xFFFFFFFF
INT_MIN = 0x80000000


def f32(x: float) -> int:
    return struct.unpack("<I", struct.pack("<f", x))[0]


def f64(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


# ---- integers (values from the spec test suite, i32.wast / i64.wast) --------

@pytest.mark.parametrize("fn,w,a,b,want", [
    (wn.iadd, 32, 0x7FFFFFFF, 1, 0x80000000),
    (wn.isub, 32, 0x80000000, 1, 0x7FFFFFFF),
    (wn.imul, 32, 0x01234567, 0x76543210, 0x358E7470),
    (wn.imul, 64, 0x0123456789ABCDEF, 0xFEDCBA9876543210, 0x2236D88FE5618CF0),
    (wn.sdiv, 32, (-7) & M32, 2, (-3) & M32),
    (wn.sdiv, 32, 7, (-2) & M32, (-3) & M32),
    (wn.sdiv, 32, INT_MIN, 2, 0xC0000000),
    (wn.udiv, 32, INT_MIN, 2, 0x40000000),
    (wn.srem, 32, INT_MIN, M32, 0),
    (wn.srem, 32, (-7) & M32, 2, M32),
    (wn.srem, 32, 7, (-2) & M32, 1),
    (wn.urem, 32, (-7) & M32, 2, 1),
    (wn.srem, 64, 1 << 63, (1 << 64) - 1, 0),
    (wn.ishl, 32, 1, 31, 0x80000000),
    (wn.ishl, 32, 1, 32, 1),
    (wn.ishl, 32, 1, M32, 0x80000000),
    (wn.sshr, 32, 0x80000000, 31, M32),
    (wn.sshr, 32, 1, 33, 0),
    (wn.ushr, 32, M32, 33, 0x7FFFFFFF),
    (wn.ushr, 64, (1 << 64) - 1, 64, (1 << 64) - 1),
    (wn.rotl, 32, 0xFE00DC00, 4, 0xE00DC00F),
    (wn.rotl, 32, 0xABCD9876, 1, 0x579B30ED),
    (wn.rotr, 32, 0xB0C1D2E3, 0x0005, 0x1D860E97),
    (wn.rotr, 32, 0xB0C1D2E3, 0xFF05, 0x1D860E97),
    (wn.rotl, 64, 0xABD1234EF567809C, 63, 0x55E891A77AB3C04E),
    (wn.rotr, 64, 0xABCD1234EF567809, 53, 0x6891A77AB3C04D5E),
])
def test_int_binops(fn, w, a, b, want):
    assert fn(w, a, b) == want


@pytest.mark.parametrize("fn,w,a,b,code", [
    (wn.sdiv, 32, 1, 0, TrapCode.integer_divide_by_zero),
    (wn.udiv, 32, 1, 0, TrapCode.integer_divide_by_zero),
    (wn.srem, 32, 1, 0, TrapCode.integer_divide_by_zero),
    (wn.urem, 64, 1, 0, TrapCode.integer_divide_by_zero),
    (wn.sdiv, 32, INT_MIN, M32, TrapCode.integer_overflow),
    (wn.sdiv, 64, 1 << 63, (1 << 64) - 1, TrapCode.integer_overflow),
])
def test_int_traps(fn, w, a, b, code):
    with pytest.raises(wn.Trap) as ei:
        fn(w, a, b)
    assert ei.value.code is code
    assert str(ei.value) == code.message


@pytest.mark.parametrize("fn,w,a,want", [
    (wn.clz, 32, 0, 32), (wn.clz, 32, 0x00008000, 16), (wn.clz, 64, 1, 63),
    (wn.ctz, 32, 0, 32), (wn.ctz, 32, 0x80000000, 31), (wn.ctz, 64, 0, 64),
    (wn.popcnt, 32, M32, 32), (wn.popcnt, 32, 0x55555555, 16),
    (wn.popcnt, 64, 0xDEADBEEFDEADBEEF, 48), (wn.eqz, 32, 0, 1), (wn.eqz, 64, 1 << 63, 0),
])
def test_int_unops(fn, w, a, want):
    assert fn(w, a) == want


def test_extensions():
    assert wn.sextend_from(32, 0x7F, 8) == 0x7F
    assert wn.sextend_from(32, 0x80, 8) == 0xFFFFFF80
    assert wn.sextend_from(64, 0x8000, 16) == 0xFFFFFFFFFFFF8000
    assert wn.sextend_from(64, 0x1_8000_0000, 32) == 0xFFFFFFFF80000000
    assert wn.ireduce(0x1_0000_0005) == 5
    assert wn.sextend(0x80000000) == 0xFFFFFFFF80000000
    assert wn.uextend(0x80000000) == 0x80000000


@pytest.mark.parametrize("cc,a,b,want", [
    (IntCC.slt, M32, 0, 1), (IntCC.ult, M32, 0, 0), (IntCC.sgt, 0, INT_MIN, 1),
    (IntCC.ugt, 0, INT_MIN, 0), (IntCC.sle, 5, 5, 1), (IntCC.uge, 0, 1, 0),
    (IntCC.eq, 3, 3, 1), (IntCC.ne, 3, 3, 0),
])
def test_icmp(cc, a, b, want):
    assert wn.icmp(cc, 32, a, b) == want


@given(st.integers(0, M32), st.integers(0, M32))
def test_sdiv_srem_identity(a, b):
    """a == b * (a sdiv b) + (a srem b) whenever sdiv does not trap."""
    assume(b != 0 and not (a == INT_MIN and b == M32))
    q, r = wn.sdiv(32, a, b), wn.srem(32, a, b)
    assert wn.iadd(32, wn.imul(32, b, q), r) == a
    assert abs(wn.signed(r, 32)) < abs(wn.signed(b, 32))


# ---- floats: known values ------------------------------------------------------

NAN32 = 0x7FC00000
INF32 = 0x7F800000


@pytest.mark.parametrize("fn,a,b,want", [
    (wn.fadd, f32(16777216.0), f32(1.0), 0x4B800000),     # tie to even
    (wn.fadd, f32(16777216.0), f32(3.0), 0x4B800002),
    (wn.fmul, f32(0.1), f32(3.0), 0x3E99999A),
    (wn.fdiv, f32(1.0), f32(3.0), 0x3EAAAAAB),
    (wn.fmul, 0x7F7FFFFF, f32(2.0), INF32),               # overflow
    (wn.fdiv, f32(1.0), 0x80000000, 0xFF800000),           # 1 / -0
    (wn.fdiv, 0x80000000, f32(1.0), 0x80000000),
    (wn.fdiv, 0x00000001, f32(2.0), 0),                    # 2^-150 ties to 0
    (wn.fdiv, 0x00000003, f32(2.0), 0x00000002),           # 1.5 ulp -> 2 (even)
    (wn.fadd, 0x80000000, 0x80000000, 0x80000000),          # -0 + -0
    (wn.fadd, 0x80000000, 0x00000000, 0x00000000),          # -0 + +0
    (wn.fmin, 0x00000000, 0x80000000, 0x80000000),
    (wn.fmin, 0x80000000, 0x00000000, 0x80000000),
    (wn.fmax, 0x00000000, 0x80000000, 0x00000000),
    (wn.fmax, 0xFF800000, 0x80000000, 0x80000000),
    (wn.fcopysign, 0x7FA00001, 0x80000000, 0xFFA00001),
])
def test_f32_binops(fn, a, b, want):
    assert fn(32, a, b) == want


@pytest.mark.parametrize("fn,a,b", [
    (wn.fadd, NAN32, f32(1.0)), (wn.fsub, INF32, INF32), (wn.fmul, INF32, 0),
    (wn.fdiv, 0, 0), (wn.fdiv, INF32, INF32), (wn.fmin, f32(1.0), 0xFFC00001),
    (wn.fmax, 0x7FA00000, f32(1.0)),
])
def test_f32_nan_results(fn, a, b):
    assert wn.is_nan(32, fn(32, a, b))


@pytest.mark.parametrize("fn,x,want", [
    (wn.fnearest, 0.5, 0.0), (wn.fnearest, 1.5, 2.0), (wn.fnearest, 2.5, 2.0),
    (wn.fnearest, -0.5, -0.0), (wn.fnearest, -3.5, -4.0), (wn.fnearest, 4194303.5, 4194304.0),
    (wn.fceil, -0.5, -0.0), (wn.fceil, 0.1, 1.0), (wn.ffloor, -0.1, -1.0),
    (wn.ffloor, 0.9, 0.0), (wn.ftrunc, -0.9, -0.0), (wn.ftrunc, 1e30, 1e30),
    (wn.fsqrt, -0.0, -0.0), (wn.fsqrt, 4.0, 2.0), (wn.fabs, -0.0, 0.0), (wn.fneg, 0.0, -0.0),
])
def test_f32_unops(fn, x, want):
    assert fn(32, f32(x)) == f32(want)


def test_f64_nearest_does_not_use_add_half():
    assert wn.fnearest(64, f64(0.49999999999999994)) == 0
    assert wn.fnearest(64, f64(4503599627370497.0)) == f64(4503599627370497.0)


@pytest.mark.parametrize("cc,a,b,want", [
    (FloatCC.eq, NAN32, NAN32, 0), (FloatCC.ne, NAN32, NAN32, 1), (FloatCC.lt, NAN32, 0, 0),
    (FloatCC.ge, 0, NAN32, 0), (FloatCC.eq, 0, 0x80000000, 1), (FloatCC.lt, 0x80000000, 0, 0),
    (FloatCC.le, 0xFF800000, 0x7F800000, 1),
])
def test_fcmp(cc, a, b, want):
    assert wn.fcmp(cc, 32, a, b) == want


@pytest.mark.parametrize("fn,w,fmt,x,want", [
    (wn.fcvt_to_sint, 32, 32, -2147483648.0, INT_MIN),
    (wn.fcvt_to_sint, 32, 64, 2147483647.9, 0x7FFFFFFF),
    (wn.fcvt_to_sint, 32, 64, -2147483648.9, INT_MIN),
    (wn.fcvt_to_uint, 32, 64, -0.9, 0),
    (wn.fcvt_to_uint, 32, 64, 4294967295.9, M32),
    (wn.fcvt_to_sint, 64, 64, -9223372036854775808.0, 1 << 63),
    (wn.fcvt_to_uint, 64, 32, 18446742974197923840.0, 0xFFFFFF0000000000),
])
def test_trunc_in_range(fn, w, fmt, x, want):
    bits = f32(x) if fmt == 32 else f64(x)
    assert fn(w, fmt, bits) == want


@pytest.mark.parametrize("fn,w,fmt,x,code", [
    (wn.fcvt_to_sint, 32, 32, 2147483648.0, TrapCode.integer_overflow),
    (wn.fcvt_to_sint, 32, 64, -2147483649.0, TrapCode.integer_overflow),
    (wn.fcvt_to_uint, 32, 64, -1.0, TrapCode.integer_overflow),
    (wn.fcvt_to_uint, 32, 64, 4294967296.0, TrapCode.integer_overflow),
    (wn.fcvt_to_sint, 64, 64, 9223372036854775808.0, TrapCode.integer_overflow),
    (wn.fcvt_to_sint, 32, 32, math.inf, TrapCode.integer_overflow),
    (wn.fcvt_to_uint, 64, 32, math.nan, TrapCode.invalid_conversion),
])
def test_trunc_traps(fn, w, fmt, x, code):
    bits = f32(x) if fmt == 32 else f64(x)
    with pytest.raises(wn.Trap) as ei:
        fn(w, fmt, bits)
    assert ei.value.code is code


def test_trunc_sat():
    assert wn.fcvt_to_sint_sat(32, 32, NAN32) == 0
    assert wn.fcvt_to_sint_sat(32, 32, INF32) == 0x7FFFFFFF
    assert wn.fcvt_to_sint_sat(32, 32, 0xFF800000) == INT_MIN
    assert wn.fcvt_to_uint_sat(32, 64, f64(-5.0)) == 0
    assert wn.fcvt_to_uint_sat(64, 64, f64(1e30)) == (1 << 64) - 1
    assert wn.fcvt_to_sint_sat(64, 64, f64(-1.5)) == (1 << 64) - 1


@pytest.mark.parametrize("fmt,w,a,signed,want", [
    (32, 32, 16777217, True, 0x4B800000),
    (32, 64, 0x20000020000001, True, 0x5A000001),   # double rounding would give ...000
    (32, 64, (1 << 64) - 1, False, 0x5F800000),     # 2^64
    (32, 64, (1 << 64) - 1, True, 0xBF800000),      # -1
    (32, 64, 0x8000008000000001, False, 0x5F000001),
    (64, 64, (1 << 64) - 1, False, 0x43F0000000000000),
    (64, 64, 0x20000000000001, True, 0x4340000000000000),   # 2^53+1 ties to even
    (64, 64, 0x20000000000003, True, 0x4340000000000002),
    (64, 32, M32, False, f64(4294967295.0)),
])
def test_int_to_float(fmt, w, a, signed, want):
    fn = wn.fcvt_from_sint if signed else wn.fcvt_from_uint
    assert fn(fmt, w, a) == want


def test_promote_demote():
    assert wn.fdemote(f64(0.1)) == 0x3DCCCCCD
    assert wn.fdemote(f64(1e39)) == INF32
    assert wn.fdemote(f64(-1e39)) == 0xFF800000
    half = 2.0 ** 128 - 2.0 ** 103          # halfway between FLT_MAX and 2^128
    assert wn.fdemote(f64(half)) == INF32   # tie -> even (FLT_MAX is odd)
    assert wn.fdemote(f64(math.nextafter(half, 0))) == 0x7F7FFFFF
    assert wn.fdemote(f64(1.401298464324817e-45)) == 1
    assert wn.fdemote(f64(7.006492321624085e-46)) == 0        # tie to even -> 0
    assert wn.fdemote(f64(7.006492321624087e-46)) == 1        # just above the tie
    assert wn.fpromote(0x3DCCCCCD) == 0x3FB99999A0000000
    assert wn.fpromote(0x80000001) == f64(-1.401298464324817e-45)
    assert wn.is_nan(64, wn.fpromote(0x7FA00000)) and wn.is_nan(32, wn.fdemote(0x7FF0000000000001))


def test_trap_messages_are_the_spec_wording():
    # Written out (not read from ir/trapcodes.py): the spec testsuite's
    # assert_trap / assert_exhaustion texts, in the runtime's numbering.
    assert {int(c): c.message for c in TrapCode} == {
        1: "unreachable", 2: "out of bounds memory access", 3: "out of bounds table access",
        4: "indirect call type mismatch", 5: "uninitialized element", 6: "undefined element",
        7: "integer divide by zero", 8: "integer overflow", 9: "invalid conversion to integer",
        10: "call stack exhausted", 11: "null function reference", 12: "null reference",
        13: "null structure reference", 14: "null array reference", 15: "null i31 reference",
        16: "cast failure", 17: "out of bounds array access", 18: "unaligned atomic",
        19: "uncaught exception", 20: "host trap", 21: "component model trap"}
    assert TrapCode.from_message("integer overflow") is TrapCode.integer_overflow


# ---- exact rounding helper vs the host --------------------------------------------

@given(st.floats(allow_nan=False, allow_infinity=False))
def test_fraction_bits_matches_host_double(x):
    assert wn.fraction_bits(Fraction(x), 64, negative=math.copysign(1, x) < 0) == f64(x)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_f32_bits_matches_exact_rounding(x):
    """struct's double->float rounding agrees with the exact rational one."""
    assert wn.f32_bits(x) == wn.fraction_bits(Fraction(x), 32, negative=math.copysign(1, x) < 0)


# ---- f32 arithmetic vs numpy float32 (independent IEEE implementation) ----------

import numpy as np  # noqa: E402  (a declared test dependency: no skip)
bits32 = st.integers(0, M32)


def np_f32(b):
    return np.array([b], dtype=np.uint32).view(np.float32)[0]


def np_bits(x):
    return int(np.array([x], dtype=np.float32).view(np.uint32)[0])


@settings(max_examples=400)
@given(st.sampled_from(["add", "sub", "mul", "div"]), bits32, bits32)
def test_f32_arith_matches_numpy(op, a, b):
    mine = getattr(wn, "f" + op)(32, a, b)
    with np.errstate(all="ignore"):
        x, y = np_f32(a), np_f32(b)
        ref = {"add": x + y, "sub": x - y, "mul": x * y, "div": x / y}[op]
    if wn.is_nan(32, mine):
        assert np.isnan(ref)
    else:
        assert mine == np_bits(ref)


@settings(max_examples=300)
@given(bits32)
def test_f32_sqrt_and_rounding_ops_match_numpy(a):
    with np.errstate(all="ignore"):
        x = np_f32(a)
        for mine, ref in [(wn.fsqrt(32, a), np.sqrt(x)), (wn.fceil(32, a), np.ceil(x)),
                          (wn.ffloor(32, a), np.floor(x)), (wn.ftrunc(32, a), np.trunc(x)),
                          (wn.fnearest(32, a), np.rint(x))]:
            if wn.is_nan(32, mine):
                assert np.isnan(ref)
            else:
                assert mine == np_bits(ref)


@settings(max_examples=300)
@given(st.integers(-(1 << 63), (1 << 63) - 1))
def test_i64_to_f32_matches_numpy(n):
    assert wn.fcvt_from_sint(32, 64, n & ((1 << 64) - 1)) == np_bits(np.float32(np.int64(n)))
