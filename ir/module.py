"""Module-level declarations that function bodies refer to.

An IR module mirrors the Wasm index spaces one to one, so the translator maps
indices unchanged: ``fn3`` is Wasm function 3 (imports first), ``sig2`` Wasm
type 2, ``g0``/``mem0``/``table0``/``elem0``/``data0`` likewise.  Only what is
needed to type-check and compile bodies is kept here (types, limits,
mutability, imports, global initialisers); segment *contents* stay in the
frontend module for the emitter.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..frontend.types import FuncType
from .entities import FuncRef
from .types import I32

if TYPE_CHECKING:
    from .function import Function

#: A function signature (params, results); the frontend's type, reused.
Signature = FuncType


@dataclass(frozen=True, slots=True)
class Import:
    module: str
    field: str


@dataclass(frozen=True, slots=True)
class GlobalInit:
    """A global's constant initialiser as one IR instruction: ``op`` is
    ``iconst``/``fconst``/``vconst`` (``value`` = bit pattern; v128: 128
    bits, byte 0 lowest), ``null`` (value unused),
    ``func_ref`` (value = function index) or ``global_get`` (value = an
    imported global's index)."""
    op: int
    value: int = 0


@dataclass(slots=True)
class FuncDecl:
    name: str
    sig: Signature
    import_: Import | None = None
    body: "Function | None" = None


@dataclass(slots=True)
class MemoryDecl:
    min: int
    max: int | None = None
    index_type: int = I32        # i64 once memory64 is supported
    shared: bool = False
    import_: Import | None = None


@dataclass(slots=True)
class TableDecl:
    elem: int                    # FUNCREF / EXTERNREF
    min: int
    max: int | None = None
    import_: Import | None = None


@dataclass(slots=True)
class GlobalDecl:
    type: int
    mutable: bool
    init: GlobalInit | None = None   # None iff imported
    import_: Import | None = None


@dataclass(slots=True)
class ElemDecl:
    elem: int                    # element reference type of the segment


@dataclass(slots=True)
class DataDecl:
    pass


@dataclass(slots=True, eq=False)
class Module:
    sigs: list[Signature] = field(default_factory=list)
    funcs: list[FuncDecl] = field(default_factory=list)
    memories: list[MemoryDecl] = field(default_factory=list)
    tables: list[TableDecl] = field(default_factory=list)
    globals: list[GlobalDecl] = field(default_factory=list)
    elems: list[ElemDecl] = field(default_factory=list)
    datas: list[DataDecl] = field(default_factory=list)
    #: Index of the synthesized instantiation function (``__wasmaot_init``,
    #: [] -> []): global initializers and active segments, in spec order.
    #: It sits after all Wasm functions, so Wasm indices are unchanged.
    init_func: int | None = None

    def func_sig(self, fn: int) -> Signature:
        return self.funcs[fn].sig

    def import_function(self, name: str, sig: Signature, module: str, field_: str) -> FuncRef:
        assert all(f.import_ for f in self.funcs), "imports precede definitions"
        self.funcs.append(FuncDecl(name, sig, Import(module, field_)))
        return FuncRef(len(self.funcs) - 1)

    def declare_function(self, name: str, sig: Signature) -> FuncRef:
        """Reserve an index for a function whose body comes later (so calls
        to it can be built first)."""
        self.funcs.append(FuncDecl(name, sig))
        return FuncRef(len(self.funcs) - 1)

    def add_function(self, func: "Function") -> FuncRef:
        """Append a defined function (or fill the declared slot of the
        same name) and bind ``func.module`` to this module."""
        func.module = self
        for i, d in enumerate(self.funcs):
            if d.import_ is None and d.body is None and d.name == func.name:
                d.body = func
                return FuncRef(i)
        self.funcs.append(FuncDecl(func.name, func.sig, None, func))
        return FuncRef(len(self.funcs) - 1)

    def functions(self) -> list["Function"]:
        """Defined function bodies in index order."""
        return [d.body for d in self.funcs if d.body is not None]

    def structure(self) -> tuple:
        """Everything, as nested tuples, for structural equality."""
        funcs = tuple((d.name, d.sig, d.import_,
                       d.body.structure() if d.body is not None else None)
                      for d in self.funcs)
        return (tuple(self.sigs), funcs,
                tuple((m.min, m.max, m.index_type, m.shared, m.import_) for m in self.memories),
                tuple((t.elem, t.min, t.max, t.import_) for t in self.tables),
                tuple((g.type, g.mutable, g.init, g.import_) for g in self.globals),
                tuple(e.elem for e in self.elems), len(self.datas), self.init_func)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Module) and self.structure() == other.structure()

    def __str__(self) -> str:
        from .printer import print_module
        return print_module(self)
