"""Validation of core Wasm 2.0 modules (plus the extended-const, tail-call
and wide-arithmetic proposals: ``return_call``/``return_call_indirect`` need
the callee's results to be the function's, and leave the stack polymorphic,
like ``return``; ``i64.add128`` & co. have fixed signatures).

Features (:mod:`.features`): a module may use only the features in force
(an argument, by default :func:`.features.current`); what each one that is
off rejects is listed there.  With every feature on (the default), the body
loop runs on the static dispatch tables, as fast as without the axis; with
some off, on copies in which their instructions dispatch to ``K_DISABLED``.

Entry points:

* :func:`validate_module` -- the whole module; raises :class:`InvalidError`
  (or :class:`MalformedError` for function bodies, which are decoded for the
  first time here).  As a by-product it fills ``Func.locals_`` and
  ``Func.code_start`` of every defined function for the IR translator.
* :func:`validate_function` -- one defined function's body, usable alone.
* :func:`const_expr_type` -- one constant expression against its expected type.

Messages contain the spec testsuite's wording (``type mismatch``, ``unknown
global 3``...); offsets are byte offsets into ``Module.data``.

What is checked, module level (in the reference interpreter's order, which
decides the message when a module has several problems):

* imports: function type indices exist; table/memory limits (min <= max,
  memory at most 65536 pages);
* functions: type indices exist;
* globals: the initializer is a constant expression of the global's type;
  ``global.get`` in constant expressions may only name *imported*, immutable
  globals (Wasm 2.0); constant instructions are ``*.const``, ``ref.null``,
  ``ref.func``, ``global.get`` and extended-const's ``i32/i64.add/sub/mul``;
* tables and memories: limits; at most one memory (checked last);
* element segments: each init expression is a constant of the element type
  (the index forms: function indices exist); active ones name an existing
  table of the same element type and have an i32 constant offset;
* data segments: active ones need memory 0 and an i32 constant offset;
* function bodies (below); start function exists with type [] -> [];
  exports name existing entities, with unique names.

Function bodies follow the spec appendix's validation algorithm (operand
stack of value types with ``UNKNOWN`` as the bottom type, control stack of
frames with a height and an unreachable flag): block types with multi-value
params, ``if`` without ``else`` needs params == results, labels, ``br_table``
exactly as the appendix (each target's arity equals the default's; each
target accepts the operands, re-pushing the popped types), untyped ``select``
only on numeric/vector operands, locals, globals (``global is immutable``),
memory 0 for memory instructions, alignment <= natural, lane indices,
``call_indirect`` needs a funcref table, table instruction element types,
``ref.func`` needs a *declared* function (one named in an element segment, a
global initializer or an export), ``memory.init``/``data.drop`` need the
data count section (malformed) and an existing data segment.  The body must
end with its own final ``end`` exactly at its declared end.

Malformed beats invalid: the reference interpreter decodes the whole module
before validating anything, so when an invalid error is found, every body is
re-decoded (decode only, :func:`_first_malformed`) and a malformed body is
reported instead.  That costs nothing on the success path.

Speed: the body loop dispatches on the opcode byte through per-opcode tables
built once at import (``_KIND``, signature tables), keeps everything in
Python locals, reads one-byte LEB128 immediates inline, allocates nothing per
instruction on the fast paths, and only falls back to the general (spec)
pop/push helpers for unreachable code and errors.
"""
from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache

from . import reader, unsupported
from .binary import located, resolve
from .code import (IMM_READERS, REF_BLOCK, imm_readers, iter_instrs, read_instr, read_locals,
                   scan_body)
from .errors import (InvalidError, MalformedError, UnsupportedInvalidError,
                     WasmError)
from .features import (ALL, BULK_MEMORY, DEFAULT, EXCEPTIONS, EXTENDED_CONST,
                       FUNCTION_REFERENCES,
                       MULTI_VALUE, MUTABLE_GLOBAL, MVP, REFERENCE_TYPES, SIMD, Feature, Features,
                       current)
from .module import ConstExpr, ExternKind, Module, SegmentMode, address_type
from .opcodes import BY_BYTE, BY_PREFIX, CUSTOM_PAGE_SIZES, MEMORY64, MULTI_MEMORY, OPS, Imm, Op
from .opcodes import GC as O_GC
from .types import (EXTERNREF, F32, F64, FUNCREF, HT_EXN, HT_NOEXN, I32, I64, MAX_PAGES,
                    NONNULL, RAW, REF_BOT,
                    UNKNOWN, V128, VALUE_TYPES, is_defaultable, is_ref, nullable, raw_index,
                    subtype, type_name)
from .unsupported import disabled

__all__ = ["validate_module", "validate_function", "const_expr_type", "features_used"]

_u32 = reader.u32
_s32 = reader.s32
_s64 = reader.s64
_read_blocktype = IMM_READERS[Imm.BLOCKTYPE]
_read_br_table = IMM_READERS[Imm.BR_TABLE]

_EOF = "unexpected end of section or function"


# ---------------------------------------------------------------------------
# Per-opcode tables (built once at import)
# ---------------------------------------------------------------------------

# Dispatch kinds of single-byte opcodes; the main loop tests them roughly in
# order of frequency in compiled code.
(K_ILLEGAL, K_LOCAL_GET, K_BIN, K_UN, K_I32C, K_LOCAL_SET, K_LOCAL_TEE,
 K_LOAD, K_STORE, K_BR_IF, K_END, K_BLOCK, K_LOOP, K_IF, K_ELSE, K_BR,
 K_CALL, K_DROP, K_SELECT, K_GLOBAL_GET, K_GLOBAL_SET, K_I64C, K_F32C,
 K_F64C, K_RETURN, K_UNREACHABLE, K_NOP, K_BR_TABLE, K_CALL_INDIRECT,
 K_PREFIX, K_OTHER, K_RETURN_CALL, K_RETURN_CALL_INDIRECT, K_DISABLED,
 K_TYPED_REF, K_EH, K_LEGACY) = range(37)

_KIND = [K_ILLEGAL] * 256
_P1 = [0] * 256          # K_UN / K_BIN / K_LOAD: the (first) operand type
_P2 = [0] * 256          # K_STORE: the value operand type
_R1 = [0] * 256          # K_UN / K_BIN / K_LOAD: the result type
_PL = [None] * 256       # params as a list (slow path)
_NAT = [0] * 256         # natural alignment (log2) of loads/stores

_SPECIAL_KINDS = {
    "local.get": K_LOCAL_GET, "local.set": K_LOCAL_SET, "local.tee": K_LOCAL_TEE,
    "i32.const": K_I32C, "i64.const": K_I64C, "f32.const": K_F32C,
    "f64.const": K_F64C, "br_if": K_BR_IF, "end": K_END, "block": K_BLOCK,
    "loop": K_LOOP, "if": K_IF, "else": K_ELSE, "br": K_BR, "call": K_CALL,
    "drop": K_DROP, "global.get": K_GLOBAL_GET, "global.set": K_GLOBAL_SET,
    "return": K_RETURN, "unreachable": K_UNREACHABLE, "nop": K_NOP,
    "br_table": K_BR_TABLE, "call_indirect": K_CALL_INDIRECT,
    "return_call": K_RETURN_CALL, "return_call_indirect": K_RETURN_CALL_INDIRECT,
    "call_ref": K_TYPED_REF, "return_call_ref": K_TYPED_REF, "ref.as_non_null": K_TYPED_REF,
    "br_on_null": K_TYPED_REF, "br_on_non_null": K_TYPED_REF,
    "throw": K_EH, "throw_ref": K_EH, "try_table": K_EH,
    "try": K_BLOCK, "catch": K_LEGACY, "catch_all": K_LEGACY, "delegate": K_LEGACY,
    "rethrow": K_LEGACY,
}


def _build_tables() -> None:
    for b, op in enumerate(BY_BYTE):
        if op is None:
            continue
        _PL[b] = list(op.params) if op.params is not None else None
        k = _SPECIAL_KINDS.get(op.name)
        if k is None and op.code == 0x1B:
            k = K_SELECT
        if k is None:
            p, r = op.params, op.results
            if op.imm is Imm.MEMARG:
                _NAT[b] = op.align
                if len(p) == 1:
                    k, _P1[b], _R1[b] = K_LOAD, p[0], r[0]
                else:
                    k, _P2[b] = K_STORE, p[1]
            elif op.imm is Imm.NONE and p is not None and len(r) == 1 and \
                    len(p) == 2 and p[0] == p[1]:
                k, _P1[b], _R1[b] = K_BIN, p[0], r[0]
            elif op.imm is Imm.NONE and p is not None and len(r) == 1 and len(p) == 1:
                k, _P1[b], _R1[b] = K_UN, p[0], r[0]
            else:
                k = K_OTHER
        _KIND[b] = k
    _KIND[0xFC] = _KIND[0xFD] = K_PREFIX


_build_tables()

# Prefixed (0xFC / 0xFD) opcodes: op by sub-opcode, params/results as lists.
_PREFIX_OPS = {p: {sub: op for sub, op in t.items()} for p, t in BY_PREFIX.items()}
_OP_SIG = {op: (list(op.params) if op.params is not None else None,
                list(op.results) if op.results is not None else None) for op in OPS}


@lru_cache(maxsize=16)
def _gates(features: Features) -> tuple[list, dict]:
    """The dispatch kinds and the prefixed-op tables under ``features``: an
    op whose feature is off is ``K_DISABLED`` / absent (then looked up in
    the full table to name it).  The default features share the static
    tables, so gating costs the body loop nothing."""
    if features == DEFAULT:
        return _KIND, _PREFIX_OPS
    kind = list(_KIND)
    for b, op in enumerate(BY_BYTE):
        if op is not None and op.feature not in features:
            kind[b] = K_DISABLED
    prefix_ops = {p: {sub: op for sub, op in t.items() if op.feature in features}
                  for p, t in _PREFIX_OPS.items()}
    return kind, prefix_ops


