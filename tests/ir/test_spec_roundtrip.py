"""The IR text form carries the whole module: for every valid module of the
Wasm 2.0 spec suite (top level, SIMD included) and of extended-const,
``parse_module(print_module(translate(m))) == translate(m)`` structurally
(``Module.structure()``: declarations, imports in import-section order,
exports, start, segment contents, init function, every body), the
re-parsed module verifies, and printing it again gives the same text.

"Valid module" = every command that carries a module which decodes and
validates (``module``, ``assert_trap``/``assert_unlinkable``/
``assert_uninstantiable`` on a module).  The whole suite, serially: about
10 s here (1810 modules).
"""
from __future__ import annotations

import sys
import time

from wasmaot.frontend.errors import WasmError
from wasmaot.frontend.load import load_module
from wasmaot.frontend.text import parse_wast
from wasmaot.ir.parser import parse_module
from wasmaot.ir.printer import print_module
from wasmaot.ir.translate import translate_module
from wasmaot.ir.verifier import VerifierError, verify_module
from wasmaot.spectest.table import carries_module


def _valid_modules(path):
    for cmd in parse_wast(path.read_text(), str(path)):
        if not carries_module(cmd):
            continue
        try:
            yield cmd.line, load_module(cmd.module.to_binary())
        except WasmError:
            continue          # the frontend's business (its own suite checks these)


def _roundtrip_failure(m) -> str | None:
    ir = translate_module(m)
    text = print_module(ir)
    back = parse_module(text)
    if back != ir:
        first = next(i for i, (a, b) in enumerate(zip(back.structure(), ir.structure())) if a != b)
        return f"structure differs (Module.structure()[{first}])"
    try:
        verify_module(back)
    except VerifierError as e:
        return f"re-parsed module does not verify: {e.errors[0]}"
    if print_module(back) != text:
        return "printing the re-parsed module gives other text"
    return None


def test_every_spec_module_roundtrips_through_text(suite):
    files = sorted(suite.glob("*.wast")) + sorted((suite / "proposals" / "extended-const").glob("*.wast"))
    t0 = time.perf_counter()
    n, failures = 0, []
    for path in files:
        for line, m in _valid_modules(path):
            n += 1
            why = _roundtrip_failure(m)
            if why:
                failures.append(f"{path.name}:{line}: {why}")
    print(f"\nIR text round trip: {n} modules in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    assert not failures, "\n".join(failures[:20])
    assert n > 1500                      # the suite was really read


def test_roundtrip_check_can_fail(suite):
    """The comparison sees a lost field (here: an export dropped in print)."""
    m = load_module(b'(module (func (export "f")) (data "x"))', "t.wat")
    assert _roundtrip_failure(m) is None
    ir = translate_module(m)
    text = print_module(ir).replace('export "f" fn0\n', "")
    assert parse_module(text) != ir
