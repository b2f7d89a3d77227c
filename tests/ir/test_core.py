"""Entities, opcode table, DFG/layout and builder API."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from wasmaot.ir.builder import BuildError, Cursor, FunctionBuilder, InstBuilder, replace
from wasmaot.ir.cfg import ControlFlowGraph, DominatorTree, natural_loops
from wasmaot.ir.entities import Block, FuncRef, Inst, MemRef, Value
from wasmaot.ir.function import Function
from wasmaot.ir.layout import Layout
from wasmaot.ir.module import MemoryDecl, Module, Signature
from wasmaot.ir.opcodes import BY_NAME, OPINFO, ImmKind, IntCC, Opcode
from wasmaot.ir.parser import parse_function, parse_module
from wasmaot.ir.printer import print_function
from wasmaot.ir.trapcodes import TrapCode
from wasmaot.ir.types import F32, F64, I32, I64
from wasmaot.ir.verifier import verify_function


# ---- entities --------------------------------------------------------------------

def test_entities_print_like_the_text_and_behave_as_ints():
    assert repr(Value(3)) == "v3" and str(Block(2)) == "block2" and str(FuncRef(1)) == "fn1"
    assert str(MemRef(0)) == "mem0" and repr(Inst(7)) == "inst7"
    assert Value(3) == 3 and hash(Value(3)) == hash(3) and [10, 20][Value(1)] == 20
    with pytest.raises(AttributeError):
        Value(1).x = 1          # __slots__ = (): no per-handle dict


# ---- opcode table ------------------------------------------------------------------

def test_opcode_enum_matches_table():
    assert [int(o) for o in Opcode] == list(range(len(OPINFO)))
    for o in Opcode:
        assert OPINFO[o].name == o.name and BY_NAME[o.name] is OPINFO[o]


def test_every_opcode_has_a_builder_method():
    for info in OPINFO:
        name = info.name + ("_" if info.name == "return" else "")
        assert callable(getattr(InstBuilder, name)), name


def test_every_opcode_is_in_the_round_trip_filetest():
    text = (Path(__file__).parent / "filetests" / "roundtrip_all_ops.ir").read_text()
    used = set(re.findall(r"^\s+(?:v\d+(?:, v\d+)* = )?([a-z_0-9]+)", text, re.M))
    assert {i.name for i in OPINFO} <= used, {i.name for i in OPINFO} - used


def test_flags():
    assert OPINFO[Opcode.iadd].is_pure and not OPINFO[Opcode.sdiv].is_pure
    assert OPINFO[Opcode.sdiv].may_trap and set(OPINFO[Opcode.sdiv].traps) == {
        TrapCode.integer_divide_by_zero, TrapCode.integer_overflow}
    assert OPINFO[Opcode.load].reads and not OPINFO[Opcode.load].writes
    assert OPINFO[Opcode.store].writes and OPINFO[Opcode.call].writes
    assert OPINFO[Opcode.call].may_trap and OPINFO[Opcode.call].is_call
    pf = OPINFO[Opcode.prefetch]
    assert pf.is_hint and not (pf.may_trap or pf.writes or pf.reads or pf.is_pure)
    for t in ("return", "jump", "brif", "br_table", "trap", "unreachable"):
        assert OPINFO[BY_NAME[t].opcode].is_terminator, t
    assert not OPINFO[Opcode.trapz].is_terminator and OPINFO[Opcode.trapz].trap_imm
    assert OPINFO[Opcode.bounds_check].may_trap
    assert OPINFO[Opcode.global_get].reads and not OPINFO[Opcode.global_get].is_pure
    assert OPINFO[Opcode.uload8].access == 1 and OPINFO[Opcode.load].access == -1


# ---- builder -------------------------------------------------------------------------

def build_add() -> Function:
    f = Function("add", Signature((I32, I32), (I32,)))
    fb = FunctionBuilder(f)
    b0 = fb.create_block()
    fb.switch_to_block(b0)
    x, y = fb.append_entry_params()
    fb.return_([fb.iadd(x, y)])
    return f


def test_builder_produces_the_documented_text():
    assert print_function(build_add()) == (
        "function %add(i32, i32) -> i32 {\n"
        "block0(v0: i32, v1: i32):\n"
        "    v2 = iadd.i32 v0, v1\n"
        "    return v2\n"
        "}\n")


def test_builder_argument_conventions():
    m = Module(memories=[MemoryDecl(1)])
    f = Function("f", Signature((I32, F64), ()))
    m.add_function(f)
    fb = FunctionBuilder(f)
    b0, b1 = fb.create_block(), fb.create_block()
    fb.switch_to_block(b0)
    a, d = fb.append_entry_params()
    c = fb.iconst(I64, -1)
    assert f.dfg.inst_imm(f.dfg.value_inst(c), ImmKind.IMM64) == (1 << 64) - 1
    v = fb.load(I64, 0, a, offset=8, notrap=True)
    st = fb.istore8(0, a, v, align=1)
    assert isinstance(st, Inst)
    cmp = fb.icmp(IntCC.ult, a, a)
    cv = fb.fcvt_to_sint(I32, d)
    p = fb.append_block_param(b1, I32)
    fb.br_table(cmp, (b1, [cv]), [(b1, [a]), (b1, [p if False else cv])])
    fb.switch_to_block(b1)
    fb.return_([])
    text = print_function(f)
    assert "v3 = load.i64 notrap mem0 v0+8" in text
    assert "istore8.i64 mem0 v0, v3" in text
    assert "br_table v4, block1(v5), [block1(v0), block1(v5)]" in text
    verify_function(f)


def test_builder_rejects_bad_input():
    f = Function("f", Signature((), ()))
    fb = FunctionBuilder(f)
    fb.switch_to_block(fb.create_block())
    with pytest.raises(BuildError, match="bit pattern"):
        fb.fconst(F32, 1.5)
    with pytest.raises(BuildError, match="does not fit"):
        fb.iconst(I32, 1 << 32)
    with pytest.raises(BuildError, match="controlling type"):
        fb.iconst(F32, 1)
    with pytest.raises(BuildError, match="expected 2 operands"):
        fb.iadd(fb.iconst(I32, 1))
    m = Module(memories=[MemoryDecl(1)])
    m.add_function(f)
    with pytest.raises(BuildError, match="alignment 8"):
        fb.load(I32, 0, fb.iconst(I32, 0), align=8)
    with pytest.raises(BuildError, match="keywords"):
        fb.iconst(I32, 1, offset=3)


def test_cursor_and_replace():
    f = build_add()
    ret = f.layout.last_inst(0)
    x = f.dfg.block_params(0)[0]
    add = f.dfg.value_inst(f.dfg.inst_args(ret)[0])
    one = Cursor(f, add).iconst(I32, 1)
    replace(f, add).isub(x, one)
    assert print_function(f).splitlines()[2:4] == ["    v3 = iconst.i32 1",
                                                     "    v2 = isub.i32 v0, v3"]
    verify_function(f)
    with pytest.raises(BuildError, match="result types"):
        replace(f, add).iconst(I64, 0)


# ---- DFG / layout ------------------------------------------------------------------------

def test_layout_insert_remove_and_iterate_while_removing():
    lay = Layout()
    lay.append_block(0)
    for i in range(5):
        lay.append_inst(i, 0)
    lay.insert_inst_before(5, 0)
    lay.insert_inst_after(6, 2)
    lay.remove_inst(4)
    assert list(lay.insts(0)) == [5, 0, 1, 2, 6, 3]
    for i in lay.insts(0):
        if i % 2:
            lay.remove_inst(i)
    assert list(lay.insts(0)) == [0, 2, 6]
    assert lay.first_inst(0) == 0 and lay.last_inst(0) == 6 and lay.inst_block(1) is None
    lay.append_block(3)
    lay.insert_block_after(1, 0)
    assert list(lay.blocks()) == [0, 1, 3]
    lay.remove_block(0)
    assert list(lay.blocks()) == [1, 3] and lay.entry_block == 1
    assert not lay.is_inst_inserted(2)


def test_multi_results_are_consecutive():
    m = parse_module('function %g() -> i32, i64 import "m" "g"\n'
                     "function %f() {\nblock0:\n    v0, v1 = call fn0()\n    return\n}\n")
    f = m.functions()[0]
    (inst,) = list(f.all_insts())[:1]
    assert f.dfg.inst_results(inst) == (0, 1)
    assert [f.dfg.value_type(v) for v in f.dfg.inst_results(inst)] == [I32, I64]


def test_replace_uses_resolves_chains_in_one_pass():
    f = parse_function("function %f(i32) -> i32 {\nblock0(v0: i32):\n    v1 = iadd.i32 v0, v0\n"
                       "    v2 = iadd.i32 v1, v1\n    v3 = iadd.i32 v2, v1\n    return v3\n}\n")
    f.replace_uses({2: 1, 1: 0})
    assert "v3 = iadd.i32 v0, v0" in print_function(f)


def test_remove_block_params_fixes_every_branch():
    f = parse_function("function %f(i32) -> i32 {\nblock0(v0: i32):\n"
                       "    br_table v0, block1(v0, v0), [block1(v0, v0), block2]\n"
                       "block2:\n    jump block1(v0, v0)\n"
                       "block1(v1: i32, v2: i32):\n    return v2\n}\n")
    f.replace_uses({1: 0})
    f.remove_block_params({1: {0}})
    text = print_function(f)
    assert "br_table v0, block1(v0), [block1(v0), block2]" in text
    assert "jump block1(v0)" in text and "block1(v2: i32):" in text
    verify_function(f)


def test_same_size_rewrites_reuse_pool_space():
    f = build_add()
    dfg = f.dfg
    add = dfg.value_inst(Value(2))
    n = len(dfg.pool)
    replace(f, add).imul(*dfg.inst_args(add))
    assert len(dfg.pool) == n and dfg.garbage == 0


def test_dominator_tree():
    f = parse_function("function %f(i32) {\nblock0(v0: i32):\n    brif v0, block1, block2\n"
                       "block1:\n    jump block3\nblock2:\n    jump block3\n"
                       "block3:\n    brif v0, block1, block4\nblock4:\n    return\n"
                       "block5:\n    jump block4\n}\n")
    dt = DominatorTree(f)
    assert dt.immediate_dominator(3) == 0 and dt.immediate_dominator(1) == 0
    assert dt.immediate_dominator(4) == 3
    assert dt.dominates(0, 4) and dt.dominates(3, 3) and not dt.dominates(1, 3)
    assert not dt.is_reachable(5) and not dt.dominates(5, 4)
    assert dt.preorder()[0] == 0
    cfg = ControlFlowGraph(f)
    assert sorted(b for b, _ in cfg.preds[3]) == [1, 2]
    # block3 -> block1 enters block1 from outside its dominance: no loop
    assert natural_loops(f) == {}


def test_natural_loops_nested():
    # block1 heads an outer loop (latch block4), block2 an inner one
    # (latch block3); block6 reaches the inner header but is unreachable
    f = parse_function("function %f(i32) {\nblock0(v0: i32):\n    jump block1\n"
                       "block1:\n    jump block2\nblock2:\n    jump block3\n"
                       "block3:\n    brif v0, block2, block4\n"
                       "block4:\n    brif v0, block1, block5\nblock5:\n    return\n"
                       "block6:\n    jump block2\n}\n")
    assert natural_loops(f) == {1: {1, 2, 3, 4}, 2: {2, 3}}
