"""Exception handling ops (ir/opcodes.py "exception handling";
backends/ABI.md "Exceptions"): exception objects from the runtime
(``wasmaot_exn_new`` / ``wasmaot_exn_free``), the pending slot
``wasmaot_exn_pending`` (a plain global), payload values in 16-byte slots
from offset 16, and tag identities: a defined tag's identity is the
address of its storage in this instance, an imported tag's the pointer its
slot holds (the exporter's storage).
"""
from __future__ import annotations

from ...ir.opcodes import ImmKind, Opcode
from .common import LTYPE, TBAA_INST, ret_type

PAYLOAD = 16            # WASMAOT_EXN_PAYLOAD
SLOT = 16               # WASMAOT_EXN_SLOT
PENDING = "wasmaot_exn_pending"


def pending(mc) -> str:
    return mc.runtime_global(PENDING, "ptr")


def tag_ptr(fe, tag: int) -> str:
    """The identity of ``tag`` (a pointer operand)."""
    lay = fe.mc.layout
    if tag in lay.tag_storage:
        return fe.inst_field(lay.tag_storage[tag])
    return fe.load("ptr", fe.inst_field(lay.tag_slot[tag]), TBAA_INST,
                   align=fe.mc.ptr_bytes, invariant=True, hint="tag")


def _align(t: int) -> int:
    """Payload slots are 16-byte aligned only if the allocator is: 8 for
    everything wider than 4 bytes keeps every target's loads legal."""
    return 4 if LTYPE[t] in ("i32", "float") else 8


def h_exn_new(fe, inst):
    dfg = fe.dfg
    tag = dfg.inst_imm(inst, ImmKind.TAG)
    args = dfg.inst_args(inst)
    new = fe.mc.runtime("wasmaot_exn_new", "ptr", "ptr, i32")
    r = fe.res(inst)
    fe.emit(f"{r} = call ptr {new}(ptr {tag_ptr(fe, tag)}, i32 {SLOT * len(args)})")
    for k, a in enumerate(args):
        p = fe.gep(r, PAYLOAD + SLOT * k)
        t = dfg.vtype[a]
        fe.emit(f"store {fe.typed(a)}, ptr {p}, align {_align(t)}")


def h_exn_pending(fe, inst):
    fe.emit(f"{fe.res(inst)} = load ptr, ptr {pending(fe.mc)}, align {fe.mc.ptr_bytes}")


def h_exn_clear(fe, inst):
    fe.emit(f"store ptr null, ptr {pending(fe.mc)}, align {fe.mc.ptr_bytes}")


def h_exn_propagate(fe, inst):
    """Leave with the exception pending: the caller looks at the slot
    before any result, so the results are undefined."""
    (v,) = fe.dfg.inst_args(inst)
    fe.emit(f"store ptr {fe.val(v)}, ptr {pending(fe.mc)}, align {fe.mc.ptr_bytes}")
    rty = ret_type(fe.func.sig.results)
    fe.emit("ret void" if rty == "void" else f"ret {rty} undef")


def h_exn_is(fe, inst):
    dfg = fe.dfg
    (v,) = dfg.inst_args(inst)
    want = tag_ptr(fe, dfg.inst_imm(inst, ImmKind.TAG))
    got = fe.tmp("etag")
    fe.emit(f"{got} = load ptr, ptr {fe.val(v)}, align {fe.mc.ptr_bytes}")
    c = fe.tmp("c")
    fe.emit(f"{c} = icmp eq ptr {got}, {want}")
    fe.emit(f"{fe.res(inst)} = zext i1 {c} to i32")


def h_exn_field(fe, inst):
    dfg = fe.dfg
    (v,) = dfg.inst_args(inst)
    k = dfg.inst_imm(inst, ImmKind.IMM64)
    t = dfg.vtype[dfg.res[inst]]
    p = fe.gep(fe.val(v), PAYLOAD + SLOT * k)
    fe.emit(f"{fe.res(inst)} = load {LTYPE[t]}, ptr {p}, align {_align(t)}")


def h_exn_free(fe, inst):
    (v,) = fe.dfg.inst_args(inst)
    free = fe.mc.runtime("wasmaot_exn_free", "void", "ptr")
    fe.emit(f"call void {free}(ptr {fe.val(v)})")


def h_exn_keep(fe, inst):
    """Mark the object as an exnref value (its ``escaped`` field)."""
    (v,) = fe.dfg.inst_args(inst)
    p = fe.gep(fe.val(v), fe.mc.ptr_bytes + 4)
    fe.emit(f"store i32 1, ptr {p}, align 4")


def check_uncaught(mc, b) -> None:
    """At a host boundary (trampoline, instantiate), after a call into Wasm
    code: a pending exception is uncaught (trap ``uncaught exception``)."""
    if not mc.ir.may_throw_across_calls():
        return
    e = b.tmp("exn")
    b.emit(f"{e} = load ptr, ptr {pending(mc)}, align {mc.ptr_bytes}")
    c = b.tmp("c")
    b.emit(f"{c} = icmp ne ptr {e}, null")
    ok = b.tmp("noexn")[1:]
    thrown = b.tmp("uncaught")[1:]
    b.emit(f"br i1 {c}, label %{thrown}, label %{ok}")
    b.cur.append(f"{thrown}:")
    uncaught = mc.runtime("wasmaot_exn_uncaught", "void", "", "noreturn nounwind")
    b.emit(f"call void {uncaught}()")
    b.emit("unreachable")
    b.cur.append(f"{ok}:")


HANDLERS = {
    Opcode.exn_new: h_exn_new, Opcode.exn_pending: h_exn_pending,
    Opcode.exn_clear: h_exn_clear, Opcode.exn_propagate: h_exn_propagate,
    Opcode.exn_is: h_exn_is, Opcode.exn_field: h_exn_field, Opcode.exn_free: h_exn_free,
    Opcode.exn_keep: h_exn_keep,
}
