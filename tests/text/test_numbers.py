"""Numeric literals: integer ranges, exact float rounding, NaN payloads."""
import random
import struct
from fractions import Fraction

import pytest

from wasmaot.frontend.text.numbers import (NumberError, classify, parse_float, parse_int,
                                           parse_nat)


def f32(s):
    return parse_float(s, 32)


def f64(s):
    return parse_float(s, 64)


@pytest.mark.parametrize("s,bits,want", [
    ("0", 32, 0), ("4_294_967_295", 32, 0xFFFFFFFF), ("0xffff_ffff", 32, 0xFFFFFFFF),
    ("-1", 32, 0xFFFFFFFF), ("-0x80000000", 32, 0x80000000), ("+0x7fffffff", 32, 0x7FFFFFFF),
    ("-0", 32, 0), ("18446744073709551615", 64, (1 << 64) - 1),
    ("-9223372036854775808", 64, 1 << 63), ("+42", 64, 42),
])
def test_int_literals(s, bits, want):
    assert parse_int(s, bits) == want


@pytest.mark.parametrize("s,bits", [
    ("4294967296", 32), ("0x1_0000_0000", 32), ("-2147483649", 32), ("+0x80000000", 32),
    ("-0x80000001", 32), ("18446744073709551616", 64), ("-9223372036854775809", 64),
])
def test_int_out_of_range(s, bits):
    with pytest.raises(NumberError) as ei:
        parse_int(s, bits)
    assert ei.value.range


@pytest.mark.parametrize("s", ["_1", "1_", "1__0", "0x", "0x_1", "1.0", "+_100", "0xg", "- 1", "nan"])
def test_int_syntax_errors(s):
    with pytest.raises(NumberError) as ei:
        parse_int(s, 32)
    assert not ei.value.range


def test_nat_has_no_sign():
    assert parse_nat("0x10") == 16
    with pytest.raises(NumberError):
        parse_nat("+1")


def test_classify():
    assert classify("12") == "nat"
    assert classify("-12") == "int"
    assert classify("1.5e3") == "float"
    assert classify("-inf") == "float"
    assert classify("nan:0x7f") == "float"
    assert classify("0x1.8p-3") == "float"
    assert classify("0x") is None
    assert classify("abc") is None


@pytest.mark.parametrize("s,want", [
    ("0", 0), ("-0", 0x80000000), ("-0.0", 0x80000000), ("1", 0x3F800000),
    ("0x1p-149", 1), ("0x1p-150", 0), ("0x1.000002p-150", 1), ("0x1.8p-149", 2),
    ("0x1.fffffcp-127", 0x7FFFFF), ("0x1.fffffcp-128", 0x400000),
    # f32 max, and literals just below the rounding boundary to infinity
    ("0x1.fffffep127", 0x7F7FFFFF), ("0x1.fffffefffffff8p127", 0x7F7FFFFF),
    ("3.4028235e38", 0x7F7FFFFF), ("340282356779733661637539395458142568447", 0x7F7FFFFF),
    # ties to even (1 + 2^-24 is half way between 1 and its successor)
    ("0x1.000001p0", 0x3F800000), ("0x1.000003p0", 0x3F800002),
    ("1.000000059604644775390625", 0x3F800000),
    ("1.00000005960464477539062500001", 0x3F800001),
    ("1.00000005960464477539062499999", 0x3F800000),
    ("1.000000178813934326171875", 0x3F800002),    # 1 + 3*2^-24: tie, rounds up to even
    # double rounding trap: decimal -> f64 -> f32 would give 0x3F800001 here
    ("1.0000000596046448", 0x3F800001),
    ("1.00000005960464466", 0x3F800000),
    ("+0x1.00000100000000001p-50", 0x26800001),
    ("inf", 0x7F800000), ("-inf", 0xFF800000), ("nan", 0x7FC00000), ("-nan", 0xFFC00000),
    ("nan:0x1", 0x7F800001), ("-nan:0x7f_ffff", 0xFFFFFFFF), ("nan:0x200000", 0x7FA00000),
    ("1e-46", 0), ("1e-45", 1), ("1_000.5", 0x447A2000), ("1.e1", 0x41200000),
])
def test_f32_literals(s, want):
    assert f32(s) == want


