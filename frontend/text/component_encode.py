"""Components from text, second half: name resolution and the binary encoding.

Takes the expanded fields of :mod:`.component` and writes the component
binary of Binary.md, byte for byte as ``wasm-tools parse`` does:

* consecutive definitions of one section kind share one section (a core
  module, a nested component or a custom section ends the run);
* an id is resolved when its field is reached, in the field's index space
  (one per sort and scope; a component type, an instance type and a core
  module type are scopes too).  A reference with export names, ``(func $i
  "f")``, becomes ``alias export`` definitions placed just before the field
  that uses it; an id found only in an enclosing scope becomes an unnamed
  ``alias outer`` in the current one, one per reference -- as wasm-tools
  1.262 does;
* a ``component-name`` custom section closes each component that has ids.

Errors are one-line :class:`MalformedError`\\ s at the offending token.
"""
from __future__ import annotations

from ..errors import MalformedError
from ..leb import sleb, uleb
from .component import Gensym, Ref
from .encode import name as enc_name
from .encode import section

CORE_SORT_BYTE = {"core func": 0x00, "core table": 0x01, "core memory": 0x02,
                  "core global": 0x03, "core tag": 0x04, "core type": 0x10,
                  "core module": 0x11, "core instance": 0x12}
SORT_BYTE = {"func": 0x01, "value": 0x02, "type": 0x03, "component": 0x04, "instance": 0x05}
# the name section's order of subsections
NAME_ORDER = ("core func", "core table", "core memory", "core global", "core tag",
              "core type", "core module", "core instance",
              "func", "value", "type", "component", "instance")
OUTER_SORTS = frozenset(("core module", "core type", "type", "component"))
PREAMBLE = b"\0asm\x0d\x00\x01\x00"


def sort_bytes(sort: str) -> bytes:
    if sort in CORE_SORT_BYTE:
        return bytes((0x00, CORE_SORT_BYTE[sort]))
    return bytes((SORT_BYTE[sort],))


def _name(s: str) -> bytes:
    return enc_name(s.encode("utf-8"))


def _extern_name(s) -> bytes:
    """nameattributes: ``0x00 name``, or ``0x02 name vec(attribute)``."""
    if isinstance(s, str):
        return b"\x00" + _name(s)
    attrs = [bytes((k,)) + _name(v) for k, v in enumerate(s[1:]) if v is not None]
    return b"\x02" + _name(s[0]) + uleb(len(attrs)) + b"".join(attrs)


class _Space:
    __slots__ = ("count", "ids")

    def __init__(self):
        self.count = 0
        self.ids: dict = {}


class _State:
    """The index spaces of one scope (component, component/instance type,
    core module type) and the names given in it."""

    def __init__(self, fid):
        self.id = fid
        self.spaces: dict[str, _Space] = {}
        self.names: dict[str, list] = {}

    def space(self, sort: str) -> _Space:
        sp = self.spaces.get(sort)
        if sp is None:
            sp = self.spaces[sort] = _Space()
        return sp

    def lookup(self, sort: str, fid):
        sp = self.spaces.get(sort)
        return None if sp is None else sp.ids.get(fid)


