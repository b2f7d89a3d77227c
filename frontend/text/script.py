""".wast scripts: commands, argument values and expected results.

:func:`parse_script` turns a script into a list of command dataclasses.  Every
module in a script is held as a :class:`ModuleSource`; it is converted to a
binary only when someone calls :meth:`ModuleSource.to_binary`, which is where
a malformed module raises -- so one bad module (the point of
``assert_malformed``) never stops the script from parsing.  A malformed
*script* (bad s-expression, unknown command, bad constant in an ``invoke``)
raises :class:`MalformedError` from :func:`parse_script` itself.

Components (issue 13): ``(component ...)``, ``(component definition $C
...)`` and ``(component instance $i $C)`` become :class:`ComponentCommand` /
:class:`ComponentDefinition` holding a :class:`ComponentSource` (encoded by
:mod:`.component` on :meth:`~ComponentSource.to_binary`, like modules); the
module assertions take a component too; typed component values in actions
and results are :class:`CValue`.

Value representation: ``i32``/``i64`` are unsigned bit patterns, ``f32``/
``f64`` raw IEEE bit patterns (so NaN payloads and -0 survive), ``v128`` is 16
bytes (little-endian lanes), references are small dataclasses.
"""
from __future__ import annotations

import dataclasses
import struct
from dataclasses import dataclass, field
from typing import ClassVar, Union

from ..errors import MalformedError
from .cursor import Cursor
from .instr import V128_SHAPES, v128_literal
from .lexer import ATOM, Tokens, tokenize
from .numbers import NumberError, parse_float, parse_int, parse_nat

# --------------------------------------------------------------------------
# values
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Value:
    """A constant: ``type`` is i32|i64|f32|f64 (``bits`` an int bit pattern) or
    v128 (``bits`` 16 bytes)."""
    type: str
    bits: int | bytes


@dataclass(frozen=True, slots=True)
class RefNull:
    heap: str                  # "func" | "extern" | "exn" (a pointer, as extern)


@dataclass(frozen=True, slots=True)
class RefExtern:
    """``(ref.extern N)``; as an expected result ``value`` None means any
    non-null extern reference."""
    value: int | None


@dataclass(frozen=True, slots=True)
class RefFunc:
    """Expected result ``(ref.func)``: any non-null function reference
    (``index`` is given only if the script names one)."""
    index: int | None = None


@dataclass(frozen=True, slots=True)
class NanPattern:
    """Expected ``nan:canonical`` / ``nan:arithmetic`` of type f32|f64."""
    type: str
    kind: str                  # "canonical" | "arithmetic"


@dataclass(frozen=True, slots=True)
class V128Pattern:
    """Expected v128 where some lane is a NaN pattern.  ``lanes`` holds, per
    lane of ``shape`` (``f32x4``/``f64x2``), an int bit pattern or a
    :class:`NanPattern`."""
    shape: str
    lanes: tuple


@dataclass(frozen=True, slots=True)
class Either:
    """``(either r1 r2 ...)``: any one of the alternatives."""
    options: tuple


Arg = Union[Value, RefNull, RefExtern]
Expected = Union[Value, RefNull, RefExtern, RefFunc, NanPattern, V128Pattern, Either]


# --------------------------------------------------------------------------
# modules
# --------------------------------------------------------------------------

@dataclass(eq=False)
class _Source:
    """What a script writes of a module or a component: its fields (see
    :class:`ModuleSource`); each subclass encodes its own kind."""
    kind: str
    name: str | None
    text: str | None
    data: bytes | None
    line: int
    filename: str | None = None
    _tokens: Tokens | None = field(default=None, repr=False)
    _range: tuple[int, int] = field(default=(0, 0), repr=False)
    _col: int = field(default=0, repr=False)


