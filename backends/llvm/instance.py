"""Instance layout, module descriptor, ``instantiate`` and export trampolines.

Instance layout (all offsets published through the descriptor; hosts never
hard-code them).  In order, hot fields first:

====================  ==========================================================
memory slots          ``wasmaot_memory *`` per memory; memory 0 at offset 0
global storage        defined globals inline: 8 bytes (v128: 16, aligned 16)
table slots           ``wasmaot_table *`` per table
global slots          pointer per global (defined: -> its inline storage)
funcrefs              ``wasmaot_funcref`` per Wasm function, contiguous
type ids              ``uint32_t`` per module type (interned signatures)
memory structs        inline ``wasmaot_memory`` per defined memory
table structs         inline ``wasmaot_table`` per defined table
data segments         ``wasmaot_segment`` per data segment
elem segments         ``wasmaot_segment`` per element segment
elem arrays           element storage of each element segment (built here)
====================  ==========================================================

Sizes follow the header: funcref 24 (12 on 32-bit), segment 16 (12),
memory 40, table 32; the total is rounded up to 16.

``instantiate`` (called once, after the host filled every import slot): read
the bounds-mode marker symbol (a mismatched runtime is a link error), intern
every type's canonical signature string, fill the defined functions'
funcrefs, create defined memories and tables, point global slots at inline
storage and evaluate global initialisers, build the segment descriptors and
element arrays (declarative segments start dropped), then call the
translator's ``__wasmaot_init`` (which applies and drops active segments) and
the start function.  Those two calls are marked ``noinline`` so that no Wasm
code, whose loads of slots/ids/guard-mode bases are ``!invariant.load``, is
ever inlined next to the stores that initialise those fields.
"""
from __future__ import annotations

from ...frontend.module import ExternKind, SegmentMode
from ...ir.opcodes import Opcode
from ...ir.types import EXTERNREF, F32, F64, FUNCREF, I32, I64, V128, type_name
from .arith import float_literal
from .common import LTYPE, TBAA_GLOBAL, TBAA_INST, c_string, ret_type

MEMORY_SIZE = 40
TABLE_SIZE = 32
REF_FUNCREF, REF_EXTERNREF = 0, 1
MEMORY_HAS_MAX = 1
TABLE_HAS_MAX = 1
ABI_VERSION = 2   # must equal WASMAOT_RT_ABI_VERSION in runtime-c/include/wasmaot_rt.h


def canonical_sig(sig) -> str:
    """Header section 4: ``(i32,i64)->(f32)``."""
    return ("(" + ",".join(type_name(t) for t in sig.params) + ")->("
            + ",".join(type_name(t) for t in sig.results) + ")")


def global_type_string(ty: int, mutable: bool) -> str:
    return ("mut " if mutable else "") + type_name(ty)


class InstanceLayout:
    def __init__(self, irmod, wasm, ptr_bytes: int) -> None:
        self.ptr_bytes = P = ptr_bytes
        self.funcref_size = 3 * P
        self.segment_size = 2 * P if P == 8 else 12
        self._off = 0
        mems, tables, globs = irmod.memories, irmod.tables, irmod.globals
        self.mem_slot = {i: self._alloc(P, P) for i in range(len(mems))}
        self.global_storage = {}
        for i, g in enumerate(globs):
            if g.import_ is None:
                size = 16 if g.type == V128 else 8
                self.global_storage[i] = self._alloc(size, size)
        self.table_slot = {i: self._alloc(P, P) for i in range(len(tables))}
        self.global_slot = {i: self._alloc(P, P) for i in range(len(globs))}
        self.n_wasm_funcs = len(wasm.func_types)
        self.funcref = {i: self._alloc(self.funcref_size, P) for i in range(self.n_wasm_funcs)}
        # Wasm type index space (IR ``sigN`` is Wasm type N).
        self.types = list(wasm.types)
        self.type_id = {i: self._alloc(4, 4) for i in range(len(self.types))}
        self.mem_struct = {i: self._alloc(MEMORY_SIZE, 8)
                           for i, m in enumerate(mems) if m.import_ is None}
        self.table_struct = {i: self._alloc(TABLE_SIZE, 8)
                             for i, t in enumerate(tables) if t.import_ is None}
        self.data_seg = {i: self._alloc(self.segment_size, P) for i in range(len(wasm.datas))}
        self.elem_seg = {i: self._alloc(self.segment_size, P) for i in range(len(wasm.elems))}
        self.elem_array = {}
        for i, e in enumerate(wasm.elems):
            esize = self.funcref_size if e.type == FUNCREF else P
            self.elem_array[i] = self._alloc(max(1, len(e)) * esize, P)
        # never 0: hosts allocate it, and LLVM wants dereferenceable(N > 0)
        self.size = max(16, (self._off + 15) & ~15)

    def _alloc(self, size: int, align: int) -> int:
        off = (self._off + align - 1) & ~(align - 1)
        self._off = off + size
        return off


