"""benchmarks/firmware_instr.py: the qemu instruction-count plugin, one
kernel counted natively and as wasmaot firmware, and the ratio/geomean
arithmetic of its tables."""
from __future__ import annotations

import math
import re
import subprocess

import pytest
from wasmaot.bench import firmware_instr as fi
from wasmaot.bench import suite

from .conftest import qemu_for

TARGET, BOARD = "cortex-m3", "mps2-an385"
#: The smallest kernel (about 3 M instructions natively).
KERNEL = "statemachine"


# ------------------------------------------------------------ arithmetic

def test_ratio_and_geomean():
    assert fi.ratio(300, 200) == 1.5
    assert fi.ratio(None, 200) is None and fi.ratio(300, None) is None and fi.ratio(3, 0) is None
    assert fi.geomean([1.0, 4.0]) == pytest.approx(2.0)
    assert fi.geomean([None, 2.0, 8.0]) == pytest.approx(4.0)   # a failed workload is skipped
    assert fi.geomean([]) is None and fi.geomean([None]) is None
    with pytest.raises(ValueError):
        fi.geomean([1.0, -2.0])


def test_summarize_and_table():
    rows = {"a": {"native": 100, "explicit": 150, "unchecked": 110},
            "b": {"native": 200, "explicit": 600, "unchecked": None, "unchecked_error": "boom"}}
    s = fi.summarize(rows)
    assert s["explicit"] == {"geomean": pytest.approx(math.sqrt(1.5 * 3.0)), "workloads": 2}
    assert s["unchecked"] == {"geomean": pytest.approx(1.1), "workloads": 1}
    md = fi.table(TARGET, {"board": BOARD, "rows": rows, "summary": s})
    assert "| a | 0.00M | 0.00M | 1.500x | 0.00M | 1.100x |" in md
    assert f"**{math.sqrt(4.5):.3f}x**" in md and "FAIL" in md and "- b unchecked: boom" in md


def test_expected_constants_one_per_kernel():
    """expected.h defines exactly one constant per kernel, and every
    kernel checks its own (FW_EXPECT with its name)."""
    text = (fi.FW_DIR / "expected.h").read_text()
    names = re.findall(r"#define FW_EXPECT_(\w+) 0x[0-9a-f]{8}u", text)
    assert sorted(names) == fi.kernels() and len(names) >= 6
    for n in names:
        assert f'FW_EXPECT("{n}", ' in (fi.FW_DIR / f"{n}.c").read_text()


# ------------------------------------------------------------ under qemu

@pytest.fixture(scope="module")
def plugin_so(tmp_path_factory):
    qemu_for(BOARD)
    return fi.plugin(tmp_path_factory.mktemp("plugin"))


def test_counts_native_and_wasm(plugin_so, tmp_path):
    """Both builds run correctly (exit 0: the kernel checked its result),
    count a positive number of instructions, the same in two runs; the
    wasm image executes more than native but not absurdly more."""
    native = fi.native_image(KERNEL, TARGET, tmp_path)
    wasm = fi.wasmaot_image(fi.wasm_build(KERNEL, tmp_path), TARGET, "explicit", tmp_path / "w.elf")
    runs = {}
    for what, elf in (("native", native), ("wasm", wasm)):
        a, b = fi.count(elf, BOARD, plugin_so), fi.count(elf, BOARD, plugin_so)
        assert a.status == 0, (what, a.output)
        assert a.insns > 1_000_000 and a.insns == b.insns, (what, a.insns, b.insns)
        runs[what] = a.insns
    assert 1.0 < runs["wasm"] / runs["native"] < 5.0, runs


def test_wrong_result_fails(plugin_so, tmp_path):
    """A kernel given the wrong expected value exits non-zero under qemu
    (the self-check works), and the plugin still counts."""
    wasm = tmp_path / "bad.wasm"
    subprocess.run(suite.zig_cmd() + ["cc", *fi.WASM_FLAGS, *fi.C_FLAGS, f"-I{fi.FW_DIR}",
                                      f"-DFW_EXPECT_{KERNEL}=0x12345678u", str(fi.source(KERNEL)),
                                      "-o", str(wasm)], check=True, capture_output=True)
    elf = fi.wasmaot_image(wasm, TARGET, "explicit", tmp_path / "bad.elf")
    r = fi.count(elf, BOARD, plugin_so)
    assert r.status == 1 and r.insns > 0, r
