"""WAVE, the WebAssembly Value Encoding: component values as text.

``wasmtime run --invoke 'f("hi", [1, 2])'`` reads its arguments in WAVE and
prints the result in WAVE; ``--invoke`` of our executables does the same, so
this module parses a call, parses values typed by a component value type
(:mod:`.types`), and prints values byte for byte as wasmtime does.  Values
are the host-side values of :mod:`.canonabi` (``Case`` for variants,
options and results, ``dict`` for records, ``frozenset`` for flags...).

The grammar is the wasm-wave README's (bytecodealliance/wasm-tools,
crates/wasm-wave): keywords ``true false some none ok err inf nan`` and
``%``-escaped labels, ``//`` comments, ``'c'`` chars and ``"s"`` strings
with the escapes ``\\' \\" \\\\ \\t \\n \\r \\u{X}``, multiline ``\"\"\"``
strings, trailing commas, records with omitted ``none`` fields (``{:}`` for
an empty one), the "flat" shorthand for ``some(x)``/``ok(x)`` when ``x`` is
not itself an option or result, and omitted trailing ``none`` arguments.

The printer follows wasm-wave's writer: Rust ``Display`` for numbers (floats
are the shortest round-tripping digits, never in exponent form: ``1e300``
prints all 301 digits), ``nan``/``inf``/``-inf``; records leave out ``none``
fields; chars and strings escape ``\\ " ' \\t \\r \\n`` by name, control
characters as ``\\u{7f}``, and what Rust's ``char::escape_debug`` escapes
(grapheme extenders, unprintable characters) as ``\\u{...}`` too.  That last
rule depends on Unicode tables: Python's (``unicodedata``) plus a measured
table of where wasmtime 49's differ (every scalar value is compared with
wasmtime in the tests).

Errors are :class:`WaveError`: one line, with the 1-based column.  Handles
(own/borrow) have no WAVE form: parsing one is a WaveError, printing one a
TypeError (wasmtime 49 aborts with a panic there).
"""
from __future__ import annotations

import bisect
import math
import re
import struct
import unicodedata
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction

from .canonabi import Case, case_labels
from .types import (
    Borrow,
    Enum,
    Flags,
    FuncType,
    List,
    Option,
    Own,
    Record,
    Result,
    Tuple,
    Variant,
    variant_cases,
)

KEYWORDS = frozenset(("true", "false", "some", "none", "ok", "err", "inf", "nan"))
_INT_RANGE = {"u8": (0, 8), "u16": (0, 16), "u32": (0, 32), "u64": (0, 64),
              "s8": (1, 8), "s16": (1, 16), "s32": (1, 32), "s64": (1, 64)}
MAX_DEPTH = 100


class WaveError(ValueError):
    """Bad WAVE input: ``msg`` at 1-based ``column`` of the text."""

    def __init__(self, msg: str, column: int):
        super().__init__(msg, column)
        self.msg, self.column = msg, column

    def __str__(self) -> str:
        return f"{self.msg} at column {self.column}"


# ---- lexer -----------------------------------------------------------------

