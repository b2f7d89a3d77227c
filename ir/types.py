"""IR value types.

The IR uses the frontend's value-type integers unchanged (``I32 == 0x7F`` ...,
see :mod:`wasmaot.frontend.types`), so translating a Wasm type is the identity.
``NOTYPE`` (0) marks "no controlling type" in instruction storage.

Type *classes* (``INT``, ``FLOAT``, ...) are what the opcode table uses to
constrain a polymorphic opcode's controlling type.

SIMD: Wasm has one vector type, ``v128``; lane shapes are a property of
the operation, not of the value.  Lane-shaped ops take their shape as
the controlling type from an IR-only set of codes (``I8X16 = 0x100`` ...,
above the byte range so they can never collide with a Wasm type byte) whose
operands/results are all ``v128`` values.  Instruction storage keeps types in
16-bit slots for that reason.
"""
from __future__ import annotations

from ..frontend.types import (EXTERNREF, F32, F64, FUNCREF, I32, I64, V128)
from ..frontend.types import type_from_name as _wasm_type_from_name
from ..frontend.types import type_name as _wasm_type_name

__all__ = ["I32", "I64", "F32", "F64", "V128", "FUNCREF", "EXTERNREF", "NOTYPE",
           "INT", "FLOAT", "NUM", "REF", "ANY", "bits", "counterpart",
           "type_name", "type_from_name", "is_int", "is_float",
           "I8X16", "I16X8", "I32X4", "I64X2", "F32X4", "F64X2", "SHAPE", "ISHAPE",
           "FSHAPE", "is_shape", "lane_type", "lane_bits", "lane_count"]

NOTYPE = 0

INT = frozenset((I32, I64))
FLOAT = frozenset((F32, F64))
NUM = INT | FLOAT
REF = frozenset((FUNCREF, EXTERNREF))
ANY = NUM | REF | {V128}

# ---- SIMD lane shapes (controlling types of lane-wise v128 operations) ------
# Never the type of a value: every vector value is V128; the shape only says
# how an operation splits its 128 bits into lanes.
I8X16 = 0x100
I16X8 = 0x101
I32X4 = 0x102
I64X2 = 0x103
F32X4 = 0x104
F64X2 = 0x105
ISHAPE = frozenset((I8X16, I16X8, I32X4, I64X2))
FSHAPE = frozenset((F32X4, F64X2))
SHAPE = ISHAPE | FSHAPE

# shape -> (name, lane bits, lane count, scalar type a lane is read/written as)
_SHAPES = {I8X16: ("i8x16", 8, 16, I32), I16X8: ("i16x8", 16, 8, I32),
           I32X4: ("i32x4", 32, 4, I32), I64X2: ("i64x2", 64, 2, I64),
           F32X4: ("f32x4", 32, 4, F32), F64X2: ("f64x2", 64, 2, F64)}
_SHAPE_BY_NAME = {v[0]: k for k, v in _SHAPES.items()}


def is_shape(t: int) -> bool:
    return t in _SHAPES


def lane_type(shape: int) -> int:
    """Scalar type of one lane as Wasm sees it (i8x16/i16x8 lanes are i32)."""
    return _SHAPES[shape][3]


def lane_bits(shape: int) -> int:
    return _SHAPES[shape][1]


def lane_count(shape: int) -> int:
    return _SHAPES[shape][2]


def type_name(t: int) -> str:
    """Text name of a value type or a lane shape (``i32``, ``i32x4``)."""
    s = _SHAPES.get(t)
    return s[0] if s is not None else _wasm_type_name(t)


def type_from_name(name: str) -> int:
    """Inverse of :func:`type_name`; raises KeyError for unknown names."""
    s = _SHAPE_BY_NAME.get(name)
    return s if s is not None else _wasm_type_from_name(name)


_BITS = {I32: 32, I64: 64, F32: 32, F64: 64, V128: 128}
_COUNTERPART = {I32: F32, F32: I32, I64: F64, F64: I64}


def bits(t: int) -> int:
    """Width in bits of a numeric/vector type."""
    return _BITS[t]


def counterpart(t: int) -> int:
    """The same-width type of the other kind (i32<->f32, i64<->f64): what
    ``bitcast`` converts between."""
    return _COUNTERPART[t]


def is_int(t: int) -> bool:
    return t == I32 or t == I64


def is_float(t: int) -> bool:
    return t == F32 or t == F64
