"""Executed instructions of wasmaot firmware against the same C compiled
natively for the same core (issue 17's speed goal).

    python -m wasmaot.bench.firmware_instr                      # every workload, cortex-m3 + rv32imac
    python -m wasmaot.bench.firmware_instr crc32 fir -t cortex-m3,cortex-m4f
    python -m wasmaot.bench.firmware_instr --all-targets -o results.json --md results.md
    python -m wasmaot.bench.firmware_instr --rev HEAD           # the compiler as committed
    python -m wasmaot.bench.firmware_instr --tree DIR           # the compiler of a source tree
    python -m wasmaot.bench.firmware_instr --redraw results.json --md results.md
    python -m wasmaot.bench.firmware_instr --calibrate          # print fw_workloads/expected.h

Workloads: the kernels of ``fw_workloads/`` (one C file each, ``fw.h``,
checked against ``expected.h``) and the bench workloads of
:data:`BENCH_WORKLOADS` (``workloads/*.c`` with ``fw_bench.h`` instead of
their bench.h: scaled sizes, checksums that must equal the native
build's).  Each is built:

* to wasm32 (freestanding, no libc) with the hermetic zig at ``-O2``, then
  ``wasmaot compile --target T --board B -O2`` twice: ``explicit`` (the
  firmware's bounds mode: a check per access that the IR passes could not
  prove or merge) and ``unchecked`` (the same compile with the emitter's
  per-access check switched off by this script, and no checkmerge: what a
  module would cost with no bounds checks at all.  Not a compiler mode:
  the firmware targets offer explicit checks only);
* natively for the same core by the same zig clang at the same ``-O2``,
  linked by the firmware's own link (``backends.firmware.link_image``: the
  board's linker script, its startup file, compiler-rt) with
  ``native_main.c`` in place of the wasm instance.

Each image runs under qemu-system on the board with a TCG plugin
(``qemu_plugin/insn_count.c``, built here into the bench cache) that counts
executed instructions exactly: deterministic, so 1% is real.  Whole image:
reset, instantiation (zeroing linear memory) and the workload's own set-up
and check count too.  A run that does not exit 0 is FAIL.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import suite
from .instr_count import TREE_FINDER

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FW_DIR = HERE / "fw_workloads"
PLUGIN_SRC = HERE / "qemu_plugin" / "insn_count.c"

#: Target -> the qemu board its images run on (as tests/firmware).
BOARDS = {"cortex-m3": "mps2-an385", "rv32imac": "virt-rv32", "cortex-m4f": "mps2-an386",
          "cortex-m33": "mps2-an505"}
DEFAULT_TARGETS = ("cortex-m3", "rv32imac")
MODES = ("explicit", "unchecked")
#: The C of both builds: zig's -O2, no fused multiply-add (Wasm has none),
#: freestanding (no libc on either side).
C_FLAGS = ["-O2", "-g0", "-ffp-contract=off", "-ffreestanding"]
WASM_FLAGS = ["-target", "wasm32-freestanding", "-nostdlib", "-s",
              # Small linear memory: a 16 KiB shadow stack, the rest is data.
              "-Wl,-z,stack-size=16384"]
NATIVE_EXTRA = ["-ffunction-sections", "-fdata-sections"]

#: Prelude of the compile scripts below: with argv[1] a source tree (not
#: "-"), import ``wasmaot`` from it, its packages mapped by that tree's
#: pyproject.toml (as instr_count.py's ``--rev``).
_PRELUDE = TREE_FINDER + """\
root = sys.argv.pop(1)
if root != "-":
    map_tree(root)
