"""Tiny helpers to assemble Wasm binaries by hand in tests (sections, LEB128, names).

Deliberately independent of the product's text parser, so decoder tests do
not depend on it.
"""
from __future__ import annotations

HEADER = b"\0asm\x01\0\0\0"


def uleb(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def sleb(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        done = (n == 0 and not b & 0x40) or (n == -1 and b & 0x40)
        out.append(b if done else b | 0x80)
        if done:
            return bytes(out)


def name(s: str | bytes) -> bytes:
    b = s.encode() if isinstance(s, str) else s
    return uleb(len(b)) + b


def vec(items) -> bytes:
    items = list(items)
    return uleb(len(items)) + b"".join(items)


def section(sid: int, payload: bytes) -> bytes:
    return bytes([sid]) + uleb(len(payload)) + payload


def module(*sections: bytes) -> bytes:
    return HEADER + b"".join(sections)


def functype(params=(), results=()) -> bytes:
    return b"\x60" + vec(bytes([t]) for t in params) + vec(bytes([t]) for t in results)


def body(code: bytes, locals_=()) -> bytes:
    """A code-section entry: size, locals, code (which must end with 0x0b)."""
    b = vec(uleb(n) + bytes([t]) for n, t in locals_) + code
    return uleb(len(b)) + b
