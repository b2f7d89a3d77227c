"""`wasmaot compile app.wasm --preload NAME=lib.wasm`: several instances,
linked at compile time into one executable (ir/plan.py,
backends/llvm/program.py).  Checked by running the executables, and in the
LLVM text: calls between instances are direct."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

LIB = r"""(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "mem") 1 4)
  (global $count (export "count") (mut i32) (i32.const 0))
  (table (export "tab") 2 funcref)
  (elem (i32.const 0) $add $twice)
  (data (i32.const 100) "from lib\n")
  (func $add (export "add") (param i32 i32) (result i32)
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (i32.add (local.get 0) (local.get 1)))
  (func $twice (param i32 i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  ;; writes "from lib\n" with the lib's own WASI import
  (func (export "hello")
    (i32.store (i32.const 0) (i32.const 100))
    (i32.store (i32.const 4) (i32.const 9))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "trap") unreachable)
  (export "fd_write" (func $fd_write))
  (start $start)
  (func $start (i32.store (i32.const 200) (i32.const 42))))
"""

APP = r"""(module
  (import "lib" "add" (func $add (param i32 i32) (result i32)))
  (import "lib" "hello" (func $hello))
  (import "lib" "trap" (func $trap))
  (import "lib" "mem" (memory 1))
  (import "lib" "count" (global $count (mut i32)))
  (import "lib" "tab" (table 2 funcref))
  (type $bin (func (param i32 i32) (result i32)))
  (func (export "sum") (param i32 i32) (result i32) (call $add (local.get 0) (local.get 1)))
  (func (export "count") (result i32) (global.get $count))
  (func (export "bump") (global.set $count (i32.add (global.get $count) (i32.const 10))))
  ;; the lib's add counts in its global; the app adds 10 to the same global
  (func (export "shared") (result i32)
    (drop (call $add (i32.const 1) (i32.const 1)))
    (global.set $count (i32.add (global.get $count) (i32.const 10)))
    (drop (call $add (i32.const 1) (i32.const 1)))
    (global.get $count))
  (func (export "from_start") (result i32) (i32.load (i32.const 200)))
  (func (export "indirect") (param i32) (result i32)
    (call_indirect (type $bin) (i32.const 21) (i32.const 1) (local.get 0)))
  (func (export "_start") (call $hello))
  (func (export "trap") (call $trap))
  (export "reexported" (func $add))
  ;; WASI reads the program's "memory" export (the main instance's): here the lib's
  (export "memory" (memory 0)))
