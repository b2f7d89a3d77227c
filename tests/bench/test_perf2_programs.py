"""The programs bench records the machine's load, so a run on a busy
shared machine is recognisable in its report."""
from __future__ import annotations

from wasmaot.bench import programs


def _doc(loadavg):
    eng = {"median_s": 1.0, "ratio": 1.0, "status": "ok", "times": [1.0]}
    return {"date": "2026-12-06T00:00:00+00:00", "runs": 1, "machine": "x86_64, 2 CPUs",
            "versions": "v", "isa": "host", "native_cpu": "cpu", "engines": ["native"],
            "programs": {"hello": {"source": "s", "engines": {"native": eng}}},
            "geomean": {"native": 1.0}, "loadavg": loadavg}


def test_markdown_states_the_load_at_start_and_end():
    md = programs.markdown(_doc([15.5, 17.2]))
    assert "Load average 15.5 at the start, 17.2 at the end." in md


def test_no_load_note_without_a_load_average():
    assert "Load average" not in programs.markdown(_doc([None, None]))
    assert "Load average" not in programs.markdown(_doc(None))


def test_loadavg_is_a_number_here():
    assert isinstance(programs._loadavg(), float)
