"""A component -> a core link plan plus its component-export table.

The flat component (:func:`~wasmaot.frontend.component.flatten_component`)
gives one core instance per instantiation; :func:`link_plan` turns them
into ``ir/plan.py`` instances wired by ``InstanceBinding``.  The standalone
host reaches core code only through the *main* instance's exports (the
core descriptor ``wasm_module``), and the lifted functions, memories,
reallocs and post-returns live in any instance.  So one more instance is
added last, the **export shim**: an IR module without code that imports
each of them (bound at compile time to the defining instance) and exports
it again under a short name (``f0``, ``m0``).  The backend emits a
trampoline per exported function, so the host calls a lifted core function
exactly as it calls a core export; the component-export table
(:mod:`.descriptors`) names those exports.  No backend change is needed.

**Adapters.**  A core import bound to ``canon lower`` of a function that
another component instance lifts (composed components) is bound to a
function of the *adapter module*, one more instance placed first (the
others shift by one): it stores its core arguments as 8-byte slots in its
own ``scratch`` memory and calls the host function
``wasmaot:component.adapt(k)``, which lifts them with the caller's options,
lowers them into the callee, calls it through the shim's trampoline, and
back (runtime-c/component/cm_adapt.c).  The issue's goal is adapters
compiled as IR that copy memory to memory; this generic one, driven by the
same type table, is the first step.

**Resources.**  ``canon resource.new/rep/drop`` bound to a core import is an
adapter-module function too, calling the host's ``builtin(k)``: one handle
table per component instance (runtime-c/canon), destructors called through
the shim's trampolines.  Adapters move own and borrow handles between the
tables.

**Root imports (WASI 0.2).**  A root import must be a WASI 0.2.x interface
the shim provides (:mod:`.wasi`), and each lowering of one of its functions
a function of the shim's table: it becomes an adapter-module function
calling the host's ``host(k)``; the table's ``imports[k]`` names the shim
function (its index) and carries the lowering's types and options
(runtime-c/component/cm_import.c lifts, calls, lowers).  The resource types
of these imports are host resources; the flat component has one per
import that names it (``wasi:cli/stdout`` uses ``wasi:io/streams``'
``output-stream``), so every one is mapped to the first of its name.

Refused here (one line, :class:`ComponentCompileError`): other root imports
and functions the shim does not provide.
"""
from __future__ import annotations

from ...frontend import types as core
from ...frontend.component.flatten import (
    Builtin,
    CoreDef,
    FlatComponent,
    Lifted,
    Lowering,
    link_plan,
)
from ...frontend.component.types import Resource, Tuple, flatten_functype
from ...frontend.errors import WasmError
from ...ir.module import (
    EXTERN_FUNC,
    EXTERN_MEMORY,
    Export,
    FuncDecl,
    Import,
    MemoryDecl,
    Module,
)
from ...ir.plan import HostBinding, Instance, InstanceBinding, LinkPlan
from . import cm_abi as C
from . import fuse, wasi
from .descriptors import Func, Table, UnsupportedType

#: The import-module name of the shim's imports (never seen by a host:
#: every one is bound at compile time).
SHIM_MODULE = "wasmaot:component"


class ComponentCompileError(WasmError):
    """A component this slice cannot compile to an executable."""
    kind = "unsupported"


def is_http_handler(name: str) -> bool:
    """Whether root export ``name`` is ``wasi:http/incoming-handler@0.2.x``:
    the executable's main is then the HTTP server
    (wasi-shim/http/http_server.c), which calls its ``handle`` per request."""
    return name.startswith("wasi:http/incoming-handler@0.2.")


def wave_name(path: tuple[str, ...]) -> str | None:
    """The name ``wasmtime run --invoke`` calls an export by: ``f`` at the
    top, ``iface.f`` for a function of an exported instance; None for
    deeper nesting, which wasmtime 49 cannot call either."""
    if len(path) == 1:
        return path[0]
    if len(path) == 2:
        return f"{path[0]}.{path[1]}"
    return None


