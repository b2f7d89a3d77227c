"""Modules: fields, index spaces, type uses, and the binary they become.

Parsing is two passes over the module's fields:

1. *Declare*: walk the fields in text order, read only their headers and bind
   every identifier (types are parsed completely here, since everything else
   refers to them).  Inline ``(import ...)`` on func/table/memory/global makes
   the field an import; imports after a definition are rejected (``import
   after function``), which is what makes "index = position in text order"
   correct for every index space.  Tables with inline ``(elem ...)`` and
   memories with inline ``(data ...)`` also declare their segment here, so
   segment indices follow text order too.
2. *Define*: walk again and parse everything, appending section entries.
   Type uses without a matching explicit type append an implicit type at the
   end of the type section, deduplicated, in order of first use (spec
   "abbreviations" for type uses) -- function headers and block types alike,
   in text order, after all explicit types are known.

The encoding choices (which of the 8 elem / 3 data segment forms) follow the
text: index lists stay index lists, an explicit ``(table x)`` or
``(memory x)`` selects the form with an explicit index.  These are the
choices the ``wast`` crate (wasmtime's wat2wasm) makes, so our output can be
compared byte for byte against it in the tests.
"""
from __future__ import annotations

from ..features import MEMORY64, current
from ..types import FUNCREF
from .cursor import Cursor
from .encode import MAGIC_VERSION, limits, name, section, sleb, uleb
from .instr import (at_var, const_expr, encode_valtype, folded, instrs, nat32, nat64, reftype,
                    reftype_tokens, valtype)
from .lexer import ATOM, ID, LP, Tokens, tokenize

_EXPORT_KINDS = {"func": 0, "table": 1, "memory": 2, "global": 3, "tag": 4}
_DEF_KINDS = ("func", "table", "memory", "global", "tag")
_DESCRIPTIVE = {"func": "function", "table": "table", "memory": "memory", "global": "global",
                "tag": "tag"}
_FIELDS = frozenset(("type", "import", "func", "table", "memory", "global", "export", "tag",
                     "start", "elem", "data", "@custom"))
# Where ``(@custom ...)`` sections may be placed: ``(before|after S)`` for
# these section names (plus ``first``/``last``), in binary order.
_PLACES = ("type", "import", "func", "table", "memory", "tag", "global", "export", "start",
           "elem",
           "datacount", "code", "data")


class Space:
    """One index space: identifier bindings and the next free index."""

    __slots__ = ("kind", "what", "names", "count")

    def __init__(self, kind: str, what: str | None = None):
        self.kind = kind                 # for "duplicate func $f"
        self.what = what or kind         # for "unknown function $f"
        self.names: dict[str, int] = {}
        self.count = 0

    def define(self, ident: str | None, c: Cursor, offset: int) -> int:
        idx = self.count
        self.count += 1
        if ident is not None:
            if ident in self.names:
                raise c.error(f"duplicate {self.kind} {ident}", offset)
            self.names[ident] = idx
        return idx

    def index(self, c: Cursor) -> int:
        tok = c.peek()
        if tok[0] == ID:
            idx = self.names.get(tok[1])
            if idx is None:
                raise c.error(f"unknown {self.what} {tok[1]}")
            c.i += 1
            return idx
        return nat32(c)


class FuncContext:
    """What instruction parsing needs besides the module (see ``instr``)."""

    __slots__ = ("mod", "locals", "labels", "marks", "hinted")

    def __init__(self, mod: "ModuleContext", locals_: Space | None = None):
        self.mod = mod
        self.locals = locals_ or Space("local")
        self.labels: list[str | None] = []
        self.marks: list[tuple[int, int]] | None = None   # see SourceMap
        #: a function body's branch hints, (offset in the body, hint), when
        #: the text has any (instr.py records them)
        self.hinted: list[tuple[int, int]] | None = None


Sig = tuple[tuple[int, ...], tuple[int, ...]]


