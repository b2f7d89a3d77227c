"""Per-function translation state: value stack, control stack, emission.

What: :class:`FuncTranslator` holds everything one function's translation
needs -- the IR function being built, the current block, the Wasm value
stack as a list of IR value numbers (plain ints: no object per stack slot),
the control stack of :class:`Frame`\\ s, and the :class:`~.ssa.SSABuilder`
for locals -- plus the small emission helpers the per-family handlers use.
The handlers themselves live in ``control.py``, ``numeric.py`` ... and are
dispatched by :func:`FuncTranslator.run` through a table indexed by the
Wasm ``Op.key`` (built once in ``dispatch.py``).

Frames: a ``block``/``if`` frame's branch target is its *merge* block
(parameters = the block's results), created on first use so that a block no
one branches to costs no IR block at all; a ``loop`` frame's target is its
header (parameters = the loop's params).  The function body is a frame too;
``br`` to it is a ``return``.

Unreachable code (after ``br``, ``br_table``, ``return``, ``unreachable``) is
not translated: ``dead`` is set and instructions are skipped, counting
nested ``block``/``loop``/``if`` in ``skip`` so that the matching
``else``/``end`` is found.  Nothing is ever emitted into a dead block.

Preconditions: the module is validated (operand counts and types are not
re-checked here), so stack underflow cannot happen in live code.
"""
from __future__ import annotations

from ...frontend.code import blocktype_result
from ...frontend.types import erase
from ..function import Function
from ..opcodes import Opcode
from ..types import NOTYPE
from .ssa import SSABuilder

BLOCK, LOOP, IF, ELSE, FUNC, TRY, LTRY, LCATCH = range(8)
#: Frames whose body an exception may be caught in: try_table, and a
#: legacy try before its first catch (its catch arms are not).
HANDLER_KINDS = (TRY, LTRY)
_JUMP = int(Opcode.jump)

BLOCK_EMPTY = -64


class Frame:
    """One entry of the control stack."""
    __slots__ = ("kind", "params", "results", "height", "merge", "header",
                 "brif", "if_block", "else_block", "param_vals", "catches", "handler",
                 "exn", "next_test")

    def __init__(self, kind: int, params: tuple, results: tuple, height: int) -> None:
        self.kind = kind
        self.params = params
        self.results = results
        self.height = height          # value-stack height below the frame's params
        self.merge = -1               # merge block (block/if/func), created lazily
        self.header = -1              # loop header
        self.brif = -1                # if: the brif instruction
        self.if_block = -1            # if: the block holding that brif
        self.else_block = -1          # if: target of the brif's else edge
        self.param_vals = ()          # if: parameter values, for the else arm
        self.catches = ()             # try_table: its catch clauses (frontend.code)
        self.handler = -1             # try_table, legacy try: dispatch block (param:
                                      # the exnref), made by the first raise inside
        self.exn = -1                 # legacy catch arms: the caught exception
        self.next_test = -1           # legacy try: block testing the next catch arm


