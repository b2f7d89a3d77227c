"""Tokenizer for the WebAssembly text format (shared by .wat and .wast).

The whole input is tokenized up front into a flat list of ``(kind, value,
offset)`` tuples plus a table of matching parentheses, so that parsers can
skip a whole s-expression in O(1) (the module parser's first pass does this
for every field).

Token kinds:

* ``LP`` / ``RP``: ``(`` and ``)``
* ``ATOM``: a run of identifier characters not starting with ``$`` --
  keywords (``i32.add``, ``offset=4``), numbers (``-0x1p3``) and "reserved"
  runs such as ``0x`` that are neither; the parser classifies them when it
  needs to, because the error for a reserved run depends on context.
* ``ID``: ``$name`` (value keeps the ``$``)
* ``STRING``: value is the decoded ``bytes`` (escapes resolved)

As in the reference interpreter, a run of identifier characters glued to a
string (``$l"a"``, ``data"a"``, ``"a""b"``) is a single reserved token; it is
reported as ``unknown operator`` when the parser reaches it, which is what the
spec suite's token.wast expects.
"""
from __future__ import annotations

import bisect
import re

from ..errors import MalformedError

LP, RP, ATOM, ID, STRING, RESERVED = range(6)

# Identifier characters (spec: idchar).
_IDCHARS = r"0-9A-Za-z!#$%&'*+\-./:<=>?@\\^_`|~"
# A run of idchars and/or strings with no space between them.  The string
# alternative accepts any escape here; escapes are checked when decoding.
# Wasm 3.0 adds , ; [ ] { } to reserved runs (never valid tokens, but they
# must lex, e.g. inside annotations); a ``;`` followed by ``;`` starts a line
# comment instead.
_RUN = re.compile(r'(?:[%s,\[\]{}]+|;(?!;)|"(?:[^"\\\n]|\\[^\n])*")+' % _IDCHARS)
_STRING_BODY_OK = re.compile(r'[^"\\\x00-\x1f\x7f]*')
_ESCAPE = re.compile(r'\\(?:([0-9a-fA-F]{2})|u\{([0-9a-fA-F](?:_?[0-9a-fA-F])*)\}|(.))', re.S)
_SIMPLE_ESCAPES = {"n": b"\n", "t": b"\t", "r": b"\r", '"': b'"', "'": b"'", "\\": b"\\"}


class Source:
    """The text being parsed, with offset -> line/col mapping for errors.

    ``line_base``/``col_base`` shift reported positions, for module text that
    came out of a ``(module quote ...)`` in a script: positions are then
    reported relative to the script where that is meaningful.
    """

    __slots__ = ("text", "filename", "_nl", "line_base", "col_base")

    def __init__(self, text: str, filename: str | None = None,
                 line_base: int = 0, col_base: int = 0):
        self.text = text
        self.filename = filename
        self._nl: list[int] | None = None
        self.line_base = line_base
        self.col_base = col_base

    def linecol(self, offset: int) -> tuple[int, int]:
        if self._nl is None:
            # Built lazily: only needed when something goes wrong.
            self._nl = [m.start() for m in re.finditer("\n", self.text)]
        i = bisect.bisect_left(self._nl, offset)
        line = i + 1
        col = offset - (self._nl[i - 1] + 1 if i else 0) + 1
        if line == 1:
            col += self.col_base
        return line + self.line_base, col

    def error(self, message: str, offset: int) -> MalformedError:
        line, col = self.linecol(offset)
        return MalformedError(message, offset, filename=self.filename, line=line, col=col)


def decode_string(body: str, src: Source, offset: int) -> bytes:
    """Decode the inside of a string literal (without quotes) to bytes.

    ``offset`` is the position of the opening quote, for error reporting.
    """
    if "\\" not in body:
        m = _STRING_BODY_OK.fullmatch(body)
        if m is None:
            bad = _STRING_BODY_OK.match(body).end()
            raise src.error("illegal control character in string", offset + 1 + bad)
        return body.encode("utf-8")
    out = bytearray()
    pos = 0
    for m in _ESCAPE.finditer(body):
        chunk = body[pos:m.start()]
        if _STRING_BODY_OK.fullmatch(chunk) is None:
            bad = pos + _STRING_BODY_OK.match(chunk).end()
            raise src.error("illegal control character in string", offset + 1 + bad)
        out += chunk.encode("utf-8")
        hexbyte, uni, simple = m.groups()
        if hexbyte is not None:
            out.append(int(hexbyte, 16))
        elif uni is not None:
            cp = int(uni.replace("_", ""), 16)
            if cp >= 0x110000 or 0xD800 <= cp < 0xE000:
                raise src.error("malformed UTF-8 encoding", offset + 1 + m.start())
            out += chr(cp).encode("utf-8")
        elif simple in _SIMPLE_ESCAPES:
            out += _SIMPLE_ESCAPES[simple]
        else:
            raise src.error("illegal escape", offset + 1 + m.start())
        pos = m.end()
    chunk = body[pos:]
    if "\\" in chunk:   # a lone backslash at the very end
        raise src.error("illegal escape", offset + 1 + pos + chunk.index("\\"))
    if _STRING_BODY_OK.fullmatch(chunk) is None:
        bad = pos + _STRING_BODY_OK.match(chunk).end()
        raise src.error("illegal control character in string", offset + 1 + bad)
    out += chunk.encode("utf-8")
    return bytes(out)


