"""Build the C runtime and link compiled modules into static executables.

Everything goes through the hermetic zig toolchain (``python -m ziglang cc``),
driven by ``runtime-c/sources.txt`` (format documented at its top):

* :func:`parse_manifest` reads the manifest (the one real reader; the copy in
  ``tests/runtime/conftest.py`` predates it).
* :func:`runtime_objects` compiles the runtime for a (target, bounds mode) into
  a content-addressed cache directory and returns the object paths.  The key
  hashes every runtime source and header, the flags, the zig target and the
  zig version, so editing any of them rebuilds and nothing else does.
* :func:`compile_host_c` compiles one host C file (standalone ``main``, spec
  driver, test fakes) against the runtime headers, cached the same way.
* :func:`link_executable` links objects (bytes or paths) + host C + runtime
  into a static executable.

Cache: ``$WASMAOT_CACHE_DIR`` or ``~/.cache/wasmaot/`` (or an explicit
``cache_dir``).  Entries are written under a temporary name and renamed into
place, so concurrent builds (the spec runner's worker processes) never see a
half-written entry; the loser of a race discards its copy.  Output
executables are linked to a temporary name beside the destination and
renamed, so a failed link never leaves a partial file where the user's
output was.

Errors from zig become :class:`LinkError` with a one-line message.

Targets: the emitter's registry (``backends/targets.py``) names targets and
their runtime configs; a small fallback table below keeps the linker usable
for targets the registry does not list yet.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

ZIG_CC = (sys.executable, "-m", "ziglang", "cc")

# Bumped when the layout of cache entries changes.
_CACHE_LAYOUT = "1"


class LinkError(Exception):
    """Building the runtime or linking failed; ``str()`` is one line."""


# ----------------------------------------------------------------- targets

@dataclass(frozen=True)
class Target:
    name: str          # wasmaot spelling, as in CompileOptions.target
    zig: str           # `zig cc -target`
    triple: str        # LLVM triple (for objects we emit ourselves)
    # LLVM module flag some targets need so our own objects link with the
    # runtime's (lld refuses to mix RISC-V float ABIs).
    abi: str | None = None


_TARGETS = {t.name: t for t in (
    Target("x86_64-linux", "x86_64-linux-musl", "x86_64-unknown-linux-musl"),
    Target("aarch64-linux", "aarch64-linux-musl", "aarch64-unknown-linux-musl"),
    Target("riscv64-linux", "riscv64-linux-musl", "riscv64-unknown-linux-musl", abi="lp64d"),
)}


def _registry_target(name: str):
    try:
        from .targets import get_target
        return get_target(name)
    except (ImportError, ValueError):
        return None


def target_info(target: str) -> Target:
    """A wasmaot target name ("x86_64-linux") or a zig triple
    ("x86_64-linux-musl") -> :class:`Target`.  The emitter's registry is
    authoritative when it knows the name."""
    reg = _registry_target(target)
    if reg is not None:
        known = _TARGETS.get(reg.name)
        return Target(reg.name, reg.zig_target, reg.triple, known.abi if known else None)
    if target in _TARGETS:
        return _TARGETS[target]
    for t in _TARGETS.values():
        if t.zig == target:
            return t
    raise LinkError(f"unsupported target {target!r} (known: {', '.join(sorted(_TARGETS))})")


# ---------------------------------------------------------------- manifest

def runtime_root() -> Path:
    from wasmaot import runtime
    return runtime.root()


@dataclass
class Config:
    name: str
    target: str
    layers: list[str]
    cflags: list[str] = field(default_factory=list)
    ldflags: list[str] | None = None


@dataclass
class Manifest:
    includes: list[str]
    layers: dict[str, list[str]]
    all_cflags: list[str]
    configs: dict[str, Config]

    def sources(self, config: Config) -> list[str]:
        return [f for layer in config.layers for f in self.layers[layer]]


def parse_manifest(path: Path) -> Manifest:
    """Parse runtime-c/sources.txt (format documented at its top)."""
    includes: list[str] = []
    layers: dict[str, list[str]] = {}
    cflags: dict[str, list[str]] = {}
    ldflags: dict[str, list[str]] = {}
    configs: dict[str, Config] = {}
    for lineno, raw in enumerate(Path(path).read_text().splitlines(), 1):
        tokens = raw.split("#", 1)[0].split()
        if not tokens:
            continue
        key, args = tokens[0], tokens[1:]
        if key == "include":
            includes += args
        elif key == "layer":
            layers.setdefault(args[0], []).extend(args[1:])
        elif key == "config":
            configs[args[0]] = Config(args[0], args[1], args[2:])
        elif key == "cflags":
            cflags.setdefault(args[0], []).extend(args[1:])
        elif key == "ldflags":
            ldflags.setdefault(args[0], []).extend(args[1:])
        else:
            raise ValueError(f"{path}:{lineno}: unknown keyword {key!r}")
    for name, cfg in configs.items():
        cfg.cflags = cflags.get(name, [])
        cfg.ldflags = ldflags.get(name)
        for layer in cfg.layers:
            if layer not in layers:
                raise ValueError(f"config {name}: unknown layer {layer!r}")
    unknown = (set(cflags) - {"all"} - set(configs)) | (set(ldflags) - set(configs))
    if unknown:
        raise ValueError(f"flags for unknown configs: {sorted(unknown)}")
    return Manifest(includes, layers, cflags.get("all", []), configs)


_BOUNDS_FLAG = {"guard": "-DWASMAOT_BOUNDS_GUARD=1", "explicit": "-DWASMAOT_BOUNDS_EXPLICIT=1"}


def select_config(manifest: Manifest, target: str, bounds: str) -> Config:
    """The linkable manifest config for (target, bounds): the registry's
    choice if it names one, else the config for the same zig target whose
    flags select that bounds mode.  A target listed only in the other mode
    gets that config with the bounds macro swapped (both macros at 1 would
    be an #error in the header)."""
    if bounds not in _BOUNDS_FLAG:
        raise LinkError(f"unknown bounds mode {bounds!r} (guard or explicit)")
    reg = _registry_target(target)
    if reg is not None and bounds in getattr(reg, "runtime_configs", {}):
        cfg = manifest.configs.get(reg.runtime_configs[bounds])
        if cfg is not None:
            return cfg
    zt = target_info(target).zig
    linkable = [c for c in manifest.configs.values() if c.target == zt and c.ldflags is not None]
    for c in linkable:
        if _BOUNDS_FLAG[bounds] in c.cflags:
            return c
    if not linkable:
        raise LinkError(f"runtime-c/sources.txt has no linkable config for {zt}")
    base = linkable[0]
    flags = [f for f in base.cflags if not f.startswith("-DWASMAOT_BOUNDS_")] + [_BOUNDS_FLAG[bounds]]
    return Config(f"{base.name}-{bounds}", base.target, base.layers, flags, base.ldflags)


# -------------------------------------------------------------------- zig

@lru_cache(maxsize=None)
def zig_version() -> str:
    try:
        from importlib.metadata import version
        return "ziglang " + version("ziglang")
    except Exception:
        proc = subprocess.run([*ZIG_CC[:-1], "version"], capture_output=True, text=True)
        return proc.stdout.strip()


def _zig(args: Sequence[str], what: str) -> None:
    proc = subprocess.run([*ZIG_CC, *map(str, args)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise LinkError(f"{what}: {_first_error(proc.stderr) or f'zig cc exited with {proc.returncode}'}")


def _first_error(stderr: str) -> str:
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


# ------------------------------------------------------------------ cache

def cache_dir(explicit: str | os.PathLike | None = None) -> Path:
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get("WASMAOT_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "wasmaot"


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


_lock = threading.Lock()
_runtime_memo: dict[str, list[Path]] = {}


def runtime_objects(target: str = "x86_64-linux", bounds: str = "guard",
                    cache: str | os.PathLike | None = None,
                    extra_cflags: Sequence[str] = ()) -> list[Path]:
    """Runtime objects for (target, bounds), from the cache or built now."""
    return _library_objects(runtime_root(), "runtime", target, bounds, cache, extra_cflags)


def wasi_root() -> Path:
    from ..wasi import root
    return root()


def wasi_objects(target: str = "x86_64-linux", bounds: str = "guard",
                 cache: str | os.PathLike | None = None) -> list[Path]:
    """The WASI shim's objects (wasi-shim/sources.txt), built with the same
    platform/bounds flags as the runtime it links with."""
    return _library_objects(wasi_root(), "wasi", target, bounds, cache, ())


def _include_dir(root: Path, d: str) -> Path:
    """A manifest include path; ``../runtime-c/...`` names the runtime's
    folder, which an installed package calls ``runtime``."""
    if d.startswith("../runtime-c/"):
        return runtime_root() / d[len("../runtime-c/"):]
    return root / d


def _library_objects(root: Path, what: str, target: str, bounds: str,
                     cache: str | os.PathLike | None, extra_cflags: Sequence[str]) -> list[Path]:
    manifest = parse_manifest(root / "sources.txt")
    cfg = select_config(manifest, target, bounds)
    cflags = [*manifest.all_cflags, *cfg.cflags, *extra_cflags]
    incs = [f"-I{_include_dir(root, d)}" for d in manifest.includes]
    sources = manifest.sources(cfg)
    headers = _headers(runtime_root()) + (_headers(root) if root != runtime_root() else [])
    key = _digest([_CACHE_LAYOUT, what, zig_version(), cfg.target, *cflags, *manifest.includes,
                   *(p for s in sources for p in (s, (root / s).read_bytes())),
                   *(p for h in headers if what != "runtime" or "host" not in h.relative_to(runtime_root()).parts
                     for p in (h.name, h.read_bytes()))])
    final = cache_dir(cache) / what / f"{cfg.name}-{key}"
    objs = [final / (s.replace("/", "_").removesuffix(".c") + ".o") for s in sources]
    with _lock:
        if str(final) in _runtime_memo and all(o.is_file() for o in objs):
            return _runtime_memo[str(final)]
    if not all(o.is_file() for o in objs):
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=final.name + ".tmp-", dir=final.parent))
        try:
            jobs = [["-target", cfg.target, *cflags, *incs, "-c", str(root / s),
                     "-o", str(tmp / o.name)] for s, o in zip(sources, objs)]
            with ThreadPoolExecutor(max_workers=max(1, min(len(jobs), os.cpu_count() or 2))) as pool:
                for f in [pool.submit(_zig, j, f"cannot build {what} ({cfg.name})") for j in jobs]:
                    f.result()
            _publish_dir(tmp, final)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    with _lock:
        _runtime_memo[str(final)] = objs
    return objs


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
    cfg = select_config(manifest, target, bounds)
    cflags = [*manifest.all_cflags, *cfg.cflags, *extra_flags]
    incs = [f"-I{d}" for d in host_include_dirs()] + [f"-I{source.parent}"]
    headers = sorted(set(_headers(root)) | set(source.parent.glob("*.h")))
    key = _digest([_CACHE_LAYOUT, zig_version(), cfg.target, *cflags, *incs, source.read_bytes(),
                   *(p for h in headers for p in (str(h), h.read_bytes()))])
    out = cache_dir(cache) / "host" / f"{source.stem}-{cfg.name}-{key}.o"
    if out.is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=out.name + ".tmp-", dir=out.parent)
    os.close(fd)
    try:
        _zig(["-target", cfg.target, *cflags, *incs, "-c", str(source), "-o", tmp],
             f"cannot compile {source.name}")
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


# ------------------------------------------------------------------- link

def standalone_host_sources() -> list[Path]:
    """The host C files of a standalone executable (its ``main``)."""
    host = runtime_root() / "host"
    return [host / "standalone_main.c", host / "host_link.c"]


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
    if extra_c is None:
        extra_c = standalone_host_sources()
    out = Path(out_path)
    zt = target_info(target).zig
    cfg = select_config(parse_manifest(runtime_root() / "sources.txt"), target, bounds)
    if cfg.ldflags is None:
        raise LinkError(f"runtime config {cfg.name} is compile-only: link it in the embedder's own build")
    rt = runtime_objects(target, bounds, cache_dir)
    if wasi:
        # before the runtime: the shim calls into it (static archive order
        # does not matter for plain objects, but keep the dependency order)
        rt = wasi_objects(target, bounds, cache_dir) + rt
    host = [Path(c) if str(c).endswith(".o") else compile_host_c(c, target, bounds, cache=cache_dir)
            for c in extra_c]
    out_dir = out.parent if str(out.parent) else Path(".")
    with tempfile.TemporaryDirectory(prefix="wasmaot-link-") as td:
        paths: list[str] = []
        for i, o in enumerate(objects):
            if isinstance(o, (bytes, bytearray, memoryview)):
                p = Path(td) / f"obj{i}.o"
                p.write_bytes(bytes(o))
                paths.append(str(p))
            else:
                paths.append(os.fspath(o))
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out_dir)
        os.close(fd)
        try:
            # strip: drop symbols/debug info and unreferenced sections (the
            # runtime and shim are built with -ffunction-sections); a
            # stripped hello world is ~5x smaller.
            shrink = ["-s", "-Wl,--gc-sections"] if strip else []
            _zig(["-target", zt, *cfg.ldflags, *shrink, *paths, *map(str, host), *map(str, rt), "-o", tmp],
                 "link failed")
            os.chmod(tmp, 0o755)
            os.replace(tmp, out)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return out


