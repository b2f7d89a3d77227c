"""Numeric literals of the text format: integers and IEEE floats as bit patterns.

Integers follow the spec's ``uN`` / ``sN`` grammar: an unsigned literal must be
below 2**N, a signed one (written with ``+`` or ``-``) must lie in
[-2**(N-1), 2**(N-1)).  The result is always the unsigned bit pattern.

Floats are converted *exactly*: the literal is read as a rational
``mantissa * base**exp`` (integers only, no ``float()``) and rounded once,
half to even, to the target precision.  Going decimal -> f64 -> f32 would
round twice and const.wast checks exactly the cases where that gives a wrong
answer.  A literal that rounds to infinity is out of range (spec: a literal
"must not overflow to infinity").

Errors are :class:`NumberError` with ``range`` true for "well-formed but does
not fit" (the parser reports ``constant out of range``) and false for
"not a literal of this kind" (the parser reports ``unexpected token`` or
``unknown operator``, depending on what the token looks like).
"""
from __future__ import annotations

import re

_NUM = r"[0-9](?:_?[0-9])*"
_HEXNUM = r"[0-9a-fA-F](?:_?[0-9a-fA-F])*"

NAT_RE = re.compile(rf"(?:{_NUM}|0x{_HEXNUM})")
INT_RE = re.compile(rf"[+-](?:{_NUM}|0x{_HEXNUM})")
_DEC_FLOAT = re.compile(rf"([+-]?)({_NUM})(?:\.({_NUM})?)?(?:[eE]([+-]?{_NUM}))?")
_HEX_FLOAT = re.compile(rf"([+-]?)0x({_HEXNUM})(?:\.({_HEXNUM})?)?(?:[pP]([+-]?{_NUM}))?")
_SPECIAL = re.compile(rf"([+-]?)(?:(inf)|nan(?::0x({_HEXNUM}))?)")


class NumberError(ValueError):
    def __init__(self, range_: bool):
        super().__init__("constant out of range" if range_ else "malformed number")
        self.range = range_


def classify(s: str) -> str | None:
    """``'nat'``, ``'int'`` (signed), ``'float'`` or None for a non-number."""
    if NAT_RE.fullmatch(s):
        return "nat"
    if INT_RE.fullmatch(s):
        return "int"
    if _DEC_FLOAT.fullmatch(s) or _HEX_FLOAT.fullmatch(s) or _SPECIAL.fullmatch(s):
        return "float"
    return None


def _decimal(digits: str) -> int:
    """``int(digits)`` without CPython's 4300-digit limit on str -> int
    conversion (a literal may legitimately be that long)."""
    if len(digits) <= 4000:
        return int(digits)
    v = 0
    for k in range(0, len(digits), 4000):
        chunk = digits[k:k + 4000]
        v = v * 10 ** len(chunk) + int(chunk)
    return v


def _exponent(ex: str | None) -> int:
    """The exponent of a float literal, clamped: anything past 10**9 is
    already far outside every format, so the exact value does not matter."""
    if not ex:
        return 0
    ex = ex.replace("_", "")
    sign = -1 if ex[0] == "-" else 1
    ex = ex.lstrip("+-").lstrip("0") or "0"
    return sign * (int(ex) if len(ex) <= 9 else 10 ** 9)


def _nat_value(s: str) -> int:
    s = s.replace("_", "")
    if s.startswith("0x"):
        return int(s[2:], 16)
    s = s.lstrip("0") or "0"
    if len(s) > 40:                 # far beyond 64 bits; the exact value is not needed
        return 1 << 200
    return int(s, 10)


def parse_nat(s: str, bits: int = 32) -> int:
    """An unsigned literal (no sign) below 2**bits."""
    if not NAT_RE.fullmatch(s):
        raise NumberError(False)
    v = _nat_value(s)
    if v >> bits:
        raise NumberError(True)
    return v


