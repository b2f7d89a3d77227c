"""Verifier: every invariant in its docstring has a test that breaks it.

Each test starts from valid IR (checked to verify cleanly), breaks exactly
one thing, and expects an error carrying the invariant's tag.
"""
from __future__ import annotations

import re

import pytest

from wasmaot.ir import verifier as verifier_mod
from wasmaot.ir.builder import Cursor, FunctionBuilder
from wasmaot.ir.function import Function
from wasmaot.ir.module import Signature
from wasmaot.ir.opcodes import ImmKind, Opcode
from wasmaot.ir.parser import parse_module
from wasmaot.ir.types import F32, I32, I64
from wasmaot.ir.verifier import VerifierError, verifier_errors, verify_function

DECLS = """\
sig0 = (i32) -> i32
memory mem0 1
table table0 funcref 1
table table1 externref 1
global g0 mut i32 = iconst 0
global g1 i32 = iconst 0
elem elem0 funcref
elem elem1 externref
function %callee(i32) -> i32 import "m" "f"
"""


def parse(body: str) -> Function:
    m = parse_module(DECLS + "\n" + body)
    return m.functions()[0]


def ok(body: str) -> Function:
    f = parse(body)
    assert verifier_errors(f) == []
    return f


def errors(f: Function, tag: str) -> list[str]:
    errs = verifier_errors(f)
    hits = [e for e in errs if f"({tag})" in e]
    assert hits, f"expected a ({tag}) error, got {errs}"
    return hits


SIMPLE = """\
function %f(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = iadd.i32 v0, v1
    brif v2, block1(v2), block2
block1(v3: i32):
    return v3
block2:
    return v1
}
"""


def find(f: Function, opname: str):
    for i in f.all_insts():
        if f.dfg.inst_info(i).name == opname:
            return i
    raise LookupError(opname)


def test_docstring_lists_every_tag_tested_here():
    tags = set(re.findall(r"^\s+([LIBV]\d)\s", verifier_mod.__doc__, re.M))
    src = open(__file__).read()
    tested = set(re.findall(r'errors\(f, "([LIBV]\d)"\)', src))
    assert tags and tags <= tested, f"untested invariants: {sorted(tags - tested)}"


def test_valid_function_passes():
    verify_function(ok(SIMPLE))


def test_error_names_function_block_and_instruction():
    f = ok(SIMPLE)
    f.dfg.vtype[1] = I64          # v1 is now an i64 param: breaks L5 and I5
    msg = errors(f, "I5")[0]
    assert msg.startswith('function %f, block0, "v2 = iadd.i32 v0, v1": ')
    with pytest.raises(VerifierError) as ei:
        verify_function(f)
    assert msg in ei.value.errors


def test_L1_no_entry_block():
    f = Function("empty", Signature((), ()))
    errors(f, "L1")


def test_L2_empty_block():
    f = ok(SIMPLE)
    b = f.dfg.make_block()
    f.layout.append_block(b)
    errors(f, "L2")


def test_L3_missing_terminator():
    f = ok(SIMPLE)
    blk1 = [b for b in f.blocks()][1]
    f.remove_inst(f.layout.last_inst(blk1))
    f.layout.append_inst(f.dfg.make_inst(Opcode.iconst, I32, [1], [], None, [I32]), blk1)
    errors(f, "L3")


def test_L3_terminator_in_the_middle():
    f = ok(SIMPLE)
    add = find(f, "iadd")
    Cursor(f, add).return_([f.dfg.block_params(0)[0]])
    errors(f, "L3")


def test_L4_instruction_recorded_in_another_block():
    f = ok(SIMPLE)
    add = find(f, "iadd")
    f.layout.iblock[add] = 2
    errors(f, "L4")


def test_L4_instruction_listed_twice():
    f = ok(SIMPLE)
    # Splice block2's return into block0's list as well (a corrupt link).
    ret2 = f.layout.last_inst(2)
    add = find(f, "iadd")
    f.layout.inext[add] = ret2
    errors(f, "L4")


def test_L5_entry_params_do_not_match_signature():
    f = parse("""\
function %f(i32) -> i32 {
block0(v0: i64):
    v1 = ireduce.i32 v0
    return v1
}
""")
    errors(f, "L5")


