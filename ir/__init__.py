"""wasmaot's SSA intermediate representation.

Wasm bytes -> frontend (decode/validate) -> **IR** -> passes -> LLVM IR.

Modules (each documents its invariants):

* :mod:`.entities`   typed int handles: ``Value`` (v3), ``Block`` (block2),
  ``Inst``, ``FuncRef`` (fn1), ``SigRef``, ``GlobalRef``, ``TableRef``,
  ``MemRef``, ``ElemRef``, ``DataRef``
* :mod:`.types`      value types (the frontend's Wasm type ints) and classes
* :mod:`.opcodes`    THE opcode table; ``Opcode`` enum, ``OPINFO[op]``
* :mod:`.trapcodes`  ``TrapCode`` with the spec's trap messages
* :mod:`.dfg` / :mod:`.layout` / :mod:`.function` / :mod:`.module`
  storage: data-flow graph (arrays), block/instruction order (linked lists)
* :mod:`.builder`    ``FunctionBuilder``/``Cursor``/``replace``: one method per opcode
* :mod:`.printer` / :mod:`.parser`   the text form (round-trips)
* :mod:`.verifier`   invariants; :mod:`.cfg` CFG and dominator tree
* :mod:`.wasm_numerics`  Wasm numeric semantics on bit patterns
* :mod:`.pipeline`   pass manager; :mod:`.passes` one module per pass

Building a function::

    from wasmaot.ir import *
    m = Module()
    f = Function("add", Signature((I32, I32), (I32,)))
    m.add_function(f)
    fb = FunctionBuilder(f)
    fb.switch_to_block(fb.create_block())
    x, y = fb.append_entry_params()
    fb.return_([fb.iadd(x, y)])
    verify_function(f)
    print(f)
"""
from .builder import BuildError, Cursor, FunctionBuilder, InstBuilder, replace
from .entities import (Block, DataRef, ElemRef, FuncRef, GlobalRef, Inst, MemRef, SigRef,
                       TableRef, Value)
from .function import Function
from .module import (DataDecl, ElemDecl, FuncDecl, GlobalDecl, GlobalInit, Import,
                     MemoryDecl, Module, Signature, TableDecl)
from .opcodes import BY_NAME, OPINFO, FloatCC, ImmKind, IntCC, MemFlags, Opcode, OpInfo
from .pipeline import PIPELINE, PassManager, run_passes
from .trapcodes import TrapCode
from .types import EXTERNREF, F32, F64, FUNCREF, I32, I64, V128
from .verifier import VerifierError, verify_function, verify_module

import types as _types

#: The text form is imported on first use (PEP 562): compiling Wasm needs
#: neither, and the parser alone is a noticeable part of start-up.
_LAZY = {"ParseError": "parser", "parse_function": "parser", "parse_module": "parser",
         "print_function": "printer", "print_module": "printer"}

__all__ = sorted([k for k, v in globals().items()
                  if not k.startswith("_") and not isinstance(v, _types.ModuleType)] + list(_LAZY))


def __getattr__(name: str):
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