"""


def wasmaot(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "wasmaot", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    d = tmp_path_factory.mktemp("preload")
    (d / "lib.wat").write_text(LIB)
    (d / "app.wat").write_text(APP)
    r = wasmaot("compile", "app.wat", "--preload", "lib=lib.wat", "-o", "app", cwd=d)
    assert r.returncode == 0, r.stderr
    return d


def run(d, *args):
    return subprocess.run([str(d / "app"), *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("args, out", [
    (("--invoke", "sum", "2", "40"), "42"),
    (("--invoke", "reexported", "1", "2"), "3"),
    (("--invoke", "from_start"), "42"),          # the lib's start ran, in the shared memory
    (("--invoke", "indirect", "0"), "22"),       # the lib's table, its element segment
    (("--invoke", "indirect", "1"), "42"),
])
def test_calls_and_shared_state(app, args, out):
    r = run(app, *args)
    assert (r.returncode, r.stdout.strip(), r.stderr) == (0, out, "")


def test_shared_global_is_one_global(app):
    assert run(app, "--invoke", "count").stdout.strip() == "0"
    # two increments by the lib, 10 by the app: 12 only if it is one global
    r = run(app, "--invoke", "shared")
    assert (r.returncode, r.stdout.strip()) == (0, "12"), r.stderr


def test_library_wasi_import_is_served(app):
    r = run(app)                                   # _start -> lib.hello -> fd_write
    assert (r.returncode, r.stdout, r.stderr) == (0, "from lib\n", "")


def test_trap_in_library_code(app):
    r = run(app, "--invoke", "trap")
    assert r.returncode == 134 and "wasm trap: unreachable" in r.stderr


def test_calls_between_instances_are_direct(app):
    r = wasmaot("compile", "app.wat", "--preload", "lib=lib.wat", "--emit", "llvm", "-O0",
                "-o", "-", cwd=app)
    assert r.returncode == 0, r.stderr
    text = r.stdout
    # the app's `sum` calls the lib's `add` by symbol, with the lib's instance
    # pointer computed from its own (no funcref slot load)
    app_funcs = re.findall(r"^define internal \w+ \w+ @wasm\.f\d+\(.*?^\}", text, re.S | re.M)
    direct = [f for f in app_funcs
              if re.search(r"call (tailcc|fastcc) i32 @wasm_i0\.f\d+\(ptr %\w+, i32 %\w+, i32", f)]
    assert direct, "no app function calls into the lib directly"
    assert "getelementptr i8, ptr %inst, i64 " in direct[0]
    # one descriptor: the program's; the lib has none of its own
    assert "@wasm_module = " in text and "@wasm_i0_module" not in text


def test_plan_errors_are_one_line(tmp_path):
    (tmp_path / "lib.wat").write_text(LIB)
    (tmp_path / "bad.wat").write_text('(module (import "lib" "add" (func (param i64))))')
    r = wasmaot("compile", "bad.wat", "--preload", "lib=lib.wat", "-o", "bad", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr == ("wasmaot: error: bad.wat: import 'lib' 'add': incompatible import type "
                        "(expected (i64) -> (), got (i32, i32) -> (i32))\n")
    assert not (tmp_path / "bad").exists()
    for arg, why in (("lib", "is not NAME=PATH"), ("lib=nope.wat", "nope.wat: no such file")):
        r = wasmaot("compile", "bad.wat", "--preload", arg, cwd=tmp_path)
        assert r.returncode == 2 and why in r.stderr and len(r.stderr.splitlines()) == 1


def test_run_with_preload(tmp_path):
    (tmp_path / "lib.wat").write_text(LIB)
    (tmp_path / "app.wat").write_text(APP)
    r = wasmaot("run", "--preload", "lib=lib.wat", "app.wat", "--invoke", "sum", "5", "6",
                cwd=tmp_path)
    assert (r.returncode, r.stdout.strip()) == (0, "11"), r.stderr


CHAIN_A = r"""(module
  (func (export "base") (result i32) (i32.const 40))
  (global (export "k") i32 (i32.const 2)))"""

CHAIN_B = r"""(module
  (import "a" "base" (func $base (result i32)))
  (import "a" "k" (global $k i32))
  (func (export "more") (result i32) (i32.add (call $base) (global.get $k)))
  (export "base_again" (func $base)))"""

CHAIN_APP = r"""(module
  (import "b" "more" (func $more (result i32)))
  (import "b" "base_again" (func $base (result i32)))
  (func (export "main") (result i32) (i32.sub (call $more) (call $base))))"""


def test_three_instances_and_a_re_export(tmp_path):
    """app -> b -> a, and app calls a's function through b's re-export: the
    call goes straight to the defining instance."""
    for name, text in (("a.wat", CHAIN_A), ("b.wat", CHAIN_B), ("app.wat", CHAIN_APP)):
        (tmp_path / name).write_text(text)
    args = ("app.wat", "--preload", "a=a.wat", "--preload", "b=b.wat")
    r = wasmaot("compile", *args, "-o", "app", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(tmp_path / "app"), "--invoke", "main"], capture_output=True, text=True)
    assert (r.returncode, r.stdout.strip()) == (0, "2"), r.stderr
    r = wasmaot("compile", *args, "--emit", "llvm", "-O0", "-o", "-", cwd=tmp_path)
    app_funcs = re.findall(r"^define internal \w+ \w+ @wasm\.f\d+\(.*?^\}", r.stdout, re.S | re.M)
    calls = {m for f in app_funcs for m in re.findall(r"call \w+ i32 @(wasm_i\d\.f\d+)\(", f)}
    assert calls == {"wasm_i0.f0", "wasm_i1.f1"}     # a's base (re-exported by b), b's more
    # the order matters: b cannot import from a preload that comes after it
    r = wasmaot("compile", "app.wat", "--preload", "b=b.wat", "--preload", "a=a.wat", "-o", "x",
                cwd=tmp_path)
    # b's imports from "a" are then the host's, which has none: a compile-time error
    assert r.returncode == 1 and "import 'a' 'base': unknown import" in r.stderr, r.stderr
    assert not (tmp_path / "x").exists()
