"""Linear memory: loads, stores, bounds_check, size/grow, bulk operations,
data segments.

Addresses: ``base + zext64(index) + offset`` in 64-bit arithmetic (never
wraps).  The GEP is *not* ``inbounds``: in guard mode an out-of-bounds access
must reach the PROT_NONE reservation and fault, and an inbounds GEP would make
such an address poison, i.e. give LLVM license to assume it never happens.

Alignment: every access is emitted ``align 1``.  Wasm alignment is only a
hint (a misaligned access must still work), and the IR has no "proven
aligned" flag; on x86-64 unaligned scalar/SSE accesses cost nothing extra.
(Targets that need aligned accesses would want such a flag; none does yet.)

Memory struct pointer: a defined memory's ``wasmaot_memory`` is inline in the
instance (a constant offset from ``%inst``); an imported one is reached
through its pointer slot, which never changes after instantiation
(``!invariant.load``).  ``base`` is invariant too in GUARD mode (the runtime
never moves a guard reservation), so LLVM may hoist it out of loops even
across calls.  In a firmware image (``CompileOptions.fixed_base``:
baremetal.c grows in place) a function that calls in a loop loads a
defined memory's base once, in the entry block (:func:`_entry_base`).  In EXPLICIT mode
elsewhere it is an ordinary load, redone after every call and
``memory.grow`` because nothing lets LLVM keep it.

Segment-addressed memory (``ModuleContext.segment_mems``,
``Target.memory_segment``): in an executable that we link, one guard-mode
memory of the program, its main one, is addressed through a segment
register whose base the instantiation points at the memory's base
(``wasmaot_memory_segment``: x86-64's %gs, as wasm2c's and WAMR's "Segue").
An access is then ``load ptr addrspace(256) (null + index + offset)``, one
``%gs:off(%reg)`` instruction: no base load, and no register holds the
base (SQLite's shell 2.8% fewer instructions, Lua's 3.1%, brotli's 0.8%;
the kernels' geomean 1.065x -> 1.029x native).
The address is a GEP from the address space's null, not an inttoptr, so
that scalar evolution still sees ``index`` (loop vectorizer, strength
reduction).  The fault of an access out of bounds is at the same linear
address as before (segment base + index + offset), inside the
reservation.  Everything else (bulk operations, the runtime, other
memories) reaches the memory through ``base`` as before; LLVM treats the two
address spaces as possibly aliasing.
A load from that memory at an i32 sum with a memarg offset of 0, not
proven in bounds, may instead compute its address in 32 bits (the addr32
prefix: :mod:`.addr32`), so that the sum needs no ``lea`` first.

Accessors return a typed pointer operand (:func:`effective_ptr`).
"""
from __future__ import annotations

from ...ir.module import EXTERN_MEMORY
from ...ir.opcodes import ImmKind, MemFlags, Opcode
from ...ir.passes._aliasscope import func_scopes
from ...ir.types import I64, bits
from .. import abi
from . import addr32, traps
from .common import LTYPE, MD_COLD, TBAA_INST, TBAA_MEM


def memory_ptr(fe, mem: int) -> str:
    lay = fe.mc.layout
    if mem in lay.mem_struct:
        return fe.inst_field(lay.mem_struct[mem])
    bound = fe.mc.import_object(fe, EXTERN_MEMORY, mem)
    if bound is not None:
        return bound
    return fe.load("ptr", fe.inst_field(lay.mem_slot[mem]), TBAA_INST, invariant=True, hint="mem")


def memory_base(fe, memptr: str, mem: int | None = None) -> str:
    lay = fe.mc.layout
    if fe.mc.opts.fixed_base and not fe.mc.guard and mem in lay.mem_struct and _calls(fe):
        return _entry_base(fe, mem)
    base = fe.gep(memptr, abi.memory(fe.mc.ptr_bytes).base)
    return fe.load("ptr", base, TBAA_INST, invariant=fe.mc.guard, hint="base")


def _calls(fe) -> bool:
    """Whether the function being emitted calls inside a loop: only then
    does a base reloaded after each call cost per iteration (otherwise
    LLVM hoists the load, and an entry-block value only adds a live range:
    gemm +0.04% on cortex-m4f).  Loops: natural loops of back edges."""
    c = fe.__dict__.get("_calls")
    if c is None:
        c = fe.__dict__["_calls"] = _call_in_loop(fe.func)
    return c


def _call_in_loop(func) -> bool:
    from ...ir.cfg import ControlFlowGraph, DominatorTree
    dfg, lay = func.dfg, func.layout
    calls = {int(b) for b in lay.blocks() if any(dfg.inst_info(i).is_call for i in lay.insts(b))}
    if not calls:
        return False
    cfg = ControlFlowGraph(func)
    dt = DominatorTree(func, cfg)
    for x in lay.blocks():
        for h in cfg.succs[x]:
            if not dt.dominates(h, x):
                continue
            body, stack = {h}, [int(x)]      # the loop of back edge x -> h
            while stack:
                b = stack.pop()
                if b not in body:
                    body.add(b)
                    stack.extend(p for p, _ in cfg.preds[b])
            if body & calls:
                return True
    return False


