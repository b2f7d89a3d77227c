"""Link compiled modules into a target's output (today: a static Linux
executable), through the hermetic zig toolchain.

:func:`link_executable` takes generated objects (bytes or paths), compiles
the host C files and links them with the runtime (and the WASI shim when
asked) following the target's :class:`~.targets.LinkRecipe`.  The output is
linked to a temporary name beside the destination and renamed, so a failed
link never leaves a partial file where the user's output was.  Errors from
zig become :class:`LinkError` with a one-line message; an unknown target or
bounds mode is a :class:`~.targets.TargetError`.

The other jobs live beside it, one module each, and their public names are
importable from here too:

* ``targets.py``: the target records (zig target, configs, link recipe);
* ``manifest.py``: reading ``runtime-c/sources.txt`` / ``wasi-shim/sources.txt``;
* ``toolchain.py``: running ``zig cc``, :class:`LinkError`;
* ``buildcache.py``: the runtime, shim and host objects, built once per key;
* ``helper_objects.py``: small data-only objects (default export, WASI grants).
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .buildcache import compile_host_c, host_include_dirs, runtime_objects, wasi_objects
from .helper_objects import default_invoke_object, emit_llvm_object, wasi_options_object
from .manifest import Config, Manifest, parse_manifest, runtime_root, wasi_root
from .targets import TargetError, get_target
from .toolchain import LinkError, run_zig

__all__ = [
    "Config",
    "LinkError",
    "Manifest",
    "compile_host_c",
    "default_invoke_object",
    "emit_llvm_object",
    "host_include_dirs",
    "link_executable",
    "parse_manifest",
    "runtime_objects",
    "runtime_root",
    "standalone_host_sources",
    "wasi_objects",
    "wasi_options_object",
    "wasi_root",
]

def standalone_host_sources(target: str = "x86_64-linux") -> list[Path]:
    """The host C files of a standalone executable (its ``main``)."""
    root = runtime_root()
    return [root / s for s in get_target(target).link.host_sources]


def link_executable(objects: Sequence[bytes | str | os.PathLike], out_path: str | os.PathLike,
                    target: str = "x86_64-linux", bounds: str = "guard",
                    extra_c: Sequence[str | os.PathLike] | None = None, *,
                    cache_dir: str | os.PathLike | None = None,
                    wasi: bool = False, strip: bool = False) -> Path:
    """Link ``objects`` (ELF bytes or paths), the compiled ``extra_c`` host
    files and the runtime into a static executable at ``out_path``.

    ``extra_c=None`` (the default) links the standalone host
    (:func:`standalone_host_sources`: ``main`` for a module compiled with
    prefix ``wasm``); pass a list (possibly empty) to supply your own.
    Entries ending in ``.o`` are taken as objects.

    The link writes a temporary file in the destination directory and renames
    it over ``out_path`` only on success.  Raises :class:`LinkError`."""
    t = get_target(target)
    t.check_bounds(bounds)
    if t.output_kind != "exe":
        raise TargetError(f"target {t.name} produces {t.output_kind}, not an executable")
    standalone = extra_c is None
    if extra_c is None:
        extra_c = standalone_host_sources(target)
    rt = runtime_objects(target, bounds, cache_dir)
    if wasi:
        # before the runtime: the shim calls into it (static archive order
        # does not matter for plain objects, but keep the dependency order)
        rt = wasi_objects(target, bounds, cache_dir) + rt
    host = [Path(c) if str(c).endswith(".o") else compile_host_c(c, target, bounds, cache=cache_dir)
            for c in extra_c]
    out = Path(out_path)
    out_dir = out.parent if str(out.parent) else Path(".")
    recipe = t.link
    with tempfile.TemporaryDirectory(prefix="wasmaot-link-") as td:
        paths = [_object_path(o, Path(td) / f"obj{i}.o") for i, o in enumerate(objects)]
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out_dir)
        os.close(fd)
        try:
            run_zig(["-target", t.zig_target, *recipe.ldflags, *(recipe.strip_flags if strip else ()),
                     *_gc_roots(strip and standalone),
                     *paths, *map(str, host), *map(str, rt), "-o", tmp], "link failed")
            os.chmod(tmp, 0o755)
            os.replace(tmp, out)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return out


def _gc_roots(gc: bool) -> list[str]:
    """Linker flags keeping what --gc-sections would drop although the
    runtime reads it: the trap backtrace table of the standalone program
    (prefix ``wasm``), which the runtime finds through the __start_/__stop_
    symbols of its section, never by name (wasmaot_rt.h section 9).  lld
    no longer lets __start_ references keep a section (-z start-stop-gc)
    and zig cc does not pass -z nostart-stop-gc; -u makes the header a GC
    root, and with it the one input section that holds every instance's
    header, and what they reference."""
    from .llvm.backtrace import table_symbol
    return [f"-Wl,-u,{table_symbol('wasm')}"] if gc else []


def _object_path(obj: bytes | str | os.PathLike, scratch: Path) -> str:
    """A path for ``obj``: as given, or ``scratch`` holding its bytes."""
    if isinstance(obj, (bytes, bytearray, memoryview)):
        scratch.write_bytes(bytes(obj))
        return str(scratch)
    return os.fspath(obj)
