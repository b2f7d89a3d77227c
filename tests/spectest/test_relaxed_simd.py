"""Relaxed SIMD (``i8x16.relaxed_swizzle`` ... ``i32x4.relaxed_dot_i8x16_i7x16_add_s``):
the spec's proposal scripts (whose ``(either ...)`` results accept any
allowed choice), the copies in ``proposals/wasm-3.0``, and our own
``relaxed_simd_choices.wast``, which pins the one deterministic choice
wasmaot makes per instruction (ir/translate/simd.py), executed natively
through ``wasmaot spectest`` on every target and bounds mode
(aarch64/riscv64 under qemu-user): the same bits everywhere."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from wasmaot.frontend import features as F
from wasmaot.frontend.binary import decode_module
from wasmaot.frontend.text import parse_wat
from wasmaot.frontend.unsupported import DisabledError
from wasmaot.frontend.validate import validate_module

from .proposal_run import run_all_pass

CASES = [(t, b) for t in ("x86_64-linux", "aarch64-linux", "riscv64-linux")
         for b in ("guard", "explicit")]
CHOICES = Path(__file__).with_name("relaxed_simd_choices.wast")


def _assertions(files) -> int:
    return sum(len(re.findall(r"^\s*\(assert_", f.read_text(), re.MULTILINE)) for f in files)


def _scripts(suite) -> list[Path]:
    files = sorted((suite / "proposals" / "relaxed-simd").glob("*.wast"))
    files += sorted((suite / "proposals" / "wasm-3.0").glob("*relaxed*.wast"))
    assert len(files) == 14, files
    return files


@pytest.mark.parametrize(("target", "bounds"), CASES)
def test_relaxed_simd_scripts(suite, target, bounds, tmp_path):
    files = [*_scripts(suite), CHOICES]
    passed = run_all_pass(["--target", target, "--bounds", bounds, *files], tmp_path)
    n = _assertions(files)
    assert passed >= n > 190, (passed, n)      # every assertion line was counted


def test_frontend_only(suite):
    r = subprocess.run([sys.executable, "-m", "wasmaot", "spectest", "--frontend-only",
                        *map(str, _scripts(suite)), str(CHOICES)],
                       check=False, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert re.search(r"^\d+ passed, 0 failed, \d+ skipped$", r.stdout, re.MULTILINE), r.stdout


def test_disabled_feature_is_named():
    """With relaxed-simd off, a module using one of the ops is rejected as
    disabled at the instruction, naming the feature and how to enable it."""
    binary = parse_wat("(module (func (param v128) (result v128)\n"
                       "  (f64x2.relaxed_nmadd (local.get 0) (local.get 0) (local.get 0))))", "t.wat")
    validate_module(decode_module(binary, "t.wat"))                   # on by default
    with pytest.raises(DisabledError) as ei:
        validate_module(decode_module(binary, "t.wat"), F.DEFAULT.switched("relaxed-simd", False))
    assert str(ei.value) == ("t.wat:2:4: disabled: relaxed SIMD (Wasm 3.0): f64x2.relaxed_nmadd "
                             "(enable with -W relaxed-simd)")


def test_spectest_honours_w():
    """``-W relaxed-simd=n``: every module using the ops is rejected as
    disabled, naming the feature and how to enable it."""
    r = subprocess.run([sys.executable, "-m", "wasmaot", "spectest", "--frontend-only", "-v",
                        "-W", "relaxed-simd=n", str(CHOICES)],
                       check=False, capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, r.stdout + r.stderr
    assert ("module rejected: disabled: relaxed SIMD (Wasm 3.0): i8x16.relaxed_swizzle "
            "(enable with -W relaxed-simd)") in r.stdout, r.stdout
    assert re.search(r"^0 passed, [1-9]\d* failed", r.stdout, re.MULTILINE), r.stdout
