"""The trap backtrace table: native code -> Wasm functions, in the object.

What (backends/ABI.md "Trap backtraces"; layouts in wasmaot_rt.h section 9):

* every generated function goes into one code section, ``wasmaot_text`` (the
  runtime knows the bounds of generated code from the linker's
  ``__start_``/``__stop_`` symbols), with LLVM *prefix data* -- 16 bytes just
  before its entry, never executed -- ``wasmaot_bt_prefix`` {key (2 x u32),
  index, offset}: the instance's key, the Wasm function index (or
  ``WASMAOT_BT_GLUE`` for generated glue: instantiate, helpers), and the
  Wasm byte offset of its body (or ``WASMAOT_BT_NO_OFFSET``).  A trampoline
  or C entry carries the index of the function it enters: LLVM inlines small
  functions into it, and then its frame is theirs;
* each instance gets a header ``wasmaot_bt_instance`` in section
  ``wasmaot_bt`` {version, n_funcs, key, names index, names}: the names of
  its functions (the name section's, "" when the function has none) and the
  instance's own (``--preload NAME``, "" for the main one).

The runtime maps a PC to its function by scanning back to the nearest
prefix whose key is an instance's.  Nothing refers to a function, so this
changes no optimization: LLVM still deletes functions it inlined
everywhere, still rewrites internal functions' signatures (dead arguments,
constant propagation), and a function it rewrites keeps its prefix and
section (``copyAttributesFrom``).  A table of references to the functions
(the first design) kept them all alive and address-taken: +25% instructions
on the call-bound ``recursion`` workload, against +12% for frame pointers
alone.  On x86-64 (``Target.backtrace`` "unwind-tables") generated code has
no frame pointers and the runtime walks LLVM's unwind tables with libunwind
(ABI.md "Trap backtraces"): rbp becomes a 15th allocatable register.

The constants below are the header's (wasmaot_rt.h section 9); the tests
check them against it (tests/runtime/test_backtrace.py).

The key is 64 bits of a hash of the symbol prefix, which is unique in an
executable (every symbol starts with it).
"""
from __future__ import annotations

import hashlib
import re

#: Code section of generated functions; the runtime reads its bounds.
TEXT_SECTION = "wasmaot_text"
#: Section of the per-instance headers.
TABLE_SECTION = "wasmaot_bt"
#: wasmaot_rt.h WASMAOT_BT_VERSION, WASMAOT_BT_GLUE, WASMAOT_BT_NO_OFFSET.
VERSION = 2
GLUE = 0xFFFFFFFF
NO_OFFSET = 0xFFFFFFFF
#: Function attributes of every generated function, by Target.backtrace:
#: the runtime walks the frame-pointer chain (AArch64 x29, RISC-V s0, the
#: Cortex-M and RV32 images), or (x86-64) libunwind reads the unwind tables
#: (``uwtable``: asynchronous ones, exact at every instruction, since a
#: fault can stop any of them) and rbp is one more register to allocate.
FRAME_ATTRS = {"frame-pointers": '"frame-pointer"="all"',
               "unwind-tables": '"frame-pointer"="none" uwtable'}


def table_symbol(prefix: str) -> str:
    """The header of the module compiled under ``prefix``: ``P_backtrace``,
    ``hidden`` (global between objects, local in the executable; the main
    instance's is the linker's GC root, see ``backends/link.py``).  Not
    ``internal``: LLVM would delete it, since nothing refers to it."""
    return f"{prefix}_backtrace"


def instance_key(prefix: str) -> tuple[int, int]:
    """(low, high) 32-bit halves of the 64-bit key of instance ``prefix``."""
    k = int.from_bytes(hashlib.blake2b(prefix.encode(), digest_size=8).digest(), "little")
    return k & 0xFFFFFFFF, k >> 32


_DEFINE_NAME = re.compile(r"@([-A-Za-z$._][-\w$.]*)\(")
_WASM_FUNC = re.compile(r"(.*)\.f(\d+)(?:\.c)?\Z")
_ENTRY = re.compile(r"(.*)\.tramp\.(\d+)\Z")


