"""THE trap and bounds policy of the LLVM emitter (keep this file small).

Every check generated code makes lives here, so the policy can be reviewed in
one place.  Each check branches to the function's shared cold block for its
trap code (``FuncEmitter.trap_if``), which calls the runtime's noreturn
``wasmaot_trap(code)``; the fast path falls through.

Policy, in Wasm spec terms:

* integer division: ``div_s``/``div_u``/``rem_s``/``rem_u`` by zero trap
  ``integer divide by zero``; ``div_s(INT_MIN, -1)`` traps ``integer
  overflow``; ``rem_s(INT_MIN, -1)`` is 0 (no trap) -- computed as
  ``srem(x, y == -1 ? 1 : y)`` because LLVM's ``srem`` is UB there.
* trapping float->int truncation: NaN traps ``invalid conversion to
  integer``; a value whose truncation does not fit traps ``integer
  overflow``.  The range test uses exact float bounds (below); after it,
  ``fptosi``/``fptoui`` cannot produce poison.
* linear memory, EXPLICIT mode: an access of W bytes at ``i`` (u32) with
  static offset ``o`` traps iff ``zext64(i) + o + W > size_bytes`` -- 64-bit
  arithmetic, so nothing wraps.  ``size_bytes`` is reloaded for every access
  (LLVM's GVN merges reloads that no call or grow separates; TBAA tells it
  linear-memory stores do not change it).  Accesses the IR marks ``notrap``
  get no check.  GUARD mode: no check at all (the 8 GiB reservation faults),
  so the access itself must survive LLVM: see "Guard-mode keeps" below.
* memory64 (a 64-bit memory, i64 addresses): EVERY access not marked
  ``notrap`` is checked explicitly, in both modes (:func:`memory_check64`:
  ``size_bytes < o + W`` or ``i > size_bytes - (o + W)``, no 64-bit sum
  that could wrap).  GUARD mode's reservation covers a u32 index plus a
  u32 offset from the base; a u64 index can point anywhere, so the fault
  cannot be the check there.  Nothing else changes: the access itself is
  emitted as in the mode (guard keeps included), so a 64-bit memory costs
  one compare per access in guard mode.  Bulk operations with u64
  operands: generated code traps ``out of bounds memory access`` when an
  address or length does not fit in 32 bits (a memory never exceeds 4 GiB
  here: the runtime's page counts are u32, ``WASMAOT_MAX_PAGES``), then
  calls the 32-bit runtime function.
* custom-page-sizes: a memory of 1-byte pages may end inside a host page,
  where GUARD mode's reservation cannot fault, so its accesses not marked
  ``notrap`` are checked explicitly in GUARD mode too, exactly as in
  EXPLICIT mode (:func:`access_needs_check`, one compare per access: the
  simple and correct choice; such memories are small, for firmware).  Its
  reservation is an ordinary GUARD one (``base`` never moves) and the
  guard keeps stay.  memory.size/grow count in the memory's pages (the
  runtime's ``page_size_log2``); bounds, bulk ones included, are in bytes
  (``size_bytes``), so nothing else changes.
* per memory (multi-memory): every access, ``bounds_check`` and bulk op
  names its memory (the IR ``mem`` immediate); ``size_bytes`` and ``base``
  are that memory's own ``wasmaot_memory`` fields, and in GUARD mode each
  defined memory has its own reservation, so no memory's accesses can reach
  another's pages.
* ``bounds_check memN A+E`` traps iff ``zext64(A) + E > size_bytes`` in
  BOTH modes: it is an explicit IR instruction whose trap point matters
  (accesses after it may be ``notrap`` and side effects may sit between).
* tables: ``table.get/set/fill/copy/init`` are checked by the runtime
  functions we call.  ``call_indirect`` checks, in spec order: index >=
  size -> ``undefined element``; null entry -> ``uninitialized element``;
  type id differs from the expected canonical id -> ``indirect call type
  mismatch``.  A table nothing can write after instantiation
  (ir/analysis/tables.py) is a compile-time constant: the call indexes a
  constant array of the entries of the expected signature instead (same
  traps, same order; :func:`_constant_table_call`); a table whose maximum
  equals its minimum has a constant size.
* 32-bit targets: the same compare in i32 (:func:`memory_check32`); a
  memory's declared limits make it cheaper (a constant for a memory that
  cannot grow; no select when its minimum covers the access).
* stack: with ``stack_check`` on, a function that makes Wasm calls compares
  the stack pointer (``llvm.stacksave`` in the entry block, after the static
  frame is allocated) with ``wasmaot_stack_limit`` and traps ``call stack
  exhausted`` if below.  Leaf functions (no ``call``/``call_indirect``) skip
  the check: they add one bounded frame on top of a checked caller, which the
  runtime's WASMAOT_STACK_RESERVE (>= 16 KiB) absorbs, and frames larger than
  a page are probed (``"probe-stack"="inline-asm"``), so a huge leaf frame
  hits the guard page, which the runtime also reports as stack exhaustion.
"""
from __future__ import annotations

