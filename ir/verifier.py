"""IR verifier.

Invariants checked (each has a unit test in ``tests/ir/test_verifier.py``
that breaks it):

Layout
  L1  the function has an entry block (the first block in the layout);
  L2  every block in the layout is non-empty;
  L3  every block ends in exactly one terminator and has none before it;
  L4  every instruction in a block's list is recorded as belonging to that
      block, and no instruction appears twice (in one or two blocks);
  L5  the entry block's parameters match the signature (count and types);
  L6  the entry block is not a branch target (it has no predecessors, so
      its parameters are exactly the function arguments; LLVM needs this).
Instructions (types per the opcode table)
  I1  the opcode exists; the controlling type is present iff the opcode is
      polymorphic, and allowed for it;
  I2  immediates are in range: iconst fits its type, fconst bits fit, cond
      codes / trap codes / memflags are valid, offsets fit the memory's
      index type, lane indices fit the shape (or the lane access width),
      shuffle mask bytes are < 32;
  I3  referenced module entities exist (function, signature, global,
      memory, table, element/data segment), and the function has a module
      if it refers to any;
  I4  operand count matches the table (and, for variadic operands, the
      callee signature or the function's results);
  I5  operand types match their specs (fixed type, class, T, Tbits, A, G, E,
      signature params, function results);
  I6  result count and types match the table / the callee signature, and
      each result value records this instruction as its definition;
  I7  global_set targets a mutable global (except in the module's
      instantiation function, ``Module.init_func``, which initializes
      immutable globals); table_copy/table_init element types agree;
      call_indirect/return_call_indirect go through a funcref table; a
      tail call's (return_call*) callee results are the function's results.
Branches
  B1  every branch target exists and is in the layout;
  B2  block-call arguments match the target's parameters in count and type.
Values / SSA
  V1  every operand is a defined value (not a hole) whose definition is
      live (defining instruction or block is in the layout);
  V2  block parameters record their block and position as their definition;
  V3  every use is dominated by its definition: a block parameter's block
      dominates the use, an instruction result comes earlier in the same
      block or in a strictly dominating block.  Uses in unreachable blocks
      are exempt (dominance is undefined there), but a definition in an
      unreachable block never dominates a reachable use.

Errors name the function, the block and the instruction (as printed text).
``verify_function`` raises :class:`VerifierError` carrying all errors;
``verifier_errors`` returns them as a list.
"""
from __future__ import annotations

from .cfg import ControlFlowGraph, DominatorTree
from .dfg import VK_PARAM, VK_RESULT, callee_sig, resolve_spec
from .function import Function
from .module import Module
from .opcodes import (OPINFO, SPEC_CLASS, FloatCC, ImmKind, IntCC, MemFlags, Opcode, Spec,
                      VarArgs)
from .printer import fmt_name, format_inst
from .trapcodes import TrapCode
from .types import FUNCREF, NOTYPE, bits, is_shape, lane_count, type_name

_ENTITY_LISTS = {ImmKind.FUNC: ("funcs", "function", "fn"),
                 ImmKind.SIG: ("sigs", "signature", "sig"),
                 ImmKind.GLOBAL: ("globals", "global", "g"),
                 ImmKind.MEM: ("memories", "memory", "mem"),
                 ImmKind.TABLE: ("tables", "table", "table"),
                 ImmKind.ELEM: ("elems", "element segment", "elem"),
                 ImmKind.DATA: ("datas", "data segment", "data"),
                 ImmKind.TAG: ("tags", "tag", "tag")}


def _lanes(info, ctrl: int) -> int:
    """Lane count a LANE immediate indexes: the shape's, or for a lane
    load/store the lanes of its access width."""
    if is_shape(ctrl):
        return lane_count(ctrl)
    return 16 // info.access


class VerifierError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def verify_function(func: Function) -> None:
    errs = verifier_errors(func)
    if errs:
        raise VerifierError(errs)


def verify_module(module: Module) -> None:
    errs = []
    for f in module.functions():
        if f.module is not module:
            errs.append(f"function {fmt_name(f.name)}: not bound to this module")
        errs.extend(verifier_errors(f))
    if errs:
        raise VerifierError(errs)


def verifier_errors(func: Function) -> list[str]:
    return _Verifier(func).run()


