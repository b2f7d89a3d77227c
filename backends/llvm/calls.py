"""Direct, imported and indirect calls.

Calling convention (backends/ABI.md): ``R f(ptr instance, params...)`` in the
target's C convention; ``R`` is void, the scalar, or a literal struct for
several results.  A defined callee is called directly with our own
``%inst``.  An imported callee is called through its funcref slot in the
instance, ``slot.func(slot.instance, ...)``; the slot is written before
instantiation and never again, so its loads are ``!invariant.load`` (LLVM
may hoist them out of loops).  ``call_indirect`` goes through the checks in
:func:`.traps.call_indirect_check`.
"""
from __future__ import annotations

from ...ir.opcodes import ImmKind, Opcode
from . import traps
from .common import TBAA_INST, ret_type


def _emit_call(fe, inst, callee: str, callee_inst: str, sig, args) -> None:
    rty = ret_type(sig.results)
    arglist = ", ".join([f"ptr {callee_inst}"] + [fe.typed(a) for a in args])
    results = fe.dfg.inst_results(inst)
    if not sig.results:
        fe.emit(f"call void {callee}({arglist})")
    elif len(sig.results) == 1:
        fe.emit(f"{fe.res(inst)} = call {rty} {callee}({arglist})")
    else:
        agg = fe.tmp("mv")
        fe.emit(f"{agg} = call {rty} {callee}({arglist})")
        for k, r in enumerate(results):
            fe.emit(f"%v{int(r)} = extractvalue {rty} {agg}, {k}")


def import_slot(fe, fn: int) -> tuple[str, str]:
    """(func pointer, callee instance) of imported function ``fn``."""
    pb = fe.mc.ptr_bytes
    slot = fe.inst_field(fe.mc.layout.funcref[fn])
    f = fe.load("ptr", slot, TBAA_INST, align=pb, invariant=True, hint="impf")
    ci = fe.load("ptr", fe.gep(slot, 2 * pb), TBAA_INST, align=pb, invariant=True, hint="impi")
    return f, ci


def h_call(fe, inst):
    dfg = fe.dfg
    fn = dfg.inst_imm(inst, ImmKind.FUNC)
    mod = fe.func.module
    sig = mod.func_sig(fn)
    args = dfg.inst_args(inst)
    if mod.funcs[fn].import_ is not None:
        f, ci = import_slot(fe, fn)
        _emit_call(fe, inst, f, ci, sig, args)
    else:
        _emit_call(fe, inst, "@" + fe.mc.fname(fn), "%inst", sig, args)


def h_call_indirect(fe, inst):
    from .tables import table_ptr
    dfg = fe.dfg
    sig_i = dfg.inst_imm(inst, ImmKind.SIG)
    t = dfg.inst_imm(inst, ImmKind.TABLE)
    sig = fe.func.module.sigs[sig_i]
    args = dfg.inst_args(inst)
    tp = table_ptr(fe, t)
    expected = fe.load("i32", fe.inst_field(fe.mc.layout.type_id[sig_i]), TBAA_INST,
                       align=4, invariant=True, hint="want")
    f, ci = traps.call_indirect_check(fe, tp, fe.val(args[0]), expected)
    _emit_call(fe, inst, f, ci, sig, args[1:])


HANDLERS = {Opcode.call: h_call, Opcode.call_indirect: h_call_indirect}