from ...ir.types import F32, F64, I32
from .. import abi
from ..abi import TrapCode
from .common import MD_COLD, TBAA_INST, TBAA_TABLE

# IR trap codes are the runtime's wasmaot_trap_code (ir/trapcodes.py): they
# go to wasmaot_trap(code) and into trap-block labels unchanged.
MEMORY_OOB = int(TrapCode.memory_out_of_bounds)
DIVZ = int(TrapCode.integer_divide_by_zero)
OVF = int(TrapCode.integer_overflow)
BAD_TOINT = int(TrapCode.invalid_conversion)
STACK = int(TrapCode.call_stack_exhausted)


# ---- integer division ----------------------------------------------------------

def divide(fe, op: str, ty: str, a: str, b: str, res: str) -> None:
    """``op`` is one of sdiv/udiv/srem/urem on LLVM type ``ty``."""
    bits = 32 if ty == "i32" else 64
    z = fe.tmp("dz")
    fe.emit(f"{z} = icmp eq {ty} {b}, 0")
    fe.trap_if(z, DIVZ)
    if op == "sdiv":
        m1 = fe.tmp("m1")
        mn = fe.tmp("mn")
        both = fe.tmp("ov")
        fe.emit(f"{m1} = icmp eq {ty} {b}, -1")
        fe.emit(f"{mn} = icmp eq {ty} {a}, {-(1 << (bits - 1))}")
        fe.emit(f"{both} = and i1 {m1}, {mn}")
        fe.trap_if(both, OVF)
    elif op == "srem":
        # x rem_s -1 == 0 for every x; avoid LLVM's UB for INT_MIN srem -1.
        m1 = fe.tmp("m1")
        safe = fe.tmp("sb")
        fe.emit(f"{m1} = icmp eq {ty} {b}, -1")
        fe.emit(f"{safe} = select i1 {m1}, {ty} 1, {ty} {b}")
        b = safe
    fe.emit(f"{res} = {op} {ty} {a}, {b}")


# ---- float -> int truncation ---------------------------------------------------

def _fhex(x: float) -> str:
    import struct
    return f"0x{struct.unpack('<Q', struct.pack('<d', x))[0]:016X}"


def _trunc_bounds(src: int, dst: int, signed: bool) -> tuple[str, float, float]:
    """``(lower_cmp, lo, hi)``: the conversion is in range iff
    ``x lower_cmp lo and x < hi`` (ordered compares: false on NaN).

    hi is 2^(N-1) (signed) or 2^N (unsigned), exact in every float type.
    lo: unsigned -> ``x > -1`` (trunc(-0.99) = 0 is fine).  Signed -> ``x >
    -2^(N-1) - 1`` when that bound is exact in the source type (i32 from
    f64), else ``x >= -2^(N-1)`` (no float lies strictly between the two).
    """
    n = 32 if dst == I32 else 64
    if not signed:
        return "ogt", -1.0, float(2 ** n)
    lo = -(2.0 ** (n - 1))
    if src == F64 and n == 32:
        return "ogt", lo - 1.0, -lo
    return "oge", lo, -lo


def trunc_checked(fe, signed: bool, src: int, dst: int, x: str, res: str) -> None:
    fty = "float" if src == F32 else "double"
    ity = "i32" if dst == I32 else "i64"
    nan = fe.tmp("nan")
    fe.emit(f"{nan} = fcmp uno {fty} {x}, {x}")
    fe.trap_if(nan, BAD_TOINT)
    cmp, lo, hi = _trunc_bounds(src, dst, signed)
    c1, c2, ok, bad = fe.tmp("lo"), fe.tmp("hi"), fe.tmp("in"), fe.tmp("out")
    fe.emit(f"{c1} = fcmp {cmp} {fty} {x}, {_fhex(lo)}")
    fe.emit(f"{c2} = fcmp olt {fty} {x}, {_fhex(hi)}")
    fe.emit(f"{ok} = and i1 {c1}, {c2}")
    fe.emit(f"{bad} = xor i1 {ok}, true")
    fe.trap_if(bad, OVF)
    fe.emit(f"{res} = {'fptosi' if signed else 'fptoui'} {fty} {x} to {ity}")


# ---- linear memory ----------------------------------------------------------------

#: Guard mode's fault is the check only for memories whose size is always a
#: whole number of host pages: 65536-byte Wasm pages are (host pages are
#: 4-64 KiB on every target); 1-byte pages are not.
GUARD_PAGE_LOG2 = 16


