"""``python -m wasmaot.bench.instr_count --compare``: the before/after table
of two count files, and a one-line error (exit 2) for a file that is not one."""
from __future__ import annotations

import json

from wasmaot.bench import instr_count


def _counts(path, guard: int, native: int = 100):
    doc = {"rev": "x", "modes": ["guard"], "quick": True, "machine": "x86_64",
           "counts": {"k": {"native": native, "native_error": None, "guard": guard,
                            "guard_error": None}}}
    path.write_text(json.dumps(doc))
    return str(path)


def test_compare_prints_the_ratios(tmp_path, capsys):
    before, after = _counts(tmp_path / "b.json", 150), _counts(tmp_path / "a.json", 120)
    assert instr_count.main(["--compare", before, after]) == 0
    row = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("| k |"))
    assert "0.80x" in row and "1.20x" in row, row


def test_compare_reports_a_missing_or_bad_file(tmp_path, capsys):
    good = _counts(tmp_path / "a.json", 120)
    (tmp_path / "bad.json").write_text("{not json")
    for other in (str(tmp_path / "missing.json"), str(tmp_path / "bad.json")):
        assert instr_count.main(["--compare", other, good]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith(f"instr_count: {other}: "), err
