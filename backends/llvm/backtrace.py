"""The trap backtrace table: native code -> Wasm functions, in the object.

What (backends/ABI.md "Trap backtraces"): every generated function goes
into one code section, ``wasmaot_text`` (so the runtime knows the bounds of
generated code from the linker's ``__start_``/``__stop_`` symbols), and
each instance of the program gets one table, found by the runtime through
its header in section ``wasmaot_bt``:

* header ``wasmaot_bt_instance`` {version, n_funcs, funcs, names}: ``funcs``
  and ``names`` are byte offsets relative to the field that holds them;
* ``n_funcs`` records ``wasmaot_bt_func`` {code, index, offset, name}:
  ``code`` the function's entry relative to the field (a PC-relative
  relocation: no dynamic relocation, nothing for ``strip`` to remove),
  ``index`` its Wasm function index or ``WASMAOT_BT_GLUE`` for generated
  glue (C entries, trampolines, instantiate: in the section, never printed),
  ``offset`` the function body's Wasm byte offset or ``WASMAOT_BT_NO_OFFSET``,
  ``name`` an offset into ``names``;
* ``names``: the instance's name (``--preload NAME``; empty for the main
  instance), then each function's name from the name section (empty when
  the function has none: the runtime prints ``<wasm function N>``).

Every ``define`` of the module gets a record, glue included, so that the
runtime's lookup (the greatest entry <= PC) never attributes a PC to the
wrong function.  The header is a ``hidden`` constant (not ``internal``, so
LLVM keeps it) and the linker keeps it under ``--gc-sections`` because
``backends/link.py`` links with ``-z nostart-stop-gc``.

Cost: the references keep every function alive, so LLVM no longer deletes
an internal function that it inlined everywhere, and they count as taking
its address (no dead-argument elimination or IPSCCP across it).  Measured
in the ABI.md section.
"""
from __future__ import annotations

import re

#: Code section of generated functions; the runtime reads its bounds.
TEXT_SECTION = "wasmaot_text"
#: Section of the per-instance table headers.
TABLE_SECTION = "wasmaot_bt"
#: wasmaot_rt.h WASMAOT_BT_VERSION, WASMAOT_BT_GLUE, WASMAOT_BT_NO_OFFSET.
VERSION = 1
GLUE = 0xFFFFFFFF
NO_OFFSET = 0xFFFFFFFF
#: Function attributes of every generated function: the runtime walks the
#: frame-pointer chain (x86-64 rbp, AArch64 x29, RISC-V s0).
FRAME_ATTRS = '"frame-pointer"="all"'

def table_symbol(prefix: str) -> str:
    """The table header of the module compiled under ``prefix`` (the main
    instance's: the linker's GC root, see ``backends/link.py``)."""
    return f"{prefix}.bt"


_DEFINE_NAME = re.compile(r"@([-A-Za-z$._][-\w$.]*)\(")
_WASM_FUNC = re.compile(r"(.*)\.f(\d+)(?:\.c)?\Z")
_ENTRY = re.compile(r"(.*)\.tramp\.(\d+)\Z")


