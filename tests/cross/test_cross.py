"""AArch64 and RISC-V 64 Linux: compile with the same compiler, run under
qemu-user.

Per target and bounds mode, a representative subset of the spec suite
(guard-page traps and partial stores, float NaN/rounding rules, float->int
conversions, stack exhaustion, tables, memory.grow, multi-module linking)
runs through ``wasmaot spectest --target``; a ``.wat`` compiled with
``--invoke`` runs as a standalone executable (results, traps, exit code).
The whole suite per target is ``scripts/cross-spectest.sh`` (too slow for
every CI run: about 3 minutes for the 4 cells on 2 cores).
"""
import os
import re
import shutil
import struct
import subprocess
import sys

import pytest

from wasmaot.backends.targets import RunnerMissing, get_target, target_names

from .conftest import CROSS_TARGETS, require_runner

# Chosen for what differs between targets, not for size: each runs in about
# a second under qemu.
SPEC_SUBSET = [
    "address",               # guard mode: every offset/index edge, unaligned accesses
    "memory_trap",           # out-of-bounds traps; no partial store at the memory end
    "f32", "f64",            # NaN quieting (RISC-V canonical NaNs), rounding ops on sNaN
    "float_exprs",           # no unsafe folds; fmin/fmax NaN propagation
    "conversions",           # trapping and saturating float->int (fcvt/fcvtz semantics)
    "skip-stack-guard-page", # stack exhaustion detected from the guest's stack under qemu
    "call_indirect",         # tables, signature checks
    "memory_grow",           # grow: in place (guard) or moving (explicit)
    "linking",               # several modules in one executable
    "traps",                 # every trap kind, incl. divide/overflow
    "endianness",
    # SIMD: NEON on AArch64, scalarized (no V) on RISC-V
    "simd_f32x4_rounding",   # vector rounding of sNaN must quiet it
    "simd_lane",             # shuffles, swizzle (NEON tbl), lane access
    "simd_address",          # v128 loads/stores at memory edges
    "simd_conversions",      # saturating/narrowing lane conversions
    "simd_i8x16_arith2",     # popcnt, abs, avgr, saturating arithmetic
]

WAT = r"""
(module
  (memory 1)
  (func $fac (export "fac") (param i64) (result i64)
    (if (result i64) (i64.le_u (local.get 0) (i64.const 1)) (then (i64.const 1))
      (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
  (func (export "fdiv") (param f64 f64) (result f64) (f64.div (local.get 0) (local.get 1)))
  (func (export "oob") (result i32) (i32.load (i32.const 65535)))
  (func (export "div0") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func $rec (export "exhaust") (call $rec))
  (func (export "store_load") (param i32 i64) (result i64)
    (i64.store offset=3 (local.get 0) (local.get 1))
    (i64.load offset=3 (local.get 0)))
)
"""

# ELF e_machine per architecture (Target.arch)
_EM = {"x86_64": 62, "aarch64": 183, "riscv64": 243}
# ELF e_flags float-ABI bits per RISC-V float ABI (Target.abi)
_RISCV_FLOAT_ABI = {"lp64d": 0x4}


def _wasmaot(*args, env):
    return subprocess.run([sys.executable, "-m", "wasmaot", *map(str, args)],
                          capture_output=True, text=True, timeout=600, env=env)


@pytest.mark.parametrize("bounds", ["guard", "explicit"])
@pytest.mark.parametrize("target", CROSS_TARGETS)
def test_spec_subset_under_qemu(suite, target, bounds, cross_cache):
    require_runner(target)
    files = [suite / f"{name}.wast" for name in SPEC_SUBSET]
    missing = [f.name for f in files if not f.is_file()]
    assert not missing, f"spec subset files not in the suite: {missing}"
    env = {**os.environ, "WASMAOT_CACHE_DIR": str(cross_cache)}
    r = _wasmaot("spectest", "--target", target, "--bounds", bounds, *files, env=env)
    lines = r.stdout.strip().splitlines()
    m = re.fullmatch(r"(\d+) passed, (\d+) failed, (\d+) skipped", lines[-1] if lines else "")
    assert m, r.stdout[-3000:] + r.stderr[-3000:]
    passed, failed, skipped = map(int, m.groups())
    assert failed == 0, "\n".join(l for l in lines if not l.startswith("ok"))
    assert skipped == 0 and r.returncode == 0
    assert passed > 8500, passed          # the subset really ran (about 8750 assertions)


@pytest.fixture(scope="module", params=CROSS_TARGETS)
def cross_exe(request, tmp_path_factory, cross_cache):
    target = request.param
    prefix = require_runner(target)
    d = tmp_path_factory.mktemp(f"wat-{target}")
    (d / "t.wat").write_text(WAT)
    env = {**os.environ, "WASMAOT_CACHE_DIR": str(cross_cache)}
    r = _wasmaot("compile", d / "t.wat", "-o", d / "t", "--target", target, "--invoke", "fac", env=env)
    assert r.returncode == 0, r.stderr
    return target, prefix, d / "t"


