"""Instructions: flat and folded sequences, block structure, immediates.

Everything instruction-specific is derived from :data:`opcodes.OPS`: the text
name selects the :class:`~wasmaot.frontend.opcodes.Op`, and its ``imm`` kind
selects one small function in :data:`IMMEDIATES` that reads the immediates
from the text and appends their binary encoding.  Only the block structure
(``block``/``loop``/``if`` with ``else``/``end`` and labels) is handled by
the sequence parser itself, keyed on ``Imm.BLOCKTYPE``.

The functions here need a *function context* ``fc`` with:

* ``fc.mod``: the module context (index spaces ``funcs``, ``tables``,
  ``mems``, ``globals``, ``elems``, ``datas``, ``types``; methods
  ``typeuse(c, names)`` and ``blocktype(c)``; ``uses_data_count`` flag),
* ``fc.locals``: the local index space (params then locals),
* ``fc.labels``: the label names, innermost last (None for unnamed),
* ``fc.hinted``: None, or the list that collects ``(offset in out, hint)``
  for each ``if``/``br_if`` that a branch-hint annotation precedes (the
  offset of its opcode; a folded ``br_if`` is encoded after its operands).
"""
from __future__ import annotations

import struct

from ..features import MEMORY64, current
from ..opcodes import BY_NAME, OPS, Imm, Op
from ..types import EXTERNREF, FUNCREF, NONNULL, RAW, concrete, raw_index
from .cursor import Cursor
from .encode import sleb, sleb_bits, uleb
from .lexer import ATOM, ID, LP, RP
from .numbers import NumberError, classify, parse_float, parse_int, parse_nat

END_BYTE = b"\x0b"
ELSE_BYTE = BY_NAME["else"].encoding

#: Text name -> typed variant, for names with two encodings where the typed
#: one is chosen by a following ``(result ...)`` (``select``).
_TYPED_VARIANT: dict[str, Op] = {op.name: op for op in OPS if op.imm is Imm.SELECT_T}

_REFTYPES = {"funcref": FUNCREF, "externref": EXTERNREF, "nullfuncref": 0x73,
             "nullexternref": 0x72, "exnref": 0x69, "nullexnref": 0x74}
_VALTYPES = {"i32": 0x7F, "i64": 0x7E, "f32": 0x7D, "f64": 0x7C, "v128": 0x7B, **_REFTYPES}
_HEAPTYPES = {"func": FUNCREF, "extern": EXTERNREF, "nofunc": 0x73, "noextern": 0x72,
              "exn": 0x69, "noexn": 0x74}


# --------------------------------------------------------------------------
# shared small readers
# --------------------------------------------------------------------------

def _keyword(c: Cursor, table: dict[str, int]) -> int:
    """The value of the next atom in ``table``, consuming it; else a syntax error."""
    tok = c.peek()
    if tok[0] == ATOM:
        t = table.get(tok[1])
        if t is not None:
            c.i += 1
            return t
    raise c.unexpected()


# Value types are the frontend's ints (frontend.types); a concrete heap
# type is RAW, its module type index, until :func:`encode_valtype`.

def valtype(c: Cursor, mod=None) -> int:
    """A value type; ``mod`` (the module context) resolves ``$t`` in
    ``(ref null? $t)``."""
    if c.at_list("ref"):
        return _ref(c, mod)
    return _keyword(c, _VALTYPES)


def reftype(c: Cursor, mod=None) -> int:
    if c.at_list("ref"):
        return _ref(c, mod)
    return _keyword(c, _REFTYPES)


def _ref(c: Cursor, mod) -> int:
    c.i += 2
    null = c.at_atom("null")
    if null:
        c.i += 1
    h = heaptype(c, mod)
    c.rp()
    return h if null else h | NONNULL


def heaptype(c: Cursor, mod=None) -> int:
    if mod is not None and at_var(c):
        return concrete(mod.type_ref(c), raw=True)
    return _keyword(c, _HEAPTYPES)


def reftype_tokens(c: Cursor) -> int:
    """How many tokens the reference type at the cursor spans (0: none)."""
    tok = c.peek()
    if tok[0] == ATOM:
        return 1 if tok[1] in _REFTYPES else 0
    if not c.at_list("ref"):
        return 0
    return 5 if c.peek(2)[0] == ATOM and c.peek(2)[1] == "null" else 4