def _entry_base(fe, mem: int) -> str:
    """A firmware image's (``fixed_base``) defined memory ``mem``, in a
    function that calls in a loop: its base loaded once, in the entry block, an
    ordinary load.  Not an
    ``!invariant.load`` at each access: LLVM rematerializes those inside
    hot loops when registers run short (sort: +9% instructions on
    cortex-m3), where a value it cannot recompute stays in a register."""
    name = f"%fbase{mem}"
    done = fe.__dict__.setdefault("_entry_bases", set())
    if mem not in done:
        done.add(mem)
        off = fe.mc.layout.mem_struct[mem] + abi.memory(fe.mc.ptr_bytes).base
        fe.entry_lines.append(f"  {name}.p = getelementptr inbounds i8, ptr %inst, i64 {off}")
        fe.entry_lines.append(f"  {name} = load ptr, ptr {name}.p, align {fe.mc.ptr_bytes}, !tbaa {TBAA_INST}")
    return name


def is64(fe, mem: int) -> bool:
    """Whether memory ``mem`` is a memory64 one (i64 addresses)."""
    return fe.func.module.memories[mem].index_type == I64


def page_size_log2(fe, mem: int) -> int:
    """Memory ``mem``'s page size, log2 (custom-page-sizes: 0 or 16)."""
    return fe.func.module.memories[mem].page_size_log2


def size_facts(fe, mem: int) -> tuple[int, int | None]:
    """``(min_bytes, fixed_bytes)`` of memory ``mem`` for its bounds checks:
    its size is always at least its declared minimum (a memory never
    shrinks; an imported one is at least as large as its import type
    says), and it is exactly that when the declared maximum equals it (no
    grow can succeed, and an import's actual limits lie within the declared
    ones), else ``fixed_bytes`` is None."""
    m = fe.func.module.memories[mem]
    min_bytes = m.min << m.page_size_log2
    return min_bytes, (min_bytes if m.max is not None and m.max == m.min else None)


def _index64(fe, inst, mem: int, addr) -> str:
    """The address operand ``addr`` of ``inst`` as an i64 (memory32:
    zero-extended; ``nneg`` where backends/llvm/nowrap.py proves it)."""
    if is64(fe, mem):
        return fe.val(addr)
    idx = fe.tmp("ea")
    nn = " nneg" if fe.nowrap is not None and fe.nowrap.nonneg(inst, addr) else ""
    fe.emit(f"{idx} = zext{nn} i32 {fe.val(addr)} to i64")
    return idx


def _fold_offset(fe, inst, addr, off: int):
    """``(x, off + c)`` for the address ``addr = iadd x, c`` (``c`` a
    constant) of the access ``inst`` when ``x + c`` cannot wrap there
    (nowrap.py: ``x``'s range, or ``x`` was accessed before), else
    ``(addr, off)``.  Then ``zext(x + c) == zext(x) + c``: the access adds
    ``c`` in its displacement and shares ``zext(x)`` with the access that
    proved ``x``, where LLVM kept the i32 sum and zero-extended it again
    (sort's insertion loop, ``v[j]`` then ``v[j + 1]``: a ``mov`` and an
    ``lea`` per iteration).  The new offset stays below 2^32, inside what
    the guard reservation covers."""
    dfg = fe.dfg
    d = dfg.value_inst(addr)
    if fe.nowrap is None or d is None or dfg.op[d] != Opcode.iadd:
        return addr, off
    a, b = dfg.inst_args(d)
    for x, k in ((a, b), (b, a)):
        kd = dfg.value_inst(k)
        if kd is None or dfg.op[kd] != Opcode.iconst:
            continue
        c = dfg.inst_imm(kd, ImmKind.IMM64) & 0xFFFFFFFF
        if off + c <= 0xFFFFFFFF and fe.nowrap.sum_fits(inst, x, c):
            return x, off + c
    return addr, off


def effective_ptr(fe, inst, width: int) -> str:
    """Pointer operand, with its type (``ptr %a`` or ``ptr addrspace(N)
    %a``), for a load/store of ``width`` bytes, after the bounds policy
    (traps.py: memory64 accesses are checked in both modes)."""
    dfg = fe.dfg
    mem = dfg.inst_imm(inst, ImmKind.MEM)
    off = dfg.inst_imm(inst, ImmKind.OFFSET)
    notrap = MemFlags.notrap(dfg.inst_imm(inst, ImmKind.MEMFLAGS))
    addr = dfg.inst_args(inst)[0]
    if fe.mc.ptr_bytes == 4 and not is64(fe, mem) and off + width < 1 << 31:
        memptr = memory_ptr(fe, mem)
        # 32-bit target: address and check in i32 (pointer width): base +
        # idx + off wraps mod 2^32 like the pointer itself, and two GEPs let
        # LLVM fold the offset into the instruction's immediate.
        idx = fe.val(addr)
        if traps.access_needs_check(fe, notrap, page_size_log2(fe, mem)):
            traps.memory_check32(fe, memptr, idx, off + width, *size_facts(fe, mem))
        base = memory_base(fe, memptr, mem)
        if off > fe.mc.target.mem_offset_imm_max:
            # Too large for the instruction's immediate: base + off is
            # invariant wherever base is, so LLVM hoists it and the access
            # is one register-indexed load (Target.mem_offset_imm_max).
            b = fe.tmp("addr")
            fe.emit(f"{b} = getelementptr i8, ptr {base}, i32 {off}")
            base, off = b, 0
        p = fe.tmp("addr")
        fe.emit(f"{p} = getelementptr i8, ptr {base}, i32 {idx}")
        if off:
            q = fe.tmp("addr")
            fe.emit(f"{q} = getelementptr i8, ptr {p}, i32 {off}")
            p = q
        return "ptr " + p
    if not is64(fe, mem):
        addr, off = _fold_offset(fe, inst, addr, off)
    idx = _index64(fe, inst, mem, addr)
    # The memory struct only for a check or the base: a segment-addressed
    # access unchecked (guard mode) needs neither.
    memptr = None
    if is64(fe, mem):
        if traps.access64_needs_check(fe, notrap):
            memptr = memory_ptr(fe, mem)
            traps.memory_check64(fe, memptr, idx, off + width)
    elif traps.access_needs_check(fe, notrap, page_size_log2(fe, mem)):
        memptr = memory_ptr(fe, mem)
        traps.memory_check(fe, memptr, idx, off + width, size_facts(fe, mem)[1])
    if off:
        e = fe.tmp("ea")
        fe.emit(f"{e} = add nuw i64 {idx}, {off}")
        idx = e
    p = fe.tmp("addr")
    if mem in fe.mc.segment_mems:
        ty = f"ptr addrspace({fe.mc.target.memory_segment})"
        fe.emit(f"{p} = getelementptr i8, {ty} null, i64 {idx}")
        return f"{ty} {p}"
    base = memory_base(fe, memptr or memory_ptr(fe, mem), mem)
    fe.emit(f"{p} = getelementptr i8, ptr {base}, i64 {idx}")
    return "ptr " + p


