"""Multi-memory (Wasm 3.0): the spec's multi-memory proposal scripts and
wasmtime's ``multi-memory/`` regression file, executed natively through
``wasmaot spectest`` on x86-64 in both bounds modes (each memory has its own
base, size and bounds data; ``memory.copy`` between memories; imports and
exports of several memories).

CI runs x86-64 only, to keep its cost small.  The cross targets run the same
scripts under qemu-user with
``scripts/cross-spectest.sh ../shared/spec-testsuite/proposals/multi-memory``
(0 failed on aarch64-linux and riscv64-linux in both bounds modes when
multi-memory landed).

The Wasm 2.0 suite and this proposal disagree on a few encodings (a long-LEB
zero memory index, memarg flags 32..63): the runner decodes the Wasm 2.0
top-level scripts with multi-memory off (``runner.script_features``),
checked below."""
import re
import subprocess
import sys

import pytest
from wasmaot.frontend.features import DEFAULT
from wasmaot.spectest.runner import script_features

from .proposal_run import MISC, run_all_pass


def _assertions(files) -> int:
    return sum(len(re.findall(r"^\s*\(assert_", f.read_text(), re.MULTILINE)) for f in files)


@pytest.mark.parametrize("bounds", ["guard", "explicit"])
def test_multi_memory_scripts(suite, bounds, tmp_path):
    folder = suite / "proposals" / "multi-memory"
    files = sorted(folder.glob("*.wast"))
    assert len(files) > 40, folder
    passed = run_all_pass(["--target", "x86_64-linux", "--bounds", bounds, str(folder)], tmp_path)
    assert passed >= _assertions(files) > 1500, passed


@pytest.mark.parametrize("bounds", ["guard", "explicit"])
def test_wasmtime_multi_memory_files(bounds, tmp_path):
    files = [MISC / "multi-memory" / "simple.wast", MISC / "alias-region-imported-memories.wast"]
    if not files[0].exists():
        pytest.skip(f"wasmtime's regression tests not found at {MISC}")
    passed = run_all_pass(["--harness", "wasmtime", "--bounds", bounds, *map(str, files)], tmp_path)
    assert passed >= _assertions(files) > 15, passed


def test_wasm2_scripts_are_decoded_without_multi_memory(suite):
    top = script_features(str(suite / "binary.wast"), DEFAULT)
    assert "multi-memory" not in top and "simd" in top
    assert "memory64" not in top
    # a proposal's scripts keep their own feature, not the later ones
    prop = script_features(str(suite / "proposals" / "multi-memory" / "binary.wast"), DEFAULT)
    assert "multi-memory" in prop and "memory64" not in prop
    prop = script_features(str(suite / "proposals" / "memory64" / "memory.wast"), DEFAULT)
    assert "multi-memory" not in prop and "memory64" in prop
    # wasm-3.0's keep them; custom-page-sizes (beyond 3.0) is off for all but its own
    assert script_features(str(suite / "proposals" / "wasm-3.0" / "x.wast"), DEFAULT) == \
        DEFAULT.switched("custom-page-sizes", False)
    cps = script_features(str(suite / "proposals" / "custom-page-sizes" / "x.wast"), DEFAULT)
    # (its 2024 scripts predate exceptions: opcode 0x0a etc. stay malformed there)
    assert cps == DEFAULT.switched("exceptions", False)
    # the Wasm 2.0 scripts that need it: binary.wast's long-LEB zero memory
    # index and align.wast's flags 32..63 are malformed there
    r = subprocess.run([sys.executable, "-m", "wasmaot", "spectest", "--frontend-only",
                        str(suite / "binary.wast"), str(suite / "align.wast")],
                       check=False, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert re.search(r"^\d+ passed, 0 failed", r.stdout, re.MULTILINE), r.stdout
