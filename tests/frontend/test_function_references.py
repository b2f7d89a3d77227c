"""Typed function references in the frontend: the value type
representation (canonical ints), the decoder, the validator's subtyping
and initialization rules (with the offsets its errors name), and the
translation of the new instructions."""
import pytest
from wasmaot.frontend.binary import decode_module
from wasmaot.frontend.code import read_valtype
from wasmaot.frontend.errors import InvalidError, UnsupportedError
from wasmaot.frontend.features import DEFAULT
from wasmaot.frontend.text import parse_wat
from wasmaot.frontend.types import (
    FUNCREF,
    NONNULL,
    REF_BOT,
    erase,
    is_defaultable,
    subtype,
    type_key,
)
from wasmaot.frontend.validate import validate_module
from wasmaot.ir.opcodes import Opcode
from wasmaot.ir.translate import translate_module
from wasmaot.ir.verifier import verifier_errors


def load(wat: str):
    m = decode_module(parse_wat(wat, "t.wat"), "t.wat")
    validate_module(m)
    return m


def reject(wat: str) -> InvalidError:
    with pytest.raises(InvalidError) as ei:
        load(wat)
    return ei.value


def test_equal_function_types_are_one_int_in_every_module():
    a = load("(module (type (func)) (type $t (func (param i32))) "
             "(type (func (param (ref $t)))))")
    b = load("(module (type $u (func (param i32))) (type (func (param (ref $u)))))")
    assert a.type_codes[1] == b.type_codes[0]
    assert a.types[2] == b.types[1]             # (ref $t) params compare equal
    assert a.type_codes[2] == b.type_codes[1]
    assert a.type_codes[0] != a.type_codes[1]


def test_a_type_may_refer_to_itself():
    m = load("(module (type $t (func (param (ref null $t)))))")
    (p,) = m.types[0].params
    assert p == m.type_codes[0]                 # (ref null $t), nullable: no NONNULL bit
    assert "rec0" in type_key(p)                # the structural text ends the recursion


def test_reading_reference_types():
    assert read_valtype(b"\x64\x70", 0, 2) == (FUNCREF | NONNULL, 2)     # (ref func)
    assert read_valtype(b"\x63\x70", 0, 2) == (FUNCREF, 2)              # (ref null func)
    t, _ = read_valtype(b"\x64\x05", 0, 2)                              # (ref 5): RAW
    assert t & NONNULL and erase(t) == FUNCREF
    with pytest.raises(UnsupportedError) as ei:                          # (ref any): GC
        decode_module(b"\0asm\1\0\0\0\x01\x05\x01\x60\x01\x64\x6e\x00")
    assert ei.value.offset == 14


def test_subtyping():
    m = load("(module (type $t (func)))")
    t = m.type_codes[0]
    assert subtype(t | NONNULL, t) and subtype(t, FUNCREF) and subtype(t | NONNULL, FUNCREF)
    assert not subtype(t, t | NONNULL) and not subtype(FUNCREF, t)
    assert subtype(REF_BOT, t | NONNULL) and not subtype(REF_BOT, 0x7F)
    assert not is_defaultable(t | NONNULL) and is_defaultable(t)


def test_uninitialized_local_names_its_place():
    e = reject("(module (type $t (func)) (func (local (ref $t))\n"
               "  (drop (local.get 0))))")
    assert e.message == "uninitialized local 0" and e.where() == "t.wat:2:10"


def test_initialization_ends_with_the_block():
    ok = ("(module (type $t (func)) (elem declare func $f) (func $f (local (ref $t))\n"
          "  (local.set 0 (ref.func $f)) (drop (local.get 0))))")
    load(ok)
    e = reject("(module (type $t (func)) (elem declare func $f) (func $f (local (ref $t))\n"
               "  (block (local.set 0 (ref.func $f))) (drop (local.get 0))))")
    assert e.message == "uninitialized local 0"


def test_type_mismatch_of_a_nullable_argument():
    e = reject("(module (type $t (func)) (func (param funcref) (call_ref $t (local.get 0))))")
    assert e.message.startswith("type mismatch: call_ref requires [(ref null $")
    assert e.where().startswith("t.wat:1:")


def test_module_level_rules():
    assert "type mismatch" in reject("(module (type $t (func)) (table 1 (ref $t)))").message
    assert reject("(module (func (param (ref 3))))").message == "unknown type 3"
    assert "type mismatch" in reject(
        "(module (type $t (func)) (func (result i32) (block (result i32) "
        "(br_on_non_null 0 (ref.null $t)) (i32.const 0))))").message
    # a function-index segment holds (ref func): it fits a (ref func) table
    load("(module (func $f) (table 2 (ref func) (ref.func $f)) (elem (i32.const 0) func $f))")


def test_feature_off_names_the_place():
    m = decode_module(parse_wat("(module (type $t (func)) (func (drop (ref.null $t))))", "t.wat"),
                      "t.wat")
    with pytest.raises(UnsupportedError) as ei:
        validate_module(m, DEFAULT.switched("function-references", False))
    assert "-W function-references" in str(ei.value) and ei.value.where().startswith("t.wat:1:")


def test_translation_of_the_new_instructions():
    m = load("""(module (type $t (func (param i32) (result i32)))
      (func $f (type $t) (local.get 0))
      (elem declare func $f)
      (func (param (ref null $t)) (result i32)
        (block $l (result (ref $t))
          (br_on_non_null $l (local.get 0))
          (block $m (br_on_null $m (local.get 0)) (drop))
          (ref.as_non_null (local.get 0)))
        (call_ref $t (i32.const 1) (ref.func $f))
        (drop)
        (return_call_ref $t (i32.const 2) (local.get 0))))""")
    ir = translate_module(m)
    fn = ir.funcs[1].body
    assert not verifier_errors(fn)
    ops = {int(fn.dfg.op[i]) for b in fn.layout.blocks() for i in fn.layout.insts(b)}
    assert {int(Opcode.call_ref), int(Opcode.return_call_ref), int(Opcode.is_null),
            int(Opcode.trapnz)} <= ops
    assert ir.sigs[0].params == (0x7F,) and ir.funcs[1].sig.params == (FUNCREF,)
