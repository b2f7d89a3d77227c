"""wasmtime's own regression .wast tests (../shared/wasmtime-misc-tests, see
its SOURCE), through the real `wasmaot spectest -r --harness wasmtime`.

Every core (non-component) file is given to the runner.  Those whose `;;!`
header needs only what we support run, frontend-only and executed in both
bounds modes, and must show 0 failures outside the explicit list in
spec-tests/wasmtime_misc.py (each entry with its reason; a listed case that
passes fails the run).  The others must be reported as unsupported with the
proposal named, one line each, never dropped silently: both sets are
recounted here from the headers by a plain regex, independently of the
runner.
"""
import os
import pathlib
import re
import subprocess
import sys

import pytest

from wasmaot.spectest import wasmtime_misc
from wasmaot.spectest.expected_failures import Expected

MISC = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "wasmtime-misc-tests"
SUMMARY = re.compile(r"(\d+) passed, (\d+) failed, (\d+) skipped")
# Feature names of wasmtime's test headers that we support (Wasm 2.0 has
# them; tail calls, multi-memory, memory64, relaxed SIMD, typed function references and
# exceptions from Wasm 3.0; wide arithmetic and custom page sizes).  Kept apart from the
# runner's own map, so the file counts below check it.
SUPPORTED = {"simd", "reference_types", "bulk_memory", "multi_value", "extended_const",
             "hogs_memory", "branch_hinting", "tail_call", "wide_arithmetic", "multi_memory",
             "memory64", "relaxed_simd", "custom_page_sizes", "function_references",
             "exceptions"}


@pytest.fixture(scope="module")
def misc() -> pathlib.Path:
    if not MISC.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"wasmtime's regression tests not found at {MISC}")
        pytest.skip(f"wasmtime's regression tests not found at {MISC}")
    return MISC


def _core_files(root: pathlib.Path) -> list[pathlib.Path]:
    return sorted(p for p in root.rglob("*.wast")
                  if not p.relative_to(root).parts[0].startswith("component-model"))


def _features(p: pathlib.Path) -> set[str]:
    """The features a file needs: its header's, but not the gc of the files
    whose gc header is only wasmtime's configuration (GC_HEADER_ONLY)."""
    fs = set(re.findall(r"^;;!\s*(\w+)\s*=\s*true", p.read_text(errors="replace"), re.M))
    if wasmtime_misc.suite_path(str(p)) in wasmtime_misc.GC_HEADER_ONLY:
        fs.discard("gc")
    return fs


def _run(misc, *extra, timeout=1500, tmp_path=None):
    cmd = [sys.executable, "-m", "wasmaot", "spectest", "-r", "--harness", "wasmtime",
           "--exclude", "component-model*", *extra, str(misc)]
    env = dict(os.environ)
    if tmp_path is not None:
        env["WASMAOT_CACHE_DIR"] = str(tmp_path / "cache")
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    lines = r.stdout.strip().splitlines()
    m = SUMMARY.fullmatch(lines[-1] if lines else "")
    assert m, r.stdout[-3000:] + r.stderr[-3000:]
    return r, lines, tuple(map(int, m.groups()))


def _check_run(misc, r, lines, counts, min_passed):
    passed, failed, skipped = counts
    assert failed == 0, "\n".join(l for l in lines if not l.startswith(("ok", "skip")))
    assert r.returncode == 0
    files = _core_files(misc)
    runnable = [p for p in files if _features(p) <= SUPPORTED]
    ran = [l for l in lines if l.startswith(("ok  ", "FAIL"))]
    unsupported = [l for l in lines if l.startswith("skip ")]
    assert len(ran) == len(runnable) >= 76, (len(ran), len(runnable))
    assert len(ran) + len(unsupported) == len(files)
    for line in unsupported:
        assert re.match(r"skip \S+\.wast: unsupported: \S", line), line
    assert any("threads and atomics" in l for l in unsupported)
    assert any("garbage collection (Wasm 3.0)" in l for l in unsupported)
    assert not any("exception handling" in l for l in unsupported)
    assert passed >= min_passed, counts


def test_frontend_only(misc):
    r, lines, counts = _run(misc, "--frontend-only", "-j", "2", timeout=600)
    _check_run(misc, r, lines, counts, min_passed=150)


