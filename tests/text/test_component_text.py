"""Components in the text format (issue 13, "Input"): our parser against
wasm-tools, field kind by field kind, and on every .wast of the component
suites (byte-identical binaries; see tests/text/component/)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from wasmaot.frontend.errors import MalformedError
from wasmaot.frontend.text import CValue, parse_component_text, parse_wast, parse_wat
from wasmaot.frontend.text.script import (
    AssertInvalid,
    AssertMalformed,
    ComponentCommand,
    ComponentDefinition,
    ComponentSource,
)
from tests.component.util import wasm_tools

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "component"))
from difftool import SHARED as _SHARED, compare_file, strip_custom, suite_files
from known_differences import KNOWN, KNOWN_FILES

SHARED = str(_SHARED) + "/"


def wasm_tools_parse(text: str, tmp_path) -> bytes:
    src = tmp_path / "c.wat"
    src.write_text(text)
    out = tmp_path / "c.wasm"
    subprocess.run([wasm_tools(), "parse", str(src), "-o", str(out)], check=True)
    return out.read_bytes()


# ----------------------------------------------------------------------------
# every field kind: identical bytes to `wasm-tools parse`
# ----------------------------------------------------------------------------

FIELDS = {
    "empty": "(component)",
    "named": "(component $c)",
    "core module": '(component (core module $m (func (export "f") (result i32) i32.const 1)))',
    "core instance": '''(component
        (core module $m (func (export "f")))
        (core instance $i (instantiate $m))
        (core module $n (import "a" "f" (func)))
        (core instance (instantiate $n (with "a" (instance $i))))
        (core instance $b (export "g" (func $i "f")))
        (core instance (instantiate $n (with "a" (instance (export "f" (func $i "f")))))))''',
    "core type": '''(component
        (core type $f (func (param i32 i64) (result f32)))
        (core type $m (module
            (type $t (func (param i32)))
            (import "a" "b" (func (type $t)))
            (import "a" "c" (func (param i32)))
            (import "a" "d" (func (param f64)))
            (import "a" "mem" (memory 1 2))
            (import "a" "tab" (table 1 funcref))
            (import "a" "g" (global (mut i32)))
            (export "e" (func (param f64)))
            (alias outer 1 $f (type $ff))
            (export "x" (func (type $ff))))))''',
    "nested component": '''(component $outer
        (type $t u32)
        (component $inner
            (type $u (list $t))
            (component $deeper (alias outer $outer $t (type $tt)) (type (option $tt)))))''',
    "instance": '''(component
        (component $c (import "f" (func)) (export "g" (func 0)))
        (import "h" (func $h))
        (instance $i (instantiate $c (with "f" (func $h))))
        (instance $j (export "a" (func $h)) (export "b" (instance $i)))
        (instance (instantiate $c (with "f" (func $i "g"))))
        (instance (instantiate $c (with "f" (instance (export "x" (func $h)))))))''',
    "alias": '''(component
        (import "i" (instance $i (export "f" (func)) (export "t" (type (sub resource)))
                                 (export "n" (instance (export "g" (func))))))
        (alias export $i "f" (func $f))
        (alias export $i "t" (type $t))
        (func $g (alias export $i "f"))
        (core module $m (memory (export "mem") 1) (func (export "r") (param i32 i32 i32 i32) (result i32) i32.const 0))
        (core instance $ci (instantiate $m))
        (alias core export $ci "mem" (core memory $mem))
        (core func $r (alias core export $ci "r"))
        (core func (canon lower (func $i "n" "g")))
        (type $x u8)
        (component (alias outer 1 $x (type)) (alias outer 1 0 (type))))''',
    "value types": '''(component
        (type $r (record (field "a" u32) (field "b" string) (field "c" (list u8))))
        (type $v (variant (case "a") (case "b" s64) (case $c "c" (tuple u8 char))))
        (type (list $r))
        (type (list u8 4))
        (type (tuple bool s8 u16 s16 u32 s32 u64 f32 f64))
        (type (flags "x" "y" "z"))
        (type (enum "a" "b"))
        (type (option (option $v)))
        (type (result))
        (type (result u32))
        (type (result (error string)))
        (type (result u32 (error $r)))
        (type $res (resource (rep i32)))
        (type (own $res))
        (type (borrow $res))
        (type string))''',
    "func/component/instance types": '''(component
        (type $f (func (param "a" u32) (param "b" (list string)) (result (option u8))))
        (type (func))
        (type $ct (component
            (import "x" (func (type $f)))
            (type $s string)
            (import "y" (instance (export "z" (func (param "p" $s)))))
            (export "w" (func (result u32)))
            (core type (module))))
        (type $it (instance
            (export "r" (type $r (sub resource)))
            (export "m" (func (param "self" (borrow $r))))
            (alias outer 1 $f (type $g))
            (export "n" (func (type $g))))))''',
    "resources and canon": '''(component
        (core module $m
          (memory (export "mem") 1)
          (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 0)
          (func (export "dtor") (param i32))
          (func (export "f") (param i32 i32) (result i32) i32.const 0)
          (func (export "post") (param i32)))
        (core instance $i (instantiate $m))
        (type $r (resource (rep i32) (dtor (core func $i "dtor"))))
        (core func (canon resource.new $r))
        (core func (canon resource.drop $r))
        (core func (canon resource.rep $r))
        (canon resource.drop $r (core func $d))
        (func (export "f") (param "s" string) (result string)
          (canon lift (core func $i "f") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))
                      string-encoding=utf16 (post-return (core func $i "post"))))
        (import "g" (func $g (param "s" string)))
        (core func (canon lower (func $g) string-encoding=latin1+utf16
                                (memory (core memory $i "mem"))))
        (canon lower (func $g) string-encoding=utf8 (memory (core memory $i "mem")) (core func $low))
        (canon lift (core func $i "f") (memory (core memory $i "mem")) (realloc (core func $i "realloc")) (func $lifted (param "a" string) (result u32))))''',
    "import and export": '''(component
        (import "wasi:cli/run@0.2.0" (instance $run (export "run" (func (result (result))))))
        (import "f" (func $f (param "x" u32)))
        (import "c" (component $c (import "a" (func)) (export "b" (func))))
        (import "m" (core module $m (export "f" (func))))
        (import "t" (type $t (sub resource)))
        (import "e" (type (eq $t)))
        (func (import "f2") (param "y" u32))
        (export "f-out" (func $f))
        (export $fe "f-typed" (func $f) (func (param "x" u32)))
        (export "t-out" (type $t))
        (export "m-out" (core module $m))
        (func $h (export "h1") (export "h2") (alias export $run "run"))
        (instance (export "inst") (export "f" (func $f)))
        (type (export "ty") u8))''',
    "names of every sort": '''(component $top
        (core module $cm)
        (core instance $ci (instantiate $cm))
        (core type $ct (func))
        (type $t u8)
        (import "i" (instance $ii (export "f" (func))))
        (alias export $ii "f" (func $ff))
        (core func $cf (canon lower (func $ff)))
        (component $cc))''',
    "custom section": '''(component (@custom "hello" "world") (type u8) (@custom "x" ""))''',
    "name attributes": '''(component
        (import "a" (implements "a:b/c") (instance))
        (import "b" (external-id "id") (func))
        (import "c" (implements "a:b/c@1.0.0") (external-id "z") (instance)))''',
    "many types (s33 type indices)": "(component (type $t0 u8) {})".format(" ".join(
        f"(type $t{i} (list $t{i - 1}))" for i in range(1, 140))),
}


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_field_kind_same_bytes_as_wasm_tools(name, tmp_path):
    text = FIELDS[name]
    want = wasm_tools_parse(text, tmp_path)
    assert parse_component_text(text) == want


def test_parse_wat_takes_a_component(tmp_path):
    text = FIELDS["alias"]
    assert parse_wat(text) == wasm_tools_parse(text, tmp_path)


def test_output_is_a_component_our_reader_decodes():
    from wasmaot.frontend.component import load_component
    b = parse_component_text(FIELDS["resources and canon"])
    assert b[:8] == b"\0asm\x0d\x00\x01\x00"
    load_component(b, "x.wasm")            # decodes and validates


def test_strip_custom_removes_nested_custom_sections():
    b = parse_component_text('(component $c (core module $m (func $f)) (component $d))')
    s = strip_custom(b)
    assert b"component-name" in b and b"component-name" not in s
    assert b"name" not in s[8:] and len(s) < len(b)


# ----------------------------------------------------------------------------
# errors: one line, at the offending token
# ----------------------------------------------------------------------------

ERRORS = [
    ("(component (type $t u32) (type (list $nope)))", 1, 38, "failed to find name `nope`"),
    ("(component\n  (type $t u8)\n  (type $t u8))", 3, 3, "duplicate type identifier $t"),
    ("(component (frob))", 1, 13, "frob"),
    ("(component (core frob))", 1, 18, "frob"),
    ("(component (import \"f\" (func (param u32))))", 1, 37, "unexpected token u32"),
    ("(component\n (import \"x\" (func $x))\n (component (export \"x\" (func $x))))", 3, 31,
     "outer item `$x` is not a module, type, or component"),
    ("(component (type (stream u8)))", 1, 19, "unsupported: stream (component model async)"),
    ("(component (core func (canon task.return)))", 1, 30, "unsupported: canon task.return"),
    ("(component (type (record (field \"a\"))))", 1, 36, "unexpected token )"),
    ("(component (alias outer $nope 0 (type)))", 1, 12, "outer component `nope` not found"),
    ("(component (type u8)", 1, 1, "unclosed parenthesis"),
]


@pytest.mark.parametrize("text,line,col,msg", ERRORS)
def test_errors_name_line_and_column(text, line, col, msg):
    with pytest.raises(MalformedError) as ei:
        parse_component_text(text, "c.wat")
    e = ei.value
    assert msg in str(e)
    assert (e.line, e.col) == (line, col)
    assert "\n" not in str(e) and str(e).startswith("c.wat:")


# ----------------------------------------------------------------------------
# scripts
# ----------------------------------------------------------------------------

SCRIPT = '''
(component definition $C
  (import "f" (func (param "x" u32))))
(component instance $i $C)
(component $D)
(assert_invalid (component (type (own 0))) "not a resource")
(assert_malformed (component quote "(type $t u8) (type $t u8)") "duplicate")
(assert_return (invoke "f" (u32.const 7) (s8.const -1) (str.const "hi") (char.const "⛳")
                            (bool.const true) (list.const (u8.const 1) (u8.const 2))
                            (record.const (field "a" (u32.const 1)) (field "b" str.const "v"))
                            (variant.const "c" (s64.const -5)) (variant.const "d")
                            (enum.const "red") (flags.const "x" "z") (tuple.const (f32.const 1))
                            (option.none) (option.some (u16.const 9))
                            (result.ok) (result.err (str.const "e")))
               (u64.const 18446744073709551615))
'''


def test_script_component_forms():
    cmds = parse_wast(SCRIPT, "s.wast")
    assert isinstance(cmds[0], ComponentDefinition) and cmds[0].component.name == "$C"
    assert isinstance(cmds[1], ComponentCommand) and cmds[1].name == "$i"
    assert cmds[1].component is cmds[0].component
    assert isinstance(cmds[2], ComponentCommand) and cmds[2].name == "$D"
    assert isinstance(cmds[3], AssertInvalid) and isinstance(cmds[3].module, ComponentSource)
    assert cmds[3].module.to_binary()[:8] == b"\0asm\x0d\x00\x01\x00"
    assert isinstance(cmds[4], AssertMalformed)
    with pytest.raises(MalformedError, match="duplicate"):
        cmds[4].module.to_binary()


def test_script_component_values():
    action = parse_wast(SCRIPT, "s.wast")[5].action
    args = action.args
    assert args[0] == CValue("u32", 7) and args[1] == CValue("s8", -1)
    assert args[2] == CValue("str", "hi") and args[3] == CValue("char", "⛳")
    assert args[4] == CValue("bool", True)
    assert args[5] == CValue("list", (CValue("u8", 1), CValue("u8", 2)))
    assert args[6] == CValue("record", (("a", CValue("u32", 1)), ("b", CValue("str", "v"))))
    assert args[7] == CValue("variant", ("c", CValue("s64", -5)))
    assert args[8] == CValue("variant", ("d", None))
    assert args[9] == CValue("enum", "red") and args[10] == CValue("flags", ("x", "z"))
    assert args[11].type == "tuple" and args[11].value[0].value == 0x3F800000
    assert args[12] == CValue("option", None)
    assert args[13] == CValue("option", CValue("u16", 9))
    assert args[14] == CValue("result", ("ok", None))
    assert args[15] == CValue("result", ("err", CValue("str", "e")))
    ret = parse_wast(SCRIPT, "s.wast")[5].expected
    assert ret == (CValue("u64", 2**64 - 1),)


@pytest.mark.parametrize("bad,msg", [
    ('(invoke "f" (u8.const 256))', "constant out of range"),
    ('(invoke "f" (bool.const yes))', "unexpected token yes"),
    ('(invoke "f" (char.const "ab"))', "exactly one character"),
    ('(component instance $i $Nope)', "unknown component definition $Nope"),
])
def test_script_errors(bad, msg):
    with pytest.raises(MalformedError, match=msg.replace("$", r"\$")):
        parse_wast(bad, "s.wast")


def test_spectest_frontend_mode_counts_component_scripts(tmp_path):
    """Frontend-only mode (run_file's default) checks the component
    commands and definitions (5) and skips the one call, as for modules;
    execution is tests/spectest/test_component_suites.py's."""
    from wasmaot.spectest.runner import run_file
    p = tmp_path / "c.wast"
    p.write_text(SCRIPT)
    res = run_file(str(p))
    assert res.unsupported is None
    assert (res.passed, res.failed, res.skipped) == (5, 0, 1)


# ----------------------------------------------------------------------------
# the suites: every component byte-identical to wasm-tools json-from-wast
# ----------------------------------------------------------------------------

SUITE = suite_files()


@pytest.mark.skipif(not SUITE, reason="the component suites are not in ../shared")
@pytest.mark.parametrize("path", SUITE, ids=lambda p: p.replace(SHARED, ""))
def test_suite_same_bytes_as_wasm_tools(path):
    wasm_tools()
    rel = path.replace(SHARED, "")
    r = compare_file(path)
    if rel in KNOWN_FILES:
        assert r.error is not None, f"fixed: unlist {rel} from KNOWN_FILES"
        return
    assert r.error is None, r.error
    problems = {int(p.split(":")[0]): p for p in r.problems}
    listed = {line for (f, line) in KNOWN if f == rel}
    unexpected = [p for line, p in problems.items() if line not in listed]
    fixed = sorted(listed - problems.keys())
    assert not unexpected, unexpected
    assert not fixed, f"fixed: unlist lines {fixed} of {rel} from KNOWN"


# ----------------------------------------------------------------------------
# the component tests' corpus (read only): same bytes, same `inspect` text
# ----------------------------------------------------------------------------

CORPUS = os.path.join(os.path.dirname(__file__), "..", "component", "corpus")
CORPUS_WAT = sorted(f for f in os.listdir(CORPUS) if f.endswith(".wat"))


@pytest.mark.parametrize("name", CORPUS_WAT)
def test_corpus_same_bytes_as_wasm_tools(name, tmp_path):
    with open(os.path.join(CORPUS, name), encoding="utf-8") as f:
        text = f.read()
    assert parse_wat(text, name) == wasm_tools_parse(text, tmp_path)


def test_inspect_names_come_from_our_name_section():
    from wasmaot.frontend.component import inspect_component
    with open(os.path.join(CORPUS, "rich.wat"), encoding="utf-8") as f:
        got = inspect_component(parse_wat(f.read(), "rich.wat"), "rich.wasm")
    with open(os.path.join(CORPUS, "rich.inspect.txt"), encoding="utf-8") as f:
        assert got + "\n" == f.read()
