"""The C libraries built for a target, in a content-addressed cache.

* :func:`runtime_objects` / :func:`wasi_objects` compile the runtime / the
  WASI shim for a (target, bounds mode): the target names the manifest
  config (``Target.runtime_config`` / ``shim_config``).
* :func:`compile_host_c` compiles one host C file (standalone ``main``,
  spec driver, test fakes) against the runtime headers with the runtime's
  flags.

Where: ``cache_dir()`` (``$WASMAOT_CACHE_DIR``, see ``wasmaot/cache.py``) or
an explicit ``cache``.  The key hashes every source and header, the flags,
the zig target and the zig version, so editing any of them rebuilds and
nothing else does.  A hit marks its entry used (mtime), for the cache's
size bound (``wasmaot/cache.py``: least recently used entries go first).
Entries are written under a temporary name and renamed into place, so concurrent builds (the spec runner's worker processes) never
see a half-written entry; the loser of a race discards its copy.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterable, Sequence

from ..cache import cache_dir, touch
from .manifest import include_dir, parse_manifest, runtime_root, wasi_root
from .targets import get_target
from .toolchain import run_zig, zig_version

# Bumped when the layout of cache entries changes.
_CACHE_LAYOUT = "1"

_lock = threading.Lock()
_runtime_memo: dict[str, list[Path]] = {}     # entry dir -> objects, per process


def _digest(parts: Iterable[bytes | str]) -> str:
    h = hashlib.sha256()
    for p in parts:
        b = p.encode() if isinstance(p, str) else p
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()[:32]


def _publish_dir(tmp: Path, final: Path) -> None:
    """Rename a fully written temp directory into place; losing a race to an
    identical concurrent build is fine (content-addressed)."""
    try:
        os.rename(tmp, final)
    except OSError:
        if not final.is_dir():
            raise
        shutil.rmtree(tmp, ignore_errors=True)


def _headers(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.h") if p.is_file())


def runtime_objects(target: str = "x86_64-linux", bounds: str = "guard",
                    cache: str | os.PathLike | None = None,
                    extra_cflags: Sequence[str] = ()) -> list[Path]:
    """Runtime objects for (target, bounds), from the cache or built now."""
    config = get_target(target).runtime_config(bounds)
    return _library_objects(runtime_root(), "runtime", config, cache, extra_cflags)


def wasi_objects(target: str = "x86_64-linux", bounds: str = "guard",
                 cache: str | os.PathLike | None = None) -> list[Path]:
    """The WASI shim's objects (wasi-shim/sources.txt), built with the same
    platform/bounds flags as the runtime it links with."""
    config = get_target(target).shim_config(bounds)
    return _library_objects(wasi_root(), "wasi", config, cache, ())


def _library_objects(root: Path, what: str, config: str,
                     cache: str | os.PathLike | None, extra_cflags: Sequence[str]) -> list[Path]:
    manifest = parse_manifest(root / "sources.txt")
    cfg = manifest.config(config)
    cflags = [*manifest.all_cflags, *cfg.cflags, *extra_cflags]
    incs = [f"-I{include_dir(root, d)}" for d in manifest.includes]
    sources = manifest.sources(cfg)
    rt_root = runtime_root()
    headers = _headers(rt_root) + (_headers(root) if root != rt_root else [])
    key = _digest([_CACHE_LAYOUT, what, zig_version(), cfg.target, *cflags, *manifest.includes,
                   *(p for s in sources for p in (s, (root / s).read_bytes())),
                   *(p for h in headers if what != "runtime" or "host" not in h.relative_to(rt_root).parts
                     for p in (h.name, h.read_bytes()))])
    final = cache_dir(cache) / what / f"{cfg.name}-{key}"
    objs = [final / (s.replace("/", "_").removesuffix(".c") + ".o") for s in sources]
    with _lock:
        if str(final) in _runtime_memo and all(o.is_file() for o in objs):
            return _runtime_memo[str(final)]
    if all(o.is_file() for o in objs):
        touch(final)           # used: the cache's size bound evicts least recently used
    else:
        _build_dir(final, [["-target", cfg.target, *cflags, *incs, "-c", str(root / s), "-o", o.name]
                           for s, o in zip(sources, objs)], f"cannot build {what} ({cfg.name})")
    with _lock:
        _runtime_memo[str(final)] = objs
    return objs


def _build_dir(final: Path, jobs: list[list[str]], what: str) -> None:
    """Run the zig ``jobs`` (their ``-o`` names relative to the entry) in
    parallel into a temporary directory, then publish it as ``final``."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=final.name + ".tmp-", dir=final.parent))
    try:
        jobs = [[*j[:-1], str(tmp / j[-1])] for j in jobs]
        with ThreadPoolExecutor(max_workers=max(1, min(len(jobs), os.cpu_count() or 2))) as pool:
            for f in [pool.submit(run_zig, j, what) for j in jobs]:
                f.result()
        _publish_dir(tmp, final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def host_include_dirs() -> list[Path]:
    root = runtime_root()
    return [root / "include", root / "host"]


def compile_host_c(source: Path | str, target: str = "x86_64-linux", bounds: str = "guard",
                   extra_flags: Sequence[str] = (), cache: str | os.PathLike | None = None) -> Path:
    """Compile a host C file (hosted, against the runtime headers and
    ``runtime-c/host/``) with the runtime's flags for (target, bounds); cached.
    The key covers the file, every header beside it, the runtime headers and
    the flags."""
    source = Path(source).resolve()
    root = runtime_root()
    manifest = parse_manifest(root / "sources.txt")
    cfg = manifest.config(get_target(target).runtime_config(bounds))
    cflags = [*manifest.all_cflags, *cfg.cflags, *extra_flags]
    incs = [f"-I{d}" for d in host_include_dirs()] + [f"-I{source.parent}"]
    headers = sorted(set(_headers(root)) | set(source.parent.glob("*.h")))
    key = _digest([_CACHE_LAYOUT, zig_version(), cfg.target, *cflags, *incs, source.read_bytes(),
                   *(p for h in headers for p in (str(h), h.read_bytes()))])
    out = cache_dir(cache) / "host" / f"{source.stem}-{cfg.name}-{key}.o"
    if out.is_file():
        touch(out)
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=out.name + ".tmp-", dir=out.parent)
    os.close(fd)
    try:
        run_zig(["-target", cfg.target, *cflags, *incs, "-c", str(source), "-o", tmp],
                f"cannot compile {source.name}")
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out
