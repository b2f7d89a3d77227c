"""A reference interpreter for translated IR -- a test oracle, not a product.

Why: the verifier proves translated IR well formed (types, dominance), not
that it computes what the Wasm did: a phi fed from the wrong predecessor, a
swapped operand or a lost ``if`` parameter verify fine.  Running the spec
suite's ``assert_return``/``assert_trap`` against the *IR* checks the
translator's semantics directly, before any emitter exists.

Numeric semantics come from the IR's own folder table
(:data:`wasmaot.ir.passes.constfold.FOLDERS`, built on ``wasm_numerics``);
this file adds control flow, calls, memory, tables, globals, segments and
instantiation (imports from ``spectest`` and registered instances).
Values are bit patterns (ints); a funcref is ``(instance, funcidx)`` or a
host function name, an externref ``("ext", n)``, null is ``None``.
"""
from __future__ import annotations

import struct

from wasmaot.ir.opcodes import OPINFO, Opcode as O
from wasmaot.ir.passes.constfold import FOLDERS
from wasmaot.ir.trapcodes import TrapCode
from wasmaot.frontend.types import FuncType
from wasmaot.ir.types import F32, F64, I32, I64, bits
from wasmaot.ir.wasm_numerics import Trap

PAGE = 65536
MAX_TEST_PAGES = 1024    # growing beyond fails (allowed by the spec; saves RAM)


class Unlinkable(Exception):
    pass


class Memory:
    def __init__(self, lo, hi, is64=False):
        self.data = bytearray(lo * PAGE)
        self.max = 65536 if hi is None else hi
        # memory.grow's failure value: -1 in the memory's address type
        self.failed = (1 << 64) - 1 if is64 else 0xFFFFFFFF


class Table:
    def __init__(self, lo, hi, init=None):
        self.elems = [init] * lo
        self.max = 0xFFFFFFFF if hi is None else hi


