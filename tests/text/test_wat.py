"""Module text -> binary: abbreviations, index spaces, encodings, errors."""
from __future__ import annotations

import random
import re

import pytest

from wasmaot.frontend.errors import MalformedError
from wasmaot.frontend.features import DEFAULT, using
from wasmaot.frontend.leb import uleb
from wasmaot.frontend.text import parse_wat

HDR = b"\0asm\x01\0\0\0"
# Wasm 2.0's text (limits and offsets are u32): memory64 off
WASM2 = DEFAULT.switched("memory64", False)


def sections(b: bytes) -> dict[int, bytes]:
    """Section id -> payload (custom sections dropped)."""
    assert b[:8] == HDR
    out = {}
    i = 8
    while i < len(b):
        sid = b[i]
        j = i + 1
        n = shift = 0
        while True:
            x = b[j]
            j += 1
            n |= (x & 0x7F) << shift
            shift += 7
            if not x & 0x80:
                break
        if sid:
            assert sid not in out
            out[sid] = b[j:j + n]
        i = j + n
    return out


def code_bodies(b: bytes) -> list[bytes]:
    """Function bodies (after the locals) of a module with only small bodies."""
    payload = sections(b)[10]
    n, i = payload[0], 1
    bodies = []
    for _ in range(n):
        size = payload[i]
        body = payload[i + 1:i + 1 + size]
        nlocals = body[0]
        bodies.append(body[1 + 2 * nlocals:])
        i += 1 + size
    return bodies


def body(instrs: str, prefix: str = "") -> bytes:
    return code_bodies(parse_wat(f"(module {prefix} (func {instrs}))"))[-1]


def malformed(text: str, msg: str) -> MalformedError:
    with pytest.raises(MalformedError) as ei:
        parse_wat(text)
    assert msg in ei.value.message, ei.value
    assert ei.value.line is not None and ei.value.col is not None
    return ei.value


# -- module forms --------------------------------------------------------------

def test_empty_module_forms():
    assert parse_wat("(module)") == HDR
    assert parse_wat("") == HDR
    assert sections(parse_wat("(module $m)")) == {}       # only a name section
    assert parse_wat(";; nothing\n") == HDR


def test_bare_fields_equal_module_form():
    assert parse_wat("(func) (memory 1)") == parse_wat("(module (func) (memory 1))")


def test_module_binary_and_quote():
    assert parse_wat('(module binary "\\00asm" "\\01\\00\\00\\00")') == HDR
    assert parse_wat('(module quote "(func)" "(memory 1)")') == parse_wat("(func) (memory 1)")
    malformed('(module quote "(func (i32.const0))")', "unknown operator")
    malformed('(module quote "\\ff")', "malformed UTF-8 encoding")


def test_trailing_garbage_after_module():
    malformed("(module) (func)", "unexpected token")


# -- types ---------------------------------------------------------------------

def test_implicit_types_dedup_and_first_use_order():
    b = parse_wat("""(module
        (func (param i64))
        (type $t (func (param i32) (result i32)))
        (func (param i32) (result i32))
        (func (param i64))
        (func (result f32) (block (param f32) (result f32 f32) unreachable) unreachable))""")
    s = sections(b)
    # explicit type 0, then implicit ones in order of first use
    assert s[1] == bytes([4,
                          0x60, 1, 0x7F, 1, 0x7F,
                          0x60, 1, 0x7E, 0,
                          0x60, 0, 1, 0x7D,
                          0x60, 1, 0x7D, 2, 0x7D, 0x7D])
    assert s[3] == bytes([4, 1, 0, 1, 2])


def test_type_use_with_matching_inline_signature():
    b = parse_wat("(type $t (func (param i32))) (func (type $t) (param $x i32) local.get $x)")
    assert sections(b)[3] == b"\x01\x00"
    assert code_bodies(b)[0] == b"\x20\x00\x0b"


