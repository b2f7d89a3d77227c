"""Tail calls (Wasm 3.0): the spec's tail-call proposal scripts and the
wasm-3.0 folder's ``return_call*.wast`` (not ``return_call_ref``: typed
function references are not implemented), executed natively through
``wasmaot spectest`` on every target and bounds mode.  They include
1,000,000-deep self and mutual tail recursion (direct) and 300,003-deep
mutual recursion through ``return_call_indirect``: these pass only if tail
calls run in constant stack.  aarch64/riscv64 run under qemu-user."""
import os
import re
import subprocess
import sys

import pytest

CASES = [(t, b) for t in ("x86_64-linux", "aarch64-linux", "riscv64-linux")
         for b in ("guard", "explicit")]


def _files(suite):
    files = sorted((suite / "proposals" / "tail-call").glob("*.wast"))
    files += [suite / "proposals" / "wasm-3.0" / n
              for n in ("return_call.wast", "return_call_indirect.wast")]
    return files


@pytest.mark.parametrize(("target", "bounds"), CASES)
def test_tail_call_scripts(suite, target, bounds, tmp_path):
    files = _files(suite)
    assert len(files) == 4 and all(f.exists() for f in files), files
    cmd = [sys.executable, "-m", "wasmaot", "spectest", "-j", "2", "--target", target,
           "--bounds", bounds, *map(str, files)]
    r = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=1200,
                       env={**os.environ, "WASMAOT_CACHE_DIR": str(tmp_path / "cache")})
    lines = r.stdout.strip().splitlines()
    m = re.fullmatch(r"(\d+) passed, (\d+) failed, (\d+) skipped", lines[-1] if lines else "")
    assert m, r.stdout[-3000:] + r.stderr[-3000:]
    passed, failed, skipped = map(int, m.groups())
    assert failed == 0, "\n".join(l for l in lines if not l.startswith("ok"))
    assert skipped == 0 and r.returncode == 0
    n = sum(len(re.findall(r"^\(assert_", f.read_text(), re.MULTILINE)) for f in files)
    assert passed >= n > 200, (passed, n)     # every assertion line was counted