# ---------------------------------------------------------------- instantiate


class _Body:
    """Tiny straight-line LLVM body builder for instantiate/trampolines."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.n = 0

    def tmp(self) -> str:
        self.n += 1
        return f"%i{self.n}"

    def emit(self, s: str) -> None:
        self.lines.append("  " + s)

    def field(self, off: int) -> str:
        if off == 0:
            return "%inst"
        t = self.tmp()
        self.emit(f"{t} = getelementptr inbounds i8, ptr %inst, i64 {off}")
        return t

    def gep(self, p: str, off: int) -> str:
        if off == 0:
            return p
        t = self.tmp()
        self.emit(f"{t} = getelementptr inbounds i8, ptr {p}, i64 {off}")
        return t


def _func_callee(mc, body: _Body, fn: int) -> tuple[str, str]:
    """(callee, instance) for calling Wasm function ``fn`` from glue code."""
    ir = mc.ir
    if ir.funcs[fn].import_ is None:
        return "@" + mc.fname(fn), "%inst"
    P = mc.ptr_bytes
    slot = body.field(mc.layout.funcref[fn])
    f, ci = body.tmp(), body.tmp()
    body.emit(f"{f} = load ptr, ptr {slot}, align {P}, !tbaa {TBAA_INST}")
    body.emit(f"{ci} = load ptr, ptr {body.gep(slot, 2 * P)}, align {P}, !tbaa {TBAA_INST}")
    return f, ci


def _global_init_value(mc, body: _Body, g) -> str:
    init = g.init
    if init.op == Opcode.iconst:
        bits = 32 if g.type == I32 else 64
        v = init.value
        return str(v - (1 << bits) if v >= 1 << (bits - 1) else v)
    if init.op == Opcode.fconst:
        return float_literal(init.value, g.type)
    if init.op == Opcode.vconst:     # v128 (<2 x i64>), low half first
        lo, hi = init.value & ((1 << 64) - 1), init.value >> 64
        return f"<i64 {lo - (1 << 64) if lo >> 63 else lo}, i64 {hi - (1 << 64) if hi >> 63 else hi}>"
    if init.op == Opcode.null:
        return "null" if g.type in (FUNCREF, EXTERNREF) else "zeroinitializer"
    if init.op == Opcode.func_ref:
        return body.field(mc.layout.funcref[init.value])
    if init.op == Opcode.global_get:
        src = mc.ir.globals[init.value]
        p = body.tmp()
        body.emit(f"{p} = load ptr, ptr {body.field(mc.layout.global_slot[init.value])}, "
                  f"align {mc.ptr_bytes}, !tbaa {TBAA_INST}")
        v = body.tmp()
        body.emit(f"{v} = load {LTYPE[src.type]}, ptr {p}, align 8, !tbaa {TBAA_GLOBAL}")
        return v
    raise NotImplementedError(f"global initialiser op {init.op}")


def _elem_value(mc, body: _Body, expr) -> tuple[str, bool]:
    """An element-segment constant expression -> (pointer value, may it be
    NULL at run time).  ``"null"`` for ``ref.null``."""
    (op, imm, _), = expr.instrs
    name = op.name
    if name == "ref.null":
        return "null", False
    if name == "ref.func":
        return body.field(mc.layout.funcref[imm]), False
    if name == "global.get":
        p = body.tmp()
        body.emit(f"{p} = load ptr, ptr {body.field(mc.layout.global_slot[imm])}, "
                  f"align {mc.ptr_bytes}, !tbaa {TBAA_INST}")
        v = body.tmp()
        body.emit(f"{v} = load ptr, ptr {p}, align {mc.ptr_bytes}, !tbaa {TBAA_GLOBAL}")
        return v, True
    raise NotImplementedError(f"element expression {name}")


def _copy_funcref(mc, body: _Body, src: str, nullable: bool, dst: str) -> None:
    """*dst = src ? *src : null funcref (func, type_id, instance)."""
    P = mc.ptr_bytes
    if src == "null":
        body.emit(f"call void @llvm.memset.p0.i64(ptr align {P} {dst}, i8 0, i64 {3 * P}, i1 false)")
        return
    fr = src
    if nullable:
        c = body.tmp()
        body.emit(f"{c} = icmp eq ptr {src}, null")
        fr = body.tmp()
        body.emit(f"{fr} = select i1 {c}, ptr @{mc.prefix}.null_funcref, ptr {src}")
        mc.need_null_funcref = True
    body.emit(f"call void @llvm.memcpy.p0.p0.i64(ptr align {P} {dst}, ptr align {P} {fr}, i64 {3 * P}, i1 false)")


def instantiate_text(mc) -> str:
    ir, wasm, lay = mc.ir, mc.wasm, mc.layout
    P = mc.ptr_bytes
    b = _Body()
    marker = "wasmaot_rt_abi_v1_guard" if mc.guard else "wasmaot_rt_abi_v1_explicit"
    mc.declare(marker, f"@{marker} = external constant i32")
    mc.intrinsic("llvm.memcpy.p0.p0.i64", "void", "ptr, ptr, i64, i1")
    mc.intrinsic("llvm.memset.p0.i64", "void", "ptr, i8, i64, i1")
    fail = "fail"
    # 1. the mode marker: a volatile read so the reference survives optimisation.
    m = b.tmp()
    b.emit(f"{m} = load volatile i32, ptr @{marker}, align 4")
    # 2. type ids
    intern = mc.runtime("wasmaot_rt_intern_signature", "i32", "ptr")
    for k, sig in enumerate(lay.types):
        s = mc.string(canonical_sig(sig))
        t = b.tmp()
        b.emit(f"{t} = call i32 {intern}(ptr {s})")
        b.emit(f"store i32 {t}, ptr {b.field(lay.type_id[k])}, align 4, !tbaa {TBAA_INST}")
        z = b.tmp()
        b.emit(f"{z} = icmp eq i32 {t}, 0")
        nxt = f"sig{k}.ok"
        b.emit(f"br i1 {z}, label %{fail}, label %{nxt}")
        b.lines.append(f"{nxt}:")
    # 3. defined functions' funcrefs
    for fn in range(lay.n_wasm_funcs):
        if ir.funcs[fn].import_ is not None:
            continue
        slot = b.field(lay.funcref[fn])
        b.emit(f"store ptr @{mc.fname(fn)}, ptr {slot}, align {P}, !tbaa {TBAA_INST}")
        tid = b.tmp()
        b.emit(f"{tid} = load i32, ptr {b.field(lay.type_id[wasm.func_types[fn]])}, align 4, !tbaa {TBAA_INST}")
        b.emit(f"store i32 {tid}, ptr {b.gep(slot, P)}, align 4, !tbaa {TBAA_INST}")
        b.emit(f"store ptr %inst, ptr {b.gep(slot, 2 * P)}, align {P}, !tbaa {TBAA_INST}")
    # 4. memories and tables
    mem_new = mc.runtime("wasmaot_memory_new", "i32", "ptr, i32, i32, i32")
    for i, off in lay.mem_struct.items():
        d = ir.memories[i]
        s = b.field(off)
        flags = MEMORY_HAS_MAX if d.max is not None else 0
        r = b.tmp()
        b.emit(f"{r} = call i32 {mem_new}(ptr {s}, i32 {d.min}, i32 {d.max or 0}, i32 {flags})")
        b.emit(f"store ptr {s}, ptr {b.field(lay.mem_slot[i])}, align {P}, !tbaa {TBAA_INST}")
        z = b.tmp()
        b.emit(f"{z} = icmp ne i32 {r}, 0")
        b.emit(f"br i1 {z}, label %{fail}, label %mem{i}.ok")
        b.lines.append(f"mem{i}.ok:")
    tab_new = mc.runtime("wasmaot_table_new", "i32", "ptr, i32, i32, i32, i32")
    for i, off in lay.table_struct.items():
        d = ir.tables[i]
        s = b.field(off)
        kind = REF_FUNCREF if d.elem == FUNCREF else REF_EXTERNREF
        flags = TABLE_HAS_MAX if d.max is not None else 0
        mx = d.max if d.max is not None else 0xFFFFFFFF
        r = b.tmp()
        b.emit(f"{r} = call i32 {tab_new}(ptr {s}, i32 {kind}, i32 {d.min}, i32 {_u32(mx)}, i32 {flags})")
        b.emit(f"store ptr {s}, ptr {b.field(lay.table_slot[i])}, align {P}, !tbaa {TBAA_INST}")
        z = b.tmp()
        b.emit(f"{z} = icmp ne i32 {r}, 0")
        b.emit(f"br i1 {z}, label %{fail}, label %tab{i}.ok")
        b.lines.append(f"tab{i}.ok:")
    # 5. globals: slots, then initial values (imports are readable by now)
    for i, off in lay.global_storage.items():
        b.emit(f"store ptr {b.field(off)}, ptr {b.field(lay.global_slot[i])}, align {P}, !tbaa {TBAA_INST}")
    for i, off in lay.global_storage.items():
        g = ir.globals[i]
        if g.init is None:
            continue
        v = _global_init_value(mc, b, g)
        align = 16 if g.type == V128 else 8
        b.emit(f"store {LTYPE[g.type]} {v}, ptr {b.field(off)}, align {align}, !tbaa {TBAA_GLOBAL}")
    # 6. segments
    for k, seg in enumerate(wasm.datas):
        data = wasm.data[seg.data_start:seg.data_end]
        sym = f"@{mc.prefix}.data.{k}"
        mc.globals_text.append(
            f'{sym} = internal constant [{len(data)} x i8] c"{c_string(data)}", align 1')
        s = b.field(lay.data_seg[k])
        b.emit(f"store ptr {sym}, ptr {s}, align {P}, !tbaa {TBAA_INST}")
        b.emit(f"store i32 {len(data)}, ptr {b.gep(s, P)}, align 4, !tbaa {TBAA_INST}")
    for k, seg in enumerate(wasm.elems):
        arr = b.field(lay.elem_array[k])
        is_func = seg.type == FUNCREF
        esize = 3 * P if is_func else P
        for j in range(len(seg)):
            dst = b.gep(arr, j * esize)
            if seg.func_indices is not None:
                src, nullable = b.field(lay.funcref[seg.func_indices[j]]), False
            else:
                src, nullable = _elem_value(mc, b, seg.exprs[j])
            if is_func:
                _copy_funcref(mc, b, src, nullable, dst)
            else:
                b.emit(f"store ptr {src}, ptr {dst}, align {P}, !tbaa {TBAA_INST}")
        s = b.field(lay.elem_seg[k])
        b.emit(f"store ptr {arr}, ptr {s}, align {P}, !tbaa {TBAA_INST}")
        b.emit(f"store i32 {len(seg)}, ptr {b.gep(s, P)}, align 4, !tbaa {TBAA_INST}")
        if seg.mode == SegmentMode.DECLARATIVE:
            b.emit(f"store i32 1, ptr {b.gep(s, P + 4)}, align 4, !tbaa {TBAA_INST}")
    # 7. the translator's init function, then the start function
    init = find_init_func(ir, lay.n_wasm_funcs)
    if init is not None:
        b.emit(f"call void @{mc.fname(init)}(ptr %inst) #2")
    if wasm.start is not None:
        f, ci = _func_callee(mc, b, wasm.start)
        b.emit(f"call void {f}(ptr {ci}) #2")
    b.emit("ret i32 0")
    b.lines.append(f"{fail}:")
    b.emit("ret i32 -1")
    return (f"define internal i32 @{mc.prefix}.instantiate(ptr %inst) #0 {{\nentry:\n"
            + "\n".join(b.lines) + "\n}\n")


def _u32(v: int) -> int:
    return v - (1 << 32) if v >= 1 << 31 else v


def find_init_func(ir, n_wasm_funcs: int) -> int | None:
    """The synthesized ``__wasmaot_init``: ``ir.init_func`` when the
    translator set it, else a function of that name past the Wasm ones."""
    idx = getattr(ir, "init_func", None)
    if idx is not None:
        return idx
    for i in range(n_wasm_funcs, len(ir.funcs)):
        if ir.funcs[i].name == "__wasmaot_init":
            return i
    return None


# ---------------------------------------------------------------- trampolines


def trampoline_text(mc, fn: int, name: str) -> str:
    """``void tramp(ptr inst, ptr slots)``: arguments from 8-byte slots,
    results back into them (ints zero-extended, floats as bit patterns,
    refs as pointers, v128 in two slots, low half first)."""
    sig = mc.ir.funcs[fn].sig
    b = _Body()
    args = []
    k = 0
    for t in sig.params:
        p = b.gep("%slots", 8 * k)
        v = b.tmp()
        if t in (I32, F32):
            w = b.tmp()
            b.emit(f"{w} = load i64, ptr {p}, align 8")
            if t == I32:
                b.emit(f"{v} = trunc i64 {w} to i32")
            else:
                x = b.tmp()
                b.emit(f"{x} = trunc i64 {w} to i32")
                b.emit(f"{v} = bitcast i32 {x} to float")
        elif t in (I64, F64, V128):
            b.emit(f"{v} = load {LTYPE[t]}, ptr {p}, align 8")
        else:
            b.emit(f"{v} = load ptr, ptr {p}, align 8")
        args.append(f"{LTYPE[t]} {v}")
        k += 2 if t == V128 else 1
    f, ci = _func_callee(mc, b, fn)
    rty = ret_type(sig.results)
    call = f"call {rty} {f}(" + ", ".join([f"ptr {ci}"] + args) + ")"
    if not sig.results:
        b.emit(call)
        vals = []
    else:
        r = b.tmp()
        b.emit(f"{r} = {call}")
        if len(sig.results) == 1:
            vals = [r]
        else:
            vals = []
            for j in range(len(sig.results)):
                x = b.tmp()
                b.emit(f"{x} = extractvalue {rty} {r}, {j}")
                vals.append(x)
    k = 0
    for t, v in zip(sig.results, vals):
        p = b.gep("%slots", 8 * k)
        if t in (I32, F32):
            x = v
            if t == F32:
                x = b.tmp()
                b.emit(f"{x} = bitcast float {v} to i32")
            w = b.tmp()
            b.emit(f"{w} = zext i32 {x} to i64")
            b.emit(f"store i64 {w}, ptr {p}, align 8")
        else:
            b.emit(f"store {LTYPE[t]} {v}, ptr {p}, align 8")
        k += 2 if t == V128 else 1
    b.emit("ret void")
    return (f"define internal void @{name}(ptr %inst, ptr %slots) #0 {{\nentry:\n"
            + "\n".join(b.lines) + "\n}\n")


# ---------------------------------------------------------------- descriptor


def descriptor_text(mc, tramps: dict[int, str]) -> str:
    ir, wasm, lay = mc.ir, mc.wasm, mc.layout
    P = mc.ptr_bytes
    i32 = "i32"
    imp_ty = "{ ptr, ptr, i32, i32, ptr, i32, i32, i32, i32, i32 }"
    exp_ty = "{ ptr, i32, i32, ptr, ptr, i32 }"
    counters = {ExternKind.FUNC: 0, ExternKind.TABLE: 0, ExternKind.MEMORY: 0, ExternKind.GLOBAL: 0}
    imports = []
    for imp in wasm.imports:
        idx = counters[imp.kind]
        counters[imp.kind] += 1
        mn, mx, has = 0, 0xFFFFFFFF, 0
        if imp.kind == ExternKind.FUNC:
            off, ty = lay.funcref[idx], mc.string(canonical_sig(wasm.types[imp.desc]))
        elif imp.kind == ExternKind.TABLE:
            off, ty = lay.table_slot[idx], mc.string(type_name(imp.desc.elem))
            mn, mx, has = _limits(imp.desc.limits)
        elif imp.kind == ExternKind.MEMORY:
            off, ty = lay.mem_slot[idx], "null"
            mn, mx, has = _limits(imp.desc.limits)
        else:
            off = lay.global_slot[idx]
            ty = mc.string(global_type_string(imp.desc.type, imp.desc.mutable))
        imports.append(f"{imp_ty} {{ ptr {mc.string(imp.module)}, ptr {mc.string(imp.name)}, "
                       f"{i32} {int(imp.kind)}, {i32} {off}, ptr {ty}, {i32} {mn}, "
                       f"{i32} {_u32(mx)}, {i32} {has}, {i32} {len(imp.module.encode())}, "
                       f"{i32} {len(imp.name.encode())} }}")
    exports = []
    for ex in wasm.exports:
        tramp = "null"
        if ex.kind == ExternKind.FUNC:
            off = lay.funcref[ex.index]
            ty = mc.string(canonical_sig(wasm.func_type(ex.index)))
            tramp = "@" + tramps[ex.index]
        elif ex.kind == ExternKind.TABLE:
            off, ty = lay.table_slot[ex.index], mc.string(type_name(wasm.table_types[ex.index].elem))
        elif ex.kind == ExternKind.MEMORY:
            off, ty = lay.mem_slot[ex.index], "null"
        else:
            gt = wasm.global_types[ex.index]
            off, ty = lay.global_slot[ex.index], mc.string(global_type_string(gt.type, gt.mutable))
        exports.append(f"{exp_ty} {{ ptr {mc.string(ex.name)}, {i32} {int(ex.kind)}, "
                       f"{i32} {off}, ptr {ty}, ptr {tramp}, {i32} {len(ex.name.encode())} }}")
    out = []
    pre = mc.prefix
    if imports:
        out.append(f"@{pre}.imports = internal constant [{len(imports)} x {imp_ty}] [\n  "
                   + ",\n  ".join(imports) + "\n], align 8")
    if exports:
        out.append(f"@{pre}.exports = internal constant [{len(exports)} x {exp_ty}] [\n  "
                   + ",\n  ".join(exports) + "\n], align 8")
    out.append(
        f"@{pre}_module = constant {{ i32, i32, i32, i32, ptr, ptr, ptr }} {{ "
        f"i32 {ABI_VERSION}, i32 {lay.size}, i32 {len(imports)}, i32 {len(exports)}, "
        f"ptr {f'@{pre}.imports' if imports else 'null'}, "
        f"ptr {f'@{pre}.exports' if exports else 'null'}, ptr @{pre}.instantiate }}, align 8")
    return "\n".join(out) + "\n"


def _limits(lim) -> tuple[int, int, int]:
    if lim.max is None:
        return lim.min, 0xFFFFFFFF, 0
    return lim.min, lim.max, 1
