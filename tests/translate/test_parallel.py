"""Translation + function passes in worker processes (ir/translate/parallel.py)
give exactly the module the serial path gives."""
from __future__ import annotations

import pytest

from wasmaot.frontend.load import load_module
from wasmaot.ir.pipeline import PIPELINE, PassInfo, PassManager
from wasmaot.ir.printer import print_module
from wasmaot.ir.translate import parallel, translate_module
from wasmaot.ir.verifier import verifier_errors


def _module_text(n: int) -> str:
    funcs = []
    for i in range(n):
        funcs.append(f"""
  (func $f{i} (export "f{i}") (param i32) (result i32)
    (local i32)
    (local.set 1 (i32.mul (local.get 0) (i32.const {i + 3})))
    (if (result i32) (i32.gt_u (local.get 1) (i32.const 100))
      (then (i32.add (local.get 1) (call $f{max(i - 1, 0)} (i32.const 1))))
      (else (i32.load offset={4 * i} (local.get 0)))))""")
    return f"""(module (memory 1) (global $g (mut i32) (i32.add (i32.const 1) (i32.const 2)))
  (table 2 funcref) (elem (i32.const 0) $f0 $f1) {''.join(funcs)})"""


@pytest.fixture(scope="module")
def wasm():
    return load_module(_module_text(60).encode(), "many.wat")


def test_parallel_equals_serial(wasm, monkeypatch):
    serial = translate_module(wasm)
    PassManager(list(PIPELINE), verify=True).run_module(serial)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_AVG_BODY", 0)
    pm = PassManager(list(PIPELINE), verify=True)
    assert parallel.parallel_worth_it(wasm, pm, 2)
    par = parallel.translate_in_workers(wasm, pm, 2)
    assert par == serial                                   # structural equality
    assert print_module(par) == print_module(serial)
    for f in par.functions():
        assert f.module is par and not verifier_errors(f)
    # the workers' pass timings came back: every pass ran on every function
    assert pm.timings["constfold"].runs == len(par.functions())


def test_small_modules_and_one_job_stay_serial(wasm):
    pm = PassManager(list(PIPELINE))
    assert not parallel.parallel_worth_it(wasm, pm, 2)     # under MIN_PARALLEL_BYTES
    assert not parallel.parallel_worth_it(wasm, pm, 1)


def test_modules_of_tiny_functions_stay_serial(wasm, monkeypatch):
    """Shipping a function back costs more than translating a tiny one."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)
    pm = PassManager(list(PIPELINE))
    avg = sum(f.body_end - f.body_start for f in wasm.funcs) / len(wasm.funcs)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_AVG_BODY", int(avg) + 1)
    assert not parallel.parallel_worth_it(wasm, pm, 2)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_AVG_BODY", int(avg))
    assert parallel.parallel_worth_it(wasm, pm, 2)


def test_module_pass_pipeline_stays_serial(wasm, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_AVG_BODY", 0)
    pm = PassManager([PassInfo("whole", lambda module: False, kind="module")])
    assert not parallel.parallel_worth_it(wasm, pm, 2)


@pytest.mark.parametrize("sizes, n", [([1] * 10, 4), ([1, 1, 1, 1, 10, 1, 1], 3), ([5], 4), ([], 2)])
def test_ranges_cover_everything_once(sizes, n):
    rs = parallel._ranges(sizes, n)
    assert [i for a, b in rs for i in range(a, b)] == list(range(len(sizes)))
    assert len(rs) <= max(n, 1) and all(a < b for a, b in rs)
