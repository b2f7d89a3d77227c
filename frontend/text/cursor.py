"""A cursor over a token list, with the error conventions of the spec suite.

Error wording follows the reference interpreter, because the spec suite's
assert_malformed cases match on it:

* a keyword the text format does not know at all (``i32.const0``,
  ``get_local``, ``anyfunc``) or a "reserved" run (``0x``, ``$l"a"``) is
  ``unknown operator <text>``;
* any other token in the wrong place is ``unexpected token``.
"""
from __future__ import annotations

import re

from ..errors import MalformedError, UnsupportedError
from ..opcodes import BY_NAME
from .lexer import ATOM, ID, LP, RESERVED, RP, STRING, Tokens
from .numbers import NAT_RE, classify

# Every keyword of the text and script formats besides instruction names.
TEXT_KEYWORDS = frozenset("""
module type func param result local import export table memory global mut
elem data start offset item declare then else end block loop if
funcref externref extern i32 i64 f32 f64 v128 i8x16 i16x8 i32x4 i64x2 f32x4 f64x2
binary quote register invoke get assert_return assert_trap assert_exhaustion
assert_invalid assert_malformed assert_unlinkable assert_uninstantiable
script input output either definition instance thread wait shared nan:canonical nan:arithmetic ref.extern ref.host
tag exnref nullexnref exn noexn catch catch_ref catch_all catch_all_ref assert_exception
""".split())
# ``offset=``/``align=`` are keywords only with a nat after them (as in the
# reference lexer); ``offset=-1`` is an unknown operator.
_MEMARG_KW = re.compile(r"(?:offset|align)=(?:%s)" % NAT_RE.pattern)

_EOF = (-1, "end of input", -1)


def is_known_keyword(s: str) -> bool:
    return s in TEXT_KEYWORDS or s in BY_NAME or _MEMARG_KW.fullmatch(s) is not None


