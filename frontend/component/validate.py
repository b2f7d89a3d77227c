"""Component validation: index spaces, types, names, instantiation, canon.

:func:`validate_component` walks the definitions of a decoded
:class:`~.ast.Component` in order, building the index spaces of each scope
as Binary.md prescribes, and returns the top :class:`Scope`, which carries
the semantic types of everything (inspect and the later compilation stages
read it).  Every rejection is an :class:`InvalidError` at the offending
definition's byte offset; embedded core modules go through the core
validator.

Scopes: a component definition, a component type and an instance type each
open a :class:`Scope` with fresh index spaces (a module type has its own
small one); ``alias outer`` reaches enclosing scopes by count.

What is checked (the parts WASI 0.2 components and the suites use):
every index against its sort's space; alias targets and kinds; core module
instantiation (import names and core subtyping); component instantiation
(each import supplied, by subtyping, with imported resources bound to the
argument's and the component's own resources fresh per instance); names
(kebab-case labels, interface names with versions, strong uniqueness,
``[constructor]``/``[method]``/``[static]`` rules, attributes); defined
value types (non-empty, unique labels, flags <= 32, own/borrow of
resources, no borrow in results, size < 2^28); external visibility of types
in imports/exports; canon lift/lower signatures and options (memory,
realloc, post-return, string-encoding) and resource built-ins.
"""
from __future__ import annotations

import re

from ..errors import InvalidError, UnsupportedInvalidError, WasmError
from ..module import ExternKind, address_type
from ..types import I32, MAX_PAGES
from ..types import FuncType as CoreFuncType
from . import ast as A
from . import names as N
from .types import (
    Borrow,
    ComponentType,
    CoreExtern,
    CoreInstanceType,
    CoreModuleType,
    Defined,
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
    contains_borrow,
    depth,
    flat_len,
    flatten_functype,
    memoized_size,
    named_copy,
    needs_memory,
    resource_roots,
    subst,
    type_eq,
)

SORTS = ("core func", "core table", "core memory", "core global", "core tag", "core type",
         "core module", "core instance", "func", "value", "type", "instance", "component")
KIND_SORT = {"module": "core module", "func": "func", "value": "value", "type": "type",
             "component": "component", "instance": "instance"}
SORT_KIND = {v: k for k, v in KIND_SORT.items()}
#: a core extern kind's name ("func", "table", "memory", "global", "tag")
CORE_KIND = {ExternKind.FUNC: "func", ExternKind.TABLE: "table",
             ExternKind.MEMORY: "memory", ExternKind.GLOBAL: "global", ExternKind.TAG: "tag"}
