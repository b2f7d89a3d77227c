"""Validator: one test per error family (exact wording the spec suite expects),
tricky valid cases, malformed-body handling and the by-products.

Modules are written in the text format and assembled with ``wasmtime.wat2wasm``
when it is installed (independent of the project's own text parser), else
with the project's ``parse_wat``; malformed bodies are built byte by byte
with :mod:`.wasmbytes`.
"""
import pytest

from wasmaot.frontend.binary import decode_module
from wasmaot.frontend.errors import InvalidError, MalformedError, expected_message_matches
from wasmaot.frontend.features import DEFAULT
from wasmaot.frontend.types import F32, I32, I64
from wasmaot.frontend.validate import (const_expr_type, validate_function,
                                       validate_module)

from .wasmbytes import body, functype, module, section, uleb, vec

try:
    from wasmtime import wat2wasm
except ImportError:                          # pragma: no cover
    from wasmaot.frontend.text import parse_wat as wat2wasm


def mod(wat: str):
    return decode_module(wat2wasm(wat))


def valid(wat: str):
    m = mod(wat)
    validate_module(m)
    return m


def invalid(wat: str, msg: str) -> InvalidError:
    m = mod(wat)
    with pytest.raises(InvalidError) as ei:
        validate_module(m)
    assert expected_message_matches(ei.value, msg), ei.value
    return ei.value


def func(code: str, sig: str = "", extra: str = "") -> str:
    return f"(module {extra} (func {sig} {code}))"


# ---- valid modules ---------------------------------------------------------

@pytest.mark.parametrize("wat", [
    # unreachable makes the stack polymorphic: any pops succeed
    func("unreachable i32.add", "(result i32)"),
    func("unreachable drop drop drop"),
    func("unreachable select", "(result i32)"),
    func("unreachable i64.const 0 i32.const 0 select drop"),
    func("unreachable ref.is_null drop"),
    func("(block (result f64) unreachable br 0)", "(result f64)"),
    func("i32.const 0 return i64.const 1 i64.add drop", "(result i32)"),
    func("(loop unreachable br_if 0)"),
    # br_table with differing label types is fine under unreachable...
    func("(block (result f32) (block (result i64) unreachable br_table 0 1 1)"
         " drop f32.const 0)", "(result f32)"),
    # ...and with matching types in reachable code
    func("(block (result i32) (block (result i32) i32.const 1 i32.const 0"
         " br_table 0 1 0) )", "(result i32)"),
    # multi-value blocks, loops with params, if with params
    "(module (type $t (func (param i32 i64) (result i64 i32)))"
    " (func (result i64 i32) i32.const 1 i64.const 2"
    "  (block (type $t) (param i32 i64) (result i64 i32) drop drop i64.const 3 i32.const 4))"
    " (func (param i32) (local i64)))",
    func("i32.const 5 (loop (param i32) (result i32) i32.const 1 i32.sub"
         " local.tee 0 local.get 0 br_if 0)", "(param i32) (result i32)"),
    func("i32.const 1 i32.const 0 (if (param i32) (result i32) (then i32.const 1 i32.add)"
         " (else i32.const 2 i32.mul))", "(result i32)"),
    func("i32.const 7 i32.const 0 (if (param i32) (result i32) (then))", "(result i32)"),
    # select: untyped on numbers and vectors, typed on references
    func("i64.const 1 i64.const 2 i32.const 0 select", "(result i64)"),
    func("v128.const i32x4 0 0 0 0 v128.const i32x4 1 1 1 1 i32.const 0 select",
         "(result v128)"),
    func("ref.null extern ref.null extern i32.const 0 select (result externref)",
         "(result externref)"),
    # ref.func of a declared function
    "(module (func $f) (elem declare func $f) (func (result funcref) ref.func $f))",
    "(module (func $f (export \"f\")) (func (result funcref) ref.func $f))",
    "(module (func $f) (global funcref (ref.func $f)) (func (result funcref) ref.func $f))",
    # extended-const, imported immutable globals in constant expressions
    "(module (import \"m\" \"g\" (global i32)) (memory 1)"
    " (global i32 (i32.add (global.get 0) (i32.mul (i32.const 2) (i32.const 3))))"
    " (data (i32.sub (global.get 0) (i32.const 1)) \"x\"))",
    # bulk memory and tables
    "(module (memory 1) (data \"abc\") (table 2 funcref) (elem func 0) (func"
    " i32.const 0 i32.const 0 i32.const 1 memory.init 0 data.drop 0"
    " i32.const 0 i32.const 0 i32.const 1 table.init 0 elem.drop 0"
    " i32.const 0 i32.const 1 i32.const 1 table.copy"
    " ref.null func i32.const 1 table.grow drop table.size drop))",
    # SIMD lanes, loads and stores at natural alignment
    "(module (memory 1) (func (result i32)"
    " i32.const 0 v128.load align=16 i32.const 0 v128.const i64x2 0 0 v128.load32_lane align=4 3"
    " i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31 i8x16.extract_lane_u 15))",
    # multiple tables
    "(module (table 1 externref) (table 1 funcref) (func (param i32)"
    " local.get 0 local.get 0 call_indirect 1 (type 0)))",
    # multi-memory: every memory instruction with an index, imported memories
    "(module (import \"m\" \"a\" (memory 1)) (memory $b 1 2) (data \"x\") (func (result i32)"
    " i32.const 0 i32.load $b offset=4 align=2 i32.const 0 i32.store8 1"
    " i32.const 0 i32.const 0 v128.const i64x2 0 0 v128.load8_lane $b 1 v128.store $b"
    " i32.const 0 i32.const 0 i32.const 1 memory.init $b 0"
    " i32.const 0 i32.const 0 i32.const 1 memory.copy 0 $b"
    " i32.const 0 i32.const 0 i32.const 1 memory.fill $b"
    " i32.const 1 memory.grow $b drop memory.size 1))",
])
def test_valid(wat):
    valid(wat)


