"""`wasmaot inspect` for components: the structure, with WIT-level types.

:func:`render` walks the definitions of a validated component in order,
numbering every index space the way the validator built it, and prints one
line per definition (nested components indented), e.g.::

    core module[0]: 2 imports, 3 exports (0x0000a..0x00120)
    core instance[0] = instantiate core module[0] with "env": core instance[1]
    import "wasi:cli/stdout@0.2.0": instance[0] = instance {
      export "output-stream": type resource
      export "get-stdout": func() -> own<output-stream>
    }
    func[1] = canon lift core func[3] (memory 0, realloc 2): func(x: u32) -> string
    export "run": func[2] = func[1]: func() -> result

Value types print as WIT does (``list<u8>``, ``option<string>``,
``result<u32, string>``, ``record { x: u32 }``, ``own<r>``); a record,
variant, enum, flags or resource that has a name (it was imported or
exported as a ``type``) prints by that name.
"""
from __future__ import annotations

import re

from . import ast as A
from .types import (
    Borrow,
    ComponentType,
    CoreModuleType,
    Enum,
    ExternType,
    Flags,
    FuncType,
    InstanceType,
    List,
    Option,
    Own,
    Record,
    Resource,
    Result,
    Tuple,
    Variant,
)
from .validate import KIND_SORT, Scope

IND = "  "


def render(scope: Scope, filename: str | None = None, size: int | None = None) -> str:
    head = f"{filename}: " if filename else ""
    extra = f", {size} bytes" if size is not None else ""
    lines = [f"{head}component{extra}"]
    _scope_lines(scope, 1, lines)
    return "\n".join(lines)


# ---- value and extern types ---------------------------------------------------

class _Names:
    """Names of type objects (by id), for printing references by name."""

    def __init__(self, base: dict[int, str] | None = None):
        self.names = dict(base or {})
        self.cache: dict[tuple[int, bool], str] = {}

    def child(self) -> _Names:
        return _Names(self.names)

    def add(self, t, name: str) -> None:
        self.names.setdefault(id(t), name)


MAX_TYPE_TEXT = 400     # longer renderings are cut: types are DAGs, their text is not


def valtype(t, names: _Names, top: bool = False) -> str:
    if isinstance(t, str):
        return t
    if not top and id(t) in names.names and isinstance(t, (Record, Variant, Enum, Flags)):
        return names.names[id(t)]
    key = (id(t), top)
    text = names.cache.get(key)
    if text is None:
        text = _valtype(t, names, top)
        if len(text) > MAX_TYPE_TEXT:
            text = text[:MAX_TYPE_TEXT] + "..."
        names.cache[key] = text
    return text


def _valtype(t, names: _Names, top: bool) -> str:
    if isinstance(t, Resource):
        return names.names.get(id(t)) or t.name or "resource"
    if isinstance(t, (Own, Borrow)):
        kw = "own" if isinstance(t, Own) else "borrow"
        return f"{kw}<{valtype(t.resource, names)}>"
    if isinstance(t, Record):
        return "record { " + ", ".join(f"{n}: {valtype(x, names)}" for n, x in t.fields) + " }"
    if isinstance(t, Variant):
        cases = (n if x is None else f"{n}({valtype(x, names)})" for n, x in t.cases)
        return "variant { " + ", ".join(cases) + " }"
    if isinstance(t, Enum):
        return "enum { " + ", ".join(t.names) + " }"
    if isinstance(t, Flags):
        return "flags { " + ", ".join(t.names) + " }"
    if isinstance(t, List):
        tail = "" if t.length is None else f", {t.length}"
        return f"list<{valtype(t.elem, names)}{tail}>"
    if isinstance(t, Tuple):
        return "tuple<" + ", ".join(valtype(x, names) for x in t.types) + ">"
    if isinstance(t, Option):
        return f"option<{valtype(t.type, names)}>"
    if isinstance(t, Result):
        if t.ok is None and t.err is None:
            return "result"
        ok = "_" if t.ok is None else valtype(t.ok, names)
        return f"result<{ok}>" if t.err is None else f"result<{ok}, {valtype(t.err, names)}>"
    return repr(t)


