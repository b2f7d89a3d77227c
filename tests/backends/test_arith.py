"""Arithmetic edge cases, end to end: IR -> LLVM -> object -> linked
executable.  Expected values are written out by hand from the Wasm spec
(not computed with the IR's own numerics), so this is an independent check.
All functions of one bounds mode and opt level live in one module and one
process."""
import math

import pytest

from .conftest import f32, f64, u32, u64

TRAP_DIVZ = "trap integer divide by zero"
TRAP_OVF = "trap integer overflow"
TRAP_CONV = "trap invalid conversion to integer"

BIN = [("sdiv", "i32"), ("udiv", "i32"), ("srem", "i32"), ("urem", "i32"),
       ("sdiv", "i64"), ("udiv", "i64"), ("srem", "i64"), ("urem", "i64"),
       ("ishl", "i32"), ("ushr", "i32"), ("sshr", "i32"), ("rotl", "i32"), ("rotr", "i32"),
       ("ishl", "i64"), ("sshr", "i64"), ("rotl", "i64"), ("rotr", "i64"),
       ("fmin", "f32"), ("fmax", "f32"), ("fmin", "f64"), ("fmax", "f64"),
       ("fcopysign", "f32"), ("fcopysign", "f64")]
UN = [("clz", "i32"), ("ctz", "i32"), ("popcnt", "i32"), ("clz", "i64"), ("ctz", "i64"),
      ("popcnt", "i64"), ("fnearest", "f32"), ("fnearest", "f64"), ("fabs", "f32"),
      ("fneg", "f32"), ("fabs", "f64"), ("fneg", "f64"), ("sextend8", "i32"),
      ("sextend16", "i32"), ("sextend8", "i64"), ("sextend32", "i64"), ("fceil", "f32"),
      ("ffloor", "f64"), ("ftrunc", "f32"), ("fsqrt", "f64")]
# (name, ir op, dst, src)
CONV = [("trunc_s_i32_f32", "fcvt_to_sint", "i32", "f32"),
        ("trunc_u_i32_f32", "fcvt_to_uint", "i32", "f32"),
        ("trunc_s_i32_f64", "fcvt_to_sint", "i32", "f64"),
        ("trunc_u_i32_f64", "fcvt_to_uint", "i32", "f64"),
        ("trunc_s_i64_f64", "fcvt_to_sint", "i64", "f64"),
        ("trunc_u_i64_f64", "fcvt_to_uint", "i64", "f64"),
        ("trunc_s_i64_f32", "fcvt_to_sint", "i64", "f32"),
        ("trunc_u_i64_f32", "fcvt_to_uint", "i64", "f32"),
        ("sat_s_i32_f32", "fcvt_to_sint_sat", "i32", "f32"),
        ("sat_u_i32_f64", "fcvt_to_uint_sat", "i32", "f64"),
        ("sat_s_i64_f64", "fcvt_to_sint_sat", "i64", "f64"),
        ("sat_u_i64_f32", "fcvt_to_uint_sat", "i64", "f32"),
        ("cvt_u_f32_i64", "fcvt_from_uint", "f32", "i64"),
        ("cvt_s_f64_i32", "fcvt_from_sint", "f64", "i32"),
        ("demote", "fdemote", "f32", "f64"), ("promote", "fpromote", "f64", "f32"),
        ("wrap", "ireduce", "i32", "i64"), ("extend_s", "sextend", "i64", "i32"),
        ("extend_u", "uextend", "i64", "i32"), ("reinterpret", "bitcast", "i64", "f64")]