class Encoder:
    """Resolves and encodes one top-level component (and what it nests)."""

    def __init__(self, src):
        self.src = src
        self.stack: list[_State] = []
        self.pending: list[bytes] = []     # aliases to place before the current field
        self.field_off = -1                 # the current field's offset, for errors

    def error(self, msg: str, off: int) -> MalformedError:
        if off is None or off < 0:
            off = self.field_off
        if off < 0:
            return MalformedError(msg, None, filename=self.src.filename)
        return self.src.error(msg, off)

    # -- index spaces ---------------------------------------------------------
    def register(self, sort: str, fid, off: int = -1) -> int:
        st = self.stack[-1]
        sp = st.space(sort)
        idx = sp.count
        if fid is not None:
            if fid in sp.ids and isinstance(fid, str):
                raise self.error(f"duplicate {sort} identifier {fid}", off)
            sp.ids[fid] = idx
        sp.count += 1
        st.names.setdefault(sort, []).append(fid if isinstance(fid, str) else None)
        return idx

    def index(self, ref: Ref, sort: str | None = None) -> int:
        """The index of ``ref`` in the current scope (adding aliases to
        ``pending`` for export names and enclosing scopes)."""
        sort = sort or ref.sort
        if ref.names:
            return self._export_alias(ref, sort)
        return self._resolve(sort, ref.idx, ref.off)

    def _resolve(self, sort: str, idx, off: int) -> int:
        if isinstance(idx, int):
            return idx
        for depth, st in enumerate(reversed(self.stack)):
            found = st.lookup(sort, idx)
            if found is None:
                continue
            if depth == 0:
                return found
            if sort not in OUTER_SORTS:
                raise self.error(f"outer item `{idx}` is not a module, type, or component", off)
            # wasm-tools 1.262 makes a new, unnamed alias for every such
            # reference (the id is not bound in this scope)
            self.pending.append(sort_bytes(sort) + b"\x02" + uleb(depth) + uleb(found))
            return self.register(sort, None, off)
        raise self.error(f"unknown {sort}: failed to find name `{_display(idx)}`", off)

    def _export_alias(self, ref: Ref, sort: str) -> int:
        if sort in ("core func", "core table", "core memory", "core global", "core tag"):
            inst = self._resolve("core instance", ref.idx, ref.off)
            self.pending.append(sort_bytes(sort) + b"\x01" + uleb(inst) + _name(ref.names[0]))
            return self.register(sort, None)
        inst = self._resolve("instance", ref.idx, ref.off)
        for k, n in enumerate(ref.names):
            s = sort if k == len(ref.names) - 1 else "instance"
            self.pending.append(sort_bytes(s) + b"\x00" + uleb(inst) + _name(n))
            inst = self.register(s, None)
        return inst

    def take_pending(self) -> list[bytes]:
        p, self.pending = self.pending, []
        return p

    # -- components -----------------------------------------------------------
    def component(self, fields: list, fid) -> bytes:
        self.stack.append(_State(fid))
        out = _Sections()
        for f in fields:
            kind = f[0]
            self.field_off = f[3]
            enc = _FIELD[kind]
            sid, payload = enc(self, f)
            for a in self.take_pending():
                out.item(6, a)
            _register_field(self, f)
            if sid in (0, 1, 4):
                out.raw(sid, payload)
            else:
                out.item(sid, payload)
        st = self.stack.pop()
        out.flush()
        out.bytes += _name_section(st)
        return bytes(out.bytes)

    # -- types ------------------------------------------------------------------
    def valtype(self, vt) -> bytes:
        if isinstance(vt, int):
            return bytes((vt,))
        # a type index as a value type is an s33 (so it cannot be mistaken
        # for a primitive's negative code): 64 takes two bytes
        return sleb(self.index(vt, "type"))

    def deftype(self, d, fid) -> bytes:
        k = d[0]
        if k == "prim":
            return bytes((d[1],))
        if k == "record":
            return b"\x72" + uleb(len(d[1])) + b"".join(_name(n) + self.valtype(t)
                                                         for n, t in d[1])
        if k == "variant":
            out = bytearray(b"\x71" + uleb(len(d[1])))
            for n, t in d[1]:
                out += _name(n) + (b"\x00" if t is None else b"\x01" + self.valtype(t)) + b"\x00"
            return bytes(out)
        if k == "list":
            return b"\x70" + self.valtype(d[1])
        if k == "flist":
            return b"\x67" + self.valtype(d[1]) + uleb(d[2])
        if k == "tuple":
            return b"\x6f" + uleb(len(d[1])) + b"".join(self.valtype(t) for t in d[1])
        if k in ("flags", "enum"):
            return (b"\x6e" if k == "flags" else b"\x6d") + uleb(len(d[1])) + \
                b"".join(_name(n) for n in d[1])
        if k == "option":
            return b"\x6b" + self.valtype(d[1])
        if k == "map":
            return b"\x63" + self.valtype(d[1]) + self.valtype(d[2])
        if k == "result":
            ok = b"\x00" if d[1] is None else b"\x01" + self.valtype(d[1])
            err = b"\x00" if d[2] is None else b"\x01" + self.valtype(d[2])
            return b"\x6a" + ok + err
        if k in ("own", "borrow"):
            return (b"\x69" if k == "own" else b"\x68") + uleb(self.index(d[1], "type"))
        if k == "func":
            out = bytearray(b"\x40" + uleb(len(d[1])))
            for n, t in d[1]:
                out += _name(n) + self.valtype(t)
            out += b"\x01\x00" if d[2] is None else b"\x00" + self.valtype(d[2])
            return bytes(out)
        if k == "resource":
            dtor = b"\x00" if d[2] is None else b"\x01" + uleb(self.index(d[2], "core func"))
            return b"\x3f" + bytes((d[1],)) + dtor
        if k in ("component", "instance"):
            return self.type_decls(d[1], fid, k == "component")
        raise AssertionError(k)

    def type_decls(self, decls: list, fid, component: bool) -> bytes:
        self.stack.append(_State(fid))
        saved, self.pending = self.pending, []
        items: list[bytes] = []
        for d in decls:
            kind = d[0]
            self.field_off = d[3]
            if kind == "core type":
                body = b"\x00" + self.core_type(d[2], d[1])
            elif kind == "type":
                body = b"\x01" + self.deftype(d[2], d[1])
            elif kind == "alias":
                body = b"\x02" + self.alias(d[2])
            else:
                n, sig = d[2]
                body = (b"\x03" if kind == "import" else b"\x04") + _extern_name(n) + \
                    self.extern_desc(sig)
            for a in self.take_pending():
                items.append(b"\x02" + a)
            if kind in ("import", "export"):
                self.register(d[2][1][0], d[1], d[3])
            else:
                _register_field(self, d)
            items.append(body)
        self.stack.pop()
        self.pending = saved
        return (b"\x41" if component else b"\x42") + uleb(len(items)) + b"".join(items)

    def extern_desc(self, sig) -> bytes:
        kind, ty = sig
        if kind == "core module":
            return b"\x00\x11" + uleb(self.index(ty, "core type"))
        if kind == "type":
            if ty[0] == "sub":
                return b"\x03\x01"
            return b"\x03\x00" + uleb(self.index(ty[1], "type"))
        return bytes((SORT_BYTE[kind],)) + uleb(self.index(ty, "type"))

    def core_type(self, d, fid) -> bytes:
        if d[0] == "func":
            return _core_functype(d[1], d[2])
        # a module type: a scope of its own
        self.stack.append(_State(fid))
        saved, self.pending = self.pending, []
        items: list[bytes] = []
        for decl in d[1]:
            kind = decl[0]
            self.field_off = decl[3]
            if kind == "type":
                self.register("core type", decl[1], decl[3])
                t = decl[2]
                items.append(b"\x01" + _core_functype(t[1], t[2]) if t[0] == "func"
                             else b"\x01" + self.core_type(t, decl[1]))
            elif kind == "alias":     # core:alias: sort 0x10, outer 0x01
                items.append(b"\x02\x10\x01" + self.alias(decl[2])[3:])
                self.register("core type", decl[1], decl[3])
            elif kind == "import":
                m, n, desc = decl[2]
                items.append(b"\x00" + _name(m) + _name(n) + self.core_desc(desc))
            else:
                n, desc = decl[2]
                items.append(b"\x03" + _name(n) + self.core_desc(desc))
        self.stack.pop()
        self.pending = saved
        return b"\x50" + uleb(len(items)) + b"".join(items)

    def core_desc(self, desc) -> bytes:
        kind = desc[0]
        if kind in ("func", "tag"):
            r = desc[1]
            st = self.stack[-1]
            idx = r.idx if isinstance(r.idx, int) else st.lookup("core type", r.idx)
            if idx is None:
                raise self.error(f"unknown type: failed to find name `{_display(r.idx)}`", r.off)
            # a tag: kind 0x04, attribute 0 (exception), its function type
            return (b"\x00" if kind == "func" else b"\x04\x00") + uleb(idx)
        code = {"table": 0x01, "memory": 0x02, "global": 0x03}[kind]
        return bytes((code,)) + desc[1]

    def alias(self, a) -> bytes:
        kind = a[0]
        if kind == "outer":
            _, outer, idx, sort = a
            if isinstance(outer, int) and isinstance(idx, int):
                return sort_bytes(sort) + b"\x02" + uleb(outer) + uleb(idx)
            depth = outer
            if not isinstance(outer, int):
                depth = None
                for k, st in enumerate(reversed(self.stack)):
                    if st.id == outer:
                        depth = k
                        break
                if depth is None:
                    raise self.error(f"outer component `{_display(outer)}` not found", -1)
            if depth >= len(self.stack):
                raise self.error(f"outer count of `{depth}` is too large", -1)
            st = self.stack[-1 - depth]
            found = idx if isinstance(idx, int) else st.lookup(sort, idx)
            if found is None:
                raise self.error(f"unknown {sort}: failed to find name `{_display(idx)}`", -1)
            return sort_bytes(sort) + b"\x02" + uleb(depth) + uleb(found)
        _, ref, n, sort = a
        if kind == "core export":
            inst = self.index(ref, "core instance")
            return sort_bytes(sort) + b"\x01" + uleb(inst) + _name(n)
        inst = self.index(ref, "instance")
        return sort_bytes(sort) + b"\x00" + uleb(inst) + _name(n)

    def canon_opts(self, opts) -> bytes:
        out = bytearray(uleb(len(opts)))
        for o in opts:
            if isinstance(o, bytes):
                out += o
            else:
                kw, r = o
                code = {"memory": 0x03, "realloc": 0x04, "post-return": 0x05}[kw]
                out += bytes((code,)) + uleb(self.index(r))
        return bytes(out)


