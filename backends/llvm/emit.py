"""IR module -> LLVM IR text: the driver.

What: names every function, emits each defined function (blocks in layout
order, block parameters as phis, instruction lowering dispatched to the
opcode-family modules), then the module glue from :mod:`.instance`
(instantiate, trampolines, descriptor), declarations and metadata.

Preconditions: a verified IR module whose function index space mirrors the
Wasm module's (``ir.funcs[i]`` is Wasm function ``i``; the synthesized
``__wasmaot_init``, ``ir.init_func``, comes after).  The IR module is the only
input: exports, start, imports, segments all come from it.

Calling conventions (backends/ABI.md "Functions"): defined function ``N``
is ``@P.fN``, internal, in the internal convention (``ModuleContext.cc``:
``Target.internal_cc``), and every Wasm call of it and the glue's
calls (trampolines, ``__wasmaot_init``, start) go there directly.  Its C-ABI
entry, a wrapper that calls it, exists only when C can reach it: the export
symbol ``P_export_NAME``, else ``P.fN.c`` when its reference escapes
(``ref.func`` asks :meth:`ModuleContext.c_entry` while bodies are emitted;
element items and global initialisers when ``instantiate`` is); its funcref
holds that entry.  Imports, ``call_indirect`` and funcref pointers are C ABI
because hosts and tables reach them.

Imports (the link plan's hooks): how imported function ``k`` is called is
decided in one place, :meth:`ModuleContext.import_callee` -- a direct
:class:`.common.Callee` (symbol, instance operand, convention) when the
import is bound at compile time, ``None`` (today, always) for a call through
its funcref slot; :func:`.calls.func_callee` asks it for body calls and the
glue alike.  :meth:`ModuleContext.import_object` does the same for imported
memories, tables and globals (a constant pointer, or ``None`` to load the
slot).  A link plan that wires instances together overrides these two.

Blocks unreachable from the entry are not emitted: their values can only be
used by other unreachable blocks (dominance), and LLVM rejects phis without
incoming edges.
"""
from __future__ import annotations

from ...ir.analysis.stackcheck import stack_check_block
from ...ir.module import EXTERN_FUNC
from ...ir.opcodes import OPINFO
from . import arith, calls, control, exceptions, globals as globals_, memory, simd, tables, traps, upper
from .common import LTYPE, Callee, FuncEmitter, ModuleContext, ret_type
from .. import abi
from .nowrap import NoWrap
from .addrbase import frozen_bases
from .instance import instantiate_text, start_text, trampoline_text

HANDLERS = {}
for _m in (arith, memory, globals_, tables, calls, control, simd, exceptions):
    for _op, _h in _m.HANDLERS.items():
        assert _op not in HANDLERS, _op
        HANDLERS[_op] = _h
_missing = [i.name for i in OPINFO if i.opcode not in HANDLERS]
assert not _missing, f"LLVM emitter lacks handlers for {_missing}"



def mangle(name: str) -> str:
    """Export name -> C identifier fragment, injective: ``[A-Za-z0-9]`` kept,
    every other byte (``_`` included) as ``_HH``."""
    out = []
    for b in name.encode():
        c = chr(b)
        out.append(c if c.isascii() and c.isalnum() else f"_{b:02x}")
    return "".join(out)


def _reachable(func) -> list[int]:
    dfg, lay = func.dfg, func.layout
    entry = lay.entry_block
    seen = {int(entry)}
    stack = [int(entry)]
    while stack:
        b = stack.pop()
        last = lay.last_inst(b)
        if last is None:
            continue
        for s in dfg.inst_successors(last):
            if int(s) not in seen:
                seen.add(int(s))
                stack.append(int(s))
    return [int(b) for b in lay.blocks() if int(b) in seen]


