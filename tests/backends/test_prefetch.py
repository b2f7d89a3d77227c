"""The prefetch pass end to end (ir/passes/prefetch.py; its rule is in
tests/ir/filetests/prefetch_probe.ir): which targets run it, the LLVM
intrinsic each memory gets, and executables whose prefetched base lies
anywhere, past the memory's end included, in both bounds modes: a
prefetch must never trap and never change a result."""
from __future__ import annotations

import platform
import subprocess

import pytest

from wasmaot.backends import CompileOptions, compile_ir
from wasmaot.backends.targets import get_target
from wasmaot.frontend.load import load_module
from wasmaot.ir.pipeline import PassManager, default_pipeline
from wasmaot.ir.translate import translate_module

PAGE = 65536

# probe(table, key, n, m): bucket = table + (key << 4); a loop of n steps
# (the "last distances"); then the sum of bucket[m-1], ..., bucket[0].
WAT = r'''(module (memory 1)
  (data (i32.const 64) "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00")
  (func (export "probe") (param i32 i32 i32 i32) (result i32) (local i32 i32)
    (local.set 4 (i32.shl (local.get 1) (i32.const 4)))
    (block (loop
      (br_if 1 (i32.eqz (local.get 2)))
      (local.set 5 (i32.add (local.get 5) (local.get 2)))
      (local.set 2 (i32.sub (local.get 2) (i32.const 1)))
      (br 0)))
    (local.set 4 (i32.add (local.get 0) (local.get 4)))
    (block (loop
      (br_if 1 (i32.eqz (local.get 3)))
      (local.set 3 (i32.sub (local.get 3) (i32.const 1)))
      (local.set 5 (i32.add (local.get 5)
        (i32.load (i32.add (local.get 4) (i32.shl (local.get 3) (i32.const 2))))))
      (br 0)))
    (local.get 5)))
'''


def _llvm(target: str, bounds: str = "guard", segment: bool = True) -> str:
    t = get_target(target)
    ir = translate_module(load_module(WAT.encode()))
    PassManager(default_pipeline(bounds, t.pointer_bytes, t.reroll, t.prefetch),
                verify=True).run_module(ir)
    opts = CompileOptions(target=target, bounds=bounds, opt_level=0).for_executable(segment=segment)
    return compile_ir(ir, opts).source


@pytest.mark.parametrize("target,bounds,segment,want", [
    ("x86_64-linux", "guard", True, "@llvm.prefetch.p256(ptr addrspace(256)"),
    ("x86_64-linux", "guard", False, "@llvm.prefetch.p0(ptr"),
    ("x86_64-linux", "explicit", True, "@llvm.prefetch.p0(ptr"),
    ("aarch64-linux", "guard", True, "@llvm.prefetch.p0(ptr"),
], ids=["x86-segment", "x86-base", "x86-explicit", "aarch64"])
def test_intrinsic(target, bounds, segment, want):
    src = _llvm(target, bounds, segment)
    calls = [ln for ln in src.splitlines() if "call void @llvm.prefetch" in ln]
    assert len(calls) == 1 and want in calls[0], calls
    assert "i32 0, i32 3, i32 1)" in calls[0]         # read, keep, data


@pytest.mark.parametrize("target", ["riscv64-linux", "cortex-m4f", "rv32imac"])
def test_not_where_a_prefetch_could_fault(target):
    t = get_target(target)
    assert not t.prefetch
    assert "prefetch" not in default_pipeline("explicit", t.pointer_bytes, t.reroll, t.prefetch)


def _exe(tmp_path, bounds: str):
    src = tmp_path / "m.wat"
    src.write_text(WAT)
    exe = tmp_path / f"m-{bounds}"
    r = subprocess.run(["wasmaot", "compile", str(src), "-o", str(exe), "--invoke", "probe",
                        "--bounds", bounds, "--emit", "exe"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    asm = subprocess.run(["wasmaot", "compile", str(src), "-o", "-", "--bounds", bounds,
                          "--emit", "asm"], capture_output=True, text=True)
    assert asm.returncode == 0 and "prefetcht0" in asm.stdout, asm.stderr
    return exe


def _expected(table: int, key: int, n: int, m: int) -> str | None:
    data = bytearray(PAGE)
    data[64:80] = bytes([1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0])
    s = n * (n + 1) // 2
    bucket = (table + (key << 4)) & 0xFFFFFFFF
    for i in range(m):
        a = (bucket + 4 * i) & 0xFFFFFFFF
        if a + 4 > PAGE:
            return None
        s += int.from_bytes(data[a:a + 4], "little")
    s &= 0xFFFFFFFF
    return str(s - (1 << 32) if s >= 1 << 31 else s)


def _i32(v: int) -> str:
    v &= 0xFFFFFFFF
    return str(v - (1 << 32) if v >= 1 << 31 else v)


@pytest.mark.skipif(platform.machine() != "x86_64", reason="runs x86-64 executables")
@pytest.mark.parametrize("bounds", ["guard", "explicit"])
def test_prefetch_anywhere_never_traps(tmp_path, bounds):
    exe = _exe(tmp_path, bounds)
    cases = [(64, 0, 3, 4), (0, 4, 0, 4), (60, 0, 5, 2),
             # bases past the end, at 4 GiB - 16, far beyond: no walk, no trap
             (PAGE, 0, 2, 0), (-16, 0, 1, 0), (0x7FFFFFF0, 0x7FFFFFF, 3, 0),
             # and a walk that does leave the memory: the load's own trap
             (PAGE - 8, 0, 0, 3), (-8, 0, 1, 4)]
    traps = 0
    for table, key, n, m in cases:
        want = _expected(table, key, n, m)
        out = subprocess.run([str(exe), _i32(table), _i32(key), str(n), str(m)],
                             capture_output=True, text=True)
        if want is None:
            assert out.returncode != 0 and "out of bounds memory access" in out.stderr, out
            traps += 1
        else:
            assert out.returncode == 0 and out.stdout.strip() == want, (table, key, n, m, want, out)
    assert traps == 2
