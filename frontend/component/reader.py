"""Component binary decoder: bytes -> :class:`~.ast.Component` (Binary.md).

Reads the preamble (magic, version 0x0d, layer 1) and every section a
WASI 0.2 component uses.  Everything is decoded against the whole file's
bytes, so every offset (in errors and in the AST) is absolute.  Embedded core
modules are handed to the core decoder on their own byte range, and their
error offsets are shifted back into the file.  Nested components recurse.

What the grammar has but this compiler does not support yet (async, streams,
futures, error-context, threads, GC core types, values and start 🪙) is
rejected with ``unsupported: <feature>`` at the byte offset, as an
:class:`UnsupportedError` (a MalformedError subclass: it is "cannot decode").
"""
from __future__ import annotations

from .. import reader as R
from ..binary import decode_module
from ..errors import MalformedError, UnsupportedError, WasmError
from ..types import (
    EXTERNREF,
    FUNCREF,
    VALUE_TYPES,
    GlobalType,
    Limits,
    MemType,
    TableType,
)
from . import ast as A

MAGIC = b"\0asm"
COMPONENT_VERSION = b"\x0d\x00"
COMPONENT_LAYER = b"\x01\x00"


def unsupported(feature: str, pos: int) -> UnsupportedError:
    return UnsupportedError(feature, pos)


def is_component(data: bytes) -> bool:
    """True when ``data`` has the component preamble's layer (not a module)."""
    return data[:4] == MAGIC and data[6:8] == COMPONENT_LAYER


PRIM_BY_CODE = {0x7F: "bool", 0x7E: "s8", 0x7D: "u8", 0x7C: "s16", 0x7B: "u16",
                0x7A: "s32", 0x79: "u32", 0x78: "s64", 0x77: "u64", 0x76: "f32",
                0x75: "f64", 0x74: "char", 0x73: "string"}
CORE_SORTS = {0x00: "core func", 0x01: "core table", 0x02: "core memory",
              0x03: "core global", 0x04: "core tag", 0x10: "core type",
              0x11: "core module", 0x12: "core instance"}
SORTS = {0x01: "func", 0x02: "value", 0x03: "type", 0x04: "component", 0x05: "instance"}
_EXTERN_KINDS = {0x01: "func", 0x02: "value", 0x03: "type", 0x04: "component", 0x05: "instance"}
_ASYNC_TYPES = {0x66: "stream", 0x65: "future", 0x64: "error-context"}
_ASYNC_CANON = {0x05: "task.cancel", 0x06: "subtask.cancel", 0x09: "task.return",
                0x0A: "context.get", 0x0B: "context.set", 0x0C: "thread.yield",
                0x0D: "subtask.drop", 0x1C: "error-context.new",
                0x1D: "error-context.debug-message", 0x1E: "error-context.drop",
                0x1F: "waitable-set.new", 0x20: "waitable-set.wait",
                0x21: "waitable-set.poll", 0x22: "waitable-set.drop",
                0x23: "waitable.join", 0x24: "backpressure.inc", 0x25: "backpressure.dec"}
_ASYNC_CANON.update(zip(range(0x0E, 0x1C), (
    "stream.new", "stream.read", "stream.write", "stream.cancel-read", "stream.cancel-write",
    "stream.drop-readable", "stream.drop-writable", "future.new", "future.read",
    "future.write", "future.cancel-read", "future.cancel-write", "future.drop-readable",
    "future.drop-writable")))
# 🧵: the threading built-ins, a separate gate of the async work.
_THREAD_CANON = {0x26: "thread.index", 0x27: "thread.new-indirect",
                 0x28: "thread.resume-later", 0x29: "thread.suspend",
                 0x2A: "thread.suspend-then-resume", 0x2B: "thread.yield-then-resume",
                 0x2C: "thread.suspend-then-promote", 0x2D: "thread.yield-then-promote",
                 0x40: "thread.spawn-ref", 0x41: "thread.spawn-indirect",
                 0x42: "thread.available-parallelism"}
