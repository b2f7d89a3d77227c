"""The component model's binary side: decoder, validator, inspect.

See README.md in this folder for the design.  Entry points:

- :func:`is_component` — does a binary have the component preamble?
- :func:`component_binary` — a component's binary from a file's bytes
  (binary, or text whose first form is ``(component``), else None.
- :func:`load_component` — decode and validate; returns the top
  :class:`~.validate.Scope` (semantic types of every index space).
- :func:`inspect_component` — the text ``wasmaot inspect`` prints.
- :mod:`.wave` — WAVE values (``--invoke``): :func:`parse_call`,
  :func:`parse_value`, :func:`format_value`, :func:`format_result`.
- :mod:`.canonabi` — the canonical ABI as a Python model (lift/lower).
- :func:`flatten_component` — the static instance graph as core instances
  with resolved imports (:mod:`.flatten`).
"""
from __future__ import annotations

import os
import re

from .canonabi import Case, Context, Trap
from .flatten import flatten_component
from .reader import UnsupportedError, decode_component, is_component
from .validate import Scope, validate_component
from .wave import WaveError, format_result, format_value, parse_call, parse_value

# The text form's first token, after blanks and comments, is "(component".
_COMPONENT_TEXT = re.compile(rb"(?:\s+|;;[^\n]*(?:\n|\Z)|\(;.*?;\))*\(\s*component\b", re.DOTALL)


def component_binary(data: bytes, filename: str | None = None) -> bytes | None:
    """The component binary ``data`` holds (it is one, or it is component
    text, which is encoded), or None for anything else: a core module, or
    input that is neither (the module path reports that).  A ``.wasm`` file
    is never text, as for modules."""
    if is_component(data):
        return data
    suffix = os.path.splitext(filename or "")[1].lower()
    if suffix == ".wasm" or not _COMPONENT_TEXT.match(data):
        return None
    from ..load import (
        to_binary,  # text: the core loader's one path (errors named alike)
    )
    return to_binary(data, filename)


def load_component(data: bytes, filename: str | None = None) -> Scope:
    """Decode and validate a component binary.  Raises WasmError subclasses."""
    comp = decode_component(data, filename)
    comp.filename = filename
    return validate_component(comp, filename)


def inspect_component(data: bytes, filename: str | None = None) -> str:
    from .inspect import render
    return render(load_component(data, filename), filename, len(data))


__all__ = [
    "Case",
    "Context",
    "Scope",
    "Trap",
    "UnsupportedError",
    "WaveError",
    "component_binary",
    "decode_component",
    "flatten_component",
    "format_result",
    "format_value",
    "inspect_component",
    "is_component",
    "load_component",
    "parse_call",
    "parse_value",
    "validate_component",
]
