"""Core-module binary decoder: bytes -> :class:`~.module.Module`.

Decodes the preamble and every section of Wasm 2.0 (plus extended-const,
whose only effect here is what may appear in constant expressions; that is
checked by the validator, and tail calls and wide arithmetic, which are rows
of the opcode table).  Features (:mod:`.features`) are not consulted here:
everything a feature that is off rejects is checked by the validator, which
is also where function bodies are decoded.  (One exception, on the error
path: a malformed section after the code section first re-scans the bodies,
with the memory-immediate encodings of the features in force, so that
multi-memory off reports Wasm 2.0's errors.)  Checks everything the spec calls *malformed* at
section level: magic/version, section ids, order and sizes, LEB128 rules
(via :mod:`.reader`), UTF-8 names, vector lengths, the function/code count
agreement and the data count agreement.  Function bodies are only delimited
here (byte ranges); their instructions are decoded lazily by the validator
and the translator.

A component-binary decoder will sit beside this one: the preamble's version
field tells the two apart (components use a different layer byte), and
components nest core modules, which they will decode by calling
:func:`decode_module` on a sub-range.
"""
from __future__ import annotations

from . import reader, unsupported
from .code import imm_readers, read_instr, read_reftype, read_valtype, scan_body
from .features import (BRANCH_HINTING, CUSTOM_PAGE_SIZES, EXCEPTIONS, FUNCTION_REFERENCES,
                       MEMORY64, current)
from .errors import MalformedError, WasmError
from .module import (ConstExpr, DataSegment, ElemSegment, Export, ExternKind,
                     Func, Global, Import, Limits64, Module, NameSection, Section,
                     SegmentMode)
from .opcodes import END
from .types import (FUNCREF, NONNULL, RAW, FuncType, GlobalType, Limits, MemType,
                    TableType, concrete, intern_func, raw_index)

MAGIC = b"\0asm"
VERSION = b"\x01\0\0\0"

SECTION_NAMES = {0: "custom", 1: "type", 2: "import", 3: "function", 4: "table",
                 5: "memory", 6: "global", 7: "export", 8: "start",
                 9: "element", 10: "code", 11: "data", 12: "datacount", 13: "tag"}
# Position of each non-custom section in the required order (datacount sits
# between element and code).
_ORDER = {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 5.5, 6: 6, 7: 7, 8: 8, 9: 9, 12: 10, 10: 11, 11: 12}

_u32 = reader.u32
_u8 = reader.u8


def _vec_len(data, pos, end):
    """A vector's element count.

    Not checked against what is left: the suite expects running out of
    elements to be "unexpected end", and since every element consumes at
    least one byte, a hostile count still ends at the end of the file.
    """
    return _u32(data, pos, end)


def _len32(data, pos, end):
    """A byte length (body size, data bytes); one beyond the file is malformed."""
    at = pos
    n, pos = _u32(data, pos, end)
    if n > end - pos:
        raise MalformedError("length out of bounds", at)
    return n, pos


def resolve(type_codes, t: int) -> int:
    """Value type ``t`` with a RAW concrete heap type (a module type index)
    replaced by its canonical code; an index beyond ``type_codes`` stays
    RAW, for the validator to report ("unknown type")."""
    if t < RAW or not t & RAW:
        return t
    i = raw_index(t)
    if i >= len(type_codes):
        return t
    return type_codes[i] | (t & NONNULL)


# Typed references are decoded whatever the features: the validator gates
# them (frontend.features: only the validator gates).
def _valtype(m, data, pos, end):
    t, pos = read_valtype(data, pos, end)
    return resolve(m.type_codes, t), pos


def _reftype(m, data, pos, end):
    t, pos = read_reftype(data, pos, end)
    return resolve(m.type_codes, t), pos


