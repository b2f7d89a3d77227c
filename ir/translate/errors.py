"""The translator's one error type.

The translator only sees validated modules, so a ``TranslateError`` never
means "invalid Wasm": it means a construct the compiler does not support yet
(today none in Wasm 2.0; later proposals, e.g. memory64), and says which one.
"""
from __future__ import annotations


class TranslateError(NotImplementedError):
    """A valid construct the translator does not handle yet, e.g.
    ``TranslateError("memory64 not supported yet: i64.load")``."""