def test_locals_and_code_start_are_filled():
    m = valid("(module (func (param i32) (local i64 i64) (local f32) nop))")
    f = m.funcs[0]
    assert f.locals_ == [(2, I64), (1, F32)]
    assert m.data[f.code_start] == 0x01          # the nop
    assert f.code_start > f.body_start


def test_validate_function_alone():
    m = mod("(module (func (result i32) i32.const 1) (func (result i32) f32.const 1))")
    validate_function(m, 0)
    with pytest.raises(InvalidError, match="type mismatch"):
        validate_function(m, 1)


def test_const_expr_type_directly():
    m = mod("(module (import \"m\" \"g\" (global i64)) (global i64 (i64.add (global.get 0)"
            " (i64.const 1))))")
    const_expr_type(m, m.globals[0].init, I64)
    with pytest.raises(InvalidError, match="type mismatch"):
        const_expr_type(m, m.globals[0].init, I32)
    with pytest.raises(InvalidError, match="unknown global"):
        const_expr_type(m, m.globals[0].init, I64, globals_limit=0)


# ---- function bodies: one test per message family --------------------------

@pytest.mark.parametrize("wat,msg", [
    (func("i64.const 0", "(result i32)"), "type mismatch"),
    (func("i32.add drop"), "type mismatch"),
    (func("i32.const 0 f32.const 0 i32.add drop"), "type mismatch"),
    (func("(block i32.const 1)"), "type mismatch"),                      # leftover
    (func("i32.const 1 (if (result i32) (then i32.const 1))", "(result i32)"),
     "type mismatch"),                                                   # if without else
    (func("(block (result i32) (block (result i64) i32.const 0 br_table 0 1))"
          " drop"), "type mismatch"),                                    # br_table arity
    (func("(block (result f32) (block (result i64) unreachable i64.const 0"
          " br_table 0 1 1) drop f32.const 0) drop"), "type mismatch"),
    (func("i32.const 0 i32.const 0 i32.const 0 select", "(result i32)",
          ) .replace("i32.const 0 i32.const 0 i32.const 0",
                     "ref.null func ref.null func i32.const 0"), "type mismatch"),
    (func("i32.const 1 i64.const 1 i32.const 0 select drop"), "type mismatch"),
    (func("i32.const 1 ref.is_null drop"), "type mismatch"),
    (func("(local externref) local.get 0 local.get 0 i32.const 0 select drop"),
     "type mismatch"),
    (func("i32.const 1 return", "(result i64)"), "type mismatch"),
    (func("local.get 2", "(param i32) (local i64)"), "unknown local"),
    (func("global.get 0 drop"), "unknown global"),
    (func("call 7"), "unknown function"),
    (func("br 1"), "unknown label"),
    (func("i32.const 0 call_indirect (type 0)"), "unknown table"),
    (func("i32.const 0 table.get 0 drop"), "unknown table"),
    (func("i32.const 0 i32.load drop"), "unknown memory"),
    (func("memory.size drop"), "unknown memory"),
    (func("i32.const 0 i32.const 0 i32.const 0 memory.fill"), "unknown memory"),
    (func("elem.drop 0"), "unknown elem segment"),
    (func("data.drop 2", extra="(memory 1) (data \"\")"), "unknown data segment"),
    (func("i32.const 1 global.set 0", extra="(global i32 (i32.const 0))"),
     "global is immutable"),
    (func("i32.const 0 i64.load align=16 drop", extra="(memory 1)"),
     "alignment must not be larger than natural"),
    (func("i32.const 0 i32.const 0 i32.store16 align=4", extra="(memory 1)"),
     "alignment must not be larger than natural"),
    (func("v128.const i32x4 0 0 0 0 i32x4.extract_lane 4 drop"), "invalid lane index"),
    (func("v128.const i32x4 0 0 0 0 v128.const i32x4 0 0 0 0 i8x16.shuffle"
          " 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 32 drop"), "invalid lane index"),
    (func("i32.const 0 v128.const i32x4 0 0 0 0 v128.load16_lane 8 drop",
          extra="(memory 1)"), "invalid lane index"),
    (func("i32.const 0 call_indirect (type 0)", extra="(table 1 externref)"),
     "type mismatch"),
    (func("i32.const 0 i32.const 0 i32.const 0 table.copy 0 1",
          extra="(table 1 funcref) (table 1 externref)"), "type mismatch"),
    (func("i32.const 0 i32.const 0 i32.const 0 table.init 0 0",
          extra="(table 1 externref) (elem funcref)"), "type mismatch"),
    (func("ref.func 0 drop"), "undeclared function reference"),
    (func("i32.const 0 i32.const 0 i32.const 0 (block (type 5))"), "unknown type"),
])
def test_invalid_body(wat, msg):
    invalid(wat, msg)