def access_md(fe, inst) -> str:
    """The metadata of every linear-memory load or store LLVM sees for
    ``inst`` (both words of a split f64 too): its TBAA type, then its alias
    scope if it has one."""
    return f", !tbaa {TBAA_MEM}{_scope_md(fe, inst)}"


def _scope_md(fe, inst) -> str:
    """The access's alias scope as LLVM metadata (``, !alias.scope ...,
    !noalias ...``), or "" (ir/opcodes.py MemFlags, "scope"): its group's
    scope, and every other group of its domain as ``noalias``.  Domains
    and scopes are distinct numbered nodes, made once per function
    (ModuleContext.md_node); the lists are inline tuples of them."""
    sc = MemFlags.scope(fe.dfg.inst_imm(inst, ImmKind.MEMFLAGS))
    if sc is None:
        return ""
    if fe.scope_domains is None:
        fe.scope_domains = _scope_nodes(fe)
    d, g = sc
    nodes = fe.scope_domains[d]
    others = ", ".join(n for k, n in nodes.items() if k != g)
    return f", !alias.scope !{{{nodes[g]}}}, !noalias !{{{others}}}"


def _scope_nodes(fe) -> dict[int, dict[int, str]]:
    """domain -> group -> its scope node, for the function's accesses."""
    name = f"wasmaot.{fe.mc.fname(fe.index)}"
    out = {}
    for d, groups in sorted(func_scopes(fe.func).items()):
        dom = fe.mc.md_node(f'!"{name}.d{d}"')
        out[d] = {g: fe.mc.md_node(f'{dom}, !"{name}.d{d}.g{g}"') for g in sorted(groups)}
    return out


_NARROW_LOAD = {Opcode.uload8: (8, "zext"), Opcode.sload8: (8, "sext"),
                Opcode.uload16: (16, "zext"), Opcode.sload16: (16, "sext"),
                Opcode.uload32: (32, "zext"), Opcode.sload32: (32, "sext")}
_NARROW_STORE = {Opcode.istore8: 8, Opcode.istore16: 16, Opcode.istore32: 32}


def emit_load(fe, inst, ty: str, p: str, dst: str) -> None:
    """``dst = load ty, p`` for the access ``inst``, kept the target's way
    in guard mode (``traps.guard_load`` before it, ``traps.guard_keep``
    after it): there the trap IS the access."""
    notrap = MemFlags.notrap(fe.dfg.inst_imm(inst, ImmKind.MEMFLAGS))
    vol = traps.guard_load(fe, notrap)
    fe.emit(f"{dst} = load{vol} {ty}, {p}, align 1{access_md(fe, inst)}")
    traps.guard_keep(fe, notrap, ty, dst)


def _addr32_load(fe, inst) -> bool:
    """Emit ``inst`` as an addr32 load (addr32.py) and return True when it
    is one: a load of the segment memory that :func:`effective_ptr` would
    address unchecked, with no memarg offset (Wasm does not wrap it), kept
    because the IR did not prove it (``traps.keeps_volatile``), at a sum;
    not an ``x + c`` that :func:`_fold_offset` folds into the displacement,
    where LLVM can still fold the load into its use."""
    dfg, mc = fe.dfg, fe.mc
    mem = dfg.inst_imm(inst, ImmKind.MEM)
    if mem not in mc.segment_mems or dfg.inst_imm(inst, ImmKind.OFFSET) != 0 \
            or not addr32.available(mc.target):
        return False
    notrap = MemFlags.notrap(dfg.inst_imm(inst, ImmKind.MEMFLAGS))
    if not traps.keeps_volatile(fe, notrap) \
            or traps.access_needs_check(fe, notrap, page_size_log2(fe, mem)):
        return False
    addr = dfg.inst_args(inst)[0]
    ops = addr32.operands(dfg, addr)
    if ops is None or (ops[1] is None and _fold_offset(fe, inst, addr, 0)[1]):
        return False
    return addr32.load(fe, inst, ops)


