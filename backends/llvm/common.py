"""Shared state of the LLVM text emitter: module context and per-function emitter.

What: :class:`ModuleContext` collects module-level declarations (runtime
functions, intrinsics, constants, metadata) while functions are emitted;
:class:`FuncEmitter` holds the text of one function being built, block by
block, and the helpers every opcode family uses (fresh names, typed loads and
stores with alias metadata, instance field addresses, conditional traps).

Why textual LLVM IR instead of ``llvmlite.ir`` objects: one Python string per
LLVM instruction is several times cheaper than an object graph, and the text
form gives direct access to everything we need (metadata, call-site
attributes, opaque pointers) without waiting for binding support.  The
parser in ``llvmlite.binding`` checks the result.

Alias metadata (TBAA, one root, distinct sibling scalar types): linear memory
(every Wasm load/store, whatever its value type -- Wasm memory is untyped, so
one tag for all), instance bookkeeping (slots, runtime structs, type ids,
funcrefs, segments), global storage and table elements.  Siblings never alias,
so a store to linear memory does not force a reload of ``mem->base`` or of a
global.  Calls still clobber everything (LLVM cannot see into them).
"""
from __future__ import annotations

import re
import sys
from typing import NamedTuple

from ...ir.opcodes import FloatCC, IntCC, Opcode
from ...ir.types import EXTERNREF, F32, F64, FUNCREF, I32, I64, V128
from . import upper

LTYPE = {I32: "i32", I64: "i64", F32: "float", F64: "double", V128: "<2 x i64>",
         FUNCREF: "ptr", EXTERNREF: "ptr"}

#: Metadata node numbers (fixed; printed once by ModuleContext.metadata()).
TBAA_MEM = "!10"       # linear memory
TBAA_INST = "!11"      # instance bookkeeping and runtime structs
TBAA_GLOBAL = "!12"    # Wasm global storage
TBAA_TABLE = "!13"     # table element arrays
MD_EMPTY = "!20"       # for !invariant.load
MD_COLD = "!21"        # branch weights: the first successor is (almost) never taken
#: Loop ID of a strict-order float reduction's back edge: LLVM must not
#: unroll it (control.py, _reduction_edge).  One node for every such loop
#: of a module, where clang makes one per loop: the only attribute is a
#: disable, and LLVM's loop passes give a loop they transform a new ID
#: (``makeFollowupLoopID``) instead of editing this one, so sharing cannot
#: leak a property from one loop to another.
MD_NO_UNROLL = "!22"
#: Branch weights of a ``brif`` into a cold block (ir Layout.cold: a branch
#: hint of the module): clang's for ``__builtin_expect`` (2000 : 1), by
#: which successor is the cold one.
MD_UNLIKELY_FIRST = "!14"
MD_UNLIKELY_SECOND = "!15"

_METADATA = """\
!0 = !{!"wasmaot tbaa"}
!1 = !{!"wasm linear memory", !0, i64 0}
!2 = !{!"wasmaot instance", !0, i64 0}
!3 = !{!"wasm global", !0, i64 0}
!4 = !{!"wasm table element", !0, i64 0}
!10 = !{!1, !1, i64 0}
!11 = !{!2, !2, i64 0}
!12 = !{!3, !3, i64 0}
!13 = !{!4, !4, i64 0}
!14 = !{!"branch_weights", i32 1, i32 2000}
!15 = !{!"branch_weights", i32 2000, i32 1}
!20 = !{}
!21 = !{!"branch_weights", i32 1, i32 1048575}
!22 = distinct !{!22, !23}
!23 = !{!"llvm.loop.unroll.disable"}
"""


#: The first metadata number after the fixed nodes: ModuleContext.md_node's.
_MD_FIRST_FREE = 1 + max(int(n) for n in re.findall(r"^!(\d+) =", _METADATA, re.M))


#: IR condition codes -> LLVM ``icmp``/``fcmp`` predicates (scalar and vector).
ICMP = {IntCC.eq: "eq", IntCC.ne: "ne", IntCC.slt: "slt", IntCC.ult: "ult",
        IntCC.sgt: "sgt", IntCC.ugt: "ugt", IntCC.sle: "sle", IntCC.ule: "ule",
        IntCC.sge: "sge", IntCC.uge: "uge"}