def _display(idx) -> str:
    return idx[1:] if isinstance(idx, str) else repr(idx)


def _core_functype(params, results) -> bytes:
    return b"\x60" + uleb(len(params)) + bytes(params) + uleb(len(results)) + bytes(results)


class _Sections:
    """Consecutive entries of one section kind share a section."""

    def __init__(self):
        self.bytes = bytearray(PREAMBLE)
        self.sid: int | None = None
        self.items: list[bytes] = []

    def item(self, sid: int, payload: bytes) -> None:
        if sid != self.sid:
            self.flush()
            self.sid = sid
        self.items.append(payload)

    def raw(self, sid: int, payload: bytes) -> None:
        self.flush()
        if sid == 0:
            self.bytes += payload          # already a whole section
        else:
            self.bytes += section(sid, payload)

    def flush(self) -> None:
        if self.sid is not None and self.items:
            self.bytes += section(self.sid, uleb(len(self.items)) + b"".join(self.items))
        self.sid, self.items = None, []


def _register_field(e: Encoder, f) -> None:
    kind, fid, data, off = f
    if kind in ("core module", "core instance", "core type", "component", "instance", "type"):
        e.register(kind, fid, off)
    elif kind == "alias":
        e.register(data[-1], fid, off)
    elif kind == "canon":
        e.register("func" if data[0] == "lift" else "core func", fid, off)
    elif kind == "import":
        e.register(data[1][0], fid, off)
    elif kind == "export":
        e.register(data[1], fid, off)