def memory_check(fe, memptr: str, idx64: str, end: int, fixed_bytes: int | None = None) -> None:
    """Trap unless ``idx64 + end <= size_bytes`` (``end`` = offset + width,
    < 2^33, so the 64-bit sum cannot wrap).  ``fixed_bytes``: the size of a
    memory that cannot grow (:func:`.memory.size_facts`), a constant."""
    fe.trap_if(oob(fe, memptr, idx64, end, fixed_bytes), MEMORY_OOB)


def oob(fe, memptr: str, idx64: str, end: int, fixed_bytes: int | None = None) -> str:
    """The i1 ``idx64 + end > size_bytes`` of :func:`memory_check`."""
    if fixed_bytes is None:
        size = fe.load("i64", fe.gep(memptr, abi.memory(fe.mc.ptr_bytes).size_bytes), TBAA_INST, hint="sz")
    else:
        size = str(fixed_bytes)
    last = fe.tmp("end")
    fe.emit(f"{last} = add nuw i64 {idx64}, {end}")
    bad = fe.tmp("oob")
    fe.emit(f"{bad} = icmp ugt i64 {last}, {size}")
    return bad


def memory_check32(fe, memptr: str, idx32: str, end: int, min_bytes: int = 0,
                   fixed_bytes: int | None = None) -> None:
    """32-bit targets: trap unless ``idx32 + end <= size_bytes`` with one
    i32 compare per access: ``idx32 >= lim`` where ``lim = size - end + 1``
    if ``size >= end``, else 0 (every index traps).  ``lim`` depends only on
    the size, so LLVM hoists it out of loops; ``1 <= end < 2^31`` and a
    memory of a 32-bit target is below 4 GiB, so ``lim`` fits in 32 bits.

    What the caller knows of the memory (:func:`.memory.size_facts`) makes
    it cheaper: ``fixed_bytes`` (a memory that cannot grow) makes ``lim`` a
    constant; ``min_bytes`` (its declared minimum: a memory never shrinks)
    ``>= end`` proves ``size >= end``, so ``lim = size - (end - 1)`` needs
    no select.  Either way the size is read as its low 32-bit word (below
    4 GiB, little-endian targets), not as a pair of registers."""
    fe.trap_if(oob32(fe, memptr, idx32, end, min_bytes, fixed_bytes), MEMORY_OOB)


def oob32(fe, memptr: str, idx32: str, end: int, min_bytes: int = 0,
          fixed_bytes: int | None = None) -> str:
    """The i1 ``idx32 + end > size_bytes`` of :func:`memory_check32`."""
    bad = fe.tmp("oob")
    if fixed_bytes is not None:
        lim = fixed_bytes - end + 1 if fixed_bytes >= end else 0
        fe.emit(f"{bad} = icmp uge i32 {idx32}, {lim}")
        return bad
    size = _size_low32(fe, memptr)
    lim = fe.tmp("lim")
    if min_bytes >= end:
        fe.emit(f"{lim} = sub nuw i32 {size}, {end - 1}")
    else:
        fits, room = fe.tmp("fits"), fe.tmp("room")
        fe.emit(f"{fits} = icmp uge i32 {size}, {end}")
        fe.emit(f"{room} = sub i32 {size}, {end - 1}")
        fe.emit(f"{lim} = select i1 {fits}, i32 {room}, i32 0")
    fe.emit(f"{bad} = icmp uge i32 {idx32}, {lim}")
    return bad


def _little_endian(arch: str) -> bool:
    """The 32-bit architectures (targets' ``arch``: thumbv7m, riscv32, ...)
    are little-endian unless their name says ``eb`` (none is)."""
    return arch.startswith(("thumb", "arm", "riscv")) and not arch.endswith("eb")


def _size_low32(fe, memptr: str) -> str:
    """``size_bytes`` of a 32-bit target's memory (u64, always below 4 GiB
    there) as an i32: its low word where that is the first one."""
    field = fe.gep(memptr, abi.memory(fe.mc.ptr_bytes).size_bytes)
    if _little_endian(fe.mc.target.arch):
        return fe.load("i32", field, TBAA_INST, align=4, hint="sz")
    size = fe.load("i64", field, TBAA_INST, hint="sz")
    t = fe.tmp("sz")
    fe.emit(f"{t} = trunc i64 {size} to i32")
    return t


def access_needs_check(fe, notrap: bool, page_size_log2: int = 16) -> bool:
    """Loads/stores of a 32-bit memory: explicit mode checks unless the IR
    proved the access; guard mode checks only a memory of 1-byte pages
    (module docstring)."""
    if notrap:
        return False
    return not fe.mc.guard or page_size_log2 < GUARD_PAGE_LOG2


def memory_check64(fe, memptr: str, idx64: str, end: int) -> None:
    """memory64: trap unless ``idx64 + end <= size_bytes`` for a u64 index
    and an ``end`` (offset + width) up to 2^64 + 16: ``size < end`` or
    ``idx > size - end``, so nothing wraps.  Both bounds modes (module
    docstring)."""
    fe.trap_if(oob64(fe, memptr, idx64, end), MEMORY_OOB)


