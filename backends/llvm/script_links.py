"""Compile-time links between modules compiled as separate objects.

What: the spec runner (``spec-tests/exec.py``) compiles every module of a
script into its own object (prefix ``mK``) and links them into one
executable whose driver instantiates each module when the script says so.
It cannot lay the modules out as one program block the way
:mod:`.program` does (each module is instantiated, or fails to link or
instantiate, on its own), but it knows at compile time which module's
function each import resolves to (``spec-tests/links.py``).  An
:class:`ObjectLinks` carries that into one module's compilation:

* ``calls``: imported function ``i`` is module ``prefix``'s defined function
  ``n``: it is called directly, ``call <cc> @prefix.fn(inst, ...)`` in the
  exporter's internal convention (the tail-call one when the exporter has
  tail calls, ``ModuleContext.cc``), instead of through the funcref slot's
  function pointer.  The callee's instance operand is still loaded from the slot
  (``slot.instance``, invariant): the exporter's instance is allocated by
  the driver at run time, and the slot, filled by the driver's link before
  any of our code can run, is where its address is.
* ``visible``: defined functions of this module that other objects call
  that way: ``hidden`` instead of ``internal`` (global in the objects,
  local in the executable).

Invariant the caller guarantees: a direct call is only reachable once the
driver linked this module, and that link binds import ``i`` to exactly the
function named (so the slot's instance is that function's instance).
Memories, tables and globals stay slot-based: their objects live in the
exporter's run-time instance, so the slot load is all a direct binding
could be.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import abi
from .common import TBAA_INST, Builder, Callee, ret_type, LTYPE
from .emit import func_symbol
from .program import PlanContext


@dataclass(frozen=True)
class ObjectLinks:
    #: (imported function index, exporter's prefix, exporter's defined function
    #: index, whether the exporter has tail calls: its convention)
    calls: tuple[tuple[int, str, int, bool], ...] = ()
    #: defined functions other objects call directly (sorted)
    visible: tuple[int, ...] = ()


class LinkedContext(PlanContext):
    """A lone module's context with :class:`ObjectLinks` (``opts.links``)."""

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        links: ObjectLinks = self.opts.links
        self._calls = {fn: (prefix, n, tail) for fn, prefix, n, tail in links.calls}
        self._visible = frozenset(links.visible)

    def func_linkage(self, index: int) -> str:
        return "hidden" if index in self._visible else "internal"

    def import_callee(self, b: Builder, fn: int) -> Callee | None:
        bound = super().import_callee(b, fn)
        target = self._calls.get(fn)
        if bound is not None or target is None:
            return bound
        prefix, n, tail = target
        sym = func_symbol(prefix, n)
        cc = self.target.tail_call_cc if tail else self.target.internal_cc
        sig = self.ir.funcs[fn].sig
        params = ", ".join(["ptr"] + [LTYPE[t] for t in sig.params])
        self.declare(sym, f"declare hidden {cc} {ret_type(sig.results)} @{sym}({params})")
        pb = self.ptr_bytes
        slot = b.inst_field(self.layout.funcref[fn])
        inst = b.load("ptr", b.gep(slot, abi.funcref(pb).instance), TBAA_INST, align=pb,
                      invariant=True, hint="impi")
        return Callee("@" + sym, inst, cc)
