"""Random counted loops near the memory's end, against wasmtime.

Soundness of the range analysis (ir/analysis/ranges.py) where it matters:
loops whose induction variable starts, steps and stops at random constants
(up and down, every comparison, wrapping ones included) and addresses
``i * scale + offset`` around the end of a 1-page memory.  Each loop reads
(both bounds modes) or writes (explicit mode: guard mode has a known gap
with vectorized stores, see test_trapelim_exec.py) memory; a fuel counter
stops loops that would run for 2^32 iterations.  wasmtime gives the
expected result or trap of every function and, after the writing ones, a
checksum of the whole memory; the script runs through ``wasmaot spectest``.
The test also checks that the pass proved some of the accesses (else it
would test only the checks).
"""
import random

import pytest
import wasmtime
from wasmaot.backends import CompileOptions
from wasmaot.compile import compile_bytes
from wasmaot.ir.opcodes import OPINFO, ImmKind, MemFlags
from wasmaot.ir.parser import parse_module

from .wast_check import assert_wast_passes

CMPS = ["ne", "lt_u", "le_u", "gt_u", "ge_u", "lt_s", "le_s", "gt_s", "ge_s"]
N_FUNCS = 60
FUEL = 40000

CHECKSUM = """
  (func (export "checksum") (result i32)
    (local $p i32) (local $h i32)
    (loop $l
      (local.set $h (i32.add (i32.mul (local.get $h) (i32.const 31)) (i32.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br_if $l (i32.ne (local.get $p) (i32.const 65536))))
    (local.get $h))
"""


def _loop(rng: random.Random, k: int, write: bool) -> str:
    step = rng.choice([1, 2, 4, 8, -1, -2, -4, -8])
    scale = rng.choice([1, 2, 4, 8])
    count = rng.randrange(1, 300)
    top = 65536 // scale
    start = rng.choice([rng.randrange(top), top - count * abs(step) // 2, rng.randrange(-50, 50)])
    end = start + step * count + rng.choice([0, 0, 0, 1, -1, step])
    off = rng.choice([0, 0, 4, rng.randrange(0, 64)])
    cmp = rng.choice(CMPS)
    width = rng.choice(["i32.load", "i32.load8_u", "i64.load"] if not write else ["i32.store", "i32.store8"])
    addr = f"(i32.add (i32.mul (local.get $i) (i32.const {scale})) (i32.const 0))"
    if write:
        body = f"({width} offset={off} {addr} (local.get $i))"
    elif width == "i64.load":
        body = f"(local.set $s (i32.add (local.get $s) (i32.wrap_i64 ({width} offset={off} {addr}))))"
    else:
        body = f"(local.set $s (i32.add (local.get $s) ({width} offset={off} {addr})))"
    return f"""
  (func (export "f{k}") (result i32)
    (local $i i32) (local $s i32) (local $fuel i32)
    (local.set $i (i32.const {start}))
    (local.set $fuel (i32.const {FUEL}))
    (block $out
      (loop $l
        {body}
        (local.set $i (i32.add (local.get $i) (i32.const {step})))
        (local.set $fuel (i32.sub (local.get $fuel) (i32.const 1)))
        (br_if $out (i32.eqz (local.get $fuel)))
        (br_if $l (i32.{cmp} (local.get $i) (i32.const {end})))))
    (i32.add (local.get $s) (local.get $i)))
"""


def _script(seed: int, write: bool) -> tuple[str, str, int]:
    """(module text, .wast script, number of commands)."""
    rng = random.Random(seed)
    funcs = [_loop(rng, k, write) for k in range(N_FUNCS)]
    module = "(module\n  (memory 1)" + "".join(funcs) + CHECKSUM + ")\n"
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    inst = wasmtime.Instance(store, wasmtime.Module(engine, module), [])
    ex = inst.exports(store)
    lines = [module]
    for k in range(N_FUNCS):
        try:
            r = ex[f"f{k}"](store)
            lines.append(f'(assert_return (invoke "f{k}") (i32.const {r}))')
        except wasmtime.Trap as t:
            assert "out of bounds memory access" in str(t), t
            lines.append(f'(assert_trap (invoke "f{k}") "out of bounds memory access")')
        if write:
            lines.append(f'(assert_return (invoke "checksum") (i32.const {ex["checksum"](store)}))')
    return module, "\n".join(lines) + "\n", len(lines)


def _proven(module: str) -> tuple[int, int]:
    ir = parse_module(compile_bytes(module.encode(), "r.wat", CompileOptions(), emit="ir").data)
    flags = [MemFlags.notrap(d.body.dfg.inst_imm(i, ImmKind.MEMFLAGS))
             for d in ir.funcs if d.body is not None and d.name != f"fn{N_FUNCS}"
             for i in d.body.all_insts() if OPINFO[d.body.dfg.op[i]].access]
    return sum(flags), len(flags)


@pytest.mark.parametrize("seed,write,bounds", [(1, False, "explicit"), (1, False, "guard"),
                                               (2, True, "explicit"), (3, False, "explicit")])
def test_random_loops_match_wasmtime(tmp_path, seed, write, bounds):
    module, script, n = _script(seed, write)
    proven, total = _proven(module)
    assert 0.1 * total < proven < total, (proven, total)
    path = tmp_path / f"loops{seed}.wast"
    path.write_text(script)
    assert_wast_passes(path, bounds, n)