def _limits(data, pos, end, memory: bool = False):
    """Limits; for a memory also its page size's log2 (16 unless flag bit 3
    gives one): ``(limits, page_size_log2 | None, pos)``."""
    # The flag is a 1-bit LEB128 in the reference grammar, hence the messages.
    # Bit 2 (memory64): 64-bit indices, u64 bounds; the validator gates it.
    # With memory64 (Wasm 3.0) the flags are a byte: anything but 0, 1, 4, 5
    # is "malformed limits flags"; Wasm 2.0 words it as a 1-bit LEB128.
    # Bit 3 (custom-page-sizes, memories only): a u32 page size log2 follows
    # the bounds; the validator gates it and checks the size.
    wasm3 = MEMORY64 in current()
    flag, pos = _u8(data, pos, end)
    if flag & 0x80:
        raise MalformedError("malformed limits flags" if wasm3
                             else "integer representation too long", pos - 1)
    if flag & ~(0x0D if memory else 0x05):
        msg = "malformed limits flags" if wasm3 else "integer too large"
        raise (unsupported.limits_flags(flag, pos - 1, msg) or MalformedError(msg, pos - 1))
    # Wasm 3.0 reads every bound as u64 (validation bounds a 32-bit one);
    # Wasm 2.0 (memory64 off) as u32: a larger one is malformed
    read = reader.u64 if flag & 0x04 or wasm3 else _u32
    lo, pos = read(data, pos, end)
    hi = None
    if flag & 1:
        hi, pos = read(data, pos, end)
    log2 = None
    if flag & 0x08:
        at = pos
        log2, pos = _u32(data, pos, end)
        if log2 >= 64:                  # 2**p does not fit a u64
            raise MalformedError("invalid custom page size", at)
    return (Limits64 if flag & 0x04 else Limits)(lo, hi), log2, pos


def _memtype(data, pos, end, gate_at: int, what: str):
    """A memory type.  With custom-page-sizes off, flag bit 3 is rejected
    here, before its page size is read (the Wasm 3.0 suite calls even a
    truncated one 'malformed limits flags'), at the offset and in the words
    of the validator's gate (``gate_at``: the import, or the memory
    section's payload; ``what``)."""
    if pos < end and data[pos] & 0x88 == 0x08 and CUSTOM_PAGE_SIZES not in current():
        msg = "malformed limits flags" if MEMORY64 in current() else "integer too large"
        raise unsupported.disabled(CUSTOM_PAGE_SIZES, gate_at, what, msg)
    lim, log2, pos = _limits(data, pos, end, memory=True)
    if log2 is None:
        return MemType(lim), pos
    return MemType(lim, log2, custom_page_size=True), pos


def _tabletype(m, data, pos, end):
    t, pos = _reftype(m, data, pos, end)
    lim, _, pos = _limits(data, pos, end)
    return TableType(t, lim), pos


def _globaltype(m, data, pos, end):
    t, pos = _valtype(m, data, pos, end)
    m, pos = _u8(data, pos, end)
    if m > 1:
        raise MalformedError("malformed mutability", pos - 1)
    return GlobalType(t, bool(m)), pos


def const_expr(data, pos, end) -> tuple[ConstExpr, int]:
    """Decode a constant expression up to and including its ``end``."""
    start = pos
    instrs = []
    depth = 0               # blocks opened inside (never constant: the
    while True:             # validator rejects them), as the reference
        op, imm, npos = read_instr(data, pos, end)   # decoder nests them
        if op is END:
            if not depth:
                return ConstExpr(instrs, start, npos), npos
            depth -= 1
        elif not op.prefix and op.code in _BLOCK_OPENERS:
            depth += 1
        if op.feature is EXCEPTIONS:
            _need_eh(pos, op.name, "illegal opcode")
        instrs.append((op, imm, pos))
        pos = npos


_BLOCK_OPENERS = frozenset((0x02, 0x03, 0x04, 0x1F))   # block loop if try_table


# ---- one function per section; each returns nothing, filling ``m`` -------

