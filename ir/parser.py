"""Parser for the IR text form written by :mod:`.printer`.

``parse_module(text)`` reads declarations and functions; ``parse_function``
reads a text holding exactly one function.  Errors are :class:`ParseError`
with ``line``/``col`` (1-based) and print as ``LINE:COL: message``.
``load_ir(data, filename)`` reads compiler input (``wasmaot compile x.ir``):
parsed and verified, with the frontend's one-line errors; ``is_ir_input``
tells IR input from Wasm.

Value and block numbers are kept exactly as written (``v7`` is value 7), so
``print(parse(text)) == text`` for canonical text and
``parse(print(f)) == f`` structurally.  Gaps in numbering are allowed.

Besides the canonical forms the parser accepts, for hand-written tests:
``fconst`` literals as decimal/``inf``/``nan``/``nan:0xPAYLOAD`` (f32
literals are rounded to nearest-even from the exact decimal via ``struct``),
``iconst`` in hex or unsigned decimal, ``vconst``/``shuffle`` immediates
in decimal, ``align=N`` equal to the natural
alignment.  Comments run from ``;`` to the end of the line.

Two passes: declarations and function headers first (so a call may name a
function defined later), bodies second.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ..frontend.types import ErasedSig, parse_type_key
from .builder import check_imm64, BuildError
from .function import Function
from .module import (EXTERN_FUNC, EXTERN_GLOBAL, EXTERN_MEMORY, EXTERN_TABLE, EXTERN_TAG,
                     SEG_MODE_NAMES, SEG_PASSIVE, DataDecl, ElemDecl, Export, FuncDecl,
                     GlobalDecl, GlobalInit, Import, MemoryDecl, Module, Signature, TableDecl,
                     TagDecl)
from .opcodes import (BY_NAME, BRANCH_TABLE, FloatCC, ImmKind, IntCC, MemFlags,
                      Opcode, VarArgs)
from .trapcodes import TrapCode
from .types import F32, F64, I32, I64, REF, bits, is_shape, type_from_name, type_name


class ParseError(Exception):
    def __init__(self, message: str, line: int, col: int):
        super().__init__(f"{line}:{col}: {message}")
        self.message = message
        self.line = line
        self.col = col


_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r]+|;[^\n]*)
  | (?P<nl>\n)
  | (?P<name>%(?:[A-Za-z0-9_$.\-]+|"(?:[^"\\\n]|\\.)*"))
  | (?P<num>[+-]?(?:0x[0-9a-fA-F]+(?:\.[0-9a-fA-F]*)?(?:p[+-]?\d+)?
                  |\d+(?:\.\d+)?(?:[eE][+-]?\d+)?
                  |(?:inf|nan(?::0x[0-9a-fA-F]+)?)\b))
  | (?P<ident>[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<punct>->|\.\.|[(){}\[\],:=])
""", re.VERBOSE)


@dataclass(slots=True)
class Tok:
    kind: str
    text: str
    line: int
    col: int


def _string_end(text: str, pos: int) -> int:
    """The index after the string starting at ``pos`` (a ``"``), or -1 if it
    does not end on its line.  A quote ends it unless an odd number of
    backslashes precede it."""
    i = pos + 1
    while True:
        j = text.find('"', i)
        if j < 0:
            return -1
        k = j
        while text[k - 1] == "\\" and k - 1 > pos:
            k -= 1
        if (j - k) % 2 == 0:
            return -1 if "\n" in text[pos:j] else j + 1
        i = j + 1


def tokenize(text: str) -> list[Tok]:
    toks = []
    pos = 0
    line, line_start = 1, 0
    n = len(text)
    while pos < n:
        if text[pos] == '"':            # strings can be megabytes of data: no regex
            end = _string_end(text, pos)
            if end < 0:
                raise ParseError("unterminated string", line, pos - line_start + 1)
            toks.append(Tok("str", text[pos:end], line, pos - line_start + 1))
            pos = end
            continue
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ParseError(f"unexpected character {text[pos]!r}", line, pos - line_start + 1)
        kind = m.lastgroup
        if kind == "nl":
            line += 1
            line_start = m.end()
        elif kind != "ws":
            toks.append(Tok(kind, m.group(), line, pos - line_start + 1))
        pos = m.end()
    toks.append(Tok("eof", "", line, pos - line_start + 1))
    return toks


