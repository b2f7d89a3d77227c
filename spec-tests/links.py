"""A script's link plan: which module each import of each module resolves to,
known before anything runs.

The driver (``spec-tests/driver/spectest_driver.c``) links a module's
imports by name when its command runs, against the instances registered
by then (``register``, latest wins; ``spectest`` is the host's).  That
resolution depends only on the script: :func:`script_links` replays the
driver's naming rules (``$id`` names and the current module are set by
``module`` commands, including failed ones; ``register`` names a named or
the current module; module assertions name nothing) and resolves each
import with :func:`wasmaot.ir.plan.bind_imports` (re-exports followed to
the defining module, compile-time type checks).

Result: per module index, the :class:`ObjectLinks` its compilation takes.
Only functions are bound (direct calls, see
``backends/llvm/script_links.py``); an import whose static check fails is
left to the driver, which reports it exactly as before.  Why a direct call
cannot change behaviour: module ``k``'s code runs only after the driver
linked it, which needs the exporter ``j`` registered under that name, and
not broken, i.e. compiled, linked and instantiated; the driver's link
copies ``j``'s funcref into the slot, whose instance the direct call uses.
A module Python failed to load or compile is never a target (its symbol
would not exist); :func:`callable_links` drops calls to modules that
turned out not to compile.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..backends.llvm.script_links import ObjectLinks
from ..ir.module import EXTERN_FUNC
from ..ir.plan import Instance, InstanceBinding, LinkPlan, bind_imports
from .table import carries_module

_HOST = "host"          # a registered name the driver's host provides (spectest)


@dataclass
class ScriptLinks:
    #: module index -> {imported function: (defining module, its function index)}
    calls: dict[int, dict[int, tuple[int, int]]] = field(default_factory=dict)
    #: modules with tail calls (their functions use the tail-call convention)
    tail_calls: set[int] = field(default_factory=set)
    #: module index -> its functions that other modules call directly
    visible: dict[int, set[int]] = field(default_factory=dict)

    def for_module(self, k: int, compiled: set[int]) -> ObjectLinks | None:
        """Module ``k``'s links, calling only modules in ``compiled``."""
        calls = tuple(sorted((fn, f"m{j}", n, j in self.tail_calls)
                             for fn, (j, n) in self.calls.get(k, {}).items() if j in compiled))
        visible = tuple(sorted(self.visible.get(k, ())))
        return ObjectLinks(calls, visible) if calls or visible else None

    def deps(self, k: int) -> set[int]:
        """Modules whose objects module ``k``'s object references."""
        return {j for j, _ in self.calls.get(k, {}).values()}


def script_links(commands, loaded: dict[int, object]) -> ScriptLinks:
    """``commands``: the parsed script; ``loaded``: module index -> the
    decoded, validated module of every module-carrying command that loaded
    (in script order, indices as exec.py assigns them)."""
    from ..backends.llvm.common import has_tail_calls
    from ..ir.translate import translate_module

    out = ScriptLinks()
    plan = LinkPlan()
    at: dict[int, int] = {}                 # module index -> plan instance
    seen: dict[int, dict[str, object]] = {}  # module index -> registrations when it ran
    names: dict[str, object] = {}
    registered: dict[str, object] = {"spectest": _HOST}
    current: object = None
    idx = 0

    def instance(j: int) -> int:
        """Plan instance of module ``j``, its imports bound (recursively)."""
        if j not in at:
            plan.instances.append(Instance(translate_module(loaded[j]), f"m{j}", f"module {j}"))
            at[j] = len(plan.instances) - 1
            by_name = {n: instance(r) for n, r in _script_names(loaded[j], seen[j]).items()}
            bind_imports(plan, at[j], by_name, strict=False)
        return at[j]

    if any(c.kind == "register" and "\0" in c.as_name for c in commands):
        return out      # the driver's C-string names would not match ours: bind nothing
    for cmd in commands:
        if cmd.kind == "register":
            rec = names.get(cmd.module) if cmd.module else current
            registered[cmd.as_name] = rec           # None: broken (no such module)
            continue
        if not carries_module(cmd):
            continue
        k, idx = idx, idx + 1
        rec = k if k in loaded else None
        if cmd.kind == "module":
            current = rec
            if cmd.name:
                names[cmd.name] = rec
        if rec is None:
            continue
        seen[k] = dict(registered)
        if not _script_names(loaded[k], seen[k]):
            continue                             # imports nothing from a script module
        inst = instance(k)
        module_of = {i: m for m, i in at.items()}
        for fn, d in enumerate(plan.instances[inst].module.funcs):
            if d.import_ is None:
                continue
            b = plan.bindings[(inst, EXTERN_FUNC, fn)]
            if isinstance(b, InstanceBinding):
                j = module_of[b.instance]
                out.calls.setdefault(k, {})[fn] = (j, b.index)
                out.visible.setdefault(j, set()).add(b.index)
                if has_tail_calls(plan.instances[b.instance].module):
                    out.tail_calls.add(j)
    return out


def _script_names(module, registered: dict[str, object]) -> dict[str, int]:
    """The import-module names of ``module`` that resolve to a script module
    (its index) under ``registered``.  Names with a NUL byte are left out:
    the driver compares C strings."""
    out = {}
    for imp in module.imports:
        r = registered.get(imp.module)
        if isinstance(r, int) and "\0" not in imp.module:
            out[imp.module] = r
    return out
