"""A function: signature, data-flow graph and layout.

The entry block is the first block in the layout; its parameters are the
function's parameters.  ``module`` (optional for standalone functions that
reference no module entity) is the :class:`~.module.Module` that resolves
``fn``/``sig``/``g``/``mem``/``table``/``elem``/``data`` immediates.
"""
from __future__ import annotations

from typing import Iterator

from .dfg import DataFlowGraph
from .entities import Block, Inst
from .layout import Layout
from .module import Module, Signature


class Function:
    __slots__ = ("name", "sig", "dfg", "layout", "module")

    def __init__(self, name: str, sig: Signature, module: Module | None = None) -> None:
        self.name = name
        self.sig = sig
        self.dfg = DataFlowGraph()
        self.layout = Layout()
        self.module = module

    # ---- navigation ---------------------------------------------------------
    @property
    def entry_block(self) -> Block | None:
        return self.layout.entry_block

    def blocks(self) -> Iterator[Block]:
        return self.layout.blocks()

    def insts(self, block: int) -> Iterator[Inst]:
        return self.layout.insts(block)

    def all_insts(self) -> Iterator[Inst]:
        """Every instruction in layout order (safe against removing the
        current one)."""
        lay = self.layout
        for b in lay.blocks():
            yield from lay.insts(b)

    def num_live_insts(self) -> int:
        return sum(1 for _ in self.all_insts())

    # ---- editing --------------------------------------------------------------
    def remove_inst(self, inst: int) -> None:
        """Unlink ``inst`` from the layout.  Its results become dead; the
        caller guarantees they are unused (the verifier catches it if not)."""
        self.layout.remove_inst(inst)

    def replace_uses(self, mapping: dict[int, int]) -> None:
        """Rewrite every use of ``old`` into ``mapping[old]`` in one pass over
        the function: O(instructions), so passes batch their replacements
        rather than replacing one value at a time (O(n^2)).  Chains
        (``a->b``, ``b->c``) are resolved first."""
        if not mapping:
            return
        resolved = {}
        for old in mapping:
            new = mapping[old]
            seen = {old}
            while new in mapping:
                assert new not in seen, "cyclic value replacement"
                seen.add(new)
                new = mapping[new]
            resolved[old] = new
        dfg = self.dfg
        for inst in self.all_insts():
            dfg.rewrite_uses(inst, resolved)

    def remove_block_params(self, drops: dict[int, set[int]]) -> None:
        """Remove, for each ``block`` in ``drops``, the parameters at the
        given indices, and the matching argument of every branch to it: one
        scan over the function however many blocks are involved.  The
        removed values must be unused (replace their uses first)."""
        drops = {b: s for b, s in drops.items() if s}
        if not drops:
            return
        dfg = self.dfg
        for inst in self.all_insts():
            if not dfg.inst_info(inst).branches:
                continue
            calls = dfg.inst_block_calls(inst)
            if not any(b in drops for b, _ in calls):
                continue
            dfg.set_block_calls(inst, [
                (b, tuple(a for k, a in enumerate(args) if k not in drops[b])
                 if b in drops else args)
                for b, args in calls])
        for b, idx in drops.items():
            for k in sorted(idx, reverse=True):
                dfg.remove_block_param(b, k)

    # ---- structure / text -------------------------------------------------
    def structure(self) -> tuple:
        """The function as nested tuples of plain ints, independent of
        instruction numbering and of dead arena entries: equal structures
        print identically and vice versa."""
        dfg = self.dfg
        blocks = []
        for b in self.layout.blocks():
            params = tuple((int(v), dfg.vtype[v]) for v in dfg.bparams[b])
            insts = []
            for i in self.layout.insts(b):
                insts.append((dfg.op[i], dfg.ctrl[i], dfg.inst_imms(i),
                              tuple(map(int, dfg.inst_args(i))),
                              tuple((int(bb), tuple(map(int, a)))
                                    for bb, a in dfg.inst_block_calls(i)),
                              tuple((int(v), dfg.vtype[v]) for v in dfg.inst_results(i))))
            blocks.append((int(b), params, self.layout.is_cold(b), tuple(insts)))
        return (self.name, self.sig, tuple(blocks))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Function) and self.structure() == other.structure()

    __hash__ = None  # mutable

    def __str__(self) -> str:
        from .printer import print_function
        return print_function(self)

    def __repr__(self) -> str:
        return f"<Function %{self.name} {self.sig}>"