# ------------------------------------------------- small generated objects

_llvm_ready = False


def emit_llvm_object(llvm_ir: str, target: str = "x86_64-linux") -> bytes:
    """Compile textual LLVM IR (data-only helper modules: the spec command
    table, the baked-in default export) to an ELF object for ``target``."""
    global _llvm_ready
    import llvmlite.binding as llvm
    if not _llvm_ready:
        try:
            llvm.initialize()
        except RuntimeError:
            pass        # newer llvmlite initializes itself and refuses the call
        llvm.initialize_all_targets()
        llvm.initialize_all_asmprinters()
        _llvm_ready = True
    t = target_info(target)
    tm = llvm.Target.from_triple(t.triple).create_target_machine(reloc="pic", codemodel="default")
    m = llvm.parse_assembly(llvm_ir)
    m.verify()
    return tm.emit_object(m)


def default_invoke_object(export: str, target: str = "x86_64-linux") -> bytes:
    """An object defining ``const char *const wasmaot_default_invoke`` =
    ``export``: linked into a standalone executable, it makes that export
    the function to call when no ``--invoke`` / ``WASMAOT_INVOKE`` is given
    (see runtime-c/host/standalone_main.c)."""
    import llvmlite.ir as ir
    t = target_info(target)
    mod = ir.Module(name="wasmaot_default_invoke")
    mod.triple = t.triple
    p = ir.GlobalVariable(mod, ir.PointerType(ir.IntType(8)), "wasmaot_default_invoke")
    p.global_constant = True
    p.initializer = _c_string(mod, "wasmaot_default_invoke.str", export)
    _abi_flag(mod, t)
    return emit_llvm_object(str(mod), target)