def oob64(fe, memptr: str, idx64: str, end: int) -> str:
    """The i1 ``idx64 + end > size_bytes`` of :func:`memory_check64`."""
    if end >= 1 << 64:
        return "true"
    size = fe.load("i64", fe.gep(memptr, abi.memory(fe.mc.ptr_bytes).size_bytes), TBAA_INST, hint="sz")
    small, room, past, bad = (fe.tmp(h) for h in ("small", "room", "past", "oob"))
    fe.emit(f"{small} = icmp ult i64 {size}, {end}")
    fe.emit(f"{room} = sub i64 {size}, {end}")
    fe.emit(f"{past} = icmp ugt i64 {idx64}, {room}")
    fe.emit(f"{bad} = or i1 {small}, {past}")
    return bad


def access64_needs_check(fe, notrap: bool) -> bool:
    """memory64 loads/stores: checked in BOTH modes unless the IR proved the
    access (the guard reservation only covers a u32 index + offset)."""
    return not notrap


# ---- linear memory, GUARD mode: the fault is the check ----------------------------
#
# In guard mode an out-of-bounds load traps only if the machine really
# executes it, all of it.  LLVM deletes a load whose value it proves unused --
# after folding, which happens long after we emit (``x * 0``, ``x - x``,
# ``x == x``, an ``if``/``select``/``br_table`` whose ways all lead to one
# place, a store that a later store overwrites, a callee that ignores its
# argument ...) --, narrows a load to the bytes that are used (one lane of a
# ``v128.load``), and may sink a load into the one path that uses it (a
# ``select`` turned into a branch).  Each loses a trap Wasm requires.
#
# Guard-mode keeps.  Every guard-mode load that may fault is kept one of two
# ways, the target's ``guard_keep``:
#
# * "asm" (AArch64, RISC-V): the load hands its whole value to an empty
#   ``asm sideeffect`` right after it (wasm2c's FORCE_READ): LLVM can
#   neither delete the asm nor move it, so the full load happens before it
#   on every path.
# * "volatile" (x86-64): the load is ``load volatile``, right after an
#   empty ``asm sideeffect`` with no operands (GUARD_FENCE).  LLVM may not
#   delete, narrow, duplicate, sink or speculate a volatile access, so the
#   whole load happens on every path.  Volatile alone lets LLVM keep memory
#   in registers across the load (alias analysis still answers by
#   address: LICM kept a Wasm global updated in a loop in a register, and
#   the trap found it stale, order_gaps.wast's ``loop_global``); the fence
#   ahead of it is the barrier the asm keep was.  What the keep took away
#   and this gives back: x86-64's instruction selection folds the load
#   into the instruction that uses it (``cmp``/``add``/``and`` from
#   memory), where the keep's register operand forced a separate ``mov``.
#   Measured (x86-64-v2, executed instructions, against the asm keep;
#   benchmarks/README.md): brotli -6.2%, SQLite -2.5%, Lua -3.7%; kernels
#   ``indirect`` -9%, ``wordfreq`` -5%, ``strings`` -4%, ``hashmap`` +2%,
#   geomean -0.8%.  Time on this shared machine could not resolve it.
#   AArch64 and RISC-V fold nothing into a load (load/store
#   architectures): on AArch64 the same change cost brotli +1.1% and Lua
#   +0.7%, so they keep the asm.
#
# Either asm (the keep, the fence) has no memory attributes (as clang gives
# ``asm volatile``): LLVM must assume it may read and write any memory, so
# no store moves across it
# and nothing is kept in a register across it (LICM would otherwise keep a
# global updated in a loop in a register and lose its last values at the
# trap).  ``memory(read)`` would let loads move across it, but LLVM's -O0
# code generator then dropped keeps; ``inaccessiblemem`` was no faster and
# lets a store move across it.
# It emits no instruction; the cost is what LLVM may no longer do around it
# -- above all, vectorize a loop that contains it.  Measured on the quick
# bench (-O2, 22 workloads, geomean): instructions executed +31% (valgrind;
# EXPLICIT mode: +53%), time / native 1.16x -> 1.26x (EXPLICIT 1.28-1.32x on
# a loaded machine); the loop kernels that LLVM vectorized pay most (gemm,
# 2mm, jacobi-2d, heat-3d, nussinov: 1.5-2x).  Keeping the values in a
# global accumulator instead (vectorizable) executed more (+47%) and still
# lost stores at the trap.  Loads the IR proved in bounds (``notrap``) get
# none, so a stronger trapelim is what would buy the speed back; guard mode
# runs ``loopversion`` for that (a counted loop's copy with its covered
# loads notrap, entered when a test shows every visit in bounds).
#
# Order of memory effects around the trap: Wasm does every store before the
# faulting access and none after it.  Guard mode guarantees the TRAP (every
# faulting access still faults: a load is kept, and LLVM only moves a store
# where it would execute anyway), not the exact STATE at the trap: LLVM
# assumes stores cannot fault, so it may merge, drop (DSE), hoist or sink
# them (LICM: a loop-invariant store hoisted out of a loop, a global kept
# in a register and stored at the loop's exits) and move them across
# independent accesses.  wasm2c's guard mode has the same contract; keeping
# every store in place would cost a barrier per store and the vectorization
# of every loop that stores.  Nothing in a wasmaot executable can observe
# the difference: a trap ends the program (a component's trap poisons its
# instance), and output already written went through calls, which no store
# crosses.  A host that keeps using an instance after a trap and needs the
# exact state (the spec-test and fuzzing drivers) uses --bounds explicit,
# which is exact.  Two cheap narrowings are on (codegen_options): no store
# merging, and (AArch64, RISC-V) no alias analysis in the scheduler, so
# the common cases (narrow stores at the memory's end, a global stored just
# before a faulting load) are exact; tests/backends/guard_traps/order_gaps.wast
# lists the cases that are not.

