"""The cross-component call benchmark (benchmarks/components): its two C
components build and compose, both engines run each loop and print the
same checksum for small counts (no timing is asserted), and the checksum
is the one the loop computes (run-add's, recomputed here)."""
from __future__ import annotations

import pytest
from wasmaot.bench import components as cc

from .wave import differential as wd


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    wasmtime, wasm_tools = wd.tools_or_skip()
    d = tmp_path_factory.mktemp("ccbench")
    comp = cc.build_component(d, wasm_tools)
    app, cwasm = cc.compile_both(comp, d, wasmtime)
    return cc.commands(app, cwasm, wasmtime)


@pytest.mark.parametrize("case", list(cc.CASES))
def test_both_engines_agree(engines, case):
    export = cc.CASES[case][0]
    res = cc.measure_case(engines, export, (3, 40), rounds=1)
    assert "fail" not in res, res["fail"]
    sums = res["engines"]["wasmaot"]["checksum"]
    assert sums == res["engines"]["wasmtime"]["checksum"]
    assert len(set(sums.values())) == 2          # the count changes the checksum


def test_add_checksum_is_the_loop(engines):
    acc = 0
    for i in range(100_000):          # consumer.c's run-add
        acc = ((acc ^ (acc >> 5)) + i) % 2**32
    assert cc.run_once(engines["wasmaot"]("run-add(100000)"))["out"] == str(acc)


def test_unknown_case_is_a_usage_error(capsys):
    from wasmaot.bench.components.__main__ import main
    assert main(["--cases", "nope"]) == 2
    assert "unknown case 'nope'" in capsys.readouterr().err
