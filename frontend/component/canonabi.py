"""The canonical ABI as a Python model (synchronous subset of CanonicalABI.md).

This module is the reference the rest of issue 13 is checked against: the spec
driver's host side lifts and lowers with it, and the adapters we generate
later are compared with it.  It follows CanonicalABI.md's definitions
(``load``/``store``, ``lift_flat``/``lower_flat``, ``lift_flat_values``/
``lower_flat_values``, the string transcoders) case by case; sizes,
alignments and flattening come from :mod:`.types`, not from a second copy.

Host-side values (shared with :mod:`.wave`):

============================  ==============================================
type                          Python value
============================  ==============================================
bool                          ``bool``
s8 .. u64                     ``int`` (in range)
f32, f64                      ``float`` (an f32 is a float exactly
                              representable as binary32)
char                          ``str`` of length 1 (a Unicode scalar value)
string                        ``str``; lifted strings are :class:`String`,
                              a ``str`` carrying the source encoding and
                              tagged code-unit count that ``store_string``
                              uses to pick its allocation strategy
list                          ``list``
record                        ``dict`` label -> value, in field order
tuple                         ``tuple``
variant, option, result       :class:`Case` (``Case("some", 1)``,
                              ``Case("none")``, ``Case("ok")``...)
enum                          ``str`` (the case label)
flags                         ``frozenset`` of the labels that are set
own, borrow                   ``int``: the resource's representation
============================  ==============================================

Option and result use :class:`Case` rather than ``None`` so that
``option<option<T>>`` keeps ``none`` and ``some(none)`` apart.

Deviations from the spec's Python, on purpose:

- Traps raise :class:`Trap` with a reason (the spec's ``trap_if`` has none):
  wasmtime's message for the same trap where the tests compared them (char,
  discriminants, pointers, bad UTF-8/UTF-16), our own words elsewhere.
- NaNs are lowered as the canonical NaN (the deterministic profile: the spec
  allows any NaN, and a fixed one keeps tests reproducible).
- Memory is a ``bytearray`` (always 32-bit pointers here: memory64
  components are not part of WASI 0.2); ``realloc`` is a Python callable
  ``(old_ptr, old_size, align, new_size) -> ptr``.
- Handles: a :class:`HandleTable` per instance with the spec's own/borrow
  bookkeeping (lend counts, borrow scopes) for one call at a time; no tasks.
"""
from __future__ import annotations

import math
import struct
from collections.abc import Callable
from dataclasses import dataclass, field

from ..types import F32, F64, I32, I64
from .types import (
    MAX_FLAT_PARAMS,
    MAX_FLAT_RESULTS,
    Borrow,
    Enum,
    Flags,
    List,
    Option,
    Own,
    Record,
    Result,
    Tuple,
    Variant,
    _discriminant_size,
    alignment,
    elem_size,
    flat_len,
    flatten,
    variant_cases,
)

# ---- values ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Case:
    """A variant, option or result value: the case label and its payload
    (``None`` when the case has no payload type)."""
    label: str
    value: object = None


class String(str):
    """A lifted string: equal to the ``str`` it holds, plus the hint
    ``store_string`` uses (CanonicalABI.md load_string returns the same
    triple): the encoding it was lifted from and its tagged code units."""
    encoding: str
    tagged_code_units: int

    def __new__(cls, s: str, encoding: str, tagged_code_units: int):
        self = super().__new__(cls, s)
        self.encoding = encoding
        self.tagged_code_units = tagged_code_units
        return self


def case_labels(t) -> list[str]:
    """The labels of a variant-like type, in discriminant order."""
    if isinstance(t, Variant):
        return [n for n, _ in t.cases]
    if isinstance(t, Option):
        return ["none", "some"]
    return ["ok", "err"]


def cases_of(t) -> list[tuple[str, object | None]]:
    return list(zip(case_labels(t), variant_cases(t)))


# ---- traps and context ----------------------------------------------------


class Trap(Exception):
    """A canonical-ABI trap; ``str()`` is the reason."""


def trap_if(cond: bool, reason: str) -> None:
    if cond:
        raise Trap(reason)


ENCODINGS = ("utf8", "utf16", "latin1+utf16")
UTF16_TAG = 1 << 31
MAX_STRING_BYTE_LENGTH = (1 << 28) - 1
MAX_LIST_BYTE_LENGTH = (1 << 28) - 1
CANONICAL_FLOAT32_NAN = 0x7FC00000
CANONICAL_FLOAT64_NAN = 0x7FF8000000000000