class Tokens:
    """Tokenized text: ``toks[i] = (kind, value, offset)``, ``match[i]`` = index
    of the ``)`` closing the ``(`` at ``i`` (only meaningful for LP tokens;
    ``len(toks)`` if it is never closed).  ``unbalanced`` is the offset of the
    first parenthesis without partner, or None.  ``hints`` maps the offset of
    the token that follows a ``(@metadata.code.branch_hint "\\0N")``
    annotation to N (0 unlikely, 1 likely): the instruction starting there,
    if it is an ``if`` or a ``br_if``, carries that hint (instr.py)."""

    __slots__ = ("src", "toks", "match", "unbalanced", "hints")

    def __init__(self, src: Source, toks: list, match: list[int], unbalanced: int | None,
                 hints: dict[int, int] | None = None):
        self.src = src
        self.toks = toks
        self.match = match
        self.unbalanced = unbalanced
        self.hints = hints or {}


# One alternative per token class; whitespace and line comments match with no
# group.  ``(;`` (block comment) is handled by hand because comments nest;
# the final ``.`` catches anything else, for the error path.
_TOKEN = re.compile(r'[ \t\n\r]+|;;[^\n\r]*|(\(;)|(\()|(\))|(%s)|(.)' % _RUN.pattern, re.S)


def tokenize(text: str, filename: str | None = None, *,
             line_base: int = 0, col_base: int = 0) -> Tokens:
    """Split ``text`` into tokens; raise MalformedError for lexical errors."""
    src = Source(text, filename, line_base, col_base)
    toks: list = []
    pairs: list[tuple[int, int]] = []
    stack: list[int] = []
    unbalanced: int | None = None
    annots: list[int] = []          # the LP of every outermost ``(@id``
    annot_at: int | None = None     # the stack depth of the open one
    append = toks.append
    pos = 0
    while True:
        restart = None
        for m in _TOKEN.finditer(text, pos):
            g = m.lastindex
            if g is None:
                continue                            # whitespace, line comment
            i = m.start()
            if g == 4:
                s = m.group(4)
                c = s[0]
                if c == '"':
                    if len(s) >= 2 and s[-1] == '"' and _is_single_string(s):
                        append((STRING, decode_string(s[1:-1], src, i), i))
                    else:
                        append((RESERVED, s, i))
                elif c == "$" and s[1:2] == '"' and len(s) >= 3 and s[-1] == '"' \
                        and _is_single_string(s[1:]):
                    append((ID, _string_id(s, src, i), i))
                elif '"' in s:
                    append((RESERVED, s, i))
                elif c == "$":
                    if len(s) == 1:
                        raise src.error("empty identifier", i)
                    append((ID, s, i))
                else:
                    append((ATOM, s, i))
            elif g == 2:
                if annot_at is None and text.startswith("@", i + 1):
                    # an annotation's content is any balanced tokens: only
                    # the outermost one's id is checked, and dropped whole
                    _check_annotation_id(text, i + 2, src)
                    annots.append(len(toks))
                    annot_at = len(stack)
                stack.append(len(toks))
                append((LP, "(", i))
            elif g == 3:
                # Unbalanced parentheses are not a lexical error here: the
                # parser reports them where it meets them, so an earlier error
                # inside the module (what the spec suite asserts) wins, as in
                # the reference interpreter, which lexes lazily.
                if stack:
                    pairs.append((stack.pop(), len(toks)))
                    if len(stack) == annot_at:
                        annot_at = None
                elif unbalanced is None:
                    unbalanced = i
                append((RP, ")", i))
            elif g == 1:
                restart = _skip_block_comment(text, i, src)
                break
            else:
                raise _diagnose(text, i, src)
        if restart is None:
            break
        pos = restart
    match = [-1] * len(toks)
    for a, b in pairs:
        match[a] = b
    for j in stack:
        match[j] = len(toks)       # closes "at the end of input"
    if stack and unbalanced is None:
        unbalanced = toks[stack[0]][2]
    hints: dict[int, int] = {}
    if annots:
        toks, match = _drop_annotations(toks, match, annots, src, hints)
    return Tokens(src, toks, match, unbalanced, hints)


# Annotations (the Wasm 3.0 text format): ``(@id ...)`` with the ``@`` glued
# to the parenthesis, anywhere.  Unknown ones must be ignored, so they are
# dropped here; ``(@custom ...)`` stays, the module parser turns it into a
# custom section.  ``(@metadata.code.branch_hint "\00"|"\01")`` is dropped
# too, but remembered (Tokens.hints) for the instruction that follows it,
# whose encoder records the hint for the binary section
# (``metadata.code.branch_hint``, written by wat.py).  A payload other than
# one byte 0 or 1 is a syntax error (a typo the writer wants to hear of, as
# wasm-tools reports it); a hint that precedes an instruction other than
# ``if``/``br_if`` is ignored, as such an offset in the binary section is.
KEPT_ANNOTATIONS = frozenset(("@custom",))
BRANCH_HINT = "@metadata.code.branch_hint"


