"""The feature axis: which WebAssembly proposals a module may use.

Every proposal the frontend knows is one :class:`Feature`, named as
wasmtime's ``-W`` keys and wasmparser's ``WasmFeatures`` name them
(``tail-call``, ``simd``, ``wide-arithmetic``...; the Wasm 2.0 proposals
wasmtime cannot turn off keep wasmparser's names: ``sign-extension``,
``saturating-float-to-int``, ``mutable-global``).  A Feature *is* the
string that messages print (``"tail calls (Wasm 3.0)"``), so the error
classes and the spec runner keep comparing and concatenating it as before;
``feature.name`` is the key, ``feature.implemented`` whether wasmaot can
compile it at all.

Each row of the opcode table (:mod:`.opcodes`) carries its Feature; a
:class:`Features` set (frozen, hashable: it is part of the compile cache
key) decides which of them a module may use.  :data:`DEFAULT` is every
implemented feature.  An implemented feature that is off, and a proposal we
do not implement, are both reported by :mod:`.unsupported` as one line that
names the feature and the byte offset (``disabled: ...`` /
``unsupported: ...``).

What a disabled feature rejects (checked by :mod:`.validate`; nothing costs
anything while every feature is on):

* every instruction whose opcode-table row carries it (function bodies and
  constant expressions);
* ``multi-value``: function types with more than one result, block types
  given by a type index;
* ``reference-types``: more than one table, an externref table,
  ``funcref``/``externref`` in function types, locals and globals,
  ``call_indirect`` / ``return_call_indirect`` of a table other than 0;
* ``simd``: ``v128`` in function types, locals and globals;
* ``extended-const``: ``i32/i64.add/sub/mul`` in constant expressions;
* ``mutable-global``: importing or exporting a mutable global;
* ``bulk-memory``: passive element and data segments, the data count
  section;
* ``reference-types`` too: declarative element segments, element segments
  of expressions or of externref;
* ``multi-memory``: more than one memory, and Wasm 3.0's encodings of memory
  immediates: off, a memory index is Wasm 2.0's single zero byte and memarg
  flags are an alignment below 32 (``code.imm_readers``), so a long-LEB
  zero index or ``align=2**32`` is *malformed* as the Wasm 2.0 suite says;
  on, they are a u32 index and an *invalid* alignment.  The two suites
  disagree on those modules, so the spec runner decodes the Wasm 2.0
  top-level scripts with multi-memory off (``spec-tests/runner.py``);
* ``function-references``: typed reference types (``(ref null? ht)``,
  ``nullfuncref``...) in function types, locals, globals, tables, block and
  ``select`` types and ``ref.null``, tables with an initializer expression,
  and its instructions (``call_ref``, ``return_call_ref``,
  ``ref.as_non_null``, ``br_on_null``, ``br_on_non_null``).  The decoder
  reads them whatever the features (the validator gates them), and with
  the feature off ``ref.func`` is a plain funcref and a segment of function
  indices holds funcref, not ``(ref func)``;
* ``memory64``: memories and tables with 64-bit limits (limits flag bit 2);
  and, off, Wasm 2.0's u32 bounds and memarg offsets (on, both are u64,
  bounded by the validator for 32-bit memories and tables: ``memory
  65536 pages``, ``offset out of range``).  The decoder and the text parser
  read those widths from the features in force, so the runner turns it off
  for the scripts written before it, as multi-memory.  Tables with i64
  indices (table64) take and return i64 in every table instruction and
  ``call_indirect``;
* ``exceptions``: the tag section, tag imports and exports, ``exnref`` /
  ``nullexnref`` (``(ref null? exn)``) in function types, locals, globals,
  block types and ``ref.null``, and ``throw``, ``throw_ref``,
  ``try_table``.  The decoder reads tags and ``throw_ref`` in constant
  expressions only with the feature on (off, section 13, import/export
  kind 4 and opcode 0x0a there are *malformed*, as the Wasm 2.0 suite's
  binary.wast says), so the spec runner turns it off for the scripts
  written before it;
* ``legacy-exceptions``: ``try``/``catch``/``catch_all``/``delegate``/
  ``rethrow`` (superseded by ``try_table``; Wasm 3.0's suite keeps them in
  its legacy/ folder).
* ``branch-hinting``: nothing; off, the decoder ignores the
  ``metadata.code.branch_hint`` section (hints are advisory, so no module
  is rejected either way).

Where: only the validator gates.  It is where function bodies are decoded
(the section decoder only delimits them), so a disabled instruction is
rejected at its own offset; the text parser's output is checked as any
binary (positions map back to the text).

The features in force for a command are :func:`current` (a context
variable): the CLI sets them once from ``-W`` (:func:`activate`), the spec
runner per script (:func:`using`); ``validate_module``,
``validate_function`` and ``const_expr_type`` also take ``features=``.
"""
from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass
from typing import Self


class Feature(str):
    """A proposal: the string is its title as messages print it."""

    name: str
    implemented: bool

    def __new__(cls, name: str, title: str, implemented: bool) -> Self:
        self = super().__new__(cls, title)
        self.name = name
        self.implemented = implemented
        return self

    def __reduce__(self):                   # unpickled as the one object of its name
        return (by_name, (self.name,))


