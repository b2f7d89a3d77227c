"""The spec driver (spec-tests/driver/) and the command table
(spec-tests/table.py) on hand-written modules: linking against spectest and
registered instances, unlinkable/uninstantiable modules, traps, exhaustion,
NaN patterns, multi-value and v128 results through trampolines, references,
`either`, modules that fail to compile, and a crashing executable."""
from __future__ import annotations

import re

import pytest

from wasmaot.frontend.text import parse_wast
from wasmaot.spectest import exec as ex
from wasmaot.spectest import runner
from wasmaot.spectest.table import (OP_ASSERT_RETURN, OP_MODULE, OP_REGISTER, build_table,
                                    decode_table)

from .conftest import C_DIR, DATA

FAKES = [C_DIR / "fake_spec_modules.c"]


def fake_compiler(fail=("m8",)):
    def compile_(binary, name, prefix, opts):
        if prefix in fail:
            raise RuntimeError("not supported by the fake compiler")
        return []            # the fakes come in through extra_c
    return compile_


def run_script(path, **opts):
    cmds = parse_wast(path.read_text(), str(path))
    o = runner.Options(mode="exec", **opts)
    return list(ex.execute(cmds, str(path), o, compiler=fake_compiler(), extra_c=FAKES))


def marked_failures(path):
    """Lines the script marks with ';; FAIL'."""
    return {i for i, l in enumerate(path.read_text().splitlines(), 1) if ";; FAIL" in l}


def test_every_command_as_the_script_says():
    path = DATA / "driver.wast"
    results = run_script(path)
    want_fail = marked_failures(path)
    got = {cmd.line: (outcome, detail) for cmd, outcome, detail in results}
    for line, (outcome, detail) in got.items():
        if outcome == "none":
            continue
        assert outcome == ("fail" if line in want_fail else "pass"), (line, outcome, detail)
    assert want_fail <= set(got)
    # specific diagnostics
    assert got[23][1] == "result 0: got i32:0x00000003, expected i32:0x00000004"
    assert "expected trap \"integer divide by zero\", returned" in got[25][1]
    assert "expected f32:nan:canonical" in got[29][1]
    assert got[32][1].startswith("expected 2 results, got 3")
    assert got[38][1] == "result 0: got ref.extern 1, expected ref.extern 2"
    assert got[65][1] == 'expected "unknown import", got incompatible import type "spectest" "table"'
    assert got[68][1].startswith("compile failed: RuntimeError")      # Python's reason wins
    assert got[69][1] == "module unavailable (module not compiled)"


def test_counts_through_the_runner(monkeypatch):
    monkeypatch.setattr(ex, "compile_module", fake_compiler())
    real = ex.driver_sources
    monkeypatch.setattr(ex, "driver_sources", lambda: [*real(), *FAKES])
    res = runner.run_file(str(DATA / "driver.wast"), runner.Options(mode="exec"))
    n_fail = len(marked_failures(DATA / "driver.wast"))
    assert res.failed == n_fail, res.failures
    assert res.passed == 29 and res.skipped == 0
    assert all(re.match(r"driver\.wast:\d+: \w+: ", f) for f in res.failures)
    # the expected-failure list applies in exec mode too
    from wasmaot.spectest.expected_failures import Expected
    monkeypatch.setitem(runner.EXPECTED_FAILURES, ("driver.wast", 23), Expected("test", frozenset({"exec"})))
    monkeypatch.setitem(runner.EXPECTED_FAILURES, ("driver.wast", 22), Expected("test", frozenset({"exec"})))
    res = runner.run_file(str(DATA / "driver.wast"), runner.Options(mode="exec"))
    assert res.xfailed == 1 and res.failed == n_fail       # 23 expected; 22 passes -> unexpected pass
    assert any("unexpected pass" in f for f in res.failures)


def test_crash_fails_the_rest_naming_the_signal():
    results = run_script(DATA / "crash.wast")
    by_line = {c.line: (o, d) for c, o, d in results}
    assert by_line[3] == ("pass", None)
    assert by_line[4] == ("pass", None)
    assert by_line[5][0] == "fail" and "SIGSEGV" in by_line[5][1]
    assert by_line[6][0] == "fail" and by_line[6][1] == "driver crashed: SIGSEGV after line 4"
    assert by_line[7] == ("pass", None)        # assert_malformed needs no execution


