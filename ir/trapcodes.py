"""Trap codes: why a trapping instruction stops execution.

THE one numbering of traps, shared by the IR, the emitter and the C runtime:
``TrapCode.x`` has the value of the runtime's ``WASMAOT_TRAP_<X>``
(``runtime-c/include/wasmaot_rt.h`` section 2, a ``uint32_t``), so generated
code passes the IR immediate to ``wasmaot_trap(code)`` unchanged.  The
definition lives here, not in ``backends/abi.py``, because the IR must not
import the backend; ``backends/abi.py`` re-exports it, and
``tests/runtime/test_build.py`` compiles static asserts generated from this
enum against the header on every target.

* 0 is ``WASMAOT_TRAP_NONE`` ("no trap", what ``wasmaot_rt_try`` returns),
  deliberately not a member: no instruction traps with it.
* The ``name`` is the C enumerator without ``WASMAOT_TRAP_``, lower case; it
  is the text-form spelling (``trapz integer_divide_by_zero v3``).
* ``message`` is the exact wording of the WebAssembly spec test suite
  (``assert_trap`` / ``assert_exhaustion``), which the runtime prints as
  ``wasm trap: <message>`` and the spec runner compares.
* Codes after ``call_stack_exhausted`` belong to the proposals' suites and
  the embedder; they are numbered now so adding those features renumbers
  nothing.  Append new codes at the end, in C and here, in one commit.
"""
from __future__ import annotations

import enum

#: ``WASMAOT_TRAP_NONE``: "no trap" (never an instruction's code).
TRAP_NONE = 0


class TrapCode(enum.IntEnum):
    # Wasm 2.0 core: every distinct assert_trap/assert_exhaustion message
    unreachable = 1                   # the Wasm `unreachable` instruction
    memory_out_of_bounds = 2          # loads, stores, memory.fill/copy/init
    table_out_of_bounds = 3           # table.get/set/fill/copy/init
    indirect_call_type_mismatch = 4   # call_indirect signature mismatch
    uninitialized_element = 5         # call_indirect through a null entry
    undefined_element = 6             # call_indirect index >= table size
    integer_divide_by_zero = 7        # div/rem by zero
    integer_overflow = 8              # INT_MIN / -1, float->int out of range
    invalid_conversion = 9            # float->int truncation of NaN
    call_stack_exhausted = 10         # native stack exhausted (call depth)
    # proposals (function-references, gc, threads, exception-handling)
    null_function_reference = 11      # call_ref
    null_reference = 12               # ref.as_non_null
    null_structure_reference = 13
    null_array_reference = 14
    null_i31_reference = 15
    cast_failure = 16
    array_out_of_bounds = 17
    unaligned_atomic = 18
    uncaught_exception = 19
    # raised by an embedder (a host import that cannot continue)
    host = 20
    # the canonical ABI (components; the runtime sets the detailed message)
    component = 21

    @property
    def message(self) -> str:
        return _MESSAGES[self]

    @property
    def c_name(self) -> str:
        """The runtime's enumerator, e.g. ``WASMAOT_TRAP_UNREACHABLE``."""
        return "WASMAOT_TRAP_" + self.name.upper()

    @classmethod
    def from_message(cls, message: str) -> "TrapCode":
        return _BY_MESSAGE[message]


_MESSAGES = {
    TrapCode.unreachable: "unreachable",
    TrapCode.memory_out_of_bounds: "out of bounds memory access",
    TrapCode.table_out_of_bounds: "out of bounds table access",
    TrapCode.indirect_call_type_mismatch: "indirect call type mismatch",
    TrapCode.uninitialized_element: "uninitialized element",
    TrapCode.undefined_element: "undefined element",
    TrapCode.integer_divide_by_zero: "integer divide by zero",
    TrapCode.integer_overflow: "integer overflow",
    TrapCode.invalid_conversion: "invalid conversion to integer",
    TrapCode.call_stack_exhausted: "call stack exhausted",
    TrapCode.null_function_reference: "null function reference",
    TrapCode.null_reference: "null reference",
    TrapCode.null_structure_reference: "null structure reference",
    TrapCode.null_array_reference: "null array reference",
    TrapCode.null_i31_reference: "null i31 reference",
    TrapCode.cast_failure: "cast failure",
    TrapCode.array_out_of_bounds: "out of bounds array access",
    TrapCode.unaligned_atomic: "unaligned atomic",
    TrapCode.uncaught_exception: "uncaught exception",
    TrapCode.host: "host trap",
    TrapCode.component: "component model trap",
}
_BY_MESSAGE = {m: c for c, m in _MESSAGES.items()}
assert len(_MESSAGES) == len(TrapCode) and len(_BY_MESSAGE) == len(TrapCode)
