"""Random counted loops bounded by a parameter, against wasmtime.

Soundness of trapelim's rule 3 (ir/passes/trapelim.py, loop counters,
``Ranges.upper_bounds``): a function stores at ``n + foff`` (a fact on
``n``), then reads ``i + k`` (static offset ``off``) in a loop counting
``i`` up by one from a random start while ``i (+ d) cmp n``, with or without
a guard ``n != 0`` / ``n > 0`` before it and a mask bounding ``n``.  Each
function is called with values of ``n`` at and around the memory's end
(and ones that wrap); wasmtime gives the expected result or trap.  A fuel
counter stops loops that would wrap around 2^32.  The test also checks
that the rule proved some of the accesses (else it would test only the
checks)."""
import random

import pytest
import wasmtime
from wasmaot.backends import CompileOptions
from wasmaot.compile import compile_bytes
from wasmaot.ir.opcodes import OPINFO, ImmKind, MemFlags, Opcode
from wasmaot.ir.parser import parse_module

from .wast_check import assert_wast_passes, expect

N_FUNCS = 80
FUEL = 70000
CMPS = ["ne", "ne", "ne", "lt_u", "lt_s", "le_u", "gt_u"]


def _func(rng: random.Random, k: int) -> tuple[str, int]:
    i0 = rng.choice([0, 0, 0, 0, 1, -1, 2, rng.randrange(-3, 40)])
    d = rng.choice([0, 0, 0, 0, 1, -1, 2])
    kk = rng.choice([0, 0, 1, -1, -2, 3])
    off = rng.choice([0, 0, 1, 100, rng.randrange(0, 300)])
    width, size = rng.choice([("i32.load8_u", 1), ("i32.load8_u", 1), ("i32.load16_u", 2), ("i32.load", 4)])
    # Mostly where the read's last end is the store's (``n + foff``), or
    # one byte beyond it: where the rule applies, or just does not.
    tight = off + size - 2 + kk - d
    foff = max(0, rng.choice([tight, tight, tight - 1, tight + 1, off + size + rng.randrange(-3, 4),
                              rng.randrange(0, 300)]))
    cmp = rng.choice(CMPS)
    mask = rng.choice(["", "(local.set $n (i32.and (local.get $n) (i32.const 0xffff)))"])
    guard = rng.choice(["", "(br_if $out (i32.eqz (local.get $n)))",
                        "(br_if $out (i32.le_s (local.get $n) (i32.const 0)))",
                        "(br_if $out (i32.le_s (local.get $n) (i32.const 0)))"])
    x = "(local.get $i)" if not d else f"(i32.add (local.get $i) (i32.const {d}))"
    addr = "(local.get $i)" if not kk else f"(i32.add (local.get $i) (i32.const {kk}))"
    text = f"""
  (func (export "f{k}") (param $n i32) (result i32)
    (local $i i32) (local $s i32) (local $fuel i32)
    {mask}
    (i32.store8 offset={foff} (local.get $n) (i32.const 7))
    (local.set $i (i32.const {i0}))
    (local.set $fuel (i32.const {FUEL}))
    (block $out
      {guard}
      (loop $l
        (local.set $s (i32.add (local.get $s) ({width} offset={off} {addr})))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $fuel (i32.sub (local.get $fuel) (i32.const 1)))
        (br_if $out (i32.eqz (local.get $fuel)))
        (br_if $l (i32.{cmp} {x} (local.get $n)))))
    (i32.add (local.get $s) (local.get $i)))
"""
    return text, foff


def _script(seed: int) -> tuple[str, str, int]:
    rng = random.Random(seed)
    funcs = [_func(rng, k) for k in range(N_FUNCS)]
    module = "(module\n  (memory 1)" + "".join(t for t, _ in funcs) + ")\n"
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    ex = wasmtime.Instance(store, wasmtime.Module(engine, module), []).exports(store)
    lines = [module]
    for k, (_, foff) in enumerate(funcs):
        end = 65536 - foff
        for n in sorted({0, 1, 5, end - 1, end - 2, end - 3, end, rng.randrange(1, 65536),
                         (1 << 32) - 1, 0x10000 + rng.randrange(64)}):
            lines.append(expect(ex, store, f"f{k}", n - (1 << 32) if n >= 1 << 31 else n))
    return module, "\n".join(lines) + "\n", len(lines)


def _proven_loads(module: str) -> tuple[int, int]:
    ir = parse_module(compile_bytes(module.encode(), "r.wat", CompileOptions(bounds="explicit"),
                                    emit="ir").data)
    flags = [MemFlags.notrap(d.body.dfg.inst_imm(i, ImmKind.MEMFLAGS))
             for d in ir.funcs if d.body is not None
             for i in d.body.all_insts()
             if OPINFO[d.body.dfg.op[i]].access and d.body.dfg.op[i] != Opcode.istore8]
    return sum(flags), len(flags)


@pytest.mark.parametrize("seed", [1, 2])
def test_counter_loops_match_wasmtime(tmp_path, seed):
    module, script, n = _script(seed)
    proven, total = _proven_loads(module)
    assert 0 < proven < total, (proven, total)
    path = tmp_path / f"counters{seed}.wast"
    path.write_text(script)
    assert_wast_passes(path, "explicit", n)
