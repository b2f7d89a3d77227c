"""Compiled components against ``wasmtime run --invoke`` (wasmtime 49):
every value type as a result, as a spilled parameter echoed back through
memory, and as flat parameters (the raw core values compared), plus the
lifting errors and traps.  Same stdout; for failures the same class
(exit 1 for a canonical-ABI error with wasmtime's message, 134 for a
guest trap; bad WAVE is our usage error, exit 2, where wasmtime says 1)."""
from __future__ import annotations

import pytest
from wasmaot.frontend.component.types import (
    Enum,
    Flags,
    List,
    Option,
    Record,
    Result,
    Tuple,
    Variant,
)
from wasmaot.frontend.component.wave import format_value

from .compile.gen import Builder, Sides, cause, dumpable
from .wave import differential as wd

REC = Record((("a", "u8"), ("name", "string"), ("o", Option("u32")), ("f", "f64")))
VAR = Variant((("nothing", None), ("int", "u32"), ("float", "f32"), ("big", "s64"), ("text", "string")))
#: (type, WAVE arguments) for the echo and flat-dump functions.
ECHO = [
    ("bool", ["true", "false"]),
    ("s8", ["-128", "127"]), ("u8", ["255"]), ("s16", ["-32768"]), ("u16", ["65535"]),
    ("s32", ["-2147483648"]), ("u32", ["4294967295"]),
    ("s64", ["-9223372036854775808"]), ("u64", ["18446744073709551615"]),
    ("f32", ["0.1", "-inf", "nan", "3.4028235e38", "-0"]),
    ("f64", ["1e-320", "6.022e+23", "nan", "-0"]),
    ("char", [r"'\u{1F600}'", "'a'", r"'\''", r"'\n'"]),
    ("string", ['""', '"hi"', r'"tab\t\"q\" é ☃ \u{1F600}"']),
    (List("u16"), ["[]", "[1, 2, 65535]"]),
    (List("string"), ['["a", "", "bc"]']),
    (List(List("u8")), ["[[1], [], [2, 3]]"]),
    (REC, ['{a: 1, name: "n", f: 0.5}', '{a: 2, name: "", o: some(7), f: -1}', '{f: 2, o: 3, name: "x", a: 0}']),
    (Tuple(("u8", "f64", "char")), ["(1, 2.5, 'c')"]),
    (VAR, ["nothing", "int(7)", "float(1.5)", "big(-5)", 'text("t")']),
    (Enum(("red", "green", "none")), ["red", "%none"]),
    (Option("u32"), ["none", "some(5)", "6"]),
    (Option(Option("u8")), ["none", "some(none)", "some(some(1))"]),
    (Option("string"), ['some("x")']),
    (Result("u32", "string"), ["ok(1)", 'err("bad")', "2"]),
    (Result(None, None), ["ok", "err"]),
    (Result(None, "u8"), ["ok", "err(3)"]),
    (Result("f64", None), ["ok(2.5)", "err"]),
    (Flags(("read", "write", "exec")), ["{}", "{read, exec}"]),
    (Flags(tuple(f"f{i}" for i in range(20))), ["{f0, f19, f9}"]),
    (List(REC), ['[{a: 1, name: "p", f: 1}, {a: 2, name: "q", o: 9, f: 2}]']),
    (List(VAR), ['[nothing, int(1), text("z"), float(nan)]']),
    (Tuple(tuple(["u32"] * 17)), ["(" + ", ".join(str(i) for i in range(17)) + ")"]),
]


@pytest.fixture(scope="module")
def tools():
    return wd.tools_or_skip()


@pytest.fixture(scope="module")
def echo(tools, tmp_path_factory):
    b = Builder()
    for k, (t, _) in enumerate(ECHO):
        b.spill_echo(f"echo{k}", t)
        if dumpable(t):
            b.flat_dump(f"dump{k}", t)
    return Sides(tools, tmp_path_factory.mktemp("echo"), b.text())


def _same(sides: Sides, call: str) -> tuple[int, str]:
    ours, theirs = sides.ours(call), sides.theirs(call)
    assert theirs[0] == 0, (call, theirs[2])
    assert ours[:2] == theirs[:2], (call, ours, theirs)
    return ours[:2]