def _f(name: str, title: str, implemented: bool = True) -> Feature:
    return Feature(name, title, implemented)


#: Wasm 1.0: always on (the rows without a proposal).
MVP = _f("mvp", "WebAssembly 1.0")
MUTABLE_GLOBAL = _f("mutable-global", "import/export of mutable globals (Wasm 2.0)")
SIGN_EXTENSION = _f("sign-extension", "sign-extension operators (Wasm 2.0)")
SATURATING_FLOAT_TO_INT = _f("saturating-float-to-int",
                             "non-trapping float-to-int conversions (Wasm 2.0)")
MULTI_VALUE = _f("multi-value", "multi-value (Wasm 2.0)")
REFERENCE_TYPES = _f("reference-types", "reference types (Wasm 2.0)")
BULK_MEMORY = _f("bulk-memory", "bulk memory (Wasm 2.0)")
SIMD = _f("simd", "fixed-width SIMD (Wasm 2.0)")
EXTENDED_CONST = _f("extended-const", "extended constant expressions (Wasm 3.0)")
TAIL_CALLS = _f("tail-call", "tail calls (Wasm 3.0)")
WIDE_ARITHMETIC = _f("wide-arithmetic", "wide arithmetic (proposal)")
MULTI_MEMORY = _f("multi-memory", "multi-memory (Wasm 3.0)")
MEMORY64 = _f("memory64", "memory64 (Wasm 3.0)")
EXCEPTIONS = _f("exceptions", "exception handling (Wasm 3.0)")
LEGACY_EXCEPTIONS = _f("legacy-exceptions", "legacy exception handling (try/catch, "
                       "superseded by try_table in Wasm 3.0)")
# not implemented: only named by errors
FUNCTION_REFERENCES = _f("function-references", "typed function references (Wasm 3.0)")
GC = _f("gc", "garbage collection (Wasm 3.0)", False)
THREADS = _f("threads", "threads and atomics (proposal)", False)
RELAXED_SIMD = _f("relaxed-simd", "relaxed SIMD (Wasm 3.0)")
STACK_SWITCHING = _f("stack-switching", "stack switching (proposal)", False)
STRINGREF = _f("stringref", "stringref (proposal)", False)
CUSTOM_PAGE_SIZES = _f("custom-page-sizes", "custom page sizes (proposal)")
#: Reading the ``metadata.code.branch_hint`` section; off, it is ignored
#: (hints are advisory: no module is rejected either way).
BRANCH_HINTING = _f("branch-hinting", "branch hints (proposal)")
COMPONENT = _f("component-model", "this is a component (component model), not a core module",
               False)

ALL: tuple[Feature, ...] = tuple(v for v in list(globals().values()) if isinstance(v, Feature))
#: Features that gate no construct (a module is never rejected for them):
#: switched off, something is ignored instead.
ADVISORY: frozenset[str] = frozenset({BRANCH_HINTING.name})
BY_NAME: dict[str, Feature] = {f.name: f for f in ALL}


def by_name(name: str) -> Feature:
    return BY_NAME[name]


class FeatureError(ValueError):
    """A bad feature switch (unknown name, an unimplemented one turned on);
    ``str()`` is one line."""


@dataclass(frozen=True)
class Features:
    """The features a module may use: a frozen set of names (MVP always in)."""

    enabled: frozenset[str]

    def __contains__(self, f) -> bool:
        return (f.name if isinstance(f, Feature) else f) in self.enabled

    def switched(self, name: str, on: bool) -> Features:
        """This set with feature ``name`` turned on or off."""
        f = BY_NAME.get(name)
        if f is None or f is MVP:
            raise FeatureError(f"unknown feature {name!r} (known: "
                               f"{', '.join(x.name for x in ALL if x is not MVP)})")
        if on and not f.implemented:
            raise FeatureError(f"{name}: not implemented: {f}")
        return Features(self.enabled | {name} if on else self.enabled - {name})

    def disabled(self) -> tuple[Feature, ...]:
        """Implemented features that are off."""
        return tuple(f for f in ALL if f.implemented and f.name not in self.enabled)

    def key(self) -> str:
        """Stable text for cache keys (the sorted enabled names)."""
        return ",".join(sorted(self.enabled))

    def __str__(self) -> str:
        off = self.disabled()
        return "default" if not off else "default without " + ", ".join(f.name for f in off)


#: Every implemented feature.
DEFAULT = Features(frozenset(f.name for f in ALL if f.implemented))


def with_switches(switches, base: Features = DEFAULT) -> Features:
    """``base`` with ``(name, on)`` switches applied in order."""
    fs = base
    for name, on in switches:
        fs = fs.switched(name, on)
    return DEFAULT if fs == DEFAULT else fs


_CURRENT: contextvars.ContextVar[Features] = contextvars.ContextVar("wasmaot_features",
                                                                   default=DEFAULT)


def current() -> Features:
    """The features in force (DEFAULT unless a command set others)."""
    return _CURRENT.get()


def activate(fs: Features) -> None:
    """Set the features for the rest of this command (the CLI, once)."""
    _CURRENT.set(fs)


@contextlib.contextmanager
def using(fs: Features):
    """The features in force inside the ``with`` block."""
    token = _CURRENT.set(fs)
    try:
        yield fs
    finally:
        _CURRENT.reset(token)