def _disabled_op(op: Op, at: int) -> WasmError:
    return disabled(op.feature, at, op.name, "illegal opcode")


# Block types that need no type index: the byte after block/loop/if -> results.
_BT_SIMPLE = [None] * 256
_BT_SIMPLE[0x40] = []
for _t in (*VALUE_TYPES, 0x73, 0x72, 0x69, 0x74):   # (nullfuncref, nullexternref, exnref...)
    _BT_SIMPLE[_t] = [_t]
_EMPTY: list = []

# Control frame layout (lists, mutated in place by else / unreachable).
# F_INIT: the length of the local-initialization log at the frame's start
# (non-defaultable locals set inside a block are unset again at its end).
F_KIND, F_PARAMS, F_RESULTS, F_LABELS, F_HEIGHT, F_UNREACHABLE, F_INIT = range(7)
FR_BLOCK, FR_LOOP, FR_IF, FR_ELSE, FR_TRY, FR_CATCH, FR_CATCH_ALL = range(7)

_NUMERIC = frozenset((I32, I64, F32, F64, UNKNOWN))
_VECTOR = frozenset((V128, UNKNOWN))
_NUMERIC_OR_VEC = frozenset((I32, I64, F32, F64, V128))   # select's fast path

# Constant expressions: allowed opcode keys -> pushed type (None = special).
_KEY_V128_CONST = 0xFD << 16 | 0x0C
_CONST_PUSH = {0x41: I32, 0x42: I64, 0x43: F32, 0x44: F64, _KEY_V128_CONST: V128}
_CONST_BINOP = {0x6A: I32, 0x6B: I32, 0x6C: I32,          # extended-const
                0x7C: I64, 0x7D: I64, 0x7E: I64}
_CONST_SPECIAL = (0x23, 0xD0, 0xD2)                        # global.get, ref.null, ref.func


# ---------------------------------------------------------------------------
# Errors and the general (spec) stack helpers: slow path only
# ---------------------------------------------------------------------------

#: Types an error message shows of a longer list: the error stays one line
#: of reasonable length however deep the operand stack (the frontend fuzzer
#: met a 30 KB message).
_STACK_SHOWN = 8


def _stack_str(ts) -> str:
    ts = list(ts)
    more = len(ts) - _STACK_SHOWN
    shown = " ".join(type_name(t) for t in ts[-_STACK_SHOWN:])
    return f"[({more} more) {shown}]" if more > 0 else f"[{shown}]"


#: Structural opcodes whose operands are a block's results: the reference
#: interpreter's wording names no instruction for them.
_UNNAMED = frozenset(("end", "else", "catch", "catch_all", "delegate"))


def _op_name(data, at: int) -> str:
    try:
        op, _, _ = read_instr(data, at, len(data))
        return "instruction" if op.name in _UNNAMED else op.name
    except Exception:      # only used to word an error message
        return "instruction"


def _mismatch(data, at, expected, stack, h) -> InvalidError:
    return InvalidError(f"type mismatch: {_op_name(data, at)} requires "
                        f"{_stack_str(expected)} but stack has "
                        f"{_stack_str(stack[max(h, len(stack) - len(expected)):])}", at)


def _pop_vals(stack, h, unr, types, data, at) -> list:
    """The appendix's ``pop_vals(types)``: returns the popped *actual* types
    (``UNKNOWN`` where the polymorphic stack supplied one), in push order."""
    n = len(types)
    avail = len(stack) - h
    if avail < n and not unr:
        raise _mismatch(data, at, types, stack, h)
    out = [UNKNOWN] * n
    for i in range(n - 1, -1, -1):
        t = types[i]
        if len(stack) == h:
            break                    # unreachable: the rest are UNKNOWN
        a = stack[-1]
        if a != t and not subtype(a, t):
            raise _mismatch(data, at, types, stack, h)
        del stack[-1]
        out[i] = a
    return out


def _pop_any(stack, h, unr, data, at, what="a value") -> int:
    """``pop_val()`` without an expected type."""
    if len(stack) == h:
        if unr:
            return UNKNOWN
        raise InvalidError(f"type mismatch: {_op_name(data, at)} requires "
                           f"{what} but stack is empty", at)
    return stack.pop()


class _BigLocals:
    """Local types of a function declaring very many locals: looked up by
    bisection over the declaration groups instead of an expanded list."""
    __slots__ = ("ends", "types", "n")

    def __init__(self, params, decls):
        self.ends, self.types = [], []
        n = 0
        for t in params:
            n += 1
            self.ends.append(n)
            self.types.append(t)
        for count, t in decls:
            if count:
                n += count
                self.ends.append(n)
                self.types.append(t)
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return self.types[bisect_right(self.ends, i)]


_MAX_EXPANDED_LOCALS = 1 << 16


# ---------------------------------------------------------------------------
# Module context
# ---------------------------------------------------------------------------

class _Ctx:
    """What function bodies need from the module, precomputed once."""
    __slots__ = ("m", "data", "limit", "tsig", "fsig", "nfuncs", "tables", "tab_at",
                 "has_mem", "gtypes", "gmut", "elem_types", "ndatas",
                 "has_datacount", "declared", "off", "kind", "prefix_ops", "readers",
                 "nmems", "multi_memory", "mem_at", "mem64", "memory64", "type_codes",
                 "fr", "eh", "tag_sigs")

    def __init__(self, m: Module, features: Features = DEFAULT):
        self.m = m
        # names of the implemented features that are off (empty by default)
        self.off = frozenset(f.name for f in features.disabled())
        self.kind, self.prefix_ops = _gates(features)
        self.readers = imm_readers(features)
        self.multi_memory = MULTI_MEMORY in features
        self.data = m.data
        # Bodies are read against the end of the file, as the reference
        # decoder does; the declared size is checked after the final ``end``.
        self.limit = len(m.data)
        self.tsig = [(list(ft.params), list(ft.results)) for ft in m.types]
        nt = len(self.tsig)
        self.fsig = [self.tsig[t] if t < nt else None for t in m.func_types]
        self.nfuncs = len(m.func_types)
        self.tables = [tt.elem for tt in m.table_types]
        # each table's address type (table64: I64): indices, sizes, lengths
        self.tab_at = [address_type(tt) for tt in m.table_types]
        self.has_mem = bool(m.mem_types)
        self.nmems = len(m.mem_types)
        # each memory's address type (memory64: I64), and whether any is 64-bit
        self.mem_at = [address_type(mt) for mt in m.mem_types]
        self.mem64 = I64 in self.mem_at
        self.memory64 = MEMORY64 in features
        self.gtypes = [g.type for g in m.global_types]
        self.gmut = [g.mutable for g in m.global_types]
        self.elem_types = [e.type for e in m.elems]
        self.ndatas = len(m.datas)
        self.has_datacount = m.data_count is not None
        self.declared = _declared_funcs(m)
        self.type_codes = m.type_codes
        self.fr = FUNCTION_REFERENCES in features
        self.eh = EXCEPTIONS in features
        # each tag's parameter types (tagidx -> list), None for a bad type index
        self.tag_sigs = [self.tsig[t][0] if t < nt else None for t in m.tag_types]

    def res(self, t: int, at: int) -> int:
        """A value type read in a body, its concrete heap type (RAW: a type
        index) made canonical; typed references need function-references,
        exnref exceptions."""
        if t < RAW:
            if t & ~NONNULL in _EXN_HEAPS:
                self.need_eh(at)
                if t & NONNULL:
                    self.need_fr(at)
            elif t >= NONNULL or t in (0x73, 0x72):
                self.need_fr(at)
            return t
        self.need_fr(at)
        r = resolve(self.type_codes, t)
        if r & RAW:
            raise InvalidError(f"unknown type {raw_index(r)}", at)
        return r

    def need_eh(self, at):
        if not self.eh:
            raise disabled(EXCEPTIONS, at, "exnref", "malformed value type")

    def need_fr(self, at):
        if not self.fr:
            raise disabled(FUNCTION_REFERENCES, at, "typed reference type",
                           "malformed value type")

    def func_ref(self, x: int) -> int:
        """The type of ``ref.func x``: ``(ref $t)`` (funcref without
        function-references)."""
        if not self.fr:
            return FUNCREF
        return self.type_codes[self.m.func_types[x]] | NONNULL


def _declared_funcs(m: Module) -> frozenset:
    """Function indices ``ref.func`` may name in bodies: those occurring in
    element segments, global initializers and exports (spec C.refs)."""
    refs = set()
    exprs = [g.init for g in m.globals]
    exprs += [e for e in m.table_inits if e is not None]
    for seg in m.elems:
        if seg.func_indices is not None:
            refs.update(seg.func_indices)
        else:
            exprs.extend(seg.exprs)
        if seg.offset is not None:
            exprs.append(seg.offset)
    for d in m.datas:
        if d.offset is not None:
            exprs.append(d.offset)
    for e in exprs:
        for op, imm, _ in e.instrs:
            if op.code == 0xD2 and not op.prefix:
                refs.add(imm)
    for ex in m.exports:
        if ex.kind == ExternKind.FUNC:
            refs.add(ex.index)
    return frozenset(refs)


# ---------------------------------------------------------------------------
# Function bodies
# ---------------------------------------------------------------------------

class _NeedDataCount(InvalidError):
    """memory.init / data.drop without a data count section.  Malformed per
    spec, but the reference decoder checks it only after decoding every body,
    so it is resolved by :func:`_first_malformed` like an invalid error."""