_OPT_ENC = {0x00: "utf8", 0x01: "utf16", 0x02: "latin1+utf16"}
_OPT_IDX = {0x03: "memory", 0x04: "realloc", 0x05: "post-return"}


class _R:
    """Cursor over the file: ``pos`` moves forward, ``end`` is the current limit."""
    __slots__ = ("data", "end", "pos")

    def __init__(self, data: bytes, pos: int, end: int):
        self.data, self.pos, self.end = data, pos, end

    def u8(self) -> int:
        v, self.pos = R.u8(self.data, self.pos, self.end)
        return v

    def u32(self) -> int:
        v, self.pos = R.u32(self.data, self.pos, self.end)
        return v

    def s33(self) -> int:
        v, self.pos = R.s33(self.data, self.pos, self.end)
        return v

    def name(self) -> str:
        v, self.pos = R.name(self.data, self.pos, self.end)
        return v

    def peek(self) -> int:
        if self.pos >= self.end:
            raise R.eof(self.data, self.pos, self.end)
        return self.data[self.pos]

    def vec(self, item) -> list:
        return [item() for _ in range(self.u32())]

    def bad(self, what: str, at: int | None = None) -> MalformedError:
        return MalformedError(what, self.pos - 1 if at is None else at)


def decode_component(data: bytes, filename: str | None = None) -> A.Component:
    """Decode a component binary (not validated).  Raises MalformedError."""
    data = bytes(data)
    try:
        return _component(data, 0, len(data))
    except WasmError as e:
        if e.filename is None:
            e.filename = filename
        raise


def _preamble(data: bytes, start: int, end: int) -> None:
    n = end - start
    if n < 4:
        raise MalformedError("unexpected end", end)
    if data[start:start + 4] != MAGIC:
        raise MalformedError("magic header not detected", start)
    if n < 8:
        raise MalformedError("unexpected end", end)
    if data[start + 6:start + 8] != COMPONENT_LAYER:
        raise MalformedError("unknown binary version and encoding combination", start + 4)
    if data[start + 4:start + 6] != COMPONENT_VERSION:
        raise MalformedError("unknown component version", start + 4)


def _component(data: bytes, start: int, end: int) -> A.Component:
    _preamble(data, start, end)
    comp = A.Component(start=start, end=end, offset=start)
    r = _R(data, start + 8, end)
    while r.pos < end:
        at = r.pos
        sid = r.u8()
        size = r.u32()
        if size > end - r.pos:
            raise MalformedError("unexpected end: section size out of bounds", r.pos)
        sec_end = r.pos + size
        outer_end, r.end = r.end, sec_end
        _section(comp, r, sid, at)
        if r.pos != sec_end:
            raise MalformedError("section size mismatch: unexpected data at the end of the section", r.pos)
        r.end = outer_end
    return comp


def _section(comp: A.Component, r: _R, sid: int, at: int) -> None:
    add = comp.defs.append
    if sid == 0:
        name = r.name()
        add(("custom", A.Custom(name, r.pos, r.end, at)))
        if name == "component-name" and not comp.names:
            comp.names = _names_section(r.data, r.pos, r.end)
        r.pos = r.end
    elif sid == 1:
        add(("core module", _core_module(r)))
    elif sid == 4:
        sub = _component(r.data, r.pos, r.end)
        r.pos = r.end
        add(("component", sub))
    elif sid in _VEC_SECTIONS:
        kind, item = _VEC_SECTIONS[sid]
        for _ in range(r.u32()):
            add((kind, item(r)))
    elif sid == 9:
        raise unsupported("start definitions (🪙 value imports)", at)
    elif sid == 12:
        raise unsupported("value definitions (🪙)", at)
    else:
        raise MalformedError(f"unknown section id 0x{sid:x}", at)