def _type_section(m, data, pos, end):
    n, pos = _vec_len(data, pos, end)
    for i in range(n):
        form, pos = _u8(data, pos, end)
        if form != 0x60:
            raise (unsupported.type_form(form, pos - 1) or
                   MalformedError("integer representation too long" if form & 0x80
                                  else "malformed function type", pos - 1))
        np, pos = _vec_len(data, pos, end)
        params = []
        for _ in range(np):
            t, pos = _valtype(m, data, pos, end)
            params.append(t)
        nr, pos = _vec_len(data, pos, end)
        results = []
        for _ in range(nr):
            t, pos = _valtype(m, data, pos, end)
            results.append(t)
        _add_type(m, i, tuple(params), tuple(results))
    return pos


def _add_type(m, i: int, params: tuple, results: tuple) -> None:
    """Type ``i``: interned (its references to earlier types are canonical
    already; one to itself is its rec group's ``rec.0``); a reference to a
    later type stays RAW (invalid: "unknown type")."""
    me, rec0 = concrete(i, raw=True), concrete(0, raw=True)

    def key(t):
        return rec0 | (t & NONNULL) if t >= RAW and t & ~NONNULL == me else t
    code = intern_func(tuple(map(key, params)), tuple(map(key, results)))
    m.type_codes.append(code)

    def fix(t):
        return code | (t & NONNULL) if t >= RAW and t & ~NONNULL == me else t
    m.types.append(FuncType(tuple(map(fix, params)), tuple(map(fix, results))))


def _import_section(m, data, pos, end):
    n, pos = _vec_len(data, pos, end)
    for _ in range(n):
        at = pos
        modname, pos = reader.name(data, pos, end)
        name, pos = reader.name(data, pos, end)
        kind, pos = _u8(data, pos, end)
        if kind == 0:
            desc, pos = _u32(data, pos, end)
            m.func_types.append(desc)
        elif kind == 1:
            desc, pos = _tabletype(m, data, pos, end)
            m.table_types.append(desc)
        elif kind == 2:
            desc, pos = _memtype(data, pos, end, at, "memory import with a page size")
            m.mem_types.append(desc)
        elif kind == 3:
            desc, pos = _globaltype(m, data, pos, end)
            m.global_types.append(desc)
        elif kind == 4:
            _need_eh(pos - 1, "tag import", "malformed import kind")
            desc, pos = _tagtype(data, pos, end)
            m.tag_types.append(desc)
        else:
            raise MalformedError("malformed import kind", pos - 1)
        m.imports.append(Import(modname, name, ExternKind(kind), desc, at))
    m.num_imported_funcs = len(m.func_types)
    m.num_imported_tables = len(m.table_types)
    m.num_imported_mems = len(m.mem_types)
    m.num_imported_globals = len(m.global_types)
    m.num_imported_tags = len(m.tag_types)
    return pos


def _need_eh(at: int, what: str, spec_message: str) -> None:
    """Exception handling's encodings (tags, throw_ref...) are what Wasm 2.0
    calls malformed: with the feature off the decoder says so (the Wasm 2.0
    suite's binary.wast expects it), naming the feature."""
    if EXCEPTIONS not in current():
        raise unsupported.disabled(EXCEPTIONS, at, what, spec_message)


def _tagtype(data, pos, end):
    """A tag type: attribute byte 0 (exception), then a type index."""
    attr, pos = _u8(data, pos, end)
    if attr != 0:
        raise MalformedError("malformed tag attribute", pos - 1)
    return _u32(data, pos, end)


def _tag_section(m, data, pos, end):
    n, pos = _vec_len(data, pos, end)
    for _ in range(n):
        t, pos = _tagtype(data, pos, end)
        m.tags.append(t)
        m.tag_types.append(t)
    return pos


def _function_section(m, data, pos, end):
    n, pos = _vec_len(data, pos, end)
    for _ in range(n):
        t, pos = _u32(data, pos, end)
        m.funcs.append(Func(t, 0, 0))
        m.func_types.append(t)
    return pos


def _table_section(m, data, pos, end):
    n, pos = _vec_len(data, pos, end)
    for _ in range(n):
        init = None
        if pos + 1 < end and data[pos] == 0x40:   # 0x40 0x00 tabletype expr
            if data[pos + 1] != 0:
                raise MalformedError("malformed table", pos + 1)
            pos += 2
            tt, pos = _tabletype(m, data, pos, end)
            init, pos = const_expr(data, pos, end)
        else:
            tt, pos = _tabletype(m, data, pos, end)
        m.tables.append(tt)
        m.table_inits.append(init)
        m.table_types.append(tt)
    return pos


