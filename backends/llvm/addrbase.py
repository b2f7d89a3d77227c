"""Loop-invariant address bases that LLVM must not fold back into a loop.

Why: a Wasm producer computes an array's base once, before a loop, and
addresses ``base + (x << 2)`` in it.  When the base is itself a sum,
brotli's hash chain (``bucket = &buckets[key << bits]``, then
``bucket[i & mask]``)::

    v410 = iadd v89, v150            ; before the loop: buckets + (key << bits << 2)
    ...
    v473 = iadd v410, v472           ; in the loop: + ((i & mask) << 2)
    v474 = load.i32 mem0 v473

LLVM's Reassociate flattens ``(v89 + (k << 2)) + (x << 2)`` and factors
the two shifts: ``v89 + ((k + x) << 2)``.  ``k + x`` varies, so LICM can no
longer hoist anything: the loop keeps ``v89`` and ``k`` live instead of one
base (one more register, spilled in that large function, and one more add
per turn).  A ``freeze`` of ``v410`` is opaque to Reassociate and
costs no instruction (code generation selects it as nothing), so the sum
stays what the producer hoisted.

Which sums: an ``iadd`` defined outside a loop, whose result an ``iadd``
in that loop adds to a scaled index (``x << C``) to form a memory access's
address, where one of the base's own terms is scaled too: exactly what
Reassociate can factor (:func:`_factorable`).  Freezing is not free
elsewhere: a frozen value is opaque to InstCombine and to LLVM's
induction-variable analysis as well.  Measured in executed instructions
(x86-64-v2, ``benchmarks/README.md``, "Address bases that LLVM
re-factored"): this rule saves brotli 2.4% (2.856 G -> 2.789 G) and
leaves Lua, SQLite and every kernel as they were; freezing every ``iadd``
used in another block saved brotli 2.0% but cost Lua 2.2%, and every
non-constant base of an address in a loop saved brotli 3.9% but cost the
``wordfreq`` kernel 0.7% (byte-indexed string loops).

``freeze`` of a value that is not poison is the value itself, so nothing
here changes what the code computes.
"""
from __future__ import annotations

from ...ir.cfg import natural_loops
from ...ir.opcodes import Opcode
from ...ir.passes.trapelim import iconst_value
from ...ir.types import I32


def frozen_bases(func) -> frozenset[int]:
    """The values (i32 ``iadd`` results) whose definition the emitter
    follows with a ``freeze`` (see the module docstring).  The loops are
    computed only for a function with a candidate pair."""
    dfg, lay = func.dfg, func.layout
    where: dict[int, int] = {}          # iadd result -> its block
    addrs: set[int] = set()             # values used as an access's address
    for b in lay.blocks():
        for i in lay.insts(b):
            op = dfg.op[i]
            if op == Opcode.iadd and dfg.ctrl[i] == I32:
                where[int(dfg.res[i])] = b
            elif dfg.access_bytes(i) > 0:
                args = dfg.inst_args(i)
                if args:
                    addrs.add(int(args[0]))
    # (base, its block, the block of the address sum that uses it)
    pairs = []
    for v, b in where.items():
        if v not in addrs:
            continue
        x, y = (int(a) for a in dfg.inst_args(dfg.value_inst(v)))
        for base, index in ((x, y), (y, x)):
            d = where.get(base)
            if d is not None and d != b and _factorable(dfg, base, index):
                pairs.append((base, d, b))
    if not pairs:
        return frozenset()
    loops = natural_loops(func).values()
    return frozenset(x for x, d, b in pairs
                     if any(b in body and d not in body for body in loops))


def _factorable(dfg, base: int, index: int) -> bool:
    """Reassociate can factor ``base + index``: the index is scaled by a
    constant (``x << C``, ``x * C``), and so is one of the base's own two
    terms, neither of them a constant.  A byte index (a string's ``p + i``)
    gives it nothing to factor, and a freeze there only hides the sum from
    LLVM's induction-variable analysis (the ``wordfreq`` kernel: 0.7% more
    instructions with those frozen too); a base ``x + C`` is left for LLVM
    to fold ``C`` into the access's displacement."""
    if not _scaled(dfg, index):
        return False
    terms = dfg.inst_args(dfg.value_inst(base))
    return (all(iconst_value(dfg, int(t)) is None for t in terms)
            and any(_scaled(dfg, int(t)) for t in terms))


def _scaled(dfg, v: int) -> bool:
    """``v`` is ``x << C`` or ``x * C`` (C a constant)."""
    d = dfg.value_inst(v)
    if d is None or dfg.op[d] not in (Opcode.ishl, Opcode.imul):
        return False
    return any(iconst_value(dfg, int(a)) is not None for a in dfg.inst_args(d))