def test_L6_branch_to_entry():
    f = parse("""\
function %f() {
block0:
    jump block0
}
""")
    errors(f, "L6")


def test_I1_bad_controlling_type():
    f = ok(SIMPLE)
    f.dfg.ctrl[find(f, "iadd")] = F32
    errors(f, "I1")


def test_I1_controlling_type_on_monomorphic_op():
    f = ok(SIMPLE)
    f.dfg.ctrl[find(f, "brif")] = I32
    errors(f, "I1")


def test_I1_unknown_opcode():
    f = ok(SIMPLE)
    f.dfg.op[find(f, "iadd")] = 999
    errors(f, "I1")


@pytest.mark.parametrize("body,opname,kind,value", [
    ("v1 = iconst.i32 0", "iconst", ImmKind.IMM64, 1 << 32),
    ("v1 = fconst.f32 0x0", "fconst", ImmKind.IEEE, 1 << 32),
    ("v1 = icmp.i32 eq v0, v0", "icmp", ImmKind.INTCC, 77),
    ("v1 = fcmp.f32 eq v9, v9", "fcmp", ImmKind.FLOATCC, 77),
    ("v1 = load.i32 mem0 v0", "load", ImmKind.OFFSET, 1 << 32),
    ("v1 = load.i32 mem0 v0", "load", ImmKind.MEMFLAGS, 4 << 1),      # align=8 above natural 4
    ("v1 = load.i32 mem0 v0", "load", ImmKind.MEMFLAGS, 3 << 1),      # align=4 written, not 0
    ("v1 = load.i32 mem0 v0", "load", ImmKind.MEMFLAGS, 1 << 9),      # a group, no domain
    ("v1 = load.i32 mem0 v0", "load", ImmKind.MEMFLAGS, 1 << 16),     # a domain, no group
    ("v1 = load.i32 mem0 v0", "load", ImmKind.MEMFLAGS, 1 << 32 | 1 << 8),
])
def test_I2_immediate_out_of_range(body, opname, kind, value):
    f = ok(f"""\
function %f(i32, f32) {{
block0(v0: i32, v9: f32):
    {body}
    return
}}
""")
    f.dfg.set_imm(find(f, opname), kind, value)
    errors(f, "I2")


def test_I2_bad_trap_code():
    f = ok("""\
function %f(i32) {
block0(v0: i32):
    trapz integer_divide_by_zero v0
    return
}
""")
    f.dfg.set_imm(find(f, "trapz"), ImmKind.TRAPCODE, 42)
    errors(f, "I2")


def test_I3_missing_module_entity():
    f = ok("""\
function %f() -> i32 {
block0:
    v0 = global_get g0
    return v0
}
""")
    f.dfg.set_imm(find(f, "global_get"), ImmKind.GLOBAL, 7)
    errors(f, "I3")


def test_I3_entity_reference_without_module():
    f = ok("""\
function %f() -> i32 {
block0:
    v0 = memory_size mem0
    return v0
}
""")
    f.module = None
    errors(f, "I3")


def test_I4_call_argument_count():
    f = parse("""\
function %f(i32) -> i32 {
block0(v0: i32):
    v1 = call fn0(v0, v0)
    return v1
}
""")
    errors(f, "I4")


def test_I4_return_value_count():
    f = parse("""\
function %f(i32) -> i32 {
block0(v0: i32):
    return
}
""")
    errors(f, "I4")


@pytest.mark.parametrize("body", [
    "v2 = iadd.i32 v0, v1",               # T operand of the wrong type
    "v2 = load.i32 mem0 v1",              # A (address) operand
    "v2 = fcvt_from_sint.f32 v3",         # class operand (Int) given an f32
    "v2 = bitcast.i32 v3\n    v4 = bitcast.f32 v1",   # Tbits: i64 is not f32's
    "global_set g0 v1",                   # G
    "table_set table0 v0, v5",            # E
    "v2 = call fn0(v1)",                  # signature params
    "v2 = select.i32 v1, v0, v0",         # fixed i32 condition
])
def test_I5_operand_types(body):
    f = parse(f"""\
function %f(i32, i64, f32, externref) {{
block0(v0: i32, v1: i64, v3: f32, v5: externref):
    {body}
    return
}}
""")
    errors(f, "I5")