def _memory_section(m, data, pos, end):
    start = pos
    n, pos = _vec_len(data, pos, end)
    for _ in range(n):
        mt, pos = _memtype(data, pos, end, start, "memory with a page size")
        m.mems.append(mt)
        m.mem_types.append(mt)
    return pos


def _global_section(m, data, pos, end):
    n, pos = _vec_len(data, pos, end)
    for _ in range(n):
        gt, pos = _globaltype(m, data, pos, end)
        init, pos = const_expr(data, pos, end)
        m.globals.append(Global(gt, init))
        m.global_types.append(gt)
    return pos


def _export_section(m, data, pos, end):
    n, pos = _vec_len(data, pos, end)
    for _ in range(n):
        at = pos
        name, pos = reader.name(data, pos, end)
        kind, pos = _u8(data, pos, end)
        if kind > 4:
            raise MalformedError("malformed export kind", pos - 1)
        if kind == 4:
            _need_eh(pos - 1, "tag export", "malformed export kind")
        idx, pos = _u32(data, pos, end)
        m.exports.append(Export(name, ExternKind(kind), idx, at))
    return pos


def _start_section(m, data, pos, end):
    m.start, pos = _u32(data, pos, end)
    return pos


def _funcidx_vec(data, pos, end):
    n, pos = _vec_len(data, pos, end)
    out = []
    for _ in range(n):
        f, pos = _u32(data, pos, end)
        out.append(f)
    return out, pos


def _expr_vec(data, pos, end):
    n, pos = _vec_len(data, pos, end)
    out = []
    for _ in range(n):
        e, pos = const_expr(data, pos, end)
        out.append(e)
    return out, pos


def _elemkind(data, pos, end):
    k, pos = _u8(data, pos, end)
    if k != 0:
        raise MalformedError("malformed element kind", pos - 1)
    return _FUNC_INDICES(), pos


def _FUNC_INDICES() -> int:
    """The element type of a segment of function indices: ``(ref func)``
    with typed function references (an index is never null), else funcref."""
    return FUNCREF | NONNULL if FUNCTION_REFERENCES in current() else FUNCREF


def _element_section(m, data, pos, end):
    n, pos = _vec_len(data, pos, end)
    for _ in range(n):
        at = pos
        flags, pos = _u32(data, pos, end)
        if flags > 7:
            raise MalformedError("malformed elements segment kind", at)
        # bit 0: passive/declarative; bit 1: explicit table (active) or
        # declarative (non-active); bit 2: expressions instead of indices.
        table, offset = 0, None
        if flags & 1:
            mode = SegmentMode.DECLARATIVE if flags & 2 else SegmentMode.PASSIVE
        else:
            mode = SegmentMode.ACTIVE
            if flags & 2:
                table, pos = _u32(data, pos, end)
            offset, pos = const_expr(data, pos, end)
        if flags & 3 == 0:
            etype = FUNCREF if flags & 4 else _FUNC_INDICES()   # flags 0 / 4: implicit
        elif flags & 4:
            etype, pos = _reftype(m, data, pos, end)
        else:
            etype, pos = _elemkind(data, pos, end)
        funcs = exprs = None
        if flags & 4:
            exprs, pos = _expr_vec(data, pos, end)
        else:
            funcs, pos = _funcidx_vec(data, pos, end)
        m.elems.append(ElemSegment(mode, etype, table, offset, funcs, exprs, at))
    return pos


def _code_section(m, data, pos, end):
    # The count is compared with the function section's at the end of the
    # module (the reference interpreter's order of checks, which the suite
    # observes when sections are duplicated or misplaced).
    n, pos = _vec_len(data, pos, end)
    for _ in range(n):
        size, pos = _len32(data, pos, end)
        m.bodies.append((pos, pos + size))
        pos += size
    return pos


