"""The reference side of the differential fuzzer: a module run by wasmtime.

Driven through wasmtime-py's raw C API bindings (``wasmtime._ffi``) rather
than ``Func.__call__``: the high-level API has no v128 and converts floats
through Python ``float`` (which quiets signalling NaNs); the raw
``wasmtime_val_t`` union carries every argument and result bit-exactly.

wasmtime-py's type API (``Module.exports``, ``ValType``) aborts the process on
v128 types, so the export list and its types come from our own decoder
(:func:`exports_of`); only instances and values go through wasmtime.

The output is a list of lines in exactly the format of our C driver
(``driver/diff_driver.c``), so the two can be compared line by line; traps
are spelled by our trap names (``ir.trapcodes.TrapCode``), see
:data:`TRAP_NAMES`.
"""
from __future__ import annotations

import ctypes
import zlib
from dataclasses import dataclass, field

import wasmtime
from wasmtime import _ffi as ffi

# wasmtime's trap codes -> our TrapCode names.  wasmtime has one code for a
# table index out of range, ours tells table.get/set/... (table_out_of_bounds)
# from call_indirect (undefined_element): the comparison folds ours
# (differential.wasmtime_view).
TRAP_NAMES = {
    wasmtime.TrapCode.STACK_OVERFLOW: "call_stack_exhausted",
    wasmtime.TrapCode.MEMORY_OUT_OF_BOUNDS: "memory_out_of_bounds",
    wasmtime.TrapCode.TABLE_OUT_OF_BOUNDS: "table_out_of_bounds",
    wasmtime.TrapCode.INDIRECT_CALL_TO_NULL: "uninitialized_element",
    wasmtime.TrapCode.BAD_SIGNATURE: "indirect_call_type_mismatch",
    wasmtime.TrapCode.INTEGER_OVERFLOW: "integer_overflow",
    wasmtime.TrapCode.INTEGER_DIVISION_BY_ZERO: "integer_divide_by_zero",
    wasmtime.TrapCode.BAD_CONVERSION_TO_INTEGER: "invalid_conversion",
    wasmtime.TrapCode.UNREACHABLE: "unreachable",
    wasmtime.TrapCode.NULL_REFERENCE: "null_reference",            # throw_ref of a null exnref
    wasmtime.TrapCode.UNCAUGHT_EXCEPTION: "uncaught_exception",
}
#: How wasmtime's C API reports an exception that leaves the called function
#: (or the start function): a trap without a code, or an error, told apart
#: by this text only.
UNCAUGHT = "thrown Wasm exception"

# Value kinds: wasmtime's numbering is ours (WASMAOT_VT_*, wasmaot_host.h).
I32, I64, F32, F64, V128, FUNCREF, EXTERNREF = range(7)
MAX_WASM_STACK = 2 << 20

_engines: dict[bool, wasmtime.Engine] = {}


def engine(canonical_nans: bool = False) -> wasmtime.Engine:
    """One engine per process, made on first use.  Compilation stays on the
    calling thread: Cranelift's parallel compilation uses a process-wide
    thread pool, and a worker forked from a process that had started it
    (pytest, after any test that compiled with wasmtime) waits forever on
    threads it does not have (a CI hang in test_differential_sample).

    ``canonical_nans``: Cranelift's NaN canonicalization, the reference for
    targets whose float instructions always produce the canonical NaN
    (RISC-V).  wasm-smith's canonicalize-nans covers arithmetic but not
    ``f32.demote_f64`` and ``f64.promote_f32``, whose NaN results x86-64
    and AArch64 propagate (as wasmtime here does) and RISC-V makes
    canonical: both are Wasm, and each target is compared with the
    reference that chooses as its hardware does."""
    if canonical_nans not in _engines:
        cfg = wasmtime.Config()
        cfg.parallel_compilation = False
        cfg.max_wasm_stack = MAX_WASM_STACK
        cfg.wasm_threads = False
        # what differential.PROPOSALS can turn on: on for every module (they
        # add instructions and forms; a Wasm 2.0 module means the same)
        cfg.wasm_tail_call = True
        cfg.wasm_memory64 = True
        cfg.wasm_multi_memory = True
        cfg.wasm_wide_arithmetic = True
        cfg.wasm_relaxed_simd = True
        cfg.wasm_relaxed_simd_deterministic = True     # the profile wasmaot implements
        cfg.wasm_exceptions = True
        cfg.wasm_custom_page_sizes = True
        cfg.wasm_gc = False
        cfg.wasm_function_references = False
        cfg.cranelift_nan_canonicalization = canonical_nans
        _engines[canonical_nans] = wasmtime.Engine(cfg)
    return _engines[canonical_nans]