class ModuleContext:
    def __init__(self, tokens: Tokens):
        self.tokens = tokens
        self.types = Space("type")
        self.funcs = Space("func", "function")
        self.tables = Space("table")
        self.mems = Space("memory")
        self.globals = Space("global")
        self.tags = Space("tag")
        self.elems = Space("elem", "elem segment")
        self.datas = Space("data", "data segment")
        self.spaces = {"func": self.funcs, "table": self.tables,
                       "memory": self.mems, "global": self.globals, "tag": self.tags}
        self.sigs: list[Sig] = []
        self.type_names: dict[str, int] = {}
        self._sig_index: dict[Sig, int] = {}
        self.uses_data_count = False
        # section contents
        self.imports: list[bytes] = []
        self.func_types: list[int] = []
        self.table_defs: list[bytes] = []
        self.mem_defs: list[bytes] = []
        self.global_defs: list[bytes] = []
        self.tag_defs: list[bytes] = []
        self.exports: list[bytes] = []
        self.start: int | None = None
        self.elem_segs: list[bytes] = []
        self.data_segs: list[bytes] = []
        self.codes: list[bytes] = []
        # (@custom ...): (place, "before"/"after", encoded section), in text order
        self.customs: list[tuple[str, str, bytes]] = []
        # for the "name" custom section: funcidx -> {localidx: name}
        self.local_names: dict[int, dict[int, str]] = {}
        # only while building a SourceMap: code entry -> its instruction marks
        self.body_marks: list[list[tuple[int, int]]] | None = None
        # (funcidx, [(offset in its body, hint)]) of each hinted function
        self.branch_hints: list[tuple[int, list[tuple[int, int]]]] = []

    # -- types ----------------------------------------------------------------
    def type_ref(self, c: Cursor) -> int:
        """A type index in a reference type: a ``$name`` may be a type
        defined later (:func:`_type_names`)."""
        tok = c.peek()
        if tok[0] == ID and tok[1] not in self.types.names and tok[1] in self.type_names:
            c.i += 1
            return self.type_names[tok[1]]
        return self.types.index(c)

    def add_sig(self, sig: Sig) -> int:
        idx = len(self.sigs)
        self.sigs.append(sig)
        self._sig_index.setdefault(sig, idx)
        return idx

    def implicit(self, sig: Sig) -> int:
        """Index of the first type equal to ``sig``, appending one if none."""
        idx = self._sig_index.get(sig)
        if idx is None:
            idx = self.add_sig(sig)
            self.types.count += 1
        return idx

    def _inline_sig(self, c: Cursor, names: bool) -> tuple[list, list, list]:
        """``(param ...)* (result ...)*`` -> (params, param names, results)."""
        params: list[int] = []
        pnames: list = []
        while c.at_list("param"):
            c.i += 2
            if c.at_id():
                if not names:
                    raise c.unexpected()
                off = c.offset()
                pnames.append((c.take_id(), off))
                params.append(valtype(c, self))
            else:
                while not c.at_rp():
                    params.append(valtype(c, self))
                    pnames.append(None)
            c.rp()
        results: list[int] = []
        while c.at_list("result"):
            c.i += 2
            while not c.at_rp():
                results.append(valtype(c, self))
            c.rp()
        if c.at_list("param"):
            raise c.unexpected()        # params must come before results
        return params, pnames, results

    def typeuse(self, c: Cursor, names: bool) -> tuple[int, Sig, list]:
        """``(type x)? (param ...)* (result ...)*`` -> (type index, signature,
        parameter names); appends an implicit type if needed."""
        x = None
        if c.at_list("type"):
            c.i += 2
            x = self.types.index(c)
            c.rp()
        at = c.offset()
        params, pnames, results = self._inline_sig(c, names)
        sig = (tuple(params), tuple(results))
        if x is None:
            return self.implicit(sig), sig, pnames
        inline = bool(params or results)
        if x < len(self.sigs):
            if inline and self.sigs[x] != sig:
                raise c.error("inline function type", at)
            if not inline:
                sig = self.sigs[x]
                pnames = [None] * len(sig[0])
        elif inline:
            raise c.error(f"unknown type {x}", at)
        return x, sig, pnames

    def blocktype(self, c: Cursor) -> bytes:
        head = c.list_head()
        if head == "type":
            return sleb(self.typeuse(c, False)[0])
        if head != "param" and head != "result":
            return b"\x40"
        params, _, results = self._inline_sig(c, False)
        if not params:
            if not results:
                return b"\x40"
            if len(results) == 1:
                return encode_valtype(results[0])
        return sleb(self.implicit((tuple(params), tuple(results))))


# ------------------------------------------------------------------------------
# pass 1: declare
# ------------------------------------------------------------------------------

def _skip_exports(c: Cursor) -> None:
    while c.at_list("export"):
        c.skip_list()


def _declare(m: ModuleContext, head: str, c: Cursor, state: dict) -> None:
    """``c`` is positioned after ``(head``."""
    off = c.offset()
    if head == "type":
        ident = c.take_id()
        c.open("func")
        params, _, results = m._inline_sig(c, True)
        c.rp()
        if not c.at_end():
            raise c.unexpected()
        m.types.define(ident, c, off)
        m.add_sig((tuple(params), tuple(results)))
        return
    if head == "import":
        c.name()
        c.name()
        kind = c.list_head()
        if kind not in _DEF_KINDS:
            raise c.unexpected(c.i + 1 if c.at_lp() else None)
        _check_import_order(c, state)
        c.i += 2
        m.spaces[kind].define(c.take_id(), c, off)
        return
    if head in _DEF_KINDS:
        ident = c.take_id()
        _skip_exports(c)
        if c.at_list("import"):
            _check_import_order(c, state)
        else:
            state.setdefault("first_def", head)
            n = reftype_tokens(c) if head == "table" else 0
            if n and c.at_list_at(n, "elem"):
                m.elems.define(None, c, off)
            elif head == "memory" and c.at_list("data"):
                m.datas.define(None, c, off)
        m.spaces[head].define(ident, c, off)
        return
    if head == "elem":
        m.elems.define(c.take_id(), c, off)
    elif head == "data":
        m.datas.define(c.take_id(), c, off)