# Wasm comparisons: ordered, except `ne`, which is true on NaN.
FCMP = {FloatCC.eq: "oeq", FloatCC.ne: "une", FloatCC.lt: "olt", FloatCC.gt: "ogt",
        FloatCC.le: "ole", FloatCC.ge: "oge"}


def ret_type(results) -> str:
    if not results:
        return "void"
    if len(results) == 1:
        return LTYPE[results[0]]
    return "{" + ", ".join(LTYPE[t] for t in results) + "}"


def c_string(s: bytes) -> str:
    """LLVM ``c"..."`` body for raw bytes (no terminator added)."""
    out = []
    for b in s:
        if 32 <= b < 127 and b not in (34, 92):
            out.append(chr(b))
        else:
            out.append(f"\\{b:02X}")
    return "".join(out)


class Callee(NamedTuple):
    """How one call site reaches its callee: ``call cc R func(ptr inst, ...)``."""
    func: str          # function operand: ``@symbol`` or a loaded pointer
    inst: str          # the callee's instance operand
    cc: str = ""       # LLVM calling-convention keyword; "" = the target's C convention
    int_ext: str = ""  # C convention: attribute of i32 arguments (Target.c_int_ext)


def c_int(value: str, ext: str) -> str:
    """An LLVM operand or parameter type (``i32 %x``, ``i32``) crossing the C
    ABI: ``ext`` (Target.c_int_ext) after an ``i32``, others unchanged."""
    if ext and (value == "i32" or value.startswith("i32 ")):
        return f"i32 {ext}{value[3:]}"
    return value


#: Largest ``P.data`` written as LLVM text; above, its bytes are an object
#: of their own.  Small modules (the spec tests) stay one LLVM module that
#: --emit llvm shows whole; 50 MB of data costs no LLVM parsing.
BLOB_INLINE_MAX = 64 * 1024


_TAIL_OPS = (int(Opcode.return_call), int(Opcode.return_call_indirect),
             int(Opcode.return_call_ref))


def has_tail_calls(irmod) -> bool:
    """Whether any function of ``irmod`` contains a Wasm tail call.  The
    opcode arrays are scanned as bytes (a C search; a hit at an odd offset
    is a false alarm that the exact ``in`` test then rules out)."""
    pats = [op.to_bytes(2, sys.byteorder) for op in _TAIL_OPS]     # array order
    for d in irmod.funcs:
        if d.body is not None:
            ops = d.body.dfg.op
            raw = ops.tobytes() if ops.itemsize == 2 else None
            if raw is not None and not any(p in raw for p in pats):
                continue
            if any(op in ops for op in _TAIL_OPS):
                return True
    return False


