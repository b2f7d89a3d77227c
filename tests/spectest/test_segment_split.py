"""The spec scripts that exercise linear memory hardest, run with their
memory addressed through the segment register (backends/llvm/memory.py,
"Segment-addressed memory").

The runner gives the segment to a file's module only when it is the only
module there that defines a memory (``exec._sole_memory_module``): one
%gs base per process.  These files define several, so the whole-suite run
(test_exec_suite.py) addresses their memories through ``base``.  Here each
is cut into pieces at every ``module`` command, each piece run as its own
executable: a piece's module is then the only one, and gets the segment.
The files chosen use no ``register`` and no module names, so the pieces
mean what the file means (memory_grow.wast registers one, so it is not
here)."""
from __future__ import annotations

import pytest

from wasmaot.frontend.text import parse_wast
from wasmaot.spectest import exec as ex
from wasmaot.spectest import runner

FILES = ["address.wast", "align.wast", "float_memory.wast",
         "memory_trap.wast", "memory_fill.wast", "memory_copy.wast", "memory_size.wast",
         "simd_address.wast", "simd_align.wast", "simd_load.wast", "simd_load_extend.wast",
         "simd_load_splat.wast", "simd_load_zero.wast", "simd_store.wast"]


def _pieces(cmds: list) -> list[list]:
    """The commands that run (``assert_malformed``/``invalid`` need no
    executable; the whole-suite run checks them), cut before each module."""
    out: list[list] = [[]]
    for c in cmds:
        if c.kind not in ex.EXEC_KINDS:
            continue
        if c.kind == "module" and out[-1]:
            out.append([])
        out[-1].append(c)
    return out


@pytest.mark.parametrize("name", FILES)
def test_pieces_pass_with_the_segment(suite, name):
    path = suite / name
    cmds = parse_wast(path.read_text(), str(path))
    assert not any(c.kind == "register" for c in cmds), "pieces would lose a registration"
    opts = runner.Options(mode="exec", bounds="guard", target="x86_64-linux")
    segmented = passed = 0
    for piece in _pieces(cmds):
        slots = [ex._Slot() for _ in piece]
        if ex._sole_memory_module(ex._load_modules(piece, slots)) is not None:
            segmented += 1
        for cmd, outcome, detail in ex.execute(piece, str(path), opts):
            assert outcome in ("pass", "none"), f"{name}:{cmd.line}: {outcome}: {detail}"
            passed += outcome == "pass"
    assert segmented >= 1 and passed > 0, (segmented, passed)