def place(contexts, funcs: list[str], glue: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Put every function text of ``funcs`` and ``glue`` in
    :data:`TEXT_SECTION`; returns (funcs, glue, table globals)."""
    by_prefix = {mc.prefix: mc for mc in contexts}
    records: dict[str, list[tuple[str, int, int, str]]] = {mc.prefix: [] for mc in contexts}
    out = []
    for texts in (funcs, glue):
        placed = []
        for text in texts:
            text, sym = _in_section(text)
            mc, index = _owner(sym, by_prefix, contexts[0])
            records[mc.prefix].append((sym, *_describe(mc, index)))
            placed.append(text)
        out.append(placed)
    table = []
    for mc in contexts:
        table += _table(mc, _instance_name(mc), records[mc.prefix])
    return out[0], out[1], table


def _in_section(text: str) -> tuple[str, str]:
    """``text`` (one ``define``) with the section added to its header line,
    and its symbol."""
    end = text.index("\n")
    header = text[:end]
    m = _DEFINE_NAME.search(header)
    if m is None or not header.endswith(" {") or " section " in header:
        raise ValueError(f"backtrace: unexpected function header {header[:80]!r}")
    return f'{header[:-2]} section "{TEXT_SECTION}" {{{text[end:]}', m.group(1)


def _owner(sym: str, by_prefix: dict, main):
    """(context, Wasm function index or None) of symbol ``sym``: a defined
    function ``P.fN``, or the glue that enters one (its C entry ``P.fN.c`` or
    ``P_export_NAME``, its trampoline ``P.tramp.N``), which then stands for
    it: LLVM inlines small functions into that glue, and the frame is the
    function's."""
    m = _WASM_FUNC.match(sym) or _ENTRY.match(sym)
    if m and m.group(1) in by_prefix:
        mc = by_prefix[m.group(1)]
        i = int(m.group(2))
        if i in mc.func_names and sym in (mc.func_names[i], mc.c_names.get(i), f"{m.group(1)}.tramp.{i}"):
            return mc, i
    for prefix in sorted(by_prefix, key=len, reverse=True):   # longest: P_i1 before P
        mc = by_prefix[prefix]
        if sym.startswith(prefix + "_export_"):
            for i, name in mc.c_names.items():
                if name == sym and i in mc.func_names:
                    return mc, i
        if sym.startswith((prefix + ".", prefix + "_")):
            return mc, None
    return main, None


def _describe(mc, index: int | None) -> tuple[int, int, str]:
    """(Wasm index or GLUE, body offset or NO_OFFSET, name) of a function."""
    if index is None:
        return GLUE, NO_OFFSET, ""
    decl = mc.ir.funcs[index]
    # The IR names an unnamed function fnN (ir/translate/module.py).
    name = "" if decl.name == f"fn{index}" else decl.name
    offset = getattr(decl, "offset", None)     # not in the IR yet: see ABI.md
    return index, NO_OFFSET if offset is None else offset, name


def _instance_name(mc) -> str:
    plan = getattr(mc, "plan", None)
    if plan is None:
        return ""
    return plan.instances[mc.index].name or ""


def _c_bytes(data: bytes) -> str:
    return "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\{b:02X}" for b in data)


def _table(mc, instance: str, recs: list[tuple[str, int, int, str]]) -> list[str]:
    """The globals of one instance's table."""
    P = mc.prefix
    ity = "i64" if mc.ptr_bytes == 8 else "i32"
    blob = bytearray(instance.encode() + b"\0")
    name_off: dict[str, int] = {"": len(blob) - 1}
    rows = []
    n = len(recs)
    arr = f"[{n} x [4 x i32]]"
    for k, (sym, index, offset, name) in enumerate(recs):
        if name not in name_off:
            name_off[name] = len(blob)
            blob += name.encode() + b"\0"
        here = f"getelementptr inbounds ({arr}, ptr @{P}.bt.funcs, i64 0, i64 {k}, i64 0)"
        rows.append(f"[4 x i32] [i32 {_rel(ity, '@' + sym, here)}, i32 {_i32(index)}, "
                    f"i32 {_i32(offset)}, i32 {name_off[name]}]")
    hdr_t = "[4 x i32]"
    def field(i: int) -> str:
        return f"getelementptr inbounds ({hdr_t}, ptr @{P}.bt, i64 0, i64 {i})"
    header = (f"@{P}.bt = hidden constant {hdr_t} [i32 {VERSION}, i32 {n}, "
              f"i32 {_rel(ity, f'@{P}.bt.funcs', field(2))}, "
              f"i32 {_rel(ity, f'@{P}.bt.names', field(3))}], "
              f'section "{TABLE_SECTION}", align 4')
    return [
        f"@{P}.bt.names = internal constant [{len(blob)} x i8] c\"{_c_bytes(bytes(blob))}\", align 1",
        f"@{P}.bt.funcs = internal constant {arr} [{', '.join(rows)}], align 4",
        header,
    ]


def _i32(v: int) -> int:
    return v - (1 << 32) if v >= 1 << 31 else v


def _rel(ity: str, target: str, here: str) -> str:
    """``target - here`` as an i32 constant: a PC-relative relocation."""
    d = f"sub ({ity} ptrtoint (ptr {target} to {ity}), {ity} ptrtoint (ptr {here} to {ity}))"
    return f"trunc ({ity} {d} to i32)" if ity == "i64" else d