def _check_import_order(c: Cursor, state: dict) -> None:
    first = state.get("first_def")
    if first is not None:
        raise c.error(f"import after {_DESCRIPTIVE[first]}")


# ------------------------------------------------------------------------------
# pass 2: define
# ------------------------------------------------------------------------------

def _inline_exports(m: ModuleContext, c: Cursor, kind: str, idx: int) -> None:
    while c.at_list("export"):
        c.i += 2
        n = c.name()
        c.rp()
        m.exports.append(name(n) + bytes((_EXPORT_KINDS[kind],)) + uleb(idx))


def _inline_import(c: Cursor) -> bytes | None:
    if not c.at_list("import"):
        return None
    c.i += 2
    mod = c.name()
    item = c.name()
    c.rp()
    return name(mod) + name(item)


def _address_type(c: Cursor) -> bool:
    """An optional ``i32``/``i64`` before limits: whether it is i64 (memory64)."""
    tok = c.peek()
    if tok[0] == ATOM and tok[1] in ("i32", "i64"):
        c.i += 1
        return tok[1] == "i64"
    return False


def _limits(c: Cursor) -> bytes:
    is64 = _address_type(c)
    nat = nat64 if is64 or MEMORY64 in current() else nat32    # as the binary decoder
    lo = nat(c)
    hi = None
    tok = c.peek()
    if tok[0] == ATOM and tok[1][:1].isdigit():
        hi = nat(c)
    lim = limits(lo, hi)
    return bytes((lim[0] | 0x04,)) + lim[1:] if is64 else lim


def _pagesize(c: Cursor) -> int | None:
    """An optional ``(pagesize N)`` (custom-page-sizes): log2 of N, which
    must be a power of two (validation then allows only 1 and 65536)."""
    if not c.at_list("pagesize"):
        return None
    c.i += 2
    at = c.offset()
    n = nat32(c)
    if n == 0 or n & (n - 1):
        raise c.error("invalid custom page size", at)
    c.rp()
    return n.bit_length() - 1


def _with_pagesize(lim: bytes, log2: int | None) -> bytes:
    """Encoded limits with flag bit 3 and the page size's log2 appended."""
    if log2 is None:
        return lim
    return bytes((lim[0] | 0x08,)) + lim[1:] + uleb(log2)


def _memtype(c: Cursor) -> bytes:
    lim = _limits(c)
    return _with_pagesize(lim, _pagesize(c))


def _tabletype(c: Cursor, m=None) -> bytes:
    lim = _limits(c)
    return encode_valtype(reftype(c, m)) + lim


def _globaltype(c: Cursor, m=None) -> bytes:
    if c.at_list("mut"):
        c.i += 2
        t = valtype(c, m)
        c.rp()
        return encode_valtype(t) + b"\x01"
    return encode_valtype(valtype(c, m)) + b"\x00"


def _end(c: Cursor) -> None:
    if not c.at_end():
        raise c.unexpected()


def _define_import(m: ModuleContext, c: Cursor) -> None:
    prefix = name(c.name()) + name(c.name())
    kind = c.list_head()
    c.i += 2
    c.take_id()
    prefix += _import_desc(m, c, kind)
    c.rp()
    _end(c)
    m.imports.append(prefix)


def _import_desc(m: ModuleContext, c: Cursor, kind: str) -> bytes:
    if kind == "func":
        return b"\x00" + uleb(m.typeuse(c, True)[0])
    if kind == "table":
        return b"\x01" + _tabletype(c, m)
    if kind == "memory":
        return b"\x02" + _memtype(c)
    if kind == "tag":
        return b"\x04\x00" + uleb(m.typeuse(c, False)[0])
    return b"\x03" + _globaltype(c, m)


