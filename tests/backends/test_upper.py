"""The AVX upper state (backends/llvm/upper.py): with AVX in the features,
internal functions get no vzeroupper of LLVM's own, direct calls into C and
the returns to C (trampolines, start) get one, calls between generated
functions and indirect calls none; without AVX, or on AArch64, nothing
changes."""
from __future__ import annotations

import platform
import re
import subprocess

import pytest

from wasmaot.backends import CompileOptions, compile_ir
from wasmaot.backends.llvm import upper
from wasmaot.backends.targets import get_target
from wasmaot.frontend.load import load_module
from wasmaot.ir.pipeline import PassManager
from wasmaot.ir.translate import translate_module

VZU = "call void @llvm.x86.avx.vzeroupper()"

WAT = r'''(module (memory 1)
  (table 1 funcref) (elem (i32.const 0) $leaf)
  (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func $start (drop (call $leaf (i32.const 1))))
  (start $start)
  (func (export "copy") (param i32 i32 i32) (result i32)
    (memory.copy (local.get 0) (local.get 1) (local.get 2))
    (call $leaf (local.get 0)))
  (func (export "indirect") (param i32) (result i32)
    (call_indirect (param i32) (result i32) (local.get 0) (i32.const 0))))
'''


def _llvm(target="x86_64-linux", features="+avx", cpu=None) -> str:
    ir = translate_module(load_module(WAT.encode()))
    PassManager(verify=True).run_module(ir)
    opts = CompileOptions(target=target, bounds="guard", opt_level=0, cpu=cpu,
                          features=features).for_executable(segment=True)
    return compile_ir(ir, opts).source


def _define(src: str, pattern: str) -> str:
    m = re.search(r"^define [^\n]*" + pattern + r"[^\n]*\{\n(.*?)\n\}", src, re.M | re.S)
    assert m, pattern
    return m.group(0)


def _before(body: str, needle: str) -> str:
    """The line before the first line containing ``needle``."""
    lines = body.splitlines()
    k = next(i for i, ln in enumerate(lines) if needle in ln)
    return lines[k - 1].strip()


def test_enabled():
    x86, arm = get_target("x86_64-linux"), get_target("aarch64-linux")
    assert upper.enabled(x86, "+sse4.2,+avx,+avx2")
    assert not upper.enabled(x86, "+avx,-avx")          # the last one wins
    assert not upper.enabled(x86, "")                    # a named CPU: LLVM's placement
    assert not upper.enabled(arm, "+avx")


def test_where_the_state_is_cleaned():
    src = _llvm()
    assert re.search(r'attributes #4 = \{[^}]*"target-features"="-vzeroupper,', src)
    copy = _define(src, r"@wasm\.f2\(")
    assert " #4 " in copy.splitlines()[0]
    # a direct call into C: cleaned first
    assert _before(copy, "@wasmaot_rt_memmove(") == VZU
    # a call to a generated function: not
    assert VZU not in _before(copy, "call fastcc")
    # an indirect call (its target is a C entry of generated code, mostly): not
    ind = _define(src, r"@wasm\.f3\(")
    assert VZU not in ind
    # returns to C: the start function and the trampolines
    start = _define(src, r"@wasm\.start\(")
    assert _before(start, "ret void") == VZU
    tramps = [m for m in re.finditer(r"^define internal void @(\S+)\(ptr %inst, ptr %slots\)", src, re.M)]
    assert tramps
    for m in tramps:
        assert _before(_define(src, re.escape("@" + m.group(1)) + r"\("), "ret void") == VZU
    # C entries (mostly called through tables by generated code): #4, not cleaned
    entry = _define(src, r"@wasm_export_copy\(")
    assert " #4 " in entry.splitlines()[0] and VZU not in entry


def test_imports_are_c():
    wat = r'''(module (import "env" "h" (func $h (param i32) (result i32)))
      (func (export "f") (param i32) (result i32) (call $h (local.get 0))))'''
    ir = translate_module(load_module(wat.encode()))
    PassManager(verify=True).run_module(ir)
    opts = CompileOptions(target="x86_64-linux", bounds="guard", opt_level=0,
                          features="+avx").for_executable(segment=True)
    src = compile_ir(ir, opts).source
    assert _before(_define(src, r"@wasm\.f1\("), "call i32 %impf") == VZU


@pytest.mark.parametrize("kw", [dict(features=""), dict(features="+avx,-avx"),
                                dict(target="aarch64-linux", features="")],
                         ids=["baseline", "avx-removed", "aarch64"])
def test_nothing_without_avx(kw):
    src = _llvm(**kw)
    assert "vzeroupper" not in src and "attributes #4" not in src


def _has_avx() -> bool:
    try:
        return platform.machine() == "x86_64" and " avx " in open("/proc/cpuinfo").read()
    except OSError:
        return False


@pytest.mark.skipif(not _has_avx(), reason="runs an AVX executable")
def test_runs(tmp_path):
    src = tmp_path / "m.wat"
    src.write_text(WAT)
    exe = tmp_path / "m"
    r = subprocess.run(["wasmaot", "compile", str(src), "-o", str(exe), "--invoke", "copy",
                        "--cpu", "native"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    asm = subprocess.run(["objdump", "-d", str(exe)], capture_output=True, text=True).stdout
    assert "vzeroupper" in asm
    out = subprocess.run([str(exe), "0", "16", "8"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "1", out
    out = subprocess.run([str(exe), "--invoke", "indirect", "41"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "42", out
