"""Real programs against their native builds (issue 18):

    python -m wasmaot.bench.programs                     # sqlite, brotli, lua; 5 runs each
    python -m wasmaot.bench.programs lua -n 3 -e native,wasmaot-guard
    python -m wasmaot.bench.programs -o benchmarks/results/programs   # .json and .md
    python -m wasmaot.bench.programs -n 15 -e native,wasmaot-guard --rev HEAD~1   # a change, timed

Each program (:mod:`.program_builds`: SQLite's shell on a SQL script, the
brotli CLI compressing 3 MiB of generated text, the Lua 5.4 interpreter on
a script; a hello world for start-up) reads its input from stdin and
writes its result to stdout.  It
runs under every engine in interleaved rounds (A B C A B C ...), so the
drift of a shared machine hits all engines alike; the time is the whole
process (median of the runs), as a user waits for it.  A run counts only
with exit 0 and stdout byte-identical to the native build's; anything else
is reported as FAIL with the reason, and the command exits 1.

Engines: ``native`` (the same C, ``zig cc -O2`` for this CPU, against
the host's glibc), ``native-musl`` (the same, statically against musl, the
C library wasi-libc is made from: how much of a gap is the C library),
``wasmaot-guard`` and ``wasmaot-explicit`` (``wasmaot compile -O2``),
``wasmtime-cwasm`` (``wasmtime compile`` once, then ``run
--allow-precompiled``) and ``wasmtime`` (``wasmtime run``, JIT included).

``--rev REV`` adds, beside each wasmaot engine, the same engine compiled
by the compiler of commit REV (``git archive`` into a temporary tree, run
from there): a compiler change timed against its base in the same
interleaved rounds, where two separate runs on a shared machine differ by
more than most changes.

``--instructions`` counts executed instructions instead of time: each
build runs once under ``qemu-x86_64`` with the counting plugin of
:mod:`.firmware_instr` (user-mode instructions, C library included).  A
count does not move with the load of a shared machine, where times do by
10-50%, so it shows a compiler change of a few percent; it is no latency
measure (a cache miss and an add count alike).  Only the builds that are
plain executables: ``native``, ``native-musl`` and wasmaot's (a JIT's
count would include its compiler).  x86-64 hosts only, at ``--isa
portable`` (x86-64-v2: qemu does not emulate AVX-512).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from . import engines, program_builds, suite
from .wasm_inputs import SetupError

HERE = Path(__file__).resolve().parent
ENGINES = ("native", "native-musl", "wasmaot-guard", "wasmaot-explicit", "wasmtime-cwasm", "wasmtime")
#: what ``--instructions`` can count (plain executables)
COUNTED = ("native", "native-musl", "wasmaot-guard", "wasmaot-explicit")


def brotli_input(path: Path) -> Path:
    """3 MiB of text from a fixed seed (words of a 5,000-word vocabulary)."""
    if path.exists():
        return path
    rng = random.Random(12345)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 10))) for _ in range(5000)]
    out, n = [], 0
    while n < 3 << 20:
        line = " ".join(rng.choice(words) for _ in range(rng.randint(5, 15))) + "\n"
        out.append(line)
        n += len(line)
    path.write_text("".join(out))
    return path


def program_io(name: str) -> tuple[list[str], Path]:
    """(arguments, stdin file) of program ``name``."""
    if name == "sqlite":
        return [":memory:"], HERE / "programs" / "bench.sql"
    if name == "lua":
        return ["-"], HERE / "programs" / "bench.lua"
    if name == "hello":
        return [], HERE / "programs" / "hello.c"           # stdin unused
    if name == "brotli":
        return ["-c", "-q", "9"], brotli_input(program_builds.cache_dir() / "programs" / "brotli-input.txt")
    raise ValueError(name)


def probe(names: list[str], revs: dict | None = None) -> dict:
    """engine name -> its probed :class:`engines.Engine` (not the native
    builds); ``revs``: ``wasmaot-MODE@REV`` name -> the Wasmaot engine of
    that commit (:func:`rev_engines`)."""
    revs = revs or {}
    out = {}
    for e in engines.make([n for n in names if not n.startswith("native") and n not in revs]):
        e.probe()
        out[e.name] = e
    for n, e in revs.items():
        e.probe()
        out[n] = e
    return out


def rev_engines(revs: list[str], names: list[str], work: Path) -> dict:
    """For each ``--rev REV`` and each wasmaot engine of ``names``, an
    engine compiling with the compiler of commit REV (``git archive``d
    into ``work``): name -> :class:`engines.Wasmaot`.  Raises ValueError
    for a REV git does not know."""
    from .instr_count import compiler_cmd, export_rev
    out = {}
    for rev in revs:
        dest = work / rev.replace("/", "_")
        dest.mkdir(parents=True, exist_ok=True)
        try:
            full = export_rev(rev, dest)
        except subprocess.CalledProcessError:
            raise ValueError(f"--rev {rev}: not a commit of this repository") from None
        for n in names:
            if n.startswith("wasmaot-"):
                e = engines.Wasmaot(n.removeprefix("wasmaot-"), rev=(rev, full, compiler_cmd(dest)))
                out[e.name] = e
    return out


def commands(build: program_builds.ProgramBuild, names: list[str], engs: dict) -> dict[str, list[str] | str]:
    """engine -> the command that runs ``build`` (without the program's
    arguments), or a string: why the engine cannot run it."""
    out: dict[str, list[str] | str] = {}
    b = suite.Build(suite.Workload(build.name, "programs", build.source), wasm=build.wasm)
    for n in names:
        if n == "native":
            out[n] = [str(build.native)]
            continue
        if n == "native-musl":
            out[n] = [str(build.native_musl)] if build.native_musl else "not built"
            continue
        e = engs[n]
        if e.missing:
            out[n] = f"missing: {e.missing}"
            continue
        if n == "wasmtime":
            out[n] = [str(e.cli), "run", "-C", "cache=n", str(build.wasm)]
            continue
        prep = e.prepare(b)
        if prep.error:
            out[n] = f"FAIL: {prep.error}"
        elif n == "wasmtime-cwasm":
            out[n] = [str(e.cli), "run", "--allow-precompiled", str(prep.path)]
        else:
            out[n] = [str(prep.path)]
    return out


def run_once(cmd: list[str], stdin: Path, timeout: float = 600) -> tuple[float | None, str, str]:
    """(seconds, stdout digest, error or "") of one run."""
    with open(stdin, "rb") as f:
        t0 = time.perf_counter()
        try:
            p = subprocess.run(cmd, stdin=f, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return None, "", f"timed out after {timeout:g} s"
        dt = time.perf_counter() - t0
    if p.returncode != 0:
        tail = (p.stderr.decode("utf-8", "replace").strip().splitlines() or ["?"])[-1]
        return None, "", f"exit {p.returncode}: {tail[:200]}"
    return dt, hashlib.sha256(p.stdout).hexdigest()[:16], ""


def count_once(cmd: list[str], stdin: Path, plugin_so: Path,
               timeout: float = 1800) -> tuple[int | None, str, str]:
    """(executed instructions, stdout digest, error or "") of one run under
    qemu-x86_64 with the counting plugin."""
    with tempfile.TemporaryDirectory(prefix="progcount.") as td, open(stdin, "rb") as f:
        out = Path(td) / "count"
        try:
            p = subprocess.run(["qemu-x86_64", "-plugin", f"{plugin_so},out={out}", *cmd], stdin=f,
                               capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return None, "", f"timed out after {timeout:g} s"
        if p.returncode != 0:
            tail = (p.stderr.decode("utf-8", "replace").strip().splitlines() or ["?"])[-1]
            return None, "", f"exit {p.returncode}: {tail[:200]}"
        text = out.read_text() if out.exists() else ""
        if not text.startswith("insns: "):
            return None, "", "the qemu plugin wrote no count"
        return int(text.split()[1]), hashlib.sha256(p.stdout).hexdigest()[:16], ""


def measure(name: str, names: list[str], engs: dict, runs: int, log=print,
            plugin_so: Path | None = None) -> dict:
    """One program under ``names``: per engine the runs, the median and
    the status."""
    build = program_builds.BUILDERS[name]()
    args, stdin = program_io(name)
    cmds = commands(build, names, engs)
    res = {n: {"times": [], "status": c if isinstance(c, str) else "ok"} for n, c in cmds.items()}
    reference = None
    for r in range(runs):
        for n in names:
            c = cmds[n]
            if isinstance(c, str) or res[n]["status"] != "ok":
                continue
            if plugin_so is not None:
                dt, digest, err = count_once([*c, *args], stdin, plugin_so)
            else:
                dt, digest, err = run_once([*c, *args], stdin)
            if not err and n == "native":
                reference = reference or digest
            if not err and digest != reference:
                err = f"stdout differs from the native build's ({digest} vs {reference})"
            if err:
                res[n]["status"] = f"FAIL: {err}"
                log(f"  FAIL {name} / {n}: {err}")
                continue
            res[n]["times"].append(dt)
        log(f"  {name}: round {r + 1}/{runs}")
    for ent in res.values():
        ent["median_s"] = statistics.median(ent["times"]) if ent["status"] == "ok" and ent["times"] else None
    base = res.get("native", {}).get("median_s")
    for ent in res.values():
        ent["ratio"] = ent["median_s"] / base if base and ent["median_s"] else None
    return {"source": build.source, "wasm_bytes": build.wasm.stat().st_size, "args": args,
            "stdin": stdin.name, "engines": res}


def geomean(xs: list[float]) -> float | None:
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else None


def _fmt_s(t: float) -> str:
    if isinstance(t, int):                   # --instructions: a count
        return f"{t / 1e9:.3f} G" if t >= 1e8 else f"{t / 1e6:.2f} M"
    return f"{t * 1000:.1f} ms" if t < 0.1 else f"{t:.3f} s"


def markdown(doc: dict) -> str:
    names = doc["engines"]
    lines = [f"# Real programs against their native builds ({doc['date'][:10]})", "",
             f"Machine: {doc['machine']}; {doc['versions']}; ISA level {doc.get('isa', 'host')} "
             f"(native CPU `{doc.get('native_cpu')}`). "
             + ("Executed instructions (qemu-x86_64 and the insn_count plugin, one run)"
                if doc.get("instructions") else
                f"Whole-process time, median of {doc['runs']} interleaved runs")
             + "; ratio to native (lower is better)."
             + _load_note(doc.get("loadavg")), "",
             "| program | " + " | ".join(names) + " |", "|---|" + "--:|" * len(names)]
    for prog, p in doc["programs"].items():
        cells = []
        for n in names:
            e = p["engines"][n]
            cells.append(f"{_fmt_s(e['median_s'])} ({e['ratio']:.2f}x)" if e["ratio"] else e["status"][:60])
        lines.append(f"| {prog} | " + " | ".join(cells) + " |")
    geo = [doc["geomean"].get(n) for n in names]
    lines.append("| **geomean x native** | " + " | ".join(f"**{g:.2f}x**" if g else "" for g in geo) + " |")
    lines += ["", "Sources: " + "; ".join(f"{k}: {p['source']}" for k, p in doc["programs"].items()), ""]
    return "\n".join(lines)


def _loadavg() -> float | None:
    """The 1-minute load average (None where the OS has none)."""
    try:
        return round(os.getloadavg()[0], 1)
    except (AttributeError, OSError):
        return None


def _load_note(loads: list | None) -> str:
    """Why a run's times may not be trusted: the machine's load average at
    the start and the end of the run, beside its CPU count (a shared
    machine can slow every engine several times over, and not uniformly)."""
    if not loads or None in loads:
        return ""
    return f" Load average {loads[0]:g} at the start, {loads[1]:g} at the end."


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m wasmaot.bench.programs",
                                 description="Real programs (SQLite, brotli, Lua) under wasmaot "
                                             "and wasmtime against their native builds.")
    ap.add_argument("programs", nargs="*", default=[],
                    help=f"programs to run: {', '.join(program_builds.BUILDERS)} (default: all)")
    ap.add_argument("-e", "--engines",
                    help=f"comma-separated engines (default: {','.join(ENGINES)}; with "
                         f"--instructions {','.join(COUNTED)})")
    ap.add_argument("-n", "--runs", type=int, default=5, help="timed runs per engine (default 5)")
    ap.add_argument("-o", "--out", type=Path, help="write OUT.json and OUT.md")
    ap.add_argument("--instructions", action="store_true",
                    help="count executed instructions (one run under qemu-x86_64) instead of "
                         f"timing; engines: {', '.join(COUNTED)}")
    ap.add_argument("--rev", action="append", default=[], metavar="REV",
                    help="also run each wasmaot engine with the compiler of commit REV "
                         "(as wasmaot-MODE@REV, in the same interleaved rounds): a compiler "
                         "change timed side by side with its base; repeatable")
    ap.add_argument("--isa", choices=suite.ISA_LEVELS,
                    help="ISA level of the native and wasmaot builds, as `wasmaot bench --isa` "
                         "(default: host; with --instructions portable, which qemu emulates)")
    a = ap.parse_args(argv)
    a.engines = a.engines or ",".join(COUNTED if a.instructions else ENGINES)
    names = [n.strip() for n in a.engines.split(",") if n.strip()]
    bad = [n for n in names if n not in ENGINES]
    if bad:
        ap.error(f"unknown engine {bad[0]!r} (engines: {', '.join(ENGINES)})")
    if a.instructions:
        bad = [n for n in names if n not in COUNTED]
        if bad:
            ap.error(f"--instructions cannot count {bad[0]!r} (engines: {', '.join(COUNTED)})")
        if platform.machine() != "x86_64" or not shutil.which("qemu-x86_64"):
            ap.error("--instructions needs an x86-64 host with qemu-x86_64 "
                     "(apt-get install qemu-user)")
        if a.isa == "host":
            ap.error("--instructions counts under qemu, which does not emulate every host "
                     "extension (AVX-512): use --isa portable")
        a.runs = 1
    a.isa = a.isa or ("portable" if a.instructions else "host")
    unknown = [p for p in a.programs if p not in program_builds.BUILDERS]
    if unknown:
        ap.error(f"unknown program {unknown[0]!r} (programs: {', '.join(program_builds.BUILDERS)})")
    if a.runs < 1:
        ap.error("--runs must be >= 1")
    if "native" not in names:
        names.insert(0, "native")          # the reference for output and ratios
    if a.rev and not any(n.startswith("wasmaot-") for n in names):
        ap.error("--rev needs a wasmaot engine (-e wasmaot-guard or wasmaot-explicit)")
    work = Path(tempfile.mkdtemp(prefix="wasmaot-programs-rev.")) if a.rev else None
    try:
        return _run(a, names, work)
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)


def _run(a, names: list[str], work: Path | None) -> int:
    """main() after the arguments: ``work`` holds the ``--rev`` trees."""
    try:
        revs = rev_engines(a.rev, names, work) if a.rev else {}
    except ValueError as e:
        print(f"wasmaot bench programs: error: {e}", file=sys.stderr)
        return 2
    # each commit's engine beside the engine it is compared with
    names = [m for n in names for m in [n, *(r for r in revs if r.split("@")[0] == n)]]
    progs = a.programs or list(program_builds.BUILDERS)
    suite.ISA = a.isa
    doc = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "runs": a.runs,
           "instructions": a.instructions,
           "machine": f"{platform.machine()}, {_cpus()} CPUs", "engines": names, "isa": a.isa,
           "native_cpu": suite.native_target_cpu(),
           "versions": f"Python {platform.python_version()}, zig {suite.zig_version()}, "
                       f"git {_git_head()}", "programs": {}}
    engs = probe(names, revs)
    load0 = _loadavg()
    try:
        plugin_so = None
        if a.instructions:
            from .firmware_instr import plugin
            plugin_so = plugin()
        for prog in progs:
            print(f"{prog}: building and compiling", file=sys.stderr)
            doc["programs"][prog] = measure(prog, names, engs, a.runs,
                                            log=lambda m: print(m, file=sys.stderr),
                                            plugin_so=plugin_so)
    except SetupError as e:
        print(f"wasmaot bench programs: error: {e}", file=sys.stderr)
        return 1
    doc["loadavg"] = [load0, _loadavg()]
    doc["geomean"] = {n: geomean([p["engines"][n]["ratio"] for p in doc["programs"].values()
                                  if p["engines"][n]["ratio"]]) for n in names}
    md = markdown(doc)
    print(md)
    if a.out:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.with_suffix(".json").write_text(json.dumps(doc, indent=1) + "\n")
        a.out.with_suffix(".md").write_text(md)
    failed = any(e["status"] != "ok" and not e["status"].startswith("missing")
                 for p in doc["programs"].values() for e in p["engines"].values())
    return 1 if failed else 0


def _cpus() -> int:
    return os.cpu_count() or 0


def _git_head() -> str:
    try:
        p = subprocess.run(["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"],
                           capture_output=True, text=True, timeout=30, check=False)
        return p.stdout.strip() or "?"
    except OSError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
