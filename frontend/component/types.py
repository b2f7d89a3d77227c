"""Semantic types of the component model (what the validator computes).

The reader (:mod:`.ast`) keeps type *syntax* with raw indices; the validator
resolves every index into the objects below, so two types are compared with
``==`` and never by index.

- A value type is either a primitive, spelled as its WIT name (``"u32"``,
  ``"string"``...), or a :class:`Defined` (record, variant, list...).  Defined
  types are frozen dataclasses: equality is structural, as the spec's type
  equality is.
- A :class:`Resource` is compared by identity (``eq=False``): every
  ``(type (resource ...))`` definition and every ``(sub resource)`` bound
  introduces a fresh one.  ``own``/``borrow`` point at a Resource.
- Function, component and instance types are frozen too; component and
  instance types keep their imports and exports as tuples of
  ``(name, ExternType)`` in declaration order (order matters to resource
  binding: a resource is always declared before its uses).

Substitution (:func:`subst`) rebuilds a type with some resources replaced:
used when a component is instantiated (imported resources become the
arguments' resources, defined ones become fresh per instance).
"""
from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass

from ..types import F32, F64, I32, I64
from ..types import FuncType as CoreFuncType

PRIMITIVES = ("bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64",
              "f32", "f64", "char", "string")


class Resource:
    """An abstract or defined resource type.

    Equality is identity of the *root*: every ``(type (resource ...))``
    definition and every ``(sub resource)`` bound makes a new root, while
    naming a resource again (``(export "r" (type $R))``, ``(eq $R)``) makes
    an alias object with the same root.  The alias is equal for type
    checking but a different object, which is what external visibility looks
    at (a function may only mention the exported name, not the private one).

    ``rep``/``dtor`` are set for resources defined with ``(type (resource
    ...))``; ``scope`` is the scope the root came into existence in
    (``resource.new``/``rep`` are allowed in its own component only, and
    instantiation freshens the resources of scopes not visible to the caller).
    """
    __slots__ = ("dtor", "name", "rep", "root", "scope")

    def __init__(self, name: str = "", rep: int | None = None, dtor: int | None = None,
                 scope: object = None, root: Resource | None = None):
        self.name, self.rep, self.dtor, self.scope = name, rep, dtor, scope
        self.root = self if root is None else root.root

    def alias(self, name: str | None = None) -> Resource:
        r = self.root
        return Resource(name or self.name, r.rep, r.dtor, r.scope, root=r)

    def __eq__(self, other) -> bool:
        return isinstance(other, Resource) and other.root is self.root

    def __hash__(self) -> int:
        return id(self.root)

    def __repr__(self) -> str:
        return f"<resource {self.name or hex(id(self.root))}>"


@dataclass(frozen=True, slots=True)
class Defined:
    """Base of the defined value types."""


@dataclass(frozen=True, slots=True)
class Record(Defined):
    fields: tuple[tuple[str, object], ...]


@dataclass(frozen=True, slots=True)
class Variant(Defined):
    cases: tuple[tuple[str, object | None], ...]


@dataclass(frozen=True, slots=True)
class List(Defined):
    elem: object
    length: int | None = None          # fixed-length lists (🔧)


@dataclass(frozen=True, slots=True)
class Tuple(Defined):
    types: tuple


@dataclass(frozen=True, slots=True)
class Flags(Defined):
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Enum(Defined):
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Option(Defined):
    type: object


@dataclass(frozen=True, slots=True)
class Result(Defined):
    ok: object | None
    err: object | None


@dataclass(frozen=True, slots=True)
class Own(Defined):
    resource: Resource


@dataclass(frozen=True, slots=True)
class Borrow(Defined):
    resource: Resource


@dataclass(frozen=True, slots=True)
class FuncType:
    params: tuple[tuple[str, object], ...]
    result: object | None


@dataclass(frozen=True, slots=True)
class ExternType:
    """The type of an import/export: ``kind`` is module, func, value, type,
    component or instance.  For ``type``, ``type`` is the bound type (a value
    type, FuncType, ComponentType, InstanceType or Resource)."""
    kind: str
    type: object


