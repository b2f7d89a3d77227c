"""constfold wiring: for every foldable opcode, folding ``op(c1, c2)`` gives
exactly what ``wasm_numerics`` computes -- or leaves the instruction alone
when that traps or (for non-bit-exact float ops) yields a NaN."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from wasmaot.ir import wasm_numerics as wn
from wasmaot.ir.builder import FunctionBuilder
from wasmaot.ir.function import Function
from wasmaot.ir.module import Signature
from wasmaot.ir.opcodes import OPINFO, FloatCC, ImmKind, IntCC, Opcode, Spec
from wasmaot.ir.passes import constfold
from wasmaot.ir.types import F32, F64, FLOAT, I32, I64, INT, bits, counterpart, is_float
from wasmaot.ir.verifier import verify_function

FOLDABLE = sorted(constfold.FOLDERS, key=int)
EXACT = {Opcode.fneg, Opcode.fabs, Opcode.fcopysign, Opcode.bitcast}


def operand_types(info, ctrl, draw):
    out = []
    for s in info.args:
        if s == Spec.T:
            out.append(ctrl)
        elif s == Spec.TBITS:
            out.append(counterpart(ctrl))
        elif s == Spec.INT:
            out.append(draw(st.sampled_from([I32, I64])))
        elif s == Spec.FLOAT:
            out.append(draw(st.sampled_from([F32, F64])))
        else:
            out.append(s)
    return out


def reference(op, ctrl, imms, consts, tys):
    name = OPINFO[op].name
    w = bits(ctrl)
    special = {
        "sextend8": lambda: wn.sextend_from(w, consts[0], 8),
        "sextend16": lambda: wn.sextend_from(w, consts[0], 16),
        "sextend32": lambda: wn.sextend_from(w, consts[0], 32),
        "icmp": lambda: wn.icmp(imms[0], bits(tys[0]), *consts),
        "fcmp": lambda: wn.fcmp(imms[0], bits(tys[0]), *consts),
        "ireduce": lambda: wn.ireduce(consts[0]),
        "uextend": lambda: wn.uextend(consts[0]),
        "sextend": lambda: wn.sextend(consts[0]),
        "fpromote": lambda: wn.fpromote(consts[0]),
        "fdemote": lambda: wn.fdemote(consts[0]),
        "bitcast": lambda: consts[0],
        "iadd_nuw": lambda: wn.iadd(w, *consts),     # poison when it wraps: any value
    }
    if name in special:
        return special[name]()
    if name.startswith("fcvt_"):
        return getattr(wn, name)(w, bits(tys[0]), consts[0])
    return getattr(wn, name)(w, *consts)


def case_strategy():
    @st.composite
    def case(draw):
        op = draw(st.sampled_from(FOLDABLE))
        info = OPINFO[op]
        ctrl = draw(st.sampled_from(sorted(info.ctrl)))
        tys = operand_types(info, ctrl, draw)
        edge = {32: [0, 1, 0xFFFFFFFF, 0x80000000, 0x7FFFFFFF, 0x7FC00000, 0x7F800000,
                     0x80000000, 0x3F000000, 0x4F000000, 0xCF000000],
                64: [0, 1, (1 << 64) - 1, 1 << 63, (1 << 63) - 1, 0x7FF8000000000000,
                     0x3FE0000000000000, 0x43E0000000000000, 0xC3E0000000000000]}
        consts = [draw(st.one_of(st.sampled_from(edge[bits(t)]),
                                 st.integers(0, (1 << bits(t)) - 1))) for t in tys]
        imms = []
        if ImmKind.INTCC in info.imms:
            imms = [draw(st.sampled_from(list(IntCC)))]
        if ImmKind.FLOATCC in info.imms:
            imms = [draw(st.sampled_from(list(FloatCC)))]
        return op, ctrl, tys, consts, imms
    return case()


@settings(max_examples=1500, deadline=None)
@given(case_strategy())
def test_fold_matches_numerics(case):
    op, ctrl, tys, consts, imms = case
    info = OPINFO[op]
    f = Function("t", Signature((), ()))
    fb = FunctionBuilder(f)
    fb.switch_to_block(fb.create_block())
    vals = [fb.fconst(t, c) if is_float(t) else fb.iconst(t, c) for t, c in zip(tys, consts)]
    pos = ([ctrl] if info.ctrl_arg < 0 else []) + imms + vals
    r = getattr(fb, info.name)(*pos)
    fb.return_([])
    inst = f.dfg.value_inst(r)
    rt = f.dfg.value_type(r)
    constfold.run(f)
    verify_function(f)
    try:
        want = reference(op, ctrl, imms, consts, tys)
    except wn.Trap:
        want = None
    if want is not None and is_float(rt) and op not in EXACT and wn.is_nan(bits(rt), want):
        want = None
    folded = f.dfg.inst_op(inst) in (Opcode.iconst, Opcode.fconst)
    if want is None:
        assert not folded, (info.name, consts)
    else:
        assert folded, (info.name, consts)
        assert f.dfg.inst_imm(inst, ImmKind.IMM64 if not is_float(rt) else ImmKind.IEEE) == want


def test_every_pure_numeric_opcode_is_foldable():
    numeric = {i.opcode for i in OPINFO
               if i.ctrl is not None and i.ctrl <= (INT | FLOAT) and
               (not i.imms or i.imms in ((ImmKind.INTCC,), (ImmKind.FLOATCC,)))}
    numeric -= {Opcode.select}
    missing = {OPINFO[o].name for o in numeric if o not in constfold.FOLDERS}
    assert not missing, missing
