"""Handle tables, resources and borrow scopes of the canon layer against the
Python model (frontend/component/canonabi.py: HandleTable, HandleElem,
Call, _lift_handle/_lower_handle; resource.new/rep/drop written below from
CanonicalABI.md on top of them, since the model has no built-ins).

Hypothesis drives random sequences of operations on two component
instances (A and B) sharing three resource types (defined by A, by B and by
the host); both sides must return the same handle indices, reps and
destructor calls, and trap at the same step for the same reason.
"""

from __future__ import annotations

import ctypes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wasmaot.frontend.component import canonabi as cm
from wasmaot.frontend.component.types import Borrow, Own, Resource

from .test_canon_build import (
    DTOR,
    GROW,
    Call,
    E,
    Handle,
    Instance,
    Rtype,
    canon_library,
)


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    return canon_library(tmp_path_factory)


UNREACHABLE = 1     # what a trapping destructor reports (WASMAOT_TRAP_UNREACHABLE)
TRAPPING_REP = 13   # the destructors of this test trap on this rep
LENDERS = 8         # the C call's lender buffer


# ------------------------------------------------------------- the model


class DtorTrap(Exception):
    pass


class ModelInstance:
    def __init__(self, name: str):
        self.name, self.handles, self.may_leave = name, cm.HandleTable(), True


class Model:
    """CanonicalABI.md's built-ins and lift/lower of handles over canonabi's
    HandleTable; results are (status, value) like the C side's."""

    def __init__(self):
        self.inst = {"A": ModelInstance("A"), "B": ModelInstance("B")}
        self.rt = {name: Resource(name) for name in ("A", "B", "host")}
        self.dtor_log: list[tuple[str, int]] = []
        self.call: cm.Call | None = None

    def cx(self, inst: str) -> cm.Context:
        impl = {r for name, r in self.rt.items() if name == inst}
        return cm.Context(handles=self.inst[inst].handles, scope=self.call, resource_impl=impl)

    def run(self, op):
        try:
            return 0, getattr(self, op[0])(*op[1:])
        except cm.Trap as e:
            return reason_of(str(e)), None
        except DtorTrap:
            return UNREACHABLE, None

    def new(self, inst, rt, rep):
        cm.trap_if(not self.inst[inst].may_leave, "cannot leave component instance")
        return self.inst[inst].handles.add(cm.HandleElem(self.rt[rt], rep, own=True))

    def rep(self, inst, rt, i):
        h = self.inst[inst].handles.get(i)
        cm.trap_if(h.resource is not self.rt[rt], "handle used with the wrong resource type")
        return h.rep

    def drop(self, inst, rt, i):
        cm.trap_if(not self.inst[inst].may_leave, "cannot leave component instance")
        h = self.inst[inst].handles.get(i)
        cm.trap_if(h.resource is not self.rt[rt], "handle used with the wrong resource type")
        cm.trap_if(h.lend_count != 0, "currently borrowed")
        self.inst[inst].handles.remove(i)
        if not h.own:
            if h.scope is not None:
                h.scope.borrows -= 1
        elif rt != "host":             # host resources here have no destructor
            self.dtor_log.append((rt, h.rep))
            if h.rep == TRAPPING_REP:
                raise DtorTrap()

    def transfer(self, src, dst, rt, i):
        rep = cm._lift_handle(self.cx(src), i, Own(self.rt[rt]))
        return rep, cm._lower_handle(self.cx(dst), rep, Own(self.rt[rt]))

    def begin(self):
        self.call = cm.Call()

    def lend(self, src, dst, rt, i):
        rep = cm._lift_handle(self.cx(src), i, Borrow(self.rt[rt]))
        return rep, cm._lower_handle(self.cx(dst), rep, Borrow(self.rt[rt]))

    def finish(self):
        self.call.finish()
        self.call = None

    def may_leave(self, inst, flag):
        self.inst[inst].may_leave = flag


def reason_of(message: str) -> int:
    for needle, name in [("unknown handle", "UNKNOWN_HANDLE"), ("wrong resource type", "WRONG_TYPE"),
                         ("currently borrowed", "BORROWED"), ("it is a borrow", "NOT_OWN"),
                         ("borrow handles still remain", "BORROWS_REMAIN"), ("table full", "TABLE_FULL"),
                         ("cannot leave", "MAY_NOT_LEAVE")]:
        if needle in message:
            return E[name]
    raise AssertionError(f"model trap without a canon reason: {message}")


# ------------------------------------------------------------ the C side