def test_select_result_arity():
    # (select (result)) is assembled by hand: wat2wasm accepts it, the
    # validator must reject it (spec: "invalid result arity").
    data = module(
        section(1, vec([functype()])),
        section(3, vec([uleb(0)])),
        section(10, vec([body(b"\x41\x00\x41\x00\x41\x00\x1c\x00\x0b")])),
    )
    with pytest.raises(InvalidError, match="invalid result arity"):
        validate_module(decode_module(data))


def test_error_offset_points_at_instruction():
    wat = func("i32.const 0 nop f32.neg drop")
    m = mod(wat)
    with pytest.raises(InvalidError) as ei:
        validate_module(m)
    assert m.data[ei.value.offset] == 0x8C          # f32.neg


# ---- module level -----------------------------------------------------------

@pytest.mark.parametrize("wat,msg", [
    ("(module (memory 2 1))", "size minimum must not be greater than maximum"),
    ("(module (table 3 2 funcref))", "size minimum must not be greater than maximum"),
    ("(module (memory 65537))", "memory size must be at most 65536 pages (4GiB)"),
    ("(module (import \"m\" \"m\" (memory 0 70000)))",
     "memory size must be at most 65536 pages (4GiB)"),
    # multi-memory: every memory immediate is checked against the count
    ("(module (memory 0) (memory 0) (func (drop (memory.size 2))))", "unknown memory 2"),
    ("(module (memory 0) (func (drop (i32.load 1 (i32.const 0)))))", "unknown memory 1"),
    ("(module (memory 0) (func (i32.store8 1 (i32.const 0) (i32.const 0))))",
     "unknown memory 1"),
    ("(module (memory 0) (func (memory.copy 0 1 (i32.const 0) (i32.const 0) (i32.const 0))))",
     "unknown memory 1"),
    ("(module (memory 0) (data \"\") (func (memory.init 1 0 (i32.const 0) (i32.const 0) "
     "(i32.const 0))))", "unknown memory 1"),
    ("(module (memory 0) (func (memory.fill 3 (i32.const 0) (i32.const 0) (i32.const 0))))",
     "unknown memory 3"),
    ("(module (memory 0) (func (drop (v128.load8_lane 1 0 (i32.const 0) (v128.const i64x2 0 0)))))",
     "unknown memory 1"),
    ("(module (func) (export \"a\" (func 0)) (export \"a\" (func 0)))",
     "duplicate export name"),
    ("(module (export \"a\" (func 3)))", "unknown function"),
    ("(module (export \"a\" (table 0)))", "unknown table"),
    ("(module (export \"a\" (memory 0)))", "unknown memory"),
    ("(module (export \"a\" (global 0)))", "unknown global"),
    ("(module (func (param i32)) (start 0))", "start function"),
    ("(module (start 1))", "unknown function"),
    ("(module (global i32 (i32.ctz (i32.const 0))))", "constant expression required"),
    ("(module (global i32 (i32.const 0) (nop)))", "constant expression required"),
    ("(module (global i64 (i64.shl (i64.const 1) (i64.const 1))))",
     "constant expression required"),
    ("(module (import \"m\" \"g\" (global (mut i32))) (global i32 (global.get 0)))",
     "constant expression required"),
    ("(module (global i32 (i32.const 0)) (global i32 (global.get 0)))", "unknown global"),
    ("(module (global i32 (i64.const 0)))", "type mismatch"),
    ("(module (global i32 (i32.add (i32.const 0) (i64.const 0))))", "type mismatch"),
    ("(module (global i32))".replace("i32)", "i32 (i32.const 0) (i32.const 0))"),
     "type mismatch"),
    ("(module (global funcref (ref.func 4)))", "unknown function"),
    ("(module (table 1 externref) (func) (elem (i32.const 0) func 0))",
     "type mismatch"),
    ("(module (table 1 funcref) (func) (elem (i64.const 0) func 0))", "type mismatch"),
    ("(module (func) (elem (table 2) (i32.const 0) func 0))", "unknown table"),
    ("(module (elem func 9))", "unknown function"),
    ("(module (func) (elem externref (ref.func 0)))", "type mismatch"),
    ("(module (data (i32.const 0) \"\"))", "unknown memory"),
    ("(module (memory 1) (data (f32.const 0) \"\"))", "type mismatch"),
    ("(module (func (type 3)))", "unknown type"),
    ("(module (import \"m\" \"f\" (func (type 2))))", "unknown type"),
])
def test_invalid_module(wat, msg):
    invalid(wat, msg)


