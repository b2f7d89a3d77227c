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

Refused here (one line, :class:`ComponentCompileError`): root imports (this
slice has no host for them), and instances wired through ``canon lower``
or resource built-ins (adapters between components come later).
"""
from __future__ import annotations

from ...frontend.component.flatten import (
    Builtin,
    CoreDef,
    FlatComponent,
    Lifted,
    Lowering,
    link_plan,
)
from ...frontend.errors import WasmError
from ...ir.module import (
    EXTERN_FUNC,
    Export,
    FuncDecl,
    Import,
    MemoryDecl,
    Module,
)
from ...ir.plan import Instance, InstanceBinding, LinkPlan
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
    """Root imports and cross-component wiring are for later slices."""
    if flat.imports:
        name, _ = flat.imports[0]
        raise ComponentCompileError(
            f"component import {name!r} is not supported yet (only components without "
            f"imports compile to executables)", None, filename=filename)
    for inst in flat.instances:
        for imp in inst.imports:
            if isinstance(imp.source, (Lowering, Builtin)):
                what = "canon lower" if isinstance(imp.source, Lowering) else imp.source.op
                raise ComponentCompileError(
                    f"core import {imp.module!r} {imp.name!r} is bound to a {what}, which is "
                    f"not supported yet", None, filename=filename)


class _Shim:
    """The export shim being built: one import + export per distinct core
    entity, bindings to the defining instance."""

    def __init__(self, plan: LinkPlan):
        self.plan = plan
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
        key = (src.instance, int(src.kind), src.index)
        if key not in self.names:
            self.names[key] = self._add(src)
        return self.names[key]

    def _add(self, src: CoreDef) -> str:
        m, ir = self.module, self.plan.instances[src.instance].module
        if src.kind == EXTERN_FUNC:
            name = f"f{len(m.funcs)}"
            m.funcs.append(FuncDecl(name, ir.funcs[src.index].sig, Import(SHIM_MODULE, name)))
            index = len(m.funcs) - 1
        else:
            decl = ir.memories[src.index]
            name = f"m{len(m.memories)}"
            m.memories.append(MemoryDecl(0, None, decl.index_type, decl.shared,
                                         Import(SHIM_MODULE, name), decl.page_size_log2))
            index = len(m.memories) - 1
        m.import_order.append((int(src.kind), index))
        m.exports.append(Export(name, int(src.kind), index))
        shim = len(self.plan.instances)
        self.bindings[(shim, int(src.kind), index)] = InstanceBinding(
            src.instance, int(src.kind), src.index)
        return name


def component_program(flat: FlatComponent, translate, filename: str) -> tuple[LinkPlan, Table]:
    """The link plan (the flat component's core instances, then the export
    shim, which is the main instance) and the component-export table."""
    check_supported(flat, filename)
    plan = link_plan(flat, translate, filename)
    shim = _Shim(plan)
    table = Table()
    for e in flat.exports:
        if e.path[0].startswith("wasi:cli/run@") or e.path[0] == "wasi:cli/run":
            table.has_run = True
        name = wave_name(e.path)
        if e.kind != "func" or not isinstance(e.value, Lifted) or name is None:
            continue
        f = e.value
        o = f.options
        try:
            table.add_func(Func(name, list(f.type.params), f.type.result, o.encoding,
                                shim.export(f.core), shim.export(o.memory),
                                shim.export(o.realloc), shim.export(o.post_return)))
        except UnsupportedType as err:
            raise ComponentCompileError(f"export {name!r}: {err}", None, filename=filename) from None
    plan.instances.append(Instance(shim.module, None, f"{filename}: export shim"))
    plan.bindings.update(shim.bindings)
    return plan, table
