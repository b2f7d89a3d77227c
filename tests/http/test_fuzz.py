"""The HTTP parser fuzzer's CI sample (a few seconds; the long run is
``python -m tests.http.fuzz.run --seconds 600``, its counts in the issue's
note): no crash, no hang, no broken invariant, and the corpus grows (the
coverage guidance works).  The self-test shows a read past an input is
caught, so a clean sample means something."""
from __future__ import annotations

import subprocess

from .fuzz import run


def test_fuzz_sample(tmp_path):
    totals = run.run(seconds=4, rounds=2, crashes=tmp_path / "crashes")
    assert (totals["crashes"], totals["hangs"], totals["saved"]) == (0, 0, []), totals
    assert totals["inputs"] > 5000, totals
    assert totals["corpus"] > len(run.SEEDS) and totals["edges_seen"] > totals["edges"] // 2, totals


def test_fuzz_catches_a_read_past_the_input(tmp_path):
    r = subprocess.run([str(run.build()), "--selftest", str(tmp_path)], capture_output=True, text=True,
                       timeout=60, check=False)
    assert r.returncode == 2 and "signal 11" in r.stderr, r.stderr
    saved = list(tmp_path.iterdir())
    assert len(saved) == 1 and saved[0].read_bytes() == b"GET / HTTP/1.1\r\n"
