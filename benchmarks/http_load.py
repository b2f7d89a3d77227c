"""wasi:http load bench: hello-world proxy components under `wasmtime serve`
and as our compiled server, side by side in one run (issue 15).

    python -m wasmaot.bench.http_load                 # C and JS, 10 s per measurement
    python -m wasmaot.bench.http_load --quick         # C only, 3 s (a smoke run)
    python -m wasmaot.bench.http_load --langs c --rounds 3

Components: the C and JavaScript proxies of ``benchmarks/wasihttp/apps/``
(wasmaot.bench.wasihttp.apps builds them into the cache), route ``GET /``.
Servers, with the same isolation, a fresh instance per request:

* ``wasmtime``: ``wasmtime serve -S cli=y --max-instance-reuse-count 1``
  (its default for WASI 0.2 components, made explicit);
* ``wasmaot``: ``wasmaot compile`` of the same component (-O2 for C, -O1 for
  the 14 MB JavaScript one, as the tests), run as ``./server --addr``.

Each measurement: start the server (start-up time = from spawn to its
listening line, then to the first 200 answer), its idle memory, a 2 s wrk
warm-up, then ``wrk --latency -t2 -c16 -d10s``: requests/s, p50 and p99
latency, errors and non-2xx answers; the peak memory during the load and
the idle memory after it.  Memory is the PSS (proportional set size) of
the server's whole process tree (ours forks per connection and per
request; PSS counts the pages those share once), sampled every 0.2 s.  Rounds interleave the servers
(wasmtime, wasmaot, wasmtime, ...); medians over rounds are reported.
Every process runs under ``nice -n 19`` (the machine is shared).

Writes ``benchmarks/results/http_load.{json,md,svg}`` (``--out``) with the
machine and tool versions.  A server that cannot be built is reported as
missing with its one-line reason; the bench reports and never fails on a
slow result.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from wasmaot.cache import cache_dir

from . import harness
from .wasihttp import apps, serve

OUT = Path(__file__).resolve().parent / "results"
SERVERS = ("wasmtime", "wasmaot")
#: -O1 for the large components (SpiderMonkey, CPython), as the polyglot tests.
OPT = {"c": "-O2", "js": "-O1", "py": "-O1"}
LABEL = {"c": "C (hand-written bindings)", "js": "JavaScript (componentize-js)"}
COLORS = {"wasmtime": "#E69F00", "wasmaot": "#0072B2"}   # as benchmarks/report.py
NICE = ["nice", "-n", "19"]


class BenchError(Exception):
    """A step failed: one line for the user."""


# ------------------------------------------------------------------ builds

#: The folders whose sources make the compiler and the server it links, and
#: the kinds of file in them that count (documentation does not).
COMPILER_TREES = ("driver", "frontend", "ir", "backends", "runtime-c", "wasi-shim")
SOURCE_SUFFIXES = (".py", ".c", ".h", ".S", ".ld", ".txt")
REPO = Path(__file__).resolve().parent.parent


def _compiler_key() -> bytes:
    """The compiler's sources: committed blob ids plus the contents of
    uncommitted changes (commits of other files do not count)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=60,
                              check=False).stdout
    staged = [ln for ln in git("ls-files", "-s", "--", *COMPILER_TREES).splitlines() if ln.endswith(SOURCE_SUFFIXES)]
    changed = [n for n in git("diff", "HEAD", "--name-only", "--", *COMPILER_TREES).splitlines()
               if n.endswith(SOURCE_SUFFIXES)]
    out = "\n".join(staged).encode()
    for name in changed:
        f = REPO / name
        out += name.encode() + (f.read_bytes() if f.is_file() else b"(deleted)")
    return out


def _server_path(comp: Path, lang: str, key: str) -> Path:
    comp_id = hashlib.sha256(comp.read_bytes()).hexdigest()[:12]
    return cache_dir() / "http-load" / f"{lang}{OPT[lang]}-{comp_id}-{key}"


