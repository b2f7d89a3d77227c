"""Expected spec-suite failures: the one explicit list, with a reason each.

Keys are ``(file name, line of the command)``; a listed entry that *passes*
is reported as an error ("unexpected pass"), so this list cannot go stale
silently.  Frontend-only mode and execution mode share it; an entry may be
limited to one mode with the ``modes`` field, and to one bounds mode with
``bounds``.  wasmtime's regression suite has its own list, keyed by path
(:mod:`.wasmtime_misc`), under the same rules.

Wasm 2.0 + extended-const pass completely, both in frontend-only mode and
in execution mode.  An entry may be limited to scripts of some folders
(``folders``: the names of their directories, ``wasm-3.0``...) where
another suite has a file of the same name.

:data:`GC_FILES` is the one list of the scripts that need garbage
collection (not implemented): whole-file entries (their failing commands
are expected, at least one must fail).
"""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Expected:
    reason: str
    modes: frozenset[str] = frozenset({"frontend", "exec"})
    bounds: frozenset[str] = frozenset({"guard", "explicit"})   # exec mode only
    folders: frozenset[str] | None = None    # None: a script of that name anywhere

    def applies(self, opts) -> bool:
        """Whether the entry covers a run with these runner Options."""
        return opts.mode in self.modes and (opts.mode != "exec" or opts.bounds in self.bounds)

    def covers(self, path: str) -> bool:
        """Whether the entry is about the script at ``path``."""
        return self.folders is None or _folder(path) in self.folders


_GC_CONST = "needs garbage collection (not implemented; wasmparser gates it under gc): "


def _folder(path: str) -> str:
    return os.path.basename(os.path.dirname(os.path.abspath(path)))



EXPECTED_FAILURES: dict[tuple[str, int], Expected] = {
    # proposals/function-references (written before Wasm 3.0)
    ("elem.wast", 885): Expected(
        "written before extended-const: i32.add is a constant instruction in Wasm 3.0 (as "
        "wasm-3.0/elem.wast has it), so the element expression is a type mismatch",
        folders=frozenset({"function-references"})),
    ("type-equivalence.wast", 30): Expected(
        "written before Wasm 3.0: a type referring to itself, (type $t (func (result (ref "
        "$t)))), is a recursive type of one (its own rec group) in Wasm 3.0, valid",
        folders=frozenset({"function-references"})),
    # proposals/custom-page-sizes (2024-12 snapshot)
    ("memory_max.wast", 45): Expected(
        "written before Wasm 3.0 read a 32-bit memory's bounds as u64: with memory64 on, "
        "'(memory 0x1_0000_0000 (pagesize 1))' parses and is invalid ('memory size must be at "
        "most 4294967295 pages'), as wasm-3.0/memory.wast has it for '(memory 0x1_0000_0000)' "
        "and the proposal's later memory_max.wast says; this script says malformed"),
    **{("custom-page-sizes-invalid.wast", line): Expected(
        "the proposal's interpreter words a page size mismatch 'memory types incompatible'; "
        "ours is the spec's 'incompatible import type' (as wasm-3.0 linking.wast expects for "
        "memory mismatches), for the same import", frozenset({"exec"}))
       for line in (103, 110)},
    # proposals/wasm-3.0: constant expressions reading a *defined* global.
    # Wasm 3.0 took this from the GC proposal, and wasmparser (wasmtime)
    # allows it only with its gc feature ("constant expression required:
    # global.get of locally defined global" under -W gc=n); we gate it the
    # same way, and GC is not implemented.  The assert_returns of
    # global.wast after line 634 read that module.
    **{(f, line): Expected(
        _GC_CONST + "a constant expression reads a defined global",
        folders=frozenset({"wasm-3.0"}))
       for f, lines in (("data.wast", (85, 86)), ("elem.wast", (178, 182)),
                        ("global.wast", (373, 374, 634, 659, 660, 661, 663, 664)))
       for line in lines},
}


_GC = "needs garbage collection (not implemented): "

#: The scripts of the Wasm 3.0 suite that need GC, with what of it; the ones
#: whose every module needs it (array.wast, struct.wast, i31.wast,
#: ref_null.wast) are not run at all (skipped as unsupported).
GC_FILES: dict[str, str] = {
    "wasm-3.0/array_copy.wast": _GC + "array types",
    "wasm-3.0/array_fill.wast": _GC + "array types",
    "wasm-3.0/array_init_data.wast": _GC + "array types",
    "wasm-3.0/array_init_elem.wast": _GC + "array types",
    "wasm-3.0/binary-gc.wast": _GC + "array types in the binary format",
    "wasm-3.0/br_on_cast.wast": _GC + "struct types, sub types, casts",
    "wasm-3.0/br_on_cast_fail.wast": _GC + "struct types, sub types, casts",
    "wasm-3.0/extern.wast": _GC + "any.convert_extern / extern.convert_any, ref.host",
    "wasm-3.0/ref_cast.wast": _GC + "struct types, sub types, casts",
    "wasm-3.0/ref_eq.wast": _GC + "eqref, sub types",
    "wasm-3.0/ref_test.wast": _GC + "struct types, sub types, casts",
    "wasm-3.0/type-canon.wast": _GC + "rec groups",
    "wasm-3.0/type-equivalence.wast": _GC + "rec groups",
    "wasm-3.0/type-rec.wast": _GC + "rec groups",
    "wasm-3.0/type-subtyping.wast": _GC + "sub types",
    "wasm-3.0/tag.wast": _GC + "rec groups (tag types in a rec group: tag identity by "
    "type equivalence)",
}


def gc_expected(path: str) -> Expected | None:
    """The whole-file entry of a script that needs GC, if it is one."""
    key = f"{_folder(path)}/{os.path.basename(path)}"
    reason = GC_FILES.get(key)
    return None if reason is None else Expected(reason)
