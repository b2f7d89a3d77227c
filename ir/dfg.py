"""The data-flow graph: instructions, values, block parameters.

Storage is a set of parallel ``array.array`` arenas indexed by entity number
-- no Python object per instruction or per value.  Per instruction:

* ``op``    (u16) opcode, an index into :data:`~.opcodes.OPINFO`
* ``ctrl``  (u16) controlling type (``NOTYPE`` when the opcode has none)
* ``off``/``len`` (u32) its segment of ``pool``
* ``res``   (i32) first result value, ``-1`` if none; ``nres`` (u16) count.
  Results of one instruction are consecutive value numbers (allocated
  together when the instruction is made).

The ``pool`` (u64) holds each instruction's operands as one segment:
``[imms...] [fixed args...]`` then either variadic value args (calls,
return) or, for branches, block calls encoded as ``block, n, v1..vn``
repeated.  Immediates are stored as unsigned 64-bit patterns (``iconst``
is masked to its type's width, floats are raw IEEE bits).

Per value: ``vtype`` (u16), ``vkind`` (u8: NONE/RESULT/PARAM), ``vdef``
(i32: defining instruction or block), ``vnum`` (u32: result / param index).
A ``NONE`` value is a hole (the parser may leave gaps in numbering).

Block parameters are one small Python list per block (blocks are far fewer
than instructions, and SSA construction appends parameters).

The DFG knows nothing about order; that is :class:`~.layout.Layout`.  An
instruction removed from the layout stays in the arenas (dead); arenas are
per-function and freed with it.  Changing an instruction's operand *count*
appends a fresh segment and leaves the old one as garbage (``garbage``
counts the words); in-place changes of the same size reuse the segment.
"""
from __future__ import annotations

from array import array
from typing import Iterator, Sequence

from .entities import Block, Inst, Value
from .opcodes import OPINFO, ImmKind, MemFlags, OpInfo, Spec
from .types import I32, NOTYPE

VK_NONE = 0
VK_RESULT = 1
VK_PARAM = 2

#: A block call as the API hands it out: target block and its arguments.
BlockCall = tuple[Block, tuple[Value, ...]]


