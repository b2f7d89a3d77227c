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