def test_compiled_wat_is_a_static_executable_for_the_target(cross_exe):
    target, _, exe = cross_exe
    t = get_target(target)
    head = exe.read_bytes()[:64]
    assert head[:4] == b"\x7fELF" and head[4] == {8: 2, 4: 1}[t.pointer_bytes]   # ELF64/32
    (machine,) = struct.unpack_from("<H", head, 18)
    assert machine == _EM[t.arch]
    if t.abi:                                                  # the linker checked it: e_flags say so
        (flags,) = struct.unpack_from("<I", head, 48)
        assert flags & 0x6 == _RISCV_FLOAT_ABI[t.abi], hex(flags)   # EF_RISCV_FLOAT_ABI_*
    if shutil.which("file"):
        out = subprocess.run(["file", str(exe)], capture_output=True, text=True).stdout
        assert "statically linked" in out or "static-pie" in out, out


def test_compiled_wat_runs_under_qemu(cross_exe):
    target, prefix, exe = cross_exe

    def run(*args):
        return subprocess.run([*prefix, str(exe), *args], capture_output=True, text=True, timeout=60)

    r = run("20")                                              # baked-in --invoke fac
    assert (r.returncode, r.stdout, r.stderr) == (0, "2432902008176640000\n", "")
    r = run("--invoke", "fdiv", "1", "3")
    assert (r.returncode, r.stdout) == (0, "0.3333333333333333\n"), r.stderr
    r = run("--invoke", "store_load", "65525", "-2")
    assert (r.returncode, r.stdout) == (0, "-2\n"), r.stderr
    for export, args, message in [("oob", (), "out of bounds memory access"),
                                  ("div0", ("0",), "integer divide by zero"),
                                  ("exhaust", (), "call stack exhausted")]:
        r = run("--invoke", export, *args)
        assert (r.returncode, r.stdout) == (134, ""), (export, r.stderr)
        assert r.stderr.splitlines()[:2] == [f"wasm trap: {message}", "wasm backtrace:"], export


SIMD_WAT = r"""
(module (memory 1)
  (func (export "sq") (param i32)
    (v128.store (local.get 0) (f32x4.mul (v128.load (local.get 0)) (v128.load (local.get 0))))))
"""


@pytest.mark.parametrize("target", CROSS_TARGETS)
def test_simd_lowering_per_target(target, tmp_path, cross_cache):
    """AArch64: v128 lives in NEON q registers (one fmul v.4s); RISC-V 64
    without V: correct scalar code, no vector instructions at all."""
    (tmp_path / "v.wat").write_text(SIMD_WAT)
    env = {**os.environ, "WASMAOT_CACHE_DIR": str(cross_cache)}
    r = _wasmaot("compile", tmp_path / "v.wat", "--emit", "asm", "--target", target, "-o", "-", env=env)
    assert r.returncode == 0, r.stderr
    insns = [l.split()[0] for l in r.stdout.splitlines() if l.startswith("\t") and not l.startswith("\t.")]
    arch = get_target(target).arch
    if arch == "aarch64":
        assert re.search(r"\bfmul\s+v\d+\.4s", r.stdout), r.stdout
    else:
        assert arch == "riscv64", f"say what SIMD lowering {target} should get"
        assert insns.count("fmul.s") >= 4, r.stdout
        assert not [i for i in insns if i.startswith("vset") or re.fullmatch(r"v[a-z]+\d*\.[a-z.]+", i)], insns


# ---------------------------------------------------------------- registry

@pytest.mark.parametrize("name,triple,arch", [
    ("aarch64-linux", "aarch64-unknown-linux-musl", "aarch64"),
    ("riscv64-linux", "riscv64-unknown-linux-musl", "riscv64"),
])
def test_registry_entries(name, triple, arch):
    assert name in target_names()
    t = get_target(name)
    assert (t.triple, t.arch, t.pointer_bytes, t.default_bounds) == (triple, arch, 8, "guard")
    assert set(t.bounds_modes) == {"guard", "explicit"}
    assert t.zig_target == f"{arch}-linux-musl"
    assert t.run_command_prefix("x86_64") == (f"qemu-{arch}",)
    assert t.run_command_prefix(arch) == ()                     # native: no emulator


def test_target_features_are_the_conservative_baselines():
    a64 = get_target("aarch64-linux")
    assert a64.default_cpu == "generic" and "+neon" in a64.features
    rv = get_target("riscv64-linux")
    assert rv.default_cpu == "generic-rv64" and rv.abi == "lp64d"
    feats = set(rv.features.split(","))
    assert {"+m", "+a", "+f", "+d", "+c"} <= feats and "+v" not in feats


def test_x86_64_stays_the_native_default():
    t = get_target("x86_64-linux")
    assert t.run_command_prefix("x86_64") == ()
    assert t.run_command_prefix("aarch64") == ("qemu-x86_64",)


def test_missing_emulator_is_one_clear_error(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    t = get_target("riscv64-linux")
    with pytest.raises(RunnerMissing, match=r"qemu-riscv64 not found.*qemu-user"):
        t.check_runnable("x86_64")


def test_spectest_reports_missing_emulator_per_command(suite, tmp_path, cross_cache):
    """No qemu on PATH: the spec runner fails the file's commands with one
    line naming the emulator and the package, instead of a confusing
    "exec format error" or a crash."""
    empty = tmp_path / "empty-path"
    empty.mkdir()
    env = {**os.environ, "PATH": str(empty), "WASMAOT_CACHE_DIR": str(cross_cache)}
    r = _wasmaot("spectest", "--target", "aarch64-linux", suite / "endianness.wast", env=env)
    assert r.returncode == 1
    assert "qemu-aarch64 not found" in r.stdout and "qemu-user" in r.stdout, r.stdout[-2000:]
