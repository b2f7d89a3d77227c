"""Direct, imported and indirect calls, and Wasm tail calls (``musttail``
where LLVM can guarantee it; backends/ABI.md "Functions").

Calling convention (backends/ABI.md "Functions"): ``R f(ptr instance,
params...)``; ``R`` is void, the scalar, or a literal struct for several
results.  A defined callee is called directly with our own ``%inst`` in the
internal convention (``ModuleContext.cc``, from ``Target.internal_cc``:
``fastcc`` everywhere; ``Target.tail_call_cc``, ``tailcc`` on x86-64 and
AArch64, in a module with tail calls).
Everything else is C ABI: an imported callee through its funcref slot in the
instance, ``slot.func(slot.instance, ...)`` (the slot is written before
instantiation and never again, so its loads are ``!invariant.load``: LLVM may
hoist them out of loops), and ``call_indirect``, through the checks in
:func:`.traps.call_indirect_check`, because a table may hold host functions.
"""
from __future__ import annotations

from ...ir.opcodes import ImmKind, Opcode
from ...ir.types import F32, F64, REF, V128
from ...ir.types import bits as bits_of
from .. import abi
from . import traps
from .common import LTYPE, TBAA_INST, Builder, Callee, c_int, ret_type
from . import upper


def call_line(c: Callee, rty: str, args: list[str]) -> str:
    """``call [cc] R f(ptr inst, args...)`` (no result name)."""
    cc = f"{c.cc} " if c.cc else ""
    if c.int_ext:
        args = [c_int(a, c.int_ext) for a in args]
    return f"call {cc}{rty} {c.func}(" + ", ".join([f"ptr {c.inst}"] + args) + ")"


def c_callee(mc, func: str, inst: str) -> Callee:
    """A callee in the C convention (a funcref's ``func``: a C entry or a
    host function), its i32 arguments extended as the target's C ABI
    requires."""
    return Callee(func, inst, "", mc.target.c_int_ext)


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
    convention, with our own ``%inst`` (``poison`` for a static instance,
    which the callee does not read); an imported one as :meth:`ModuleContext.import_callee`
    decides, by default through its funcref slot, ``slot.func(slot.instance,
    ...)``.  The slot is written before instantiation and never again, so
    its loads are ``!invariant.load`` (LLVM may hoist them out of loops)."""
    if mc.ir.funcs[fn].import_ is None:
        return Callee("@" + mc.fname(fn), mc.own_instance_arg("%inst"), mc.cc)
    bound = mc.import_callee(b, fn)
    if bound is not None:
        return bound
    pb = mc.ptr_bytes
    slot = b.inst_field(mc.layout.funcref[fn])
    # named upper.IMPORT_FUNC: a call through it is a call into C
    f = b.load("ptr", slot, TBAA_INST, align=pb, invariant=True, hint=upper.IMPORT_FUNC[1:])
    ci = b.load("ptr", b.gep(slot, abi.funcref(pb).instance), TBAA_INST, align=pb, invariant=True, hint="impi")
    return c_callee(mc, f, ci)


def h_call(fe, inst):
    dfg = fe.dfg
    fn = dfg.inst_imm(inst, ImmKind.FUNC)
    _emit_call(fe, inst, func_callee(fe.mc, fe, fn), fe.func.module.func_sig(fn),
               dfg.inst_args(inst))


def _checked_indirect(fe, inst):
    """``call_indirect``'s checks (bounds, null, signature) of ``inst``:
    (signature index, its signature, call arguments, function pointer,
    callee instance)."""
    from .tables import table_ptr
    dfg = fe.dfg
    sig_i = dfg.inst_imm(inst, ImmKind.SIG)
    args = dfg.inst_args(inst)
    tp = table_ptr(fe, dfg.inst_imm(inst, ImmKind.TABLE))
    expected = fe.load("i32", fe.inst_field(fe.mc.layout.type_id[sig_i]), TBAA_INST,
                       align=4, invariant=True, hint="want")
    f, ci = traps.call_indirect_check(fe, tp, fe.val(args[0]), expected,
                                      table=dfg.inst_imm(inst, ImmKind.TABLE), sig=sig_i)
    return sig_i, fe.func.module.sigs[sig_i], args[1:], f, ci


def h_call_indirect(fe, inst):
    _, sig, args, f, ci = _checked_indirect(fe, inst)
    _emit_call(fe, inst, c_callee(fe.mc, f, ci), sig, args)


# ---- tail calls (backends/ABI.md "Functions", tail calls) -------------------------
#: Most candidate functions a ``return_call_indirect`` compares its target
#: against (code size: one compare and branch each); beyond, a normal call.
INDIRECT_TAIL_CANDIDATES = 16


def _in_registers(target, params) -> bool:
    """Whether ``(instance, params...)`` all travel in argument registers
    under the target's tail-call convention (``Target.tail_arg_regs``)."""
    n_int, n_fp = target.tail_arg_regs
    fp = sum(1 for t in params if t in (F32, F64, V128))
    return 1 + len(params) - fp <= n_int and fp <= n_fp


