"""Wasm globals: ``global_get`` / ``global_set``.

A defined global's storage is inline in the instance (8 bytes, 16 for v128,
a pointer for references) and is accessed directly at its constant offset;
an imported global goes through its pointer slot (filled by the host before
instantiation and never changed after: ``!invariant.load``).  Global accesses
carry their own TBAA tag, so linear-memory stores do not invalidate a global
kept in a register, and vice versa.
"""
from __future__ import annotations

from ...ir.module import EXTERN_GLOBAL
from ...ir.opcodes import ImmKind, Opcode
from ...ir.types import V128
from .common import LTYPE, TBAA_GLOBAL, TBAA_INST


def global_ptr(fe, g: int) -> str:
    lay = fe.mc.layout
    if g in lay.global_storage:
        return fe.inst_field(lay.global_storage[g])
    bound = fe.mc.import_object(fe, EXTERN_GLOBAL, g)
    if bound is not None:
        return bound
    return fe.load("ptr", fe.inst_field(lay.global_slot[g]), TBAA_INST, invariant=True, hint="gp")


def _align(fe, ty: int) -> int:
    return 16 if ty == V128 else 8 if LTYPE[ty] != "ptr" else fe.mc.ptr_bytes


def h_global_get(fe, inst):
    g = fe.dfg.inst_imm(inst, ImmKind.GLOBAL)
    ty = fe.func.module.globals[g].type
    p = global_ptr(fe, g)
    fe.emit(f"{fe.res(inst)} = load {LTYPE[ty]}, ptr {p}, align {_align(fe, ty)}, !tbaa {TBAA_GLOBAL}")


def h_global_set(fe, inst):
    g = fe.dfg.inst_imm(inst, ImmKind.GLOBAL)
    ty = fe.func.module.globals[g].type
    (v,) = fe.dfg.inst_args(inst)
    p = global_ptr(fe, g)
    fe.emit(f"store {LTYPE[ty]} {fe.val(v)}, ptr {p}, align {_align(fe, ty)}, !tbaa {TBAA_GLOBAL}")


HANDLERS = {Opcode.global_get: h_global_get, Opcode.global_set: h_global_set}