@pytest.mark.parametrize("k", range(len(ECHO)), ids=[str(t) for t, _ in ECHO])
def test_spilled_parameters_echo_like_wasmtime(echo, k):
    """More than 16 flat parameters (the pad): lowered into guest memory by
    realloc, lifted back from the pointer the core function returns."""
    for arg in ECHO[k][1]:
        _same(echo, f"echo{k}({arg})")


@pytest.mark.parametrize("k", [k for k, (t, _) in enumerate(ECHO) if dumpable(t)],
                         ids=[str(t) for t, _ in ECHO if dumpable(t)])
def test_flat_parameters_match_wasmtime(echo, k):
    """The core values themselves (joins, zero padding, realloc'd pointers)."""
    for arg in ECHO[k][1]:
        _same(echo, f"dump{k}({arg})")


@pytest.fixture(scope="module")
def results(tools, tmp_path_factory):
    b = Builder()
    for k, (t, v) in enumerate(wd.RESULT_CASES):
        b.result(f"result{k}", t, v)
    return Sides(tools, tmp_path_factory.mktemp("results"), b.text())


def test_results_print_like_wasmtime(results):
    """wave/differential.py's result cases: every type, lifted flat and
    from memory, printed in WAVE."""
    bad = []
    for k in range(len(wd.RESULT_CASES)):
        ours, theirs = results.ours(f"result{k}()"), results.theirs(f"result{k}()")
        if ours[:2] != theirs[:2]:
            bad.append((wd.RESULT_CASES[k], ours, theirs))
    assert not bad


# ---- failures ------------------------------------------------------------------

TWO_U32 = Tuple(("u32", "u32"))


def _pair_at_6000(ptr: int, n: int, data: bytes = b"") -> str:
    """Core code: ``data`` at ``ptr``, the pair (ptr, n) at 0x6000, return 0x6000."""
    stores = [f"i32.const {ptr + i} i32.const {b} i32.store8" for i, b in enumerate(data)]
    return " ".join([*stores, f"i32.const 0x6000 i32.const {ptr} i32.store",
                     f"i32.const 0x6004 i32.const {n} i32.store i32.const 0x6000"])


FAILURES = [
    # name, result type, core result type, core body
    ("bad-char", "char", "i32", "i32.const 0xD800"),
    ("big-char", "char", "i32", "i32.const 0x110000"),
    ("bad-enum", Enum(("a", "b")), "i32", "i32.const 2"),
    ("bad-variant", VAR, "i32", "i32.const 0x6000 i32.const 9 i32.store8 i32.const 0x6000"),
    ("bad-option", Option("u8"), "i32", "i32.const 0x6000 i32.const 2 i32.store8 i32.const 0x6000"),
    ("oob-ret", TWO_U32, "i32", "i32.const 0xFFFC"),
    ("misaligned-ret", TWO_U32, "i32", "i32.const 0x6002"),
    ("oob-string", "string", "i32", _pair_at_6000(0xFFF0, 0x20)),
    ("bad-utf8", "string", "i32", _pair_at_6000(0x6100, 1, b"\xff")),
    ("bad-utf8-surrogate", "string", "i32", _pair_at_6000(0x6100, 4, b"A\xed\xa0\x80")),
    ("incomplete-utf8", "string", "i32", _pair_at_6000(0x6100, 2, b"\xe2\x98")),
    ("oob-list", List("u32"), "i32", _pair_at_6000(0xFFF8, 4)),
    ("misaligned-list", List("u32"), "i32", _pair_at_6000(0x6102, 1)),
    ("unreachable", "u32", "i32", "unreachable"),
    ("div-zero", "s32", "i32", "i32.const 1 i32.const 0 i32.div_s"),
]


@pytest.fixture(scope="module")
def failures(tools, tmp_path_factory):
    b = Builder()
    for name, t, rt, body in FAILURES:
        b.raw(name, t, rt, body)
    return Sides(tools, tmp_path_factory.mktemp("failures"), b.text())


@pytest.mark.parametrize("name", [f[0] for f in FAILURES])
def test_failures_match_wasmtime(failures, name):
    ours, theirs = failures.ours(f"{name}()"), failures.theirs(f"{name}()")
    assert theirs[0] in (1, 134), theirs
    assert (ours[0], ours[1]) == (theirs[0], ""), (ours, theirs)
    if ours[0] == 1:
        assert ours[2].startswith("wasmaot: error: ") and len(ours[2].splitlines()) == 1
    else:
        assert ours[2].startswith("wasm trap: "), ours[2]


