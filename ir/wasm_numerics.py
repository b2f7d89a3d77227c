"""WebAssembly numeric semantics on bit patterns -- the single source of
truth the constant folder (and any later interpreter/test oracle) uses.

Every value is an unsigned ``int`` bit pattern: ``w`` is the integer width
(32/64), ``fmt`` the float width (32/64).  Functions return the result bit
pattern or raise :class:`Trap` with the Wasm trap code.

Floats.  f64 arithmetic is the host's IEEE double arithmetic (CPython floats
are C doubles, round-to-nearest-even).  f32 values are widened *exactly* to
double, the operation is done in double, and the result is rounded once to
f32 (``f32_bits``, via ``struct``).  For +, -, *, / and sqrt this is the
correctly rounded f32 result, because double has 53 >= 2*24+2 significand
bits (double rounding is innocuous; Figueroa, "When is double rounding
innocuous?", 1995).  Operations where that argument does not hold are done
exactly instead: integer -> f32 conversion (an i64 rounded to double then to
f32 can be off by one ulp) and decimal literals use :func:`fraction_bits`.

NaN.  Wasm makes NaN *results* nondeterministic (any canonical NaN, or any
arithmetic NaN when an input was a NaN); hardware differs (x86 yields the
negative default NaN 0xffc00000, Arm the positive one).  These functions
return the positive canonical NaN for such results, and the folder refuses to
fold when :func:`is_nan` is true of the result: folding would freeze one legal
choice at compile time while the same expression computed at run time yields
another, which is legal but makes compiled code disagree with itself and with
``-O0`` builds, and breaks differential testing.  Operations that Wasm
defines bit-exactly even on NaN (``fabs``, ``fneg``, ``fcopysign``,
reinterpretations, comparisons) are exact here and foldable.
"""
from __future__ import annotations

import math
import struct
from fractions import Fraction

from .opcodes import FloatCC, IntCC
from .trapcodes import TrapCode


class Trap(Exception):
    """The operation traps at run time (so it must not be folded)."""

    def __init__(self, code: TrapCode):
        super().__init__(code.message)
        self.code = code


def mask(w: int) -> int:
    return (1 << w) - 1


def signed(x: int, w: int) -> int:
    return x - (1 << w) if x >> (w - 1) else x


# ---- integers -----------------------------------------------------------------

def iadd(w, a, b): return (a + b) & mask(w)
def isub(w, a, b): return (a - b) & mask(w)
def imul(w, a, b): return (a * b) & mask(w)
def band(w, a, b): return a & b
def bor(w, a, b): return a | b
def bxor(w, a, b): return a ^ b


def sdiv(w, a, b):
    if b == 0:
        raise Trap(TrapCode.integer_divide_by_zero)
    sa, sb = signed(a, w), signed(b, w)
    if sa == -(1 << (w - 1)) and sb == -1:
        raise Trap(TrapCode.integer_overflow)
    q = abs(sa) // abs(sb)                 # truncate toward zero
    return (-q if (sa < 0) != (sb < 0) else q) & mask(w)


def udiv(w, a, b):
    if b == 0:
        raise Trap(TrapCode.integer_divide_by_zero)
    return a // b


def srem(w, a, b):
    """Sign of the dividend; ``srem(INT_MIN, -1) == 0`` (does not trap)."""
    if b == 0:
        raise Trap(TrapCode.integer_divide_by_zero)
    sa, sb = signed(a, w), signed(b, w)
    r = abs(sa) % abs(sb)
    return (-r if sa < 0 else r) & mask(w)


def urem(w, a, b):
    if b == 0:
        raise Trap(TrapCode.integer_divide_by_zero)
    return a % b


def ishl(w, a, b): return (a << (b & (w - 1))) & mask(w)
def ushr(w, a, b): return a >> (b & (w - 1))
def sshr(w, a, b): return (signed(a, w) >> (b & (w - 1))) & mask(w)


def rotl(w, a, b):
    k = b & (w - 1)
    return ((a << k) | (a >> (w - k))) & mask(w)


def rotr(w, a, b):
    k = b & (w - 1)
    return ((a >> k) | (a << (w - k))) & mask(w)


def clz(w, a): return w - a.bit_length()
def ctz(w, a): return w if a == 0 else (a & -a).bit_length() - 1
def popcnt(w, a): return a.bit_count()
def eqz(w, a): return int(a == 0)


def sextend_from(w, a, from_bits):
    """Sign-extend the low ``from_bits`` of ``a`` to ``w`` bits
    (``i32.extend8_s`` ...)."""
    return signed(a & mask(from_bits), from_bits) & mask(w)


