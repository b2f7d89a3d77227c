"""Component scripts whose components import earlier named instances of
the script (spec-tests/component_exec.py "Imports"): scripts/imports.wast
passes under `wasmaot spectest` and under `wasmtime wast` alike."""
from __future__ import annotations

import pathlib
import subprocess
import sys

from .wave import differential as wd

SCRIPT = pathlib.Path(__file__).resolve().parent / "scripts" / "imports.wast"


def test_imports_script_passes_like_wasmtime():
    wasmtime, _ = wd.tools_or_skip()
    ours = subprocess.run([sys.executable, "-m", "wasmaot", "spectest", "-j", "1", "-O0", str(SCRIPT)],
                          capture_output=True, text=True, check=False)
    assert ours.stdout.strip().splitlines()[-1] == "5 passed, 0 failed, 0 skipped", ours.stdout
    theirs = subprocess.run([wasmtime, "wast", str(SCRIPT)], capture_output=True, text=True, check=False)
    assert theirs.returncode == 0, theirs.stderr[-2000:]
