"""x86-64 guard mode: a load that computes its Wasm address itself, in 32
bits (the address-size prefix ``0x67``, ``addr32``).

Why: a Wasm address ``a + b`` is an i32 sum that wraps at 2^32, so the
64-bit addressing mode ``%gs:(a, b)`` is not the same address whenever the
sum wraps (``p[-1]`` is ``p + 0xfffffffc``), and nothing but a value range
can prove that it does not (backends/llvm/nowrap.py).  So the sum is
computed first, ``lea (a, b), t`` in 32 bits, and the access is
``%gs:(t)``: one instruction and one cycle of latency more than native
code's ``(a, b)``.  With the prefix the processor itself computes the
effective address as ``base + index * scale + disp`` modulo 2^32, zero-
extends it and adds the segment base: exactly the Wasm address, wrap
included, in the access (wasm2c's and WAMR's "Segue" use the same prefix).
brotli's hash chain then loads a bucket as ``addr32 mov %gs:(b, i, 4)``.

Which loads (``try_load``), all of them kept loads already (traps.py,
"Guard-mode keeps"): in guard mode, through the segment-addressed memory
(memory.py), not proven in bounds, with a static offset of 0, at an
address defined by ``iadd``, from a memory of 64 KiB pages (a memory of
1-byte pages keeps its explicit check in guard mode too: its end is no
page boundary, so no fault marks it, and the asm would skip the check).  The memarg offset must be 0 because Wasm
adds it WITHOUT wrapping (``i32.load offset=4 (i32.const -2)`` traps),
while the prefix would wrap it with the rest.  The address operand itself
is any sum of at most two values, one of them possibly shifted left by 1-3
(the scale), plus a constant (the displacement): all of it is i32
arithmetic modulo 2^32, which the prefix computes exactly.

How: an inline asm ``addr32 mov %gs:disp(base, index, scale), out`` (the
32-bit register names alone make the assembler emit the prefix; the
mnemonic says it too) with
``sideeffect`` and a memory clobber, which LLVM keeps whole and in order
with every other memory access: what the volatile load behind its barrier
already guaranteed (a guard-mode load may be the trap).  What it gives up:
LLVM can no longer fold the load into the instruction that uses it
(``cmp %gs:(t), r``), so such a use costs the ``mov`` the ``lea`` saved.

Measured (executed instructions, qemu, x86-64-v2, guard mode; outputs
unchanged): brotli 2.788 G -> 2.557 G (-8.3%), SQLite 12.084 G -> 11.882 G
(-1.7%), Lua 7.081 G -> 7.022 G (-0.8%); kernels (quick sizes) sort -7%,
hashmap -4%, indirect -3%, wordfreq +1%, the others within 0.2%.  Time:
benchmarks/README.md, "Loads that compute their address in 32 bits".

Trade-offs: the asm needs LLVM's x86 assembly parser, which llvmlite only
initialises for the host, so these loads are emitted only on an x86-64
host (:func:`available`); elsewhere the same program gets the ``lea`` form
(the same behaviour, a different binary).  Stores keep LLVM's ``store``:
an asm store would be a barrier that plain stores are not.
"""
from __future__ import annotations

import platform

from ...ir.opcodes import ImmKind, MemFlags, Opcode
from ...ir.types import F32, F64, I32, I64
from . import traps

#: (opcode, result type) -> (mnemonic, output constraint, output modifier).
#: The ``k`` modifier names the 32-bit half of an i64 result's register:
#: writing it zeroes the upper half, which is the zero-extension.
_MNEMONIC = {
    (Opcode.load, I32): ("movl", "r", ""),
    (Opcode.load, I64): ("movq", "r", ""),
    (Opcode.load, F32): ("movss", "x", ""),
    (Opcode.load, F64): ("movsd", "x", ""),
    (Opcode.uload8, I32): ("movzbl", "r", ""),
    (Opcode.uload8, I64): ("movzbl", "r", ":k"),
    (Opcode.sload8, I32): ("movsbl", "r", ""),
    (Opcode.sload8, I64): ("movsbq", "r", ""),
    (Opcode.uload16, I32): ("movzwl", "r", ""),
    (Opcode.uload16, I64): ("movzwl", "r", ":k"),
    (Opcode.sload16, I32): ("movswl", "r", ""),
    (Opcode.sload16, I64): ("movswq", "r", ""),
    (Opcode.uload32, I64): ("movl", "r", ":k"),
    (Opcode.sload32, I64): ("movslq", "r", ""),
}

_LTYPE = {I32: "i32", I64: "i64", F32: "float", F64: "double"}

_host_ok: bool | None = None


def available(target) -> bool:
    """Whether this compiler can emit addr32 loads for ``target``: an x86-64
    target with a segment-addressed memory, compiled on an x86-64 host
    (whose assembly parser is the one llvmlite can initialise)."""
    global _host_ok
    if _host_ok is None:
        _host_ok = platform.machine().lower() in ("x86_64", "amd64")
    return target.arch == "x86_64" and target.memory_segment == 256 and _host_ok