def _core_module(r: _R) -> A.CoreModule:
    start, end = r.pos, r.end
    if is_component(r.data[start:end]):
        # the core decoder would call this "unsupported: a component"; here
        # it is a grammar error: section 1 holds core modules only
        raise MalformedError("expected a version header for a module, found a component",
                             start + 4)
    try:
        m = decode_module(r.data[start:end])
    except WasmError as e:
        if e.offset is not None:
            e.offset += start
        raise
    r.pos = end
    return A.CoreModule(m, start, end, start)


def _names_section(data: bytes, pos: int, end: int) -> dict[str, dict[int, str]]:
    """The ``component-name`` custom section: sort -> index -> name, and the
    component's own name under ``""`` -> {0: name}.  Its validity is not
    required (Binary.md): a broken one is ignored, as core name sections are."""
    out: dict[str, dict[int, str]] = {}
    r = _R(data, pos, end)
    try:
        while r.pos < end:
            sub = r.u8()
            size = r.u32()
            sub_end = r.pos + size
            if sub_end > end:
                return {}
            if sub == 0:
                out[""] = {0: r.name()}
            elif sub == 1:
                sort = _sort(r)
                names = out.setdefault(sort, {})
                for _ in range(r.u32()):
                    idx = r.u32()
                    names[idx] = r.name()
            r.pos = sub_end
    except WasmError:
        return {}
    return out


# ---- instances -------------------------------------------------------------

def _core_instance(r: _R):
    at = r.pos
    tag = r.u8()
    if tag == 0x00:
        mod = r.u32()
        args = []
        for _ in range(r.u32()):
            aat = r.pos
            n = r.name()
            if r.u8() != 0x12:
                raise r.bad("core instantiation arguments must be instances")
            args.append((n, r.u32(), aat))
        return A.CoreInstantiate(mod, args, at)
    if tag == 0x01:
        exports = []
        for _ in range(r.u32()):
            eat = r.pos
            n = r.name()
            exports.append((n, _core_sort(r), r.u32(), eat))
        return A.CoreInlineExports(exports, at)
    raise r.bad(f"invalid leading byte (0x{tag:x}) for core instance")


def _core_sort(r: _R) -> str:
    b = r.u8()
    if b not in CORE_SORTS:
        raise r.bad(f"invalid leading byte (0x{b:x}) for core sort")
    return CORE_SORTS[b]


def _sort(r: _R) -> str:
    b = r.u8()
    if b == 0x00:
        return _core_sort(r)
    if b not in SORTS:
        raise r.bad(f"invalid leading byte (0x{b:x}) for sort")
    return SORTS[b]


def _instance(r: _R):
    at = r.pos
    tag = r.u8()
    if tag == 0x00:
        comp = r.u32()
        args = []
        for _ in range(r.u32()):
            aat = r.pos
            n = r.name()
            s = _sort(r)
            args.append((n, s, r.u32(), aat))
        return A.Instantiate(comp, args, at)
    if tag == 0x01:
        exports = []
        for _ in range(r.u32()):
            eat = r.pos
            n = _extern_name(r)
            s = _sort(r)
            exports.append((n, s, r.u32(), eat))
        return A.InlineExports(exports, at)
    raise r.bad(f"invalid leading byte (0x{tag:x}) for instance")


def _alias(r: _R) -> A.Alias:
    at = r.pos
    sort = _sort(r)
    tag = r.u8()
    if tag == 0x00:
        return A.Alias(sort, "export", r.u32(), r.name(), at)
    if tag == 0x01:
        return A.Alias(sort, "core export", r.u32(), r.name(), at)
    if tag == 0x02:
        if sort not in ("core module", "core type", "type", "component"):
            raise MalformedError(f"outer aliases of {sort} are not allowed", at)
        return A.Alias(sort, "outer", r.u32(), r.u32(), at)
    raise r.bad(f"invalid leading byte (0x{tag:x}) for alias")


# ---- names -----------------------------------------------------------------