def test_timeout(tmp_path):
    w = tmp_path / "t.wast"
    w.write_text('(module (func (export "add") (param i32 i32) (result i32) (local.get 0)))\n'
                 '(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))\n'
                 '(invoke "spin")\n'
                 '(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))\n')
    results = run_script(w, timeout=2)
    assert [(c.line, o) for c, o, _ in results] == [(1, "pass"), (2, "pass"), (3, "fail"), (4, "fail")]
    assert results[3][2] == "timeout after 2s (last result: line 2)"


def test_table_round_trip():
    cmds = parse_wast((DATA / "driver.wast").read_text(), "driver.wast")
    index = {}
    k = 0
    for c in cmds:
        if c.kind in ("module", "assert_unlinkable", "assert_uninstantiable") or \
                (c.kind == "assert_trap" and c.module is not None):
            index[id(c)] = k
            k += 1
    blob = build_table(cmds, index, k)
    ops = decode_table(blob)
    assert len(ops) == sum(1 for c in cmds if c.kind not in ("assert_malformed", "assert_invalid"))
    assert ops[0] == (OP_MODULE, 4)
    assert (OP_REGISTER, 47) in ops
    assert sum(op == OP_ASSERT_RETURN for op, _ in ops) == sum(c.kind == "assert_return" for c in cmds)


def test_table_object_symbols(tmp_path):
    from wasmaot.spectest.table import table_object
    obj = tmp_path / "t.o"
    obj.write_bytes(table_object(build_table([], {}, 3), 3, "x86_64-linux", compiled=[0, 2]))
    import subprocess
    import sys
    # symbols via zig's bundled llvm-nm would need a binary; parse with the runtime tests' reader
    from tests.runtime.test_build import elf_info
    _, machine, defined, undefined = elf_info(obj)
    assert machine == 62
    assert {"wasmaot_spec_table", "wasmaot_spec_table_size", "wasmaot_spec_modules",
            "wasmaot_spec_n_modules"} <= defined
    assert undefined == {"m0_module", "m2_module"}      # m1 did not compile: NULL, no symbol


def test_a_module_that_does_not_link_fails_alone(tmp_path):
    """m1's object references a symbol nobody defines: only m1's commands fail."""
    from wasmaot.backends.link import compile_host_c
    (tmp_path / "m0.c").write_text(
        '#include "wasmaot_rt.h"\n'
        'static void t_add(void *i, uint64_t *s) { (void)i; s[0] = (uint32_t)(s[0] + s[1]); }\n'
        'static const wasmaot_export_desc ex[] = {{"add", WASMAOT_EXTERN_FUNC, 0, "(i32,i32)->(i32)", t_add, 3}};\n'
        'static int inst(void *i) { (void)i; return 0; }\n'
        'const wasmaot_module_desc m0_module = {WASMAOT_RT_ABI_VERSION, 32, 0, 1, 0, ex, inst};\n')
    (tmp_path / "m1.c").write_text(
        '#include "wasmaot_rt.h"\n'
        'extern int undefined_symbol_for_test(void);\n'
        'static int inst(void *i) { (void)i; return undefined_symbol_for_test(); }\n'
        'const wasmaot_module_desc m1_module = {WASMAOT_RT_ABI_VERSION, 16, 0, 0, 0, 0, inst};\n')
    objs = {p: [compile_host_c(tmp_path / f"{p}.c")] for p in ("m0", "m1")}
    w = tmp_path / "t.wast"
    w.write_text('(module (func (export "add") (param i32 i32) (result i32) (local.get 0)))\n'
                 '(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))\n'
                 '(module (func (export "f")))\n'
                 '(assert_return (invoke "f"))\n')
    cmds = parse_wast(w.read_text(), str(w))
    results = list(ex.execute(cmds, str(w), runner.Options(mode="exec"),
                              compiler=lambda b, n, prefix, o: objs[prefix]))
    got = [(c.line, o) for c, o, _ in results]
    assert got == [(1, "pass"), (2, "pass"), (3, "fail"), (4, "fail")]
    assert "undefined_symbol_for_test" in results[2][2]
    assert results[3][2] == "module unavailable (module not compiled)"