_ENTITY_RE = re.compile(r"(v|block|fn|sig|g|mem|table|elem|data|tag)(\d+)\Z")
_ENTITY_KIND = {ImmKind.MEM: "mem", ImmKind.FUNC: "fn", ImmKind.SIG: "sig",
                ImmKind.GLOBAL: "g", ImmKind.TABLE: "table", ImmKind.ELEM: "elem",
                ImmKind.DATA: "data", ImmKind.TAG: "tag"}
_WHAT = {"mem": "memory", "fn": "function", "sig": "signature", "g": "global",
         "table": "table", "elem": "element segment", "data": "data segment", "tag": "tag"}


_KIND_WHAT = ("function", "table", "memory", "global", "tag")     # by EXTERN_* kind
_EXPORT_KINDS = {"fn": EXTERN_FUNC, "table": EXTERN_TABLE, "mem": EXTERN_MEMORY,
                 "g": EXTERN_GLOBAL, "tag": EXTERN_TAG}
#: Escapes in a data string: a run of ``\\hh`` (decoded at once: zero-filled
#: data is long runs of ``\\00``), one simple escape, or (neither group) a
#: bad one.
_BYTE_ESCAPE = re.compile(r"""((?:\\[0-9a-fA-F]{2})+)|\\([ntr"'\\])|\\""")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "'": "'", "\\": "\\"}


_HEXFLOAT = re.compile(r"0x([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:p([+-]?\d+))?\Z")


def _float_literal_bits(text: str, ty: int) -> int:
    """Bits of a float literal (decimal, hex float, inf, nan, nan:0xP),
    rounded once, exactly, to the type (never through a double for f32)."""
    from .wasm_numerics import fraction_bits
    neg = text.startswith("-")
    body = text.lstrip("+-")
    w = bits(ty)
    sign = (1 << (w - 1)) if neg else 0
    mant_bits = 23 if ty == F32 else 52
    exp_all = ((1 << (w - 1)) - 1) ^ ((1 << mant_bits) - 1)   # exponent field all ones
    if body == "inf":
        return sign | exp_all
    if body.startswith("nan"):
        payload = int(body[4:], 16) if ":" in body else 1 << (mant_bits - 1)
        if not 0 < payload < (1 << mant_bits):
            raise ValueError("NaN payload out of range")
        return sign | exp_all | payload
    m = _HEXFLOAT.match(body)
    if m:
        ip, fp, ex = m.group(1) or "0", m.group(2) or "", int(m.group(3) or 0)
        value = Fraction(int(ip + fp, 16), 16 ** len(fp)) * Fraction(2) ** ex
    else:
        value = Fraction(Decimal(body))
    return fraction_bits(value, w, negative=neg)