def _define_func(m: ModuleContext, c: Cursor, idx: int) -> None:
    c.take_id()
    _inline_exports(m, c, "func", idx)
    imp = _inline_import(c)
    if imp is not None:
        m.imports.append(imp + _import_desc(m, c, "func"))
        _end(c)
        return
    typeidx, sig, pnames = m.typeuse(c, True)
    m.func_types.append(typeidx)
    fc = FuncContext(m)
    if m.body_marks is not None:
        fc.marks = []
        m.body_marks.append(fc.marks)
    if m.tokens.hints:
        fc.hinted = []
    for p in pnames:
        if p is None:
            fc.locals.define(None, c, 0)
        else:
            fc.locals.define(p[0], c, p[1])
    local_types: list[int] = []
    while c.at_list("local"):
        c.i += 2
        if c.at_id():
            off = c.offset()
            fc.locals.define(c.take_id(), c, off)
            local_types.append(valtype(c, m))
        else:
            while not c.at_rp():
                fc.locals.define(None, c, 0)
                local_types.append(valtype(c, m))
        c.rp()
    body = bytearray()
    # runs of equal types, as the binary format groups them
    runs: list[tuple[int, int]] = []
    for t in local_types:
        if runs and runs[-1][1] == t:
            runs[-1] = (runs[-1][0] + 1, t)
        else:
            runs.append((1, t))
    body += uleb(len(runs))
    for n, t in runs:
        body += uleb(n)
        body += encode_valtype(t)
    instrs(c, fc, body)
    _end(c)
    if fc.marks is not None:
        fc.marks.append((len(body), c.offset()))    # the implicit end: the field's ")"
    body.append(0x0B)
    m.codes.append(uleb(len(body)) + body)
    if fc.hinted:
        m.branch_hints.append((idx, fc.hinted))
    if fc.locals.names:
        m.local_names[idx] = {i: n for n, i in fc.locals.names.items()}


def _expr_or_offset(m: ModuleContext, c: Cursor, keyword: str) -> bytes:
    """``(keyword instr*)`` or one folded instruction (the abbreviation)."""
    fc = FuncContext(m)
    if c.at_list(keyword):
        c.i += 2
        e = const_expr(c, fc)
        c.rp()
        return e
    out = bytearray()
    folded(c, fc, out)
    out.append(0x0B)
    return bytes(out)


def _elem_exprs(m: ModuleContext, c: Cursor) -> list[bytes]:
    items = []
    while c.at_lp():
        items.append(_expr_or_offset(m, c, "item"))
    return items


def _func_indices(m: ModuleContext, c: Cursor) -> list[int]:
    out = []
    while at_var(c):
        out.append(m.funcs.index(c))
    return out


def _define_table(m: ModuleContext, c: Cursor, idx: int) -> None:
    c.take_id()
    _inline_exports(m, c, "table", idx)
    imp = _inline_import(c)
    if imp is not None:
        m.imports.append(imp + b"\x01" + _tabletype(c, m))
        _end(c)
        return
    is64 = c.peek()[0] == ATOM and c.peek()[1] == "i64" and c.peek(1)[0] in (ATOM, LP)
    if is64:
        c.i += 1
        if not reftype_tokens(c):
            c.i -= 1
            is64 = False
    if reftype_tokens(c):
        # (table reftype (elem ...)): table sized to fit, active segment at 0
        et = encode_valtype(reftype(c, m))
        zero = b"\x42\x00\x0b" if is64 else b"\x41\x00\x0b"
        c.open("elem")
        if c.at_lp():
            items = _elem_exprs(m, c)
            seg = b"\x06" + uleb(idx) + zero + et + uleb(len(items)) + b"".join(items)
            n = len(items)
        else:
            funcs = _func_indices(m, c)
            n = len(funcs)
            if et == bytes((FUNCREF,)):
                seg = (b"\x02" + uleb(idx) + zero + b"\x00" + uleb(n)
                       + b"".join(uleb(f) for f in funcs))
            else:   # a typed table: the indices as (ref.func x) of its type
                seg = (b"\x06" + uleb(idx) + zero + et + uleb(n)
                       + b"".join(b"\xd2" + uleb(f) + b"\x0b" for f in funcs))
        c.rp()
        _end(c)
        lim = limits(n, n)
        m.table_defs.append(et + bytes((lim[0] | (0x04 if is64 else 0),)) + lim[1:])
        m.elem_segs.append(seg)
        return
    tt = _tabletype(c, m)
    if c.at_end():
        m.table_defs.append(tt)
        return
    # typed function references: an initializer expression (0x40 0x00 form)
    fc = FuncContext(m)
    init = bytearray()
    instrs(c, fc, init)
    init.append(0x0B)
    _end(c)
    m.table_defs.append(b"\x40\x00" + tt + bytes(init))


