"""Module-level declarations that function bodies refer to.

An IR module mirrors the Wasm index spaces one to one, so the translator maps
indices unchanged: ``fn3`` is Wasm function 3 (imports first), ``sig2`` Wasm
type 2, ``g0``/``mem0``/``table0``/``elem0``/``data0`` likewise.

The IR module is the *whole* module: everything the backend needs to emit an
instance is here -- imports (with their order in the import section),
exports, the start function, memories (index type, limits, page size),
tables, globals, and the contents of data and element segments.  Nothing is
read from the frontend module after translation, so a printed IR module can
be parsed back and compiled (``wasmaot compile x.ir``).

Segment *application* (active segments' offsets, ``memory.init`` /
``table.init`` then ``drop``) is code: it lives in the synthesized
``__wasmaot_init`` function (``init_func``).  The declarations below hold
what that code and the instance need: the bytes of a data segment, the
items of an element segment, and the segment's mode.
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


#: Extern kinds, numbered as the Wasm binary format (and the runtime's
#: descriptor) number them.
EXTERN_FUNC, EXTERN_TABLE, EXTERN_MEMORY, EXTERN_GLOBAL, EXTERN_TAG = 0, 1, 2, 3, 4
EXTERN_NAMES = ("func", "table", "memory", "global", "tag")


@dataclass(frozen=True, slots=True)
class Export:
    name: str
    kind: int          # EXTERN_*
    index: int         # into the kind's index space (imports first)


#: Segment modes, numbered as the frontend numbers them.
SEG_ACTIVE, SEG_PASSIVE, SEG_DECLARATIVE = 0, 1, 2
SEG_MODE_NAMES = ("active", "passive", "declarative")


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
    #: Wasm byte offset of the body in its module (for trap backtraces); None
    #: for imports and for functions that have no Wasm body.
    offset: int | None = None


@dataclass(slots=True)
class MemoryDecl:
    min: int
    max: int | None = None
    index_type: int = I32        # the address type: I64 for a memory64 memory
    shared: bool = False
    import_: Import | None = None
    page_size_log2: int = 16     # custom-page-sizes: 0 (1 byte) or 16 (64 KiB)


@dataclass(slots=True)
class TableDecl:
    elem: int                    # FUNCREF / EXTERNREF
    min: int
    max: int | None = None
    import_: Import | None = None
    #: the Wasm element type when it is a typed reference (frontend.types;
    #: import matching), else None
    wasm_elem: int | None = None
    #: the address type: I64 for a memory64 table (table64).  The IR's table
    #: ops take i32 indices whatever it is: the translator narrows i64
    #: operands (ir/translate/tables.py), so this matters only to linking
    index_type: int = I32


@dataclass(slots=True)
class GlobalDecl:
    type: int
    mutable: bool
    init: GlobalInit | None = None   # None iff imported
    import_: Import | None = None
    #: the Wasm type when it is a typed reference (import matching), else None
    wasm_type: int | None = None


@dataclass(slots=True)
class TagDecl:
    """An exception tag (exception handling): its signature (parameters
    only: the payload of its exceptions).  A tag's identity is its defining
    instance's: two instances of one module have distinct tags, and an
    imported tag is the exporter's own (backends/ABI.md "Exceptions")."""
    sig: int                     # index into Module.sigs
    import_: Import | None = None


@dataclass(slots=True)
class ElemDecl:
    """An element segment: its reference type, mode, and items.  Each item
    is a constant as a :class:`GlobalInit` (``func_ref`` n, ``null``, or
    ``global_get`` g of an imported global).  Active segments are applied by
    ``__wasmaot_init`` (which holds the table and offset)."""
    elem: int                    # element reference type of the segment
    mode: int = SEG_PASSIVE
    items: tuple[GlobalInit, ...] = ()


