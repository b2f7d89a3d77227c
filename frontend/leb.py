"""LEB128 *encoders* (the decoders are in :mod:`.reader`).

The bottom layer, so that both the opcode table (instruction encodings) and
the text format's binary writer use the same code.
"""
from __future__ import annotations


def uleb(n: int) -> bytes:
    """Unsigned LEB128, shortest form."""
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