@pytest.mark.parametrize("text,msg", [
    ("(type $t (func (param i32))) (func (type $t) (param i64))", "inline function type"),
    ("(type $t (func)) (func (type $t) (result i32) unreachable)", "inline function type"),
    ("(func (type 2) (param i32))", "unknown type"),
    ("(func (type $nope))", "unknown type"),
    ("(func (result i32) (param i32))", "unexpected token"),
    ("(func (block (param $x i32)))", "unexpected token"),
    ("(table 0 funcref) (func (call_indirect (param $x i32) (i32.const 0)))", "unexpected token"),
])
def test_type_use_errors(text, msg):
    malformed(text, msg)


def test_params_and_locals_by_name():
    b = parse_wat("(func (param $a i32) (param i64 f32) (local $b i32) (local f64 f64)"
                  " local.get $a local.get $b local.get 4 drop drop drop)")
    payload = sections(b)[10]
    # local runs: 1 x i32, 2 x f64
    assert payload[2:7] == bytes([2, 1, 0x7F, 2, 0x7C])
    assert code_bodies(b)[0] == bytes([0x20, 0, 0x20, 3, 0x20, 4, 0x1A, 0x1A, 0x1A, 0x0B])


@pytest.mark.parametrize("kind", ["func", "global", "table", "memory", "local"])
def test_duplicate_identifiers(kind):
    text = {"func": "(func $x) (func $x)",
            "global": "(global $x i32 (i32.const 0)) (global $x i32 (i32.const 0))",
            "table": "(table $x 0 funcref) (table $x 0 funcref)",
            "memory": "(memory $x 0) (memory $x 0)",
            "local": "(func (param $x i32) (local $x i32))"}[kind]
    malformed(text, f"duplicate {kind}")


# -- imports, exports, index spaces ----------------------------------------------

def test_inline_imports_and_exports_and_index_order():
    b = parse_wat("""(module
        (func $a (import "m" "f") (param i32))
        (global $g (import "m" "g") (mut i64))
        (memory (import "m" "mem") 1 2)
        (func $b (export "b") (export "b2") i32.const 0 call $a)
        (table $t (export "t") 1 funcref)
        (export "g" (global $g)))""")
    s = sections(b)
    assert s[2] == (b"\x03" + b"\x01m\x01f\x00\x00" + b"\x01m\x01g\x03\x7e\x01"
                    + b"\x01m\x03mem\x02\x01\x01\x02")
    # inline exports come in text order, explicit ones where they stand
    assert s[7] == b"\x04" + b"\x01b\x00\x01" + b"\x02b2\x00\x01" + b"\x01t\x01\x00" + b"\x01g\x03\x00"


@pytest.mark.parametrize("first,word", [("(func)", "function"), ("(global i32 (i32.const 0))", "global"),
                                        ("(table 0 funcref)", "table"), ("(memory 0)", "memory")])
def test_import_after_definition(first, word):
    malformed(f'{first} (import "" "" (func))', f"import after {word}")
    malformed(f'{first} (func (import "" ""))', f"import after {word}")


def test_names_must_be_utf8():
    malformed('(func (export "\\ff"))', "malformed UTF-8 encoding")
    malformed('(import "\\c0\\80" "" (func))', "malformed UTF-8 encoding")


def test_multiple_start():
    malformed("(func $a) (start $a) (start $a)", "multiple start sections")
    assert sections(parse_wat("(func $a) (func $b) (start $b)"))[8] == b"\x01"


# -- tables, memories, segments ---------------------------------------------------

def test_table_with_inline_elem():
    s = sections(parse_wat("(func $f) (table $t funcref (elem $f $f 0))"))
    assert s[4] == b"\x01\x70\x01\x03\x03"        # min = max = 3
    assert s[9] == b"\x01\x02\x00\x41\x00\x0b\x00\x03\x00\x00\x00"


def test_memory_with_inline_data():
    s = sections(parse_wat('(memory $m (data "ab" "c"))'))
    assert s[5] == b"\x01\x01\x01\x01"             # one page, min = max
    assert s[11] == b"\x01\x00\x41\x00\x0b\x03abc"
    s = sections(parse_wat('(memory (data))'))
    assert s[5] == b"\x01\x01\x00\x00"