@dataclass(slots=True)
class DataDecl:
    """A data segment: its bytes and mode.  Active segments are applied by
    ``__wasmaot_init`` (which holds the memory and offset)."""
    data: bytes = b""
    mode: int = SEG_PASSIVE


@dataclass(slots=True, eq=False)
class Module:
    sigs: list[Signature] = field(default_factory=list)
    funcs: list[FuncDecl] = field(default_factory=list)
    memories: list[MemoryDecl] = field(default_factory=list)
    tables: list[TableDecl] = field(default_factory=list)
    globals: list[GlobalDecl] = field(default_factory=list)
    tags: list[TagDecl] = field(default_factory=list)
    elems: list[ElemDecl] = field(default_factory=list)
    datas: list[DataDecl] = field(default_factory=list)
    #: Index of the synthesized instantiation function (``__wasmaot_init``,
    #: [] -> []): global initializers and active segments, in spec order.
    #: It sits after all Wasm functions, so Wasm indices are unchanged.
    init_func: int | None = None
    exports: list[Export] = field(default_factory=list)
    #: The Wasm start function, called after ``init_func``.
    start: int | None = None
    #: The import section's order, as (EXTERN_* kind, index in that kind's
    #: space).  Hosts see imports in this order (the descriptor), so the
    #: first unresolvable one is the one reported.  Empty means "functions,
    #: tables, memories, globals" (hand-written IR).
    import_order: list[tuple[int, int]] = field(default_factory=list)
    #: Defined functions known never to return with an exception pending
    #: (the translator's whole-module may-throw analysis,
    #: ir/translate/module.py): a call to one needs no check after it.  A
    #: derived fact, not a declaration: not printed (a parsed module has
    #: none, so it checks after every call: correct, only slower).
    nothrow: frozenset = frozenset()

    def imports(self) -> list[tuple[int, int, Import]]:
        """Every import as (kind, index, Import), in import-section order."""
        spaces = (self.funcs, self.tables, self.memories, self.globals, self.tags)
        order = self.import_order or [
            (k, i) for k, space in enumerate(spaces)
            for i, d in enumerate(space) if d.import_ is not None]
        return [(k, i, spaces[k][i].import_) for k, i in order]

    def may_throw_across_calls(self) -> bool:
        """Whether a call may return with an exception pending, so the
        caller must look (backends/ABI.md "Exceptions"): the module has tags
        (it may throw, or catch what its callees throw), or it imports a
        function from something other than WASI (another instance may
        throw through it).  A module that is neither pays nothing."""
        if self.tags:
            return True
        # imports precede definitions (the translator and the text parser
        # keep them so): stop at the first definition, so this costs the
        # imports, not the functions (the translator asks once per function)
        for d in self.funcs:
            if d.import_ is None:
                return False
            if not d.import_.module.startswith("wasi"):
                return True
        return False

    def wasm_funcs(self) -> int:
        """Number of Wasm functions (imports included): every function but
        the synthesized init function, which is always last."""
        n = len(self.funcs)
        return n - 1 if self.init_func is not None and self.init_func == n - 1 else n

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
        funcs = tuple((d.name, d.sig, d.import_, d.offset,
                       d.body.structure() if d.body is not None else None)
                      for d in self.funcs)
        return (tuple(self.sigs), funcs,
                tuple((m.min, m.max, m.index_type, m.shared, m.import_) for m in self.memories),
                tuple((t.elem, t.min, t.max, t.import_) for t in self.tables),
                tuple((g.type, g.mutable, g.init, g.import_) for g in self.globals),
                tuple((e.elem, e.mode, e.items) for e in self.elems),
                tuple((d.data, d.mode) for d in self.datas), self.init_func,
                tuple(self.exports), self.start, tuple(self.imports()),
                tuple(m.page_size_log2 for m in self.memories),
                tuple((t.sig, t.import_) for t in self.tags))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Module) and self.structure() == other.structure()

    def __str__(self) -> str:
        from .printer import print_module
        return print_module(self)