class CWorld:
    """Two C instances with growable tables and three resource types."""

    def __init__(self, lib, capacity: int = 2, grow: bool = True):
        self.lib = lib
        self.keep = []        # arrays the tables point to
        self.dtor_log: list[tuple[str, int]] = []
        self.dtor_saw_entered: list[bool] = []
        self._grow = GROW(self._grow_cb) if grow else GROW()
        self._dtor = DTOR(self._dtor_cb)
        self.inst = {}
        for name in ("A", "B"):
            inst = Instance()
            slots = (Handle * capacity)()
            self.keep.append(slots)
            lib.wasmaot_canon_instance_init(ctypes.byref(inst), slots, capacity, self._grow, None)
            self.inst[name] = inst
        self.rt = {name: Rtype(ctypes.pointer(self.inst[name]), self._dtor, None) for name in ("A", "B")}
        self.rt["host"] = Rtype(None, DTOR(), None)
        self._rt_name = {ctypes.addressof(r): n for n, r in self.rt.items()}
        self.lenders = (ctypes.c_uint32 * LENDERS)()
        self.call: Call | None = None

    def _grow_cb(self, ctx, old, old_capacity, want, new_capacity):
        n = max(want, 2 * old_capacity)
        slots = (Handle * n)()
        ctypes.memmove(slots, old, old_capacity * ctypes.sizeof(Handle))
        self.keep.append(slots)
        new_capacity[0] = n
        return ctypes.addressof(slots)

    def _dtor_cb(self, rt, rep):
        name = self._rt_name[ctypes.addressof(rt.contents)]
        self.dtor_log.append((name, rep))
        self.dtor_saw_entered.append(self.inst[name].may_enter == 0)
        return UNREACHABLE if rep == TRAPPING_REP else 0

    def run(self, op):
        return getattr(self, op[0])(*op[1:])

    def _out(self, f, *args):
        out = ctypes.c_uint32()
        s = f(*args, ctypes.byref(out))
        return (s, out.value) if s == 0 else (s, None)

    def _call_p(self):
        return ctypes.byref(self.call) if self.call is not None else None

    def new(self, inst, rt, rep):
        return self._out(self.lib.wasmaot_canon_resource_new, ctypes.byref(self.inst[inst]),
                         ctypes.byref(self.rt[rt]), rep)

    def rep(self, inst, rt, i):
        return self._out(self.lib.wasmaot_canon_resource_rep, ctypes.byref(self.inst[inst]),
                         ctypes.byref(self.rt[rt]), i)

    def drop(self, inst, rt, i):
        s = self.lib.wasmaot_canon_resource_drop(ctypes.byref(self.inst[inst]), ctypes.byref(self.rt[rt]), i)
        return s, None

    def _pair(self, lift, lower, src, dst, rt, i, *scope):
        s, rep = self._out(lift, ctypes.byref(self.inst[src]), ctypes.byref(self.rt[rt]), i, *scope)
        if s:
            return s, None
        s, j = self._out(lower, ctypes.byref(self.inst[dst]), ctypes.byref(self.rt[rt]), rep, *scope)
        return (s, (rep, j)) if s == 0 else (s, None)

    def transfer(self, src, dst, rt, i):
        return self._pair(self.lib.wasmaot_canon_lift_own, self.lib.wasmaot_canon_lower_own, src, dst, rt, i)

    def begin(self):
        self.call = Call()
        self.lib.wasmaot_canon_call_init(ctypes.byref(self.call), self.lenders, LENDERS)
        return 0, None

    def lend(self, src, dst, rt, i):
        return self._pair(self.lib.wasmaot_canon_lift_borrow, self.lib.wasmaot_canon_lower_borrow,
                          src, dst, rt, i, self._call_p())

    def finish(self, callee="B"):
        s = self.lib.wasmaot_canon_call_finish(ctypes.byref(self.call), ctypes.byref(self.inst[callee]))
        self.call = None
        return s, None

    def may_leave(self, inst, flag):
        self.inst[inst].may_leave = int(flag)
        return 0, None


# ------------------------------------------------------------- sequences

INSTS = st.sampled_from(["A", "B"])
RTS = st.sampled_from(["A", "B", "host"])
REPS = st.sampled_from([0, 1, 7, TRAPPING_REP, 0xFFFFFFFF])
# A handle operand: mostly a live one the sequence got back earlier in that
# instance (the k-th most recent); rarely with the wrong resource type, one
# dropped or moved away since (use after drop), or a raw index.  Each of
# those traps, and a sequence stops at its first trap.
REF = st.tuples(st.sampled_from(["live"] * 20 + ["wrong-type", "stale", "raw"]), st.integers(0, 7))