def place(contexts, funcs: list[str], glue: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Put every function text of ``funcs`` and ``glue`` in
    :data:`TEXT_SECTION` with its prefix; returns (funcs, glue, headers)."""
    # longest prefix first (P_i1 before P), sorted once: per symbol it was
    # quadratic in the number of instances
    by_prefix = {mc.prefix: mc for mc in sorted(contexts, key=lambda c: len(c.prefix), reverse=True)}
    # C entries by symbol, built once: looking each P_export_* up by a scan
    # of every context's names was quadratic (10k exports: 41% of emit time).
    entries = {name: (mc, i) for mc in contexts for i, name in mc.c_names.items()
               if i in mc.func_names}
    out = []
    for texts in (funcs, glue):
        out.append([_placed(text, by_prefix, entries, contexts[0]) for text in texts])
    headers = []
    for mc in contexts:
        headers += _header(mc, _instance_name(mc))
    return out[0], out[1], headers


def _placed(text: str, by_prefix: dict, entries: dict, main) -> str:
    """``text`` (one ``define``) with section and prefix added to its header."""
    end = text.index("\n")
    header = text[:end]
    m = _DEFINE_NAME.search(header)
    if m is None or not header.endswith(" {") or " section " in header or " prefix " in header:
        raise ValueError(f"backtrace: unexpected function header {header[:80]!r}")
    mc, index = _owner(m.group(1), by_prefix, entries, main)
    lo, hi = instance_key(mc.prefix)
    offset = NO_OFFSET
    if index is None:
        index = GLUE
    else:
        found = body_offset(mc.ir.funcs[index])
        offset = NO_OFFSET if found is None else found
    prefix = f"prefix [4 x i32] [i32 {_i32(lo)}, i32 {_i32(hi)}, i32 {_i32(index)}, i32 {_i32(offset)}]"
    return f'{header[:-2]} section "{TEXT_SECTION}" {prefix} {{{text[end:]}'


def body_offset(decl) -> int | None:
    """The Wasm byte offset of a function's body, if the IR knows it (the
    translator records it in ``FuncDecl.offset``; `.ir` input may not)."""
    return decl.offset


def _owner(sym: str, by_prefix: dict, entries: dict, main):
    """(context, Wasm function index or None) of symbol ``sym``: a defined
    function ``P.fN``, or the glue that enters one (its C entry ``P.fN.c`` or
    ``P_export_NAME``, found in ``entries``; its trampoline ``P.tramp.N``),
    which stands for it."""
    m = _WASM_FUNC.match(sym) or _ENTRY.match(sym)
    if m and m.group(1) in by_prefix:
        mc = by_prefix[m.group(1)]
        i = int(m.group(2))
        if i in mc.func_names and sym in (mc.func_names[i], mc.c_names.get(i), f"{m.group(1)}.tramp.{i}"):
            return mc, i
    if sym in entries:
        return entries[sym]
    for prefix, mc in by_prefix.items():          # longest first (place)
        if sym.startswith((prefix + ".", prefix + "_")):
            return mc, None
    return main, None


def _instance_name(mc) -> str:
    plan = getattr(mc, "plan", None)
    if plan is None:
        return ""
    return plan.instances[mc.index].name or ""


def _c_bytes(data: bytes) -> str:
    return "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\{b:02X}" for b in data)


def _header(mc, instance: str) -> list[str]:
    """One instance's header and name tables.  Names: the instance's, then
    each function's (the IR calls an unnamed function ``fnN``: no name)."""
    P = mc.prefix
    ity = "i64" if mc.ptr_bytes == 8 else "i32"
    blob = bytearray(instance.encode() + b"\0")
    offsets: dict[str, int] = {"": len(blob) - 1}
    index = []
    for i, decl in enumerate(mc.ir.funcs):
        name = "" if decl.name == f"fn{i}" else decl.name
        if name not in offsets:
            offsets[name] = len(blob)
            blob += name.encode() + b"\0"
        index.append(f"i32 {offsets[name]}")
    lo, hi = instance_key(P)
    hdr_t = "[6 x i32]"

    def field(i: int) -> str:
        return f"getelementptr inbounds ({hdr_t}, ptr @{table_symbol(P)}, i64 0, i64 {i})"
    return [
        f"@{P}.bt.blob = internal constant [{len(blob)} x i8] c\"{_c_bytes(bytes(blob))}\", align 1",
        (f"@{P}.bt.index = internal constant [{len(index)} x i32] "
        f"{'[' + ', '.join(index) + ']' if index else 'zeroinitializer'}, align 4"),
        (f"@{table_symbol(P)} = hidden constant {hdr_t} [i32 {VERSION}, i32 {len(index)}, "
         f"i32 {_i32(lo)}, i32 {_i32(hi)}, "
         f"i32 {_rel(ity, f'@{P}.bt.index', field(4))}, i32 {_rel(ity, f'@{P}.bt.blob', field(5))}], "
         f'section "{TABLE_SECTION}", align 4'),
    ]


def _i32(v: int) -> int:
    return v - (1 << 32) if v >= 1 << 31 else v


def _rel(ity: str, target: str, here: str) -> str:
    """``target - here`` as an i32 constant: a PC-relative relocation."""
    d = f"sub ({ity} ptrtoint (ptr {target} to {ity}), {ity} ptrtoint (ptr {here} to {ity}))"
    return f"trunc ({ity} {d} to i32)" if ity == "i64" else d
