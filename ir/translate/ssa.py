"""SSA construction for Wasm locals: Braun et al., "Simple and Efficient
Construction of Static Single Assignment Form" (CC 2013), on block params.

What: each Wasm local is a *variable*.  ``def_var`` records the current
definition of a variable in a block; ``use_var`` finds the reaching
definition, walking predecessors backwards and creating a block parameter (a
"phi") only where definitions actually merge, and only for variables that are
read.  A function with 10,000 locals and 100 join points therefore gets
parameters for the locals it reads across joins, not 10,000 x 100.

Sealing: a block is *sealed* once all its predecessors are known.  In Wasm's
structured control flow that is immediate for everything but loop headers
(sealed at the loop's ``end``: back edges can only come from inside the
loop) and merge blocks (sealed at their ``end``, before anything is emitted
into them).  Reading a variable through an unsealed loop header creates an
*incomplete* phi whose operands are filled in when the header is sealed.

Trivial phis (every operand is the same value or the phi itself) are removed
as in the paper, including the recursive re-check of the phis that used a
removed one.  Removal is recorded as an *alias* (``alias[phi] = value``)
instead of rewriting uses on the spot (the IR has no value aliases, and a
use rewrite per removal would be quadratic).  ``finalize`` then does all
the IR edits at once, in one pass over the function:

* appends the operands of the surviving phis to the branches that reach
  their blocks (the translator creates branches with the Wasm-level block
  arguments only; phi operands are only known later, when a block is sealed
  or a variable is first read through it);
* removes the dead (aliased) parameters;
* rewrites every use of an aliased value (``Function.replace_uses``).

All walks are iterative (an explicit stack), so a chain of 100,000 blocks
does not hit Python's recursion limit.

Preconditions: the entry block has no predecessors; every other block that
code is read in is reachable (the translator never emits into unreachable
code); a block's Wasm-level parameters are appended before any phi (the
translator creates them with the block).
"""
from __future__ import annotations

from bisect import bisect_right

from ..opcodes import Opcode
from ..types import F32, F64, FUNCREF, EXTERNREF, I32, I64, V128, NOTYPE

_ICONST = int(Opcode.iconst)
_FCONST = int(Opcode.fconst)
_NULL = int(Opcode.null)
_VCONST = int(Opcode.vconst)