def encode_heap(h: int) -> bytes:
    return sleb(raw_index(h)) if h & RAW else bytes((h,))


def encode_valtype(t: int) -> bytes:
    """The binary encoding of a value type."""
    if t < NONNULL:
        return bytes((t,))
    return (b"\x64" if t & NONNULL else b"\x63") + encode_heap(t & ~NONNULL)


def nat32(c: Cursor, what: str = "i32 constant out of range") -> int:
    """An unsigned 32-bit literal (limits, offsets, lane counts...)."""
    tok = c.peek()
    if tok[0] == ATOM:
        try:
            v = parse_nat(tok[1], 32)
        except NumberError as e:
            if e.range:
                raise c.error(what) from None
            raise c.unexpected() from None
        c.i += 1
        return v
    raise c.unexpected()


def nat64(c: Cursor) -> int:
    """An unsigned 64-bit literal (memory64 limits)."""
    tok = c.peek()
    if tok[0] == ATOM:
        try:
            v = parse_nat(tok[1], 64)
        except NumberError as e:
            if e.range:
                raise c.error("i64 constant out of range") from None
            raise c.unexpected() from None
        c.i += 1
        return v
    raise c.unexpected()


def _var_tok(tok) -> bool:
    return tok[0] == ID or (tok[0] == ATOM and classify(tok[1]) == "nat")


def at_var(c: Cursor) -> bool:
    """Whether an index (``$id`` or a nat) follows."""
    return _var_tok(c.peek())


def label(c: Cursor, fc) -> int:
    tok = c.peek()
    if tok[0] == ID:
        labels = fc.labels
        for depth in range(len(labels)):
            if labels[-1 - depth] == tok[1]:
                c.i += 1
                return depth
        raise c.error(f"unknown label {tok[1]}")
    return nat32(c)


# --------------------------------------------------------------------------
# immediates, one function per Imm kind: (cursor, fc, op, out) -> None
# --------------------------------------------------------------------------

def _imm_none(c, fc, op, out):
    pass


def _imm_label(c, fc, op, out):
    out += uleb(label(c, fc))


def _imm_br_table(c, fc, op, out):
    depths = [label(c, fc)]
    while at_var(c):
        depths.append(label(c, fc))
    out += uleb(len(depths) - 1)
    for d in depths:
        out += uleb(d)


def _imm_func(c, fc, op, out):
    out += uleb(fc.mod.funcs.index(c))


def _imm_call_indirect(c, fc, op, out):
    table = fc.mod.tables.index(c) if at_var(c) else 0
    typeidx = fc.mod.typeuse(c, False)[0]
    out += uleb(typeidx)
    out += uleb(table)


def _imm_local(c, fc, op, out):
    out += uleb(fc.locals.index(c))


def _imm_global(c, fc, op, out):
    out += uleb(fc.mod.globals.index(c))


def _imm_table(c, fc, op, out):
    # Wasm 2.0 abbreviation: the table index may be omitted, meaning table 0.
    out += uleb(fc.mod.tables.index(c) if at_var(c) else 0)


def _memarg(c, op) -> tuple[int, int]:
    """``offset=N? align=N?`` -> (log2 alignment, offset)."""
    offset = 0
    align = 1 << op.align
    tok = c.peek()
    if tok[0] == ATOM and tok[1].startswith("offset="):
        offset = _memarg_value(c, tok, "offset=")
    tok = c.peek()
    if tok[0] == ATOM and tok[1].startswith("align="):
        align = _memarg_value(c, tok, "align=")
        if align == 0 or align & (align - 1):
            raise c.error("alignment must be a power of two", tok[2])
    return align.bit_length() - 1, offset


def _memarg_value(c, tok, prefix) -> int:
    # memory64 makes offsets u64 (the validator bounds them per memory);
    # Wasm 2.0 text has u32 offsets
    bits = 64 if prefix == "offset=" and MEMORY64 in current() else 32
    try:
        v = parse_nat(tok[1][len(prefix):], bits)
    except NumberError as e:
        if e.range:
            raise c.error(f"i{bits} constant out of range") from None
        raise c.unexpected() from None
    c.i += 1
    return v


def _memidx(c, fc) -> int:
    """An optional memory index (multi-memory), 0 when omitted."""
    return fc.mod.mems.index(c) if at_var(c) else 0