def codegen_options(target, bounds: str) -> tuple[str, ...]:
    """LLVM options (process-global; every partition sets them again) that
    narrow guard mode's inexact state at a trap (above), each set the
    other way in explicit mode so a worker that compiles both never keeps
    the wrong one:

    - ``combiner-store-merging``: the DAG combiner merges adjacent narrow
      stores into one wide store, which then faults as a whole, so the
      in-bounds bytes before the memory's end are not written (Wasm writes
      them, then traps).  Off in guard mode.  Cost: little for Wasm code,
      whose producer (LLVM's wasm backend) already merged what it could.
    - Target.codegen_aa_option (AArch64, RISC-V): alias analysis in the
      scheduler moves a faulting load above an earlier store it proves
      independent (a Wasm global).  Off in guard mode.
    """
    guard = bounds == "guard"
    opts = [f"-combiner-store-merging={'false' if guard else 'true'}"]
    if target.codegen_aa_option:
        opts.append(f"-{target.codegen_aa_option}={'false' if guard else 'true'}")
    return tuple(opts)


#: Per architecture, the inline-asm register class that holds a float and a
#: 128-bit vector where they already are ("r" would move them to a GPR).
#: None: no such class (RISC-V without V): the vector goes as two i64 halves.
_KEEP_REG = {"x86_64": ("x", "x"), "aarch64": ("w", "w"), "riscv64": ("f", None)}


#: The barrier ahead of a volatile guard-mode load: an empty asm with no
#: memory attributes, so LLVM assumes it reads and writes all memory.
GUARD_FENCE = 'call void asm sideeffect "", ""() nounwind'


def _keeps(fe, notrap: bool, how: str) -> bool:
    """Whether a linear-memory load is kept ``how`` (GUARD_KEEPS): in guard
    mode, unless the IR proved it in bounds, the target's way."""
    return fe.mc.guard and not notrap and fe.mc.target.guard_keep == how


def keeps_volatile(fe, notrap: bool) -> bool:
    """Whether a linear-memory load that ``notrap`` describes is kept the
    "volatile" way (behind a barrier, in order with every memory access):
    the loads that may be addr32 ones (memory._addr32_load), which their
    asm keeps the same way."""
    return _keeps(fe, notrap, "volatile")


def guard_load(fe, notrap: bool) -> str:
    """Before a linear-memory load kept "volatile": emit the barrier ahead
    of it and return the load's qualifier ``" volatile"``; else ``""``."""
    if not _keeps(fe, notrap, "volatile"):
        return ""
    fe.emit(GUARD_FENCE)
    return " volatile"


def guard_keep(fe, notrap: bool, ty: str, val: str) -> None:
    """After a linear-memory load of LLVM type ``ty`` giving ``val``, kept
    "asm": hand the whole value to an empty asm, so the load is
    undeletable."""
    if not _keeps(fe, notrap, "asm"):
        return
    fp_reg, vec_reg = _KEEP_REG.get(fe.mc.target.arch, ("", None))
    if ty.startswith("<") and _vec_bits(ty) == 64:
        val, ty = _cast(fe, ty, val, "double"), "double"  # 8-byte extending loads
    if ty in ("float", "double"):
        if fp_reg:
            return _keep(fe, fp_reg, [(ty, val)])
        ity = "i32" if ty == "float" else "i64"
        return _keep(fe, "r", [(ity, _cast(fe, ty, val, ity))])
    if ty.startswith("<"):
        if vec_reg:
            return _keep(fe, vec_reg, [(ty, val)])
        v = _cast(fe, ty, val, "<2 x i64>")
        halves = []
        for lane in (0, 1):
            h = fe.tmp("kh")
            fe.emit(f"{h} = extractelement <2 x i64> {v}, i64 {lane}")
            halves.append(("i64", h))
        return _keep(fe, "r,r", halves)
    _keep(fe, "r", [(ty, val)])


