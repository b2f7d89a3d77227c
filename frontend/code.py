"""Instruction decoding: immediates per :class:`~.opcodes.Imm` kind, and body iteration.

The binary layout of each immediate kind is written once, here, as one small
reader function per kind in ``IMM_READERS``; every consumer (section decoder
for constant expressions, validator, IR translator, inspect) reads
instructions through :func:`read_instr` or :func:`iter_instrs`.

Immediate values (what ``read_instr`` returns as ``imm``):

=============== ==========================================================
NONE            ``None``
BLOCKTYPE       an int, the s33 as the spec defines it: ``-64`` (0x40) is the
                empty type, other negatives are a single value type whose
                byte is ``bt + 0x80`` (``-1`` = i32 ...), ``>= 0`` a type index
LABEL, FUNC,    the u32 index
LOCAL, GLOBAL,
TABLE, ELEM,
DATA, MEMORY,
HEAPTYPE, LANE  (MEMORY: the memidx)
BR_TABLE        ``(labels: tuple[int, ...], default: int)``
CALL_INDIRECT   ``(typeidx, tableidx)``
MEMARG          ``(align_log2, offset, memidx)`` (offset: u64 with the Wasm
                3.0 readers, u32 with ``IMM_READERS_MVP``)
MEMARG_LANE     ``(align_log2, offset, memidx, lane)``
I32, I64        the value as an *unsigned* bit pattern (``& 0xFFFFFFFF``)
F32, F64        the raw IEEE bit pattern as an int (NaN payloads survive)
V128            16 bytes (little-endian lanes)
SELECT_T        ``tuple`` of value types
TABLE_INIT      ``(elemidx, tableidx)``
TABLE_COPY      ``(dst_table, src_table)``
MEMORY_INIT     ``(dataidx, memidx)``
MEMORY_COPY     ``(dst_mem, src_mem)``
SHUFFLE         16 bytes of lane indices
TAG             the u32 tagidx
TRY_TABLE       ``(blocktype, catches)``: each catch ``(kind, tagidx, label)``,
                kind 0 ``catch``, 1 ``catch_ref``, 2 ``catch_all``, 3
                ``catch_all_ref`` (tagidx None for the last two)
=============== ==========================================================
"""
from __future__ import annotations

from typing import Iterator

from . import reader
from .errors import MalformedError
from .features import MULTI_MEMORY
from .opcodes import BY_BYTE, BY_PREFIX, Imm, Op
from .types import NONNULL, VALUE_TYPES, concrete
from .unsupported import disabled

_u32 = reader.u32
_s32 = reader.s32
_s64 = reader.s64

# Block types that are a single value type (s33 negative form).
BLOCK_EMPTY = -64
_BLOCK_VALTYPES = frozenset(t - 0x80 for t in (*VALUE_TYPES, 0x73, 0x72, 0x69, 0x74))


#: Block types ``(result (ref null? ht))``: ``REF_BLOCK - reftype code``
#: (below every other form).
REF_BLOCK = -0x10000

# Abstract heap types the frontend decodes after 0x63 / 0x64 (the func and
# extern hierarchies); other heap type bytes belong to later proposals.
_HEAP_BYTES = frozenset((0x70, 0x6F, 0x73, 0x72, 0x69, 0x74))
# shorthands of typed function references' bottom types (nullfuncref,
# nullexternref), and exception handling's exnref / nullexnref (the
# validator gates them on their features)
_NULL_SHORTHANDS = frozenset((0x73, 0x72, 0x69, 0x74))


def blocktype_result(bt: int) -> int | None:
    """The single result type of a negative (non-index) block type, or None if empty."""
    if bt <= REF_BLOCK:
        return REF_BLOCK - bt
    return None if bt == BLOCK_EMPTY else bt + 0x80


def read_heaptype(data, pos, end):
    """A heap type (s33): an abstract type byte, or a type index (returned
    as a RAW code, :mod:`.types`)."""
    at = pos
    v, pos = reader.s33(data, pos, end)
    if v >= 0:
        return concrete(v, raw=True), pos
    b = v + 0x80
    if pos - at == 1 and b in _HEAP_BYTES:
        return b, pos
    raise MalformedError("malformed heap type", at)


