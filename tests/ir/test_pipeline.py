"""Pass manager, pass contracts, and scale (memory per instruction, linear time)."""
from __future__ import annotations

import importlib
import time
import tracemalloc

import pytest

from wasmaot.ir.builder import FunctionBuilder
from wasmaot.ir.function import Function
from wasmaot.ir.module import MemoryDecl, Module, Signature
from wasmaot.ir.opcodes import OPINFO, Opcode
from wasmaot.ir.parser import parse_function, parse_module
from wasmaot.ir.passes import dce
from wasmaot.ir.pipeline import (PIPELINE, PRESERVABLE, PassInfo, PassManager,
                                 available_passes, describe, get_pass, run_passes)
from wasmaot.ir.printer import print_function
from wasmaot.ir.types import I32
from wasmaot.ir.verifier import VerifierError


def test_pipeline_names_are_passes_with_docstrings():
    assert set(PIPELINE) <= set(available_passes())
    assert {"constfold", "dce", "unreachable", "trapelim"} <= set(available_passes())
    for name in available_passes():
        info = get_pass(name)
        doc = importlib.import_module(f"wasmaot.ir.passes.{name}").__doc__
        assert doc.startswith(f"{name}: {info.description}"), name
        assert "Why" in doc and "Precondition" in doc, name
        assert info.kind in ("function", "module") and info.preserves <= PRESERVABLE
    assert describe()["dce"].startswith("dead code elimination")
    assert get_pass("dce").preserves == {"cfg"} and get_pass("constfold").preserves == set()


def test_a_pass_without_a_contract_is_refused(monkeypatch):
    from wasmaot.ir.passes import trapelim
    monkeypatch.delattr(trapelim, "KIND")
    with pytest.raises(TypeError, match="KIND must be one of"):
        get_pass("trapelim")
    monkeypatch.setattr(trapelim, "KIND", "function", raising=False)
    monkeypatch.setattr(trapelim, "PRESERVES", frozenset({"everything"}))
    with pytest.raises(TypeError, match="PRESERVES must be a frozenset"):
        get_pass("trapelim")


BRANCHY = ("function %f(i32) -> i32 {\nblock0(v0: i32):\n    v1 = iconst.i32 1\n"
           "    brif v1, block1, block2\nblock1:\n    return v0\nblock2:\n    return v1\n}\n")


def test_a_pass_breaking_its_cfg_promise_is_named():
    from wasmaot.ir.passes import constfold
    liar = PassInfo("liar", constfold.run, "function", frozenset({"cfg"}))
    with pytest.raises(VerifierError, match="after pass 'liar'.*CFG changed"):
        PassManager([liar], verify=True).run_function(parse_function(BRANCHY))
    PassManager([liar]).run_function(parse_function(BRANCHY))     # unchecked without verify


def test_module_passes_run_between_function_stages():
    order = []

    def fpass(name):
        return PassInfo(name, lambda f: order.append((name, f.name)) or False)

    def mpass(module):
        order.append(("m", len(module.functions())))
        return True
    m = parse_module(BRANCHY + "\n" + BRANCHY.replace("%f", "%g"))
    pm = PassManager([fpass("a"), fpass("b"), PassInfo("m", mpass, "module"), fpass("c")],
                     verify=True)
    assert pm.run_module(m) and not pm.function_parallel
    assert order == [("a", "f"), ("b", "f"), ("a", "g"), ("b", "g"), ("m", 2),
                     ("c", "f"), ("c", "g")]
    with pytest.raises(ValueError, match="function passes only"):
        pm.run_functions(m.functions())


def test_run_functions_on_a_partition_matches_run_module():
    """What a worker process does: a subset of the functions, timings merged."""
    text = BRANCHY + "\n" + BRANCHY.replace("%f", "%g")
    whole, parts = parse_module(text), parse_module(text)
    PassManager(verify=True).run_module(whole)
    total = PassManager(verify=True)
    for f in parts.functions():
        worker = PassManager(verify=True)
        worker.run_functions([f])
        total.merge_timings(worker.timings)
    assert parts == whole
    assert total.timings["dce"].runs == 4 and total.timings["constfold"].changed == 2


