"""Linear memory: loads, stores, memory.size/grow, bulk memory.

What: ``_LOADS``/``_STORES`` map each Wasm access to its IR opcode and
controlling type (``i64.load16_s -> sload16.i64``).  The memarg offset
becomes the IR ``offset`` immediate; the alignment is kept as a hint in the
memflags (encoded only when it differs from the natural alignment, as
``MemFlags.make`` normalises).  Accesses trap on out-of-bounds in the IR op
itself (``notrap`` is never set here: proving bounds is a pass's job).
The memory index (multi-memory: memarg flag bit 6, the index of
``memory.size``/``grow``/``fill``/``init``, both of ``memory.copy``) becomes
the IR ``mem`` immediate of every op.
"""
from __future__ import annotations

from ..opcodes import BY_NAME, MemFlags, Opcode
from ..types import F32, F64, I32, I64, NOTYPE

_LOADS = {
    "i32.load": ("load", I32), "i64.load": ("load", I64),
    "f32.load": ("load", F32), "f64.load": ("load", F64),
    "i32.load8_s": ("sload8", I32), "i32.load8_u": ("uload8", I32),
    "i32.load16_s": ("sload16", I32), "i32.load16_u": ("uload16", I32),
    "i64.load8_s": ("sload8", I64), "i64.load8_u": ("uload8", I64),
    "i64.load16_s": ("sload16", I64), "i64.load16_u": ("uload16", I64),
    "i64.load32_s": ("sload32", I64), "i64.load32_u": ("uload32", I64),
}
_STORES = {
    "i32.store": ("store", I32), "i64.store": ("store", I64),
    "f32.store": ("store", F32), "f64.store": ("store", F64),
    "i32.store8": ("istore8", I32), "i32.store16": ("istore16", I32),
    "i64.store8": ("istore8", I64), "i64.store16": ("istore16", I64),
    "i64.store32": ("istore32", I64),
}




def _make_load(irname: str, ty: int):
    info = BY_NAME[irname]
    op, nat, rtypes = info.opcode, info.natural_align_log2(ty), (ty,)
    flags = [MemFlags.make(False, a, nat) for a in range(nat + 1)]

    def load(t, memarg):
        align, offset, mem = memarg
        s = t.stack
        s[-1] = t.value(op, ty, (flags[align], mem, offset), (s[-1],), rtypes)
    return load


def _make_store(irname: str, ty: int):
    info = BY_NAME[irname]
    op, nat = info.opcode, info.natural_align_log2(ty)
    flags = [MemFlags.make(False, a, nat) for a in range(nat + 1)]

    def store(t, memarg):
        align, offset, mem = memarg
        s = t.stack
        v = s.pop()
        t.emit(op, ty, (flags[align], mem, offset), (s.pop(), v))
    return store


_SIZE = int(Opcode.memory_size)
_GROW = int(Opcode.memory_grow)
_FILL = int(Opcode.memory_fill)
_COPY = int(Opcode.memory_copy)
_INIT = int(Opcode.memory_init)
_DROP = int(Opcode.data_drop)


def _index_type(t, mem: int) -> int:
    return t.module.memories[mem].index_type


def _memory_size(t, mem):
    t.stack.append(t.value(_SIZE, NOTYPE, (mem,), (), (_index_type(t, mem),)))


def _memory_grow(t, mem):
    s = t.stack
    s[-1] = t.value(_GROW, NOTYPE, (mem,), (s[-1],), (_index_type(t, mem),))


def _memory_fill(t, mem):
    t.emit(_FILL, NOTYPE, (mem,), t.pop_n(3))


def _memory_copy(t, imm):
    dst, src = imm
    t.emit(_COPY, NOTYPE, (dst, src), t.pop_n(3))


def _memory_init(t, imm):
    data, mem = imm
    t.emit(_INIT, NOTYPE, (mem, data), t.pop_n(3))


def _data_drop(t, data):
    t.emit(_DROP, NOTYPE, (data,), ())


HANDLERS = {name: _make_load(*row) for name, row in _LOADS.items()}
HANDLERS.update({name: _make_store(*row) for name, row in _STORES.items()})
HANDLERS.update({
    "memory.size": _memory_size, "memory.grow": _memory_grow,
    "memory.fill": _memory_fill, "memory.copy": _memory_copy,
    "memory.init": _memory_init, "data.drop": _data_drop,
})
