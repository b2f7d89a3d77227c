"""The component-export table (``wasmaot_cm.h``) as Python data.

A :class:`Table` collects the root's exported lifted functions and every
value type they mention as nodes of one graph (a type used twice is one
node: structural equality of the validator's frozen dataclasses).  Sizes,
alignments and flat types come from :mod:`wasmaot.frontend.component.types`
-- the rules canonabi.py lifts and lowers by -- never from a second copy,
so the C run time and the Python model cannot disagree on a layout.

Invariants of the output (what ``runtime-c/component`` relies on): a
node's children have smaller indices than the node (so the graph is a DAG
without cycles, and a recursive C walk ends); every pool run a node names
lies inside ``pool``; every string reference lies inside ``strings``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ...frontend import types as core
from ...frontend.component.canonabi import case_labels
from ...frontend.component.types import (
    Borrow,
    Enum,
    Flags,
    List,
    Option,
    Own,
    Record,
    Result,
    Tuple,
    Variant,
    _discriminant_size,
    alignment,
    elem_size,
    flatten,
    resource_roots,
    variant_cases,
)
from . import cm_abi as C

_FLAT = {core.I32: C.FLAT["i32"], core.I64: C.FLAT["i64"], core.F32: C.FLAT["f32"],
         core.F64: C.FLAT["f64"]}


class UnsupportedType(ValueError):
    """A type this slice cannot describe (fixed-length lists, > 32 flags)."""


@dataclass
class Func:
    """One exported lifted function, with the core export names the
    standalone host reaches its parts by (``""``: absent).  ``resources``
    maps the static resources of its type (by root id) to their flat
    resources' indices in this instantiation.  ``component``: the component
    instance the function runs in (the lift's; a lowering's for an import),
    whose handle table and instance flags its calls use."""
    name: str
    params: list[tuple[str, object]]
    result: object | None
    encoding: str = "utf8"
    core: str = ""
    memory: str = ""
    realloc: str = ""
    post_return: str = ""
    resources: dict = field(default_factory=dict)
    component: int = C.NONE


@dataclass
class Table:
    types: list[dict] = field(default_factory=list)
    funcs: list[dict] = field(default_factory=list)
    pool: list[int] = field(default_factory=list)
    strings: bytearray = field(default_factory=bytearray)
    has_run: bool = False
    adapters: list[dict] = field(default_factory=list)
    scratch: str = ""
    n_components: int = 0
    parents: list[int] = field(default_factory=list)   # per component instance, NONE for a root
    resources: list[dict] = field(default_factory=list)
    builtins: list[dict] = field(default_factory=list)
    imports: list[dict] = field(default_factory=list)
    pair_type: int = C.NONE           # tuple<u32, u32>: host byte lists (wasmaot_cm_host_bytes)
    _index: dict = field(default_factory=dict)
    _strs: dict = field(default_factory=dict)

    def string(self, s: str) -> tuple[int, int]:
        """(offset, length) of ``s`` in ``strings`` (each distinct once)."""
        if s not in self._strs:
            data = s.encode()
            self._strs[s] = (len(self.strings), len(data))
            self.strings += data + b"\0"
        return self._strs[s]

    def string_of(self, offset: int, length: int) -> str:
        return self.strings[offset:offset + length].decode()

    def run(self, words: list[int]) -> int:
        """Append ``words`` to the pool; the index of the first (NONE if empty)."""
        if not words:
            return C.NONE
        start = len(self.pool)
        self.pool += words
        return start

    def labels(self, names: list[str]) -> int:
        return self.run([w for n in names for w in self.string(n)])

    def type(self, t, resources: dict | None = None) -> int:
        """The node index of value type ``t``, adding it (children first).
        ``resources``: static resource root id -> flat resource index, for
        the handles in ``t`` (one static type is several nodes when a
        component is instantiated more than once)."""
        resources = resources or {}
        handles = tuple(sorted((rid, resources.get(rid, C.NONE)) for rid in resource_roots(t)))
        key = (t, handles) if not isinstance(t, (Own, Borrow)) else (type(t), handles)
        if key not in self._index:
            node = self._node(t, resources)
            self._index[key] = len(self.types)
            self.types.append(node)
        return self._index[key]

    def _node(self, t, resources: dict) -> dict:
        kids, names = _parts(t)
        child_ix = [C.NONE if k is None else self.type(k, resources) for k in kids]
        flat = [_FLAT[x] for x in flatten(t)]
        node = dict.fromkeys(C.TYPE_FIELDS, 0)
        node.update(kind=C.KINDS[_kind(t)], size=elem_size(t), align=alignment(t),
                    flat_count=len(flat), flat=self.run(flat), n=max(len(kids), len(names)),
                    children=self.run(child_ix), labels=self.labels(names), offsets=C.NONE,
                    resource=C.NONE)
        if isinstance(t, (Own, Borrow)):
            node["resource"] = resources.get(id(t.resource.root), C.NONE)
        if isinstance(t, (Record, Tuple)):
            node["offsets"] = self.run(_field_offsets(kids))
        if isinstance(t, (Variant, Option, Result, Enum)):
            n = len(names)
            node["disc_size"] = _discriminant_size(n)
            cases = [] if isinstance(t, Enum) else [x for x in variant_cases(t) if x is not None]
            payload_align = max([1] + [alignment(x) for x in cases])
            node["payload_offset"] = -(-node["disc_size"] // payload_align) * payload_align
        return node

    def add_func(self, f: Func) -> None:
        self.funcs.append(self._func(f))

    def add_adapter(self, callee: Func, memory: str, realloc: str, encoding: str,
                    components: tuple[int, int]) -> None:
        """An adapter (wasmaot_cm_adapter): the lifted side ``callee`` and
        the lowering side's options; (caller, callee) component instances."""
        entry = self._func(callee)
        for part, name in (("caller_memory", memory), ("caller_realloc", realloc)):
            off, n = self.string(name) if name else (0, 0)
            entry[part], entry[part + "_len"] = off, n
        entry.update(caller_encoding=C.ENCODINGS[encoding], caller_component=components[0],
                     callee_component=components[1], reserved=0)
        self.adapters.append(entry)

    def add_resource(self, defined_by: int | None, dtor: str) -> None:
        off, n = self.string(dtor) if dtor else (0, 0)
        self.resources.append({"defined_by": C.NONE if defined_by is None else defined_by,
                               "dtor": off, "dtor_len": n, "reserved": 0})

    def add_builtin(self, op: str, resource: int, component: int) -> None:
        self.builtins.append({"op": C.BUILTIN_OPS[op], "resource": resource,
                              "component": component, "reserved": 0})

    def add_import(self, lowering: Func, host: int, component: int) -> None:
        """A root import bound to host function ``host`` (wasmaot_cm_import):
        ``lowering`` carries the lowering's types and the caller's options."""
        entry = self._func(lowering)
        entry.update(host=host, component=component, reserved=0)
        self.imports.append(entry)

    def _func(self, f: Func) -> dict:
        params = [self.type(t, f.resources) for _, t in f.params]
        name_refs = [w for n, _ in f.params for w in self.string(n)]
        entry = dict.fromkeys(C.FUNC_FIELDS, 0)
        entry["name"], entry["name_len"] = self.string(f.name)
        entry.update(n_params=len(params), params=self.run(params + name_refs),
                     result=C.NONE if f.result is None else self.type(f.result, f.resources),
                     encoding=C.ENCODINGS[f.encoding], component=f.component)
        for part in ("core", "memory", "realloc", "post_return"):
            name = getattr(f, part)
            off, n = self.string(name) if name else (0, 0)
            entry[part], entry[part + "_len"] = off, n
        return entry


def _kind(t) -> str:
    if isinstance(t, str):
        return t
    return type(t).__name__.lower()


def _parts(t) -> tuple[list, list[str]]:
    """(child types, labels) of a node, in the header's order."""
    if isinstance(t, (str, Own, Borrow)):
        return [], []
    if isinstance(t, List):
        if t.length is not None:
            raise UnsupportedType("fixed-length lists are not supported yet")
        return [t.elem], []
    if isinstance(t, Record):
        return [x for _, x in t.fields], [n for n, _ in t.fields]
    if isinstance(t, Tuple):
        return list(t.types), []
    if isinstance(t, (Variant, Option, Result)):
        return variant_cases(t), case_labels(t)
    if isinstance(t, Flags) and len(t.names) > 32:
        raise UnsupportedType("flags with more than 32 labels are not supported")
    return [], list(t.names)                          # enum, flags


def _field_offsets(ts: list) -> list[int]:
    """Byte offsets of a record's or tuple's fields (CanonicalABI.md store_record)."""
    out, off = [], 0
    for x in ts:
        a = alignment(x)
        off = -(-off // a) * a
        out.append(off)
        off += elem_size(x)
    return out