def _body_locals(ctx: _Ctx, f, params) -> tuple:
    """Read body ``f``'s local declarations: ``(pos, ltypes, nloc, ndef)``
    with ``pos`` its first instruction, ``ltypes[x]`` local ``x``'s type,
    ``nloc`` their count and ``ndef`` the ranges of non-defaultable locals
    (None if there are none).  Records ``f.locals_`` and ``f.code_start``
    for the translator."""
    data, limit = ctx.data, ctx.limit
    decls, pos = read_locals(data, f.body_start, limit)
    ndef = None                     # non-defaultable locals: [(first, end)]
    if any(t >= NONNULL or t in (0x73, 0x72) for _, t in decls):
        decls, ndef = _typed_locals(ctx, decls, len(params), f.body_start)
    f.locals_ = decls
    f.code_start = pos
    total = len(params) + sum(c for c, _ in decls)
    if ctx.off:
        _check_gated_locals(ctx.off, decls, f.body_start)
    if total <= _MAX_EXPANDED_LOCALS:
        ltypes = list(params)
        for count, t in decls:
            ltypes += [t] * count
    else:
        ltypes = _BigLocals(params, decls)
    return pos, ltypes, total, ndef


def _check_body(ctx: _Ctx, fi: int) -> None:
    """Validate function body ``fi``: one loop over its instructions.

    Long on purpose: the kinds most instructions have (local.get/set/tee,
    binary and unary operators, constants, loads and stores, branches,
    block ends, calls) are handled inline, with the module's tables bound
    to locals, because a Python call per instruction is a large part of
    the time spent on each one.  Moving local.get alone into a function
    made validating SQLite's shell 8-10% slower (``frontend_speed.py``, 5
    interleaved rounds: best 0.184 s -> 0.203 s, median 0.193 s -> 0.209 s;
    about 0.35 us an instruction).  Rare kinds go to functions:
    :func:`_prefixed` (0xFC/0xFD/0xFB... prefixes), the typed-reference and
    exception kinds, ``br_table`` and the calls through tables."""
    m = ctx.m
    f = m.funcs[fi]
    data = ctx.data
    limit = ctx.limit
    params, results = ctx.fsig[m.num_imported_funcs + fi]
    pos, ltypes, nloc, ndef = _body_locals(ctx, f, params)
    inited: set = set()             # non-defaultable locals set (ndef only)
    init_log: list = []

    stack: list = []
    push = stack.append
    # The function's own frame: a block whose label is the results.
    ctrl = [[FR_BLOCK, _EMPTY, results, results, 0, False, 0]]
    h = 0
    unr = False

    KIND = ctx.kind
    P1, P2, R1, PL, NAT = _P1, _P2, _R1, _PL, _NAT
    BT = _BT_SIMPLE
    fsig = ctx.fsig
    nfuncs = ctx.nfuncs
    has_mem = ctx.has_mem
    nmems = ctx.nmems
    mem64 = ctx.mem64
    read_memarg = ctx.readers[Imm.MEMARG]
    gtypes = ctx.gtypes
    nglobals = len(gtypes)
    u32 = _u32
    at = pos
    try:
        while True:
            at = pos
            b = data[pos]
            pos += 1
            k = KIND[b]
            if k == K_LOCAL_GET:
                x = data[pos]
                if x < 0x80:
                    pos += 1
                else:
                    x, pos = u32(data, pos, limit)
                if x >= nloc:
                    raise InvalidError(f"unknown local {x}", at)
                if ndef and x not in inited and _in_ranges(ndef, x):
                    raise InvalidError(f"uninitialized local {x}", at)
                push(ltypes[x])
            elif k == K_BIN:
                t = P1[b]
                if len(stack) - 2 >= h and stack[-1] == t and stack[-2] == t:
                    del stack[-1]
                    stack[-1] = R1[b]
                else:
                    _pop_vals(stack, h, unr, PL[b], data, at)
                    push(R1[b])
            elif k == K_I32C:
                x = data[pos]
                if x < 0x80:
                    pos += 1
                else:
                    x, pos = _s32(data, pos, limit)
                push(I32)
            elif k == K_LOCAL_SET or k == K_LOCAL_TEE:
                x = data[pos]
                if x < 0x80:
                    pos += 1
                else:
                    x, pos = u32(data, pos, limit)
                if x >= nloc:
                    raise InvalidError(f"unknown local {x}", at)
                if ndef and x not in inited:
                    inited.add(x)
                    init_log.append(x)
                t = ltypes[x]
                if len(stack) > h and stack[-1] == t:
                    if k == K_LOCAL_SET:
                        del stack[-1]
                else:
                    _pop_vals(stack, h, unr, [t], data, at)
                    if k == K_LOCAL_TEE:
                        push(t)
            elif k == K_LOAD or k == K_STORE:
                # fast path: one-byte align (no memory index) and offset,
                # both inside the body (a truncated memarg goes to the reader,
                # which reports it)
                if pos + 1 < limit and data[pos] < 0x20 and data[pos + 1] < 0x80:
                    a, x = data[pos], data[pos + 1]
                    pos += 2
                    mi = 0
                else:
                    (a, x, mi), pos = read_memarg(data, pos, limit)
                if mi >= nmems or not has_mem:
                    raise InvalidError(f"unknown memory {mi}", at)
                if a > NAT[b]:
                    raise InvalidError("alignment must not be larger than natural", at)
                if mem64 or x > 0xFFFFFFFF:
                    _memory64_access(ctx, mi, x, b, stack, h, unr, data, at)
                elif k == K_LOAD:
                    if len(stack) > h and stack[-1] == I32:
                        stack[-1] = R1[b]
                    else:
                        _pop_vals(stack, h, unr, PL[b], data, at)
                        push(R1[b])
                else:
                    if len(stack) - 2 >= h and stack[-1] == P2[b] and stack[-2] == I32:
                        del stack[-2:]
                    else:
                        _pop_vals(stack, h, unr, PL[b], data, at)
            elif k == K_UN:
                if len(stack) > h and stack[-1] == P1[b]:
                    stack[-1] = R1[b]
                else:
                    _pop_vals(stack, h, unr, PL[b], data, at)
                    push(R1[b])
            elif k == K_BR_IF or k == K_BR:
                x = data[pos]
                if x < 0x80:
                    pos += 1
                else:
                    x, pos = u32(data, pos, limit)
                if x >= len(ctrl):
                    raise InvalidError(f"unknown label {x}", at)
                labels = ctrl[-1 - x][F_LABELS]
                if k == K_BR_IF:
                    if len(stack) > h and stack[-1] == I32:
                        del stack[-1]
                    else:
                        _pop_vals(stack, h, unr, [I32], data, at)
                    n = len(labels)
                    if n and not (len(stack) - n >= h and stack[-n:] == labels):
                        _pop_vals(stack, h, unr, labels, data, at)
                        stack += labels
                else:
                    _pop_vals(stack, h, unr, labels, data, at)
                    del stack[h:]
                    unr = True
                    ctrl[-1][F_UNREACHABLE] = True
            elif k == K_END:
                frame = ctrl[-1]
                res = frame[F_RESULTS]
                n = len(res)
                if not (len(stack) == h + n and (n == 0 or stack[h:] == res)):
                    _pop_vals(stack, h, unr, res, data, at)
                    if len(stack) != h:
                        raise InvalidError(
                            f"type mismatch: block requires {_stack_str(res)} but stack "
                            f"has {_stack_str(stack[h:] + res)}", at)
                    stack += res
                if frame[F_KIND] == FR_IF and frame[F_PARAMS] != res and \
                        not _all_sub(frame[F_PARAMS], res):
                    raise InvalidError("type mismatch: if without else must have "
                                       "matching parameter and result types", at)
                if init_log:
                    _reset_inits(inited, init_log, frame[F_INIT])
                del ctrl[-1]
                if not ctrl:
                    break
                frame = ctrl[-1]
                h = frame[F_HEIGHT]
                unr = frame[F_UNREACHABLE]
            elif k == K_BLOCK or k == K_LOOP or k == K_IF:
                # the block type first (its errors come before the operands')
                res = BT[data[pos]]
                ps = _EMPTY
                if res is not None:
                    pos += 1
                    if res and (res[0] == 0x73 or res[0] == 0x72):
                        ctx.need_fr(at)
                    elif res and res[0] in _EXN_HEAPS:
                        ctx.need_eh(at)
                else:
                    x, pos = _read_blocktype(data, pos, limit)
                    if x <= REF_BLOCK:
                        res = [ctx.res(REF_BLOCK - x, at)]
                    else:
                        if ctx.off and MULTI_VALUE.name in ctx.off:
                            raise disabled(MULTI_VALUE, at, f"block type {x} (a type index)",
                                           "malformed value type")
                        if x < 0 or x >= len(ctx.tsig):
                            raise InvalidError(f"unknown type {x}", at)
                        ps, res = ctx.tsig[x]
                if k == K_IF:
                    if len(stack) > h and stack[-1] == I32:
                        del stack[-1]
                    else:
                        _pop_vals(stack, h, unr, [I32], data, at)
                if ps:
                    _pop_vals(stack, h, unr, ps, data, at)
                    stack += ps
                h = len(stack) - len(ps)
                unr = False
                il = len(init_log)
                if k == K_BLOCK:
                    ctrl.append([FR_TRY if b == 0x06 else FR_BLOCK, ps, res, res, h, False, il])
                elif k == K_LOOP:
                    ctrl.append([FR_LOOP, ps, res, ps, h, False, il])
                else:
                    ctrl.append([FR_IF, ps, res, res, h, False, il])
            elif k == K_CALL:
                x = data[pos]
                if x < 0x80:
                    pos += 1
                else:
                    x, pos = u32(data, pos, limit)
                if x >= nfuncs:
                    raise InvalidError(f"unknown function {x}", at)
                ps, rs = fsig[x]
                n = len(ps)
                if n and not (len(stack) - n >= h and stack[-n:] == ps):
                    _pop_vals(stack, h, unr, ps, data, at)
                elif n:
                    del stack[-n:]
                if rs:
                    stack += rs
            elif k == K_DROP:
                if len(stack) > h:
                    del stack[-1]
                else:
                    _pop_any(stack, h, unr, data, at)
            elif k == K_ELSE:
                frame = ctrl[-1]
                if frame[F_KIND] != FR_IF:
                    raise MalformedError("END opcode expected", at)
                res = frame[F_RESULTS]
                n = len(res)
                if not (len(stack) == h + n and (n == 0 or stack[h:] == res)):
                    _pop_vals(stack, h, unr, res, data, at)
                    if len(stack) != h:
                        raise InvalidError(
                            f"type mismatch: block requires {_stack_str(res)} but stack "
                            f"has {_stack_str(stack[h:] + res)}", at)
                del stack[h:]
                stack += frame[F_PARAMS]
                if init_log:
                    _reset_inits(inited, init_log, frame[F_INIT])
                frame[F_KIND] = FR_ELSE
                frame[F_UNREACHABLE] = unr = False
            elif k == K_GLOBAL_GET or k == K_GLOBAL_SET:
                x = data[pos]
                if x < 0x80:
                    pos += 1
                else:
                    x, pos = u32(data, pos, limit)
                if x >= nglobals:
                    raise InvalidError(f"unknown global {x}", at)
                t = gtypes[x]
                if k == K_GLOBAL_GET:
                    push(t)
                else:
                    if not ctx.gmut[x]:
                        raise InvalidError(f"global is immutable: cannot set immutable "
                                           f"global {x}", at)
                    if len(stack) > h and stack[-1] == t:
                        del stack[-1]
                    else:
                        _pop_vals(stack, h, unr, [t], data, at)
            elif k == K_I64C:
                x = data[pos]
                if x < 0x80:
                    pos += 1
                else:
                    x, pos = _s64(data, pos, limit)
                push(I64)
            elif k == K_F32C or k == K_F64C:
                pos += 4 if k == K_F32C else 8
                if pos > limit:
                    raise MalformedError(_EOF, limit)
                push(F32 if k == K_F32C else F64)
            elif k == K_SELECT:
                if len(stack) - 3 >= h and stack[-1] == I32 and \
                        stack[-2] == stack[-3] and stack[-2] in _NUMERIC_OR_VEC:
                    del stack[-2:]
                else:
                    _select(stack, h, unr, data, at)
            elif k == K_RETURN or k == K_UNREACHABLE:
                if k == K_RETURN:
                    _pop_vals(stack, h, unr, results, data, at)
                del stack[h:]
                unr = True
                ctrl[-1][F_UNREACHABLE] = True
            elif k == K_NOP:
                pass
            elif k == K_BR_TABLE:
                (targets, default), pos = _read_br_table(data, pos, limit)
                _br_table(ctrl, stack, h, unr, targets, default, data, at)
                del stack[h:]
                unr = True
                ctrl[-1][F_UNREACHABLE] = True
            elif k == K_CALL_INDIRECT:
                (x, tbl), pos = IMM_READERS[Imm.CALL_INDIRECT](data, pos, limit)
                ps, rs = _indirect_sig(ctx, x, tbl, "call_indirect", at)
                _pop_vals(stack, h, unr, [ctx.tab_at[tbl]], data, at)
                _pop_vals(stack, h, unr, ps, data, at)
                stack += rs
            elif k == K_RETURN_CALL or k == K_RETURN_CALL_INDIRECT:
                pos = _return_call(ctx, k == K_RETURN_CALL_INDIRECT, data, pos, limit,
                                   stack, h, unr, results, at)
                del stack[h:]
                unr = True
                ctrl[-1][F_UNREACHABLE] = True
            elif k == K_PREFIX:
                pos = _prefixed(ctx, b, data, pos, limit, stack, h, unr, at)
            elif k == K_TYPED_REF:
                pos, end_block = _typed_ref(ctx, b, data, pos, limit, stack, h, unr, ctrl,
                                            results, at)
                if end_block:
                    del stack[h:]
                    unr = True
                    ctrl[-1][F_UNREACHABLE] = True
            elif k == K_EH:
                pos, frame = _eh(ctx, b, data, pos, limit, stack, h, unr, ctrl, at)
                if frame is None:                # throw / throw_ref
                    del stack[h:]
                    unr = True
                    ctrl[-1][F_UNREACHABLE] = True
                else:                            # try_table: a block
                    frame[F_INIT] = len(init_log)
                    ctrl.append(frame)
                    h = frame[F_HEIGHT]
                    unr = False
            elif k == K_LEGACY:
                pos, done = _legacy(ctx, b, data, pos, limit, stack, h, unr, ctrl, at)
                if init_log and b != 0x09:
                    _reset_inits(inited, init_log, ctrl[-1][F_INIT] if b != 0x18 else
                                 done[F_INIT])
                if b == 0x09:                    # rethrow
                    del stack[h:]
                    unr = True
                    ctrl[-1][F_UNREACHABLE] = True
                elif b == 0x18:                  # delegate: the try is closed
                    frame = ctrl[-1]
                    h = frame[F_HEIGHT]
                    unr = frame[F_UNREACHABLE]
                else:                            # catch / catch_all: a new arm
                    unr = False
            elif k == K_OTHER:
                pos = _other(ctx, b, data, pos, limit, stack, h, unr, at)
            else:
                if k == K_DISABLED:
                    raise _disabled_op(BY_BYTE[b], at)
                raise MalformedError("illegal opcode", at)
    except IndexError:
        if pos < limit:
            raise                  # a bug, not the end of the input
        raise MalformedError(_EOF, limit) from None
    if pos != f.body_end:
        raise MalformedError("section size mismatch", pos)