def test_unknown_pass_is_reported_with_the_alternatives():
    with pytest.raises(KeyError, match="unknown pass 'frob'.*constfold"):
        PassManager(["frob"])


def test_timings_and_report():
    f = parse_function("function %f() -> i32 {\nblock0:\n    v0 = iconst.i32 1\n"
                       "    v1 = iadd.i32 v0, v0\n    return v1\n}\n")
    pm = run_passes(f, ["constfold", "dce", "dce"], verify=True)
    assert pm.timings["dce"].runs == 2 and pm.timings["constfold"].changed == 1
    assert pm.timings["verify"].runs == 4          # input + after each pass
    report = pm.report()
    for name in ("constfold", "dce", "verify", "total"):
        assert name in report
    assert "v1 = iconst.i32 2" in print_function(f)


def test_verify_after_each_pass_names_the_culprit():
    def breaker(func):
        func.layout.remove_inst(next(func.all_insts()))   # drops a used def
        return True
    f = parse_function("function %f() -> i32 {\nblock0:\n    v0 = iconst.i32 1\n"
                       "    return v0\n}\n")
    with pytest.raises(VerifierError, match="after pass 'breaker'.*V1"):
        PassManager(["dce", ("breaker", breaker)], verify=True).run_function(f)


def test_broken_input_is_reported_as_input():
    f = parse_function("function %f() -> i32 {\nblock0:\n    return\n}\n")
    with pytest.raises(VerifierError, match="after input"):
        run_passes(f, ["dce"], verify=True)


def test_dce_never_removes_an_instruction_that_may_trap_or_has_effects():
    """Every opcode: if the table says it may trap / writes / calls / ends a
    block / is a hint, ``dce.removable`` must say no (checked on the all-ops function)."""
    from pathlib import Path
    text = (Path(__file__).parent / "filetests" / "roundtrip_all_ops.ir").read_text()
    m = parse_module(text)
    f = m.functions()[0]
    seen = set()
    for inst in f.all_insts():
        info = f.dfg.inst_info(inst)
        seen.add(info.opcode)
        must_keep = (info.is_terminator or info.writes or info.is_call or info.is_hint
                     or f.dfg.can_trap(inst))
        if must_keep and info.opcode not in (Opcode.sdiv, Opcode.udiv, Opcode.srem, Opcode.urem):
            assert not dce.removable(f, inst), info.name
        if info.is_pure:
            assert dce.removable(f, inst), info.name
    assert seen == set(range(len(OPINFO)))


# ---- scale ------------------------------------------------------------------------------

def build_big(n_groups: int) -> Function:
    m = Module(memories=[MemoryDecl(1)])
    f = Function("big", Signature((I32,), (I32,)))
    m.add_function(f)
    fb = FunctionBuilder(f)
    fb.switch_to_block(fb.create_block())
    (x,) = fb.append_entry_params()
    acc = x
    for i in range(n_groups):
        c = fb.iconst(I32, i)
        t = fb.iadd(acc, c)
        ld = fb.load(I32, 0, x, offset=4 * (i % 16))
        fb.bounds_check(0, x, offset=64)
        acc = fb.bxor(t, ld)
        if i % 50 == 49:
            nb = fb.create_block()
            p = fb.append_block_param(nb, I32)
            fb.brif(acc, (nb, [acc]), (nb, [x]))
            fb.switch_to_block(nb)
            acc = p
    fb.return_([acc])
    return f


def test_memory_per_instruction_is_small():
    """Arenas, not objects: an instruction with its result value and layout
    links costs well under 100 bytes (a Python object per instruction alone
    would be ~100+)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        f = build_big(5000)
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    per_inst = used / f.dfg.num_insts
    assert per_inst < 100, per_inst


def test_passes_scale_linearly():
    """Doubling the function must not quadruple the time (O(n^2) guard)."""
    def cost(n):
        f = build_big(n)
        t0 = time.perf_counter()
        PassManager(PIPELINE, verify=True).run_function(f)
        return time.perf_counter() - t0
    cost(500)                                   # warm up
    small, big = min(cost(2000) for _ in range(2)), min(cost(8000) for _ in range(2))
    assert big < small * 4 * 2.0, (small, big)  # 4x the size, generous slack
