"""Exception handling in the frontend: decoding, validation messages (one
line, with the offset), the feature gates (``-W exceptions=n``,
``-W legacy-exceptions=n``) and the text format of both forms."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from wasmaot.frontend import features as F
from wasmaot.frontend.binary import decode_module
from wasmaot.frontend.errors import InvalidError, MalformedError, WasmError
from wasmaot.frontend.text.wat import parse_module_text
from wasmaot.frontend.unsupported import DisabledError
from wasmaot.frontend.validate import validate_module

ROOT = Path(__file__).resolve().parents[2]


def load(text: str, fs: F.Features = F.DEFAULT):
    with F.using(fs):
        m = decode_module(parse_module_text(text), "t.wat")
        validate_module(m, fs)
    return m


def test_tags_decode_with_their_types():
    m = load('(module (tag (import "m" "t") (param i64)) (tag $e (export "e") (param i32 f32)))')
    assert m.num_imported_tags == 1 and m.tags == [1]
    assert [m.types[t].params for t in m.tag_types] == [(0x7E,), (0x7F, 0x7D)]


@pytest.mark.parametrize("text, message", [
    ("(module (func (throw 0)))", "unknown tag 0"),
    ("(module (tag (param i32)) (func (throw 0)))",
     "type mismatch: instruction requires [i32] but stack has []"),
    ("(module (tag (param i64)) (func (block $l (try_table (catch 0 $l) (nop)))))",
     "type mismatch: catch handler provides [i64] but label 0 requires []"),
    ("(module (func (block (result exnref) (try_table (catch_all 0) (nop)) (unreachable))))",
     "type mismatch: catch handler provides [] but label 0 requires [exnref]"),
    ("(module (func (throw_ref)))", "type mismatch"),
    ("(module (func (try (do) (catch_all (rethrow 1)))))", "invalid rethrow label"),
    ("(module (func (try (do) (delegate 1))))", "unknown label 1"),
])
def test_invalid_bodies_say_why_in_one_line(text, message):
    with pytest.raises(InvalidError) as ei:
        load(text)
    assert message in ei.value.message and "\n" not in str(ei.value)
    assert ei.value.offset is not None


def test_a_tag_type_has_no_results():
    with pytest.raises(InvalidError, match="non-empty tag result type"):
        load("(module (type (func (result i32))) (tag (type 0)))")


@pytest.mark.parametrize("name, text, what", [
    ("exceptions", "(module (tag))", "tag section"),
    ("exceptions", "(module (func (block (try_table))))", "try_table"),
    ("exceptions", "(module (func (param exnref)))", "exnref"),
    ("legacy-exceptions", "(module (func (try (do))))", "try"),
])
def test_a_disabled_feature_is_named(name, text, what):
    off = F.DEFAULT.switched(name, False)
    with pytest.raises(WasmError) as ei:
        load(text, off)
    assert isinstance(ei.value, DisabledError), ei.value
    assert what in str(ei.value) and f"-W {name}" in str(ei.value)


def test_folded_flat_and_binary_forms_agree():
    folded = parse_module_text("""(module (tag $e (param i32)) (func (result i32)
        (try (result i32) (do (i32.const 1)) (catch $e) (catch_all (i32.const 2)))))""")
    flat = parse_module_text("""(module (tag $e (param i32)) (func (result i32)
        try (result i32) i32.const 1 catch $e catch_all i32.const 2 end))""")
    assert folded == flat
    # try (result i32) i32.const 1; catch 0; catch_all i32.const 2; end
    assert bytes.fromhex("067f4101" "0700" "19" "4102" "0b") in folded


def test_try_table_catch_labels_are_outside_it():
    wasm = parse_module_text("""(module (tag $e) (func
        (block $out (try_table $in (catch $e $out) (nop)))))""")
    # try_table, empty block type, 1 clause: catch (0) tag 0 label 0 (= $out)
    assert bytes.fromhex("1f400100000001") in wasm


@pytest.mark.parametrize("text", [
    "(module (func (catch_all)))",
    "(module (func (try (do) (catch_all) (catch_all))))",
    "(module (func (try (do) (catch_all) (delegate 0))))",
    "(module (func (delegate 0)))",
])
def test_misplaced_legacy_arms_are_syntax_errors(text):
    with pytest.raises(MalformedError, match="unexpected token"):
        parse_module_text(text)


def test_runtime_constants_match_the_header():
    """The exception object layout is written once per language: the
    header's macros and the emitter's constants must agree."""
    from wasmaot.backends.llvm import exceptions as E
    from wasmaot.ir.module import EXTERN_TAG
    h = (ROOT / "runtime-c" / "include" / "wasmaot_rt.h").read_text()
    assert int(re.search(r"#define WASMAOT_EXN_PAYLOAD (\d+)", h).group(1)) == E.PAYLOAD
    assert int(re.search(r"#define WASMAOT_EXN_SLOT (\d+)", h).group(1)) == E.SLOT
    assert int(re.search(r"WASMAOT_EXTERN_TAG = (\d+)", h).group(1)) == EXTERN_TAG
    assert f"extern void *{E.PENDING};" in h
