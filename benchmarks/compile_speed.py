#!/usr/bin/env python3
"""Compile time: `wasmaot compile` of the SQLite shell against clang on SQLite's C.

    python benchmarks/compile_speed.py                      # -O0/-O1/-O2, -j 1 and -j 2, 1 round
    python benchmarks/compile_speed.py --runs 3 --levels 2  # the acceptance pair, 3 rounds
    python benchmarks/compile_speed.py --wasm app.wasm --no-clang

Side by side, in one run, interleaved round by round (so the drift of a
shared machine hits every row alike):

* ``wasmaot -O{n} -j {j}``: the whole ``wasmaot compile sqlite.wasm -O{n}
  -j {j}`` command (to an executable, so the link is in; the runtime is
  built once beforehand in a private cache and reused, as it is for users),
  with its ``--time-passes`` stage split.
* ``clang -O{n}``: ``python -m ziglang cc -O{n} -c sqlite3.c`` (the native
  compile of the same C, to an x86-64 object), each time with an empty zig
  cache (zig caches compilations: a second run would take 0.04 s).  Note
  zig's mapping: ``-O1`` is clang ``-O2``; ``-O0`` adds UBSan; every level
  emits debug info (zig's default), as a user typing the command gets.

The module is the SQLite shell built by :mod:`wasm_inputs` (the same one
``frontend_speed.py`` measures).  Wall seconds (median over rounds) and the
CPU seconds of the command and its children are reported, and the ratio of
each wasmaot row to clang at -O2 (the acceptance: ``wasmaot -O2 -j 2`` no
slower than ``clang -O2``).  Results go to
``benchmarks/results/compile_speed.json``.  The benchmark reports; it does
not assert.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from wasmaot.bench.frontend_speed import _git_state, _machine
from wasmaot.bench.wasm_inputs import (SetupError, build_sqlite_wasm, cache_dir, describe_module,
                                       fetch_sqlite_source)

HERE = Path(__file__).resolve().parent

STAGES = ("frontend", "translate", "passes", "translate+passes", "llvm:emit", "llvm:split", "llvm:parse",
          "llvm:optimize", "llvm:object", "llvm:codegen_wall", "llvm", "link")


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """Run ``cmd``; (wall s, CPU s of it and its children, stderr).  Fails loudly."""
    c0, t0 = _children_cpu(), time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall, cpu = time.perf_counter() - t0, _children_cpu() - c0
    if p.returncode != 0:
        tail = "\n".join(p.stderr.strip().splitlines()[-5:])
        raise RuntimeError(f"{' '.join(cmd)} failed (exit {p.returncode}):\n{tail}")
    return wall, cpu, p.stderr


def parse_time_passes(stderr: str) -> dict[str, float]:
    """The stage lines of ``--time-passes`` (``   1.234567  stage``)."""
    out = {}
    for line in stderr.splitlines():
        parts = line.split()
        if len(parts) == 2:
            try:
                out[parts[1]] = float(parts[0])
            except ValueError:
                pass
    return out


def codegen_report(stderr: str) -> str:
    """The per-partition block of ``--time-passes`` (from its ``codegen:`` line)."""
    i = stderr.find("codegen: ")
    return stderr[i:].rstrip() if i >= 0 else ""


def wasmaot_cmd(wasm: Path, level: int, jobs: int, out: Path) -> list[str]:
    return [sys.executable, "-m", "wasmaot", "compile", str(wasm), f"-O{level}", "-j", str(jobs),
            "--time-passes", "-o", str(out)]


def clang_cmd(src: Path, level: int, out: Path) -> list[str]:
    return [sys.executable, "-m", "ziglang", "cc", f"-O{level}", "-c", str(src), "-o", str(out)]


def build_table(rows: list[dict], reference: str = "clang -O2") -> list[str]:
    """Rows ``{"name", "wall": [s...], "cpu": [s...]}`` -> table lines with
    the median wall, median CPU and the wall ratio to ``reference``."""
    med = {r["name"]: statistics.median(r["wall"]) for r in rows}
    ref = med.get(reference)
    lines = [f"{'compile':<22}{'wall s':>9}{'cpu s':>9}{'runs':>6}{'x ' + reference:>16}"]
    for r in rows:
        ratio = f"{med[r['name']] / ref:.2f}" if ref else "n/a"
        lines.append(f"{r['name']:<22}{med[r['name']]:>9.2f}{statistics.median(r['cpu']):>9.2f}"
                     f"{len(r['wall']):>6}{ratio:>16}")
    return lines


def stage_table(rows: list[dict]) -> list[str]:
    """Median seconds per ``--time-passes`` stage, one column per wasmaot row."""
    rows = [r for r in rows if r.get("stages")]
    if not rows:
        return []
    lines = [f"{'stage':<20}" + "".join(f"{r['name']:>18}" for r in rows)]
    for s in STAGES:
        vals = [[st[s] for st in r["stages"] if s in st] for r in rows]
        if any(vals):
            lines.append(f"{s:<20}" + "".join(
                f"{statistics.median(v):>18.2f}" if v else f"{'-':>18}" for v in vals))
    return lines


def warm_runtime(env: dict, scratch: Path) -> None:
    """Build the runtime into the private cache once, outside the timings."""
    wat = scratch / "warm.wat"
    wat.write_text('(module (func (export "_start")))')
    timed([sys.executable, "-m", "wasmaot", "compile", str(wat), "-o", str(scratch / "warm")], env)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wasm", type=Path, help="module to compile (default: the SQLite shell)")
    ap.add_argument("--c-source", type=Path, help="C file for the clang rows (default: sqlite3.c)")
    ap.add_argument("--levels", default="0,1,2", help="optimization levels (default 0,1,2)")
    ap.add_argument("--jobs", default="1,2", help="wasmaot -j values (default 1,2)")
    ap.add_argument("--runs", type=int, default=1, help="rounds (default 1)")
    ap.add_argument("--no-clang", action="store_true", help="skip the clang rows")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "compile_speed.json")
    ap.add_argument("--no-write", action="store_true", help="do not write the JSON file")
    args = ap.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")]
    jobs = [int(x) for x in args.jobs.split(",")]

    try:
        wasm = args.wasm or build_sqlite_wasm()
        src = None if args.no_clang else (args.c_source or
                                          fetch_sqlite_source(cache_dir()) / "sqlite3.c")
    except SetupError as e:
        print(f"error: cannot build the benchmark inputs: {e}", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="wasmaot-compile-speed-") as tmp:
        scratch = Path(tmp)
        env = {**os.environ, "WASMAOT_CACHE_DIR": str(scratch / "cache")}
        warm_runtime(env, scratch)
        configs = [(f"wasmaot -O{o} -j {j}", wasmaot_cmd(wasm, o, j, scratch / "exe"))
                   for o in levels for j in jobs]
        if src:
            configs += [(f"clang -O{o}", clang_cmd(src, o, scratch / "c.o")) for o in levels]
        rows = {name: {"name": name, "command": " ".join(cmd), "wall": [], "cpu": [],
                       "stages": [], "codegen": []} for name, cmd in configs}
        for rnd in range(args.runs):
            for name, cmd in configs:
                run_env = env
                if name.startswith("clang"):      # an empty zig cache: really compile
                    zc = scratch / f"zig-cache-{rnd}-{name.split()[-1]}"
                    run_env = {**env, "ZIG_LOCAL_CACHE_DIR": str(zc), "ZIG_GLOBAL_CACHE_DIR": str(zc)}
                print(f"[round {rnd + 1}/{args.runs}] {name} ...", file=sys.stderr, flush=True)
                wall, cpu, err = timed(cmd, run_env)
                r = rows[name]
                r["wall"].append(wall)
                r["cpu"].append(cpu)
                if name.startswith("wasmaot"):
                    r["stages"].append(parse_time_passes(err))
                    r["codegen"].append(codegen_report(err))
                print(f"    {wall:.2f} s wall, {cpu:.2f} s cpu", file=sys.stderr, flush=True)

    rows = list(rows.values())
    table = build_table(rows)
    stages = stage_table(rows)
    print(f"module: {wasm} ({wasm.stat().st_size / 1e6:.2f} MB); "
          f"{os.cpu_count()} cpus, load {os.getloadavg()[0]:.1f}; {args.runs} round(s)\n")
    print("\n".join(table))
    if stages:
        print("\nwasmaot --time-passes (median s; llvm:parse/optimize/object are summed over "
              "partitions, llvm:codegen_wall is their wall time)\n")
        print("\n".join(stages))
    if not args.no_write:
        result = {"benchmark": "compile_speed",
                  "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  "machine": _machine(), "git": _git_state(), "load_after": os.getloadavg(),
                  "module": describe_module(wasm), "c_source": str(src) if src else None,
                  "runs": args.runs, "rows": rows, "table": table, "stage_table": stages}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
        print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
