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

Which loads: memory.py decides (``_addr32_load``), next to
``effective_ptr`` and with the same predicates: a load that the segment-
addressed memory would take unchecked (guard mode, 64 KiB pages), kept
because it is not proven in bounds, with a memarg offset of 0.  The offset
must be 0 because Wasm adds it WITHOUT wrapping (``i32.load offset=4
(i32.const -2)`` traps), while the prefix would wrap it with the rest.
This module says how: the address operand as at most two values, one of
them possibly shifted left by 1-3 (the scale), plus a constant (the
displacement), all of it i32 arithmetic modulo 2^32, which the prefix
computes exactly (:func:`operands`), and the instruction (:func:`load`).

How: an inline asm ``addr32 mov %gs:disp(base, index, scale), out`` (the
32-bit register names alone make the assembler emit the prefix; the
mnemonic says it too) with
``sideeffect`` and a memory clobber, which LLVM keeps whole and in order
with every other memory access: what the volatile load behind its barrier
already guaranteed (a guard-mode load may be the trap).  What it gives up:
LLVM can no longer fold the load into the instruction that uses it
(``cmp %gs:(t), r``), so such a use costs the ``mov`` the ``lea`` saved.

Measured (executed instructions, qemu, x86-64-v2, guard mode; outputs
unchanged): brotli 2.788 G -> 2.555 G (-8.4%), SQLite 12.084 G -> 11.887 G
(-1.6%), Lua 7.081 G -> 6.999 G (-1.2%); kernels (quick sizes) sort -7%,
strings -5%, hashmap -4%, indirect -3%, wordfreq -0.5%, the others within
0.2% (geomean 1.064x -> 1.053x native).  Time:
benchmarks/README.md, "Loads that compute their address in 32 bits".

Trade-offs: the asm needs LLVM's x86 assembly parser, which llvmlite only
initialises for the host, so these loads are emitted only on an x86-64
host (:func:`available`); elsewhere the same program gets the ``lea`` form
(the same behaviour, a different binary).  Stores keep LLVM's ``store``:
an asm store would be a barrier that plain stores are not.
"""
from __future__ import annotations

import platform

from ...ir.opcodes import Opcode
from ...ir.passes.trapelim import iconst_value, split_const
from ...ir.types import F32, F64, I32, I64
from .common import LTYPE

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

_host_ok: bool | None = None


def available(target) -> bool:
    """Whether this compiler can emit addr32 loads for ``target``: x86-64
    with %gs for its segment memory, compiled on an x86-64 host (whose
    assembly parser is the one llvmlite can initialise)."""
    global _host_ok
    if _host_ok is None:
        _host_ok = platform.machine().lower() in ("x86_64", "amd64")
    return target.arch == "x86_64" and target.memory_segment == 256 and _host_ok


def _scaled(dfg, v):
    """``(x, scale)`` for ``v = ishl x, k`` with k in 1..3, else None."""
    d = dfg.value_inst(v)
    if d is None or dfg.op[d] != Opcode.ishl:
        return None
    x, k = dfg.inst_args(d)
    k = iconst_value(dfg, k)
    if k is None or not 1 <= k & 31 <= 3:
        return None
    return x, 1 << (k & 31)


def operands(dfg, addr):
    """``(base, index, scale, disp)`` (values or None, an int, a signed
    32-bit int) whose 32-bit sum ``base + index * scale + disp`` is the i32
    ``addr``, when ``addr`` is a sum with at most two non-constant terms;
    else None.  Constants peel off at any depth (``split_const``); a root
    ``t = iadd a, b`` is taken apart, so ``(a + b) - 3`` is ``-3(a, b)``
    (brotli's ``data + j - 3``: 8.3% fewer instructions with it, 3.3%
    without; it can lengthen the lives of ``a`` and ``b`` where ``t`` was
    the one register used)."""
    root, disp = split_const(dfg, addr)
    d = dfg.value_inst(root)
    if d is not None and dfg.op[d] == Opcode.iadd:
        terms = []
        for t in dfg.inst_args(d):
            r, k = split_const(dfg, t)
            terms.append(r)
            disp += k
    elif disp:
        terms = [root]
    else:
        return None                       # not a sum: nothing to compute
    if any(iconst_value(dfg, t) is not None for t in terms):
        return None                       # c1 + c2: not folded by the IR, not worth a rule
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


def load(fe, inst, ops) -> bool:
    """Emit load ``inst`` (plain or narrow) at ``operands(...)`` as an
    addr32 asm and return True; False, emitting nothing, for a kind of
    load it has no instruction for (v128)."""
    dfg = fe.dfg
    key = (dfg.op[inst], dfg.ctrl[inst])
    if key not in _MNEMONIC:
        return False
    base, index, scale, disp = ops
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
    fe.emit(f'{fe.res(inst)} = call {LTYPE[dfg.ctrl[inst]]} asm sideeffect '
            f'"addr32 {mnem} {addr}, ${{0{mod}}}", "{cons}"({", ".join(args)}) nounwind')
    return True