"""

#: ``wasmaot ARGS`` (argv[2:]).
_CLI = _PRELUDE + """\
import runpy
sys.argv = ["wasmaot"] + sys.argv[1:]
runpy.run_module("wasmaot", run_name="__main__")
"""

#: Compiles a module (argv[1]) into a firmware image (argv[2]) for target
#: argv[3] and board argv[4] with no bounds checks: the emitter's
#: per-access check answers "not needed", and the pipeline has no
#: checkmerge (whose merged checks would come back).  Bench only.
_UNCHECKED_COMPILE = _PRELUDE + """\
from wasmaot.backends import CompileOptions
from wasmaot.backends.firmware import FirmwareOptions
from wasmaot.backends.llvm import traps
from wasmaot.compile import compile_bytes
from wasmaot.ir.pipeline import PIPELINE
src, out, target, board = sys.argv[1:5]
traps.access_needs_check = lambda *a, **k: False
compile_bytes(open(src, "rb").read(), src, CompileOptions(target=target, opt_level=2, bounds="explicit"),
              emit="exe", out=out, passes=list(PIPELINE), firmware=FirmwareOptions(board=board))
"""


class BenchError(Exception):
    """A build or run that failed: one line for the table."""


# ------------------------------------------------------------------ arithmetic

def ratio(a: int | None, b: int | None) -> float | None:
    """a / b, or None when either count is missing (a failed run) or b is 0."""
    if not a or not b:
        return None
    return a / b


def geomean(values) -> float | None:
    """The geometric mean of the positive numbers in ``values`` (None and
    failed entries skipped); None if there are none."""
    v = [x for x in values if x is not None]
    if not v:
        return None
    if any(x <= 0 for x in v):
        raise ValueError("geomean: every value must be positive")
    return math.exp(sum(map(math.log, v)) / len(v))


def summarize(rows: dict, modes=MODES) -> dict:
    """Per mode, the geomean over workloads of mode / native (workloads
    where either failed are left out, and counted)."""
    out = {}
    for m in modes:
        rs = [ratio(r.get(m), r.get("native")) for r in rows.values()]
        out[m] = {"geomean": geomean(rs), "workloads": sum(x is not None for x in rs)}
    return out


# ------------------------------------------------------------------ tools

#: Bench workloads (``workloads/*.c``) that run as firmware with
#: ``fw_bench.h``: name -> FW_SCALE, their quick sizes times this / 1000
#: (so that they fit the board's RAM and run 1-50 M instructions on
#: cortex-m3).  The others need libc (malloc, qsort, string functions) or
#: are not kernels (probe).
BENCH_WORKLOADS = {"floyd-warshall": 166, "nussinov": 200, "recursion": 790, "indirect": 100,
                   "gemm": 71, "2mm": 71, "lu": 83, "jacobi-2d": 62, "seidel-2d": 125,
                   "atax": 125, "trisolv": 125, "heat-3d": 166}
#: Bench workloads whose main takes (argc, argv) (fw_bench.h FW_MAIN_ARGS).
MAIN_ARGS = {"recursion"}


def kernels() -> list[str]:
    """The embedded kernels of ``fw_workloads/``."""
    return sorted(p.stem for p in FW_DIR.glob("*.c") if p.stem != "native_main")


def workloads() -> list[str]:
    """Every workload name: the kernels, then the bench workloads."""
    return kernels() + list(BENCH_WORKLOADS)


def _run(cmd: list[str], what: str, timeout: int = 600, env=None) -> subprocess.CompletedProcess:
    try:
        p = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise BenchError(f"{what}: timed out after {timeout} s") from None
    if p.returncode != 0:
        tail = " ".join(p.stderr.strip().splitlines()[-3:])[-300:]
        raise BenchError(f"{what}: exit {p.returncode}: {tail}")
    return p


def plugin(cache: Path | None = None) -> Path:
    """The counting plugin, built for this host into the bench cache
    (keyed by its source and zig's version)."""
    src = PLUGIN_SRC.read_bytes()
    key = hashlib.sha256(src + (suite.zig_version() or "").encode()).hexdigest()[:16]
    out = (cache or suite.cache_dir()) / "qemu_plugin" / f"insn_count-{key}.so"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + f".tmp{os.getpid()}")
        _run(suite.zig_cmd() + ["cc", "-shared", "-fPIC", "-target", "x86_64-linux-gnu", "-O2",
                                str(PLUGIN_SRC), "-o", str(tmp)], "building the qemu plugin")
        os.replace(tmp, out)
    return out