def _data_section(m, data, pos, end):
    n, pos = _vec_len(data, pos, end)
    if m.data_count is not None and n != m.data_count:
        raise MalformedError("data count and data section have inconsistent lengths", pos)
    for _ in range(n):
        at = pos
        flags, pos = _u32(data, pos, end)
        mem, offset = 0, None
        if flags == 1:
            mode = SegmentMode.PASSIVE
        elif flags == 0 or flags == 2:
            mode = SegmentMode.ACTIVE
            if flags == 2:
                mem, pos = _u32(data, pos, end)
            offset, pos = const_expr(data, pos, end)
        else:
            raise MalformedError("malformed data segment kind", at)
        size, pos = _u32(data, pos, end)
        if size > end - pos:     # a plain u32 in the reference grammar: not len32
            raise reader.eof(data, end, end)
        m.datas.append(DataSegment(mode, mem, offset, pos, pos + size, at))
        pos += size
    return pos


def _datacount_section(m, data, pos, end):
    m.data_count, pos = _u32(data, pos, end)
    return pos


_SECTION_DECODERS = {1: _type_section, 2: _import_section, 3: _function_section,
                     4: _table_section, 5: _memory_section, 6: _global_section,
                     7: _export_section, 8: _start_section, 9: _element_section,
                     10: _code_section, 11: _data_section, 12: _datacount_section,
                     13: _tag_section}


def _name_map(data, pos, end):
    n, pos = _vec_len(data, pos, end)
    out = {}
    for _ in range(n):
        idx, pos = _u32(data, pos, end)
        s, pos = reader.name(data, pos, end)
        out[idx] = s
    return out, pos


BRANCH_HINT_SECTION = "metadata.code.branch_hint"


def decode_branch_hints(data, pos: int, end: int) -> dict[int, dict[int, int]]:
    """The branch-hinting proposal's section: ``vec(funcidx vec(offset:u32
    size:u32 hint:byte))``, ``size`` 1 and ``hint`` 0 (unlikely) or 1
    (likely) (tool-conventions CodeMetadata.md).  Raises MalformedError."""
    out: dict[int, dict[int, int]] = {}
    n, pos = _vec_len(data, pos, end)
    for _ in range(n):
        fn, pos = _u32(data, pos, end)
        k, pos = _vec_len(data, pos, end)
        hints = out.setdefault(fn, {})
        for _ in range(k):
            off, pos = _u32(data, pos, end)
            size, pos = _u32(data, pos, end)
            if size != 1 or pos >= end or data[pos] > 1:
                raise MalformedError("malformed branch hint", pos)
            hints[off] = data[pos]
            pos += 1
    if pos != end:
        raise MalformedError("malformed branch hint section", pos)
    return out


def decode_name_section(data, pos: int, end: int) -> NameSection:
    """Decode the ``name`` custom section (module, function and local names).

    Raises MalformedError; callers treat a bad name section as absent, because
    custom sections never make a module invalid.
    """
    ns = NameSection()
    while pos < end:
        sub, pos = _u8(data, pos, end)
        size, pos = _u32(data, pos, end)
        sub_end = pos + size
        if sub_end > end:
            raise MalformedError("unexpected end of section or function", pos)
        if sub == 0:
            ns.module, pos = reader.name(data, pos, sub_end)
        elif sub == 1:
            ns.funcs, pos = _name_map(data, pos, sub_end)
        elif sub == 2:
            n, pos = _vec_len(data, pos, sub_end)
            for _ in range(n):
                f, pos = _u32(data, pos, sub_end)
                ns.locals[f], pos = _name_map(data, pos, sub_end)
        pos = sub_end           # other subsections (labels, types...) are skipped
    return ns


def decode_module(data: bytes, filename: str | None = None) -> Module:
    """Decode a core Wasm module binary.  Raises :class:`MalformedError`."""
    if not isinstance(data, bytes):
        data = bytes(data)      # (a bytes subclass stays: text.wat.WatBinary locates errors)
    try:
        return _decode(data, filename)
    except WasmError as e:
        if e.filename is None:
            e.filename = filename
        raise located(unsupported.explain(e, data), data) from None


