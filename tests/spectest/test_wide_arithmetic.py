"""Wide arithmetic (``i64.add128``, ``i64.sub128``, ``i64.mul_wide_s``,
``i64.mul_wide_u``): the spec's wide-arithmetic proposal script and
wasmtime's regression file of the same name, executed natively through
``wasmaot spectest`` on every target and bounds mode (aarch64/riscv64
under qemu-user)."""
import re
import subprocess
import sys

import pytest

from .proposal_run import MISC, run_all_pass

CASES = [(t, b) for t in ("x86_64-linux", "aarch64-linux", "riscv64-linux")
         for b in ("guard", "explicit")]


@pytest.mark.parametrize(("target", "bounds"), CASES)
def test_wide_arithmetic_script(suite, target, bounds, tmp_path):
    folder = suite / "proposals" / "wide-arithmetic"
    files = sorted(folder.glob("*.wast"))
    assert files, folder
    passed = run_all_pass(["--target", target, "--bounds", bounds, str(folder)], tmp_path)
    n = sum(len(re.findall(r"^\(assert_", f.read_text(), re.MULTILINE)) for f in files)
    assert passed >= n > 90, (passed, n)      # every assertion line was counted


@pytest.mark.parametrize("bounds", ["guard", "explicit"])
def test_wasmtime_wide_arithmetic_file(bounds, tmp_path):
    f = MISC / "wide-arithmetic.wast"
    if not f.exists():
        pytest.skip(f"wasmtime's regression tests not found at {MISC}")
    passed = run_all_pass(["--harness", "wasmtime", "--bounds", bounds, str(f)], tmp_path)
    assert passed >= len(re.findall(r"^\(assert_", f.read_text(), re.MULTILINE)) > 90


def test_frontend_only(suite):
    folder = suite / "proposals" / "wide-arithmetic"
    r = subprocess.run([sys.executable, "-m", "wasmaot", "spectest", "--frontend-only",
                        str(folder)], check=False, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert re.search(r"^\d+ passed, 0 failed, \d+ skipped$", r.stdout, re.MULTILINE), r.stdout


def test_spectest_honours_w(suite):
    """`wasmaot spectest -W wide-arithmetic=n`: every module using the ops is
    rejected as disabled (so the script fails); a -W key that is not a
    feature is a usage error."""
    folder = suite / "proposals" / "wide-arithmetic"
    r = subprocess.run([sys.executable, "-m", "wasmaot", "spectest", "--frontend-only", "-v",
                        "-W", "wide-arithmetic=n", str(folder)],
                       check=False, capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, r.stdout + r.stderr
    assert ("module rejected: disabled: wide arithmetic (proposal): i64.add128 "
            "(enable with -W wide-arithmetic)") in r.stdout, r.stdout
    assert re.search(r"^0 passed, [1-9]\d* failed", r.stdout, re.MULTILINE), r.stdout
    r = subprocess.run([sys.executable, "-m", "wasmaot", "spectest", "--frontend-only",
                        "-W", "fuel=3", str(folder)],
                       check=False, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "unsupported option -W fuel=3" in r.stderr, r.stderr
