"""Value types, function types and limits shared by every frontend layer.

Value types are plain ``int`` constants equal to their binary encoding
(``I32 == 0x7F``), because the validator's inner loop compares them millions of
times and an int compare is the cheapest thing CPython does.  ``ValType`` is the
IntEnum view of the same numbers for printing and for code that prefers names.

``UNKNOWN`` (-1) is the validator's bottom type: the value an unreachable
(polymorphic) operand stack yields; it matches every type.

Reference types (typed function references, Wasm 3.0) stay ints, so the
validator keeps comparing them with ``==``; the layout leaves room for
exnref and GC:

* bits 0-7: an abstract heap type, its binary byte (``func`` 0x70,
  ``extern`` 0x6F, ``nofunc`` 0x73, ``noextern`` 0x72, ``exn`` 0x69...),
  or :data:`HT_BOT`, the validator's bottom heap type (unreachable code);
  0 for a concrete heap type;
* bit 8 (:data:`NONNULL`): ``(ref ht)``; clear: ``(ref null ht)``.  So the
  nullable abstract types are their shorthand bytes: ``funcref`` is still
  0x70, ``externref`` 0x6F;
* bits 10 and up: a concrete heap type, ``(id + 1) << 10``, where ``id`` is
  the type's *canonical* id in this process's registry (:func:`intern_func`):
  structurally equal types (iso-recursive equality, rec groups of one) get
  the same id, in every module, so type equivalence is int equality, also
  between modules (imports);
* bit 9 (:data:`RAW`): a concrete heap type still given by its *module*
  type index (``(index + 1) << 10``), as the stateless instruction readers
  return it; the decoder and the validator resolve it with the module's
  ``type_codes``.  A registry key uses RAW codes for references inside its
  own rec group (``rec.0``).
"""
from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass, field

I32 = 0x7F
I64 = 0x7E
F32 = 0x7D
F64 = 0x7C
V128 = 0x7B
FUNCREF = 0x70
EXTERNREF = 0x6F
UNKNOWN = -1

# Abstract heap types (their binary bytes) and the reference type layout
HT_FUNC = 0x70
HT_EXTERN = 0x6F
HT_NOFUNC = 0x73
HT_NOEXTERN = 0x72
HT_EXN = 0x69
HT_NOEXN = 0x74
HT_BOT = 0x01
NONNULL = 0x100
RAW = 0x200
_IDX_SHIFT = 10
NULLFUNCREF = HT_NOFUNC
NULLEXTERNREF = HT_NOEXTERN
#: ``(ref bot)``: what ``ref.as_non_null`` and the branches on null yield
#: from an unreachable (polymorphic) stack; a subtype of every reference
REF_BOT = HT_BOT | NONNULL

NUM_TYPES = frozenset((I32, I64, F32, F64))
VEC_TYPES = frozenset((V128,))
REF_TYPES = frozenset((FUNCREF, EXTERNREF))
#: nullable abstract reference types the frontend decodes (function
#: references: the func and extern hierarchies)
_ABSTRACT = frozenset((HT_FUNC, HT_EXTERN, HT_NOFUNC, HT_NOEXTERN, HT_EXN, HT_NOEXN, HT_BOT))
_FUNC_FAMILY = frozenset((HT_FUNC, HT_NOFUNC))
_EXTERN_FAMILY = frozenset((HT_EXTERN, HT_NOEXTERN))
VALUE_TYPES = NUM_TYPES | VEC_TYPES | REF_TYPES


class ValType(enum.IntEnum):
    i32 = I32
    i64 = I64
    f32 = F32
    f64 = F64
    v128 = V128
    funcref = FUNCREF
    externref = EXTERNREF


_NAMES = {I32: "i32", I64: "i64", F32: "f32", F64: "f64", V128: "v128",
          FUNCREF: "funcref", EXTERNREF: "externref", UNKNOWN: "unknown",
          NULLFUNCREF: "nullfuncref", NULLEXTERNREF: "nullexternref",
          HT_EXN: "exnref", HT_NOEXN: "nullexnref"}
_BY_NAME = {v: k for k, v in _NAMES.items() if k != UNKNOWN}
_HEAP_NAMES = {HT_FUNC: "func", HT_EXTERN: "extern", HT_NOFUNC: "nofunc",
               HT_NOEXTERN: "noextern", HT_EXN: "exn", HT_NOEXN: "noexn", HT_BOT: "bot"}
_HEAP_BY_NAME = {v: c for c, v in _HEAP_NAMES.items()}


def type_name(t: int) -> str:
    """Text-format name of a value type (``i32``, ``funcref``,
    ``(ref null $3)``...; a concrete type shows its canonical id)."""
    n = _NAMES.get(t)
    if n is not None:
        return n
    if is_ref(t):
        null = "" if t & NONNULL else "null "
        return f"(ref {null}{heap_name(t & ~NONNULL)})"
    return f"<type 0x{t & 0xFF:02x}>"