def located(err: WasmError, data) -> WasmError:
    """``err``, with the text's line:column when ``data`` was encoded from
    text (:class:`~.text.wat.WatBinary`); error path only."""
    locate = getattr(data, "locate", None)
    return locate(err) if locate is not None else err


def _decode(data: bytes, filename: str | None) -> Module:
    n = len(data)
    if n < 4:
        raise MalformedError("unexpected end", n)
    if data[:4] != MAGIC:
        raise MalformedError("magic header not detected" + _what_instead(data), 0)
    if n < 8:
        raise MalformedError("unexpected end", n)
    if data[4:8] != VERSION:
        raise MalformedError("unknown binary version", 4)
    m = Module(data, filename)
    try:
        return _sections(m, data, n)
    except MalformedError as e:
        # Function bodies are decoded lazily, but a malformed body that comes
        # before this error in the byte stream must win (stream order).
        _first_body_error(m, data, e.offset if e.offset is not None else n)
        raise


def _what_instead(data: bytes) -> str:
    """``: this is ...`` for a known kind of non-Wasm input (error path)."""
    from .sniff import describe
    what = describe(data)
    if what is None:
        return ""
    if what == "WebAssembly text":
        return ": this is WebAssembly text, not a binary (name it .wat)"
    return f": this is {what}, not a Wasm module"


def _first_body_error(m: Module, data: bytes, before: int) -> None:
    for start, stop in m.bodies:
        if start >= before:
            return
        scan_body(data, start, stop, imm_readers(current()))   # raises the body's own error


def _sections(m: Module, data: bytes, n: int) -> Module:
    pos = 8
    last = 0
    while pos < n:
        at = pos
        sid = data[pos]
        pos += 1
        if sid > 13:
            raise MalformedError("malformed section id", at)
        if sid == 13:
            _need_eh(at, "tag section (id 13)", "malformed section id")
        try:
            size, pos = _u32(data, pos, n)
        except MalformedError as e:
            if e.message.startswith("unexpected end"):
                e.message = "unexpected end"    # at top level: the file ended
                e.args = (e.message,)
            raise
        end = pos + size
        if end > n:
            raise MalformedError("length out of bounds", pos)
        # Sections are decoded against the end of the *file*, and the size is
        # checked afterwards ("section size mismatch"), as the reference
        # interpreter does: the suite's expected messages depend on it (an
        # over-long LEB128 crossing a section end is "integer representation
        # too long", not "unexpected end").
        if sid == 0:
            cname, cpos = reader.name(data, pos, n)
            if cpos > end:
                raise MalformedError("unexpected end of section or function", end)
            sec = Section(0, cname, at, cpos, end)
            m.customs.append(sec)
            if cname == "name" and m.names is None:
                try:
                    m.names = decode_name_section(data, cpos, end)
                except WasmError:
                    m.names = None       # a broken name section is just ignored
            elif (cname == BRANCH_HINT_SECTION and m.branch_hints is None
                  and BRANCH_HINTING in current()):
                try:
                    m.branch_hints = decode_branch_hints(data, cpos, end)
                except WasmError:
                    m.branch_hints = None  # advisory: a broken section is ignored
            pos = end
        else:
            order = _ORDER[sid]
            if order <= last:
                raise MalformedError("unexpected content after last section", at)
            last = order
            sec = Section(sid, SECTION_NAMES[sid], at, pos, end)
            pos = _SECTION_DECODERS[sid](m, data, pos, n)
            if pos != end:
                raise MalformedError("section size mismatch", pos)
        m.sections.append(sec)
    if len(m.bodies) != len(m.funcs):
        raise MalformedError("function and code section have inconsistent lengths", n)
    for f, (start, stop) in zip(m.funcs, m.bodies):
        f.body_start, f.body_end = start, stop
    if m.data_count is not None and m.data_count != len(m.datas) and \
            not any(s.id == 11 for s in m.sections):
        raise MalformedError("data count and data section have inconsistent lengths", n)
    return m