def _vec_bits(ty: str) -> int:
    n, _, elem = ty.strip("<>").partition(" x ")
    return int(n) * {"float": 32, "double": 64}.get(elem, int(elem.lstrip("i") or 0))


def _cast(fe, ty: str, val: str, to: str) -> str:
    t = fe.tmp("kc")
    fe.emit(f"{t} = bitcast {ty} {val} to {to}")
    return t


def _keep(fe, constraints: str, operands: list[tuple[str, str]]) -> None:
    args = ", ".join(f"{t} {v}" for t, v in operands)
    fe.emit(f'call void asm sideeffect "", "{constraints}"({args}) nounwind')


# ---- call_indirect ------------------------------------------------------------------

def call_indirect_check(fe, tptr: str, idx: str, expected_id: str, table: int | None = None,
                        sig: int | None = None) -> tuple[str, str]:
    """Spec-order checks on a funcref table; returns (func, callee instance).

    With the table's index and the expected signature's (``table``,
    ``sig``): a constant table (:mod:`ir.analysis.tables`) takes
    :func:`_constant_table_call`; a table whose maximum equals its minimum
    cannot change size (an imported one's actual limits lie within the
    declared ones), so its bound is a constant, not a load."""
    if table is not None and sig is not None:
        entries = _constant_tables(fe.mc).get(table)
        if entries:
            return _constant_table_call(fe, table, entries, idx, sig)
    pb = fe.mc.ptr_bytes
    fr = abi.funcref(pb)
    decl = fe.func.module.tables[table] if table is not None else None
    if decl is not None and decl.max is not None and decl.max == decl.min:
        size = str(decl.min)
    else:
        size = fe.load("i32", fe.gep(tptr, abi.table(pb).size), TBAA_INST, align=4, hint="tsz")
    oob = fe.tmp("undef")
    fe.emit(f"{oob} = icmp uge i32 {idx}, {size}")
    fe.trap_if(oob, int(TrapCode.undefined_element))
    elems = fe.load("ptr", fe.gep(tptr, abi.table(pb).elements), TBAA_INST, hint="elems")
    i64 = fe.tmp("ix")
    fe.emit(f"{i64} = zext i32 {idx} to i64")
    byte = fe.tmp("ixb")
    fe.emit(f"{byte} = mul nuw nsw i64 {i64}, {fr.sizeof}")
    e = fe.gep(elems, byte)
    func = fe.load("ptr", fe.gep(e, fr.func), TBAA_TABLE, align=pb, hint="fn")
    null = fe.tmp("uninit")
    fe.emit(f"{null} = icmp eq ptr {func}, null")
    fe.trap_if(null, int(TrapCode.uninitialized_element))
    tid = fe.load("i32", fe.gep(e, fr.type_id), TBAA_TABLE, align=4, hint="tid")
    bad = fe.tmp("badsig")
    fe.emit(f"{bad} = icmp ne i32 {tid}, {expected_id}")
    fe.trap_if(bad, int(TrapCode.indirect_call_type_mismatch))
    callee_inst = fe.load("ptr", fe.gep(e, fr.instance), TBAA_TABLE, align=pb, hint="ci")
    return func, callee_inst


# A constant table's call_indirect: per (table, expected signature) a
# constant array of the C-ABI entries of the entries whose type id would
# equal the expected one (equal canonical signature strings: ids are those
# strings interned), null elsewhere.  The call is: ``idx >= N`` -> undefined
# element; a null from the array -> uninitialized element if the table
# entry is null, else indirect call type mismatch (told apart in the cold
# path, from a second constant array); call with our own instance (every
# entry is a function defined here).  Same traps, same order, as the
# general path; no load from the instance.

def _constant_tables(mc) -> dict:
    ct = mc.__dict__.get("_constant_tables")
    if ct is None:
        from ...ir.analysis.tables import constant_tables
        ct = mc.__dict__["_constant_tables"] = constant_tables(mc.ir)
    return ct


def _sig_string(mc, k: int) -> str:
    from .instance import canonical_sig
    return canonical_sig(mc.layout.types[k])