MAX_TYPE_SIZE = 1 << 28
MAX_TYPE_DEPTH = 100        # wasmparser's limit; the spec has none


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def err(msg: str, offset: int | None) -> InvalidError:
    # Names are user bytes: a newline in one must not break the one-line form.
    return InvalidError(_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", msg), offset)


class Scope:
    """One component, component type or instance type being validated."""

    def __init__(self, kind: str, parent: Scope | None, ast=None):
        self.kind = kind                     # "component", "component type", "instance type"
        self.parent = parent
        self.ast = ast
        self.space: dict[str, list] = {s: [] for s in SORTS}
        self.imports: list[tuple[str, ExternType]] = []
        self.exports: list[tuple[str, ExternType]] = []
        self._import_keys: dict[str, str] = {}
        self._export_keys: dict[str, str] = {}
        # External visibility: the type objects named by an import (or an
        # export), by id; imports may only mention imported names, exports
        # either.  Instances named that way confer names on what is aliased
        # out of them.
        self.named: dict[str, dict[int, object]] = {"import": {}, "export": {}}
        self.named_instances: dict[int, tuple[str, object]] = {}
        # [constructor]/[method]/[static] names refer to resources by name.
        self.resource_names: dict[str, dict[str, Resource]] = {"import": {}, "export": {}}
        self.nested: list[Scope] = []        # nested component definitions, in order
        self.core_modules: list = []         # (CoreModule ast, CoreModuleType)
        self.chain = {id(self)} | (parent.chain if parent else set())

    def item(self, sort: str, idx: int, offset: int):
        space = self.space[sort]
        if idx >= len(space):
            raise err(f"unknown {sort} {idx}: {sort} index out of bounds", offset)
        return space[idx]

    def add(self, sort: str, t) -> None:
        self.space[sort].append(t)

    def component_type(self) -> ComponentType:
        return ComponentType(tuple(self.imports), tuple(self.exports))

    def instance_type(self) -> InstanceType:
        return InstanceType(tuple(self.exports))


# ============================================================================

def validate_component(comp: A.Component, filename: str | None = None) -> Scope:
    """Validate ``comp``; return its scope.  Raises InvalidError."""
    try:
        return _component(comp, None)
    except WasmError as e:
        if e.filename is None:
            e.filename = filename
        raise


def _component(comp: A.Component, parent: Scope | None) -> Scope:
    sc = Scope("component", parent, comp)
    for kind, d in comp.defs:
        _DEFS[kind](sc, d)
    return sc


# ---- core modules, instances, types ------------------------------------------

def _core_module(sc: Scope, d: A.CoreModule) -> None:
    from ..validate import validate_module
    try:
        validate_module(d.module)
    except WasmError as e:
        if e.offset is not None:
            e.offset += d.start
        raise
    seen = set()
    for imp in d.module.imports:
        if (imp.module, imp.name) in seen:
            raise err(f"duplicate import name `{imp.module}:{imp.name}`", imp.offset + d.start)
        seen.add((imp.module, imp.name))
    t = module_type(d.module)
    sc.core_modules.append((d, t))
    sc.add("core module", t)


def module_type(m) -> CoreModuleType:
    """The CoreModuleType of a decoded core module."""
    def ext(kind, index_or_desc, *, imported):
        k = CORE_KIND[kind]
        if k == "func":
            return CoreExtern(k, m.types[index_or_desc] if imported else m.func_type(index_or_desc))
        if k == "tag":              # a tag's type: its function type (params = payload)
            return CoreExtern(k, m.types[index_or_desc if imported else m.tag_types[index_or_desc]])
        if imported:
            return CoreExtern(k, index_or_desc)
        space = {"table": m.table_types, "memory": m.mem_types, "global": m.global_types}[k]
        return CoreExtern(k, space[index_or_desc])
    imports = tuple((i.module, i.name, ext(i.kind, i.desc, imported=True)) for i in m.imports)
    exports = tuple((e.name, ext(e.kind, e.index, imported=False)) for e in m.exports)
    return CoreModuleType(imports, exports)


def _core_instance(sc: Scope, d) -> None:
    if isinstance(d, A.CoreInstantiate):
        mt = sc.item("core module", d.module, d.offset)
        args: dict[str, CoreInstanceType] = {}
        for name, idx, at in d.args:
            if name in args:
                raise err(f"duplicate module instantiation argument named `{name}`", at)
            args[name] = sc.item("core instance", idx, at)
        for mod, name, want in mt.imports:
            if mod not in args:
                raise err(f"missing module instantiation argument named `{mod}`", d.offset)
            got = args[mod].export(name)
            if got is None:
                raise err(f"module instantiation argument `{mod}` does not export an item "
                          f"named `{name}`", d.offset)
            if not core_extern_sub(got, want):
                raise err(f"type mismatch for export `{name}` of module instantiation "
                          f"argument `{mod}`: expected {core_extern_str(want)}, found "
                          f"{core_extern_str(got)}", d.offset)
        sc.add("core instance", CoreInstanceType(mt.exports))
        return
    seen = set()
    exports = []
    for name, sort, idx, at in d.exports:
        if name in seen:
            raise err(f"export name `{name}` already defined", at)
        seen.add(name)
        if sort not in ("core func", "core table", "core memory", "core global", "core tag"):
            raise err(f"{sort} cannot be exported from a core instance", at)
        exports.append((name, CoreExtern(sort[5:], sc.item(sort, idx, at))))
    sc.add("core instance", CoreInstanceType(tuple(exports)))


def _limits_sub(a, b) -> bool:
    return a.min >= b.min and (b.max is None or (a.max is not None and a.max <= b.max))


def core_extern_sub(a: CoreExtern, b: CoreExtern) -> bool:
    if a.kind != b.kind:
        return False
    if a.kind == "table":
        return a.type.elem == b.type.elem and _limits_sub(a.type.limits, b.type.limits)
    if a.kind == "memory":
        return _limits_sub(a.type.limits, b.type.limits)
    return a.type == b.type


def core_extern_str(e: CoreExtern) -> str:
    return f"{e.kind} {e.type}"


def _core_limits(e: A.CoreExternDesc) -> None:
    if e.kind not in ("table", "memory"):
        return
    lim = e.type.limits
    if lim.max is not None and lim.max < lim.min:
        raise err("size minimum must not be greater than maximum", e.offset)
    if e.kind == "memory" and max(lim.min, lim.max or 0) > MAX_PAGES:
        raise err("memory size must be at most 65536 pages (4GiB)", e.offset)


def _core_type(sc: Scope, d) -> None:
    sc.add("core type", core_typedef(sc, d))


def core_typedef(sc: Scope, d):
    if isinstance(d, A.CoreFuncTypeDef):
        return CoreFuncType(d.params, d.results)
    # A module type: its own core type index space, outer aliases reach sc.
    types: list = []
    imports, exports, export_names = [], [], set()

    def ext(e: A.CoreExternDesc) -> CoreExtern:
        _core_limits(e)
        if e.kind in ("func", "tag"):       # a tag's type is a function type too
            if e.type >= len(types):
                raise err(f"unknown core type {e.type}: type index out of bounds", e.offset)
            if not isinstance(types[e.type], CoreFuncType):
                raise err(f"core type {e.type} is not a function type", e.offset)
            return CoreExtern(e.kind, types[e.type])
        return CoreExtern(e.kind, e.type)

    import_names = set()
    for decl in d.decls:
        tag = decl[0]
        if tag == "import":
            if (decl[1], decl[2]) in import_names:
                raise err(f"duplicate import name `{decl[1]}:{decl[2]}`", decl[-1])
            import_names.add((decl[1], decl[2]))
            imports.append((decl[1], decl[2], ext(decl[3])))
        elif tag == "export":
            if decl[1] in export_names:
                raise err(f"duplicate export name `{decl[1]}` in module type", decl[-1])
            export_names.add(decl[1])
            exports.append((decl[1], ext(decl[2])))
        elif tag == "type":
            if isinstance(decl[1], A.ModuleTypeDef):
                raise err("module types may not be nested in module types", decl[-1])
            types.append(CoreFuncType(decl[1].params, decl[1].results))
        else:
            _, count, idx, at = decl
            if count != 1:
                raise err(f"invalid outer alias count of {count}", at)
            t = sc.item("core type", idx, at)
            if isinstance(t, CoreModuleType):
                raise err("module types may not be aliased into module types", at)
            types.append(t)
    return CoreModuleType(tuple(imports), tuple(exports))


# ---- nested components and instances ---------------------------------------------

def _nested_component(sc: Scope, d: A.Component) -> None:
    sub = _component(d, sc)
    sc.nested.append(sub)
    sc.add("component", sub.component_type())


def _extern_of(sc: Scope, sort: str, idx: int, at: int) -> ExternType:
    if sort not in KIND_SORT.values():
        raise err(f"{sort} is not a valid component external (only core modules may be)", at)
    return ExternType(SORT_KIND[sort], sc.item(sort, idx, at))


def _instance(sc: Scope, d) -> None:
    if isinstance(d, A.Instantiate):
        ct = sc.item("component", d.component, d.offset)
        args: dict[str, ExternType] = {}
        for name, sort, idx, at in d.args:
            if name in args:
                raise err(f"instantiation argument `{name}` conflicts with previous argument", at)
            args[name] = _extern_of(sc, sort, idx, at)
        sc.add("instance", instantiate(sc, ct, args, d.offset))
        return
    keys: dict[str, str] = {}
    resources: dict[str, Resource] = {}
    exports = []
    for name, sort, idx, at in d.exports:
        et = _extern_of(sc, sort, idx, at)
        if et.kind == "type":
            et = ExternType("type", named_copy(et.type, name.name))
            if isinstance(et.type, Resource):
                resources[name.name] = et.type
        _check_annotation(resources, _check_name(name, keys, "export", at, et), et, at)
        exports.append((name.name, et))
    sc.add("instance", InstanceType(tuple(exports)))


def instantiate(sc: Scope, ct: ComponentType, args: dict[str, ExternType], at: int,
                loose: frozenset = frozenset()) -> InstanceType:
    """Check ``args`` against ``ct``'s imports; the instance type it yields.
    The imports named in ``loose`` are checked as a host's linker checks
    what it supplies (:func:`extern_sub`'s ``loose``), not as an
    instantiation argument."""
    imported = {}
    for _, et in ct.imports:
        imported.update(resource_roots(et))
        if et.kind == "type" and not isinstance(et.type, Resource):
            imported[id(et.type)] = et.type
    mapping: dict[int, object] = {}
    for name, want in ct.imports:
        got = args.get(name)
        if got is None:
            raise err(f"missing import named `{name}`", at)
        try:
            extern_sub(got, want, mapping, set(imported), name in loose)
        except TypeMismatch as e:
            raise err(f"type mismatch for import `{name}`: {e}", at) from None
    # The component's own resources are fresh for every instance.
    for _, et in ct.exports:
        for rid, r in resource_roots(et).items():
            if rid not in imported and rid not in mapping and not _visible(sc, r):
                # rep None: not local to sc (no resource.new/rep on it)
                mapping[rid] = Resource(r.name, scope=sc)
    return subst(InstanceType(ct.exports), mapping)


def _visible(sc: Scope, r: Resource) -> bool:
    """Whether resource ``r`` came into existence in ``sc`` or a scope around it."""
    return r.root.scope is not None and id(r.root.scope) in sc.chain


# ---- subtyping ---------------------------------------------------------------

class TypeMismatch(Exception):
    pass


def extern_sub(a: ExternType, b: ExternType, mapping: dict, bindable: set,
               loose: bool = False) -> None:
    """Check ``a`` <: ``b``.  Resources of ``b`` whose root is in ``bindable``
    are bound (in ``mapping``) to ``a``'s at their ``type`` declaration.
    ``loose``: as wasmtime's linker checks what its host supplies (the wast
    harness's ``host``): function parameter names are not compared (host
    functions have none), and an instance need not export a type that
    the expected one binds by equality to a type already known (a value
    type, or a resource bound earlier): there is nothing to supply."""
    if a.kind != b.kind:
        raise TypeMismatch(f"expected {b.kind}, found {a.kind}")
    if a.kind == "type":
        _type_sub(a.type, b.type, mapping, bindable)
    elif a.kind == "func":
        _func_sub(a.type, subst(b.type, mapping), not loose)
    elif a.kind == "instance":
        have = dict(a.type.exports)
        for name, et in b.type.exports:
            if name not in have and loose and _nothing_to_supply(et, mapping):
                continue
            if name not in have:
                raise TypeMismatch(f"missing expected export `{name}`")
            try:
                extern_sub(have[name], et, mapping, bindable, loose)
            except TypeMismatch as e:
                raise TypeMismatch(f"type mismatch in instance export `{name}`: {e}") from None
    elif a.kind == "component":
        _component_sub(a.type, subst(b.type, mapping))
    elif a.kind == "module":
        _module_sub(a.type, b.type)


def _type_sub(a, b, mapping, bindable) -> None:
    if isinstance(b, Resource):
        if not isinstance(a, Resource):
            raise TypeMismatch("expected resource, found defined type")
        bound = mapping.get(id(b.root))
        if bound is None and id(b.root) in bindable:
            mapping[id(b.root)] = a.root
            return
        if (bound or b.root) != a:
            raise TypeMismatch("resource types are not the same")
        return
    b_orig, b = b, subst(b, mapping)
    if isinstance(a, Resource):
        raise TypeMismatch("expected defined type, found resource")
    if id(b_orig) in bindable:
        mapping[id(b_orig)] = a      # later uses see the argument's named type
    if type(a) is not type(b) and not (isinstance(a, str) or isinstance(b, str)):
        raise TypeMismatch(f"expected {_kind(b)}, found {_kind(a)}")
    if isinstance(a, FuncType) and isinstance(b, FuncType):
        _func_sub(a, b)
    elif isinstance(a, InstanceType):
        extern_sub(ExternType("instance", a), ExternType("instance", b), mapping, bindable)
    elif isinstance(a, ComponentType):
        _component_sub(a, b)
    elif not type_eq(a, b):
        raise TypeMismatch(f"expected {_show(b)}, found {_show(a)}")


def _kind(t) -> str:
    return t if isinstance(t, str) else type(t).__name__.lower()


def _nothing_to_supply(et: ExternType, mapping: dict) -> bool:
    """A type export bound by equality to what is already known."""
    return et.kind == "type" and all(rid in mapping for rid in resource_roots(et))


def _func_sub(a: FuncType, b: FuncType, names: bool = True) -> None:
    if len(a.params) != len(b.params):
        raise TypeMismatch(f"expected {len(b.params)} parameters, found {len(a.params)}")
    for (an, at), (bn, bt) in zip(a.params, b.params):
        if names and an != bn:
            raise TypeMismatch(f"expected parameter named `{bn}`, found `{an}`")
        if not type_eq(at, bt):
            raise TypeMismatch(f"type mismatch in function parameter `{an}`: "
                               f"expected {_show(bt)}, found {_show(at)}")
    if not type_eq(a.result, b.result):
        raise TypeMismatch(f"type mismatch with result type: expected {_show(b.result)}, "
                           f"found {_show(a.result)}")


def _show(t) -> str:
    """A value type in WIT syntax, for messages."""
    if t is None:
        return "none"
    from .inspect import _Names, valtype
    return valtype(t, _Names(), top=True)


def _component_sub(a: ComponentType, b: ComponentType) -> None:
    # Contravariant imports: everything a needs, b must promise to supply.
    have = dict(b.imports)
    a_imported = set()
    for _, et in a.imports:
        a_imported |= set(resource_roots(et))
    mapping: dict = {}
    for name, et in a.imports:
        if name not in have:
            raise TypeMismatch(f"missing expected import `{name}`")
        extern_sub(have[name], et, mapping, a_imported)
    a_exports = dict(a.exports)
    for name, et in b.exports:
        if name not in a_exports:
            raise TypeMismatch(f"missing expected export `{name}`")
        b_fresh = set(resource_roots(et))
        extern_sub(subst(a_exports[name], mapping), et, {}, b_fresh)


def _module_sub(a: CoreModuleType, b: CoreModuleType) -> None:
    have = {(m, n): t for m, n, t in b.imports}
    for m, n, t in a.imports:
        if (m, n) not in have:
            raise TypeMismatch(f"missing expected import `{m}::{n}`")
        if not core_extern_sub(have[(m, n)], t):
            raise TypeMismatch(f"type mismatch in import `{m}::{n}`")
    exports = dict(a.exports)
    for n, t in b.exports:
        if n not in exports:
            raise TypeMismatch(f"missing expected export `{n}`")
        if not core_extern_sub(exports[n], t):
            raise TypeMismatch(f"type mismatch in export `{n}`")


# ---- aliases ---------------------------------------------------------------------

def _alias(sc: Scope, d: A.Alias) -> None:
    t = alias_target(sc, d)
    if d.target == "export" and d.sort in ("type", "instance"):
        named = sc.named_instances.get(id(sc.space["instance"][d.a]))
        if named is not None:
            if d.sort == "instance":
                sc.named_instances[id(t)] = named
            else:
                _name_type(sc, named[0], t, "")
    sc.add(d.sort, t)


def alias_target(sc: Scope, d: A.Alias):
    if d.target == "export":
        inst = sc.item("instance", d.a, d.offset)
        et = inst.export(d.b)
        if et is None:
            raise err(f"instance {d.a} has no export named `{d.b}`", d.offset)
        if KIND_SORT[et.kind] != d.sort:
            raise err(f"export `{d.b}` for instance {d.a} is not a {d.sort}", d.offset)
        return et.type
    if d.target == "core export":
        if not d.sort.startswith("core "):
            raise err(f"core export alias of a non-core sort {d.sort}", d.offset)
        inst = sc.item("core instance", d.a, d.offset)
        ce = inst.export(d.b)
        if ce is None:
            raise err(f"core instance {d.a} has no export named `{d.b}`", d.offset)
        if "core " + ce.kind != d.sort:
            raise err(f"export `{d.b}` for core instance {d.a} is not a {d.sort}", d.offset)
        return ce.type
    if d.sort not in ("core module", "core type", "type", "component"):
        raise err(f"outer aliases of {d.sort} are not allowed", d.offset)
    target, crossed = sc, False
    for _ in range(d.a):
        crossed = crossed or target.kind == "component"
        target = target.parent
        if target is None:
            raise err(f"invalid outer alias count of {d.a}", d.offset)
    t = target.item(d.sort, d.b, d.offset)
    if crossed and d.sort == "type" and resource_roots(t):
        raise err("cannot alias outer type which transitively refers to resources "
                  "not defined in the current component", d.offset)
    return t


# ---- type definitions -----------------------------------------------------------------

def _type(sc: Scope, d) -> None:
    sc.add("type", typedef(sc, d))


def typedef(sc: Scope, d):
    if isinstance(d, A.ValTypeDef):
        t = valtypedef(sc, d)
        if not isinstance(t, str):
            if depth(t) > MAX_TYPE_DEPTH:
                raise err("type nesting is too deep", d.offset)
            if memoized_size(t, 8)[0] >= MAX_TYPE_SIZE:
                raise err(f"type exceeds maximum byte size of {MAX_TYPE_SIZE - 1} "
                          "(with 64-bit pointers)", d.offset)
        return t
    if isinstance(d, A.FuncTypeDef):
        return functype(sc, d)
    if isinstance(d, A.ResourceTypeDef):
        if sc.kind != "component":
            raise err("resources can only be defined within a concrete component", d.offset)
        if d.rep != I32:
            raise err("resources can only be represented by `i32`", d.offset)
        if d.dtor is not None:
            ft = sc.item("core func", d.dtor, d.offset)
            if ft != CoreFuncType((I32,), ()):
                raise err(f"wrong signature for a destructor: expected [i32] -> [], found {ft}",
                          d.offset)
        return Resource("", d.rep, d.dtor, sc)
    kind = "component type" if isinstance(d, A.ComponentTypeDef) else "instance type"
    inner = Scope(kind, sc)
    for decl in d.decls:
        _decl(inner, decl)
    return inner.component_type() if kind == "component type" else inner.instance_type()


def valtype(sc: Scope, vt, at: int):
    if isinstance(vt, str):
        return vt
    t = sc.item("type", vt, at)
    if not (isinstance(t, (str, Defined))):
        raise err(f"type index {vt} is not a defined type", at)
    return t


def _labels(labels, what: str) -> None:
    seen: dict[str, str] = {}
    for name, at in labels:
        if not N.is_label(name):
            raise err(f"{what} name `{name}` is not in kebab case", at)
        key = name.lower()
        if key in seen:
            raise err(f"{what} name `{name}` conflicts with previous name `{seen[key]}`", at)
        seen[key] = name


def valtypedef(sc: Scope, d: A.ValTypeDef):
    k, it, at = d.kind, d.items, d.offset
    if k == "prim":
        return it[0]
    if k in ("record", "variant", "tuple", "enum", "flags") and not it:
        raise err(f"{k} type must have at least one {'field' if k == 'record' else 'case' if k in ('variant', 'enum') else 'type' if k == 'tuple' else 'flag'}", at)
    if k == "record":
        _labels([lab for lab, _ in it], "record field")
        return Record(tuple((lab[0], valtype(sc, t, at)) for lab, t in it))
    if k == "variant":
        _labels([lab for lab, _ in it], "variant case")
        return Variant(tuple((lab[0], None if t is None else valtype(sc, t, at)) for lab, t in it))
    if k == "list":
        if it[1] is not None and it[1] == 0:
            raise err("fixed-length list must have a length larger than 0", at)
        return List(valtype(sc, it[0], at), it[1])
    if k == "tuple":
        return Tuple(tuple(valtype(sc, t, at) for t in it))
    if k in ("flags", "enum"):
        _labels(it, "flag" if k == "flags" else "enum tag")
        if k == "flags" and len(it) > 32:
            raise err("cannot have more than 32 flags", at)
        return (Flags if k == "flags" else Enum)(tuple(n for n, _ in it))
    if k == "option":
        return Option(valtype(sc, it[0], at))
    if k == "result":
        return Result(*(None if t is None else valtype(sc, t, at) for t in it))
    r = sc.item("type", it[0], at)
    if not isinstance(r, Resource):
        raise err(f"type index {it[0]} is not a resource type", at)
    return (Own if k == "own" else Borrow)(r)


def functype(sc: Scope, d: A.FuncTypeDef) -> FuncType:
    _labels([lab for lab, _ in d.params], "function parameter")
    params = tuple((lab[0], valtype(sc, t, d.offset)) for lab, t in d.params)
    result = None if d.result is None else valtype(sc, d.result, d.offset)
    if result is not None and contains_borrow(result):
        raise err("function result cannot contain a `borrow` type", d.offset)
    return FuncType(params, result)


def _decl(sc: Scope, decl: A.Decl) -> None:
    if decl.kind == "core type":
        sc.add("core type", core_typedef(sc, decl.value))
    elif decl.kind == "type":
        sc.add("type", typedef(sc, decl.value))
    elif decl.kind == "alias":
        a = decl.value
        if a.target == "export" and a.sort not in ("instance", "type"):
            raise err(f"export aliases of {a.sort} are not allowed in type declarations", a.offset)
        if a.target == "core export":
            raise err("core export aliases are not allowed in type declarations", a.offset)
        if a.target == "outer" and a.sort not in ("type", "core type"):
            raise err(f"outer aliases of {a.sort} are not allowed in type declarations", a.offset)
        sc.add(a.sort, alias_target(sc, a))
    else:
        name, desc = decl.value
        _import_or_export(sc, decl.kind, name, extern_desc(sc, desc, name.name), decl.offset)


# ---- externs, imports, exports -------------------------------------------------------

def extern_desc(sc: Scope, d: A.ExternDesc, name: str) -> ExternType:
    if d.kind == "module":
        t = sc.item("core type", d.index, d.offset)
        if not isinstance(t, CoreModuleType):
            raise err(f"core type index {d.index} is not a module type", d.offset)
        return ExternType("module", t)
    if d.kind == "type":
        if not d.eq:
            return ExternType("type", Resource(name, scope=sc))
        return ExternType("type", named_copy(sc.item("type", d.index, d.offset), name))
    t = sc.item("type", d.index, d.offset)
    want = {"func": FuncType, "component": ComponentType, "instance": InstanceType}[d.kind]
    if not isinstance(t, want):
        raise err(f"type index {d.index} is not a {d.kind} type", d.offset)
    if isinstance(t, (InstanceType, ComponentType)):
        # Resources declared inside the type (not visible here) are fresh
        # for each import/export of it.
        mapping = {rid: Resource(r.name, r.rep, r.dtor, sc)
                   for rid, r in resource_roots(t).items() if not _visible(sc, r)}
        t = subst(t, mapping)
    return ExternType(d.kind, t)


def _check_name(name: A.Name, keys: dict, what: str, at: int, et: ExternType) -> N.ExternName:
    """Grammar, strong uniqueness and attributes of an import/export name."""
    try:
        en = N.parse_extern_name(name.name)
    except ValueError as e:
        raise err(str(e), at) from None
    key = N.strong_key(name.name)
    if key in keys:
        raise err(f"{what} name `{name.name}` conflicts with previous name `{keys[key]}`", at)
    keys[key] = name.name
    if name.duplicate_attribute is not None:
        raise err("an attribute kind appears more than once", name.duplicate_attribute)
    if name.version_suffix is not None:
        try:
            N.check_version_suffix(en.version, name.version_suffix)
        except ValueError as e:
            raise err(str(e), at) from None
    if name.implements is not None:
        if et.kind != "instance":
            raise err("only instances can have an `implements` attribute", at)
        if en.kind != "label":
            raise err(f"name `{name.name}` is not valid with `implements`", at)
        try:
            ok = N.parse_extern_name(name.implements).is_interface()
        except ValueError:
            ok = False
        if not ok:
            raise err(f"`implements` name `{name.implements}` is not a valid name: "
                      "it must be an interface name", at)
    return en


def _import_or_export(sc: Scope, what: str, name: A.Name, et: ExternType, at: int) -> None:
    keys = sc._import_keys if what == "import" else sc._export_keys
    en = _check_name(name, keys, what, at, et)
    _check_annotation(sc.resource_names[what], en, et, at)
    if sc.kind != "instance type":     # instance types check when attached
        _check_visible(sc, what, et, at)
    if et.kind == "type":
        _name_type(sc, what, et.type, name.name)
    elif et.kind == "instance":
        sc.named_instances[id(et.type)] = (what, et.type)
        _name_instance_types(sc, what, et.type)
    (sc.imports if what == "import" else sc.exports).append((name.name, et))
    sc.add(KIND_SORT[et.kind], et.type)


def _name_instance_types(sc: Scope, what: str, it: InstanceType) -> None:
    """Every type an imported (exported) instance exports, at any depth, is
    named by that import (export), aliased out or not: wasi:sockets/udp's
    `ip-socket-address` (aliased from wasi:sockets/network) is a variant of
    network's `ipv4-socket-address` record, which the importer never
    aliases (componentize-py's components; wasm-tools accepts them)."""
    for _, e in it.exports:
        if e.kind == "type":
            _name_type(sc, what, e.type, "")
        elif e.kind == "instance":
            _name_instance_types(sc, what, e.type)


def _name_type(sc: Scope, what: str, t, name: str) -> None:
    sc.named[what][id(t)] = t
    if isinstance(t, Resource) and name:
        sc.resource_names[what][name] = t


def _check_annotation(resources: dict, en: N.ExternName, et: ExternType, at: int) -> None:
    """[constructor]/[method]/[static] names: ``resources`` maps the names of
    preceding resource imports (or exports) of the scope to their objects."""
    if en.kind in ("label", "interface"):
        return
    if et.kind != "func":
        raise err(f"`{en.text}` is not a function, but has a [{en.kind}] annotation", at)
    r = resources.get(en.resource)
    if r is None:
        raise err(f"`{en.text}`: resource `{en.resource}` is not a preceding resource "
                  "name in this context", at)
    ft: FuncType = et.type
    if en.kind == "constructor":
        res = ft.result
        if isinstance(res, Result):
            res = res.ok
        if not isinstance(res, Own):
            raise err(f"function does not match expected resource name `{en.resource}`: "
                      "a constructor returns `(own $T)` or `(result (own $T) ...)`", at)
    elif en.kind == "method":
        if not ft.params or ft.params[0][0] != "self" or not (
                isinstance(ft.params[0][1], Borrow) and ft.params[0][1].resource == r):
            raise err(f"method `{en.text}` should have a first parameter `self` "
                      f"of type `(borrow $T)`", at)
        res = ft.params[0][1]
    if en.kind == "constructor" and res.resource != r:
        raise err(f"function does not match expected resource name `{en.resource}`", at)
    if en.kind != "static" and res.resource is not r:
        # the right resource, but not by the name this scope gave it
        raise err("resource used in function does not have a name in this context", at)


def _check_visible(sc: Scope, what: str, et: ExternType, at: int) -> None:
    """External visibility (Explainer.md): every record, variant, enum, flags
    and resource an import/export's type mentions must be that very object
    as named by a preceding import (or, for exports, export) of this scope.
    Instance types are checked export by export, their own type exports
    naming what follows them."""
    named = dict(sc.named["import"])
    if what == "export":
        named.update(sc.named["export"])
    if not _visible_ok(et.type, named, top=True):
        raise err(f"{et.kind} not valid to be used as {what}", at)


def _visible_ok(t, named: dict, top: bool, memo: dict | None = None) -> bool:
    """``memo`` (id -> verdict) keeps shared parts of a type DAG from being
    walked once per path."""
    memo = {} if memo is None else memo
    if not top and id(t) in memo:
        return memo[id(t)]
    if isinstance(t, (Record, Variant, Enum, Flags)) and not top:
        ok = id(t) in named
    elif isinstance(t, (Own, Borrow)):
        ok = id(t.resource) in named
    elif isinstance(t, InstanceType):
        inner = dict(named)
        ok = True
        for _, e in t.exports:
            if not _visible_ok(e.type, inner, True, {}):
                ok = False
                break
            if e.kind == "type":
                inner[id(e.type)] = e.type
    elif isinstance(t, (ComponentType, Resource, str)) or t is None:
        ok = True                    # component types are checked eagerly
    else:
        ok = all(_visible_ok(x, named, False, memo) for x in _value_children(t))
    if not top:
        memo[id(t)] = ok
    return ok


def _value_children(t) -> list:
    if isinstance(t, FuncType):
        items = [x for _, x in t.params] + [t.result]
    elif isinstance(t, Record):
        items = [x for _, x in t.fields]
    elif isinstance(t, Variant):
        items = [x for _, x in t.cases]
    elif isinstance(t, List):
        items = [t.elem]
    elif isinstance(t, Tuple):
        items = list(t.types)
    elif isinstance(t, Option):
        items = [t.type]
    elif isinstance(t, Result):
        items = [t.ok, t.err]
    else:
        items = []
    return [x for x in items if x is not None]


def _import(sc: Scope, d: A.Import) -> None:
    _import_or_export(sc, "import", d.name, extern_desc(sc, d.desc, d.name.name), d.offset)


def _export(sc: Scope, d: A.Export) -> None:
    et = _extern_of(sc, d.sort, d.index, d.offset)
    if d.desc is not None:
        want = extern_desc(sc, d.desc, d.name.name)
        mapping: dict = {}
        if want.kind == "type" and isinstance(want.type, Resource) and not d.desc.eq:
            if not isinstance(et.type, Resource):
                raise err(f"type mismatch in export `{d.name.name}`: expected resource", d.offset)
            # `(sub resource)` ascription: a fresh abstract type
            _import_or_export(sc, "export", d.name, want, d.offset)
            return
        try:
            bindable = set(resource_roots(want)) - set(resource_roots(et))
            extern_sub(et, want, mapping, bindable)
        except TypeMismatch as e:
            raise err(f"type mismatch in export `{d.name.name}`: {e}", d.offset) from None
        et = ExternType(et.kind, subst(want.type, mapping))
    # An export is a new index: a new name object for types and instances
    # (external visibility tells the private and the exported one apart).
    et = ExternType(et.kind, named_copy(et.type, d.name.name))
    _import_or_export(sc, "export", d.name, et, d.offset)


# ---- canon -----------------------------------------------------------------------------

def _canon(sc: Scope, d: A.Canon) -> None:
    if d.kind == "lift":
        core = sc.item("core func", d.func, d.offset)
        ft = sc.item("type", d.type, d.offset)
        if not isinstance(ft, FuncType):
            raise err(f"type index {d.type} is not a function type", d.offset)
        _memory64_option(sc, d)        # unsupported, before the 32-bit flattening
        want = flatten_functype(ft, "lift")
        if core != want:
            raise err(f"lowered function type `{want}` does not match the core function "
                      f"type `{core}`", d.offset)
        _canon_opts(sc, d, ft, "lift")
        sc.add("func", ft)
    elif d.kind == "lower":
        ft = sc.item("func", d.func, d.offset)
        _canon_opts(sc, d, ft, "lower")
        sc.add("core func", flatten_functype(ft, "lower"))
    else:
        r = sc.item("type", d.type, d.offset)
        if not isinstance(r, Resource):
            raise err(f"type index {d.type} is not a resource type", d.offset)
        if d.kind != "resource.drop" and (r.root.scope is not sc or r.root.rep is None):
            raise err(f"{d.kind}: type index {d.type} is not a local resource", d.offset)
        sig = {"resource.new": ((I32,), (I32,)), "resource.rep": ((I32,), (I32,)),
               "resource.drop": ((I32,), ())}[d.kind]
        sc.add("core func", CoreFuncType(*sig))


def _memory64_option(sc: Scope, d: A.Canon) -> None:
    """A `memory` option naming a 64-bit memory means 64-bit pointers in the
    flat signatures (component-model-memory64): our flattening and the
    canonical ABI's C side are 32-bit, so such a component is unsupported,
    not invalid."""
    for o in d.opts:
        if o.kind == "memory" and address_type(sc.item("core memory", o.index, o.offset)) != I32:
            raise UnsupportedInvalidError("component-model-memory64", o.offset,
                                          detail="canonical option `memory` names a 64-bit memory")


def _canon_opts(sc: Scope, d: A.Canon, ft: FuncType, ctx: str) -> None:
    _memory64_option(sc, d)
    seen: dict[str, A.CanonOpt] = {}
    for o in d.opts:
        group = "string-encoding" if o.kind in ("utf8", "utf16", "latin1+utf16") else o.kind
        if group in seen:
            raise err(f"canonical option `{o.kind}` conflicts with option "
                      f"`{seen[group].kind}`", o.offset)
        seen[group] = o
        if o.kind == "memory":
            sc.item("core memory", o.index, o.offset)
        elif o.kind == "realloc":
            t = sc.item("core func", o.index, o.offset)
            if t != CoreFuncType((I32, I32, I32, I32), (I32,)):
                raise err(f"canonical option `realloc` uses a core function with an "
                          f"incorrect signature {t}", o.offset)
        elif o.kind == "post-return":
            if ctx != "lift":
                raise err("canonical option `post-return` is not allowed on lower", o.offset)
            t = sc.item("core func", o.index, o.offset)
            want = CoreFuncType(flatten_functype(ft, "lift").results, ())
            if t != want:
                raise err(f"canonical option `post-return` uses a core function with an "
                          f"incorrect signature {t}, expected {want}", o.offset)
    if "realloc" in seen and "memory" not in seen:
        raise err("canonical option `realloc` requires `memory` to also be specified",
                  seen["realloc"].offset)
    params = [t for _, t in ft.params]
    memo: dict = {}
    flat_params = sum(flat_len(t, memo) for t in params)
    flat_results = flat_len(ft.result, memo)
    spills = flat_params > 16 or flat_results > 1
    if (spills or any(needs_memory(t) for t in params + [ft.result])) and "memory" not in seen:
        raise err("canonical option `memory` is required", d.offset)
    # Who allocates: the callee's realloc receives lifted params; the
    # caller's (lower) receives the results.
    alloc = params if ctx == "lift" else [ft.result]
    if (any(needs_memory(t) for t in alloc) or (ctx == "lift" and flat_params > 16)) \
            and "realloc" not in seen:
        raise err("canonical option `realloc` is required", d.offset)


def _custom(sc: Scope, d: A.Custom) -> None:
    pass


_DEFS = {
    "core module": _core_module,
    "core instance": _core_instance,
    "core type": _core_type,
    "component": _nested_component,
    "instance": _instance,
    "alias": _alias,
    "type": _type,
    "canon": _canon,
    "import": _import,
    "export": _export,
    "custom": _custom,
}

__all__ = ["Scope", "extern_sub", "instantiate", "module_type", "validate_component"]