def _extern_name(r: _R) -> A.Name:
    at = r.pos
    tag = r.u8()
    if tag in (0x00, 0x01):
        return A.Name(r.name(), at)
    if tag == 0x02:
        n = A.Name(r.name(), at)
        seen = set()
        for _ in range(r.u32()):
            aat = r.pos
            k = r.u8()
            if k in seen and n.duplicate_attribute is None:
                n.duplicate_attribute = aat      # invalid, not malformed
            seen.add(k)
            if k == 0x00:
                n.implements = r.name()
            elif k == 0x01:
                n.version_suffix = r.name()
            elif k == 0x02:
                n.external_id = r.name()
            else:
                raise r.bad(f"invalid leading byte (0x{k:x}) for attribute")
        return n
    raise r.bad(f"invalid leading byte (0x{tag:x}) for component external name")


# ---- core types --------------------------------------------------------------

def _core_valtype(r: _R) -> int:
    b = r.u8()
    if b not in VALUE_TYPES:
        if b in (0x64, 0x63, 0x6E, 0x6D, 0x6C, 0x6B, 0x6A, 0x69, 0x71, 0x72, 0x73, 0x74):
            raise unsupported("GC reference types", r.pos - 1)
        raise r.bad("malformed value type")
    return b


def _core_type(r: _R):
    at = r.pos
    b = r.u8()
    if b == 0x60:
        params = tuple(r.vec(lambda: _core_valtype(r)))
        results = tuple(r.vec(lambda: _core_valtype(r)))
        return A.CoreFuncTypeDef(params, results, at)
    if b == 0x50:
        return A.ModuleTypeDef(r.vec(lambda: _module_decl(r)), at)
    if b in (0x4E, 0x4F, 0x5E, 0x5F, 0x00):
        raise unsupported("GC core types", at)
    raise r.bad(f"invalid leading byte (0x{b:x}) for core type")


def _module_decl(r: _R) -> tuple:
    at = r.pos
    b = r.u8()
    if b == 0x00:
        mod, name = r.name(), r.name()
        return ("import", mod, name, _core_externtype(r), at)
    if b == 0x01:
        t = _core_type(r)
        return ("type", t, at)
    if b == 0x02:
        if r.u8() != 0x10:
            raise r.bad("module type aliases must be of core types")
        if r.u8() != 0x01:
            raise r.bad("module type aliases must be outer aliases")
        return ("alias", r.u32(), r.u32(), at)
    if b == 0x03:
        n = r.name()
        return ("export", n, _core_externtype(r), at)
    raise r.bad(f"invalid leading byte (0x{b:x}) for module type declaration")


def _limits(r: _R, memory: bool) -> Limits:
    at = r.pos
    flag = r.u8()
    if memory and flag in (0x02, 0x03):
        raise unsupported("shared memories (threads)", at)
    if flag in (0x04, 0x05, 0x06, 0x07):
        raise unsupported("memory64", at)
    if flag > 1:
        raise MalformedError("integer too large" if flag < 0x80 else
                             "integer representation too long", at)
    lo = r.u32()
    return Limits(lo, r.u32() if flag else None)


def _core_externtype(r: _R) -> A.CoreExternDesc:
    at = r.pos
    b = r.u8()
    if b == 0x00:
        return A.CoreExternDesc("func", r.u32(), at)
    if b == 0x01:
        t = r.u8()
        if t not in (FUNCREF, EXTERNREF):
            raise r.bad("malformed reference type")
        return A.CoreExternDesc("table", TableType(t, _limits(r, False)), at)
    if b == 0x02:
        return A.CoreExternDesc("memory", MemType(_limits(r, True)), at)
    if b == 0x03:
        t = _core_valtype(r)
        m = r.u8()
        if m > 1:
            raise r.bad("malformed mutability")
        return A.CoreExternDesc("global", GlobalType(t, bool(m)), at)
    if b == 0x04:                   # tag: attribute 0 (exception), then its type
        if r.u8() != 0:
            raise r.bad("malformed tag attribute")
        return A.CoreExternDesc("tag", r.u32(), at)
    raise r.bad(f"invalid leading byte (0x{b:x}) for external kind")


# ---- component types -----------------------------------------------------------

