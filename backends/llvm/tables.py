"""Tables and element segments: get/set/size/grow/fill/copy/init, elem.drop,
and the funcref <-> table element conversions.

Element values cross into the runtime BY POINTER (header section 5): a
funcref value already *is* a pointer to a ``wasmaot_funcref`` (or NULL, which
we replace by a pointer to a zero funcref constant); an externref is stored
to an entry-block scratch slot and its address passed.

table.get on a funcref table: the table holds *copies*, but a funcref value
must point at a funcref with stable contents.  We look the copy up among this
instance's own funcrefs (defined functions and import slots: every funcref
this module can have produced or imported) with a small internal helper and
return the canonical one; a funcref the module never saw (placed in a shared
table by another module or the host) falls back to a pointer to the table
slot itself, which is only stable until that slot is overwritten or the table
grows.  KNOWN GAP (ABI): a stable representation for foreign funcrefs needs a
runtime-owned canonical store; see the report.
"""
from __future__ import annotations

from ...ir.module import EXTERN_TABLE
from ...ir.opcodes import ImmKind, Opcode
from ...ir.types import FUNCREF
from .. import abi
from .common import TBAA_INST


def table_ptr(fe, t: int) -> str:
    lay = fe.mc.layout
    if t in lay.table_struct:
        return fe.inst_field(lay.table_struct[t])
    bound = fe.mc.import_object(fe, EXTERN_TABLE, t)
    if bound is not None:
        return bound
    return fe.load("ptr", fe.inst_field(lay.table_slot[t]), TBAA_INST, invariant=True, hint="tab")


def _elem_type(fe, t: int) -> int:
    return fe.func.module.tables[t].elem


def elem_arg(fe, ty: int, v: str) -> str:
    """Pointer to an element value of ``ty`` for the runtime table calls."""
    if ty == FUNCREF:
        fe.mc.need_null_funcref = True
        c = fe.tmp("c")
        p = fe.tmp("fr")
        fe.emit(f"{c} = icmp eq ptr {v}, null")
        fe.emit(f"{p} = select i1 {c}, ptr @{fe.mc.prefix}.null_funcref, ptr {v}")
        return p
    slot = fe.alloca("extref", "ptr", fe.mc.ptr_bytes)
    fe.emit(f"store ptr {v}, ptr {slot}, align {fe.mc.ptr_bytes}")
    return slot


def h_table_get(fe, inst):
    t = fe.dfg.inst_imm(inst, ImmKind.TABLE)
    (i,) = fe.dfg.inst_args(inst)
    tp = table_ptr(fe, t)
    mc = fe.mc
    pb = mc.ptr_bytes
    get = mc.runtime("wasmaot_table_get", "void", "ptr, i32, ptr")
    if _elem_type(fe, t) == FUNCREF:
        fr_size = abi.funcref(pb).sizeof
        scratch = fe.alloca("funcref", f"[{fr_size} x i8]", pb)
        fe.emit(f"call void {get}(ptr {tp}, i32 {fe.val(i)}, ptr {scratch})")
        # The call checked the index; find the slot itself for the fallback.
        elems = fe.load("ptr", fe.gep(tp, abi.table(pb).elements), TBAA_INST, hint="elems")
        ix = fe.tmp("ix")
        fe.emit(f"{ix} = zext i32 {fe.val(i)} to i64")
        byte = fe.tmp("ixb")
        fe.emit(f"{byte} = mul nuw nsw i64 {ix}, {fr_size}")
        slotp = fe.gep(elems, byte)
        mc.need_canon_funcref = True
        fe.emit(f"{fe.res(inst)} = call ptr @{mc.prefix}.canon_funcref(ptr %inst, ptr {slotp})")
    else:
        scratch = fe.alloca("extref", "ptr", pb)
        fe.emit(f"call void {get}(ptr {tp}, i32 {fe.val(i)}, ptr {scratch})")
        fe.emit(f"{fe.res(inst)} = load ptr, ptr {scratch}, align {pb}")


def h_table_set(fe, inst):
    t = fe.dfg.inst_imm(inst, ImmKind.TABLE)
    i, v = fe.dfg.inst_args(inst)
    tp = table_ptr(fe, t)
    p = elem_arg(fe, _elem_type(fe, t), fe.val(v))
    f = fe.mc.runtime("wasmaot_table_set", "void", "ptr, i32, ptr")
    fe.emit(f"call void {f}(ptr {tp}, i32 {fe.val(i)}, ptr {p})")


def h_table_size(fe, inst):
    tp = table_ptr(fe, fe.dfg.inst_imm(inst, ImmKind.TABLE))
    size = fe.gep(tp, abi.table(fe.mc.ptr_bytes).size)
    fe.emit(f"{fe.res(inst)} = load i32, ptr {size}, align 4, !tbaa {TBAA_INST}")


def h_table_grow(fe, inst):
    t = fe.dfg.inst_imm(inst, ImmKind.TABLE)
    v, n = fe.dfg.inst_args(inst)
    tp = table_ptr(fe, t)
    p = elem_arg(fe, _elem_type(fe, t), fe.val(v))
    f = fe.mc.runtime("wasmaot_table_grow", "i32", "ptr, ptr, i32")
    fe.emit(f"{fe.res(inst)} = call i32 {f}(ptr {tp}, ptr {p}, i32 {fe.val(n)})")