@dataclass
class HandleElem:
    resource: object
    rep: int
    own: bool
    lend_count: int = 0
    scope: object = None       # the Call a borrow handle was lowered in


class HandleTable:
    """One component instance's handle table (CanonicalABI.md Table): index 0
    is never handed out, freed slots are reused."""

    def __init__(self):
        self.array: list[HandleElem | None] = [None]
        self.free: list[int] = []

    def add(self, e: HandleElem) -> int:
        if self.free:
            i = self.free.pop()
            self.array[i] = e
        else:
            i = len(self.array)
            trap_if(i >= 1 << 28, "handle table full")
            self.array.append(e)
        return i

    def get(self, i: int) -> HandleElem:
        trap_if(i >= len(self.array) or self.array[i] is None, f"unknown handle index {i}")
        return self.array[i]

    def remove(self, i: int) -> HandleElem:
        e = self.get(i)
        self.array[i] = None
        self.free.append(i)
        return e


@dataclass
class Call:
    """The borrow scope of one call: lenders to release and borrows that the
    callee must drop before returning (the sync subset of Task/Subtask)."""
    lenders: list = field(default_factory=list)
    borrows: int = 0

    def add_lender(self, h: HandleElem) -> None:
        h.lend_count += 1
        self.lenders.append(h)

    def finish(self) -> None:
        trap_if(self.borrows != 0, "borrow handles still remain at the end of the call")
        for h in self.lenders:
            h.lend_count -= 1
        self.lenders.clear()


@dataclass
class Context:
    """CanonicalABI.md's LiftLowerContext for one side of a call: the
    options (memory, realloc, string encoding), the instance's handle table,
    and the borrow scope of the current call."""
    memory: bytearray | None = None
    realloc: Callable[[int, int, int, int], int] | None = None
    encoding: str = "utf8"
    handles: HandleTable = field(default_factory=HandleTable)
    scope: Call | None = None
    resource_impl: object = None   # resources whose borrows lower to their rep

    def __post_init__(self):
        if self.encoding not in ENCODINGS:
            raise ValueError(f"unknown string encoding {self.encoding!r}")

    def mem(self) -> bytearray:
        if self.memory is None:
            raise Trap("no memory for a value that lives in linear memory")
        return self.memory

    def reallocate(self, old: int, old_size: int, align: int, new_size: int) -> int:
        if self.realloc is None:
            raise Trap("no realloc for a value that needs allocation")
        ptr = self.realloc(old, old_size, align, new_size)
        return ptr & 0xFFFFFFFF

    def allocate(self, align: int, size: int) -> int:
        return self.reallocate(0, 0, align, size)


class BumpAllocator:
    """A realloc for tests and the spec driver's host side: hands out memory
    upward from ``start``, copying on growth (never frees)."""

    def __init__(self, memory: bytearray, start: int = 8):
        self.memory, self.next, self.calls = memory, start, []

    def __call__(self, old: int, old_size: int, align: int, new_size: int) -> int:
        self.calls.append((old, old_size, align, new_size))
        if old and new_size <= old_size:
            return old
        ptr = (self.next + align - 1) // align * align
        self.next = ptr + new_size
        if old:
            self.memory[ptr:ptr + old_size] = self.memory[old:old + old_size]
        return ptr


# ---- scalars --------------------------------------------------------------

_INT_BITS = {"u8": 8, "u16": 16, "u32": 32, "u64": 64, "s8": 8, "s16": 16, "s32": 32, "s64": 64}


def f32_from_bits(i: int) -> float:
    return struct.unpack("<f", struct.pack("<I", i))[0]


def f32_bits(f: float) -> int:
    return struct.unpack("<I", struct.pack("<f", f))[0]


def f64_from_bits(i: int) -> float:
    return struct.unpack("<d", struct.pack("<Q", i))[0]