@pytest.mark.parametrize("name", [f[0] for f in FAILURES if f[0] not in ("unreachable", "div-zero")])
def test_failure_messages_are_wasmtimes(failures, name):
    ours, theirs = failures.ours(f"{name}()"), failures.theirs(f"{name}()")
    assert ours[2].strip() == "wasmaot: error: " + cause(theirs[2])


# ---- random values ---------------------------------------------------------------

@pytest.fixture(scope="module")
def randoms(tools, tmp_path_factory):
    cases = wd.random_cases(40)
    b = Builder()
    for k, (t, v) in enumerate(cases):
        b.result(f"result{k}", t, v)
        b.spill_echo(f"echo{k}", t)
        if dumpable(t):
            b.flat_dump(f"dump{k}", t)
    return cases, Sides(tools, tmp_path_factory.mktemp("random"), b.text())


def test_random_values_match_wasmtime(randoms):
    """Hypothesis-drawn types and values (any Unicode in chars and strings):
    each returned, echoed through memory and lowered flat."""
    cases, sides = randoms
    bad = []
    for k, (t, v) in enumerate(cases):
        text = format_value(v, t)
        calls = [f"result{k}()", f"echo{k}({text})"] + ([f"dump{k}({text})"] if dumpable(t) else [])
        for call in calls:
            ours, theirs = sides.ours(call), sides.theirs(call)
            if ours[:2] != theirs[:2]:
                bad.append((call, ours, theirs))
    assert not bad


# ---- the WAVE grammar's edges ----------------------------------------------------

ACCEPT = list(wd.ACCEPTANCE_CASES) + [(t, [text]) for t, text in wd.ECHO_CASES]


@pytest.fixture(scope="module")
def accept(tools, tmp_path_factory):
    b = Builder()
    for k, (t, _) in enumerate(ACCEPT):
        b.spill_echo(f"echo{k}", t)
    return Sides(tools, tmp_path_factory.mktemp("accept"), b.text())


@pytest.mark.parametrize("k", range(len(ACCEPT)), ids=[str(t) for t, _ in ACCEPT])
def test_we_accept_what_wasmtime_accepts(accept, k):
    """wave/differential.py's edge inputs: accepted by both (and echoed
    alike) or rejected by both (ours one line, exit 2)."""
    for text in ACCEPT[k][1]:
        call = f"echo{k}({text})"
        ours, theirs = accept.ours(call), accept.theirs(call)
        assert (ours[0] == 0) == (theirs[0] == 0), (call, ours, theirs)
        if theirs[0] == 0:
            assert ours[1] == theirs[1], (call, ours, theirs)
        else:
            assert ours[0] == 2 and len(ours[2].splitlines()) == 1, (call, ours)


# ---- string encodings ------------------------------------------------------------

STRINGS = ['""', '"plain"', '"latin1: é ÿ"', '"bmp: ☃ Ā"', r'"astral: \u{1F600} x"']
STRING_TYPES = ["string", List("string"), Record((("n", "string"), ("c", "char"))),
                Option("string")]


@pytest.fixture(scope="module", params=["utf16", "latin1+utf16"])
def encoded(request, tools, tmp_path_factory):
    b = Builder(request.param)
    for k, (t, v) in enumerate(wd.STRING_CASES):
        b.result(f"result{k}", t, v)
    for k, t in enumerate(STRING_TYPES):
        b.spill_echo(f"echo{k}", t)
        b.flat_dump(f"dump{k}", t)
    return Sides(tools, tmp_path_factory.mktemp("enc"), b.text())


def _arg(t, s: str) -> str:
    if t == "string":
        return s
    if isinstance(t, List):
        return f"[{s}, {s}]"
    if isinstance(t, Record):
        return f"{{n: {s}, c: 'é'}}"
    return f"some({s})"


