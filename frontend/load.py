"""Reading user input: a path (or bytes) in binary or text form -> validated Module.

A ``.wasm`` file is always decoded as a binary (so junk in it reports a
missing magic header, not a text syntax error) and a ``.wat`` file is always
text; any other name is decided by content: the ``\0asm`` magic means binary,
anything else is parsed as text.
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
    suffix = os.path.splitext(filename or "")[1].lower()
    if suffix == ".wasm" or (suffix != ".wat" and data[:4] == MAGIC):
        return data
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        if data[:1] == b"\0" or not data.strip():
            # looks like a (broken) binary rather than text
            return data
        from .sniff import looks_like_wat, not_wasm_message   # the error path only
        if not looks_like_wat(data):
            # not text at all (an ELF file, an image...): say what it is
            raise MalformedError(not_wasm_message(data), 0, filename=filename) from None
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