# -- per-field encoders: (section id, payload) ---------------------------------

def _f_core_module(e: Encoder, f):
    return 1, f[2]


def _f_core_instance(e: Encoder, f):
    d = f[2]
    if d[0] == "inst":
        m = e.index(d[1], "core module")
        args = bytearray(uleb(len(d[2])))
        for n, r in d[2]:
            args += _name(n) + b"\x12" + uleb(e.index(r, "core instance"))
        return 2, b"\x00" + uleb(m) + bytes(args)
    out = bytearray(b"\x01" + uleb(len(d[1])))
    for n, r in d[1]:
        out += _name(n) + bytes((CORE_SORT_BYTE[r.sort],)) + uleb(e.index(r))
    return 2, bytes(out)


def _f_core_type(e: Encoder, f):
    return 3, e.core_type(f[2], f[1])


def _f_component(e: Encoder, f):
    return 4, e.component(f[2], f[1])


def _f_instance(e: Encoder, f):
    d = f[2]
    if d[0] == "inst":
        comp = e.index(d[1], "component")
        args = bytearray(uleb(len(d[2])))
        for n, r in d[2]:
            args += _name(n) + sort_bytes(r.sort) + uleb(e.index(r))
        return 5, b"\x00" + uleb(comp) + bytes(args)
    out = bytearray(b"\x01" + uleb(len(d[1])))
    for n, r in d[1]:
        out += _extern_name(n) + sort_bytes(r.sort) + uleb(e.index(r))
    return 5, bytes(out)


