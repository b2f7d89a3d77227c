"""The IR text form (Cranelift-like); :mod:`.parser` reads it back.

Canonical text, per function::

    function %add(i32, i32) -> i32 {
    block0(v0: i32, v1: i32):
        v2 = iadd.i32 v0, v1
        return v2
    }

Instruction syntax, derived from the opcode table:
``[results =] name[.T] imms... operands``

* ``.T`` is printed iff the opcode has a controlling type;
* immediates in table order, space separated: ``iconst`` as signed decimal
  (hex bit pattern beyond +-65536),
  ``fconst`` as the raw IEEE bits in hex (``0x3f800000``), cond codes and
  trap codes by name, entities as ``fn3 sig0 g1 mem0 table0 elem0 data0``,
  memflags as optional ``notrap`` / ``align=N`` (only when not natural) /
  ``scope=D:G`` (an alias scope: domain, group),
  a lane index as decimal, a 128-bit immediate (``vconst`` bits,
  ``shuffle`` mask) as 32 hex digits (``0x`` + byte 15 ... byte 0);
* operands comma separated; a static offset attaches to the first one
  (``v0+8``, omitted when 0); call arguments are parenthesised after the
  callee (``call fn1(v0, v1)``, ``call_indirect sig0 table0 v2(v0)``);
* block calls last: ``block1(v2, v3)`` (no parens without arguments);
  ``br_table v0, block3, [block1, block2]`` (default first).

Module text: declarations one per line, in Wasm section order, then the
functions separated by blank lines.  ``;`` starts a comment (parser only)::

    sig0 = (i32) -> i32                           ; types
    global g0 i32 import "env" "off"              ; imports, in import-section order
    function %log(i32) import "env" "log"
    memory mem0 1..2 import "env" "mem"
    table table0 funcref 4                        ; defined tables, memories, globals
    memory mem1 i64 shared 0..8 pagesize=1        ; pagesize only when not 65536
    global g1 mut i32 = iconst 0                  ; iconst/fconst/vconst/null/func_ref/global_get
    export "run" fn3                              ; fnN / tableN / memN / gN
    start fn2
    elem elem0 funcref active [fn1, fn2, null, g0]    ; items: fnN, null, gN (global_get)
    data data0 passive "\\00abc\\"\\\\"              ; bytes as a WAT string
    init fn7                                      ; the instantiation function

* Imported declarations come first, in the order of the Wasm import
  section: the parser numbers each index space as it reads it (imports
  must precede definitions in each space) and records the order in which
  imports appear as ``Module.import_order``; so a hand-written file
  simply lists its imports in the order it wants.
* Element and data segments hold their mode (``active``, ``passive``,
  ``declarative``) and contents; where an active one goes is code, in the
  ``init`` function.  Hand-written text may omit the mode (passive) and
  the contents (none).
* A data string escapes ``"``, ``\\`` and every byte outside printable
  ASCII as ``\\hh``; the parser also reads ``\\n \\t \\r \\'`` and UTF-8.
* Names (``%name``, import and export names) are JSON strings when not plain.
* Function bodies follow in index order; a function without a body and
  without an import is printed as its bare header (a declaration).  A body
  translated from Wasm carries its body's Wasm byte offset in the header,
  ``function %f(i32) offset 0x2a {`` (``FuncDecl.offset``; trap backtraces
  print it); hand-written text may omit it.

``parse_module(print_module(m)) == m`` (``Module.structure()``) for every
module the translator produces (``tests/ir/test_spec_roundtrip.py``).
"""
from __future__ import annotations

import json
import re

from ..frontend.types import type_key
from .dfg import DataFlowGraph
from .function import Function
from .module import (EXTERN_FUNC, EXTERN_GLOBAL, EXTERN_MEMORY, EXTERN_TABLE, EXTERN_TAG,
                     SEG_MODE_NAMES,
                     FuncDecl, GlobalDecl, GlobalInit, MemoryDecl, Module, Signature, TableDecl)
from .opcodes import (OPINFO, BRANCH_TABLE, FloatCC, ImmKind, IntCC, MemFlags,
                      Opcode, VarArgs)
from .trapcodes import TrapCode
from .types import F64, I32, bits, type_name

_PLAIN_NAME = re.compile(r"[A-Za-z0-9_$.\-]+\Z")

_ENTITY_PREFIX = {ImmKind.MEM: "mem", ImmKind.FUNC: "fn", ImmKind.SIG: "sig",
                  ImmKind.GLOBAL: "g", ImmKind.TABLE: "table", ImmKind.ELEM: "elem",
                  ImmKind.DATA: "data", ImmKind.TAG: "tag"}


def fmt_name(name: str) -> str:
    return "%" + (name if _PLAIN_NAME.match(name) else json.dumps(name))


def fmt_sig(sig: Signature) -> str:
    s = "(" + ", ".join(type_name(t) for t in sig.params) + ")"
    if sig.results:
        s += " -> " + ", ".join(type_name(t) for t in sig.results)
    return s + _wasm_sig(sig)


