"""Executed instructions of the bench workloads: wasmaot (both bounds modes)
against the same C built natively.

    python -m wasmaot.bench.instr_count                       # every workload, quick sizes
    python -m wasmaot.bench.instr_count gemm lu -o after.json
    python -m wasmaot.bench.instr_count --rev 3948b37 -o before.json   # the compiler at a commit
    python -m wasmaot.bench.instr_count --compare before.json after.json

Why instructions, not time: the machine is shared and noisy; a count is
deterministic, so a before/after difference of 1% means something.  The
counter is valgrind's callgrind (``Collected`` total, user-space
instructions of the whole process, output file discarded): hardware
counters (``perf stat``) are not available in this VM.  Whole process, so
the workload's set-up and check count too (the same in every engine).

Builds come from the bench (``suite.build``: zig for wasm32-wasi, cached).
The native build is the bench's flags plus ``-mcpu=x86_64_v2`` (zig's spelling), the CPU
level wasmaot targets by default (like for like; the bench's own native
build is for the host CPU, whose AVX-512 valgrind cannot run).  Each module is compiled with ``wasmaot compile -O2 --bounds
MODE``; ``--rev REV`` compiles with the compiler as committed at REV
(``git archive`` into a temporary directory, packages mapped as in
pyproject.toml), so "before" needs no second checkout.  A run that does not
exit 0 is reported as FAIL (the workloads check their own results).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from . import suite

ROOT = Path(__file__).resolve().parent.parent
MODES = ("explicit", "guard")
#: Extra modes: a bounds mode compiled with passes the driver does not run
#: (yet): ``explicit-checkmerge`` is what the driver should do for explicit
#: mode (ir/passes/checkmerge.py).  Working tree only (not with --rev).
EXTRA_MODES = {"explicit-checkmerge": ("explicit", "checkmerge")}

#: Compiles argv[1] to argv[2] with bounds argv[3] and the default pipeline
#: plus the passes argv[4] (comma separated) right after trapelim.
_API_COMPILE = """\
import sys
from wasmaot.backends import CompileOptions
from wasmaot.compile import compile_bytes
from wasmaot.ir.pipeline import PIPELINE
src, out, bounds, extra = sys.argv[1:5]
at = PIPELINE.index("trapelim") + 1
passes = PIPELINE[:at] + extra.split(",") + PIPELINE[at:]
compile_bytes(open(src, "rb").read(), src, CompileOptions(opt_level=2, bounds=bounds),
              emit="exe", out=out, passes=passes)
"""

#: Runs ``wasmaot`` with its packages mapped to a source tree (argv[1]):
#: the package-dir table of that tree's pyproject.toml.
#: Defines ``map_tree(root)``: the packages of the source tree ``root`` (the
#: package-dir table of its pyproject.toml) are imported from there.  Shared
#: with firmware_instr.py's ``--rev``/``--tree``.
TREE_FINDER = """\
import importlib.abc, importlib.util, os, sys, tomllib
def map_tree(root):
    dirs = tomllib.load(open(os.path.join(root, "pyproject.toml"), "rb"))["tool"]["setuptools"]["package-dir"]
    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name in dirs:
                d = os.path.join(root, dirs[name])
                return importlib.util.spec_from_file_location(
                    name, os.path.join(d, "__init__.py"), submodule_search_locations=[d])
            return None
    sys.meta_path.insert(0, Finder())
