"""Build the benchmark's input module: SQLite compiled to wasm32-wasi.

The SQLite amalgamation (``sqlite3.c``, ``shell.c``) is not in the repository.
It is fetched at set-up time with the ordinary npm client: the npm package
``sqlite3`` ships the upstream ``sqlite-autoconf-*.tar.gz`` in ``deps/``, and
``npm pack`` downloads the package tarball without installing anything.  The
source and the built module live in a cache directory outside the repository
(default ``~/.cache/wasmaot-bench``, or ``$WASMAOT_BENCH_CACHE``); nothing
fetched or built from it is ever committed.

The module is the SQLite command-line shell (``sqlite3.c`` + ``shell.c``)
built with the hermetic toolchain from PyPI::

    python -m ziglang cc -target wasm32-wasi -O2 -g0 -s ...

It is about 1.4 MB (stripped: no DWARF, no name section) and runs under any
WASI runtime (``sqlite3 :memory: 'select 6*7'``).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
from functools import partial
from pathlib import Path

from wasmaot.cache import cache_dir as _cache_dir

#: The benchmarks' cache root: $WASMAOT_BENCH_CACHE or ~/.cache/wasmaot-bench.
cache_dir = partial(_cache_dir, kind="bench")

# Pinned so that every machine benchmarks the same code (npm checks the
# package integrity against the registry).  sqlite3@6.0.1 bundles SQLite 3.52.0.
NPM_PACKAGE = "sqlite3@6.0.1"

# Flags that make the amalgamation and the shell build for WASI.
CFLAGS = [
    "-target", "wasm32-wasi", "-O2", "-g0", "-s",
    "-DSQLITE_OMIT_LOAD_EXTENSION", "-DSQLITE_THREADSAFE=0", "-DSQLITE_OMIT_WAL",
    "-DSQLITE_OMIT_SHARED_CACHE", "-DSQLITE_OMIT_POPEN",
    "-D_WASI_EMULATED_MMAN", "-D_WASI_EMULATED_PROCESS_CLOCKS",
    "-D_WASI_EMULATED_SIGNAL", "-D_WASI_EMULATED_GETPID",
]
LIBS = ["-lwasi-emulated-mman", "-lwasi-emulated-process-clocks",
        "-lwasi-emulated-signal", "-lwasi-emulated-getpid"]

# wasi-libc has no system(); the shell's .system/.shell commands call it.
STUBS_C = "int system(const char *cmd) { (void)cmd; return -1; }\n"

MODULE_NAME = "sqlite3-shell.wasm"


class SetupError(Exception):
    """Set-up failed for an expected reason (no npm, no network, compile error)."""


def _log(msg: str) -> None:
    print(f"[setup] {msg}", file=sys.stderr, flush=True)


def _run(cmd: list[str], cwd: Path, what: str, timeout: int) -> None:
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        raise SetupError(f"{what}: `{cmd[0]}` not found") from None
    except subprocess.TimeoutExpired:
        raise SetupError(f"{what}: timed out after {timeout} s") from None
    if p.returncode != 0:
        tail = "\n".join((p.stderr or p.stdout).strip().splitlines()[-15:])
        raise SetupError(f"{what} failed (exit {p.returncode}):\n{tail}")


def _safe_extract(tar: tarfile.TarFile, members, dest: Path) -> None:
    try:
        tar.extractall(dest, members=members, filter="data")
    except TypeError:   # Python without extraction filters
        for mem in members:
            target = (dest / mem.name).resolve()
            if not str(target).startswith(str(dest.resolve())):
                raise SetupError(f"unsafe path in archive: {mem.name}")
        tar.extractall(dest, members=members)


def fetch_sqlite_source(cache: Path) -> Path:
    """Return a directory holding ``sqlite3.c``, ``sqlite3.h`` and ``shell.c``."""
    src_root = cache / "src"
    found = sorted(src_root.glob("sqlite-autoconf-*/sqlite3.c")) if src_root.is_dir() else []
    if found:
        return found[-1].parent
    cache.mkdir(parents=True, exist_ok=True)
    tgz = sorted(cache.glob("sqlite3-*.tgz"))
    if not tgz:
        if shutil.which("npm") is None:
            raise SetupError("npm is not installed: cannot fetch the SQLite amalgamation "
                             f"(npm pack {NPM_PACKAGE}); pass --wasm FILE instead")
        _log(f"npm pack {NPM_PACKAGE} -> {cache}")
        _run(["npm", "pack", NPM_PACKAGE, "--silent"], cache, "npm pack", 300)
        tgz = sorted(cache.glob("sqlite3-*.tgz"))
        if not tgz:
            raise SetupError("npm pack produced no sqlite3-*.tgz")
    with tarfile.open(tgz[-1]) as outer:
        inner = [m for m in outer.getmembers()
                 if m.name.startswith("package/deps/sqlite-autoconf-") and m.name.endswith(".tar.gz")]
        if not inner:
            raise SetupError(f"{tgz[-1].name} has no deps/sqlite-autoconf-*.tar.gz")
        _safe_extract(outer, inner, cache / "npm")
    src_root.mkdir(exist_ok=True)
    with tarfile.open(cache / "npm" / inner[0].name) as t:
        wanted = [m for m in t.getmembers()
                  if m.isfile() and Path(m.name).name in ("sqlite3.c", "sqlite3.h", "shell.c")]
        _safe_extract(t, wanted, src_root)
    found = sorted(src_root.glob("sqlite-autoconf-*/sqlite3.c"))
    if not found or not (found[-1].parent / "shell.c").exists():
        raise SetupError("the SQLite archive has no sqlite3.c/shell.c")
    return found[-1].parent


def build_sqlite_wasm(cache: Path | None = None, *, rebuild: bool = False) -> Path:
    """Fetch and compile SQLite if needed; return the path of the .wasm module."""
    cache = cache or cache_dir()
    out = cache / MODULE_NAME
    if out.exists() and not rebuild:
        return out
    src = fetch_sqlite_source(cache)
    stubs = cache / "wasi_stubs.c"
    stubs.write_text(STUBS_C)
    cmd = [sys.executable, "-m", "ziglang", "cc", *CFLAGS, f"-I{src}",
           str(src / "sqlite3.c"), str(src / "shell.c"), str(stubs), *LIBS,
           "-o", f"{out}.{os.getpid()}.tmp"]
    _log("compiling SQLite (sqlite3.c + shell.c) for wasm32-wasi with zig cc -O2; "
         "the first wasm32-wasi build also builds wasi-libc (~1 min)")
    _run(cmd, cache, "zig cc", 1800)
    os.replace(f"{out}.{os.getpid()}.tmp", out)
    (cache / (MODULE_NAME + ".build.txt")).write_text(
        f"source: npm {NPM_PACKAGE} -> {src.name}\ncommand: {' '.join(cmd)}\n")
    return out


def describe_module(path: Path) -> dict:
    data = path.read_bytes()
    info = {"path": str(path), "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    note = path.parent / (path.name + ".build.txt")
    if note.exists():
        info["build"] = note.read_text().strip()
    return info