class _Parser:
    def __init__(self, text: str):
        self.toks = tokenize(text)
        self.i = 0

    # ---- token helpers ----------------------------------------------------
    @property
    def tok(self) -> Tok:
        return self.toks[self.i]

    def err(self, msg: str, tok: Tok | None = None) -> ParseError:
        t = tok or self.tok
        return ParseError(msg, t.line, t.col)

    def next(self) -> Tok:
        t = self.toks[self.i]
        if t.kind != "eof":
            self.i += 1
        return t

    def at(self, text: str) -> bool:
        return self.tok.text == text and self.tok.kind in ("punct", "ident")

    def accept(self, text: str) -> bool:
        if self.at(text):
            self.i += 1
            return True
        return False

    def expect(self, text: str, what: str | None = None) -> Tok:
        if not self.at(text):
            got = self.tok.text or "end of input"
            raise self.err(f"expected {what or repr(text)}, got {got!r}")
        return self.next()

    def ident(self, what: str) -> Tok:
        if self.tok.kind != "ident":
            raise self.err(f"expected {what}, got {self.tok.text or 'end of input'!r}")
        return self.next()

    def number(self, what: str) -> tuple[int, Tok]:
        t = self.tok
        if t.kind != "num" or not re.fullmatch(r"[+-]?(0x[0-9a-fA-F]+|\d+)", t.text):
            raise self.err(f"expected {what}, got {t.text or 'end of input'!r}")
        self.next()
        return int(t.text, 0), t

    def string(self) -> str:
        if self.tok.kind != "str":
            raise self.err(f"expected a string, got {self.tok.text!r}")
        return json.loads(self.next().text)

    def entity(self, prefix: str, what: str | None = None) -> tuple[int, Tok]:
        t = self.tok
        m = _ENTITY_RE.match(t.text) if t.kind == "ident" else None
        if m is None or m.group(1) != prefix:
            raise self.err(f"expected {what or prefix + 'N'}, got {t.text or 'end of input'!r}")
        self.next()
        return int(m.group(2)), t

    def type_(self) -> int:
        t = self.tok
        try:
            ty = type_from_name(t.text) if t.kind == "ident" else None
        except KeyError:
            ty = None
        if ty is None or is_shape(ty):
            raise self.err(f"expected a type, got {t.text or 'end of input'!r}")
        self.next()
        return ty

    def name(self) -> str:
        t = self.tok
        if t.kind != "name":
            raise self.err(f"expected a %name, got {t.text or 'end of input'!r}")
        self.next()
        body = t.text[1:]
        return json.loads(body) if body.startswith('"') else body

    def sig(self) -> Signature:
        self.expect("(")
        params = []
        if not self.at(")"):
            params.append(self.type_())
            while self.accept(","):
                params.append(self.type_())
        self.expect(")")
        results = []
        if self.accept("->"):
            results.append(self.type_())
            while self.accept(","):
                results.append(self.type_())
        if self.accept("wasm"):        # the precise type an ErasedSig keeps
            return ErasedSig(tuple(params), tuple(results), self.string())
        return Signature(tuple(params), tuple(results))

    def limits(self) -> tuple[int, int | None]:
        lo, _ = self.number("a limit")
        hi = None
        if self.accept(".."):
            hi, _ = self.number("a maximum")
        return lo, hi

    def opt_wasm_type(self) -> int | None:
        """`` wasm "(ref ...)"``: a precise Wasm type (ir/printer.py)."""
        if not self.accept("wasm"):
            return None
        t = self.tok
        try:
            return parse_type_key(self.string())
        except ValueError as e:
            raise self.err(str(e), t) from None

    def opt_import(self) -> Import | None:
        if self.accept("import"):
            return Import(self.string(), self.string())
        return None

    def label(self, prefix: str, expected: int) -> None:
        n, t = self.entity(prefix)
        if n != expected:
            raise self.err(f"{prefix}{n} declared out of order, expected {prefix}{expected}", t)

    # ---- module -------------------------------------------------------------
    def module(self) -> Module:
        m = self.m = Module()
        #: (prefix, index, token) references to module entities, checked
        #: once every declaration is read (an export may name a later function).
        self.refs: list[tuple[str, int, Tok]] = []
        bodies: list[tuple[Function, int]] = []
        decls = {"memory": self.memory_decl, "table": self.table_decl,
                 "global": self.global_decl, "tag": self.tag_decl, "elem": self.elem_decl, "data": self.data_decl,
                 "export": self.export_decl, "start": self.start_decl, "init": self.init_decl}
        while self.tok.kind != "eof":
            t = self.tok
            if t.kind == "ident" and _ENTITY_RE.match(t.text) and t.text.startswith("sig"):
                self.label("sig", len(m.sigs))
                self.expect("=")
                m.sigs.append(self.sig())
            elif t.kind == "ident" and t.text in decls:
                self.next()
                decls[t.text](t)
            elif self.at("function"):
                self.function_decl(bodies)
            else:
                raise self.err(f"expected a declaration or function, got {t.text!r}")
        self.check_refs()
        end = self.i
        for f, start in bodies:
            self.i = start
            _BodyParser(self, f).parse()
        self.i = end
        return m

    def declare(self, kind: int, space: list, decl, tok: Tok) -> None:
        """Append ``decl`` to its index space; an import also takes the next
        place in the import section (the order imports appear in the text)."""
        if decl.import_ is not None:
            if any(d.import_ is None for d in space):
                raise self.err(f"{_KIND_WHAT[kind]} imports must precede definitions", tok)
            self.m.import_order.append((kind, len(space)))
        space.append(decl)

    def ref(self, prefix: str) -> int:
        n, t = self.entity(prefix)
        self.refs.append((prefix, n, t))
        return n

    def check_refs(self) -> None:
        m = self.m
        sizes = {"fn": len(m.funcs), "g": len(m.globals), "mem": len(m.memories),
                 "table": len(m.tables), "tag": len(m.tags), "sig": len(m.sigs)}
        for prefix, n, t in self.refs:
            if n >= sizes[prefix]:
                raise ParseError(f"unknown {_WHAT[prefix]} {prefix}{n}", t.line, t.col)

    def memory_decl(self, t: Tok) -> None:
        self.label("mem", len(self.m.memories))
        index_type = I64 if self.accept("i64") else I32
        shared = self.accept("shared")
        lo, hi = self.limits()
        page_log2 = 16
        if self.accept("pagesize"):
            self.expect("=")
            size, st = self.number("a page size")
            if size not in (1, 1 << 16):
                raise self.err("page size must be 1 or 65536", st)
            page_log2 = size.bit_length() - 1
        decl = MemoryDecl(lo, hi, index_type, shared, self.opt_import(), page_log2)
        self.declare(EXTERN_MEMORY, self.m.memories, decl, t)

    def table_decl(self, t: Tok) -> None:
        self.label("table", len(self.m.tables))
        index_type = I64 if self.accept("i64") else I32
        elem = self.ref_type()
        lo, hi = self.limits()
        wasm = self.opt_wasm_type()
        self.declare(EXTERN_TABLE, self.m.tables,
                     TableDecl(elem, lo, hi, self.opt_import(), wasm, index_type), t)

    def global_decl(self, t: Tok) -> None:
        self.label("g", len(self.m.globals))
        mut = self.accept("mut")
        ty = self.type_()
        wasm = self.opt_wasm_type()
        imp = self.opt_import()
        init = None
        if imp is None:
            self.expect("=", "'=' or import")
            init = self.global_init(ty)
        self.declare(EXTERN_GLOBAL, self.m.globals, GlobalDecl(ty, mut, init, imp, wasm), t)

    def tag_decl(self, t: Tok) -> None:
        self.label("tag", len(self.m.tags))
        sig = self.ref("sig")
        self.declare(EXTERN_TAG, self.m.tags, TagDecl(sig, self.opt_import()), t)

    def seg_mode(self) -> int:
        """An optional segment mode; passive when omitted."""
        if self.tok.kind == "ident" and self.tok.text in SEG_MODE_NAMES:
            return SEG_MODE_NAMES.index(self.next().text)
        return SEG_PASSIVE

    def elem_decl(self, t: Tok) -> None:
        self.label("elem", len(self.m.elems))
        elem = self.ref_type()
        mode = self.seg_mode()
        items = []
        if self.accept("["):
            if not self.at("]"):
                items.append(self.elem_item())
                while self.accept(","):
                    items.append(self.elem_item())
            self.expect("]")
        self.m.elems.append(ElemDecl(elem, mode, tuple(items)))

    def elem_item(self) -> GlobalInit:
        if self.accept("null"):
            return GlobalInit(Opcode.null)
        if self.tok.text.startswith("g"):
            return GlobalInit(Opcode.global_get, self.ref("g"))
        return GlobalInit(Opcode.func_ref, self.ref("fn"))

    def data_decl(self, t: Tok) -> None:
        self.label("data", len(self.m.datas))
        mode = self.seg_mode()
        data = self.data_string() if self.tok.kind == "str" else b""
        self.m.datas.append(DataDecl(data, mode))

    def data_string(self) -> bytes:
        """A WAT-style byte string: ``\\hh``, ``\\n \\t \\r \\" \\' \\\\``, other
        characters as their UTF-8."""
        t = self.next()
        body = t.text[1:-1]
        out = bytearray()
        pos = 0
        for esc in _BYTE_ESCAPE.finditer(body):
            out += body[pos:esc.start()].encode()
            hexrun, simple = esc.groups()
            if hexrun:
                out += bytes.fromhex(hexrun.replace("\\", ""))
            elif simple:
                out += _SIMPLE_ESCAPES[simple].encode()
            else:
                raise ParseError("bad escape in byte string (\\hh, \\n, \\t, \\r, \\\", "
                                 "\\', \\\\)", t.line, t.col + 1 + esc.start())
            pos = esc.end()
        out += body[pos:].encode()
        return bytes(out)

    def export_decl(self, t: Tok) -> None:
        name_tok = self.tok
        name = self.string()
        if any(e.name == name for e in self.m.exports):
            raise self.err(f"duplicate export {json.dumps(name)}", name_tok)
        et = self.tok
        m = _ENTITY_RE.match(et.text) if et.kind == "ident" else None
        prefix = m.group(1) if m else None
        if prefix not in _EXPORT_KINDS:
            raise self.err(f"expected fnN, tableN, memN or gN, got {et.text or 'end of input'!r}")
        self.m.exports.append(Export(name, _EXPORT_KINDS[prefix], self.ref(prefix)))

    def start_decl(self, t: Tok) -> None:
        if self.m.start is not None:
            raise self.err("a second start function", t)
        self.m.start = self.ref("fn")

    def init_decl(self, t: Tok) -> None:
        if self.m.init_func is not None:
            raise self.err("a second init function", t)
        self.m.init_func = self.ref("fn")

    def function_decl(self, bodies: list) -> None:
        ft = self.next()
        m = self.m
        name = self.name()
        sig = self.sig()
        imp = self.opt_import()
        if imp is not None:
            self.declare(EXTERN_FUNC, m.funcs, FuncDecl(name, sig, imp), ft)
        elif self.at("{") or self.at("offset"):
            offset = self.number("a Wasm body offset")[0] if self.accept("offset") else None
            if not self.at("{"):
                raise self.err(f"expected '{{', got {self.tok.text or 'end of input'!r}")
            f = Function(name, sig, m)
            m.funcs.append(FuncDecl(name, sig, None, f, offset))
            bodies.append((f, self.i))
            self.skip_body()
        else:
            m.funcs.append(FuncDecl(name, sig))

    def ref_type(self) -> int:
        t = self.tok
        ty = self.type_()
        if ty not in REF:
            raise self.err(f"expected a reference type, got {t.text!r}", t)
        return ty

    def global_init(self, ty: int) -> GlobalInit:
        t = self.ident("an initialiser (iconst, fconst, null, func_ref, global_get)")
        if t.text == "iconst":
            v, nt = self.number("an integer")
            try:
                return GlobalInit(Opcode.iconst, check_imm64(v, ty))
            except (BuildError, KeyError) as e:
                raise self.err(str(e), nt) from None
        if t.text == "fconst":
            return GlobalInit(Opcode.fconst, self.ieee(ty))
        if t.text == "null":
            return GlobalInit(Opcode.null)
        if t.text == "func_ref":
            return GlobalInit(Opcode.func_ref, self.ref("fn"))
        if t.text == "global_get":
            return GlobalInit(Opcode.global_get, self.ref("g"))
        if t.text == "vconst":
            v, nt = self.number("a 128-bit constant")
            if not 0 <= v < 1 << 128:
                raise self.err("constant does not fit 128 bits", nt)
            return GlobalInit(Opcode.vconst, v)
        raise self.err(f"unknown initialiser {t.text!r}", t)

    def ieee(self, ty: int) -> int:
        t = self.tok
        if t.kind != "num":
            raise self.err(f"expected a float constant, got {t.text or 'end of input'!r}")
        self.next()
        if ty not in (F32, F64):
            raise self.err(f"fconst needs a float type, not {type_name(ty)}", t)
        if re.fullmatch(r"0x[0-9a-fA-F]+", t.text):
            v = int(t.text, 16)
            if v >> bits(ty):
                raise self.err(f"bit pattern too wide for {type_name(ty)}", t)
            return v
        try:
            return _float_literal_bits(t.text, ty)
        except ValueError as e:
            raise self.err(str(e), t) from None

    def skip_body(self) -> None:
        depth = 0
        while True:
            t = self.next()
            if t.kind == "eof":
                raise self.err("unterminated function body (missing '}')", t)
            if t.text == "{" and t.kind == "punct":
                depth += 1
            elif t.text == "}" and t.kind == "punct":
                depth -= 1
                if depth == 0:
                    return