def parse_int(s: str, bits: int) -> int:
    """An ``iN`` literal (``uN`` or ``sN``) as an unsigned bit pattern."""
    if NAT_RE.fullmatch(s):
        v = _nat_value(s)
        if v >> bits:
            raise NumberError(True)
        return v
    if INT_RE.fullmatch(s):
        v = _nat_value(s[1:])
        half = 1 << (bits - 1)
        if s[0] == "-":
            if v > half:
                raise NumberError(True)
            return -v & ((1 << bits) - 1)
        if v >= half:
            raise NumberError(True)
        return v
    raise NumberError(False)


# (mantissa bits, exponent bits) per width
_FMT = {32: (23, 8), 64: (52, 11)}


def _round(n: int, d: int, mbits: int, ebits: int) -> int:
    """Round the positive rational n/d to the nearest float (ties to even);
    return the bit pattern without sign.  Raises NumberError on overflow."""
    bias = (1 << (ebits - 1)) - 1
    emin = 1 - bias
    e = n.bit_length() - d.bit_length()
    # floor(log2(n/d)) is e or e-1
    if (n << -e if e < 0 else n) < (d << e if e > 0 else d):
        e -= 1
    if e < emin:
        e = emin        # subnormal: fixed scale
    sh = mbits - e
    if sh >= 0:
        n <<= sh
    else:
        d <<= -sh
    q, r = divmod(n, d)
    r2 = r << 1
    if r2 > d or (r2 == d and q & 1):
        q += 1
    if q >> (mbits + 1):
        q >>= 1         # carried into the next binade; q was a power of two
        e += 1
    biased = e + bias if q >> mbits else 0
    if biased >= (1 << ebits) - 1:
        raise NumberError(True)
    return (biased << mbits) | (q & ((1 << mbits) - 1))


def parse_float(s: str, bits: int) -> int:
    """An ``fN`` literal as the IEEE bit pattern of width ``bits`` (32/64)."""
    mbits, ebits = _FMT[bits]
    sign_bit = 1 << (bits - 1)
    inf = ((1 << ebits) - 1) << mbits
    m = _SPECIAL.fullmatch(s)
    if m:
        sign = sign_bit if m.group(1) == "-" else 0
        if m.group(2):
            return sign | inf
        payload = m.group(3)
        if payload is None:
            return sign | inf | (1 << (mbits - 1))
        p = int(payload.replace("_", ""), 16)
        if not 1 <= p < (1 << mbits):
            raise NumberError(True)
        return sign | inf | p
    m = _HEX_FLOAT.fullmatch(s)
    if m:
        sgn, ip, fp, ex = m.groups()
        ip = ip.replace("_", "")
        fp = (fp or "").replace("_", "")
        mant = int(ip + fp, 16)
        e2 = _exponent(ex) - 4 * len(fp)
        sign = sign_bit if sgn == "-" else 0
        if mant == 0:
            return sign
        top = mant.bit_length() + e2
        if top > 2000:          # far beyond any finite value
            raise NumberError(True)
        if top < -2000:         # far below half the smallest subnormal
            return sign
        if e2 >= 0:
            return sign | _round(mant << e2, 1, mbits, ebits)
        return sign | _round(mant, 1 << -e2, mbits, ebits)
    m = _DEC_FLOAT.fullmatch(s)
    if m:
        sgn, ip, fp, ex = m.groups()
        digits = (ip + (fp or "")).replace("_", "").lstrip("0")
        e10 = _exponent(ex) - len((fp or "").replace("_", ""))
        sign = sign_bit if sgn == "-" else 0
        if not digits:
            return sign
        # value lies in [10**(len-1+e10), 10**(len+e10))
        if len(digits) - 1 + e10 > 400:
            raise NumberError(True)
        if len(digits) + e10 < -400:
            return sign
        mant = _decimal(digits)
        if e10 >= 0:
            return sign | _round(mant * 10 ** e10, 1, mbits, ebits)
        return sign | _round(mant, 10 ** -e10, mbits, ebits)
    raise NumberError(False)


def f32_bits(s: str) -> int:
    return parse_float(s, 32)


def f64_bits(s: str) -> int:
    return parse_float(s, 64)