def _define_memory(m: ModuleContext, c: Cursor, idx: int) -> None:
    c.take_id()
    _inline_exports(m, c, "memory", idx)
    imp = _inline_import(c)
    if imp is not None:
        m.imports.append(imp + b"\x02" + _memtype(c))
        _end(c)
        return
    is64 = c.peek()[0] == ATOM and c.peek()[1] == "i64" and c.peek(1)[0] == LP
    if is64:
        c.i += 1                       # (memory i64 (data ...))
    start = c.i
    log2 = _pagesize(c)                # (memory (pagesize N) (data ...))
    if log2 is not None and not c.at_list("data"):
        c.i = start                    # (memory (pagesize N)) without limits
    elif c.at_list("data"):
        c.i += 2
        data = bytearray()
        while not c.at_rp():
            data += c.string()
        c.rp()
        _end(c)
        page = 1 << (16 if log2 is None else log2)
        pages = (len(data) + page - 1) // page
        lim = limits(pages, pages)
        lim = bytes((lim[0] | (0x04 if is64 else 0),)) + lim[1:]
        m.mem_defs.append(_with_pagesize(lim, log2))
        zero = b"\x42\x00\x0b" if is64 else b"\x41\x00\x0b"
        m.data_segs.append(b"\x02" + uleb(idx) + zero + uleb(len(data)) + data
                           if idx else b"\x00" + zero + uleb(len(data)) + data)
        return
    m.mem_defs.append(_memtype(c))
    _end(c)


def _define_global(m: ModuleContext, c: Cursor, idx: int) -> None:
    c.take_id()
    _inline_exports(m, c, "global", idx)
    imp = _inline_import(c)
    if imp is not None:
        m.imports.append(imp + b"\x03" + _globaltype(c, m))
        _end(c)
        return
    gt = _globaltype(c, m)
    e = const_expr(c, FuncContext(m))
    _end(c)
    m.global_defs.append(gt + e)


def _define_tag(m: ModuleContext, c: Cursor, idx: int) -> None:
    """``(tag $t (export ...)* (import ...)? typeuse)``: attribute 0 (an
    exception) and the type index."""
    c.take_id()
    _inline_exports(m, c, "tag", idx)
    imp = _inline_import(c)
    desc = b"\x00" + uleb(m.typeuse(c, False)[0])
    _end(c)
    if imp is not None:
        m.imports.append(imp + b"\x04" + desc)
    else:
        m.tag_defs.append(desc)


def _define_export(m: ModuleContext, c: Cursor) -> None:
    n = c.name()
    kind = c.list_head()
    if kind not in _EXPORT_KINDS:
        raise c.unexpected(c.i + 1 if c.at_lp() else None)
    c.i += 2
    idx = m.spaces[kind].index(c)
    c.rp()
    _end(c)
    m.exports.append(name(n) + bytes((_EXPORT_KINDS[kind],)) + uleb(idx))


def _define_start(m: ModuleContext, c: Cursor) -> None:
    off = c.offset()
    idx = m.funcs.index(c)
    _end(c)
    if m.start is not None:
        raise c.error("multiple start sections", off)
    m.start = idx


def _define_elem(m: ModuleContext, c: Cursor) -> None:
    c.take_id()
    mode = "passive"
    table = None
    mvp = None
    offset = b""
    if c.at_atom("declare"):
        c.i += 1
        mode = "declare"
    else:
        if c.at_list("table"):
            c.i += 2
            table = m.tables.index(c)
            c.rp()
            mode = "active"
        elif at_var(c) and c.peek(1)[0] == LP:
            # ``(elem 0 (i32.const 0) $f)``: the MVP's bare table index,
            # followed by bare function indices
            table = m.tables.index(c)
            mode = mvp = "active"
        if c.at_lp() and not c.at_list("ref"):
            offset = _expr_or_offset(m, c, "offset")
            mode = "active"
        elif mode == "active":
            raise c.unexpected()
    if reftype_tokens(c):
        t = reftype(c, m)
        et = encode_valtype(t)
        items = _elem_exprs(m, c)
        _end(c)
        payload = uleb(len(items)) + b"".join(items)
        if mode == "passive":
            seg = b"\x05" + et + payload
        elif mode == "declare":
            seg = b"\x07" + et + payload
        elif table is None and t == FUNCREF:
            seg = b"\x04" + offset + payload
        else:
            seg = b"\x06" + uleb(table or 0) + offset + et + payload
    else:
        if c.at_atom("func"):
            c.i += 1
        elif mode != "active" or (table is not None and not mvp):
            # the bare index list is an abbreviation of active segments only
            raise c.unexpected()
        funcs = _func_indices(m, c)
        _end(c)
        payload = uleb(len(funcs)) + b"".join(uleb(f) for f in funcs)
        if mode == "passive":
            seg = b"\x01\x00" + payload
        elif mode == "declare":
            seg = b"\x03\x00" + payload
        elif table is None:
            seg = b"\x00" + offset + payload
        else:
            seg = b"\x02" + uleb(table) + offset + b"\x00" + payload
    m.elem_segs.append(seg)