def _valtype(r: _R):
    """A valtype: a primitive name or a type index (non-negative s33)."""
    at = r.pos
    b = r.peek()
    if b in PRIM_BY_CODE:
        r.pos += 1
        return PRIM_BY_CODE[b]
    if b in _ASYNC_TYPES:
        raise unsupported(f"{_ASYNC_TYPES[b]} (component model async)", at)
    v = r.s33()
    if v < 0:
        raise MalformedError(f"invalid leading byte (0x{b:x}) for component value type", at)
    return v


def _opt(r: _R, item):
    at = r.pos
    b = r.u8()
    if b == 0x00:
        return None
    if b == 0x01:
        return item()
    raise r.bad(f"invalid leading byte (0x{b:x}) for optional", at)


def _label(r: _R) -> tuple[str, int]:
    at = r.pos
    return r.name(), at


def _type(r: _R):
    at = r.pos
    b = r.u8()
    if b in PRIM_BY_CODE:
        return A.ValTypeDef("prim", (PRIM_BY_CODE[b],), at)
    if b == 0x72:
        return A.ValTypeDef("record", tuple(r.vec(lambda: (_label(r), _valtype(r)))), at)
    if b == 0x71:
        return A.ValTypeDef("variant", tuple(r.vec(lambda: _case(r))), at)
    if b == 0x70:
        return A.ValTypeDef("list", (_valtype(r), None), at)
    if b == 0x67:
        t = _valtype(r)
        return A.ValTypeDef("list", (t, r.u32()), at)
    if b == 0x6F:
        return A.ValTypeDef("tuple", tuple(r.vec(lambda: _valtype(r))), at)
    if b == 0x6E:
        return A.ValTypeDef("flags", tuple(r.vec(lambda: _label(r))), at)
    if b == 0x6D:
        return A.ValTypeDef("enum", tuple(r.vec(lambda: _label(r))), at)
    if b == 0x6B:
        return A.ValTypeDef("option", (_valtype(r),), at)
    if b == 0x6A:
        ok = _opt(r, lambda: _valtype(r))
        return A.ValTypeDef("result", (ok, _opt(r, lambda: _valtype(r))), at)
    if b in (0x69, 0x68):
        return A.ValTypeDef("own" if b == 0x69 else "borrow", (r.u32(),), at)
    if b in _ASYNC_TYPES:
        raise unsupported(f"{_ASYNC_TYPES[b]} (component model async)", at)
    if b == 0x63:
        raise unsupported("map types (🗺️)", at)
    if b == 0x40 or b == 0x43:
        if b == 0x43:
            raise unsupported("async functions (component model async)", at)
        params = r.vec(lambda: (_label(r), _valtype(r)))
        return A.FuncTypeDef(params, _resultlist(r), at)
    if b == 0x41:
        return A.ComponentTypeDef(r.vec(lambda: _decl(r, True)), at)
    if b == 0x42:
        return A.InstanceTypeDef(r.vec(lambda: _decl(r, False)), at)
    if b == 0x3F:
        rep = r.u8()
        if rep not in VALUE_TYPES:
            raise r.bad("malformed value type")
        return A.ResourceTypeDef(rep, _opt(r, r.u32), at)
    raise r.bad(f"invalid leading byte (0x{b:x}) for component defined type")


def _case(r: _R):
    lab = _label(r)
    t = _opt(r, lambda: _valtype(r))
    at = r.pos
    if r.u8() != 0x00:
        raise MalformedError("variant case refinement is not supported (expected 0x00)", at)
    return (lab, t)


def _resultlist(r: _R):
    at = r.pos
    b = r.u8()
    if b == 0x00:
        return _valtype(r)
    if b == 0x01:
        if r.u8() != 0x00:
            raise r.bad("named results are not supported")
        return None
    raise r.bad(f"invalid leading byte (0x{b:x}) for component function results", at)