@dataclass(frozen=True, slots=True)
class InstanceType:
    exports: tuple[tuple[str, ExternType], ...]

    def export(self, name: str) -> ExternType | None:
        return dict(self.exports).get(name)


@dataclass(frozen=True, slots=True)
class ComponentType:
    imports: tuple[tuple[str, ExternType], ...]
    exports: tuple[tuple[str, ExternType], ...]


# ---- core types -----------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CoreExtern:
    """A core import/export type: kind func/table/memory/global/tag and the
    core type (frontend.types FuncType, TableType, MemType, GlobalType)."""
    kind: str
    type: object


@dataclass(frozen=True, slots=True)
class CoreModuleType:
    imports: tuple[tuple[str, str, CoreExtern], ...]
    exports: tuple[tuple[str, CoreExtern], ...]


@dataclass(frozen=True, slots=True)
class CoreInstanceType:
    exports: tuple[tuple[str, CoreExtern], ...]

    def export(self, name: str) -> CoreExtern | None:
        return dict(self.exports).get(name)


# ---- traversal ------------------------------------------------------------

def children(t) -> list:
    """The component types directly inside ``t`` (for generic walks)."""
    if isinstance(t, (str, Resource)) or t is None:
        return []
    if isinstance(t, ExternType):
        return [t.type]
    if isinstance(t, (Record, Variant)):
        return [x for _, x in (t.fields if isinstance(t, Record) else t.cases) if x is not None]
    if isinstance(t, List):
        return [t.elem]
    if isinstance(t, Tuple):
        return list(t.types)
    if isinstance(t, Option):
        return [t.type]
    if isinstance(t, Result):
        return [x for x in (t.ok, t.err) if x is not None]
    if isinstance(t, (Own, Borrow)):
        return [t.resource]
    if isinstance(t, FuncType):
        return [x for _, x in t.params] + ([t.result] if t.result is not None else [])
    if isinstance(t, InstanceType):
        return [e for _, e in t.exports]
    if isinstance(t, ComponentType):
        return [e for _, e in t.imports] + [e for _, e in t.exports]
    return []


def walk(t):
    """Yield ``t`` and every distinct type object nested in it, once each.

    Types are DAGs (a tuple of the previous type twice, 25 levels deep, is a
    valid 120-byte component), so a walk must not follow shared parts again.
    """
    stack = [t]
    seen: set[int] = set()
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        yield x
        stack.extend(children(x))


def resource_roots(t) -> dict[int, Resource]:
    """Every resource root mentioned in ``t``, by id."""
    return {id(x.root): x.root for x in walk(t) if isinstance(x, Resource)}


def contains_borrow(t) -> bool:
    # Resources are leaves and Own/Borrow wrap them, so no need to walk into
    # component/instance types here (callers pass value and func types).
    return any(isinstance(x, Borrow) for x in walk(t))


def subst(t, mapping: dict[int, object], memo: dict | None = None):
    """``t`` with every resource whose root is a key of ``mapping`` (by id)
    replaced, and every other type object that is a key (by id) replaced by
    its value (instantiation puts the arguments' named types in place of the
    imports' own).  ``memo`` keeps one output object per input object, so
    types that were the same object stay the same object (visibility needs
    that)."""
    if not mapping or t is None or isinstance(t, (str, CoreModuleType, CoreInstanceType, CoreExtern)):
        return t
    if memo is None:
        memo = {}
    key = id(t)
    if key in memo:
        return memo[key][1]
    out = _subst(t, mapping, memo)
    if out is not t and id(t) not in mapping and _unchanged(t, out):
        out = t                    # nothing replaced inside: keep the object, and so its name
    memo[key] = (t, out)           # keep t alive so its id is not reused
    return out