def functype(ft: FuncType, names: _Names) -> str:
    params = ", ".join(f"{n}: {valtype(t, names)}" for n, t in ft.params)
    res = "" if ft.result is None else f" -> {valtype(ft.result, names)}"
    return f"func({params}){res}"


def deftype(t, names: _Names, depth: int) -> list[str]:
    """A type definition: a value, func, component or instance type, or a resource."""
    if isinstance(t, FuncType):
        return [functype(t, names)]
    if isinstance(t, InstanceType):
        return _block("instance", [("export", n, e) for n, e in t.exports], names, depth)
    if isinstance(t, ComponentType):
        items = [("import", n, e) for n, e in t.imports] + [("export", n, e) for n, e in t.exports]
        return _block("component", items, names, depth)
    if isinstance(t, Resource):
        return [f"resource{'' if t.root.rep is None else ' (rep i32)'}"]
    return [valtype(t, names, top=True)]


def _block(kw: str, items, names: _Names, depth: int) -> list[str]:
    if not items:
        return [f"{kw} {{}}"]
    inner = names.child()
    out = [f"{kw} {{"]
    for what, n, e in items:
        if e.kind == "type":
            inner.add(e.type, n)
        body = extern(e, inner, depth + 1)
        out.append(f"{IND * (depth + 1)}{what} \"{n}\": {body[0]}")
        out.extend(body[1:])
    out.append(f"{IND * depth}}}")
    return out


def extern(e: ExternType, names: _Names, depth: int) -> list[str]:
    if e.kind == "type":
        lines = deftype(e.type, names, depth)
        return [f"type {lines[0]}"] + lines[1:]
    if e.kind == "module":
        return [core_module(e.type)]
    return deftype(e.type, names, depth)


def core_module(t: CoreModuleType) -> str:
    return f"core module ({len(t.imports)} imports, {len(t.exports)} exports)"


# ---- definitions ------------------------------------------------------------------

class _Counter:
    """Numbers each index space as definitions go; labels carry the
    ``component-name`` section's names (``func[3] $go``)."""

    def __init__(self, names: dict[str, dict[int, str]]):
        self.n: dict[str, int] = {}
        self.names = names

    def next(self, sort: str) -> str:
        i = self.n.get(sort, 0)
        self.n[sort] = i + 1
        return self.ref(sort, i)

    def ref(self, sort: str, i: int) -> str:
        name = self.names.get(sort, {}).get(i)
        return f"{sort}[{i}]" + (f" ${name}" if name else "")


def _scope_lines(sc: Scope, depth: int, out: list[str]) -> None:
    names = _Names()
    for name, e in sc.imports + sc.exports:
        if e.kind == "type":
            names.add(e.type, name)
    for t in sc.space["type"]:
        if isinstance(t, Resource) and t.name:
            names.add(t, t.name)
    cnt = _Counter(sc.ast.names)
    nested = iter(sc.nested)
    modules = iter(sc.core_modules)
    pad = IND * depth
    for kind, d in sc.ast.defs:
        lines = _def_lines(sc, kind, d, cnt, names, depth, nested, modules)
        if lines:
            out.append(pad + lines[0])
            out.extend(lines[1:])