@dataclass(eq=False)
class ModuleSource(_Source):
    """A module as written in a script.

    ``kind`` is ``"text"`` (``text`` is the source of the ``(module ...)``
    form), ``"binary"`` (``data`` holds the bytes) or ``"quote"`` (``data``
    holds the concatenated string bytes, ``text`` their UTF-8 decoding with
    replacement characters, for display only).
    """

    def to_binary(self) -> bytes:
        """The module as a Wasm binary; raises MalformedError if the text or
        quote does not parse (binary modules are returned as they are)."""
        from .wat import module_from_tokens, parse_module_text, text_binary
        if self.kind == "binary":
            return self.data
        if self.kind == "text":
            return text_binary(module_from_tokens(self._tokens, *self._range, self.name),
                               self._tokens, *self._range, self.name, keep_tokens=True)
        try:
            text = self.data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise MalformedError("malformed UTF-8 encoding", e.start, filename=self.filename,
                                 line=self.line, col=self._col) from None
        # Positions inside the quote are reported relative to the line of its
        # first string (exact for single-line quotes without escapes).
        return parse_module_text(text, self.filename, line_base=self.line - 1,
                                 col_base=self._col)


def module_source(c: Cursor, definition: bool = False) -> ModuleSource:
    """Read ``(module $id? ...)`` at the cursor (consumes it); with
    ``definition``, ``(module definition $id? ...)``."""
    return _source(c, "module", ModuleSource, definition)


def _source(c: Cursor, keyword: str, cls, definition: bool):
    """``(KEYWORD definition? $id? ...)`` as a ``cls`` (ModuleSource or
    ComponentSource): binary and quote forms read, text kept as tokens."""
    src = c.t.src
    close = c.list_end()
    start_off = c.offset()
    line, _ = src.linecol(start_off)
    c.open(keyword)
    if definition:
        c.keyword("definition")
    name = c.take_id()
    if c.at_atom("binary") or c.at_atom("quote"):
        kind = c.atom()
        first = c.offset()
        data = bytearray()
        while not c.at_rp():
            data += c.string()
        c.rp()
        data = bytes(data)
        if kind == "binary":
            return cls("binary", name, None, data, line, src.filename)
        qline, qcol = src.linecol(first)
        return cls("quote", name, data.decode("utf-8", "replace"), data, qline,
                   src.filename, _col=qcol)
    fields_start = c.i
    c.i = close + 1
    stop = c.toks[close][2] + 1 if close < len(c.toks) else len(src.text)
    return cls("text", name, src.text[start_off:stop], None, line, src.filename,
               _tokens=c.t, _range=(fields_start, close))


@dataclass(eq=False)
class ComponentSource(_Source):
    """A component as written in a script (issue 13): like
    :class:`ModuleSource`, ``kind`` is ``"text"``, ``"binary"`` or
    ``"quote"``, and :meth:`to_binary` encodes it (raising MalformedError)."""

    def to_binary(self) -> bytes:
        from .component import component_from_tokens, parse_component_text
        if self.kind == "binary":
            return self.data
        if self.kind == "text":
            return component_from_tokens(self._tokens, *self._range, self.name)
        try:
            text = self.data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise MalformedError("malformed UTF-8 encoding", e.start, filename=self.filename,
                                 line=self.line, col=self._col) from None
        return parse_component_text(text, self.filename, line_base=self.line - 1,
                                    col_base=self._col)


def component_source(c: Cursor, definition: bool = False) -> ComponentSource:
    """Read ``(component $id? ...)`` (with ``definition``: ``(component
    definition $id? ...)``) at the cursor; consumes it."""
    return _source(c, "component", ComponentSource, definition)


@dataclass(frozen=True, slots=True)
class CValue:
    """A typed component value of a script (``(u32.const 1)``, ``(str.const
    "a")``, ``(record.const (field "a" v) ...)``).  ``type`` is the keyword's
    prefix (``u32``, ``str``, ``char``, ``bool``, ``list``, ``tuple``,
    ``record``, ``variant``, ``enum``, ``flags``, ``option``, ``result``);
    ``value``: an int (integers; floats as their bit pattern, like
    :class:`Value`), a str (str, char, enum), a bool, a tuple of CValues
    (list, tuple), a tuple of ``(label, CValue)`` (record), ``(label,
    CValue|None)`` (variant), a tuple of labels (flags), None or a CValue
    (option), ``("ok"|"err", CValue|None)`` (result)."""
    type: str
    value: object