def wasi_options_object(options: Sequence[str], target: str = "x86_64-linux") -> bytes:
    """An object defining ``const char *const wasmaot_wasi_baked_options[]``
    (NULL-terminated): grants baked in at compile time (``--dir``, ``--env``
    ...), parsed by the shim before the command line's own (see
    wasi-shim/include/wasmaot_wasi.h)."""
    import llvmlite.ir as ir
    t = target_info(target)
    mod = ir.Module(name="wasmaot_wasi_baked_options")
    mod.triple = t.triple
    i8p = ir.PointerType(ir.IntType(8))
    ptrs = [_c_string(mod, f"wasmaot_wasi_baked_options.{k}", opt) for k, opt in enumerate(options)]
    ptrs.append(ir.Constant(i8p, None))
    arr_t = ir.ArrayType(i8p, len(ptrs))
    tab = ir.GlobalVariable(mod, arr_t, "wasmaot_wasi_baked_options")
    tab.global_constant = True
    tab.initializer = ir.Constant(arr_t, ptrs)
    _abi_flag(mod, t)
    return emit_llvm_object(str(mod), target)


def _c_string(mod, name: str, text: str):
    """A private NUL-terminated UTF-8 constant ``name`` in ``mod``, as an
    ``i8*`` constant expression."""
    import llvmlite.ir as ir
    data = bytearray(text.encode("utf-8") + b"\0")
    arr = ir.ArrayType(ir.IntType(8), len(data))
    g = ir.GlobalVariable(mod, arr, name)
    g.global_constant = True
    g.linkage = "private"
    g.initializer = ir.Constant(arr, data)
    return g.bitcast(ir.PointerType(ir.IntType(8)))


def _abi_flag(mod, t: Target) -> None:
    """Targets whose linker checks the float ABI of every object (RISC-V)."""
    if t.abi:
        import llvmlite.ir as ir
        mod.add_named_metadata("llvm.module.flags",
                               [ir.IntType(32)(1), ir.MetaDataString(mod, "target-abi"),
                                ir.MetaDataString(mod, t.abi)])
