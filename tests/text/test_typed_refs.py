"""The text format of typed function references: reference types with
type names (also of later types), tables with an initializer, typed
``select`` and ``ref.null $t``, and the new instructions."""
import pytest
from wasmaot.frontend.binary import decode_module
from wasmaot.frontend.errors import InvalidError
from wasmaot.frontend.text import parse_wat
from wasmaot.frontend.types import FUNCREF, NONNULL
from wasmaot.frontend.validate import validate_module


def test_reference_types_encode_as_0x63_0x64():
    b = bytes(parse_wat("(module (type $t (func)) (func (param (ref $t) (ref null func))))"))
    assert b"\x02\x64\x00\x70" in b               # two params: (ref 0), funcref as 0x70
    m = decode_module(b)
    assert m.types[1].params == (m.type_codes[0] | NONNULL, FUNCREF)


def test_a_later_type_name_parses_and_is_invalid():
    b = parse_wat("(module (type $a (func (param (ref $b)))) (type $b (func)))")
    with pytest.raises(InvalidError, match="unknown type 1"):
        validate_module(decode_module(b))


def test_table_with_an_initializer():
    b = bytes(parse_wat("(module (type $t (func)) (func $f (type $t)) "
                        "(table 3 (ref $t) (ref.func $f)))"))
    assert b"\x40\x00\x64\x00\x00\x03\xd2\x00\x0b" in b      # 0x40 0x00 tabletype expr
    m = decode_module(b)
    validate_module(m)
    assert m.table_inits[0] is not None and m.tables[0].elem == m.type_codes[0] | NONNULL


def test_instructions_and_typed_select():
    wat = """(module (type $t (func (result i32)))
      (func $f (type $t) (i32.const 1)) (elem declare func $f)
      (func (param (ref null $t)) (result i32)
        (block $l (result (ref $t)) (br_on_non_null $l (local.get 0)) (ref.func $f))
        (call_ref $t)
        (drop (select (result (ref null $t)) (ref.null $t) (local.get 0) (i32.const 1)))
        (return_call_ref $t (ref.as_non_null (local.get 0)))))"""
    m = decode_module(parse_wat(wat))
    validate_module(m)