# Wasm value type bytes -> kinds
_KIND_OF_BYTE = {0x7F: I32, 0x7E: I64, 0x7D: F32, 0x7C: F64, 0x7B: V128, 0x70: FUNCREF, 0x6F: EXTERNREF}


@dataclass
class Export:
    name: str
    kind: str                   # func | table | memory | global
    params: list[int] = field(default_factory=list)
    results: list[int] = field(default_factory=list)
    content: int = 0            # global value kind / table element kind


def exports_of(wasm: bytes) -> list[Export]:
    """The module's exports in export order, typed (by our decoder), but for
    the ones the comparison cannot see: tags (an exception's identity is not
    observable from outside) and functions, globals and tables of a type
    the C driver has no value kind for (exnref).  The C driver skips the
    same ones (``driver/diff_driver.c``, ``print_state``)."""
    from wasmaot.frontend.binary import decode_module
    m = decode_module(wasm)
    out = []
    for e in m.exports:
        kind = e.kind.name.lower()
        if kind == "func":
            ft = m.func_type(e.index)
            kinds = [_KIND_OF_BYTE.get(t) for t in (*ft.params, *ft.results)]
            if None not in kinds:
                out.append(Export(e.name, kind, kinds[:len(ft.params)], kinds[len(ft.params):]))
        elif kind == "global":
            content = _KIND_OF_BYTE.get(m.global_types[e.index].type)
            if content is not None:
                out.append(Export(e.name, kind, content=content))
        elif kind == "table":
            content = _KIND_OF_BYTE.get(m.table_types[e.index].elem)
            if content is not None:
                out.append(Export(e.name, kind, content=content))
        elif kind == "memory":
            out.append(Export(e.name, "memory"))
    return out


def fmt_value(kind: int, val) -> str:
    """A wasmtime_val_t (or _valunion) as the C driver prints it."""
    of = val.of
    if kind == I32:
        return f"i32:{of.i32 & 0xFFFFFFFF:08x}"
    if kind == F32:
        return f"f32:{of.i32 & 0xFFFFFFFF:08x}"
    if kind == I64:
        return f"i64:{of.i64 & (1 << 64) - 1:016x}"
    if kind == F64:
        return f"f64:{of.i64 & (1 << 64) - 1:016x}"
    if kind == V128:
        return f"v128:{int.from_bytes(bytes(of.v128), 'little'):032x}"
    if kind == FUNCREF:
        return "funcref:" + ("ref" if of.funcref.store_id else "null")
    return "externref:" + ("ref" if of.externref.store_id else "null")


def _set_arg(dst, kind: int, slots: list[int]) -> None:
    dst.kind = kind
    if kind in (I32, F32):
        dst.of.i32 = ctypes.c_int32(slots[0] & 0xFFFFFFFF).value
    elif kind in (I64, F64):
        dst.of.i64 = ctypes.c_int64(slots[0]).value
    elif kind == V128:
        raw = (slots[0] | slots[1] << 64).to_bytes(16, "little")
        ctypes.memmove(dst.of.v128, raw, 16)
    # refs: only null is ever passed; the zeroed union is null


