"""``python -m wasmaot.bench.components``: see the package's docstring."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from . import (
    CASES,
    BenchError,
    _tools,
    build_component,
    commands,
    compile_both,
    measure_case,
    source_hash,
)

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "results" / "components.json"


def _version(argv: list[str]) -> str | None:
    try:
        return subprocess.run(argv, check=False, capture_output=True, text=True, timeout=60).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _head() -> str | None:
    repo = Path(__file__).resolve().parents[2]
    return _version(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"])


def _table(cases: dict) -> str:
    rows = ["| case | engine | ns/call | wasmtime / engine |", "|---|---|--:|--:|"]
    for name, c in cases.items():
        for engine, e in c["engines"].items():
            ratio = e["wasmtime_over_this"]
            rows.append(f"| {name} | {engine} | {e['ns_per_call']:.1f} | "
                        + (f"{ratio:.2f}x" if ratio else "-") + (" FAIL" if "fail" in c else "") + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m wasmaot.bench.components",
                                 description="Cross-component call cost, wasmaot against wasmtime.")
    ap.add_argument("--cases", default=",".join(CASES), help="comma-separated: " + ", ".join(CASES))
    ap.add_argument("--rounds", type=int, default=None, help="runs per engine and count [5; --quick 3]")
    ap.add_argument("--quick", action="store_true", help="small counts, 3 rounds")
    ap.add_argument("--out", type=Path, default=None, help=f"JSON path [{DEFAULT_OUT}]")
    ap.add_argument("--work", type=Path, default=None, help="build directory [a temporary one]")
    ap.add_argument("--rev", default=None, help="also the compiler as committed at REV (engine wasmaot@REV)")
    args = ap.parse_args(argv)
    names = [c for c in args.cases.split(",") if c]
    bad = [c for c in names if c not in CASES]
    if bad or not names:
        print(f"components: error: unknown case {bad[0] if bad else '(none)'!r} "
              f"(cases: {', '.join(CASES)})", file=sys.stderr)
        return 2
    rounds = args.rounds or (3 if args.quick else 5)
    out = args.out or (DEFAULT_OUT.with_name("components-quick.json") if args.quick else DEFAULT_OUT)
    try:
        with tempfile.TemporaryDirectory(prefix="wasmaot-ccbench-") as tmp:
            work = args.work or Path(tmp)
            result = _run(names, rounds, args.quick, work, args.rev)
    except BenchError as e:
        print(f"components: error: {e}", file=sys.stderr)
        return 1
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(_table(result["cases"]))
    print(f"wrote {out}")
    return 1 if any("fail" in c for c in result["cases"].values()) else 0


def _run(names: list[str], rounds: int, quick: bool, work: Path, rev: str | None) -> dict:
    from ..harness import machine_info
    wasmtime, wasm_tools = _tools()
    log = lambda s: print(s, file=sys.stderr, flush=True)
    log("building the components ...")
    comp = build_component(work, wasm_tools)
    app, cwasm = compile_both(comp, work, wasmtime)
    extra, rev_hash = {}, None
    if rev:
        from ..instr_count import compiler_cmd, export_rev
        src = work / "rev-src"
        src.mkdir(exist_ok=True)
        try:
            rev_hash = export_rev(rev, src)
        except subprocess.CalledProcessError:
            raise BenchError(f"--rev {rev}: not a revision of this repository") from None
        extra[f"wasmaot@{rev}"] = compile_both(comp, work, wasmtime, compiler_cmd(src), "app-rev")[0]
    cmds = commands(app, cwasm, wasmtime, extra)
    cases = {}
    for name in names:
        export, full, small = CASES[name]
        cases[name] = measure_case(cmds, export, small if quick else full, rounds, log)
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "versions": {"python": sys.version.split()[0], "wasmtime": _version([wasmtime, "--version"]),
                     "wasm-tools": _version([wasm_tools, "--version"]),
                     "zig": _version([sys.executable, "-m", "ziglang", "version"]),
                     "wasmaot_head": _head(), "rev": rev_hash},
        "sources": source_hash(),
        "rounds": rounds,
        "quick": quick,
        "method": "ns/call = (median CPU s at n2 - median CPU s at n1) / (n2 - n1), user+system, "
                  "whole process (wait4); wasmtime runs a precompiled .cwasm",
        "cases": cases,
    }


if __name__ == "__main__":
    sys.exit(main())
