"""The runtime's byte routines (runtime-c/core/string.c), hosted (word
copies, 64- and 32-bit), against byte-at-a-time references:
every length to 300, overlap in both directions; wasmaot_rt_mismatch for
every length to 40, a difference at every place (tests/runtime/c/perf2_bytes.c)."""
from __future__ import annotations

import pytest

from .conftest import run


@pytest.mark.parametrize("config", ["x86_64-linux-musl", "x86-linux-musl"])
def test_memmove_and_memset_match_the_reference(builder, config):
    proc = run(builder.build(config).link("perf2_bytes"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == "ok\n"