class FuncTranslator:
    """Translates one body (or, for the init function, constant expressions)
    into ``func``; see the module docstring."""

    __slots__ = ("wasm", "module", "func", "dfg", "layout", "ssa", "stack", "ctrl",
                 "cur", "dead", "skip", "eh", "hints", "hint")

    def __init__(self, wasm, module, func: Function, params: tuple,
                 local_decls: list[tuple[int, int]]) -> None:
        self.wasm = wasm              # frontend Module (types, function types)
        self.module = module          # ir Module
        self.func = func
        self.dfg = func.dfg
        self.layout = func.layout
        self.ssa = SSABuilder(func, params, local_decls)
        self.stack: list[int] = []
        self.ctrl: list[Frame] = []
        self.cur = -1
        self.dead = False
        self.skip = 0
        #: branch hints of this body (module offset of a br_if/if -> 1 likely
        #: taken, 0 unlikely), and the current instruction's (None: no hint)
        self.hints: dict[int, int] | None = None
        self.hint: int | None = None
        # whether a call may come back with an exception pending (checked
        # after each call: ir/translate/exceptions.py)
        self.eh = module.may_throw_across_calls()
        entry = self.new_block()
        self.ssa.entry = entry
        self.switch(entry)
        for i, t in enumerate(params):
            self.ssa.def_var(i, entry, int(self.dfg.append_block_param(entry, t)))

    # ---- blocks ----------------------------------------------------------------
    def new_block(self, sealed: bool = True, param_types: tuple = ()) -> int:
        b = int(self.dfg.make_block())
        self.ssa.add_block(b, sealed)
        for t in param_types:
            self.dfg.append_block_param(b, t)
        return b

    def switch(self, b: int) -> None:
        """Continue emitting in ``b`` (appended to the layout now, so the
        layout follows the Wasm code order)."""
        if not self.layout.is_block_inserted(b):
            self.layout.append_block(b)
        self.cur = b
        self.dead = False

    def block_params(self, b: int) -> list[int]:
        return self.dfg.bparams[b]

    def blocktype(self, bt: int) -> tuple[tuple, tuple]:
        if bt == BLOCK_EMPTY:
            return (), ()
        if bt < 0:
            return (), (erase(blocktype_result(bt)),)
        ft = self.module.sigs[bt]
        return ft.params, ft.results

    # ---- value stack -------------------------------------------------------------
    def pop_n(self, n: int) -> list[int]:
        s = self.stack
        if not n:
            return []
        vals = s[len(s) - n:]
        del s[len(s) - n:]
        return vals

    def top_n(self, n: int) -> list[int]:
        s = self.stack
        return s[len(s) - n:] if n else []

    # ---- emission ----------------------------------------------------------------
    def value(self, op: int, ctrl: int, imms, args, rtypes) -> int:
        """Append an instruction with one result; return that result."""
        dfg = self.dfg
        inst = dfg.make_inst(op, ctrl, imms, args, None, rtypes)
        self.layout.append_inst(inst, self.cur)
        return dfg.res[inst]

    def emit(self, op: int, ctrl: int, imms, args, rtypes=()) -> int:
        """Append an instruction; return the instruction."""
        inst = self.dfg.make_inst(op, ctrl, imms, args, None, rtypes)
        self.layout.append_inst(inst, self.cur)
        return inst

    def results_of(self, inst: int) -> range:
        """Result values of ``inst`` (consecutive numbers)."""
        r = self.dfg.res[inst]
        return range(r, r + self.dfg.nres[inst]) if r >= 0 else range(0)

    def branch(self, op: int, args, calls) -> int:
        """Append a branch terminator and record the CFG edges for SSA."""
        inst = self.dfg.make_inst(op, NOTYPE, (), args, calls, ())
        cur = self.cur
        self.layout.append_inst(inst, cur)
        add = self.ssa.add_pred
        for k, (b, _) in enumerate(calls):
            add(b, cur, inst, k)
        return inst

    def jump(self, b: int, args) -> None:
        self.branch(_JUMP, (), [(b, args)])

    def terminate(self) -> None:
        """The current block has ended with a terminator; what follows in
        this frame is unreachable."""
        self.dead = True
        self.cur = -1

    # ---- control helpers -------------------------------------------------------
    def merge_of(self, f: Frame) -> int:
        if f.merge < 0:
            f.merge = self.new_block(False, f.results)
        return f.merge

    def target(self, depth: int) -> tuple[int, int]:
        """Branch target block of label ``depth`` and its arity."""
        f = self.ctrl[-1 - depth]
        if f.kind == LOOP:
            return f.header, len(f.params)
        return self.merge_of(f), len(f.results)

    # ---- driving -------------------------------------------------------------------
    def run(self, instrs, dispatch, skip_dispatch) -> None:
        """Translate ``(op, imm, offset)`` triples.  ``dispatch[op.key]`` is
        the handler for live code; ``skip_dispatch.get(op.key)`` (structure
        only) runs in dead code."""
        if self.hints:
            instrs = self._hinted(instrs)
        for op, imm, _ in instrs:
            if self.dead:
                h = skip_dispatch.get(op.key)
                if h is not None:
                    h(self, imm)
            else:
                dispatch[op.key](self, imm)

    def _hinted(self, instrs):
        """``instrs``, with each one's branch hint in ``self.hint`` while
        its handler runs (only bodies with hints pay the lookup)."""
        hints = self.hints
        for ins in instrs:
            self.hint = hints.get(ins[2])
            yield ins
        self.hint = None

    def finish(self) -> Function:
        self.ssa.finalize()
        return self.func