def icmp(cc: int, w, a, b) -> int:
    if cc == IntCC.eq: return int(a == b)
    if cc == IntCC.ne: return int(a != b)
    if cc in (IntCC.ult, IntCC.ugt, IntCC.ule, IntCC.uge):
        x, y = a, b
    else:
        x, y = signed(a, w), signed(b, w)
    if cc in (IntCC.slt, IntCC.ult): return int(x < y)
    if cc in (IntCC.sgt, IntCC.ugt): return int(x > y)
    if cc in (IntCC.sle, IntCC.ule): return int(x <= y)
    return int(x >= y)


def ireduce(a): return a & 0xFFFF_FFFF                         # i32.wrap_i64
def uextend(a): return a                                        # i64.extend_i32_u
def sextend(a): return signed(a, 32) & mask(64)                 # i64.extend_i32_s


# ---- float encodings ----------------------------------------------------------

CANON_NAN = {32: 0x7FC0_0000, 64: 0x7FF8_0000_0000_0000}
_SIGN = {32: 1 << 31, 64: 1 << 63}
_EXP = {32: 0x7F80_0000, 64: 0x7FF0_0000_0000_0000}
_MANT = {32: (1 << 23) - 1, 64: (1 << 52) - 1}


def is_nan(fmt: int, b: int) -> bool:
    return (b & _EXP[fmt]) == _EXP[fmt] and (b & _MANT[fmt]) != 0


def sign_bit(fmt: int, b: int) -> bool:
    return bool(b & _SIGN[fmt])


def to_float(fmt: int, b: int) -> float:
    """Exact value as a Python float (f32 widens exactly).  Never used on NaN
    where the payload matters."""
    if fmt == 32:
        return struct.unpack("<f", struct.pack("<I", b))[0]
    return struct.unpack("<d", struct.pack("<Q", b))[0]


def f32_bits(x: float) -> int:
    """Round a double to the nearest f32 (ties to even) and return its bits.
    NaN maps to the canonical NaN."""
    if x != x:
        return CANON_NAN[32]
    try:
        return struct.unpack("<I", struct.pack("<f", x))[0]
    except OverflowError:              # rounds to +-inf; struct refuses, C would not
        return 0xFF80_0000 if x < 0 else 0x7F80_0000


def f64_bits(x: float) -> int:
    if x != x:
        return CANON_NAN[64]
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def from_float(fmt: int, x: float) -> int:
    return f32_bits(x) if fmt == 32 else f64_bits(x)


_FMT = {32: (24, -126, 127), 64: (53, -1022, 1023)}   # precision, emin, emax


def fraction_bits(x: Fraction, fmt: int, negative: bool | None = None) -> int:
    """Exact rational -> nearest float of ``fmt`` (ties to even), including
    subnormals and overflow to infinity.  ``negative`` gives the sign of a
    zero (``-0.0`` literal)."""
    p, emin, emax = _FMT[fmt]
    neg = x < 0 if negative is None else negative
    sign = _SIGN[fmt] if neg else 0
    x = abs(x)
    if x == 0:
        return sign
    n, d = x.numerator, x.denominator
    e = n.bit_length() - d.bit_length()
    if Fraction(2) ** e > x:
        e -= 1
    e = max(e, emin)
    q = Fraction(2) ** (e - p + 1)                  # quantum at exponent e
    m = x / q
    mi = m.numerator // m.denominator
    rem = m - mi
    if rem > Fraction(1, 2) or (rem == Fraction(1, 2) and mi & 1):
        mi += 1
    if mi == 1 << p:                                # rounding carried out
        mi >>= 1
        e += 1
    if e > emax:
        return sign | _EXP[fmt]
    if mi < 1 << (p - 1):                           # subnormal (only at emin)
        return sign | mi
    return sign | ((e + (1 << (fmt - p - 1)) - 1) << (p - 1)) | (mi - (1 << (p - 1)))


# ---- float arithmetic ---------------------------------------------------------

def _nan(fmt): return CANON_NAN[fmt]


def _arith(fmt, x):
    return _nan(fmt) if x != x else from_float(fmt, x)


def fadd(fmt, a, b): return _arith(fmt, to_float(fmt, a) + to_float(fmt, b))
def fsub(fmt, a, b): return _arith(fmt, to_float(fmt, a) - to_float(fmt, b))
def fmul(fmt, a, b): return _arith(fmt, to_float(fmt, a) * to_float(fmt, b))


