"""benchmarks/compile_speed.py: its parsing and tables, on tiny input (the
benchmark itself compiles SQLite for minutes and is not run here)."""
from __future__ import annotations

import sys

from wasmaot.bench import compile_speed as cs

STDERR = """  0.200000  frontend
  2.500000  translate
 10.000000  llvm:optimize
  3.000000  llvm:codegen_wall
   seconds      %   runs  changed  pass
  0.754089   34.2   3860       22  dce
codegen: 2 partition(s), 2 worker(s), 3.000 s wall
 part  funcs   IR KiB  worker
"""


def test_parse_time_passes_takes_stage_lines_only():
    st = cs.parse_time_passes(STDERR)
    assert st == {"frontend": 0.2, "translate": 2.5, "llvm:optimize": 10.0,
                  "llvm:codegen_wall": 3.0}
    assert cs.codegen_report(STDERR).startswith("codegen: 2 partition(s)")
    assert cs.codegen_report("nothing") == ""


def test_tables_give_medians_and_ratio_to_clang():
    rows = [{"name": "wasmaot -O2 -j 2", "wall": [30.0, 20.0, 25.0], "cpu": [40.0, 41.0, 42.0],
             "stages": [{"translate": 2.0}, {"translate": 4.0}, {"translate": 3.0}]},
            {"name": "clang -O2", "wall": [50.0, 50.0, 50.0], "cpu": [49.0, 49.0, 49.0],
             "stages": []}]
    table = cs.build_table(rows)
    assert table[1].split() == ["wasmaot", "-O2", "-j", "2", "25.00", "41.00", "3", "0.50"]
    assert table[2].split()[-1] == "1.00"
    stages = cs.stage_table(rows)
    assert stages[0].split() == ["stage", "wasmaot", "-O2", "-j", "2"]
    assert stages[1].split() == ["translate", "3.00"]
    # without a clang row there is no ratio
    assert cs.build_table(rows[:1])[1].split()[-1] == "n/a"


def test_commands_name_level_jobs_and_fresh_outputs(tmp_path):
    w = cs.wasmaot_cmd(tmp_path / "m.wasm", 1, 2, tmp_path / "exe")
    assert w[:3] == [sys.executable, "-m", "wasmaot"]
    assert "-O1" in w and w[w.index("-j") + 1] == "2" and "--time-passes" in w
    c = cs.clang_cmd(tmp_path / "sqlite3.c", 0, tmp_path / "c.o")
    assert c[1:4] == ["-m", "ziglang", "cc"] and "-O0" in c and "-c" in c
