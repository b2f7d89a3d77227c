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
from ...ir.types import F32, F64
from .common import MD_NO_UNROLL, MD_UNLIKELY_FIRST, MD_UNLIKELY_SECOND, ret_type

#: Float operations a strict-order reduction chains through.
_FCHAIN = frozenset({Opcode.fadd, Opcode.fsub, Opcode.fmul})
#: Values looked at per edge argument before giving up (a reduction chain
#: is short: one operation per copy the producer unrolled).
_CHAIN_LIMIT = 64


def _reduction_edge(fe, calls) -> bool:
    """True when a block call passes a block its own float parameter
    combined by fadd/fsub/fmul only: the back edge of a loop that carries a
    strict-order float reduction (a value of the parameter can only come
    back to its block around a loop).

    Such a loop gets ``llvm.loop.unroll.disable``.  Wasm forbids
    reassociating the chain, so unrolling adds no parallelism to it; and a
    wasm32 producer (clang -O2) has already unrolled the loop as far as it
    judged (by 2 in PolyBench's ``c += A[k][i] * A[k][j]``).  Unrolled
    again, by 5 when LLVM tunes for the host CPU, covariance ran 0.487 s
    and lu 0.651 s on a Rocket Lake VM, against 0.407 s and 0.463 s as the
    producer wrote them (``benchmarks/README.md``, "Re-unrolled
    reductions").  Every other loop keeps LLVM's unrolling: a global cap
    cost heat-3d 11%."""
    dfg = fe.dfg
    for b, args in calls:
        if not args:                    # most edges: no parameter to look at
            continue
        for p, a in zip(dfg.block_params(int(b)), args):
            if dfg.value_type(int(p)) not in (F32, F64) or int(a) == int(p):
                continue
            seen, todo = set(), [int(a)]
            while todo and len(seen) < _CHAIN_LIMIT:
                v = todo.pop()
                if v == int(p):
                    return True
                if v in seen:
                    continue
                seen.add(v)
                inst = dfg.value_inst(v)
                if inst is not None and dfg.inst_op(inst) in _FCHAIN:
                    todo.extend(int(x) for x in dfg.inst_args(inst))
    return False


def _loop_md(fe, calls) -> str:
    """The loop metadata suffix of a branch making ``calls``."""
    return f", !llvm.loop {MD_NO_UNROLL}" if _reduction_edge(fe, calls) else ""


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
    calls = fe.dfg.inst_block_calls(inst)
    (lab,) = _targets(fe, calls)
    fe.emit(f"br label %{lab}{_loop_md(fe, calls)}")


def h_brif(fe, inst):
    (c,) = fe.dfg.inst_args(inst)
    calls = fe.dfg.inst_block_calls(inst)
    then_, else_ = _targets(fe, calls)
    t = fe.tmp("c")
    fe.emit(f"{t} = icmp ne i32 {fe.val(c)}, 0")
    fe.emit(f"br i1 {t}, label %{then_}, label %{else_}{_hint_md(fe, calls)}{_loop_md(fe, calls)}")


def _hint_md(fe, calls) -> str:
    """Branch weights when exactly one successor is a cold block (a branch
    hint of the module, ir/translate/control.py), else nothing."""
    cold = fe.func.layout.cold
    if not cold:
        return ""
    first, second = int(calls[0][0]) in cold, int(calls[1][0]) in cold
    if first == second:
        return ""
    return f", !prof {MD_UNLIKELY_FIRST if first else MD_UNLIKELY_SECOND}"


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