def qemu_cmd(board: str) -> list[str]:
    from wasmaot.backends.firmware.boards import BOARDS as ALL
    cmd = ALL[board].qemu
    if cmd is None or shutil.which(cmd[0]) is None:
        raise BenchError(f"{cmd[0] if cmd else board}: not installed (apt-get install "
                         "qemu-system-arm qemu-system-misc)")
    return [*cmd, "-nographic", "-monitor", "none", "-serial", "none",
            "-semihosting-config", "enable=on,target=native"]


@dataclass
class Run:
    insns: int
    status: int
    output: str


def count(elf: Path, board: str, plugin_so: Path, timeout: int = 600) -> Run:
    """Run ``elf`` on ``board`` under qemu with the plugin: executed
    instructions, exit status, output."""
    with tempfile.TemporaryDirectory(prefix="fwinstr.") as td:
        out = Path(td) / "count"
        cmd = qemu_cmd(board) + ["-plugin", f"{plugin_so},out={out}", "-kernel", str(elf)]
        try:
            p = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise BenchError(f"{elf.name}: qemu timed out after {timeout} s") from None
        m = re.search(r"insns: (\d+)", out.read_text()) if out.exists() else None
        if m is None:
            raise BenchError(f"{elf.name}: the plugin wrote no count ({p.stderr.strip()[-200:]})")
        return Run(int(m.group(1)), p.returncode, p.stdout + p.stderr)


# ------------------------------------------------------------------ builds

def source(name: str) -> Path:
    if name in BENCH_WORKLOADS:
        return suite.WORKLOAD_DIR / f"{name}.c"
    p = FW_DIR / f"{name}.c"
    if not p.is_file():
        raise BenchError(f"no workload {name!r} (known: {', '.join(workloads())})")
    return p


def source_flags(name: str) -> list[str]:
    """C flags of ``name``'s builds: a bench workload gets fw_bench.h."""
    flags = [f"-I{FW_DIR}"]
    if name in BENCH_WORKLOADS:
        flags += ["-include", str(FW_DIR / "fw_bench.h"), f"-DFW_SCALE={BENCH_WORKLOADS[name]}"]
        flags += ["-DFW_MAIN_ARGS"] if name in MAIN_ARGS else []
    return flags


def wasm_build(name: str, work: Path) -> Path:
    out = work / f"{name}.wasm"
    if not out.exists():
        _run(suite.zig_cmd() + ["cc", *WASM_FLAGS, *C_FLAGS, *source_flags(name), str(source(name)),
                                "-o", str(out)], f"{name}: zig cc wasm32")
    return out


def wasmaot_image(wasm: Path, target: str, mode: str, out: Path, src_root: Path | None = None) -> Path:
    """``wasm`` compiled for ``target`` in ``mode``, by the compiler of the
    working tree or of ``src_root`` (a ``--rev`` export)."""
    board = BOARDS[target]
    root = str(src_root) if src_root else "-"
    if mode == "explicit":
        cmd = [sys.executable, "-c", _CLI, root, "compile", "--target", target, "--board", board,
               "-O2", "--bounds", "explicit", str(wasm), "-o", str(out)]
    else:
        cmd = [sys.executable, "-c", _UNCHECKED_COMPILE, root, str(wasm), str(out), target, board]
    _run(cmd, f"{wasm.stem}: wasmaot compile ({target}, {mode})")
    return out


