"""Pass manager and the pass contract.

A pipeline is a readable list of pass names; each name is a module
``wasmaot.ir.passes.<name>`` that declares what it is (Binaryen's
``Pass::isFunctionParallel`` and friends in ``src/pass.h``, as data):

``KIND``
    ``"function"``: ``run(func) -> bool`` reads the module's declarations
    but changes only ``func``, so functions can be processed in any order,
    one at a time, or in different worker processes;
    ``"module"``: ``run(module) -> bool`` may change anything.
``PRESERVES``
    a frozenset of facts the pass leaves intact (:data:`PRESERVABLE`);
    ``"cfg"``: the blocks and the branch edges between them are unchanged,
    so a ``ControlFlowGraph``/``DominatorTree`` computed before still holds.
the docstring
    starting ``<name>: <one-line description>`` (:func:`describe`), then
    what it does, why, and what it assumes.

``run`` returns True if it changed something.  :class:`PassManager` checks
the declarations when it loads a pass, runs consecutive function passes
function by function (``run_functions`` runs them on any subset, e.g. in a
worker process), records the wall time of every pass (``timings``,
``report()``: the per-pass part of ``wasmaot compile --time-passes``), and
with ``verify=True`` (``--verify-ir``; tests always verify) runs the
verifier before the first pass and after every pass, and checks that a
pass declaring ``"cfg"`` did not change the CFG, failing with the name of
the pass that broke an invariant.
"""
from __future__ import annotations

import importlib
import pkgutil
import time
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable

from . import passes as _passes_pkg
from .function import Function
from .module import Module
from .verifier import VerifierError, verifier_errors

#: The default optimisation pipeline.  constfold first (it turns constant
#: branches into jumps), then unreachable (drops the blocks that made dead
#: and simplifies block params), dce (removes what folding left unused),
#: bytecmp (byte-compare loops into mismatch8, before trapelim: the loads it
#: leaves need no check), trapelim (bounds checks), and a final dce.
PIPELINE = ["constfold", "unreachable", "dce", "bytecmp", "trapelim", "dce"]


def default_pipeline(bounds: str = "guard", pointer_bytes: int = 8, reroll: bool = False,
                     prefetch: bool = False) -> list:
    """The pipeline for a bounds mode: explicit mode adds checkmerge after
    trapelim (one check for a run of accesses off one address; in guard
    mode the accesses cost no instruction, so a check would only add one),
    then loopversion (counted loops run in an unchecked copy
    when a test before them shows every visit in bounds).
    Then checkversion (a small function whose checks are off one parameter
    gets a copy without them, entered after one test).  Guard mode runs
    loopversion alone, for the keeps of loads (loopversion.guard_mode);
    checkversion there made indirect execute 4% more instructions.
    For a target with 4-byte pointers, checkmerge and loopversion know that
    no memory reaches 4 GiB (their ``for_pointer_bytes``): PassInfos, not
    names.  ``reroll`` (the target's :attr:`Target.reroll`) rolls unrolled
    loops back before trapelim, which then sees the rolled loop (factors
    LLVM's vectorizer does not widen itself: reroll.for_vectorizer).
    ``prefetch`` (the target's :attr:`Target.prefetch`) adds the prefetch
    pass last, after the final dce (which keeps its hints anyway)."""
    tail = ["prefetch"] if prefetch else []
    from .passes import checkmerge, loopversion, reroll as reroll_pass
    k = PIPELINE.index("trapelim") + 1
    head = PIPELINE[:k]
    if reroll:
        head = head[:-1] + [_variant("reroll", reroll_pass.for_vectorizer)] + head[-1:]
    if bounds != "explicit":
        return head + [_variant("loopversion", loopversion.guard_mode)] + PIPELINE[k:] + tail
    merge: list = ["checkmerge", "loopversion"]
    if pointer_bytes < 8:
        merge = [_variant("checkmerge", checkmerge.for_pointer_bytes(pointer_bytes)),
                 _variant("loopversion", loopversion.for_pointer_bytes(pointer_bytes))]
    return head + merge + ["checkversion"] + PIPELINE[k:] + tail


def _variant(name: str, run) -> "PassInfo":
    """Pass ``name`` with its declarations, run by ``run`` (a variant of its
    own ``run``: for guard mode, for 4-byte pointers)."""
    return replace(get_pass(name), run=run)


KINDS = ("function", "module")
#: Facts a pass may declare in ``PRESERVES`` (module docstring).
PRESERVABLE = frozenset({"cfg"})


@dataclass(frozen=True)
class PassInfo:
    """A loaded pass and its declarations."""
    name: str
    run: Callable[..., bool]
    kind: str = "function"
    preserves: frozenset = frozenset()
    description: str = ""


def available_passes() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(_passes_pkg.__path__)
                  if not m.name.startswith("_"))


def get_pass(name: str) -> PassInfo:
    """Load pass ``name`` and check its declarations (module docstring)."""
    if name not in available_passes():
        raise KeyError(f"unknown pass {name!r}; available: {', '.join(available_passes())}")
    mod = importlib.import_module(f"{_passes_pkg.__name__}.{name}")
    doc = mod.__doc__ or ""
    kind = getattr(mod, "KIND", None)
    preserves = getattr(mod, "PRESERVES", None)
    if not callable(getattr(mod, "run", None)) or not doc.startswith(f"{name}: "):
        raise TypeError(f"pass module {name!r} needs run() and a docstring starting '{name}: '")
    if kind not in KINDS:
        raise TypeError(f"pass {name!r}: KIND must be one of {KINDS}, not {kind!r}")
    if not isinstance(preserves, frozenset) or not preserves <= PRESERVABLE:
        raise TypeError(f"pass {name!r}: PRESERVES must be a frozenset of {sorted(PRESERVABLE)}")
    return PassInfo(name, mod.run, kind, preserves, doc.splitlines()[0][len(name) + 2:])