def _unchanged(a, b) -> bool:
    """``b`` was rebuilt from ``a`` with every part the very same object
    (fields compared by identity, tuples element by element).  A type that
    mentions nothing substituted must stay the same object: visibility is
    by identity, and a record named by an imported instance (wasi:sockets'
    `ipv4-socket-address`, a case of `ip-socket-address`) must still be
    that record when another instance type re-exports the variant."""
    if type(a) is not type(b) or not dataclasses.is_dataclass(a):
        return False
    return all(_same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))


def _same(x, y) -> bool:
    if isinstance(x, tuple) and isinstance(y, tuple):
        return len(x) == len(y) and all(map(_same, x, y))
    return x is y


def _subst(t, mapping, memo):
    def s(x):
        return subst(x, mapping, memo)
    if not isinstance(t, Resource) and id(t) in mapping:
        return mapping[id(t)]
    if isinstance(t, Resource):
        new = mapping.get(id(t.root))
        if new is None:
            return t
        return new if t is t.root else new.alias(t.name)
    if isinstance(t, (Own, Borrow)):
        return type(t)(s(t.resource))
    if isinstance(t, Record):
        return Record(tuple((n, s(x)) for n, x in t.fields))
    if isinstance(t, Variant):
        return Variant(tuple((n, s(x)) for n, x in t.cases))
    if isinstance(t, FuncType):
        return FuncType(tuple((n, s(x)) for n, x in t.params), s(t.result))
    if isinstance(t, InstanceType):
        return InstanceType(tuple((n, s(e)) for n, e in t.exports))
    if isinstance(t, ComponentType):
        return ComponentType(tuple((n, s(e)) for n, e in t.imports),
                             tuple((n, s(e)) for n, e in t.exports))
    if isinstance(t, Tuple):
        return Tuple(tuple(s(x) for x in t.types))
    if isinstance(t, ExternType):
        return ExternType(t.kind, s(t.type))
    if isinstance(t, List):
        return List(s(t.elem), t.length)
    if isinstance(t, Option):
        return Option(s(t.type))
    if isinstance(t, Result):
        return Result(s(t.ok), s(t.err))
    return t


def type_eq(a, b, memo: set | None = None) -> bool:
    """Structural equality of value/func types, each pair of objects compared
    once (``==`` on two separately built DAGs is exponential)."""
    if a is b:
        return True
    if isinstance(a, (str, Resource)) or a is None or b is None:
        return a == b
    if type(a) is not type(b):
        return False
    memo = set() if memo is None else memo
    key = (id(a), id(b))
    if key in memo:
        return True
    memo.add(key)
    if isinstance(a, (Own, Borrow)):
        return a.resource == b.resource
    if isinstance(a, (Flags, Enum)):
        return a.names == b.names
    if isinstance(a, List) and a.length != b.length:
        return False
    if isinstance(a, (Record, Variant, FuncType)):
        xs = a.fields if isinstance(a, Record) else a.cases if isinstance(a, Variant) else a.params
        ys = b.fields if isinstance(b, Record) else b.cases if isinstance(b, Variant) else b.params
        if len(xs) != len(ys) or any(n != m for (n, _), (m, _) in zip(xs, ys)):
            return False
        if isinstance(a, FuncType) and not type_eq(a.result, b.result, memo):
            return False
        return all(type_eq(x, y, memo) for (_, x), (_, y) in zip(xs, ys))
    ca, cb = children(a), children(b)
    if isinstance(a, Result) and ((a.ok is None) != (b.ok is None) or (a.err is None) != (b.err is None)):
        return False
    return len(ca) == len(cb) and all(type_eq(x, y, memo) for x, y in zip(ca, cb))


def named_copy(t, name: str = ""):
    """A new object equal to ``t`` (a named alias of it, for visibility)."""
    if isinstance(t, Resource):
        return t.alias(name or t.name)
    if isinstance(t, (Defined, FuncType, InstanceType, ComponentType)):
        return copy.copy(t)
    return t


# ---- canonical ABI: size, alignment, flattening (CanonicalABI.md) ---------