def _const(dfg, v) -> int | None:
    d = dfg.value_inst(v)
    if d is None or dfg.op[d] != Opcode.iconst:
        return None
    return dfg.inst_imm(d, ImmKind.IMM64) & 0xFFFFFFFF


def _scaled(dfg, v):
    """``(x, scale)`` for ``v = ishl x, k`` with k in 1..3, else None."""
    d = dfg.value_inst(v)
    if d is None or dfg.op[d] != Opcode.ishl:
        return None
    x, k = dfg.inst_args(d)
    k = _const(dfg, k)
    if k is None or not 1 <= k & 31 <= 3:
        return None
    return x, 1 << (k & 31)


def _split(dfg, v) -> tuple[list, int]:
    """The non-constant terms and the constant of ``v`` as a sum: none and
    ``v`` for a constant, the operands of ``v = iadd`` that has a constant
    operand, else ``v`` itself."""
    c = _const(dfg, v)
    if c is not None:
        return [], c
    d = dfg.value_inst(v)
    if d is None or dfg.op[d] != Opcode.iadd:
        return [v], 0
    args = dfg.inst_args(d)
    consts = [_const(dfg, u) for u in args]
    if all(c is None for c in consts):
        return [v], 0
    return [u for u, c in zip(args, consts) if c is None], sum(c for c in consts if c is not None)


def operands(dfg, addr):
    """``(base, index, scale, disp)`` (values or None, an int, a signed
    32-bit int) whose 32-bit sum ``base + index * scale + disp`` is the i32
    ``addr = iadd ...``, or None.  Constants fold into ``disp`` one level
    down (``(a + c) + b``); a lone ``t + c`` whose ``t = iadd a, b`` becomes
    ``a + b + c`` (brotli's ``data + j - 3``); more than two non-constant
    terms do not fit an addressing mode."""
    d = dfg.value_inst(addr)
    if d is None or dfg.op[d] != Opcode.iadd:
        return None
    terms, disp = [], 0
    for t in dfg.inst_args(d):
        ts, c = _split(dfg, t)
        terms += ts
        disp += c
    if len(terms) == 1 and disp:
        # t + c with t = a + b (neither constant, or _split had split it):
        # a + b + c saves the add that computes t.  It can lengthen the
        # lives of a and b where t was the one register used (brotli: 8.3%
        # fewer instructions with it, 3.3% without)
        td = dfg.value_inst(terms[0])
        if td is not None and dfg.op[td] == Opcode.iadd:
            terms = list(dfg.inst_args(td))
    if not terms or len(terms) > 2:
        return None
    disp &= 0xFFFFFFFF
    disp = disp - (1 << 32) if disp >= 1 << 31 else disp
    if len(terms) == 1:
        s = _scaled(dfg, terms[0])
        return (None, s[0], s[1], disp) if s else (terms[0], None, 1, disp)
    a, b = terms
    for base, other in ((a, b), (b, a)):
        s = _scaled(dfg, other)
        if s is not None:
            return base, s[0], s[1], disp
    return a, b, 1, disp


def try_load(fe, inst) -> bool:
    """Emit load ``inst`` (plain or narrow) as an addr32 asm and return
    True, or return False and emit nothing (the caller's usual path)."""
    mc, dfg = fe.mc, fe.dfg
    if not mc.addr32:
        return False
    key = (dfg.op[inst], dfg.ctrl[inst])
    if key not in _MNEMONIC:
        return False
    mem = dfg.inst_imm(inst, ImmKind.MEM)
    if mem not in mc.segment_mems or dfg.inst_imm(inst, ImmKind.OFFSET) != 0:
        return False
    notrap = MemFlags.notrap(dfg.inst_imm(inst, ImmKind.MEMFLAGS))
    if not traps.keeps_volatile(fe, notrap):
        return False
    if traps.access_needs_check(fe, notrap, fe.func.module.memories[mem].page_size_log2):
        return False        # 1-byte pages: checked even in guard mode (no fault at the end)
    ops = operands(dfg, dfg.inst_args(inst)[0])
    if ops is None:
        return False
    base, index, scale, disp = ops
    if index is None and fe.nowrap is not None and fe.nowrap.sum_fits(inst, base, disp & 0xFFFFFFFF):
        # ``x + c`` that cannot wrap: memory.py puts ``c`` in the 64-bit
        # displacement (_fold_offset), where LLVM can still fold the load
        # into its use; the prefix would save nothing.
        return False
    regs, args = [], []
    for v in (base, index):
        if v is not None:
            args.append(f"i32 {fe.val(v)}")
            regs.append(f"${len(args)}")
    if index is not None and scale != 1:
        regs = regs + [str(scale)] if base is not None else ["", regs[0], str(scale)]
    mnem, out, mod = _MNEMONIC[key]
    addr = f"%gs:{disp or ''}({','.join(regs)})"
    cons = ",".join([f"={out}"] + ["r"] * len(args) + ["~{memory}"])
    ty = _LTYPE[dfg.ctrl[inst]]
    fe.emit(f'{fe.res(inst)} = call {ty} asm sideeffect "addr32 {mnem} {addr}, ${{0{mod}}}", '
            f'"{cons}"({", ".join(args)}) nounwind')
    return True