def _define_custom(m: ModuleContext, c: Cursor) -> None:
    """``(@custom "name" (before|after first|last|S)? "bytes"*)``."""
    cname = c.name()
    side, place = "after", "last"
    if c.at_lp():
        c.lp()
        side = c.atom()
        place = c.atom()
        if side not in ("before", "after") or place not in _PLACES + ("first", "last"):
            raise c.unexpected(c.i - 1)
        c.rp()
    data = bytearray()
    while not c.at_end():
        data += c.string()
    m.customs.append((place, side, section(0, name(cname) + data)))


def _define_data(m: ModuleContext, c: Cursor) -> None:
    c.take_id()
    mem = None
    offset = None
    if c.at_list("memory"):
        c.i += 2
        mem = m.mems.index(c)
        c.rp()
        offset = _expr_or_offset(m, c, "offset")
    elif at_var(c) and c.peek(1)[0] == LP:
        # ``(data 0 (i32.const 0) ...)``: the bare memory index of the MVP
        # text format, which wat2wasm and the wast crate still accept
        mem = m.mems.index(c)
        offset = _expr_or_offset(m, c, "offset")
    elif c.at_lp():
        offset = _expr_or_offset(m, c, "offset")
    data = bytearray()
    while not c.at_end():
        data += c.string()
    payload = uleb(len(data)) + data
    if offset is None:
        seg = b"\x01" + payload
    elif not mem:
        # memory 0, implicit or explicit: the short form (as wasm-encoder does)
        seg = b"\x00" + offset + payload
    else:
        seg = b"\x02" + uleb(mem) + offset + payload
    m.data_segs.append(seg)


# ------------------------------------------------------------------------------
# driver
# ------------------------------------------------------------------------------

def module_from_tokens(tokens: Tokens, start: int, end: int,
                       module_name: str | None = None, smap: "SourceMap | None" = None) -> bytes:
    """Encode the module whose fields are ``tokens[start:end]``;
    ``module_name`` is its ``$id``, if any (for the name section).  With
    ``smap``, also fill it (binary offset -> text offset); that costs, so
    only the error path asks for it (:func:`locate`)."""
    m = ModuleContext(tokens)
    owners = None
    if smap is not None:
        m.body_marks = []
        owners = {id(lst): [] for lst in _entry_lists(m)}
    c = Cursor(tokens, start, end)
    fields: list[tuple[str, int, int]] = []
    state: dict = {}
    pending = None
    m.type_names = _type_names(c)
    while not c.at_end():
        head = c.list_head()
        if head not in _FIELDS:
            # Reported after the fields before it are parsed, so that an
            # error inside them comes first (stray ")" after a bad field).
            pending = c.unexpected(c.i + 1 if c.at_lp() else None)
            break
        close = c.list_end()
        _declare(m, head, Cursor(tokens, c.i + 2, close), state)
        fields.append((head, c.i + 2, close))
        c.i = close + 1

    counters = {"func": 0, "table": 0, "memory": 0, "global": 0, "tag": 0}
    for head, s, e in fields:
        fc = Cursor(tokens, s, e)
        if head == "type":
            continue
        if owners is not None:
            before = [(lst, len(lst)) for lst in _entry_lists(m)]
        if head in counters:
            idx = counters[head]
            counters[head] += 1
            _DEFINE[head](m, fc, idx)
        elif head == "import":
            kind = _import_kind(fc)
            counters[kind] += 1
            _define_import(m, fc)
        else:
            _DEFINE[head](m, fc)
        if owners is not None:
            at = tokens.toks[s - 2][2]          # the field's "("
            for lst, n in before:
                owners[id(lst)].extend([at] * (len(lst) - n))
            if head == "start":
                smap.start_at = at
    if pending is not None:
        raise pending
    return _assemble(m, smap, owners) + _name_section(m, module_name)


def _type_names(c: Cursor) -> dict[str, int]:
    """Every ``(type $name ...)`` field's index, before any is parsed: a
    type may name itself or a later type in ``(ref $t)`` (the validator
    decides whether that is allowed)."""
    names: dict[str, int] = {}
    c = Cursor(c.t, c.i, c.end)
    n = 0
    while not c.at_end() and c.at_lp() and c.list_head() is not None:
        close = c.list_end()
        if c.list_head() == "type":
            tok = c.toks[c.i + 2]
            if tok[0] == ID:
                names.setdefault(tok[1], n)
            n += 1
        c.i = close + 1
    return names