_PRIM_SIZE = {"bool": 1, "s8": 1, "u8": 1, "s16": 2, "u16": 2, "s32": 4, "u32": 4,
              "s64": 8, "u64": 8, "f32": 4, "f64": 8, "char": 4, "string": 8}
_PRIM_FLAT = {"s64": (I64,), "u64": (I64,), "f32": (F32,), "f64": (F64,),
              "string": (I32, I32)}


def _discriminant_size(n: int) -> int:
    return 1 if n <= 256 else 2 if n <= 65536 else 4


def _align_to(x: int, a: int) -> int:
    return (x + a - 1) // a * a


def alignment(t, ptr: int = 4) -> int:
    """Alignment in linear memory; ``ptr`` is the pointer size (4, or 8 for
    the 64-bit bound validation checks)."""
    if isinstance(t, str):
        return ptr if t == "string" else _PRIM_SIZE[t]
    if isinstance(t, List):
        return ptr if t.length is None else alignment(t.elem, ptr)
    if isinstance(t, (Record, Tuple)):
        ts = [x for _, x in t.fields] if isinstance(t, Record) else t.types
        return max((alignment(x, ptr) for x in ts), default=1)
    if isinstance(t, (Variant, Option, Result)):
        cases = variant_cases(t)
        a = _discriminant_size(len(cases))
        return max([a] + [alignment(x, ptr) for x in cases if x is not None])
    if isinstance(t, Flags):
        return _flags_size(len(t.names))
    if isinstance(t, Enum):
        return _discriminant_size(len(t.names))
    return 4                                         # own, borrow


