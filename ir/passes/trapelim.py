"""trapelim: remove bounds checks made redundant by a dominating one.

What: walks the dominator tree keeping, per ``(memory, address value)``,
the largest end offset already proven in bounds on every path to the current
point.  A fact is established by

* ``bounds_check memN vA+E`` (after it, ``A + E <= memory size``), and
* a trapping (non-``notrap``) load or store of S bytes at ``vA+off``
  (after it, ``A + off + S <= memory size``; it would have trapped
  otherwise).

Then

* a ``bounds_check`` on the same memory and address value with an end
  ``<=`` the proven one is deleted (an identical or weaker check), and
* a trapping load/store on the same memory and address whose
  ``off + size`` is covered is marked ``notrap`` (no check in the emitter).

Why: on targets without guard pages (Cortex-M, RISC-V microcontrollers, and
32-bit hosts) every access needs an explicit compare-and-branch; Wasm code
re-accesses the same base pointer many times (struct fields: ``v0+0``,
``v0+4``, ``v0+8``).  Only a check dominated by an equal or stronger check
is removed; the first access in a group keeps its check.

Soundness: linear memory never shrinks (``memory.grow`` only grows it; there
is no shrink in Wasm), so a range proven in bounds stays in bounds, across
calls and ``memory_grow`` included.  Facts are keyed on the SSA address
value, which is immutable.  Addresses are zero-extended and offsets added
in 64-bit arithmetic by the emitter, so ``A + off`` cannot wrap.

Not done (yet): checks covered by a *larger* later access (would need
hoisting), facts from ``addr+const`` arithmetic, range analysis of masked
addresses, loops.

Preconditions: verified SSA (dominance is what makes this sound).
"""
from __future__ import annotations

from ..cfg import DominatorTree
from ..function import Function
from ..opcodes import OPINFO, ImmKind, MemFlags, Opcode

#: Pass contract (ir/pipeline.py): one function at a time; only bounds_check
#: instructions go and memflags change; terminators stay.
KIND = "function"
PRESERVES = frozenset({"cfg"})


def run(func: Function) -> bool:
    dfg, lay = func.dfg, func.layout
    dt = DominatorTree(func)
    facts: dict[tuple[int, int], int] = {}
    changed = False
    # Iterative preorder walk with an undo log per block (scoped facts).
    stack: list[tuple[int, bool, list]] = [(lay.first_block, False, [])] if lay.first_block >= 0 else []
    while stack:
        b, leaving, undo = stack.pop()
        if leaving:
            for key, old in reversed(undo):
                if old is None:
                    del facts[key]
                else:
                    facts[key] = old
            continue
        stack.append((b, True, undo))
        for inst in lay.insts(b):
            op = dfg.op[inst]
            info = OPINFO[op]
            if op == Opcode.bounds_check:
                mem, off = dfg.inst_imms(inst)
                end = off
            elif info.access and ImmKind.MEMFLAGS in info.imms:
                flags, mem, off = dfg.inst_imms(inst)[:3]   # lane accesses add a lane imm
                if MemFlags.notrap(flags):
                    continue
                end = off + dfg.access_bytes(inst)
            else:
                continue
            key = (mem, int(dfg.inst_args(inst)[0]))
            known = facts.get(key)
            if known is not None and known >= end:
                if op == Opcode.bounds_check:
                    lay.remove_inst(inst)
                else:
                    dfg.set_imm(inst, ImmKind.MEMFLAGS, flags | MemFlags.NOTRAP)
                changed = True
                continue
            undo.append((key, known))
            facts[key] = end
        for c in reversed(dt.children[b]):
            stack.append((c, False, []))
    return changed