class DataFlowGraph:
    __slots__ = ("op", "ctrl", "off", "len", "res", "nres", "pool",
                 "vtype", "vkind", "vdef", "vnum", "bparams", "garbage")

    def __init__(self) -> None:
        self.op = array("H")
        self.ctrl = array("H")
        self.off = array("I")
        self.len = array("I")
        self.res = array("i")
        self.nres = array("H")
        self.pool = array("Q")
        self.vtype = array("H")
        self.vkind = array("B")
        self.vdef = array("i")
        self.vnum = array("I")
        self.bparams: list[list[int]] = []
        self.garbage = 0

    # ---- sizes ------------------------------------------------------------
    @property
    def num_insts(self) -> int:
        return len(self.op)

    @property
    def num_values(self) -> int:
        return len(self.vtype)

    @property
    def num_blocks(self) -> int:
        return len(self.bparams)

    # ---- values -----------------------------------------------------------
    def _new_value(self, ty: int, kind: int, def_: int, num: int) -> int:
        v = len(self.vtype)
        self.vtype.append(ty)
        self.vkind.append(kind)
        self.vdef.append(def_)
        self.vnum.append(num)
        return v

    def reserve_values(self, n: int) -> None:
        """Grow the value arena to at least ``n`` entries (holes), so that
        a parser can create values with the exact numbers the text uses."""
        while len(self.vtype) < n:
            self._new_value(NOTYPE, VK_NONE, -1, 0)

    def value_is_valid(self, v: int) -> bool:
        return 0 <= v < len(self.vkind) and self.vkind[v] != VK_NONE

    def value_type(self, v: int) -> int:
        return self.vtype[v]

    def value_def(self, v: int) -> tuple[int, int, int]:
        """``(kind, inst_or_block, index)`` with kind VK_RESULT / VK_PARAM."""
        return self.vkind[v], self.vdef[v], self.vnum[v]

    def value_inst(self, v: int) -> Inst | None:
        """Defining instruction of a result value, None for a block param."""
        return Inst(self.vdef[v]) if self.vkind[v] == VK_RESULT else None

    # ---- blocks -----------------------------------------------------------
    def make_block(self) -> Block:
        self.bparams.append([])
        return Block(len(self.bparams) - 1)

    def reserve_blocks(self, n: int) -> None:
        while len(self.bparams) < n:
            self.bparams.append([])

    def append_block_param(self, block: int, ty: int, value: int | None = None) -> Value:
        """Add a parameter of type ``ty``; ``value`` picks its number (parser:
        must be a hole), otherwise a fresh value is made."""
        params = self.bparams[block]
        if value is None:
            value = self._new_value(ty, VK_PARAM, block, len(params))
        else:
            self.reserve_values(value + 1)
            assert self.vkind[value] == VK_NONE, f"v{value} already defined"
            self.vtype[value] = ty
            self.vkind[value] = VK_PARAM
            self.vdef[value] = block
            self.vnum[value] = len(params)
        params.append(value)
        return Value(value)

    def remove_block_param(self, block: int, index: int) -> Value:
        """Remove parameter ``index`` of ``block`` (callers fix the branch
        arguments; see ``Function.remove_block_param``).  The value becomes a
        hole."""
        params = self.bparams[block]
        v = params.pop(index)
        self.vkind[v] = VK_NONE
        for i in range(index, len(params)):
            self.vnum[params[i]] = i
        return Value(v)

    def block_params(self, block: int) -> list[Value]:
        return [Value(v) for v in self.bparams[block]]

    # ---- instruction creation --------------------------------------------
    def _encode(self, info: OpInfo, imms: Sequence[int], args: Sequence[int],
                calls: Sequence[tuple[int, Sequence[int]]] | None) -> list[int]:
        seg = list(imms)
        seg.extend(args)
        if calls is not None:
            for blk, cargs in calls:
                seg.append(blk)
                seg.append(len(cargs))
                seg.extend(cargs)
        return seg

    def make_inst(self, op: int, ctrl: int, imms: Sequence[int], args: Sequence[int],
                  calls: Sequence[tuple[int, Sequence[int]]] | None,
                  result_types: Sequence[int], first_result: int | None = None) -> Inst:
        """Create an instruction (not yet in the layout) and its results.

        ``first_result`` forces the result numbering (parser); those value
        numbers must be holes.  Checking that ``args`` fit the opcode's
        types is the verifier's job, not this function's.
        """
        info = OPINFO[op]
        assert len(imms) == len(info.imms), f"{info.name}: wants {len(info.imms)} immediates"
        inst = len(self.op)
        seg = self._encode(info, imms, args, calls)
        self.op.append(op)
        self.ctrl.append(ctrl)
        self.off.append(len(self.pool))
        self.len.append(len(seg))
        self.pool.extend(seg)
        n = len(result_types)
        self.nres.append(n)
        if n == 0:
            self.res.append(-1)
        elif first_result is None:
            self.res.append(len(self.vtype))
            for i, t in enumerate(result_types):
                self._new_value(t, VK_RESULT, inst, i)
        else:
            self.reserve_values(first_result + n)
            self.res.append(first_result)
            for i, t in enumerate(result_types):
                v = first_result + i
                assert self.vkind[v] == VK_NONE, f"v{int(v)} already defined"
                self.vtype[v] = t
                self.vkind[v] = VK_RESULT
                self.vdef[v] = inst
                self.vnum[v] = i
        return Inst(inst)

    def rewrite_inst(self, inst: int, op: int, ctrl: int, imms: Sequence[int],
                     args: Sequence[int],
                     calls: Sequence[tuple[int, Sequence[int]]] | None = None) -> None:
        """Replace what ``inst`` computes, keeping its result values (so no
        use needs rewriting).  The caller guarantees the new opcode has the
        same number of results with the same types (e.g. fold
        ``iadd.i32 v0, v1`` into ``iconst.i32 3``); the verifier checks it."""
        info = OPINFO[op]
        assert len(imms) == len(info.imms)
        seg = self._encode(info, imms, args, calls)
        self.op[inst] = op
        self.ctrl[inst] = ctrl
        self._store_seg(inst, seg)

    def _store_seg(self, inst: int, seg: list[int]) -> None:
        n = self.len[inst]
        if len(seg) <= n:
            o = self.off[inst]
            self.pool[o:o + len(seg)] = array("Q", seg)
            self.garbage += n - len(seg)
        else:
            self.garbage += n
            self.off[inst] = len(self.pool)
            self.pool.extend(seg)
        self.len[inst] = len(seg)

    # ---- instruction queries ----------------------------------------------
    def inst_op(self, inst: int) -> int:
        return self.op[inst]

    def inst_info(self, inst: int) -> OpInfo:
        return OPINFO[self.op[inst]]

    def inst_ctrl(self, inst: int) -> int:
        return self.ctrl[inst]

    def inst_imms(self, inst: int) -> tuple[int, ...]:
        o = self.off[inst]
        return tuple(self.pool[o:o + len(OPINFO[self.op[inst]].imms)])

    def inst_imm(self, inst: int, kind: ImmKind) -> int:
        """The first immediate of ``kind`` (KeyError-like ValueError if the
        opcode has none)."""
        return self.pool[self.off[inst] + OPINFO[self.op[inst]].imms.index(kind)]

    def set_imm(self, inst: int, kind: ImmKind, value: int) -> None:
        self.pool[self.off[inst] + OPINFO[self.op[inst]].imms.index(kind)] = value

    def _args_span(self, inst: int) -> tuple[int, int]:
        """Pool range ``[start, end)`` of the plain (non-block-call) operands."""
        info = OPINFO[self.op[inst]]
        start = self.off[inst] + len(info.imms)
        if info.branches:
            return start, start + len(info.args)
        return start, self.off[inst] + self.len[inst]

    def inst_args(self, inst: int) -> tuple[Value, ...]:
        """Value operands (fixed then variadic), not including block-call
        arguments."""
        s, e = self._args_span(inst)
        return tuple(map(Value, self.pool[s:e]))

    def inst_arg(self, inst: int, i: int) -> Value:
        s, e = self._args_span(inst)
        assert 0 <= i < e - s
        return Value(self.pool[s + i])

    def set_arg(self, inst: int, i: int, v: int) -> None:
        s, e = self._args_span(inst)
        assert 0 <= i < e - s
        self.pool[s + i] = v

    def inst_block_calls(self, inst: int) -> list[BlockCall]:
        """Successor block calls in order (brif: then, else; br_table:
        default first, then the table)."""
        info = OPINFO[self.op[inst]]
        if not info.branches:
            return []
        pool = self.pool
        p = self.off[inst] + len(info.imms) + len(info.args)
        end = self.off[inst] + self.len[inst]
        out = []
        while p < end:
            n = pool[p + 1]
            out.append((Block(pool[p]), tuple(map(Value, pool[p + 2:p + 2 + n]))))
            p += 2 + n
        return out

    def inst_successors(self, inst: int) -> list[Block]:
        info = OPINFO[self.op[inst]]
        if not info.branches:
            return []
        pool = self.pool
        p = self.off[inst] + len(info.imms) + len(info.args)
        end = self.off[inst] + self.len[inst]
        out = []
        while p < end:
            out.append(Block(pool[p]))
            p += 2 + pool[p + 1]
        return out

    def set_block_calls(self, inst: int, calls: Sequence[tuple[int, Sequence[int]]]) -> None:
        """Replace all block calls of a branch (count may change: br_table)."""
        info = OPINFO[self.op[inst]]
        assert info.branches
        o = self.off[inst]
        head = list(self.pool[o:o + len(info.imms) + len(info.args)])
        self._store_seg(inst, self._encode(info, head[:len(info.imms)],
                                           head[len(info.imms):], calls))

    def inst_results(self, inst: int) -> tuple[Value, ...]:
        r = self.res[inst]
        return tuple(Value(v) for v in range(r, r + self.nres[inst])) if r >= 0 else ()

    def first_result(self, inst: int) -> Value:
        r = self.res[inst]
        assert r >= 0, f"inst{inst} has no result"
        return Value(r)

    def value_slots(self, inst: int) -> list[int]:
        """Pool indices of every value operand of ``inst`` (plain args and
        block-call args): what a use-rewrite must visit."""
        info = OPINFO[self.op[inst]]
        s = self.off[inst] + len(info.imms)
        end = self.off[inst] + self.len[inst]
        if not info.branches:
            return list(range(s, end))
        slots = list(range(s, s + len(info.args)))
        p = s + len(info.args)
        pool = self.pool
        while p < end:
            n = pool[p + 1]
            slots.extend(range(p + 2, p + 2 + n))
            p += 2 + n
        return slots

    def uses(self, inst: int) -> Iterator[int]:
        """Every value operand (raw ints), block-call arguments included."""
        pool = self.pool
        for s in self.value_slots(inst):
            yield pool[s]

    def rewrite_uses(self, inst: int, mapping: dict[int, int]) -> None:
        """Replace operands per ``mapping`` (already transitively resolved)."""
        pool = self.pool
        for s in self.value_slots(inst):
            nv = mapping.get(pool[s])
            if nv is not None:
                pool[s] = nv

    # ---- effects -----------------------------------------------------------
    def access_bytes(self, inst: int) -> int:
        """Bytes a load/store touches (0 for non-accesses)."""
        return OPINFO[self.op[inst]].access_bytes(self.ctrl[inst])

    def can_trap(self, inst: int) -> bool:
        """May this instruction trap?  Like ``OpInfo.may_trap`` but honours a
        ``notrap`` memflags."""
        info = OPINFO[self.op[inst]]
        if not info.may_trap:
            return False
        if ImmKind.MEMFLAGS in info.imms and MemFlags.notrap(self.inst_imm(inst, ImmKind.MEMFLAGS)):
            return False
        return True

    def result_types(self, info: OpInfo, ctrl: int, imms: Sequence[int],
                     module) -> list[int]:
        """Result types an instruction would have (builder and parser);
        needs ``module`` for G/E/A/sig specs."""
        if info.sig_results:
            sig = callee_sig(info, imms, module)
            return list(sig.results)
        return [resolve_spec(s, info, ctrl, imms, module) for s in info.results]


