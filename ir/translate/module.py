"""Module-level translation: declarations, function bodies, and the
synthesized instantiation function ``__wasmaot_init``.

What:

* IR declarations mirror the Wasm index spaces one to one (imports first):
  ``fnN``, ``sigN``, ``gN``, ``memN``, ``tableN``, ``elemN``, ``dataN`` are
  Wasm indices.  Function names come from the name section when present
  (made unique), else ``fnN``.
* A defined global's ``GlobalInit`` is its initialiser when that is a single
  instruction (``i32.const``, ``ref.func``, ``global.get``...).  An
  extended-const initialiser (``i32.add`` ...) has no single-instruction
  form: its ``GlobalInit`` is then the type's zero, which is what the
  zero-filled instance holds before ``__wasmaot_init`` runs -- the init
  function is authoritative for every defined global.
* ``__wasmaot_init`` ([] -> []) is appended after all Wasm functions, so
  Wasm function indices are unchanged; its index is ``Translation.init_func``
  (always the last function).  It does, in spec order: ``global_set`` of
  every defined global from its constant expression (translated as IR
  instructions, extended-const included); for each element segment in
  order: active -> ``table_init(table, elem, offset, 0, n)`` then
  ``elem_drop``, declarative -> ``elem_drop``; then for each active data
  segment ``memory_init(mem, data, offset, 0, n)`` then ``data_drop``
  (a new basic block every :data:`INIT_BLOCK_SEGMENTS` segments).  The
  emitter builds the segments' storage, then runs it, then the start
  function.

Preconditions: ``m`` is validated (``Func.locals_``/``code_start`` are used
when filled; otherwise the locals are decoded here).
"""
from __future__ import annotations

from dataclasses import dataclass

from ...frontend.code import iter_instrs, read_locals
from ...frontend.module import ExternKind, SegmentMode, address_type
from ...frontend.types import FuncType, erase, erase_sig
from ..function import Function
from ..module import (DataDecl, ElemDecl, Export, FuncDecl, GlobalDecl, GlobalInit, Import,
                      MemoryDecl, Module, TableDecl, TagDecl)
from ..opcodes import Opcode
from ..types import EXTERNREF, F32, F64, FUNCREF, I32, I64, NOTYPE, V128
from .dispatch import DISPATCH, SKIP_DISPATCH
from .errors import TranslateError
from .state import FUNC, Frame, FuncTranslator

INIT_NAME = "__wasmaot_init"
INIT_SIG = FuncType((), ())

_O = Opcode
_RETURN = int(_O["return"])


@dataclass(slots=True)
class Translation:
    """The result of :func:`translate`: the IR module, and the index of its
    instantiation function (``module.funcs[init_func]``, always the last)."""
    module: Module
    init_func: int


def translate(m) -> Translation:
    """Translate a validated frontend ``Module`` into an IR module."""
    mod = declare_module(m)
    for i in range(m.num_imported_funcs, len(mod.funcs)):
        mod.funcs[i].body = translate_function(m, mod, i)
    add_init_function(m, mod)
    return Translation(mod, mod.init_func)


def declare_module(m) -> Module:
    """The IR module's declarations (everything but function bodies and
    the init function).  Translating a body reads them and never changes
    them, so bodies may be translated in any order, or in other processes
    (:mod:`.parallel`)."""
    mod = Module()
    _declare(m, mod)
    if mod.may_throw_across_calls():
        mod.nothrow = _nothrow(m)
    return mod


#: Instructions after which a function may return with an exception
#: pending: raising ones, and calls the analysis cannot follow.
_RAISES = frozenset(("throw", "throw_ref", "rethrow", "delegate", "call_indirect", "call_ref",
                     "return_call_indirect", "return_call_ref"))
_DIRECT = frozenset(("call", "return_call"))


def _nothrow(m) -> frozenset:
    """The defined functions that can never return with an exception
    pending: no raising instruction, no call through a table or reference,
    and direct calls only to such functions (a fixpoint over the call
    graph; an import may throw).  Conservative: a throw caught inside the
    function still counts."""
    first = m.num_imported_funcs
    callees: dict[int, set] = {}
    may = set()
    for k, f in enumerate(m.funcs):
        fi = first + k
        _, pos = read_locals(m.data, f.body_start, f.body_end) if f.locals_ is None else \
            (None, f.code_start)
        cs = callees[fi] = set()
        for op, imm, _ in iter_instrs(m.data, pos, f.body_end):
            name = op.name
            if name in _RAISES:
                may.add(fi)
                break
            if name in _DIRECT:
                cs.add(imm)
    changed = True
    while changed:
        changed = False
        for fi, cs in callees.items():
            if fi not in may and any(c < first or c in may for c in cs):
                may.add(fi)
                changed = True
    return frozenset(fi for fi in callees if fi not in may)


