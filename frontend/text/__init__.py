"""The WebAssembly text format: .wat modules and .wast scripts, to binary.

Wasm 2.0 plus extended-const, parsed by our own code (no external wat2wasm).

* :func:`parse_wat` -- one module (a ``(module ...)`` form, possibly
  ``binary``/``quote``, or bare module fields) -> Wasm binary bytes.
* :func:`parse_component_text` -- one ``(component ...)`` (issue 13;
  ``component`` parses and expands, ``component_encode`` resolves and
  encodes, byte for byte as ``wasm-tools parse``).
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

from ..errors import MalformedError
from .component import parse_component_text
from .cursor import Cursor
from .lexer import tokenize
from .script import (
    Action,
    ActionCommand,
    AssertExhaustion,
    AssertInvalid,
    AssertMalformed,
    AssertModule,
    AssertReturn,
    AssertTrap,
    AssertUninstantiable,
    AssertUnlinkable,
    Command,
    ComponentCommand,
    ComponentDefinition,
    ComponentSource,
    CValue,
    Either,
    Get,
    Invoke,
    ModuleCommand,
    ModuleSource,
    NanPattern,
    RefExtern,
    RefFunc,
    RefNull,
    Register,
    V128Pattern,
    Value,
    parse_script,
)
from .wat import module_from_token_range


def parse_wat(text: str, filename: str | None = None) -> bytes:
    """Parse one module in the text format and return its binary encoding.

    A file that is not text at all (a Wasm binary, an executable...) or
    does not start like a module is rejected saying so, instead of with the
    first lexical error its bytes happen to hit (error path only)."""
    try:
        tokens = tokenize(text, filename)
        if Cursor(tokens).at_list("component"):
            from .component import component_from_token_range
            return component_from_token_range(tokens, 0, len(tokens.toks))
        return module_from_token_range(tokens, 0, len(tokens.toks))
    except MalformedError as e:
        raise _not_text(e, text) from None


def _not_text(err: MalformedError, text: str) -> MalformedError:
    from ..sniff import describe, looks_like_wat
    head = text[:8].encode("utf-8", "surrogateescape")
    what = describe(head)
    if what is not None and what != "WebAssembly text":
        hint = "; name it .wasm" if what.startswith("a WebAssembly") else ""
        return MalformedError(f"not WebAssembly text: this is {what}{hint}", 0,
                              filename=err.filename, line=1, col=1)
    stripped = text.lstrip()
    if stripped and not looks_like_wat(stripped[:4096].encode("utf-8", "surrogateescape")):
        err.message = f"not WebAssembly text (a module starts with '('): {err.message}"
        err.args = (err.message,)
    return err


def parse_wast(text: str, filename: str | None = None) -> list[Command]:
    """Parse a .wast script into commands (each with its source ``line``)."""
    return parse_script(text, filename)


__all__ = [
    "Action",
    "ActionCommand",
    "AssertExhaustion",
    "AssertInvalid",
    "AssertMalformed",
    "AssertModule",
    "AssertReturn",
    "AssertTrap",
    "AssertUninstantiable",
    "AssertUnlinkable",
    "CValue",
    "Command",
    "ComponentCommand",
    "ComponentDefinition",
    "ComponentSource",
    "Either",
    "Get",
    "Invoke",
    "ModuleCommand",
    "ModuleSource",
    "NanPattern",
    "RefExtern",
    "RefFunc",
    "RefNull",
    "Register",
    "V128Pattern",
    "Value",
    "parse_component_text",
    "parse_wast",
    "parse_wat",
]
