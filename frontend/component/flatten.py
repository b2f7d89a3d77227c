"""Flattening: a component's static instance graph as a list of core instances.

Issue 13, "Compilation": *the static instance graph is flattened at compile
time into the link plan: one core instance per instantiation, each with its
own linear memory, tables and globals; no component structure is left to
interpret at run time.*

:func:`flatten_component` takes a validated component (the :class:`Scope`
of :func:`~.load_component`) and *runs* its definitions the way an
instantiation would, once, at compile time: every ``instantiate`` of a
nested component walks that component's definitions again in a fresh
environment (its imports are the arguments; ``alias outer`` reaches the
environment the component was *defined* in), every ``instantiate`` of a core
module makes one :class:`CoreInstance`.  What is left is a
:class:`FlatComponent`:

- ``modules``: the distinct core modules (:class:`FlatModule`), each
  compiled once however often it is instantiated (deduplicated by content);
- ``instances``: core instances in instantiation order, each with the
  source of every import (:class:`CoreImport`):

  * :class:`CoreDef` -- an entity *defined* by an earlier core instance
    (resolved through re-exports of imports and bags of exports), which is
    exactly :class:`wasmaot.ir.plan.InstanceBinding`;
  * :class:`Lowering` -- ``canon lower`` of a component function: a lifted
    export of some instance (:class:`Lifted`, an adapter between two
    instances) or an import of the root (:class:`ImportedFunc`, a host call);
  * :class:`Builtin` -- ``canon resource.new/drop/rep`` of a resource type;

- ``components``: the component instances (:class:`ComponentInstance`): one
  handle table, ``may_leave`` and poison flag each at run time;
- ``resources``: every resource type (:class:`FlatResource`) with the
  component instance that defines it and its destructor (or the root import
  it comes from);
- ``imports``: the root's imports, name and type (later host bindings);
- ``exports``: the root's exports flattened to paths
  (``demo:rich/api#sum``), each a lifted function, a re-exported import, a
  resource or type, a component or module (:class:`FlatExport`).

Types in the records are the validator's static types (a
:class:`~.types.FuncType` of the scope that made the record); the resources
they mention are static objects too, so every record carries ``resources``:
static resource root (by id) -> the :class:`FlatResource` it is in this
instantiation (a nested component instantiated twice has two of each).

Linking (``preload``): components instantiated before the root, each a
top-level component instance; an import of a later one is supplied by a
whole earlier instance (by its preload name, as a wast script links
``(component $src ...)`` to ``(import "src" ...)``) or by an earlier
export of the same name (as ``wasm-tools compose`` matches
``demo:pair/api``), type-checked as an instantiation would be.

Mapping onto ``ir/plan.py`` (:func:`link_plan`): an
:class:`~wasmaot.ir.plan.Instance` per core instance, its IR module
translated once per :class:`FlatModule` and shared by the instances of that
module; an :class:`~wasmaot.ir.plan.InstanceBinding` per :class:`CoreDef`
import (:func:`plan_bindings`).  What the plan still needs (ir/plan.py is
not ours; this module describes the additions and does not make them):

- ``AdapterBinding(lowering: int)``: a function import bound to the adapter
  generated for ``flat.lowerings[lowering]`` (caller options, callee
  :class:`Lifted` -- a direct call into an earlier instance -- or
  :class:`ImportedFunc` -- a host call; both types; the resource map);
- ``BuiltinBinding(op: str, resource: int, component: int)``: a function
  import bound to ``resource.new/drop/rep`` of ``flat.resources[resource]``
  on component instance ``component``'s handle table;
- ``LinkPlan.component: FlatComponent | None``: when set, the program's
  exports are ``component.exports`` (lifted functions, called through a
  lift wrapper), not the last instance's core exports; the run time keeps
  ``len(component.components)`` handle tables and may_leave/poison flags
  and the resources' destructors; and ``host_imports`` lists the lowerings
  of :class:`ImportedFunc` (WASI 0.2 names such as
  ``wasi:cli/stdout@0.2.0#get-stdout``) for ``check_host_imports``.

The first compiled slice (``backends/component/plan.py``) needs none of
these yet: it compiles components without root imports, binds a
:class:`Lowering` of a :class:`Lifted` and a :class:`Builtin` to functions
of a generated adapter module (calls into a run-time adapter and handle
tables), and reaches the root's lifted exports through an *export shim*
instance appended to the plan (backends/ABI.md "Component exports").

Both binding kinds only reach earlier instances (:func:`verify` checks
it): a ``canon`` definition can only name core instances that exist, and a
core instance only receives it after that.

Not flattened (a :class:`FlattenError`, one line): instantiating a
component or core module that is itself a root import (and not supplied by
a preload) -- there is nothing to compile until run time -- and more than
:data:`MAX_INSTANCES` instances.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import WasmError
from ..module import ExternKind, Module
from . import ast as A
from .types import (
    ComponentType,
    ExternType,
    FuncType,
    InstanceType,
    Resource,
    resource_roots,
)
from .validate import CORE_KIND, KIND_SORT, SORTS, Scope

#: Nested instantiation multiplies: a 1 KB component can instantiate a
#: component that instantiates one twice, 30 levels deep.  Beyond this many
#: core plus component instances the flat form is refused, not built.
MAX_INSTANCES = 100_000


class FlattenError(WasmError):
    """A component whose instance graph cannot be resolved at compile time."""
    kind = "unsupported"


class LinkError(WasmError):
    """A preloaded component does not fit the import it supplies (the
    spec's ``assert_unlinkable``)."""
    kind = "unlinkable"


# ---- the flat description ---------------------------------------------------

@dataclass(frozen=True, slots=True)
class CoreDef:
    """Entity ``index`` of ``kind`` *defined* (not imported) by core
    instance ``instance``; ``name`` is an export name it was reached by."""
    instance: int
    kind: ExternKind
    index: int
    name: str = field(compare=False)


@dataclass(eq=False, slots=True)
class CanonOptions:
    memory: CoreDef | None = None
    realloc: object = None           # a core source (CoreDef, Lowering, Builtin)
    post_return: object = None
    encoding: str = "utf8"


@dataclass(eq=False, slots=True)
class ComponentInstance:
    index: int
    parent: int | None            # the component instance that instantiated it
    label: str                    # "root", or "instance 3 of c0 (component $inner)"


@dataclass(eq=False, slots=True)
class FlatResource:
    index: int
    name: str
    defined_by: int | None        # component instance; None for an imported one
    dtor: object = None           # core source of the destructor, if any
    imported: str | None = None   # root import path ("wasi:io/streams@0.2.0#input-stream")


@dataclass(eq=False, slots=True)
class Lifted:
    """``canon lift``: a component function implemented by core code."""
    index: int
    core: object                  # core source
    type: FuncType
    options: CanonOptions
    component: int
    resources: dict[int, FlatResource]


@dataclass(eq=False, slots=True)
class ImportedFunc:
    """A function the root imports (directly or inside an imported instance)."""
    path: tuple[str, ...]
    type: FuncType
    #: static resource root -> flat resource, as the importing root sees it
    resources: dict[int, FlatResource]

    @property
    def name(self) -> str:
        return "#".join(self.path)


@dataclass(eq=False, slots=True)
class Lowering:
    """``canon lower``: a core function that calls component function
    ``func`` with this side's options (its memory receives the results)."""
    index: int
    func: Lifted | ImportedFunc
    type: FuncType                # as the lowering component sees it
    options: CanonOptions
    component: int
    resources: dict[int, FlatResource]


@dataclass(eq=False, slots=True)
class Builtin:
    """``canon resource.new/drop/rep`` on ``component``'s handle table."""
    op: str
    resource: FlatResource
    component: int


@dataclass(eq=False, slots=True)
class FlatModule:
    index: int
    module: Module                # the decoded core module (offsets relative to start)
    start: int                    # byte range in the file
    end: int
    origin: str | None = None     # the file


@dataclass(eq=False, slots=True)
class CoreImport:
    module: str
    name: str
    kind: ExternKind
    index: int                    # index in the module's space of that kind
    source: object                # CoreDef | Lowering | Builtin


@dataclass(eq=False, slots=True)
class CoreInstance:
    index: int
    module: FlatModule
    component: int
    imports: list[CoreImport]


@dataclass(eq=False, slots=True)
class FlatExport:
    path: tuple[str, ...]
    kind: str                     # func, type, component, module, instance (imported)
    value: object

    @property
    def name(self) -> str:
        return "#".join(self.path)


@dataclass(eq=False)
class FlatComponent:
    modules: list[FlatModule] = field(default_factory=list)
    instances: list[CoreInstance] = field(default_factory=list)
    components: list[ComponentInstance] = field(default_factory=list)
    resources: list[FlatResource] = field(default_factory=list)
    lifts: list[Lifted] = field(default_factory=list)
    lowerings: list[Lowering] = field(default_factory=list)
    imports: list[tuple[str, ExternType]] = field(default_factory=list)
    exports: list[FlatExport] = field(default_factory=list)


# ---- run-time values of the compile-time interpretation ------------------------

class _CoreInst:
    """A core instance value: export name -> core source."""
    __slots__ = ("exports",)

    def __init__(self, exports: dict):
        self.exports = exports


class _Inst:
    """A component instance value: export name -> value."""
    __slots__ = ("exports",)

    def __init__(self, exports: dict):
        self.exports = exports

    def export(self, name: str):
        return self.exports[name]

    def names(self):
        return list(self.exports)


class _ImportedInst:
    """An instance the root imports; its exports are made on first use so
    that one export is one object (a resource aliased twice is one)."""
    __slots__ = ("cache", "env", "flat", "path", "type")

    def __init__(self, flat: FlatComponent, env: _Env, path: tuple[str, ...], t: InstanceType):
        self.flat, self.env, self.path, self.type, self.cache = flat, env, path, t, {}

    def export(self, name: str):
        v = self.cache.get(name)
        if v is None:
            v = self.cache[name] = _imported(self.flat, self.env, self.path + (name,),
                                                 self.type.export(name))
        return v

    def names(self):
        return [n for n, _ in self.type.exports]


@dataclass(eq=False, slots=True)
class _Closure:
    """A component definition and the environment it was defined in."""
    scope: Scope
    env: _Env | None


@dataclass(eq=False, slots=True)
class _Imported:
    """A root import of a component or core module (cannot be instantiated here)."""
    kind: str
    path: tuple[str, ...]
    type: object


@dataclass(eq=False, slots=True)
class _ModuleRef:
    module: FlatModule


def _imported(flat: FlatComponent, env: _Env, path: tuple[str, ...], et: ExternType):
    """The value of a root import (or of an export of one).  Its resources
    were bound when the import was added (they precede their uses)."""
    if et.kind == "func":
        rmap = {rid: env.rmap[rid] for rid in resource_roots(et.type) if rid in env.rmap}
        return ImportedFunc(path, et.type, rmap)
    if et.kind == "instance":
        return _ImportedInst(flat, env, path, et.type)
    if et.kind == "type":
        if isinstance(et.type, Resource):
            return _new_resource(flat, path[-1], None, imported="#".join(path))
        return et.type
    return _Imported(et.kind, path, et.type)


def _new_resource(flat: FlatComponent, name: str, defined_by: int | None, dtor=None,
                  imported: str | None = None) -> FlatResource:
    r = FlatResource(len(flat.resources), name, defined_by, dtor, imported)
    flat.resources.append(r)
    return r


# ---- the interpretation ----------------------------------------------------------

@dataclass(eq=False, slots=True)
class _Top:
    """A top-level component: the root, or one linked in before it."""
    scope: Scope
    data: bytes | None
    supplied: dict            # import name -> (value, ExternType) from an earlier top
    loose: frozenset = frozenset()   # of those, the ones a host supplies (validate.instantiate)


class _Env:
    """One component instance being instantiated: its index spaces (values,
    in the validator's order), and the static -> flat resource map.
    ``parent`` is the environment the component was *defined* in (outer
    aliases), ``args`` its instantiation arguments (None for a top)."""

    def __init__(self, scope: Scope, cinst: int, parent: _Env | None, args: dict | None,
                 top: _Top):
        self.scope, self.cinst, self.parent, self.args = scope, cinst, parent, args
        self.top = top
        self.space: dict[str, list] = {s: [] for s in SORTS}
        self.rmap: dict[int, FlatResource] = {}
        self.exports: dict[str, object] = {}
        self.host_imports: dict[str, tuple[object, ExternType]] = {}   # of a top
        self.n_components = 0

    def add(self, sort: str, value) -> None:
        static = self.scope.space[sort][len(self.space[sort])]
        self.space[sort].append(value)
        self.bind(static, value)

    def bind(self, static, value) -> None:
        """Record which flat resources the static resources of ``static``
        (a type or instance type of this scope) are in ``value``."""
        if isinstance(static, Resource) and isinstance(value, FlatResource):
            self.rmap.setdefault(id(static.root), value)
        elif isinstance(static, InstanceType) and isinstance(value, (_Inst, _ImportedInst)):
            for name, et in static.exports:
                # a host may leave out a type bound by equality (validate.extern_sub's loose)
                missing = isinstance(value, _Inst) and name not in value.exports
                if et.kind in ("type", "instance") and not missing:
                    self.bind(et.type, value.export(name))

    def resources_of(self, t, at: int) -> dict[int, FlatResource]:
        out = {}
        for rid in resource_roots(t):
            r = self.rmap.get(rid)
            if r is None:
                raise FlattenError("internal: a resource of a function type is not bound "
                                   "in this instantiation", at)
            out[rid] = r
        return out


class _Flattener:
    def __init__(self):
        self.flat = FlatComponent()
        self.module_keys: dict[object, FlatModule] = {}

    def run(self, scope: Scope, data: bytes | None, preload, hosts=frozenset()) -> FlatComponent:
        # What earlier tops offer a later one's imports, strongest first: a
        # whole instance by its preload name, an export by its name, and a
        # host import by its name (two tops importing `wasi:cli/stdout`
        # share it, and its resource types).
        by_name: dict[str, tuple[object, ExternType]] = {}
        by_export: dict[str, tuple[object, ExternType]] = {}
        host: dict[str, tuple[object, ExternType]] = {}
        loose: set[str] = set()         # names whose supplier is one of ``hosts``
        for name, sc, d in preload:
            env, itype = self.top(_Top(sc, d, {**host, **by_export, **by_name}, frozenset(loose)),
                                  f"preload {name!r}")
            for ename, et in itype.exports:
                if ename not in by_export and name in hosts:
                    loose.add(ename)
                by_export.setdefault(ename, (env.exports[ename], et))
            by_name[name] = (_Inst(dict(env.exports)), ExternType("instance", itype))
            if name in hosts:
                loose.add(name)
            else:
                loose.discard(name)         # a whole instance wins over a host's export
            for iname, entry in env.host_imports.items():
                host.setdefault(iname, entry)
        env, _ = self.top(_Top(scope, data, {**host, **by_export, **by_name}, frozenset(loose)),
                          "root")
        for name, value in env.exports.items():
            self.export((name,), value)
        return self.flat

    def top(self, top: _Top, label: str) -> tuple[_Env, InstanceType]:
        cinst = len(self.flat.components)
        self.flat.components.append(ComponentInstance(cinst, None, label))
        env = _Env(top.scope, cinst, None, None, top)
        itype = self.check_supplied(top)
        self.walk(env)
        return env, itype

    def walk(self, env: _Env) -> None:
        for kind, d in env.scope.ast.defs:
            getattr(self, "d_" + kind.replace(" ", "_"))(env, d)

    # -- exports of the root, flattened to paths
    def export(self, path: tuple[str, ...], v) -> None:
        if isinstance(v, (Lifted, ImportedFunc)):
            self.flat.exports.append(FlatExport(path, "func", v))
        elif isinstance(v, _Inst):
            for name in v.names():
                self.export(path + (name,), v.export(name))
        elif isinstance(v, _ImportedInst):
            self.flat.exports.append(FlatExport(path, "instance", v))
        elif isinstance(v, _ModuleRef):
            self.flat.exports.append(FlatExport(path, "module", v.module))
        elif isinstance(v, _Closure):
            self.flat.exports.append(FlatExport(path, "component", v.scope.component_type()))
        elif isinstance(v, _Imported):
            self.flat.exports.append(FlatExport(path, v.kind, v))
        else:
            self.flat.exports.append(FlatExport(path, "type", v))

    # -- core definitions
    def d_core_module(self, env: _Env, d: A.CoreModule) -> None:
        data = env.top.data
        key = data[d.start:d.end] if data is not None else (id(env.top), d.start, d.end)
        fm = self.module_keys.get(key)
        if fm is None:
            fm = FlatModule(len(self.flat.modules), d.module, d.start, d.end,
                            env.top.scope.ast.filename)
            self.flat.modules.append(fm)
            self.module_keys[key] = fm
        env.add("core module", _ModuleRef(fm))

    def d_core_instance(self, env: _Env, d) -> None:
        if isinstance(d, A.CoreInlineExports):
            env.add("core instance",
                    _CoreInst({n: env.space[sort][i] for n, sort, i, _ in d.exports}))
            return
        mv = env.space["core module"][d.module]
        if not isinstance(mv, _ModuleRef):
            raise FlattenError(f"cannot flatten: instantiates the imported core module "
                               f"`{'#'.join(mv.path)}`", d.offset)
        fm = mv.module
        args = {n: env.space["core instance"][i] for n, i, _ in d.args}
        k = len(self.flat.instances)
        imports, own = [], {kind: [] for kind in ExternKind}
        for imp in fm.module.imports:
            src = args[imp.module].exports[imp.name]
            idx = len(own[imp.kind])
            own[imp.kind].append(src)
            imports.append(CoreImport(imp.module, imp.name, imp.kind, idx, src))
        self.flat.instances.append(CoreInstance(k, fm, env.cinst, imports))
        exports = {}
        for e in fm.module.exports:
            imported = own[e.kind]
            exports[e.name] = (imported[e.index] if e.index < len(imported)
                               else CoreDef(k, e.kind, e.index, e.name))
        env.add("core instance", _CoreInst(exports))

    def d_core_type(self, env: _Env, d) -> None:
        env.add("core type", None)

    # -- components and instances
    def d_component(self, env: _Env, d: A.Component) -> None:
        env.add("component", _Closure(env.scope.nested[env.n_components], env))
        env.n_components += 1

    def d_instance(self, env: _Env, d) -> None:
        if isinstance(d, A.InlineExports):
            env.add("instance", _Inst({n.name: env.space[sort][i]
                                       for n, sort, i, _ in d.exports}))
            return
        cv = env.space["component"][d.component]
        if not isinstance(cv, _Closure):
            raise FlattenError(f"cannot flatten: instantiates the imported component "
                               f"`{'#'.join(cv.path)}`", d.offset)
        args = {n: env.space[sort][i] for n, sort, i, _ in d.args}
        index = len(env.space["instance"])
        cinst = len(self.flat.components)
        label = env.scope.ast.names.get("instance", {}).get(index)
        comp = env.scope.ast.names.get("component", {}).get(d.component)
        text = (f"instance {index}{f' ${label}' if label else ''} of c{env.cinst} "
                f"(component {d.component}{f' ${comp}' if comp else ''})")
        if cinst + len(self.flat.instances) >= MAX_INSTANCES:
            raise FlattenError(f"cannot flatten: more than {MAX_INSTANCES} instances", d.offset)
        self.flat.components.append(ComponentInstance(cinst, env.cinst, text))
        inner = _Env(cv.scope, cinst, cv.env, args, cv.env.top)
        self.walk(inner)
        env.add("instance", _Inst(dict(inner.exports)))

    def d_alias(self, env: _Env, d: A.Alias) -> None:
        if d.target == "export":
            v = env.space["instance"][d.a].export(d.b)
        elif d.target == "core export":
            v = env.space["core instance"][d.a].exports[d.b]
        else:
            target = env
            for _ in range(d.a):
                target = target.parent
            v = target.space[d.sort][d.b]
        env.add(d.sort, v)

    def d_type(self, env: _Env, d) -> None:
        if isinstance(d, A.ResourceTypeDef):
            dtor = None if d.dtor is None else env.space["core func"][d.dtor]
            name = env.scope.ast.names.get("type", {}).get(len(env.space["type"]), "")
            env.add("type", _new_resource(self.flat, name, env.cinst, dtor))
        else:
            env.add("type", env.scope.space["type"][len(env.space["type"])])

    # -- canon
    def d_canon(self, env: _Env, d: A.Canon) -> None:
        if d.kind == "lift":
            ft = env.scope.space["func"][len(env.space["func"])]
            lift = Lifted(len(self.flat.lifts), env.space["core func"][d.func], ft,
                          self.options(env, d), env.cinst, env.resources_of(ft, d.offset))
            self.flat.lifts.append(lift)
            env.add("func", lift)
        elif d.kind == "lower":
            func = env.space["func"][d.func]
            ft = env.scope.space["func"][d.func]
            low = Lowering(len(self.flat.lowerings), func, ft, self.options(env, d), env.cinst,
                           env.resources_of(ft, d.offset))
            self.flat.lowerings.append(low)
            env.add("core func", low)
        else:
            r = env.space["type"][d.type]
            env.add("core func", Builtin(d.kind, r, env.cinst))

    def options(self, env: _Env, d: A.Canon) -> CanonOptions:
        o = CanonOptions()
        for opt in d.opts:
            if opt.kind in ("utf8", "utf16", "latin1+utf16"):
                o.encoding = opt.kind
            elif opt.kind == "memory":
                o.memory = env.space["core memory"][opt.index]
            elif opt.kind == "realloc":
                o.realloc = env.space["core func"][opt.index]
            elif opt.kind == "post-return":
                o.post_return = env.space["core func"][opt.index]
        return o

    # -- imports and exports
    def d_import(self, env: _Env, d: A.Import) -> None:
        name = d.name.name
        static_et = dict(env.scope.imports)[name]
        if env.args is None and name in env.top.supplied:
            v = env.top.supplied[name][0]
        elif env.args is None:
            v = _imported(self.flat, env, (name,), static_et)
            env.host_imports[name] = (v, static_et)
            self.flat.imports.append((name, static_et))
        else:
            v = env.args[name]
        env.add(KIND_SORT[static_et.kind], v)

    def d_export(self, env: _Env, d: A.Export) -> None:
        v = env.space[d.sort][d.index]
        if isinstance(v, FlatResource) and not v.name:
            v.name = d.name.name           # unnamed in the names section: its first export
        env.exports[d.name.name] = v
        env.add(d.sort, v)

    def d_custom(self, env: _Env, d) -> None:
        pass

    def check_supplied(self, top: _Top) -> InstanceType:
        """The preloaded values must be instantiation arguments the imports
        accept, checked together as validate.instantiate does (an import's
        ``(eq $r)`` on an earlier import's resource sees what that one was
        bound to); an import nothing supplies stands for itself.  Returns
        the type of this instance, its own resources fresh (two instances
        of one component have distinct resource types)."""
        from .validate import instantiate
        imports = top.scope.imports
        args = {n: top.supplied[n][1] if n in top.supplied else et for n, et in imports}
        try:
            # the instantiating scope is a stranger: every own resource is fresh
            return instantiate(Scope("component", None), top.scope.component_type(), args, 0,
                               top.loose)
        except WasmError as e:
            name = re.search(r"import `([^`]*)`", e.message)
            offsets = {d.name.name: d.offset for k, d in top.scope.ast.defs if k == "import"}
            offset = offsets.get(name.group(1) if name else None, top.scope.ast.offset)
            raise LinkError(e.message, offset, filename=top.scope.ast.filename) from None


def flatten_component(scope: Scope, data: bytes | None = None, *,
                      preload: list[tuple[str, Scope, bytes | None]] = (),
                      hosts: frozenset = frozenset()) -> FlatComponent:
    """The flat description of validated component ``scope`` (the result of
    :func:`~.load_component`).  ``data``, the component's bytes, lets modules
    with identical bytes share one :class:`FlatModule` (else one per
    definition).

    ``preload``: (name, scope, data) of components linked in first
    (``--preload NAME=lib.wasm``, wasmtime's spelling), instantiated in
    order as top-level component instances.  The components after one have
    their import called ``name`` supplied by its whole instance (as a wast
    script links an instance it named), and any other import by its export
    of the same name (as ``wasm-tools compose`` matches
    ``demo:pair/api``), the first such export winning; type-checked as an
    instantiation argument would be (a :class:`LinkError` naming the
    import).  Their other imports join the root's in ``imports``; only
    the root's exports are ``exports``.  ``hosts``: names of preloads that
    stand for a host (the wast harness's ``host``): what they supply is
    checked as a host linker checks it (validate.instantiate's ``loose``).
    Raises :class:`FlattenError`."""
    return _Flattener().run(scope, data, preload, hosts)


# ---- towards ir/plan.py ------------------------------------------------------------

def plan_bindings(flat: FlatComponent) -> dict[tuple[int, int, int], object]:
    """``LinkPlan.bindings`` of the flat component: (core instance, kind,
    import index in that kind's space) -> ``InstanceBinding`` for core-to-core
    wiring, or the :class:`Lowering`/:class:`Builtin` record where the plan
    needs an ``AdapterBinding``/``BuiltinBinding`` (see the module docstring)."""
    from ...ir.plan import InstanceBinding
    out = {}
    for inst in flat.instances:
        for imp in inst.imports:
            src = imp.source
            if isinstance(src, CoreDef):
                src = InstanceBinding(src.instance, int(src.kind), src.index)
            out[(inst.index, int(imp.kind), imp.index)] = src
    return out


def link_plan(flat: FlatComponent, translate, origin: str = "<component>"):
    """A :class:`~wasmaot.ir.plan.LinkPlan` of the flat component: one
    ``Instance`` per core instance (unnamed: components wire by binding, not
    by import-module name), ``translate(FlatModule) -> ir Module`` called once
    per module (instances of one module share its IR module object), and
    :func:`plan_bindings` as the bindings.  Until the plan has the
    adapter/built-in binding kinds (module docstring), bindings of lowered
    functions and built-ins are the :class:`Lowering`/:class:`Builtin`
    records themselves, which ``LinkPlan.host_imports`` does not list."""
    from ...ir.plan import Instance, LinkPlan
    modules: dict[int, object] = {}
    instances = []
    for inst in flat.instances:
        fm = inst.module
        if fm.index not in modules:
            modules[fm.index] = translate(fm)
        where = f"{fm.origin or origin}: core instance {inst.index} (module {fm.index}, " \
                f"component instance {inst.component})"
        instances.append(Instance(modules[fm.index], None, where))
    return LinkPlan(instances, plan_bindings(flat))


# ---- invariants ----------------------------------------------------------------------

def verify(flat: FlatComponent) -> list[str]:
    """What is wrong with ``flat`` (empty: nothing).  The invariants the
    backend relies on: every core import is bound to a source of its kind
    that exists *before* the importing instance (a :class:`CoreDef` names an
    entity the earlier instance defines and exports under that name); a
    lowering and the function it lowers agree on which flat resource every
    ``own``/``borrow`` in their types is; ``resource.new``/``rep`` act on a
    resource of their own component instance; destructors are functions."""
    problems: list[str] = []
    for c in flat.components:
        if c.parent is not None and not 0 <= c.parent < c.index:
            problems.append(f"c{c.index}: parent c{c.parent} is not earlier")
    for inst in flat.instances:
        for imp in inst.imports:
            why = _import_problem(flat, imp, inst.index)
            if why:
                problems.append(f"i{inst.index} import {imp.module!r} {imp.name!r}: {why}")
    for low in flat.lowerings:
        f = low.func
        if isinstance(f, Lifted) and not 0 <= f.component < len(flat.components):
            problems.append(f"lower{low.index}: lifted in unknown c{f.component}")
        if not _same_resources(low.type, low.resources, f.type, f.resources, set()):
            problems.append(f"lower{low.index}: its resources are not those of {_func(f)}")
    everything = len(flat.instances)
    for rec in [*flat.lifts, *flat.lowerings]:
        what = f"{'lift' if isinstance(rec, Lifted) else 'lower'}{rec.index}"
        core = [("core", rec.core, ExternKind.FUNC)] if isinstance(rec, Lifted) else []
        for label, src, kind in core + _option_sources(rec.options):
            why = _source_problem(flat, src, kind, everything)
            if why:
                problems.append(f"{what} {label}: {why}")
    for r in flat.resources:
        why = "" if r.dtor is None else _source_problem(flat, r.dtor, ExternKind.FUNC, everything)
        if why:
            problems.append(f"res{r.index} dtor: {why}")
    return problems


def _option_sources(o: CanonOptions) -> list[tuple[str, object, ExternKind]]:
    return [(label, src, kind) for label, src, kind in (
        ("memory", o.memory, ExternKind.MEMORY), ("realloc", o.realloc, ExternKind.FUNC),
        ("post-return", o.post_return, ExternKind.FUNC)) if src is not None]


def _import_problem(flat: FlatComponent, imp: CoreImport, importer: int) -> str:
    why = _source_problem(flat, imp.source, imp.kind, importer)
    b = imp.source
    if not why and isinstance(b, Lowering):
        why = _lowering_problem(flat, b, importer)
    if not why and isinstance(b, Builtin) and b.op != "resource.drop" \
            and b.resource.defined_by != b.component:
        why = f"{b.op} of res{b.resource.index}, not defined by c{b.component}"
    return why


def _lowering_problem(flat: FlatComponent, low: Lowering, before: int) -> str:
    """A lowering bound into instance ``before`` may only reach core code and
    memories of earlier instances (its options, the lifted function and its
    options): they existed when the ``canon`` definitions ran."""
    sides = [low.options]
    if isinstance(low.func, Lifted):
        sides.append(low.func.options)
        why = _source_problem(flat, low.func.core, ExternKind.FUNC, before)
        if why:
            return f"lowered {_func(low.func)}: {why}"
    for o in sides:
        for _label, src, kind in _option_sources(o):
            why = _source_problem(flat, src, kind, before)
            if why:
                return f"lower{low.index} options: {why}"
    return ""


def _source_problem(flat: FlatComponent, src, kind: ExternKind, before: int) -> str:
    if isinstance(src, (Lowering, Builtin)):
        return "" if kind == ExternKind.FUNC else f"a {CORE_KIND[kind]} bound to a function"
    if not isinstance(src, CoreDef):
        return f"unknown source {src!r}"
    if src.kind != kind:
        return f"a {CORE_KIND[kind]} bound to a {CORE_KIND[src.kind]}"
    if not 0 <= src.instance < before:
        return f"bound to i{src.instance}, not an earlier instance"
    m = flat.instances[src.instance].module.module
    n_imported = sum(1 for i in m.imports if i.kind == kind)
    if src.index < n_imported:
        return f"bound to an import of i{src.instance}, not to its definition"
    if not any(e.name == src.name and e.kind == kind and e.index == src.index
               for e in m.exports):
        return f"i{src.instance} exports no {CORE_KIND[kind]} {src.index} as {src.name!r}"
    return ""


def _same_resources(a, ra: dict, b, rb: dict, seen: set) -> bool:
    """Walk value/function types ``a`` and ``b`` (equal up to resources) in
    parallel; every resource pair must map to one flat resource."""
    from .types import Borrow, List, Option, Own, Record, Result, Tuple, Variant
    if (id(a), id(b)) in seen:
        return True
    seen.add((id(a), id(b)))
    if isinstance(a, (Own, Borrow)):
        return type(a) is type(b) and ra.get(id(a.resource.root)) is rb.get(id(b.resource.root)) \
            and ra.get(id(a.resource.root)) is not None
    if isinstance(a, FuncType):
        pairs = list(zip([t for _, t in a.params], [t for _, t in b.params])) + [(a.result, b.result)]
    elif isinstance(a, Record):
        pairs = list(zip([t for _, t in a.fields], [t for _, t in b.fields]))
    elif isinstance(a, Variant):
        pairs = list(zip([t for _, t in a.cases], [t for _, t in b.cases]))
    elif isinstance(a, Tuple):
        pairs = list(zip(a.types, b.types))
    elif isinstance(a, List):
        pairs = [(a.elem, b.elem)]
    elif isinstance(a, Option):
        pairs = [(a.type, b.type)]
    elif isinstance(a, Result):
        pairs = [(a.ok, b.ok), (a.err, b.err)]
    else:
        return True
    return all(x is None or _same_resources(x, ra, y, rb, seen) for x, y in pairs)


# ---- text --------------------------------------------------------------------------



def _core(src) -> str:
    if isinstance(src, CoreDef):
        return f"i{src.instance}.{CORE_KIND[src.kind]}[{src.index}] {src.name!r}"
    if isinstance(src, Lowering):
        return f"lower{src.index}"
    if isinstance(src, Builtin):
        return f"{src.op} res{src.resource.index} (c{src.component})"
    return repr(src)


def _functype(ft: FuncType, resources: dict[int, FlatResource]) -> str:
    from .inspect import _Names, functype
    from .types import walk
    names = _Names()
    for x in walk(ft):
        if isinstance(x, Resource) and id(x.root) in resources:
            names.add(x, f"res{resources[id(x.root)].index}")
    return functype(ft, names)


def _options(o: CanonOptions) -> str:
    parts = [o.encoding]
    if o.memory is not None:
        parts.append(f"memory {_core(o.memory)}")
    if o.realloc is not None:
        parts.append(f"realloc {_core(o.realloc)}")
    if o.post_return is not None:
        parts.append(f"post-return {_core(o.post_return)}")
    return "[" + ", ".join(parts) + "]"


def _func(f) -> str:
    if isinstance(f, Lifted):
        return f"lift{f.index}"
    return f"import {f.name!r}"


def _extern(et: ExternType) -> str:
    from .inspect import _Names, extern
    lines = extern(et, _Names(), 2)
    return "\n".join(lines)


def describe(flat: FlatComponent) -> str:
    """The flat component as text: one line per record (snapshot tests,
    ``wasmaot compile --emit plan``)."""
    out = ["component instances:"]
    out += [f"  c{c.index} {c.label}" for c in flat.components]
    out.append("modules:")
    out += _module_lines(flat)
    out.append("core instances:")
    for inst in flat.instances:
        out.append(f"  i{inst.index} = instantiate m{inst.module.index} in c{inst.component}")
        out += [f"    import {imp.module!r} {imp.name!r} {CORE_KIND[imp.kind]}[{imp.index}] "
                f"<- {_core(imp.source)}" for imp in inst.imports]
    out.append("lifts:")
    out += [f"  lift{f.index} in c{f.component}: {_core(f.core)} as "
            f"{_functype(f.type, f.resources)} {_options(f.options)}" for f in flat.lifts]
    out.append("lowerings:")
    out += [f"  lower{f.index} in c{f.component}: {_func(f.func)} as "
            f"{_functype(f.type, f.resources)} {_options(f.options)}" for f in flat.lowerings]
    out.append("resources:")
    out += [_resource_line(r) for r in flat.resources]
    out.append("imports:")
    out += [f"  {name!r}: {_extern(et).strip()}" for name, et in flat.imports]
    out.append("exports:")
    out += [f"  {e.name!r}: {_export_text(e)}" for e in flat.exports]
    return "\n".join(out) + "\n"


def _module_lines(flat: FlatComponent) -> list[str]:
    # The file is named only when modules come from several (preloads).
    several = len({m.origin for m in flat.modules}) > 1
    return [f"  m{m.index} {f'{m.origin} ' if several else ''}bytes {m.start:#x}..{m.end:#x}: "
            f"{len(m.module.imports)} imports, {len(m.module.exports)} exports"
            for m in flat.modules]


def _resource_line(r: FlatResource) -> str:
    where = f"imported {r.imported!r}" if r.imported is not None else f"defined by c{r.defined_by}"
    dtor = "" if r.dtor is None else f", dtor {_core(r.dtor)}"
    return f"  res{r.index} {r.name!r} {where}{dtor}"


def _export_text(e: FlatExport) -> str:
    v = e.value
    if isinstance(v, Lifted):
        return f"lift{v.index}"
    if isinstance(v, ImportedFunc):
        return f"func, re-exports import {v.name!r}"
    if isinstance(v, _ImportedInst):
        return f"instance, re-exports import {'#'.join(v.path)!r}"
    if isinstance(v, FlatResource):
        return f"resource res{v.index}"
    if isinstance(v, FlatModule):
        return f"core module m{v.index}"
    if isinstance(v, ComponentType):
        return "component"
    if isinstance(v, _Imported):
        return f"{v.kind}, re-exports import {'#'.join(v.path)!r}"
    from .inspect import _Names, valtype
    if isinstance(v, FuncType):
        return "type " + _functype(v, {})
    if isinstance(v, (InstanceType, ComponentType)):
        return "type " + type(v).__name__
    return "type " + valtype(v, _Names(), top=True)


__all__ = [
    "Builtin",
    "CanonOptions",
    "ComponentInstance",
    "CoreDef",
    "CoreImport",
    "CoreInstance",
    "FlatComponent",
    "FlatExport",
    "FlatModule",
    "FlatResource",
    "FlattenError",
    "ImportedFunc",
    "Lifted",
    "LinkError",
    "Lowering",
    "describe",
    "flatten_component",
    "link_plan",
    "plan_bindings",
    "verify",
]