def add_init_function(m, mod: Module) -> None:
    """Append ``__wasmaot_init`` (after every Wasm function) and record it."""
    init = _init_function(m, mod)
    mod.funcs.append(FuncDecl(init.name, init.sig, None, init))
    mod.init_func = len(mod.funcs) - 1


def translate_module(m) -> Module:
    """:func:`translate` without the wrapper; the init function is the last
    one (named ``__wasmaot_init``)."""
    return translate(m).module


def translate_function(m, mod: Module, funcidx: int) -> Function:
    """Translate defined function ``funcidx`` (declarations already in ``mod``)."""
    decl = mod.funcs[funcidx]
    f = m.defined_func(funcidx)
    sig = decl.sig
    decls, pos = f.locals_, f.code_start
    if decls is None:
        decls, pos = read_locals(m.data, f.body_start, f.body_end)
    decls = [(n, erase(ty)) for n, ty in decls]     # typed references: IR refs
    func = Function(decl.name, sig, mod)
    t = FuncTranslator(m, mod, func, sig.params, decls)
    hints = (m.branch_hints or {}).get(funcidx)
    if hints:                    # offsets from the body start -> module offsets
        t.hints = {f.body_start + off: h for off, h in hints.items()}
    t.ctrl.append(Frame(FUNC, (), sig.results, 0))
    try:
        t.run(iter_instrs(m.data, pos, f.body_end), DISPATCH, SKIP_DISPATCH)
    except TranslateError as e:
        raise TranslateError(f"{e} (in function {funcidx} %{decl.name})") from None
    except Exception as e:
        e.add_note(f"while translating function {funcidx} %{decl.name}")
        raise
    return t.finish()


# ---- declarations ------------------------------------------------------------------
def _func_names(m) -> list[str]:
    n = len(m.func_types)
    named = m.names.funcs if m.names else {}
    used = {INIT_NAME}
    names = []
    for i in range(n):
        name = named.get(i) or f"fn{i}"
        if name in used:
            k = i
            while f"{name}.{k}" in used:
                k += 1
            name = f"{name}.{k}"
        used.add(name)
        names.append(name)
    return names


def _declare(m, mod: Module) -> None:
    # typed references become the IR's funcref/externref (frontend.types.erase)
    mod.sigs = [erase_sig(ft) for ft in m.types]
    names = _func_names(m)
    spaces = (mod.funcs, mod.tables, mod.memories, mod.globals, mod.tags)
    for imp in m.imports:
        ir_imp = Import(imp.module, imp.name)
        d = imp.desc
        mod.import_order.append((int(imp.kind), len(spaces[imp.kind])))
        if imp.kind == ExternKind.FUNC:
            mod.funcs.append(FuncDecl(names[len(mod.funcs)], mod.sigs[d], ir_imp))
        elif imp.kind == ExternKind.TABLE:
            mod.tables.append(TableDecl(erase(d.elem), d.limits.min, d.limits.max, ir_imp,
                                        _precise(d.elem), address_type(d)))
        elif imp.kind == ExternKind.MEMORY:
            mod.memories.append(MemoryDecl(d.limits.min, d.limits.max, address_type(d),
                                           import_=ir_imp, page_size_log2=d.page_size_log2))
        elif imp.kind == ExternKind.TAG:
            mod.tags.append(TagDecl(d, ir_imp))
        else:
            mod.globals.append(GlobalDecl(erase(d.type), d.mutable, None, ir_imp,
                                          _precise(d.type)))
    for f in m.funcs:
        mod.funcs.append(FuncDecl(names[len(mod.funcs)], mod.sigs[f.type_index],
                                  offset=f.body_start))
    for tt in m.tables:
        mod.tables.append(TableDecl(erase(tt.elem), tt.limits.min, tt.limits.max,
                                    wasm_elem=_precise(tt.elem), index_type=address_type(tt)))
    for mt in m.mems:
        mod.memories.append(MemoryDecl(mt.limits.min, mt.limits.max, address_type(mt),
                                       page_size_log2=mt.page_size_log2))
    mod.tags.extend(TagDecl(t) for t in m.tags)
    for g in m.globals:
        mod.globals.append(GlobalDecl(erase(g.type.type), g.type.mutable, _global_init(g),
                                      wasm_type=_precise(g.type.type)))
    mod.elems = [ElemDecl(erase(e.type), int(e.mode), _elem_items(e)) for e in m.elems]
    mod.datas = [DataDecl(bytes(m.data[d.data_start:d.data_end]), int(d.mode)) for d in m.datas]
    mod.exports = [Export(e.name, int(e.kind), e.index) for e in m.exports]
    mod.start = m.start


def _precise(t: int) -> int | None:
    """A Wasm type the IR's erases (typed references), for import matching."""
    return None if erase(t) == t else t