def heap_name(h: int) -> str:
    """A heap type's text (``func``, ``$3``)."""
    if h < NONNULL:
        return _HEAP_NAMES.get(h, f"<heap 0x{h:02x}>")
    return f"${'raw ' if h & RAW else ''}{(h >> _IDX_SHIFT) - 1}"


def type_from_name(name: str) -> int:
    """Inverse of :func:`type_name` for the shorthand names; raises KeyError."""
    return _BY_NAME[name]


def is_ref(t: int) -> bool:
    return t >= NONNULL or t in _ABSTRACT


def ref_type(heap: int, nullable: bool) -> int:
    """``(ref null? heap)``."""
    return heap if nullable else heap | NONNULL


def heap_of(t: int) -> int:
    return t & ~NONNULL


def nullable(t: int) -> bool:
    return not t & NONNULL


def concrete(index_or_id: int, raw: bool = False) -> int:
    """The heap code of a concrete type: a canonical id, or (``raw``) a
    module type index."""
    return ((index_or_id + 1) << _IDX_SHIFT) | (RAW if raw else 0)


def raw_index(h: int) -> int | None:
    """The module type index of a RAW heap code (any nullability), else None."""
    return (h >> _IDX_SHIFT) - 1 if h & RAW else None


def is_defaultable(t: int) -> bool:
    """Whether a local of type ``t`` starts with a default value (every
    type but a non-nullable reference)."""
    return not (t > 0 and t & NONNULL)


def is_func_ref(t: int) -> bool:
    """A reference into the func hierarchy (funcref, nofunc, concrete)."""
    h = t & ~NONNULL
    return h in _FUNC_FAMILY or h >= RAW


def erase(t: int) -> int:
    """The IR's type of a value type: references become ``FUNCREF`` (the
    func hierarchy) or ``EXTERNREF`` (the rest: one pointer either way)."""
    if t < NONNULL and t not in _ABSTRACT:
        return t
    return FUNCREF if is_func_ref(t) else EXTERNREF


def erase_sig(ft: FuncType) -> FuncType:
    """``ft`` with its references erased; when that loses information, an
    :class:`ErasedSig` that keeps the precise type as text (``wasm``) for
    the signature checks between modules (call_indirect, imports)."""
    ps, rs = tuple(map(erase, ft.params)), tuple(map(erase, ft.results))
    if ps == ft.params and rs == ft.results:
        return ft
    return ErasedSig(ps, rs, "(" + ",".join(map(desc_type, ft.params)) + ")->("
                     + ",".join(map(desc_type, ft.results)) + ")")


def desc_type(t: int) -> str:
    """A value type as the runtime's descriptors spell it (backends/ABI.md):
    its name, and for a typed reference the erased name, ``#``, ``n``
    (nullable) or ``r`` (non-null), and the heap type (``func``,
    ``nofunc``... or ``h`` and 16 hex digits of a digest of its structural
    text, the same in every process): ``funcref#rh1f0c...``.  Flat (no
    commas or parentheses), so that signature strings stay lists of names."""
    e = erase(t)
    if e == t:
        return type_name(t)
    h = t & ~NONNULL
    if h < RAW:
        hk = _HEAP_NAMES.get(h, "bot")
    else:
        hk = "h" + hashlib.sha1(type_key(h).encode()).hexdigest()[:16]
    return f"{type_name(e)}#{'r' if t & NONNULL else 'n'}{hk}"


def type_key(t: int) -> str:
    """Value type ``t`` as structural text, the same in every process:
    a concrete heap type is spelled out (``{(i32)->()}``; a reference to
    its own rec group is ``rec0``)."""
    if not is_ref(t) or t < RAW and t in _NAMES:
        return type_name(t)
    h = t & ~NONNULL
    null = "" if t & NONNULL else "null "
    if h & RAW:
        hk = f"rec{raw_index(h)}"
    elif h >= RAW:
        params, results = _KEYS[(h >> _IDX_SHIFT) - 1]
        hk = "{" + func_key(params, results) + "}"
    else:
        hk = heap_name(h)
    return f"(ref {null}{hk})"


_KEY_TOKEN = re.compile(r"\(ref|->|[{}(),]|[a-z0-9]+| ")


def parse_type_key(text: str) -> int:
    """The inverse of :func:`type_key`: structural text back to this
    process's type code (concrete types interned).  For the IR text, which
    carries a table's or global's precise type this way (ir/printer.py).
    Raises ValueError on text that :func:`type_key` cannot produce."""
    toks = [t for t in _KEY_TOKEN.findall(text) if t != " "]
    if "".join(toks) != text.replace(" ", ""):
        raise ValueError(f"bad type key {text!r}")
    t, k = _key_type(toks, 0)
    if k != len(toks):
        raise ValueError(f"bad type key {text!r}")
    return t