def f64_bits(f: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", f))[0]


def canonicalize_nan32(f: float) -> float:
    return f32_from_bits(CANONICAL_FLOAT32_NAN) if math.isnan(f) else f


def canonicalize_nan64(f: float) -> float:
    return f64_from_bits(CANONICAL_FLOAT64_NAN) if math.isnan(f) else f


def _encode_f32(f: float) -> int:
    # Lowering may pick any NaN; we pick the canonical one (deterministic).
    return CANONICAL_FLOAT32_NAN if math.isnan(f) else f32_bits(f)


def _encode_f64(f: float) -> int:
    return CANONICAL_FLOAT64_NAN if math.isnan(f) else f64_bits(f)


def convert_i32_to_char(i: int) -> str:
    trap_if(i >= 0x110000 or 0xD800 <= i <= 0xDFFF, "converted integer out of range for `char`")
    return chr(i)


def char_to_i32(c: str) -> int:
    i = ord(c)
    assert 0 <= i <= 0xD7FF or 0xE000 <= i <= 0x10FFFF, "not a Unicode scalar value"
    return i


def _load_int(cx: Context, ptr: int, n: int, signed: bool = False) -> int:
    return int.from_bytes(cx.memory[ptr:ptr + n], "little", signed=signed)


def _store_int(cx: Context, v: int, ptr: int, n: int, signed: bool = False) -> None:
    cx.memory[ptr:ptr + n] = v.to_bytes(n, "little", signed=signed)


_MISALIGNED = {"string": "string pointer not aligned to {}", "list": "list pointer is not aligned"}
_OUT_OF_BOUNDS = {"string": "string pointer/length out of bounds of memory",
                  "list": "list pointer/length out of bounds of memory"}


def _check_range(cx: Context, ptr: int, align: int, size: int, what: str) -> None:
    """The alignment and bounds traps on every pointer, worded as wasmtime
    words them (``what`` is "string", "list" or "value")."""
    trap_if(ptr % align != 0, _MISALIGNED.get(what, "pointer not aligned").format(align))
    trap_if(ptr + size > len(cx.mem()), _OUT_OF_BOUNDS.get(what, "pointer out of bounds of memory"))


def _check_discriminant(i: int, n: int) -> None:
    trap_if(i >= n, f"discriminant {i} out of range [0..{n})")


# ---- load (CanonicalABI.md "Loading") --------------------------------------


def load(cx: Context, ptr: int, t):
    """The value of type ``t`` at ``ptr`` (which the caller has checked)."""
    if isinstance(t, str):
        return _load_prim(cx, ptr, t)
    if isinstance(t, List):
        if t.length is not None:
            return _load_elems(cx, ptr, t.length, t.elem)
        return load_list_from_range(cx, _load_int(cx, ptr, 4), _load_int(cx, ptr + 4, 4), t.elem)
    if isinstance(t, (Record, Tuple)):
        vals = []
        for ft in _field_types(t):
            ptr = _align_to(ptr, alignment(ft))
            vals.append(load(cx, ptr, ft))
            ptr += elem_size(ft)
        return _make_record(t, vals)
    if isinstance(t, (Variant, Option, Result)):
        cases = cases_of(t)
        disc = _discriminant_size(len(cases))
        i = _load_int(cx, ptr, disc)
        _check_discriminant(i, len(cases))
        label, ct = cases[i]
        ptr = _align_to(ptr + disc, _max_case_alignment(t))
        return Case(label, None if ct is None else load(cx, ptr, ct))
    if isinstance(t, Enum):
        i = _load_int(cx, ptr, _discriminant_size(len(t.names)))
        _check_discriminant(i, len(t.names))
        return t.names[i]
    if isinstance(t, Flags):
        return unpack_flags(_load_int(cx, ptr, elem_size(t)), t)
    return _lift_handle(cx, _load_int(cx, ptr, 4), t)


def _load_prim(cx: Context, ptr: int, t: str):
    if t == "bool":
        return bool(_load_int(cx, ptr, 1))        # any non-zero byte is true
    if t in _INT_BITS:
        return _load_int(cx, ptr, _INT_BITS[t] // 8, t[0] == "s")
    if t == "f32":
        return canonicalize_nan32(f32_from_bits(_load_int(cx, ptr, 4)))
    if t == "f64":
        return canonicalize_nan64(f64_from_bits(_load_int(cx, ptr, 8)))
    if t == "char":
        return convert_i32_to_char(_load_int(cx, ptr, 4))
    assert t == "string", t
    return load_string_from_range(cx, _load_int(cx, ptr, 4), _load_int(cx, ptr + 4, 4))


def load_string_from_range(cx: Context, ptr: int, tagged: int) -> String:
    if cx.encoding == "utf8":
        align, nbytes, codec = 1, tagged, "utf-8"
    elif cx.encoding == "utf16":
        align, nbytes, codec = 2, 2 * tagged, "utf-16-le"
    elif tagged & UTF16_TAG:
        align, nbytes, codec = 2, 2 * (tagged ^ UTF16_TAG), "utf-16-le"
    else:
        align, nbytes, codec = 2, tagged, "latin-1"
    trap_if(nbytes > MAX_STRING_BYTE_LENGTH, f"string too long: {nbytes} bytes")
    _check_range(cx, ptr, align, nbytes, "string")
    data = bytes(cx.memory[ptr:ptr + nbytes])
    try:
        s = data.decode(codec)
    except UnicodeDecodeError as e:
        raise Trap(_decode_error(data, e, codec)) from None
    return String(s, cx.encoding, tagged)


def _decode_error(data: bytes, e: UnicodeDecodeError, codec: str) -> str:
    """wasmtime's words (Rust's Utf8Error / DecodeUtf16Error) for bad text."""
    if codec == "utf-16-le":
        return f"unpaired surrogate found: {int.from_bytes(data[e.start:e.start + 2], 'little'):x}"
    if e.reason == "unexpected end of data":
        return f"incomplete utf-8 byte sequence from index {e.start}"
    return f"invalid utf-8 sequence of {e.end - e.start} bytes from index {e.start}"


def load_list_from_range(cx: Context, ptr: int, length: int, elem) -> list:
    size = elem_size(elem)
    trap_if(length * size > MAX_LIST_BYTE_LENGTH, f"list too long: {length} elements")
    _check_range(cx, ptr, alignment(elem), length * size, "list")
    return _load_elems(cx, ptr, length, elem)


def _load_elems(cx: Context, ptr: int, n: int, elem) -> list:
    size = elem_size(elem)
    return [load(cx, ptr + i * size, elem) for i in range(n)]


def unpack_flags(i: int, t: Flags) -> frozenset:
    # Bits beyond the labels are ignored, as the spec's unpack does.
    return frozenset(n for k, n in enumerate(t.names) if i >> k & 1)


def pack_flags(v, t: Flags) -> int:
    unknown = set(v) - set(t.names)
    assert not unknown, f"unknown flags {sorted(unknown)}"
    return sum(1 << k for k, n in enumerate(t.names) if n in v)


# ---- store (CanonicalABI.md "Storing") --------------------------------------


def store(cx: Context, v, t, ptr: int) -> None:
    """Write ``v`` of type ``t`` at ``ptr`` (which the caller has checked)."""
    if isinstance(t, str):
        _store_prim(cx, v, t, ptr)
    elif isinstance(t, List):
        if t.length is not None:
            assert len(v) == t.length, "fixed-length list of the wrong length"
            _store_elems(cx, v, ptr, t.elem)
        else:
            begin, n = store_list_into_range(cx, v, t.elem)
            _store_int(cx, begin, ptr, 4)
            _store_int(cx, n, ptr + 4, 4)
    elif isinstance(t, (Record, Tuple)):
        for ft, fv in zip(_field_types(t), _record_values(t, v)):
            ptr = _align_to(ptr, alignment(ft))
            store(cx, fv, ft, ptr)
            ptr += elem_size(ft)
    elif isinstance(t, (Variant, Option, Result)):
        i, ct = match_case(v, t)
        disc = _discriminant_size(len(variant_cases(t)))
        _store_int(cx, i, ptr, disc)
        if ct is not None:
            store(cx, v.value, ct, _align_to(ptr + disc, _max_case_alignment(t)))
    elif isinstance(t, Enum):
        _store_int(cx, t.names.index(v), ptr, _discriminant_size(len(t.names)))
    elif isinstance(t, Flags):
        _store_int(cx, pack_flags(v, t), ptr, elem_size(t))
    else:
        _store_int(cx, _lower_handle(cx, v, t), ptr, 4)


def _store_prim(cx: Context, v, t: str, ptr: int) -> None:
    if t == "bool":
        _store_int(cx, int(bool(v)), ptr, 1)
    elif t in _INT_BITS:
        _store_int(cx, v, ptr, _INT_BITS[t] // 8, t[0] == "s")
    elif t == "f32":
        _store_int(cx, _encode_f32(v), ptr, 4)
    elif t == "f64":
        _store_int(cx, _encode_f64(v), ptr, 8)
    elif t == "char":
        _store_int(cx, char_to_i32(v), ptr, 4)
    else:
        assert t == "string", t
        begin, tagged = store_string_into_range(cx, v)
        _store_int(cx, begin, ptr, 4)
        _store_int(cx, tagged, ptr + 4, 4)


def match_case(v: Case, t) -> tuple[int, object]:
    labels = case_labels(t)
    assert isinstance(v, Case) and v.label in labels, f"{v!r} is not a case of {t}"
    i = labels.index(v.label)
    return i, variant_cases(t)[i]


def store_list_into_range(cx: Context, v: list, elem) -> tuple[int, int]:
    size, align = elem_size(elem), alignment(elem)
    nbytes = len(v) * size
    trap_if(nbytes > MAX_LIST_BYTE_LENGTH, f"list too long: {len(v)} elements")
    ptr = cx.allocate(align, nbytes)
    _check_range(cx, ptr, align, nbytes, "list")
    _store_elems(cx, v, ptr, elem)
    return ptr, len(v)


def _store_elems(cx: Context, v: list, ptr: int, elem) -> None:
    size = elem_size(elem)
    for i, e in enumerate(v):
        store(cx, e, elem, ptr + i * size)


# ---- strings: store_string and its transcoders -----------------------------


def _source(v: str) -> tuple[str, int]:
    """(simple source encoding, code units) of a string value.  A plain
    ``str`` from the host counts as UTF-8 with its UTF-8 length."""
    if isinstance(v, String):
        if v.encoding == "latin1+utf16":
            if v.tagged_code_units & UTF16_TAG:
                return "utf16", v.tagged_code_units ^ UTF16_TAG
            return "latin1", v.tagged_code_units
        return v.encoding, v.tagged_code_units
    return "utf8", len(v.encode("utf-8"))


def store_string_into_range(cx: Context, v: str) -> tuple[int, int]:
    """(pointer, tagged code units) of ``v`` stored with ``cx.encoding``, by
    the transcoding path CanonicalABI.md store_string picks for the pair of
    encodings (which decides the realloc calls, and so what a realloc that
    returns a bad pointer traps on)."""
    src, units = _source(v)
    src_tagged = v.encoding if isinstance(v, String) else "utf8"
    dst = cx.encoding
    if dst == "utf8":
        if src == "utf8":
            return _store_copy(cx, v, units, 1, 1, "utf-8")
        return _store_to_utf8(cx, v, units, units * (3 if src == "utf16" else 2))
    if dst == "utf16":
        if src == "utf8":
            return _store_utf8_to_utf16(cx, v, units)
        return _store_copy(cx, v, units, 2, 2, "utf-16-le")
    if src_tagged in ("utf8", "utf16"):
        return _store_to_latin1_or_utf16(cx, v, units)
    if src == "latin1":
        return _store_copy(cx, v, units, 1, 2, "latin-1")
    return _store_probably_utf16(cx, v, units)


def _write(cx: Context, ptr: int, data: bytes) -> None:
    cx.memory[ptr:ptr + len(data)] = data


def _store_copy(cx, v, units, unit_size, align, codec) -> tuple[int, int]:
    nbytes = unit_size * units
    ptr = cx.allocate(align, nbytes)
    _check_range(cx, ptr, align, nbytes, "string")
    encoded = v.encode(codec)
    assert len(encoded) == nbytes, "string hint does not match its contents"
    _write(cx, ptr, encoded)
    return ptr, units


def _store_to_utf8(cx, v, units, worst) -> tuple[int, int]:
    # Optimistic: one byte per source code unit; grow to the worst case at the
    # first non-ASCII character, shrink to fit at the end.
    ptr = cx.allocate(1, units)
    _check_range(cx, ptr, 1, units, "string")
    for i, c in enumerate(v):
        if ord(c) < 0x80:
            cx.memory[ptr + i] = ord(c)
            continue
        ptr = cx.reallocate(ptr, units, 1, worst)
        _check_range(cx, ptr, 1, worst, "string")
        encoded = v.encode("utf-8")
        _write(cx, ptr + i, encoded[i:])
        if worst > len(encoded):
            ptr = cx.reallocate(ptr, worst, 1, len(encoded))
            _check_range(cx, ptr, 1, len(encoded), "string")
        return ptr, len(encoded)
    return ptr, units


def _store_utf8_to_utf16(cx, v, units) -> tuple[int, int]:
    worst = 2 * units
    ptr = cx.allocate(2, worst)
    _check_range(cx, ptr, 2, worst, "string")
    encoded = v.encode("utf-16-le")
    _write(cx, ptr, encoded)
    if len(encoded) < worst:
        ptr = cx.reallocate(ptr, worst, 2, len(encoded))
        _check_range(cx, ptr, 2, len(encoded), "string")
    return ptr, len(encoded) // 2


def _store_to_latin1_or_utf16(cx, v, units) -> tuple[int, int]:
    # Optimistic Latin-1; at the first wider character, grow to UTF-16 and
    # inflate the bytes already written in place (back to front).
    ptr = cx.allocate(2, units)
    _check_range(cx, ptr, 2, units, "string")
    n = 0
    for c in v:
        if ord(c) < 0x100:
            cx.memory[ptr + n] = ord(c)
            n += 1
            continue
        worst = 2 * units
        ptr = cx.reallocate(ptr, units, 2, worst)
        _check_range(cx, ptr, 2, worst, "string")
        for j in range(n - 1, -1, -1):
            cx.memory[ptr + 2 * j] = cx.memory[ptr + j]
            cx.memory[ptr + 2 * j + 1] = 0
        encoded = v.encode("utf-16-le")
        _write(cx, ptr + 2 * n, encoded[2 * n:])
        if worst > len(encoded):
            ptr = cx.reallocate(ptr, worst, 2, len(encoded))
            _check_range(cx, ptr, 2, len(encoded), "string")
        return ptr, len(encoded) // 2 | UTF16_TAG
    if n < units:
        ptr = cx.reallocate(ptr, units, 2, n)
        _check_range(cx, ptr, 2, n, "string")
    return ptr, n


def _store_probably_utf16(cx, v, units) -> tuple[int, int]:
    # The source chose UTF-16, so it probably needs it; deflate to Latin-1
    # afterwards if it did not.
    nbytes = 2 * units
    ptr = cx.allocate(2, nbytes)
    _check_range(cx, ptr, 2, nbytes, "string")
    encoded = v.encode("utf-16-le")
    _write(cx, ptr, encoded)
    if any(ord(c) >= 0x100 for c in v):
        return ptr, len(encoded) // 2 | UTF16_TAG
    n = len(encoded) // 2
    for i in range(n):
        cx.memory[ptr + i] = cx.memory[ptr + 2 * i]
    ptr = cx.reallocate(ptr, nbytes, 1, n)
    _check_range(cx, ptr, 1, n, "string")
    return ptr, n


# ---- handles ----------------------------------------------------------------


def _lift_handle(cx: Context, i: int, t) -> int:
    if isinstance(t, Own):
        h = cx.handles.get(i)
        trap_if(h.resource != t.resource, f"handle index {i} used with the wrong resource type")
        trap_if(h.lend_count != 0, f"cannot lift own handle {i}: it is currently borrowed")
        trap_if(not h.own, f"cannot lift own handle {i}: it is a borrow")
        cx.handles.remove(i)
        return h.rep
    assert isinstance(t, Borrow), t
    h = cx.handles.get(i)
    trap_if(h.resource != t.resource, f"handle index {i} used with the wrong resource type")
    if cx.scope is not None:
        cx.scope.add_lender(h)
    return h.rep


def _lower_handle(cx: Context, rep: int, t) -> int:
    if isinstance(t, Own):
        return cx.handles.add(HandleElem(t.resource, rep, own=True))
    assert isinstance(t, Borrow), t
    if cx.resource_impl is not None and t.resource in cx.resource_impl:
        return rep          # a borrow passed to the resource's own component
    h = HandleElem(t.resource, rep, own=False, scope=cx.scope)
    if cx.scope is not None:
        cx.scope.borrows += 1
    return cx.handles.add(h)


# ---- helpers shared by memory and flat forms --------------------------------


def _align_to(x: int, a: int) -> int:
    return (x + a - 1) // a * a


def _max_case_alignment(t) -> int:
    return max([1] + [alignment(c) for c in variant_cases(t) if c is not None])


def _field_types(t) -> list:
    return [x for _, x in t.fields] if isinstance(t, Record) else list(t.types)


def _record_values(t, v) -> list:
    if isinstance(t, Record):
        return [v[n] for n, _ in t.fields]
    assert len(v) == len(t.types), "tuple of the wrong length"
    return list(v)


def _make_record(t, vals: list):
    if isinstance(t, Record):
        return {n: x for (n, _), x in zip(t.fields, vals)}
    return tuple(vals)


# ---- flat lifting (CanonicalABI.md "Flat Lifting") ---------------------------


class CoreValues:
    """An iterator over flat core values (i32/i64 as unsigned ints, f32/f64
    as floats), checking each against the core type it is read as."""

    def __init__(self, values):
        self.values, self.i = list(values), 0

    def next(self, want: int):
        assert self.i < len(self.values), "too few flat values"
        v = self.values[self.i]
        self.i += 1
        if want in (I32, I64):
            assert isinstance(v, int) and 0 <= v < 1 << (32 if want == I32 else 64), (v, want)
        else:
            assert isinstance(v, (int, float)), (v, want)
        return v

    def done(self) -> bool:
        return self.i == len(self.values)


class _Coerce:
    """Reads a variant payload through the variant's joined flat types,
    reinterpreting what ``join`` merged (lift_flat_variant's CoerceValueIter)."""

    def __init__(self, vi: CoreValues, have: list[int]):
        self.vi, self.have = vi, have

    def next(self, want: int):
        have = self.have.pop(0)
        x = self.vi.next(have)
        if have == want:
            return x
        if have == I64 and want == I32:
            return x & 0xFFFFFFFF
        if want == F32:
            return canonicalize_nan32(f32_from_bits(x & 0xFFFFFFFF))
        assert (have, want) == (I64, F64), (have, want)
        return canonicalize_nan64(f64_from_bits(x))


def lift_flat(cx: Context, vi, t):
    if isinstance(t, str):
        return _lift_flat_prim(cx, vi, t)
    if isinstance(t, List):
        if t.length is not None:
            return [lift_flat(cx, vi, t.elem) for _ in range(t.length)]
        ptr = vi.next(I32)
        return load_list_from_range(cx, ptr, vi.next(I32), t.elem)
    if isinstance(t, (Record, Tuple)):
        return _make_record(t, [lift_flat(cx, vi, ft) for ft in _field_types(t)])
    if isinstance(t, (Variant, Option, Result)):
        flat = flatten(t)[1:]
        i = vi.next(I32)
        cases = cases_of(t)
        _check_discriminant(i, len(cases))
        label, ct = cases[i]
        v = None if ct is None else lift_flat(cx, _Coerce(vi, flat), ct)
        for have in flat:           # what the payload did not use (_Coerce pops)
            vi.next(have)
        return Case(label, v)
    if isinstance(t, Enum):
        i = vi.next(I32)
        _check_discriminant(i, len(t.names))
        return t.names[i]
    if isinstance(t, Flags):
        return unpack_flags(vi.next(I32), t)
    return _lift_handle(cx, vi.next(I32), t)


def _lift_flat_prim(cx: Context, vi, t: str):
    if t == "bool":
        return bool(vi.next(I32))
    if t in _INT_BITS:
        bits = _INT_BITS[t]
        i = vi.next(I64 if bits == 64 else I32) % (1 << bits)   # high bits ignored
        return i - (1 << bits) if t[0] == "s" and i >= 1 << (bits - 1) else i
    if t == "f32":
        return canonicalize_nan32(vi.next(F32))
    if t == "f64":
        return canonicalize_nan64(vi.next(F64))
    if t == "char":
        return convert_i32_to_char(vi.next(I32))
    assert t == "string", t
    ptr = vi.next(I32)
    return load_string_from_range(cx, ptr, vi.next(I32))


# ---- flat lowering (CanonicalABI.md "Flat Lowering") -------------------------


def lower_flat(cx: Context, v, t) -> list:
    if isinstance(t, str):
        return _lower_flat_prim(cx, v, t)
    if isinstance(t, List):
        if t.length is not None:
            assert len(v) == t.length, "fixed-length list of the wrong length"
            return [x for e in v for x in lower_flat(cx, e, t.elem)]
        return list(store_list_into_range(cx, v, t.elem))
    if isinstance(t, (Record, Tuple)):
        return [x for ft, fv in zip(_field_types(t), _record_values(t, v)) for x in lower_flat(cx, fv, ft)]
    if isinstance(t, (Variant, Option, Result)):
        i, ct = match_case(v, t)
        want = flatten(t)[1:]
        payload = [] if ct is None else lower_flat(cx, v.value, ct)
        have = [] if ct is None else flatten(ct)
        for k, (x, h) in enumerate(zip(payload, have)):
            w = want[k]
            if h == F32 and w in (I32, I64):
                payload[k] = _encode_f32(x)
            elif h == F64 and w == I64:
                payload[k] = _encode_f64(x)
            else:
                assert h == w or (h, w) == (I32, I64), (h, w)
        return [i] + payload + [0.0 if w in (F32, F64) else 0 for w in want[len(payload):]]
    if isinstance(t, Enum):
        return [t.names.index(v)]
    if isinstance(t, Flags):
        return [pack_flags(v, t)]
    return [_lower_handle(cx, v, t)]


def _lower_flat_prim(cx: Context, v, t: str) -> list:
    if t == "bool":
        return [int(bool(v))]
    if t in _INT_BITS:
        core = 64 if _INT_BITS[t] == 64 else 32
        return [v % (1 << core)]
    if t == "f32":
        return [f32_from_bits(_encode_f32(v))]
    if t == "f64":
        return [f64_from_bits(_encode_f64(v))]
    if t == "char":
        return [char_to_i32(v)]
    assert t == "string", t
    return list(store_string_into_range(cx, v))


# ---- whole parameter/result lists -------------------------------------------


def lift_flat_values(cx: Context, max_flat: int, vi: CoreValues, ts: list) -> list:
    """Component values of types ``ts`` from flat core values: spilled to
    memory behind one pointer when they flatten to more than ``max_flat``."""
    if sum(flat_len(t) for t in ts) > max_flat:
        tt = Tuple(tuple(ts))
        ptr = vi.next(I32)
        _check_range(cx, ptr, alignment(tt), elem_size(tt), "value")
        return list(load(cx, ptr, tt))
    return [lift_flat(cx, vi, t) for t in ts]


def lower_flat_values(cx: Context, max_flat: int, vs: list, ts: list, out_param: CoreValues | None = None) -> list:
    """Flat core values of ``vs``; more than ``max_flat`` are stored in memory
    allocated by realloc (or at the caller's ``out_param`` pointer)."""
    if sum(flat_len(t) for t in ts) > max_flat:
        tt = Tuple(tuple(ts))
        if out_param is None:
            ptr = cx.allocate(alignment(tt), elem_size(tt))
            out = [ptr]
        else:
            ptr, out = out_param.next(I32), []
        _check_range(cx, ptr, alignment(tt), elem_size(tt), "value")
        store(cx, tuple(vs), tt, ptr)
        return out
    return [x for v, t in zip(vs, ts) for x in lower_flat(cx, v, t)]


def lift_values(cx: Context, flat: list, ts: list, context: str = "params") -> list:
    """``canon lift``'s view of a call boundary: params flatten to at most
    16 core values, results to at most 1 (CanonicalABI.md flatten_functype);
    beyond that they are read through one pointer."""
    max_flat = MAX_FLAT_PARAMS if context == "params" else MAX_FLAT_RESULTS
    vi = CoreValues(flat)
    out = lift_flat_values(cx, max_flat, vi, ts)
    assert vi.done(), "flat values left over"
    return out


def lower_values(cx: Context, vs: list, ts: list, context: str = "params") -> list:
    max_flat = MAX_FLAT_PARAMS if context == "params" else MAX_FLAT_RESULTS
    return lower_flat_values(cx, max_flat, vs, ts)


def lower(value, t, memory: bytearray | None = None, realloc=None, encoding: str = "utf8",
          context: str = "params") -> list:
    """One value to flat core values (a one-parameter call's arguments, or a
    result with ``context='results'``), without handles."""
    return lower_values(Context(memory, realloc, encoding), [value], [t], context)


def lift(flat: list, t, memory: bytearray | None = None, encoding: str = "utf8",
         context: str = "params"):
    """The value that flat core values ``flat`` stand for (inverse of
    :func:`lower`)."""
    return lift_values(Context(memory, None, encoding), flat, [t], context)[0]


def store_value(cx: Context, v, t, ptr: int) -> None:
    """``store`` with the pointer checks the spec asserts done by callers."""
    _check_range(cx, ptr, alignment(t), elem_size(t), "value")
    store(cx, v, t, ptr)


def load_value(cx: Context, ptr: int, t):
    _check_range(cx, ptr, alignment(t), elem_size(t), "value")
    return load(cx, ptr, t)
