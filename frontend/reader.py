"""Primitive binary readers: LEB128 integers, floats, names, bytes.

Functional style for speed: each reader takes ``(data, pos, end)`` and returns
``(value, new_pos)``.  ``end`` is the end of the enclosing region (section or
function body); reading past it raises :class:`MalformedError`.  The spec
distinguishes running off the end of the *file* ("unexpected end") from
running off the end of a *section or function* ("unexpected end of section or
function"); :func:`eof` picks the wording from whether ``end`` is the end of
the data.

LEB128 rules enforced (spec 5.2.2): at most ceil(N/7) bytes for an N-bit
integer ("integer representation too long"), and the unused bits of the last
byte must be zero (unsigned) or a sign extension (signed) ("integer too
large").
"""
from __future__ import annotations

import struct

from .errors import MalformedError

_f32 = struct.Struct("<I")
_f64 = struct.Struct("<Q")


def eof(data, pos: int, end: int) -> MalformedError:
    return MalformedError("unexpected end of section or function", pos)


def u8(data, pos: int, end: int) -> tuple[int, int]:
    if pos >= end:
        raise eof(data, pos, end)
    return data[pos], pos + 1


def _uleb(data, pos: int, end: int, nbits: int) -> tuple[int, int]:
    maxbytes = (nbits + 6) // 7
    result = 0
    shift = 0
    start = pos
    for i in range(maxbytes):
        if pos >= end:
            raise eof(data, pos, end)
        b = data[pos]
        pos += 1
        if i == maxbytes - 1:
            if b & 0x80:
                raise MalformedError("integer representation too long", start)
            used = nbits - shift          # significant bits left in this byte
            if b >> used:
                raise MalformedError("integer too large", start)
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
    raise AssertionError("unreachable")  # loop always returns or raises


def _sleb(data, pos: int, end: int, nbits: int) -> tuple[int, int]:
    maxbytes = (nbits + 6) // 7
    result = 0
    shift = 0
    start = pos
    for i in range(maxbytes):
        if pos >= end:
            raise eof(data, pos, end)
        b = data[pos]
        pos += 1
        if i == maxbytes - 1:
            if b & 0x80:
                raise MalformedError("integer representation too long", start)
            used = nbits - shift          # bits of value in this byte, incl. sign
            # the remaining (7 - used) bits must equal the sign bit
            rest = (b & 0x7F) >> (used - 1)
            if rest != 0 and rest != (0x7F >> (used - 1)):
                raise MalformedError("integer too large", start)
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            if b & 0x40:
                result -= 1 << shift
            return result, pos
    raise AssertionError("unreachable")


def u32(data, pos: int, end: int) -> tuple[int, int]:
    if pos < end:
        b = data[pos]
        if b < 0x80:
            return b, pos + 1
    return _uleb(data, pos, end, 32)


def u64(data, pos: int, end: int) -> tuple[int, int]:
    return _uleb(data, pos, end, 64)


def s32(data, pos: int, end: int) -> tuple[int, int]:
    if pos < end:
        b = data[pos]
        if b < 0x40:
            return b, pos + 1
    return _sleb(data, pos, end, 32)


def s33(data, pos: int, end: int) -> tuple[int, int]:
    return _sleb(data, pos, end, 33)


def s64(data, pos: int, end: int) -> tuple[int, int]:
    if pos < end:
        b = data[pos]
        if b < 0x40:
            return b, pos + 1
    return _sleb(data, pos, end, 64)


def f32_bits(data, pos: int, end: int) -> tuple[int, int]:
    """An f32 as its raw bit pattern (never a Python float: NaN payloads)."""
    if pos + 4 > end:
        raise eof(data, pos, end)
    return _f32.unpack_from(data, pos)[0], pos + 4


def f64_bits(data, pos: int, end: int) -> tuple[int, int]:
    if pos + 8 > end:
        raise eof(data, pos, end)
    return _f64.unpack_from(data, pos)[0], pos + 8


def raw(data, pos: int, end: int, n: int) -> tuple[bytes, int]:
    if pos + n > end:
        raise eof(data, pos, end)
    return bytes(data[pos:pos + n]), pos + n


def name(data, pos: int, end: int) -> tuple[str, int]:
    """A length-prefixed UTF-8 name; invalid UTF-8 is malformed."""
    n, pos = u32(data, pos, end)
    if pos + n > end:
        raise MalformedError("length out of bounds", pos)
    b = bytes(data[pos:pos + n])
    try:
        s = b.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedError("malformed UTF-8 encoding", pos) from None
    return s, pos + n