def callee_sig(info: OpInfo, imms: Sequence[int], module):
    """Signature a call/call_indirect uses (raises IndexError/KeyError if the
    referenced function or signature does not exist)."""
    if ImmKind.FUNC in info.imms:
        return module.func_sig(imms[info.imms.index(ImmKind.FUNC)])
    return module.sigs[imms[info.imms.index(ImmKind.SIG)]]





def resolve_spec(spec: int, info: OpInfo, ctrl: int, imms: Sequence[int], module) -> int:
    """Concrete type for a non-class spec.  Raises ``LookupError`` when an
    entity the spec depends on does not exist."""
    if spec > 0:
        return spec
    if spec == Spec.T:
        return ctrl
    if spec == Spec.L:
        from .types import lane_type
        return lane_type(ctrl)
    if spec == Spec.TBITS:
        from .types import counterpart
        return counterpart(ctrl)
    if spec == Spec.A:
        return module.memories[imms[info.imms.index(ImmKind.MEM)]].index_type
    if spec in (Spec.A2, Spec.AMIN):          # memory.copy: (dst, src) memories
        k = info.imms.index(ImmKind.MEM)
        dst, src = (module.memories[imms[k + j]].index_type for j in (0, 1))
        if spec == Spec.A2:
            return src
        return I32 if I32 in (dst, src) else dst
    if spec == Spec.G:
        return module.globals[imms[info.imms.index(ImmKind.GLOBAL)]].type
    if spec == Spec.E:
        return module.tables[imms[info.imms.index(ImmKind.TABLE)]].elem
    raise ValueError(f"spec {spec!r} is a class, not a type")
