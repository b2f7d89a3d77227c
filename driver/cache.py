"""Where wasmaot keeps what it builds: the one ``cache_dir()`` of the project.

Two roots, so that clearing one never costs the other's rebuild:

* ``kind="wasmaot"`` (the compiler's): ``$WASMAOT_CACHE_DIR``, default
  ``~/.cache/wasmaot``.  Runtime and shim objects (``backends/buildcache.py``),
  host objects, and ``wasmaot run``'s executables (``compile.py``).
* ``kind="bench"`` (the benchmarks'): ``$WASMAOT_BENCH_CACHE``, default
  ``~/.cache/wasmaot-bench``.  Native/Wasm builds of the workloads and
  downloaded inputs (the SQLite sources), large and slow to remake.

Every writer under these roots publishes by renaming a complete temporary
file or directory into place, so concurrent processes share them safely.

The compiler's root is bounded in size (``WASMAOT_CACHE_MAX_BYTES``,
default 2 GiB; least recently used entries go first: see "bounding" below)
and ``wasmaot cache clean`` empties it.  The bench root is not bounded: its
builds are slow to remake and ``wasmaot bench`` manages them.
"""
from __future__ import annotations

import os
from pathlib import Path

_ROOTS = {
    "wasmaot": ("WASMAOT_CACHE_DIR", "wasmaot"),
    "bench": ("WASMAOT_BENCH_CACHE", "wasmaot-bench"),
}


def cache_dir(explicit: str | os.PathLike | None = None, *, kind: str = "wasmaot") -> Path:
    """``explicit`` if given, else the root of ``kind`` (see the module doc)."""
    if explicit is not None:
        return Path(explicit)
    env, default = _ROOTS[kind]
    d = os.environ.get(env)
    return Path(d) if d else Path.home() / ".cache" / default


# ------------------------------------------------------------------ bounding
#
# The compiler's root grows with every distinct program `wasmaot run`
# builds (about 1 MB each) and with every edit of the runtime's sources.
# It is bounded: after each new entry, the least recently used entries go
# until the root holds at most max_bytes().  "Used" is the entry's mtime,
# which a cache hit sets (touch): atime is unreliable (noatime, relatime
# mounts).  An entry is one file or directory directly inside one of
# _KINDS; other folders under the root (a test suite's) are not ours.

#: Subfolders of the compiler's root that hold cache entries: run's
#: executables (with their .exports beside them) and buildcache's runtime,
#: shim and host objects.
_KINDS = ("exe", "runtime", "wasi", "host")

#: The default bound, in bytes, when WASMAOT_CACHE_MAX_BYTES is not set.
DEFAULT_MAX_BYTES = 2 << 30

#: Entries used this recently are never evicted, so a concurrent process
#: that has just been handed one (and is about to exec or link it) keeps it.
_GRACE_SECONDS = 60


class CacheError(ValueError):
    """A bad cache setting; ``str()`` is one line (a usage error, exit 2)."""


def max_bytes() -> int:
    """``$WASMAOT_CACHE_MAX_BYTES`` (a byte count, optional K/M/G suffix;
    0 means unbounded), else :data:`DEFAULT_MAX_BYTES`."""
    raw = os.environ.get("WASMAOT_CACHE_MAX_BYTES", "").strip()
    if not raw:
        return DEFAULT_MAX_BYTES
    scale = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}.get(raw[-1].lower(), 1)
    try:
        return int(raw[:-1] if scale > 1 else raw) * scale
    except ValueError:
        raise CacheError(f"WASMAOT_CACHE_MAX_BYTES={raw!r} is not a size (e.g. 500M)") from None


def touch(*paths: str | os.PathLike) -> None:
    """Mark entries as just used (their mtime); a vanished one is ignored."""
    for p in paths:
        try:
            os.utime(p)
        except OSError:
            pass


def _size(p: Path) -> int:
    try:
        if p.is_dir() and not p.is_symlink():
            return sum(_size(c) for c in p.iterdir())
        return p.lstat().st_size
    except OSError:
        return 0


def _entries(root: Path) -> list[tuple[float, int, Path]]:
    """(mtime, bytes, path) of every entry under the managed folders."""
    out = []
    for kind in _KINDS:
        d = root / kind
        if not d.is_dir():
            continue
        for p in d.iterdir():
            try:
                mtime = p.lstat().st_mtime
            except OSError:
                continue
            out.append((mtime, _size(p), p))
    return out


def _remove(p: Path) -> None:
    import shutil
    if p.is_dir() and not p.is_symlink():
        shutil.rmtree(p, ignore_errors=True)
    else:
        try:
            p.unlink()
        except OSError:
            pass


def usage(root: Path | None = None) -> tuple[int, int]:
    """(entries, bytes) in the compiler's cache."""
    entries = _entries(root or cache_dir())
    return len(entries), sum(size for _, size, _ in entries)


def enforce_bound(keep: set | frozenset = frozenset(), root: Path | None = None,
                  now: float | None = None) -> list[Path]:
    """Evict least recently used entries until the cache fits
    :func:`max_bytes`; never ``keep`` nor an entry used in the last
    minute.  Returns what was removed."""
    import time
    bound = max_bytes()
    if bound <= 0:
        return []
    entries = sorted(_entries(root or cache_dir()))
    total = sum(size for _, size, _ in entries)
    now = time.time() if now is None else now
    keep = {os.path.abspath(k) for k in keep}
    removed = []
    for mtime, size, p in entries:
        if total <= bound:
            break
        if str(p.absolute()) in keep or now - mtime < _GRACE_SECONDS:
            continue
        _remove(p)
        total -= size
        removed.append(p)
    return removed


def clean(root: Path | None = None) -> tuple[int, int]:
    """Remove every entry (``wasmaot cache clean``); (entries, bytes) removed."""
    entries = _entries(root or cache_dir())
    for _, _, p in entries:
        _remove(p)
    return len(entries), sum(size for _, size, _ in entries)