@pytest.mark.parametrize("bounds", ["guard", "explicit"])
def test_executed(misc, bounds, tmp_path):
    r, lines, counts = _run(misc, "--bounds", bounds, "-O2", tmp_path=tmp_path)
    # every assert_return / assert_trap of the files that run was counted
    runnable = [p for p in _core_files(misc) if _features(p) <= SUPPORTED]
    n_asserts = sum(len(re.findall(r"^\s*\(assert_(?:return|trap)\b", p.read_text(), re.M))
                    for p in runnable)
    xfailed = [int(m.group(1)) for l in lines if (m := re.fullmatch(r"\((\d+) expected failures\)", l))]
    _check_run(misc, r, lines, counts, min_passed=n_asserts - sum(xfailed))
    assert n_asserts > 500


def test_expected_entries_point_at_commands(misc):
    """No stale entry: each names a runnable file and a line where a command starts."""
    for (rel, line), e in wasmtime_misc.EXPECTED.items():
        p = misc / rel
        assert p.is_file(), rel
        assert _features(p) <= SUPPORTED, f"{rel} does not run, its entry can never apply"
        assert e.reason
        if line is not None:
            assert p.read_text().splitlines()[line - 1].lstrip().startswith("("), (rel, line)


def test_feature_headers():
    text = ";;! simd = true\n;;! bulk_memory = false\n;;! exceptions = true\n(module)\n"
    assert wasmtime_misc.required_features(text) == ["simd", "exceptions"]
    assert wasmtime_misc.unsupported_reason(text) is None         # exceptions are implemented
    assert wasmtime_misc.unsupported_reason(";;! gc = true\n;;! exceptions = true\n") == \
        "garbage collection (Wasm 3.0)"
    assert wasmtime_misc.unsupported_reason(";;! tail_call = true\n(module)\n") is None
    assert wasmtime_misc.unsupported_reason(";;! simd = true\n") is None
    assert "unknown wasmtime feature frob" in wasmtime_misc.unsupported_reason(";;! frob = true\n")
    assert wasmtime_misc.unsupported_reason(";;! component_model_async = true\n") == \
        "the component model"


def test_runner_expected_list_can_fail(tmp_path, monkeypatch):
    """A listed case that passes, and a whole-file entry for a file that
    passes, are failures; a listed failing case is an expected failure."""
    from wasmaot.spectest import runner
    d = tmp_path / "wasmtime-misc-tests" / "sub"
    d.mkdir(parents=True)
    w = d / "t.wast"
    w.write_text('(module (func (export "f")))\n'
                 '(assert_invalid (module (func (result i32))) "type mismatch")\n'
                 '(assert_invalid (module (func)) "type mismatch")\n')
    monkeypatch.setitem(wasmtime_misc.EXPECTED, ("sub/t.wast", 3), Expected("test"))
    res = runner.run_file(str(w))
    assert (res.passed, res.failed, res.xfailed) == (2, 0, 1), res.failures
    monkeypatch.setitem(wasmtime_misc.EXPECTED, ("sub/t.wast", 2), Expected("test"))
    res = runner.run_file(str(w))
    assert res.failed == 1 and "unexpected pass" in res.failures[0]
    monkeypatch.delitem(wasmtime_misc.EXPECTED, ("sub/t.wast", 2))
    monkeypatch.delitem(wasmtime_misc.EXPECTED, ("sub/t.wast", 3))
    monkeypatch.setitem(wasmtime_misc.EXPECTED, ("sub/t.wast", None), Expected("whole"))
    res = runner.run_file(str(w))
    assert res.xfailed == 1 and res.failed == 0           # line 3 fails: covered
    w.write_text('(module (func (export "f")))\n')
    res = runner.run_file(str(w))
    assert res.failed == 1 and "unexpected pass of the whole file" in res.failures[0]


def test_harness_registers_named_modules(tmp_path):
    """`--harness wasmtime`: `(module $m ...)` is importable as "m"."""
    from wasmaot.spectest import runner
    w = tmp_path / "reg.wast"
    w.write_text('(module $m (func (export "f")))\n'
                 '(module (import "m" "f" (func)))\n')
    cmds = runner.parse_wast(w.read_text(), str(w))
    regs = [c for c in runner.wasmtime_registrations(cmds) if c.kind == "register"]
    assert [(c.as_name, c.module) for c in regs] == [("m", "$m")]
    assert not [c for c in cmds if c.kind == "register"]


def test_expected_entry_limited_to_a_mode_and_bounds():
    from wasmaot.spectest.runner import Options
    e = Expected("guard only", frozenset({"exec"}), frozenset({"guard"}))
    assert e.applies(Options(mode="exec", bounds="guard"))
    assert not e.applies(Options(mode="exec", bounds="explicit"))
    assert not e.applies(Options(mode="frontend"))
    assert Expected("any").applies(Options(mode="frontend"))
