"""Alias scopes in loopversion's copies (ir/passes/_aliasscope.py).

SQLite's cell-pointer loop (``balance``): walks of steps 2 (two byte loads)
and 4 (a store), and a counter stored at a fixed address every visit.  With
the scopes LLVM keeps the counter in a register and vectorizes the copy;
the calls then put the counter inside each walk, and the walks over each
other, where the test must send the loop to its checked original, and
compare results and memory with wasmtime in both bounds modes.  A second
loop reads the counter back every visit and stores it before the cell, so
that a cell written over the counter's first byte changes what the next
visit reads."""
from __future__ import annotations

import re

import pytest
import wasmtime
from wasmaot.backends import CompileOptions
from wasmaot.compile import compile_bytes

from .test_loopversion_random import PROBE
from .wast_check import assert_wast_passes, expect

CELLS = """(module
  (memory (export "memory") 1)
  (func (export "cells") (param $p i32) (param $end i32) (param $a i32) (param $c i32)
    (local $n i32)
    (local.set $n (i32.load (local.get $c)))
    (loop $l
      (i32.store (local.get $a)
        (i32.add (i32.const 7)
          (i32.and (i32.const 0xfff)
            (i32.or (i32.shl (i32.load8_u (local.get $p)) (i32.const 8))
                    (i32.load8_u offset=1 (local.get $p))))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (i32.store (local.get $c) (local.get $n))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (local.set $p (i32.add (local.get $p) (i32.const 2)))
      (br_if $l (i32.lt_u (local.get $p) (local.get $end)))))
  (func (export "cells2") (param $p i32) (param $end i32) (param $a i32) (param $c i32)
    (loop $l
      (i32.store (local.get $c) (i32.add (i32.load (local.get $c)) (i32.const 1)))
      (i32.store (local.get $a)
        (i32.or (i32.shl (i32.load8_u (local.get $p)) (i32.const 8))
                (i32.load8_u offset=1 (local.get $p))))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (local.set $p (i32.add (local.get $p) (i32.const 2)))
      (br_if $l (i32.lt_u (local.get $p) (local.get $end)))))
  (func (export "fill") (local $i i32)
    (loop $l
      (i32.store8 (local.get $i) (i32.mul (local.get $i) (i32.const 37)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.ne (local.get $i) (i32.const 65536)))))
""" + PROBE + ")\n"

#: (p, end, a, c): disjoint; the counter inside the stored cells, inside
#: the read bytes, on their first and last byte and just beside them (the
#: bytes read are 1000..1399, the cells 20000..20799); the cells over the
#: bytes (forward and behind); a run that leaves the memory (traps in the
#: checked loop).
CALLS = [(1000, 1400, 20000, 40000), (1000, 1400, 20000, 20100), (1000, 1400, 20000, 1200),
         (1000, 1400, 20000, 1398), (1000, 1400, 20000, 1399), (1000, 1400, 20000, 1400),
         (1000, 1400, 20000, 996), (1000, 1400, 20000, 997), (1000, 1400, 20000, 20800),
         (1000, 1400, 20000, 20799), (1000, 1400, 20000, 19997), (1000, 1400, 20000, 19996),
         (1000, 1400, 20000, 20796), (1000, 1400, 1100, 40000), (1000, 1400, 900, 40000),
         (1000, 3000, 600, 50000), (100, 120, 60000, 62000), (65500, 65600, 1000, 90),
         (2000, 2400, 65300, 5000)]


def _script() -> tuple[str, int]:
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    ex = wasmtime.Instance(store, wasmtime.Module(engine, CELLS), []).exports(store)
    lines = [CELLS]
    for name in ("cells", "cells2"):
        for args in CALLS:
            lines.append(expect(ex, store, "fill"))
            lines.append(expect(ex, store, name, *args))
            lines.append(expect(ex, store, "probe", 0))
    return "\n".join(lines) + "\n", len(lines)


def test_copy_is_scoped_and_vectorized():
    ir = compile_bytes(CELLS.encode(), "cells.wat", CompileOptions(bounds="guard"), emit="ir").data
    # cells' copy: two loads, the cell store, the counter; cells2's: the
    # same and the counter's load (fill writes one walk, probe only reads:
    # no scopes)
    assert ir.count("scope=") == 9
    ll = compile_bytes(CELLS.encode(), "cells.wat",
                       CompileOptions(bounds="guard", cpu="x86-64-v3", opt_level=2), emit="llvm").data
    # the cell stores of cells' own function, vectorized (fill's and
    # probe's vector code does not count)
    callee = re.search(r"define void @wasm_export_cells\(.*?call fastcc void (@[\w.]+)\(", ll, re.S)
    body = ll[ll.index(f"define internal fastcc void {callee.group(1)}("):]
    body = body[:body.index("\n}\n")]
    assert re.search(r"store <(8|4) x i32>.*!alias\.scope", body), body[:3000]


@pytest.mark.parametrize("bounds", ["guard", "explicit"])
def test_overlaps_run_the_checked_loop(tmp_path, bounds):
    script, n = _script()
    path = tmp_path / "cells.wast"
    path.write_text(script)
    assert_wast_passes(path, bounds, n)


def test_scopes_are_distinct_self_referential_nodes():
    """Scope and domain nodes are ``distinct !{!N, ...}``: LLVM's inliner
    gives each inlined copy of a function new ones only then (a node named
    by a string alone would be uniqued back into the original, and two
    inlined copies of one loop would claim no overlap between each
    other's accesses, which only the test of one run of the loop shows)."""
    ll = compile_bytes(CELLS.encode(), "cells.wat", CompileOptions(bounds="guard", opt_level=0),
                       emit="llvm").data
    defs = dict(re.findall(r"^(![0-9]+) = (.*)$", ll, re.M))
    lists = set(re.findall(r"!alias\.scope (![0-9]+)", ll))
    scopes = {sc for lst in lists for sc in re.findall(r"![0-9]+", defs[lst])}
    assert len(scopes) == 6                     # per loop: the bytes read, the cells, the counter
    for sc in scopes:
        m = re.fullmatch(r"distinct !\{(![0-9]+), (![0-9]+), !\"[^\"]+\"\}", defs[sc])
        assert m and m.group(1) == sc, defs[sc]
        dom = defs[m.group(2)]
        assert re.fullmatch(rf"distinct !\{{{m.group(2)}, !\"[^\"]+\"\}}", dom), dom
