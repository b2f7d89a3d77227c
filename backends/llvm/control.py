"""Terminators and conditional traps: jump, brif, br_table, return, trap,
unreachable, trapz, trapnz.

Block parameters become LLVM phis.  Each branch edge records ``(LLVM
predecessor label, target, argument values)`` in ``fe.incoming``; the driver
writes the phis once every block is emitted (the predecessor label is the
LLVM block current at the terminator, which differs from the IR block when
conditional traps split it).  LLVM wants one phi entry per CFG edge and the
same value for repeated edges from one block; when one terminator reaches
the same target with *different* arguments (``brif v, b1(x), b1(y)``, or a
``br_table`` with distinct argument lists) each such edge goes through its
own forwarding block.

``unreachable`` (control provably never gets here) is still lowered to a
trap, not to LLVM ``unreachable``: if the proof were wrong we want a trap,
not undefined behaviour.
"""
from __future__ import annotations

from ...ir.opcodes import ImmKind, Opcode
from ...ir.trapcodes import TrapCode
from .common import ret_type


def _targets(fe, calls) -> list[str]:
    """Labels to branch to for each block call of one terminator."""
    by_target: dict[int, set] = {}
    for b, args in calls:
        by_target.setdefault(int(b), set()).add(tuple(int(a) for a in args))
    labels = []
    for b, args in calls:
        b = int(b)
        if len(by_target[b]) > 1:
            lab = fe.tmp("edge")[1:]
            fe.extra_blocks.append((lab, [f"  br label %b{b}"]))
            fe.incoming.setdefault(b, []).append((lab, args))
            labels.append(lab)
        else:
            fe.incoming.setdefault(b, []).append((fe.label, args))
            labels.append(f"b{b}")
    return labels


def h_jump(fe, inst):
    (lab,) = _targets(fe, fe.dfg.inst_block_calls(inst))
    fe.emit(f"br label %{lab}")


def h_brif(fe, inst):
    (c,) = fe.dfg.inst_args(inst)
    then_, else_ = _targets(fe, fe.dfg.inst_block_calls(inst))
    t = fe.tmp("c")
    fe.emit(f"{t} = icmp ne i32 {fe.val(c)}, 0")
    fe.emit(f"br i1 {t}, label %{then_}, label %{else_}")


def h_br_table(fe, inst):
    (i,) = fe.dfg.inst_args(inst)
    labels = _targets(fe, fe.dfg.inst_block_calls(inst))
    default, table = labels[0], labels[1:]
    cases = " ".join(f"i32 {k}, label %{lab}" for k, lab in enumerate(table))
    fe.emit(f"switch i32 {fe.val(i)}, label %{default} [ {cases} ]")


def h_return(fe, inst):
    results = fe.func.sig.results
    args = fe.dfg.inst_args(inst)
    if not results:
        fe.emit("ret void")
    elif len(results) == 1:
        fe.emit(f"ret {fe.typed(args[0])}")
    else:
        rty = ret_type(results)
        agg = "poison"
        for k, a in enumerate(args):
            t = fe.tmp("rv")
            fe.emit(f"{t} = insertvalue {rty} {agg}, {fe.typed(a)}, {k}")
            agg = t
        fe.emit(f"ret {rty} {agg}")


def h_trap(fe, inst):
    fe.trap_now(fe.dfg.inst_imm(inst, ImmKind.TRAPCODE))   # = runtime code


def h_unreachable(fe, inst):
    fe.trap_now(int(TrapCode.unreachable))


def h_trapz(fe, inst):
    (c,) = fe.dfg.inst_args(inst)
    t = fe.tmp("c")
    cc = "eq" if fe.dfg.op[inst] == Opcode.trapz else "ne"
    fe.emit(f"{t} = icmp {cc} i32 {fe.val(c)}, 0")
    fe.trap_if(t, fe.dfg.inst_imm(inst, ImmKind.TRAPCODE))


HANDLERS = {
    Opcode.jump: h_jump, Opcode.brif: h_brif, Opcode.br_table: h_br_table,
    Opcode.__members__["return"]: h_return, Opcode.trap: h_trap,
    Opcode.unreachable: h_unreachable, Opcode.trapz: h_trapz, Opcode.trapnz: h_trapz,
}
