"""The link plan: a program is a list of core instances wired at compile time.

What: a :class:`LinkPlan` lists core instances (an IR module plus the name
it is registered under, if any) in instantiation order, and says for every
import of every instance where it comes from:

* :class:`InstanceBinding` -- the export of an earlier instance, resolved
  through re-exports down to the instance that *defines* the entity (an
  import re-exported by an instance that itself imported it from the host
  resolves to that host import: :class:`HostBinding` of the earlier one);
* :class:`HostBinding` -- nothing in the program provides it: the host
  (WASI, the spec driver's ``spectest`` module, an embedder's C) fills the
  slot by name when the executable starts, as for a single module.

For an executable, :func:`check_host_imports` then checks every host
binding against what its host provides (:class:`HostProvides`; the
standalone executable's host provides WASI preview1 only), so an import
nothing provides is a compile-time error naming it -- or, when asked
(``--allow-unresolved-imports``), a function import is bound to a stub
that traps (an extra instance, first in the plan).

The backend turns instance bindings into direct calls and shared
memory/table/global pointers (``backends/llvm``); host bindings stay in the
descriptor's import table.  A single module is a plan of one instance.

The *main* instance is the last one: its exports are the program's exports
(``--invoke``, ``_start``).  Earlier instances are libraries
(``wasmaot compile app.wasm --preload NAME=lib.wasm``, as wasmtime spells
it), instantiated first, in the order given.

The spec runner resolves a .wast script's links with the same rules
(:func:`bind_imports`, one instance at a time against the names the script
has registered by then; ``spec-tests/links.py``), non-strictly: an import
that does not bind is left to the driver, which reports it at run time.

Type checks happen here, at compile time, with the spec's import-matching
rules: a function's signature must equal the import's; a global's type and
mutability must equal; a memory's or table's *declared* limits must match
the import's limits.  Trade-off: the spec matches against the exporter's
*current* size, which a start function may have grown; a plan checks the
declared minimum, so it can refuse a link that a run-time linker would
accept after such a growth (never the reverse).  Errors are
:class:`LinkPlanError`, one line naming the importing module, the import and
what is wrong.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .module import (EXTERN_FUNC, EXTERN_GLOBAL, EXTERN_MEMORY, EXTERN_NAMES, EXTERN_TABLE,
                     EXTERN_TAG,
                     Import, Module)
from ..frontend.types import subtype
from .types import type_name


class LinkPlanError(Exception):
    """An import that cannot be bound; ``str()`` is one line."""


@dataclass(slots=True)
class Instance:
    module: Module
    #: The import-module name other instances use for it (``--preload
    #: NAME=...``), or None for the main instance.
    name: str | None = None
    #: Where it came from, for error messages (a file name).
    origin: str = "<module>"


@dataclass(frozen=True, slots=True)
class InstanceBinding:
    """Entity ``index`` of kind ``kind``, *defined* by instance ``instance``."""
    instance: int
    kind: int
    index: int


@dataclass(frozen=True, slots=True)
class HostBinding:
    """Left to the host: the slot of (``instance``, ``kind``, ``index``) --
    an import of that instance -- is filled by name at start-up."""
    instance: int
    kind: int
    index: int


Binding = InstanceBinding | HostBinding


@dataclass(slots=True)
class LinkPlan:
    instances: list[Instance] = field(default_factory=list)
    #: (instance, kind, index of the import in that kind's space) -> binding.
    bindings: dict[tuple[int, int, int], Binding] = field(default_factory=dict)
    _exports: dict[int, dict] = field(default_factory=dict, repr=False, compare=False)

    @property
    def main(self) -> int:
        return len(self.instances) - 1

    def export(self, instance: int, name: str):
        """Instance ``instance``'s export called ``name``, or None (a dict
        per instance, built on first use: imports x exports stays linear)."""
        table = self._exports.get(instance)
        if table is None:
            table = self._exports[instance] = {}
            for e in self.instances[instance].module.exports:
                table.setdefault(e.name, e)
        return table.get(name)

    def binding(self, instance: int, kind: int, index: int) -> Binding:
        return self.bindings[(instance, kind, index)]

    def host_imports(self) -> list[tuple[int, int, int, Import]]:
        """Imports the host fills, as (instance, kind, index, Import), in
        instantiation order then import-section order."""
        out = []
        for i, inst in enumerate(self.instances):
            for kind, index, imp in inst.module.imports():
                b = self.bindings[(i, kind, index)]
                if isinstance(b, HostBinding) and b.instance == i:
                    out.append((i, kind, index, imp))
        return out


def single(module: Module, origin: str = "<module>") -> LinkPlan:
    """The plan of one module: every import is the host's."""
    return build_plan([Instance(module, None, origin)])