_INT_BITS = {"u8": 8, "s8": 8, "u16": 16, "s16": 16, "u32": 32, "s32": 32,
             "u64": 64, "s64": 64}


# --------------------------------------------------------------------------
# commands
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Invoke:
    module: str | None
    field: str
    args: tuple
    line: int
    kind: ClassVar[str] = "invoke"


@dataclass(frozen=True)
class Get:
    module: str | None
    field: str
    line: int
    kind: ClassVar[str] = "get"


Action = Union[Invoke, Get]


@dataclass
class ModuleCommand:
    module: ModuleSource
    line: int
    kind: ClassVar[str] = "module"

    @property
    def name(self) -> str | None:
        return self.module.name


@dataclass
class ModuleDefinition:
    """``(module definition $M? ...)``: a module compiled but not instantiated;
    ``(module instance $I? $M?)`` later becomes a :class:`ModuleCommand` of
    the same source.  As a command it checks that the module loads."""
    module: ModuleSource
    line: int
    kind: ClassVar[str] = "module_definition"


@dataclass
class ComponentCommand:
    """``(component ...)``, or ``(component instance $i $C)`` of an earlier
    ``(component definition $C ...)`` (then ``instance`` is ``$i``)."""
    component: ComponentSource
    line: int
    instance: str | None = None
    kind: ClassVar[str] = "component"

    @property
    def name(self) -> str | None:
        return self.instance if self.instance is not None else self.component.name

    @property
    def module(self) -> ComponentSource:
        return self.component


@dataclass
class ComponentDefinition:
    """``(component definition $C ...)``: compiled, instantiated later by
    ``(component instance $i $C)``."""
    component: ComponentSource
    line: int
    kind: ClassVar[str] = "component_definition"

    @property
    def module(self) -> ComponentSource:
        return self.component


@dataclass
class Register:
    as_name: str
    module: str | None
    line: int
    kind: ClassVar[str] = "register"


@dataclass
class ActionCommand:
    """A bare ``(invoke ...)`` / ``(get ...)`` at top level."""
    action: Action
    line: int
    kind: ClassVar[str] = "action"


@dataclass
class AssertReturn:
    action: Action
    expected: tuple
    line: int
    kind: ClassVar[str] = "assert_return"


@dataclass
class AssertTrap:
    """Trap from an action, or (``module`` set, ``action`` None) while
    instantiating a module."""
    action: Action | None
    module: ModuleSource | None
    message: str
    line: int
    kind: ClassVar[str] = "assert_trap"


@dataclass
class AssertException(AssertTrap):
    """``(assert_exception (invoke ...))``: the action ends in an exception
    no handler catches.  At the top of an exported call that is the trap
    ``uncaught exception`` (ir/trapcodes.py ``uncaught_exception``, as
    wasmtime reports it), so the command *is* an assert_trap with that
    message: every later stage (command table, driver, reports) handles it
    as one."""
    kind: ClassVar[str] = "assert_trap"


@dataclass
class AssertExhaustion:
    action: Action
    message: str
    line: int
    kind: ClassVar[str] = "assert_exhaustion"


@dataclass
class AssertModule:
    """Base of the assertions about a module: invalid, malformed, unlinkable,
    uninstantiable."""
    module: ModuleSource
    message: str
    line: int


@dataclass
class AssertInvalid(AssertModule):
    kind: ClassVar[str] = "assert_invalid"


@dataclass
class AssertMalformed(AssertModule):
    kind: ClassVar[str] = "assert_malformed"


@dataclass
class AssertUnlinkable(AssertModule):
    kind: ClassVar[str] = "assert_unlinkable"


@dataclass
class AssertUninstantiable(AssertModule):
    kind: ClassVar[str] = "assert_uninstantiable"


Command = Union[ModuleCommand, ModuleDefinition, ComponentCommand, ComponentDefinition, Register,
                ActionCommand, AssertReturn, AssertTrap, AssertExhaustion, AssertInvalid, AssertMalformed, AssertUnlinkable,
                AssertUninstantiable]