def _flags_size(n: int) -> int:
    return 1 if n <= 8 else 2 if n <= 16 else 4 * ((n + 31) // 32)


def elem_size(t, ptr: int = 4) -> int:
    if isinstance(t, str):
        return 2 * ptr if t == "string" else _PRIM_SIZE[t]
    if isinstance(t, List):
        return 2 * ptr if t.length is None else t.length * elem_size(t.elem, ptr)
    if isinstance(t, (Record, Tuple)):
        ts = [x for _, x in t.fields] if isinstance(t, Record) else t.types
        s = 0
        for x in ts:
            s = _align_to(s, alignment(x, ptr)) + elem_size(x, ptr)
        return _align_to(s, alignment(t, ptr))
    if isinstance(t, (Variant, Option, Result)):
        cases = variant_cases(t)
        s = _discriminant_size(len(cases))
        s = _align_to(s, max([1] + [alignment(x, ptr) for x in cases if x is not None]))
        s += max([0] + [elem_size(x, ptr) for x in cases if x is not None])
        return _align_to(s, alignment(t, ptr))
    if isinstance(t, Flags):
        return _flags_size(len(t.names))
    if isinstance(t, Enum):
        return _discriminant_size(len(t.names))
    return 4


def depth(t, memo: dict | None = None) -> int:
    """Nesting depth of a value type (a primitive is 1)."""
    if isinstance(t, str):
        return 1
    memo = {} if memo is None else memo
    if id(t) not in memo:
        kids = [x for x in children(t) if not isinstance(x, Resource)]
        memo[id(t)] = 1 + max((depth(x, memo) for x in kids), default=0)
    return memo[id(t)]


def memoized_size(t, ptr: int) -> tuple[int, int]:
    """(elem_size, alignment) with sharing inside ``t`` computed once: a
    type that repeats a previous type twice per level is exponential to
    walk naively."""
    memo: dict[int, tuple[int, int]] = {}

    def go(x):
        if isinstance(x, (str, Own, Borrow, Flags, Enum)):
            return elem_size(x, ptr), alignment(x, ptr)
        if id(x) in memo:
            return memo[id(x)]
        if isinstance(x, List) and x.length is None:
            out = (2 * ptr, ptr)
        elif isinstance(x, List):
            sz, al = go(x.elem)
            out = (sz * x.length, al)
        elif isinstance(x, (Record, Tuple)):
            ts = [y for _, y in x.fields] if isinstance(x, Record) else x.types
            off, al = 0, 1
            for y in ts:
                sz, a = go(y)
                off = _align_to(off, a) + sz
                al = max(al, a)
            out = (_align_to(off, al), al)
        else:
            cases = [go(y) for y in variant_cases(x) if y is not None]
            al = max([_discriminant_size(len(variant_cases(x)))] + [a for _, a in cases])
            off = _align_to(_discriminant_size(len(variant_cases(x))),
                            max([1] + [a for _, a in cases]))
            off += max([0] + [sz for sz, _ in cases])
            out = (_align_to(off, al), al)
        memo[id(x)] = out
        return out
    return go(t)


def variant_cases(t) -> list:
    if isinstance(t, Variant):
        return [x for _, x in t.cases]
    if isinstance(t, Option):
        return [None, t.type]
    return [t.ok, t.err]


def _join(a: int, b: int) -> int:
    if a == b:
        return a
    if {a, b} == {I32, F32}:
        return I32
    return I64


def flatten(t) -> list[int]:
    """Core value types of ``t`` flattened (CanonicalABI.md flatten_type)."""
    if isinstance(t, str):
        return list(_PRIM_FLAT.get(t, (I32,)))
    if isinstance(t, List):
        return [I32, I32] if t.length is None else flatten(t.elem) * t.length
    if isinstance(t, (Record, Tuple)):
        ts = [x for _, x in t.fields] if isinstance(t, Record) else t.types
        return [c for x in ts for c in flatten(x)]
    if isinstance(t, (Variant, Option, Result)):
        flat: list[int] = []
        for x in variant_cases(t):
            if x is None:
                continue
            for i, ft in enumerate(flatten(x)):
                if i < len(flat):
                    flat[i] = _join(flat[i], ft)
                else:
                    flat.append(ft)
        return [I32] + flat
    if isinstance(t, Flags):
        return [I32] * ((len(t.names) + 31) // 32)
    return [I32]                                     # enum, own, borrow


MAX_FLAT_PARAMS = 16
MAX_FLAT_RESULTS = 1


def flat_len(t, memo: dict | None = None) -> int:
    """``len(flatten(t))`` without building the list (shared parts once)."""
    if t is None:
        return 0
    if isinstance(t, str):
        return len(_PRIM_FLAT.get(t, (I32,)))
    memo = {} if memo is None else memo
    if id(t) not in memo:
        if isinstance(t, List):
            n = 2 if t.length is None else flat_len(t.elem, memo) * t.length
        elif isinstance(t, (Record, Tuple)):
            ts = [x for _, x in t.fields] if isinstance(t, Record) else t.types
            n = sum(flat_len(x, memo) for x in ts)
        elif isinstance(t, (Variant, Option, Result)):
            n = 1 + max((flat_len(x, memo) for x in variant_cases(t) if x is not None), default=0)
        elif isinstance(t, Flags):
            n = (len(t.names) + 31) // 32
        else:
            n = 1
        memo[id(t)] = n
    return memo[id(t)]


def flatten_functype(ft: FuncType, context: str) -> CoreFuncType:
    """The core signature of ``ft`` lifted (``context='lift'``) or lowered."""
    memo: dict = {}
    if sum(flat_len(t, memo) for _, t in ft.params) > MAX_FLAT_PARAMS:
        params = [I32]
    else:
        params = [c for _, t in ft.params for c in flatten(t)]
    if flat_len(ft.result, memo) > MAX_FLAT_RESULTS:
        results = [I32, I32]                         # only the count matters below
    else:
        results = flatten(ft.result) if ft.result is not None else []
    if len(results) > MAX_FLAT_RESULTS:
        if context == "lift":
            results = [I32]
        else:
            params = params + [I32]
            results = []
    return CoreFuncType(tuple(params), tuple(results))


def needs_memory(t) -> bool:
    """Strings and variable-length lists live in linear memory."""
    return any(x == "string" or (isinstance(x, List) and x.length is None) for x in walk(t))