@pytest.mark.parametrize("seg,encoding", [
    ("(elem (i32.const 1) $f)", b"\x00\x41\x01\x0b\x01\x00"),
    ("(elem func $f)", b"\x01\x00\x01\x00"),
    ("(elem (table $t) (offset (i32.const 1)) func $f)", b"\x02\x00\x41\x01\x0b\x00\x01\x00"),
    ("(elem declare func $f)", b"\x03\x00\x01\x00"),
    ("(elem (i32.const 1) funcref (ref.func $f) (ref.null func))",
     b"\x04\x41\x01\x0b\x02\xd2\x00\x0b\xd0\x70\x0b"),
    ("(elem funcref (item ref.func $f))", b"\x05\x70\x01\xd2\x00\x0b"),
    ("(elem (table $t) (i32.const 1) externref (ref.null extern))",
     b"\x06\x00\x41\x01\x0b\x6f\x01\xd0\x6f\x0b"),
    ("(elem declare funcref (ref.func $f))", b"\x07\x70\x01\xd2\x00\x0b"),
    ("(elem (i32.const 0))", b"\x00\x41\x00\x0b\x00"),
])
def test_elem_segment_encodings(seg, encoding):
    s = sections(parse_wat(f"(table $t 1 funcref) (func $f) {seg}"))
    assert s[9] == b"\x01" + encoding


@pytest.mark.parametrize("seg,encoding", [
    ('(data (i32.const 8) "hi")', b"\x00\x41\x08\x0b\x02hi"),
    ('(data "hi")', b"\x01\x02hi"),
    ('(data $d (memory $n) (offset (i32.const 8)) "hi" "")', b"\x02\x01\x41\x08\x0b\x02hi"),
    ('(data (memory 0) (i32.const 8))', b"\x00\x41\x08\x0b\x00"),
])
def test_data_segment_encodings(seg, encoding):
    s = sections(parse_wat(f"(memory $m 1) (memory $n 1) {seg}"))
    assert s[11] == b"\x01" + encoding


def test_data_count_section_only_when_needed():
    assert 12 not in sections(parse_wat('(memory 1) (data "a")'))
    s = sections(parse_wat('(memory 1) (data $d "a") (data "b") (func (data.drop $d))'))
    assert s[12] == b"\x02"


def test_limits_out_of_range():
    # Wasm 2.0 limits are u32; memory64 reads every bound as u64 (the
    # validator bounds a 32-bit memory's or table's), i64 ones included
    with using(WASM2):
        malformed("(memory 0x1_0000_0000)", "i32 constant out of range")
        malformed("(table 0 0x1_0000_0000 funcref)", "i32 constant out of range")
    s = sections(parse_wat("(memory 0x1_0000_0000)"))
    assert s[5] == b"\x01\x00" + uleb(1 << 32)
    s = sections(parse_wat("(memory $m i64 0 0x1_0000_0000_0000)"))
    assert s[5] == b"\x01\x05\x00" + uleb(1 << 48)
    s = sections(parse_wat("(memory i64 (data \"ab\"))"))
    assert s[5] == b"\x01\x05\x01\x01" and s[11].startswith(b"\x01\x00\x42\x00\x0b\x02ab")
    malformed("(memory i64 0x1_0000_0000_0000_0000)", "i64 constant out of range")


def test_extended_const_in_global_and_offsets():
    s = sections(parse_wat("""(global $a i32 (i32.const 1))
        (global i32 (i32.add (global.get $a) (i32.mul (i32.const 2) (i32.const 3))))
        (memory 1) (data (offset (i64.const 0) drop (i32.sub (i32.const 4) (global.get 0))) "")"""))
    assert s[6].endswith(b"\x7f\x00\x23\x00\x41\x02\x41\x03\x6c\x6a\x0b")


# -- instructions -------------------------------------------------------------------

def test_folded_and_flat_are_the_same():
    a = body("(i32.add (i32.const 1) (i32.const 2)) drop")
    b = body("i32.const 1 i32.const 2 i32.add drop")
    assert a == b == bytes([0x41, 1, 0x41, 2, 0x6A, 0x1A, 0x0B])


