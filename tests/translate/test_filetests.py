"""Translator filetests: ``filetests/*.wat`` -> expected IR text.

Format (the IR filetests' one, see ``tests/ir/test_filetests.py``, whose
``split``/``strip_comments`` are reused)::

    ; pass:                         <- IR passes to run after translating (usually none)
    ;; description (wat comments)
    (module ...)                    <- input; lines starting with ';' are dropped
    ; check:
    <expected IR: the defined functions, printed; __wasmaot_init only when
     it does more than return>

Every translated function is verified (``util.verify_translation``), also
after each pass.  Re-bless with ``WASMAOT_BLESS=1 pytest tests/translate``
and review the diff.
"""
from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from tests.ir.test_filetests import CHECK, split, strip_comments
from wasmaot.ir.pipeline import PassManager
from wasmaot.ir.translate import INIT_NAME

from .util import render, translate_wat

DIR = Path(__file__).parent / "filetests"
FILES = sorted(DIR.glob("*.wat"))


def test_filetests_are_collected():
    """The glob finds the filetests: a moved directory would otherwise make
    the parametrized test below collect nothing and pass."""
    assert len(FILES) >= 22


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_filetest(path: Path):
    text = path.read_text()
    passes, input_text, expected = split(text)
    tr = translate_wat(strip_comments(input_text))
    if passes:
        pm = PassManager(passes, verify=True)
        for f in tr.module.functions():
            if f.name != INIT_NAME:
                pm.run_function(f)
    actual = render(tr)
    want = None if expected is None else expected.strip("\n") + "\n"
    if actual == want:
        return
    if os.environ.get("WASMAOT_BLESS"):
        path.write_text(input_text.rstrip("\n") + "\n" + CHECK + "\n" + actual)
        return
    if want is None:
        pytest.fail(f"{path.name}: no '{CHECK}' section (bless with WASMAOT_BLESS=1)")
    diff = "".join(difflib.unified_diff(want.splitlines(keepends=True),
                                        actual.splitlines(keepends=True),
                                        f"{path.name} (expected)", f"{path.name} (actual)"))
    pytest.fail(f"output differs (re-bless with WASMAOT_BLESS=1):\n{diff}", pytrace=False)