class _BodyParser:
    """Parses one ``{ ... }`` body into ``func`` (tokens shared with ``p``)."""

    def __init__(self, p: _Parser, func: Function):
        self.p = p
        self.f = func
        self.defined_blocks: set[int] = set()
        self.used_blocks: dict[int, Tok] = {}
        self.used_values: dict[int, Tok] = {}

    def parse(self) -> None:
        p = self.p
        p.expect("{")
        dfg = self.f.dfg
        block = None
        while not p.at("}"):
            t = p.tok
            if t.kind == "eof":
                raise p.err("unexpected end of input in function body")
            m = _ENTITY_RE.match(t.text) if t.kind == "ident" else None
            if m and m.group(1) == "block" and p.toks[p.i + 1].text in (":", "(", "cold"):
                block = self.block_header()
                continue
            if block is None:
                raise p.err("instruction before the first block header")
            self.inst(block)
        p.expect("}")
        for b, bt in self.used_blocks.items():
            if b not in self.defined_blocks:
                raise ParseError(f"undefined block block{b}", bt.line, bt.col)
        for v, vt in self.used_values.items():
            if not dfg.value_is_valid(v):
                raise ParseError(f"undefined value v{int(v)}", vt.line, vt.col)

    def block_header(self) -> int:
        p = self.p
        n, t = p.entity("block")
        if n in self.defined_blocks:
            raise p.err(f"block{n} defined twice", t)
        self.defined_blocks.add(n)
        dfg = self.f.dfg
        dfg.reserve_blocks(n + 1)
        self.f.layout.append_block(n)
        if p.accept("("):
            while True:
                v, vt = p.entity("v", "a value")
                p.expect(":")
                ty = p.type_()
                if dfg.value_is_valid(v):
                    raise p.err(f"value v{int(v)} defined twice", vt)
                dfg.append_block_param(n, ty, v)
                if not p.accept(","):
                    break
            p.expect(")")
        if p.accept("cold"):
            self.f.layout.set_cold(n)
        p.expect(":")
        return n

    def value(self) -> int:
        v, t = self.p.entity("v", "a value")
        self.used_values.setdefault(v, t)
        return v

    def value_list(self, close: str) -> list[int]:
        p = self.p
        out = []
        if not p.at(close):
            out.append(self.value())
            while p.accept(","):
                out.append(self.value())
        return out

    def block_call(self) -> tuple[int, list[int]]:
        p = self.p
        b, t = p.entity("block", "a block")
        self.used_blocks.setdefault(b, t)
        args = []
        if p.accept("("):
            args = self.value_list(")")
            p.expect(")")
        return b, args

    def inst(self, block: int) -> None:
        """``[results =] name[.T] imms... operands [block calls]`` on one line."""
        p, dfg = self.p, self.f.dfg
        line = p.tok.line
        results: list[tuple[int, Tok]] = []
        if _ENTITY_RE.match(p.tok.text) and p.tok.text.startswith("v") and p.tok.kind == "ident":
            results.append(p.entity("v", "a value"))
            while p.accept(","):
                results.append(p.entity("v", "a value"))
            p.expect("=")
        opt = p.ident("an opcode")
        info, ctrl = self.opcode(opt)
        imms = self.immediates(info, ctrl, opt)
        args = self.operands(info, imms, line)
        calls = self.block_calls(info) if info.branches else None
        if p.tok.line == line and p.tok.kind != "eof":
            raise p.err(f"expected end of line, got {p.tok.text!r}")
        try:
            rtypes = dfg.result_types(info, ctrl, imms, self.f.module)
        except (LookupError, AttributeError):
            raise p.err(f"cannot type {info.name}: unknown referenced entity", opt) from None
        if len(results) != len(rtypes):
            raise p.err(f"{info.name} has {len(rtypes)} result(s), {len(results)} named",
                        results[0][1] if results else opt)
        first = results[0][0] if results else None
        for k, (v, vt) in enumerate(results):
            if v != first + k:
                raise p.err("results of one instruction must be consecutive values", vt)
            if dfg.value_is_valid(v):
                raise p.err(f"value v{int(v)} defined twice", vt)
        inst = dfg.make_inst(info.opcode, ctrl, imms, args, calls, rtypes, first)
        self.f.layout.append_inst(inst, block)

    def opcode(self, opt: Tok):
        """``name[.T]`` -> (opcode info, controlling type or 0)."""
        p = self.p
        name, _, suffix = opt.text.partition(".")
        info = BY_NAME.get(name)
        if info is None:
            raise p.err(f"unknown opcode {name!r}", opt)
        if info.ctrl is None:
            if suffix:
                raise p.err(f"{name} takes no type suffix", opt)
            return info, 0
        if not suffix:
            raise p.err(f"{name} needs a type suffix (e.g. {name}.{type_name(min(info.ctrl))})", opt)
        try:
            ctrl = type_from_name(suffix)
        except KeyError:
            raise p.err(f"unknown type {suffix!r}", opt) from None
        if ctrl not in info.ctrl:
            raise p.err(f"{name} does not take type {suffix}", opt)
        return info, ctrl

    def immediates(self, info, ctrl: int, opt: Tok) -> list[int]:
        """The immediates in table order (an OFFSET is read with the first
        operand, IMM128_HI with IMM128)."""
        p = self.p
        imms: list[int] = []
        notrap, align, scope = False, None, None
        for kind in info.imms:
            if kind == ImmKind.MEMFLAGS:
                while True:
                    if p.accept("notrap"):
                        notrap = True
                    elif p.accept("scope"):
                        p.expect("=")
                        d, dt = p.number("an alias domain")
                        p.expect(":")
                        g, gt = p.number("an alias group")
                        if not 1 <= d <= MemFlags.MAX_DOMAIN:
                            raise p.err(f"alias domain must be 1..{MemFlags.MAX_DOMAIN}", dt)
                        if not 1 <= g <= MemFlags.MAX_GROUP:
                            raise p.err(f"alias group must be 1..{MemFlags.MAX_GROUP}", gt)
                        scope = d, g
                    elif p.accept("align"):
                        p.expect("=")
                        a, at = p.number("an alignment")
                        if a <= 0 or a & (a - 1):
                            raise p.err("alignment must be a power of two", at)
                        align = a.bit_length() - 1
                    else:
                        break
                imms.append(0)
            elif kind == ImmKind.OFFSET:
                imms.append(0)
            elif kind == ImmKind.IMM128:
                v, nt = p.number("a 128-bit constant")
                if not 0 <= v < 1 << 128:
                    raise p.err("constant does not fit 128 bits", nt)
                imms.append(v & ((1 << 64) - 1))
                imms.append(v >> 64)
            elif kind != ImmKind.IMM128_HI:
                imms.append(self.immediate(kind, ctrl))
        if ImmKind.MEMFLAGS in info.imms:
            nat = info.natural_align_log2(ctrl)
            if align is not None and align > nat:
                raise p.err(f"alignment {1 << align} exceeds the natural {1 << nat}", opt)
            flags = MemFlags.make(notrap, align, nat)
            if scope is not None:
                flags = MemFlags.with_scope(flags, *scope)
            imms[info.imms.index(ImmKind.MEMFLAGS)] = flags
        return imms

    def immediate(self, kind, ctrl: int) -> int:
        """One scalar immediate: a constant, a lane, a code, or an entity."""
        p = self.p
        if kind == ImmKind.IMM64:
            v, nt = p.number("an integer constant")
            try:
                return check_imm64(v, ctrl)
            except BuildError as e:
                raise p.err(str(e), nt) from None
        if kind == ImmKind.IEEE:
            return p.ieee(ctrl)
        if kind == ImmKind.LANE:
            v, nt = p.number("a lane index")
            if not 0 <= v < 256:
                raise p.err("lane index out of range", nt)
            return v
        if kind in (ImmKind.INTCC, ImmKind.FLOATCC, ImmKind.TRAPCODE):
            enum_ = {ImmKind.INTCC: IntCC, ImmKind.FLOATCC: FloatCC,
                     ImmKind.TRAPCODE: TrapCode}[kind]
            it = p.ident(f"a {enum_.__name__}")
            try:
                return int(enum_[it.text])
            except KeyError:
                raise p.err(f"unknown {enum_.__name__} {it.text!r}", it) from None
        prefix = _ENTITY_KIND[kind]
        n, et = p.entity(prefix)
        module = self.f.module
        table = {"mem": module.memories, "fn": module.funcs, "sig": module.sigs,
                 "g": module.globals, "table": module.tables, "elem": module.elems,
                 "data": module.datas, "tag": module.tags}[prefix] if module else []
        if n >= len(table):
            raise p.err(f"unknown {_WHAT[prefix]} {prefix}{n}", et)
        return n

    def _offset_bits(self, info, imms: list[int]) -> int:
        """The bits an access's offset may use: its memory's index type
        (64 for memory64), 32 when the memory is not known yet."""
        module = self.f.module
        k = info.imms.index(ImmKind.MEM)
        if module and k < len(imms) and imms[k] < len(module.memories):
            return bits(module.memories[imms[k]].index_type)
        return 32

    def operands(self, info, imms: list[int], line: int) -> list[int]:
        """Fixed operands (a ``+offset`` on the first one fills OFFSET in
        ``imms``), then call arguments or return values."""
        p = self.p
        args: list[int] = []
        for k in range(len(info.args)):
            if k:
                p.expect(",")
            args.append(self.value())
            if k == 0 and ImmKind.OFFSET in info.imms and p.tok.kind == "num" \
                    and p.tok.text.startswith("+") and p.tok.line == line:
                off, ot = p.number("an offset")
                width = self._offset_bits(info, imms)
                if off >> width:
                    raise p.err(f"offset does not fit {width} bits", ot)
                imms[info.imms.index(ImmKind.OFFSET)] = off
        if info.varargs == VarArgs.SIG_PARAMS:
            p.expect("(")
            args.extend(self.value_list(")"))
            p.expect(")")
        elif info.varargs == VarArgs.FUNC_RESULTS:
            if p.tok.line == line and p.tok.kind == "ident":
                args.extend(self.value_list("\n"))
        return args

    def block_calls(self, info) -> list:
        """``block1(args)``; brif: two; br_table: default, ``[table...]``."""
        p = self.p
        if info.args:
            p.expect(",")
        calls = [self.block_call()]
        if info.branches == 2:
            p.expect(",")
            calls.append(self.block_call())
        elif info.branches == BRANCH_TABLE:
            p.expect(",")
            p.expect("[")
            if not p.at("]"):
                calls.append(self.block_call())
                while p.accept(","):
                    calls.append(self.block_call())
            p.expect("]")
        return calls

