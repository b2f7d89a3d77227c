"""Value types, function types and limits shared by every frontend layer.

Value types are plain ``int`` constants equal to their binary encoding
(``I32 == 0x7F``), because the validator's inner loop compares them millions of
times and an int compare is the cheapest thing CPython does.  ``ValType`` is the
IntEnum view of the same numbers for printing and for code that prefers names.

``UNKNOWN`` (-1) is the validator's bottom type: the value an unreachable
(polymorphic) operand stack yields; it matches every type.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

I32 = 0x7F
I64 = 0x7E
F32 = 0x7D
F64 = 0x7C
V128 = 0x7B
FUNCREF = 0x70
EXTERNREF = 0x6F
UNKNOWN = -1

NUM_TYPES = frozenset((I32, I64, F32, F64))
VEC_TYPES = frozenset((V128,))
REF_TYPES = frozenset((FUNCREF, EXTERNREF))
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
          FUNCREF: "funcref", EXTERNREF: "externref", UNKNOWN: "unknown"}
_BY_NAME = {v: k for k, v in _NAMES.items() if k != UNKNOWN}


def type_name(t: int) -> str:
    """Text-format name of a value type (``i32``, ``funcref``...)."""
    return _NAMES.get(t, f"<type 0x{t & 0xFF:02x}>")


def type_from_name(name: str) -> int:
    """Inverse of :func:`type_name`; raises KeyError for unknown names."""
    return _BY_NAME[name]


def is_ref(t: int) -> bool:
    return t == FUNCREF or t == EXTERNREF


@dataclass(frozen=True, slots=True)
class FuncType:
    params: tuple[int, ...]
    results: tuple[int, ...]

    def __str__(self) -> str:
        p = " ".join(type_name(t) for t in self.params)
        r = " ".join(type_name(t) for t in self.results)
        return f"[{p}] -> [{r}]"


@dataclass(frozen=True, slots=True)
class Limits:
    min: int
    max: int | None = None

    def __str__(self) -> str:
        return f"{self.min}" if self.max is None else f"{self.min}..{self.max}"


@dataclass(frozen=True, slots=True)
class TableType:
    elem: int           # FUNCREF or EXTERNREF
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
