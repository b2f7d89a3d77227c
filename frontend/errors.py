"""Errors the frontend raises for bad input.

Every rejection of a module is a :class:`WasmError`: either
:class:`MalformedError` (the bytes or text do not follow the grammar) or
:class:`InvalidError` (well-formed, but fails validation).  The message
contains the wording the official spec suite expects (``unexpected end``,
``type mismatch``...), so the spec runner can compare it; ``offset`` is the
byte offset in the binary (or, for text, the character offset, with
``line``/``col`` filled in).  ``str(err)`` is the one-line form the CLI
prints: ``FILE:0x1a: malformed: unexpected end``.
"""
from __future__ import annotations


class WasmError(Exception):
    kind = "error"

    def __init__(self, message: str, offset: int | None = None, *,
                 filename: str | None = None, line: int | None = None,
                 col: int | None = None):
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.filename = filename
        self.line = line
        self.col = col

    def where(self) -> str:
        parts = [self.filename] if self.filename else []
        if self.line is not None:
            parts.append(f"{self.line}:{self.col or 1}")
        elif self.offset is not None:
            parts.append(f"0x{self.offset:x}")
        return ":".join(parts)

    def __str__(self) -> str:
        w = self.where()
        return f"{w}: {self.kind}: {self.message}" if w else f"{self.kind}: {self.message}"


class MalformedError(WasmError):
    """The input does not decode / parse (spec: assert_malformed)."""
    kind = "malformed"


class InvalidError(WasmError):
    """The module decodes but does not validate (spec: assert_invalid)."""
    kind = "invalid"
