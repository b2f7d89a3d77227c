"""The decoded form of a component binary: syntax, with raw indices.

Produced by :func:`wasmaot.frontend.component.reader.decode_component`,
checked (and given semantic types) by :mod:`.validate`.

A :class:`Component` keeps its definitions as one flat list, in binary order:
the component model builds every index space incrementally, section by
section, so order is meaning.  Every definition carries ``offset``, the byte
offset (in the outermost file) where it starts, for error messages.

Sorts are strings: the core ones are prefixed (``"core func"``, ``"core
module"``...), the component ones are bare (``"func"``, ``"type"``...).
A value type reference (``vt``) is an ``int`` type index or a primitive name.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..module import Module


@dataclass(slots=True)
class CoreModule:
    module: Module          # decoded by the core decoder (offsets relative to start)
    start: int              # byte range of the embedded module in the file
    end: int
    offset: int


@dataclass(slots=True)
class CoreInstantiate:
    module: int
    args: list[tuple[str, int, int]]            # (name, core instance index, offset)
    offset: int


@dataclass(slots=True)
class CoreInlineExports:
    exports: list[tuple[str, str, int, int]]    # (name, core sort, index, offset)
    offset: int


@dataclass(slots=True)
class Instantiate:
    component: int
    args: list[tuple[str, str, int, int]]       # (name, sort, index, offset)
    offset: int


@dataclass(slots=True)
class InlineExports:
    exports: list[tuple[Name, str, int, int]]  # (name, sort, index, offset)
    offset: int


@dataclass(slots=True)
class Alias:
    sort: str
    target: str          # "export", "core export" or "outer"
    a: int               # instance index, or outer count
    b: str | int         # export name, or outer index
    offset: int


@dataclass(slots=True)
class Name:
    """An extern name with its attributes (🏷️/🔗)."""
    name: str
    offset: int
    implements: str | None = None
    version_suffix: str | None = None
    external_id: str | None = None
    duplicate_attribute: int | None = None   # offset of a repeated attribute kind


@dataclass(slots=True)
class ExternDesc:
    """``externtype`` syntax: kind module/func/value/type/component/instance.

    ``index`` is the type index (core type index for module); for ``type``
    bounds ``eq`` is True and ``index`` set, or ``eq`` is False for
    ``(sub resource)``; for ``value`` either ``eq`` with a value index or a vt.
    """
    kind: str
    index: int | str | None
    offset: int
    eq: bool = False


# ---- core types ----------------------------------------------------------

@dataclass(slots=True)
class CoreFuncTypeDef:
    params: tuple[int, ...]
    results: tuple[int, ...]
    offset: int


@dataclass(slots=True)
class CoreExternDesc:
    kind: str            # func (index = type index), table, memory, global, tag
    type: object         # type index, or a frontend.types TableType/MemType/GlobalType
    offset: int


@dataclass(slots=True)
class ModuleTypeDef:
    # ("import", module, name, CoreExternDesc) | ("type", CoreFuncTypeDef|ModuleTypeDef)
    # | ("alias", count, index, offset) | ("export", name, CoreExternDesc)
    decls: list[tuple]
    offset: int


# ---- component types -------------------------------------------------------

@dataclass(slots=True)
class ValTypeDef:
    """A defvaltype.  ``items`` by kind: record ((label, vt)...); variant
    ((label, vt|None)...); list (vt, length|None); tuple (vt...); flags/enum
    (label...); option (vt,); result (ok|None, err|None); own/borrow (index,);
    prim (name,)."""
    kind: str
    items: tuple
    offset: int


@dataclass(slots=True)
class FuncTypeDef:
    params: list[tuple[str, object]]
    result: object | None
    offset: int
    is_async: bool = False


@dataclass(slots=True)
class ResourceTypeDef:
    rep: int             # core value type
    dtor: int | None     # core func index
    offset: int


@dataclass(slots=True)
class Decl:
    """A declarator inside a component or instance type.

    kind: "core type" (value: CoreFuncTypeDef/ModuleTypeDef), "type" (a type
    definition), "alias" (Alias), "import"/"export" (value: (Name, ExternDesc)).
    """
    kind: str
    value: object
    offset: int


@dataclass(slots=True)
class ComponentTypeDef:
    decls: list[Decl]
    offset: int


@dataclass(slots=True)
class InstanceTypeDef:
    decls: list[Decl]
    offset: int


# ---- canon, imports, exports ----------------------------------------------

@dataclass(slots=True)
class CanonOpt:
    kind: str            # utf8, utf16, latin1+utf16, memory, realloc, post-return, async, callback
    index: int | None
    offset: int


@dataclass(slots=True)
class Canon:
    """kind: lift (func = core func, type = type index), lower (func =
    component func), resource.new / resource.drop / resource.rep (type)."""
    kind: str
    func: int | None
    type: int | None
    opts: list[CanonOpt]
    offset: int


@dataclass(slots=True)
class Import:
    name: Name
    desc: ExternDesc
    offset: int


@dataclass(slots=True)
class Export:
    name: Name
    sort: str
    index: int
    desc: ExternDesc | None
    offset: int


@dataclass(slots=True)
class Custom:
    name: str
    start: int           # payload after the name
    end: int
    offset: int


@dataclass(slots=True)
class Component:
    """A component; ``defs`` are the definitions of every section in order.

    Each entry is a pair (section kind, definition) where the kind is one of
    core module, core instance, core type, component, instance, alias, type,
    canon, import, export, custom.
    """
    defs: list[tuple[str, object]] = field(default_factory=list)
    start: int = 0          # byte range in the file (nested components: inside it)
    end: int = 0
    offset: int = 0
    filename: str | None = None
    # from the `component-name` custom section: sort -> index -> name
    # ("" -> {0: the component's own name}); empty when absent or broken
    names: dict[str, dict[int, str]] = field(default_factory=dict)