def _put_memarg(out, align: int, offset: int, mem: int) -> None:
    # memory 0 keeps Wasm 2.0's encoding (valid with multi-memory off);
    # another memory sets flag bit 6 and puts its index before the offset
    if mem:
        out += uleb(align | 0x40)
        out += uleb(mem)
    else:
        out += uleb(align)
    out += uleb(offset)


def _imm_memarg(c, fc, op, out):
    mem = _memidx(c, fc)
    a, o = _memarg(c, op)
    _put_memarg(out, a, o, mem)


def _imm_memory(c, fc, op, out):
    out += uleb(_memidx(c, fc))


def _int_literal(c, bits: int) -> int:
    tok = c.peek()
    if tok[0] == ATOM:
        try:
            v = parse_int(tok[1], bits)
        except NumberError as e:
            if e.range:
                raise c.error("constant out of range") from None
            raise c.unexpected() from None
        c.i += 1
        return v
    raise c.unexpected()


def _float_literal(c, bits: int) -> int:
    tok = c.peek()
    if tok[0] == ATOM:
        try:
            v = parse_float(tok[1], bits)
        except NumberError as e:
            if e.range:
                raise c.error("constant out of range") from None
            raise c.unexpected() from None
        c.i += 1
        return v
    raise c.unexpected()


def _imm_i32(c, fc, op, out):
    out += sleb_bits(_int_literal(c, 32), 32)


def _imm_i64(c, fc, op, out):
    out += sleb_bits(_int_literal(c, 64), 64)


def _imm_f32(c, fc, op, out):
    out += struct.pack("<I", _float_literal(c, 32))


def _imm_f64(c, fc, op, out):
    out += struct.pack("<Q", _float_literal(c, 64))


# shape -> (lane count, lane width in bits, is float)
V128_SHAPES = {"i8x16": (16, 8, False), "i16x8": (8, 16, False), "i32x4": (4, 32, False),
               "i64x2": (2, 64, False), "f32x4": (4, 32, True), "f64x2": (2, 64, True)}


