"""The component-export table as a data-only object (``wasmaot_component``).

Emitted with llvmlite like the other helper objects
(:mod:`wasmaot.backends.helper_objects`): arrays of 32-bit words for the
types, functions and pool, a byte array for the strings, and the
``wasmaot_cm_component`` header pointing at them.  The word arrays are
declared ``[N x i32]``: every struct of ``wasmaot_cm.h`` but the header is
all ``uint32_t``, so an array of words has exactly their layout.
"""
from __future__ import annotations

from ..helper_objects import emit_llvm_object, helper_module
from . import cm_abi as C
from .descriptors import Table


def table_object(table: Table, target: str) -> bytes:
    """An ELF object defining ``wasmaot_component`` for ``target``."""
    from llvmlite import ir
    if table.scratch:
        table.string(table.scratch)          # interned before the strings are laid out
    mod = helper_module(C.SYMBOL, target)
    i32, i8p = ir.IntType(32), ir.PointerType(ir.IntType(8))
    words = {
        "types": [n[f] for n in table.types for f in C.TYPE_FIELDS],
        "funcs": [f[k] for f in table.funcs for k in C.FUNC_FIELDS],
        "pool": table.pool,
        "adapters": [a[k] for a in table.adapters for k in C.ADAPTER_FIELDS],
        "resources": [r[k] for r in table.resources for k in C.RESOURCE_FIELDS],
        "builtins": [b[k] for b in table.builtins for k in C.BUILTIN_FIELDS],
        "imports": [f[k] for f in table.imports for k in C.IMPORT_FIELDS],
        "parents": table.parents,
    }
    ptrs = {k: _array(mod, f"{C.SYMBOL}.{k}", i32, v) for k, v in words.items()}
    ptrs["strings"] = _array(mod, f"{C.SYMBOL}.strings", ir.IntType(8), bytes(table.strings))
    head_t = ir.LiteralStructType([i32] * len(C.COMPONENT_WORDS) + [i8p] * len(C.COMPONENT_POINTERS))
    head = ir.GlobalVariable(mod, head_t, C.SYMBOL)
    head.global_constant = True
    head.align = 8
    scratch = table.string(table.scratch) if table.scratch else (0, 0)
    head_words = {"version": C.VERSION, "n_funcs": len(table.funcs), "n_types": len(table.types),
                  "has_run": int(table.has_run), "n_adapters": len(table.adapters),
                  "scratch": scratch[0], "scratch_len": scratch[1],
                  "n_components": table.n_components, "n_resources": len(table.resources),
                  "n_builtins": len(table.builtins), "n_imports": len(table.imports),
                  "pair_type": table.pair_type}
    head.initializer = ir.Constant(head_t, [i32(head_words[k]) for k in C.COMPONENT_WORDS]
                                   + [ptrs[k] for k in C.COMPONENT_POINTERS])
    return emit_llvm_object(str(mod), target)


def _array(mod, name: str, elem, values):
    """A private constant array (at least one element: C has no empty
    arrays, and a zero-length global may share its address with another)."""
    from llvmlite import ir
    values = list(values) or [0]
    arr_t = ir.ArrayType(elem, len(values))
    g = ir.GlobalVariable(mod, arr_t, name)
    g.global_constant = True
    g.linkage = "private"
    g.align = 4
    g.initializer = ir.Constant(arr_t, [elem(v) for v in values])
    return g.bitcast(ir.PointerType(ir.IntType(8)))