"""

_BOOTSTRAP = TREE_FINDER + """\
import runpy
map_tree(sys.argv[1])
sys.argv = ["wasmaot"] + sys.argv[2:]
runpy.run_module("wasmaot", run_name="__main__")
"""


def count(cmd: list[str], timeout: float = 1800) -> tuple[int | None, str | None]:
    """(instructions, None) for a run that exits 0, else (None, reason)."""
    vg = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    try:
        p = subprocess.run(vg + cmd, check=False, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "timeout"
    if p.returncode != 0:
        lines = [ln for ln in p.stderr.splitlines() if not ln.startswith("==")]
        return None, f"exit {p.returncode}: {' '.join(lines[-2:])[:200]}"
    m = re.search(r"Collected\s*:\s*(\d+)", p.stderr)
    return (int(m.group(1)), None) if m else (None, "no callgrind total")


def compiler_cmd(src_root: Path | None) -> list[str]:
    if src_root is None:
        return [sys.executable, "-m", "wasmaot"]
    return [sys.executable, "-c", _BOOTSTRAP, str(src_root)]


def export_rev(rev: str, dest: Path) -> str:
    """``git archive`` REV of this repository into ``dest``; its full hash."""
    full = subprocess.run(["git", "-C", str(ROOT), "rev-parse", rev], capture_output=True,
                          text=True, check=True).stdout.strip()
    arch = subprocess.run(["git", "-C", str(ROOT), "archive", full], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=arch.stdout, check=True)
    return full


#: Native builds at wasmaot's default x86-64 level (see the module doc).
NATIVE_CPU_FLAGS = ["-mcpu=x86_64_v2"]


def native_build(w: suite.Workload, quick: bool) -> Path:
    """The workload built for the host at x86-64-v2 (cached like the bench's)."""
    assert w.source is not None
    defines = (["-DSIZE_QUICK"] if quick else [])
    flags = suite.NATIVE_FLAGS + NATIVE_CPU_FLAGS
    headers = b"".join((suite.WORKLOAD_DIR / h).read_bytes() for h in ("bench.h", "expected.h"))
    key = suite._key("native-v2", w.source.read_bytes(), headers, flags, defines,
                     suite.zig_version() or "unknown")
    d = suite.cache_dir() / "builds" / key
    d.mkdir(parents=True, exist_ok=True)
    out = d / w.name
    if not out.exists():
        suite._compile(suite.zig_cmd() + ["cc"] + flags + defines
                       + [f"-I{suite.WORKLOAD_DIR}", str(w.source)] + suite.LIBM, out,
                       f"{w.name} (native x86-64-v2)")
    return out


def measure(names: list[str], modes: tuple[str, ...], quick: bool, src_root: Path | None,
            work: Path, log=print) -> dict:
    out: dict = {}
    for w in suite.select(names):
        b = suite.build(w, quick=quick, native=False)
        row: dict = {}
        try:
            if b.error:
                raise suite.BuildError(b.error)
            native = native_build(w, quick)
        except suite.BuildError as e:
            out[w.name] = {"error": str(e)}
            log(f"{w.name}: {e}")
            continue
        row["native"], row["native_error"] = count([str(native)])
        for mode in modes:
            exe = work / f"{w.name}-{mode}"
            if mode in EXTRA_MODES:
                cmd = [sys.executable, "-c", _API_COMPILE, str(b.wasm), str(exe), *EXTRA_MODES[mode]]
            else:
                cmd = compiler_cmd(src_root) + ["compile", str(b.wasm), "-o", str(exe), "-O2",
                                                "--bounds", mode]
            p = subprocess.run(cmd, check=False, capture_output=True, text=True)
            if p.returncode != 0:
                row[mode], row[f"{mode}_error"] = None, f"compile failed: {p.stderr.strip()[-200:]}"
            else:
                row[mode], row[f"{mode}_error"] = count([str(exe)])
        out[w.name] = row
        log(f"{w.name}: " + ", ".join(f"{k}={row[k]}" for k in ("native",) + modes))
    return out


def _fmt(n: int | None) -> str:
    return "FAIL" if n is None else f"{n / 1e6:,.1f}M"


def _ratio(a, b) -> str:
    return f"{a / b:.2f}x" if a and b else "-"


def table(before: dict, after: dict, modes: tuple[str, ...] = MODES) -> str:
    """Markdown: per workload, millions of instructions before/after per
    mode, and after / native."""
    head = ["workload", "native"]
    for m in modes:
        head += [f"{m} before", f"{m} after", f"{m} after/before", f"{m} after/native"]
    lines = ["| " + " | ".join(head) + " |", "|---" + "|--:" * (len(head) - 1) + "|"]
    geo: dict[str, list[float]] = {}
    for w, a in after.items():
        b = before.get(w, {})
        nat = a.get("native")
        cells = [w, _fmt(nat)]
        for m in modes:
            x, y = b.get(m), a.get(m)
            cells += [_fmt(x), _fmt(y), _ratio(y, x), _ratio(y, nat)]
            if x and y and nat:
                geo.setdefault(f"{m} ab", []).append(y / x)
                geo.setdefault(f"{m} an", []).append(y / nat)
                geo.setdefault(f"{m} bn", []).append(x / nat)
        lines.append("| " + " | ".join(cells) + " |")

    def g(k):
        v = geo.get(k)
        if not v:
            return "-"
        import math
        return f"{math.exp(sum(map(math.log, v)) / len(v)):.3f}x"
    cells = ["geomean", ""]
    for m in modes:
        cells += [f"{g(m + ' bn')} of native", "", g(m + " ab"), g(m + " an")]
    lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="instr_count", description=__doc__.split("\n\n")[0])
    ap.add_argument("workloads", nargs="*", help="names, suites or .c files (default: all)")
    ap.add_argument("--full", action="store_true", help="full sizes (default: --quick sizes)")
    ap.add_argument("--modes", default=",".join(MODES),
                    help="bounds modes (default: explicit,guard; also explicit-checkmerge)")
    ap.add_argument("--rev", help="compile with the compiler as committed at REV")
    ap.add_argument("-o", "--output", help="write the counts as JSON")
    ap.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"),
                    help="print the table of two JSON files and exit")
    a = ap.parse_args(argv)
    if a.compare:
        docs = []
        for p in a.compare:
            try:
                doc = json.loads(Path(p).read_text())
                docs.append((doc["counts"], tuple(doc["modes"])))
            except (OSError, ValueError, KeyError, TypeError) as e:
                print(f"instr_count: {p}: not a counts file of instr_count -o "
                      f"({type(e).__name__}: {e})", file=sys.stderr)
                return 2
        print(table(docs[0][0], docs[1][0], docs[1][1]), end="")
        return 0
    modes = tuple(m for m in a.modes.split(",") if m)
    if any(m not in MODES and m not in EXTRA_MODES for m in modes):
        ap.error(f"--modes: each of {', '.join(MODES + tuple(EXTRA_MODES))}")
    if a.rev and any(m in EXTRA_MODES for m in modes):
        ap.error("--rev: only with the modes " + ", ".join(MODES))
    with tempfile.TemporaryDirectory(prefix="instr_count.") as tmp:
        work = Path(tmp)
        src, rev = None, None
        if a.rev:
            src = work / "src"
            src.mkdir()
            try:
                rev = export_rev(a.rev, src)
            except subprocess.CalledProcessError as e:
                print(f"instr_count: cannot export {a.rev}: {(e.stderr or b'').decode().strip()}",
                      file=sys.stderr)
                return 2
        try:
            counts = measure(a.workloads, modes, not a.full, src, work,
                             log=lambda s: print(s, file=sys.stderr, flush=True))
        except ValueError as e:
            print(f"instr_count: {e}", file=sys.stderr)
            return 2
    doc = {"rev": rev or "working tree", "modes": modes, "quick": not a.full,
           "machine": os.uname().machine, "counts": counts}
    if a.output:
        Path(a.output).write_text(json.dumps(doc, indent=1) + "\n")
    print(table(counts, counts, modes), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
