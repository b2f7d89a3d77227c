"""Frontend: Wasm binary and text decoding and validation.

Layers, bottom up: ``types`` and ``opcodes`` (the one instruction table),
``reader`` (LEB128 and primitive values), ``code`` (instruction immediates and
body iteration), ``binary`` (core-module sections into a ``Module``),
``validate`` (module and function-body validation), ``text`` (the .wat/.wast
parsers, which produce binary bytes).  A component decoder will sit beside
``binary`` and reuse the same lower layers.
"""
