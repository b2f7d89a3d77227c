"""The translator's one error type.

The translator only sees validated modules, so a ``TranslateError`` never
means "invalid Wasm": it means a construct the compiler does not support yet
(SIMD), and says which one.
"""
from __future__ import annotations


class TranslateError(NotImplementedError):
    """A valid construct the translator does not handle yet, e.g.
    ``TranslateError("SIMD not supported yet: i32x4.add")``."""