def _f32(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


class Spectest:
    """The ``spectest`` module of the reference interpreter."""
    def __init__(self):
        self.exports = {
            "global_i32": [666], "global_i64": [666], "global_f32": [_f32(666.6)],
            "global_f64": [struct.unpack("<Q", struct.pack("<d", 666.6))[0]],
            "table": Table(10, 20), "memory": Memory(1, 2),
        }
        for name, params in (("print", ()), ("print_i32", (I32,)), ("print_i64", (I64,)),
                             ("print_f32", (F32,)), ("print_f64", (F64,)),
                             ("print_i32_f32", (I32, F32)), ("print_f64_f64", (F64, F64))):
            self.exports[name] = ("host", FuncType(params, ()))


_M64 = (1 << 64) - 1


def _halves(x: int) -> tuple[int, int]:
    """A 128-bit result as the (low, high) i64 bit patterns."""
    return x & _M64, (x >> 64) & _M64


def _s64(x: int) -> int:
    return x - (1 << 64) if x >> 63 else x


# Wide arithmetic, straight from the proposal's definition (two results).
_WIDE = {
    O.iadd128: lambda al, ah, bl, bh: _halves((al | ah << 64) + (bl | bh << 64)),
    O.isub128: lambda al, ah, bl, bh: _halves((al | ah << 64) - (bl | bh << 64)),
    O.smul_wide: lambda a, b: _halves(_s64(a) * _s64(b)),
    O.umul_wide: lambda a, b: _halves(a * b),
}

_EXN_OPS = frozenset(o for o in O if o.name.startswith("exn_") and o.name != "exn_pending")
_LOADS = {O.load: (None, False), O.uload8: (1, False), O.sload8: (1, True),
          O.uload16: (2, False), O.sload16: (2, True), O.uload32: (4, False),
          O.sload32: (4, True)}
_STORES = {O.store: None, O.istore8: 1, O.istore16: 2, O.istore32: 4}


class Instance:
    def __init__(self, tr, wasm, registry: dict):
        mod = self.mod = tr.module
        self.code = {}
        self.funcs, self.globals, self.mems, self.tables = [], [], [], []

        def imp(i):
            src = registry.get(i.module)
            if src is None or i.field not in src.exports:
                raise Unlinkable(f"unknown import {i.module}.{i.field}")
            return src.exports[i.field]
        for i, d in enumerate(mod.funcs):
            self.funcs.append(imp(d.import_) if d.import_ else (self, i))
        for m in mod.memories:
            self.mems.append(imp(m.import_) if m.import_ else
                             Memory(m.min, m.max, m.index_type == I64))
        for t in mod.tables:
            self.tables.append(imp(t.import_) if t.import_ else Table(t.min, t.max))
        for g in mod.globals:
            # defined globals start zero/null; __wasmaot_init sets them
            self.globals.append(imp(g.import_) if g.import_ else
                                [None if g.type in (0x70, 0x6F) else 0])
        self.datas = [wasm.data[d.data_start:d.data_end] for d in wasm.datas]
        self.elems = [self._elem(e) for e in wasm.elems]
        self.exports = {}
        kinds = {0: self.funcs, 1: self.tables, 2: self.mems, 3: self.globals}
        for e in wasm.exports:
            self.exports[e.name] = kinds[e.kind][e.index]
        self.call(tr.init_func, [])
        if wasm.start is not None:
            self.call(wasm.start, [])

    def _elem(self, seg):
        if seg.func_indices is not None:
            return [self.funcs[i] for i in seg.func_indices]
        out = []
        for ex in seg.exprs:
            op, imm, _ = ex.instrs[0]
            out.append(self.funcs[imm] if op.name == "ref.func" else
                       self.globals[imm][0] if op.name == "global.get" else None)
        return out

    # ---- execution ---------------------------------------------------------
    def _compile(self, fidx):
        f = self.mod.funcs[fidx].body
        dfg, lay = f.dfg, f.layout
        blocks = {}
        for b in lay.blocks():
            insts = []
            for i in lay.insts(b):
                info = OPINFO[dfg.op[i]]
                insts.append((dfg.op[i], dfg.ctrl[i], dfg.inst_imms(i), dfg.inst_args(i),
                              dfg.inst_results(i), dfg.inst_block_calls(i),
                              tuple(dfg.vtype[a] for a in dfg.inst_args(i))))
            blocks[b] = (list(dfg.bparams[b]), insts)
        code = (lay.first_block, blocks)
        self.code[fidx] = code
        return code

    def call(self, fidx, args):
        return call_ref(self.funcs[fidx], args)

    def run(self, fidx, args):
        code = self.code.get(fidx) or self._compile(fidx)
        b, blocks = code
        env = {}
        while True:
            params, insts = blocks[b]
            for p, a in zip(params, args):
                env[p] = a
            for op, ctrl, imms, ops, res, calls, tys in insts:
                a = [env[v] for v in ops]
                if calls:
                    if op == O.jump:
                        k = 0
                    elif op == O.brif:
                        k = 0 if a[0] else 1
                    else:
                        k = a[0] + 1 if a[0] + 1 < len(calls) else 0
                    b, cargs = calls[k]
                    args = [env[v] for v in cargs]
                    break
                if op == O["return"]:
                    return a
                if op == O.return_call or op == O.return_call_indirect:
                    ref = self.tail_target(op, imms, a)
                    if ref[0] == "host" or ref[0] is not self:
                        return call_ref(ref, a[1:] if op == O.return_call_indirect else a)
                    # a tail call in this instance: replace the frame (the
                    # spec tests recurse 10^6 deep through tail calls)
                    args = a[1:] if op == O.return_call_indirect else a
                    code = self.code.get(ref[1]) or self._compile(ref[1])
                    b, blocks = code
                    env = {}
                    break
                out = self.exec(op, ctrl, imms, a, tys)
                if op == O.call or op == O.call_indirect or op in _WIDE:
                    for r, v in zip(res, out):
                        env[r] = v
                elif res:
                    env[res[0]] = out

    def exec(self, op, ctrl, imms, a, tys):
        fold = FOLDERS.get(op)
        if fold is not None:
            return fold(ctrl, imms, a, tys)
        wide = _WIDE.get(op)
        if wide is not None:
            return wide(*a)
        if op == O.iconst or op == O.fconst:
            return imms[0]
        if op == O.null:
            return None
        if op == O.func_ref:
            return self.funcs[imms[0]]
        if op == O.select:
            return a[1] if a[0] else a[2]
        if op == O.is_null:
            return int(a[0] is None)
        if op in _LOADS:
            size, signed = _LOADS[op]
            size = size or bits(ctrl) // 8
            data = self._range(imms[1], a[0] + imms[2], size)
            v = int.from_bytes(data, "little", signed=signed)
            return v & ((1 << bits(ctrl)) - 1)
        if op in _STORES:
            size = _STORES[op] or bits(ctrl) // 8
            mem = self.mems[imms[1]].data
            addr = a[0] + imms[2]
            self._range(imms[1], addr, size)
            mem[addr:addr + size] = (a[1] & ((1 << (8 * size)) - 1)).to_bytes(size, "little")
            return None
        if op == O.global_get:
            return self.globals[imms[0]][0]
        if op == O.global_set:
            self.globals[imms[0]][0] = a[0]
            return None
        if op == O.call:
            return self.call(imms[0], a)
        if op == O.call_indirect:
            return call_ref(self.indirect_target(imms, a), a[1:])
        if op == O.trap:
            raise Trap(TrapCode(imms[0]))
        if op == O.exn_pending:
            # Modules that may see an exception check the pending slot after
            # calls (ir/translate/exceptions.py); this interpreter runs no
            # throwing code, so the slot is always empty.
            return None
        if op in _EXN_OPS:
            raise NotImplementedError(f"the IR interpreter does not model exceptions ({op.name})")
        return self.exec_bulk(op, imms, a)

    def tail_target(self, op, imms, a):
        """The funcref a ``return_call``/``return_call_indirect`` jumps to."""
        if op == O.return_call:
            return self.funcs[imms[0]]
        return self.indirect_target(imms, a)

    def indirect_target(self, imms, a):
        """``call_indirect``'s checks, in the spec's order; the funcref."""
        tab = self.tables[imms[1]].elems
        if a[0] >= len(tab):
            raise Trap(TrapCode.undefined_element)
        ref = tab[a[0]]
        if ref is None:
            raise Trap(TrapCode.uninitialized_element)
        if ref_sig(ref) != self.mod.sigs[imms[0]]:
            raise Trap(TrapCode.indirect_call_type_mismatch)
        return ref

    def _range(self, mem, addr, n):
        data = self.mems[mem].data
        if addr + n > len(data):
            raise Trap(TrapCode.memory_out_of_bounds)
        return data[addr:addr + n]

    def exec_bulk(self, op, imms, a):
        if op == O.memory_size:
            return len(self.mems[imms[0]].data) // PAGE
        if op == O.memory_grow:
            m = self.mems[imms[0]]
            old = len(m.data) // PAGE
            if old + a[0] > min(m.max, MAX_TEST_PAGES):
                return m.failed
            m.data.extend(bytes(a[0] * PAGE))
            return old
        if op == O.memory_fill:
            d, v, n = a
            self._range(imms[0], d, n)
            self.mems[imms[0]].data[d:d + n] = bytes([v & 0xFF]) * n
            return None
        if op == O.memory_copy:
            d, s, n = a
            src = self._range(imms[1], s, n)
            self._range(imms[0], d, n)
            self.mems[imms[0]].data[d:d + n] = src
            return None
        if op == O.memory_init:
            d, s, n = a
            seg = self.datas[imms[1]]
            if s + n > len(seg):
                raise Trap(TrapCode.memory_out_of_bounds)
            self._range(imms[0], d, n)
            self.mems[imms[0]].data[d:d + n] = seg[s:s + n]
            return None
        if op == O.data_drop:
            self.datas[imms[0]] = b""
            return None
        if op == O.elem_drop:
            self.elems[imms[0]] = []
            return None
        tab = self.tables[imms[0]] if op != O.elem_drop else None
        t = tab.elems
        if op == O.table_get:
            if a[0] >= len(t):
                raise Trap(TrapCode.table_out_of_bounds)
            return t[a[0]]
        if op == O.table_set:
            if a[0] >= len(t):
                raise Trap(TrapCode.table_out_of_bounds)
            t[a[0]] = a[1]
            return None
        if op == O.table_size:
            return len(t)
        if op == O.table_grow:
            old = len(t)
            if old + a[1] > tab.max:
                return 0xFFFFFFFF
            t.extend([a[0]] * a[1])
            return old
        if op == O.table_fill:
            i, v, n = a
            if i + n > len(t):
                raise Trap(TrapCode.table_out_of_bounds)
            t[i:i + n] = [v] * n
            return None
        if op == O.table_copy:
            d, s, n = a
            src = self.tables[imms[1]].elems
            if d + n > len(t) or s + n > len(src):
                raise Trap(TrapCode.table_out_of_bounds)
            t[d:d + n] = src[s:s + n]
            return None
        if op == O.table_init:
            d, s, n = a
            seg = self.elems[imms[1]]
            if d + n > len(t) or s + n > len(seg):
                raise Trap(TrapCode.table_out_of_bounds)
            t[d:d + n] = seg[s:s + n]
            return None
        raise NotImplementedError(OPINFO[op].name)


def ref_sig(ref):
    if ref[0] == "host":
        return ref[1]
    inst, i = ref
    return inst.mod.funcs[i].sig


def call_ref(ref, args):
    if ref[0] == "host":
        return []
    inst, i = ref
    return inst.run(i, args)