def _def_lines(sc, kind, d, cnt, names, depth, nested, modules) -> list[str]:
    space = sc.space
    if kind == "custom":
        return [f"custom \"{d.name}\": {d.end - d.start} bytes"]
    if kind == "core module":
        _, mt = next(modules)
        m = d.module
        return [(f"{cnt.next('core module')}: {len(mt.imports)} imports, {len(mt.exports)} "
                f"exports, {len(m.funcs)} functions (bytes 0x{d.start:x}..0x{d.end:x})")]
    if kind == "component":
        sub = next(nested)
        lines = [f"{cnt.next('component')} = component {{"]
        _scope_lines(sub, depth + 1, lines)
        return lines + [f"{IND * depth}}}"]
    if kind == "core instance":
        label = cnt.next("core instance")
        if isinstance(d, A.CoreInstantiate):
            args = ", ".join(f'"{n}": {cnt.ref("core instance", i)}' for n, i, _ in d.args)
            return [f"{label} = instantiate {cnt.ref('core module', d.module)}"
                    + (f" with {args}" if args else "")]
        items = ", ".join(f'"{n}": {cnt.ref(s, i)}' for n, s, i, _ in d.exports)
        return [f"{label} = {{ {items} }}"]
    if kind == "core type":
        label = cnt.next("core type")
        t = space["core type"][_index(label)]
        return [f"{label} = {core_module(t) if isinstance(t, CoreModuleType) else f'func {t}'}"]
    if kind == "instance":
        label = cnt.next("instance")
        if isinstance(d, A.Instantiate):
            args = ", ".join(f'"{n}": {cnt.ref(s, i)}' for n, s, i, _ in d.args)
            head = (f"{label} = instantiate {cnt.ref('component', d.component)}"
                    + (f" with {args}" if args else ""))
        else:
            items = ", ".join(f'"{n.name}": {cnt.ref(s, i)}' for n, s, i, _ in d.exports)
            head = f"{label} = {{ {items} }}"
        return [head]
    if kind == "alias":
        label = cnt.next(d.sort)
        src = (f'{cnt.ref("instance", d.a)} "{d.b}"' if d.target == "export" else
               f'{cnt.ref("core instance", d.a)} "{d.b}"' if d.target == "core export" else
               f"outer {d.a} {d.sort}[{d.b}]")
        return _typed(f"{label} = alias {src}", sc, d.sort, label, names, depth)
    if kind == "type":
        label = cnt.next("type")
        return _typed(f"{label} =", sc, "type", label, names, depth, sep=" ")
    if kind == "canon":
        return _canon_lines(sc, d, cnt, names, depth)
    if kind in ("import", "export"):
        sort = KIND_SORT[d.desc.kind] if kind == "import" else d.sort
        label = cnt.next(sort)
        src = "" if kind == "import" else f" = {cnt.ref(d.sort, d.index)}"
        return _typed(f'{kind} "{d.name.name}": {label}{src}', sc, sort, label, names, depth)
    return [f"{kind}"]


def _index(label: str) -> int:
    return int(re.search(r"\[(\d+)\]", label).group(1))


def _typed(head: str, sc, sort: str, label: str, names, depth, sep: str = ": ") -> list[str]:
    t = sc.space[sort][_index(label)]
    if sort.startswith("core "):
        if isinstance(t, CoreModuleType):
            return [f"{head}{sep}{core_module(t)}"]
        return [f"{head}{sep}{t}"] if sort in ("core func", "core type") else [head]
    body = deftype(t, names, depth) if sort != "component" or isinstance(t, ComponentType) else ["component"]
    return [f"{head}{sep}{body[0]}"] + body[1:]


def _canon_lines(sc, d: A.Canon, cnt, names, depth) -> list[str]:
    opts = ", ".join(o.kind if o.index is None else f"{o.kind} {o.index}" for o in d.opts)
    opts = f" ({opts})" if opts else ""
    if d.kind == "lift":
        label = cnt.next("func")
        ft = sc.space["func"][_index(label)]
        return [(f"{label} = canon lift {cnt.ref('core func', d.func)}{opts}: "
                f"{functype(ft, names)}")]
    label = cnt.next("core func")
    t = sc.space["core func"][_index(label)]
    what = cnt.ref("func", d.func) if d.kind == "lower" else cnt.ref("type", d.type)
    return [f"{label} = canon {d.kind} {what}{opts}: {t}"]


__all__ = ["functype", "render", "valtype"]