def _f_alias(e: Encoder, f):
    return 6, e.alias(f[2])


def _f_type(e: Encoder, f):
    return 7, e.deftype(f[2], f[1])


def _f_canon(e: Encoder, f):
    d = f[2]
    k = d[0]
    if k == "lift":
        _, fref, opts, ty = d
        t = e.index(ty, "type")
        core = e.index(fref, "core func")
        o = e.canon_opts(opts)
        return 8, b"\x00\x00" + uleb(core) + o + uleb(t)
    if k == "lower":
        fn = e.index(d[1], "func")
        return 8, b"\x01\x00" + uleb(fn) + e.canon_opts(d[2])
    code = {"resource.new": 0x02, "resource.drop": 0x03, "resource.rep": 0x04}[k]
    return 8, bytes((code,)) + uleb(e.index(d[1], "type"))


def _f_import(e: Encoder, f):
    n, sig = f[2]
    return 10, _extern_name(n) + e.extern_desc(sig)


def _f_export(e: Encoder, f):
    n, sort, r, sig = f[2]
    ty = b"\x00" if sig is None else b"\x01" + e.extern_desc(sig)
    idx = e.index(r)
    return 11, _extern_name(n) + sort_bytes(sort) + uleb(idx) + ty


def _f_custom(e: Encoder, f):
    return 0, f[2]


_FIELD = {"core module": _f_core_module, "core instance": _f_core_instance,
          "core type": _f_core_type, "component": _f_component, "instance": _f_instance,
          "alias": _f_alias, "type": _f_type, "canon": _f_canon, "import": _f_import,
          "export": _f_export, "custom": _f_custom}


def _name_section(st: _State) -> bytes:
    subs = bytearray()
    if isinstance(st.id, str):
        n = _name(st.id[1:])
        subs += b"\x00" + uleb(len(n)) + n
    for sort in NAME_ORDER:
        names = st.names.get(sort)
        if not names or not any(names):
            continue
        m = bytearray()
        count = 0
        for i, n in enumerate(names):
            if n is not None:
                m += uleb(i) + _name(n[1:])
                count += 1
        body = sort_bytes(sort) + uleb(count) + bytes(m)
        subs += b"\x01" + uleb(len(body)) + body
    if not subs:
        return b""
    return section(0, _name("component-name") + bytes(subs))


def encode_component(fields: list, fid, src) -> bytes:
    """The binary of a top-level component with these (expanded) fields."""
    return Encoder(src).component(fields, fid if not isinstance(fid, Gensym) else None)