def _module() -> str:
    fs = []
    for op, t in BIN:
        fs.append(f"function %{op}_{t}({t}, {t}) -> {t} {{\nblock0(v0: {t}, v1: {t}):\n"
                  f"    v2 = {op}.{t} v0, v1\n    return v2\n}}\n")
    for op, t in UN:
        fs.append(f"function %{op}_{t}({t}) -> {t} {{\nblock0(v0: {t}):\n"
                  f"    v1 = {op}.{t} v0\n    return v1\n}}\n")
    for name, op, d, s in CONV:
        fs.append(f"function %{name}({s}) -> {d} {{\nblock0(v0: {s}):\n"
                  f"    v1 = {op}.{d} v0\n    return v1\n}}\n")
    fs.append("""function %cmp_f64(f64, f64) -> i32, i32, i32, i32 {
block0(v0: f64, v1: f64):
    v2 = fcmp.f64 eq v0, v1
    v3 = fcmp.f64 ne v0, v1
    v4 = fcmp.f64 lt v0, v1
    v5 = fcmp.f64 ge v0, v1
    return v2, v3, v4, v5
}
function %cmp_i32(i32, i32) -> i32, i32, i32 {
block0(v0: i32, v1: i32):
    v2 = icmp.i32 slt v0, v1
    v3 = icmp.i32 ult v0, v1
    v4 = eqz.i32 v0
    return v2, v3, v4
}
function %sel(i32, i64, i64) -> i64 {
block0(v0: i32, v1: i64, v2: i64):
    v3 = select.i64 v0, v1, v2
    return v3
}
function %consts() -> i32, i64, f32, f64 {
block0:
    v0 = iconst.i32 -1
    v1 = iconst.i64 0x8000000000000000
    v2 = fconst.f32 0x7fa00001
    v3 = fconst.f64 0xfff0000000000001
    return v0, v1, v2, v3
}
""")
    return "\n".join(fs)


MODULE = _module()
NAN32, NAN64 = 0x7FC00000, 0x7FF8000000000000
INT32_MIN, INT64_MIN = 0x80000000, 0x8000000000000000

