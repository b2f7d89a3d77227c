"""Lexer: token kinds, comments, strings, lexical errors with positions."""
import pytest

from wasmaot.frontend.errors import MalformedError
from wasmaot.frontend.text import parse_wat
from wasmaot.frontend.text.lexer import ATOM, ID, LP, RESERVED, RP, STRING, tokenize


def kinds(text):
    return [(k, v) for k, v, _ in tokenize(text).toks]


def test_basic_tokens_and_offsets():
    t = tokenize('(module $m "s" 0x1_0 i32.add)')
    assert [k for k, _, _ in t.toks] == [LP, ATOM, ID, STRING, ATOM, ATOM, RP]
    assert [o for _, _, o in t.toks] == [0, 1, 8, 11, 15, 21, 28]
    assert t.match[0] == 6


def test_nested_block_comments_and_line_comments():
    assert kinds("(; a (; b ;) c ;) x ;; y\n z") == [(ATOM, "x"), (ATOM, "z")]
    # a line comment also ends at a lone CR (comments.wast)
    assert kinds(";; c\rz") == [(ATOM, "z")]
    # comments may hold any characters
    assert kinds("(;\x00\x07\x7f;)q") == [(ATOM, "q")]


def test_string_escapes():
    (k, v), = kinds(r'"a\n\t\\\'\"\41\u{1F600}\u{41}"')
    assert k == STRING
    assert v == b"a\n\t\\'\"A" + "\U0001F600".encode() + b"A"


def test_raw_bytes_in_strings():
    (_, v), = kinds(r'"\ff\00"')
    assert v == b"\xff\x00"


@pytest.mark.parametrize("text,msg", [
    ('"abc', "unclosed string"),
    ('"ab\nc"', "unclosed string"),
    (r'"\q"', "illegal escape"),
    ('"a\x01"', "illegal control character"),
    (r'"\u{D800}"', "malformed UTF-8 encoding"),
    ("(; never closed", "unclosed comment"),
])
def test_lexical_errors(text, msg):
    with pytest.raises(MalformedError) as ei:
        tokenize(text)
    assert msg in ei.value.message
    assert ei.value.line == 1 and ei.value.col >= 1


def test_glued_tokens_are_reserved():
    assert kinds('$l"a"') == [(RESERVED, '$l"a"')]
    assert kinds('"a""b"') == [(RESERVED, '"a""b"')]
    assert kinds("$l$l") == [(ID, "$l$l")]
    # parentheses always separate
    assert kinds("(nop)nop") == [(LP, "("), (ATOM, "nop"), (RP, ")"), (ATOM, "nop")]


@pytest.mark.parametrize("text", ['(data $l"a")', '(func 0"a")', "(func br 0drop)",
                                  "(func (drop (i32.const0)))"])
def test_reserved_tokens_are_unknown_operators(text):
    with pytest.raises(MalformedError, match="unknown operator"):
        parse_wat(text)


def test_error_position_line_and_column():
    with pytest.raises(MalformedError) as ei:
        parse_wat("(module\n  (func\n    (i32.add)\n    bogus.op))", "m.wat")
    e = ei.value
    assert (e.line, e.col) == (4, 5)
    assert e.filename == "m.wat"
    assert str(e) == "m.wat:4:5: malformed: unknown operator bogus.op"


def test_unbalanced_parentheses_are_errors():
    with pytest.raises(MalformedError):
        parse_wat("(module (func)")
    with pytest.raises(MalformedError):
        parse_wat("(module (func)))")
