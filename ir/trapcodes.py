"""Trap codes: why a trapping instruction stops execution.

Each code's ``message`` is the exact wording of the WebAssembly spec test
suite (``assert_trap`` strings), so the runtime can report it and the spec
runner can compare it.  The short ``name`` is the text-form spelling
(``trap int_divz``).  Codes are small ints because they are stored as an
instruction immediate.
"""
from __future__ import annotations

import enum


class TrapCode(enum.IntEnum):
    unreachable = 0      # the Wasm `unreachable` instruction
    int_divz = 1         # div/rem by zero
    int_ovf = 2          # INT_MIN / -1, float->int truncation out of range
    bad_toint = 3        # float->int truncation of NaN
    heap_oob = 4         # linear memory access out of bounds
    table_oob = 5        # table.get/set/fill/copy/init out of bounds
    bad_sig = 6          # call_indirect signature mismatch
    undef_elem = 7       # call_indirect index >= table size
    uninit_elem = 8      # call_indirect through a null entry
    stk_ovf = 9          # native stack exhausted (call depth)

    @property
    def message(self) -> str:
        return _MESSAGES[self]

    @classmethod
    def from_message(cls, message: str) -> "TrapCode":
        return _BY_MESSAGE[message]


_MESSAGES = {
    TrapCode.unreachable: "unreachable",
    TrapCode.int_divz: "integer divide by zero",
    TrapCode.int_ovf: "integer overflow",
    TrapCode.bad_toint: "invalid conversion to integer",
    TrapCode.heap_oob: "out of bounds memory access",
    TrapCode.table_oob: "out of bounds table access",
    TrapCode.bad_sig: "indirect call type mismatch",
    TrapCode.undef_elem: "undefined element",
    TrapCode.uninit_elem: "uninitialized element",
    TrapCode.stk_ovf: "call stack exhausted",
}
_BY_MESSAGE = {m: c for c, m in _MESSAGES.items()}
