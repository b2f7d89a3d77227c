"""The command table: a .wast script's commands as a compact binary blob that
the native spec driver (``spec-tests/driver/spectest_driver.c``) interprets.

A whole script runs as ONE executable: its modules are compiled under the
prefixes ``m0``, ``m1``, ... and :func:`table_object` emits a tiny object
holding the blob and the array of their descriptors.  Nothing is generated
as C source.

Format (version 1; all integers little-endian; the constants are mirrored
in ``spec-tests/driver/spectest_driver.h``)::

    table   := u32 magic "WSPT" (0x54505357), u32 version (1),
               u32 n_commands, u32 n_modules, command * n_commands
    str     := u32 length, bytes (UTF-8, not NUL-terminated)
    command := u8 op, u32 line, fields of op:
      1 MODULE                 i32 module, str name
      2 REGISTER               str as_name, str module
      3 ACTION                 action
      4 ASSERT_RETURN          action, u32 n, expected * n
      5 ASSERT_TRAP            action, str message
      6 ASSERT_EXHAUSTION      action, str message
      7 ASSERT_TRAP_MODULE     i32 module, str message
      8 ASSERT_UNLINKABLE      i32 module, str message
      9 ASSERT_UNINSTANTIABLE  i32 module, str message
    module  := index into the descriptor array (m<index>_module), or -1
               when the module did not compile (the driver then fails the
               command and every action aimed at that module)
    name    := the script's $id, "" for none; in actions and REGISTER ""
               means the current (most recently defined) module
    action  := u8 kind (0 invoke, 1 get), str module, str field,
               invoke only: u32 nargs, value * nargs
    value   := u8 type, payload:
               0 i32, 2 f32: u32 bits      1 i64, 3 f64: u64 bits
               4 v128: 16 bytes (u64 low half, u64 high half)
               5 funcref, 6 externref: u8 is_null, u64 N
               (a non-null externref `ref.extern N` is passed to Wasm as
               the pointer value N + 1, so `ref.extern 0` is not null)
    expected := u8 kind:
      0 VALUE          value (exact bits; refs: null, or ref.extern N)
      1 NAN            u8 type (2 f32 / 3 f64), u8 which (1 canonical,
                       2 arithmetic)
      2 V128_LANES     u8 lane type (2 f32x4 / 3 f64x2), then per lane
                       u8 which (0 exact, 1 canonical, 2 arithmetic) and
                       the lane bits (u32 / u64)
      3 REF_FUNC       any non-null funcref
      4 REF_EXTERN_ANY any non-null externref
      5 EITHER         u32 n, expected * n (any alternative matches)

The driver prints ``<line> ok`` or ``<line>: <why>`` per command that
counts, and a last line ``summary: P passed, F failed``.
"""
from __future__ import annotations

import struct
from typing import Iterable, Mapping

from ..frontend.text.script import (ActionCommand, AssertExhaustion, AssertReturn, AssertTrap,
                                    AssertUninstantiable, AssertUnlinkable, Either, Get, Invoke,
                                    ModuleCommand, NanPattern, RefExtern, RefFunc, RefNull, Register,
                                    V128Pattern, Value)

MAGIC = 0x54505357
VERSION = 1

OP_MODULE, OP_REGISTER, OP_ACTION, OP_ASSERT_RETURN, OP_ASSERT_TRAP, OP_ASSERT_EXHAUSTION, \
    OP_ASSERT_TRAP_MODULE, OP_ASSERT_UNLINKABLE, OP_ASSERT_UNINSTANTIABLE = range(1, 10)

T_I32, T_I64, T_F32, T_F64, T_V128, T_FUNCREF, T_EXTERNREF = range(7)
_TYPES = {"i32": T_I32, "i64": T_I64, "f32": T_F32, "f64": T_F64, "v128": T_V128}

E_VALUE, E_NAN, E_V128_LANES, E_REF_FUNC, E_REF_EXTERN_ANY, E_EITHER = range(6)
LANE_EXACT, NAN_CANONICAL, NAN_ARITHMETIC = range(3)
_NAN = {"canonical": NAN_CANONICAL, "arithmetic": NAN_ARITHMETIC}

# Commands the driver executes (everything but assert_malformed/invalid).
EXEC_KINDS = frozenset(("module", "register", "action", "assert_return", "assert_trap",
                        "assert_exhaustion", "assert_unlinkable", "assert_uninstantiable"))
# Module-carrying commands, in the order their modules get indices.
MODULE_KINDS = frozenset(("module", "assert_unlinkable", "assert_uninstantiable"))


def carries_module(cmd) -> bool:
    return cmd.kind in MODULE_KINDS or (cmd.kind == "assert_trap" and cmd.module is not None)


class TableError(ValueError):
    """A command cannot be expressed in the table (e.g. an unknown value)."""


