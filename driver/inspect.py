"""`wasmaot inspect`: a human-readable summary of a module's structure."""
from __future__ import annotations

from typing import Iterator

from .frontend.module import ExternKind, Module, SegmentMode
from .frontend.opcodes import Imm
from .frontend.types import GlobalType, Limits, MemType, TableType, type_name


def _limits(l: Limits, unit: str = "") -> str:
    hi = "" if l.max is None else f", max {l.max}"
    return f"min {l.min}{hi}{unit}"


def _functype(m: Module, idx: int) -> str:
    if idx >= len(m.types):
        return f"type {idx} (unknown)"
    return f"type {idx} {m.types[idx]}"


def _desc(m: Module, kind: ExternKind, desc) -> str:
    if kind is ExternKind.FUNC:
        return _functype(m, desc)
    if isinstance(desc, TableType):
        return f"{type_name(desc.elem)} {_limits(desc.limits)}"
    if isinstance(desc, MemType):
        return f"{_limits(desc.limits, ' pages')}"
    if isinstance(desc, GlobalType):
        return f"{'mut ' if desc.mutable else ''}{type_name(desc.type)}"
    return str(desc)


def _expr(expr) -> str:
    parts = []
    for op, imm, _ in expr.instrs:
        if op.imm is Imm.NONE:
            parts.append(op.name)
        elif op.imm in (Imm.F32, Imm.F64):
            parts.append(f"{op.name} bits=0x{imm:x}")
        else:
            parts.append(f"{op.name} {imm}")
    return "; ".join(parts) or "(empty)"


def describe(m: Module, filename: str) -> Iterator[str]:
    yield f"{filename}: Wasm module, {len(m.data)} bytes"
    yield "sections:"
    for s in m.sections:
        label = f'custom "{s.name}"' if s.id == 0 else s.name
        yield (f"  {label:<22} offset 0x{s.offset:06x}  payload 0x{s.payload_start:06x}"
               f"  size {s.payload_end - s.payload_start}")
    if m.types:
        yield f"types: {len(m.types)}"
        for i, t in enumerate(m.types):
            yield f"  [{i}] {t}"
    if m.imports:
        yield f"imports: {len(m.imports)}"
        counters = {k: 0 for k in ExternKind}
        for imp in m.imports:
            i = counters[imp.kind]
            counters[imp.kind] += 1
            yield (f"  {imp.kind.name.lower()}[{i}] \"{imp.module}\" \"{imp.name}\": "
                   f"{_desc(m, imp.kind, imp.desc)}")
    if m.funcs:
        yield f"functions: {len(m.funcs)} defined, {len(m.func_types)} total"
        for i, f in enumerate(m.funcs):
            idx = m.num_imported_funcs + i
            name = m.func_name(idx)
            label = f" ${name}" if name else ""
            yield (f"  func[{idx}]{label}: {_functype(m, f.type_index)}, body 0x{f.body_start:06x}"
                   f" size {f.body_end - f.body_start}")
    for i, t in enumerate(m.tables):
        yield f"table[{m.num_imported_tables + i}]: {type_name(t.elem)} {_limits(t.limits)}"
    for i, mt in enumerate(m.mems):
        yield f"memory[{m.num_imported_mems + i}]: {_limits(mt.limits, ' pages')}"
    for i, g in enumerate(m.globals):
        yield (f"global[{m.num_imported_globals + i}]: {_desc(m, ExternKind.GLOBAL, g.type)}"
               f" = {_expr(g.init)}")
    if m.exports:
        yield f"exports: {len(m.exports)}"
        for e in m.exports:
            yield f"  \"{e.name}\": {e.kind.name.lower()}[{e.index}]"
    if m.start is not None:
        yield f"start: func[{m.start}]"
    for i, e in enumerate(m.elems):
        where = (f"table {e.table} at {_expr(e.offset)}" if e.mode is SegmentMode.ACTIVE
                 else e.mode.name.lower())
        yield f"elem[{i}]: {type_name(e.type)} x{len(e)}, {where}"
    for i, d in enumerate(m.datas):
        where = (f"memory {d.memory} at {_expr(d.offset)}" if d.mode is SegmentMode.ACTIVE
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
