"""Acceptance of the frontend: the whole Wasm 2.0 suite plus extended-const,
frontend-only, through the real `wasmaot spectest` command."""
import re
import subprocess
import sys

from wasmaot.spectest.expected_failures import EXPECTED_FAILURES


def _count_forms(files, heads):
    """Independent count of top-level assertion forms, by a plain regex."""
    n = 0
    pat = re.compile(r"^\((%s)\b" % "|".join(heads), re.M)
    for f in files:
        n += len(pat.findall(f.read_text(encoding="utf-8", errors="replace")))
    return n


def test_whole_suite_frontend_only(suite):
    paths = [suite, suite / "proposals" / "extended-const"]
    r = subprocess.run([sys.executable, "-m", "wasmaot", "spectest", "--frontend-only",
                        *map(str, paths)], capture_output=True, text=True, timeout=900)
    last = r.stdout.strip().splitlines()[-1]
    m = re.fullmatch(r"(\d+) passed, (\d+) failed, (\d+) skipped", last)
    assert m, r.stdout[-2000:] + r.stderr[-2000:]
    passed, failed, skipped = map(int, m.groups())
    assert failed == 0, "\n".join(l for l in r.stdout.splitlines() if not l.startswith("ok"))
    assert r.returncode == 0
    # the Wasm 2.0 suite (and extended-const) may have no expected failures;
    # the list's entries are other proposals' (custom-page-sizes)
    # (entries limited to other folders, function-references' elem.wast..., do not count)
    here = [f for p in paths for f in p.glob("*.wast")]
    listed = sorted({name for (name, _), e in EXPECTED_FAILURES.items()
                     for f in here if f.name == name and e.covers(str(f))})
    assert not listed, f"the frontend acceptance allows no expected failures: {listed}"
    # Every assert_malformed / assert_invalid at top level was checked and passed
    # (modules count on top of those).
    files = sorted(suite.glob("*.wast")) + sorted((suite / "proposals" / "extended-const").glob("*.wast"))
    asserts = _count_forms(files, ["assert_malformed", "assert_invalid"])
    assert asserts > 1000
    assert passed >= asserts, (passed, asserts)
    assert skipped > 0          # execution assertions are counted, not dropped


def test_runner_reports_failures_and_unexpected_passes(tmp_path, monkeypatch):
    """The runner must be able to fail: a wrong expectation is a failure."""
    from wasmaot.spectest import runner
    from wasmaot.spectest.expected_failures import Expected
    w = tmp_path / "t.wast"
    w.write_text('(module (func))\n'
                 '(assert_invalid (module (func (result i32))) "type mismatch")\n'
                 '(assert_invalid (module (func)) "type mismatch")\n'
                 '(assert_malformed (module quote "(func") "unexpected token")\n'
                 '(assert_return (invoke "f") (i32.const 1))\n')
    res = runner.run_file(str(w))
    assert (res.passed, res.failed, res.skipped) == (2, 2, 1), res.failures
    assert "module accepted" in res.failures[0]
    # an expected failure that passes is an error
    monkeypatch.setitem(runner.EXPECTED_FAILURES, ("t.wast", 1), Expected("test"))
    res = runner.run_file(str(w))
    assert res.failed == 3 and any("unexpected pass" in f for f in res.failures)