class _Writer:
    def __init__(self):
        self.buf = bytearray()

    def u8(self, v: int):
        self.buf.append(v & 0xFF)

    def u32(self, v: int):
        self.buf += struct.pack("<I", v & 0xFFFFFFFF)

    def i32(self, v: int):
        self.buf += struct.pack("<i", v)

    def u64(self, v: int):
        self.buf += struct.pack("<Q", v & 0xFFFFFFFFFFFFFFFF)

    def str(self, s: str | None):
        b = (s or "").encode("utf-8", "surrogateescape")
        self.u32(len(b))
        self.buf += b

    def value(self, v):
        if isinstance(v, Value):
            t = _TYPES.get(v.type)
            if t is None:
                raise TableError(f"unsupported value type {v.type}")
            self.u8(t)
            if t in (T_I32, T_F32):
                self.u32(v.bits)
            elif t in (T_I64, T_F64):
                self.u64(v.bits)
            else:
                b = bytes(v.bits)
                if len(b) != 16:
                    raise TableError("v128 value must be 16 bytes")
                self.buf += b
        elif isinstance(v, RefNull):
            self.u8(T_FUNCREF if v.heap == "func" else T_EXTERNREF)
            self.u8(1)
            self.u64(0)
        elif isinstance(v, RefExtern) and v.value is not None:
            self.u8(T_EXTERNREF)
            self.u8(0)
            self.u64(v.value)
        else:
            raise TableError(f"unsupported value {v!r}")

    def expected(self, e):
        if isinstance(e, (Value, RefNull)) or (isinstance(e, RefExtern) and e.value is not None):
            self.u8(E_VALUE)
            self.value(e)
        elif isinstance(e, RefExtern):
            self.u8(E_REF_EXTERN_ANY)
        elif isinstance(e, RefFunc):
            self.u8(E_REF_FUNC)
        elif isinstance(e, NanPattern):
            self.u8(E_NAN)
            self.u8(_TYPES[e.type])
            self.u8(_NAN[e.kind])
        elif isinstance(e, V128Pattern):
            is64 = e.shape == "f64x2"
            self.u8(E_V128_LANES)
            self.u8(T_F64 if is64 else T_F32)
            for lane in e.lanes:
                if isinstance(lane, NanPattern):
                    self.u8(_NAN[lane.kind])
                    (self.u64 if is64 else self.u32)(0)
                else:
                    self.u8(LANE_EXACT)
                    (self.u64 if is64 else self.u32)(lane)
        elif isinstance(e, Either):
            self.u8(E_EITHER)
            self.u32(len(e.options))
            for o in e.options:
                self.expected(o)
        else:
            raise TableError(f"unsupported expected result {e!r}")

    def action(self, a):
        if isinstance(a, Invoke):
            self.u8(0)
            self.str(a.module)
            self.str(a.field)
            self.u32(len(a.args))
            for v in a.args:
                self.value(v)
        elif isinstance(a, Get):
            self.u8(1)
            self.str(a.module)
            self.str(a.field)
        else:
            raise TableError(f"unsupported action {a!r}")


def build_table(commands: Iterable, module_index: Mapping[int, int | None], n_modules: int) -> bytes:
    """The blob for ``commands`` (parsed script commands; those the driver
    does not execute are left out).  ``module_index`` maps ``id(cmd)`` of
    each module-carrying command to its descriptor index, or None if that
    module did not compile."""
    body = _Writer()
    n = 0
    for cmd in commands:
        if cmd.kind not in EXEC_KINDS:
            continue
        w = _Writer()
        k = cmd.kind
        if isinstance(cmd, ModuleCommand):
            w.u8(OP_MODULE)
            w.u32(cmd.line)
            w.i32(_index(module_index, cmd))
            w.str(cmd.name)
        elif isinstance(cmd, Register):
            w.u8(OP_REGISTER)
            w.u32(cmd.line)
            w.str(cmd.as_name)
            w.str(cmd.module)
        elif isinstance(cmd, ActionCommand):
            w.u8(OP_ACTION)
            w.u32(cmd.line)
            w.action(cmd.action)
        elif isinstance(cmd, AssertReturn):
            w.u8(OP_ASSERT_RETURN)
            w.u32(cmd.line)
            w.action(cmd.action)
            w.u32(len(cmd.expected))
            for e in cmd.expected:
                w.expected(e)
        elif isinstance(cmd, AssertTrap) and cmd.module is None:
            w.u8(OP_ASSERT_TRAP)
            w.u32(cmd.line)
            w.action(cmd.action)
            w.str(cmd.message)
        elif isinstance(cmd, AssertExhaustion):
            w.u8(OP_ASSERT_EXHAUSTION)
            w.u32(cmd.line)
            w.action(cmd.action)
            w.str(cmd.message)
        elif isinstance(cmd, (AssertTrap, AssertUnlinkable, AssertUninstantiable)):
            op = {"assert_trap": OP_ASSERT_TRAP_MODULE, "assert_unlinkable": OP_ASSERT_UNLINKABLE,
                  "assert_uninstantiable": OP_ASSERT_UNINSTANTIABLE}[k]
            w.u8(op)
            w.u32(cmd.line)
            w.i32(_index(module_index, cmd))
            w.str(cmd.message)
        else:
            raise TableError(f"unsupported command {k}")
        body.buf += w.buf
        n += 1
    return struct.pack("<IIII", MAGIC, VERSION, n, n_modules) + bytes(body.buf)