def v128_literal(c: Cursor) -> bytes:
    """``shape lane*`` of ``v128.const`` -> 16 bytes."""
    tok = c.peek()
    shape = V128_SHAPES.get(tok[1]) if tok[0] == ATOM else None
    if shape is None:
        raise c.unexpected()
    c.i += 1
    n, bits, is_float = shape
    # The lane count is checked before the lane values (the reference
    # interpreter's order): "i32x4 <huge> <huge>" is a count error.
    count = 0
    while True:
        tok = c.peek(count)
        if tok[0] != ATOM or classify(tok[1]) is None:
            break
        count += 1
    if count != n:
        err = c.unexpected(c.i + count)
        if count < n and "unknown operator" in err.message:
            raise err
        raise c.error("wrong number of lane literals")
    out = bytearray()
    for _ in range(n):
        v = _float_literal(c, bits) if is_float else _int_literal(c, bits)
        out += v.to_bytes(bits // 8, "little")
    return bytes(out)


def _imm_v128(c, fc, op, out):
    out += v128_literal(c)


def _imm_select_t(c, fc, op, out):
    types = []
    while c.at_list("result"):
        c.i += 2
        while not c.at_rp():
            types.append(valtype(c, fc.mod))
        c.rp()
    out += uleb(len(types))
    out += b"".join(map(encode_valtype, types))


def _imm_heaptype(c, fc, op, out):
    out += encode_heap(heaptype(c, fc.mod))


def _imm_type(c, fc, op, out):
    out += uleb(fc.mod.types.index(c))


def _imm_elem(c, fc, op, out):
    out += uleb(fc.mod.elems.index(c))


def _imm_data(c, fc, op, out):
    fc.mod.uses_data_count = True
    out += uleb(fc.mod.datas.index(c))


def _imm_table_init(c, fc, op, out):
    # ``table.init elem`` or ``table.init table elem``
    table = 0
    if _var_tok(c.peek(1)):
        table = fc.mod.tables.index(c)
    elem = fc.mod.elems.index(c)
    out += uleb(elem)
    out += uleb(table)


def _imm_table_copy(c, fc, op, out):
    dst = src = 0
    if at_var(c):
        dst = fc.mod.tables.index(c)
        src = fc.mod.tables.index(c)
    out += uleb(dst)
    out += uleb(src)


def _imm_memory_init(c, fc, op, out):
    # ``memory.init data`` or ``memory.init mem data``
    fc.mod.uses_data_count = True
    mem = 0
    if _var_tok(c.peek(1)):
        mem = fc.mod.mems.index(c)
    out += uleb(fc.mod.datas.index(c))
    out += uleb(mem)


def _imm_memory_copy(c, fc, op, out):
    # ``memory.copy`` or ``memory.copy dst src``
    dst = src = 0
    if at_var(c):
        dst = fc.mod.mems.index(c)
        src = fc.mod.mems.index(c)
    out += uleb(dst)
    out += uleb(src)


def _imm_shuffle(c, fc, op, out):
    lanes = bytearray()
    while c.peek()[0] == ATOM and len(lanes) < 16:
        tok = c.peek()
        try:
            v = parse_nat(tok[1], 8)
        except NumberError:
            raise c.error("malformed lane index") from None
        lanes.append(v)
        c.i += 1
    if len(lanes) != 16:
        raise c.error("invalid lane length")
    tok = c.peek()
    if tok[0] == ATOM and classify(tok[1]) is not None:
        raise c.error("invalid lane length")
    out += lanes


def _lane_index(c) -> int:
    tok = c.peek()
    if tok[0] == ATOM and classify(tok[1]) == "nat":
        try:
            v = parse_nat(tok[1], 8)
        except NumberError:
            raise c.error("malformed lane index") from None
        c.i += 1
        return v
    raise c.unexpected()


def _imm_lane(c, fc, op, out):
    out.append(_lane_index(c))


def _imm_memarg_lane(c, fc, op, out):
    # ``v128.load8_lane 1 0`` is memory 1, lane 0; a lone index is the lane
    mem = 0
    if at_var(c) and (c.peek()[0] == ID or _var_tok(c.peek(1)) or _memarg_tok(c.peek(1))):
        mem = fc.mod.mems.index(c)
    a, o = _memarg(c, op)
    _put_memarg(out, a, o, mem)
    out.append(_lane_index(c))


def _imm_tag(c, fc, op, out):
    out += uleb(fc.mod.tags.index(c))


_CATCHES = {"catch": 0, "catch_ref": 1, "catch_all": 2, "catch_all_ref": 3}


def try_table_head(c: Cursor, fc) -> bytes:
    """After ``try_table $l?``: the block type and the catch clauses
    ``(catch $tag $label)``...  Their labels are resolved outside the
    try_table (its own label is pushed after)."""
    out = bytearray(fc.mod.blocktype(c))
    catches = bytearray()
    n = 0
    while c.at_lp() and c.peek(1)[0] == ATOM and c.peek(1)[1] in _CATCHES:
        kind = _CATCHES[c.peek(1)[1]]
        c.i += 2
        catches.append(kind)
        if kind < 2:
            catches += uleb(fc.mod.tags.index(c))
        catches += uleb(label(c, fc))
        c.rp()
        n += 1
    return bytes(out + uleb(n) + catches)


def _memarg_tok(tok) -> bool:
    return tok[0] == ATOM and tok[1].startswith(("offset=", "align="))


IMMEDIATES = {
    Imm.NONE: _imm_none,
    Imm.LABEL: _imm_label,
    Imm.BR_TABLE: _imm_br_table,
    Imm.FUNC: _imm_func,
    Imm.CALL_INDIRECT: _imm_call_indirect,
    Imm.LOCAL: _imm_local,
    Imm.GLOBAL: _imm_global,
    Imm.TABLE: _imm_table,
    Imm.MEMARG: _imm_memarg,
    Imm.MEMORY: _imm_memory,
    Imm.I32: _imm_i32,
    Imm.I64: _imm_i64,
    Imm.F32: _imm_f32,
    Imm.F64: _imm_f64,
    Imm.V128: _imm_v128,
    Imm.SELECT_T: _imm_select_t,
    Imm.HEAPTYPE: _imm_heaptype,
    Imm.ELEM: _imm_elem,
    Imm.DATA: _imm_data,
    Imm.TABLE_INIT: _imm_table_init,
    Imm.TABLE_COPY: _imm_table_copy,
    Imm.MEMORY_INIT: _imm_memory_init,
    Imm.MEMORY_COPY: _imm_memory_copy,
    Imm.SHUFFLE: _imm_shuffle,
    Imm.LANE: _imm_lane,
    Imm.MEMARG_LANE: _imm_memarg_lane,
    Imm.TYPE: _imm_type,
    Imm.TAG: _imm_tag,
}
# BLOCKTYPE and TRY_TABLE are read by the block structure code (labels come
# before them).
assert set(IMMEDIATES) | {Imm.BLOCKTYPE, Imm.TRY_TABLE} == set(Imm), \
    "every Imm kind needs a text parser"

# ``else``/``end`` are in the opcode table (they have encodings) but in text
# they only delimit flat blocks; the sequence parser owns them.
_STRUCTURE = {"else", "end", "catch", "catch_all", "delegate"}
_IF = BY_NAME["if"]
_BR_IF = BY_NAME["br_if"]
# legacy exception handling: ``try`` arms (flat: like ``else``; folded:
# ``(do ...)`` ``(catch x ...)`` ``(catch_all ...)`` ``(delegate l)``)
_TRY = BY_NAME["try"]
_CATCH_OP = BY_NAME["catch"]
_CATCH_ALL_OP = BY_NAME["catch_all"]
_DELEGATE_OP = BY_NAME["delegate"]


# --------------------------------------------------------------------------
# sequences
# --------------------------------------------------------------------------

# The sequence parser is an explicit state machine rather than recursive
# descent: generated text (a wasm2wat dump of a big switch) nests blocks
# thousands deep, beyond Python's recursion limit.  Each open construct is a
# frame on ``stack``; frame kinds:
_FLAT = 0       # block/loop/if ... end      [kind, op, label, seen_else]
_BLOCK = 1      # (block ...) / (loop ...)   [kind]
_COND = 2       # (if ... <here> (then      [kind, op, label, blocktype, text offset, hint]
_THEN = 3       # (then ...)                 [kind]
_ELSE = 4       # (else ...)                 [kind]
_OPERANDS = 5   # (op imm <here> )           [kind, pending encoding, text offset, hint]
_FTRY = 6       # (try ... <here> (do ...)  [kind, arms seen: 0 none, 1 do, 2 catch, 3 catch_all]
_ARM = 7        # (do ...) / (catch x ...)   [kind]
# ``fc.marks``, when a source map is wanted, receives ``(offset in out,
# text offset)`` for every opcode byte sequence appended (see wat.SourceMap).


def instrs(c: Cursor, fc, out: bytearray) -> None:
    """Parse instructions up to (not including) ``)``, ``end`` or ``else``
    at the outer level."""
    _run(c, fc, out, [])


def folded(c: Cursor, fc, out: bytearray) -> None:
    """Exactly one ``( ... )`` instruction."""
    stack: list = []
    _open_folded(c, fc, out, stack)
    if stack:
        _run(c, fc, out, stack)


def _run(c: Cursor, fc, out: bytearray, stack: list) -> None:
    """Drive the frames; returns when ``stack`` (if it started non-empty)
    empties, or at an outer-level terminator."""
    toks = c.toks
    marks = fc.marks            # None unless a source map is being built (error path)
    single = bool(stack)
    while True:
        if single and not stack:
            return
        if c.i < c.end:
            kind, value, _ = toks[c.i]
        else:
            kind = value = None
        frame = stack[-1] if stack else None
        fk = frame[0] if frame else -1

        if fk == _OPERANDS:
            if kind == LP:
                _open_folded(c, fc, out, stack)
            elif kind == RP:
                c.i += 1
                if marks is not None:
                    marks.append((len(out), frame[2]))
                if frame[3] is not None:
                    fc.hinted.append((len(out), frame[3]))
                out += frame[1]
                stack.pop()
            else:
                raise c.unexpected()
        elif fk == _FTRY:
            _try_arm(c, fc, out, stack, frame)
        elif fk == _COND:
            _cond_step(c, fc, out, stack, frame, kind)
        # an instruction sequence: outer level, flat block, (block), then, else
        elif kind == LP:
            _open_folded(c, fc, out, stack)
        elif kind == ATOM:
            if _seq_atom(c, fc, out, stack, frame, fk, value):
                return                              # the caller's terminator
        elif kind == RP or kind is None:
            if frame is None:
                return
            _seq_close(c, fc, out, stack, fk, kind)
        else:
            raise c.unexpected()


def _cond_step(c: Cursor, fc, out: bytearray, stack: list, frame, kind) -> None:
    """In a folded ``(if ...)`` before ``(then``: a condition operand, or
    the ``(then`` that emits the ``if`` and opens its first arm."""
    if c.at_list("then"):
        c.i += 2
        if fc.marks is not None:
            fc.marks.append((len(out), frame[4]))
        if frame[5] is not None:
            fc.hinted.append((len(out), frame[5]))
        out += frame[1].encoding
        out += frame[3]
        fc.labels.append(frame[2])
        stack[-1] = [_THEN]
    elif kind == LP:
        _open_folded(c, fc, out, stack)
    else:
        raise c.unexpected()


def _seq_atom(c: Cursor, fc, out: bytearray, stack: list, frame, fk, value) -> bool:
    """A keyword in an instruction sequence: ``else``/``end``/``catch...``
    of a flat block, a flat block's head, or a plain instruction.  True
    when it is a structure keyword at the outer level: the caller's."""
    toks, marks = c.toks, fc.marks
    if value in _STRUCTURE:
        if fk != _FLAT:
            if frame is None:
                return True
            raise c.unexpected()
        c.i += 1
        if marks is not None:
            marks.append((len(out), toks[c.i - 1][2]))
        if value == "else":
            if frame[1] is not _IF or frame[3]:
                raise c.unexpected(c.i - 1)
            _end_label(c, frame[2])
            frame[3] = True
            out += ELSE_BYTE
        elif value != "end":
            _flat_try_arm(c, fc, out, stack, frame, value)
        else:
            _end_label(c, frame[2])
            fc.labels.pop()
            stack.pop()
            out += END_BYTE
        return False
    op = BY_NAME.get(value)
    if op is None:
        raise c.unexpected()
    if marks is not None:
        marks.append((len(out), toks[c.i][2]))
    if fc.hinted is not None and (op is _IF or op is _BR_IF):
        h = fc.mod.tokens.hints.get(toks[c.i][2])
        if h is not None:
            fc.hinted.append((len(out), h))
    c.i += 1
    if op.imm is Imm.BLOCKTYPE or op.imm is Imm.TRY_TABLE:
        name = c.take_id()
        out += op.encoding
        out += fc.mod.blocktype(c) if op.imm is Imm.BLOCKTYPE else \
            try_table_head(c, fc)
        fc.labels.append(name)
        stack.append([_FLAT, op, name, False])
    else:
        _plain(c, fc, op, out)
    return False


def _seq_close(c: Cursor, fc, out: bytearray, stack: list, fk, kind) -> None:
    """``)`` (or the end of the tokens) inside a frame: close a folded
    block, a try arm, or a then/else arm (and with it the if)."""
    if kind is None or fk == _FLAT:
        raise c.unexpected()                        # missing ``end`` / ``)``
    if fc.marks is not None:
        fc.marks.append((len(out), c.toks[c.i][2]))
    c.i += 1
    if fk == _BLOCK:
        fc.labels.pop()
        stack.pop()
        out += END_BYTE
    elif fk == _ARM:
        stack.pop()                                 # back to the (try ...) frame
    elif fk == _THEN and c.at_list("else"):
        c.i += 2
        out += ELSE_BYTE
        stack[-1] = [_ELSE]
    else:                                           # end of then/else: close the if
        c.rp()
        fc.labels.pop()
        stack.pop()
        out += END_BYTE


def _open_folded(c: Cursor, fc, out: bytearray, stack: list) -> None:
    """At ``(op``: start a folded instruction, pushing its frame."""
    at = c.peek()[2]
    c.lp()
    tok = c.peek()
    op = BY_NAME.get(tok[1]) if tok[0] == ATOM else None
    if op is None or tok[1] in _STRUCTURE:
        raise c.unexpected()
    c.i += 1
    hint = None
    if fc.hinted is not None and (op is _IF or op is _BR_IF):
        hint = fc.mod.tokens.hints.get(at)
    if op.imm is Imm.BLOCKTYPE or op.imm is Imm.TRY_TABLE:
        name = c.take_id()
        bt = fc.mod.blocktype(c) if op.imm is Imm.BLOCKTYPE else try_table_head(c, fc)
        if op is _IF:
            # condition operands come first, then the if itself
            stack.append([_COND, op, name, bt, tok[2], hint])
        elif op is _TRY:
            if fc.marks is not None:
                fc.marks.append((len(out), tok[2]))
            out += op.encoding
            out += bt
            fc.labels.append(name)
            stack.append([_FTRY, 0])
        else:
            if fc.marks is not None:
                fc.marks.append((len(out), tok[2]))
            out += op.encoding
            out += bt
            fc.labels.append(name)
            stack.append([_BLOCK])
        return
    # plain instruction: immediates now, folded operands next, the op last
    if op.imm is Imm.NONE and op.name in _TYPED_VARIANT and c.at_list("result"):
        op = _TYPED_VARIANT[op.name]
    code = bytearray(op.encoding)
    IMMEDIATES[op.imm](c, fc, op, code)
    stack.append([_OPERANDS, code, tok[2], hint])


def _flat_try_arm(c: Cursor, fc, out: bytearray, stack: list, frame: list, value: str) -> None:
    """``catch x`` / ``catch_all`` / ``delegate l`` in a flat ``try``
    (frame: [_FLAT, op, label, arms]; arms 2 after a catch_all)."""
    if frame[1] is not _TRY or frame[3] == 2 or (value == "delegate" and frame[3]):
        raise c.unexpected(c.i - 1)
    if value == "catch":
        out += _CATCH_OP.encoding
        out += uleb(fc.mod.tags.index(c))
        frame[3] = 1
    elif value == "catch_all":
        out += _CATCH_ALL_OP.encoding
        frame[3] = 2
    else:                               # delegate: ends the try; label outside it
        fc.labels.pop()
        stack.pop()
        out += _DELEGATE_OP.encoding
        out += uleb(label(c, fc))


def _try_arm(c: Cursor, fc, out: bytearray, stack: list, frame: list) -> None:
    """Inside ``(try ...)`` after its block type: the next arm, or ``)``."""
    seen = frame[1]
    if c.at_rp():
        if not seen:
            raise c.unexpected()            # (do ...) is required
        c.i += 1
        fc.labels.pop()
        stack.pop()
        out += END_BYTE
        return
    head = c.list_head() if c.at_lp() else None
    if head == "do" and not seen:
        frame[1] = 1
    elif head == "catch" and seen in (1, 2):
        c.i += 2
        out += _CATCH_OP.encoding
        out += uleb(fc.mod.tags.index(c))
        frame[1] = 2
        stack.append([_ARM])
        return
    elif head == "catch_all" and seen in (1, 2):
        frame[1] = 3
        out += _CATCH_ALL_OP.encoding
    elif head == "delegate" and seen == 1:
        c.i += 2
        fc.labels.pop()
        out += _DELEGATE_OP.encoding
        out += uleb(label(c, fc))
        c.rp()
        c.rp()                              # the try's own ")"
        stack.pop()
        return
    else:
        raise c.unexpected(c.i + 1 if c.at_lp() else None)
    c.i += 2
    stack.append([_ARM])


def _plain(c: Cursor, fc, op: Op, out: bytearray) -> None:
    """Op name already consumed: read immediates, append encoding."""
    if op.imm is Imm.NONE and op.name in _TYPED_VARIANT and c.at_list("result"):
        op = _TYPED_VARIANT[op.name]
    out += op.encoding
    IMMEDIATES[op.imm](c, fc, op, out)


def _end_label(c: Cursor, label_name: str | None) -> None:
    """An optional ``$id`` after ``end``/``else`` must repeat the block label."""
    tok = c.peek()
    if tok[0] == ID:
        if tok[1] != label_name:
            raise c.error("mismatching label")
        c.i += 1


def const_expr(c: Cursor, fc) -> bytes:
    """An expression up to ``)``, terminated with ``end``."""
    out = bytearray()
    instrs(c, fc, out)
    if not (c.at_end() or c.at_rp()):
        raise c.unexpected()      # a stray ``end`` / ``else``
    out += END_BYTE
    return bytes(out)


__all__ = ["instrs", "folded", "const_expr", "valtype", "reftype", "heaptype", "encode_valtype",
           "reftype_tokens",
           "nat32", "at_var", "label", "v128_literal", "V128_SHAPES", "IMMEDIATES"]
