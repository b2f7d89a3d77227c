"""Corpus tests over the pinned spec testsuite (../shared/spec-testsuite).

* Every valid module of every non-SIMD script translates, and every function
  (``__wasmaot_init`` included) passes the IR verifier.
* Every valid module of the SIMD scripts translates and verifies too
  (their execution is checked by ``wasmaot spectest``: the IR oracle has
  no v128).
* Every ``assert_return``/``assert_trap`` of the non-SIMD scripts holds when
  the translated IR is run by the test oracle (``interp.py``): the
  translator's semantics, not just well-formedness.  The same for the
  tail-call, wide-arithmetic and (non-SIMD) multi-memory proposals' scripts,
  and memory64's (its proposal's and the wasm-3.0 folder's, as the spec
  runner decodes them: ``script_features``).

Totals (modules, functions, IR instructions, seconds) are printed with -s.
"""
from __future__ import annotations

import collections
import re
import sys
import time

from wasmaot.frontend.errors import WasmError
from wasmaot.frontend.load import load_module
from wasmaot.frontend.text import ModuleCommand, parse_wast
from wasmaot.ir.translate import translate

from .exec_spec import run_script
from .util import verify_translation


def _scripts(suite, simd: bool):
    return [p for p in sorted(suite.glob("*.wast")) if p.name.startswith("simd_") == simd]


def _modules(path):
    for c in parse_wast(path.read_text(), str(path)):
        if isinstance(c, ModuleCommand):
            try:
                yield load_module(c.module.to_binary())
            except WasmError:
                continue          # the frontend's business (assert_* modules, quotes)


def test_corpus_translates_and_verifies(suite):
    t0 = time.perf_counter()
    n = collections.Counter()
    for path in _scripts(suite, simd=False):
        for m in _modules(path):
            tr = translate(m)                 # no TranslateError expected: no SIMD here
            verify_translation(tr)
            n["modules"] += 1
            for f in tr.module.functions():
                n["functions"] += 1
                n["insts"] += f.num_live_insts()
    secs = time.perf_counter() - t0
    print(f"\ncorpus: {dict(n)} in {secs:.1f}s (parse+load+translate+verify)", file=sys.stderr)
    assert n["modules"] > 1000
    assert secs < 90


def test_simd_scripts_translate_and_verify(suite):
    n = collections.Counter()
    for path in _scripts(suite, simd=True):
        for m in _modules(path):
            verify_translation(translate(m))
            n["translated"] += 1
    print(f"\nsimd scripts: {dict(n)}", file=sys.stderr)
    assert n["translated"] > 300


def test_spec_assertions_hold_on_ir(suite):
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 20000))
    try:
        counts, failures = collections.Counter(), []
        for path in _scripts(suite, simd=False):
            run_script(str(path), counts, failures)
    finally:
        sys.setrecursionlimit(old)
    print(f"\nspec assertions on IR: {dict(counts)}", file=sys.stderr)
    assert not failures, "\n".join(failures[:30])
    assert counts["pass"] > 23000


def test_tail_call_assertions_hold_on_ir(suite):
    """The tail-call proposal's scripts on the IR oracle, at Python's
    default recursion limit: their 10^6-deep tail recursion passes only
    because ``return_call``/``return_call_indirect`` replace the frame."""
    counts, failures = collections.Counter(), []
    files = sorted((suite / "proposals" / "tail-call").glob("*.wast"))
    assert len(files) == 2, files
    for path in files:
        run_script(str(path), counts, failures)
    assert not failures, "\n".join(failures[:30])
    # every assert_return / assert_trap line of the two scripts
    want = sum(len(re.findall(r"^\(assert_(?:return|trap)\b", f.read_text(), re.MULTILINE))
               for f in files)
    assert counts["pass"] == want > 70, (counts, want)


def test_wide_arithmetic_assertions_hold_on_ir(suite):
    """The wide-arithmetic proposal's script on the IR oracle, whose
    iadd128 & co. are the proposal's definitions on Python integers."""
    counts, failures = collections.Counter(), []
    files = sorted((suite / "proposals" / "wide-arithmetic").glob("*.wast"))
    assert len(files) == 1, files
    run_script(str(files[0]), counts, failures)
    assert not failures, "\n".join(failures[:30])
    want = len(re.findall(r"^\(assert_(?:return|trap)\b", files[0].read_text(), re.MULTILINE))
    assert counts["pass"] == want > 90, (counts, want)


def test_multi_memory_assertions_hold_on_ir(suite):
    """The multi-memory proposal's non-SIMD scripts on the IR oracle: every
    access, size/grow and bulk op reaches the memory its index names."""
    counts, failures = collections.Counter(), []
    files = [f for f in sorted((suite / "proposals" / "multi-memory").glob("*.wast"))
             if "simd" not in f.name]
    assert len(files) > 40, files
    for path in files:
        run_script(str(path), counts, failures)
    assert not failures, "\n".join(failures[:30])
    want = sum(len(re.findall(r"^\(assert_(?:return|trap)\b", f.read_text(), re.MULTILINE))
               for f in files)
    assert counts["pass"] >= want > 700, (counts, want)


MEMORY64_WASM3 = ["address64.wast", "align64.wast", "endianness64.wast", "float_memory64.wast",
                  "load64.wast", "memory64.wast", "memory_grow64.wast",
                  "memory_redundancy64.wast", "memory_trap64.wast", "memory_fill.wast",
                  "memory_init.wast"]


def test_memory64_assertions_hold_on_ir(suite):
    """memory64 scripts on the IR oracle: i64 addresses and offsets, i64
    memory.size/grow (-1 of i64 on failure), bulk ops on 64-bit memories."""
    from wasmaot.frontend.features import DEFAULT, using
    from wasmaot.spectest.runner import script_features
    counts, failures = collections.Counter(), []
    prop = suite / "proposals"
    files = [prop / "memory64" / "memory.wast", prop / "memory64" / "memory64.wast"]
    files += [prop / "wasm-3.0" / n for n in MEMORY64_WASM3]
    for path in files:
        with using(script_features(str(path), DEFAULT)):
            run_script(str(path), counts, failures)
    assert not failures, "\n".join(failures[:30])
    assert counts["pass"] > 1100, counts