CASES = [
    # division traps and edge values
    ("sdiv_i32", (7, 0), TRAP_DIVZ), ("sdiv_i32", (INT32_MIN, u32(-1)), TRAP_OVF),
    ("sdiv_i32", (u32(-7), 2), (u32(-3),)), ("udiv_i32", (u32(-1), 0), TRAP_DIVZ),
    ("udiv_i32", (u32(-1), 2), (0x7FFFFFFF,)), ("srem_i32", (INT32_MIN, u32(-1)), (0,)),
    ("srem_i32", (u32(-7), 2), (u32(-1),)), ("srem_i32", (5, 0), TRAP_DIVZ),
    ("urem_i32", (u32(-7), 2), (1,)), ("urem_i32", (1, 0), TRAP_DIVZ),
    ("sdiv_i64", (INT64_MIN, u64(-1)), TRAP_OVF), ("sdiv_i64", (1, 0), TRAP_DIVZ),
    ("srem_i64", (INT64_MIN, u64(-1)), (0,)), ("srem_i64", (u64(-9), 4), (u64(-1),)),
    ("udiv_i64", (u64(-1), 3), (0x5555555555555555,)), ("urem_i64", (3, 0), TRAP_DIVZ),
    # shift counts are masked, rotates modulo width
    ("ishl_i32", (1, 33), (2,)), ("ushr_i32", (INT32_MIN, 63), (1,)),
    ("sshr_i32", (INT32_MIN, 31), (u32(-1),)), ("sshr_i32", (INT32_MIN, 32), (INT32_MIN,)),
    ("rotl_i32", (0x80000001, 1), (3,)), ("rotr_i32", (1, 33), (INT32_MIN,)),
    ("rotl_i32", (0x12345678, 0), (0x12345678,)), ("ishl_i64", (1, 64), (1,)),
    ("sshr_i64", (INT64_MIN, 65), (0xC000000000000000,)),
    ("rotl_i64", (INT64_MIN, 1), (1,)), ("rotr_i64", (1, 127), (2,)),
    # bit counting: zero input is defined
    ("clz_i32", (0,), (32,)), ("ctz_i32", (0,), (32,)), ("clz_i32", (1,), (31,)),
    ("ctz_i32", (INT32_MIN,), (31,)), ("popcnt_i32", (u32(-1),), (32,)),
    ("clz_i64", (0,), (64,)), ("ctz_i64", (0,), (64,)), ("popcnt_i64", (u64(-1),), (64,)),
    # sign extension
    ("sextend8_i32", (0x80,), (u32(-128),)), ("sextend16_i32", (0x7FFF,), (0x7FFF,)),
    ("sextend8_i64", (0x1FF,), (u64(-1),)), ("sextend32_i64", (0x80000000,), (u64(-(1 << 31)),)),
    # fmin/fmax: NaN propagates, -0 < +0
    ("fmin_f32", (f32(-0.0), f32(0.0)), (f32(-0.0),)), ("fmin_f32", (f32(0.0), f32(-0.0)), (f32(-0.0),)),
    ("fmax_f32", (f32(-0.0), f32(0.0)), (f32(0.0),)), ("fmax_f32", (f32(0.0), f32(-0.0)), (f32(0.0),)),
    ("fmin_f64", (f64(-0.0), f64(0.0)), (f64(-0.0),)), ("fmax_f64", (f64(0.0), f64(-0.0)), (f64(0.0),)),
    ("fmin_f32", (f32(1.0), f32(2.0)), (f32(1.0),)), ("fmax_f64", (f64(1.0), f64(2.0)), (f64(2.0),)),
    # nearest: ties to even
    ("fnearest_f32", (f32(2.5),), (f32(2.0),)), ("fnearest_f32", (f32(3.5),), (f32(4.0),)),
    ("fnearest_f64", (f64(-0.5),), (f64(-0.0),)), ("fnearest_f64", (f64(-1.5),), (f64(-2.0),)),
    ("fnearest_f64", (f64(4503599627370497.0),), (f64(4503599627370497.0),)),
    ("fceil_f32", (f32(-0.5),), (f32(-0.0),)), ("ffloor_f64", (f64(-0.5),), (f64(-1.0),)),
    ("ftrunc_f32", (f32(-1.7),), (f32(-1.0),)), ("fsqrt_f64", (f64(2.0),), (f64(math.sqrt(2.0)),)),
    # sign ops are bit ops: NaN payloads survive
    ("fabs_f32", (0xFFA00001,), (0x7FA00001,)), ("fneg_f32", (0x7FA00001,), (0xFFA00001,)),
    ("fabs_f64", (0xFFF0000000000001,), (0x7FF0000000000001,)),
    ("fneg_f64", (0x7FF0000000000001,), (0xFFF0000000000001,)),
    ("fcopysign_f32", (0x7FA00001, f32(-1.0)), (0xFFA00001,)),
    ("fcopysign_f64", (f64(2.0), f64(-0.0)), (f64(-2.0),)),
    # trapping truncation: NaN -> invalid conversion, out of range -> overflow
    ("trunc_s_i32_f32", (NAN32,), TRAP_CONV), ("trunc_s_i32_f32", (f32(2147483648.0),), TRAP_OVF),
    ("trunc_s_i32_f32", (f32(-2147483648.0),), (INT32_MIN,)),
    ("trunc_s_i32_f32", (f32(-2147483904.0),), TRAP_OVF),
    ("trunc_s_i32_f32", (f32(-1.9),), (u32(-1),)),
    ("trunc_u_i32_f32", (f32(-0.9),), (0,)), ("trunc_u_i32_f32", (f32(-1.0),), TRAP_OVF),
    ("trunc_u_i32_f32", (f32(4294967040.0),), (4294967040,)),
    ("trunc_u_i32_f32", (f32(4294967296.0),), TRAP_OVF),
    ("trunc_s_i32_f64", (f64(-2147483648.9),), (INT32_MIN,)),
    ("trunc_s_i32_f64", (f64(-2147483649.0),), TRAP_OVF),
    ("trunc_s_i32_f64", (f64(2147483647.9),), (0x7FFFFFFF,)),
    ("trunc_s_i32_f64", (f64(2147483648.0),), TRAP_OVF),
    ("trunc_u_i32_f64", (f64(4294967295.9),), (0xFFFFFFFF,)),
    ("trunc_u_i32_f64", (f64(4294967296.0),), TRAP_OVF), ("trunc_u_i32_f64", (f64(-0.99),), (0,)),
    ("trunc_u_i32_f64", (NAN64,), TRAP_CONV),
    ("trunc_s_i64_f64", (f64(-9223372036854775808.0),), (INT64_MIN,)),
    ("trunc_s_i64_f64", (f64(9223372036854775808.0),), TRAP_OVF),
    ("trunc_u_i64_f64", (f64(18446744073709549568.0),), (18446744073709549568,)),
    ("trunc_u_i64_f64", (f64(18446744073709551616.0),), TRAP_OVF),
    ("trunc_u_i64_f64", (f64(math.inf),), TRAP_OVF),
    ("trunc_s_i64_f32", (f32(-math.inf),), TRAP_OVF), ("trunc_u_i64_f32", (f32(-0.5),), (0,)),
    # saturating: NaN -> 0, clamps
    ("sat_s_i32_f32", (NAN32,), (0,)), ("sat_s_i32_f32", (f32(3e9),), (0x7FFFFFFF,)),
    ("sat_s_i32_f32", (f32(-3e9),), (INT32_MIN,)), ("sat_u_i32_f64", (f64(-5.0),), (0,)),
    ("sat_u_i32_f64", (f64(5e9),), (0xFFFFFFFF,)), ("sat_s_i64_f64", (f64(-math.inf),), (INT64_MIN,)),
    ("sat_u_i64_f32", (f32(math.inf),), (u64(-1),)),
    # conversions
    ("cvt_u_f32_i64", (u64(-1),), (f32(18446744073709551616.0),)),
    ("cvt_s_f64_i32", (u32(-5),), (f64(-5.0),)),
    ("demote", (f64(1e300),), (f32(math.inf),)), ("promote", (f32(1.5),), (f64(1.5),)),
    ("wrap", (0x123456789,), (0x23456789,)), ("extend_s", (u32(-2),), (u64(-2),)),
    ("extend_u", (u32(-2),), (0xFFFFFFFE,)), ("reinterpret", (f64(-0.0),), (1 << 63,)),
    # comparisons (ne is true on NaN, the others false)
    ("cmp_f64", (NAN64, NAN64), (0, 1, 0, 0)), ("cmp_f64", (f64(-0.0), f64(0.0)), (1, 0, 0, 1)),
    ("cmp_i32", (u32(-1), 1), (1, 0, 0)), ("cmp_i32", (0, 0), (0, 0, 1)),
    ("sel", (1, 10, 20), (10,)), ("sel", (0, 10, 20), (20,)), ("sel", (0x100, 10, 20), (10,)),
    # constants, including NaN payloads (signalling f32 NaN kept exactly)
    ("consts", (), (0xFFFFFFFF, INT64_MIN, 0x7FA00001, 0xFFF0000000000001)),
]


