"""Text-format keywords of features we do not support yet.

Only :meth:`.cursor.Cursor.unexpected` (the error path) consults this: a
token the Wasm 2.0 grammar rejects is looked up here, with the keyword of
the list around it, and the error names the proposal instead
(``unsupported: memory64 (Wasm 3.0): (memory i64 ...)``).  Instruction names
come from the opcode table (:func:`..opcodes.unsupported_name`).
"""
from __future__ import annotations

from .. import opcodes as O

# keyword -> (proposal, what), wherever it appears
_ANYWHERE = {
    "component": (O.COMPONENT, "(component ...)"),
    "rec": (O.GC, "(rec ...)"),
    "ref": (O.FUNCTION_REFERENCES, "(ref ...)"),
    "anyref": (O.GC, "anyref"), "eqref": (O.GC, "eqref"), "i31ref": (O.GC, "i31ref"),
    "structref": (O.GC, "structref"), "arrayref": (O.GC, "arrayref"),
    "nullref": (O.GC, "nullref"), "nullfuncref": (O.GC, "nullfuncref"),
    "nullexternref": (O.GC, "nullexternref"),
    # script forms
    "ref.array": (O.GC, "ref.array"), "ref.struct": (O.GC, "ref.struct"),
    "ref.eq": (O.GC, "ref.eq"), "ref.any": (O.GC, "ref.any"),
}
# (keyword, enclosing list keyword) -> (proposal, what)
_IN = {
    ("i64", "memory"): (O.MEMORY64, "(memory i64 ...)"),
    ("i64", "table"): (O.MEMORY64, "(table i64 ...)"),
    ("shared", "memory"): (O.THREADS, "shared memory"),
    ("struct", "type"): (O.GC, "struct type"),
    ("array", "type"): (O.GC, "array type"),
    ("sub", "type"): (O.GC, "sub type"),
    ("cont", "type"): (O.STACK_SWITCHING, "continuation type"),
    **{(h, "ref.null"): (O.GC, f"ref.null {h}")
       for h in ("any", "eq", "i31", "struct", "array", "none", "noextern", "nofunc")},
}


def text_feature(keyword: str, enclosing: str | None) -> tuple[str, str] | None:
    """``(proposal, what)`` for ``keyword`` inside a ``(enclosing ...)`` list."""
    return _IN.get((keyword, enclosing)) or _ANYWHERE.get(keyword)