_MODULE_FIELDS = frozenset(("type", "import", "func", "table", "memory", "global", "export", "tag",
                            "start", "elem", "data", "@custom"))
_MODULE_ASSERTS = {"assert_invalid": AssertInvalid, "assert_malformed": AssertMalformed,
                   "assert_unlinkable": AssertUnlinkable,
                   "assert_uninstantiable": AssertUninstantiable}


# --------------------------------------------------------------------------
# parsing
# --------------------------------------------------------------------------

def parse_script(text: str, filename: str | None = None) -> list[Command]:
    tokens = tokenize(text, filename)
    if tokens.unbalanced is not None:
        raise tokens.src.error("unbalanced parentheses", tokens.unbalanced)
    c = Cursor(tokens)
    if c.list_head() in _MODULE_FIELDS:
        # A script may be just the fields of one module (inline-module.wast).
        line = _line(c)
        return [ModuleCommand(ModuleSource("text", None, text, None, line, filename,
                                           _tokens=tokens, _range=(0, len(tokens.toks))),
                              line)]
    st = _State()
    cmds: list[Command] = []
    while not c.at_end():
        if c.list_head() == "thread":
            cmds.extend(_thread(c, st))
        elif c.list_head() == "wait":
            _wait(c, st)
        else:
            cmd = _command(c, st)
            if cmd is not None:
                cmds.append(st.main_command(cmd))
    return cmds


class _State:
    """What the script parser remembers between commands.

    Threads (``(thread $t cmd*)`` / ``(wait $t)``, from the threads
    proposal's scripts) are run *in line*: the thread's commands are placed
    where the thread starts, which is one valid schedule of a thread that
    shares nothing with the main script but the modules it names with
    ``(shared (module $m))``.  Scripts that need real concurrency (atomics,
    ``memory.atomic.wait``) need the threads proposal anyway.  Module names a
    thread defines are its own: they are renamed ``$m@$t`` so the main
    script's ``$m`` is untouched, and after the thread the main script's
    unnamed actions still go to the main script's current module.
    """

    def __init__(self):
        self.definitions: dict[str | None, ModuleSource] = {}   # None: the latest
        self.components: dict[str | None, ComponentSource] = {}  # component definitions
        self.threads: set[str] = set()
        self.renames: dict[str, str] = {}       # inside a thread: its own module names
        self.in_thread: str | None = None
        self.main_current: ModuleSource | None = None
        self.after_thread = False               # main's current module must be named
        self._synthetic = 0

    def ref(self, name: str | None) -> str | None:
        """A module reference as written -> the name it denotes here."""
        return self.renames.get(name, name) if name is not None else None

    def define(self, src: ModuleSource) -> None:
        if self.in_thread is not None and src.name is not None:
            new = f"{src.name}@{self.in_thread}"
            self.renames[src.name] = new
            src.name = new

    def main_command(self, cmd):
        """Bookkeeping for a command of the main script."""
        if isinstance(cmd, ModuleCommand):
            self.main_current, self.after_thread = cmd.module, False
        elif self.after_thread and self.main_current is not None:
            cmd = _retarget(cmd, self._current_name())
        return cmd

    def _current_name(self) -> str:
        src = self.main_current
        if src.name is None:
            self._synthetic += 1
            src.name = f"$wast-main-{self._synthetic}"
        return src.name


def _retarget(cmd, name: str):
    """``cmd`` with its unnamed module reference (action, register) naming ``name``."""
    if isinstance(cmd, Register):
        return cmd if cmd.module is not None else dataclasses.replace(cmd, module=name)
    action = getattr(cmd, "action", None)
    if action is None or action.module is not None:
        return cmd
    return dataclasses.replace(cmd, action=dataclasses.replace(action, module=name))