def _typed_locals(ctx, decls, nparams, at):
    """Locals declarations with typed references: their types made
    canonical, and the index ranges of the non-defaultable ones (non-null
    references: ``local.get`` needs a ``local.set``/``tee`` first)."""
    out, ndef, n = [], [], nparams
    for count, t in decls:
        t = ctx.res(t, at)
        out.append((count, t))
        if count and not is_defaultable(t):
            ndef.append((n, n + count))
        n += count
    return out, ndef or None


def _in_ranges(ranges, x) -> bool:
    for a, b in ranges:
        if a <= x < b:
            return True
    return False


def _reset_inits(inited, log, n) -> None:
    """Forget the locals initialized since the log had ``n`` entries."""
    while len(log) > n:
        inited.discard(log.pop())


def _all_sub(a, b) -> bool:
    """Type lists ``a`` <: ``b``, element-wise."""
    return len(a) == len(b) and all(subtype(x, y) for x, y in zip(a, b))


def _pop_ref(stack, h, unr, data, at) -> int:
    """``pop_ref`` of the appendix: a reference (``(ref bot)`` from an
    unreachable stack)."""
    t = _pop_any(stack, h, unr, data, at, "a reference")
    if t == UNKNOWN:
        return REF_BOT
    if not is_ref(t):
        raise InvalidError(f"type mismatch: {_op_name(data, at)} requires a reference but "
                           f"stack has {type_name(t)}", at)
    return t


def _typed_ref(ctx, b, data, pos, limit, stack, h, unr, ctrl, results, at):
    """Typed function references: ``call_ref``, ``return_call_ref``,
    ``ref.as_non_null``, ``br_on_null``, ``br_on_non_null``.  Returns the
    position and whether the rest of the block is unreachable."""
    if b == 0xD4:                                # ref.as_non_null (no immediate)
        stack.append(_pop_ref(stack, h, unr, data, at) | NONNULL)
        return pos, False
    x, pos = _u32(data, pos, limit)
    if b == 0x14 or b == 0x15:                   # call_ref / return_call_ref $t
        if x >= len(ctx.tsig):
            raise InvalidError(f"unknown type {x}", at)
        ps, rs = ctx.tsig[x]
        _pop_vals(stack, h, unr, [ctx.type_codes[x]], data, at)
        if b == 0x15 and list(rs) != list(results) and not _all_sub(rs, results):
            raise InvalidError(f"type mismatch: tail call returns {_stack_str(rs)} but the "
                               f"function returns {_stack_str(results)}", at)
        _pop_vals(stack, h, unr, ps, data, at)
        if b == 0x15:
            return pos, True
        stack += rs
        return pos, False
    if x >= len(ctrl):
        raise InvalidError(f"unknown label {x}", at)
    labels = ctrl[-1 - x][F_LABELS]
    rt = _pop_ref(stack, h, unr, data, at)
    if b == 0xD5:                                # br_on_null l
        _pop_vals(stack, h, unr, labels, data, at)
        stack += labels
        stack.append(rt | NONNULL)
        return pos, False
    # br_on_non_null l: the label's last type takes the non-null reference
    if not labels or not subtype(rt | NONNULL, labels[-1]):
        raise InvalidError(f"type mismatch: br_on_non_null requires a label of "
                           f"[... {type_name(rt | NONNULL)}] but it has "
                           f"{_stack_str(labels)}", at)
    rest = labels[:-1]
    _pop_vals(stack, h, unr, rest, data, at)
    stack += rest
    return pos, False


_EXN_HEAPS = (HT_EXN, HT_NOEXN)
_EXNREF = HT_EXN                    # (ref null exn)


def _tag_params(ctx, x, at) -> list:
    if x >= len(ctx.tag_sigs):
        raise InvalidError(f"unknown tag {x}", at)
    return ctx.tag_sigs[x]


