#!/usr/bin/env python3
"""Frontend throughput: decode + validate MB/s on a >= 1 MB real-world module.

    python benchmarks/frontend_speed.py                # SQLite shell, built on first use
    python benchmarks/frontend_speed.py --wasm app.wasm
    python benchmarks/frontend_speed.py --profile      # + cProfile of validation

Phases timed (median of ``--runs`` after ``--warmup`` runs, each on a fresh
decode so nothing is cached between runs):

* ``decode``          ``decode_module``: sections; function bodies are only
                      delimited (the decoder is lazy by design);
* ``decode+instrs``   ``decode_module`` plus decoding every instruction of
                      every body with ``code.iter_instrs`` (no typing): the
                      cost of instruction decoding alone;
* ``validate``        ``validate_module`` on an already decoded module;
* ``decode+validate`` the two together: what ``wasmaot validate`` does.  The
                      target is >= 2 MB/s in CPython.

MB/s is module bytes / time (MB = 10**6 bytes); ``us/instr`` is time /
instructions in all function bodies.  Results go to
``benchmarks/results/frontend_speed.json``.  The benchmark reports; it does
not assert.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from wasmaot.bench.wasm_inputs import SetupError, build_sqlite_wasm, cache_dir, describe_module

HERE = Path(__file__).resolve().parent

TARGET_MBPS = 2.0


def _frontend():
    from wasmaot.frontend.binary import decode_module
    from wasmaot.frontend.code import iter_instrs, read_locals
    try:
        from wasmaot.frontend.validate import validate_module
    except ImportError:
        validate_module = None
    return decode_module, iter_instrs, read_locals, validate_module


def count_instrs(m, iter_instrs, read_locals) -> int:
    data = m.data
    n = 0
    for start, stop in m.bodies:
        _, pos = read_locals(data, start, stop)
        for _ in iter_instrs(data, pos, stop):
            n += 1
    return n


def _time(fn, runs: int, warmup: int, setup=None) -> list[float]:
    times = []
    for i in range(warmup + runs):
        arg = setup() if setup else None
        gc.collect()
        t0 = time.perf_counter()
        fn(arg)
        dt = time.perf_counter() - t0
        if i >= warmup:
            times.append(dt)
    return times


def _machine() -> dict:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"platform": platform.platform(), "machine": platform.machine(), "cpu": cpu,
            "cpus": os.cpu_count(), "python": sys.version.split()[0],
            "implementation": platform.python_implementation()}


def _git_state() -> dict:
    """HEAD and whether the frontend has uncommitted changes (others work in this tree)."""
    import subprocess
    repo = HERE.parent
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "frontend"], cwd=repo,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {}
    return {"head": head, "frontend_uncommitted_changes": bool(dirty)}


def profile_validate(data: bytes, decode_module, validate_module, top: int) -> str:
    m = decode_module(data)
    prof = cProfile.Profile()
    prof.enable()
    validate_module(m)
    prof.disable()
    out = io.StringIO()
    st = pstats.Stats(prof, stream=out)
    st.sort_stats("tottime").print_stats(top)
    st.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wasm", type=Path, help="module to measure (default: the SQLite shell, "
                    f"built into {cache_dir()} on first use)")
    ap.add_argument("--runs", type=int, default=7, help="timed runs per phase (default 7)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the SQLite module")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "frontend_speed.json",
                    help="JSON results file (default benchmarks/results/frontend_speed.json)")
    ap.add_argument("--no-write", action="store_true", help="do not write the JSON file")
    ap.add_argument("--profile", action="store_true",
                    help="also print a cProfile of one validation (top functions)")
    ap.add_argument("--top", type=int, default=25, help="profile lines to show")
    args = ap.parse_args(argv)

    try:
        path = args.wasm if args.wasm else build_sqlite_wasm(rebuild=args.rebuild)
    except SetupError as e:
        print(f"error: cannot build the benchmark module: {e}", file=sys.stderr)
        return 2
    try:
        data = path.read_bytes()
    except OSError as e:
        print(f"error: {path}: {e.strerror or e}", file=sys.stderr)
        return 2
    info = describe_module(path)
    size = len(data)
    if size < 1_000_000:
        print(f"warning: {path} is {size} bytes (< 1 MB); figures are less meaningful",
              file=sys.stderr)

    decode_module, iter_instrs, read_locals, validate_module = _frontend()
    from wasmaot.frontend.errors import WasmError
    try:
        m = decode_module(data, str(path))
        ninstrs = count_instrs(m, iter_instrs, read_locals)
        if validate_module:
            validate_module(m)
    except WasmError as e:
        print(f"error: the benchmark module is rejected: {e}", file=sys.stderr)
        return 1
    nfuncs, code_bytes = len(m.bodies), sum(b - a for a, b in m.bodies)

    phases = {}
    phases["decode"] = _time(lambda _: decode_module(data), args.runs, args.warmup)
    phases["decode+instrs"] = _time(
        lambda _: count_instrs(decode_module(data), iter_instrs, read_locals),
        args.runs, args.warmup)
    if validate_module:
        phases["validate"] = _time(validate_module, args.runs, args.warmup,
                                   setup=lambda: decode_module(data))
        phases["decode+validate"] = _time(lambda _: validate_module(decode_module(data)),
                                          args.runs, args.warmup)

    rows = {}
    for name, ts in phases.items():
        med = statistics.median(ts)
        rows[name] = {"median_s": med, "min_s": min(ts), "max_s": max(ts), "runs": len(ts),
                      "mb_per_s": size / med / 1e6, "us_per_instr": med / ninstrs * 1e6}

    print(f"module: {path}  ({size / 1e6:.3f} MB, {nfuncs} functions, "
          f"{code_bytes / 1e6:.3f} MB of code, {ninstrs} instructions)")
    print(f"python: {sys.version.split()[0]} ({platform.python_implementation()}), "
          f"{os.cpu_count()} cpus; median of {args.runs} runs after {args.warmup} warm-up")
    print()
    print(f"{'phase':<17}{'median s':>10}{'min s':>9}{'MB/s':>9}{'us/instr':>10}")
    for name, r in rows.items():
        print(f"{name:<17}{r['median_s']:>10.3f}{r['min_s']:>9.3f}"
              f"{r['mb_per_s']:>9.2f}{r['us_per_instr']:>10.3f}")
    if validate_module:
        mbps = rows["decode+validate"]["mb_per_s"]
        verdict = "meets" if mbps >= TARGET_MBPS else "BELOW"
        print(f"\ndecode+validate: {mbps:.2f} MB/s ({verdict} the {TARGET_MBPS} MB/s target)")
    else:
        print("\nnote: wasmaot.frontend.validate is not available yet; only decoding was measured")

    if not args.no_write:
        result = {
            "benchmark": "frontend_speed",
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": _machine(),
            "git": _git_state(),
            "module": {**info, "functions": nfuncs, "code_bytes": code_bytes,
                       "instructions": ninstrs},
            "runs": args.runs, "warmup": args.warmup,
            "target_mb_per_s": TARGET_MBPS,
            "validator_available": validate_module is not None,
            "phases": rows,
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {args.out}")

    if args.profile:
        if validate_module is None:
            print("error: --profile needs wasmaot.frontend.validate", file=sys.stderr)
            return 2
        print()
        print(profile_validate(data, decode_module, validate_module, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