def _thread(c: Cursor, st: _State) -> list[Command]:
    if st.in_thread is not None:
        raise c.error("nested thread")
    c.i += 2
    tid = c.take_id()
    if tid is None:
        raise c.unexpected()
    st.threads.add(tid)
    st.in_thread, st.renames = tid, {}
    cmds: list[Command] = []
    while c.at_list("shared"):           # (shared (module $m)): visible as it is
        c.i += 2
        c.open("module")
        if c.take_id() is None:
            raise c.unexpected()
        c.rp()
        c.rp()
    while not c.at_rp():
        cmd = _command(c, st)
        if cmd is not None:
            cmds.append(cmd)
    c.rp()
    st.in_thread, st.renames = None, {}
    st.after_thread = True
    return cmds


def _wait(c: Cursor, st: _State) -> None:
    c.i += 2
    off = c.offset()
    tid = c.take_id()
    if tid not in st.threads:
        raise c.error(f"unknown thread {tid}" if tid else "unexpected token", off)
    c.rp()


def _line(c: Cursor) -> int:
    return c.t.src.linecol(c.offset())[0]


def _utf8(c: Cursor) -> str:
    off = c.offset()
    b = c.string()
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        raise c.error("malformed UTF-8 encoding", off) from None


def _module_form(c: Cursor, st: _State, line: int) -> Command:
    """``(module ...)``, ``(module definition ...)`` or ``(module instance $I? $M?)``."""
    after = c.peek(2)
    if after[0] == ATOM and after[1] == "definition":
        src = module_source(c, definition=True)
        st.define(src)
        st.definitions[src.name] = st.definitions[None] = src
        return ModuleDefinition(src, line)
    if after[0] == ATOM and after[1] == "instance":
        c.i += 3
        inst = c.take_id()
        off = c.offset()
        of = st.ref(c.take_id())
        c.rp()
        src = st.definitions.get(of)
        if src is None:
            raise c.error(f"unknown module definition {of}" if of else "no module definition", off)
        src = dataclasses.replace(src, name=inst)
        st.define(src)
        return ModuleCommand(src, line)
    src = module_source(c)
    st.define(src)
    return ModuleCommand(src, line)


def _component_form(c: Cursor, st: _State, line: int) -> Command:
    """``(component ...)``, ``(component definition $C? ...)`` or
    ``(component instance $i? $C?)``."""
    after = c.peek(2)
    if after[0] == ATOM and after[1] == "definition":
        src = component_source(c, definition=True)
        st.components[src.name] = st.components[None] = src
        return ComponentDefinition(src, line)
    if after[0] == ATOM and after[1] == "instance":
        c.i += 3
        inst = c.take_id()
        off = c.offset()
        of = c.take_id()
        c.rp()
        src = st.components.get(of)
        if src is None:
            raise c.error(f"unknown component definition {of}" if of
                          else "no component definition", off)
        return ComponentCommand(src, line, instance=inst)
    return ComponentCommand(component_source(c), line)


def _command(c: Cursor, st: _State) -> Command:
    line = _line(c)
    head = c.list_head()
    if head == "module":
        return _module_form(c, st, line)
    if head == "component":
        return _component_form(c, st, line)
    if head in ("invoke", "get"):
        return ActionCommand(_action(c, st), line)
    if head == "register":
        c.i += 2
        as_name = _utf8(c)
        mod = st.ref(c.take_id())
        c.rp()
        return Register(as_name, mod, line)
    if head == "assert_return":
        c.i += 2
        action = _action(c, st)
        expected = []
        while not c.at_rp():
            expected.append(_expected(c))
        c.rp()
        return AssertReturn(action, tuple(expected), line)
    if head == "assert_trap":
        c.i += 2
        if c.at_list("module") or c.at_list("component"):
            mod = module_source(c) if c.at_list("module") else component_source(c)
            msg = _utf8(c)
            c.rp()
            return AssertTrap(None, mod, msg, line)
        action = _action(c, st)
        msg = _utf8(c)
        c.rp()
        return AssertTrap(action, None, msg, line)
    if head == "assert_exception":
        c.i += 2
        action = _action(c, st)
        c.rp()
        return AssertException(action, None, "uncaught exception", line)
    if head == "assert_exhaustion":
        c.i += 2
        action = _action(c, st)
        msg = _utf8(c)
        c.rp()
        return AssertExhaustion(action, msg, line)
    if head in _MODULE_ASSERTS:
        c.i += 2
        if c.at_list("component"):
            mod = component_source(c)
        elif not c.at_list("module"):
            raise c.unexpected()
        else:
            mod = module_source(c)
        msg = _utf8(c)
        c.rp()
        return _MODULE_ASSERTS[head](mod, msg, line)
    raise c.unexpected(c.i + 1 if c.at_lp() else None)


