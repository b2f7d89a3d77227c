"""Segment-addressed memory (backends/llvm/memory.py, "Segment-addressed
memory"): in an executable that wasmaot links for x86-64, guard mode, the
program's main memory is addressed through %gs (LLVM address space 256),
whose base the instantiation sets (``wasmaot_memory_segment``).  Checked in
the LLVM text (which accesses, which options and targets) and by running
executables (accesses, SIMD, grow, traps, a memset-shaped loop, a memory
shared between instances)."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from wasmaot.backends import CompileOptions, compile_ir
from wasmaot.frontend.load import load_module
from wasmaot.ir.pipeline import PassManager
from wasmaot.ir.translate import translate_module

SEG = re.escape("ptr addrspace(256)")

WAT = r'''(module
  (memory 1 4)
  (memory $other 1)
  (func (export "rw") (param i32) (result i32)
    (i32.store offset=8 (local.get 0) (i32.const 41))
    (i32.add (i32.load offset=8 (local.get 0)) (i32.const 1)))
  (func (export "other") (param i32) (result i32)
    (i32.load $other (local.get 0)))
  (func (export "v") (param i32)
    (v128.store (local.get 0) (v128.load offset=16 (local.get 0)))))
'''


def _llvm(wat: str = WAT, *, segment: bool = True, bounds: str = "guard",
          target: str = "x86_64-linux") -> str:
    ir = translate_module(load_module(wat.encode()))
    PassManager(verify=True).run_module(ir)
    opts = CompileOptions(target=target, bounds=bounds, opt_level=0).for_executable(segment=segment)
    return compile_ir(ir, opts).source


def _export_body(src: str, name: str) -> str:
    """The internal function behind export ``name`` (its C-ABI entry calls it)."""
    entry = src[src.index(f"@wasm_export_{name}("):]
    callee = re.search(r"call \w* ?\w+ @(wasm\.f\d+)\(", entry[:entry.index("\n}\n")]).group(1)
    body = src[src.index(f"@{callee}(ptr"):]
    return body[:body.index("\n}\n")]


def test_main_memory_accesses_go_through_the_segment():
    src = _llvm()
    rw = _export_body(src, "rw")
    assert re.search(rf"store i32 41, {SEG} %\w+", rw)
    assert re.search(rf"load i32, {SEG} %\w+", rw)      # proved in bounds by the store
    assert "%base" not in rw                              # no memory base loaded
    v = _export_body(src, "v")
    assert re.search(rf"load volatile <\d+ x \w+>, {SEG} ", v)
    assert re.search(rf"store <\d+ x \w+> %\w+, {SEG} ", v)
    # the instantiation points %gs at memory 0, once, and fails if it cannot
    assert src.count("call i32 @wasmaot_memory_segment(") == 1
    assert '"no-builtins"' in src    # no memset/memcpy calls LLVM could not lower in it


def test_only_one_memory_is_segment_addressed():
    other = _export_body(_llvm(), "other")
    assert "addrspace" not in other
    assert re.search(r"load volatile i32, ptr %\w+", other)


@pytest.mark.parametrize("kw", [dict(segment=False), dict(bounds="explicit"),
                                dict(target="aarch64-linux")],
                         ids=["spec-driver-objects", "explicit", "aarch64"])
def test_no_segment_elsewhere(kw):
    src = _llvm(**kw)
    assert "addrspace" not in src and "wasmaot_memory_segment" not in src
    assert '"no-builtins"' not in src


def test_a_memory64_is_never_the_segment_memory():
    src = _llvm('(module (memory i64 1) (func (export "f") (param i64) (result i32) '
                '(i32.load (local.get 0))))')
    assert "addrspace" not in src and "wasmaot_memory_segment" not in src


# ---------------------------------------------------------------- executables

RUN_WAT = r'''(module
  (memory (export "memory") 1 3)
  (func (export "rw") (param i32) (result i32)
    (i32.store offset=8 (local.get 0) (i32.const 41))
    (i32.add (i32.load offset=8 (local.get 0)) (i32.const 1)))
  ;; a loop LLVM turns into a memset: in address space 256 it must not
  ;; become a call (nothing could lower it)
  (func $zero (param $p i32) (param $n i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $n)))
      (i32.store8 (local.get $p) (i32.const 0))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l))))
  (func (export "zero") (param $n i32) (result i32)
    (memory.fill (i32.const 100) (i32.const 7) (i32.const 64))
    (call $zero (i32.const 101) (local.get $n))
    (i32.add (i32.load8_u (i32.const 100))
             (i32.add (i32.load8_u (i32.const 101))
                      (i32.load8_u (i32.add (i32.const 101) (local.get $n))))))
  (func (export "simd") (result i32)
    (v128.store (i32.const 32) (v128.const i32x4 1 2 3 4))
    (v128.store (i32.const 48) (i32x4.add (v128.load (i32.const 32)) (v128.load (i32.const 32))))
    (i32.load (i32.const 60)))
  (func (export "grow") (result i32)
    (drop (memory.grow (i32.const 1)))
    (i32.store (i32.const 131068) (i32.const 5))
    (i32.load (i32.const 131068)))
  (func (export "oob") (param i32) (result i32)
    (i32.load offset=65532 (local.get 0))))
'''


@pytest.fixture(scope="module")
def exe(tmp_path_factory):
    d = tmp_path_factory.mktemp("segment")
    (d / "m.wat").write_text(RUN_WAT)
    r = subprocess.run([sys.executable, "-m", "wasmaot", "compile", "m.wat", "-o", "m"],
                       cwd=d, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return d / "m"


@pytest.mark.parametrize("args, out", [
    (("rw", "1000"), "42"),
    (("zero", "10"), "14"),       # 7 + 0 + 7: the byte after the zeroed run kept
    (("zero", "0"), "21"),
    (("simd", ), "8"),
    (("grow", ), "5"),
    (("oob", "0"), "0"),          # the last 4 bytes of the page, in bounds
])
def test_executable_runs(exe, args, out):
    r = subprocess.run([str(exe), "--invoke", *args], capture_output=True, text=True, timeout=60)
    assert (r.returncode, r.stdout.strip(), r.stderr) == (0, out, "")


@pytest.mark.parametrize("addr", ["1", "4294967295"])
def test_out_of_bounds_access_is_a_trap(exe, addr):
    r = subprocess.run([str(exe), "--invoke", "oob", addr], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 134
    assert r.stderr.startswith("wasm trap: out of bounds memory access\n")