def fdiv(fmt, a, b):
    x, y = to_float(fmt, a), to_float(fmt, b)
    if y == 0.0:                       # Python raises; IEEE gives inf or NaN
        if x == 0.0 or x != x:
            return _nan(fmt)
        neg = sign_bit(fmt, a) != sign_bit(fmt, b)
        return _SIGN[fmt] * neg | _EXP[fmt]
    return _arith(fmt, x / y)


def fsqrt(fmt, a):
    x = to_float(fmt, a)
    if x != x or x < 0:
        return _nan(fmt)
    return from_float(fmt, math.sqrt(x))           # sqrt(-0) = -0


def fmin(fmt, a, b):
    if is_nan(fmt, a) or is_nan(fmt, b):
        return _nan(fmt)
    x, y = to_float(fmt, a), to_float(fmt, b)
    if x == y == 0.0:
        return a | b                   # -0 if either is -0
    return a if x < y else b


def fmax(fmt, a, b):
    if is_nan(fmt, a) or is_nan(fmt, b):
        return _nan(fmt)
    x, y = to_float(fmt, a), to_float(fmt, b)
    if x == y == 0.0:
        return a & b                   # +0 unless both are -0
    return a if x > y else b


def fabs(fmt, a): return a & ~_SIGN[fmt]
def fneg(fmt, a): return a ^ _SIGN[fmt]
def fcopysign(fmt, a, b): return (a & ~_SIGN[fmt]) | (b & _SIGN[fmt])


def _round_with(fmt, a, fn):
    if is_nan(fmt, a):
        return _nan(fmt)
    x = to_float(fmt, a)
    if math.isinf(x) or x == math.floor(x):   # integral, +-0, inf: unchanged
        return a
    r = float(fn(x))
    if r == 0.0:
        return a & _SIGN[fmt]                  # keep the sign of the input
    return from_float(fmt, r)


def fceil(fmt, a): return _round_with(fmt, a, math.ceil)
def ffloor(fmt, a): return _round_with(fmt, a, math.floor)
def ftrunc(fmt, a): return _round_with(fmt, a, math.trunc)
def fnearest(fmt, a): return _round_with(fmt, a, round)   # round(): ties to even


def fcmp(cc: int, fmt, a, b) -> int:
    x, y = to_float(fmt, a), to_float(fmt, b)     # IEEE compare: NaN unordered
    if cc == FloatCC.eq: return int(x == y)
    if cc == FloatCC.ne: return int(x != y)
    if cc == FloatCC.lt: return int(x < y)
    if cc == FloatCC.gt: return int(x > y)
    if cc == FloatCC.le: return int(x <= y)
    return int(x >= y)


# ---- conversions --------------------------------------------------------------

def fpromote(a):
    """f32 -> f64 (exact; NaN -> canonical NaN, i.e. not foldable)."""
    return _nan(64) if is_nan(32, a) else f64_bits(to_float(32, a))


def fdemote(a):
    """f64 -> f32, one rounding from the exact double."""
    return _nan(32) if is_nan(64, a) else f32_bits(to_float(64, a))


def fcvt_from_sint(fmt, w, a):
    return fraction_bits(Fraction(signed(a, w)), fmt)


def fcvt_from_uint(fmt, w, a):
    return fraction_bits(Fraction(a), fmt)


def _trunc_value(fmt, a):
    if is_nan(fmt, a):
        raise Trap(TrapCode.invalid_conversion)
    x = to_float(fmt, a)
    if math.isinf(x):
        raise Trap(TrapCode.integer_overflow)
    return math.trunc(x)


def fcvt_to_sint(w, fmt, a):
    t = _trunc_value(fmt, a)
    if not -(1 << (w - 1)) <= t < (1 << (w - 1)):
        raise Trap(TrapCode.integer_overflow)
    return t & mask(w)


def fcvt_to_uint(w, fmt, a):
    t = _trunc_value(fmt, a)
    if not 0 <= t < (1 << w):          # trunc(-0.9) == 0 is in range
        raise Trap(TrapCode.integer_overflow)
    return t


def fcvt_to_sint_sat(w, fmt, a):
    if is_nan(fmt, a):
        return 0
    x = to_float(fmt, a)
    lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
    if math.isinf(x):
        t = hi if x > 0 else lo
    else:
        t = min(max(math.trunc(x), lo), hi)
    return t & mask(w)


def fcvt_to_uint_sat(w, fmt, a):
    if is_nan(fmt, a):
        return 0
    x = to_float(fmt, a)
    hi = (1 << w) - 1
    if math.isinf(x):
        return hi if x > 0 else 0
    return min(max(math.trunc(x), 0), hi)


def bitcast(a):
    """Reinterpretation: the bits are unchanged (NaN payloads included)."""
    return a