def _action(c: Cursor, st: _State) -> Action:
    line = _line(c)
    head = c.list_head()
    if head == "invoke":
        c.i += 2
        mod = st.ref(c.take_id())
        name = _utf8(c)
        args = []
        while not c.at_rp():
            args.append(_arg(c))
        c.rp()
        return Invoke(mod, name, tuple(args), line)
    if head == "get":
        c.i += 2
        mod = st.ref(c.take_id())
        name = _utf8(c)
        c.rp()
        return Get(mod, name, line)
    raise c.unexpected(c.i + 1 if c.at_lp() else None)


def _num(c: Cursor, ty: str) -> int:
    tok = c.peek()
    if tok[0] != ATOM:
        raise c.unexpected()
    try:
        if ty in ("i32", "i64"):
            v = parse_int(tok[1], int(ty[1:]))
        else:
            v = parse_float(tok[1], int(ty[1:]))
    except NumberError as e:
        if e.range:
            raise c.error("constant out of range") from None
        raise c.unexpected() from None
    c.i += 1
    return v


def _const(c: Cursor, head: str, allow_patterns: bool):
    """The inside of ``(head ...)`` for a constant; cursor after the head."""
    if head in ("i32.const", "i64.const", "f32.const", "f64.const"):
        ty = head[:3]
        if allow_patterns and ty[0] == "f" and c.peek()[0] == ATOM and \
                c.peek()[1] in ("nan:canonical", "nan:arithmetic"):
            kind = c.atom()[4:]
            return NanPattern(ty, kind)
        return Value(ty, _num(c, ty))
    if head == "v128.const":
        if allow_patterns:
            tok = c.peek()
            if tok[0] == ATOM and tok[1] in ("f32x4", "f64x2"):
                pat = _v128_pattern(c)
                if pat is not None:
                    return pat
        return Value("v128", v128_literal(c))
    if head == "ref.null":
        tok = c.peek()
        if tok[0] == ATOM and tok[1] in ("func", "extern", "exn"):
            c.i += 1
            return RefNull(tok[1])
        if allow_patterns and c.at_rp():
            # ``(ref.null)`` (newer scripts): a null reference of any type
            return Either((RefNull("func"), RefNull("extern")))
        raise c.unexpected()
    if head == "ref.extern":
        if allow_patterns and c.at_rp():
            return RefExtern(None)
        return RefExtern(_nat(c))
    if head == "ref.func" and allow_patterns:
        return RefFunc(None if c.at_rp() else _nat(c))
    raise c.unexpected(c.i - 1)


def _nat(c: Cursor) -> int:
    tok = c.peek()
    if tok[0] != ATOM:
        raise c.unexpected()
    try:
        v = parse_nat(tok[1], 64)
    except NumberError as e:
        raise (c.error("constant out of range") if e.range else c.unexpected()) from None
    c.i += 1
    return v


def _v128_pattern(c: Cursor) -> V128Pattern | None:
    """A float-shaped v128 with NaN patterns in some lanes, or None (cursor
    unchanged) if every lane is an ordinary literal."""
    shape = c.peek()[1]
    n, bits, _ = V128_SHAPES[shape]
    toks = [c.peek(1 + k) for k in range(n)]
    if not any(t[0] == ATOM and t[1] in ("nan:canonical", "nan:arithmetic") for t in toks):
        return None
    c.i += 1
    lanes = []
    for _ in range(n):
        tok = c.peek()
        if tok[0] == ATOM and tok[1] in ("nan:canonical", "nan:arithmetic"):
            lanes.append(NanPattern(f"f{bits}", tok[1][4:]))
            c.i += 1
        else:
            lanes.append(_num(c, f"f{bits}"))
    return V128Pattern(shape, tuple(lanes))