def native_server(comp: Path, lang: str, reuse: bool = False) -> Path:
    """``wasmaot compile`` of ``comp``, cached by the component and the
    compiler's sources; with ``reuse``, the newest server compiled from
    ``comp`` by any compiler (its ``.json`` says which git state).  A
    14 MB component takes 10-20 minutes on a busy 2-core machine."""
    exe = _server_path(comp, lang, hashlib.sha256(_compiler_key()).hexdigest()[:20])
    if exe.is_file():
        return exe
    if reuse:
        older = sorted(exe.parent.glob(_server_path(comp, lang, "*").name), key=lambda p: p.stat().st_mtime)
        older = [p for p in older if p.suffix != ".json" and p.with_suffix(".json").is_file()]
        if older:
            return older[-1]
    exe.parent.mkdir(parents=True, exist_ok=True)
    meta = {"git": harness.git_state(), "compiled": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "opt": OPT[lang]}
    tmp = exe.with_name(f"{exe.name}.{os.getpid()}.tmp")    # one per process: pytest-xdist workers
    r = subprocess.run([*NICE, sys.executable, "-m", "wasmaot", "compile", str(comp), "-o", str(tmp),
                        OPT[lang], "-j", "2"], capture_output=True, text=True, timeout=7200, check=False)
    if r.returncode != 0:
        lines = r.stderr.strip().splitlines() or ["(no output)"]
        raise BenchError(f"wasmaot compile failed: {lines[-1][:300]}")
    tmp.replace(exe)
    exe.with_suffix(".json").write_text(json.dumps(meta) + "\n")
    return exe


def server_meta(exe: Path) -> dict:
    f = exe.with_suffix(".json")
    return json.loads(f.read_text()) if f.is_file() else {}


# -------------------------------------------------------------------- wrk

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        raise BenchError(f"unreadable wrk latency {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_wrk(out: str) -> dict:
    """requests/s, p50/p99 (ms), request count, errors of ``wrk --latency``."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE)
    total = re.search(r"(\d+) requests in", out)
    if not (rps and p50 and p99 and total):
        raise BenchError(f"unreadable wrk output: {out[-300:]!r}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(rps.group(1)), "p50_ms": _ms(p50.group(1)), "p99_ms": _ms(p99.group(1)),
            "requests": int(total.group(1)), "socket_errors": errors,
            "non_2xx": int(non2xx.group(1)) if non2xx else 0}


def run_wrk(url: str, seconds: float, threads: int, conns: int) -> dict:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise BenchError("wrk not found: scripts/install-test-deps.sh installs it")
    r = subprocess.run([*NICE, wrk, "--latency", f"-t{threads}", f"-c{conns}", f"-d{seconds:g}s", url],
                       capture_output=True, text=True, timeout=seconds + 120, check=False)
    if r.returncode != 0:
        raise BenchError(f"wrk failed ({r.returncode}): {r.stderr.strip()[-300:]}")
    return parse_wrk(r.stdout)


# ------------------------------------------------------------ measurement

def _first_answer(server: serve.Server, timeout: float = 120) -> float:
    """Seconds until ``GET /`` first answers 200."""
    t0 = time.monotonic()
    url = f"http://{server.host}:{server.port}/"
    while time.monotonic() - t0 < timeout:
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                if r.status == 200:
                    return time.monotonic() - t0
        except OSError:
            time.sleep(0.01)
    raise BenchError(f"no 200 answer from {url} within {timeout:.0f} s")


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (our server forks a process per
    connection and per request)."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def tree_pss_kib(pid: int) -> int:
    """Proportional set size of ``pid``'s process tree, KiB: pages shared
    by forked processes count once in total (RSS would count them in each)."""
    total = 0
    for p in _tree(pid):
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            pass
    return total


class PeakSampler(threading.Thread):
    """The largest ``tree_pss_kib(pid)`` seen, sampled every 0.2 s."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.2):
            self.peak = max(self.peak, tree_pss_kib(self.pid))


def measure(cmd: list[str], a: argparse.Namespace) -> dict:
    t0 = time.monotonic()
    server = serve.Server.start([*NICE, *cmd], timeout=600)
    try:
        first = _first_answer(server)
        time.sleep(1.5)   # wasmtime drops idle instances after 1 s; our connection process ends
        row = {"start_s": server.start_s, "first_answer_s": server.start_s + first,
               "pss_idle_kib": tree_pss_kib(server.proc.pid)}
        url = f"http://{server.host}:{server.port}/"
        run_wrk(url, min(2.0, a.duration), a.threads, a.conns)
        sampler = PeakSampler(server.proc.pid)
        sampler.start()
        row.update(run_wrk(url, a.duration, a.threads, a.conns))
        sampler.done.set()
        sampler.join()
        row["pss_peak_kib"] = sampler.peak
        time.sleep(1.5)
        row["pss_after_kib"] = tree_pss_kib(server.proc.pid)
        if not server.alive():
            raise BenchError(f"the server died under load:\n{server.stderr()[-500:]}")
        return row
    finally:
        server.stop()
        server.log.unlink(missing_ok=True)
        row_time = time.monotonic() - t0
        sys.stderr.write(f"  ({row_time:.0f} s)\n")


def commands(lang: str, reuse: bool, built: dict) -> tuple[dict[str, list[str]], dict[str, str]]:
    """server -> command line, and server -> why it is missing; ``built``
    gets the git state each of our servers was compiled at."""
    comp = apps.build(lang)
    cmds = {"wasmtime": serve.wasmtime_serve_cmd(comp)}
    missing = {}
    try:
        exe = native_server(comp, lang, reuse)
        cmds["wasmaot"] = serve.native_cmd(exe)
        built[lang] = server_meta(exe)
    except BenchError as e:
        missing["wasmaot"] = str(e)
    return cmds, missing


def bench(a: argparse.Namespace) -> dict:
    results: dict = {"langs": {}, "compiled_at": {}}
    for lang in a.langs:
        sys.stderr.write(f"{lang}: building\n")
        cmds, missing = commands(lang, a.reuse_servers, results["compiled_at"])
        runs: dict[str, list[dict]] = {s: [] for s in cmds}
        for rnd in range(a.rounds):
            for s in SERVERS:
                if s in cmds:
                    sys.stderr.write(f"{lang}: {s} round {rnd + 1}/{a.rounds}")
                    runs[s].append(measure(cmds[s], a))
        results["langs"][lang] = {"component_bytes": apps.build(lang).stat().st_size, "missing": missing,
                                  "runs": runs, "median": {s: _median(r) for s, r in runs.items()}}
    return results


def _median(rows: list[dict]) -> dict:
    return {k: statistics.median(r[k] for r in rows) for k in rows[0]} if rows else {}


# ---------------------------------------------------------------- reports

def _tool_versions() -> dict:
    wrk = shutil.which("wrk")
    wrk_v = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False).stdout if wrk else ""
    wt = serve.tools.wasmtime_cli()
    return {**harness.versions(),
            "wasmtime_cli": subprocess.run([str(wt), "--version"], capture_output=True, text=True,
                                           check=False).stdout.strip() if wt else None,
            "wrk": wrk_v.split("[")[0].strip() or None}


