"""The dispatch tables, indexed by the Wasm ``Op.key``, built once at import.

``DISPATCH[op.key]`` translates ``op`` in live code; ``SKIP_DISPATCH``
holds what runs in dead code (block nesting).  Every Wasm 2.0 instruction,
SIMD included, must have a handler: checked here, at import.
"""
from __future__ import annotations

from ...frontend.opcodes import OPS
from . import calls, control, exceptions, memory, numeric, simd, tables, variables

_BY_NAME = {}
for _mod in (control, numeric, variables, memory, tables, calls, simd, exceptions):
    for _name, _h in _mod.HANDLERS.items():
        assert _name not in _BY_NAME, f"two handlers for {_name}"
        _BY_NAME[_name] = _h

DISPATCH: dict[int, object] = {}
SKIP_DISPATCH: dict[int, object] = {}
for _op in OPS:
    if _op.name not in _BY_NAME:
        raise AssertionError(f"no translator for Wasm op {_op.name}")
    DISPATCH[_op.key] = _BY_NAME[_op.name]
    if _op.name in control.SKIP:
        SKIP_DISPATCH[_op.key] = control.SKIP[_op.name]

_unused = set(_BY_NAME) - {op.name for op in OPS}
assert not _unused, f"handlers for unknown ops: {_unused}"
