"""Building the C runtime for a target and linking executables with zig cc.

What: reads ``runtime-c/sources.txt`` (format documented there), compiles
the runtime configuration matching ``(target, bounds)`` with ``python -m
ziglang cc``, caches the objects by a hash of sources and flags, and links
generated objects + runtime (+ host sources) into a static executable.

Why here: the emitter decides the bounds mode and target of an object; the
runtime must be built the same way (the mode marker symbol turns a mismatch
into a link error), so the mapping lives next to the targets.

Cache: ``$WASMAOT_CACHE_DIR`` (default ``~/.cache/wasmaot``)/runtime/<key>/,
or an explicit ``cache_dir``.  Objects are written to a temporary name and
renamed, so concurrent builds never see a partial file.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .targets import get_target

RUNTIME_DIR = Path(__file__).resolve().parent.parent / "runtime-c"
ZIG_CC = [sys.executable, "-m", "ziglang", "cc"]


def runtime_dir() -> Path:
    if RUNTIME_DIR.is_dir():
        return RUNTIME_DIR
    import wasmaot.runtime as rt   # installed (non-editable) package data
    return Path(rt.__file__).resolve().parent


@dataclass
class RuntimeConfig:
    name: str
    zig_target: str
    sources: list[str]
    cflags: list[str]
    ldflags: list[str] | None
    includes: list[str] = field(default_factory=list)


def read_manifest(name: str, root: Path | None = None) -> RuntimeConfig:
    root = root or runtime_dir()
    includes, layers, cflags, ldflags, configs = [], {}, {}, {}, {}
    for raw in (root / "sources.txt").read_text().splitlines():
        tok = raw.split("#", 1)[0].split()
        if not tok:
            continue
        key, args = tok[0], tok[1:]
        if key == "include":
            includes += args
        elif key == "layer":
            layers.setdefault(args[0], []).extend(args[1:])
        elif key == "config":
            configs[args[0]] = (args[1], args[2:])
        elif key == "cflags":
            cflags.setdefault(args[0], []).extend(args[1:])
        elif key == "ldflags":
            ldflags.setdefault(args[0], []).extend(args[1:])
        else:
            raise ValueError(f"sources.txt: unknown keyword {key!r}")
    if name not in configs:
        raise ValueError(f"runtime config {name!r} not in sources.txt")
    zt, lays = configs[name]
    return RuntimeConfig(name, zt, [f for l in lays for f in layers[l]],
                         cflags.get("all", []) + cflags.get(name, []), ldflags.get(name),
                         [str(root / d) for d in includes])


def zig_cc(args: list[str]) -> None:
    p = subprocess.run(ZIG_CC + args, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"zig cc failed ({p.returncode}): {' '.join(args)}\n{p.stderr}")


def _cache_root(cache_dir: str | os.PathLike | None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir)
    base = os.environ.get("WASMAOT_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "wasmaot")
    return Path(base)


def build_runtime(target: str, bounds: str, cache_dir=None, extra_cflags: list[str] = ()) -> list[Path]:
    """Runtime objects for ``target`` in ``bounds`` mode (built once, cached)."""
    t = get_target(target)
    cfg = read_manifest(t.runtime_config(bounds))
    root = runtime_dir()
    h = hashlib.sha256()
    for part in [cfg.zig_target, *cfg.cflags, *extra_cflags]:
        h.update(part.encode() + b"\0")
    for f in sorted(root.rglob("*")):
        if f.suffix in (".c", ".h") or f.name == "sources.txt":
            h.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes())
    out = _cache_root(cache_dir) / "runtime" / f"{cfg.name}-{h.hexdigest()[:16]}"
    out.mkdir(parents=True, exist_ok=True)
    objs = []
    for src in cfg.sources:
        obj = out / (src.replace("/", "_").removesuffix(".c") + ".o")
        if not obj.exists():
            fd, tmp = tempfile.mkstemp(dir=out, suffix=".o")
            os.close(fd)
            try:
                zig_cc(["-target", cfg.zig_target, *cfg.cflags, *extra_cflags,
                        *(f"-I{i}" for i in cfg.includes), "-c", str(root / src), "-o", tmp])
                os.replace(tmp, obj)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        objs.append(obj)
    return objs


def compile_c(source, out, target: str, bounds: str, extra: list[str] = ()) -> Path:
    """Compile a host C file against the runtime header with the runtime's flags."""
    t = get_target(target)
    cfg = read_manifest(t.runtime_config(bounds))
    zig_cc(["-target", cfg.zig_target, *cfg.cflags, *(f"-I{i}" for i in cfg.includes),
            *extra, "-c", str(source), "-o", str(out)])
    return Path(out)


def link_executable(objects, out, target: str, bounds: str, host_sources=None,
                    cache_dir=None) -> Path:
    """Link ``objects`` (paths or object bytes) with the runtime and the host
    sources (default: every ``runtime-c/host/*.c``) into ``out``."""
    t = get_target(target)
    cfg = read_manifest(t.runtime_config(bounds))
    if cfg.ldflags is None:
        raise ValueError(f"runtime config {cfg.name} is compile-only (no ldflags): "
                         "link it in the embedder's own build")
    rt = build_runtime(target, bounds, cache_dir)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for k, o in enumerate(objects):
            if isinstance(o, (bytes, bytearray)):
                p = Path(tmp) / f"module{k}.o"
                p.write_bytes(o)
                paths.append(str(p))
            else:
                paths.append(str(o))
        if host_sources is None:
            host_sources = sorted((runtime_dir() / "host").glob("*.c"))
        for k, src in enumerate(host_sources):
            if str(src).endswith(".o"):
                paths.append(str(src))
                continue
            obj = Path(tmp) / f"host{k}.o"
            compile_c(src, obj, target, bounds)
            paths.append(str(obj))
        zig_cc(["-target", cfg.zig_target, *cfg.ldflags, *paths, *map(str, rt), "-o", str(out)])
    return Path(out)
