"""benchmarks/scale.py: its module generators and its report logic (the
benchmark itself compiles large modules for minutes and is not run here)."""
from __future__ import annotations

import sys

import pytest
from wasmaot.bench import scale
from wasmaot.frontend.binary import decode_module
from wasmaot.frontend.validate import validate_module


@pytest.mark.parametrize("shape,n", [("funcs", 7), ("exports", 9), ("elem", 20), ("datas", 5), ("data-mb", 1)])
def test_generated_modules_validate_and_grow_with_n(shape, n):
    data = scale.GENERATORS[shape](n)
    mod = decode_module(data)
    validate_module(mod)
    if shape == "funcs":
        assert len(mod.funcs) == n + 1
    elif shape == "elem":
        assert len(mod.elems) == 1 and len(mod.elems[0].func_indices) == n
        assert mod.tables[0].limits.min == n
    elif shape == "datas":
        assert len(mod.datas) == n
        assert all(d.data_end - d.data_start == 16 for d in mod.datas)
    elif shape == "data-mb":
        assert len(mod.datas) == 1 and mod.datas[0].data_end - mod.datas[0].data_start == n << 20
    if shape == "exports":
        assert len(mod.funcs) == n + 1 and len(mod.exports) == n + 1
    else:
        assert [e.name for e in mod.exports] == ["_start"]
    assert len(scale.GENERATORS[shape](2 * n)) > len(data)


def _row(shape, n, ours, theirs, peak=100.0):
    return {"shape": shape, "n": n, "wasm_bytes": 2048,
            "wasmaot": {"seconds": ours, "cpu": ours * 1.5, "peak_mib": peak, "exit": 0, "error": None},
            "wasmtime": {"seconds": theirs, "cpu": theirs * 3, "peak_mib": 50.0, "exit": 0, "error": None}}


def test_growth_pairs_sizes_ten_apart_and_checks_the_goal():
    rows = [_row("funcs", 1000, 1.0, 0.1), _row("funcs", 10000, 11.0, 0.5),
            _row("funcs", 100000, 200.0, 5.0), _row("datas", 1000, 2.0, 0.1),
            _row("datas", 5000, 9.0, 0.2)]
    g = scale.growth(rows)
    assert [(x["shape"], x["from"], x["to"]) for x in g] == [("funcs", 1000, 10000), ("funcs", 10000, 100000)]
    assert g[0]["wasmaot"] == pytest.approx(11.0) and g[0]["ok"]
    assert g[0]["wasmtime"] == pytest.approx(5.0) and g[0]["wasmaot_cpu"] == pytest.approx(11.0)
    assert g[1]["wasmaot"] == pytest.approx(200 / 11) and not g[1]["ok"]


def test_failed_run_has_no_time_ratio_or_growth():
    bad = _row("elem", 10000, 3.0, 0.1)
    bad["wasmaot"].update(exit=70, error="wasmaot: internal error")
    rows = [_row("elem", 1000, 1.0, 0.1), bad]
    assert scale.ratio(bad) is None
    assert scale.growth(rows)[0]["wasmaot"] is None and not scale.growth(rows)[0]["ok"]
    text = "\n".join(scale.table(rows))
    assert "wasmaot failed: wasmaot: internal error" in text
    assert "NOT LINEAR" in text


def test_table_marks_ratio_over_goal():
    lines = scale.table([_row("funcs", 1000, 5.0, 0.1), _row("funcs", 10000, 6.0, 1.0)])
    assert lines[1].split()[-4:] == ["50.0x", "25.0", ">", "goal"]
    assert "> goal" in lines[1] and "> goal" not in lines[2]
    assert scale.ratio(_row("funcs", 1, 6.0, 2.0), "cpu") == pytest.approx(1.5)
    assert lines[-1].split()[-1] == "ok"


def test_measure_reports_exit_and_peak(tmp_path):
    ok = scale.measure([sys.executable, "-c", "x = bytearray(64 << 20)"])
    assert ok["exit"] == 0 and ok["error"] is None and ok["peak_mib"] >= 64 and ok["cpu"] > 0
    bad = scale.measure([sys.executable, "-c", "import sys; sys.exit('boom')"])
    assert bad["exit"] == 1 and bad["error"] == "boom"


def test_commands(tmp_path):
    cmd = scale.wasmaot_cmd(tmp_path / "m.wasm", tmp_path / "m.exe", 2)
    assert "compile" in cmd and cmd[cmd.index("-j") + 1] == "2"
    assert "-j" not in scale.wasmaot_cmd(tmp_path / "m.wasm", tmp_path / "m.exe", None)