def _elem_items(seg) -> tuple[GlobalInit, ...]:
    """An element segment's items as constants (the validator allows only
    ``ref.func``, ``ref.null`` and ``global.get`` there)."""
    if seg.func_indices is not None:
        return tuple(GlobalInit(_O.func_ref, f) for f in seg.func_indices)
    items = []
    for expr in seg.exprs:
        (op, imm, _), = expr.instrs
        if op.name == "ref.null":
            items.append(GlobalInit(_O.null))
        elif op.name == "ref.func":
            items.append(GlobalInit(_O.func_ref, imm))
        elif op.name == "global.get":
            items.append(GlobalInit(_O.global_get, imm))
        else:
            raise TranslateError(f"element expression {op.name} is not supported")
    return tuple(items)


_SIMPLE = {"i32.const": _O.iconst, "i64.const": _O.iconst, "f32.const": _O.fconst,
           "f64.const": _O.fconst, "ref.func": _O.func_ref, "global.get": _O.global_get}
_ZERO = {I32: GlobalInit(_O.iconst, 0), I64: GlobalInit(_O.iconst, 0),
         F32: GlobalInit(_O.fconst, 0), F64: GlobalInit(_O.fconst, 0),
         FUNCREF: GlobalInit(_O.null), EXTERNREF: GlobalInit(_O.null),
         V128: GlobalInit(_O.vconst, 0)}


def _global_init(g) -> GlobalInit:
    instrs = g.init.instrs
    if len(instrs) == 1:
        op, imm, _ = instrs[0]
        if op.name == "ref.null":
            return GlobalInit(_O.null)
        if op.name == "v128.const":
            return GlobalInit(_O.vconst, int.from_bytes(imm, "little"))
        if op.name in _SIMPLE:
            return GlobalInit(_SIMPLE[op.name], imm)
    return _ZERO[erase(g.type.type)]   # computed by __wasmaot_init (module docstring)


# ---- the init function ---------------------------------------------------------------
def _const_expr(t: FuncTranslator, expr) -> int:
    t.run(expr.instrs, DISPATCH, SKIP_DISPATCH)
    return t.stack.pop()


#: Segments per basic block of ``__wasmaot_init``.  A module with thousands
#: of segments would otherwise get one straight-line block of thousands of
#: calls, and LLVM's instruction selection and register allocation are
#: superlinear in the size of a block even at -O0 (10,000 data segments:
#: 5.1 s of code generation in one block, 1.3 s in blocks of 64).  The
#: emitter compiles this function ``optnone``, so LLVM keeps the blocks.
INIT_BLOCK_SEGMENTS = 64


def _split_block(t: FuncTranslator, k: int) -> None:
    """Start a new block before segment ``k`` every INIT_BLOCK_SEGMENTS."""
    if k and k % INIT_BLOCK_SEGMENTS == 0:
        nb = t.new_block()
        t.jump(nb, ())
        t.switch(nb)


def _table_inits(m, t: FuncTranslator) -> None:
    """Defined tables with an initializer expression (typed function
    references) start filled with its value: ``table_fill`` of the whole
    table, after the globals (the expression may read imported ones)."""
    base = m.num_imported_tables
    for i, init in enumerate(m.table_inits):
        if init is None:
            continue
        v = _const_expr(t, init)
        n = t.value(_O.table_size, NOTYPE, (base + i,), (), (I32,))
        t.emit(_O.table_fill, NOTYPE, (base + i,), (t.ssa.zero(I32), v, n))


def _init_function(m, mod: Module) -> Function:
    func = Function(INIT_NAME, INIT_SIG, mod)
    t = FuncTranslator(m, mod, func, (), [])
    try:
        base = m.num_imported_globals
        for i, g in enumerate(m.globals):
            v = _const_expr(t, g.init)
            t.emit(_O.global_set, NOTYPE, (base + i,), (v,))
        _table_inits(m, t)
        for e, seg in enumerate(m.elems):
            _split_block(t, e)
            if seg.mode == SegmentMode.ACTIVE:
                off = _const_expr(t, seg.offset)
                n = t.value(_O.iconst, I32, (len(seg),), (), (I32,))
                t.emit(_O.table_init, NOTYPE, (seg.table, e), (off, t.ssa.zero(I32), n))
                t.emit(_O.elem_drop, NOTYPE, (e,), ())
            elif seg.mode == SegmentMode.DECLARATIVE:
                t.emit(_O.elem_drop, NOTYPE, (e,), ())
        for d, seg in enumerate(m.datas):
            _split_block(t, d)
            if seg.mode == SegmentMode.ACTIVE:
                off = _const_expr(t, seg.offset)
                n = t.value(_O.iconst, I32, (seg.data_end - seg.data_start,), (), (I32,))
                t.emit(_O.memory_init, NOTYPE, (seg.memory, d), (off, t.ssa.zero(I32), n))
                t.emit(_O.data_drop, NOTYPE, (d,), ())
    except TranslateError as e:
        raise TranslateError(f"{e} (in a constant expression)") from None
    t.branch(_RETURN, (), ())
    return t.finish()