def test_block_types():
    assert body("(block)") == b"\x02\x40\x0b\x0b"
    assert body("(block (result i32) unreachable) drop")[:2] == b"\x02\x7f"
    b = parse_wat("(type $t (func (result i32))) (func (block (type $t) unreachable) drop)")
    assert code_bodies(b)[0][:2] == b"\x02\x00"          # (type x) keeps the index
    b = parse_wat("(func (param i32) local.get 0 (loop (param i32) drop))")
    assert code_bodies(b)[0][2:4] == b"\x03\x00"          # same type as the function
    b = parse_wat("(func (param i32) local.get 0 (loop (param i32) (result i64) unreachable) drop)")
    assert code_bodies(b)[0][2:4] == b"\x03\x01"          # implicit type 1


def test_labels_and_depths():
    assert body("(block $a (block $b (br $a) (br $b) (br 1) (br_table $a $b 0)))") == bytes(
        [0x02, 0x40, 0x02, 0x40, 0x0C, 1, 0x0C, 0, 0x0C, 1, 0x0E, 2, 1, 0, 0, 0x0B, 0x0B, 0x0B])
    # shadowing: the innermost $l wins
    assert body("block $l block $l br $l end end") == b"\x02\x40\x02\x40\x0c\x00\x0b\x0b\x0b"


def test_flat_if_else_and_end_labels():
    a = body("i32.const 0 if $x (result i32) i32.const 1 else $x i32.const 2 end $x drop")
    b = body("(if (result i32) (i32.const 0) (then (i32.const 1)) (else (i32.const 2))) drop")
    assert a == b == bytes([0x41, 0, 0x04, 0x7F, 0x41, 1, 0x05, 0x41, 2, 0x0B, 0x1A, 0x0B])


@pytest.mark.parametrize("text,msg", [
    ("(func block $a end $b)", "mismatching label"),
    ("(func block end $b)", "mismatching label"),
    ("(func i32.const 0 if $a else $b end)", "mismatching label"),
    ("(func (br $nope))", "unknown label"),
    ("(func (call $nope))", "unknown function"),
    ("(func get_local 0)", "unknown operator get_local"),
    ("(func (i32.const 1.5))", "unexpected token"),
    ("(func (i32.const 0x100000000))", "constant out of range"),
    ("(func (f32.const 1e39))", "constant out of range"),
    ("(func (f32.const nan:0x0))", "constant out of range"),
    ("(func (i32.const 0x))", "unknown operator"),
    ("(func end)", "unexpected token"),
    ("(func (then))", "unexpected token"),
    ("(table 1 anyfunc)", "unknown operator anyfunc"),
])
def test_instruction_errors(text, msg):
    malformed(text, msg)


def test_memargs():
    assert body("(i32.load (i32.const 0)) drop", "(memory 1)")[2:5] == b"\x28\x02\x00"
    assert body("(i64.load8_u offset=0x10 align=1 (i32.const 0)) drop", "(memory 1)")[2:5] == b"\x31\x00\x10"
    assert body("(v128.load align=16 (i32.const 0)) drop", "(memory 1)")[2:6] == b"\xfd\x00\x04\x00"
    assert body("(v128.load8_lane offset=1 15 (i32.const 0) (v128.const i64x2 0 0)) drop",
                "(memory 1)")[-7:] == b"\xfd\x54\x00\x01\x0f\x1a\x0b"
    malformed("(memory 1) (func (drop (i32.load align=3 (i32.const 0))))", "alignment")
    malformed("(memory 1) (func (drop (i32.load align=0 (i32.const 0))))", "alignment")
    with using(WASM2):
        malformed("(memory 1) (func (drop (i32.load offset=4294967296 (i32.const 0))))",
                  "i32 constant")
    # memory64: a u64 offset (the validator bounds it per memory)
    assert body("(i32.load offset=4294967296 (i32.const 0)) drop", "(memory 1)")[2:9] == \
        b"\x28\x02\x80\x80\x80\x80\x10"
    # multi-memory: a memory index sets bit 6 and precedes the offset
    assert body("(i32.load $b offset=3 (i32.const 0)) drop",
                "(memory 1) (memory $b 1)")[2:6] == b"\x28\x42\x01\x03"
    malformed("(memory 1) (func (drop (i32.load offset=-1 (i32.const 0))))", "unknown operator")