def read_valtype(data, pos, end, what="malformed value type"):
    """A value type: a one-byte type, or ``(ref null? ht)`` (0x63 / 0x64
    then a heap type); concrete heap types come back RAW."""
    t, pos = reader.u8(data, pos, end)
    if t in VALUE_TYPES or t in _NULL_SHORTHANDS:
        return t, pos
    if t == 0x63 or t == 0x64:
        h, pos = read_heaptype(data, pos, end)
        return (h | NONNULL) if t == 0x64 else h, pos
    raise MalformedError(what, pos - 1)


def read_reftype(data, pos, end):
    at = pos
    t, pos = read_valtype(data, pos, end, "malformed reference type")
    if t < 0x80 and t not in _HEAP_BYTES:
        raise MalformedError("malformed reference type", at)
    return t, pos


def _none(data, pos, end):
    return None, pos


def _blocktype(data, pos, end):
    if pos < end:
        b = data[pos]
        if b == 0x40:
            return BLOCK_EMPTY, pos + 1
        if b == 0x63 or b == 0x64:
            t, pos = read_valtype(data, pos, end)
            return REF_BLOCK - t, pos
        if 0x40 < b < 0x80:
            # a one-byte negative s33: must be a value type
            if b - 0x80 not in _BLOCK_VALTYPES:
                raise MalformedError("malformed value type", pos)
            return b - 0x80, pos + 1
    bt, npos = reader.s33(data, pos, end)
    if bt < 0:
        # a multi-byte negative: only the one-byte forms denote value types
        raise MalformedError("malformed value type", pos)
    return bt, npos


def _br_table(data, pos, end):
    n, pos = _u32(data, pos, end)
    if n > end - pos:
        raise MalformedError("unexpected end of section or function", pos)
    labels = []
    for _ in range(n):
        l, pos = _u32(data, pos, end)
        labels.append(l)
    default, pos = _u32(data, pos, end)
    return (tuple(labels), default), pos


def _two_u32(data, pos, end):
    a, pos = _u32(data, pos, end)
    b, pos = _u32(data, pos, end)
    return (a, b), pos


def _memarg(data, pos, end):
    # Wasm 3.0 (multi-memory): flags < 64 is the alignment exponent, bit 6
    # says a memory index follows; flags >= 128 is malformed.  An exponent
    # >= 32 decodes (it is *invalid*: larger than natural).
    flags, pos = _u32(data, pos, end)
    if flags >= 0x80:
        raise MalformedError("malformed memop flags", pos)
    mem = 0
    if flags & 0x40:
        mem, pos = _u32(data, pos, end)
    # memory64: a u64 offset; the validator bounds it for 32-bit memories
    offset, pos = reader.u64(data, pos, end)
    return (flags & 0x3F, offset, mem), pos


def _memarg_mvp(data, pos, end):
    # Wasm 2.0 (multi-memory off): an exponent >= 32 can never be valid and
    # the reference decoder rejects it as malformed (align.wast); bit 6 is
    # multi-memory's memory index.
    at = pos
    align, pos = _u32(data, pos, end)
    if align >= 32:
        if 0x40 <= align < 0x80:
            raise disabled(MULTI_MEMORY, at, "memarg with a memory index",
                           "malformed memop flags")
        raise MalformedError("malformed memop flags", pos)
    offset, pos = _u32(data, pos, end)
    return (align, offset, 0), pos


def _memarg_lane(data, pos, end):
    (align, offset, mem), pos = _memarg(data, pos, end)
    lane, pos = reader.u8(data, pos, end)
    return (align, offset, mem, lane), pos


def _memarg_lane_mvp(data, pos, end):
    (align, offset, mem), pos = _memarg_mvp(data, pos, end)
    lane, pos = reader.u8(data, pos, end)
    return (align, offset, mem, lane), pos


def _zero_byte(data, pos, end):
    # Wasm 2.0's memory index; anything else is multi-memory's u32 memidx
    b, pos = reader.u8(data, pos, end)
    if b != 0:
        raise disabled(MULTI_MEMORY, pos - 1, f"memory index byte 0x{b:02x}",
                       "zero byte expected")
    return 0, pos