def _check_annotation_id(text: str, i: int, src: Source) -> None:
    """The id after ``(@`` at ``i``: idchars, or a non-empty UTF-8 string."""
    m = _RUN.match(text, i)
    s = m.group() if m else ""
    if not s or s[0] in ",;[]{}":
        raise src.error("empty annotation id", i - 2)
    if s[0] == '"' and _is_single_string(s):
        name = decode_string(s[1:-1], src, i)
        if not name:
            raise src.error("empty annotation id", i - 2)
        try:
            name.decode("utf-8")
        except UnicodeDecodeError:
            raise src.error("malformed UTF-8 encoding", i) from None


def _drop_annotations(toks: list, match: list[int], annots: list[int],
                      src: Source, hints: dict[int, int]) -> tuple[list, list[int]]:
    n = len(toks)
    keep = [True] * n
    dropped = False
    hinted: list[tuple[int, int]] = []          # (index after the annotation, hint)
    for k in annots:
        if not keep[k]:
            continue                        # inside an annotation dropped already
        if match[k] >= n:
            raise src.error("unclosed annotation", toks[k][2])
        if toks[k + 1][1] not in KEPT_ANNOTATIONS:
            if toks[k + 1][1] == BRANCH_HINT:
                h = _hint_payload(toks, k + 2, match[k])
                if h is None:
                    raise src.error('branch hint must be "\\00" (unlikely) or "\\01" (likely)',
                                    toks[k][2])
                hinted.append((match[k] + 1, h))
            for j in range(k, match[k] + 1):
                keep[j] = False
            dropped = True
    for j, h in hinted:
        while j < n and not keep[j]:        # annotations in a row: the next kept token
            j += 1
        if j < n:
            hints[toks[j][2]] = h
    if not dropped:
        return toks, match
    new_index = []
    out = []
    for k in range(n):
        new_index.append(len(out))
        if keep[k]:
            out.append(toks[k])
    new_match = [-1] * len(out)
    for k in range(n):
        if keep[k] and toks[k][0] == LP:
            m = match[k]
            new_match[new_index[k]] = new_index[m] if m < n else len(out)
    return out, new_match


def _hint_payload(toks: list, start: int, stop: int) -> int | None:
    """A branch hint's value: its strings, concatenated, must be one byte, 0
    or 1; anything else is None (a syntax error, as in wasm-tools)."""
    payload = b""
    for kind, value, _ in toks[start:stop]:
        if kind != STRING:
            return None
        payload += value
    return payload[0] if len(payload) == 1 and payload[0] <= 1 else None


def _string_id(s: str, src: Source, offset: int) -> str:
    """``$"..."`` (Wasm 3.0): the identifier named by the string, which
    must be non-empty UTF-8; ``$"a"`` and ``$a`` are the same identifier."""
    try:
        name = decode_string(s[2:-1], src, offset)
    except MalformedError:
        name = b""      # not a string token (a raw control character...): "$" alone
    if not name:
        raise src.error("empty identifier", offset)
    try:
        return "$" + name.decode("utf-8")
    except UnicodeDecodeError:
        raise src.error("malformed UTF-8 encoding", offset) from None


def _is_single_string(s: str) -> bool:
    """Whether ``s`` (starting with a quote) is exactly one string literal."""
    j = 1
    n = len(s) - 1
    while j < n:
        ch = s[j]
        if ch == "\\":
            j += 2
        elif ch == '"':
            return False
        else:
            j += 1
    return j == n


_COMMENT_DELIM = re.compile(r"\(;|;\)")


def _skip_block_comment(text: str, i: int, src: Source) -> int:
    """``(; ... ;)`` comments nest; return the offset after the comment."""
    depth = 0
    start = i
    for m in _COMMENT_DELIM.finditer(text, i):
        if m.group() == "(;":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return m.end()
    raise src.error("unclosed comment", start)


def _diagnose(text: str, i: int, src: Source) -> MalformedError:
    """Explain why no token starts at ``i``."""
    c = text[i]
    if c == '"':
        j = i + 1
        n = len(text)
        while j < n:
            ch = text[j]
            if ch == '"':
                break
            if ch == "\n":
                return src.error("unclosed string", i)
            if ch == "\\":
                j += 1
            j += 1
        return src.error("unclosed string", i)
    if c == ";":
        return src.error("unknown operator ;", i)
    if ord(c) < 0x20 or c >= "\x7f":
        # control characters, and non-ASCII outside strings and comments
        return src.error("illegal character", i)
    # Any other character (non-ASCII outside strings, brackets, commas...)
    return src.error(f"unknown operator {c!r}", i)