class SSABuilder:
    """Variables are local indices; ``local_decls`` is the function's
    ``[(count, type)]`` after its parameters (``params``)."""

    __slots__ = ("func", "dfg", "defs", "preds", "sealed", "incomplete", "phis",
                 "phi_var", "phi_args", "users", "alias", "zeros", "zero_last", "entry",
                 "_bounds", "_types")

    def __init__(self, func, params, local_decls) -> None:
        self.func = func
        self.dfg = func.dfg
        self.defs: list[dict[int, int]] = []      # per block: var -> value at its end
        self.preds: list[list[tuple[int, int, int]]] = []   # (pred block, branch inst, call index)
        self.sealed = bytearray()
        self.incomplete: dict[int, list[tuple[int, int]]] = {}   # block -> [(var, phi)]
        self.phis: dict[int, list[int]] = {}      # block -> its phis, in parameter order
        self.phi_var: dict[int, int] = {}         # phi -> var
        self.phi_args: dict[int, list[int]] = {}  # phi -> operand per pred (once complete)
        self.users: dict[int, list[int]] = {}     # phi -> complete phis that use it
        self.alias: dict[int, int] = {}           # removed trivial phi -> replacement
        self.zeros: dict[int, int] = {}           # type -> zero constant in the entry
        self.zero_last = -1                       # the last of them (they stay in order)
        self.entry = -1
        # Local types without expanding the declarations (a body may declare
        # millions of locals): cumulative bounds, looked up by bisection.
        bounds, types = [], []
        n = 0
        for t in params:
            n += 1
            bounds.append(n)
            types.append(t)
        for count, t in local_decls:
            if count:
                n += count
                bounds.append(n)
                types.append(t)
        self._bounds = bounds
        self._types = types

    def var_type(self, x: int) -> int:
        return self._types[bisect_right(self._bounds, x)]

    # ---- blocks ------------------------------------------------------------
    def add_block(self, b: int, sealed: bool) -> None:
        """Register block ``b`` (the DFG's next block number)."""
        while len(self.defs) <= b:
            self.defs.append({})
            self.preds.append([])
            self.sealed.append(0)
        self.sealed[b] = sealed

    def add_pred(self, b: int, pred: int, inst: int, k: int) -> None:
        """Call ``k`` of branch ``inst`` (in block ``pred``) targets ``b``."""
        self.preds[b].append((pred, inst, k))

    def seal(self, b: int) -> None:
        """All predecessors of ``b`` are known: complete its incomplete phis."""
        self.sealed[b] = 1
        inc = self.incomplete.pop(b, None)
        if inc:
            preds = self.preds[b]
            for x, p in inc:
                args = [self.use_var(x, pb) for pb, _, _ in preds]
                self._complete(b, p, args)

    # ---- variables -----------------------------------------------------------
    def def_var(self, x: int, b: int, v: int) -> None:
        self.defs[b][x] = v

    def resolve(self, v: int) -> int:
        alias = self.alias
        while v in alias:
            v = alias[v]
        return v

    def use_var(self, x: int, b: int) -> int:
        """The value of variable ``x`` at the end of block ``b`` (at the
        current point when ``b`` is the block being filled)."""
        v = self.defs[b].get(x)
        if v is not None:
            if v in self.alias:
                v = self.resolve(v)
            return v
        return self._read_slow(x, b)

    def _read_slow(self, x: int, b: int) -> int:
        defs, preds, sealed = self.defs, self.preds, self.sealed
        frames = []     # pending multi-predecessor phis: [block, phi, pred index, args, chain]
        chain = []      # single-predecessor blocks walked through (memoized on the way back)
        while True:
            # Descend until a value is found or a merge point pushes a frame.
            while True:
                v = defs[b].get(x)
                if v is not None:
                    v = self.resolve(v)
                    break
                if not sealed[b]:
                    v = self._new_phi(b, x)
                    self.incomplete.setdefault(b, []).append((x, v))
                    defs[b][x] = v
                    break
                ps = preds[b]
                if len(ps) == 1:
                    chain.append(b)
                    b = ps[0][0]
                    continue
                if not ps:
                    # the entry (or a dead block): the local's default value
                    v = self.zero(self.var_type(x))
                    defs[b][x] = v
                    break
                p = self._new_phi(b, x)
                defs[b][x] = p          # breaks cycles through loops
                frames.append([b, p, 0, [], chain])
                chain = []
                b = ps[0][0]
            # Ascend: hand the value to the chain and the pending phi.
            while True:
                for c in chain:
                    defs[c][x] = v
                if not frames:
                    return v
                fr = frames[-1]
                fr[3].append(v)
                fr[2] += 1
                ps = preds[fr[0]]
                if fr[2] < len(ps):
                    chain = []
                    b = ps[fr[2]][0]
                    break
                frames.pop()
                v = self._complete(fr[0], fr[1], fr[3])
                chain = fr[4]

    def _new_phi(self, b: int, x: int) -> int:
        p = int(self.dfg.append_block_param(b, self.var_type(x)))
        self.phis.setdefault(b, []).append(p)
        self.phi_var[p] = x
        return p

    def _complete(self, b: int, p: int, args: list[int]) -> int:
        """Record the operands of phi ``p``; remove it if trivial.  Returns
        the value that now stands for it."""
        self.phi_args[p] = args
        same = self._trivial(p)
        if same is None:
            users = self.users
            for a in set(args):
                a = self.resolve(a)
                if a in self.phi_var:
                    users.setdefault(a, []).append(p)
            return p
        self._remove(p, same)
        if self.defs[b].get(self.phi_var[p]) == p:
            self.defs[b][self.phi_var[p]] = self.resolve(same)
        return self.resolve(same)

    def _trivial(self, p: int) -> int | None:
        """The single value ``p`` merges (None when it merges several)."""
        same = -1
        resolve = self.resolve
        for a in self.phi_args[p]:
            a = resolve(a)
            if a == same or a == p:
                continue
            if same >= 0:
                return None
            same = a
        if same < 0:
            # only self-references: the path never defined it (dead code)
            same = self.zero(self.var_type(self.phi_var[p]))
        return same

    def _remove(self, p: int, same: int) -> None:
        """Alias trivial ``p`` to ``same``; re-check the phis that used ``p``."""
        alias, users = self.alias, self.users
        work = [(p, same)]
        while work:
            p, same = work.pop()
            if p in alias:
                continue
            alias[p] = same
            us = users.pop(p, ())
            if same in self.phi_var:
                users.setdefault(same, []).extend(us)
            for u in us:
                if u in alias or u not in self.phi_args:
                    continue
                s = self._trivial(u)
                if s is not None:
                    work.append((u, s))

    def zero(self, ty: int) -> int:
        """The default value of a local of type ``ty``: one constant per type,
        placed at the top of the entry block so that it dominates every use."""
        v = self.zeros.get(ty)
        if v is not None:
            return v
        if ty == I32 or ty == I64:
            op, imms = _ICONST, [0]
        elif ty == F32 or ty == F64:
            op, imms = _FCONST, [0]
        elif ty == FUNCREF or ty == EXTERNREF:
            op, imms = _NULL, []
        else:
            assert ty == V128
            op, imms = _VCONST, [0, 0]      # 128-bit immediate: two u64 words
        dfg, lay = self.dfg, self.func.layout
        inst = dfg.make_inst(op, NOTYPE if op == _VCONST else ty, imms, (), None, (ty,))
        first = lay.first_inst(self.entry)
        if self.zero_last >= 0:
            lay.insert_inst_after(inst, self.zero_last)
        elif first is None:
            lay.append_inst(inst, self.entry)
        else:
            lay.insert_inst_before(inst, first)
        self.zero_last = inst
        v = dfg.res[inst]
        self.zeros[ty] = v
        return v

    # ---- finishing ------------------------------------------------------------
    def finalize(self) -> None:
        """Write phi operands into branches, drop removed phis, rewrite uses of
        removed phis (see the module docstring)."""
        dfg, alias, resolve = self.dfg, self.alias, self.resolve
        extra: dict[int, dict[int, list[int]]] = {}    # inst -> call index -> extra args
        for b, plist in self.phis.items():
            live = [p for p in plist if p not in alias]
            if live:
                for k, (_, inst, ci) in enumerate(self.preds[b]):
                    args = [resolve(self.phi_args[p][k]) for p in live]
                    extra.setdefault(inst, {}).setdefault(ci, []).extend(args)
            if len(live) != len(plist):
                index = {v: i for i, v in enumerate(dfg.bparams[b])}
                dead = sorted((index[p] for p in plist if p in alias), reverse=True)
                for i in dead:
                    dfg.remove_block_param(b, i)
        for inst, per_call in extra.items():
            calls = dfg.inst_block_calls(inst)
            dfg.set_block_calls(inst, [(blk, tuple(args) + tuple(per_call.get(k, ())))
                                       for k, (blk, args) in enumerate(calls)])
        if alias:
            self.func.replace_uses(alias)