class ModuleContext:
    """Module-wide emission state.  ``ir`` is the IR module (the only source
    of module facts), ``layout`` the InstanceLayout, ``opts`` the
    CompileOptions, ``target`` the Target."""

    def __init__(self, irmod, opts, target, layout) -> None:
        self.ir = irmod
        self.opts = opts
        self.target = target
        self.layout = layout
        self.prefix = opts.prefix
        self.guard = opts.bounds == "guard"
        self.ptr_bytes = target.pointer_bytes
        # The internal convention: the target's, unless the module has tail
        # calls, which want ``tailcc`` (musttail whatever the prototypes)
        # where the target has it (backends/ABI.md "Functions").
        self.tail_calls = has_tail_calls(irmod)
        self.cc = target.tail_call_cc if self.tail_calls else target.internal_cc
        # This instance's memories addressed through the target's segment
        # register (memory.py, "Segment-addressed memory"): the program's
        # segment memory if this instance defines it or imports it.  Set
        # by program.emit_program.
        self.segment_mems: frozenset[int] = frozenset()
        #: internal functions leave the AVX upper state dirty; direct calls
        #: into C and returns to C clean it (upper.py).  Set by emit_program.
        self.clean_upper = False
        self.tail_candidates: dict[int, list[int]] = {}   # calls.indirect_candidates
        self.decls: dict[str, str] = {}      # symbol -> declaration line
        self.globals_text: list[str] = []    # module-level constants
        self._strings: dict[bytes, str] = {}
        self.func_names: dict[int, str] = {}     # defined function -> internal symbol
        self.c_names: dict[int, str] = {}        # defined function -> C-ABI entry symbol
        self.need_canon_funcref = False
        self.need_null_funcref = False
        # P.data: one constant byte array for the whole module (see blob()).
        self.blob_parts: list[bytes] = []
        self.blob_size = 0
        # Numbered metadata nodes made while emitting functions (alias scope
        # domains and scopes: memory.access_md), printed after the fixed
        # ones; the next free number is shared by every context of one
        # LLVM module (program.emit_program), so numbers never collide.
        self.md_lines: list[str] = []
        self.md_next = [_MD_FIRST_FREE]

    # ---- the static instance (CompileOptions.static_instance) ----------------
    def static_block(self) -> str:
        """The program's instance block, a symbol of the object: ``@P.static``."""
        return f"@{self.opts.prefix}.static"

    def block_offset(self) -> int:
        """This instance's byte offset in the program's block (0: a lone module)."""
        return 0

    def own_instance_arg(self, inst: str) -> str:
        """The instance argument of a call to one of the program's own
        functions whose instance is ``inst``: ``poison`` with a static
        instance, whose functions address their block and never read it."""
        return "poison" if self.opts.static_instance else inst

    # ---- names ---------------------------------------------------------------
    def fname(self, index: int) -> str:
        """Symbol of defined function ``index`` (internal convention)."""
        return self.func_names[index]

    def c_entry(self, index: int) -> str:
        """Symbol of defined function ``index``'s C-ABI entry (its export
        symbol, else ``P.fN.c``), which its funcref holds; asking for it
        is what makes the emitter generate it (``c_names``)."""
        name = self.c_names.get(index)
        if name is None:
            name = self.c_names[index] = f"{self.prefix}.f{index}.c"
        return name

    # ---- imports: the link plan's hooks -------------------------------------------
    # Each import is reached through the slot the host fills before
    # ``instantiate`` unless one of these says otherwise.  A link plan that
    # binds imports at compile time overrides them (.program.PlanContext:
    # direct calls into another instance, its memory/table/global objects);
    # a lone module binds nothing, so both return None.  ``b`` is the
    # builder of the code being emitted, for any address arithmetic.
    def import_callee(self, b: "Builder", fn: int) -> Callee | None:
        """Imported function ``fn``: a direct callee (symbol, instance
        operand, convention), or None to call through its funcref slot."""
        return None

    def func_linkage(self, index: int) -> str:
        """Linkage of defined function ``index``'s symbol: internal, unless
        code in another object calls it directly (the spec runner's
        per-module objects, :mod:`.script_links`: ``hidden``)."""
        return "internal"

    def import_object(self, b: "Builder", kind: int, index: int) -> str | None:
        """Imported memory/table/global ``index`` (``kind`` an EXTERN_*): a
        pointer operand to its ``wasmaot_memory``/``wasmaot_table``/value
        storage, or None to load it from its slot."""
        return None

    def declare(self, name: str, text: str) -> str:
        self.decls.setdefault(name, text)
        return "@" + name

    def runtime_global(self, name: str, ty: str) -> str:
        """A global the runtime defines (``wasmaot_stack_limit``...).  In
        static code (``backends.relocation_model``) it is ``dso_local``:
        addressed directly (``cmp sym(%rip), %rsp``), not through the GOT,
        which LLVM's static model still uses for a preemptible symbol.  PIC
        objects keep the GOT: their symbol may come from a shared library."""
        from .. import relocation_model
        dso = "dso_local " if relocation_model(self.opts, self.target) == "static" else ""
        return self.declare(name, f"@{name} = external {dso}global {ty}")

    def intrinsic(self, name: str, ret: str, params: str) -> str:
        return self.declare(name, f"declare {ret} @{name}({params})")

    def runtime(self, name: str, ret: str, params: str, attrs: str = "nounwind") -> str:
        """Declare C function ``name`` of the runtime (or shim); its i32
        parameters carry the target's C-ABI extension (``c_int``).  Its
        calls name no attributes: LLVM lowers a direct call with the
        declaration's."""
        assert "{" not in params and "<" not in params, params   # scalars and pointers only
        ext = self.target.c_int_ext
        plist = ", ".join(c_int(t, ext) for t in params.split(", ")) if params else ""
        return self.declare(name, f"declare {ret} @{name}({plist}) {attrs}")

    def c_ret(self, rty: str) -> str:
        """Return type of a function C code calls, after its attribute
        (``signext i32``: a return attribute precedes the type)."""
        ext = self.target.c_int_ext
        return f"{ext} {rty}" if ext and rty == "i32" else rty

    def string(self, s: str | bytes) -> str:
        """A private NUL-terminated constant; returns its symbol."""
        b = s.encode() if isinstance(s, str) else s
        sym = self._strings.get(b)
        if sym is None:
            sym = f"@{self.prefix}.str.{len(self._strings)}"
            self._strings[b] = sym
            self.globals_text.append(
                f'{sym} = private unnamed_addr constant [{len(b) + 1} x i8] c"{c_string(b)}\\00", align 1')
        return sym

    # ---- the data blob --------------------------------------------------------
    # Every byte the module's glue reads as data (data segments, element
    # offset tables) goes into ONE constant array ``P.data`` instead of a
    # constant per segment: a module of 10,000 segments gets one global, and
    # bytes that only need copying never become per-element LLVM values.
    # Small arrays are LLVM text (blob_global); large ones are written into
    # an object of their own as raw bytes (codegen.data_object), so that
    # megabytes of data never pass through LLVM's text parser.
    def blob_symbol(self) -> str:
        return f"{self.prefix}.data"

    def blob(self, data: bytes, align: int = 1) -> str:
        """Append ``data`` to ``P.data`` (at a multiple of ``align``); a
        constant pointer operand to it."""
        pad = -self.blob_size % align
        if pad:
            self.blob_parts.append(bytes(pad))
            self.blob_size += pad
        off = self.blob_size
        self.blob_parts.append(data)
        self.blob_size += len(data)
        sym = "@" + self.blob_symbol()
        return f"getelementptr inbounds (i8, ptr {sym}, i64 {off})" if off else sym

    def blob_external(self) -> bool:
        """Are ``P.data``'s bytes an object of their own?"""
        return bool(self.blob_parts) and self.blob_size > BLOB_INLINE_MAX

    def blob_global(self) -> tuple[str, bool] | None:
        """``P.data``'s definition (inline, up to BLOB_INLINE_MAX bytes) or
        external declaration (its bytes go into an object of their own),
        and whether it is external; None when nothing uses it."""
        if not self.blob_parts:
            return None
        ty = f"[{self.blob_size} x i8]"
        if self.blob_external():
            return f"@{self.blob_symbol()} = external hidden constant {ty}, align 16", True
        body = c_string(b"".join(self.blob_parts))
        return f'@{self.blob_symbol()} = internal constant {ty} c"{body}", align 16', False

    def metadata(self) -> str:
        return _METADATA

    def md_node(self, body: str) -> str:
        """A new ``distinct`` node ``!N = distinct !{!N, body}``; returns ``!N``
        (self-referential, so that LLVM's inliner gives every inlined copy
        nodes of its own: a node identified by a string alone would be
        uniqued back into the original)."""
        n = self.md_next[0]
        self.md_next[0] += 1
        self.md_lines.append(f"!{n} = distinct !{{!{n}, {body}}}")
        return f"!{n}"