def _entry_lists(m: ModuleContext) -> tuple[list, ...]:
    """The section entry lists a field can append to (for SourceMap)."""
    return (m.imports, m.func_types, m.table_defs, m.mem_defs, m.tag_defs, m.global_defs,
            m.exports,
            m.elem_segs, m.data_segs, m.codes)


class SourceMap:
    """Binary offsets of a module encoded from text -> text offsets: one
    mark per section entry (its field) and per instruction of each body.
    Built only on the error path, by encoding the text a second time
    (:func:`locate`), so a successful parse never pays for it."""

    def __init__(self):
        self.binary: list[int] = []
        self.text: list[int] = []
        self.start_at: int | None = None

    def add(self, binary_offset: int, text_offset: int) -> None:
        if self.binary and binary_offset < self.binary[-1]:
            return                      # keep it sorted (never expected)
        self.binary.append(binary_offset)
        self.text.append(text_offset)

    def text_offset(self, binary_offset: int) -> int | None:
        import bisect
        i = bisect.bisect_right(self.binary, binary_offset) - 1
        return self.text[i] if i >= 0 else None


def _import_kind(c: Cursor) -> str:
    return c.toks[c.i + 3][1]       # "m" "n" ( kind


_DEFINE = {"func": _define_func, "table": _define_table, "memory": _define_memory,
           "global": _define_global, "tag": _define_tag, "export": _define_export, "start": _define_start,
           "elem": _define_elem, "data": _define_data, "@custom": _define_custom}


def _types_bytes(ts) -> bytes:
    return b"".join(map(encode_valtype, ts))


def _assemble(m: ModuleContext, smap: SourceMap | None = None, owners: dict | None = None) -> bytes:
    out = bytearray(MAGIC_VERSION)

    def sec(sid: int, entries: list[bytes]) -> None:
        if entries:
            payload = uleb(len(entries)) + b"".join(entries)
            pos = len(out) + 1 + len(uleb(len(payload))) + len(uleb(len(entries)))
            out.extend(section(sid, payload))
            if smap is not None:
                _map_entries(smap, m, entries, owners.get(id(entries), ()), pos)

    def customs(place: str, side: str | None = None) -> None:
        for p, sd, encoded in m.customs:
            if p == place and (side is None or sd == side):
                out.extend(encoded)

    def start() -> None:
        if m.start is not None:
            if smap is not None and smap.start_at is not None:
                smap.add(len(out), smap.start_at)
            out.extend(section(8, uleb(m.start)))

    def datacount() -> None:
        if m.uses_data_count:
            out.extend(section(12, uleb(len(m.data_segs))))

    emit = {
        "type": lambda: sec(1, [b"\x60" + uleb(len(p)) + _types_bytes(p) + uleb(len(r))
                                + _types_bytes(r)
                                for p, r in m.sigs]),
        "import": lambda: sec(2, m.imports), "func": lambda: sec(3, [uleb(t) for t in m.func_types]),
        "table": lambda: sec(4, m.table_defs), "memory": lambda: sec(5, m.mem_defs),
        "tag": lambda: sec(13, m.tag_defs),
        "global": lambda: sec(6, m.global_defs), "export": lambda: sec(7, m.exports),
        "start": start, "elem": lambda: sec(9, m.elem_segs), "datacount": datacount,
        "code": lambda: sec(10, m.codes), "data": lambda: sec(11, m.data_segs),
    }
    customs("first")
    for place in _PLACES:           # binary section order
        customs(place, "before")
        if place == "code" and m.branch_hints:
            out.extend(_branch_hint_section(m.branch_hints))
        emit[place]()
        customs(place, "after")
    customs("last")
    return bytes(out)


def _branch_hint_section(funcs: list[tuple[int, list[tuple[int, int]]]]) -> bytes:
    """The ``metadata.code.branch_hint`` custom section, before the code
    section as the proposal places it: ``vec(funcidx vec(offset 1 hint))``,
    offsets from the start of each body (its locals vector)."""
    payload = bytearray(name(b"metadata.code.branch_hint") + uleb(len(funcs)))
    for idx, hints in funcs:
        payload += uleb(idx) + uleb(len(hints))
        for off, h in hints:
            payload += uleb(off) + b"\x01" + bytes((h,))
    return section(0, bytes(payload))


def _map_entries(smap: SourceMap, m: ModuleContext, entries: list[bytes], at: list[int],
                 pos: int) -> None:
    """Marks for one section's entries starting at binary offset ``pos``."""
    bodies = m.body_marks if entries is m.codes else None
    if at:      # the section's header and count: its first entry
        smap.add(pos - len(uleb(len(entries))) - 1 - len(uleb(sum(map(len, entries)) +
                                                              len(uleb(len(entries))))), at[0])
    for k, e in enumerate(entries):
        if k < len(at):
            smap.add(pos, at[k])
        if bodies is not None and k < len(bodies):
            size_len = len(e) - _body_len(e)
            start = pos + size_len
            for rel, text_off in bodies[k]:
                smap.add(start + rel, text_off)
        pos += len(e)