class Cursor:
    """Reads tokens ``[i, end)`` of a :class:`Tokens`."""

    __slots__ = ("t", "toks", "match", "i", "end")

    def __init__(self, tokens: Tokens, start: int = 0, end: int | None = None):
        self.t = tokens
        self.toks = tokens.toks
        self.match = tokens.match
        self.i = start
        self.end = len(self.toks) if end is None else end

    # -- looking ------------------------------------------------------------
    def peek(self, k: int = 0):
        j = self.i + k
        return self.toks[j] if j < self.end else _EOF

    def kind(self) -> int:
        return self.toks[self.i][0] if self.i < self.end else -1

    def at_end(self) -> bool:
        return self.i >= self.end

    def at_rp(self) -> bool:
        return self.i < self.end and self.toks[self.i][0] == RP

    def at_lp(self) -> bool:
        return self.i < self.end and self.toks[self.i][0] == LP

    def at_atom(self, value: str) -> bool:
        if self.i >= self.end:
            return False
        k, v, _ = self.toks[self.i]
        return k == ATOM and v == value

    def at_list(self, value: str) -> bool:
        """Whether the cursor is at ``(value ...``."""
        i = self.i
        if i + 1 >= self.end:
            return False
        t0, t1 = self.toks[i], self.toks[i + 1]
        return t0[0] == LP and t1[0] == ATOM and t1[1] == value

    def at_list_at(self, k: int, value: str) -> bool:
        """Whether ``(value`` starts ``k`` tokens ahead."""
        i = self.i + k
        if i + 1 >= self.end:
            return False
        t0, t1 = self.toks[i], self.toks[i + 1]
        return t0[0] == LP and t1[0] == ATOM and t1[1] == value

    def list_head(self) -> str | None:
        """The keyword after ``(`` if at ``(keyword``, else None."""
        i = self.i
        if i + 1 < self.end and self.toks[i][0] == LP and self.toks[i + 1][0] == ATOM:
            return self.toks[i + 1][1]
        return None

    def at_id(self) -> bool:
        return self.i < self.end and self.toks[self.i][0] == ID

    def at_string(self) -> bool:
        return self.i < self.end and self.toks[self.i][0] == STRING

    def offset(self) -> int:
        """Source offset of the current token (end of text at EOF)."""
        if self.i < len(self.toks):
            return self.toks[self.i][2]
        return len(self.t.src.text)

    # -- taking -------------------------------------------------------------
    def next(self):
        if self.i >= self.end:
            raise self.unexpected()
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def lp(self) -> None:
        if self.i >= self.end or self.toks[self.i][0] != LP:
            raise self.unexpected()
        self.i += 1

    def rp(self) -> None:
        if self.i >= self.end or self.toks[self.i][0] != RP:
            raise self.unexpected()
        self.i += 1

    def keyword(self, value: str) -> None:
        if not self.at_atom(value):
            raise self.unexpected()
        self.i += 1

    def open(self, value: str) -> None:
        """Consume ``(value``."""
        if not self.at_list(value):
            raise self.unexpected(self.i + 1 if self.at_lp() else None)
        self.i += 2

    def atom(self) -> str:
        if self.i >= self.end or self.toks[self.i][0] != ATOM:
            raise self.unexpected()
        v = self.toks[self.i][1]
        self.i += 1
        return v

    def take_id(self) -> str | None:
        if self.i < self.end and self.toks[self.i][0] == ID:
            v = self.toks[self.i][1]
            self.i += 1
            return v
        return None

    def string(self) -> bytes:
        if self.i >= self.end or self.toks[self.i][0] != STRING:
            raise self.unexpected()
        v = self.toks[self.i][1]
        self.i += 1
        return v

    def name(self) -> bytes:
        """A string that must be valid UTF-8 (import/export names)."""
        off = self.offset()
        b = self.string()
        try:
            b.decode("utf-8")
        except UnicodeDecodeError:
            raise self.error("malformed UTF-8 encoding", off) from None
        return b

    def skip_list(self) -> None:
        """Skip the s-expression starting at the current ``(``."""
        self.i = self.match[self.i] + 1

    def list_end(self) -> int:
        """Index of the ``)`` closing the current ``(``."""
        return self.match[self.i]

    # -- errors -------------------------------------------------------------
    def error(self, message: str, offset: int | None = None) -> MalformedError:
        return self.t.src.error(message, self.offset() if offset is None else offset)

    def unexpected(self, at: int | None = None) -> MalformedError:
        """The error for the token at index ``at`` (default: current) being
        where it is."""
        j = self.i if at is None else at
        if j >= self.end:
            if j < len(self.toks):       # the enclosing ')' of a sub-range
                return self.t.src.error("unexpected token", self.toks[j][2])
            return self.t.src.error("unexpected end of input", len(self.t.src.text))
        kind, value, off = self.toks[j]
        err = None
        if kind == RESERVED or (kind == ATOM and classify(value) is None
                                and not is_known_keyword(value)):
            err = self.t.src.error(f"unknown operator {value}", off)
        elif kind in (ATOM, ID):
            err = self.t.src.error(f"unexpected token {value}", off)
        elif kind == STRING:
            err = self.t.src.error("unexpected token (string)", off)
        else:
            err = self.t.src.error(f"unexpected token {value}", off)
        if kind in (ATOM, LP, ID):
            named = _unsupported(self.toks, j, err)   # error path only
            if named is not None:
                return named
        return err


def _enclosing_head(toks, j: int) -> str | None:
    """The keyword of the innermost list around token ``j`` (``memory`` for
    the ``i64`` of ``(memory i64 1)``)."""
    depth = 0
    for k in range(j - 1, -1, -1):
        t = toks[k][0]
        if t == RP:
            depth += 1
        elif t == LP:
            if depth == 0:
                nxt = toks[k + 1] if k + 1 < len(toks) else None
                return nxt[1] if nxt is not None and nxt[0] == ATOM else None
            depth -= 1
    return None


def _unsupported(toks, j: int, err: MalformedError) -> MalformedError | None:
    """The text form of a feature we do not support yet, at token ``j``
    (rejected as ``err``), as an UnsupportedError naming it; or None."""
    from ..opcodes import FUNCTION_REFERENCES, unsupported_name
    from .unsupported import text_feature
    if toks[j][0] == ID or (toks[j][0] == ATOM and toks[j][1][:1].isdigit()):
        return None                      # an index: no later proposal's keyword
    is_list = toks[j][0] == LP
    if is_list:                          # a list where none may be: look at its head
        if j + 1 >= len(toks) or toks[j + 1][0] != ATOM:
            return None
        j += 1
    value = toks[j][1]
    enclosing = _enclosing_head(toks, j - 1 if toks[j - 1][0] == LP else j)
    hit = text_feature(value, enclosing)
    if hit is None and is_list and enclosing == "table" and value in BY_NAME:
        hit = (FUNCTION_REFERENCES, "table initializer expression")
    if hit is None:
        proposal = unsupported_name(value)
        hit = (proposal, value) if proposal else None
    if hit is None:
        return None
    return UnsupportedError(hit[0], err.offset, detail=hit[1], spec_message=err.message,
                            filename=err.filename, line=err.line, col=err.col)
