"""Wasm -> IR translation (see backends/ABI.md for where the IR goes next).

API::

    from wasmaot.frontend.load import load_module
    from wasmaot.ir.translate import translate, translate_module

    tr = translate(load_module(wasm_bytes))     # Translation(module, init_func)
    tr.module            # ir.Module: fnN/sigN/gN/memN/tableN/elemN/dataN = Wasm indices
    tr.init_func         # index of __wasmaot_init, [] -> [] (always the last function)
    translate_module(m)  # just the ir.Module

``TranslateError`` (a ``NotImplementedError``) is raised for valid modules
the translator does not support; every Wasm 2.0 instruction, SIMD
included, has a translation today.

Layout of the package, one file per concern:

* :mod:`.module`    declarations, per-function driver, ``__wasmaot_init``
* :mod:`.state`     per-function state: value stack, frames, emission helpers
* :mod:`.ssa`       SSA for locals (Braun et al., sealed blocks, on block params)
* :mod:`.dispatch`  handler tables indexed by the Wasm ``Op.key``
* :mod:`.control`, :mod:`.numeric`, :mod:`.variables`, :mod:`.memory`,
  :mod:`.tables`, :mod:`.calls`, :mod:`.simd`: the handlers, one small function per op
  family (numeric ops are table-driven closures)
"""
from .errors import TranslateError
from .module import INIT_NAME, Translation, translate, translate_function, translate_module

__all__ = ["INIT_NAME", "TranslateError", "Translation", "translate", "translate_function",
           "translate_module"]
