"""Running a proposal's scripts through ``wasmaot spectest`` from a test:
one helper for the per-proposal test files (wide arithmetic, multi-memory,
memory64, ...)."""
import os
import re
import subprocess
import sys
from pathlib import Path

#: wasmtime's regression tests beside the repository (see its SOURCE).
MISC = Path(__file__).resolve().parents[2].parent / "shared" / "wasmtime-misc-tests"


def run_spectest(args, tmp_path, timeout: int = 900) -> tuple[int, int]:
    """``wasmaot spectest -j 2 ARGS`` with a private cache: (passed,
    skipped).  Any failure fails the calling test with the failing lines."""
    cmd = [sys.executable, "-m", "wasmaot", "spectest", "-j", "2", *map(str, args)]
    r = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout,
                       env={**os.environ, "WASMAOT_CACHE_DIR": str(tmp_path / "cache")})
    lines = r.stdout.strip().splitlines()
    m = re.fullmatch(r"(\d+) passed, (\d+) failed, (\d+) skipped", lines[-1] if lines else "")
    assert m, r.stdout[-3000:] + r.stderr[-3000:]
    passed, failed, skipped = map(int, m.groups())
    assert failed == 0, "\n".join(line for line in lines if not line.startswith("ok"))
    assert r.returncode == 0
    return passed, skipped


def run_all_pass(args, tmp_path, timeout: int = 900) -> int:
    """run_spectest where nothing may be skipped either: the passed count."""
    passed, skipped = run_spectest(args, tmp_path, timeout)
    assert skipped == 0
    return passed