def _eh(ctx, b, data, pos, limit, stack, h, unr, ctrl, at):
    """Exception handling: ``throw x`` and ``throw_ref`` (return ``(pos,
    None)``: the rest of the block is unreachable), ``try_table bt catch*``
    (returns the new frame: a block whose catch clauses are checked against
    the labels *outside* it)."""
    if b == 0x08:                                # throw x
        x, pos = _u32(data, pos, limit)
        try:
            _pop_vals(stack, h, unr, _tag_params(ctx, x, at), data, at)
        except InvalidError as e:                # the reference's wording
            raise InvalidError(e.message.replace("throw requires", "instruction requires"),
                               at) from None
        return pos, None
    if b == 0x0A:                                # throw_ref
        _pop_vals(stack, h, unr, [_EXNREF], data, at)
        return pos, None
    (bt, catches), pos = ctx.readers[Imm.TRY_TABLE](data, pos, limit)
    if bt <= REF_BLOCK:
        ps, res = _EMPTY, [ctx.res(REF_BLOCK - bt, at)]
    elif bt >= 0:
        if bt >= len(ctx.tsig):
            raise InvalidError(f"unknown type {bt}", at)
        ps, res = ctx.tsig[bt]
    elif bt == -64:
        ps, res = _EMPTY, _EMPTY
    else:
        res = [bt + 0x80]
        ps = _EMPTY
        if res[0] in _EXN_HEAPS:
            ctx.need_eh(at)
    for kind, x, label in catches:
        vals = list(_tag_params(ctx, x, at)) if kind < 2 else []
        if kind & 1:
            vals.append(_EXNREF | NONNULL)
        if label >= len(ctrl):
            raise InvalidError(f"unknown label {label}", at)
        labels = ctrl[-1 - label][F_LABELS]
        if len(labels) != len(vals) or not _all_sub(vals, labels):
            raise InvalidError(f"type mismatch: catch handler provides {_stack_str(vals)} "
                               f"but label {label} requires {_stack_str(labels)}", at)
    if ps:
        _pop_vals(stack, h, unr, ps, data, at)
        stack += ps
    return pos, [FR_BLOCK, ps, res, res, len(stack) - len(ps), False, 0]


def _arm_end(stack, h, unr, res, data, at) -> None:
    """The end of a try's body or catch arm: exactly its results."""
    n = len(res)
    if not (len(stack) == h + n and (n == 0 or stack[h:] == res)):
        _pop_vals(stack, h, unr, res, data, at)
        if len(stack) != h:
            raise InvalidError(f"type mismatch: block requires {_stack_str(res)} but stack "
                               f"has {_stack_str(stack[h:] + res)}", at)


def _legacy(ctx, b, data, pos, limit, stack, h, unr, ctrl, at):
    """Legacy exception handling: ``catch x`` / ``catch_all`` (a new arm
    of the try: the previous arm's results checked, the stack reset to the
    tag's parameters), ``delegate l`` (closes the try like ``end``; ``l``
    is resolved outside it; returns the popped frame) and ``rethrow l``
    (``l`` must be a catch arm).  Returns ``(pos, popped frame or None)``."""
    op = BY_BYTE[b]
    imm, pos = ctx.readers[op.imm](data, pos, limit)
    frame = ctrl[-1]
    if b == 0x09:                                # rethrow l
        if imm >= len(ctrl):
            raise InvalidError(f"unknown label {imm}", at)
        if ctrl[-1 - imm][F_KIND] not in (FR_CATCH, FR_CATCH_ALL):
            raise InvalidError("invalid rethrow label", at)
        return pos, None
    kind = frame[F_KIND]
    if kind not in (FR_TRY, FR_CATCH) or (b == 0x18 and kind != FR_TRY):
        raise MalformedError("END opcode expected", at)
    res = frame[F_RESULTS]
    _arm_end(stack, h, unr, res, data, at)
    del stack[h:]
    if b == 0x18:                                # delegate l
        del ctrl[-1]
        if imm >= len(ctrl):
            raise InvalidError(f"unknown label {imm}", at)
        stack += res
        return pos, frame
    if b == 0x07:                                # catch x
        stack += _tag_params(ctx, imm, at)
        frame[F_KIND] = FR_CATCH
    else:                                        # catch_all
        frame[F_KIND] = FR_CATCH_ALL
    frame[F_UNREACHABLE] = False
    return pos, None


def _indirect_sig(ctx, x, tbl, what, at):
    """The ``(params, results)`` of ``call_indirect``'s type ``x`` on table ``tbl``."""
    if tbl and ctx.off and REFERENCE_TYPES.name in ctx.off:
        raise disabled(REFERENCE_TYPES, at, f"{what} of table {tbl}", "zero byte expected")
    if tbl >= len(ctx.tables):
        raise InvalidError(f"unknown table {tbl}", at)
    if x >= len(ctx.tsig):
        raise InvalidError(f"unknown type {x}", at)
    if ctx.tables[tbl] != FUNCREF and not subtype(ctx.tables[tbl], FUNCREF):
        raise InvalidError(f"type mismatch: {what} requires a table of functions", at)
    return ctx.tsig[x]


def _return_call(ctx, indirect, data, pos, limit, stack, h, unr, results, at) -> int:
    """``return_call x`` / ``return_call_indirect x y`` (tail calls): pops
    the callee's params (and the table index); the callee's results must
    be exactly the caller's (no subtyping without typed references).  The
    caller then marks the rest of the block unreachable, as for ``return``."""
    if indirect:
        (x, tbl), pos = IMM_READERS[Imm.CALL_INDIRECT](data, pos, limit)
        ps, rs = _indirect_sig(ctx, x, tbl, "return_call_indirect", at)
        _pop_vals(stack, h, unr, [ctx.tab_at[tbl]], data, at)
    else:
        x, pos = _u32(data, pos, limit)
        if x >= ctx.nfuncs:
            raise InvalidError(f"unknown function {x}", at)
        ps, rs = ctx.fsig[x]
    if list(rs) != list(results) and not _all_sub(rs, results):
        raise InvalidError(f"type mismatch: tail call returns {_stack_str(rs)} but the "
                           f"function returns {_stack_str(results)}", at)
    _pop_vals(stack, h, unr, ps, data, at)
    return pos


def _select(stack, h, unr, data, at) -> None:
    """Untyped ``select``: appendix algorithm (numeric or vector operands)."""
    _pop_vals(stack, h, unr, [I32], data, at)
    t1 = _pop_any(stack, h, unr, data, at)
    t2 = _pop_any(stack, h, unr, data, at)
    if not ((t1 in _NUMERIC and t2 in _NUMERIC) or (t1 in _VECTOR and t2 in _VECTOR)):
        raise InvalidError("type mismatch: select requires numeric or vector operands "
                           f"but stack has {_stack_str((t2, t1))}", at)
    if t1 != t2 and t1 != UNKNOWN and t2 != UNKNOWN:
        raise InvalidError(f"type mismatch: select operands {_stack_str((t2, t1))} "
                           "differ", at)
    stack.append(t2 if t1 == UNKNOWN else t1)


def _br_table(ctrl, stack, h, unr, targets, default, data, at) -> None:
    """``br_table`` per the spec appendix: all targets have the default's
    arity; each target must accept the operands, and the popped (actual)
    types are pushed back, so under an unreachable stack targets with
    different label types are fine as long as each is consistent."""
    _pop_vals(stack, h, unr, [I32], data, at)
    nctrl = len(ctrl)
    if default >= nctrl:
        raise InvalidError(f"unknown label {default}", at)
    arity = len(ctrl[-1 - default][F_LABELS])
    for x in targets:
        if x >= nctrl:
            raise InvalidError(f"unknown label {x}", at)
        labels = ctrl[-1 - x][F_LABELS]
        if len(labels) != arity:
            raise InvalidError("type mismatch: br_table targets have different "
                               "arities", at)
        stack += _pop_vals(stack, h, unr, labels, data, at)
    _pop_vals(stack, h, unr, ctrl[-1 - default][F_LABELS], data, at)


def _need_table(ctx, x, at) -> int:
    if x >= len(ctx.tables):
        raise InvalidError(f"unknown table {x}", at)
    return ctx.tables[x]


def _need_mem(ctx, x, at) -> None:
    if x >= ctx.nmems:
        raise InvalidError(f"unknown memory {x}", at)


def _check_offset(ctx, mem: int, offset: int, at) -> None:
    """A memarg offset beyond u32 needs a 64-bit memory (memory64 decodes
    offsets as u64; without it such an offset was an over-long u32)."""
    if offset > 0xFFFFFFFF and ctx.mem_at[mem] == I32:
        if not ctx.memory64:
            raise MalformedError("integer too large", at)
        raise InvalidError("offset out of range", at)


def _memory64_access(ctx, mem, offset, b, stack, h, unr, data, at) -> None:
    """A single-byte load/store off the fast path: a 64-bit memory somewhere
    in the module, or a large offset."""
    _check_offset(ctx, mem, offset, at)
    ps = _PL[b]
    _pop_vals(stack, h, unr, [ctx.mem_at[mem], *ps[1:]], data, at)
    op = BY_BYTE[b]
    stack += op.results


def _pop_push(stack, h, unr, params, results, data, at, pos) -> int:
    _pop_vals(stack, h, unr, list(params), data, at)
    stack += results
    return pos


def _need_data(ctx, x, at) -> None:
    if not ctx.has_datacount:
        raise _NeedDataCount("data count section required", at)
    if x >= ctx.ndatas:
        raise InvalidError(f"unknown data segment {x}", at)


def _need_elem(ctx, x, at) -> int:
    if x >= len(ctx.elem_types):
        raise InvalidError(f"unknown elem segment {x}", at)
    return ctx.elem_types[x]


