"""Annotations of the Wasm 3.0 text format: ``(@id ...)`` is ignored
anywhere, ``(@custom ...)`` becomes a custom section at its placement
(byte-identical to wasm-tools where checked)."""
import subprocess

import pytest

from wasmaot.frontend.binary import decode_module
from wasmaot.frontend.errors import MalformedError
from wasmaot.frontend.text import parse_wast, parse_wat
from wasmaot.frontend.text.lexer import tokenize
from tests.component.util import wasm_tools


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


# ---- branch hints: (@metadata.code.branch_hint "\00"|"\01") ------------------------------
# Flat and folded `if`/`br_if`, in nested blocks, in a function after an
# import (the section names function *indices*), and a folded br_if whose
# operands are encoded before its opcode (the offset is the opcode's).
HINTED = r"""(module
  (import "m" "g" (func $g))
  (func (export "f") (param i32) (result i32) (local i64 i64)
    (block $a (result i32)
      (i32.const 1)
      (@metadata.code.branch_hint "\01")
      (br_if $a (i32.const 2) (i32.eqz (local.get 0)))
      drop
      (loop $l
        local.get 0
        (@metadata.code.branch_hint "\00") br_if $l)
      local.get 0
      (@metadata.code.branch_hint "\01") if (result i32)
        (i32.const 3)
      else
        (@metadata.code.branch_hint "\00")
        (if (result i32) (local.get 0) (then (i32.const 4)) (else (i32.const 5)))
      end))
  (func (param i32)
    (if (local.get 0) (then (call $g))))
  (func (param i32)
    (@metadata.code.branch_hint "\00") (@another annotation)
    (if (local.get 0) (then (call $g)))))"""


def _section(wasm: bytes, name: str) -> bytes:
    (s,) = [s for s in decode_module(wasm).customs if s.name == name]
    return wasm[s.payload_start:s.payload_end]


def test_branch_hints_become_the_section_at_each_opcode():
    wasm = parse_wat(HINTED)
    m = decode_module(wasm)
    assert sorted(m.branch_hints) == [1, 3]            # defined functions 0 and 2 (+1 import)
    ops = {}
    for fn, hints in m.branch_hints.items():
        body = m.funcs[fn - 1].body_start
        ops[fn] = [(wasm[body + off], h) for off, h in sorted(hints.items())]
    # folded br_if (likely), br_if in the loop (unlikely), flat if (likely),
    # folded if in the else arm (unlikely); then the one after two annotations
    assert ops == {1: [(0x0D, 1), (0x0D, 0), (0x04, 1), (0x04, 0)], 3: [(0x04, 0)]}
    # placed before the code section, as the proposal puts it
    names = [s.name for s in m.customs]
    assert "metadata.code.branch_hint" in names
    sec = next(s for s in m.customs if s.name == "metadata.code.branch_hint")
    assert sec.offset < next(f.body_start for f in m.funcs)
    # and the hints change nothing else: the module without them
    assert parse_wat(HINTED.replace('(@metadata.code.branch_hint "\\01")', "")
                     .replace('(@metadata.code.branch_hint "\\00")', "")) \
        == wasm.replace(_section_bytes(wasm), b"")


def _section_bytes(wasm: bytes) -> bytes:
    """The whole custom section (id, size, payload) of the branch hints."""
    s = next(s for s in decode_module(wasm).customs if s.name == "metadata.code.branch_hint")
    return wasm[s.offset:s.payload_end]


def test_branch_hint_section_is_the_one_wasm_tools_writes():
    wt = subprocess.run([wasm_tools(), "parse", "-"], input=HINTED.encode(), capture_output=True,
                        check=True).stdout
    ours = parse_wat(HINTED)
    assert _section(ours, "metadata.code.branch_hint") == _section(wt, "metadata.code.branch_hint")
    assert decode_module(ours).branch_hints == decode_module(wt).branch_hints


@pytest.mark.parametrize("payload", ['"\\02"', '"\\00\\01"', '""', "1", '"\\00" x'])
def test_a_bad_branch_hint_is_a_syntax_error_at_the_annotation(payload):
    text = f'(module (func (param i32)\n  (@metadata.code.branch_hint {payload}) (if (local.get 0) (then))))'
    with pytest.raises(MalformedError) as e:
        parse_wat(text, "h.wat")
    assert "branch hint" in str(e.value) and "h.wat:2:3" in str(e.value)


def test_a_branch_hint_before_another_instruction_is_ignored():
    plain = parse_wat('(module (func (param i32) (drop (local.get 0)) (br_if 0 (local.get 0))))')
    for where in ('(@metadata.code.branch_hint "\\01") (drop (local.get 0)) (br_if 0 (local.get 0))',
                  '(drop (local.get 0)) (br_if 0 (@metadata.code.branch_hint "\\01") (local.get 0))'):
        assert parse_wat(f"(module (func (param i32) {where}))") == plain, where