def test_string_encodings_match_wasmtime(encoded):
    """utf16 and latin1+utf16 guests: lifted strings, and lowered ones (the
    transcoder's realloc calls show in the flat dump's pointers)."""
    calls = [f"result{k}()" for k in range(len(wd.STRING_CASES))]
    calls += [f"{f}{k}({_arg(t, s)})" for k, t in enumerate(STRING_TYPES) for s in STRINGS
              for f in ("echo", "dump")]
    bad = [(c, o, t) for c in calls for o, t in [(encoded.ours(c), encoded.theirs(c))] if o[:2] != t[:2]]
    assert not bad


UTF16_FAILURES = [
    ("misaligned", _pair_at_6000(0x6101, 1)),
    ("lone-high", _pair_at_6000(0x6100, 2, b"A\x00\x00\xd8")),
    ("lone-low", _pair_at_6000(0x6100, 1, b"\x00\xdc")),
    ("too-long", _pair_at_6000(0x6100, 0x10000000)),
    ("oob", _pair_at_6000(0xFFF0, 0x10)),
]


@pytest.fixture(scope="module")
def utf16_failures(tools, tmp_path_factory):
    b = Builder("utf16")
    for name, body in UTF16_FAILURES:
        b.raw(name, "string", "i32", body)
    return Sides(tools, tmp_path_factory.mktemp("utf16f"), b.text())


@pytest.mark.parametrize("name", [n for n, _ in UTF16_FAILURES])
def test_utf16_lifting_errors_are_wasmtimes(utf16_failures, name):
    ours, theirs = utf16_failures.ours(f"{name}()"), utf16_failures.theirs(f"{name}()")
    assert (ours[0], ours[1], theirs[0]) == (1, "", 1), (ours, theirs)
    assert ours[2].strip() == "wasmaot: error: " + cause(theirs[2])


# ---- two components: every call through an adapter --------------------------------

def _structural(t) -> bool:
    from wasmaot.frontend.component.types import walk
    return not any(isinstance(x, (Record, Variant, Enum, Flags)) for x in walk(t))


COMPOSED = [(t, args) for t, args in ECHO if _structural(t)]


@pytest.fixture(scope="module")
def composed(tools, tmp_path_factory):
    from wasmaot.frontend.component.types import FuncType

    from .compile.gen import PAD, composed
    b = Builder()
    funcs = []
    for k, (t, _) in enumerate(COMPOSED):
        b.spill_echo(f"echo{k}", t)
        funcs.append((f"echo{k}", FuncType((("x", t), ("pad", PAD)), t)))
        if dumpable(t):
            b.flat_dump(f"dump{k}", t)
            funcs.append((f"dump{k}", FuncType((("x", t),), List("u64"))))
    return Sides(tools, tmp_path_factory.mktemp("composed"), composed(b.text(), funcs))


@pytest.fixture(scope="module")
def composed_random(tools, tmp_path_factory):
    from wasmaot.frontend.component.types import FuncType

    from .compile.gen import PAD, composed
    cases = wd.random_cases(25, keep=_structural)
    b = Builder()
    funcs = []
    for k, (t, _) in enumerate(cases):
        b.spill_echo(f"echo{k}", t)
        funcs.append((f"echo{k}", FuncType((("x", t), ("pad", PAD)), t)))
        b.result(f"result{k}", t, cases[k][1])
        funcs.append((f"result{k}", FuncType((), t)))
    return cases, Sides(tools, tmp_path_factory.mktemp("composed-random"), composed(b.text(), funcs))


def test_random_values_cross_adapters_like_wasmtime(composed_random):
    cases, sides = composed_random
    bad = []
    for k, (t, v) in enumerate(cases):
        for call in (f"echo{k}({format_value(v, t)})", f"result{k}()"):
            ours, theirs = sides.ours(call), sides.theirs(call)
            if ours[:2] != theirs[:2]:
                bad.append((call, ours, theirs))
    assert not bad


@pytest.mark.parametrize("k", range(len(COMPOSED)), ids=[str(t) for t, _ in COMPOSED])
def test_adapters_between_components_match_wasmtime(composed, k):
    """The consumer lowers, the provider lifts: values cross two memories
    (spilled parameters, out-pointer results, strings and lists copied
    through both reallocs) exactly as wasmtime's adapters copy them."""
    t, args = COMPOSED[k]
    for arg in args:
        _same(composed, f"echo{k}({arg})")
        if dumpable(t):
            _same(composed, f"dump{k}({arg})")