OPS = st.one_of(
    st.tuples(st.just("new"), INSTS, RTS, REPS),
    st.tuples(st.just("new"), INSTS, RTS, REPS),
    st.tuples(st.just("rep"), INSTS, REF),
    st.tuples(st.just("drop"), INSTS, REF),
    st.tuples(st.just("drop"), INSTS, REF),
    st.tuples(st.just("transfer"), INSTS, INSTS, REF),
    st.tuples(st.just("call"), st.lists(REF, max_size=4), st.lists(st.integers(0, 3), max_size=3)),
    st.tuples(st.just("call"), st.lists(REF, max_size=4), st.lists(st.integers(0, 3), max_size=3)),
    st.tuples(st.just("may_leave"), INSTS, st.sampled_from([True] * 5 + [False])),
)
OTHER_RT = {"A": "B", "B": "host", "host": "A"}


class Handles:
    """The handles a sequence got back, per instance: (resource type, index)."""

    def __init__(self):
        self.live = {"A": [], "B": []}
        self.gone = {"A": [], "B": []}   # dropped or moved out

    def resolve(self, inst, ref):
        kind, k = ref
        pool = self.gone[inst] if kind == "stale" else self.live[inst]
        if kind == "raw":
            return "host", k
        if not pool:
            return None          # nothing to refer to: the step is skipped
        rt, i = pool[-1 - k % len(pool)]
        return (OTHER_RT[rt] if kind == "wrong-type" else rt), i

    def add(self, inst, rt, i):
        self.live[inst].append((rt, i))
        self.gone[inst] = [g for g in self.gone[inst] if g[1] != i]   # the index is live again

    def remove(self, inst, i):
        self.gone[inst] += [h for h in self.live[inst] if h[1] == i]
        self.live[inst] = [h for h in self.live[inst] if h[1] != i]


def expand(op, handles):
    """Concrete steps of a generated op.  A "call" becomes: begin, lend
    some of A's handles to B, B drops some of the borrows it received,
    finish.  Yields (step, record) where record says where a successful
    step's new handle goes: (instance, rt, path to the index in the result)."""
    kind = op[0]
    if kind == "new":
        yield op, (op[1], op[2], ())
    elif kind in ("rep", "drop"):
        if (h := handles.resolve(op[1], op[2])) is not None:
            yield (kind, op[1], *h), None
    elif kind == "transfer":
        if (h := handles.resolve(op[1], op[3])) is not None:
            yield ("transfer", op[1], op[2], *h), (op[2], h[0], (1,))
    elif kind == "may_leave":
        yield op, None
    else:
        _, lends, drops = op
        yield ("begin",), None
        received = []
        for ref in lends[:LENDERS]:
            if (h := handles.resolve("A", ref)) is None:
                continue
            rt, i = h
            step = ("lend", "A", "B", rt, i)
            yield step, None
            if step in handles.lent_ok and rt != "B":   # B's own type arrives as the rep, no handle
                received.append((rt, handles.lent_ok[step]))
                handles.add("B", rt, handles.lent_ok[step])
        for k in drops:
            if k < len(received):
                yield ("drop", "B", *received[k]), None
        yield ("finish",), None


def run_sequence(lib, ops):
    """Run ops on both sides, step by step, until the end or the first trap
    (which must be the same).  Returns (model, world, status)."""
    model, world, handles = Model(), CWorld(lib), Handles()
    for op in ops:
        handles.lent_ok = {}
        for step, record in expand(op, handles):
            m = model.run(step)
            c = world.run(step)
            assert c == m, f"{step}: C {c} != model {m}"
            if m[0] != 0:
                return model, world, m[0]
            if step[0] in ("drop", "transfer"):
                handles.remove(step[1], step[-1])
            if record is not None:
                inst, rt, path = record
                value = m[1]
                for p in path:
                    value = value[p]
                handles.add(inst, rt, value)
            if step[0] == "lend":
                handles.lent_ok[step] = m[1][1]
    return model, world, 0


def table_state(world, name):
    """[(rt name, rep, own, num_lends) or None] of a C table, slot 0 included."""
    t = world.inst[name].handles
    out = []
    for i in range(t.length):
        h = t.slots[i]
        out.append((world._rt_name[h.rt], h.rep, bool(h.own), h.num_lends) if h.rt else None)
    return out


def model_table_state(model, name):
    names = {id(r): n for n, r in model.rt.items()}
    return [(names[id(e.resource)], e.rep, e.own, e.lend_count) if e else None
            for e in model.inst[name].handles.array]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(OPS, min_size=2, max_size=40))