# ---- malformed bodies (bytes by hand) ---------------------------------------

def one_func(code: bytes, *extra_sections: bytes, datacount: bytes = b"") -> bytes:
    """type [] -> [], one function with ``code`` (the whole body after locals)."""
    return module(section(1, vec([functype()])), section(3, vec([uleb(0)])),
                  *extra_sections, datacount, section(10, vec([body(code)])))


def malformed(data: bytes, msg: str) -> MalformedError:
    m = decode_module(data)
    with pytest.raises(MalformedError) as ei:
        validate_module(m)
    assert expected_message_matches(ei.value, msg), ei.value
    return ei.value


MEMORY = section(5, vec([b"\x00\x01"]))


@pytest.mark.parametrize("code,msg", [
    (b"\x05\x0b", "END opcode expected"),                         # else outside if
    (b"\x02\x40\x05\x0b\x0b", "END opcode expected"),              # else in a block
    (b"\x41\x00\x04\x40\x05\x05\x0b\x0b", "END opcode expected"),  # second else
    (b"\x0b\x01", "section size mismatch"),                        # junk after end
    (b"\xff\x0b", "illegal opcode"),
    (b"\xfc\x7f\x0b", "illegal opcode"),
    (b"\x41\x00\x28\x80\x01\x00\x1a\x0b", "malformed memop flags"),     # flags >= 128
    (b"\x02\x60\x0b\x0b", "malformed value type"),
])
def test_malformed_body(code, msg):
    malformed(one_func(code, MEMORY), msg)


