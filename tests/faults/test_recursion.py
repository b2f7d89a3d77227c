"""Unbounded recursion on every target and in both bounds modes is the trap
``call stack exhausted`` (exit 134), never a SIGSEGV: plain, non-tail with
a result, with big frames (many live i64 and v128 values spilled across the
call), through call_indirect, and in the start function (before any export
runs).  The cross targets run under qemu-user (tests/cross/conftest.py)."""
from __future__ import annotations

import pytest
from wasmaot.backends.targets import DEFAULT_TARGET

from ..cross.conftest import CROSS_TARGETS, require_runner
from .conftest import assert_trap, build, run

N_LIVE = 48      # i64 values live across the recursive call
N_V128 = 16      # v128 values live across it


def _big_frame_func() -> str:
    """A non-tail recursive function whose frame holds N_LIVE i64 and N_V128
    v128 values across the call (all used after it, so all spilled)."""
    locs = " ".join(f"(local $l{i} i64)" for i in range(N_LIVE))
    vlocs = " ".join(f"(local $v{i} v128)" for i in range(N_V128))
    sets = "".join(f"(local.set $l{i} (i64.mul (local.get 0) (i64.const {i + 3})))"
                   for i in range(N_LIVE))
    vsets = "".join(f"(local.set $v{i} (i64x2.splat (i64.add (local.get 0) (i64.const {i}))))"
                    for i in range(N_V128))
    acc = "(call $big (i64.add (local.get 0) (i64.const 1)))"
    for i in range(N_LIVE):
        acc = f"(i64.xor {acc} (local.get $l{i}))"
    for i in range(N_V128):
        acc = f"(i64.add {acc} (i64x2.extract_lane 1 (local.get $v{i})))"
    return f"(func $big (param i64) (result i64) {locs} {vlocs} {sets} {vsets} {acc})"


RECURSION_WAT = f"""
(module
  (type $v (func))
  (table 1 funcref)
  (elem (i32.const 0) $ind)
  (func $simple (export "simple") (call $simple))
  (func $deep (export "deep") (param i32) (result i32)
    (i32.add (i32.const 1) (call $deep (i32.add (local.get 0) (i32.const 1)))))
  {_big_frame_func()}
  (func (export "big") (result i64) (call $big (i64.const 0)))
  (func $ind (export "indirect") (call_indirect (type $v) (i32.const 0)))
)
"""

START_WAT = """
(module
  (func $r (call $r))
  (start $r)
  (func (export "never") (result i32) (i32.const 1)))
"""
EXPORTS = [("simple", []), ("deep", ["0"]), ("big", []), ("indirect", [])]
TARGETS = [DEFAULT_TARGET, *CROSS_TARGETS]


CELLS = [(t, b, c) for t in TARGETS for b in ("guard", "explicit") for c in (True, False)]


@pytest.fixture(scope="module", params=CELLS,
                ids=lambda p: f"{p[0]}-{p[1]}-{'check' if p[2] else 'guardpage'}")
def target_exes(request, tmp_path_factory):
    target, bounds, check = request.param
    prefix = list(require_runner(target))
    d = tmp_path_factory.mktemp(f"rec-{target}-{bounds}")
    opts = {"bounds": bounds, "target": target, "stack_check": check}
    rec = build(RECURSION_WAT, d / "rec", **opts)
    start = build(START_WAT, d / "start", **opts)
    return prefix, rec, start


@pytest.mark.parametrize("export,args", EXPORTS, ids=[e for e, _ in EXPORTS])
def test_recursion_traps(target_exes, export, args):
    prefix, rec, _ = target_exes
    assert_trap(run([*prefix, str(rec), "--invoke", export, *args]), "call stack exhausted")


def test_recursion_in_start_function(target_exes):
    """Also without the stack check: LLVM infers ``memory(none)`` for this
    start function, and an ``optnone`` caller's instruction selector once
    dropped the call (backends/llvm/instance.py ``start_text``)."""
    prefix, _, start = target_exes
    assert_trap(run([*prefix, str(start), "--invoke", "never"]), "call stack exhausted")
