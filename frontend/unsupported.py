"""Naming the proposal behind a rejection: "unsupported" (a proposal wasmaot
does not implement) or "disabled" (one it implements, turned off: see
:mod:`.features` and :func:`disabled`), not "malformed".

The decoder and validator reject everything outside the implemented
features (:mod:`.features`) the way the spec's reference interpreter does, and they stay exactly as fast: nothing here runs unless a module was already rejected.
:func:`explain` then looks at the bytes where the error points and, if they
are a known proposal's encoding (an opcode from :mod:`.opcodes`'
unsupported table, a reference type of GC, a component's preamble...),
returns an
:class:`~.errors.UnsupportedError` naming it, at the same offset, keeping the
Wasm 2.0 wording in ``spec_message``.  Otherwise the error is returned as it
was.  A few rejections are named where they are raised instead, because the
offset alone does not say what was being read (limits flags, type forms:
:mod:`.binary`; a second memory: :mod:`.validate`; text keywords:
:mod:`.text.cursor`).
"""
from __future__ import annotations

from . import opcodes as O
from .errors import MalformedError, UnsupportedError, UnsupportedInvalidError, WasmError
from .features import Feature


class DisabledError(UnsupportedError):
    """An implemented feature that the features in force turn off
    (``-W simd=n``): ``app.wasm:0x1f: disabled: fixed-width SIMD (Wasm 2.0):
    i32x4.add (enable with -W simd)``.  Malformed for a decoder without it."""
    kind = "disabled"


class DisabledInvalidError(UnsupportedInvalidError):
    """As :class:`DisabledError`, for what is invalid without the feature
    (a second table without reference-types...)."""
    kind = "disabled"


def disabled(feature: Feature, offset: int | None, what: str, spec_message: str,
             invalid: bool = False) -> UnsupportedError | UnsupportedInvalidError:
    """The one error for a construct of a feature that is off."""
    cls = DisabledInvalidError if invalid else DisabledError
    return cls(feature, offset, detail=f"{what} (enable with -W {feature.name})",
               spec_message=spec_message)

COMPONENT_LAYER = b"\x01\x00"     # preamble bytes 6..7 of a component (layer 1)

# Value/reference type bytes of later proposals (binary encodings).
TYPE_BYTES = {
    0x64: ("(ref ...)", O.FUNCTION_REFERENCES), 0x63: ("(ref null ...)", O.FUNCTION_REFERENCES),
    0x6E: ("anyref", O.GC), 0x6D: ("eqref", O.GC), 0x6C: ("i31ref", O.GC),
    0x6B: ("structref", O.GC), 0x6A: ("arrayref", O.GC), 0x71: ("nullref", O.GC),
    0x72: ("nullexternref", O.GC), 0x73: ("nullfuncref", O.GC),
    0x68: ("contref", O.STACK_SWITCHING), 0x75: ("nullcontref", O.STACK_SWITCHING),
}
# Type-section forms other than 0x60 (func).
TYPE_FORMS = {0x4E: "rec group", 0x50: "sub type", 0x4F: "final sub type",
              0x5F: "struct type", 0x5E: "array type", 0x5D: "continuation type"}


def type_form(form: int, offset: int) -> UnsupportedError | None:
    what = TYPE_FORMS.get(form)
    if what is None:
        return None
    proposal = O.STACK_SWITCHING if form == 0x5D else O.GC
    return UnsupportedError(proposal, offset, detail=what, spec_message="malformed function type")


def limits_flags(flag: int, offset: int, spec_message: str) -> UnsupportedError | None:
    """Limits flag bits of later proposals (0x02 shared, 0x04 64-bit
    indices).  0x08, a custom page size, is implemented for memories; on a
    table it is plainly malformed."""
    if flag & ~0x0F:
        return None
    found = [(0x04, O.MEMORY64, "64-bit limits"), (0x02, O.THREADS, "shared memory")]
    for bit, proposal, what in found:
        if flag & bit:
            return UnsupportedError(proposal, offset, detail=f"{what} (flags 0x{flag:02x})",
                                    spec_message=spec_message)
    return None


def explain(err: WasmError, data) -> WasmError:
    """``err``, or the UnsupportedError it really is (same offset and file)."""
    if not isinstance(err, MalformedError) or isinstance(err, UnsupportedError) \
            or err.offset is None or data is None:
        return err
    try:
        new = _classify(err.message, err.offset, data)
    except (IndexError, ValueError, MalformedError):
        new = None                      # bytes too short to tell: keep the error
    if new is None:
        return err
    new.filename, new.line, new.col = err.filename, err.line, err.col
    return new


def _classify(msg: str, off: int, data) -> UnsupportedError | None:
    if msg == "illegal opcode":
        return _opcode(data, off)
    if msg == "unknown binary version" and bytes(data[6:8]) == COMPONENT_LAYER:
        return UnsupportedError(O.COMPONENT, off, spec_message=msg,
                                detail=f"preamble version 0x{data[4]:02x}, layer 1")
    if msg in ("malformed value type", "malformed reference type", "malformed heap type") \
            and data[off] in TYPE_BYTES:
        what, proposal = TYPE_BYTES[data[off]]
        return UnsupportedError(proposal, off, detail=what, spec_message=msg)
    if msg == "zero byte expected" and data[off]:
        return UnsupportedError(O.MULTI_MEMORY, off, detail=f"memory index {data[off]}",
                                spec_message=msg)
    if msg == "malformed memop flags":
        return _memarg(data, off)
    return None


def _opcode(data, off: int) -> UnsupportedError | None:
    b = data[off]
    if b in (0xFB, 0xFC, 0xFD, 0xFE):
        from .reader import u32
        try:
            sub, _ = u32(data, off + 1, len(data))
        except MalformedError:
            sub = None
        hit = O.unsupported_op(b, sub)
        raw = f"opcode 0x{b:02x} 0x{sub:x}" if sub is not None else f"prefix 0x{b:02x}"
    else:
        hit = O.unsupported_op(0, b)
        raw = f"opcode 0x{b:02x}"
    if hit is None:
        return None
    name, proposal = hit
    return UnsupportedError(proposal, off, detail=f"{name} ({raw})" if name else raw,
                            spec_message="illegal opcode")


def _memarg(data, end: int) -> UnsupportedError | None:
    """The memarg's alignment field ends just before ``end``; bit 6 of it
    selects an explicit memory index (multi-memory)."""
    start = end - 1
    while start > 0 and data[start - 1] & 0x80:
        start -= 1
    align = 0
    for i, b in enumerate(data[start:end]):
        align |= (b & 0x7F) << (7 * i)
    if align & 0x40:
        return UnsupportedError(O.MULTI_MEMORY, start, detail="memarg with a memory index",
                                spec_message="malformed memop flags")
    return None