def _arg(c: Cursor) -> Arg:
    c.lp()
    head = c.atom()
    v = _cvalue(c, head) if head in _CVALUE_HEADS else _const(c, head, False)
    c.rp()
    return v


def _expected(c: Cursor) -> Expected:
    c.lp()
    head = c.atom()
    if head == "either":
        options = []
        while not c.at_rp():
            options.append(_expected(c))
        c.rp()
        return Either(tuple(options))
    v = _cvalue(c, head) if head in _CVALUE_HEADS else _const(c, head, True)
    c.rp()
    return v


_CVALUE_HEADS = frozenset([f"{t}.const" for t in _INT_BITS] + [
    "bool.const", "char.const", "str.const", "list.const", "tuple.const", "record.const",
    "variant.const", "enum.const", "flags.const", "option.some", "option.none",
    "result.ok", "result.err"])


def _one_cvalue(c: Cursor):
    """A parenthesized component value; the suite also writes one bare as the
    last item of a list (``(field "s" str.const "v")``, ``(field "l"
    list.const (u32.const 1))``): it then runs to the list's end."""
    tok = c.peek()
    if tok[0] == ATOM and tok[1] in _CVALUE_HEADS:
        c.i += 1
        return _cvalue(c, tok[1])
    c.lp()
    head = c.atom()
    if head in _CVALUE_HEADS:
        v = _cvalue(c, head)
    elif head in ("f32.const", "f64.const"):
        v = CValue(head[:3], _num(c, head[:3]))
    else:
        raise c.unexpected(c.i - 1)
    c.rp()
    return v


def _cvalue(c: Cursor, head: str) -> CValue:
    """The inside of a component value ``(head ...)``; cursor after ``head``."""
    ty = head.split(".")[0]
    if ty in _INT_BITS:
        bits = _INT_BITS[ty]
        tok = c.peek()
        if tok[0] != ATOM:
            raise c.unexpected()
        try:
            v = parse_int(tok[1], bits)
        except NumberError as e:
            raise (c.error("constant out of range") if e.range else c.unexpected()) from None
        if ty[0] == "s" and v >> (bits - 1):
            v -= 1 << bits
        c.i += 1
        return CValue(ty, v)
    if head == "bool.const":
        off = c.offset()
        word = c.atom()
        if word not in ("true", "false"):
            raise c.error(f"unexpected token {word}", off)
        return CValue("bool", word == "true")
    if head in ("char.const", "str.const", "enum.const"):
        s = _utf8(c)
        if head == "char.const" and len(s) != 1:
            raise c.error("char.const needs exactly one character", c.toks[c.i - 1][2])
        return CValue(ty, s)
    if head in ("list.const", "tuple.const"):
        items = []
        while not c.at_rp():
            items.append(_one_cvalue(c))
        return CValue(ty, tuple(items))
    if head == "record.const":
        fields = []
        while not c.at_rp():
            c.open("field")
            label = _utf8(c)
            fields.append((label, _one_cvalue(c)))
            c.rp()
        return CValue("record", tuple(fields))
    if head == "variant.const":
        label = _utf8(c)
        return CValue("variant", (label, None if c.at_rp() else _one_cvalue(c)))
    if head == "flags.const":
        labels = []
        while not c.at_rp():
            labels.append(_utf8(c))
        return CValue("flags", tuple(labels))
    if head == "option.none":
        return CValue("option", None)
    if head == "option.some":
        return CValue("option", _one_cvalue(c))
    # result.ok / result.err
    return CValue("result", (head[7:], None if c.at_rp() else _one_cvalue(c)))


def value_as_float(v: Value) -> float:
    """Convenience for printing: the Python float of an f32/f64 Value."""
    if v.type == "f32":
        return struct.unpack("<f", struct.pack("<I", v.bits))[0]
    return struct.unpack("<d", struct.pack("<Q", v.bits))[0]