def emit_function(mc: ModuleContext, func, index: int) -> str:
    fe = FuncEmitter(mc, func, index)
    fe.incoming = {}
    fe.extra_blocks = []
    dfg = func.dfg
    blocks = _reachable(func)
    entry = blocks[0]
    # The stack check runs before the first call of every path (not at the
    # entry when paths without calls exist): ir/analysis/stackcheck.py.
    check_at = stack_check_block(func) if mc.opts.stack_check else None
    handlers = HANDLERS
    fe.nowrap = NoWrap.for_function(fe)
    fe.frozen = frozen_bases(func)
    for b in blocks:
        fe.start_block(f"b{b}")
        if b == check_at and b != entry:
            traps.stack_check_here(fe)
        if index == mc.ir.init_func:
            memory.emit_init_block(fe, func.layout.insts(b), handlers)
            continue
        for inst in func.layout.insts(b):
            handlers[dfg.op[inst]](fe, inst)

    # Function parameters: the entry block's parameters.  If the entry block
    # is also a branch target, its parameters become phis fed from `entry`.
    eparams = dfg.bparams[entry]
    if entry in fe.incoming:
        pnames = [f"%a{k}" for k in range(len(eparams))]
        fe.incoming[entry].append(("entry", pnames))
    else:
        pnames = [f"%v{v}" for v in eparams]
    params = ", ".join([_inst_param(mc)] + [f"{LTYPE[dfg.vtype[v]]} {n}" for v, n in zip(eparams, pnames)])

    pro = list(fe.entry_lines)
    if mc.opts.static_instance:
        # The instance is the object's own block: a link-time constant.
        pro.insert(0, f"  %inst = getelementptr inbounds i8, ptr {mc.static_block()}, i64 {mc.block_offset()}")
    if check_at == entry:
        pro += traps.stack_check_lines(fe, f"b{entry}")
    else:
        pro.append(f"  br label %b{entry}")

    # __wasmaot_init runs once and is straight-line code per segment: not
    # optimized (#3), as instantiate is (see .instance).
    attrs = "#3" if index == mc.ir.init_func else ("#4" if mc.clean_upper else "#0")
    out = [f"define {mc.func_linkage(index)} {mc.cc} {ret_type(func.sig.results)} "
           f"@{mc.fname(index)}({params}) {attrs} {{"]
    out.append("entry:")
    out.extend(pro)
    for label, _phis, lines in fe.blocks:
        out.append(f"{label}:")
        if label.startswith("b") and label[1:].isdigit():
            b = int(label[1:])
            inc = fe.incoming.get(b, ())
            for k, v in enumerate(dfg.bparams[b]):
                if not inc:
                    break
                ty = LTYPE[dfg.vtype[v]]
                ents = ", ".join(f"[ {a[k] if isinstance(a[k], str) else fe.val(a[k])}, %{pred} ]"
                                 for pred, a in inc)
                out.append(f"  %v{v} = phi {ty} {ents}")
        out.extend(lines)
    for label, lines in fe.extra_blocks:
        out.append(f"{label}:")
        out.extend(lines)
    for code in sorted(fe.trap_codes):
        out.append(f"trap.{code}:")
        out.extend(traps.trap_block_lines(fe, code))
    out.append("}")
    return "\n".join(out) + "\n"


def _inst_param(mc: ModuleContext) -> str:
    # The instance is always one of *our* instances (callers pass the
    # callee's own), so LLVM may treat all of it as dereferenceable: this
    # lets LICM hoist instance-field loads (memory base/size in explicit
    # mode) out of loops even when they sit after a conditional trap.
    # A static instance's functions ignore the parameter (callers pass
    # poison, so no ``noundef``): the body defines ``%inst`` as the block.
    if mc.opts.static_instance:
        return "ptr %inst.arg"
    return f"ptr noundef nonnull align 16 dereferenceable({mc.layout.size}) %inst"


def c_entry_text(mc: ModuleContext, fn: int) -> str:
    """The C-ABI entry of defined function ``fn``: calls the internal one.
    External (``P_export_NAME``) for an exported function, else internal."""
    sig = mc.ir.funcs[fn].sig
    name = mc.c_entry(fn)
    link = "" if name.startswith(f"{mc.prefix}_export_") else "internal "
    rty = ret_type(sig.results)
    params = [f"{LTYPE[t]} %a{k}" for k, t in enumerate(sig.params)]
    call = calls.call_line(calls.func_callee(mc, None, fn), rty, params)
    body = [f"  {call}", "  ret void"] if not sig.results else [f"  %r = {call}", f"  ret {rty} %r"]
    # Mostly reached from generated code, through tables: no vzeroupper of
    # its own where the internal functions have none (upper.py).
    attrs = "#4" if mc.clean_upper else "#0"
    return "\n".join([f"define {link}{mc.c_ret(rty)} @{name}({', '.join([_inst_param(mc)] + params)}) {attrs} {{",
                      "entry:", *body, "}"]) + "\n"


def _without_vzeroupper(feats: str) -> str:
    """The attribute text ``feats`` with upper.FEATURE in its target features."""
    if '"target-features"="' in feats:
        return feats.replace('"target-features"="', f'"target-features"="{upper.FEATURE},', 1)
    return f'{feats} "target-features"="{upper.FEATURE}"'


def func_symbol(prefix: str, index: int) -> str:
    """Symbol of defined function ``index`` of the module compiled under
    ``prefix`` (internal convention)."""
    return f"{prefix}.f{index}"