def test_double_rounding_case_differs_from_naive():
    # The naive path (Python float, then struct 'f') double rounds here.
    s = "1.0000000596046448"
    naive = struct.unpack("<I", struct.pack("<f", float(s)))[0]
    assert naive == 0x3F800000
    assert f32(s) == 0x3F800001


@pytest.mark.parametrize("s", ["0x1p128", "0x1.ffffffp127", "3.4028236e38", "1e39", "-1e39",
                               "nan:0x0", "nan:0x80_0000", "1e1000000"])
def test_f32_out_of_range(s):
    with pytest.raises(NumberError) as ei:
        f32(s)
    assert ei.value.range


@pytest.mark.parametrize("s,want", [
    ("0x1p-1074", 1), ("0x1p-1075", 0), ("0x1.0000000000001p-1075", 1),
    ("0x1.fffffffffffff7ffp1023", 0x7FEFFFFFFFFFFFFF), ("nan:0xf_ffff_ffff_ffff", 0x7FFFFFFFFFFFFFFF),
    ("1e-400", 0), ("-1e-400", 1 << 63), ("4.9406564584124654e-324", 1),
])
def test_f64_literals(s, want):
    assert f64(s) == want


@pytest.mark.parametrize("s", ["0x1p1024", "0x1.fffffffffffff8p1023", "1.8e308", "nan:0x10_0000_0000_0000"])
def test_f64_out_of_range(s):
    with pytest.raises(NumberError):
        f64(s)


def test_f64_matches_python_float_on_random_decimals():
    # Python's float() is correctly rounded; our exact method must agree.
    rng = random.Random(1)
    for _ in range(3000):
        mant = str(rng.getrandbits(rng.choice([10, 53, 80, 200])))
        s = f"{mant[:1]}.{mant[1:] or '0'}e{rng.randint(-340, 300)}"
        want = struct.unpack("<Q", struct.pack("<d", float(s)))[0]
        if float(s) in (float("inf"), 0.0):
            continue
        assert f64(s) == want, s


def _f32_value(bits):
    return Fraction(struct.unpack("<f", struct.pack("<I", bits))[0])


def test_f32_decimal_rounding_is_nearest_even():
    # Independent oracle: the chosen float is no farther from the exact value
    # than its neighbours, and on a tie it is the even one.
    rng = random.Random(2)
    for _ in range(2000):
        digits = str(rng.getrandbits(rng.choice([24, 30, 60, 120])))
        e = rng.randint(-50, 30)
        s = f"{digits}e{e}"
        exact = Fraction(int(digits)) * Fraction(10) ** e
        try:
            b = f32(s)
        except NumberError:
            assert exact > Fraction(2) ** 128 - Fraction(2) ** 103
            continue
        v = _f32_value(b)
        for nb in (b - 1, b + 1):
            if 0 <= nb < 0x7F800000:
                d, dn = abs(exact - v), abs(exact - _f32_value(nb))
                assert d < dn or (d == dn and b % 2 == 0), s


def test_f32_hex_matches_struct_rounding():
    # An f64 written in hex is exact; f32 rounding of it is a single rounding,
    # which C's (float) cast behind struct.pack('<f') performs correctly.
    rng = random.Random(3)
    for _ in range(3000):
        x = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(63)))[0]
        if x != x or x > 3.4e38:
            continue
        assert f32(x.hex()) == struct.unpack("<I", struct.pack("<f", x))[0], x.hex()


def test_very_long_literals_do_not_hit_int_conversion_limits():
    # CPython refuses str -> int beyond 4300 digits; literals may be longer.
    assert f64("1." + "0" * 5000 + "1") == 0x3FF0000000000000
    assert f32("0" * 5000 + "1") == 0x3F800000
    assert parse_int("0" * 5000 + "7", 32) == 7
    with pytest.raises(NumberError) as ei:
        parse_int("9" * 5000, 64)
    assert ei.value.range
    with pytest.raises(NumberError):
        f64("1e" + "9" * 5000)
    assert f64("1e-" + "9" * 5000) == 0
    assert f32("-0x1p-" + "9" * 50) == 0x80000000