def build_plan(instances: list[Instance], *,
               stubs: dict[tuple[int, int], Binding] | None = None) -> LinkPlan:
    """Resolve every import of every instance against the *earlier*
    instances' exports by (import module name, export name).  ``stubs``
    (instance, function index) -> binding overrides that resolution (the
    trap stubs of :func:`check_host_imports`)."""
    plan = LinkPlan(list(instances))
    by_name: dict[str, int] = {}
    for i, inst in enumerate(plan.instances):
        bind_imports(plan, i, by_name)
        for (si, fn), b in (stubs or {}).items():
            if si == i:
                plan.bindings[(i, EXTERN_FUNC, fn)] = b
        if inst.name is not None:
            if inst.name in by_name:
                raise LinkPlanError(f"{inst.origin}: instance name {inst.name!r} is given twice")
            by_name[inst.name] = i
    return plan


def bind_imports(plan: LinkPlan, i: int, by_name: dict[str, int], *,
                 strict: bool = True) -> list[LinkPlanError]:
    """Bind every import of instance ``i`` against ``by_name`` (import-module
    name -> index of an instance whose own imports are already bound) into
    ``plan.bindings``.  ``strict``: raise the first :class:`LinkPlanError`.
    Otherwise such an import is left to the host (:class:`HostBinding`) and
    its error returned: for a caller whose run-time linker checks and
    reports it anyway (the spec runner, ``spec-tests/links.py``, where a
    script may legitimately hold modules that do not link)."""
    errors = []
    for kind, index, imp in plan.instances[i].module.imports():
        try:
            b = _resolve(plan, by_name, i, kind, index, imp)
        except LinkPlanError as e:
            if strict:
                raise
            errors.append(e)
            b = HostBinding(i, kind, index)
        plan.bindings[(i, kind, index)] = b
    return errors


@dataclass(frozen=True)
class HostProvides:
    """What the host of an executable fills by name when it starts: the
    functions of each host module, (module, field) -> canonical signature
    (``(i32,i64)->(i32)``, ABI.md's descriptor form).  The standalone
    executable's host provides only WASI preview1, and only when the shim
    is linked in (``driver/compile.py`` builds this from the shim's own
    table)."""
    funcs: dict = field(default_factory=dict)

    def why_not(self, kind: int, imp: Import, decl) -> str:
        """Why the host cannot fill this import, or "" if it can."""
        modules = {m for m, _ in self.funcs}
        if imp.module not in modules:
            return f"unknown import (no module {imp.module!r}: not a --preload instance, not WASI)"
        sig = self.funcs.get((imp.module, imp.field))
        if kind != EXTERN_FUNC or sig is None:
            return f"unknown import ({imp.module} has no {EXTERN_NAMES[kind]} {imp.field!r})"
        have = canonical_sig(decl.sig)
        if have != sig:
            return f"incompatible import type (expected {sig}, the import is {have})"
        return ""


def canonical_sig(sig) -> str:
    """``(i32,i64)->(f32)``: the descriptor's form (ABI.md, runtime header
    section 4); a signature with typed references, its descriptor text
    (frontend.types.desc_type)."""
    if getattr(sig, "wasm", ""):
        return sig.wasm
    return ("(" + ",".join(type_name(t) for t in sig.params) + ")->("
            + ",".join(type_name(t) for t in sig.results) + ")")


def check_host_imports(plan: LinkPlan, host: HostProvides, *,
                       trap_unresolved: bool = False) -> LinkPlan:
    """``plan`` if the host provides every import left to it, else a
    :class:`LinkPlanError` naming the first one that it does not (and how
    many more) -- at compile time, where the executable would only fail
    when it starts.

    ``trap_unresolved`` (``--allow-unresolved-imports``, wasmtime's ``-W
    unknown-imports-trap``): an unknown *function* import is bound instead
    to a stub that traps with ``host trap`` when called; the result is a
    new plan with one more instance, the stubs, first (instantiated before
    everything; it has no state).  Unknown memories, tables and globals,
    and a host function of another signature, stay errors: no stub can
    stand for them."""
    bad, stubbable = [], []
    for i, kind, index, imp in plan.host_imports():
        decl = _space(plan.instances[i].module, kind)[index]
        why = host.why_not(kind, imp, decl)
        if not why:
            continue
        entry = (i, kind, index, imp, why)
        unknown = why.startswith("unknown import")
        (stubbable if trap_unresolved and kind == EXTERN_FUNC and unknown else bad).append(entry)
    if bad:
        i, _kind, _index, imp, why = bad[0]
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        hint = ("; --allow-unresolved-imports makes unknown functions trap when called"
                if not trap_unresolved and why.startswith("unknown import") else "")
        raise LinkPlanError(f"{plan.instances[i].origin}: import {imp.module!r} {imp.field!r}: "
                            f"{why}{more}{hint}")
    if not stubbable:
        return plan
    stub_module = _trap_stubs([(imp, _space(plan.instances[i].module, EXTERN_FUNC)[index].sig)
                               for i, _k, index, imp, _w in stubbable])
    stubs = {(i + 1, index): InstanceBinding(0, EXTERN_FUNC, k)
             for k, (i, _k, index, _imp, _w) in enumerate(stubbable)}
    return build_plan([Instance(stub_module, None, "<unresolved imports>"), *plan.instances],
                      stubs=stubs)


