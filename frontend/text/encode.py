"""Binary writer helpers: LEB128, vectors, names, sections.

The text parser builds each function body and section payload directly as
``bytearray``; these are the primitive encoders it uses.
"""
from __future__ import annotations

from ..leb import sleb, uleb  # noqa: F401  (re-exported: the writer's primitives)

MAGIC_VERSION = b"\0asm\x01\0\0\0"


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
