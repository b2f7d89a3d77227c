"""Build machinery for the WASI shim tests.

* ``shim_build(config)``: the runtime (``runtime-c/sources.txt``) and the shim
  (``wasi-shim/sources.txt``) compiled for one manifest config with zig,
  cached under ``wasi-tests/`` of the compiler's cache (``wasmaot/cache.py``)
  by a hash of every source, header and flag;
* ``test_shim_exe``: ``tests/wasi/c/test_shim.c`` linked against them;
* ``wasm_programs``: ``tests/wasi/programs/*.c`` built for wasm32-wasi;
* ``run_wasmtime``: run a wasm program under the ``wasmtime`` Python package
  the way the ``wasmtime`` CLI would (exit status 134 for traps, 1 for host
  errors), capturing stdout/stderr through files.

The manifests are read with the product's own parser (``backends/manifest.py``);
configs and link flags come from the target registry (``backends/targets.py``).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from wasmaot.backends import manifest as product_manifest
from wasmaot.backends.targets import DEFAULT_TARGET, get_target
from wasmaot.cache import cache_dir

import pytest

REPO = Path(__file__).resolve().parents[2]
RUNTIME = REPO / "runtime-c"
SHIM = REPO / "wasi-shim"
HERE = Path(__file__).resolve().parent
ZIG_CC = [sys.executable, "-m", "ziglang", "cc"]


def cache_root() -> Path:
    return cache_dir() / "wasi-tests"


# --------------------------------------------------------------- manifests

@dataclass
class Manifest:
    """The product's manifest (backends/manifest.py) plus the folder it lives in,
    for absolute source and include paths."""
    root: Path
    m: product_manifest.Manifest

    @property
    def configs(self) -> dict[str, product_manifest.Config]:
        return self.m.configs

    @property
    def all_cflags(self) -> list[str]:
        return self.m.all_cflags

    def sources(self, cfg: product_manifest.Config) -> list[Path]:
        return [self.root / f for f in self.m.sources(cfg)]

    def include_flags(self) -> list[str]:
        return [f"-I{(self.root / d).resolve()}" for d in self.m.includes]


def parse_manifest(path: Path) -> Manifest:
    return Manifest(path.parent, product_manifest.parse_manifest(path))


def _digest(parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        b = p if isinstance(p, bytes) else str(p).encode()
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()[:24]


def zig(args, cwd=None) -> subprocess.CompletedProcess:
    proc = subprocess.run([*ZIG_CC, *map(str, args)], capture_output=True, text=True, cwd=cwd)
    if proc.returncode != 0:
        raise RuntimeError(f"zig cc {' '.join(map(str, args))}\n{proc.stderr}")
    return proc


def _all_files(root: Path, exts=(".c", ".h", ".txt")) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in exts)


@dataclass
class Build:
    config: str
    target: str
    cflags: list[str]
    includes: list[str]
    objects: list[Path]


def shim_build(config: str, extra_cflags: tuple[str, ...] = ()) -> Build:
    """Runtime + shim objects for manifest config `config` (cached)."""
    rt, sh = parse_manifest(RUNTIME / "sources.txt"), parse_manifest(SHIM / "sources.txt")
    rcfg, scfg = rt.configs[config], sh.configs[config]
    rflags = [*rt.all_cflags, *rcfg.cflags, *extra_cflags]
    sflags = [*sh.all_cflags, *scfg.cflags, "-Werror", *extra_cflags]
    incs = sorted(set(rt.include_flags() + sh.include_flags()))
    key = _digest([config, *rflags, *sflags, *incs,
                   *(b for p in _all_files(RUNTIME) + _all_files(SHIM) for b in (str(p), p.read_bytes()))])
    out = cache_root() / f"{config}-{key}"
    jobs = [(s, rflags) for s in rt.sources(rcfg)] + [(s, sflags) for s in sh.sources(scfg)]
    objs = [out / (("rt_" if i < len(rt.sources(rcfg)) else "wasi_") + s.stem + ".o") for i, (s, _) in enumerate(jobs)]
    if not all(o.is_file() for o in objs):
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=out.name + ".tmp"))
        try:
            from concurrent.futures import ThreadPoolExecutor
            with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
                list(pool.map(lambda j: zig(["-target", rcfg.target, *j[0][1], *incs, "-c", j[0][0], "-o",
                                             tmp / j[1].name]), zip(jobs, objs)))
            try:
                os.rename(tmp, out)
            except OSError:
                shutil.rmtree(tmp, ignore_errors=True)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return Build(config, rcfg.target, sflags, incs, objs)


def link_c(build: Build, source: Path, exe: Path, extra=()) -> Path:
    zig(["-target", build.target, *build.cflags, "-Wno-error", *build.includes, *extra, str(source),
         *map(str, build.objects), *get_target(DEFAULT_TARGET).link.ldflags, "-o", str(exe)])
    return exe


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="session")
def test_shim_exe(tmp_path_factory) -> Path:
    b = shim_build(get_target(DEFAULT_TARGET).shim_config("explicit"))
    exe = tmp_path_factory.mktemp("shim") / "test_shim"
    return link_c(b, HERE / "c" / "test_shim.c", exe, extra=["-lpthread"])


PROGRAMS = HERE / "programs"


def build_wasm(src: Path, out: Path, extra=()) -> Path:
    zig(["-target", "wasm32-wasi", "-O2", "-s", "-Wno-format", "-Wno-unused-result", *extra, str(src), "-o", str(out)])
    return out


@pytest.fixture(scope="session")
def wasm_programs(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("wasm")
    srcs = sorted(PROGRAMS.glob("*.c"))
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        paths = list(pool.map(lambda s: build_wasm(s, out / (s.stem + ".wasm")), srcs))
    return {p.stem: p for p in paths}


# ----------------------------------------------------------- wasmtime side

@dataclass
class RunResult:
    status: int
    stdout: bytes
    stderr: bytes


def run_wasmtime(wasm: Path, argv: list[str], dirs=(), ro_dirs=(), env=(), stdin: bytes | None = None,
                 cwd: Path | None = None) -> RunResult:
    """Run `wasm` like `wasmtime run [--dir H::G]... [--env K=V]... prog ARGS`.

    Exit status as the wasmtime CLI reports it: proc_exit's code, 134 for a
    trap, 1 for any other error (bad pointer, proc_exit >= 126).  Runs in a
    subprocess so that a guest cannot disturb the test process."""
    import json
    spec = {"wasm": str(wasm), "argv": argv, "dirs": [list(d) for d in dirs], "ro_dirs": [list(d) for d in ro_dirs],
            "env": [list(e) for e in env]}
    with tempfile.TemporaryDirectory() as td:
        sin = Path(td) / "stdin"
        sin.write_bytes(stdin or b"")
        proc = subprocess.run([sys.executable, str(HERE / "wasmtime_runner.py"), json.dumps(spec), str(sin)],
                              capture_output=True, cwd=cwd, timeout=300)
    return RunResult(proc.returncode, proc.stdout, proc.stderr)
