"""The decoded form of a core Wasm module.

Produced by :func:`wasmaot.frontend.binary.decode_module`; checked by
:func:`wasmaot.frontend.validate.validate_module`; consumed by ``inspect``
and the IR translator.

Function bodies are *not* decoded here: a :class:`Func` keeps the byte range
of its body inside ``Module.data``, and consumers stream instructions out of
it with :func:`wasmaot.frontend.code.iter_instrs`, so a large module never
materializes millions of instruction objects.  Constant expressions are tiny
and decoded eagerly into :class:`ConstExpr`.

Index spaces follow the spec: imported entities first, in import order, then
the module's own definitions.  The ``*_types`` lists give the type of every
entity in the full index space (imports included).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

from .opcodes import Op
from .types import I32, I64, FuncType, GlobalType, Limits, MemType, TableType


@dataclass(frozen=True, slots=True)
class Limits64(Limits):
    """The limits of a memory or table with 64-bit indices (memory64: limits
    flag bit 2, u64 bounds).  A subclass, so the type of the entity they
    belong to tells its address type: :func:`address_type`."""

    def __str__(self) -> str:
        return "i64 " + Limits.__str__(self)


def address_type(t: MemType | TableType) -> int:
    """I64 for a memory or table of memory64, else I32."""
    return I64 if type(t.limits) is Limits64 else I32


class ExternKind(enum.IntEnum):
    FUNC = 0
    TABLE = 1
    MEMORY = 2
    GLOBAL = 3
    TAG = 4             # exception handling: desc / index space is a type index


class SegmentMode(enum.IntEnum):
    ACTIVE = 0
    PASSIVE = 1
    DECLARATIVE = 2


@dataclass(slots=True)
class ConstExpr:
    """A constant expression: instructions up to (not including) the final ``end``."""
    instrs: list[tuple[Op, object, int]]   # (op, imm, byte offset)
    offset: int                            # where the expression starts
    end: int                               # byte offset just past its ``end`` opcode


@dataclass(slots=True)
class Import:
    module: str
    name: str
    kind: ExternKind
    desc: int | TableType | MemType | GlobalType   # FUNC: type index
    offset: int


@dataclass(slots=True)
class Export:
    name: str
    kind: ExternKind
    index: int
    offset: int


@dataclass(slots=True)
class Func:
    """A defined (non-imported) function."""
    type_index: int
    body_start: int        # first byte of the body (the locals vector)
    body_end: int          # one past the final ``end`` opcode
    locals_: list[tuple[int, int]] | None = None   # filled by validation: [(count, type)]
    code_start: int = 0    # first instruction (after locals); filled by validation


@dataclass(slots=True)
class Global:
    type: GlobalType
    init: ConstExpr


@dataclass(slots=True)
class ElemSegment:
    mode: SegmentMode
    type: int                          # a reference type
    table: int                         # ACTIVE only
    offset: ConstExpr | None           # ACTIVE only
    func_indices: list[int] | None     # the funcidx vector forms (flags 0-3)
    exprs: list[ConstExpr] | None      # the expression forms (flags 4-7)
    pos: int                           # byte offset of the segment

    def __len__(self) -> int:
        return len(self.func_indices) if self.func_indices is not None else len(self.exprs)


@dataclass(slots=True)
class DataSegment:
    mode: SegmentMode                  # ACTIVE or PASSIVE
    memory: int
    offset: ConstExpr | None
    data_start: int                    # byte range in Module.data
    data_end: int
    pos: int


@dataclass(slots=True)
class Section:
    id: int
    name: str              # "type", "code", ... or the custom section's name
    offset: int            # offset of the section id byte
    payload_start: int
    payload_end: int


@dataclass(slots=True)
class NameSection:
    module: str | None = None
    funcs: dict[int, str] = field(default_factory=dict)
    locals: dict[int, dict[int, str]] = field(default_factory=dict)


@dataclass(slots=True)
class Module:
    data: bytes
    filename: str | None = None
    sections: list[Section] = field(default_factory=list)
    types: list[FuncType] = field(default_factory=list)
    # canonical heap code of each type (frontend.types: typed references)
    type_codes: list[int] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    funcs: list[Func] = field(default_factory=list)          # defined functions only
    tables: list[TableType] = field(default_factory=list)    # defined only
    # each defined table's initializer (0x40 0x00 form), or None: null
    table_inits: list[ConstExpr | None] = field(default_factory=list)
    mems: list[MemType] = field(default_factory=list)        # defined only
    globals: list[Global] = field(default_factory=list)      # defined only
    # exception tags (tag section, id 13): the type index of each defined tag
    tags: list[int] = field(default_factory=list)
    exports: list[Export] = field(default_factory=list)
    start: int | None = None
    elems: list[ElemSegment] = field(default_factory=list)
    datas: list[DataSegment] = field(default_factory=list)
    data_count: int | None = None
    customs: list[Section] = field(default_factory=list)
    bodies: list[tuple[int, int]] = field(default_factory=list)  # code section entries
    names: NameSection | None = None
    #: The ``metadata.code.branch_hint`` custom section (the branch-hinting
    #: proposal): function index -> {byte offset from the function's
    #: body start (its locals vector): hint}, 1 = the ``br_if`` or ``if``
    #: there is likely taken, 0 = unlikely.  Advisory; a malformed section
    #: is ignored (custom sections never make a module invalid).
    branch_hints: dict[int, dict[int, int]] | None = None
    # Full index spaces (imports first), built by the decoder:
    func_types: list[int] = field(default_factory=list)          # funcidx -> typeidx
    table_types: list[TableType] = field(default_factory=list)
    mem_types: list[MemType] = field(default_factory=list)
    global_types: list[GlobalType] = field(default_factory=list)
    tag_types: list[int] = field(default_factory=list)           # tagidx -> typeidx
    num_imported_tags: int = 0
    num_imported_funcs: int = 0
    num_imported_tables: int = 0
    num_imported_mems: int = 0
    num_imported_globals: int = 0

    def func_type(self, funcidx: int) -> FuncType:
        return self.types[self.func_types[funcidx]]

    def defined_func(self, funcidx: int) -> Func:
        return self.funcs[funcidx - self.num_imported_funcs]

    def func_name(self, funcidx: int) -> str | None:
        return self.names.funcs.get(funcidx) if self.names else None