def markdown(doc: dict) -> str:
    m = doc["meta"]
    lines = ["# wasi:http load: `wasmtime serve` against wasmaot's compiled server",
             "",
             (f"{m['date']}, git {m['git'].get('head', '?')}"
             f"{' (uncommitted changes)' if m['git'].get('uncommitted_changes') else ''}; "
             f"{m['machine']['cpu']}, {m['machine']['cpus']} CPUs, {m['machine']['memory']}; shared machine "
             f"(other jobs ran: read ratios, not absolutes)."),
             (f"`wrk --latency -t{m['threads']} -c{m['conns']} -d{m['duration']:g}s` on `GET /` of a hello-world "
             f"proxy, loopback; median of {m['rounds']} interleaved round(s); every process under nice -n 19. "
             "Both servers create a fresh instance per request."),
             "",
             ("| component | server | requests/s | p50 ms | p99 ms | errors | start-up ms (listening / first 200) "
             "| PSS idle KiB | PSS peak KiB | PSS after load KiB |"),
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for lang, res in doc["langs"].items():
        for s in SERVERS:
            if s in res["missing"]:
                lines.append(f"| {LABEL[lang]} | {s} | missing: {res['missing'][s]} | | | | | | | |")
                continue
            r = res["median"][s]
            lines.append(f"| {LABEL[lang]} | {s} | {r['rps']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
                         f"{r['socket_errors'] + r['non_2xx']:.0f} | {r['start_s'] * 1e3:.0f} / "
                         f"{r['first_answer_s'] * 1e3:.0f} | {r['pss_idle_kib']:,.0f} | {r['pss_peak_kib']:,.0f} | "
                         f"{r['pss_after_kib']:,.0f} |")
        med = res["median"]
        if "wasmaot" in med and "wasmtime" in med:
            ratio = med["wasmaot"]["rps"] / med["wasmtime"]["rps"]
            lines.append(f"| {LABEL[lang]} | **wasmaot / wasmtime** | **{ratio:.2f}x** | "
                         f"{med['wasmaot']['p50_ms'] / med['wasmtime']['p50_ms']:.2f}x | "
                         f"{med['wasmaot']['p99_ms'] / med['wasmtime']['p99_ms']:.2f}x | | | | | |")
    v = m["versions"]
    for lang, meta in doc.get("compiled_at", {}).items():
        g = meta.get("git", {})
        lines.append(f"\nwasmaot server of {LABEL[lang]}: compiled {meta.get('compiled')} ({meta.get('opt')}) at git "
                     f"{g.get('head', '?')}{' with uncommitted changes' if g.get('uncommitted_changes') else ''}.")
    lines += ["", (f"Versions: {v.get('wasmtime_cli')}; {v.get('wrk')}; Python {v.get('python')}, "
              f"llvmlite {v.get('llvmlite')}, zig {v.get('zig')}, node {v.get('node')}."),
              "Component sizes: " + ", ".join(f"{LABEL[k]} {r['component_bytes']:,} B"
                                              for k, r in doc["langs"].items()) + ".", ""]
    return "\n".join(lines)


def svg(doc: dict) -> str:
    """Two panels of horizontal bars per component: requests/s and p99 ms."""
    langs = list(doc["langs"])
    panels = [("requests/s (higher is better)", "rps", "{:,.0f}"), ("p99 latency, ms (lower is better)",
                                                                  "p99_ms", "{:.2f}")]
    left, panel_w, gap, bar_h = 210, 300, 60, 16
    width = left + len(panels) * (panel_w + gap)
    group_h = len(SERVERS) * (bar_h + 4) + 16
    top = 86
    height = top + len(langs) * group_h + 30
    m = doc["meta"]
    sub = (f"wrk -t{m['threads']} -c{m['conns']} -d{m['duration']:g}s, median of {m['rounds']}; "
           f"{m['machine']['cpu']}; {m['date']}")
    o = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
         f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="12">'),
         f'<rect width="{width}" height="{height}" fill="white"/>',
         ('<text x="10" y="24" font-size="16" font-weight="bold">wasi:http hello world: wasmtime serve vs '
         'wasmaot, instance per request</text>'),
         f'<text x="10" y="44" fill="#444">{escape(sub)}</text>']
    for i, s in enumerate(SERVERS):
        o.append(f'<rect x="{10 + i * 120}" y="56" width="14" height="11" fill="{COLORS[s]}"/>'
                 f'<text x="{28 + i * 120}" y="66">{s}</text>')
    for p, (title, key, fmt) in enumerate(panels):
        x0 = left + p * (panel_w + gap)
        o.append(f'<text x="{x0}" y="{top - 4}" font-weight="bold">{escape(title)}</text>')
        vals = [r[key] for res in doc["langs"].values() for r in res["median"].values()]
        hi = max(vals, default=1.0) * 1.1 or 1.0
        for g, lang in enumerate(langs):
            y = top + 6 + g * group_h
            if p == 0:
                o.append(f'<text x="10" y="{y + bar_h + 4}">{escape(LABEL[lang])}</text>')
            for k, s in enumerate(SERVERS):
                yy = y + k * (bar_h + 4)
                r = doc["langs"][lang]["median"].get(s)
                if r is None:
                    o.append(f'<text x="{x0 + 4}" y="{yy + 12}" fill="#888">{s}: missing</text>')
                    continue
                w = r[key] / hi * panel_w
                o.append(f'<rect x="{x0}" y="{yy}" width="{w:.1f}" height="{bar_h}" fill="{COLORS[s]}"/>'
                         f'<text x="{x0 + w + 4:.1f}" y="{yy + 12}">{fmt.format(r[key])}</text>')
    o.append("</svg>")
    return "\n".join(o) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m wasmaot.bench.http_load", description=__doc__.splitlines()[0])
    ap.add_argument("--langs", default="c,js", help="components, of: c, js (default both)")
    ap.add_argument("--duration", type=float, default=10.0, help="seconds of each wrk measurement")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--conns", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="C only, 3 s")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--reuse-servers", action="store_true",
                    help="use the newest server compiled from each component even if the compiler changed since "
                         "(the report names the git state it was compiled at)")
    a = ap.parse_args(argv)
    if a.quick:
        a.langs, a.duration = "c", 3.0
    a.langs = [x for x in a.langs.split(",") if x]
    bad = [x for x in a.langs if x not in LABEL]
    if bad:
        ap.error(f"unknown component {bad[0]!r} (choose from {', '.join(OPT)})")
    try:
        results = bench(a)
    except (BenchError, apps.BuildError, serve.ServerError) as e:
        print(f"http_load: {str(e).splitlines()[0]}", file=sys.stderr)
        return 1
    doc = {"meta": {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                    "machine": harness.machine_info(), "versions": _tool_versions(), "git": harness.git_state(),
                    "duration": a.duration, "threads": a.threads, "conns": a.conns, "rounds": a.rounds},
           **results}
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "http_load.json").write_text(json.dumps(doc, indent=1) + "\n")
    (a.out / "http_load.md").write_text(markdown(doc))
    (a.out / "http_load.svg").write_text(svg(doc))
    print(markdown(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
