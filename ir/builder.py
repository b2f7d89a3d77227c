"""Building instructions: one method per opcode, generated from the table.

``InstBuilder`` gets a method for every row of :data:`~.opcodes.OPINFO`
(``return`` is spelled ``return_``).  Arguments, in order:

1. the controlling type, *only* when it cannot be taken from an operand
   (``iconst(I32, 5)``, ``load(I64, mem, addr)``, ``fcvt_to_sint(I32, x)``;
   but ``iadd(x, y)``, ``store(mem, addr, value)``, ``select(c, x, y)``);
2. the immediates in table order, except the optional ones which are
   keywords: ``offset=`` (default 0), ``notrap=`` (False), ``align=`` (bytes,
   default natural); a 128-bit immediate (``vconst``, ``shuffle``) is one
   int (lane 0 in the low bits);
3. the fixed value operands;
4. the variadic operands (calls, ``return_``) as one sequence;
5. block calls: ``block`` or ``(block, [args])`` -- one for ``jump``, two
   for ``brif`` (then, else), a default and a list for ``br_table``.

The method returns the single result ``Value``, a tuple of results when
there are several (multi-value calls), or the ``Inst`` when there are none.

Float constants are bit patterns (ints), never Python floats, so NaN
payloads and f32 rounding are never at the mercy of a host double.

Subclasses decide where the instruction goes: :class:`FunctionBuilder`
appends to its current block, :class:`Cursor` inserts before a position,
:class:`ReplaceBuilder` rewrites an existing instruction keeping its
result values (the constant folder's tool).
"""
from __future__ import annotations

import keyword

from .entities import Block, Inst, Value
from .function import Function
from .opcodes import OPINFO, BRANCH_TABLE, ImmKind, MemFlags, OpInfo, VarArgs
from .types import NOTYPE, bits, type_name


class BuildError(ValueError):
    pass


def _norm_call(c) -> tuple[int, tuple[int, ...]]:
    if isinstance(c, tuple):
        b, args = c
        return int(b), tuple(int(a) for a in args)
    return int(c), ()


def check_imm64(value: int, ty: int) -> int:
    """``iconst`` immediate as stored: the unsigned pattern of ``value``,
    which must fit the type signed or unsigned."""
    w = bits(ty)
    if not -(1 << (w - 1)) <= value < (1 << w):
        raise BuildError(f"iconst value {value} does not fit {type_name(ty)}")
    return value & ((1 << w) - 1)


class InstBuilder:
    """Base class; subclasses implement :meth:`_emit`."""
    func: Function

    def _emit(self, info: OpInfo, ctrl: int, imms: list[int], args: list[int],
              calls: list | None):
        raise NotImplementedError

    def _make(self, info: OpInfo, pos: tuple, kw: dict):
        pos = list(pos)
        ctrl = NOTYPE
        try:
            if info.ctrl is not None and info.ctrl_arg < 0:
                ctrl = int(pos.pop(0))
            imms: list[int] = []
            for kind in info.imms:
                if kind == ImmKind.MEMFLAGS:
                    imms.append(0)            # filled in once ctrl is known
                elif kind == ImmKind.OFFSET:
                    imms.append(int(kw.pop("offset", 0)))
                elif kind == ImmKind.IMM128:
                    # one 128-bit int (vconst bits / shuffle mask, lane 0
                    # in the low byte), stored as two u64 words
                    v = int(pos.pop(0))
                    if not 0 <= v < 1 << 128:
                        raise BuildError(f"{info.name}: {v:#x} is not a 128-bit pattern")
                    imms.append(v & ((1 << 64) - 1))
                    imms.append(v >> 64)
                elif kind == ImmKind.IMM128_HI:
                    pass                      # appended with IMM128
                else:
                    v = pos.pop(0)
                    if kind == ImmKind.IEEE and not isinstance(v, int):
                        raise BuildError("fconst takes an IEEE bit pattern (int), "
                                         "not a float; see wasm_numerics.f32_bits")
                    imms.append(int(v))
            args = [int(a) for a in pos[:len(info.args)]]
            del pos[:len(info.args)]
            if len(args) != len(info.args):
                raise BuildError(f"{info.name}: expected {len(info.args)} operands")
            if info.varargs != VarArgs.NONE:
                args.extend(int(a) for a in pos.pop(0))
            calls = None
            if info.branches == BRANCH_TABLE:
                calls = [_norm_call(pos.pop(0))] + [_norm_call(c) for c in pos.pop(0)]
            elif info.branches:
                calls = [_norm_call(pos.pop(0)) for _ in range(info.branches)]
        except IndexError:
            raise BuildError(f"{info.name}: missing arguments") from None
        if pos:
            raise BuildError(f"{info.name}: unexpected extra arguments {pos!r}")
        if info.ctrl_arg >= 0:
            ctrl = self.func.dfg.vtype[args[info.ctrl_arg]]
        if info.ctrl is not None and ctrl not in info.ctrl:
            raise BuildError(f"{info.name}: bad controlling type {type_name(ctrl)}")
        if ImmKind.MEMFLAGS in info.imms:
            align = kw.pop("align", None)
            nat = info.natural_align_log2(ctrl)
            align_log2 = None
            if align is not None:
                align = int(align)
                if align <= 0 or align & (align - 1) or align.bit_length() - 1 > nat:
                    raise BuildError(f"{info.name}: alignment {align} is not a power of two "
                                     f"<= the natural {1 << nat}")
                align_log2 = align.bit_length() - 1
            imms[info.imms.index(ImmKind.MEMFLAGS)] = MemFlags.make(
                bool(kw.pop("notrap", False)), align_log2, nat)
        if ImmKind.IMM64 in info.imms:
            i = info.imms.index(ImmKind.IMM64)
            imms[i] = check_imm64(imms[i], ctrl)
        if kw:
            raise BuildError(f"{info.name}: unexpected keywords {sorted(kw)}")
        return self._emit(info, ctrl, imms, args, calls)

    def _results(self, inst: int):
        res = self.func.dfg.inst_results(inst)
        if not res:
            return Inst(inst)
        return res[0] if len(res) == 1 else res