class Run:
    """One instance in one store; :meth:`call` and :meth:`state` append lines."""

    def __init__(self, wasm: bytes, canonical_nans: bool = False):
        self.lines: list[str] = []
        self.store = wasmtime.Store(engine(canonical_nans))
        self.module = wasmtime.Module(engine(canonical_nans), wasm)
        self.export_list = exports_of(wasm)
        self.instance = None
        try:
            self.instance = wasmtime.Instance(self.store, self.module, [])
        except wasmtime.Trap as t:
            self.lines.append(f"inst trap {self._trap_name(t)}")
            return
        except wasmtime.WasmtimeError as e:
            self.lines.append("inst trap uncaught_exception" if UNCAUGHT in str(e) else "inst fail")
            return
        self.exports = self.instance.exports(self.store)
        self.lines.append("inst ok")
        self.state()

    @staticmethod
    def _trap_name(t: wasmtime.Trap) -> str:
        if t.trap_code is None and UNCAUGHT in t.message:
            return "uncaught_exception"
        return TRAP_NAMES.get(t.trap_code, f"wasmtime:{t.trap_code}")

    def call(self, name: str, params: list[int], results: list[int], slots: list[int]) -> None:
        func = self.exports[name]
        args = (ffi.wasmtime_val_t * max(1, len(params)))()
        k = 0
        for i, kind in enumerate(params):
            n = 2 if kind == V128 else 1
            _set_arg(args[i], kind, slots[k:k + n])
            k += n
        res = (ffi.wasmtime_val_t * max(1, len(results)))()
        trap = ctypes.POINTER(ffi.wasm_trap_t)()
        err = ffi.wasmtime_func_call(self.store._context(), ctypes.byref(func._func), args, len(params),
                                     res, len(results), ctypes.byref(trap))
        if err:
            raise wasmtime.WasmtimeError._from_ptr(err)
        if trap:
            self.lines.append(f"trap {self._trap_name(wasmtime.Trap._from_ptr(trap))}")
        else:
            self.lines.append(" ".join(["ret", *(fmt_value(kind, res[i]) for i, kind in enumerate(results))]))
            for i, kind in enumerate(results):
                if kind in (FUNCREF, EXTERNREF):
                    ffi.wasmtime_val_unroot(ctypes.byref(res[i]))
        self.state()

    def state(self) -> None:
        parts = ["state"]
        for exp in self.export_list:
            if exp.kind != "func":
                parts.append(f"{exp.name.encode().hex()}={self._state_of(exp, self.exports[exp.name])}")
        self.lines.append(" ".join(parts))

    def _state_of(self, exp: Export, ext) -> str:
        ctx = self.store._context()
        if exp.kind == "global":
            val = ffi.wasmtime_val_t()
            ffi.wasmtime_global_get(ctx, ctypes.byref(ext._global), ctypes.byref(val))
            text = fmt_value(exp.content, val)
            if exp.content in (FUNCREF, EXTERNREF):
                ffi.wasmtime_val_unroot(ctypes.byref(val))
            return text
        if exp.kind == "memory":
            mem = ctypes.byref(ext._memory)
            size = ffi.wasmtime_memory_data_size(ctx, mem)
            data = ctypes.string_at(ffi.wasmtime_memory_data(ctx, mem), size) if size else b""
            return f"mem:{ffi.wasmtime_memory_size(ctx, mem)}:{zlib.crc32(data):08x}"
        return self._table_state(ctx, exp, ext)

    def _table_state(self, ctx, exp: Export, ext) -> str:
        tab = ctypes.byref(ext._table)
        size = ffi.wasmtime_table_size(ctx, tab)
        funcs = exp.content == FUNCREF
        live = bytearray(size)
        val = ffi.wasmtime_val_t()
        for i in range(size):
            ffi.wasmtime_table_get(ctx, tab, i, ctypes.byref(val))
            live[i] = bool(val.of.funcref.store_id if funcs else val.of.externref.store_id)
            if not funcs:
                ffi.wasmtime_val_unroot(ctypes.byref(val))
        return f"table:{size}:{zlib.crc32(bytes(live)):08x}"


def run(wasm: bytes, plan, canonical_nans: bool = False) -> list[str]:
    """Lines of the reference run of ``plan`` (differential.Call items);
    ``canonical_nans``: see :func:`engine`."""
    r = Run(wasm, canonical_nans)
    if r.instance is None:
        return r.lines
    for c in plan:
        r.call(c.name, c.params, c.results, c.slots)
    return r.lines
