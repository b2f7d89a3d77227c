"""Filetests: golden-text tests of the IR text form and the passes.

Each ``filetests/*.ir`` file is::

    ; pass: constfold dce          <- passes to run, in order (may be empty)
    ; any other comment lines       <- description
    <input module text>
    ; check:
    <expected printed module after the passes>

Without a ``; check:`` section the expected output is the input itself with
comment lines removed: a round-trip test (the input must be canonical text).

Every file also checks: the input verifies, the verifier passes after every
pass, and ``parse(print(m)) == m`` structurally for input and output.

Re-bless (rewrite the ``; check:`` sections from the actual output) with
``WASMAOT_BLESS=1 pytest tests/ir``; review the diff before committing.
"""
from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from wasmaot.ir.parser import parse_module
from wasmaot.ir.pipeline import PassManager, available_passes
from wasmaot.ir.printer import print_module
from wasmaot.ir.verifier import verify_module

DIR = Path(__file__).parent / "filetests"
FILES = sorted(DIR.glob("*.ir"))
CHECK = "; check:"


def split(text: str) -> tuple[list[str], str, str | None]:
    lines = text.splitlines(keepends=True)
    passes: list[str] | None = None
    for ln in lines:
        if ln.startswith("; pass:"):
            passes = ln[len("; pass:"):].split()
            break
    if passes is None:
        raise ValueError("filetest needs a '; pass:' header line (may be empty)")
    for k, ln in enumerate(lines):
        if ln.rstrip("\n") == CHECK:
            return passes, "".join(lines[:k]), "".join(lines[k + 1:])
    return passes, text, None


def strip_comments(text: str) -> str:
    body = [ln for ln in text.splitlines(keepends=True) if not ln.lstrip().startswith(";")]
    return "".join(body).strip("\n") + "\n"


def test_every_pass_has_a_filetest():
    """Each pass of ir/passes runs in some filetest (a new pass needs one;
    an empty or moved filetest directory fails here, not vacuously).
    Every opcode is in roundtrip_all_ops.ir (tests/ir/test_core.py)."""
    named = {name for p in FILES for name in split(p.read_text())[0]}
    assert set(available_passes()) <= named, sorted(set(available_passes()) - named)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_filetest(path: Path):
    text = path.read_text()
    passes, input_text, expected = split(text)
    module = parse_module(input_text)
    verify_module(module)
    assert parse_module(print_module(module)) == module, "input does not round-trip"
    pm = PassManager(passes, verify=True)
    pm.run_module(module)
    actual = print_module(module)
    assert parse_module(actual) == module, "output does not round-trip"
    want = strip_comments(input_text) if expected is None else expected.strip("\n") + "\n"
    if actual == want:
        return
    if os.environ.get("WASMAOT_BLESS"):
        path.write_text(input_text.rstrip("\n") + "\n" + CHECK + "\n" + actual)
        return
    diff = "".join(difflib.unified_diff(want.splitlines(keepends=True),
                                        actual.splitlines(keepends=True),
                                        f"{path.name} (expected)", f"{path.name} (actual)"))
    pytest.fail(f"output differs (re-bless with WASMAOT_BLESS=1):\n{diff}", pytrace=False)