def check_supported(flat: FlatComponent, filename: str) -> None:
    """Root imports must be WASI 0.2 interfaces the shim provides, and
    every lowered import function one of its functions; a lowering of a
    function another component instance lifts becomes an adapter, a
    resource built-in a host call on that instance's handle table."""
    # A value type import (WIT's `use` at world level) has no run-time
    # presence: it is the type itself; anything else needs a host.
    # Any WASI 0.2 interface may be imported (one that only declares types,
    # such as wasi:cli/terminal-output, needs nothing); the functions
    # actually lowered are checked one by one below.
    for name, et in flat.imports:
        if _types_only(et):
            continue
        if et.kind != "instance" or wasi.interface_of(name) is None:
            raise ComponentCompileError(
                f"component import {name!r} is not supported (the standalone host provides "
                f"WASI 0.2 interfaces only)", None, filename=filename)
    for low in flat.lowerings:
        if isinstance(low.func, Lifted):
            continue
        path = low.func.path
        if len(path) != 2 or wasi.host_index(*path) is None:
            raise ComponentCompileError(
                f"component import {'#'.join(path)!r} is not supported yet (the WASI shim "
                f"does not provide it)", None, filename=filename)


def _types_only(et) -> bool:
    """A value type import, or an instance import whose exports are all
    such (or none): no run-time presence, so no host needs to provide it
    (wasmtime links nothing for it either)."""
    if et.kind == "type":
        return not isinstance(et.type, Resource)
    return et.kind == "instance" and all(_types_only(x) for _, x in et.type.exports)


def _host_resource_map(flat: FlatComponent) -> dict[int, int]:
    """Flat resource index -> the index the table uses for it: the first
    imported resource of the same name (one host type per name), else
    itself."""
    first: dict[str, int] = {}
    out = {}
    for r in flat.resources:
        if r.imported is None:
            out[r.index] = r.index
        else:
            out[r.index] = first.setdefault(r.name, r.index)
    return out


class _Shim:
    """The export shim being built: one import + export per distinct core
    entity, bindings to the defining instance."""

    def __init__(self, plan: LinkPlan, shift: int, adapter_funcs: dict | None = None):
        self.plan, self.shift = plan, shift
        self.adapter_funcs = adapter_funcs or {}
        self.module = Module()
        self.bindings: dict[tuple[int, int, int], InstanceBinding] = {}
        self.names: dict[tuple[int, int, int], str] = {}

    def export(self, src) -> str:
        """The shim's export name for core source ``src`` ("" for None): a
        core definition, or a lowering or built-in (its adapter-module
        function, :func:`_adapter_funcs`; a fused lowering: the callee's
        core function)."""
        if src is None:
            return ""
        if isinstance(src, Lowering) and src not in self.adapter_funcs and fuse_target(src):
            src = src.func.core
        if not isinstance(src, CoreDef):
            if src not in self.adapter_funcs:
                raise ComponentCompileError("a canonical option or lift bound to a lowered "
                                            "function or built-in is not supported here", None)
            return self.entity(0, EXTERN_FUNC, self.adapter_funcs[src])
        return self.entity(src.instance + self.shift, int(src.kind), src.index)

    def entity(self, instance: int, kind: int, index: int) -> str:
        """The export name for entity ``index`` of ``kind`` of plan instance ``instance``."""
        key = (instance, kind, index)
        if key not in self.names:
            self.names[key] = self._add(instance, kind, index)
        return self.names[key]

    def _add(self, instance: int, kind: int, index: int) -> str:
        m, ir = self.module, self.plan.instances[instance].module
        if kind == EXTERN_FUNC:
            name = f"f{len(m.funcs)}"
            m.funcs.append(FuncDecl(name, ir.funcs[index].sig, Import(SHIM_MODULE, name)))
            own = len(m.funcs) - 1
        else:
            decl = ir.memories[index]
            name = f"m{len(m.memories)}"
            m.memories.append(MemoryDecl(0, None, decl.index_type, decl.shared,
                                         Import(SHIM_MODULE, name), decl.page_size_log2))
            own = len(m.memories) - 1
        m.import_order.append((kind, own))
        m.exports.append(Export(name, kind, own))
        shim = len(self.plan.instances)
        self.bindings[(shim, kind, own)] = InstanceBinding(instance, kind, index)
        return name


