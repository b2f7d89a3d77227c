"""Expected spec-suite failures: the one explicit list, with a reason each.

Keys are ``(file name, line of the command)``; a listed entry that *passes*
is reported as an error ("unexpected pass"), so this list cannot go stale
silently.  Frontend-only mode and execution mode share it; an entry may be
limited to one mode with the ``modes`` field, and to one bounds mode with
``bounds``.  wasmtime's regression suite has its own list, keyed by path
(:mod:`.wasmtime_misc`), under the same rules.

Empty: Wasm 2.0 + extended-const pass completely, both in frontend-only mode
and in execution mode.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Expected:
    reason: str
    modes: frozenset[str] = frozenset({"frontend", "exec"})
    bounds: frozenset[str] = frozenset({"guard", "explicit"})   # exec mode only

    def applies(self, opts) -> bool:
        """Whether the entry covers a run with these runner Options."""
        return opts.mode in self.modes and (opts.mode != "exec" or opts.bounds in self.bounds)


EXPECTED_FAILURES: dict[tuple[str, int], Expected] = {
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
}