def _runtime_cflags(target: str) -> tuple[str, list[str]]:
    """zig target and -mcpu of the firmware runtime config of ``target``:
    the native build is for exactly the core the image's C is built for."""
    from wasmaot.backends.manifest import parse_manifest, runtime_root
    from wasmaot.backends.targets import get_target
    cfg = parse_manifest(runtime_root() / "sources.txt").config(
        get_target(target).runtime_config("explicit"))
    return cfg.target, [f for f in cfg.cflags if f.startswith("-mcpu=")]


def native_image(name: str, target: str, work: Path, src: Path | None = None,
                 extra: tuple = ()) -> Path:
    """Workload ``name`` (or the C file ``src``, which defines ``fw_main``)
    compiled for ``target``'s core and linked by the firmware's own link
    (startup, linker script, compiler-rt), with the objects ``extra``."""
    from wasmaot.backends import firmware as fwb
    from wasmaot.backends.buildcache import compile_host_c
    from wasmaot.backends.targets import TargetError, get_target
    from wasmaot.backends.toolchain import LinkError
    t = get_target(target)
    zt, mcpu = _runtime_cflags(target)
    objs = []
    main = (src, [f"-I{FW_DIR}"]) if src else (source(name), source_flags(name))
    for c, flags in (main, (FW_DIR / "native_main.c", [])):
        obj = work / f"{name}-{target}-{c.stem}.o"
        _run(suite.zig_cmd() + ["cc", "-target", zt, *mcpu, *C_FLAGS, *NATIVE_EXTRA,
                                *fwb.include_flags(), *flags, "-c", str(c), "-o", str(obj)],
             f"{name}: zig cc {target}")
        objs.append(obj)
    semihost = compile_host_c(Path(fwb.include_flags()[0][2:]) / "semihost.c", target, "explicit")
    out = work / f"{name}-{target}-native.elf"
    board = fwb.boards.BOARDS[BOARDS[target]]
    try:
        fwb.link_image(t, "explicit", board, fwb.linker.RamNeeds(0, 0), out,
                       {"fw": [*extra, fwb.startup_object(t, "explicit")], "rt": [*objs, semihost]})
    except (LinkError, TargetError) as e:
        raise BenchError(f"{name}: native link ({target}): {str(e).splitlines()[0][:200]}") from None
    return out


# ------------------------------------------------------------------ measure

def measure_one(name: str, target: str, modes, work: Path, plugin_so: Path,
                src_root: Path | None = None) -> dict:
    """Counts of one kernel on one target: native and each mode (None and
    a reason on failure)."""
    row: dict = {}
    board = BOARDS[target]
    builds = [("native", lambda: native_image(name, target, work))]
    for m in modes:
        builds.append((m, lambda m=m: wasmaot_image(wasm_build(name, work), target, m,
                                                    work / f"{name}-{target}-{m}.elf", src_root)))
    sums = {}
    for key, build in builds:
        try:
            r = count(build(), board, plugin_so)
            if r.status != 0:
                raise BenchError(f"exit {r.status}: {r.output.strip()[-200:]}")
            sums[key] = checksums(r.output)
            if key != "native" and sums[key] != sums.get("native"):
                raise BenchError(f"checksums {sums[key]} differ from native's {sums.get('native')}")
            row[key] = r.insns
        except BenchError as e:
            row[key], row[f"{key}_error"] = None, str(e)
    return row


def checksums(output: str) -> list[str]:
    """The ``checksum:`` lines a bench workload printed (fw_bench.h)."""
    return re.findall(r"checksum: ([0-9a-f]{16})", output)


