"""IR value types.

The IR uses the frontend's value-type integers unchanged (``I32 == 0x7F`` ...,
see :mod:`wasmaot.frontend.types`), so translating a Wasm type is the identity.
``NOTYPE`` (0) marks "no controlling type" in instruction storage.

Type *classes* (``INT``, ``FLOAT``, ...) are what the opcode table uses to
constrain a polymorphic opcode's controlling type.

SIMD plan: Wasm has one vector type, ``v128``; lane shapes are a property of
the operation, not of the value.  Lane-shaped ops will take their shape as
the controlling type from an IR-only set of codes (``I8X16 = 0x100`` ...,
above the byte range so they can never collide with a Wasm type byte) whose
operands/results are all ``v128`` values.  Instruction storage keeps types in
16-bit slots for that reason.
"""
from __future__ import annotations

from ..frontend.types import (EXTERNREF, F32, F64, FUNCREF, I32, I64, V128,
                              type_from_name, type_name)

__all__ = ["I32", "I64", "F32", "F64", "V128", "FUNCREF", "EXTERNREF", "NOTYPE",
           "INT", "FLOAT", "NUM", "REF", "ANY", "bits", "counterpart",
           "type_name", "type_from_name", "is_int", "is_float"]

NOTYPE = 0

INT = frozenset((I32, I64))
FLOAT = frozenset((F32, F64))
NUM = INT | FLOAT
REF = frozenset((FUNCREF, EXTERNREF))
ANY = NUM | REF | {V128}

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