def describe() -> dict[str, str]:
    """Every available pass -> its one-line description."""
    return {n: get_pass(n).description for n in available_passes()}


def _cfg_shape(func: Function) -> list[tuple[int, tuple[int, ...]]]:
    dfg, lay = func.dfg, func.layout
    return [(b, tuple(dfg.inst_successors(lay.blast[b])) if lay.blast[b] >= 0 else ())
            for b in lay.blocks()]


@dataclass
class PassTiming:
    name: str
    seconds: float = 0.0
    runs: int = 0
    changed: int = 0


@dataclass
class PassManager:
    """Runs ``passes`` in order.  An entry is a pass name, a
    :class:`PassInfo`, or a ``(name, run)`` pair for an ad-hoc function pass
    (tests, experiments)."""
    passes: list = field(default_factory=lambda: list(PIPELINE))
    verify: bool = False
    timings: dict[str, PassTiming] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._infos = [p if isinstance(p, PassInfo) else get_pass(p) if isinstance(p, str)
                       else PassInfo(*p) for p in self.passes]
        # Stages: maximal runs of function passes (run function by function),
        # and single module passes.
        self._stages: list[list[PassInfo]] = []
        for info in self._infos:
            if info.kind == "function" and self._stages and self._stages[-1][0].kind == "function":
                self._stages[-1].append(info)
            else:
                self._stages.append([info])

    @property
    def function_parallel(self) -> bool:
        """True if every pass is a function pass (``run_functions`` may be
        given any partition of the functions)."""
        return all(i.kind == "function" for i in self._infos)

    def _time(self, name: str, seconds: float, changed: bool) -> None:
        t = self.timings.get(name)
        if t is None:
            t = self.timings[name] = PassTiming(name)
        t.seconds += seconds
        t.runs += 1
        t.changed += bool(changed)

    def merge_timings(self, timings: dict[str, PassTiming]) -> None:
        """Add another manager's timings (e.g. a worker's) to these."""
        for name, t in timings.items():
            mine = self.timings.setdefault(name, PassTiming(name))
            mine.seconds += t.seconds
            mine.runs += t.runs
            mine.changed += t.changed

    def _verify(self, func: Function, after: str) -> None:
        t0 = time.perf_counter()
        errs = verifier_errors(func)
        self._time("verify", time.perf_counter() - t0, False)
        if errs:
            raise VerifierError([f"after {after}: {e}" for e in errs])

    def _run_on(self, func: Function, passes: list[PassInfo]) -> bool:
        changed_any = False
        for p in passes:
            shape = _cfg_shape(func) if self.verify and "cfg" in p.preserves else None
            t0 = time.perf_counter()
            changed = bool(p.run(func))
            self._time(p.name, time.perf_counter() - t0, changed)
            changed_any |= changed
            if self.verify:
                self._verify(func, f"pass {p.name!r}")
                if shape is not None and _cfg_shape(func) != shape:
                    raise VerifierError([f"after pass {p.name!r}: function {func.name}: "
                                         "the CFG changed, but the pass declares it preserved"])
        return changed_any

    def run_function(self, func: Function) -> bool:
        return self.run_functions([func])

    def run_functions(self, funcs: Iterable[Function]) -> bool:
        """Run the whole pipeline on ``funcs`` (any subset of a module's
        functions); only for a function-parallel pipeline."""
        if not self.function_parallel:
            raise ValueError("run_functions needs a pipeline of function passes only")
        changed = False
        for f in funcs:
            if self.verify:
                self._verify(f, "input")
            changed |= self._run_on(f, self._infos)
        return changed

    def run_module(self, module: Module) -> bool:
        changed = False
        if self.verify:
            for f in module.functions():
                self._verify(f, "input")
        for stage in self._stages:
            if stage[0].kind == "function":
                for f in module.functions():
                    changed |= self._run_on(f, stage)
                continue
            p = stage[0]
            t0 = time.perf_counter()
            c = bool(p.run(module))
            self._time(p.name, time.perf_counter() - t0, c)
            changed |= c
            if self.verify:
                for f in module.functions():
                    self._verify(f, f"pass {p.name!r}")
        return changed

    def report(self) -> str:
        """Per-pass timing table, slowest first."""
        total = sum(t.seconds for t in self.timings.values()) or 1e-12
        lines = [f"{'seconds':>10} {'%':>6} {'runs':>6} {'changed':>8}  pass"]
        for t in sorted(self.timings.values(), key=lambda t: -t.seconds):
            lines.append(f"{t.seconds:10.6f} {100 * t.seconds / total:6.1f} {t.runs:6d} "
                         f"{t.changed:8d}  {t.name}")
        lines.append(f"{total:10.6f} {100.0:6.1f} {'':6} {'':8}  total")
        return "\n".join(lines)


def run_passes(target: Function | Module, passes: Iterable[str] = PIPELINE, *,
               verify: bool = False) -> PassManager:
    pm = PassManager(list(passes), verify)
    if isinstance(target, Module):
        pm.run_module(target)
    else:
        pm.run_function(target)
    return pm