def _constant_arrays(mc, table: int, entries: tuple, sig: int) -> tuple[str, str, bool, bool]:
    """(per-signature entry array, null-flag array, whether some entry is
    null, whether some non-null entry has another signature)."""
    cache = mc.__dict__.setdefault("_constant_arrays", {})
    want = _sig_string(mc, sig)
    key = (table, want)
    if key not in cache:
        lay, n, p = mc.layout, len(entries), mc.prefix
        match = [fn is not None and _sig_string(mc, lay.func_type[fn]) == want for fn in entries]
        sym = f"@{p}.ctab{table}.s{len(cache)}"
        items = ", ".join(f"ptr @{mc.c_entry(fn)}" if m else "ptr null" for fn, m in zip(entries, match))
        mc.globals_text.append(f"{sym} = private unnamed_addr constant [{n} x ptr] [{items}], "
                               f"align {mc.ptr_bytes}")
        nulls = f"@{p}.ctab{table}.null"
        if not any(k[0] == table for k in cache):
            flags = ", ".join(f"i8 {int(fn is None)}" for fn in entries)
            mc.globals_text.append(f"{nulls} = private unnamed_addr constant [{n} x i8] [{flags}], align 1")
        some_null = None in entries
        some_other = any(fn is not None and not m for fn, m in zip(entries, match))
        cache[key] = (sym, nulls, some_null, some_other)
    return cache[key]


def _constant_table_call(fe, table: int, entries: tuple, idx: str, sig: int) -> tuple[str, str]:
    """One compare when the entries of the expected signature fill one
    range ``[lo, hi)`` of the table (a compiler lays out a signature's
    functions together): ``idx - lo <u hi - lo``, else the cold path
    finds the trap.  Otherwise the general order: ``idx >= N``, then a
    null from the per-signature array."""
    n = len(entries)
    arr, nulls, some_null, some_other = _constant_arrays(fe.mc, table, entries, sig)
    ity = f"i{8 * fe.mc.ptr_bytes}"
    ix = idx
    if ity != "i32":
        ix = fe.tmp("ix")
        fe.emit(f"{ix} = zext i32 {idx} to {ity}")
    span = _matching_span(fe.mc, entries, sig)
    if span is not None and span != (0, n):
        lo, hi = span
        rel, out = fe.tmp("crel"), fe.tmp("cout")
        fe.emit(f"{rel} = sub i32 {idx}, {lo}")
        fe.emit(f"{out} = icmp uge i32 {rel}, {hi - lo}")
        _trap_which(fe, out, nulls, n, (idx, ity, ix), some_null, some_other)
        some_null = some_other = False   # everything in [lo, hi) matches
    else:
        oob = fe.tmp("undef")
        fe.emit(f"{oob} = icmp uge i32 {idx}, {n}")
        fe.trap_if(oob, int(TrapCode.undefined_element))
    slot, func = fe.tmp("cslot"), fe.tmp("fn")
    fe.emit(f"{slot} = getelementptr inbounds [{n} x ptr], ptr {arr}, {ity} 0, {ity} {ix}")
    fe.emit(f"{func} = load ptr, ptr {slot}, align {fe.mc.ptr_bytes}")
    if some_null or some_other:
        bad = fe.tmp("nofn")
        fe.emit(f"{bad} = icmp eq ptr {func}, null")
        if not some_other:
            fe.trap_if(bad, int(TrapCode.uninitialized_element))
        elif not some_null:
            fe.trap_if(bad, int(TrapCode.indirect_call_type_mismatch))
        else:
            _trap_null_or_mismatch(fe, bad, nulls, n, ity, ix)
    return func, "%inst"


def _matching_span(mc, entries: tuple, sig: int) -> tuple[int, int] | None:
    """``(lo, hi)`` when the entries whose signature is ``sig``'s are
    exactly those of ``[lo, hi)`` (at least one); else None."""
    want = _sig_string(mc, sig)
    lay = mc.layout
    hits = [i for i, fn in enumerate(entries)
            if fn is not None and _sig_string(mc, lay.func_type[fn]) == want]
    if not hits or hits[-1] - hits[0] + 1 != len(hits):
        return None
    return hits[0], hits[-1] + 1


def _trap_which(fe, out: str, nulls: str, n: int, index: tuple[str, str, str],
                some_null: bool, some_other: bool) -> None:
    """When ``out`` (the index is outside the matching span): the trap the
    general order gives, in a cold path: ``idx >= N`` undefined element,
    else the entry's null flag says uninitialized element or signature
    mismatch (only the traps some entry can give).  ``index``: the i32
    index, the pointer-sized integer type and the index in it."""
    idx, ity, ix = index
    cold, ok = fe.tmp("cibad")[1:], fe.tmp("ok")[1:]
    fe.emit(f"br i1 {out}, label %{cold}, label %{ok}, !prof {MD_COLD}")
    fe.start_block(cold)
    oob = fe.tmp("undef")
    fe.emit(f"{oob} = icmp uge i32 {idx}, {n}")
    inside = fe.tmp("cin")[1:]
    fe.emit(f"br i1 {oob}, label %{fe.trap_label(int(TrapCode.undefined_element))}, label %{inside}")
    fe.start_block(inside)
    if some_null and some_other:
        _branch_on_null_flag(fe, nulls, n, ity, ix)
    else:
        code = TrapCode.uninitialized_element if some_null else TrapCode.indirect_call_type_mismatch
        fe.trap_now(int(code))
    fe.start_block(ok)