def fmt_iconst(value: int, ty: int) -> str:
    """Signed decimal for small magnitudes, else the hex bit pattern (masks
    and INT_MIN read better as ``0x80000000`` than as ``-2147483648``)."""
    w = bits(ty)
    s = value - (1 << w) if value >= 1 << (w - 1) else value
    if -65536 <= s <= 65536:
        return str(s)
    return f"0x{value:x}"


def fmt_ieee(value: int, ty: int) -> str:
    return f"0x{value:016x}" if ty == F64 else f"0x{value:08x}"


def fmt_imm128(value: int) -> str:
    """A 128-bit immediate: 32 hex digits, lane 0 (byte 0) rightmost."""
    return f"0x{value:032x}"




def format_inst(func: Function, inst: int) -> str:
    """One instruction, without indentation."""
    dfg: DataFlowGraph = func.dfg
    info = OPINFO[dfg.op[inst]]
    ctrl = dfg.ctrl[inst]
    head = info.name if info.ctrl is None else f"{info.name}.{type_name(ctrl)}"
    imms = dfg.inst_imms(inst)
    words = []
    offset = 0
    for kind, v in zip(info.imms, imms):
        if kind == ImmKind.OFFSET:
            offset = v
        elif kind == ImmKind.MEMFLAGS:
            if MemFlags.notrap(v):
                words.append("notrap")
            nat = info.natural_align_log2(ctrl)
            a = MemFlags.align_log2(v, nat)
            if a != nat:
                words.append(f"align={1 << a}")
            sc = MemFlags.scope(v)
            if sc is not None:
                words.append(f"scope={sc[0]}:{sc[1]}")
        elif kind == ImmKind.IMM64:
            words.append(fmt_iconst(v, ctrl))
        elif kind == ImmKind.IEEE:
            words.append(fmt_ieee(v, ctrl))
        elif kind == ImmKind.INTCC:
            words.append(IntCC(v).name)
        elif kind == ImmKind.FLOATCC:
            words.append(FloatCC(v).name)
        elif kind == ImmKind.TRAPCODE:
            words.append(TrapCode(v).name)
        elif kind == ImmKind.LANE:
            words.append(str(v))
        elif kind == ImmKind.IMM128:
            words.append(fmt_imm128(v | (imms[info.imms.index(ImmKind.IMM128_HI)] << 64)))
        elif kind == ImmKind.IMM128_HI:
            pass
        else:
            words.append(f"{_ENTITY_PREFIX[kind]}{v}")
    args = dfg.inst_args(inst)
    nfixed = len(info.args)
    ops = [str(a) for a in args[:nfixed]]
    if offset and ops:
        ops[0] += f"+{offset}"
    if info.varargs == VarArgs.FUNC_RESULTS:
        ops.extend(str(a) for a in args[nfixed:])
    if info.branches:
        calls = [_fmt_call(b, a) for b, a in dfg.inst_block_calls(inst)]
        if info.branches == BRANCH_TABLE:
            ops.append(calls[0])
            ops.append("[" + ", ".join(calls[1:]) + "]")
        else:
            ops.extend(calls)
    text = head
    if words:
        text += " " + " ".join(words)
    if ops:
        text += " " + ", ".join(ops)
    if info.varargs == VarArgs.SIG_PARAMS:
        text += "(" + ", ".join(str(a) for a in args[nfixed:]) + ")"
    res = dfg.inst_results(inst)
    if res:
        text = ", ".join(str(r) for r in res) + " = " + text
    return text


def _fmt_call(block, args) -> str:
    if not args:
        return str(block)
    return f"{block}(" + ", ".join(str(a) for a in args) + ")"


def format_block_header(func: Function, block: int) -> str:
    dfg = func.dfg
    params = dfg.bparams[block]
    cold = " cold" if func.layout.is_cold(block) else ""
    if not params:
        return f"block{int(block)}{cold}:"
    return (f"block{int(block)}(" + ", ".join(f"v{v}: {type_name(dfg.vtype[v])}" for v in params)
            + f"){cold}:")


def print_function(func: Function, offset: int | None = None) -> str:
    """``offset``: the Wasm body offset the module records (``FuncDecl.offset``),
    printed as ``offset 0x2a`` before the body."""
    at = "" if offset is None else f" offset {offset:#x}"
    lines = [f"function {fmt_name(func.name)}{fmt_sig(func.sig)}{at} {{"]
    for b in func.layout.blocks():
        lines.append(format_block_header(func, b))
        for i in func.layout.insts(b):
            lines.append("    " + format_inst(func, i))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _limits(lo: int, hi: int | None) -> str:
    return f"{lo}" if hi is None else f"{lo}..{hi}"


def _import(imp) -> str:
    return f" import {json.dumps(imp.module)} {json.dumps(imp.field)}"


#: Data bytes as in WAT strings: printable ASCII as itself, ``\"`` and
#: ``\\``, anything else as ``\hh``.
_BYTE_TEXT = tuple({0x22: '\\"', 0x5C: "\\\\"}.get(b) or
                   (chr(b) if 0x20 <= b < 0x7F else f"\\{b:02x}") for b in range(256))


def fmt_bytes(data: bytes) -> str:
    return '"' + "".join(map(_BYTE_TEXT.__getitem__, data)) + '"'