def _is_nan32(b):
    return (b & 0x7F800000) == 0x7F800000 and b & 0x7FFFFF


def _is_nan64(b):
    return (b & 0x7FF0000000000000) == 0x7FF0000000000000 and b & 0xFFFFFFFFFFFFF


NAN_CASES = [  # results must be a NaN (payload is nondeterministic in Wasm)
    ("fmin_f32", (NAN32, f32(1.0)), _is_nan32), ("fmax_f32", (f32(1.0), 0x7FA00000), _is_nan32),
    ("fmin_f64", (f64(-math.inf), NAN64), _is_nan64), ("fmax_f64", (NAN64, f64(0.0)), _is_nan64),
    ("fnearest_f32", (NAN32,), _is_nan32),
]


@pytest.mark.parametrize("opt_level", [0, 2])
def test_arith_edge_cases(build_ir, opt_level):
    p = build_ir(MODULE, opt_level=opt_level)
    calls = [" ".join([name, *map(str, args)]) for name, args, _ in CASES + NAN_CASES]
    out = p.run(*calls)
    assert len(out) == len(calls), out
    failures = []
    for (name, args, want), line in zip(CASES, out):
        got = tuple(int(x) for x in line.split()[1:]) if line.startswith("ok") else line
        if got != want:
            failures.append(f"{name}{args}: want {want}, got {got}")
    for (name, args, pred), line in zip(NAN_CASES, out[len(CASES):]):
        if not (line.startswith("ok") and pred(int(line.split()[1]))):
            failures.append(f"{name}{args}: want NaN, got {line}")
    assert not failures, "\n".join(failures)
