"""Acceptance of the backend: the Wasm 2.0 suite plus extended-const, executed
natively (x86-64, -O2) in both bounds modes, through `wasmaot spectest`.

Every assertion kind counts (traps, exhaustion, linking, instantiation); a
module that fails to compile fails all its assertions.  SIMD scripts
included (``simd_*.wast``); ``EXCLUDE`` is the one explicit list of
exclusions should any ever be needed, printed by the run.
"""
import re
import subprocess
import sys

import pytest

EXCLUDE: list[str] = []       # nothing excluded (see module docstring)


@pytest.mark.parametrize("bounds", ["guard", "explicit"])
def test_whole_suite_executes(suite, bounds, tmp_path):
    paths = [suite, suite / "proposals" / "extended-const"]
    cmd = [sys.executable, "-m", "wasmaot", "spectest", "--bounds", bounds, "-O2"]
    for pat in EXCLUDE:
        cmd += ["--exclude", pat]
    r = subprocess.run([*cmd, *map(str, paths)], capture_output=True, text=True, timeout=1500,
                       env={**__import__("os").environ, "WASMAOT_CACHE_DIR": str(tmp_path / "cache")})
    lines = r.stdout.strip().splitlines()
    m = re.fullmatch(r"(\d+) passed, (\d+) failed, (\d+) skipped", lines[-1] if lines else "")
    assert m, r.stdout[-3000:] + r.stderr[-3000:]
    passed, failed, skipped = map(int, m.groups())
    failures = "\n".join(l for l in lines if not l.startswith("ok"))
    assert failed == 0, failures
    assert r.returncode == 0
    assert skipped == 0, "execution mode must not skip assertions"
    # An independent lower bound: every assert_return / assert_trap line of
    # the executed files was counted.
    files = sorted(suite.glob("*.wast"))
    files += sorted((suite / "proposals" / "extended-const").glob("*.wast"))
    n_actions = sum(len(re.findall(r"^\(assert_(?:return|trap)\b", f.read_text(errors="replace"), re.M))
                    for f in files)
    assert passed >= n_actions > 20000, (passed, n_actions)