def _results_in_registers(target, results) -> bool:
    """Whether ``results`` come back in registers under the internal
    convention (``Target.tail_ret_regs``): LLVM returns more through memory,
    and cannot then make a ``musttail`` call of it."""
    n_int, n_fp, n_all = target.tail_ret_regs
    word = 8 * target.pointer_bytes
    ints = fps = 0
    for t in results:
        if t in (F32, F64, V128) and n_fp and (t != V128 or target.arch in ("x86_64", "aarch64")):
            fps += 1
        else:
            size = 128 if t == V128 else word if t in REF else bits_of(t)
            ints += -(-size // word)
    return ints <= n_int and fps <= n_fp and ints + fps <= n_all


def _tail_call(fe, c: Callee, sig, args: list[str]) -> None:
    """``musttail call`` + ``ret`` when LLVM can guarantee it: the same
    internal convention on both sides, results in registers, and identical
    parameter lists, or (``tailcc``) both lists in registers and at most one
    result.  Else a normal call + ``ret`` (imports, C-ABI callees, other
    prototypes, results returned through memory)."""
    rty = ret_type(sig.results)
    mine, theirs = fe.func.sig.params, sig.params
    target = fe.mc.target
    same = [LTYPE[t] for t in mine] == [LTYPE[t] for t in theirs]
    must = bool(c.cc) and c.cc == fe.mc.cc and _results_in_registers(target, sig.results) and (
        same or (c.cc == "tailcc" and len(sig.results) <= 1
                 and _in_registers(target, mine) and _in_registers(target, theirs)))
    call = ("musttail " if must else "") + call_line(c, rty, args)
    if not sig.results:
        fe.emit(call)
        fe.emit("ret void")
    else:
        r = fe.tmp("tc")
        fe.emit(f"{r} = {call}")
        fe.emit(f"ret {rty} {r}")


def h_return_call(fe, inst):
    dfg = fe.dfg
    fn = dfg.inst_imm(inst, ImmKind.FUNC)
    _tail_call(fe, func_callee(fe.mc, fe, fn), fe.func.module.func_sig(fn),
               [fe.typed(a) for a in dfg.inst_args(inst)])


def indirect_candidates(mc, sig_i: int) -> list[int]:
    """Defined functions of this module that a ``return_call_indirect`` of
    signature ``sig_i`` may find in a table: those of that signature in an
    element segment or exported (their funcref holds their C entry)."""
    cache = mc.tail_candidates
    got = cache.get(sig_i)
    if got is None:
        irmod = mc.ir
        want = irmod.sigs[sig_i]
        seen: dict[int, None] = dict.fromkeys(i for i in mc.c_names)
        for e in irmod.elems:
            for it in e.items:
                if it.op == int(Opcode.func_ref):
                    seen.setdefault(it.value)
        got = [fn for fn in seen if irmod.funcs[fn].import_ is None
               and irmod.funcs[fn].sig == want][:INDIRECT_TAIL_CANDIDATES]
        cache[sig_i] = got
    return got


def h_return_call_indirect(fe, inst):
    """The ``call_indirect`` checks, then: if the table entry is one of
    this module's functions (its C entry, compared by address), a musttail
    call of its internal function with the entry's instance; otherwise
    (host function, another module's, too many candidates) a normal call."""
    sig_i, sig, args, f, ci = _checked_indirect(fe, inst)
    _tail_to(fe, sig_i, sig, [fe.typed(a) for a in args], f, ci)


def _tail_to(fe, sig_i, sig, targs, f, ci) -> None:
    """A tail call of C entry ``f`` (instance ``ci``) of signature
    ``sig_i``: musttail to the internal function of a matching candidate."""
    mc = fe.mc
    for fn in indirect_candidates(mc, sig_i):
        hit, yes, no = fe.tmp("tcis"), fe.tmp("tcy")[1:], fe.tmp("tcn")[1:]
        fe.emit(f"{hit} = icmp eq ptr {f}, @{mc.c_entry(fn)}")
        fe.emit(f"br i1 {hit}, label %{yes}, label %{no}")
        fe.start_block(yes)
        _tail_call(fe, Callee("@" + mc.fname(fn), ci, mc.cc), sig, targs)
        fe.start_block(no)
    _tail_call(fe, c_callee(mc, f, ci), sig, targs)


# ---- typed function references ---------------------------------------------------
def _checked_ref(fe, inst):
    """``call_ref``'s null check (``null_function_reference``) of the
    funcref operand; no signature check: the validator proved the type.
    Returns (signature index, signature, call arguments, function pointer,
    callee instance)."""
    dfg = fe.dfg
    sig_i = dfg.inst_imm(inst, ImmKind.SIG)
    args = dfg.inst_args(inst)
    ref = fe.val(args[0])
    null = fe.tmp("nullref")
    fe.emit(f"{null} = icmp eq ptr {ref}, null")
    fe.trap_if(null, int(traps.TrapCode.null_function_reference))
    pb = fe.mc.ptr_bytes
    fr = abi.funcref(pb)
    f = fe.load("ptr", fe.gep(ref, fr.func), traps.TBAA_TABLE, align=pb, hint="fn")
    ci = fe.load("ptr", fe.gep(ref, fr.instance), traps.TBAA_TABLE, align=pb, hint="ci")
    return sig_i, fe.func.module.sigs[sig_i], args[1:], f, ci


def h_call_ref(fe, inst):
    _, sig, args, f, ci = _checked_ref(fe, inst)
    _emit_call(fe, inst, c_callee(fe.mc, f, ci), sig, args)


def h_return_call_ref(fe, inst):
    """As ``return_call_indirect`` after its checks: a musttail call when
    the funcref is one of this module's candidates, else call + ret."""
    sig_i, sig, args, f, ci = _checked_ref(fe, inst)
    _tail_to(fe, sig_i, sig, [fe.typed(a) for a in args], f, ci)


HANDLERS = {Opcode.call: h_call, Opcode.call_indirect: h_call_indirect,
            Opcode.return_call: h_return_call,
            Opcode.return_call_indirect: h_return_call_indirect,
            Opcode.call_ref: h_call_ref, Opcode.return_call_ref: h_return_call_ref}
