"""Pass manager.

A pipeline is a readable list of pass names; each name is a module
``wasmaot.ir.passes.<name>`` exposing ``run(func) -> bool`` (True if it
changed the function) and a docstring saying what it does, why, and what it
assumes.  ``PassManager`` runs the passes over each function, records the
wall time of every pass (``timings``, ``report()``: the future
``--time-passes`` output), and with ``verify=True`` runs the verifier
before the first pass and after every pass, failing with the name of the
pass that broke an invariant.  Tests always verify.
"""
from __future__ import annotations

import importlib
import pkgutil
import time
from dataclasses import dataclass, field
from types import ModuleType
from typing import Iterable

from . import passes as _passes_pkg
from .function import Function
from .module import Module
from .verifier import VerifierError, verifier_errors

#: The default optimisation pipeline.  constfold first (it turns constant
#: branches into jumps), then unreachable (drops the blocks that made dead
#: and simplifies block params), dce (removes what folding left unused),
#: trapelim (bounds checks), and a final dce.
PIPELINE = ["constfold", "unreachable", "dce", "trapelim", "dce"]


def available_passes() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(_passes_pkg.__path__)
                  if not m.name.startswith("_"))


def get_pass(name: str) -> ModuleType:
    if name not in available_passes():
        raise KeyError(f"unknown pass {name!r}; available: {', '.join(available_passes())}")
    mod = importlib.import_module(f"{_passes_pkg.__name__}.{name}")
    if not callable(getattr(mod, "run", None)) or not mod.__doc__:
        raise TypeError(f"pass module {name!r} needs run(func) and a docstring")
    return mod


@dataclass
class PassTiming:
    name: str
    seconds: float = 0.0
    runs: int = 0
    changed: int = 0


@dataclass
class PassManager:
    """Runs ``passes`` in order.  An entry is a pass name, or a
    ``(name, run)`` pair for an ad-hoc pass (tests, experiments)."""
    passes: list = field(default_factory=lambda: list(PIPELINE))
    verify: bool = False
    timings: dict[str, PassTiming] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._mods = []
        for p in self.passes:
            if isinstance(p, str):
                self._mods.append((p, get_pass(p).run))
            else:
                name, fn = p
                self._mods.append((name, fn))

    def _time(self, name: str, seconds: float, changed: bool) -> None:
        t = self.timings.get(name)
        if t is None:
            t = self.timings[name] = PassTiming(name)
        t.seconds += seconds
        t.runs += 1
        t.changed += bool(changed)

    def _verify(self, func: Function, after: str) -> None:
        t0 = time.perf_counter()
        errs = verifier_errors(func)
        self._time("verify", time.perf_counter() - t0, False)
        if errs:
            raise VerifierError([f"after {after}: {e}" for e in errs])

    def run_function(self, func: Function) -> bool:
        changed_any = False
        if self.verify:
            self._verify(func, "input")
        for name, run in self._mods:
            t0 = time.perf_counter()
            changed = bool(run(func))
            self._time(name, time.perf_counter() - t0, changed)
            changed_any |= changed
            if self.verify:
                self._verify(func, f"pass {name!r}")
        return changed_any

    def run_module(self, module: Module) -> bool:
        changed = False
        for f in module.functions():
            changed |= self.run_function(f)
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