def _key_type(toks: list[str], k: int) -> tuple[int, int]:
    tok = toks[k] if k < len(toks) else ""
    if tok != "(ref":
        if tok not in _BY_NAME:
            raise ValueError(f"unknown type {tok!r}")
        return _BY_NAME[tok], k + 1
    k += 1
    nonnull = toks[k] != "null"
    k += not nonnull
    tok = toks[k]
    if tok == "{":
        params, k = _key_list(toks, k + 1)
        if toks[k] != "->":
            raise ValueError("expected ->")
        results, k = _key_list(toks, k + 1)
        if toks[k] != "}":
            raise ValueError("expected }")
        h = intern_func(params, results)
    elif tok.startswith("rec") and tok[3:].isdigit():
        h = concrete(int(tok[3:]), raw=True)
    else:
        h = _HEAP_BY_NAME.get(tok)
        if h is None:
            raise ValueError(f"unknown heap type {tok!r}")
    if toks[k + 1] != ")":
        raise ValueError("expected )")
    return ref_type(h, not nonnull), k + 2


def _key_list(toks: list[str], k: int) -> tuple[tuple, int]:
    if toks[k] != "(":
        raise ValueError("expected (")
    out, k = [], k + 1
    while toks[k] != ")":
        t, k = _key_type(toks, k)
        out.append(t)
        if toks[k] == ",":
            k += 1
    return tuple(out), k + 1


def func_key(params, results) -> str:
    """``(i32,(ref null {...}))->(f32)``: the structural text of a function type."""
    return ("(" + ",".join(map(type_key, params)) + ")->("
            + ",".join(map(type_key, results)) + ")")


def heap_sub(a: int, b: int) -> bool:
    """Heap type ``a`` <: ``b`` (no declared subtypes without GC: a concrete
    type matches only itself)."""
    if a == b or a == HT_BOT:
        return True
    if b == HT_FUNC:
        return a == HT_NOFUNC or a >= RAW
    if b >= RAW:
        return a == HT_NOFUNC
    if b == HT_EXTERN:
        return a == HT_NOEXTERN
    if b == HT_EXN:
        return a == HT_NOEXN
    return False


def subtype(a: int, b: int) -> bool:
    """Value type ``a`` matches ``b`` (``UNKNOWN`` matches everything)."""
    if a == b or a == UNKNOWN or b == UNKNOWN:
        return True
    if not (is_ref(a) and is_ref(b)):
        return False
    if b & NONNULL and not a & NONNULL:
        return False
    return heap_sub(a & ~NONNULL, b & ~NONNULL)


# ---- the canonical type registry (one per process) ---------------------------
_REGISTRY: dict = {}
_KEYS: list = []                # canonical id -> its key


def intern_func(params: tuple, results: tuple) -> int:
    """The canonical heap code of a function type whose reference codes are
    canonical, or RAW for its own rec group (``rec.0``)."""
    key = (params, results)
    cid = _REGISTRY.get(key)
    if cid is None:
        cid = _REGISTRY[key] = len(_REGISTRY)
        _KEYS.append(key)
    return concrete(cid)


@dataclass(frozen=True, slots=True)
class FuncType:
    params: tuple[int, ...]
    results: tuple[int, ...]

    def __str__(self) -> str:
        p = " ".join(type_name(t) for t in self.params)
        r = " ".join(type_name(t) for t in self.results)
        return f"[{p}] -> [{r}]"


@dataclass(frozen=True, slots=True)
class ErasedSig(FuncType):
    """An erased signature (:func:`erase_sig`) that remembers the Wasm
    type's structural text; equal to any FuncType of the same erased types."""
    wasm: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class Limits:
    min: int
    max: int | None = None

    def __str__(self) -> str:
        return f"{self.min}" if self.max is None else f"{self.min}..{self.max}"


@dataclass(frozen=True, slots=True)
class TableType:
    elem: int           # a reference type
    limits: Limits


@dataclass(frozen=True, slots=True)
class MemType:
    limits: Limits      # in pages of 2**page_size_log2 bytes
    # custom-page-sizes: log2 of the page size (decoded: 0..63; valid: 0 or
    # 16).  ``custom_page_size``: the type spelled one out (limits flag bit
    # 3), which the feature gate rejects even for 65536; not part of the type.
    page_size_log2: int = 16
    custom_page_size: bool = field(default=False, compare=False)


@dataclass(frozen=True, slots=True)
class GlobalType:
    type: int
    mutable: bool


# Spec limits that validation enforces.
MAX_PAGES = 65536                 # 4 GiB of 64 KiB pages (memory32, default page size)
MAX_TABLE = 0xFFFF_FFFF           # table sizes are u32
PAGE_SIZE = 65536
