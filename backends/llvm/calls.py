"""Direct, imported and indirect calls.

Calling convention (backends/ABI.md "Functions"): ``R f(ptr instance,
params...)``; ``R`` is void, the scalar, or a literal struct for several
results.  A defined callee is called directly with our own ``%inst`` in the
internal convention (``ModuleContext.cc``, from ``Target.internal_cc``: ``tailcc`` on x86-64,
``fastcc`` on AArch64 and RISC-V).
Everything else is C ABI: an imported callee through its funcref slot in the
instance, ``slot.func(slot.instance, ...)`` (the slot is written before
instantiation and never again, so its loads are ``!invariant.load``: LLVM may
hoist them out of loops), and ``call_indirect``, through the checks in
:func:`.traps.call_indirect_check`, because a table may hold host functions.
"""
from __future__ import annotations

from ...ir.opcodes import ImmKind, Opcode
from .. import abi
from . import traps
from .common import TBAA_INST, Builder, Callee, ret_type


def call_line(c: Callee, rty: str, args: list[str]) -> str:
    """``call [cc] R f(ptr inst, args...)`` (no result name)."""
    cc = f"{c.cc} " if c.cc else ""
    return f"call {cc}{rty} {c.func}(" + ", ".join([f"ptr {c.inst}"] + args) + ")"


def _emit_call(fe, inst, c: Callee, sig, args) -> None:
    rty = ret_type(sig.results)
    call = call_line(c, rty, [fe.typed(a) for a in args])
    results = fe.dfg.inst_results(inst)
    if not sig.results:
        fe.emit(call)
    elif len(sig.results) == 1:
        fe.emit(f"{fe.res(inst)} = {call}")
    else:
        agg = fe.tmp("mv")
        fe.emit(f"{agg} = {call}")
        for k, r in enumerate(results):
            fe.emit(f"%v{int(r)} = extractvalue {rty} {agg}, {k}")


def func_callee(mc, b: Builder, fn: int) -> Callee:
    """How Wasm function ``fn`` is called from code that ``b`` builds (a
    function body or the glue): a defined one directly, in the internal
    convention, with our own ``%inst``; an imported one as :meth:`ModuleContext.import_callee`
    decides, by default through its funcref slot, ``slot.func(slot.instance,
    ...)``.  The slot is written before instantiation and never again, so
    its loads are ``!invariant.load`` (LLVM may hoist them out of loops)."""
    if mc.ir.funcs[fn].import_ is None:
        return Callee("@" + mc.fname(fn), "%inst", mc.cc)
    bound = mc.import_callee(b, fn)
    if bound is not None:
        return bound
    pb = mc.ptr_bytes
    slot = b.inst_field(mc.layout.funcref[fn])
    f = b.load("ptr", slot, TBAA_INST, align=pb, invariant=True, hint="impf")
    ci = b.load("ptr", b.gep(slot, abi.funcref(pb).instance), TBAA_INST, align=pb, invariant=True, hint="impi")
    return Callee(f, ci)


def h_call(fe, inst):
    dfg = fe.dfg
    fn = dfg.inst_imm(inst, ImmKind.FUNC)
    _emit_call(fe, inst, func_callee(fe.mc, fe, fn), fe.func.module.func_sig(fn),
               dfg.inst_args(inst))


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
    _emit_call(fe, inst, Callee(f, ci), sig, args[1:])


HANDLERS = {Opcode.call: h_call, Opcode.call_indirect: h_call_indirect}