def h_table_fill(fe, inst):
    t = fe.dfg.inst_imm(inst, ImmKind.TABLE)
    i, v, n = fe.dfg.inst_args(inst)
    tp = table_ptr(fe, t)
    p = elem_arg(fe, _elem_type(fe, t), fe.val(v))
    f = fe.mc.runtime("wasmaot_table_fill", "void", "ptr, i32, ptr, i32")
    fe.emit(f"call void {f}(ptr {tp}, i32 {fe.val(i)}, ptr {p}, i32 {fe.val(n)})")


def h_table_copy(fe, inst):
    o = fe.dfg.off[inst]
    dst_t, src_t = fe.dfg.pool[o], fe.dfg.pool[o + 1]   # imms: dst, src
    dst = table_ptr(fe, dst_t)
    src = table_ptr(fe, src_t) if src_t != dst_t else dst
    d, s, n = (fe.val(a) for a in fe.dfg.inst_args(inst))
    f = fe.mc.runtime("wasmaot_table_copy", "void", "ptr, ptr, i32, i32, i32")
    fe.emit(f"call void {f}(ptr {dst}, ptr {src}, i32 {d}, i32 {s}, i32 {n})")


def h_table_init(fe, inst):
    from .memory import segment_data_len
    t = fe.dfg.inst_imm(inst, ImmKind.TABLE)
    seg = fe.mc.layout.elem_seg[fe.dfg.inst_imm(inst, ImmKind.ELEM)]
    tp = table_ptr(fe, t)
    data, n = segment_data_len(fe, seg)
    d, s, cnt = (fe.val(a) for a in fe.dfg.inst_args(inst))
    f = fe.mc.runtime("wasmaot_table_init", "void", "ptr, i32, ptr, i32, i32, i32")
    fe.emit(f"call void {f}(ptr {tp}, i32 {d}, ptr {data}, i32 {n}, i32 {s}, i32 {cnt})")


def h_elem_drop(fe, inst):
    from .memory import drop_segment
    drop_segment(fe, fe.mc.layout.elem_seg[fe.dfg.inst_imm(inst, ImmKind.ELEM)])


def h_func_ref(fe, inst):
    fn = fe.dfg.inst_imm(inst, ImmKind.FUNC)
    if fe.func.module.funcs[fn].import_ is None:
        fe.mc.c_entry(fn)           # the funcref escapes: instantiate fills it
    off = fe.mc.layout.funcref[fn]
    fe.emit(f"{fe.res(inst)} = getelementptr inbounds i8, ptr %inst, i64 {off}")


def canon_funcref_text(mc) -> str:
    """``ptr @P.canon_funcref(ptr inst, ptr copy)``: NULL for a null copy,
    else this instance's funcref with the same func/instance, else ``copy``."""
    lay = mc.layout
    pb = mc.ptr_bytes
    n = len(lay.funcref)
    first = lay.funcref[0] if n else 0
    fr = abi.funcref(pb)
    size = fr.sizeof
    assert fr.func == 0   # the text loads func straight from %copy / %cand
    return f"""\
define internal ptr @{mc.prefix}.canon_funcref(ptr %inst, ptr %copy) #0 {{
entry:
  %f = load ptr, ptr %copy, align {pb}
  %isnull = icmp eq ptr %f, null
  br i1 %isnull, label %null, label %search
null:
  ret ptr null
search:
  %ip = getelementptr inbounds i8, ptr %copy, i64 {fr.instance}
  %ci = load ptr, ptr %ip, align {pb}
  br label %loop
loop:
  %k = phi i64 [ 0, %search ], [ %k1, %next ]
  %done = icmp uge i64 %k, {n}
  br i1 %done, label %notfound, label %body
body:
  %ko = mul nuw nsw i64 %k, {size}
  %ko2 = add nuw nsw i64 %ko, {first}
  %cand = getelementptr inbounds i8, ptr %inst, i64 %ko2
  %cf = load ptr, ptr %cand, align {pb}
  %cip = getelementptr inbounds i8, ptr %cand, i64 {fr.instance}
  %cci = load ptr, ptr %cip, align {pb}
  %e1 = icmp eq ptr %cf, %f
  %e2 = icmp eq ptr %cci, %ci
  %e = and i1 %e1, %e2
  br i1 %e, label %found, label %next
next:
  %k1 = add nuw nsw i64 %k, 1
  br label %loop
found:
  ret ptr %cand
notfound:
  ret ptr %copy
}}
"""


HANDLERS = {
    Opcode.table_get: h_table_get, Opcode.table_set: h_table_set,
    Opcode.table_size: h_table_size, Opcode.table_grow: h_table_grow,
    Opcode.table_fill: h_table_fill, Opcode.table_copy: h_table_copy,
    Opcode.table_init: h_table_init, Opcode.elem_drop: h_elem_drop,
    Opcode.func_ref: h_func_ref,
}
