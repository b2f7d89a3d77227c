"""Driving the hermetic C toolchain: ``python -m ziglang cc``.

Every C compile and every link of wasmaot goes through :func:`run_zig`, so a
failure always becomes a :class:`LinkError` whose message is one line: the
first ``error:`` line of zig/clang/lld output, plus how many more followed.
"""
from __future__ import annotations

import subprocess
import sys
from functools import lru_cache
from typing import Sequence

ZIG_CC = (sys.executable, "-m", "ziglang", "cc")


class LinkError(Exception):
    """Building the runtime or linking failed; ``str()`` is one line."""


@lru_cache(maxsize=None)
def zig_version() -> str:
    """The toolchain's version, part of every build-cache key."""
    try:
        from importlib.metadata import version
        return "ziglang " + version("ziglang")
    except Exception:
        proc = subprocess.run([*ZIG_CC[:-1], "version"], capture_output=True, text=True)
        return proc.stdout.strip()


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