def test_v128_const_shapes():
    assert body("(v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 -1) drop")[2:18] == \
        bytes(range(15)) + b"\xff"
    assert body("(v128.const i16x8 1 2 3 4 5 6 7 0xffff) drop")[2:18] == \
        b"\x01\x00\x02\x00\x03\x00\x04\x00\x05\x00\x06\x00\x07\x00\xff\xff"
    assert body("(v128.const f32x4 1 -0 nan inf) drop")[2:18] == \
        b"\x00\x00\x80\x3f" + b"\x00\x00\x00\x80" + b"\x00\x00\xc0\x7f" + b"\x00\x00\x80\x7f"
    assert body("(v128.const f64x2 0x1p0 -nan:0x1) drop")[2:18] == \
        b"\x00\x00\x00\x00\x00\x00\xf0\x3f" + b"\x01\x00\x00\x00\x00\x00\xf0\xff"
    malformed("(func (v128.const i32x4 0 0 0) drop)", "wrong number of lane literals")
    malformed("(func (v128.const i32x4 0 0 0 0 0) drop)", "wrong number of lane literals")
    malformed("(func (v128.const i8x16 256 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0) drop)", "constant out of range")
    malformed("(func (v128.const 0 0 0 0) drop)", "unexpected token")


def test_shuffle_and_lanes():
    lanes = " ".join(str(i) for i in range(16, 32))
    b = body(f"(i8x16.shuffle {lanes} (v128.const i64x2 0 0) (v128.const i64x2 0 0)) drop")
    assert b[-19:-2] == b"\x0d" + bytes(range(16, 32))
    malformed("(func (i8x16.shuffle 0 1 2 (v128.const i64x2 0 0) (v128.const i64x2 0 0)))",
              "invalid lane length")
    malformed(f"(func (i8x16.shuffle {lanes[:-2]} 256 (v128.const i64x2 0 0)))", "malformed lane index")
    assert body("(i32x4.extract_lane 3 (v128.const i64x2 0 0)) drop")[-5:] == b"\xfd\x1b\x03\x1a\x0b"
    malformed("(func (drop (i32x4.extract_lane 256 (v128.const i64x2 0 0))))", "malformed lane index")
    malformed("(func (drop (i32x4.extract_lane -1 (v128.const i64x2 0 0))))", "unexpected token")


def test_select_forms():
    assert body("(select (i32.const 1) (i32.const 2) (i32.const 0)) drop")[6] == 0x1B
    b = body("(select (result i64) (i64.const 1) (i64.const 2) (i32.const 0)) drop")
    assert b[6:9] == b"\x1c\x01\x7e"


def test_call_indirect_and_table_ops():
    b = body("(call_indirect $u (param i32) (i32.const 1) (i32.const 0))",
             "(table $t 1 funcref) (table $u 1 funcref)")
    assert b[4:7] == b"\x11\x01\x01"
    b = body("(table.init $u $e (i32.const 0) (i32.const 0) (i32.const 0))"
             " (table.init $e (i32.const 0) (i32.const 0) (i32.const 0))"
             " (table.copy (i32.const 0) (i32.const 0) (i32.const 0))"
             " (table.copy $u $t (i32.const 0) (i32.const 0) (i32.const 0))"
             " (drop (table.size)) (elem.drop $e)",
             "(table $t 1 funcref) (table $u 1 funcref) (elem $e func)")
    assert b"\xfc\x0c\x00\x01" in b and b"\xfc\x0c\x00\x00" in b
    assert b"\xfc\x0e\x00\x00" in b and b"\xfc\x0e\x01\x00" in b
    assert b"\xfc\x10\x00\x1a" in b and b"\xfc\x0d\x00\x0b" in b


def test_references():
    assert body("(drop (ref.null extern)) (drop (ref.func $f))", "(func $f)") == \
        b"\xd0\x6f\x1a\xd2\x00\x1a\x0b"


# -- robustness -----------------------------------------------------------------------