def measure(names, targets, modes, log=print, rev: str | None = None,
            tree: Path | None = None) -> tuple[dict, str]:
    """Counts of every kernel on every target; and the compiler used:
    ``rev`` (as committed there), ``tree`` (a source tree, e.g. a patched
    export), else the working tree."""
    plugin_so = plugin()
    res: dict = {}
    with tempfile.TemporaryDirectory(prefix="firmware_instr.") as td:
        work = Path(td)
        src_root, used = tree, (f"tree {tree}" if tree else "working tree")
        if rev:
            src_root = work / "src"
            src_root.mkdir()
            used = export_rev(rev, src_root)
        for t in targets:
            rows = {}
            for n in names:
                rows[n] = measure_one(n, t, modes, work, plugin_so, src_root)
                log(f"{t} {n}: " + ", ".join(f"{k}={_m(rows[n].get(k))}" for k in ("native", *modes)))
            res[t] = {"board": BOARDS[t], "rows": rows, "summary": summarize(rows, modes)}
    return res, used


def export_rev(rev: str, dest: Path) -> str:
    """``git archive`` REV of this repository into ``dest``; its full hash."""
    p = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", rev + "^{commit}"],
                       check=False, capture_output=True, text=True)
    if p.returncode != 0:
        raise BenchError(f"--rev {rev}: not a commit of {ROOT}")
    full = p.stdout.strip()
    arch = subprocess.run(["git", "-C", str(ROOT), "archive", full], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=arch.stdout, check=True)
    return full


# ------------------------------------------------------------------ report

def _m(n: int | None) -> str:
    return "FAIL" if n is None else f"{n / 1e6:.2f}M"


def _x(r: float | None) -> str:
    return "-" if r is None else f"{r:.3f}x"


def table(target: str, tres: dict, modes=MODES) -> str:
    """Markdown table of one target: millions of instructions, ratio to native."""
    head = ["workload", "native"] + [c for m in modes for c in (m, f"{m}/native")]
    lines = [f"**{target}** (board `{tres['board']}`)", "",
             "| " + " | ".join(head) + " |", "|---" + "|--:" * (len(head) - 1) + "|"]
    for name, r in tres["rows"].items():
        cells = [name, _m(r.get("native"))]
        for m in modes:
            cells += [_m(r.get(m)), _x(ratio(r.get(m), r.get("native")))]
        lines.append("| " + " | ".join(cells) + " |")
    cells = ["**geomean**", ""]
    for m in modes:
        cells += ["", f"**{_x(tres['summary'][m]['geomean'])}**"]
    lines.append("| " + " | ".join(cells) + " |")
    errs = [f"- {n} {k[:-6]}: {v}" for n, r in tres["rows"].items() for k, v in r.items()
            if k.endswith("_error") and v]
    return "\n".join(lines + ([""] + errs if errs else [])) + "\n"