def test_I5_return_types():
    f = parse("""\
function %f(i64) -> i32 {
block0(v0: i64):
    return v0
}
""")
    errors(f, "I5")


def test_I6_result_type():
    f = ok(SIMPLE)
    add = find(f, "iadd")
    f.dfg.vtype[f.dfg.first_result(add)] = I64
    errors(f, "I6")


def test_I6_result_definition_record():
    f = ok(SIMPLE)
    add = find(f, "iadd")
    f.dfg.vnum[f.dfg.first_result(add)] = 3
    errors(f, "I6")


@pytest.mark.parametrize("body", [
    "global_set g1 v0",                                 # immutable
    "table_copy table0 table1 v0, v0, v0",              # funcref <- externref
    "table_init table0 elem1 v0, v0, v0",               # externref segment
    "v1 = call_indirect sig0 table1 v0(v0)",            # externref table
])
def test_I7_entity_rules(body):
    f = parse(f"""\
function %f(i32) {{
block0(v0: i32):
    {body}
    return
}}
""")
    errors(f, "I7")


def test_B1_branch_target_not_in_layout():
    f = ok(SIMPLE)
    f.layout.remove_block(2)
    errors(f, "B1")


def test_B2_argument_count():
    f = parse(SIMPLE.replace("brif v2, block1(v2), block2", "brif v2, block1, block2"))
    errors(f, "B2")


def test_B2_argument_type():
    f = parse(SIMPLE.replace("block1(v3: i32)", "block1(v3: i64)")
              .replace("return v3", "v4 = ireduce.i32 v3\n    return v4"))
    errors(f, "B2")


def test_V1_undefined_value():
    f = ok(SIMPLE)
    f.dfg.set_arg(find(f, "iadd"), 1, 55)
    errors(f, "V1")


def test_V1_use_of_removed_definition():
    f = ok(SIMPLE)
    f.remove_inst(find(f, "iadd"))
    errors(f, "V1")


def test_V2_block_param_definition_record():
    f = ok(SIMPLE)
    f.dfg.vdef[3] = 2             # v3 claims to be a param of block2
    errors(f, "V2")


def test_V3_use_before_def_in_same_block():
    f = parse("""\
function %f(i32) -> i32 {
block0(v0: i32):
    v2 = iadd.i32 v1, v0
    v1 = iconst.i32 1
    return v2
}
""")
    errors(f, "V3")


def test_V3_def_in_non_dominating_block():
    f = parse("""\
function %f(i32) -> i32 {
block0(v0: i32):
    brif v0, block1, block2
block1:
    v1 = iconst.i32 1
    jump block3
block2:
    jump block3
block3:
    return v1
}
""")
    (msg,) = errors(f, "V3")
    assert "block3" in msg and "return v1" in msg


def test_V3_block_param_of_non_dominating_block():
    f = parse("""\
function %f(i32) -> i32 {
block0(v0: i32):
    brif v0, block1(v0), block2
block1(v1: i32):
    jump block2
block2:
    return v1
}
""")
    errors(f, "V3")


def test_V3_unreachable_uses_are_exempt_but_do_not_dominate():
    f = ok("""\
function %f(i32) -> i32 {
block0(v0: i32):
    return v0
block1:
    v1 = iconst.i32 1
    jump block2
block2:
    v2 = iadd.i32 v1, v1
    jump block1
}
""")
    assert verifier_errors(f) == []
    f2 = parse("""\
function %f(i32) -> i32 {
block0(v0: i32):
    return v1
block1:
    v1 = iconst.i32 1
    return v1
}
""")
    errors(f2, "V3")


def test_verifier_reports_all_errors_at_once():
    f = ok(SIMPLE)
    f.dfg.ctrl[find(f, "iadd")] = F32
    f.layout.remove_block(2)
    errs = verifier_errors(f)
    assert any("(I1)" in e for e in errs) and any("(B1)" in e for e in errs)


def test_builder_built_function_verifies():
    f = Function("b", Signature((I32,), (I32,)))
    fb = FunctionBuilder(f)
    b0 = fb.create_block()
    fb.switch_to_block(b0)
    (x,) = fb.append_entry_params()
    fb.return_([fb.iadd(x, fb.iconst(I32, 1))])
    verify_function(f)