def test_memarg_flags_32_to_63_depend_on_multi_memory():
    """align=2**32: Wasm 3.0 decodes it (invalid: larger than natural), Wasm
    2.0 -- multi-memory off -- rejects the flags as malformed; bit 6 with
    multi-memory off names the feature."""
    m = decode_module(one_func(b"\x41\x00\x28\x20\x00\x1a\x0b", MEMORY))
    with pytest.raises(InvalidError, match="alignment must not be larger than natural"):
        validate_module(m)
    off = DEFAULT.switched("multi-memory", False)
    with pytest.raises(MalformedError, match="malformed memop flags"):
        validate_module(m, off)
    m = decode_module(one_func(b"\x41\x00\x28\x42\x00\x00\x1a\x0b", MEMORY))
    validate_module(m)                     # memory index 0, given explicitly
    with pytest.raises(MalformedError, match="disabled: multi-memory"):
        validate_module(m, off)


def test_missing_end_reads_on_like_the_reference():
    # The body lacks its final end; reading continues past it (the reference
    # decoder's behaviour) and runs off the file.
    malformed(one_func(b"\x41\x00\x1a"), "unexpected end")


@pytest.mark.parametrize("code", [
    b"\x41\x00\x41\x00\x41\x00\xfc\x08\x00\x00\x0b",               # memory.init 0
    b"\xfc\x09\x00\x0b",                                           # data.drop 0
])
def test_data_count_section_required(code):
    data_sec = section(11, vec([b"\x01\x00"]))                     # one passive, empty
    data = module(section(1, vec([functype()])), section(3, vec([uleb(0)])), MEMORY,
                  section(10, vec([body(code)])), data_sec)
    malformed(data, "data count section required")
    # with the data count section it validates
    data = module(section(1, vec([functype()])), section(3, vec([uleb(0)])), MEMORY,
                  section(12, uleb(1)), section(10, vec([body(code)])), data_sec)
    validate_module(decode_module(data))


def test_malformed_body_wins_over_earlier_invalid():
    # function 0 is invalid (i64 where i32 is needed); function 1 has an
    # illegal opcode.  The reference decodes everything first: malformed.
    data = module(section(1, vec([functype()])), section(3, vec([uleb(0), uleb(0)])),
                  section(10, vec([body(b"\x42\x00\x45\x1a\x0b"), body(b"\xff\x0b")])))
    malformed(data, "illegal opcode")


def test_malformed_wins_over_module_level_invalid():
    data = module(section(1, vec([functype()])), section(3, vec([uleb(0)])),
                  section(5, vec([b"\x01\x02\x01"])),              # memory min 2 > max 1
                  section(10, vec([body(b"\xff\x0b")])))
    malformed(data, "illegal opcode")


def test_very_many_locals_are_not_expanded():
    # 2**20 i32 locals then one i64: looked up by bisection, not a list.
    def build(code):
        return module(section(1, vec([functype()])), section(3, vec([uleb(0)])),
                      section(10, vec([body(code, [(1 << 20, I32), (1, I64)])])))
    last = b"\x20" + uleb(1 << 20)                 # local.get of the i64
    validate_module(decode_module(build(last + b"\x1a\x20\x05\x1a\x0b")))
    with pytest.raises(InvalidError, match="type mismatch"):
        validate_module(decode_module(build(last + b"\x45\x1a\x0b")))   # i32.eqz
    with pytest.raises(InvalidError, match="unknown local"):
        validate_module(decode_module(build(b"\x20" + uleb((1 << 20) + 1) + b"\x1a\x0b")))


def test_limits_flags_follow_memory64():
    """Wasm 3.0 (memory64 on) reads limits flags as a byte and every bound as
    a u64; Wasm 2.0 as a 1-bit LEB128 and u32 bounds (binary.wast of each)."""
    from wasmaot.frontend.features import using
    bad_flags = module(section(5, vec([b"\x81\x00"])))
    big_min = module(section(5, vec([b"\x00" + uleb(1 << 32)])))
    with pytest.raises(MalformedError, match="malformed limits flags"):
        decode_module(bad_flags)
    with pytest.raises(InvalidError, match="memory size must be at most 65536 pages"):
        validate_module(decode_module(big_min))
    with using(DEFAULT.switched("memory64", False)):
        with pytest.raises(MalformedError, match="integer representation too long"):
            decode_module(bad_flags)
        with pytest.raises(MalformedError, match="integer too large"):
            decode_module(big_min)