def versions() -> dict:
    def out(cmd):
        try:
            return subprocess.run(cmd, check=False, capture_output=True, text=True,
                                  timeout=60).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    import llvmlite
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
    except OSError:
        pass
    return {"qemu": out(["qemu-system-arm", "--version"]).splitlines()[0] if shutil.which("qemu-system-arm") else "",
            "zig": suite.zig_version() or "", "llvmlite": llvmlite.__version__,
            "python": platform.python_version(), "cpu": cpu, "cores": os.cpu_count(),
            "wasmaot": out(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]) or "unknown",
            "dirty": bool(out(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"]))}


def _compiler(doc: dict) -> str:
    """Which compiler a result document measured, for its report."""
    c, v = doc.get("compiler", "working tree"), doc["versions"]
    if re.fullmatch(r"[0-9a-f]{40}", c):
        return f"wasmaot `{c[:10]}` (--rev)"
    if c != "working tree":
        return c
    return f"wasmaot `{v['wasmaot']}`" + (" plus uncommitted changes" if v["dirty"] else "")


def markdown(doc: dict) -> str:
    v = doc["versions"]
    head = ["# Firmware: executed instructions, wasmaot vs native", "",
            ("`python -m wasmaot.bench.firmware_instr` (benchmarks/firmware_instr.py). Millions of "
            "instructions executed by the whole image under qemu-system (TCG plugin "
            "`qemu_plugin/insn_count.c`), and the ratio to the same C compiled natively for the "
            "core by the same zig clang at -O2. `explicit`: wasmaot's firmware bounds mode; "
            "`unchecked`: the same compile with the per-access bounds checks switched off by "
            "the bench (not a compiler option)."), "",
            (f"Machine: {v['cpu']} ({v['cores']} cores), Python {v['python']}. {v['qemu']}; "
             f"zig {v['zig']}; llvmlite {v['llvmlite']}; compiler: {_compiler(doc)}."), ""]
    body = [table(t, r, tuple(doc["modes"])) for t, r in doc["targets"].items()]
    return "\n".join(head) + "\n" + "\n".join(body)


def redraw(path: Path, md: str | None) -> int:
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise BenchError(f"--redraw {path}: {e}") from None
    text = markdown(doc)
    if md:
        Path(md).write_text(text)
    print(text, end="")
    return 0


def calibrate() -> str:
    """expected.h's lines, computed by a host build of every kernel."""
    lines = []
    with tempfile.TemporaryDirectory(prefix="fwcal.") as td:
        for n in kernels():
            exe = Path(td) / n
            _run(suite.zig_cmd() + ["cc", "-O2", "-DFW_CALIBRATE", *source_flags(n), str(source(n)),
                                    "-o", str(exe)], f"{n}: host build")
            name, val = _run([str(exe)], n).stdout.split()
            lines.append(f"#define FW_EXPECT_{name} {val}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="firmware_instr", description=__doc__.split("\n\n")[0])
    ap.add_argument("workloads", nargs="*", help="workload names (default: all)")
    ap.add_argument("-t", "--targets", default=",".join(DEFAULT_TARGETS),
                    help=f"comma-separated, of {', '.join(BOARDS)} (default: %(default)s)")
    ap.add_argument("--all-targets", action="store_true", help="every firmware target")
    ap.add_argument("--modes", default=",".join(MODES), help="of explicit, unchecked")
    ap.add_argument("-o", "--output", help="write the results as JSON")
    ap.add_argument("--md", help="write the markdown report")
    ap.add_argument("--rev", help="compile with the compiler as committed at REV (e.g. HEAD)")
    ap.add_argument("--tree", type=Path, help="compile with the compiler of this source tree")
    ap.add_argument("--redraw", metavar="JSON", help="print (and --md: write) the report of a result file")
    ap.add_argument("--calibrate", action="store_true", help="print fw_workloads/expected.h values")
    a = ap.parse_args(argv)
    try:
        if a.calibrate:
            print(calibrate(), end="")
            return 0
        if a.redraw:
            return redraw(Path(a.redraw), a.md)
        targets = list(BOARDS) if a.all_targets else [t for t in a.targets.split(",") if t]
        modes = tuple(m for m in a.modes.split(",") if m)
        bad = [t for t in targets if t not in BOARDS] + [m for m in modes if m not in MODES]
        if bad:
            ap.error(f"unknown target or mode: {', '.join(bad)}")
        names = a.workloads or workloads()
        for n in names:
            source(n)
        if a.rev and a.tree:
            ap.error("--rev and --tree exclude each other")
        if a.tree and not (a.tree / "pyproject.toml").is_file():
            ap.error(f"--tree {a.tree}: not a wasmaot source tree (no pyproject.toml)")
        res, compiler = measure(names, targets, modes, rev=a.rev, tree=a.tree,
                                log=lambda s: print(s, file=sys.stderr, flush=True))
    except BenchError as e:
        print(f"firmware_instr: {e}", file=sys.stderr)
        return 2
    doc = {"modes": modes, "compiler": compiler, "versions": versions(), "targets": res}
    if a.output:
        Path(a.output).write_text(json.dumps(doc, indent=1) + "\n")
    if a.md:
        Path(a.md).write_text(markdown(doc))
    for t, r in res.items():
        print(table(t, r, modes))
    failed = any(k.endswith("_error") and v for r in res.values() for row in r["rows"].values()
                 for k, v in row.items())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