def _other(ctx, b, data, pos, limit, stack, h, unr, at) -> int:
    """Rare single-byte instructions with special typing."""
    op = BY_BYTE[b]
    imm, pos = ctx.readers[op.imm](data, pos, limit)
    if b == 0x1C:                                # select t*
        if len(imm) != 1:
            raise InvalidError("invalid result arity", at)
        t = ctx.res(imm[0], at)
        _pop_vals(stack, h, unr, [t, t, I32], data, at)
        stack.append(t)
    elif b == 0x25:                              # table.get
        t = _need_table(ctx, imm, at)
        _pop_vals(stack, h, unr, [ctx.tab_at[imm]], data, at)
        stack.append(t)
    elif b == 0x26:                              # table.set
        t = _need_table(ctx, imm, at)
        _pop_vals(stack, h, unr, [ctx.tab_at[imm], t], data, at)
    elif b == 0x3F or b == 0x40:                 # memory.size / memory.grow
        _need_mem(ctx, imm, at)
        a = ctx.mem_at[imm]
        _pop_vals(stack, h, unr, [a] if b == 0x40 else [], data, at)
        stack.append(a)
    elif b == 0xD0:                              # ref.null t
        stack.append(ctx.res(imm, at))
    elif b == 0xD1:                              # ref.is_null
        t = _pop_any(stack, h, unr, data, at, "a reference")
        if not is_ref(t) and t != UNKNOWN:
            raise InvalidError("type mismatch: ref.is_null requires a reference "
                               f"but stack has {type_name(t)}", at)
        stack.append(I32)
    elif b == 0xD2:                              # ref.func x
        if imm >= ctx.nfuncs:
            raise InvalidError(f"unknown function {imm}", at)
        if imm not in ctx.declared:
            raise InvalidError(f"undeclared function reference {imm}", at)
        stack.append(ctx.func_ref(imm))
    else:   # pragma: no cover - every K_OTHER opcode is handled above
        raise AssertionError(op)
    return pos


def _prefixed(ctx, prefix, data, pos, limit, stack, h, unr, at) -> int:
    """0xFC (saturating truncation, bulk memory, tables) and 0xFD (SIMD)."""
    sub = data[pos]
    if sub < 0x80:
        pos += 1
    else:
        sub, pos = _u32(data, pos, limit)
    op = ctx.prefix_ops[prefix].get(sub)
    if op is None:
        op = _PREFIX_OPS[prefix].get(sub)
        if op is not None:                       # its feature is off
            raise _disabled_op(op, at)
        raise MalformedError("illegal opcode", at)
    kind = op.imm
    if kind is Imm.NONE:
        imm = None
    else:
        imm, pos = ctx.readers[kind](data, pos, limit)
        if kind is Imm.MEMARG or kind is Imm.MEMARG_LANE:
            _need_mem(ctx, imm[2], at)
            if imm[0] > op.align:
                raise InvalidError("alignment must not be larger than natural", at)
            if kind is Imm.MEMARG_LANE and imm[3] >= op.lanes:
                raise InvalidError("invalid lane index", at)
            _check_offset(ctx, imm[2], imm[1], at)
            if ctx.mem_at[imm[2]] != I32:
                return _pop_push(stack, h, unr, [I64, *op.params[1:]], op.results, data, at,
                                 pos)
        elif kind is Imm.LANE:
            if imm >= op.lanes:
                raise InvalidError("invalid lane index", at)
        elif kind is Imm.SHUFFLE:
            if max(imm) >= 32:
                raise InvalidError("invalid lane index", at)
        elif kind is Imm.MEMORY_INIT:                # memory.init
            _need_mem(ctx, imm[1], at)
            _need_data(ctx, imm[0], at)
            a = ctx.mem_at[imm[1]]
            if a != I32:
                return _pop_push(stack, h, unr, [a, I32, I32], (), data, at, pos)
        elif kind is Imm.DATA:                       # data.drop
            _need_data(ctx, imm, at)
        elif kind is Imm.MEMORY:                     # memory.fill
            _need_mem(ctx, imm, at)
            a = ctx.mem_at[imm]
            if a != I32:
                return _pop_push(stack, h, unr, [a, I32, a], (), data, at, pos)
        elif kind is Imm.MEMORY_COPY:                # memory.copy dst src
            _need_mem(ctx, imm[0], at)
            _need_mem(ctx, imm[1], at)
            ad, as_ = ctx.mem_at[imm[0]], ctx.mem_at[imm[1]]
            if ad != I32 or as_ != I32:              # the length: the narrower type
                n = I64 if ad == as_ == I64 else I32
                return _pop_push(stack, h, unr, [ad, as_, n], (), data, at, pos)
        elif kind is Imm.TABLE_INIT:                 # table.init elem table
            t1 = _need_table(ctx, imm[1], at)
            t2 = _need_elem(ctx, imm[0], at)
            if not subtype(t2, t1):
                raise InvalidError(f"type mismatch: table.init of {type_name(t2)} "
                                   f"segment into {type_name(t1)} table", at)
            if ctx.tab_at[imm[1]] != I32:            # [dst: at, src: i32, len: i32]
                return _pop_push(stack, h, unr, [I64, I32, I32], (), data, at, pos)
        elif kind is Imm.ELEM:                       # elem.drop
            _need_elem(ctx, imm, at)
        elif kind is Imm.TABLE_COPY:                 # table.copy dst src
            t1 = _need_table(ctx, imm[0], at)
            t2 = _need_table(ctx, imm[1], at)
            if not subtype(t2, t1):
                raise InvalidError(f"type mismatch: table.copy from {type_name(t2)} "
                                   f"table to {type_name(t1)} table", at)
            ad, as_ = ctx.tab_at[imm[0]], ctx.tab_at[imm[1]]
            if ad != I32 or as_ != I32:              # the length: the narrower type
                n = I64 if ad == as_ == I64 else I32
                return _pop_push(stack, h, unr, [ad, as_, n], (), data, at, pos)
        elif kind is Imm.TABLE:                      # table.size / grow / fill
            t = _need_table(ctx, imm, at)
            a = ctx.tab_at[imm]
            if op.code == 0x0F:                      # table.grow: [t at] -> [at]
                _pop_vals(stack, h, unr, [t, a], data, at)
                stack.append(a)
                return pos
            if op.code == 0x11:                      # table.fill: [at t at] -> []
                _pop_vals(stack, h, unr, [a, t, a], data, at)
                return pos
            if a != I32:                             # table.size: [] -> [at]
                return _pop_push(stack, h, unr, [], (a,), data, at, pos)
    ps, rs = _OP_SIG[op]
    n = len(ps)
    if n:
        if len(stack) - n >= h and stack[-n:] == ps:
            del stack[-n:]
        else:
            _pop_vals(stack, h, unr, ps, data, at)
    stack += rs
    return pos


# ---------------------------------------------------------------------------
# Malformed-first: decode-only scan used when an invalid error was found
# ---------------------------------------------------------------------------

def _first_malformed(m: Module, fs: Features, funcs=None) -> None:
    """Raise the error the reference decoder would report for the bodies
    (all of them, or the given indices), if any: the first malformed body in
    stream order, else "data count section required"."""
    uses_data = False
    for fi in (range(len(m.funcs)) if funcs is None else funcs):
        f = m.funcs[fi]
        uses_data |= scan_body(m.data, f.body_start, f.body_end, imm_readers(fs))
    if uses_data and m.data_count is None:
        raise MalformedError("data count section required", len(m.data))


# ---------------------------------------------------------------------------
# Constant expressions
# ---------------------------------------------------------------------------

def const_expr_type(m: Module, expr: ConstExpr, expected: int, *,
                    globals_limit: int | None = None, defined_before: int | None = None,
                    features: Features | None = None) -> None:
    """Check that ``expr`` is a constant expression of type ``expected``.

    ``globals_limit``: how many globals (from index 0) constant expressions
    may read; Wasm 2.0 allows only the imported ones, which is the default.
    Only immutable globals are constant.  Reading a defined global that
    Wasm 3.0 would allow (one before ``defined_before``, by default any) is
    reported as unsupported rather than as an unknown global.  An instruction
    of a feature that is off (``features``, default :func:`.features.current`)
    is reported as disabled.
    """
    fs = current() if features is None else features
    if fs != DEFAULT:
        _gate_const_expr(expr, fs)
    if globals_limit is None:
        globals_limit = m.num_imported_globals
    nfuncs = len(m.func_types)
    # 1. every instruction must be constant (the reference's is_const pass;
    #    it looks globals up, hence "unknown global" comes from here).
    for op, imm, at in expr.instrs:
        key = op.key
        if key == 0x23:
            if imm >= globals_limit:
                limit = len(m.global_types) if defined_before is None else defined_before
                if m.num_imported_globals <= imm < limit:
                    raise UnsupportedInvalidError(
                        O_GC, at, detail=f"global.get {imm} of a defined global in a constant "
                        "expression", spec_message=f"unknown global {imm}")
                raise InvalidError(f"unknown global {imm}", at)
            if m.global_types[imm].mutable:
                raise InvalidError("constant expression required: "
                                   f"global {imm} is mutable", at)
        elif key not in _CONST_PUSH and key not in _CONST_BINOP and \
                key not in _CONST_SPECIAL:
            raise InvalidError(f"constant expression required: {op.name}", at)
    # 2. typing, as a block with result [expected].
    stack = []
    for op, imm, at in expr.instrs:
        key = op.key
        t = _CONST_PUSH.get(key)
        if t is not None:
            stack.append(t)
        elif key in _CONST_BINOP:
            t = _CONST_BINOP[key]
            if stack[-2:] != [t, t]:
                raise InvalidError(f"type mismatch: {op.name} requires "
                                   f"{_stack_str((t, t))} but stack has "
                                   f"{_stack_str(stack[-2:])}", at)
            del stack[-1]
        elif key == 0x23:
            stack.append(m.global_types[imm].type)
        elif key == 0xD0:
            t = resolve(m.type_codes, imm)
            if t & RAW:
                raise InvalidError(f"unknown type {raw_index(t)}", at)
            stack.append(t)
        else:                                      # ref.func
            if imm >= nfuncs:
                raise InvalidError(f"unknown function {imm}", at)
            stack.append(m.type_codes[m.func_types[imm]] | NONNULL
                         if FUNCTION_REFERENCES in fs and m.func_types[imm] < len(m.type_codes)
                         else FUNCREF)
    if len(stack) != 1 or not subtype(stack[0], expected):
        at = expr.instrs[-1][2] if expr.instrs else expr.offset
        raise InvalidError(f"type mismatch: constant expression requires "
                           f"[{type_name(expected)}] but has {_stack_str(stack)}", at)


