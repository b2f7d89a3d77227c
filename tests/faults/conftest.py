"""Faults that must never crash or corrupt (issue 12): shared helpers.

Each test provokes one fault and asserts the clean outcome: a Wasm trap
(``wasm trap: ...``, exit 134), a -1 from a grow, a one-line error with
exit 1, or a working program -- never a signal death, a hang or a
half-written file.  The slow ones (minutes of compiling) run only with
``WASMAOT_SLOW=1`` and are skipped with that reason otherwise; see
``tests/faults/README.md``.
"""
from __future__ import annotations

import os
import resource
import subprocess
from pathlib import Path

import pytest
from wasmaot.backends import CompileOptions
from wasmaot.compile import compile_bytes

TRAP_EXIT = 134
RUN_TIMEOUT = 300      # seconds; a hang is a failure, not a stuck CI job


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: minutes of compiling; run with WASMAOT_SLOW=1")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("WASMAOT_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow fault test: set WASMAOT_SLOW=1 (tests/faults/README.md)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def build(wat: str, out: Path, *, bounds: str = "guard", target: str = "x86_64-linux",
          invoke: str | None = None, preloads=(), stack_check: bool = True) -> Path:
    """Compile the module text ``wat`` to the executable ``out``."""
    src = out.with_suffix(".wat")
    src.write_text(wat)
    compile_bytes(wat.encode(), str(src), CompileOptions(target=target, bounds=bounds,
                                                    stack_check=stack_check),
                  out=str(out), invoke=invoke, preloads=preloads)
    return out


def _limit(kind: int, nbytes: int):
    def pre():
        resource.setrlimit(kind, (nbytes, nbytes))
    return pre


def run(cmd: list[str], *, rlimit: tuple[int, int] | None = None) -> subprocess.CompletedProcess:
    """Run ``cmd`` (optionally under ``rlimit`` = (RLIMIT_x, bytes) set in
    the child only) and return its result; a hang raises TimeoutExpired."""
    pre = _limit(*rlimit) if rlimit else None
    return subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT,
                          preexec_fn=pre, check=False)


def assert_clean(r: subprocess.CompletedProcess) -> None:
    """Never a signal death (negative status), never a traceback."""
    assert r.returncode >= 0, f"killed by signal {-r.returncode}: {r.stderr[-500:]}"
    assert "Traceback" not in r.stderr, r.stderr


def assert_trap(r: subprocess.CompletedProcess, message: str) -> None:
    assert_clean(r)
    assert r.returncode == TRAP_EXIT, (r.returncode, r.stderr[-500:])
    assert r.stderr.splitlines()[0] == f"wasm trap: {message}", r.stderr[-500:]
