"""Shared by the random differential tests of the bounds-check passes
(test_trapelim_random, test_trapelim_counters_random,
test_ranges_joins_random): wasmtime's answer to one call as a .wast
assertion, and a .wast script run through `wasmaot spectest`."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import wasmtime

OOB = "out of bounds memory access"


def expect(ex, store, name: str, *args: int) -> str:
    """The assertion wasmtime makes of ``name(*args)`` (an export taking
    i32s and returning one i32 or nothing): its result, or its
    out-of-bounds trap (any other trap fails the test)."""
    call = f'(invoke "{name}"' + "".join(f" (i32.const {a})" for a in args) + ")"
    try:
        r = ex[name](store, *args)
    except wasmtime.Trap as t:
        assert OOB in str(t), t
        return f'(assert_trap {call} "{OOB}")'
    if r is None:
        return f"(assert_return {call})"
    r = r - (1 << 32) if r >= 1 << 31 else r
    return f"(assert_return {call} (i32.const {r}))"


def assert_wast_passes(path: Path, bounds: str, n: int) -> None:
    """Run ``path`` through `wasmaot spectest` in ``bounds`` mode; all ``n``
    commands must pass."""
    r = subprocess.run([sys.executable, "-m", "wasmaot", "spectest", "-j", "1", "-v", "--bounds", bounds,
                        str(path)], check=False, capture_output=True, text=True, timeout=900)
    last = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
    m = re.fullmatch(r"(\d+) passed, (\d+) failed, (\d+) skipped", last)
    assert m, r.stdout[-3000:] + r.stderr[-3000:]
    assert (int(m.group(1)), int(m.group(2))) == (n, 0), r.stdout[-5000:]
