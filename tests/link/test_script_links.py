"""The spec runner's compile-time links (spec-tests/links.py,
backends/llvm/script_links.py): which module each import of a .wast script
resolves to, replayed from the script's register/name rules, and the direct
calls that makes in the emitted LLVM; the scripts still run as before."""
from __future__ import annotations

import pytest

from wasmaot.backends import CompileOptions, compile_ir, get_target
from wasmaot.backends.codegen import split_module
from wasmaot.compile import compile_bytes
from wasmaot.frontend.text import parse_wast
from wasmaot.ir.translate import translate_module
from wasmaot.spectest import exec as ex
from wasmaot.spectest import runner
from wasmaot.spectest.links import script_links

SCRIPT = r"""(module $A
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "sub") (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
  (func (export "boom") unreachable))
(register "A" $A)
(assert_trap (module (import "A" "boom" (func)) (start 0)) "unreachable")
(module $B
  (import "A" "add" (func $add (param i32 i32) (result i32)))
  (import "A" "sub" (func (param i32 i32) (result i32)))
  (import "spectest" "print_i32" (func (param i32)))
  (export "sub" (func 1))
  (func (export "twice") (param i32) (result i32) (call $add (local.get 0) (local.get 0))))
(assert_return (invoke "twice" (i32.const 21)) (i32.const 42))
(register "B" $B)
(module
  (import "B" "sub" (func $sub (param i32 i32) (result i32)))
  (func (export "neg") (param i32) (result i32) (call $sub (i32.const 0) (local.get 0))))
(assert_return (invoke "neg" (i32.const 5)) (i32.const -5))
(module $C (func (export "add") (param i32 i32) (result i32) (i32.mul (local.get 0) (local.get 1))))
(register "A")
(module
  (import "A" "add" (func $add (param i32 i32) (result i32)))
  (func (export "f") (result i32) (call $add (i32.const 6) (i32.const 7))))
(assert_return (invoke "f") (i32.const 42))
(assert_unlinkable (module (import "B" "twice" (func (param i64)))) "incompatible import type")
(assert_unlinkable (module (import "B" "nope" (func))) "unknown import")
"""
# The last two are left to the driver, not bound: a signature mismatch and
# an unknown export.


def links_of(text):
    cmds = parse_wast(text, "t.wast")
    loaded = ex._load_modules(cmds, [ex._Slot() for _ in cmds])
    return cmds, loaded, script_links(cmds, {i: m for i, (m, _) in loaded.items()})


def test_resolution_follows_the_script():
    _, _, links = links_of(SCRIPT)
    # module 1 (start = A's "boom"), module 2 ($B): add, sub -> $A;
    # print_i32 is the host's; module 3: B's re-exported "sub" -> defined
    # in $A; module 5: "A" re-registered to $C (module 4)
    assert links.calls == {1: {0: (0, 2)}, 2: {0: (0, 0), 1: (0, 1)}, 3: {0: (0, 1)},
                           5: {0: (4, 0)}}
    assert links.visible == {0: {0, 1, 2}, 4: {0}}
    assert links.for_module(3, {0, 1, 2}).calls == ((0, "m0", 1, False),)   # m0: no tail calls
    assert links.for_module(3, {1, 2}) is None         # $A failed to compile: no call
    assert links.deps(2) == {0}


def test_failed_module_and_names_with_nul_bind_nothing():
    _, _, links = links_of('(module $M (func (result i32)))\n(register "M" $M)\n'
                           '(module (import "M" "f" (func)))\n')
    assert links.calls == {}
    _, _, links = links_of('(module $M (func (export "f")))\n(register "M\\00x" $M)\n'
                           '(module (import "M" "f" (func)))\n')
    assert links.calls == {}


def test_direct_calls_in_the_llvm():
    _, loaded, links = links_of(SCRIPT)
    cc = get_target("x86_64-linux").internal_cc
    text = {}
    for k in (0, 2, 3):
        opts = CompileOptions(prefix=f"m{k}", links=links.for_module(k, set(range(6))))
        text[k] = compile_bytes(loaded[k][1], "t.wast", opts, emit="llvm").data
    assert f"define hidden {cc} i32 @m0.f0(" in text[0]
    assert f"define hidden {cc} i32 @m0.f1(" in text[0]
    assert f"call {cc} i32 @m0.f0(" in text[2]
    assert f"call {cc} i32 @m0.f1(" in text[3]
    assert "@m0." not in compile_bytes(loaded[2][1], "t.wast", CompileOptions(prefix="m2"),
                                       emit="llvm").data          # no links: slot calls


def test_partitioning_keeps_callees_visible():
    """backends/codegen.py splits big modules, making cross-partition
    symbols hidden: it must leave ours hidden, not internal."""
    _, loaded, links = links_of(SCRIPT)
    cc = get_target("x86_64-linux").internal_cc
    opts = CompileOptions(prefix="m0", links=links.for_module(0, {0}))
    src = compile_ir(translate_module(loaded[0][0]), opts).source
    parts = split_module(src, part_bytes=200)
    assert len(parts) > 1
    for fn in (0, 1, 2):
        assert sum(f"define hidden {cc} i32 @m0.f{fn}(" in p.text
                   or f"define hidden {cc} void @m0.f{fn}(" in p.text for p in parts) == 1


def test_the_script_runs(tmp_path):
    w = tmp_path / "t.wast"
    w.write_text(SCRIPT)
    res = runner.run_file(str(w), runner.Options(mode="exec"))
    assert res.failed == 0, res.failures
    assert res.passed == 11


@pytest.mark.parametrize("name", ["linking.wast", "imports.wast"])
def test_spec_linking_scripts(suite, name):
    res = runner.run_file(str(suite / name), runner.Options(mode="exec"))
    assert res.failed == 0 and res.skipped == 0, res.failures
    assert res.passed > 100
