"""wasmaot: an ahead-of-time WebAssembly-to-native compiler.

Subpackages: ``frontend`` (binary/text decoding, validation), ``ir`` (SSA IR,
verifier, passes), ``backends`` (LLVM emission per target family),
``spectest`` (runner for the official .wast suite).  ``cli`` is the command line.
"""
__version__ = "0.1.0"