def _memory_init(data, pos, end):
    idx, pos = _u32(data, pos, end)
    mem, pos = _u32(data, pos, end)
    return (idx, mem), pos


def _memory_init_mvp(data, pos, end):
    idx, pos = _u32(data, pos, end)
    mem, pos = _zero_byte(data, pos, end)
    return (idx, mem), pos


def _memory_copy_mvp(data, pos, end):
    a, pos = _zero_byte(data, pos, end)
    b, pos = _zero_byte(data, pos, end)
    return (a, b), pos


def _i32(data, pos, end):
    v, pos = _s32(data, pos, end)
    return v & 0xFFFFFFFF, pos


def _i64(data, pos, end):
    v, pos = _s64(data, pos, end)
    return v & 0xFFFFFFFFFFFFFFFF, pos


def _v128(data, pos, end):
    return reader.raw(data, pos, end, 16)


def _select_t(data, pos, end):
    n, pos = _u32(data, pos, end)
    if n > end - pos:
        raise MalformedError("unexpected end of section or function", pos)
    ts = []
    for _ in range(n):
        t, pos = read_valtype(data, pos, end)
        ts.append(t)
    return tuple(ts), pos


def _heaptype(data, pos, end):
    # ref.null: Wasm 2.0's reftype byte is the same as the abstract heap type
    if pos < end and data[pos] & 0xC0 == 0x40 and data[pos] not in _HEAP_BYTES:
        raise MalformedError("malformed reference type", pos)
    return read_heaptype(data, pos, end)


def _lane(data, pos, end):
    return reader.u8(data, pos, end)


def _try_table(data, pos, end):
    bt, pos = _blocktype(data, pos, end)
    n, pos = _u32(data, pos, end)
    if n > end - pos:
        raise MalformedError("unexpected end of section or function", pos)
    catches = []
    for _ in range(n):
        kind, pos = reader.u8(data, pos, end)
        if kind > 3:
            raise MalformedError("malformed catch clause", pos - 1)
        tag = None
        if kind < 2:
            tag, pos = _u32(data, pos, end)
        label, pos = _u32(data, pos, end)
        catches.append((kind, tag, label))
    return (bt, tuple(catches)), pos


IMM_READERS = [None] * len(Imm)
for _kind, _fn in {
    Imm.NONE: _none, Imm.BLOCKTYPE: _blocktype, Imm.LABEL: _u32,
    Imm.BR_TABLE: _br_table, Imm.FUNC: _u32, Imm.CALL_INDIRECT: _two_u32,
    Imm.LOCAL: _u32, Imm.GLOBAL: _u32, Imm.TABLE: _u32, Imm.MEMARG: _memarg,
    Imm.MEMORY: _u32, Imm.I32: _i32, Imm.I64: _i64,
    Imm.F32: reader.f32_bits, Imm.F64: reader.f64_bits, Imm.V128: _v128,
    Imm.SELECT_T: _select_t, Imm.HEAPTYPE: _heaptype, Imm.ELEM: _u32,
    Imm.DATA: _u32, Imm.TABLE_INIT: _two_u32, Imm.TABLE_COPY: _two_u32,
    Imm.MEMORY_INIT: _memory_init, Imm.MEMORY_COPY: _two_u32,
    Imm.SHUFFLE: _v128, Imm.LANE: _lane, Imm.MEMARG_LANE: _memarg_lane, Imm.TYPE: _u32,
    Imm.TAG: _u32, Imm.TRY_TABLE: _try_table,
}.items():
    IMM_READERS[_kind] = _fn
assert all(IMM_READERS), "every Imm kind needs a reader"
IMM_READERS = tuple(IMM_READERS)

#: The readers with Wasm 2.0's encodings of memory immediates, for modules
#: decoded with multi-memory off: a memory index is one zero byte, memarg
#: flags are an alignment below 32.  Same value shapes as ``IMM_READERS``.
IMM_READERS_MVP = list(IMM_READERS)
for _kind, _fn in {Imm.MEMARG: _memarg_mvp, Imm.MEMARG_LANE: _memarg_lane_mvp,
                   Imm.MEMORY: _zero_byte, Imm.MEMORY_INIT: _memory_init_mvp,
                   Imm.MEMORY_COPY: _memory_copy_mvp}.items():
    IMM_READERS_MVP[_kind] = _fn
