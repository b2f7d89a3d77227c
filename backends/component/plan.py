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

Refused here (one line, :class:`ComponentCompileError`): root imports (this
slice has no host for them) and lowerings of them.
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
from ...frontend.component.types import Resource, flatten_functype
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
from .descriptors import Func, Table, UnsupportedType

#: The import-module name of the shim's imports (never seen by a host:
#: every one is bound at compile time).
SHIM_MODULE = "wasmaot:component"


class ComponentCompileError(WasmError):
    """A component this slice cannot compile to an executable."""
    kind = "unsupported"


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
    """Root imports are for later slices; a lowering of a function another
    component instance lifts becomes an adapter, a resource built-in a
    host call on that instance's handle table."""
    # A value type import (WIT's `use` at world level) has no run-time
    # presence: it is the type itself; anything else needs a host.
    imports = [name for name, et in flat.imports
               if not (et.kind == "type" and not isinstance(et.type, Resource))]
    if imports:
        name = imports[0]
        raise ComponentCompileError(
            f"component import {name!r} is not supported yet (only components without "
            f"imports compile to executables)", None, filename=filename)
    for inst in flat.instances:
        for imp in inst.imports:
            src = imp.source
            if isinstance(src, Lowering) and not isinstance(src.func, Lifted):
                what = "canon lower of an import"
                raise ComponentCompileError(
                    f"core import {imp.module!r} {imp.name!r} is bound to a {what}, which is "
                    f"not supported yet", None, filename=filename)


class _Shim:
    """The export shim being built: one import + export per distinct core
    entity, bindings to the defining instance."""

    def __init__(self, plan: LinkPlan, shift: int):
        self.plan, self.shift = plan, shift
        self.module = Module()
        self.bindings: dict[tuple[int, int, int], InstanceBinding] = {}
        self.names: dict[tuple[int, int, int], str] = {}

    def export(self, src: CoreDef | None) -> str:
        """The shim's export name for core entity ``src`` ("" for None)."""
        if src is None:
            return ""
        if not isinstance(src, CoreDef):
            raise ComponentCompileError("a canonical option bound to a lowered function is "
                                        "not supported yet")
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


def _adapter_wat(lowerings: list[Lowering], builtins: list[Builtin]) -> str:
    """The adapter module: per lowering a function of its core signature
    calling the host's ``adapt(k)``, per built-in one calling
    ``builtin(k)``.  Function indices: the two imports, then the lowerings,
    then the built-ins."""
    out = ["(module"] + [f'  (import "{m}" "{n}" (func ${n} (param i32)))'
                         for m, n in (C.ADAPT_IMPORT, C.BUILTIN_IMPORT)]
    out.append('  (memory (export "scratch") 1)')
    for k, low in enumerate(lowerings):
        ct = flatten_functype(low.type, "lower")
        out.append(_wat_func(f"a{k}", list(ct.params), list(ct.results), f"i32.const {k} call $adapt"))
    for k, b in enumerate(builtins):
        params, results = _BUILTIN_SIG[b.op]
        out.append(_wat_func(f"b{k}", params, results, f"i32.const {k} call $builtin"))
    return "\n".join(out + [")"]) + "\n"


def _with_adapters(plan: LinkPlan, translate, filename: str):
    """``plan`` with the adapter module first (its instance 0; the others
    shift by one) and every import bound to a lowering or a built-in bound
    to its adapter-module function instead.  Returns (plan, lowerings,
    built-ins), each in adapter-module order."""
    lowerings: list[Lowering] = []
    builtins: list[Builtin] = []
    for b in plan.bindings.values():
        if isinstance(b, Lowering) and b not in lowerings:
            lowerings.append(b)
        elif isinstance(b, Builtin) and b not in builtins:
            builtins.append(b)
    if not lowerings and not builtins:
        return plan, lowerings, builtins
    from types import SimpleNamespace

    from ...frontend.load import load_module
    wasm = load_module(_adapter_wat(lowerings, builtins).encode(), f"{filename}: adapters")
    adapters = Instance(translate(SimpleNamespace(module=wasm)), None, f"{filename}: adapters")
    bindings = {(0, EXTERN_FUNC, 0): HostBinding(0, EXTERN_FUNC, 0),
                (0, EXTERN_FUNC, 1): HostBinding(0, EXTERN_FUNC, 1)}
    for (i, kind, index), b in plan.bindings.items():
        if isinstance(b, Lowering):
            b = InstanceBinding(0, EXTERN_FUNC, 2 + lowerings.index(b))
        elif isinstance(b, Builtin):
            b = InstanceBinding(0, EXTERN_FUNC, 2 + len(lowerings) + builtins.index(b))
        else:
            b = InstanceBinding(b.instance + 1, b.kind, b.index)
        bindings[(i + 1, kind, index)] = b
    return LinkPlan([adapters, *plan.instances], bindings), lowerings, builtins


def _lifted(f: Lifted, shim: _Shim, name: str = "", ft=None, resources=None) -> Func:
    o = f.options
    ft = ft or f.type
    rmap = {rid: r.index for rid, r in (f.resources if resources is None else resources).items()}
    return Func(name, list(ft.params), ft.result, o.encoding, shim.export(f.core),
                shim.export(o.memory), shim.export(o.realloc), shim.export(o.post_return), rmap)


def _add_resources(flat: FlatComponent, table: Table, shim: _Shim, builtins: list[Builtin]) -> None:
    table.n_components = len(flat.components)
    for r in flat.resources:
        table.add_resource(r.defined_by, shim.export(r.dtor))
    for b in builtins:
        table.add_builtin(b.op, b.resource.index, b.component)


def component_program(flat: FlatComponent, translate, filename: str) -> tuple[LinkPlan, Table]:
    """The link plan (the flat component's core instances, then the export
    shim, which is the main instance) and the component-export table."""
    check_supported(flat, filename)
    plan, lowerings, builtins = _with_adapters(link_plan(flat, translate, filename), translate,
                                               filename)
    shim = _Shim(plan, 1 if lowerings or builtins else 0)
    table = Table()
    if lowerings or builtins:
        table.scratch = shim.entity(0, EXTERN_MEMORY, 0)
    _add_resources(flat, table, shim, builtins)
    for low in lowerings:
        o = low.options
        table.add_adapter(_lifted(low.func, shim, ft=low.type, resources=low.resources),
                          shim.export(o.memory), shim.export(o.realloc), o.encoding,
                          (low.component, low.func.component))
    for e in flat.exports:
        if e.path[0].startswith("wasi:cli/run@") or e.path[0] == "wasi:cli/run":
            table.has_run = True
        name = wave_name(e.path)
        if e.kind != "func" or not isinstance(e.value, Lifted) or name is None:
            continue
        try:
            table.add_func(_lifted(e.value, shim, name))
        except UnsupportedType as err:
            raise ComponentCompileError(f"export {name!r}: {err}", None, filename=filename) from None
    plan.instances.append(Instance(shim.module, None, f"{filename}: export shim"))
    plan.bindings.update(shim.bindings)
    return plan, table
