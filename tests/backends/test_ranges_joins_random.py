"""Random loops whose index passes through join blocks, against wasmtime.

Soundness of Ranges' loop-header parameters bounded through join blocks
inside the loop (ir/analysis/ranges.py, ``_loose_join``): an index ``r``
set in some branches of the loop body (masked, a constant, a masked sum,
``r + 1``) and kept in others, read as ``r * 4 + off`` near the end of a
1-page memory.  wasmtime gives the expected result or trap; the test also
checks that some of the reads were proven (else it would test only the
checks)."""
import random

import pytest
import wasmtime
from wasmaot.backends import CompileOptions
from wasmaot.compile import compile_bytes
from wasmaot.ir.opcodes import OPINFO, ImmKind, MemFlags
from wasmaot.ir.parser import parse_module

from .wast_check import assert_wast_passes, expect

N_FUNCS = 60


def _expr(rng: random.Random, mask: int) -> str:
    return rng.choice([
        f"(i32.and (i32.add (i32.mul (local.get $r) (i32.const 10)) (local.get $s)) (i32.const {mask}))",
        f"(i32.const {rng.randrange(mask + 1)})",
        "(local.get $r)",
        f"(i32.and (local.get $s) (i32.const {mask}))",
        f"(i32.and (local.get $s) (i32.const {mask}))",
        "(i32.add (local.get $r) (i32.const 1))",
    ])


def _func(rng: random.Random, k: int) -> str:
    mask = rng.choice([3, 15, 255, 1023])
    off = 65536 - 4 * (mask + 1) + rng.choice([0, 0, 0, 1, -1, 4, -4, rng.randrange(-64, 64)])
    off = max(0, off)
    e1, e2, e3 = _expr(rng, mask), _expr(rng, mask), _expr(rng, mask)
    n = rng.randrange(1, 300)
    return f"""
  (func (export "f{k}") (param $x i32) (result i32)
    (local $r i32) (local $s i32) (local $i i32)
    (local.set $s (local.get $x))
    (loop $l
      (local.set $s (i32.add (local.get $s) (i32.load offset={off} (i32.shl (local.get $r) (i32.const 2)))))
      (if (i32.eqz (i32.and (local.get $i) (i32.const 3)))
        (then (local.set $r {e1}))
        (else (if (i32.eq (i32.and (local.get $i) (i32.const 3)) (i32.const 1))
          (then (local.set $r {e2}))
          (else (if (i32.and (local.get $s) (i32.const 64)) (then (local.set $r {e3})))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const {n}))))
    (i32.add (local.get $s) (local.get $r)))
"""


INIT = """
  (func (export "init")
    (local $p i32)
    (loop $l
      (i32.store (local.get $p) (i32.mul (local.get $p) (i32.const 2654435761)))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br_if $l (i32.ne (local.get $p) (i32.const 65536)))))
"""


def _script(seed: int) -> tuple[str, str, int]:
    rng = random.Random(seed)
    module = "(module\n  (memory 1)" + INIT + "".join(_func(rng, k) for k in range(N_FUNCS)) + ")\n"
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    ex = wasmtime.Instance(store, wasmtime.Module(engine, module), []).exports(store)
    ex["init"](store)
    lines = [module, '(invoke "init")']
    for k in range(N_FUNCS):
        for x in (0, rng.randrange(1 << 31)):
            lines.append(expect(ex, store, f"f{k}", x))
    return module, "\n".join(lines) + "\n", len(lines)


def _proven(module: str) -> tuple[int, int]:
    ir = parse_module(compile_bytes(module.encode(), "r.wat", CompileOptions(bounds="explicit"),
                                    emit="ir").data)
    flags = [MemFlags.notrap(d.body.dfg.inst_imm(i, ImmKind.MEMFLAGS))
             for d in ir.funcs if d.body is not None and d.name not in ("fn0", f"fn{N_FUNCS + 1}")
             for i in d.body.all_insts() if OPINFO[d.body.dfg.op[i]].access]
    return sum(flags), len(flags)


@pytest.mark.parametrize("seed,bounds", [(1, "explicit"), (2, "guard")])
def test_join_loops_match_wasmtime(tmp_path, seed, bounds):
    module, script, n = _script(seed)
    proven, total = _proven(module)
    assert 0.1 * total < proven < total, (proven, total)
    path = tmp_path / f"joins{seed}.wast"
    path.write_text(script)
    assert_wast_passes(path, bounds, n)