def _trap_stubs(funcs: list[tuple[Import, object]]) -> Module:
    """One module of functions that trap (``host trap``), one per import,
    named after it (what a backtrace shows)."""
    from .parser import parse_module
    from .printer import fmt_name, fmt_sig
    from .types import type_name as tn
    text = []
    for k, (imp, sig) in enumerate(funcs):
        params = ", ".join(f"v{j}: {tn(t)}" for j, t in enumerate(sig.params))
        name = fmt_name(f"unresolved import {imp.module}::{imp.field}")
        head = f"block0({params}):" if params else "block0:"
        text += [f"function {name}{fmt_sig(sig)} {{", head, "    trap host", "}"]
    text += [f'export "{k}" fn{k}' for k in range(len(funcs))]
    return parse_module("\n".join(text) + "\n")


def _resolve(plan: LinkPlan, by_name: dict[str, int], i: int, kind: int, index: int,
             imp: Import) -> Binding:
    j = by_name.get(imp.module)
    if j is None:
        return HostBinding(i, kind, index)
    exporter = plan.instances[j].module
    where = f"{plan.instances[i].origin}: import {imp.module!r} {imp.field!r}"
    exp = plan.export(j, imp.field)
    if exp is None:
        raise LinkPlanError(f"{where}: unknown import ({plan.instances[j].origin} "
                            f"exports no {imp.field!r})")
    if exp.kind != kind:
        raise LinkPlanError(f"{where}: incompatible import type (expected a "
                            f"{EXTERN_NAMES[kind]}, {plan.instances[j].origin} exports a "
                            f"{EXTERN_NAMES[exp.kind]})")
    why = _mismatch(plan.instances[i].module, kind, index, exporter, exp.index)
    if why:
        raise LinkPlanError(f"{where}: incompatible import type ({why})")
    # An entity the exporter itself imported: follow its binding.
    if _space(exporter, kind)[exp.index].import_ is not None:
        return plan.bindings[(j, kind, exp.index)]
    return InstanceBinding(j, kind, exp.index)


def _space(m: Module, kind: int) -> list:
    return (m.funcs, m.tables, m.memories, m.globals, m.tags)[kind]


def _limits_ok(imp_min: int, imp_max: int | None, min_: int, max_: int | None) -> bool:
    if min_ < imp_min:
        return False
    return imp_max is None or (max_ is not None and max_ <= imp_max)


def _fmt_limits(lo: int, hi: int | None) -> str:
    return f"{lo}" if hi is None else f"{lo}..{hi}"


def _mismatch(importer: Module, kind: int, index: int, exporter: Module, eindex: int) -> str:
    """Why the export does not match the import, or ""."""
    want, have = _space(importer, kind)[index], _space(exporter, kind)[eindex]
    if kind == EXTERN_FUNC:
        if want.sig != have.sig or canonical_sig(want.sig) != canonical_sig(have.sig):
            return f"expected {_fmt_sig(want.sig)}, got {_fmt_sig(have.sig)}"
    elif kind == EXTERN_GLOBAL:
        # typed references: an immutable global's type may be a subtype
        wt, ht = _wasm_type(want.wasm_type, want.type), _wasm_type(have.wasm_type, have.type)
        if want.mutable != have.mutable or not (
                wt == ht or not want.mutable and subtype(ht, wt)):
            return (f"expected {'mut ' * want.mutable}{type_name(want.type)}, "
                    f"got {'mut ' * have.mutable}{type_name(have.type)}")
    elif kind == EXTERN_TABLE:
        if _wasm_type(want.wasm_elem, want.elem) != _wasm_type(have.wasm_elem, have.elem):
            return f"expected {type_name(want.elem)}, got {type_name(have.elem)}"
        if want.index_type != have.index_type:
            return "table type differs (index type)"
        if not _limits_ok(want.min, want.max, have.min, have.max):
            return f"limits {_fmt_limits(have.min, have.max)} do not fit {_fmt_limits(want.min, want.max)}"
    elif kind == EXTERN_TAG:
        ws, hs = importer.sigs[want.sig], exporter.sigs[have.sig]
        if ws != hs or canonical_sig(ws) != canonical_sig(hs):
            return f"expected tag {_fmt_sig(ws)}, got tag {_fmt_sig(hs)}"
    elif kind == EXTERN_MEMORY:
        if (want.index_type, want.page_size_log2, want.shared) != (
                have.index_type, have.page_size_log2, have.shared):
            return "memory type differs (index type, page size or sharing)"
        if not _limits_ok(want.min, want.max, have.min, have.max):
            return f"limits {_fmt_limits(have.min, have.max)} do not fit {_fmt_limits(want.min, want.max)}"
    return ""


def _wasm_type(precise: int | None, ir_type: int) -> int:
    return ir_type if precise is None else precise


def _fmt_sig(sig) -> str:
    return ("(" + ", ".join(type_name(t) for t in sig.params) + ") -> ("
            + ", ".join(type_name(t) for t in sig.results) + ")")


__all__ = ["Binding", "HostBinding", "HostProvides", "Instance", "InstanceBinding", "LinkPlan", "LinkPlanError",
           "bind_imports", "build_plan", "canonical_sig", "check_host_imports", "single", "EXTERN_FUNC", "EXTERN_GLOBAL", "EXTERN_MEMORY", "EXTERN_TABLE"]
