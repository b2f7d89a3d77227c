"""Annotations of the Wasm 3.0 text format: ``(@id ...)`` is ignored
anywhere, ``(@custom ...)`` becomes a custom section at its placement
(byte-identical to wasm-tools where checked)."""
import pytest

from wasmaot.frontend.binary import decode_module
from wasmaot.frontend.errors import MalformedError
from wasmaot.frontend.text import parse_wast, parse_wat
from wasmaot.frontend.text.lexer import tokenize


def test_unknown_annotations_vanish_everywhere():
    plain = parse_wat('(module (func (export "f") (param i32) (result i32) local.get 0))')
    noisy = parse_wat('(@a) (module (@x y) (func (@n "s" (deep (er))) (export "f") (param i32)'
                      ' (result i32) (@metadata.code.branch_hint "\\00") local.get 0 (@z)))')
    assert noisy == plain


def test_match_table_after_dropping():
    t = tokenize('(a (@x (y)) (b c) (@z) d)')
    assert [v for _, v, _ in t.toks] == ["(", "a", "(", "b", "c", ")", "d", ")"]
    assert t.match[0] == 7 and t.match[2] == 5


def test_not_an_annotation():
    # "( @a)": the @ must touch the parenthesis; "(@)": empty id
    for text in ("(module ( @a))", "(module (@))"):
        with pytest.raises(MalformedError):
            parse_wat(text)
    # an unclosed annotation is still an unbalanced parenthesis
    with pytest.raises(MalformedError):
        parse_wat("(module (@x (y))")


def test_custom_sections_and_placement():
    b = parse_wat('(module (@custom "a" "xy") (@custom "b" (before first) "z")'
                  ' (@custom "c" (after func) "q") (func nop))')
    # the bytes wasm-tools 1.262 writes for this text
    assert b.hex() == ("0061736d01000000000301627a0104016000000302010000030163710a05010300010b"
                       "000401617879")
    m = decode_module(b)
    assert [(s.id, s.name) for s in m.sections] == [(0, "b"), (1, "type"), (3, "function"),
                                                     (0, "c"), (10, "code"), (0, "a")]


def test_custom_placement_errors():
    for text in ('(module (@custom "a" (inside code) ""))', '(module (@custom "a" (after nowhere)))',
                 '(module (@custom 1))'):
        with pytest.raises(MalformedError):
            parse_wat(text)


def test_scripts_and_bare_fields():
    cmds = parse_wast('(@a)\n(module (@custom "n" "v"))\n(@b (c))\n(assert_return (invoke "f"))\n')
    assert [c.kind for c in cmds] == ["module", "assert_return"]
    assert decode_module(cmds[0].module.to_binary()).customs[0].name == "n"
    assert decode_module(parse_wat('(@custom "x" "")')).customs[0].name == "x"
