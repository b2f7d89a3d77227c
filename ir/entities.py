"""Typed integer handles for the IR's entities.

Every entity (value, block, instruction, and the module-level things a
function refers to) is an index into an arena.  The handle types are ``int``
subclasses with empty ``__slots__``: they cost what an int costs, compare and
hash as ints, index ``array``/``list`` arenas directly, and print the way the
text form spells them (``v3``, ``block2``, ``fn1``) so a handle in a traceback
or an assertion message is immediately readable.

Arenas store plain ints (in ``array.array``); the public accessors wrap them
in the handle type on the way out.  Code in hot loops may use the raw ints.
"""
from __future__ import annotations


class _Entity(int):
    __slots__ = ()
    PREFIX = "?"

    def __repr__(self) -> str:
        return f"{self.PREFIX}{int(self)}"

    __str__ = __repr__


class Value(_Entity):
    """An SSA value: an instruction result or a block parameter."""
    __slots__ = ()
    PREFIX = "v"


class Block(_Entity):
    """A basic block (extended: ends in exactly one terminator)."""
    __slots__ = ()
    PREFIX = "block"


class Inst(_Entity):
    """An instruction.  Instructions have no name in the text form; the
    printer shows ``inst7`` only in diagnostics."""
    __slots__ = ()
    PREFIX = "inst"


class FuncRef(_Entity):
    """Module function index (imports first, as in Wasm)."""
    __slots__ = ()
    PREFIX = "fn"


class SigRef(_Entity):
    """Module signature (Wasm type) index."""
    __slots__ = ()
    PREFIX = "sig"


class GlobalRef(_Entity):
    __slots__ = ()
    PREFIX = "g"


class TableRef(_Entity):
    __slots__ = ()
    PREFIX = "table"


class MemRef(_Entity):
    __slots__ = ()
    PREFIX = "mem"


class ElemRef(_Entity):
    """Element segment index (table.init / elem.drop)."""
    __slots__ = ()
    PREFIX = "elem"


class DataRef(_Entity):
    """Data segment index (memory.init / data.drop)."""
    __slots__ = ()
    PREFIX = "data"


#: Text prefix -> handle class, for the parser.
BY_PREFIX: dict[str, type[_Entity]] = {
    c.PREFIX: c for c in (Value, Block, FuncRef, SigRef, GlobalRef, TableRef,
                          MemRef, ElemRef, DataRef)
}