def _gen_method(info: OpInfo):
    def method(self, *args, **kw):
        return self._make(info, args, kw)
    method.__name__ = info.name + ("_" if keyword.iskeyword(info.name) else "")
    method.__qualname__ = f"InstBuilder.{method.__name__}"
    imms = ", ".join(k.name.lower() for k in info.imms) or "-"
    method.__doc__ = (f"Build ``{info.name}`` (immediates: {imms}; "
                      f"{len(info.args)} operand(s){', variadic' if info.varargs else ''}"
                      f"{', branch' if info.branches else ''}).")
    return method


for _info in OPINFO:
    _m = _gen_method(_info)
    setattr(InstBuilder, _m.__name__, _m)


class FunctionBuilder(InstBuilder):
    """Appends instructions to the current block.

    >>> fb = FunctionBuilder(func)
    >>> b0 = fb.create_block(); fb.switch_to_block(b0)
    >>> x, y = fb.append_entry_params()   # one param per signature param
    >>> fb.return_([fb.iadd(x, y)])
    """

    def __init__(self, func: Function) -> None:
        self.func = func
        self.block: Block | None = None

    def create_block(self) -> Block:
        """A new block, not yet in the layout (``switch_to_block`` adds it)."""
        return self.func.dfg.make_block()

    def append_block_param(self, block: int, ty: int) -> Value:
        return self.func.dfg.append_block_param(block, ty)

    def append_entry_params(self) -> list[Value]:
        """Give the current block one parameter per signature parameter."""
        assert self.block is not None
        return [self.func.dfg.append_block_param(self.block, t) for t in self.func.sig.params]

    def switch_to_block(self, block: int) -> None:
        """Make ``block`` current, appending it to the layout if needed."""
        if not self.func.layout.is_block_inserted(block):
            self.func.layout.append_block(block)
        self.block = Block(block)

    def _emit(self, info, ctrl, imms, args, calls):
        assert self.block is not None, "no current block"
        dfg = self.func.dfg
        inst = dfg.make_inst(info.opcode, ctrl, imms, args, calls,
                             dfg.result_types(info, ctrl, imms, self.func.module))
        self.func.layout.append_inst(inst, self.block)
        return self._results(inst)


class Cursor(InstBuilder):
    """Inserts new instructions before ``before`` (or appends to ``block``
    when ``before`` is None)."""

    def __init__(self, func: Function, before: int | None, block: int | None = None) -> None:
        self.func = func
        self.before = before
        self.block = block

    def _emit(self, info, ctrl, imms, args, calls):
        dfg = self.func.dfg
        inst = dfg.make_inst(info.opcode, ctrl, imms, args, calls,
                             dfg.result_types(info, ctrl, imms, self.func.module))
        if self.before is not None:
            self.func.layout.insert_inst_before(inst, self.before)
        else:
            self.func.layout.append_inst(inst, self.block)
        return self._results(inst)


class ReplaceBuilder(InstBuilder):
    """Rewrites ``inst`` in place; the new opcode must produce results of the
    same types (checked here), which keep their value numbers."""

    def __init__(self, func: Function, inst: int) -> None:
        self.func = func
        self.inst = inst

    def _emit(self, info, ctrl, imms, args, calls):
        dfg = self.func.dfg
        old = [dfg.vtype[v] for v in dfg.inst_results(self.inst)]
        new = dfg.result_types(info, ctrl, imms, self.func.module)
        if old != new:
            raise BuildError(f"replacing inst{self.inst}: result types {old} != {new}")
        dfg.rewrite_inst(self.inst, info.opcode, ctrl, imms, args, calls)
        return self._results(self.inst)


def replace(func: Function, inst: int) -> ReplaceBuilder:
    return ReplaceBuilder(func, inst)