SAMPLE = """(module
  (type $t (func (param i32) (result i32)))
  (import "m" "f" (func $imp (param i32)))
  (table $tab 2 funcref) (memory $mem 1 2)
  (global $g (mut i32) (i32.const 0))
  (func $f (export "f") (type $t) (local $x i64)
    (block $b (result i32)
      (br_if $b (local.get 0) (i32.eqz (local.get 0)))
      (call_indirect (type $t) (i32.const 1) (i32.const 0))
      (i32.store offset=4 align=2 (i32.const 0))
      (v128.const f32x4 1.5 -nan inf 0x1p-3) drop
      (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 (v128.const i64x2 0 0) (v128.const i64x2 0 0)) drop
      (select (result i32) (i32.const 1) (i32.const 2) (global.get $g))))
  (elem (table $tab) (i32.const 0) func $f $imp)
  (data (memory $mem) (i32.const 0) "\\00\\ff\\u{20AC}"))"""


def test_sample_is_valid():
    assert parse_wat(SAMPLE)[:8] == HDR


def test_mutations_never_leak_python_errors():
    """Random token-level damage must give MalformedError or a binary."""
    tokens = re.findall(r'\(|\)|"(?:[^"\\]|\\.)*"|[^\s()"]+', SAMPLE)
    junk = ["(", ")", "0", "-1", "$x", '"a"', "block", "end", "else", "then", "(param i32)",
            "offset=4", "align=3", "nan:0x1", "(type 0)", "v128.const", "i32x4", "\\u{41}",
            "\x00", "é", "(;", "0x1p99999", "1e99999999999"]
    rng = random.Random(7)
    for _ in range(1500):
        t = list(tokens)
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(t))
            r = rng.random()
            if r < 0.35:
                del t[i]
            elif r < 0.7:
                t.insert(i, rng.choice(junk))
            else:
                t[i] = rng.choice(junk)
        try:
            parse_wat(" ".join(t))
        except MalformedError as e:
            assert e.line is not None


def test_name_section():
    b = parse_wat('(module $mod (import "a" "b" (func $imp)) (func $f (param $x i32) (local $y i64)'
                  ' (local i32) (local $z f32)) (func))')
    custom = b[len(parse_wat('(import "a" "b" (func)) (func (param i32) (local i64 i32 f32)) (func)')):]
    assert custom == (b"\x00\x24\x04name"
                      + b"\x00\x04\x03mod"
                      + b"\x01\x09\x02\x00\x03imp\x01\x01f"
                      + b"\x02\x0c\x01\x01\x03\x00\x01x\x01\x01y\x03\x01z")
    assert parse_wat("(func) (func (param i32))") == parse_wat("(func) (func (param i32))")
    assert b"name" not in parse_wat("(func) (func (param i32))")


@pytest.mark.parametrize("open_,close", [("(block ", ")"), ("block ", "end "),
                                         ("(if (i32.const 0) (then ", "))"),
                                         ("(i32.add (i32.const 1) ", ")")])
def test_deep_nesting_beyond_the_recursion_limit(open_, close):
    depth = 5000
    b = parse_wat("(func " + open_ * depth + close * depth + ")")
    assert len(b) > 2 * depth


def test_bare_memory_and_table_index_in_segments():
    """The MVP text form (data 0 (offset) ...) / (elem 0 (offset) ...), which
    wat2wasm and the wast crate accept (wasmtime's tests use it)."""
    from wasmaot.frontend.text import parse_wat
    assert parse_wat('(module (memory 1) (data 0 (i32.const 1) "x"))') == \
        parse_wat('(module (memory 1) (data (memory 0) (i32.const 1) "x"))')
    assert parse_wat('(module (memory $m 1) (data $d $m (i32.const 1) "x"))') == \
        parse_wat('(module (memory $m 1) (data $d (memory $m) (i32.const 1) "x"))')
    assert parse_wat('(module (table 1 funcref) (func $f) (elem 0 (i32.const 0) $f))') == \
        parse_wat('(module (table 1 funcref) (func $f) (elem (table 0) (i32.const 0) func $f))')
    with pytest.raises(MalformedError):
        parse_wat('(module (memory 1) (data 0 "x"))')       # an index needs an offset