IMM_READERS_MVP = tuple(IMM_READERS_MVP)


def imm_readers(features) -> tuple:
    """The immediate readers for modules decoded with ``features``."""
    return IMM_READERS if MULTI_MEMORY in features else IMM_READERS_MVP


def read_op(data, pos: int, end: int) -> tuple[Op, int]:
    """Read an opcode (with 0xFC/0xFD prefix handling); unknown ones are malformed."""
    if pos >= end:
        raise reader.eof(data, pos, end)
    b = data[pos]
    op = BY_BYTE[b]
    if op is not None:
        return op, pos + 1
    table = BY_PREFIX.get(b)
    if table is not None:
        sub, npos = _u32(data, pos + 1, end)
        op = table.get(sub)
        if op is not None:
            return op, npos
    raise MalformedError("illegal opcode", pos)


def read_instr(data, pos: int, end: int) -> tuple[Op, object, int]:
    """Read one instruction: ``(op, imm, new_pos)``."""
    op, pos = read_op(data, pos, end)
    imm, pos = IMM_READERS[op.imm](data, pos, end)
    return op, imm, pos


def read_locals(data, pos: int, end: int) -> tuple[list[tuple[int, int]], int]:
    """The locals declarations of a function body: ``[(count, type)]``.

    The total may not exceed 2**32 - 1 ("too many locals").
    """
    n, pos = _u32(data, pos, end)
    decls = []
    total = 0
    for _ in range(n):
        count, pos = _u32(data, pos, end)
        t, pos = read_valtype(data, pos, end)
        total += count
        if total > 0xFFFFFFFF:
            raise MalformedError("too many locals", pos)
        decls.append((count, t))
    return decls, pos


def iter_instrs(data, pos: int, end: int) -> Iterator[tuple[Op, object, int]]:
    """Yield ``(op, imm, offset)`` for each instruction in ``data[pos:end]``.

    Structural well-formedness (matching ``end``s) is the validator's job;
    this only decodes.
    """
    readers = IMM_READERS
    while pos < end:
        start = pos
        op, pos = read_op(data, pos, end)
        imm, pos = readers[op.imm](data, pos, end)
        yield op, imm, start


_MEMORY_INIT = BY_PREFIX[0xFC][0x08]
_DATA_DROP = BY_PREFIX[0xFC][0x09]


def scan_body(data, start: int, stop: int, readers: tuple = IMM_READERS) -> bool:
    """Decode the function body ``data[start:stop]`` without typing it.

    Raises the body's MalformedError as the reference decoder would (bad
    immediates, ``else`` outside an ``if``, the final ``end`` not exactly at
    ``stop``: "section size mismatch").  Used to report a malformed body
    *before* a later error, because errors are reported in stream order.
    Decodes against the end of the data, not ``stop``, as the reference
    decoder does.  ``readers``: :func:`imm_readers` of the features in
    force.  Returns whether the body uses data segments
    (``memory.init`` / ``data.drop``: they need the data count section).
    """
    limit = len(data)
    _, pos = read_locals(data, start, limit)
    open_if = [False]           # per open block: an ``if`` not yet at ``else``
    uses_data = False
    while True:
        at = pos
        op, pos = read_op(data, pos, limit)
        _, pos = readers[op.imm](data, pos, limit)
        if not op.prefix:
            c = op.code
            if c == 0x02 or c == 0x03 or c == 0x1F or c == 0x06:
                open_if.append(False)
            elif c == 0x18:                  # delegate: ends its try
                open_if.pop()
                if not open_if:
                    break
            elif c == 0x04:
                open_if.append(True)
            elif c == 0x05:
                if not open_if[-1]:
                    raise MalformedError("END opcode expected", at)
                open_if[-1] = False
            elif c == 0x0B:
                open_if.pop()
                if not open_if:
                    break
        elif op is _MEMORY_INIT or op is _DATA_DROP:
            uses_data = True
    if pos != stop:
        raise MalformedError("section size mismatch", pos)
    return uses_data