def test_handle_sequences_match_model(lib, ops):
    model, world, status = run_sequence(lib, ops)
    assert world.dtor_log == model.dtor_log
    if not status:                              # same tables, slot by slot
        for name in ("A", "B"):
            assert table_state(world, name) == model_table_state(model, name)
    if status:                                  # the trap poisoned the instance it happened in
        assert any(i.trap == status and i.may_enter == 0 for i in world.inst.values())


# ---------------------------------------------------- hand-written cases


def status(r):
    return r[0]


def test_index_zero_is_reserved_and_free_slots_are_reused_last_freed_first(lib):
    w = CWorld(lib, capacity=1)
    idx = [w.new("A", "A", 100 + k)[1] for k in range(4)]
    assert idx == [1, 2, 3, 4]
    assert status(w.rep("A", "A", 0)) == E["UNKNOWN_HANDLE"]
    w2 = CWorld(lib)
    for k in range(4):
        w2.new("A", "A", k)
    w2.drop("A", "A", 2)
    w2.drop("A", "A", 4)
    assert [w2.new("A", "A", 9)[1] for _ in range(3)] == [4, 2, 5]


def test_use_after_drop_traps_and_poisons(lib):
    w = CWorld(lib)
    _, h = w.new("A", "host", 5)
    assert w.drop("A", "host", h) == (0, None)
    assert status(w.rep("A", "host", h)) == E["UNKNOWN_HANDLE"]
    assert w.inst["A"].trap == E["UNKNOWN_HANDLE"] and w.inst["A"].may_enter == 0
    assert lib.wasmaot_canon_enter(ctypes.byref(w.inst["A"])) == E["POISONED"]


def test_wrong_type_traps(lib):
    w = CWorld(lib)
    _, h = w.new("A", "A", 5)
    assert status(w.rep("A", "B", h)) == E["WRONG_TYPE"]


def test_dropping_a_lent_own_handle_traps(lib):
    w = CWorld(lib)
    _, h = w.new("A", "host", 5)
    w.begin()
    assert status(w.lend("A", "B", "host", h)) == 0
    assert status(w.drop("A", "host", h)) == E["BORROWED"]


def test_lift_own_of_a_lent_or_borrowed_handle_traps(lib):
    w = CWorld(lib)
    _, h = w.new("A", "host", 5)
    w.begin()
    w.lend("A", "B", "host", h)
    assert status(w.transfer("A", "B", "host", h)) == E["BORROWED"]
    w2 = CWorld(lib)
    _, h = w2.new("A", "host", 5)
    w2.begin()
    _, (_, j) = w2.lend("A", "B", "host", h)
    assert status(w2.transfer("B", "A", "host", j)) == E["NOT_OWN"]


def test_borrow_must_be_dropped_before_the_call_ends(lib):
    w = CWorld(lib)
    _, h = w.new("A", "host", 5)
    w.begin()
    _, (rep, _) = w.lend("A", "B", "host", h)
    assert rep == 5 and w.call.num_borrows == 1
    assert w.inst["A"].handles.slots[h].num_lends == 1
    assert status(w.finish()) == E["BORROWS_REMAIN"]
    assert w.inst["B"].trap == E["BORROWS_REMAIN"]


def test_dropping_the_borrow_ends_it_and_finish_returns_the_lend(lib):
    w = CWorld(lib)
    _, h = w.new("A", "host", 5)
    w.begin()
    _, (_, j) = w.lend("A", "B", "host", h)
    assert w.drop("B", "host", j) == (0, None)
    assert w.call.num_borrows == 0
    assert w.finish() == (0, None)
    assert w.inst["A"].handles.slots[h].num_lends == 0
    assert w.drop("A", "host", h) == (0, None)
    assert w.dtor_log == []      # a borrow's drop never runs the destructor


def test_borrow_into_the_defining_instance_is_the_rep(lib):
    w = CWorld(lib)
    _, h = w.new("A", "B", 77)     # A holds a B resource
    w.begin()
    assert w.lend("A", "B", "B", h) == (0, (77, 77))
    assert w.call.num_borrows == 0 and w.finish() == (0, None)


def test_destructor_runs_in_the_defining_instance(lib):
    w = CWorld(lib)
    _, h = w.new("A", "B", 3)
    assert w.drop("A", "B", h) == (0, None)
    assert w.dtor_log == [("B", 3)] and w.dtor_saw_entered == [True]
    assert w.inst["B"].may_enter == 1           # left again


