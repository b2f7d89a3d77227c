"""Reading user input: a path (or bytes) in binary or text form -> validated Module.

Binary vs text is decided by content, not by the file name: a file starting
with the ``\\0asm`` magic is a binary; anything else is parsed as the text
format.  So ``app.wat``, ``app.wasm`` and ``app`` all work.
"""
from __future__ import annotations

import os

from .binary import MAGIC, decode_module
from .errors import MalformedError, WasmError
from .module import Module


class InputError(Exception):
    """A file that cannot be read at all (missing, a directory, unreadable)."""


def read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except OSError as e:
        raise InputError(f"{path}: {e.strerror or e}") from None


def to_binary(data: bytes, filename: str | None = None) -> bytes:
    """Return a Wasm binary: ``data`` itself, or the text format compiled to binary."""
    if data[:4] == MAGIC:
        return data
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        if data[:1] == b"\0" or not data.strip():
            # looks like a (broken) binary rather than text
            return data
        raise MalformedError("malformed UTF-8 encoding", e.start, filename=filename) from None
    from .text import parse_wat   # imported lazily: binary users never pay for it
    try:
        return parse_wat(text, filename)
    except WasmError as err:
        if err.filename is None:
            err.filename = filename
        raise


def load_module(data: bytes, filename: str | None = None, *, validate: bool = True) -> Module:
    """Decode (and by default validate) a module given as binary or text bytes."""
    binary = to_binary(data, filename)
    m = decode_module(binary, filename)
    if validate:
        from .validate import validate_module
        try:
            validate_module(m)
        except WasmError as err:
            if err.filename is None:
                err.filename = filename
            raise
    return m


def load_file(path: str, *, validate: bool = True) -> Module:
    return load_module(read_bytes(path), os.fspath(path), validate=validate)
