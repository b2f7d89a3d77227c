"""Exception handling's spec scripts (the proposal's folder with its
legacy/ subfolder, and the wasm-3.0 folder's exception scripts) through
``wasmaot spectest``, natively on x86-64 in both bounds modes; AArch64,
RISC-V 64 (qemu-user) and cortex-m3 firmware (qemu-system) in one mode
each, when their emulators are installed.  Counts are exact: a script that
starts being skipped or loses commands fails here."""
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "spectest"))
from proposal_run import run_all_pass

SUITE = Path(__file__).resolve().parents[3] / "shared" / "spec-testsuite" / "proposals"
EH = SUITE / "exception-handling"
W3 = SUITE / "wasm-3.0"
W3_FILES = ["throw.wast", "throw_ref.wast", "try_table.wast", "exports.wast", "imports.wast"]

CASES = [("x86_64-linux", "guard", None), ("x86_64-linux", "explicit", None),
         ("aarch64-linux", "guard", "qemu-aarch64"), ("riscv64-linux", "explicit", "qemu-riscv64"),
         ("cortex-m3", "explicit", "qemu-system-arm")]


def _need(tool):
    if not EH.is_dir():
        pytest.skip("the spec testsuite is not beside the repository")
    if tool and shutil.which(tool) is None:
        pytest.skip(f"needs {tool}")


@pytest.mark.parametrize("target, bounds, tool", CASES, ids=[f"{t}-{b}" for t, b, _ in CASES])
def test_exception_handling_proposal(target, bounds, tool, tmp_path):
    _need(tool)
    args = ["-r", "--target", target, "--bounds", bounds, EH]
    assert run_all_pass(args, tmp_path, timeout=1800) == 598


@pytest.mark.parametrize("target, bounds, tool", CASES[:2], ids=["guard", "explicit"])
def test_wasm3_exception_scripts(target, bounds, tool, tmp_path):
    _need(tool)
    args = ["-r", "--target", target, "--bounds", bounds, *(W3 / f for f in W3_FILES),
            W3 / "legacy"]
    assert run_all_pass(args, tmp_path) == 538