# ---- adapters ------------------------------------------------------------------------

_WAT = {core.I32: "i32", core.I64: "i64", core.F32: "f32", core.F64: "f64"}
_TO_SLOT = {core.I32: "i64.extend_i32_u", core.I64: "", core.F32: "i32.reinterpret_f32 i64.extend_i32_u",
            core.F64: "i64.reinterpret_f64"}


def _wat_func(name: str, params: list, results: list, call: str) -> str:
    """A function that stores its arguments as 8-byte slots at
    ``scratch[0..]`` (integers zero-extended, float bits: the trampoline
    slot convention), makes ``call`` and loads its result from slot 0."""
    stores = [f"i32.const {8 * j} local.get {j} {_TO_SLOT[t]} i64.store" for j, t in enumerate(params)]
    result = f" (result {_WAT[results[0]]})" if results else ""
    load = f" i32.const 0 {_WAT[results[0]]}.load" if results else ""
    sig = f"(param {' '.join(_WAT[t] for t in params)})" if params else ""
    return f'  (func (export "{name}") {sig}{result} ' + " ".join(stores) + f" {call}{load})"


#: Core signatures of the resource built-ins: (params, results).
_BUILTIN_SIG = {"resource.new": ([core.I32], [core.I32]), "resource.rep": ([core.I32], [core.I32]),
                "resource.drop": ([core.I32], [])}


_HOST_IMPORTS = (C.ADAPT_IMPORT, C.BUILTIN_IMPORT, C.HOST_IMPORT)


def _host_imports(hosts: list) -> tuple:
    """The adapter module's imports: ``host`` only with root imports, so a
    component without them needs no host table (the standalone main binds
    ``host`` only when the WASI shim is linked)."""
    return _HOST_IMPORTS if hosts else _HOST_IMPORTS[:2]


def _adapter_wat(lowerings: list[Lowering], builtins: list[Builtin], hosts: list[Lowering]) -> str:
    """The adapter module: per lowering a function of its core signature
    calling the host's ``adapt(k)``, per built-in one calling
    ``builtin(k)``, per lowered root import one calling ``host(k)``.
    Function indices: the imports (:func:`_host_imports`), then the
    lowerings, the built-ins, the root imports."""
    out = ["(module"] + [f'  (import "{m}" "{n}" (func ${n} (param i32)))'
                         for m, n in _host_imports(hosts)]
    out.append('  (memory (export "scratch") 1)')
    for k, low in enumerate(lowerings):
        ct = flatten_functype(low.type, "lower")
        out.append(_wat_func(f"a{k}", list(ct.params), list(ct.results), f"i32.const {k} call $adapt"))
    for k, b in enumerate(builtins):
        params, results = _BUILTIN_SIG[b.op]
        out.append(_wat_func(f"b{k}", params, results, f"i32.const {k} call $builtin"))
    for k, low in enumerate(hosts):
        ct = flatten_functype(low.type, "lower")
        out.append(_wat_func(f"h{k}", list(ct.params), list(ct.results), f"i32.const {k} call $host"))
    return "\n".join(out + [")"]) + "\n"


