"""End to end through the real compiler: .wat -> load_module ->
translate_module -> compile_ir -> link_executable -> run; and `wasmaot
spectest` in execution mode on small official scripts."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from .conftest import run


WAT = r"""
(module
  (memory (export "memory") 1)
  (global $g (mut i32) (i32.const 7))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "swap") (param i64 f64) (result f64 i64) (local.get 1) (local.get 0))
  (func (export "half") (param f32) (result f32) (f32.mul (local.get 0) (f32.const 0.5)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "fac") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 1))
      (else (i64.mul (local.get 0) (call 5 (i64.sub (local.get 0) (i64.const 1)))))))
  (func (export "_start") (global.set $g (i32.add (global.get $g) (i32.const 1))))
  (func (export "g") (result i32) (global.get $g))
)
"""


def build(tmp_path, wat: str, bounds="guard", opt=2):
    from wasmaot.backends import CompileOptions, compile_ir
    from wasmaot.backends.link import link_executable
    from wasmaot.frontend.load import load_module
    from wasmaot.ir.translate import translate_module
    module = load_module(wat.encode(), "t.wat")
    ir = translate_module(module)
    emitted = compile_ir(ir, CompileOptions(bounds=bounds, opt_level=opt, prefix="wasm"))
    return link_executable([emitted.object], tmp_path / f"prog-{bounds}-{opt}", "x86_64-linux", bounds)


@pytest.fixture(scope="module", params=[("guard", 2), ("explicit", 2), ("guard", 0)],
                ids=lambda p: f"{p[0]}-O{p[1]}")
def prog(request, tmp_path_factory, cache_root):
    import os
    os.environ["WASMAOT_CACHE_DIR"] = str(cache_root)
    bounds, opt = request.param
    return build(tmp_path_factory.mktemp("e2e"), WAT, bounds, opt)


@pytest.mark.parametrize("args, out", [
    (["add", "2", "40"], "42\n"),
    (["add", "0x7fffffff", "1"], "-2147483648\n"),
    (["swap", "-5", "2.5"], "2.5\n-5\n"),
    (["half", "3"], "1.5\n"),
    (["half", "-inf"], "-inf\n"),
    (["fac", "20"], "2432902008176640000\n"),
    (["load", "65532"], "0\n"),
    (["g"], "7\n"),               # --invoke replaces _start
])
def test_invoke(prog, args, out):
    r = run(prog, "--invoke", *args)
    assert (r.returncode, r.stdout, r.stderr) == (0, out, "")


@pytest.mark.parametrize("args, msg", [
    (["div", "1", "0"], "integer divide by zero"),
    (["div", "-2147483648", "-1"], "integer overflow"),
    (["load", "65533"], "out of bounds memory access"),
])
def test_traps(prog, args, msg):
    r = run(prog, "--invoke", *args)
    assert (r.returncode, r.stdout) == (134, ""), r.stderr
    assert r.stderr.splitlines()[0] == f"wasm trap: {msg}"      # a backtrace follows


def test_start_runs_without_invoke(prog):
    r = run(prog)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")


def test_import_is_reported(tmp_path):
    exe = build(tmp_path, '(module (import "env" "f" (func)) (func (export "x")))')
    r = run(exe, "--invoke", "x")
    assert (r.returncode, r.stderr) == (1, 'wasmaot: unknown import "env" "f"\n')


def _spectest(*args):
    r = subprocess.run([sys.executable, "-m", "wasmaot", "spectest", *map(str, args)],
                       capture_output=True, text=True, timeout=900)
    last = r.stdout.strip().splitlines()[-1]
    m = re.fullmatch(r"(\d+) passed, (\d+) failed, (\d+) skipped", last)
    assert m, r.stdout[-2000:] + r.stderr[-2000:]
    return r, tuple(map(int, m.groups()))


@pytest.mark.parametrize("bounds", ["guard", "explicit"])
def test_spectest_exec_i32_and_address(suite, bounds):
    r, (passed, failed, skipped) = _spectest("--bounds", bounds, suite / "i32.wast", suite / "address.wast")
    assert skipped == 0
    # every assertion kind is counted: i32.wast alone has 460 commands that count
    assert passed + failed >= 460 + 250
    assert "ok   i32.wast: 460 passed, 0 failed, 0 skipped" in r.stdout, r.stdout
    assert failed == 0, r.stdout