_LABEL = r"%?(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*)(?:-(?:[a-z0-9]+|[A-Z0-9]+))*"
_NUMBER = r"-inf|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"
_TOKEN = re.compile(rf"""
    (?P<skip>[ \t\n\r]+|//[^\n]*)
  | (?P<punct>[{{}}()\[\]:,])
  | (?P<num>{_NUMBER})
  | (?P<label>{_LABEL})
""", re.VERBOSE)
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_ESCAPES = {"'": "'", '"': '"', "\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


class Token:
    __slots__ = ("kind", "pos", "text", "value")

    def __init__(self, kind: str, text: str, pos: int, value=None):
        self.kind, self.text, self.pos, self.value = kind, text, pos, value

    def __repr__(self) -> str:
        return f"Token({self.kind}, {self.text!r}, {self.pos})"


def _describe(tok: Token) -> str:
    return "end of input" if tok.kind == "end" else repr(tok.text)


def tokenize(text: str, start: int = 0) -> list[Token]:
    """Tokens of ``text[start:]``; positions index ``text``."""
    out, i = [], start
    while i < len(text):
        c = text[i]
        if text.startswith('"""', i):
            tok, i = _multiline(text, i)
        elif c in "'\"":
            tok, i = _quoted(text, i)
        else:
            m = _TOKEN.match(text, i)
            if m is None:
                raise WaveError(f"invalid token {text[i]!r}", i + 1)
            i = m.end()
            if m.lastgroup == "skip":
                continue
            kind = "punct" if m.lastgroup == "punct" else m.lastgroup
            tok = Token(kind, m.group(), m.start())
        out.append(tok)
    out.append(Token("end", "", len(text)))
    return out


def _unescape(text: str, i: int, quote: str) -> tuple[str, int]:
    """The character at ``text[i]`` (an escape or a literal one) and the
    index after it."""
    c = text[i]
    if c == "\n":
        raise WaveError(f"unescaped newline in {'char' if quote == chr(39) else 'string'}", i + 1)
    if c != "\\":
        return c, i + 1
    e = text[i + 1:i + 2]
    if e in _ESCAPES:
        return _ESCAPES[e], i + 2
    m = re.compile(r"u\{([0-9a-fA-F]{1,6})\}").match(text, i + 1)
    if m is None:
        raise WaveError("invalid character escape", i + 1)
    cp = int(m.group(1), 16)
    if cp >= 0x110000 or 0xD800 <= cp <= 0xDFFF:
        raise WaveError(f"invalid character escape: U+{cp:X} is not a Unicode scalar value", i + 1)
    return chr(cp), m.end()


def _quoted(text: str, i: int) -> tuple[Token, int]:
    quote, start, chars = text[i], i, []
    i += 1
    while True:
        if i >= len(text):
            raise WaveError("unterminated " + ("char" if quote == "'" else "string"), start + 1)
        if text[i] == quote:
            break
        c, i = _unescape(text, i, quote)
        chars.append(c)
    i += 1
    if quote == "'":
        if len(chars) != 1:
            raise WaveError("a char literal must hold exactly one character", start + 1)
        return Token("char", text[start:i], start, chars[0]), i
    return Token("string", text[start:i], start, "".join(chars)), i


def _multiline(text: str, start: int) -> tuple[Token, int]:
    """A \"\"\" string: opening delimiter then a line break, closing delimiter
    alone on its line after the indentation that is removed from every
    line."""
    i = start + 3
    if text.startswith("\r\n", i):
        i += 2
    elif text.startswith("\n", i):
        i += 1
    else:
        raise WaveError("a multiline string must start with a line break", start + 1)
    end = text.find('"""', i)
    if end < 0:
        raise WaveError("unterminated multiline string", start + 1)
    body = text[i:end]
    nl = body.rfind("\n")
    indent = body[nl + 1:]
    if indent.strip(" "):
        raise WaveError('the closing """ must be on its own line', end + 1)
    if nl < 0:                   # the opening line break is also the closing one
        return Token("string", text[start:end + 3], start, ""), end + 3
    lines, pos, out = body[:nl].split("\n"), i, []
    for k, line in enumerate(lines):
        line = line.removesuffix("\r")
        if not line.startswith(indent):          # empty lines too, as wasmtime
            raise WaveError(f"line indented less than the closing delimiter ({len(indent)} spaces)", pos + 1)
        j, chars = pos + len(indent), []
        while j < pos + len(line):
            c, j = _unescape(text, j, '"')
            chars.append(c)
        out.append("".join(chars))
        pos += len(lines[k]) + 1
    return Token("string", text[start:end + 3], start, "\n".join(out)), end + 3


# ---- typed parser ----------------------------------------------------------


def _is_optional_like(t) -> bool:
    return isinstance(t, (Option, Result))


class _Parser:
    def __init__(self, text: str, start: int = 0):
        self.text, self.toks, self.i, self.depth = text, tokenize(text, start), 0, 0

    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def advance(self) -> Token:
        tok = self.toks[self.i]
        if tok.kind != "end":
            self.i += 1
        return tok

    def error(self, msg: str, tok: Token | None = None) -> WaveError:
        return WaveError(msg, (tok or self.tok).pos + 1)

    def is_punct(self, p: str) -> bool:
        return self.tok.kind == "punct" and self.tok.text == p

    def expect(self, p: str) -> Token:
        if not self.is_punct(p):
            raise self.error(f"expected {p!r}, found {_describe(self.tok)}")
        return self.advance()

    def keyword(self) -> str | None:
        """The current token if it is a keyword (not ``%``-escaped)."""
        t = self.tok
        return t.text if t.kind == "label" and t.text in KEYWORDS else None

    def label(self) -> tuple[str, Token]:
        tok = self.tok
        if tok.kind != "label":
            raise self.error(f"expected a label, found {_describe(tok)}")
        self.advance()
        return tok.text.removeprefix("%"), tok

    def seq(self, close: str, item: Callable[[int], object]) -> list:
        """Comma-separated items up to ``close`` (trailing comma allowed);
        the opening bracket is already consumed.  ``item(k)`` parses the
        k-th."""
        out: list = []
        while not self.is_punct(close):
            out.append(item(len(out)))
            if not self.is_punct(close):
                self.expect(",")
        self.advance()
        return out

    def optional_comma(self) -> None:
        """Between record fields and flags wasm-wave (and so wasmtime)
        takes a comma or nothing: ``{a b}`` is the flags ``{a, b}``."""
        if self.is_punct(","):
            self.advance()
        elif self.tok.kind == "end":
            raise self.error("expected ',' or '}', found end of input")

    def value(self, t):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error("value nested too deeply")
        try:
            return self._value(t)
        finally:
            self.depth -= 1

    def _value(self, t):
        tok = self.tok
        if isinstance(t, str):
            return self.primitive(t)
        if isinstance(t, List):
            self.expect("[")
            items = self.seq("]", lambda _: self.value(t.elem))
            if t.length is not None and len(items) != t.length:
                raise self.error(f"expected {t.length} list elements, found {len(items)}", tok)
            return items
        if isinstance(t, Tuple):
            self.expect("(")

            def elem(k):
                if k >= len(t.types):
                    raise self.error(f"more than {len(t.types)} tuple elements")
                return self.value(t.types[k])
            items = self.seq(")", elem)
            if len(items) != len(t.types):
                raise self.error(f"expected {len(t.types)} tuple elements, found {len(items)}", tok)
            return tuple(items)
        if isinstance(t, Record):
            return self.record(t)
        if isinstance(t, Flags):
            return self.flags(t)
        if isinstance(t, Enum):
            name, ltok = self.label()
            if name not in t.names or ltok.text in KEYWORDS:
                raise self.error(f"unknown enum case {ltok.text!r}", ltok)
            return name
        if isinstance(t, (Variant, Option, Result)):
            return self.variant(t)
        if isinstance(t, (Own, Borrow)):
            raise self.error("resource handles cannot be written in WAVE")
        raise self.error(f"unsupported type {t!r}")

    def primitive(self, t: str):
        tok = self.tok
        if t == "bool":
            if tok.kind == "label" and tok.text in ("true", "false"):
                self.advance()
                return tok.text == "true"
            raise self.error(f"expected a bool, found {_describe(tok)}")
        if t in _INT_RANGE:
            if tok.kind != "num" or not _INT.match(tok.text):
                raise self.error(f"expected an integer ({t}), found {_describe(tok)}")
            signed, bits = _INT_RANGE[t]
            if not signed and tok.text.startswith("-"):
                raise self.error(f"{tok.text} is out of range for {t} (no sign allowed)")
            v = int(tok.text)
            lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
            if not lo <= v <= hi:
                raise self.error(f"{tok.text} is out of range for {t} ({lo}..{hi})")
            self.advance()
            return v
        if t in ("f32", "f64"):
            return self.float(t)
        kind = "char" if t == "char" else "string"
        if tok.kind != kind:
            raise self.error(f"expected a {kind}, found {_describe(tok)}")
        self.advance()
        return tok.value

    def float(self, t: str) -> float:
        tok = self.tok
        if tok.kind == "label" and tok.text in ("inf", "nan"):
            v = math.inf if tok.text == "inf" else math.nan
        elif tok.kind == "num":
            v = decimal_to_f32(tok.text) if t == "f32" else float(tok.text)
        else:
            raise self.error(f"expected a number ({t}), found {_describe(tok)}")
        self.advance()
        return v

    def record(self, t: Record):
        start = self.expect("{")
        types = dict(t.fields)
        got: dict[str, object] = {}
        if self.is_punct(":"):
            self.advance()
            self.expect("}")
        else:
            while not self.is_punct("}"):
                name, ltok = self.label()
                if name not in types:
                    raise self.error(f"unknown record field {name!r}", ltok)
                if name in got:
                    raise self.error(f"duplicate record field {name!r}", ltok)
                self.expect(":")
                got[name] = self.value(types[name])
                self.optional_comma()
            self.advance()
        out = {}
        for name, ft in t.fields:
            if name in got:
                out[name] = got[name]
            elif isinstance(ft, Option):
                out[name] = Case("none")
            else:
                raise self.error(f"missing record field {name!r}", start)
        return out

    def flags(self, t: Flags):
        self.expect("{")
        got: set[str] = set()
        while not self.is_punct("}"):
            name, ltok = self.label()
            if name not in t.names or ltok.text.startswith("%"):   # wasmtime: no % here
                raise self.error(f"unknown flag {ltok.text!r}", ltok)
            if name in got:
                raise self.error(f"duplicate flag {name!r}", ltok)
            got.add(name)
            self.optional_comma()
        self.advance()
        return frozenset(got)

    def variant(self, t):
        tok, kw = self.tok, self.keyword()
        labels, payloads = case_labels(t), variant_cases(t)
        if isinstance(t, Variant):
            if tok.kind != "label" or kw is not None:
                raise self.error(f"expected a variant case, found {_describe(tok)}")
        elif kw not in labels:
            inner = t.type if isinstance(t, Option) else t.ok
            if inner is None or _is_optional_like(inner):
                raise self.error(f"expected one of {', '.join(labels)}, found {_describe(tok)}")
            return Case(labels[1] if isinstance(t, Option) else "ok", self.value(inner))
        name, ltok = self.label()
        if name not in labels:
            raise self.error(f"unknown variant case {ltok.text!r}", ltok)
        pt = payloads[labels.index(name)]
        if pt is None:
            if self.is_punct("("):
                raise self.error(f"case {name!r} has no payload")
            return Case(name)
        if not self.is_punct("("):
            raise self.error(f"case {name!r} needs a payload: {name}(...)")
        self.advance()
        v = self.value(pt)
        self.expect(")")
        return Case(name, v)

    def finish(self) -> None:
        if self.tok.kind != "end":
            raise self.error(f"unexpected {_describe(self.tok)} after the value")


def parse_value(text: str, t):
    """The value of type ``t`` that ``text`` encodes."""
    p = _Parser(text)
    v = p.value(t)
    p.finish()
    return v


_WORDS = r"(?:[a-z][a-z0-9]*|[A-Z][A-Z0-9]*)(?:-(?:[a-z0-9]+|[A-Z0-9]+))*"
# What wasmtime takes as a function name: a label, or an interface's function
# ``ns:pkg/iface.func``; no leading blank.  An interface may carry a version
# (``ns:pkg/iface@1.2.3``) but then no ``.func`` can follow: wasmtime 49
# cannot name a function of a versioned interface either.
_VERSION = r"@[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?"
_FUNC_NAME = re.compile(rf"{_WORDS}(?::{_WORDS}/{_WORDS}(?:{_VERSION}|\.{_WORDS})?)?")


def parse_call(text: str, lookup: Mapping[str, FuncType] | Callable[[str], FuncType | None]):
    """``name(args...)`` -> ``(name, [values])``, the arguments typed by the
    parameters of ``lookup[name]``.  Trailing ``option`` arguments may be left
    out (they are ``none``)."""
    m = _FUNC_NAME.match(text)
    if m is None:
        raise WaveError("expected a function call: name(args...)", 1)
    name = m.group()
    p = _Parser(text, m.end())
    ft = lookup.get(name) if isinstance(lookup, Mapping) else lookup(name)
    if ft is None:
        raise WaveError(f"no exported function named {name!r}", 1)
    p.expect("(")
    params = [pt for _, pt in ft.params]

    def arg(k):
        if k >= len(params):
            raise p.error(f"more arguments than the {len(params)} parameters of {name}")
        return p.value(params[k])
    close = p.tok
    args = p.seq(")", arg)
    p.finish()
    for pt in params[len(args):]:
        if not isinstance(pt, Option):
            raise WaveError(f"missing arguments: {name} takes {len(params)}, found {len(args)}",
                            close.pos + 1)
        args.append(Case("none"))
    return name, args


# ---- printer ---------------------------------------------------------------


def format_value(v, t) -> str:
    """``v`` of type ``t`` as wasmtime prints it."""
    out: list[str] = []
    _write(out, v, t)
    return "".join(out)


def format_result(t, v=None) -> str:
    """What ``--invoke`` prints for a call's result: the value, or ``()``
    for a function without one."""
    return "()" if t is None else format_value(v, t)


def _write(out: list[str], v, t) -> None:
    if isinstance(t, str):
        out.append(_format_primitive(v, t))
    elif isinstance(t, List):
        _write_seq(out, "[", "]", v, [t.elem] * len(v))
    elif isinstance(t, Tuple):
        _write_seq(out, "(", ")", v, t.types)
    elif isinstance(t, Record):
        fields = [(n, ft) for n, ft in t.fields
                  if not (isinstance(ft, Option) and v[n] == Case("none"))]
        out.append("{")
        for k, (n, ft) in enumerate(fields):
            out.append(", " if k else "")
            out.append(n + ": ")
            _write(out, v[n], ft)
        out.append("}" if fields else ":}")
    elif isinstance(t, Flags):
        out.append("{" + ", ".join(n for n in t.names if n in v) + "}")
    elif isinstance(t, Enum):
        out.append(_label(v))
    elif isinstance(t, (Variant, Option, Result)):
        labels, payloads = case_labels(t), variant_cases(t)
        pt = payloads[labels.index(v.label)]
        out.append(_label(v.label) if isinstance(t, Variant) else v.label)
        if pt is not None:
            out.append("(")
            _write(out, v.value, pt)
            out.append(")")
    else:
        raise TypeError(f"cannot print a value of type {t!r} in WAVE")


def _write_seq(out: list[str], open_: str, close: str, vs, ts) -> None:
    out.append(open_)
    for k, (x, xt) in enumerate(zip(vs, ts)):
        out.append(", " if k else "")
        _write(out, x, xt)
    out.append(close)


def _label(name: str) -> str:
    return "%" + name if name in KEYWORDS else name


def _format_primitive(v, t: str) -> str:
    if t == "bool":
        return "true" if v else "false"
    if t in _INT_RANGE:
        return str(v)
    if t in ("f32", "f64"):
        return format_float(v, t)
    if t == "char":
        return "'" + _escape(v) + "'"
    return '"' + "".join(_escape(c) for c in v) + '"'


def format_float(f: float, t: str = "f64") -> str:
    """Rust's ``Display`` for f32/f64, with wasm-wave's ``nan``: the shortest
    digits that read back as the same float, positional notation."""
    if math.isnan(f):
        return "nan"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    digits = _shortest_f64(f) if t == "f64" else _shortest_f32(f)
    return format(Decimal(digits).normalize(), "f")


def _f32(x: float) -> float:
    try:
        return struct.unpack("<f", struct.pack("<f", x))[0]
    except OverflowError:                       # beyond the largest f32
        return math.copysign(math.inf, x)


def decimal_to_f32(text: str) -> float:
    """A decimal rounded once to the nearest binary32 (ties to even), as
    Rust's ``str::parse::<f32>`` does.  Going through f64 first rounds twice,
    which is wrong exactly when the f64 lands on the midpoint of two f32s;
    then the decimal itself decides."""
    v = float(text)
    f = _f32(v)
    if v == f or math.isinf(v):
        return f
    m, fb = abs(v), struct.unpack("<I", struct.pack("<f", abs(f)))[0]
    lo_b, hi_b = (fb - 1, fb) if abs(f) > m else (fb, fb + 1)
    hi = _f32_from_bits(hi_b)
    # Overflow rounds as if infinity were the next step, 2**128.
    mid = (Fraction(_f32_from_bits(lo_b)) + (Fraction(2**128) if math.isinf(hi) else Fraction(hi))) / 2
    if Fraction(m) != mid:
        return f
    exact = abs(Fraction(text))
    pick = lo_b if exact < mid else hi_b if exact > mid else (lo_b if lo_b % 2 == 0 else hi_b)
    return math.copysign(_f32_from_bits(pick), v)


def _f32_from_bits(bits: int) -> float:
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def _shortest_f32(f: float) -> str:
    """The shortest decimal that rounds to ``f`` as binary32, the closest
    one when several have that length (what Rust prints)."""
    if f == 0:
        return "-0" if math.copysign(1, f) < 0 else "0"
    for p in range(1, 10):
        got = _closest(f, Decimal(f"{f:.{p - 1}e}"), p, lambda c: decimal_to_f32(str(c)) == f)
        if got is not None:
            return got
    return repr(f)


def _shortest_f64(f: float) -> str:
    """``repr`` has the shortest length; only its choice between two equally
    close candidates (round half to even) can differ from Rust's."""
    if f == 0:
        return repr(f)
    r = Decimal(repr(f)).normalize()
    return _closest(f, r, len(r.as_tuple().digits), lambda c: float(str(c)) == f) or repr(f)


def _closest(f: float, near: Decimal, p: int, round_trips) -> str | None:
    """Among ``near`` and its p-digit neighbours, the one closest to ``f``
    that reads back as ``f``; on a tie the larger magnitude (Rust prints the
    f32 2153251.25 as 2153251.3 and the f64 1852282500156988.25 as ...88.3)."""
    step = Decimal(1).scaleb(near.adjusted() - p + 1)
    good = [c for c in (near, near - step, near + step) if round_trips(c)]
    if not good:
        return None
    return str(min(good, key=lambda c: (abs(c - Decimal(f)), -abs(c))))


# Other_Grapheme_Extend (Unicode PropList.txt): characters that are not Mn/Me
# but that Rust's escape_debug still escapes as grapheme extenders.
_OTHER_GRAPHEME_EXTEND = (
    (0x09BE, 0x09BE), (0x09D7, 0x09D7), (0x0B3E, 0x0B3E), (0x0B57, 0x0B57),
    (0x0BBE, 0x0BBE), (0x0BD7, 0x0BD7), (0x0CC2, 0x0CC2), (0x0CD5, 0x0CD6),
    (0x0D3E, 0x0D3E), (0x0D57, 0x0D57), (0x0DCF, 0x0DCF), (0x0DDF, 0x0DDF),
    (0x1B35, 0x1B35), (0x200C, 0x200C), (0x302E, 0x302F), (0xFF9E, 0xFF9F),
    (0x1133E, 0x1133E), (0x11357, 0x11357), (0x114B0, 0x114B0), (0x114BD, 0x114BD),
    (0x115AF, 0x115AF), (0x11930, 0x11930), (0x1D165, 0x1D165), (0x1D16E, 0x1D172),
    (0x1F3FB, 0x1F3FF), (0xE0020, 0xE007F),
)
# Where Rust's tables (wasmtime 49: Unicode 16) and the rule of _escape on
# Python's Unicode 14 database disagree: (first, last, escape?) code-point
# ranges, measured over every scalar value by test_wave.py's
# test_every_char_matches_wasmtime (which prints a new table when they
# drift).  Mostly characters assigned after Unicode 14 (printed raw by
# wasmtime) and spacing marks that became grapheme extenders (escaped).
_OVERRIDES_UNICODE = "14.0.0"
_ESCAPE_OVERRIDES = (
    (0x88F, 0x88F, 0), (0xC5C, 0xC5C, 0), (0xCC0, 0xCC0, 1), (0xCC7, 0xCC8, 1),
    (0xCCA, 0xCCB, 1), (0xCDC, 0xCDC, 0), (0xCF3, 0xCF3, 0), (0x115F, 0x1160, 1),
    (0x1715, 0x1715, 1), (0x1734, 0x1734, 1), (0x1B3B, 0x1B3B, 1), (0x1B3D, 0x1B3D, 1),
    (0x1B43, 0x1B44, 1), (0x1B4E, 0x1B4F, 0), (0x1B7F, 0x1B7F, 0), (0x1BAA, 0x1BAA, 1),
    (0x1BF2, 0x1BF3, 1), (0x1C89, 0x1C8A, 0), (0x20C1, 0x20C1, 0), (0x2427, 0x2429, 0),
    (0x2B96, 0x2B96, 0), (0x2FFC, 0x2FFF, 0), (0x3164, 0x3164, 1), (0x31E4, 0x31E5, 0),
    (0x31EF, 0x31EF, 0), (0xA7CB, 0xA7CF, 0), (0xA7D2, 0xA7D2, 0), (0xA7D4, 0xA7D4, 0),
    (0xA7DA, 0xA7DC, 0), (0xA7F1, 0xA7F1, 0), (0xA953, 0xA953, 1), (0xA9C0, 0xA9C0, 1),
    (0xFBC3, 0xFBD2, 0), (0xFD90, 0xFD91, 0), (0xFDC8, 0xFDCE, 0), (0xFFA0, 0xFFA0, 1),
    (0x105C0, 0x105F3, 0), (0x10940, 0x10959, 0), (0x10D40, 0x10D65, 0), (0x10D6E, 0x10D85, 0),
    (0x10D8E, 0x10D8F, 0), (0x10EC2, 0x10EC7, 0), (0x10ED0, 0x10ED8, 0), (0x111C0, 0x111C0, 1),
    (0x11235, 0x11235, 1), (0x1123F, 0x11240, 0), (0x1134D, 0x1134D, 1), (0x11380, 0x11389, 0),
    (0x1138B, 0x1138B, 0), (0x1138E, 0x1138E, 0), (0x11390, 0x113B5, 0), (0x113B7, 0x113B7, 0),
    (0x113B9, 0x113BA, 0), (0x113CA, 0x113CA, 0), (0x113CC, 0x113CD, 0), (0x113D1, 0x113D1, 0),
    (0x113D3, 0x113D5, 0), (0x113D7, 0x113D8, 0), (0x116B6, 0x116B6, 1), (0x116D0, 0x116E3, 0),
    (0x1171E, 0x1171E, 0), (0x1193D, 0x1193D, 1), (0x11B00, 0x11B09, 0), (0x11B61, 0x11B61, 0),
    (0x11B65, 0x11B65, 0), (0x11B67, 0x11B67, 0), (0x11BC0, 0x11BE1, 0), (0x11BF0, 0x11BF9, 0),
    (0x11DB0, 0x11DDB, 0), (0x11DE0, 0x11DE9, 0), (0x11F02, 0x11F10, 0), (0x11F12, 0x11F35, 0),
    (0x11F3E, 0x11F3F, 0), (0x11F43, 0x11F59, 0), (0x1342F, 0x1342F, 0), (0x13441, 0x13446, 0),
    (0x13460, 0x143FA, 0), (0x16100, 0x1611D, 0), (0x1612A, 0x1612C, 0), (0x16130, 0x16139, 0),
    (0x16D40, 0x16D79, 0), (0x16EA0, 0x16EB8, 0), (0x16EBB, 0x16ED3, 0), (0x16FF0, 0x16FF1, 1),
    (0x16FF2, 0x16FF6, 0), (0x187F8, 0x187FF, 0), (0x18CFF, 0x18CFF, 0), (0x18D09, 0x18D1E, 0),
    (0x18D80, 0x18DF2, 0), (0x1B132, 0x1B132, 0), (0x1B155, 0x1B155, 0), (0x1CC00, 0x1CCFC, 0),
    (0x1CD00, 0x1CEB3, 0), (0x1CEBA, 0x1CED0, 0), (0x1CEE0, 0x1CEF0, 0), (0x1D166, 0x1D166, 1),
    (0x1D16D, 0x1D16D, 1), (0x1D2C0, 0x1D2D3, 0), (0x1DF25, 0x1DF2A, 0), (0x1E030, 0x1E06D, 0),
    (0x1E4D0, 0x1E4EB, 0), (0x1E4F0, 0x1E4F9, 0), (0x1E5D0, 0x1E5ED, 0), (0x1E5F0, 0x1E5FA, 0),
    (0x1E5FF, 0x1E5FF, 0), (0x1E6C0, 0x1E6DE, 0), (0x1E6E0, 0x1E6E2, 0), (0x1E6E4, 0x1E6E5, 0),
    (0x1E6E7, 0x1E6ED, 0), (0x1E6F0, 0x1E6F4, 0), (0x1E6FE, 0x1E6FF, 0), (0x1F3FB, 0x1F3FF, 0),
    (0x1F6D8, 0x1F6D8, 0), (0x1F6DC, 0x1F6DC, 0), (0x1F774, 0x1F77F, 0), (0x1F7D9, 0x1F7D9, 0),
    (0x1F8B2, 0x1F8BB, 0), (0x1F8C0, 0x1F8C1, 0), (0x1F8D0, 0x1F8D8, 0), (0x1FA54, 0x1FA57, 0),
    (0x1FA75, 0x1FA77, 0), (0x1FA87, 0x1FA8A, 0), (0x1FA8E, 0x1FA8F, 0), (0x1FAAD, 0x1FAAF, 0),
    (0x1FABB, 0x1FABF, 0), (0x1FAC6, 0x1FAC6, 0), (0x1FAC8, 0x1FAC8, 0), (0x1FACD, 0x1FACF, 0),
    (0x1FADA, 0x1FADC, 0), (0x1FADF, 0x1FADF, 0), (0x1FAE8, 0x1FAEA, 0), (0x1FAEF, 0x1FAEF, 0),
    (0x1FAF7, 0x1FAF8, 0), (0x1FBCB, 0x1FBEF, 0), (0x1FBFA, 0x1FBFA, 0), (0x2B739, 0x2B73F, 0),
    (0x2CEA2, 0x2CEAD, 0), (0x2EBF0, 0x2EE5D, 0), (0x31350, 0x33479, 0),
)
_OVERRIDE_STARTS = [lo for lo, _, _ in _ESCAPE_OVERRIDES]
_NAMED = {"\\": "\\\\", '"': '\\"', "'": "\\'", "\t": "\\t", "\r": "\\r", "\n": "\\n"}
_UNPRINTABLE = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"))


def _escape(c: str) -> str:
    if c in _NAMED:
        return _NAMED[c]
    cp = ord(c)
    if _needs_escape(c, cp):
        return f"\\u{{{cp:x}}}"
    return c


def _needs_escape(c: str, cp: int) -> bool:
    """Rust's ``char::escape_debug`` test: not printable, or a grapheme
    extender (control characters are escaped the same way)."""
    if unicodedata.unidata_version == _OVERRIDES_UNICODE:
        k = bisect.bisect_right(_OVERRIDE_STARTS, cp) - 1
        if k >= 0 and cp <= _ESCAPE_OVERRIDES[k][1]:
            return bool(_ESCAPE_OVERRIDES[k][2])
    cat = unicodedata.category(c)
    return (cat in _UNPRINTABLE and c != " ") or cat in ("Mn", "Me") or \
        any(lo <= cp <= hi for lo, hi in _OTHER_GRAPHEME_EXTEND)