def _with_adapters(plan: LinkPlan, translate, filename: str, flat: FlatComponent):
    """``plan`` with the adapter module first (its instance 0; the others
    shift by one) and every import bound to a lowering or a built-in bound
    to its adapter-module function instead, or, for a fused lowering
    (:mod:`.fuse`), to the callee's core function.  Returns (plan,
    lowerings, built-ins, root-import lowerings), each in adapter-module
    order (fused lowerings are in none)."""
    lowerings: list[Lowering] = []
    builtins: list[Builtin] = []
    hosts: list[Lowering] = []
    fused: list[Lowering] = []
    for b in plan.bindings.values():
        if isinstance(b, Lowering) and b not in lowerings + hosts + fused:
            if not isinstance(b.func, Lifted):
                hosts.append(b)
            else:
                (fused if fuse.fusable(flat, b) else lowerings).append(b)
        elif isinstance(b, Builtin) and b not in builtins:
            builtins.append(b)
    # A lift of a built-in or of a lowering (`canon lift` of `canon
    # resource.new`), and a realloc or post-return option naming one, call
    # it through its adapter-module function too.
    for rec in [*flat.lifts, *flat.lowerings]:
        srcs = (rec.options.realloc, rec.options.post_return)
        for src in (rec.core, *srcs) if isinstance(rec, Lifted) else srcs:
            if isinstance(src, Builtin) and src not in builtins:
                builtins.append(src)
            elif isinstance(src, Lowering) and src not in lowerings + hosts + fused:
                (lowerings if isinstance(src.func, Lifted) else hosts).append(src)
    if not lowerings and not builtins and not hosts:
        return _fused_only(plan), lowerings, builtins, hosts
    from types import SimpleNamespace

    from ...frontend.load import load_module
    wasm = load_module(_adapter_wat(lowerings, builtins, hosts).encode(), f"{filename}: adapters")
    adapters = Instance(translate(SimpleNamespace(module=wasm)), None, f"{filename}: adapters")
    n_imp = len(_host_imports(hosts))
    bindings = {(0, EXTERN_FUNC, k): HostBinding(0, EXTERN_FUNC, k) for k in range(n_imp)}
    for (i, kind, index), b in plan.bindings.items():
        if isinstance(b, Lowering) and b in fused:
            b = _fused_binding(b, 1)
        elif isinstance(b, Lowering) and isinstance(b.func, Lifted):
            b = InstanceBinding(0, EXTERN_FUNC, n_imp + lowerings.index(b))
        elif isinstance(b, Lowering):
            b = InstanceBinding(0, EXTERN_FUNC, n_imp + len(lowerings) + len(builtins) + hosts.index(b))
        elif isinstance(b, Builtin):
            b = InstanceBinding(0, EXTERN_FUNC, n_imp + len(lowerings) + builtins.index(b))
        else:
            b = InstanceBinding(b.instance + 1, b.kind, b.index)
        bindings[(i + 1, kind, index)] = b
    return LinkPlan([adapters, *plan.instances], bindings), lowerings, builtins, hosts


def _adapter_funcs(lowerings: list, builtins: list, hosts: list, n_imp: int) -> dict:
    """Lowering or built-in -> its function index in the adapter module
    (the order of :func:`_adapter_wat`)."""
    out = {low: n_imp + k for k, low in enumerate(lowerings)}
    out.update((b, n_imp + len(lowerings) + k) for k, b in enumerate(builtins))
    out.update((h, n_imp + len(lowerings) + len(builtins) + k) for k, h in enumerate(hosts))
    return out


def fuse_target(low: Lowering) -> bool:
    """Whether a lowering outside the adapter module is a fused one (its
    callee's core function stands for it)."""
    return isinstance(low.func, Lifted) and isinstance(low.func.core, CoreDef)


def _fused_binding(low: Lowering, shift: int) -> InstanceBinding:
    """A fused lowering's import bound to the callee's core function."""
    core_def = low.func.core
    return InstanceBinding(core_def.instance + shift, EXTERN_FUNC, core_def.index)


