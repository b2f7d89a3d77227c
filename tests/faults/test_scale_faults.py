"""Scale that must end cleanly: many instances in one link plan, many
functions in one module.  The outcome is a working program (or a one-line
error), never a crash, a traceback or memory without bound.

CI runs 1,000 preloaded instances (a few seconds).  The slow ones
(``WASMAOT_SLOW=1``, see README.md) are 10,000 instances and 10^6
functions; their measured cost is in README.md.  10^5 instances on one
command line is the OS's limit, not ours: 10^5 ``--preload mNNNNN=PATH``
arguments exceed Linux's argument space (E2BIG, about 2 MiB with an 8 MiB
stack) before wasmaot starts.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from wasmaot.bench.scale import gen_funcs, measure

from .conftest import RUN_TIMEOUT, assert_clean, run

#: A generous bound on the compiler's peak RSS for 10^6 functions: "not
#: unbounded", not a speed target (10^5 functions peak at about 0.6 GiB).
MILLION_FUNCS_PEAK_MIB = 12 * 1024


def preload_program(d: Path, n: int) -> list[str]:
    """n instances m0..m{n-1}, each exporting ``f`` returning its own index
    from a mutable global, and a main module whose ``sum`` adds them all;
    returns the compile command."""
    args = []
    for i in range(n):
        p = d / f"m{i}.wat"
        p.write_text(f'(module (global $g (mut i32) (i32.const {i}))'
                     f' (func (export "f") (result i32) (global.get $g)))')
        args += ["--preload", f"m{i}={p}"]
    imports = "".join(f'(import "m{i}" "f" (func $f{i} (result i32)))' for i in range(n))
    adds = "".join(f"(call $f{i}) (i32.add)" for i in range(n))
    (d / "main.wat").write_text(f'(module {imports} (func (export "sum") (result i32)'
                                f' (i32.const 0) {adds}))')
    return [sys.executable, "-m", "wasmaot", "compile", str(d / "main.wat"),
            "--invoke", "sum", "-o", str(d / "main"), *args]


def check_preloads(tmp_path: Path, n: int) -> None:
    cmd = preload_program(tmp_path, n)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT * 4, check=False)
    assert_clean(r)
    assert r.returncode == 0, r.stderr[-1000:]
    out = run([str(tmp_path / "main")])
    assert_clean(out)
    assert (out.returncode, out.stdout.strip()) == (0, str(n * (n - 1) // 2)), out.stderr


def test_thousand_instances(tmp_path):
    check_preloads(tmp_path, 1000)


@pytest.mark.slow
def test_ten_thousand_instances(tmp_path):
    check_preloads(tmp_path, 10_000)


@pytest.mark.slow
def test_million_functions(tmp_path):
    """10^6 functions (benchmarks/scale.py's ``funcs`` shape): compiles and
    runs, or fails with one line; bounded memory."""
    wasm = tmp_path / "funcs.wasm"
    wasm.write_bytes(gen_funcs(1_000_000))
    exe = tmp_path / "funcs"
    m = measure([sys.executable, "-m", "wasmaot", "compile", str(wasm), "-o", str(exe)])
    print(f"10^6 functions: {m}", file=sys.stderr)
    assert m["exit"] in (0, 1), m          # never a signal, never an internal error
    assert m["peak_mib"] < MILLION_FUNCS_PEAK_MIB, m
    if m["exit"] == 1:
        assert m["error"] and m["error"].startswith("wasmaot: error:"), m
        return
    r = run([str(exe)])
    assert_clean(r)
    assert r.returncode == 0, r.stderr[-500:]
    assert os.path.getsize(exe) > 0
