"""Errors the frontend raises for bad input.

Every rejection of a module is a :class:`WasmError`: either
:class:`MalformedError` (the bytes or text do not follow the grammar) or
:class:`InvalidError` (well-formed, but fails validation).  The message
contains the wording the official spec suite expects (``unexpected end``,
``type mismatch``...), so the spec runner can compare it; ``offset`` is the
byte offset in the binary (or, for text, the character offset, with
``line``/``col`` filled in).  ``str(err)`` is the one-line form the CLI
prints: ``FILE:0x1a: malformed: unexpected end``.

Input that uses a feature we do not support yet raises
:class:`UnsupportedError` / :class:`UnsupportedInvalidError` (still
malformed/invalid for Wasm 2.0), printed as ``FILE:0x1a: unsupported:
exception handling (Wasm 3.0): try_table``.
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


class _Unsupported:
    """Mixin: the input uses a feature we do not support yet (a proposal
    after Wasm 2.0, or a component).  For Wasm 2.0 such input *is*
    malformed or invalid, so these stay subclasses of those two, and
    ``spec_message`` keeps the Wasm 2.0 wording (``illegal opcode``...) for
    the spec suite's assertions; ``str(err)`` names the feature instead:
    ``app.wasm:0x1f: unsupported: exception handling (Wasm 3.0): try_table``.
    Built only on the error path (see :mod:`.unsupported`)."""
    kind = "unsupported"

    def _init(self, feature: str, detail: str | None, spec_message: str) -> None:
        self.feature = feature
        self.spec_message = spec_message

    def matches(self, expected: str) -> bool:
        return expected in self.message or expected in self.spec_message


class UnsupportedError(_Unsupported, MalformedError):
    """Malformed in Wasm 2.0, but a known proposal's (or a component's) encoding."""

    def __init__(self, feature: str, offset: int | None = None, *, detail: str | None = None,
                 spec_message: str = "", **where):
        super().__init__(f"{feature}: {detail}" if detail else feature, offset, **where)
        self._init(feature, detail, spec_message)


class UnsupportedInvalidError(_Unsupported, InvalidError):
    """Invalid in Wasm 2.0 (e.g. a second memory), valid with a proposal."""

    def __init__(self, feature: str, offset: int | None = None, *, detail: str | None = None,
                 spec_message: str = "", **where):
        super().__init__(f"{feature}: {detail}" if detail else feature, offset, **where)
        self._init(feature, detail, spec_message)


def expected_message_matches(err: WasmError, expected: str) -> bool:
    """Whether ``err`` carries the spec suite's ``expected`` wording."""
    m = getattr(err, "matches", None)
    return m(expected) if m is not None else expected in err.message