def _index(module_index: Mapping[int, int | None], cmd) -> int:
    i = module_index.get(id(cmd))
    return -1 if i is None else i


# ------------------------------------------------------------ the object

def table_object(blob: bytes, n_modules: int, target: str = "x86_64-linux",
                 compiled: Iterable[int] | None = None) -> bytes:
    """An ELF object defining ``wasmaot_spec_table`` (the blob),
    ``wasmaot_spec_table_size``, ``wasmaot_spec_modules`` (pointers to
    ``m<i>_module`` for i < n_modules; NULL for indices not in ``compiled``,
    so a module that failed to compile needs no symbol) and
    ``wasmaot_spec_n_modules``.  Emitted with llvmlite."""
    import llvmlite.ir as ir

    from ..backends.helper_objects import emit_llvm_object, helper_module

    compiled = set(range(n_modules) if compiled is None else compiled)
    mod = helper_module("wasmaot_spec_table", target)
    i8, i32 = ir.IntType(8), ir.IntType(32)
    ptr = ir.PointerType(i8)

    def define(name, ty, init):
        g = ir.GlobalVariable(mod, ty, name)
        g.global_constant = True
        g.initializer = init      # default linkage: an external definition
        return g

    arr = ir.ArrayType(i8, len(blob))
    define("wasmaot_spec_table", arr, ir.Constant(arr, bytearray(blob)))
    define("wasmaot_spec_table_size", i32, ir.Constant(i32, len(blob)))
    define("wasmaot_spec_n_modules", i32, ir.Constant(i32, n_modules))
    descs = []
    for i in range(n_modules):
        if i in compiled:
            g = ir.GlobalVariable(mod, i8, f"m{i}_module")   # opaque: only its address is used
            g.global_constant = True
            descs.append(g.bitcast(ptr))
        else:
            descs.append(ir.Constant(ptr, None))
    parr = ir.ArrayType(ptr, max(n_modules, 1))
    if not descs:
        descs = [ir.Constant(ptr, None)]
    define("wasmaot_spec_modules", parr, ir.Constant(parr, descs))
    return emit_llvm_object(str(mod), target)


def decode_table(blob: bytes) -> list[tuple[int, int]]:
    """(op, line) of every command in a blob: a structural check for tests
    and debugging (does not decode operands beyond what is needed to skip)."""
    magic, version, n, _ = struct.unpack_from("<IIII", blob, 0)
    if magic != MAGIC or version != VERSION:
        raise TableError("bad magic or version")
    p = 16
    out = []

    def s():
        nonlocal p
        (ln,) = struct.unpack_from("<I", blob, p)
        p += 4 + ln

    def val():
        nonlocal p
        t = blob[p]
        p += 1
        p += {T_I32: 4, T_F32: 4, T_I64: 8, T_F64: 8, T_V128: 16, T_FUNCREF: 9, T_EXTERNREF: 9}[t]

    def exp():
        nonlocal p
        k = blob[p]
        p += 1
        if k == E_VALUE:
            val()
        elif k == E_NAN:
            p += 2
        elif k == E_V128_LANES:
            lt = blob[p]
            p += 1
            p += 2 * 9 if lt == T_F64 else 4 * 5
        elif k == E_EITHER:
            (cnt,) = struct.unpack_from("<I", blob, p)
            p += 4
            for _ in range(cnt):
                exp()

    def action():
        nonlocal p
        kind = blob[p]
        p += 1
        s()
        s()
        if kind == 0:
            (na,) = struct.unpack_from("<I", blob, p)
            p += 4
            for _ in range(na):
                val()

    for _ in range(n):
        op = blob[p]
        (line,) = struct.unpack_from("<I", blob, p + 1)
        p += 5
        if op == OP_MODULE:
            p += 4
            s()
        elif op == OP_REGISTER:
            s()
            s()
        elif op == OP_ACTION:
            action()
        elif op == OP_ASSERT_RETURN:
            action()
            (ne,) = struct.unpack_from("<I", blob, p)
            p += 4
            for _ in range(ne):
                exp()
        elif op in (OP_ASSERT_TRAP, OP_ASSERT_EXHAUSTION):
            action()
            s()
        elif op in (OP_ASSERT_TRAP_MODULE, OP_ASSERT_UNLINKABLE, OP_ASSERT_UNINSTANTIABLE):
            p += 4
            s()
        else:
            raise TableError(f"bad op {op} at {p - 5}")
        out.append((op, line))
    if p != len(blob):
        raise TableError("trailing bytes")
    return out
