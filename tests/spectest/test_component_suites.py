"""The component model's own test suite (../shared/component-model-tests/test)
and wasmtime's component tests (../shared/wasmtime-misc-tests/component-model),
executed by the real `wasmaot spectest -r` (issue 13): every component is
compiled and linked with the component driver, every action runs.

Each suite must show 0 failures outside the one explicit list
(spec-tests/component_expected.py, each entry with its reason; a listed
command that passes fails the run), a lower bound of passed commands, and
every .wast file accounted for (run, or unsupported with the proposal
named).  The unit tests below check the pieces the runs rely on: value
encoding, trap classes, the driver's output protocol, and that the list
can fail.
"""
import os
import pathlib
import re
import subprocess
import sys

import pytest
from wasmaot.frontend.component.types import (
    Enum,
    Flags,
    List,
    Option,
    Record,
    Result,
    Variant,
)
from wasmaot.frontend.text.script import CValue
from wasmaot.spectest import component_exec, component_expected
from wasmaot.spectest.expected_failures import Expected

SHARED = pathlib.Path(__file__).resolve().parents[2].parent / "shared"
SUMMARY = re.compile(r"(\d+) passed, (\d+) failed, (\d+) skipped")
XFAILED = re.compile(r"\((\d+) expected failures\)")
# suite folder -> (min passed executed, min passed frontend-only); measured
# 2026-12: 1015 / 716 (component model), 295 / 180 (wasmtime).
SUITES = {"component-model-tests/test": (1000, 700), "wasmtime-misc-tests/component-model": (280, 175)}


def _suite(rel: str) -> pathlib.Path:
    root = SHARED / rel
    if not root.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"component test suite not found at {root}")
        pytest.skip(f"component test suite not found at {root}")
    return root


def _run(root: pathlib.Path, *extra, timeout=1200):
    cmd = [sys.executable, "-m", "wasmaot", "spectest", "-r", "-j", "2", *extra, str(root)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    lines = r.stdout.strip().splitlines()
    m = SUMMARY.fullmatch(lines[-1] if lines else "")
    assert m, r.stdout[-3000:] + r.stderr[-3000:]
    return r, lines, tuple(map(int, m.groups()))


def _check(root, r, lines, counts, min_passed):
    passed, failed, _ = counts
    assert failed == 0, "\n".join(l for l in lines if not l.startswith(("ok", "skip")))
    assert r.returncode == 0
    files = sorted(root.rglob("*.wast"))
    ran = [l for l in lines if l.startswith(("ok  ", "FAIL"))]
    unsupported = [l for l in lines if l.startswith("skip ")]
    assert len(ran) + len(unsupported) == len(files)
    for line in unsupported:
        assert re.match(r"skip \S+\.wast: unsupported: \S", line), line
    assert passed >= min_passed, counts
    xf = [int(m.group(1)) for l in lines if (m := XFAILED.fullmatch(l))]
    assert xf and xf[0] > 0          # the listed commands ran and failed


@pytest.mark.parametrize("rel", SUITES)
def test_executed(rel):
    root = _suite(rel)
    r, lines, counts = _run(root)
    _check(root, r, lines, counts, SUITES[rel][0])
    # the executed actions are counted: far more than frontend-only mode
    assert counts[0] > SUITES[rel][1]


@pytest.mark.parametrize("rel", SUITES)
def test_frontend_only(rel):
    root = _suite(rel)
    r, lines, counts = _run(root, "--frontend-only")
    _check(root, r, lines, counts, SUITES[rel][1])


def test_listed_entries_point_at_commands():
    """No stale entry: each names a file (or folder) of a suite and a line
    where a command starts."""
    for (rel, line), e in component_expected.LISTED.items():
        assert e.reason
        p = SHARED / rel
        if not SHARED.is_dir():
            pytest.skip(f"the suites are not in {SHARED}")
        if rel.endswith("/"):
            assert p.is_dir(), rel
            continue
        assert p.is_file(), rel
        if line is not None:
            assert p.read_text().splitlines()[line - 1].lstrip().startswith("("), (rel, line)


def test_listed_command_that_passes_fails(tmp_path, monkeypatch):
    from wasmaot.spectest import runner
    d = tmp_path / "component-model-tests" / "test"
    d.mkdir(parents=True)
    w = d / "t.wast"
    w.write_text('(component)\n'
                 '(assert_invalid (component (core module) (core module) (export "a" (core module 0))'
                 ' (export "a" (core module 1))) "duplicate")\n'
                 '(assert_invalid (component) "never")\n')
    rel = "component-model-tests/test/t.wast"
    monkeypatch.setitem(component_expected.LISTED, (rel, 3), Expected("test"))
    res = runner.run_file(str(w))
    assert (res.passed, res.failed, res.xfailed) == (2, 0, 1), res.failures
    monkeypatch.setitem(component_expected.LISTED, (rel, 2), Expected("test"))
    res = runner.run_file(str(w))
    assert res.failed == 1 and "unexpected pass" in res.failures[0]


def test_host_values_as_wave():
    rec = Record((("a", "u8"), ("b", Option("string"))))
    v = CValue("record", (("a", CValue("u8", 7)), ("b", CValue("option", CValue("str", "x")))))
    ft = type("FT", (), {"params": (("r", rec), ("l", List("s32"))), "result": None})
    lst = CValue("list", (CValue("s32", -1), CValue("s32", 2)))
    assert component_exec._wave_call("f", (v, lst), ft) == 'f({a: 7, b: some("x")}, [-1, 2])'
    assert component_exec._wave_result((), ft) == "()"
    res = Result("u32", None)
    assert component_exec.host_value(CValue("result", ("err", None)), res).label == "err"
    var = Variant((("x", None), ("y", "bool")))
    assert component_exec.host_value(CValue("variant", ("y", CValue("bool", True))), var).value is True
    assert component_exec.host_value(CValue("flags", ("p",)), Flags(("p", "q"))) == frozenset({"p"})
    assert component_exec.host_value(CValue("enum", "q"), Enum(("p", "q"))) == "q"
    assert component_exec.host_value(CValue("f32", 0x3FC00000), "f32") == 1.5
    with pytest.raises(ValueError, match="takes 2 arguments"):
        component_exec._wave_call("f", (v,), ft)


def test_trap_classes():
    m = component_exec.trap_matches
    assert m("unreachable", "wasm trap: unreachable")
    assert m("wasm trap: unaligned pointer", "wasm trap: realloc return: result not aligned")
    assert m("string content out-of-bounds",
             "wasm trap: string pointer/length out of bounds of memory")
    assert m("invalid variant discriminant", "wasm trap: discriminant 3 out of range [0..3)")
    assert not m("unaligned pointer", "wasm trap: unreachable")
    assert not m("unknown handle index 1", "wasmaot: error: unknown handle index 2")


def test_driver_protocol():
    out = ("@@instantiate 0\n@@call 1\n42\n@@done 1 0\n@@call 2\nwasm trap: unreachable\n"
           "@@done 2 134\n@@call 3\nwasm trap: invalid `char` bit pattern\n")
    done = component_exec._parse(out, 4)
    assert done[0] == (0, "42") and done[1] == (134, "wasm trap: unreachable")
    assert done["died_at"] == 2 and "char" in done["tail"]
    done = component_exec._parse("@@instantiate 134 wasm trap: unreachable\n", 1)
    assert done["died_at"] == 0 and "unreachable" in done["tail"]
    done = component_exec._parse("@@exit SIGSEGV\n", 1)
    assert done == {"died_at": 0, "tail": "the process died while instantiating (SIGSEGV)"}