def fmt_global_init(init: GlobalInit, ty: int) -> str:
    name = OPINFO[init.op].name
    if init.op == Opcode.iconst:
        return f"{name} {fmt_iconst(init.value, ty)}"
    if init.op == Opcode.fconst:
        return f"{name} {fmt_ieee(init.value, ty)}"
    if init.op == Opcode.func_ref:
        return f"{name} fn{init.value}"
    if init.op == Opcode.global_get:
        return f"{name} g{init.value}"
    if init.op == Opcode.vconst:
        return f"{name} {fmt_imm128(init.value)}"
    return name  # null


def fmt_elem_item(item: GlobalInit) -> str:
    """An element item: ``fnN`` (func_ref), ``null`` or ``gN`` (global_get)."""
    if item.op == Opcode.func_ref:
        return f"fn{item.value}"
    if item.op == Opcode.global_get:
        return f"g{item.value}"
    return "null"


_EXPORT_PREFIX = ("fn", "table", "mem", "g", "tag")     # by EXTERN_* kind


def _memory(i: int, m: MemoryDecl) -> str:
    text = f"memory mem{i}" + (" i64" if m.index_type != I32 else "") \
        + (" shared" if m.shared else "") + " " + _limits(m.min, m.max)
    if m.page_size_log2 != 16:
        text += f" pagesize={1 << m.page_size_log2}"
    return text + (_import(m.import_) if m.import_ else "")


def _wasm_type(t: int | None) -> str:
    """A precise Wasm reference type the erased IR type lost (typed function
    references), for linking checks: `` wasm "(ref null {(i32)->()})"``,
    structural text that every process reads back the same."""
    return "" if t is None else f" wasm {json.dumps(type_key(t))}"


def _wasm_sig(s) -> str:
    wasm = getattr(s, "wasm", "")          # an ErasedSig's descriptor text
    return f" wasm {json.dumps(wasm)}" if wasm else ""


def _table(i: int, t: TableDecl) -> str:
    return (f"table table{i}{' i64' if t.index_type != I32 else ''} {type_name(t.elem)} "
            f"{_limits(t.min, t.max)}{_wasm_type(t.wasm_elem)}"
            + (_import(t.import_) if t.import_ else ""))


def _global(i: int, g: GlobalDecl) -> str:
    head = f"global g{i} {'mut ' if g.mutable else ''}{type_name(g.type)}{_wasm_type(g.wasm_type)}"
    if g.import_:
        return head + _import(g.import_)
    return f"{head} = {fmt_global_init(g.init, g.type)}"


def _tag(i: int, t) -> str:
    return f"tag tag{i} sig{t.sig}" + (_import(t.import_) if t.import_ else "")


def _func_decl(d: FuncDecl) -> str:
    return f"function {fmt_name(d.name)}{fmt_sig(d.sig)}" + (_import(d.import_) if d.import_ else "")


def _declarations(module: Module) -> list[str]:
    """Module header lines, in Wasm section order (module docstring)."""
    decls = [f"sig{i} = {fmt_sig(s)}" for i, s in enumerate(module.sigs)]
    fmt = {EXTERN_FUNC: lambda i: _func_decl(module.funcs[i]),
           EXTERN_TABLE: lambda i: _table(i, module.tables[i]),
           EXTERN_MEMORY: lambda i: _memory(i, module.memories[i]),
           EXTERN_GLOBAL: lambda i: _global(i, module.globals[i]),
           EXTERN_TAG: lambda i: _tag(i, module.tags[i])}
    decls.extend(fmt[kind](i) for kind, i, _ in module.imports())
    decls.extend(_table(i, t) for i, t in enumerate(module.tables) if t.import_ is None)
    decls.extend(_memory(i, m) for i, m in enumerate(module.memories) if m.import_ is None)
    decls.extend(_tag(i, t) for i, t in enumerate(module.tags) if t.import_ is None)
    decls.extend(_global(i, g) for i, g in enumerate(module.globals) if g.import_ is None)
    decls.extend(f"export {json.dumps(e.name)} {_EXPORT_PREFIX[e.kind]}{e.index}"
                 for e in module.exports)
    if module.start is not None:
        decls.append(f"start fn{module.start}")
    for i, e in enumerate(module.elems):
        decls.append(f"elem elem{i} {type_name(e.elem)} {SEG_MODE_NAMES[e.mode]} ["
                     + ", ".join(map(fmt_elem_item, e.items)) + "]")
    for i, d in enumerate(module.datas):
        decls.append(f"data data{i} {SEG_MODE_NAMES[d.mode]} {fmt_bytes(d.data)}")
    if module.init_func is not None:
        decls.append(f"init fn{module.init_func}")
    return decls


def print_module(module: Module) -> str:
    decls = _declarations(module)
    parts = []
    if decls:
        parts.append("\n".join(decls) + "\n")
    for d in module.funcs:
        if d.body is not None:
            parts.append(print_function(d.body, d.offset))
        elif d.import_ is None:
            parts.append(_func_decl(d) + "\n")
    return "\n".join(parts)