def parse_module(text: str) -> Module:
    return _Parser(text).module()


def parse_function(text: str) -> Function:
    """Parse a text containing exactly one function definition (declarations
    it refers to may precede it)."""
    m = parse_module(text)
    fs = m.functions()
    if len(fs) != 1:
        raise ParseError(f"expected exactly one function, found {len(fs)}", 1, 1)
    return fs[0]


# ---- user input ---------------------------------------------------------------------
# IR_SUFFIX and is_ir_input live in .irinput (the compile path asks it without importing
# the parser); re-exported here.
from .irinput import IR_SUFFIX, is_ir_input  # noqa: E402,F401


def load_ir(data: bytes, filename: str | None = None) -> Module:
    """User input as IR text -> a verified module.  Errors are the
    frontend's one-line kinds: :class:`MalformedError` with line:col for
    text that does not parse, :class:`InvalidError` for a module the
    verifier rejects (its first error, and how many more)."""
    from ..frontend.errors import InvalidError, MalformedError
    from .verifier import VerifierError, verify_module
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise MalformedError("malformed UTF-8 encoding", e.start, filename=filename) from None
    try:
        module = parse_module(text)
    except ParseError as e:
        raise MalformedError(e.message, filename=filename, line=e.line, col=e.col) from None
    try:
        verify_module(module)
    except VerifierError as e:
        more = f" (and {len(e.errors) - 1} more)" if len(e.errors) > 1 else ""
        raise InvalidError(e.errors[0] + more, filename=filename) from None
    return module
