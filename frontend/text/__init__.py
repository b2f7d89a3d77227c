"""The WebAssembly text format: .wat modules and .wast scripts, to binary.

Wasm 2.0 plus extended-const, parsed by our own code (no external wat2wasm).

* :func:`parse_wat` -- one module (a ``(module ...)`` form, possibly
  ``binary``/``quote``, or bare module fields) -> Wasm binary bytes.
* :func:`parse_wast` -- a spec-test script -> list of commands (see
  :mod:`.script`); modules inside stay :class:`ModuleSource` objects until
  their ``to_binary()`` is called.

Modules, by concern: ``lexer`` (tokens), ``numbers`` (literals, exact float
rounding), ``cursor`` (token cursor, error wording), ``instr``
(instructions, one parser per ``Imm`` kind), ``wat`` (module fields and
sections), ``encode`` (binary primitives), ``script`` (wast commands).
Every error is a :class:`~wasmaot.frontend.errors.MalformedError` with
line/col.
"""
from __future__ import annotations

from .script import (
    Action, ActionCommand, AssertExhaustion, AssertInvalid, AssertMalformed, AssertModule,
    AssertReturn, AssertTrap, AssertUninstantiable, AssertUnlinkable, Command, Either, Get,
    Invoke, ModuleCommand, ModuleSource, NanPattern, RefExtern, RefFunc, RefNull, Register,
    V128Pattern, Value, parse_script,
)
from .lexer import tokenize
from .wat import module_from_token_range


def parse_wat(text: str, filename: str | None = None) -> bytes:
    """Parse one module in the text format and return its binary encoding."""
    tokens = tokenize(text, filename)
    return module_from_token_range(tokens, 0, len(tokens.toks))


def parse_wast(text: str, filename: str | None = None) -> list[Command]:
    """Parse a .wast script into commands (each with its source ``line``)."""
    return parse_script(text, filename)


__all__ = [
    "parse_wat", "parse_wast",
    "Command", "ModuleCommand", "Register", "ActionCommand", "AssertReturn", "AssertTrap",
    "AssertExhaustion", "AssertModule", "AssertInvalid", "AssertMalformed", "AssertUnlinkable",
    "AssertUninstantiable", "Action", "Invoke", "Get", "ModuleSource",
    "Value", "RefNull", "RefExtern", "RefFunc", "NanPattern", "V128Pattern", "Either",
]
