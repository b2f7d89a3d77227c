"""The workloads of `wasmaot bench` and how they are built.

Every workload is one C file in ``workloads/`` (they share ``bench.h`` and
the expected checksums in ``expected.h``).  Each is compiled twice with the
hermetic zig toolchain from PyPI:

* for WebAssembly: ``python -m ziglang cc -target wasm32-wasi -O2 -g0 -s``
* for the host:    ``python -m ziglang cc -O2 -g0 -ffp-contract=off`` (clang
  for the host CPU: the physical limit for an LLVM backend).  Without
  ``-ffp-contract=off`` clang fuses ``a*b+c`` into an FMA, which Wasm may not
  do: different rounding, and on this machine (Zen, FMA latency 4 vs add 3)
  the latency-bound reductions of lu/atax/bicg/trisolv/cholesky ran up to
  1.8x *slower* natively than under wasmtime, so "native" was no limit.

``-DSIZE_QUICK`` selects the small inputs of ``--quick``.  Builds are cached
under ``$WASMAOT_BENCH_CACHE`` (default ``~/.cache/wasmaot-bench``), keyed
by the sources, the flags and the zig version.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from wasmaot.cache import cache_dir as _cache_dir

#: The benchmarks' cache root: $WASMAOT_BENCH_CACHE or ~/.cache/wasmaot-bench.
cache_dir = partial(_cache_dir, kind="bench")

HERE = Path(__file__).resolve().parent
WORKLOAD_DIR = HERE / "workloads"

WASM_FLAGS = ["-target", "wasm32-wasi", "-O2", "-g0", "-s"]
NATIVE_FLAGS = ["-O2", "-g0", "-ffp-contract=off"]

#: The ISA level of the ahead-of-time builds (``wasmaot bench --isa``):
#: ``host``: native C and wasm2c for this machine's CPU, wasmaot with
#: ``--cpu native``; ``portable``: all three for x86-64-v2, wasmaot's default
#: target level.  Like for like either way; the JIT engines (wasmtime run,
#: V8) always use the host's features.
ISA_LEVELS = ("host", "portable")
PORTABLE_CPU_FLAGS = ["-mcpu=x86_64_v2"]          # zig's spelling of x86-64-v2
ISA = "host"


def native_flags() -> list[str]:
    """The flags of the native (and wasm2c) builds at the chosen ISA level."""
    return NATIVE_FLAGS + (PORTABLE_CPU_FLAGS if ISA == "portable" else [])
LIBM = ["-lm"]

# name -> (group, one-line description)
WORKLOADS: dict[str, tuple[str, str]] = {
    "gemm": ("polybench", "dense matrix multiply C = aAB + bC"),
    "2mm": ("polybench", "two chained matrix multiplies"),
    "atax": ("polybench", "y = A^T(Ax), matrix-vector, repeated"),
    "bicg": ("polybench", "BiCG kernel s = A^T r, q = Ap, repeated"),
    "lu": ("polybench", "LU decomposition (no pivoting)"),
    "cholesky": ("polybench", "Cholesky decomposition"),
    "trisolv": ("polybench", "triangular solve, repeated"),
    "jacobi-2d": ("polybench", "2-D Jacobi stencil"),
    "seidel-2d": ("polybench", "2-D Gauss-Seidel stencil (in place)"),
    "heat-3d": ("polybench", "3-D heat equation stencil"),
    "fdtd-2d": ("polybench", "2-D finite-difference time domain"),
    "floyd-warshall": ("polybench", "all-pairs shortest paths (int32)"),
    "nussinov": ("polybench", "RNA folding dynamic programming (int32)"),
    "correlation": ("polybench", "correlation matrix"),
    "covariance": ("polybench", "covariance matrix"),
    "recursion": ("calls", "fib, tak and N-queens by recursion"),
    "indirect": ("calls", "function-pointer interpreter and vtable calls"),
    "hashmap": ("memory", "open-addressing hash map, larger than caches"),
    "sort": ("memory", "quicksort, merge sort, heapsort of 2M u32"),
    "alloc": ("memory", "malloc/free/realloc churn, binary trees"),
    "strings": ("string", "substring search, case folding, RLE, hashing"),
    "wordfreq": ("string", "tokenize, count words in a string hash table, qsort"),
}

GROUPS = ("polybench", "calls", "memory", "string")


class BuildError(Exception):
    """A workload failed to build (one-line message plus the compiler's tail)."""


@dataclass
class Workload:
    name: str
    group: str
    description: str
    source: Path | None = None   # a C file, or None for a ready .wasm
    wasm_file: Path | None = None  # for a user-given .wasm

    @property
    def native_possible(self) -> bool:
        return self.source is not None


@dataclass
class Build:
    """The built artifacts of one workload."""
    workload: Workload
    wasm: Path | None = None
    native: Path | None = None
    native_compile_s: float | None = None   # zig cc for the host (when built now or cached)
    wasm_bytes: int | None = None
    error: str | None = None
    notes: dict = field(default_factory=dict)


def builtin_workloads() -> list[Workload]:
    return [Workload(n, g, d, WORKLOAD_DIR / f"{n}.c") for n, (g, d) in WORKLOADS.items()]


def select(specs: list[str]) -> list[Workload]:
    """Resolve SUITE names (all, polybench, calls, memory, string), workload names
    and file paths (.c or .wasm) into workloads, in order, without duplicates."""
    if not specs:
        specs = ["all"]
    out: list[Workload] = []
    seen: set[str] = set()

    def add(w: Workload):
        if w.name not in seen:
            seen.add(w.name)
            out.append(w)

    builtin = {w.name: w for w in builtin_workloads()}
    for spec in specs:
        p = Path(spec)
        if spec == "all":
            for w in builtin.values():
                add(w)
        elif spec in GROUPS:
            for w in builtin.values():
                if w.group == spec:
                    add(w)
        elif spec in builtin:
            add(builtin[spec])
        elif p.suffix in (".c", ".wasm"):
            if not p.is_file():
                raise ValueError(f"{spec}: no such file")
            name = p.stem
            while name in seen:
                name += "'"
            if p.suffix == ".c":
                add(Workload(name, "file", f"user file {p}", source=p.resolve()))
            else:
                add(Workload(name, "file", f"user module {p}", wasm_file=p.resolve()))
        else:
            raise ValueError(f"{spec}: not a suite ({', '.join(('all',) + GROUPS)}), "
                             "a workload name or a .c/.wasm file")
    return out


def native_target_cpu() -> str | None:
    """The CPU zig compiles the native builds for (it detects the host)."""
    try:
        p = subprocess.run(zig_cmd() + ["cc", "-###", *native_flags(), "-c", "-x", "c", os.devnull,
                                        "-o", os.devnull], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    import re
    cpus = re.findall(r'"-target-cpu" "([^"]+)"', p.stderr + p.stdout)
    return cpus[-1] if cpus else None


def zig_cmd() -> list[str]:
    return [sys.executable, "-m", "ziglang"]


_ZIG_VERSION: str | None = None


def zig_version() -> str | None:
    global _ZIG_VERSION
    if _ZIG_VERSION is None:
        try:
            p = subprocess.run(zig_cmd() + ["version"], capture_output=True, text=True, timeout=60)
            _ZIG_VERSION = p.stdout.strip() if p.returncode == 0 else ""
        except (OSError, subprocess.SubprocessError):
            _ZIG_VERSION = ""
    return _ZIG_VERSION or None


def _key(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else str(p).encode())
        h.update(b"\0")
    return h.hexdigest()[:24]


def _compile(cmd: list[str], out: Path, what: str, timeout: int = 600) -> float:
    tmp = out.with_name(out.name + f".tmp{os.getpid()}")
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd + ["-o", str(tmp)], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise BuildError(f"{what}: zig cc timed out after {timeout} s") from None
    except OSError as e:
        raise BuildError(f"{what}: cannot run zig cc: {e}") from None
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        lines = [ln for ln in (p.stderr or p.stdout).strip().splitlines() if ln.strip()]
        first = next((ln for ln in lines if "error" in ln), lines[0] if lines else "")
        raise BuildError(f"{what}: zig cc failed (exit {p.returncode}): {first.strip()}")
    os.replace(tmp, out)
    return dt


def build(w: Workload, *, quick: bool, native: bool, extra_cflags: tuple[str, ...] = ()) -> Build:
    """Build (or fetch from the cache) the wasm module and, if asked, the native executable."""
    b = Build(w)
    if w.wasm_file is not None:
        b.wasm = w.wasm_file
        b.wasm_bytes = w.wasm_file.stat().st_size
        return b
    assert w.source is not None
    src = w.source.read_bytes()
    headers = b"".join((WORKLOAD_DIR / h).read_bytes() for h in ("bench.h", "expected.h"))
    defines = (["-DSIZE_QUICK"] if quick else []) + list(extra_cflags)
    common = defines + [f"-I{WORKLOAD_DIR}", str(w.source)]
    zv = zig_version() or "unknown"
    base = cache_dir() / "builds"
    try:
        wkey = _key("wasm", src, headers, WASM_FLAGS, common[:-1], zv)
        d = base / wkey
        d.mkdir(parents=True, exist_ok=True)
        out = d / f"{w.name}.wasm"
        if not out.exists():
            _compile(zig_cmd() + ["cc"] + WASM_FLAGS + common + LIBM, out, f"{w.name} (wasm32-wasi)")
        b.wasm, b.wasm_bytes = out, out.stat().st_size
        if native:
            nkey = _key("native", src, headers, native_flags(), common[:-1], zv)
            d = base / nkey
            d.mkdir(parents=True, exist_ok=True)
            out = d / w.name
            meta = d / "build.json"
            if not out.exists():
                dt = _compile(zig_cmd() + ["cc"] + native_flags() + common + LIBM, out, f"{w.name} (native)")
                meta.write_text(json.dumps({"compile_s": dt}))
            b.native = out
            try:
                b.native_compile_s = json.loads(meta.read_text())["compile_s"]
            except (OSError, ValueError, KeyError):
                pass
    except BuildError as e:
        b.error = str(e)
    except OSError as e:
        b.error = f"{w.name}: build failed: {e}"
    return b


def clear_cache() -> None:
    shutil.rmtree(cache_dir() / "builds", ignore_errors=True)