def _trap_null_or_mismatch(fe, bad: str, nulls: str, n: int, ity: str, ix: str) -> None:
    """Cold path of :func:`_constant_table_call` when both traps can happen:
    the null-flag array says which."""
    cold, ok = fe.tmp("cibad")[1:], fe.tmp("ok")[1:]
    fe.emit(f"br i1 {bad}, label %{cold}, label %{ok}, !prof {MD_COLD}")
    fe.start_block(cold)
    _branch_on_null_flag(fe, nulls, n, ity, ix)
    fe.start_block(ok)


def _branch_on_null_flag(fe, nulls: str, n: int, ity: str, ix: str) -> None:
    """Branch to the uninitialized-element trap when entry ``ix``'s flag in
    the null-flag array ``nulls`` is set, else to the signature trap."""
    fp, fv, isnull = fe.tmp("nslot"), fe.tmp("nflag"), fe.tmp("isnull")
    fe.emit(f"{fp} = getelementptr inbounds [{n} x i8], ptr {nulls}, {ity} 0, {ity} {ix}")
    fe.emit(f"{fv} = load i8, ptr {fp}, align 1")
    fe.emit(f"{isnull} = icmp ne i8 {fv}, 0")
    fe.emit(f"br i1 {isnull}, label %{fe.trap_label(int(TrapCode.uninitialized_element))}, "
            f"label %{fe.trap_label(int(TrapCode.indirect_call_type_mismatch))}")


# ---- stack limit ----------------------------------------------------------------------

def _sp_lines(mc, ity: str, sp: str, spi: str) -> list[str]:
    """Lines that leave the stack pointer in ``spi`` (an ``ity``), ``sp``
    a name they may use.  On 32-bit Arm and RISC-V: ``llvm.read_register``
    of ``sp``, which the compare takes directly (``cmp sp, rN``), instead of
    ``llvm.stacksave``, which LLVM copies to a register first (one
    instruction per check); elsewhere ``llvm.stacksave``."""
    if mc.ptr_bytes == 4 and mc.target.arch.startswith(("thumb", "arm", "riscv")):
        rr = mc.intrinsic(f"llvm.read_register.{ity}", ity, "metadata")
        return [f'{spi} = call {ity} {rr}(metadata !{{!"sp"}})']
    ss = mc.intrinsic("llvm.stacksave.p0", "ptr", "")
    return [f"{sp} = call ptr {ss}()", f"{spi} = ptrtoint ptr {sp} to {ity}"]


def stack_check_lines(fe, cont: str) -> list[str]:
    """Prologue lines (end of the entry block, after the allocas) that trap
    when the stack pointer is below ``wasmaot_stack_limit``, else continue
    at label ``cont``."""
    mc = fe.mc
    ity = "i64" if mc.ptr_bytes == 8 else "i32"
    mc.runtime_global("wasmaot_stack_limit", ity)
    fe.trap_codes.add(STACK)
    return [*("  " + x for x in _sp_lines(mc, ity, "%sp", "%sp.i")),
            f"  %sp.lim = load {ity}, ptr @wasmaot_stack_limit, align {mc.ptr_bytes}, !tbaa {TBAA_INST}",
            f"  %sp.low = icmp ult {ity} %sp.i, %sp.lim",
            f"  br i1 %sp.low, label %trap.{STACK}, label %{cont}, !prof {MD_COLD}"]


def stack_check_here(fe) -> None:
    """The same check at the current point of the function being emitted
    (the start of the block :func:`ir.analysis.stackcheck.stack_check_block`
    chose, when that is not the entry block); continues in a fresh block."""
    mc = fe.mc
    ity = "i64" if mc.ptr_bytes == 8 else "i32"
    mc.runtime_global("wasmaot_stack_limit", ity)
    sp, spi, lim, low = fe.tmp("sp"), fe.tmp("spi"), fe.tmp("splim"), fe.tmp("splow")
    for line in _sp_lines(mc, ity, sp, spi):
        fe.emit(line)
    fe.emit(f"{lim} = load {ity}, ptr @wasmaot_stack_limit, align {mc.ptr_bytes}, !tbaa {TBAA_INST}")
    fe.emit(f"{low} = icmp ult {ity} {spi}, {lim}")
    fe.trap_if(low, STACK)


def trap_block_lines(fe, rt: int) -> list[str]:
    trap = fe.mc.runtime("wasmaot_trap", "void", "i32", "noreturn nounwind cold")
    return [f"  call void {trap}(i32 {rt}) #1", "  unreachable"]