def name_functions(mc: ModuleContext) -> list[int]:
    """Name every defined function (``P.fN``) and give exported ones their
    ``P_export_NAME`` C entry; returns the exported functions (defined or
    imported) in export order.  Idempotent: a link plan names every
    instance before emitting any, since a body may call into another."""
    irmod, P = mc.ir, mc.prefix
    for i, d in enumerate(irmod.funcs):
        if d.import_ is not None:
            continue
        if d.body is None:
            raise ValueError(f"function {i} ({d.name}) has no body")
        mc.func_names[i] = func_symbol(P, i)
    exported: dict[int, None] = {}       # ordered set: a list's `in` made 10,000 exports quadratic
    for ex in irmod.exports:
        if ex.kind == EXTERN_FUNC and ex.index not in exported:
            exported[ex.index] = None
            if irmod.funcs[ex.index].import_ is None:
                mc.c_names.setdefault(ex.index, f"{P}_export_{mangle(ex.name)}")
    return list(exported)


def emit_instance(mc: ModuleContext, trampolines: bool) -> tuple[list[str], list[str], dict[int, str]]:
    """One instance's functions and glue: (function texts, glue texts,
    trampolines by exported function).  Exported functions get their
    ``P_export_NAME`` C entries (their funcrefs are what an importing
    instance or host copies); trampolines only when ``trampolines`` (the
    program's main instance: the only one the descriptor publishes)."""
    P = mc.prefix
    exported = name_functions(mc)
    funcs = [emit_function(mc, d.body, i) for i, d in enumerate(mc.ir.funcs) if d.body is not None]

    tramps = {fn: f"{P}.tramp.{fn}" for fn in exported} if trampolines else {}
    glue = [trampoline_text(mc, fn, name) for fn, name in tramps.items()]
    glue.append(instantiate_text(mc))        # the last to ask for C-ABI entries
    if (start := start_text(mc)) is not None:
        glue.append(start)
    glue += [c_entry_text(mc, fn) for fn in sorted(mc.c_names)]
    if mc.need_canon_funcref:
        glue.append(tables.canon_funcref_text(mc))
    return funcs, glue, tramps


def module_text(target, data_layout: str, cpu: str, features: str, contexts: list[ModuleContext],
                desc: str, funcs: list[str], glue: list[str]) -> str:
    """The LLVM module: header, every context's constants and declarations,
    the descriptor, functions, glue, attributes and metadata."""
    consts, decls = [], {}
    for mc in contexts:
        if mc.need_null_funcref:
            pb = target.pointer_bytes
            mc.globals_text.append(f"@{mc.prefix}.null_funcref = internal constant "
                                   f"[{abi.funcref(pb).sizeof} x i8] zeroinitializer, align {pb}")
        consts += mc.globals_text
        blob = mc.blob_global()
        if blob is not None:
            consts.append(blob[0])
        for name, text in mc.decls.items():
            decls.setdefault(name, text)
    feats = f' "target-features"="{features}"' if features else ""
    # backtrace hook (backends/llvm/backtrace.py): generated code in its own
    # section, the trap backtrace table, and frames it can walk.
    from . import backtrace
    funcs, glue, bt_table = backtrace.place(contexts, funcs, glue)
    consts += bt_table
    feats = f" {backtrace.FRAME_ATTRS[target.backtrace]}{feats}"
    if any(mc.segment_mems for mc in contexts):
        feats = ' "no-builtins"' + feats
    head = [f'target triple = "{target.triple}"', f'target datalayout = "{data_layout}"', ""]
    # "disable-tail-calls": LLVM's tail-recursion elimination would turn
    # unbounded Wasm recursion into an endless loop instead of the
    # "call stack exhausted" trap Wasm requires (spec
    # skip-stack-guard-page, assert_exhaustion).  Costs sibling calls.
    def code_attrs(f: str) -> str:
        return f'{{ nounwind "probe-stack"="inline-asm" "disable-tail-calls"="true" "target-cpu"="{cpu}"{f} }}'
    # #4: #0 without LLVM's own vzeroupper, where internal functions leave
    # the AVX upper state dirty (upper.py)
    upper_attrs = ([f"attributes #4 = {code_attrs(_without_vzeroupper(feats))}"]
                   if any(mc.clean_upper for mc in contexts) else [])
    tail = ["",
            f"attributes #0 = {code_attrs(feats)}",
            "attributes #1 = { cold noreturn nounwind }",
            "attributes #2 = { noinline }",
            # instantiate: runs once, straight-line stores; optimizing it cost
            # 1.5 s of LLVM CPU on SQLite's shell (0.16 s without).
            f'attributes #3 = {{ noinline optnone nounwind "probe-stack"="inline-asm" '
            f'"target-cpu"="{cpu}"{feats} }}',
            *upper_attrs,
            "", contexts[0].metadata()] + [line for mc in contexts for line in mc.md_lines]
    return "\n".join(head + consts + [desc] + list(decls.values()) + [""] + funcs + glue + tail)