def _gate_const_expr(expr: ConstExpr, fs: Features) -> None:
    for op, _, at in expr.instrs:
        if op.feature not in fs:
            raise _disabled_op(op, at)
        if op.key in _CONST_BINOP and EXTENDED_CONST not in fs:
            raise disabled(EXTENDED_CONST, at, f"{op.name} in a constant expression",
                           f"constant expression required: {op.name}", invalid=True)


# ---------------------------------------------------------------------------
# Module level
# ---------------------------------------------------------------------------

_REFS = (FUNCREF, EXTERNREF)


def _typed(t: int) -> bool:
    """A reference type only typed function references have (exnref and
    nullexnref are exception handling's)."""
    return is_ref(t) and t != FUNCREF and t != EXTERNREF and t not in _EXN_HEAPS


def _check_gated_locals(off: frozenset, decls, at: int) -> None:
    """Local types of a feature that is off (v128, reference types)."""
    for _, t in decls:
        if t == V128 and SIMD.name in off:
            raise disabled(SIMD, at, "v128 local", "malformed value type")
        if t in _REFS and REFERENCE_TYPES.name in off:
            raise disabled(REFERENCE_TYPES, at, f"{type_name(t)} local", "malformed value type")
        if _typed(t) and FUNCTION_REFERENCES.name in off:
            raise disabled(FUNCTION_REFERENCES, at, "typed reference local",
                           "malformed value type")
        if t & ~NONNULL in _EXN_HEAPS and EXCEPTIONS.name in off:
            raise disabled(EXCEPTIONS, at, "exnref local", "malformed value type")


def _header_uses(m: Module):
    """Every construct outside function bodies and constant expressions
    that needs a feature: ``(feature, offset, what, spec_message, invalid)``,
    in module order.  The one list of them, for gating and for
    :func:`features_used`."""
    tsec = _section_offset(m, 1)
    for i, ft in enumerate(m.types):
        if len(ft.results) > 1:
            yield (MULTI_VALUE, tsec, f"type {i} has {len(ft.results)} results",
                   "invalid result arity", True)
        if V128 in (*ft.params, *ft.results):
            yield SIMD, tsec, f"v128 in type {i}", "malformed value type", False
        refs = [t for t in (*ft.params, *ft.results) if t in _REFS]
        if refs:
            yield (REFERENCE_TYPES, tsec, f"{type_name(refs[0])} in type {i}",
                   "malformed value type", False)
        if any(_typed(t) for t in (*ft.params, *ft.results)):
            yield (FUNCTION_REFERENCES, tsec, f"typed reference type in type {i}",
                   "malformed value type", False)
    for imp in m.imports:
        if imp.kind == ExternKind.GLOBAL and imp.desc.mutable:
            yield (MUTABLE_GLOBAL, imp.offset, "import of a mutable global", "mutable global",
                   True)
    for imp in m.imports:
        if imp.kind in (ExternKind.MEMORY, ExternKind.TABLE) and address_type(imp.desc) == I64:
            yield (MEMORY64, imp.offset, f"64-bit {imp.kind.name.lower()} import",
                   "integer too large", False)
    for sid, ts in ((4, m.tables), (5, m.mems)):
        if any(address_type(t) == I64 for t in ts):
            yield (MEMORY64, _section_offset(m, sid), f"64-bit {_SECTION_WHAT[sid]}",
                   "integer too large", False)
    for imp in m.imports:
        if imp.kind == ExternKind.MEMORY and imp.desc.custom_page_size:
            yield (CUSTOM_PAGE_SIZES, imp.offset, "memory import with a page size",
                   "integer too large", False)
    if any(mt.custom_page_size for mt in m.mems):
        yield (CUSTOM_PAGE_SIZES, _section_offset(m, 5), "memory with a page size",
               "integer too large", False)
    tabsec = _section_offset(m, 4)
    if len(m.table_types) > 1:
        yield (REFERENCE_TYPES, tabsec, f"{len(m.table_types)} tables", "multiple tables",
               True)
    if any(tt.elem == EXTERNREF for tt in m.table_types):
        yield REFERENCE_TYPES, tabsec, "externref table", "malformed reference type", False
    if any(_typed(tt.elem) for tt in m.table_types) or any(e is not None for e in m.table_inits):
        yield (FUNCTION_REFERENCES, tabsec, "typed reference table", "malformed reference type",
               False)
    gsec = _section_offset(m, 6)
    if any(_typed(g.type) for g in m.global_types):
        yield FUNCTION_REFERENCES, gsec, "typed reference global", "malformed value type", False
    if any(g.type in _REFS for g in m.global_types):
        yield REFERENCE_TYPES, gsec, "reference-typed global", "malformed value type", False
    if any(g.type == V128 for g in m.global_types):
        yield SIMD, gsec, "v128 global", "malformed value type", False
    for ex in m.exports:
        if ex.kind == ExternKind.GLOBAL and ex.index < len(m.global_types) and \
                m.global_types[ex.index].mutable:
            yield (MUTABLE_GLOBAL, ex.offset, "export of a mutable global", "mutable global",
                   True)
    yield from _tag_uses(m)
    yield from _segment_uses(m)


def _tag_uses(m: Module):
    """Exception handling outside bodies: tags (section, imports, exports)
    and exnref in types and globals, as :func:`_header_uses`."""
    for imp in m.imports:
        if imp.kind == ExternKind.TAG:
            yield EXCEPTIONS, imp.offset, "tag import", "malformed import kind", False
    if m.tags:
        yield (EXCEPTIONS, _section_offset(m, 13), "tag section (id 13)", "malformed section id",
               False)
    for ex in m.exports:
        if ex.kind == ExternKind.TAG:
            yield EXCEPTIONS, ex.offset, "tag export", "malformed export kind", False
    tsec = _section_offset(m, 1)
    for i, ft in enumerate(m.types):
        if any(t & ~NONNULL in _EXN_HEAPS for t in (*ft.params, *ft.results)):
            yield EXCEPTIONS, tsec, f"exnref in type {i}", "malformed value type", False
    if any(g.type & ~NONNULL in _EXN_HEAPS for g in m.global_types):
        yield EXCEPTIONS, _section_offset(m, 6), "exnref global", "malformed value type", False


def _segment_uses(m: Module):
    """Segment encodings of bulk-memory (passive segments, the data count
    section) and reference-types (declarative segments, expression and
    externref elements), as :func:`_header_uses`."""
    for seg in m.elems:
        if seg.mode == SegmentMode.PASSIVE:
            yield (BULK_MEMORY, seg.pos, "passive element segment",
                   "malformed elements segment kind", False)
        elif seg.mode == SegmentMode.DECLARATIVE:
            yield (REFERENCE_TYPES, seg.pos, "declarative element segment",
                   "malformed elements segment kind", False)
        if seg.exprs is not None:              # ref.null / ref.func items
            yield (REFERENCE_TYPES, seg.pos, "element segment of expressions",
                   "malformed elements segment kind", False)
        if seg.type == EXTERNREF:
            yield (REFERENCE_TYPES, seg.pos, "externref element segment",
                   "malformed reference type", False)
    if m.data_count is not None:
        yield (BULK_MEMORY, _section_offset(m, 12), "data count section", "malformed section id",
               False)
    for d in m.datas:
        if d.mode == SegmentMode.PASSIVE:
            yield BULK_MEMORY, d.pos, "passive data segment", "malformed data segment kind", False


_SECTION_WHAT = {4: "table", 5: "memory"}


def _check_gated_header(m: Module, off: frozenset) -> None:
    """What the features that are off (``off``: names) reject outside
    function bodies and constant expressions (see :mod:`.features`)."""
    for feature, at, what, spec_message, invalid in _header_uses(m):
        if feature.name in off:
            raise disabled(feature, at, what, spec_message, invalid)


_MEMORY_IMMS = frozenset((Imm.MEMARG, Imm.MEMARG_LANE, Imm.MEMORY, Imm.MEMORY_INIT,
                          Imm.MEMORY_COPY))


def _memidx_used(kind: Imm, imm) -> bool:
    """Whether a memory immediate names a memory other than 0."""
    if kind is Imm.MEMORY:
        return imm != 0
    if kind is Imm.MEMORY_COPY:
        return imm != (0, 0)
    return imm[1 if kind is Imm.MEMORY_INIT else 2] != 0


def features_used(m: Module) -> list[Feature]:
    """The proposals a decoded module uses (MVP not listed), in
    :data:`.features.ALL` order: every construct the features gate (see
    :mod:`.features`), bodies and constant expressions included.  For
    reports (``inspect``); ``m`` need not be valid, but must decode."""
    used = {u[0] for u in _header_uses(m)}
    if len(m.mem_types) > 1:        # gated after the bodies (_check_module_trailer)
        used.add(MULTI_MEMORY)
    exprs = [g.init for g in m.globals]
    exprs += [d.offset for d in m.datas if d.offset is not None]
    for seg in m.elems:
        exprs += seg.exprs or ()
        if seg.offset is not None:
            exprs.append(seg.offset)
    for e in exprs:
        for op, _, _ in e.instrs:
            used.add(op.feature)
            if op.key in _CONST_BINOP:
                used.add(EXTENDED_CONST)
    for f in m.funcs:
        decls, pos = read_locals(m.data, f.body_start, f.body_end)
        used.update(SIMD if t == V128 else REFERENCE_TYPES for _, t in decls
                    if t == V128 or t in _REFS)
        if any(_typed(t) for _, t in decls):
            used.add(FUNCTION_REFERENCES)
        for op, imm, _ in iter_instrs(m.data, pos, f.body_end):
            used.add(op.feature)
            if op.imm is Imm.BLOCKTYPE and imm >= 0:
                used.add(MULTI_VALUE)
            elif op.imm is Imm.BLOCKTYPE and imm <= REF_BLOCK and _typed(REF_BLOCK - imm) or \
                    op.imm is Imm.HEAPTYPE and _typed(imm) or \
                    op.imm is Imm.SELECT_T and any(_typed(t) for t in imm):
                used.add(FUNCTION_REFERENCES)
            elif op.imm is Imm.CALL_INDIRECT and imm[1]:
                used.add(REFERENCE_TYPES)
            elif op.imm in _MEMORY_IMMS and _memidx_used(op.imm, imm):
                used.add(MULTI_MEMORY)
    return [f for f in ALL if f in used and f is not MVP]