def h_load(fe, inst):
    if _addr32_load(fe, inst):
        return
    ctrl = fe.dfg.ctrl[inst]
    p = effective_ptr(fe, inst, bits(ctrl) // 8)
    if LTYPE[ctrl] == "double" and fe.mc.target.split_f64_accesses:
        _load_f64_words(fe, inst, p)
        return
    emit_load(fe, inst, LTYPE[ctrl], p, fe.res(inst))


def _load_f64_words(fe, inst, p: str) -> None:
    """An f64 load as its two 32-bit words, low word first
    (Target.split_f64_accesses, which says why)."""
    lo, hi, p4, lo64, hi64, sh, w = (fe.tmp("n") for _ in range(7))
    emit_load(fe, inst, "i32", p, lo)
    emit_load(fe, inst, "i32", _high_word(fe, p, p4), hi)
    fe.emit(f"{lo64} = zext i32 {lo} to i64")
    fe.emit(f"{hi64} = zext i32 {hi} to i64")
    fe.emit(f"{sh} = shl i64 {hi64}, 32")
    fe.emit(f"{w} = or i64 {sh}, {lo64}")
    fe.emit(f"{fe.res(inst)} = bitcast i64 {w} to double")


def h_narrow_load(fe, inst):
    if _addr32_load(fe, inst):
        return
    n, ext = _NARROW_LOAD[fe.dfg.op[inst]]
    ty = LTYPE[fe.dfg.ctrl[inst]]
    p = effective_ptr(fe, inst, n // 8)
    t = fe.tmp("n")
    emit_load(fe, inst, f"i{n}", p, t)
    fe.emit(f"{fe.res(inst)} = {ext} i{n} {t} to {ty}")


def h_store(fe, inst):
    ctrl = fe.dfg.ctrl[inst]
    ty = LTYPE[ctrl]
    v = fe.dfg.inst_args(inst)[1]
    op = fe.dfg.op[inst]
    if op == Opcode.store:
        p = effective_ptr(fe, inst, bits(ctrl) // 8)
        if ty == "double" and fe.mc.target.split_f64_accesses:
            _store_f64_words(fe, inst, fe.val(v), p)
            return
        fe.emit(f"store {ty} {fe.val(v)}, {p}, align 1{access_md(fe, inst)}")
        return
    n = _NARROW_STORE[op]
    p = effective_ptr(fe, inst, n // 8)
    t = fe.tmp("n")
    fe.emit(f"{t} = trunc {ty} {fe.val(v)} to i{n}")
    fe.emit(f"store i{n} {t}, {p}, align 1{access_md(fe, inst)}")


def _store_f64_words(fe, inst, val: str, p: str) -> None:
    """An f64 store as its two 32-bit words, low word first (little
    endian; Target.split_f64_accesses, which says why).  Explicit mode only, where the check
    before it has already passed: no fault can fall between the words."""
    b, lo, hi64, hi, p4 = (fe.tmp("n") for _ in range(5))
    fe.emit(f"{b} = bitcast double {val} to i64")
    fe.emit(f"{lo} = trunc i64 {b} to i32")
    fe.emit(f"{hi64} = lshr i64 {b}, 32")
    fe.emit(f"{hi} = trunc i64 {hi64} to i32")
    md = access_md(fe, inst)
    fe.emit(f"store i32 {lo}, {p}, align 1{md}")
    fe.emit(f"store i32 {hi}, {_high_word(fe, p, p4)}, align 1{md}")


def _high_word(fe, p: str, name: str) -> str:
    """The typed pointer operand 4 bytes after the typed operand ``p``, as
    ``name`` (an f64's high word)."""
    ty = p.rsplit(" ", 1)[0]
    fe.emit(f"{name} = getelementptr i8, {p}, i32 4")
    return f"{ty} {name}"


def _out_of_bounds(fe, inst) -> str:
    """The i1 "out of bounds" of a ``bounds_check`` or ``in_bounds``: the
    address operand plus the end immediate past the memory's size (the
    32-bit compare on a 32-bit target, traps.oob32)."""
    dfg = fe.dfg
    mem = dfg.inst_imm(inst, ImmKind.MEM)
    end = dfg.inst_imm(inst, ImmKind.OFFSET)
    memptr = memory_ptr(fe, mem)
    if fe.mc.ptr_bytes == 4 and not is64(fe, mem) and 1 <= end < 1 << 31:
        return traps.oob32(fe, memptr, fe.val(dfg.inst_args(inst)[0]), end, *size_facts(fe, mem))
    idx = _index64(fe, inst, mem, dfg.inst_args(inst)[0])
    if is64(fe, mem):
        return traps.oob64(fe, memptr, idx, end)
    return traps.oob(fe, memptr, idx, end, size_facts(fe, mem)[1])


def h_bounds_check(fe, inst):
    fe.trap_if(_out_of_bounds(fe, inst), traps.MEMORY_OOB)


def h_prefetch(fe, inst):
    """``prefetch memN A``: ``llvm.prefetch`` (read, keep in all cache levels,
    data) of the byte at A, with no check in either bounds mode: x86's
    ``prefetcht0`` and AArch64's ``prfm`` never fault, whatever the address
    (ir/passes/prefetch.py says which targets get the pass).  The address is
    what an access at A with offset 0 uses: the segment's, or base + A."""
    dfg = fe.dfg
    mem = dfg.inst_imm(inst, ImmKind.MEM)
    addr = dfg.inst_args(inst)[0]
    p = fe.tmp("pf")
    if mem in fe.mc.segment_mems:
        ty = f"ptr addrspace({fe.mc.target.memory_segment})"
        fe.emit(f"{p} = getelementptr i8, {ty} null, i64 {_index64(fe, inst, mem, addr)}")
    else:
        ty = "ptr"
        base = memory_base(fe, memory_ptr(fe, mem), mem)
        if fe.mc.ptr_bytes == 4 and not is64(fe, mem):     # wraps as the pointer does
            idx = f"i32 {fe.val(addr)}"
        else:
            idx = f"i64 {_index64(fe, inst, mem, addr)}"
        fe.emit(f"{p} = getelementptr i8, ptr {base}, {idx}")
    suffix = "p0" if ty == "ptr" else f"p{fe.mc.target.memory_segment}"
    f = fe.mc.intrinsic(f"llvm.prefetch.{suffix}", "void", f"{ty}, i32, i32, i32")
    fe.emit(f"call void {f}({ty} {p}, i32 0, i32 3, i32 1)")


def h_in_bounds(fe, inst):
    """``in_bounds``: :func:`h_bounds_check`'s compare, as an i32 0/1."""
    bad = _out_of_bounds(fe, inst)
    ok = fe.tmp("inb")
    fe.emit(f"{ok} = xor i1 {bad}, true")
    fe.emit(f"{fe.res(inst)} = zext i1 {ok} to i32")


def h_memory_size(fe, inst):
    mem = fe.dfg.inst_imm(inst, ImmKind.MEM)
    memptr = memory_ptr(fe, mem)
    pages = fe.gep(memptr, abi.memory(fe.mc.ptr_bytes).pages)
    if not is64(fe, mem):
        fe.emit(f"{fe.res(inst)} = load i32, ptr {pages}, align 4, !tbaa {TBAA_INST}")
        return
    n = fe.tmp("pages")
    fe.emit(f"{n} = load i32, ptr {pages}, align 4, !tbaa {TBAA_INST}")
    fe.emit(f"{fe.res(inst)} = zext i32 {n} to i64")


def h_memory_grow(fe, inst):
    mem = fe.dfg.inst_imm(inst, ImmKind.MEM)
    memptr = memory_ptr(fe, mem)
    f = fe.mc.runtime("wasmaot_memory_grow", "i32", "ptr, i32")
    (d,) = fe.dfg.inst_args(inst)
    if not is64(fe, mem):
        fe.emit(f"{fe.res(inst)} = call i32 {f}(ptr {memptr}, i32 {fe.val(d)})")
        return
    # memory64: the runtime's page counts are u32 (a memory is at most
    # 4 GiB), so a delta beyond u32 fails (-1) without growing: the runtime
    # gets 0 for it.  The u32 result is zero-extended (1-byte pages count
    # up to 2^32-1) except -1 from a failed grow; a delta of 0 never fails
    # (its result is the size, which may be 0xFFFFFFFF pages).
    val = fe.val(d)
    big, t, d32, r32 = fe.tmp("big"), fe.tmp("d"), fe.tmp("d32"), fe.tmp("g")
    fe.emit(f"{big} = icmp ugt i64 {val}, 4294967295")
    fe.emit(f"{t} = trunc i64 {val} to i32")
    fe.emit(f"{d32} = select i1 {big}, i32 0, i32 {t}")
    fe.emit(f"{r32} = call i32 {f}(ptr {memptr}, i32 {d32})")
    neg, some, failed, fail, z = (fe.tmp(h) for h in ("neg", "some", "failed", "fail", "z"))
    fe.emit(f"{neg} = icmp eq i32 {r32}, -1")
    fe.emit(f"{some} = icmp ne i64 {val}, 0")
    fe.emit(f"{failed} = and i1 {neg}, {some}")
    fe.emit(f"{fail} = or i1 {failed}, {big}")
    fe.emit(f"{z} = zext i32 {r32} to i64")
    fe.emit(f"{fe.res(inst)} = select i1 {fail}, i64 -1, i64 {z}")


def _size_bytes(fe, memptr: str) -> str:
    """The memory's current byte size (grows: not an invariant load)."""
    return fe.load("i64", fe.gep(memptr, abi.memory(fe.mc.ptr_bytes).size_bytes), TBAA_INST,
                   hint="sz")


def _bulk_range64(fe, memptr: str, start: str, n: str) -> None:
    """memory64 bulk operands: trap unless ``start + n <= size_bytes`` with
    u64 operands (an overflowing sum is out of bounds too).  After it, both
    fit in 32 bits but for ``start == size == 2^32, n == 0``, which the
    truncation turns into an in-bounds empty range: the 32-bit runtime call
    then does the same thing."""
    size = _size_bytes(fe, memptr)
    small, room, past, bad = (fe.tmp(h) for h in ("small", "room", "past", "oob"))
    fe.emit(f"{small} = icmp ult i64 {size}, {n}")
    fe.emit(f"{room} = sub i64 {size}, {n}")
    fe.emit(f"{past} = icmp ugt i64 {start}, {room}")
    fe.emit(f"{bad} = or i1 {small}, {past}")
    fe.trap_if(bad, traps.MEMORY_OOB)


def _i32(fe, v: str, wide: bool) -> str:
    """An operand for the 32-bit runtime functions (truncated if i64)."""
    if not wide:
        return v
    t = fe.tmp("t")
    fe.emit(f"{t} = trunc i64 {v} to i32")
    return t


def _range32(fe, memptr: str, start: str, n: str) -> tuple[str, str]:
    """32-bit bulk operands: trap unless ``start + n <= size_bytes``.
    Returns ``start`` as an i64 and ``n`` as a ``size_t``."""
    size = _size_bytes(fe, memptr)
    s64, n64 = _zext64(fe, start), _zext64(fe, n)
    fe.trap_if(_past_end(fe, size, s64, n64), traps.MEMORY_OOB)
    return s64, _as_size_t(fe, n64, n)


def _past_end(fe, size: str, s64: str, n64: str) -> str:
    """The i1 ``start + n > size_bytes`` of zero-extended 32-bit operands
    (the sum in 64 bits cannot wrap)."""
    end, bad = fe.tmp("end"), fe.tmp("oob")
    fe.emit(f"{end} = add nuw nsw i64 {s64}, {n64}")
    fe.emit(f"{bad} = icmp ugt i64 {end}, {size}")
    return bad


def _as_size_t(fe, n64: str, n32: str) -> str:
    """A 32-bit count as a ``size_t`` operand: its i64 or i32 form."""
    return n64 if fe.mc.ptr_bytes == 8 else n32


def _size_t(fe) -> str:
    return "i64" if fe.mc.ptr_bytes == 8 else "i32"


# memory.fill and memory.copy of 32-bit memories check their ranges here and
# call the runtime's byte routines (wasmaot_rt_memset/memmove) directly:
# Wasm programs built with bulk memory call them for every memset/memcpy
# clang did not inline, mostly a few bytes long (SQLite's shell on 60,000
# rows: 1.78 M copies; strings' run-length decoder: 1.42 M fills, nearly
# all under 4 bytes), and the checking wrapper wasmaot_memory_copy cost
# another call and 14 instructions a copy (valgrind: 25 M of SQLite's
# 1.5 G).  memory64 keeps the wrappers after its u64 range checks.
def h_memory_fill(fe, inst):
    mem = fe.dfg.inst_imm(inst, ImmKind.MEM)
    memptr = memory_ptr(fe, mem)
    d, v, n = (fe.val(a) for a in fe.dfg.inst_args(inst))
    if is64(fe, mem):
        _bulk_range64(fe, memptr, d, n)
        f = fe.mc.runtime("wasmaot_memory_fill", "void", "ptr, i32, i32, i32")
        fe.emit(f"call void {f}(ptr {memptr}, i32 {_i32(fe, d, True)}, i32 {v}, i32 {_i32(fe, n, True)})")
        return
    d64, nz = _range32(fe, memptr, d, n)
    st = _size_t(fe)
    f = fe.mc.runtime("wasmaot_rt_memset", "void", f"ptr, i32, {st}")
    p = fe.gep(memory_base(fe, memptr, mem), d64)
    fe.emit(f"call void {f}(ptr {p}, i32 {v}, {st} {nz})")


def h_memory_copy(fe, inst):
    o = fe.dfg.off[inst]
    dst_mem, src_mem = fe.dfg.pool[o], fe.dfg.pool[o + 1]   # imms: dst, src
    dst = memory_ptr(fe, dst_mem)
    src = memory_ptr(fe, src_mem) if src_mem != dst_mem else dst
    d, s, n = (fe.val(a) for a in fe.dfg.inst_args(inst))
    wd, ws = is64(fe, dst_mem), is64(fe, src_mem)
    if not (wd or ws):
        d64, nz = _range32(fe, dst, d, n)
        s64, _ = _range32(fe, src, s, n)
        st = _size_t(fe)
        f = fe.mc.runtime("wasmaot_rt_memmove", "void", f"ptr, ptr, {st}")
        pd = fe.gep(memory_base(fe, dst, dst_mem), d64)
        ps = fe.gep(memory_base(fe, src, src_mem), s64)
        fe.emit(f"call void {f}(ptr {pd}, ptr {ps}, {st} {nz})")
        return
    f = fe.mc.runtime("wasmaot_memory_copy", "void", "ptr, ptr, i32, i32, i32")
    wn = wd and ws                       # the length has the narrower type
    n64 = n if wn else _zext64(fe, n)
    _bulk_range64(fe, dst, d if wd else _zext64(fe, d), n64)
    _bulk_range64(fe, src, s if ws else _zext64(fe, s), n64)
    fe.emit(f"call void {f}(ptr {dst}, ptr {src}, i32 {_i32(fe, d, wd)}, i32 {_i32(fe, s, ws)}, "
            f"i32 {_i32(fe, n, wn)})")


def h_mismatch8(fe, inst):
    """Runs both in bounds, the common case, go to the runtime's word
    compare (wasmaot_rt_mismatch) on ``base + start``, as memory.copy does;
    a run that reaches the end to wasmaot_memory_mismatch8, which finds
    where the loop would trap.  The bytecmp pass forms mismatch8 only on
    32-bit memories."""
    mem = fe.dfg.inst_imm(inst, ImmKind.MEM)
    assert not is64(fe, mem), "mismatch8 on a memory64 memory (bytecmp forms it on 32-bit ones)"
    memptr = memory_ptr(fe, mem)
    a, b, n = (fe.val(x) for x in fe.dfg.inst_args(inst))
    size = _size_bytes(fe, memptr)
    a64, b64, n64 = _zext64(fe, a), _zext64(fe, b), _zext64(fe, n)
    past = fe.tmp("oob")
    fe.emit(f"{past} = or i1 {_past_end(fe, size, a64, n64)}, {_past_end(fe, size, b64, n64)}")
    fast, slow, join = fe.tmp("mf")[1:], fe.tmp("ms")[1:], fe.tmp("mj")[1:]
    fe.emit(f"br i1 {past}, label %{slow}, label %{fast}, !prof {MD_COLD}")
    fe.start_block(fast)
    st = _size_t(fe)
    base = memory_base(fe, memptr, mem)
    f = fe.mc.runtime("wasmaot_rt_mismatch", st, f"ptr, ptr, {st}")
    k_fast = fe.tmp("mm")
    fe.emit(f"{k_fast} = call {st} {f}(ptr {fe.gep(base, a64)}, ptr {fe.gep(base, b64)}, "
            f"{st} {_as_size_t(fe, n64, n)})")
    if st == "i64":
        k64, k_fast = k_fast, fe.tmp("mm")
        fe.emit(f"{k_fast} = trunc i64 {k64} to i32")
    from_fast = fe.label
    fe.emit(f"br label %{join}")
    fe.start_block(slow)
    f = fe.mc.runtime("wasmaot_memory_mismatch8", "i32", "ptr, i32, i32, i32")
    k_slow = fe.tmp("mm")
    fe.emit(f"{k_slow} = call i32 {f}(ptr {memptr}, i32 {a}, i32 {b}, i32 {n})")
    from_slow = fe.label
    fe.emit(f"br label %{join}")
    fe.start_block(join)
    fe.emit(f"{fe.res(inst)} = phi i32 [ {k_fast}, %{from_fast} ], [ {k_slow}, %{from_slow} ]")


def _zext64(fe, v: str) -> str:
    t = fe.tmp("z")
    fe.emit(f"{t} = zext i32 {v} to i64")
    return t


def segment_data_len(fe, seg_off: int) -> tuple[str, str]:
    """(data pointer, effective length) of the wasmaot_segment at instance
    offset ``seg_off``: a dropped segment has length 0."""
    pb = fe.mc.ptr_bytes
    sl = abi.segment(pb)
    seg = fe.inst_field(seg_off)
    data = fe.load("ptr", fe.gep(seg, sl.data), TBAA_INST, align=pb, hint="sd")
    size = fe.load("i32", fe.gep(seg, sl.size), TBAA_INST, align=4, hint="ss")
    dropped = fe.load("i32", fe.gep(seg, sl.dropped), TBAA_INST, align=4, hint="sdr")
    c = fe.tmp("c")
    n = fe.tmp("slen")
    fe.emit(f"{c} = icmp ne i32 {dropped}, 0")
    fe.emit(f"{n} = select i1 {c}, i32 0, i32 {size}")
    return data, n


def drop_segment(fe, seg_off: int) -> None:
    fe.store("i32", "1", fe.inst_field(seg_off + abi.segment(fe.mc.ptr_bytes).dropped), TBAA_INST, align=4)


def h_memory_init(fe, inst):
    mem = fe.dfg.inst_imm(inst, ImmKind.MEM)
    seg = fe.mc.layout.data_seg[fe.dfg.inst_imm(inst, ImmKind.DATA)]
    memptr = memory_ptr(fe, mem)
    data, n = segment_data_len(fe, seg)
    f = fe.mc.runtime("wasmaot_memory_init", "void", "ptr, i32, ptr, i32, i32, i32")
    d, s, cnt = (fe.val(a) for a in fe.dfg.inst_args(inst))
    w = is64(fe, mem)
    if w:           # the segment range is checked by the runtime, in spec order
        _bulk_range64(fe, memptr, d, _zext64(fe, cnt))
    fe.emit(f"call void {f}(ptr {memptr}, i32 {_i32(fe, d, w)}, ptr {data}, i32 {n}, i32 {s}, "
            f"i32 {cnt})")


def h_data_drop(fe, inst):
    drop_segment(fe, fe.mc.layout.data_seg[fe.dfg.inst_imm(inst, ImmKind.DATA)])


# ---- __wasmaot_init's active data segments, as a table (issue 11) -------------
# The init function applies each active segment with ``memory_init(mem, d,
# offset, 0, len)`` then ``data_drop(d)``.  Emitted one by one, 10,000
# 16-byte segments were 7 MB of LLVM text and a second of code generation.
# A run of such pairs with constant operands on one 32-bit memory becomes a
# table of (offset, segment field, length) records in ``P.data`` and one loop
# that makes the same runtime calls and drop stores, in the same order (a
# segment out of bounds traps after the earlier ones were applied and
# dropped, as before).

def emit_init_block(fe, insts, handlers) -> None:
    """Emit the instructions ``insts`` of one block of ``__wasmaot_init``:
    runs of constant (memory_init, data_drop) pairs as one table loop,
    everything else through ``handlers``.  Constants between the pairs
    (``iconst`` only registers a literal) do not end a run."""
    insts = list(insts)
    run: list[tuple[int, int, int]] = []
    run_mem = None
    i = 0
    while i < len(insts):
        inst = insts[i]
        op = fe.dfg.op[inst]
        if op == Opcode.iconst:
            handlers[op](fe, inst)
            i += 1
            continue
        rec = _init_record(fe, inst, insts[i + 1] if i + 1 < len(insts) else None)
        if rec is not None and (not run or rec[0] == run_mem):
            run_mem = rec[0]
            run.append((rec[1], (inst, insts[i + 1])))
            i += 2
            continue
        if run:
            _flush_init_run(fe, run_mem, run, handlers)
            run = []
        if rec is None:
            handlers[op](fe, inst)
            i += 1
    if run:
        _flush_init_run(fe, run_mem, run, handlers)


def _flush_init_run(fe, mem: int, run: list, handlers) -> None:
    """A run of (memory_init, data_drop) pairs: one table loop, or each
    pair's own code when the run is shorter than SEGMENT_LOOP_MIN."""
    from .instance import SEGMENT_LOOP_MIN
    if len(run) >= SEGMENT_LOOP_MIN:
        _init_loop(fe, mem, [rec for rec, _ in run])
        return
    for _, (init, drop) in run:
        handlers[fe.dfg.op[init]](fe, init)
        handlers[fe.dfg.op[drop]](fe, drop)


def _init_record(fe, inst, nxt) -> tuple[int, tuple[int, int, int]] | None:
    """(memory, (offset, segment field, count)) when ``inst`` is a
    ``memory_init`` of constant operands (source 0) on a 32-bit memory
    followed by the ``data_drop`` of its segment; else None."""
    dfg = fe.dfg
    if dfg.op[inst] != Opcode.memory_init or nxt is None or dfg.op[nxt] != Opcode.data_drop:
        return None
    seg = dfg.inst_imm(inst, ImmKind.DATA)
    mem = dfg.inst_imm(inst, ImmKind.MEM)
    if dfg.inst_imm(nxt, ImmKind.DATA) != seg or is64(fe, mem):
        return None
    args = [fe.consts.get(a) for a in dfg.inst_args(inst)]
    if any(a is None for a in args) or int(args[1]) != 0:
        return None
    return mem, (int(args[0]) & 0xFFFFFFFF, fe.mc.layout.data_seg[seg], int(args[2]) & 0xFFFFFFFF)


def _init_loop(fe, mem: int, run: list[tuple[int, int, int]]) -> None:
    """For each record, in order: ``wasmaot_memory_init`` of the segment at
    that instance offset (length 0 once dropped, as segment_data_len), then
    its drop store -- what h_memory_init and h_data_drop emit per pair."""
    recs = bytearray()
    for rec in run:
        for v in rec:
            recs += v.to_bytes(4, "little")
    table = fe.mc.blob(bytes(recs), align=4)
    pb = fe.mc.ptr_bytes
    sl = abi.segment(pb)
    memptr = memory_ptr(fe, mem)
    f = fe.mc.runtime("wasmaot_memory_init", "void", "ptr, i32, ptr, i32, i32, i32")
    pre, loop, done = fe.label, fe.tmp("dl")[1:], fe.tmp("dd")[1:]
    i, nx = fe.tmp("di"), fe.tmp("dn")
    fe.emit(f"br label %{loop}")
    fe.start_block(loop)
    fe.emit(f"{i} = phi i64 [ 0, %{pre} ], [ {nx}, %{loop} ]")
    r = fe.tmp("dr")
    fe.emit(f"{r} = getelementptr inbounds [3 x i32], ptr {table}, i64 {i}")
    dst, off, cnt = fe.tmp("dv"), fe.tmp("dv"), fe.tmp("dv")
    for k, v in enumerate((dst, off, cnt)):      # P.data is constant: no alias tag needed
        fe.emit(f"{v} = load i32, ptr {fe.gep(r, 4 * k)}, align 4")
    off64 = _zext64(fe, off)
    seg = fe.gep("%inst", off64)
    data = fe.load("ptr", fe.gep(seg, sl.data), TBAA_INST, align=pb, hint="sd")
    size = fe.load("i32", fe.gep(seg, sl.size), TBAA_INST, align=4, hint="ss")
    dropped = fe.load("i32", fe.gep(seg, sl.dropped), TBAA_INST, align=4, hint="sdr")
    c, n = fe.tmp("c"), fe.tmp("slen")
    fe.emit(f"{c} = icmp ne i32 {dropped}, 0")
    fe.emit(f"{n} = select i1 {c}, i32 0, i32 {size}")
    fe.emit(f"call void {f}(ptr {memptr}, i32 {dst}, ptr {data}, i32 {n}, i32 0, i32 {cnt})")
    fe.store("i32", "1", fe.gep(seg, sl.dropped), TBAA_INST, align=4)
    e = fe.tmp("de")
    fe.emit(f"{nx} = add i64 {i}, 1")
    fe.emit(f"{e} = icmp eq i64 {nx}, {len(run)}")
    fe.emit(f"br i1 {e}, label %{done}, label %{loop}")
    fe.start_block(done)


HANDLERS = {
    Opcode.load: h_load,
    **{op: h_narrow_load for op in _NARROW_LOAD},
    Opcode.store: h_store,
    **{op: h_store for op in _NARROW_STORE},
    Opcode.bounds_check: h_bounds_check,
    Opcode.in_bounds: h_in_bounds,
    Opcode.prefetch: h_prefetch,
    Opcode.memory_size: h_memory_size, Opcode.memory_grow: h_memory_grow,
    Opcode.memory_fill: h_memory_fill, Opcode.memory_copy: h_memory_copy,
    Opcode.memory_init: h_memory_init, Opcode.data_drop: h_data_drop,
    Opcode.mismatch8: h_mismatch8,
}