class Builder:
    """Straight-line LLVM text in ``cur`` (a list of lines), with the
    helpers every emitter needs: fresh names, byte offsets from a pointer,
    instance fields, loads and stores with alias metadata.  The module glue
    (instantiate, trampolines) uses it as is; :class:`FuncEmitter` adds
    blocks and traps."""

    def __init__(self) -> None:
        self.cur: list[str] = []
        self._n = 0

    def tmp(self, hint: str = "t") -> str:
        self._n += 1
        return f"%{hint}{self._n}"

    def emit(self, line: str) -> None:
        self.cur.append("  " + line)

    def gep(self, base: str, off: int | str) -> str:
        """``base + off`` bytes (``off`` an int or an ``i64`` operand)."""
        if off == 0:
            return base
        t = self.tmp("p")
        self.emit(f"{t} = getelementptr inbounds i8, ptr {base}, i64 {off}")
        return t

    def inst_field(self, off: int) -> str:
        return self.gep("%inst", off)

    def load(self, ty: str, ptr: str, tag: str, align: int = 8, invariant: bool = False,
             hint: str = "l") -> str:
        t = self.tmp(hint)
        md = f", !tbaa {tag}"
        if invariant:
            md += f", !invariant.load {MD_EMPTY}"
        self.emit(f"{t} = load {ty}, ptr {ptr}, align {align}{md}")
        return t

    def store(self, ty: str, value: str, ptr: str, tag: str, align: int = 8) -> None:
        self.emit(f"store {ty} {value}, ptr {ptr}, align {align}, !tbaa {tag}")

    def label(self, name: str) -> None:
        """End the current block with a branch to a new block ``name``."""
        self.emit(f"br label %{name}")
        self.cur.append(f"{name}:")