def _check_limits(lim, at, bound, msg) -> None:
    if lim.min > bound or (lim.max is not None and lim.max > bound):
        raise InvalidError(msg, at)
    if lim.max is not None and lim.min > lim.max:
        raise InvalidError("size minimum must not be greater than maximum", at)


def _check_table_type(tt, at) -> None:
    if address_type(tt) == I64:
        _check_limits(tt.limits, at, (1 << 64) - 1, "table size must be at most 2^64-1")
    else:
        _check_limits(tt.limits, at, 0xFFFF_FFFF, "table size must be at most 2^32-1")


def _check_mem_type(mt, at) -> None:
    # custom-page-sizes: pages of 1 or 65536 bytes; the bound is the address
    # space in pages (2^32 / 2^64 bytes), at most 2^32-1 / 2^64-1 pages
    p = mt.page_size_log2
    if p not in (0, 16):
        raise InvalidError("invalid custom page size", at)
    if address_type(mt) == I64:                  # memory64: 2^64 bytes
        bound = min(1 << (64 - p), (1 << 64) - 1)
        _check_limits(mt.limits, at, bound, f"memory size must be at most {_pow2(bound)} pages")
    else:
        bound = min(MAX_PAGES << (16 - p), 0xFFFF_FFFF)
        _check_limits(mt.limits, at, bound,
                      f"memory size must be at most {bound} pages (4GiB)")


def _pow2(n: int) -> str:
    """2^48 or 2^64-1, as the messages spell page counts."""
    return f"2^{n.bit_length() - 1}" if n & (n - 1) == 0 else f"2^{n.bit_length()}-1"


def _section_offset(m: Module, sid: int) -> int:
    for s in m.sections:
        if s.id == sid:
            return s.payload_start
    return 0


def _unknown_types(m: Module) -> None:
    """Concrete heap types the decoder could not resolve (RAW: an index
    beyond the types, or a later type's)."""
    def check(ts, at):
        for t in ts:
            if t >= RAW and t & RAW:
                raise InvalidError(f"unknown type {raw_index(t)}", at)
    tsec = _section_offset(m, 1)
    for ft in m.types:
        check((*ft.params, *ft.results), tsec)
    for imp in m.imports:
        if imp.kind == ExternKind.GLOBAL:
            check((imp.desc.type,), imp.offset)
        elif imp.kind == ExternKind.TABLE:
            check((imp.desc.elem,), imp.offset)
    check([tt.elem for tt in m.tables], _section_offset(m, 4))
    check([g.type.type for g in m.globals], _section_offset(m, 6))
    for seg in m.elems:
        check((seg.type,), seg.pos)


def _check_module_header(m: Module, fs: Features) -> None:
    """Everything before function bodies (reference order)."""
    if fs != DEFAULT:
        _check_gated_header(m, frozenset(f.name for f in fs.disabled()))
    _unknown_types(m)
    ntypes = len(m.types)
    # Imports: the reference folds from the last import to the first.
    for imp in reversed(m.imports):
        if imp.kind == ExternKind.FUNC:
            if imp.desc >= ntypes:
                raise InvalidError(f"unknown type {imp.desc}", imp.offset)
        elif imp.kind == ExternKind.TABLE:
            _check_table_type(imp.desc, imp.offset)
        elif imp.kind == ExternKind.MEMORY:
            _check_mem_type(imp.desc, imp.offset)
        elif imp.kind == ExternKind.TAG:
            _check_tag_type(m, imp.desc, imp.offset)
    fsec = _section_offset(m, 3)
    for f in m.funcs:
        if f.type_index >= ntypes:
            raise InvalidError(f"unknown type {f.type_index}", fsec)
    for i, g in enumerate(m.globals, m.num_imported_globals):
        const_expr_type(m, g.init, g.type.type, defined_before=i, features=fs)
    tsec = _section_offset(m, 4)
    for tt, init in zip(m.tables, m.table_inits):
        _check_table_type(tt, tsec)
        if init is not None:
            const_expr_type(m, init, tt.elem, features=fs)
        elif not nullable(tt.elem):
            raise InvalidError("type mismatch: a table of non-nullable "
                               f"{type_name(tt.elem)} needs an initializer", tsec)
    msec = _section_offset(m, 5)
    for mt in m.mems:
        _check_mem_type(mt, msec)
    tagsec = _section_offset(m, 13)
    for t in m.tags:
        _check_tag_type(m, t, tagsec)
    nfuncs = len(m.func_types)
    for seg in m.elems:
        if seg.func_indices is not None:
            for x in seg.func_indices:
                if x >= nfuncs:
                    raise InvalidError(f"unknown function {x}", seg.pos)
        else:
            for e in seg.exprs:
                const_expr_type(m, e, seg.type, features=fs)
        if seg.mode == SegmentMode.ACTIVE:
            if seg.table >= len(m.table_types):
                raise InvalidError(f"unknown table {seg.table}", seg.pos)
            if not subtype(seg.type, m.table_types[seg.table].elem):
                raise InvalidError("type mismatch in active element segment", seg.pos)
            const_expr_type(m, seg.offset, address_type(m.table_types[seg.table]), features=fs)
    for d in m.datas:
        if d.mode == SegmentMode.ACTIVE:
            if d.memory >= len(m.mem_types):
                raise InvalidError(f"unknown memory {d.memory}", d.pos)
            const_expr_type(m, d.offset, address_type(m.mem_types[d.memory]), features=fs)


def _check_tag_type(m: Module, t: int, at: int) -> None:
    """A tag's type: an existing function type without results."""
    if t >= len(m.types):
        raise InvalidError(f"unknown type {t}", at)
    if m.types[t].results:
        raise InvalidError("non-empty tag result type", at)


def _check_module_trailer(m: Module, multi_memory: bool) -> None:
    """Start, exports, memory count: after the bodies (reference order)."""
    if m.start is not None:
        at = _section_offset(m, 8)
        if m.start >= len(m.func_types):
            raise InvalidError(f"unknown function {m.start}", at)
        ft = m.func_type(m.start)
        if ft.params or ft.results:
            raise InvalidError("start function must not have parameters or results", at)
    spaces = {ExternKind.FUNC: (len(m.func_types), "function"),
              ExternKind.TABLE: (len(m.table_types), "table"),
              ExternKind.MEMORY: (len(m.mem_types), "memory"),
              ExternKind.GLOBAL: (len(m.global_types), "global"),
              ExternKind.TAG: (len(m.tag_types), "tag")}
    names = set()
    for ex in m.exports:
        n, what = spaces[ex.kind]
        if ex.index >= n:
            raise InvalidError(f"unknown {what} {ex.index}", ex.offset)
        if ex.name in names:
            raise InvalidError(f"duplicate export name {ex.name!r}", ex.offset)
        names.add(ex.name)
    if len(m.mem_types) > 1 and not multi_memory:
        raise disabled(MULTI_MEMORY, _section_offset(m, 5), f"{len(m.mem_types)} memories",
                       "multiple memories", True)


def validate_module(m: Module, features: Features | None = None) -> None:
    """Validate a decoded module; see the module docstring for what is
    checked.  ``features``: what the module may use (default: the features
    in force, :func:`.features.current`)."""
    try:
        _validate_module(m, current() if features is None else features)
    except WasmError as e:
        if e.filename is None:
            e.filename = m.filename
        # error path only: name a proposal, find the text position of a .wat
        raise located(unsupported.explain(e, m.data), m.data) from None


def _validate_module(m: Module, fs: Features) -> None:
    try:
        _check_module_header(m, fs)
        ctx = _Ctx(m, fs)
        for fi in range(len(m.funcs)):
            _check_body(ctx, fi)
        _check_module_trailer(m, MULTI_MEMORY in fs)
    except InvalidError as e:
        _first_malformed(m, fs)      # a malformed body anywhere wins
        if isinstance(e, _NeedDataCount):
            raise MalformedError(e.message, e.offset) from None
        raise


def validate_function(m: Module, func_index_in_funcs: int,
                      features: Features | None = None) -> None:
    """Validate one defined function's body (index into ``m.funcs``).

    Assumes the module-level parts it relies on (type indices) are valid;
    fills ``locals_`` and ``code_start`` of that function.  Builds the
    module context (signatures, declared references) on every call, which
    is O(module): :func:`validate_module` is the bulk path.
    """
    f = m.funcs[func_index_in_funcs]
    if f.type_index >= len(m.types):
        raise InvalidError(f"unknown type {f.type_index}", f.body_start)
    fs = current() if features is None else features
    try:
        _check_body(_Ctx(m, fs), func_index_in_funcs)
    except InvalidError as e:
        _first_malformed(m, fs, (func_index_in_funcs,))
        if isinstance(e, _NeedDataCount):
            raise MalformedError(e.message, e.offset) from None
        raise