class _Verifier:
    def __init__(self, func: Function):
        self.f = func
        self.errors: list[str] = []
        self.where_fn = f"function {fmt_name(func.name)}"
        m = func.module
        self._is_init_func = (m is not None and m.init_func is not None
                              and m.funcs[m.init_func].body is func)

    def err(self, msg: str, block: int | None = None, inst: int | None = None) -> None:
        parts = [self.where_fn]
        if block is not None:
            parts.append(f"block{int(block)}")
        if inst is not None:
            try:
                text = format_inst(self.f, inst)
            except Exception:                  # too broken to print
                text = f"inst{int(inst)}"
            parts.append(f'"{text}"')
        self.errors.append(", ".join(parts) + ": " + msg)

    # ------------------------------------------------------------------
    def run(self) -> list[str]:
        f, dfg, lay = self.f, self.f.dfg, self.f.layout
        entry = lay.first_block
        if entry < 0:
            self.err("no entry block (L1)")
            return self.errors
        order: dict[int, int] = {}            # inst -> position in its block
        seen_blocks: set[int] = set()
        blocks = []
        limit = dfg.num_insts + 1
        for b in lay.blocks():
            if b in seen_blocks or b >= dfg.num_blocks:
                self.err("block list is corrupt (cycle or unknown block)", b)
                return self.errors
            seen_blocks.add(b)
            blocks.append(b)
            insts = []
            for i in lay.insts(b):
                if i in order or len(insts) > limit:
                    self.err("instruction appears twice in the layout (L4)", b, i)
                    break
                if lay.iblock[i] != b:
                    self.err(f"instruction listed in block{b} but recorded in "
                             f"block{lay.iblock[i]} (L4)", b, i)
                order[i] = len(insts)
                insts.append(i)
            if not insts:
                self.err("empty block (L2)", b)
                continue
            for i in insts[:-1]:
                if dfg.op[i] < len(OPINFO) and OPINFO[dfg.op[i]].is_terminator:
                    self.err("terminator in the middle of a block (L3)", b, i)
            last = insts[-1]
            if dfg.op[last] < len(OPINFO) and not OPINFO[dfg.op[last]].is_terminator:
                self.err("block does not end in a terminator (L3)", b, last)
        self.order = order
        # L5 entry params
        params = dfg.bparams[entry]
        ptypes = tuple(dfg.vtype[v] for v in params)
        if ptypes != tuple(f.sig.params):
            self.err(f"entry block parameters ({', '.join(map(type_name, ptypes))}) do not "
                     f"match the signature ({', '.join(map(type_name, f.sig.params))}) (L5)", entry)
        # V2 block params
        for b in blocks:
            for k, v in enumerate(dfg.bparams[b]):
                if v >= dfg.num_values or dfg.vkind[v] != VK_PARAM or dfg.vdef[v] != b \
                        or dfg.vnum[v] != k:
                    self.err(f"parameter v{int(v)} does not record block{b} position {k} "
                             "as its definition (V2)", b)
        self.cfg = ControlFlowGraph(f) if not self.errors else None
        self.domtree = DominatorTree(f, self.cfg) if self.cfg else None
        for b in blocks:
            for i in lay.insts(b):
                if dfg.op[i] >= len(OPINFO):
                    self.err(f"unknown opcode {dfg.op[i]} (I1)", b, i)
                    continue
                self.check_inst(b, i)
        return self.errors

    # ------------------------------------------------------------------
    def check_inst(self, b: int, i: int) -> None:
        """One instruction against the invariants I1-I7, B1-B2 and L6, in
        that order; an instruction whose type or entities are wrong (I1,
        I3) is not checked further: its operand and result types would
        only repeat the error."""
        dfg = self.f.dfg
        info = OPINFO[dfg.op[i]]
        ctrl = dfg.ctrl[i]
        if not self._check_ctrl(b, i, info, ctrl):
            return
        imms = dfg.inst_imms(i)
        if not self._check_imms(b, i, info, ctrl, imms):
            return
        self._check_operands(b, i, info, ctrl, imms)
        self._check_results(b, i, info, ctrl, imms)
        self._check_op_rules(b, i, info, imms)
        self._check_block_calls(b, i)

    def _check_ctrl(self, b: int, i: int, info, ctrl) -> bool:
        """I1: the controlling type is one the opcode takes (or none)."""
        if info.ctrl is None:
            if ctrl != NOTYPE:
                self.err(f"{info.name} takes no controlling type (I1)", b, i)
                return False
        elif ctrl not in info.ctrl:
            self.err(f"{info.name} does not take controlling type {type_name(ctrl)} (I1)", b, i)
            return False
        return True

    def _check_imms(self, b: int, i: int, info, ctrl, imms) -> bool:
        """I2: immediates in range; I3: entity references exist.  False
        when an entity is missing (the later checks would look it up)."""
        dfg, module = self.f.dfg, self.f.module
        ok = True
        for kind, v in zip(info.imms, imms):
            if kind in _ENTITY_LISTS:
                attr, what, prefix = _ENTITY_LISTS[kind]
                if module is None:
                    self.err(f"refers to {prefix}{v} but the function has no module (I3)", b, i)
                    ok = False
                elif v >= len(getattr(module, attr)):
                    self.err(f"refers to {what} {prefix}{v}, which does not exist (I3)", b, i)
                    ok = False
            elif kind == ImmKind.IMM64 and v >> bits(ctrl):
                self.err(f"iconst immediate {v:#x} does not fit {type_name(ctrl)} (I2)", b, i)
            elif kind == ImmKind.IEEE and v >> bits(ctrl):
                self.err(f"fconst bits {v:#x} do not fit {type_name(ctrl)} (I2)", b, i)
            elif kind == ImmKind.INTCC and v not in IntCC._value2member_map_:
                self.err(f"bad integer condition code {v} (I2)", b, i)
            elif kind == ImmKind.FLOATCC and v not in FloatCC._value2member_map_:
                self.err(f"bad float condition code {v} (I2)", b, i)
            elif kind == ImmKind.TRAPCODE and v not in TrapCode._value2member_map_:
                self.err(f"bad trap code {v} (I2)", b, i)
            elif kind == ImmKind.LANE and v >= _lanes(info, ctrl):
                self.err(f"lane index {v} out of range (I2)", b, i)
            elif kind == ImmKind.IMM128 and dfg.op[i] == Opcode.shuffle and \
                    any(((v | imms[info.imms.index(ImmKind.IMM128_HI)] << 64) >> (8 * k)) & 0xFF >= 32
                        for k in range(16)):
                self.err("shuffle lane index >= 32 (I2)", b, i)
            elif kind == ImmKind.MEMFLAGS and not MemFlags.valid(v, info.natural_align_log2(ctrl)):
                # explicit alignment is stored only when below natural
                self.err(f"bad memflags {v:#x} (I2)", b, i)
        if not ok:
            return False
        if ImmKind.OFFSET in info.imms:
            off = imms[info.imms.index(ImmKind.OFFSET)]
            mem = module.memories[imms[info.imms.index(ImmKind.MEM)]]
            if off >> bits(mem.index_type):
                self.err(f"offset {off} does not fit the memory's index type (I2)", b, i)
        return True

    def _check_operands(self, b: int, i: int, info, ctrl, imms) -> None:
        """I4 / I5: fixed operands by their specs, then the variadic ones
        (call arguments, return values) by the signature they must match."""
        f, dfg = self.f, self.f.dfg
        args = dfg.inst_args(i)
        nfixed = len(info.args)
        for k, spec in enumerate(info.args):
            self.check_operand(b, i, args[k], spec, info, ctrl, imms, f"operand {k}")
        var = args[nfixed:]
        want = None
        if info.varargs == VarArgs.SIG_PARAMS:
            want = callee_sig(info, imms, f.module).params
        elif info.varargs == VarArgs.FUNC_RESULTS:
            want = f.sig.results
        if want is None:
            return
        if len(var) != len(want):
            what = "return values" if info.varargs == VarArgs.FUNC_RESULTS else "call arguments"
            self.err(f"{len(var)} {what}, expected {len(want)} (I4)", b, i)
            return
        for k, (v, t) in enumerate(zip(var, want)):
            self.check_operand(b, i, v, t, info, ctrl, imms, f"argument {k}")

    def _check_results(self, b: int, i: int, info, ctrl, imms) -> None:
        """I6: as many results as the opcode produces, of its types, each
        recording this instruction as its definition."""
        dfg = self.f.dfg
        rtypes = dfg.result_types(info, ctrl, imms, self.f.module)
        res = dfg.inst_results(i)
        if len(res) != len(rtypes):
            self.err(f"{len(res)} result(s), {info.name} produces {len(rtypes)} (I6)", b, i)
            return
        for k, (v, t) in enumerate(zip(res, rtypes)):
            if dfg.vtype[v] != t:
                self.err(f"result {v} has type {type_name(dfg.vtype[v])}, "
                         f"expected {type_name(t)} (I6)", b, i)
            if dfg.vkind[v] != VK_RESULT or dfg.vdef[v] != i or dfg.vnum[v] != k:
                self.err(f"result {v} does not record this instruction as its "
                         "definition (I6)", b, i)

    def _check_op_rules(self, b: int, i: int, info, imms) -> None:
        """I7: what one opcode asks of the module's entities (mutability,
        element types) and of the function (tail calls' results)."""
        f, module = self.f, self.f.module
        op = f.dfg.op[i]
        if op == Opcode.global_set and not module.globals[imms[0]].mutable \
                and not self._is_init_func:
            self.err(f"global_set of immutable global g{imms[0]} (I7)", b, i)
        elif op == Opcode.table_copy and \
                module.tables[imms[0]].elem != module.tables[imms[1]].elem:
            self.err("table_copy between tables of different element types (I7)", b, i)
        elif op == Opcode.table_init and \
                module.tables[imms[0]].elem != module.elems[imms[1]].elem:
            self.err("table_init element segment type differs from the table's (I7)", b, i)
        elif op in (Opcode.call_indirect, Opcode.return_call_indirect) and \
                module.tables[imms[1]].elem != FUNCREF:
            self.err(f"{info.name} through a table that is not funcref (I7)", b, i)
        if op in (Opcode.return_call, Opcode.return_call_indirect, Opcode.return_call_ref):
            got = tuple(callee_sig(info, imms, module).results)
            if got != tuple(f.sig.results):
                self.err(f"{info.name}: callee results {_types_str(got)} differ from the "
                         f"function's {_types_str(f.sig.results)} (I7)", b, i)

    def _check_block_calls(self, b: int, i: int) -> None:
        """B1: branch targets are in the layout (L6: never the entry);
        B2: each block call passes one value of the right type per
        parameter."""
        dfg, layout = self.f.dfg, self.f.layout
        entry = layout.first_block
        for tb, targs in dfg.inst_block_calls(i):
            if tb >= dfg.num_blocks or not layout.is_block_inserted(tb):
                self.err(f"branch to block{int(tb)}, which is not in the layout (B1)", b, i)
                continue
            if tb == entry:
                self.err("branch to the entry block (L6)", b, i)
            params = dfg.bparams[tb]
            if len(targs) != len(params):
                self.err(f"{len(targs)} argument(s) to block{int(tb)}, which has "
                         f"{len(params)} parameter(s) (B2)", b, i)
                continue
            for k, (a, p) in enumerate(zip(targs, params)):
                if self.check_value(b, i, a) and dfg.vtype[a] != dfg.vtype[p]:
                    self.err(f"argument {k} to block{int(tb)}: {a} has type "
                             f"{type_name(dfg.vtype[a])}, parameter v{int(p)} is "
                             f"{type_name(dfg.vtype[p])} (B2)", b, i)

    def check_operand(self, b, i, v, spec, info, ctrl, imms, what) -> None:
        if not self.check_value(b, i, v):
            return
        t = self.f.dfg.vtype[v]
        if spec in SPEC_CLASS:
            if t not in SPEC_CLASS[spec]:
                self.err(f"{what} {v} has type {type_name(t)}, expected "
                         f"{Spec(spec).name.lower()} (I5)", b, i)
            return
        want = resolve_spec(spec, info, ctrl, imms, self.f.module)
        if t != want:
            self.err(f"{what} {v} has type {type_name(t)}, expected {type_name(want)} (I5)", b, i)

    def check_value(self, b: int, i: int, v: int) -> bool:
        """V1 + V3 for one use of ``v`` by instruction ``i`` in block ``b``."""
        dfg, lay = self.f.dfg, self.f.layout
        if not dfg.value_is_valid(v):
            self.err(f"use of undefined value v{int(v)} (V1)", b, i)
            return False
        kind, d, _ = dfg.value_def(v)
        if kind == VK_RESULT:
            dblock = lay.iblock[d] if d < len(lay.iblock) else -1
            if dblock < 0:
                self.err(f"use of v{int(v)}, whose defining instruction was removed (V1)", b, i)
                return False
        else:
            dblock = d
            if not lay.is_block_inserted(d):
                self.err(f"use of v{int(v)}, a parameter of block{d} which is not in the layout (V1)",
                         b, i)
                return False
        dt = self.domtree
        if dt is None or not dt.is_reachable(b):
            return True
        if kind == VK_RESULT:
            ok = (self.order[d] < self.order[i]) if dblock == b else \
                (dt.dominates(dblock, b) and dblock != b)
        else:
            ok = dt.dominates(dblock, b)
        if not ok:
            self.err(f"use of v{int(v)} is not dominated by its definition (V3)", b, i)
        return True


def _types_str(ts) -> str:
    return "(" + ", ".join(type_name(t) for t in ts) + ")"