def _decl(r: _R, component: bool) -> A.Decl:
    at = r.pos
    b = r.u8()
    if b == 0x00:
        return A.Decl("core type", _core_type(r), at)
    if b == 0x01:
        return A.Decl("type", _type(r), at)
    if b == 0x02:
        return A.Decl("alias", _alias(r), at)
    if b == 0x04:
        n = _extern_name(r)
        return A.Decl("export", (n, _externdesc(r)), at)
    if b == 0x03 and component:
        n = _extern_name(r)
        return A.Decl("import", (n, _externdesc(r)), at)
    raise r.bad(f"invalid leading byte (0x{b:x}) for "
                f"{'component' if component else 'instance'} type declaration")


def _externdesc(r: _R) -> A.ExternDesc:
    at = r.pos
    b = r.u8()
    if b == 0x00:
        if r.u8() != 0x11:
            raise r.bad("invalid leading byte for core module external kind")
        return A.ExternDesc("module", r.u32(), at)
    if b not in _EXTERN_KINDS:
        raise r.bad(f"invalid leading byte (0x{b:x}) for external kind")
    kind = _EXTERN_KINDS[b]
    if kind == "value":
        raise unsupported("value imports and exports (🪙)", at)
    if kind == "type":
        bat = r.pos
        bound = r.u8()
        if bound == 0x00:
            return A.ExternDesc("type", r.u32(), at, eq=True)
        if bound == 0x01:
            return A.ExternDesc("type", None, at)
        raise r.bad(f"invalid leading byte (0x{bound:x}) for type bound", bat)
    return A.ExternDesc(kind, r.u32(), at)


# ---- canon, imports, exports -----------------------------------------------------

def _canon(r: _R) -> A.Canon:
    at = r.pos
    b = r.u8()
    if b in (0x00, 0x01):
        if r.u8() != 0x00:
            raise r.bad("canonical lift/lower must name a function")
        f = r.u32()
        opts = _canon_opts(r)
        if b == 0x00:
            return A.Canon("lift", f, r.u32(), opts, at)
        return A.Canon("lower", f, None, opts, at)
    if b in (0x02, 0x03, 0x04):
        kind = {2: "resource.new", 3: "resource.drop", 4: "resource.rep"}[b]
        return A.Canon(kind, None, r.u32(), [], at)
    if b == 0x07:
        raise unsupported("resource.drop async (component model async)", at)
    if b in _ASYNC_CANON:
        raise unsupported(f"{_ASYNC_CANON[b]} (component model async)", at)
    if b in _THREAD_CANON:
        raise unsupported(f"{_THREAD_CANON[b]} (component model threading)", at)
    raise r.bad(f"invalid leading byte (0x{b:x}) for canonical function")


def _canon_opts(r: _R) -> list[A.CanonOpt]:
    opts = []
    for _ in range(r.u32()):
        at = r.pos
        b = r.u8()
        if b in _OPT_ENC:
            opts.append(A.CanonOpt(_OPT_ENC[b], None, at))
        elif b in _OPT_IDX:
            opts.append(A.CanonOpt(_OPT_IDX[b], r.u32(), at))
        elif b in (0x06, 0x07):
            raise unsupported("async lift/lower (component model async)", at)
        elif b in (0x08, 0x09):
            raise unsupported("GC canonical options", at)
        else:
            raise r.bad(f"invalid leading byte (0x{b:x}) for canonical option")
    return opts


def _import(r: _R) -> A.Import:
    at = r.pos
    n = _extern_name(r)
    return A.Import(n, _externdesc(r), at)


def _export(r: _R) -> A.Export:
    at = r.pos
    n = _extern_name(r)
    s = _sort(r)
    idx = r.u32()
    desc = _opt(r, lambda: _externdesc(r))
    return A.Export(n, s, idx, desc, at)


_VEC_SECTIONS = {
    2: ("core instance", _core_instance),
    3: ("core type", _core_type),
    5: ("instance", _instance),
    6: ("alias", _alias),
    7: ("type", _type),
    8: ("canon", _canon),
    10: ("import", _import),
    11: ("export", _export),
}
