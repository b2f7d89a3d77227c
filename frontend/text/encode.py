"""Binary writer helpers: LEB128, vectors, names, sections.

The text parser builds each function body and section payload directly as
``bytearray``; these are the primitive encoders it uses.
"""
from __future__ import annotations

MAGIC_VERSION = b"\0asm\x01\0\0\0"


def uleb(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def sleb(n: int) -> bytes:
    """Signed LEB128 of a Python int (callers pass the signed value)."""
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if (n == 0 and not b & 0x40) or (n == -1 and b & 0x40):
            out.append(b)
            return bytes(out)
        out.append(b | 0x80)


def sleb_bits(pattern: int, bits: int) -> bytes:
    """Signed LEB128 of an unsigned ``bits``-wide bit pattern."""
    if pattern >> (bits - 1):
        pattern -= 1 << bits
    return sleb(pattern)


def name(b: bytes) -> bytes:
    return uleb(len(b)) + b


def vec(items: list[bytes]) -> bytes:
    return uleb(len(items)) + b"".join(items)


def section(sid: int, payload: bytes) -> bytes:
    return bytes((sid,)) + uleb(len(payload)) + payload


def limits(lo: int, hi: int | None) -> bytes:
    if hi is None:
        return b"\x00" + uleb(lo)
    return b"\x01" + uleb(lo) + uleb(hi)
