"""SSA construction at scale: phis only where needed, no recursion limits.

The translator must not create a block parameter per local per join (a
function with 10,000 locals and 100 joins would get a million), must handle
chains of tens of thousands of blocks iteratively, and must remove trivial
phis, including the ones that only become trivial when another is removed.
"""
from __future__ import annotations

import time

from .util import translate_wat


def _params(tr) -> int:
    return sum(len(f.dfg.bparams[b]) for f in tr.module.functions() for b in f.blocks())


def _blocks(tr) -> int:
    return sum(1 for f in tr.module.functions() for _ in f.blocks())


def test_many_locals_many_joins():
    arms = "\n".join(f"(if (i32.eq (local.get 0) (i32.const {k}))"
                     f" (then (local.set {k} (i32.add (local.get {k + 1}) (i32.const 1)))))"
                     for k in range(1, 101))
    wat = f"""(module (func (param i32) (result i32) (local {' i32' * 10000})
      (loop $l {arms}
        (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
      (i32.add (local.get 5000) (local.get 50))))"""
    t0 = time.perf_counter()
    tr = translate_wat(wat)
    secs = time.perf_counter() - t0
    assert _blocks(tr) > 200
    # Locals 1..100 are written in arms (a phi at each if's merge and at the
    # loop header), 0 is the counter: a few hundred params, not 10,000 x 200.
    assert _params(tr) < 1000, _params(tr)
    assert secs < 5


def test_long_block_chain_is_iterative():
    n = 5000     # > the recursion limit; bigger n makes the *verifier* slow (dominance walks)
    body = "(br_if 0 (local.get 0))\n" * n
    wat = f"""(module (func (param i32) (result i32) (local i32)
      (local.set 1 (i32.const 42))
      (block {body})
      (local.get 1)))"""
    tr = translate_wat(wat)
    assert _blocks(tr) > n
    assert _params(tr) == 1               # the function's own parameter


def test_many_sequential_merges_are_iterative():
    n = 3000
    body = "(if (local.get 0) (then (nop)) (else (nop)))\n" * n
    wat = f"""(module (func (param i32 i64) (result i64)
      {body}
      (local.get 1)))"""
    tr = translate_wat(wat)
    # local 1 reaches the end through 3000 merges: every phi is trivial
    assert _params(tr) == 2


def test_trivial_phis_removed_through_nested_loops():
    wat = """(module (func (param i32 i32) (result i32)
      (loop $a (loop $b (loop $c
        (br_if $c (i32.eqz (local.get 1)))
        (br_if $b (i32.eqz (local.get 1))))
        (br_if $a (i32.eqz (local.get 1)))))
      (local.get 0)))"""
    tr = translate_wat(wat)
    # local 1 is read in all three loops, never written: no loop phi survives
    assert _params(tr) == 2
