"""WAVE (frontend/component/wave.py): parse/print round trips, the grammar's
corners, errors with columns, and the printer against wasmtime's
``--invoke`` output (tests/component/wave/differential.py builds the
components)."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wasmaot.frontend.component.canonabi import Case
from wasmaot.frontend.component.types import (
    Borrow,
    Enum,
    Flags,
    FuncType,
    List,
    Option,
    Own,
    Record,
    Resource,
    Result,
    Tuple,
    Variant,
)
from wasmaot.frontend.component.wave import (
    WaveError,
    format_float,
    format_result,
    format_value,
    parse_call,
    parse_value,
)

from .wave import differential
from .wave.strategies import chars, key, typed_values


@settings(max_examples=600, deadline=None)
@given(typed_values)
def test_print_parse_round_trip(tv):
    t, v = tv
    text = format_value(v, t)
    assert "\n" not in text
    assert key(parse_value(text, t)) == key(v), text


@settings(max_examples=300, deadline=None)
@given(st.floats(width=32))
def test_f32_shortest_round_trips(f):
    s = format_float(f, "f32")
    assert "e" not in s and "E" not in s
    assert key(parse_value(s, "f32")) == key(f)


@settings(max_examples=300, deadline=None)
@given(st.text(chars, max_size=20))
def test_string_escapes_round_trip(s):
    text = format_value(s, "string")
    assert parse_value(text, "string") == s
    for c in s[:3]:
        assert parse_value(format_value(c, "char"), "char") == c


@pytest.mark.parametrize("value, t, text", [
    (True, "bool", "true"),
    (-128, "s8", "-128"),
    (2**64 - 1, "u64", "18446744073709551615"),
    (1.0, "f64", "1"),
    (-0.0, "f64", "-0"),
    (1e300, "f64", "1" + "0" * 300),
    (1e-7, "f64", "0.0000001"),
    (0.1, "f64", "0.1"),
    (math.nan, "f32", "nan"),
    (-math.inf, "f64", "-inf"),
    (0.10000000149011612, "f32", "0.1"),
    ("'", "char", r"'\''"),
    ("\x7f", "char", r"'\u{7f}'"),
    ("\u0301", "char", r"'\u{301}'"),
    ("\u00a0", "char", r"'\u{a0}'"),
    ("☃", "char", "'☃'"),
    ('a"b\\c\td\n', "string", r'"a\"b\\c\td\n"'),
    ("it's", "string", r'"it\'s"'),
    ([1, 2], List("u8"), "[1, 2]"),
    ([], List("u8"), "[]"),
    ((1, "x"), Tuple(("u8", "string")), '(1, "x")'),
    ({"a-b": 1, "o": Case("none")}, Record((("a-b", "u8"), ("o", Option("u8")))), "{a-b: 1}"),
    ({"o": Case("none")}, Record((("o", Option("u8")),)), "{:}"),
    ({"o": Case("some", Case("none"))}, Record((("o", Option(Option("u8"))),)), "{o: some(none)}"),
    (frozenset({"b", "a"}), Flags(("a", "b", "c")), "{a, b}"),
    (frozenset(), Flags(("a",)), "{}"),
    ("ok", Enum(("ok", "not-found")), "%ok"),
    (Case("err", "x"), Variant((("empty", None), ("err", "string"))), '%err("x")'),
    (Case("empty"), Variant((("empty", None), ("err", "string"))), "empty"),
    (Case("ok"), Result(None, "string"), "ok"),
    (Case("err", "oops"), Result(None, "string"), 'err("oops")'),
    (Case("some", 3), Option("u8"), "some(3)"),
])
def test_printer(value, t, text):
    assert format_value(value, t) == text
    assert key(parse_value(text, t)) == key(value)


@pytest.mark.parametrize("text, t, value", [
    ("7", Option("u8"), Case("some", 7)),                       # flat some
    ("7", Result("u8", "string"), Case("ok", 7)),               # flat ok
    ("none", Option(Option("u8")), Case("none")),
    ("some(none)", Option(Option("u8")), Case("some", Case("none"))),
    ("{b: 1, a: 2,}", Record((("a", "u8"), ("b", "u8"))), {"a": 2, "b": 1}),
    ("{%a: 2, b: none}", Record((("a", "u8"), ("b", Option("u8")))), {"a": 2, "b": Case("none")}),
    ("{c, a,}", Flags(("a", "b", "c")), frozenset({"a", "c"})),
    ("[ 1 , 2 , ]", List("u16"), [1, 2]),
    ("(1, 2,)", Tuple(("u8", "s8")), (1, 2)),
    ("-inf", "f32", -math.inf),
    ("6.022e+23", "f64", 6.022e23),
    ("1e39", "f32", math.inf),                                  # rounds to f32
    # decimals whose f64 is the midpoint of 1 and the next f32: rounded once
    ("1.000000059604644775390625", "f32", 1.0),                 # tie: even
    ("1.0000000596046448", "f32", 1.0000001192092896),         # above: up
    ("1.00000005960464474", "f32", 1.0),                        # below: down
    ("340282356779733661637539395458142568447", "f32", 3.4028234663852886e38),  # max f32
    ("340282356779733661637539395458142568448", "f32", math.inf),  # halfway: inf
    (r"'\u{1F600}'", "char", "\U0001F600"),
    (r'"\u{0}\t"', "string", "\x00\t"),
    ('"""\n  ab\n    c\n  """', "string", "ab\n  c"),
    ('"""\n x\\r\n """', "string", "x\r"),
    ("// comment\n 5 // trailing", "u8", 5),
    ("%none", Enum(("none", "x")), "none"),
    ("%some(1)", Variant((("some", "u8"),)), Case("some", 1)),
])
def test_parser_forms(text, t, value):
    assert key(parse_value(text, t)) == key(value)


@pytest.mark.parametrize("text, t, column, fragment", [
    ("256", "u8", 1, "out of range"),
    ("-1", "u32", 1, "out of range"),
    ("1.5", "s32", 1, "integer"),
    ("[1, 2", List("u8"), 6, "expected ','"),
    ("[1 2]", List("u8"), 4, "expected ','"),
    ("'ab'", "char", 1, "exactly one character"),
    ("''", "char", 1, "exactly one character"),
    (r'"\q"', "string", 2, "invalid character escape"),
    (r'"\u{D800}"', "string", 2, "not a Unicode scalar value"),
    ('"ab', "string", 1, "unterminated"),
    ('"a\nb"', "string", 3, "newline"),
    ("{a: 1, a: 2}", Record((("a", "u8"),)), 8, "duplicate"),
    ("{b: 1}", Record((("a", "u8"), ("b", "u8"))), 1, "missing record field 'a'"),
    ("{x: 1}", Record((("a", "u8"),)), 2, "unknown record field"),
    ("{a, a}", Flags(("a",)), 5, "duplicate flag"),
    ("{z}", Flags(("a",)), 2, "unknown flag"),
    ("ok", Enum(("ok",)), 1, "unknown enum case"),
    ("c", Variant((("a", None),)), 1, "unknown variant case"),
    ("a", Variant((("a", "u8"),)), 2, "needs a payload"),
    ("a(1)", Variant((("a", None),)), 2, "has no payload"),
    ("some(x)", Option("u8"), 6, "expected an integer"),
    ("1", Result(None, "u8"), 1, "expected one of ok, err"),
    ("1", Option(Option("u8")), 1, "expected one of none, some"),
    ("(1)", Tuple(("u8", "u8")), 1, "expected 2 tuple elements"),
    ("(1, 2, 3)", Tuple(("u8", "u8")), 8, "more than 2"),
    ("[1]", List("u8", 2), 1, "expected 2 list elements"),
    ("5 6", "u8", 3, "after the value"),
    ("#", "u8", 1, "invalid token"),
    ("", "u8", 1, "end of input"),
    ("1", Own(Resource("r")), 1, "handles"),
    ("1", Borrow(Resource("r")), 1, "handles"),
    ("[" * 101 + "]" * 101, List("u8"), 101, "nested too deeply"),
])
def test_errors(text, t, column, fragment):
    t_ = t
    for _ in range(text.count("[") - 1 if "nested" in fragment else 0):
        t_ = List(t_)
    with pytest.raises(WaveError) as e:
        parse_value(text, t_)
    assert e.value.column == column, str(e.value)
    assert fragment in str(e.value)
    assert "\n" not in str(e.value) and str(e.value).endswith(f"at column {column}")


FUNCS = {
    "f": FuncType((("a", "u32"), ("b", Option("u8")), ("c", Option("string"))), None),
    "demo:rich/api.sum": FuncType((("xs", List("u32")),), "u32"),
    "g": FuncType((), "string"),
}


@pytest.mark.parametrize("text, name, args", [
    ("f(1)", "f", [1, Case("none"), Case("none")]),
    ("f(1, 2)", "f", [1, Case("some", 2), Case("none")]),
    ('f ( 1 , none , "x" , ) ', "f", [1, Case("none"), Case("some", "x")]),
    ("demo:rich/api.sum([1, 2, 3])", "demo:rich/api.sum", [[1, 2, 3]]),
    ("g()", "g", []),
])
def test_parse_call(text, name, args):
    assert parse_call(text, FUNCS) == (name, args)
    assert parse_call(text, FUNCS.get) == (name, args)


@pytest.mark.parametrize("text, column, fragment", [
    ("h()", 1, "no exported function named 'h'"),
    ("f()", 3, "missing arguments"),
    ("f(1, 2, none, 4)", 15, "more arguments than the 3"),
    ("f(1", 4, "expected ','"),
    ("f", 2, "expected '('"),
    ("g() x", 5, "after the value"),
    ("", 1, "expected a function call"),
    (" f(1)", 1, "expected a function call"),        # wasmtime: no leading blank
    ("f_x(1)", 2, "invalid token"),
    ("demo:rich/api/sum(1)", 14, "invalid token"),
    ("demo:rich/api@1.0.0.sum(1)", 20, "invalid token"),
    ("demo:rich/api.sum.x(1)", 18, "invalid token"),
    ("demo:rich/api@1.0.0(1)", 1, "no exported function named 'demo:rich/api@1.0.0'"),
    ("Ab(1)", 1, "no exported function named 'A'"),
])
def test_parse_call_errors(text, column, fragment):
    with pytest.raises(WaveError) as e:
        parse_call(text, FUNCS)
    assert (e.value.column, fragment in str(e.value)) == (column, True), str(e.value)


# ---- differential: our printer and parser against wasmtime --invoke --------

@pytest.fixture(scope="module")
def wasmtime():
    return differential.tools_or_skip()


@pytest.mark.parametrize("encoding", ["utf8", "utf16", "latin1+utf16"])
def test_printer_matches_wasmtime(wasmtime, tmp_path, encoding):
    """Constant-returning functions (results laid out by canonabi.py, the
    component built with wasm-tools), printed by wasmtime and by us."""
    cases = differential.RESULT_CASES if encoding == "utf8" else differential.STRING_CASES
    got = differential.invoke_results(wasmtime, tmp_path, cases, encoding)
    for (t, v), out in zip(cases, got):
        assert out == format_value(v, t), (t, v)


def test_random_results_match_wasmtime(wasmtime, tmp_path):
    """Hypothesis-drawn (type, value) pairs through the same harness."""
    cases = differential.random_cases(12)
    got = differential.invoke_results(wasmtime, tmp_path, cases, "utf8")
    for (t, v), out in zip(cases, got):
        assert out == format_value(v, t), (t, v)


@pytest.mark.parametrize("t, text", differential.ECHO_CASES)
def test_parser_matches_wasmtime(wasmtime, tmp_path, t, text):
    """Identity functions: wasmtime parses ``text``, the component hands the
    value back, wasmtime prints it; we must parse and print the same."""
    out = differential.invoke_echo(wasmtime, tmp_path, t, text)
    assert out == format_value(parse_value(text, t), t)


def test_every_char_matches_wasmtime(wasmtime, tmp_path):
    """All 1,112,064 Unicode scalar values printed as chars by wasmtime and
    by us.  Escaping depends on Unicode tables (Rust's in wasmtime, Python's
    plus wave.py's _ESCAPE_OVERRIDES here); on a failure the message holds
    the override entries that would fix it."""
    diffs = differential.char_scan(wasmtime, tmp_path)
    assert not diffs, f"{len(diffs)} chars differ; overrides:\n" + differential.override_table(diffs)


def test_floats_match_wasmtime(wasmtime, tmp_path):
    """Rust's shortest-digits float printing: random f32 and f64 bit patterns
    (every exponent, subnormals included), powers of ten, and integers plus
    quarters (ties between two shortest candidates)."""
    import random
    import struct
    rng = random.Random(49)
    f32s = [struct.unpack("<f", struct.pack("<I", rng.getrandbits(32)))[0] for _ in range(1000)]
    f64s = [struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0] for _ in range(1000)]
    f64s += [10.0 ** k for k in range(-320, 309)]
    ties = [struct.unpack("<f", struct.pack("<f", rng.getrandbits(rng.randrange(1, 30))
                                            + rng.choice([0.25, 0.5, 0.75])))[0]
            for _ in range(1000)]
    cases = [(List("f32"), f32s), (List("f64"), f64s), (List("f32"), ties)]
    got = differential.invoke_results(wasmtime, tmp_path, cases, "utf8")
    for (t, v), out in zip(cases, got):
        ours = format_value(v, t)[1:-1].split(", ")
        theirs = out[1:-1].split(", ")
        assert [(x, a) for x, a, b in zip(v, theirs, ours) if a != b] == []


@pytest.mark.parametrize("t, texts", differential.ACCEPTANCE_CASES)
def test_acceptance_matches_wasmtime(wasmtime, tmp_path, t, texts):
    """Edge inputs: we accept exactly what wasmtime accepts."""
    def ours(text):
        try:
            parse_value(text, t)
            return True
        except WaveError:
            return False
    theirs = differential.echo_accepts(wasmtime, tmp_path, t, texts)
    assert [(x, a) for x, a in zip(texts, theirs) if a != ours(x)] == []


def test_no_result_prints_unit(wasmtime, tmp_path):
    """A function without a result: wasmtime prints ``()``."""
    text = differential.fixture("no_result.wat")
    out = differential.invoke_text(wasmtime, tmp_path, text, "f(1)")
    assert out == format_result(None) == "()"
    assert format_result("u8", 7) == "7"


NAME_CALLS = ["top-f(1)", " top-f(1)", "top-f (1)", "%top-f(1)", "top-f(1) ", "top-f(1)x", "top-f",
              "demo:rich/api.sum(2)", "demo:rich/api.two-words(3)", "demo:rich/api/sum(2)",
              "api.sum(2)", "demo:rich/api#sum(2)", "demo:rich/api.sum.x(2)", "top_f(1)",
              "Top-F(1)", "[method]x.y(1)", "demo:rich/api(1)", "top-f(1,)", "top-f(,)"]


def test_call_names_match_wasmtime(wasmtime, tmp_path):
    """Which call texts wasmtime runs on a component with a top-level
    function and an interface instance, and what it prints."""
    ft = FuncType((("a", "u32"),), "u32")
    funcs = {"top-f": ft, "demo:rich/api.sum": ft, "demo:rich/api.two-words": ft}
    theirs = differential.run_calls(wasmtime, tmp_path, differential.fixture("names.wat"), NAME_CALLS)
    for call, (ok, out) in zip(NAME_CALLS, theirs):
        try:
            _, [arg] = parse_call(call, funcs)
            ours = (True, format_value(arg, "u32"))
        except WaveError:
            ours = (False, "")
        assert ours == (ok, out), call


@pytest.mark.parametrize("t", [Own(Resource("r")), Option(Borrow(Resource("r")))])
def test_handles_cannot_be_printed(t):
    """wasmtime 49 aborts (a panic in wasm-wave's writer) when a result holds
    a handle; we raise an error the caller can report."""
    v = 1 if isinstance(t, Own) else Case("some", 1)
    with pytest.raises(TypeError, match="cannot print a value of type"):
        format_value(v, t)