def test_successful_operations_leave_instances_open(lib):
    # regression: a successful add once "poisoned" its instance with OK
    w = CWorld(lib)
    w.new("A", "A", 1)
    _, h = w.new("B", "A", 2)
    assert w.inst["A"].may_enter == w.inst["B"].may_enter == 1
    assert w.drop("B", "A", h) == (0, None) and w.dtor_log == [("A", 2)]


def test_destructor_of_an_entered_instance_traps(lib):
    w = CWorld(lib)
    _, h = w.new("A", "B", 3)
    assert lib.wasmaot_canon_enter(ctypes.byref(w.inst["B"])) == 0
    assert lib.wasmaot_canon_enter(ctypes.byref(w.inst["B"])) == E["MAY_NOT_ENTER"]
    assert status(w.drop("A", "B", h)) == E["MAY_NOT_ENTER"]
    assert w.dtor_log == []


def test_trapping_destructor_poisons_both_instances(lib):
    w = CWorld(lib)
    _, h = w.new("A", "B", TRAPPING_REP)
    assert status(w.drop("A", "B", h)) == UNREACHABLE
    assert w.inst["A"].trap == w.inst["B"].trap == UNREACHABLE


def test_may_leave_guards_resource_new_and_drop(lib):
    w = CWorld(lib)
    _, h = w.new("A", "A", 1)
    w.may_leave("A", False)
    assert status(w.rep("A", "A", h)) == 0      # resource.rep has no may_leave check
    assert status(w.drop("A", "A", h)) == E["MAY_NOT_LEAVE"]
    w2 = CWorld(lib)
    w2.may_leave("A", False)
    assert status(w2.new("A", "A", 1)) == E["MAY_NOT_LEAVE"]


def test_fixed_capacity_table_traps_when_full(lib):
    w = CWorld(lib, capacity=3, grow=False)
    assert [w.new("A", "host", k) for k in range(2)] == [(0, 1), (0, 2)]
    assert status(w.new("A", "host", 9)) == E["TABLE_FULL"]
    w2 = CWorld(lib, capacity=3, grow=False)
    w2.new("A", "host", 0)
    w2.new("A", "host", 1)
    w2.drop("A", "host", 1)
    assert w2.new("A", "host", 2) == (0, 1)     # a freed slot is reused: capacity bounds live handles


def test_refused_growth_traps(lib):
    w = CWorld(lib, capacity=2)
    w.new("A", "host", 0)              # fills the 2 slots (0 is reserved)
    refuse = GROW(lambda ctx, old, old_capacity, want, new_capacity: None)
    w.inst["A"].handles.grow = refuse
    assert status(w.new("A", "host", 1)) == E["TABLE_FULL"]


def test_configured_table_maximum(tmp_path_factory):
    """WASMAOT_CANON_TABLE_MAX_LENGTH=3: indices 1..3, then TABLE_FULL even
    though the table could grow."""
    small = canon_library(tmp_path_factory, ("-DWASMAOT_CANON_TABLE_MAX_LENGTH=3",))
    w = CWorld(small, capacity=1)
    assert [w.new("A", "host", k) for k in range(3)] == [(0, 1), (0, 2), (0, 3)]
    assert status(w.new("A", "host", 3)) == E["TABLE_FULL"]


def test_lender_buffer_limit(lib):
    w = CWorld(lib)
    _, h = w.new("A", "host", 1)
    w.begin()
    for _ in range(LENDERS):
        assert status(w.lend("A", "B", "host", h)) == 0
    assert status(w.lend("A", "B", "host", h)) == E["LENDERS_FULL"]


def test_leave_reopens_but_not_after_poison(lib):
    inst = Instance()
    slots = (Handle * 1)()
    lib.wasmaot_canon_instance_init(ctypes.byref(inst), slots, 1, GROW(), None)
    assert lib.wasmaot_canon_enter(ctypes.byref(inst)) == 0
    lib.wasmaot_canon_leave(ctypes.byref(inst))
    assert lib.wasmaot_canon_enter(ctypes.byref(inst)) == 0
    assert lib.wasmaot_canon_poison(ctypes.byref(inst), E["WRONG_TYPE"]) == E["WRONG_TYPE"]
    assert lib.wasmaot_canon_poison(ctypes.byref(inst), E["NOT_OWN"]) == E["NOT_OWN"]
    assert inst.trap == E["WRONG_TYPE"]          # the first trap is kept
    lib.wasmaot_canon_leave(ctypes.byref(inst))
    assert lib.wasmaot_canon_enter(ctypes.byref(inst)) == E["POISONED"]