def _fused_only(plan: LinkPlan) -> LinkPlan:
    """``plan`` without an adapter module: every lowering in it is fused."""
    bindings = {key: _fused_binding(b, 0) if isinstance(b, Lowering) else b
                for key, b in plan.bindings.items()}
    return LinkPlan(plan.instances, bindings)


def _lifted(f: Lifted, shim: _Shim, name: str = "", ft=None, resources=None, rindex=None) -> Func:
    o = f.options
    ft = ft or f.type
    rindex = rindex or {}
    rmap = {rid: rindex.get(r.index, r.index)
            for rid, r in (f.resources if resources is None else resources).items()}
    return Func(name, list(ft.params), ft.result, o.encoding, shim.export(f.core),
                shim.export(o.memory), shim.export(o.realloc), shim.export(o.post_return), rmap,
                f.component)


def _imported(low: Lowering, shim: _Shim, rindex: dict[int, int]) -> Func:
    """A lowered root import as a function record: the lowering's types and
    options (no core function: the host is the callee)."""
    o = low.options
    rmap = {rid: rindex[r.index] for rid, r in low.resources.items()}
    return Func("#".join(low.func.path), list(low.type.params), low.type.result, o.encoding, "",
                shim.export(o.memory), shim.export(o.realloc), "", rmap, low.component)


def _add_resources(flat: FlatComponent, table: Table, shim: _Shim, builtins: list[Builtin],
                   rindex: dict[int, int]) -> None:
    table.n_components = len(flat.components)
    table.parents = [C.NONE if c.parent is None else c.parent for c in flat.components]
    for r in flat.resources:
        table.add_resource(r.defined_by, shim.export(r.dtor))
    for b in builtins:
        table.add_builtin(b.op, rindex[b.resource.index], b.component)


def component_program(flat: FlatComponent, translate, filename: str) -> tuple[LinkPlan, Table]:
    """The link plan (the flat component's core instances, then the export
    shim, which is the main instance) and the component-export table."""
    check_supported(flat, filename)
    plan, lowerings, builtins, hosts = _with_adapters(link_plan(flat, translate, filename),
                                                      translate, filename, flat)
    adapted = bool(lowerings or builtins or hosts)
    funcs = _adapter_funcs(lowerings, builtins, hosts, len(_host_imports(hosts))) if adapted else {}
    shim = _Shim(plan, 1 if adapted else 0, funcs)
    table = Table()
    if lowerings or builtins or hosts:
        table.scratch = shim.entity(0, EXTERN_MEMORY, 0)
    rindex = _host_resource_map(flat)
    _add_resources(flat, table, shim, builtins, rindex)
    for low in lowerings:
        o = low.options
        table.add_adapter(_lifted(low.func, shim, ft=low.type, resources=low.resources,
                                  rindex=rindex),
                          shim.export(o.memory), shim.export(o.realloc), o.encoding,
                          (low.component, low.func.component))
    if hosts:        # the host lowers byte lists as (pointer, length) pairs
        table.pair_type = table.type(Tuple(("u32", "u32")))
    for low in hosts:
        table.add_import(_imported(low, shim, rindex), wasi.host_index(*low.func.path),
                         low.component)
    for e in flat.exports:
        if e.path[0].startswith("wasi:cli/run@") or e.path[0] == "wasi:cli/run" \
                or is_http_handler(e.path[0]):
            table.has_run = True     # main runs it: wasi:cli/run, or the HTTP server
        name = wave_name(e.path)
        if e.kind != "func" or not isinstance(e.value, Lifted) or name is None:
            continue
        try:
            table.add_func(_lifted(e.value, shim, name, rindex=rindex))
        except UnsupportedType as err:
            raise ComponentCompileError(f"export {name!r}: {err}", None, filename=filename) from None
    plan.instances.append(Instance(shim.module, None, f"{filename}: export shim"))
    plan.bindings.update(shim.bindings)
    return plan, table
