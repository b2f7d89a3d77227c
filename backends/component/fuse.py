"""Fused calls: a lowered import bound straight to the lifted core function
it calls, with no adapter between the two component instances.

``canon lower`` of a function another component instance lifts normally
becomes an adapter-module function calling the run-time adapter
(runtime-c/component/cm_adapt.c, :mod:`.plan`).  When lifting and lowering
are the identity on every value of the call, the adapter's only work would
be the canonical ABI's checks, and when those checks provably never fail,
the caller's core import is bound (``InstanceBinding``) to the callee's
core function: the call is a direct native call, which LLVM may inline.

A lowering is fused when all of these hold (:func:`fusable`):

- the callee is a :class:`Lifted` function of a core definition, without
  post-return; the lowering and the lift have the same component type;
- every parameter and the result are ``u32``/``s32``/``u64``/``s64``
  (:data:`IDENTITY`): one core value each, which the lift and the lower
  pass through unchanged (``bool``, the narrow integers, ``char`` and the
  floats are normalized or checked, so they keep the adapter), so neither
  memory nor realloc is used and no handle moves;
- no core module of the composition defines or imports a tag: an
  exception must become a trap at the component boundary, which a direct
  call does not have (:func:`_may_throw`);
- the callee runs in another component instance than the caller: a
  lowering of a function its own instance lifts always traps ("cannot
  enter component instance", as in wasmtime), which the adapter does;
- ``may_enter`` (CanonicalABI.md ``Store.lift``, ``may_enter_from``): every
  component instance of the entering set (the callee and its ancestors
  minus the caller's) is the child of a component instance without ``canon
  lower`` definitions.  Reentrance needs donut wrapping, which needs such a
  definition in the parent, so those flags can never be clear on entry
  (CanonicalABI.md says so of exactly this case: their flags are
  "optimized-out").  An entering set with a root instance (components
  linked on the command line) keeps the adapter;
- ``may_leave`` (``canon_lower``: ``trap_if(not inst.may_leave)``): the
  caller's flag is clear only while one of its realloc or post-return
  functions runs, so the import must not be reachable from any of them
  (:func:`_reaches`: direct calls through the core instances of the plan;
  an indirect call on the way counts as reaching it).

A trap in a fused callee ends the call as any guest trap does; that no
flag is left clear behind it is what the canonical ABI specifies too (the
adapter's left-over ``may_enter`` after a trap was an accident of it).
"""
from __future__ import annotations

from ...frontend.code import iter_instrs, read_locals
from ...frontend.component.flatten import CoreDef, FlatComponent, Lifted, Lowering
from ...frontend.module import ExternKind
from ...frontend.opcodes import Flag, Imm

#: Value types whose lift and lower are the identity on their core value.
IDENTITY = frozenset({"u32", "s32", "u64", "s64"})


def fusable(flat: FlatComponent, low: Lowering) -> bool:
    """Whether ``low`` may be bound straight to its callee's core function."""
    f = low.func
    if not isinstance(f, Lifted) or not isinstance(f.core, CoreDef) or f.core.kind != ExternKind.FUNC:
        return False
    if f.options.post_return is not None or not _identity_type(low.type):
        return False
    if [t for _, t in low.type.params] != [t for _, t in f.type.params] or low.type.result != f.type.result:
        return False
    if low.component == f.component or _may_throw(flat):
        return False
    return _enter_never_traps(flat, low.component, f.component) and not _reaches(flat, low)


def _may_throw(flat: FlatComponent) -> bool:
    """Whether an exception may be raised anywhere in the composition: some
    core module defines or imports a tag.  Exceptions must not cross a
    component boundary (it traps: ``wasmaot_exn_component_boundary``), and
    a fused call has no boundary left to check, so then nothing is fused."""
    return any(inst.module.module.tags or inst.module.module.num_imported_tags
               for inst in flat.instances)


def _identity_type(ft) -> bool:
    return all(isinstance(t, str) and t in IDENTITY for _, t in ft.params) and (
        ft.result is None or (isinstance(ft.result, str) and ft.result in IDENTITY))


def _self_and_ancestors(flat: FlatComponent, c: int | None) -> list[int]:
    out = []
    while c is not None:
        out.append(c)
        c = flat.components[c].parent
    return out


def _enter_never_traps(flat: FlatComponent, caller: int, callee: int) -> bool:
    """No instance of the entering set can be entered already (module docstring)."""
    lowering_parents = {low.component for low in flat.lowerings}
    entering = set(_self_and_ancestors(flat, callee)) - set(_self_and_ancestors(flat, caller))
    for c in entering:
        parent = flat.components[c].parent
        if parent is None or parent in lowering_parents:
            return False
    return True


def _leave_roots(flat: FlatComponent, component: int) -> list:
    """The realloc and post-return functions of ``component``'s lifts and lowerings."""
    roots = []
    for rec in [*flat.lifts, *flat.lowerings]:
        if rec.component == component:
            roots += [x for x in (rec.options.realloc, rec.options.post_return) if x is not None]
    return roots


def _reaches(flat: FlatComponent, low: Lowering) -> bool:
    """Whether a realloc or post-return of the caller may call ``low``.  A
    call of another lowering is not followed (``canon_lower`` traps on it
    while may_leave is clear); a resource built-in is (a drop may run a
    destructor of the caller's own component), and so is an indirect call:
    both count as reaching it."""
    todo = _leave_roots(flat, low.component)
    seen: set[tuple[int, int]] = set()
    while todo:
        src = todo.pop()
        if isinstance(src, Lowering) and src is not low:
            continue
        if not isinstance(src, CoreDef) or src.kind != ExternKind.FUNC:
            return True             # low itself, a built-in, or something not followed
        if (src.instance, src.index) in seen:
            continue
        seen.add((src.instance, src.index))
        callees = _callees(flat, src.instance, src.index)
        if callees is None:
            return True
        todo += callees
    return False


def _callees(flat: FlatComponent, instance: int, funcidx: int) -> list | None:
    """The core sources (CoreDef, Lowering, Builtin) function ``funcidx`` of
    core instance ``instance`` may call; None when it calls indirectly."""
    inst = flat.instances[instance]
    m = inst.module.module
    if funcidx < m.num_imported_funcs:
        return [next(i.source for i in inst.imports if i.kind == ExternKind.FUNC and i.index == funcidx)]
    f = m.defined_func(funcidx)
    pos = f.code_start or read_locals(m.data, f.body_start, f.body_end)[1]
    out = []
    for op, imm, _ in iter_instrs(m.data, pos, f.body_end):
        if op.flags & Flag.CALL:
            if op.imm != Imm.FUNC:
                return None
            out.append(CoreDef(instance, ExternKind.FUNC, imm, ""))
    return out
