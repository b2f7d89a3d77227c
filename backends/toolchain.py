"""Driving the hermetic C toolchain: ``python -m ziglang cc``.

Every C compile and every link of wasmaot goes through :func:`run_zig`, so a
failure always becomes a :class:`LinkError` whose message is one line: the
first ``error:`` line of zig/clang/lld output, plus how many more followed.
"""
from __future__ import annotations

import os
import subprocess
import sys
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Sequence


def _zig_cc() -> tuple[str, ...]:
    """``zig cc``: the ``ziglang`` package's ``zig`` binary, run directly.
    ``python -m ziglang`` only execs that binary, after starting a Python
    (30-50 ms on every compile's link); it stays the fallback when the
    binary is not where the package keeps it."""
    spec = find_spec("ziglang")             # located, not imported
    if spec is not None and spec.origin:
        zig = Path(spec.origin).with_name("zig")
        if os.access(zig, os.X_OK):
            return (str(zig), "cc")
    return (sys.executable, "-m", "ziglang", "cc")


ZIG_CC = _zig_cc()


class LinkError(Exception):
    """Building the runtime or linking failed; ``str()`` is one line."""


@lru_cache(maxsize=None)
def zig_version() -> str:
    """The toolchain's version, part of every build-cache key."""
    v = _dist_info_version()
    if v is not None:
        return "ziglang " + v
    try:
        from importlib.metadata import version
        return "ziglang " + version("ziglang")
    except Exception:
        proc = subprocess.run([*ZIG_CC[:-1], "version"], capture_output=True, text=True)
        return proc.stdout.strip()


def _dist_info_version() -> str | None:
    """The installed ziglang's version from its ``ziglang-<version>.dist-info``
    folder beside the package (what importlib.metadata reads, without its
    10-20 ms import on every compile); None unless exactly one is there."""
    spec = find_spec("ziglang")
    if spec is None or not spec.origin:
        return None
    found = list(Path(spec.origin).parent.parent.glob("ziglang-*.dist-info"))
    if len(found) != 1:
        return None
    return found[0].name[len("ziglang-"):-len(".dist-info")]


def run_zig(args: Sequence[str], what: str) -> None:
    """``zig cc ARGS``; on failure a :class:`LinkError` ``"<what>: <first error>"``."""
    proc = subprocess.run([*ZIG_CC, *map(str, args)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise LinkError(f"{what}: {first_error(proc.stderr) or _status(proc.returncode)}")


def _status(returncode: int) -> str:
    """``zig cc exited with 3`` / ``zig cc was killed by SIGABRT`` (what zig
    does on a full disk: the driver then names the output, driver/compile.py)."""
    if returncode < 0:
        import signal
        try:
            return f"zig cc was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            pass
    return f"zig cc exited with {returncode}"


def first_error(stderr: str) -> str:
    """The first `error:` line of zig/clang output (+ how many more), one line."""
    lines = [l.strip() for l in stderr.splitlines() if l.strip()]
    errors = [l for l in lines if "error:" in l]
    if not errors:
        return lines[0] if lines else ""
    first = errors[0]
    for prefix in ("error:", "ld.lld: error:"):      # the linker's own prefix says nothing
        if first.startswith(prefix):
            first = first[len(prefix):].strip()
    more = len(errors) - 1
    return first + (f" (and {more} more error{'s' * (more > 1)})" if more else "")