def _body_len(entry: bytes) -> int:
    """The length of a code entry's body (after its u32 size)."""
    n = shift = i = 0
    while True:
        b = entry[i]
        n |= (b & 0x7F) << shift
        i += 1
        if not b & 0x80:
            return n
        shift += 7


def locate(err, tokens: Tokens, start: int, end: int, module_name: str | None = None):
    """Give ``err`` (raised for the binary encoded from ``tokens[start:end]``,
    with a binary offset) the line:col of the text that produced that byte.
    Error path only: encodes the module again, recording marks."""
    if err.offset is None or err.line is not None:
        return err
    smap = SourceMap()
    try:
        module_from_tokens(tokens, start, end, module_name, smap)
    except Exception:       # the text encoded once already; never mask the real error
        return err
    off = smap.text_offset(err.offset)
    if off is not None:
        err.line, err.col = tokens.src.linecol(off)
        if err.filename is None:
            err.filename = tokens.src.filename
    return err


def _name_section(m: ModuleContext, module_name: str | None) -> bytes:
    """The ``name`` custom section (module, function and local names, from
    the ``$id``s without the ``$``), or nothing if no name was given.  Not
    needed for semantics; it lets later stages name functions after the text."""
    subs = bytearray()
    if module_name:
        payload = name(module_name[1:].encode())
        subs += b"\x00" + uleb(len(payload)) + payload
    if m.funcs.names:
        payload = _name_map({i: n for n, i in m.funcs.names.items()})
        subs += b"\x01" + uleb(len(payload)) + payload
    if m.local_names:
        payload = bytearray(uleb(len(m.local_names)))
        for f in sorted(m.local_names):
            payload += uleb(f) + _name_map(m.local_names[f])
        subs += b"\x02" + uleb(len(payload)) + payload
    if not subs:
        return b""
    return section(0, name(b"name") + subs)


def _name_map(names: dict[int, str]) -> bytes:
    out = bytearray(uleb(len(names)))
    for i in sorted(names):
        out += uleb(i) + name(names[i][1:].encode())
    return bytes(out)


def parse_module_text(text: str, filename: str | None = None, *,
                      line_base: int = 0, col_base: int = 0) -> bytes:
    """A .wat file: one ``(module ...)`` form or bare module fields."""
    tokens = tokenize(text, filename, line_base=line_base, col_base=col_base)
    return module_from_token_range(tokens, 0, len(tokens.toks))


class WatBinary(bytes):
    """A module binary encoded from text, which can map a binary offset in
    an error back to the text's line:column (:meth:`locate`).  It keeps only
    the source text (and token range), not the tokens: the map is rebuilt
    on the error path.  Pickles as plain bytes."""

    def __reduce__(self):
        return (bytes, (bytes(self),))

    def locate(self, err):
        """``err`` with ``line``/``col`` (and the file) filled in when its
        binary offset maps to the text; returned for ``raise``."""
        src, start, end, name = self._where
        tokens = src if isinstance(src, Tokens) else tokenize(
            src.text, src.filename, line_base=src.line_base, col_base=src.col_base)
        return locate(err, tokens, start, end, name)


def text_binary(binary: bytes, tokens: Tokens, start: int, end: int,
                module_name: str | None = None, keep_tokens: bool = False) -> WatBinary:
    """``binary`` (encoded from ``tokens[start:end]``) as a :class:`WatBinary`;
    ``keep_tokens`` when the caller holds the tokens anyway (scripts)."""
    out = WatBinary(binary)
    out._where = (tokens if keep_tokens else tokens.src, start, end, module_name)
    return out


def module_from_token_range(tokens: Tokens, start: int, end: int) -> bytes:
    """Tokens ``[start, end)`` hold either one ``(module ...)`` or bare fields."""
    c = Cursor(tokens, start, end)
    if c.at_list("module"):
        close = c.list_end()
        from .script import module_source       # (module binary/quote ...) too
        src = module_source(Cursor(tokens, start, end))
        binary = src.to_binary()
        if close + 1 < end:
            raise Cursor(tokens, close + 1, end).unexpected()
    else:
        binary = text_binary(module_from_tokens(tokens, start, end), tokens, start, end)
    if tokens.unbalanced is not None:
        # Checked last so that errors inside the text are reported first.
        off = tokens.unbalanced
        msg = "unexpected token )" if tokens.src.text[off] == ")" else "unclosed parenthesis"
        raise tokens.src.error(msg, off)
    return binary
