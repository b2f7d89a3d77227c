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

Sizes and offsets come from :mod:`wasmaot.backends.abi` (checked against the
header): funcref 24 (12 on 32-bit), segment 16 (12),
memory 40, table 32; the total is rounded up to 16.

``instantiate`` (called once, after the host filled every import slot): read
the bounds-mode marker symbol (a mismatched runtime is a link error), intern
every type's canonical signature string, fill the funcrefs of the defined
functions whose reference escapes (with their C-ABI entries), create defined memories and tables, point global slots at inline
storage and evaluate global initialisers, build the segment descriptors and
element arrays (declarative segments start dropped), then call the
translator's ``__wasmaot_init`` (which applies and drops active segments) and
the start function.  Those two calls are marked ``noinline`` so that no Wasm
code, whose loads of slots/ids/guard-mode bases are ``!invariant.load``, is
ever inlined next to the stores that initialise those fields.  ``instantiate``
itself is ``noinline optnone`` (attribute group #3): it runs once, and
optimizing its straight-line stores was 1.5 s of LLVM time on SQLite's shell.

Cost linear in the module (issue 11): data segment bytes are slices of one
byte array ``P.data`` (:meth:`.common.ModuleContext.blob`), never a constant
per segment, and the descriptors are filled by one loop over a table of
(offset, size) records; an element segment of ``ref.func``/``ref.null`` items is a
table of funcref offsets in ``P.data`` and one copy loop, never code per
item; the straight-line parts (funcrefs, globals, segments, other element
items) are cut into blocks of :data:`BLOCK_ITEMS` items, because LLVM's
code generation, even at -O0, is superlinear in the size of a block.
"""
from __future__ import annotations

from ...ir.module import (EXTERN_FUNC, EXTERN_GLOBAL, EXTERN_MEMORY, EXTERN_TABLE, EXTERN_TAG,
                          SEG_DECLARATIVE)
from ...ir.opcodes import Opcode
from ...ir.types import EXTERNREF, F32, F64, FUNCREF, I32, I64, V128, type_name
from ...frontend.types import desc_type
from .. import abi
from .arith import float_literal
from .calls import call_line, func_callee
from .common import LTYPE, TBAA_GLOBAL, TBAA_INST, Builder, ret_type
from . import upper
from .exceptions import check_uncaught



def canonical_sig(sig) -> str:
    """Header section 4: ``(i32,i64)->(f32)``; a signature with typed
    references: their descriptor text (frontend.types.desc_type), so that
    call_indirect tells ``(ref $t)`` from ``funcref`` parameters."""
    if getattr(sig, "wasm", ""):
        return sig.wasm
    return ("(" + ",".join(type_name(t) for t in sig.params) + ")->("
            + ",".join(type_name(t) for t in sig.results) + ")")


def global_type_string(ty: int, mutable: bool) -> str:
    return ("mut " if mutable else "") + type_name(ty)


class InstanceLayout:
    def __init__(self, irmod, ptr_bytes: int) -> None:
        self.ptr_bytes = P = ptr_bytes
        self.funcref_size = abi.funcref(P).sizeof
        self.segment_size = abi.segment(P).sizeof
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
        # exception tags: a pointer slot each (-> the tag's identity) and,
        # for a defined tag, one byte of storage whose address *is* its
        # identity (distinct per instance)
        self.tag_slot = {i: self._alloc(P, P) for i in range(len(irmod.tags))}
        self.tag_storage = {i: self._alloc(1, 1) for i, t in enumerate(irmod.tags)
                            if t.import_ is None}
        self.n_wasm_funcs = irmod.wasm_funcs()
        self.funcref = {i: self._alloc(self.funcref_size, P) for i in range(self.n_wasm_funcs)}
        self.types, self.func_type = _type_space(irmod, self.n_wasm_funcs)
        self.type_id = {i: self._alloc(4, 4) for i in range(len(self.types))}
        mem, tab = abi.memory(P), abi.table(P)
        self.mem_struct = {i: self._alloc(mem.sizeof, mem.alignof)
                           for i, m in enumerate(mems) if m.import_ is None}
        self.table_struct = {i: self._alloc(tab.sizeof, tab.alignof)
                             for i, t in enumerate(tables) if t.import_ is None}
        self.data_seg = {i: self._alloc(self.segment_size, P) for i in range(len(irmod.datas))}
        self.elem_seg = {i: self._alloc(self.segment_size, P) for i in range(len(irmod.elems))}
        self.elem_array = {}
        for i, e in enumerate(irmod.elems):
            esize = abi.ref_size(_ref_kind(e.elem), P)
            self.elem_array[i] = self._alloc(max(1, len(e.items)) * esize, P)
        # never 0: hosts allocate it, and LLVM wants dereferenceable(N > 0)
        self.size = max(16, (self._off + 15) & ~15)

    def _alloc(self, size: int, align: int) -> int:
        off = (self._off + align - 1) & ~(align - 1)
        self._off = off + size
        return off


def _type_space(irmod, n_funcs: int) -> tuple[list, list[int]]:
    """The type-id slots (the Wasm type index space, ``ir.sigs``) and, per
    Wasm function, the slot of its signature: the first equal one (type ids
    are interned canonical strings, so equal signatures share an id).
    Hand-written IR may give a function a signature missing from ``sigs``;
    it gets an extra slot past the Wasm ones (no ``call_indirect`` names it)."""
    types = list(irmod.sigs)
    first: dict = {}
    for k, sig in enumerate(types):
        first.setdefault(sig, k)
    func_type = []
    for d in irmod.funcs[:n_funcs]:
        if d.sig not in first:
            first[d.sig] = len(types)
            types.append(d.sig)
        func_type.append(first[d.sig])
    return types, func_type


# ---------------------------------------------------------------- instantiate


def _global_init_value(mc, b: Builder, init, ty: int) -> tuple[str, bool]:
    """A constant (global initialiser or element item) -> (operand, may it
    be NULL at run time: only a ``global_get`` of a reference can)."""
    if init.op == Opcode.iconst:
        bits = 32 if ty == I32 else 64
        v = init.value
        return str(v - (1 << bits) if v >= 1 << (bits - 1) else v), False
    if init.op == Opcode.fconst:
        return float_literal(init.value, ty), False
    if init.op == Opcode.vconst:     # v128 (<2 x i64>), low half first
        lo, hi = init.value & ((1 << 64) - 1), init.value >> 64
        return f"<i64 {lo - (1 << 64) if lo >> 63 else lo}, i64 {hi - (1 << 64) if hi >> 63 else hi}>", False
    if init.op == Opcode.null:
        return ("null" if ty in (FUNCREF, EXTERNREF) else "zeroinitializer"), False
    if init.op == Opcode.func_ref:
        return b.inst_field(mc.layout.funcref[init.value]), False
    if init.op == Opcode.global_get:
        src = mc.ir.globals[init.value]
        p = b.load("ptr", b.inst_field(mc.layout.global_slot[init.value]), TBAA_INST,
                   align=mc.ptr_bytes)
        align = mc.ptr_bytes if LTYPE[src.type] == "ptr" else 8
        return b.load(LTYPE[src.type], p, TBAA_GLOBAL, align=align), src.type in (FUNCREF, EXTERNREF)
    raise NotImplementedError(f"constant op {init.op}")


def _copy_funcref(mc, b: Builder, src: str, nullable: bool, dst: str) -> None:
    """*dst = src ? *src : null funcref (func, type_id, instance)."""
    P = mc.ptr_bytes
    if src == "null":
        b.emit(f"call void @llvm.memset.p0.i64(ptr align {P} {dst}, i8 0, i64 {abi.funcref(P).sizeof}, i1 false)")
        return
    fr = src
    if nullable:
        c = b.tmp("c")
        b.emit(f"{c} = icmp eq ptr {src}, null")
        fr = b.tmp("fr")
        b.emit(f"{fr} = select i1 {c}, ptr @{mc.prefix}.null_funcref, ptr {src}")
        mc.need_null_funcref = True
    b.emit(f"call void @llvm.memcpy.p0.p0.i64(ptr align {P} {dst}, ptr align {P} {fr}, i64 {abi.funcref(P).sizeof}, i1 false)")


def _check(b: Builder, cond: str, fail: str, ok: str) -> None:
    """Branch to ``fail`` when the i1 ``cond`` holds, else continue at ``ok``."""
    b.emit(f"br i1 {cond}, label %{fail}, label %{ok}")
    b.cur.append(f"{ok}:")


def instantiate_text(mc) -> str:
    ir = mc.ir
    b = Builder()
    marker = abi.bounds_marker(mc.guard)
    mc.declare(marker, f"@{marker} = external constant i32")
    mc.intrinsic("llvm.memcpy.p0.p0.i64", "void", "ptr, ptr, i64, i1")
    mc.intrinsic("llvm.memset.p0.i64", "void", "ptr, i8, i64, i1")
    # 1. the mode marker: a volatile read so the reference survives optimisation.
    b.emit(f"{b.tmp('m')} = load volatile i32, ptr @{marker}, align 4")
    if mc.opts.static_instance:
        # Function bodies use the static block whatever instance they are
        # given: any other block would be left uninitialized.
        own = f"getelementptr inbounds (i8, ptr {mc.static_block()}, i64 {mc.block_offset()})"
        ne = b.tmp("own")
        b.emit(f"{ne} = icmp ne ptr %inst, {own}")
        b.emit(f"br i1 {ne}, label %fail, label %own")
        b.cur.append("own:")
    _type_ids(mc, b)
    _funcrefs(mc, b)
    _memories_and_tables(mc, b)
    _globals(mc, b)
    _data_segments(mc, b)
    _elem_segments(mc, b)
    _tags(mc, b)
    # 7. the translator's init function, then the start function (an
    #    exception it leaves pending is uncaught: a trap)
    if ir.init_func is not None:
        b.emit(f"{call_line(func_callee(mc, b, ir.init_func), 'void', [])} #2")
    if ir.start is not None:
        b.emit(f"call void @{mc.prefix}.start(ptr %inst) #2")
        check_uncaught(mc, b)
    b.emit("ret i32 0")
    b.cur.append("fail:")
    b.emit("ret i32 -1")
    return (f"define internal {mc.c_ret('i32')} @{mc.prefix}.instantiate(ptr %inst) #3 {{\nentry:\n"
            + "\n".join(b.cur) + "\n}\n")


def start_text(mc) -> str | None:
    """``P.start(inst)``: calls the start function, for ``instantiate``.
    Not called from ``instantiate`` directly: LLVM infers ``memory(none)``
    for a start function that only recurses, and the instruction selector
    of an ``optnone`` function (FastISel, x86-64 and AArch64) then drops a
    call to it whose result is unused, so a start function that must
    exhaust the stack would never run (tests/faults/test_recursion.py).
    This function is optimized normally (LLVM keeps a call that is not
    ``willreturn``), and its empty ``asm sideeffect`` keeps LLVM from
    inferring ``memory(none)`` for it in turn."""
    if mc.ir.start is None:
        return None
    b = Builder()
    b.emit('call void asm sideeffect "", ""()')
    b.emit(call_line(func_callee(mc, b, mc.ir.start), "void", []))
    if mc.clean_upper:                      # back to C (upper.py)
        b.emit(upper.clean_call(mc))
    b.emit("ret void")
    return (f"define internal void @{mc.prefix}.start(ptr %inst) noinline #0 {{\nentry:\n"
            + "\n".join(b.cur) + "\n}\n")


def _type_ids(mc, b: Builder) -> None:
    """2. intern every type's canonical signature string (0 = failure)."""
    intern = mc.runtime("wasmaot_rt_intern_signature", "i32", "ptr")
    for k, sig in enumerate(mc.layout.types):
        t = b.tmp()
        b.emit(f"{t} = call i32 {intern}(ptr {mc.string(canonical_sig(sig))})")
        b.store("i32", t, b.inst_field(mc.layout.type_id[k]), TBAA_INST, align=4)
        z = b.tmp("z")
        b.emit(f"{z} = icmp eq i32 {t}, 0")
        _check(b, z, "fail", f"sig{k}.ok")


def _funcrefs(mc, b: Builder) -> None:
    """3. funcrefs of the defined functions whose reference can escape
    (exports, ``ref.func``, element items, global initialisers):
    (C-ABI entry, type id, instance).  No code reads the others: they stay
    zero (only ``canon_funcref`` compares them, and never with NULL)."""
    lay, P = mc.layout, mc.ptr_bytes
    ir = mc.ir
    for item in [g.init for g in ir.globals if g.init is not None] + \
            [it for e in ir.elems for it in e.items]:
        if item.op == Opcode.func_ref and ir.funcs[item.value].import_ is None:
            mc.c_entry(item.value)
    fns = sorted(mc.c_names)
    if not fns:
        return
    if len(fns) < SEGMENT_LOOP_MIN:
        # Few entries: code per entry is smaller than the loop, its record
        # table and the entry array (a firmware hello world's flash).
        fr = abi.funcref(P)
        for fn in fns:
            slot = b.inst_field(lay.funcref[fn])
            b.store("ptr", "@" + mc.c_entry(fn), slot, TBAA_INST, align=P)
            tid = b.load("i32", b.inst_field(lay.type_id[lay.func_type[fn]]), TBAA_INST, align=4)
            b.store("i32", tid, b.gep(slot, fr.type_id), TBAA_INST, align=4)
            b.store("ptr", "%inst", b.gep(slot, fr.instance), TBAA_INST, align=P)
        return
    # A loop over a table, not code per function (issue 11: 10,000 exports
    # were 6 MB of instantiate text): (funcref offset, type-id offset)
    # records in P.data and the entries, in the same order, in a constant
    # array of pointers (relocated data, cheap for LLVM).
    recs = bytearray()
    for fn in fns:
        recs += lay.funcref[fn].to_bytes(4, "little") + lay.type_id[lay.func_type[fn]].to_bytes(4, "little")
    table = mc.blob(bytes(recs), align=4)
    entries = f"@{mc.prefix}.c_entries"
    mc.globals_text.append(f"{entries} = internal constant [{len(fns)} x ptr] ["
                           + ", ".join(f"ptr @{mc.c_entry(fn)}" for fn in fns) + f"], align {P}")
    fr = abi.funcref(P)
    L = "fr"
    i, off, toff = _record_loop_head(b, L, table, ("fr", "fo", "ft"))
    ep = b.tmp("fe")
    b.emit(f"{ep} = getelementptr inbounds [{len(fns)} x ptr], ptr {entries}, i64 0, i64 {i}")
    entry = b.tmp("fe")
    b.emit(f"{entry} = load ptr, ptr {ep}, align {P}")
    off64, toff64 = b.tmp("fo"), b.tmp("ft")
    b.emit(f"{off64} = zext i32 {off} to i64")
    b.emit(f"{toff64} = zext i32 {toff} to i64")
    slot = b.gep("%inst", off64)
    b.store("ptr", entry, slot, TBAA_INST, align=P)
    tid = b.load("i32", b.gep("%inst", toff64), TBAA_INST, align=4)
    b.store("i32", tid, b.gep(slot, fr.type_id), TBAA_INST, align=4)
    b.store("ptr", "%inst", b.gep(slot, fr.instance), TBAA_INST, align=P)
    _loop_tail(b, L, i, len(fns))


def _memories_and_tables(mc, b: Builder) -> None:
    """4. create defined memories and tables in their inline structs."""
    ir, lay, P = mc.ir, mc.layout, mc.ptr_bytes
    mem_new = mc.runtime("wasmaot_memory_new", "i32", "ptr, i32, i32, i32")
    for i, off in lay.mem_struct.items():
        d = ir.memories[i]
        s = b.inst_field(off)
        flags = abi.MEMORY_HAS_MAX if d.max is not None else 0
        if d.page_size_log2 == 0:
            flags |= abi.MEMORY_PAGE_SIZE_1
        r = b.tmp("r")
        lo, hi = _pages32(d.min, d.max, d.page_size_log2)
        b.emit(f"{r} = call i32 {mem_new}(ptr {s}, i32 {lo}, i32 {hi or 0}, i32 {flags})")
        b.store("ptr", s, b.inst_field(lay.mem_slot[i]), TBAA_INST, align=P)
        z = b.tmp("z")
        b.emit(f"{z} = icmp ne i32 {r}, 0")
        _check(b, z, "fail", f"mem{i}.ok")
        if i in mc.segment_mems:     # memory.py, "Segment-addressed memory"
            seg = mc.runtime("wasmaot_memory_segment", "i32", "ptr")
            r = b.tmp("r")
            b.emit(f"{r} = call i32 {seg}(ptr {s})")
            z = b.tmp("z")
            b.emit(f"{z} = icmp ne i32 {r}, 0")
            _check(b, z, "fail", f"mem{i}.seg")
    tab_new = mc.runtime("wasmaot_table_new", "i32", "ptr, i32, i32, i32, i32")
    for i, off in lay.table_struct.items():
        d = ir.tables[i]
        s = b.inst_field(off)
        kind = _ref_kind(d.elem)
        flags = abi.TABLE_HAS_MAX if d.max is not None else 0
        lo, mx = _entries32(d.min, d.max)
        r = b.tmp("r")
        b.emit(f"{r} = call i32 {tab_new}(ptr {s}, i32 {kind}, i32 {_u32(lo)}, i32 {_u32(mx)}, "
               f"i32 {flags})")
        b.store("ptr", s, b.inst_field(lay.table_slot[i]), TBAA_INST, align=P)
        z = b.tmp("z")
        b.emit(f"{z} = icmp ne i32 {r}, 0")
        _check(b, z, "fail", f"tab{i}.ok")


def _globals(mc, b: Builder) -> None:
    """5. global slots -> inline storage, then initial values (imported
    globals are readable by now; ``__wasmaot_init`` recomputes the ones
    with extended-const initialisers)."""
    lay, P = mc.layout, mc.ptr_bytes
    for i, off in lay.global_storage.items():
        b.store("ptr", b.inst_field(off), b.inst_field(lay.global_slot[i]), TBAA_INST, align=P)
    for i, off in lay.global_storage.items():
        _every(b, i, "glob")
        g = mc.ir.globals[i]
        if g.init is None:
            continue
        v, _ = _global_init_value(mc, b, g.init, g.type)
        b.store(LTYPE[g.type], v, b.inst_field(off), TBAA_GLOBAL, align=16 if g.type == V128 else 8)


def _tags(mc, b: Builder) -> None:
    """5b. defined tags' slots -> their storage (their identity)."""
    lay = mc.layout
    for i, off in lay.tag_storage.items():
        b.store("ptr", b.inst_field(off), b.inst_field(lay.tag_slot[i]), TBAA_INST,
                align=mc.ptr_bytes)


def _data_segments(mc, b: Builder) -> None:
    """6a. data segment descriptors -> their bytes in ``P.data``: a table
    of (offset in ``P.data``, size) records and one loop over the
    descriptors (contiguous in the instance), as for element items."""
    P = mc.ptr_bytes
    datas = mc.ir.datas
    if not datas:
        return
    if len(datas) < SEGMENT_LOOP_MIN:
        # Few segments: a store pair each is smaller than the loop and its
        # record table (a firmware hello world's flash, tests/firmware).
        for k, seg in enumerate(datas):
            s = b.inst_field(mc.layout.data_seg[k])
            b.store("ptr", mc.blob(seg.data), s, TBAA_INST, align=P)
            b.store("i32", str(len(seg.data)), b.gep(s, abi.segment(P).size), TBAA_INST, align=4)
        return
    sd = abi.segment(P)
    first = mc.layout.data_seg[0]
    # InstanceLayout allocates the descriptors one after the other, and
    # their size is a multiple of their alignment.
    assert all(mc.layout.data_seg[k] == first + k * sd.sizeof for k in range(len(datas)))
    recs = bytearray()
    for seg in datas:
        off = mc.blob_size                    # blob(align=1) appends right there
        mc.blob(seg.data)
        recs += off.to_bytes(4, "little") + len(seg.data).to_bytes(4, "little")
    table = mc.blob(bytes(recs), align=4)
    L = "datas"
    i, off, size = _record_loop_head(b, L, table, ("dr", "do", "ds"))
    off64 = b.tmp("do")
    b.emit(f"{off64} = zext i32 {off} to i64")
    src = b.tmp("dp")
    b.emit(f"{src} = getelementptr inbounds i8, ptr @{mc.blob_symbol()}, i64 {off64}")
    s = b.tmp("dseg")
    b.emit(f"{s} = getelementptr inbounds [{sd.sizeof} x i8], ptr {b.inst_field(first)}, i64 {i}")
    b.store("ptr", src, s, TBAA_INST, align=P)
    b.store("i32", size, b.gep(s, sd.size), TBAA_INST, align=4)
    _loop_tail(b, L, i, len(datas))


def _elem_segments(mc, b: Builder) -> None:
    """6b. element arrays built from the items; declarative segments start
    dropped."""
    lay, P = mc.layout, mc.ptr_bytes
    for k, seg in enumerate(mc.ir.elems):
        arr = b.inst_field(lay.elem_array[k])
        if seg.elem == FUNCREF and all(it.op in (Opcode.func_ref, Opcode.null) for it in seg.items):
            _funcref_items_loop(mc, b, k, seg.items, arr)
        else:
            _items_one_by_one(mc, b, k, seg, arr)
        b.label(f"elem{k}.done")
        s = b.inst_field(lay.elem_seg[k])
        b.store("ptr", arr, s, TBAA_INST, align=P)
        b.store("i32", str(len(seg.items)), b.gep(s, abi.segment(P).size), TBAA_INST, align=4)
        if seg.mode == SEG_DECLARATIVE:
            b.store("i32", "1", b.gep(s, abi.segment(P).dropped), TBAA_INST, align=4)


def _items_one_by_one(mc, b: Builder, k: int, seg, arr: str) -> None:
    """Element items as code, one after the other (items that read globals,
    externrefs): straight-line, in blocks of BLOCK_ITEMS items."""
    P = mc.ptr_bytes
    esize = abi.ref_size(_ref_kind(seg.elem), P)
    for j, item in enumerate(seg.items):
        _every(b, j, f"elem{k}.")
        dst = b.gep(arr, j * esize)
        src, nullable = _global_init_value(mc, b, item, seg.elem)
        if seg.elem == FUNCREF:
            _copy_funcref(mc, b, src, nullable, dst)
        else:
            b.store("ptr", src, dst, TBAA_INST, align=P)


_NULL_ITEM = 0xFFFFFFFF


def _funcref_items_loop(mc, b: Builder, k: int, items, arr: str) -> None:
    """Items that are all ``ref.func`` / ``ref.null``: a table of the
    instance offsets of their funcrefs (``_NULL_ITEM`` for null) in
    ``P.data``, and a loop that copies them.  Code and LLVM text stay the
    same size for any number of items (a 100,000-entry segment was 100,000
    memcpy calls in one block)."""
    if not items:
        return
    P = mc.ptr_bytes
    lay = mc.layout
    fr = abi.funcref(P).sizeof
    offs = bytearray()
    for it in items:
        if it.op == Opcode.func_ref:
            if mc.ir.funcs[it.value].import_ is None:
                mc.c_entry(it.value)           # its funcref must be filled
            offs += lay.funcref[it.value].to_bytes(4, "little")
        else:
            offs += _NULL_ITEM.to_bytes(4, "little")
    table = mc.blob(bytes(offs), align=4)
    L = f"elem{k}"
    b.label(f"{L}.pre")
    b.label(f"{L}.loop")
    i = f"%{L}.i"
    b.emit(f"{i} = phi i64 [ 0, %{L}.pre ], [ %{L}.next, %{L}.step ]")
    src_p = b.tmp("tp")
    b.emit(f"{src_p} = getelementptr inbounds i32, ptr {table}, i64 {i}")
    off = b.tmp("o")
    b.emit(f"{off} = load i32, ptr {src_p}, align 4")
    dst = b.tmp("d")
    b.emit(f"{dst} = getelementptr inbounds [{fr} x i8], ptr {arr}, i64 {i}")
    isnull = b.tmp("n")
    b.emit(f"{isnull} = icmp eq i32 {off}, {_u32(_NULL_ITEM)}")
    b.emit(f"br i1 {isnull}, label %{L}.null, label %{L}.copy")
    b.cur.append(f"{L}.null:")
    b.emit(f"call void @llvm.memset.p0.i64(ptr align {P} {dst}, i8 0, i64 {fr}, i1 false)")
    b.emit(f"br label %{L}.step")
    b.cur.append(f"{L}.copy:")
    off64 = b.tmp("o")
    b.emit(f"{off64} = zext i32 {off} to i64")
    b.emit(f"call void @llvm.memcpy.p0.p0.i64(ptr align {P} {dst}, ptr align {P} {b.gep('%inst', off64)}, "
           f"i64 {fr}, i1 false)")
    b.label(f"{L}.step")
    _loop_tail(b, L, i, len(items))


def _record_loop_head(b: Builder, L: str, table: str, names: tuple[str, str, str]) -> tuple[str, str, str]:
    """Open loop ``L`` (blocks ``L.pre``, ``L.loop``; counter ``%L.i`` from
    0) over ``table``, an array of two-i32 records: (counter, first field,
    second field).  ``names``: the temporaries' prefixes.  Closed by
    :func:`_loop_tail`."""
    b.label(f"{L}.pre")
    b.label(f"{L}.loop")
    i = f"%{L}.i"
    b.emit(f"{i} = phi i64 [ 0, %{L}.pre ], [ %{L}.next, %{L}.loop ]")
    r = b.tmp(names[0])
    b.emit(f"{r} = getelementptr inbounds [2 x i32], ptr {table}, i64 {i}")
    first, second = b.tmp(names[1]), b.tmp(names[2])
    b.emit(f"{first} = load i32, ptr {r}, align 4")
    b.emit(f"{second} = load i32, ptr {b.gep(r, 4)}, align 4")
    return i, first, second


def _loop_tail(b: Builder, L: str, i: str, count: int) -> None:
    """Close loop ``L`` of counter ``i`` after ``count`` turns (the last
    block branches back to ``L.loop``), continuing in ``L.end``."""
    b.emit(f"%{L}.next = add i64 {i}, 1")
    end = b.tmp("e")
    b.emit(f"{end} = icmp eq i64 %{L}.next, {count}")
    b.emit(f"br i1 {end}, label %{L}.end, label %{L}.loop")
    b.cur.append(f"{L}.end:")


#: Items per basic block of ``instantiate``'s straight-line parts: LLVM's
#: code generation is superlinear in the size of a block even at -O0
#: (optnone), so a module with 100,000 escaping functions or segments gets
#: blocks of this many items instead of one.
BLOCK_ITEMS = 64
#: Fewest data segments, C-ABI entries (funcrefs) or constant init pairs
#: (memory.emit_init_block) that are emitted as one loop over a record
#: table rather than as code per item: below it the table and the loop
#: take more bytes than they save (a hello world's one segment and two
#: entries: 160 bytes more flash on rv32imac).
SEGMENT_LOOP_MIN = 8


def _every(b: Builder, k: int, tag: str) -> None:
    """Start a new block before item ``k`` every BLOCK_ITEMS items."""
    if k and k % BLOCK_ITEMS == 0:
        b.label(f"{tag}{k}")


def _ref_kind(elem: int) -> int:
    return abi.REF_FUNCREF if elem == FUNCREF else abi.REF_EXTERNREF


def _u32(v: int) -> int:
    return v - (1 << 32) if v >= 1 << 31 else v


# ---------------------------------------------------------------- trampolines


def trampoline_text(mc, fn: int, name: str) -> str:
    """``void tramp(ptr inst, ptr slots)``: arguments from 8-byte slots,
    results back into them (ints zero-extended, floats as bit patterns,
    refs as pointers, v128 in two slots, low half first)."""
    sig = mc.ir.funcs[fn].sig
    b = Builder()
    args = []
    k = 0
    for t in sig.params:
        p = b.gep("%slots", 8 * k)
        v = b.tmp("a")
        if t in (I32, F32):
            w = b.tmp("w")
            b.emit(f"{w} = load i64, ptr {p}, align 8")
            if t == I32:
                b.emit(f"{v} = trunc i64 {w} to i32")
            else:
                x = b.tmp("x")
                b.emit(f"{x} = trunc i64 {w} to i32")
                b.emit(f"{v} = bitcast i32 {x} to float")
        elif t in (I64, F64, V128):
            b.emit(f"{v} = load {LTYPE[t]}, ptr {p}, align 8")
        else:
            b.emit(f"{v} = load ptr, ptr {p}, align 8")
        args.append(f"{LTYPE[t]} {v}")
        k += 2 if t == V128 else 1
    rty = ret_type(sig.results)
    call = call_line(func_callee(mc, b, fn), rty, args)
    if not sig.results:
        b.emit(call)
        check_uncaught(mc, b)
        vals = []
    else:
        r = b.tmp("r")
        b.emit(f"{r} = {call}")
        check_uncaught(mc, b)
        if len(sig.results) == 1:
            vals = [r]
        else:
            vals = []
            for j in range(len(sig.results)):
                x = b.tmp("x")
                b.emit(f"{x} = extractvalue {rty} {r}, {j}")
                vals.append(x)
    k = 0
    for t, v in zip(sig.results, vals):
        p = b.gep("%slots", 8 * k)
        if t in (I32, F32):
            x = v
            if t == F32:
                x = b.tmp("x")
                b.emit(f"{x} = bitcast float {v} to i32")
            w = b.tmp("w")
            b.emit(f"{w} = zext i32 {x} to i64")
            b.emit(f"store i64 {w}, ptr {p}, align 8")
        else:
            b.emit(f"store {LTYPE[t]} {v}, ptr {p}, align 8")
        k += 2 if t == V128 else 1
    if mc.clean_upper:                      # back to C (upper.py)
        b.emit(upper.clean_call(mc))
    b.emit("ret void")
    return (f"define internal void @{name}(ptr %inst, ptr %slots) #0 {{\nentry:\n"
            + "\n".join(b.cur) + "\n}\n")


# ---------------------------------------------------------------- descriptor

_IMP_TY = "{ ptr, ptr, i32, i32, ptr, i32, i32, i32, i32, i32 }"
_EXP_TY = "{ ptr, i32, i32, ptr, ptr, i32 }"


def extern_type(mc, kind: int, idx: int) -> tuple[int, str, tuple[int, int, int]]:
    """(instance offset, type string operand, (min, max, has_max)) of
    entity ``idx`` of ``kind``, as the descriptor publishes it."""
    ir, lay = mc.ir, mc.layout
    no_limits = (0, 0xFFFFFFFF, 0)
    if kind == EXTERN_FUNC:
        return lay.funcref[idx], mc.string(canonical_sig(ir.funcs[idx].sig)), no_limits
    if kind == EXTERN_TABLE:
        t = ir.tables[idx]
        elem = type_name(t.elem) if t.wasm_elem is None else desc_type(t.wasm_elem)
        if t.index_type == I64:          # table64: the linker compares the strings
            elem += " i64"
        lo, hi = _entries32(t.min, t.max)
        return lay.table_slot[idx], mc.string(elem), _limits(lo, None if t.max is None else hi)
    if kind == EXTERN_MEMORY:
        m = ir.memories[idx]
        text = memory_type_string(m)
        ty = mc.string(text) if text else "null"
        return lay.mem_slot[idx], ty, _limits(*_pages32(m.min, m.max, m.page_size_log2))
    if kind == EXTERN_TAG:
        sig = ir.sigs[ir.tags[idx].sig]
        return lay.tag_slot[idx], mc.string("tag " + canonical_sig(sig)), no_limits
    assert kind == EXTERN_GLOBAL, kind
    g = ir.globals[idx]
    ty = type_name(g.type) if g.wasm_type is None else desc_type(g.wasm_type)
    return lay.global_slot[idx], mc.string(("mut " if g.mutable else "") + ty), no_limits


def descriptor_text(mc, tramps: dict[int, str], host_imports=None, size: int | None = None,
                    instantiate: str | None = None) -> str:
    """The descriptor ``P_module`` of ``mc``'s instance: its imports, its
    exports (with ``tramps``), its size and ``P.instantiate``.  A program
    of several instances (.program) publishes instead ``host_imports``:
    (context, byte offset of that instance in the program's block, kind,
    index, Import) for every import left to the host, the whole block's
    ``size`` and its own ``instantiate`` symbol; ``mc`` is then the main
    instance, at offset 0, whose exports are the program's."""
    if host_imports is None:
        host_imports = [(mc, 0, kind, idx, imp) for kind, idx, imp in mc.ir.imports()]
    imports = []
    for imc, base, kind, idx, imp in host_imports:
        off, ty, (mn, mx, has) = extern_type(imc, kind, idx)
        imports.append(f"{_IMP_TY} {{ ptr {mc.string(imp.module)}, ptr {mc.string(imp.field)}, "
                       f"i32 {kind}, i32 {base + off}, ptr {ty}, i32 {mn}, "
                       f"i32 {_u32(mx)}, i32 {has}, i32 {len(imp.module.encode())}, "
                       f"i32 {len(imp.field.encode())} }}")
    ir, lay = mc.ir, mc.layout
    exports = []
    for ex in ir.exports:
        off, ty, _ = extern_type(mc, ex.kind, ex.index)
        tramp = "@" + tramps[ex.index] if ex.kind == EXTERN_FUNC else "null"
        exports.append(f"{_EXP_TY} {{ ptr {mc.string(ex.name)}, i32 {ex.kind}, "
                       f"i32 {off}, ptr {ty}, ptr {tramp}, i32 {len(ex.name.encode())} }}")
    out = []
    pre = mc.prefix
    if imports:
        out.append(f"@{pre}.imports = internal constant [{len(imports)} x {_IMP_TY}] [\n  "
                   + ",\n  ".join(imports) + "\n], align 8")
    if exports:
        out.append(f"@{pre}.exports = internal constant [{len(exports)} x {_EXP_TY}] [\n  "
                   + ",\n  ".join(exports) + "\n], align 8")
    block = "null"
    if mc.opts.static_instance:
        # The block, then the byte the host sets when it hands it out.
        block = mc.static_block()
        out.append(f"{block} = internal global [{(size or lay.size) + 16} x i8] zeroinitializer, align 16")
    out.append(
        f"@{pre}_module = constant {{ i32, i32, i32, i32, ptr, ptr, ptr, ptr }} {{ "
        f"i32 {abi.ABI_VERSION}, i32 {size or lay.size}, i32 {len(imports)}, i32 {len(exports)}, "
        f"ptr {f'@{pre}.imports' if imports else 'null'}, "
        f"ptr {f'@{pre}.exports' if exports else 'null'}, "
        f"ptr {instantiate or f'@{pre}.instantiate'}, ptr {block} }}, align 8")
    return "\n".join(out) + "\n"


def memory_type_string(m) -> str | None:
    """A memory's type as its descriptor entry spells it, for the linker to
    compare (backends/ABI.md): None for a 32-bit memory of 65536-byte
    pages, else "i64" (memory64) and/or "pagesize 1" (custom-page-sizes)."""
    parts = (["i64"] if m.index_type == I64 else []) + (
        [f"pagesize {1 << m.page_size_log2}"] if m.page_size_log2 != 16 else [])
    return " ".join(parts) or None


def _pages32(lo: int, hi: int | None, log2: int = 16) -> tuple[int, int | None]:
    """A memory's limits for the runtime, whose page counts are u32 and at
    most 4 GiB of pages (WASMAOT_MAX_PAGES of 65536 bytes; 2^32-1 of one
    byte; memory64's may be up to 2^48): a larger maximum is that cap
    (growing past it fails anyway), a larger minimum is 0xFFFFFFFF
    (creating the memory fails; as an import, no export fits)."""
    cap = min((1 << 32) >> log2, 0xFFFFFFFF)
    return min(lo, 0xFFFFFFFF), (None if hi is None else min(hi, cap))


def _entries32(lo: int, hi: int | None) -> tuple[int, int]:
    """A table's limits for the runtime, whose sizes are u32 (table64's
    may be up to 2^64-1): a larger maximum is 0xFFFFFFFF (no table grows
    that far anyway), a larger minimum 0xFFFFFFFF (creating it fails)."""
    return min(lo, 0xFFFFFFFF), (0xFFFFFFFF if hi is None else min(hi, 0xFFFFFFFF))


def _limits(lo: int, hi: int | None) -> tuple[int, int, int]:
    if hi is None:
        return lo, 0xFFFFFFFF, 0
    return lo, hi, 1