class FuncEmitter(Builder):
    """Text of one LLVM function under construction.

    ``blocks`` is a list of ``[label, phi_lines, lines]``; ``cur`` is the
    ``lines`` list of the block being filled.  ``entry_lines`` go first in the
    LLVM entry block (allocas, prologue).  Conditional traps split the current
    block, so the LLVM block that ends an IR block is ``self.label`` at the
    time its terminator is emitted (what phis must name).
    """

    def __init__(self, mc: ModuleContext, func, index: int = -1) -> None:
        super().__init__()
        self.mc = mc
        self.func = func
        #: the function's index among the module's defined functions (its
        #: symbol: mc.fname)
        self.index = index
        self.dfg = func.dfg
        self.consts: dict[int, str] = {}
        self.blocks: list[list] = []
        self.label = ""
        self.entry_lines: list[str] = []
        self.trap_codes: set[int] = set()
        self.allocas: dict[str, str] = {}
        #: no-wrap facts (backends/llvm/nowrap.py), or None: emit plain ops
        self.nowrap = None
        #: alias scope domain -> group -> its metadata node (memory.access_md), made on first use
        self.scope_domains: dict | None = None
        #: iadd results to follow with a freeze (addrbase.py)
        self.frozen: frozenset[int] = frozenset()

    def emit(self, line: str) -> None:
        """Append ``line``; a direct call into C gets a ``vzeroupper``
        first where internal functions leave the AVX upper state dirty
        (upper.py)."""
        if self.mc.clean_upper and upper.calls_c(line, upper.internal_ccs(self.mc.target)):
            self.cur.append("  " + upper.clean_call(self.mc))
        self.cur.append("  " + line)

    # ---- values -------------------------------------------------------------------
    def val(self, v: int) -> str:
        c = self.consts.get(v)
        return c if c is not None else f"%v{int(v)}"

    def ty(self, v: int) -> str:
        return LTYPE[self.dfg.vtype[v]]

    def typed(self, v: int) -> str:
        return f"{self.ty(v)} {self.val(v)}"

    def res(self, inst: int) -> str:
        return f"%v{self.dfg.res[inst]}"

    def start_block(self, label: str) -> None:
        self.label = label
        self.cur = []
        self.blocks.append([label, [], self.cur])

    def alloca(self, key: str, ty: str, align: int) -> str:
        """One entry-block alloca per ``key`` (static, so it costs nothing
        and SROA can remove it)."""
        name = self.allocas.get(key)
        if name is None:
            name = f"%scratch.{key}"
            self.allocas[key] = name
            self.entry_lines.append(f"  {name} = alloca {ty}, align {align}")
        return name

    # ---- traps ------------------------------------------------------------------
    def trap_label(self, rt_code: int) -> str:
        self.trap_codes.add(rt_code)
        return f"trap.{rt_code}"

    def trap_if(self, cond: str, rt_code: int) -> None:
        """Branch to the function's shared cold trap block for ``rt_code``
        when the i1 ``cond`` is true; continue in a fresh block."""
        ok = self.tmp("ok")[1:]
        self.emit(f"br i1 {cond}, label %{self.trap_label(rt_code)}, label %{ok}, !prof {MD_COLD}")
        self.start_block(ok)

    def trap_now(self, rt_code: int) -> None:
        """Unconditional trap: ends the current block."""
        self.emit(f"br label %{self.trap_label(rt_code)}")
