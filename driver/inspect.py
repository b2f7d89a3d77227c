"""`wasmaot inspect`: a human-readable summary of a module's structure."""
from __future__ import annotations

from collections.abc import Iterator

from .frontend.module import ExternKind, Module, SegmentMode, address_type
from .frontend.opcodes import Imm
from .frontend.types import (
    I64,
    NONNULL,
    RAW,
    GlobalType,
    Limits,
    MemType,
    TableType,
    is_ref,
    raw_index,
    type_name,
)


class _Names:
    """Value types as the module writes them.  Typed references carry a
    process-wide canonical type id (frontend/types.py); shown here as the
    module's first type index of that canonical type (structurally equal
    types are the same type, so any of their indices names it)."""

    def __init__(self, m: Module):
        self.index: dict[int, int] = {}
        for i, code in enumerate(m.type_codes):
            self.index.setdefault(code, i)

    def __call__(self, t: int) -> str:
        heap = t & ~NONNULL
        if not is_ref(t) or heap < NONNULL or heap not in self.index:
            return type_name(t)
        return f"(ref {'' if t & NONNULL else 'null '}${self.index[heap]})"

    def heap(self, h: int) -> str:
        """A heap type immediate (``ref.null``): ``func``, ``$3``...  The
        decoder leaves a type index unresolved there (RAW)."""
        if h >= NONNULL and h & RAW:
            return f"${raw_index(h)}"
        text = self(h)
        return text[len("(ref null "):-1] if text.startswith("(ref null ") else text

    def functype(self, ft) -> str:
        return (f"[{' '.join(map(self, ft.params))}] -> "
                f"[{' '.join(map(self, ft.results))}]")


def _limits(l: Limits, unit: str = "") -> str:
    hi = "" if l.max is None else f", max {l.max}"
    return f"min {l.min}{hi}{unit}"


def _functype(m: Module, idx: int, nm: _Names) -> str:
    if idx >= len(m.types):
        return f"type {idx} (unknown)"
    return f"type {idx} {nm.functype(m.types[idx])}"


def _i64(t) -> str:
    return "i64 " if address_type(t) == I64 else ""


def _mem(mt: MemType) -> str:
    size = "" if mt.page_size_log2 == 16 else f", page size {1 << mt.page_size_log2}"
    return f"{_i64(mt)}{_limits(mt.limits, ' pages')}{size}"


def _desc(m: Module, kind: ExternKind, desc, nm: _Names) -> str:
    if kind is ExternKind.FUNC:
        return _functype(m, desc, nm)
    if isinstance(desc, TableType):
        return f"{_i64(desc)}{nm(desc.elem)} {_limits(desc.limits)}"
    if isinstance(desc, MemType):
        return _mem(desc)
    if isinstance(desc, GlobalType):
        return f"{'mut ' if desc.mutable else ''}{nm(desc.type)}"
    return str(desc)


def _expr(expr, nm: _Names) -> str:
    parts = []
    for op, imm, _ in expr.instrs:
        if op.imm is Imm.NONE:
            parts.append(op.name)
        elif op.imm in (Imm.F32, Imm.F64):
            parts.append(f"{op.name} bits=0x{imm:x}")
        elif op.imm is Imm.HEAPTYPE:
            parts.append(f"{op.name} {nm.heap(imm)}")
        else:
            parts.append(f"{op.name} {imm}")
    return "; ".join(parts) or "(empty)"


def describe(m: Module, filename: str) -> Iterator[str]:
    nm = _Names(m)
    yield f"{filename}: Wasm module, {len(m.data)} bytes"
    yield "sections:"
    for s in m.sections:
        label = f'custom "{s.name}"' if s.id == 0 else s.name
        yield (f"  {label:<22} offset 0x{s.offset:06x}  payload 0x{s.payload_start:06x}"
               f"  size {s.payload_end - s.payload_start}")
    if m.types:
        yield f"types: {len(m.types)}"
        for i, t in enumerate(m.types):
            yield f"  [{i}] {nm.functype(t)}"
    if m.imports:
        yield f"imports: {len(m.imports)}"
        counters = {k: 0 for k in ExternKind}
        for imp in m.imports:
            i = counters[imp.kind]
            counters[imp.kind] += 1
            yield (f"  {imp.kind.name.lower()}[{i}] \"{imp.module}\" \"{imp.name}\": "
                   f"{_desc(m, imp.kind, imp.desc, nm)}")
    if m.funcs:
        yield f"functions: {len(m.funcs)} defined, {len(m.func_types)} total"
        for i, f in enumerate(m.funcs):
            idx = m.num_imported_funcs + i
            name = m.func_name(idx)
            label = f" ${name}" if name else ""
            yield (f"  func[{idx}]{label}: {_functype(m, f.type_index, nm)}, body 0x{f.body_start:06x}"
                   f" size {f.body_end - f.body_start}")
    for i, t in enumerate(m.tables):
        yield f"table[{m.num_imported_tables + i}]: {_desc(m, ExternKind.TABLE, t, nm)}"
    for i, mt in enumerate(m.mems):
        yield f"memory[{m.num_imported_mems + i}]: {_mem(mt)}"
    for i, g in enumerate(m.globals):
        yield (f"global[{m.num_imported_globals + i}]: {_desc(m, ExternKind.GLOBAL, g.type, nm)}"
               f" = {_expr(g.init, nm)}")
    if m.exports:
        yield f"exports: {len(m.exports)}"
        for e in m.exports:
            yield f"  \"{e.name}\": {e.kind.name.lower()}[{e.index}]"
    if m.start is not None:
        yield f"start: func[{m.start}]"
    for i, e in enumerate(m.elems):
        where = (f"table {e.table} at {_expr(e.offset, nm)}" if e.mode is SegmentMode.ACTIVE
                 else e.mode.name.lower())
        yield f"elem[{i}]: {nm(e.type)} x{len(e)}, {where}"
    for i, d in enumerate(m.datas):
        where = (f"memory {d.memory} at {_expr(d.offset, nm)}" if d.mode is SegmentMode.ACTIVE
                 else "passive")
        yield f"data[{i}]: {d.data_end - d.data_start} bytes, {where}"
    if m.data_count is not None:
        yield f"datacount: {m.data_count}"
    for c in m.customs:
        yield f"custom \"{c.name}\": {c.payload_end - c.payload_start} bytes"
    if m.names is not None:
        n = m.names
        if n.module is not None:
            yield f"  module name: {n.module}"
        if n.funcs:
            yield f"  function names: {len(n.funcs)}"
        if n.locals:
            yield f"  local names: {sum(len(v) for v in n.locals.values())} in {len(n.locals)} functions"
