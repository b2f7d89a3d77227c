"""The compile pipeline: file -> Module -> IR -> passes -> LLVM -> object -> executable.

Each stage is timed (``Result.timings``) and can be the last one (``emit``):

======== =================================================================
``ir``   the IR module after the pass pipeline, as text
``llvm`` the optimized LLVM IR, as text
``asm``  the target assembly, as text
``obj``  the relocatable object (ELF) of the module alone
``exe``  a static executable: the object linked with the C runtime and the
         standalone host (``runtime-c/host``)
======== =================================================================

``run`` keeps executables in a content-addressed cache whose key covers the
compiler version, the target, every option that changes the object and the
input's hash (numba's lesson: anything less serves stale code).
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from . import __version__
from .cache import cache_dir
from .frontend.load import load_module, read_bytes

EMIT_KINDS = ("exe", "obj", "llvm", "asm", "ir")
WASI_P1 = "wasi_snapshot_preview1"
#: The input name that means standard input.
STDIN = "-"


class InvokeError(ValueError):
    """``--invoke NAME`` names no exported function: a usage error (exit 2)."""


def read_input(path: str) -> bytes:
    """The module's bytes: from ``path``, or from standard input for ``-``."""
    if path == STDIN:
        import sys
        return sys.stdin.buffer.read()
    return read_bytes(path)


def write_output(path: str, payload: bytes, *, executable: bool) -> None:
    """Write ``payload`` to ``path`` atomically: a temporary file in the same
    directory, renamed over ``path`` only when complete, so a failure (full
    disk, interrupt) never loses or half-writes the user's file.  The mode
    is :func:`default_mode`, not mkstemp's private 0600.  An error names
    ``path``, never the temporary file.  An output that exists and is not a
    regular file (``/dev/null``, a pipe) is written in place: renaming over
    it would replace the device."""
    if _special(path):
        with open(path, "wb") as f:
            f.write(payload)
        return
    tmp = _temp_beside(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        os.chmod(tmp, default_mode(executable))
        os.replace(tmp, path)
    except OSError as e:
        raise OSError(e.errno, e.strerror, path) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _special(path: str) -> bool:
    """True for an existing output that is not a regular file."""
    import stat
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _temp_beside(path: str) -> str:
    """A fresh name in ``path``'s directory (same file system: rename is atomic)."""
    d, base = os.path.split(os.path.abspath(path))
    return os.path.join(d, f".{base}.{os.getpid()}.{os.urandom(4).hex()}.tmp")


def default_mode(executable: bool) -> int:
    """The mode a compiler's output gets: 0666 & ~umask for a file, 0755 &
    ~umask for an executable (0644 / 0755 under the usual umask 022)."""
    return (0o755 if executable else 0o666) & ~_umask()


def _umask() -> int:
    """The process umask, read without changing it (os.umask would have to
    set it, racing with other threads creating files)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@dataclass
class Result:
    data: bytes | str | None = None          # what was asked for (None for exe)
    timings: dict[str, float] = field(default_factory=dict)
    pass_report: str | None = None
    codegen_report: str | None = None        # per partition / worker (backends.codegen)
    #: The program's exported functions (the main instance's), for --invoke.
    exported_funcs: list[str] = field(default_factory=list)


class _Clock:
    def __init__(self, timings: dict[str, float]):
        self.timings = timings

    def stage(self, name: str):
        clock = self

        class _Stage:
            def __enter__(self):
                self.t0 = time.perf_counter()

            def __exit__(self, *exc):
                clock.timings[name] = clock.timings.get(name, 0.0) + time.perf_counter() - self.t0
        return _Stage()


def compile_bytes(data: bytes, filename: str, opts, *, emit: str = "exe",
                  out: str | None = None, passes: list[str] | None = None,
                  verify: bool = False, invoke: str | None = None,
                  wasi_options: list[str] | None = None, strip: bool = True,
                  preloads: Sequence[tuple[str, str]] = (),
                  allow_unresolved_imports: bool = False, firmware=None) -> Result:
    """Run the pipeline up to ``emit``; for ``exe`` the executable is written to ``out``.

    ``data`` is Wasm (binary or text) or IR text (``ir.parser.is_ir_input``:
    a ``.ir`` file, or content that is neither ``\\0asm`` nor WAT), which is
    parsed and verified.  From the passes on only the IR module is used.
    ``verify`` (``--verify-ir``) runs the verifier before and after every pass.

    ``preloads`` are (NAME, path) pairs (``--preload NAME=path``): each file
    becomes an instance, instantiated before the main one in the order
    given, whose exports satisfy imports from module NAME.  All of them go
    into one link plan (:mod:`wasmaot.ir.plan`) and one executable, with
    direct calls between instances.  ``emit="ir"`` prints the main module
    only.

    Checked here, at compile time, rather than when the program starts:
    ``invoke`` must name an exported function (:class:`InvokeError`); for an
    executable, every import left to the host must be one the standalone
    host provides (WASI preview1, :func:`host_provides`), else a
    ``LinkPlanError`` -- unless ``allow_unresolved_imports``, which binds
    unknown functions to trapping stubs.  Objects and text stages are for
    other hosts (the spec driver, an embedder), so their imports are not
    checked."""
    from .ir.pipeline import PassManager, default_pipeline
    from .ir.plan import Instance, build_plan, check_host_imports

    res = Result()
    clock = _Clock(res.timings)
    fw = _firmware(opts.target)
    # One pass manager for every instance: the report covers the program.
    if passes is None:
        from .backends.targets import get_target
        t = get_target(opts.target)
        passes = default_pipeline(opts.bounds, t.pointer_bytes, t.reroll, t.prefetch)
    pm = PassManager(list(passes), verify)
    comp = _component_input(data, filename)
    if comp is not None:
        if preloads:
            raise InvokeError(f"{filename}: --preload is not supported for components yet")
        return _compile_component(comp, filename, opts, res, clock, pm, emit=emit, out=out,
                                  invoke=invoke, strip=strip, wasi_options=wasi_options,
                                  firmware=firmware)
    instances = []
    for name, path in preloads:
        lib = _load_ir_module(read_bytes(path), path, clock, pm, opts.jobs)
        instances.append(Instance(lib, name, path))
    ir_module = _load_ir_module(data, filename, clock, pm, opts.jobs)
    res.pass_report = pm.report()
    res.exported_funcs = [e.name for e in ir_module.exports if e.kind == 0]   # EXTERN_FUNC
    if invoke is not None:
        check_invoke(res.exported_funcs, invoke, filename)
    if emit == "ir":
        res.data = str(ir_module)
        return res
    instances.append(Instance(ir_module, None, filename))
    with clock.stage("plan"):
        plan = build_plan(instances)
        if emit == "exe":
            plan = check_host_imports(plan, fw.host_provides(opts.target) if fw else host_provides(),
                                      trap_unresolved=allow_unresolved_imports)
    if fw and emit == "exe":     # a firmware image: its memories never move
        opts = fw.image_options(opts)
    opts = _exe_options(opts, emit, fw)
    from .backends import compile_ir
    with clock.stage("llvm"):
        emitted = compile_ir(plan, opts)
        # Code generation runs when an output is first asked for (backends.codegen).
        output = {"llvm": "llvm_ir", "asm": "asm", "obj": "object"}.get(emit, "objects")
        product = getattr(emitted, output)
    for k, v in emitted.timings.items():
        res.timings[f"llvm:{k}"] = v
    res.codegen_report = emitted.codegen_report
    if emit != "exe":
        res.data = product
        return res
    with clock.stage("link"):
        if fw:                    # a firmware image (.elf + .bin + .hex), not an executable
            fw.build_image(plan, list(product), out, opts, firmware or fw.FirmwareOptions())
        else:
            _link(plan, list(product), out, opts, invoke, wasi_options, strip)
    return res


def _exe_options(opts, emit: str, fw):
    """``opts`` for an executable or firmware image that we link ourselves
    (CompileOptions.for_executable); other outputs keep position-independent
    code and take their instance from the host."""
    if emit != "exe":
        return opts
    return opts.for_executable(own_block=fw is None, segment=fw is None)


def _firmware(target: str):
    """:mod:`wasmaot.backends.firmware` if ``target`` produces firmware
    images (Target.output_kind), else None."""
    from .backends.targets import get_target
    if get_target(target).output_kind != "firmware":
        return None
    from .backends import firmware
    return firmware


def _component_input(data: bytes, filename: str) -> bytes | None:
    """The component binary of ``data`` (binary or text), or None for a
    core module or IR.  A core binary (version 1, layer 0), or text
    without the word `component` (which the text form starts with), cannot
    be one: those skip importing the component frontend (about 0.1 s)."""
    binary = data[:4] == b"\0asm"
    if data[:8] == b"\0asm\x01\x00\x00\x00" or (not binary and b"component" not in data):
        return None
    from .frontend.component import component_binary
    return component_binary(data, filename)


def _compile_component(data: bytes, filename: str, opts, res: Result, clock: _Clock, pm, *,
                       emit: str, out, invoke, strip: bool, wasi_options=None,
                       firmware=None) -> Result:
    """A component through the same stages: flattened into a link plan of
    its core instances plus the export shim, and the component-export
    table linked in as one more object (backends/component).  Root imports
    (WASI 0.2) link the WASI shim, with the grants baked in as for
    modules.  For a firmware target, an image running its wasi:cli/run
    (backends/firmware/component.py): its root imports are checked against
    what a device serves before anything is compiled."""
    from .backends import compile_ir
    from .backends.component.emit import table_object
    from .backends.component.plan import component_program
    from .frontend.component import flatten_component, load_component
    from .ir.translate import translate_module
    fw = _firmware(opts.target)
    with clock.stage("frontend"):
        flat = flatten_component(load_component(data, filename), data)
    if fw and emit == "exe":
        from .backends.firmware.component import check_component
        check_component(flat, opts.target, filename)

    def translate(fm):
        with clock.stage("translate"):
            ir_module = translate_module(fm.module)
        with clock.stage("passes"):
            pm.run_module(ir_module)
        return ir_module
    with clock.stage("plan"):
        plan, table = component_program(flat, translate, filename)
        if fw and emit == "exe":
            from .backends.firmware.component import bound_scratch, check_plan
            check_plan(table, filename)
            bound_scratch(plan, table)
    res.pass_report = pm.report()
    res.exported_funcs = [COMPONENT_EXPORTS] + [table.string_of(f["name"], f["name_len"])
                                                for f in table.funcs]
    if invoke is not None:
        check_invoke(res.exported_funcs, invoke, filename)
    if emit == "ir":
        res.data = "".join(str(inst.module) for inst in plan.instances)
        return res
    with clock.stage("llvm"):
        emitted = compile_ir(plan, _exe_options(opts, emit, fw))
        output = {"llvm": "llvm_ir", "asm": "asm", "obj": "object"}.get(emit, "objects")
        product = getattr(emitted, output)
    res.codegen_report = emitted.codegen_report
    if emit != "exe":
        res.data = product
        return res
    with clock.stage("link"):
        objects = [*product, table_object(table, opts.target)]
        if fw:
            from .backends.firmware.component import build_component_image
            build_component_image(plan, table, objects, out, opts, firmware or fw.FirmwareOptions())
        else:
            _link(plan, objects, out, opts, invoke, wasi_options, strip, wasi=bool(table.imports))
    return res


def _link(plan, objects: list, out: str, opts, invoke, wasi_options, strip: bool,
          wasi: bool = False) -> None:
    """Link the executable beside ``out`` and rename it into place with the
    usual mode (:func:`default_mode`).  A failure names ``out``, never a
    temporary file; a full disk says so.  ``wasi``: link the WASI shim even
    if no core import names preview1 (a component's WASI 0.2 imports)."""
    from .backends.link import default_invoke_object, link_executable, wasi_options_object
    from .backends.toolchain import LinkError
    if invoke is not None:
        objects.append(default_invoke_object(invoke, opts.target))
    # The WASI shim is linked only into programs that import WASI, so a pure
    # module's executable stays minimal.  Grants (--dir, --env ...) are baked
    # in; nothing is granted unless asked.
    wasi = wasi or any(imp.module == WASI_P1 for _, _, _, imp in plan.host_imports())
    if wasi and wasi_options:
        objects.append(wasi_options_object(wasi_options, opts.target))
    if _special(out):                       # /dev/null: link elsewhere, then copy
        with tempfile.TemporaryDirectory(prefix="wasmaot-") as d:
            link_executable(objects, os.path.join(d, "exe"), opts.target, opts.bounds,
                            wasi=wasi, strip=strip)
            with open(os.path.join(d, "exe"), "rb") as f:
                write_output(out, f.read(), executable=True)
        return
    tmp = _temp_beside(out)
    try:
        link_executable(objects, tmp, opts.target, opts.bounds, wasi=wasi, strip=strip)
        os.chmod(tmp, default_mode(True))
        os.replace(tmp, out)
    except OSError as e:
        raise OSError(e.errno, e.strerror, out) from None
    except LinkError:
        if _disk_full(out):
            import errno
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), out) from None
        raise
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _disk_full(path: str) -> bool:
    """True if ``path``'s file system has (almost) no room left: the linker
    dies without a usable message there (zig: killed by SIGABRT).  Also
    true under WASMAOT_FAULT_INJECT=disk-full, for the tests."""
    if os.environ.get("WASMAOT_FAULT_INJECT") == "disk-full":
        return True
    try:
        st = os.statvfs(os.path.dirname(os.path.abspath(path)))
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 4 << 20


#: First entry of a component's ``exported_funcs``: the rest are the names
#: its lifted functions are called by (``--invoke 'add(1, 2)'``).
COMPONENT_EXPORTS = "\0component"


def check_invoke(exported_funcs: Sequence[str], invoke: str, filename: str) -> None:
    """``invoke`` must be one of the program's exported functions (for a
    component: call one, ``name(args...)``; the arguments are checked by
    the executable, against the function's types)."""
    if exported_funcs[:1] == [COMPONENT_EXPORTS]:
        from .frontend.component.wave import _FUNC_NAME
        m = _FUNC_NAME.match(invoke)
        if m is not None and m.group() in exported_funcs[1:]:
            return
        shown = ", ".join(sorted(exported_funcs[1:])[:10]) or "none"
        raise InvokeError(f"{filename}: --invoke {invoke}: no exported function of that name "
                          f"(exported functions: {shown})")
    if invoke not in exported_funcs:
        shown = ", ".join(sorted(exported_funcs)[:10]) or "none"
        raise InvokeError(f"{filename}: --invoke {invoke}: no exported function of that name "
                          f"(exported functions: {shown})")


def host_provides():
    """What the standalone executable's host fills at start-up: WASI
    preview1, as the shim's own table (wasi-shim/preview1/preview1.c
    ``p1_funcs``) lists it -- read from that C source, the one definition."""
    from .ir.plan import HostProvides
    return HostProvides({(WASI_P1, name): sig for name, sig in wasi_p1_functions().items()})


_P1_ROW = re.compile(r'^\s*F\((\w+),\s*"([^"]+)"\),?\s*$', re.MULTILINE)


def wasi_p1_functions() -> dict[str, str]:
    """name -> canonical signature of every WASI preview1 function the shim
    implements, parsed from its table (``F(name, "sig")`` rows of
    ``p1_funcs``).  tests/cli checks the parse against the linked shim."""
    from .wasi import root as wasi_root
    src = (wasi_root() / "preview1" / "preview1.c").read_text()
    start = src.index("p1_funcs[] = {")
    body = src[start:src.index("};", start)]
    rows = dict(_P1_ROW.findall(body))
    if not rows:
        raise RuntimeError("cannot read the WASI preview1 table from preview1.c")
    return rows


def _load_ir_module(data: bytes, filename: str, clock: _Clock, pm, jobs: int):
    """Wasm (binary or text) or IR text -> the IR module after ``pm``'s passes."""
    from .backends.codegen import cores_available
    from .ir.irinput import is_ir_input
    from .ir.translate.parallel import parallel_worth_it, translate_in_workers
    jobs = jobs or cores_available()
    if is_ir_input(data, filename):
        from .ir.parser import load_ir
        with clock.stage("parse-ir"):
            ir_module = load_ir(data, filename)
    else:
        with clock.stage("frontend"):
            module = load_module(data, filename)
        if parallel_worth_it(module, pm, jobs):
            # Translated and optimized in worker processes: one stage (the
            # pass report sums the workers' times per pass).
            with clock.stage("translate+passes"):
                return translate_in_workers(module, pm, jobs)
        from .ir.translate import translate_module
        with clock.stage("translate"):
            ir_module = translate_module(module)
    with clock.stage("passes"):
        pm.run_module(ir_module)
    return ir_module


def digest_inputs() -> list[tuple[str, Path]]:
    """What :func:`_sources_digest` hashes, as (stable name, path): the
    compiler's Python sources (driver, frontend, IR, passes, backends, with
    the C files they carry) and the C sources linked into every executable
    (runtime, hosts)."""
    from . import backends, frontend, ir
    from .runtime import root as runtime_root
    from .wasi import root as wasi_root
    compiler = (".py", ".c", ".h")
    c_only = (".c", ".h", ".txt")
    roots = [(Path(__file__).resolve().parent, compiler),
             *((Path(m.__file__).resolve().parent, compiler) for m in (frontend, ir, backends)),
             (Path(runtime_root()), c_only), (Path(wasi_root()), c_only)]
    return [(f"{base.name}/{p.relative_to(base)}", p)
            for base, suffixes in roots
            for p in sorted(base.rglob("*")) if p.suffix in suffixes and p.is_file()]


@functools.cache
def _sources_digest() -> str:
    """Hash of everything that makes an executable besides the input and
    the options (:func:`digest_inputs`).  An edited compiler or runtime must
    not be served from an old cached executable: a hand-bumped revision
    number alone was forgotten once (the SLP change of 89a8eb7).  Computed
    once per process: a few hundred files, a few milliseconds."""
    h = hashlib.sha256()
    for name, p in digest_inputs():
        h.update(name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def cache_key(data: bytes, opts, extra: str = "") -> str:
    """Compiler version, every option that changes the object (target, CPU,
    features, -O, bounds...), the runtime and shim sources, what is baked
    in (``extra``: WASI grants) and the input's hash."""
    h = hashlib.sha256()
    from .frontend.features import current      # -W features: a hit skips validation
    for part in ("wasmaot", __version__, opts.cache_key(), _sources_digest(), extra, current().key()):
        h.update(part.encode())
        h.update(b"\0")
    h.update(hashlib.sha256(data).digest())
    return h.hexdigest()[:32]


def cached_executable(data: bytes, name: str, opts, wasi_options: list[str] | None = None,
                      verify: bool = False, preloads: Sequence[tuple[str, str]] = (),
                      allow_unresolved_imports: bool = False,
                      use_cache: bool = True) -> tuple[str, list[str]]:
    """Compile module ``data`` (named ``name`` in messages) to an executable
    in the cache, or reuse it; return its path and the program's exported
    functions (kept beside it, so `run --invoke` is checked without
    decoding the module again).  A ``verify`` compile has its own cache
    entry, so it always runs the verifier.  Preloaded instances are part of
    the key: their names and contents.  ``use_cache=False`` (-C cache=n)
    builds into a fresh private directory instead, which the caller removes.

    Every new entry may evict the least recently used ones
    (:func:`wasmaot.cache.enforce_bound`); a hit marks its entry used."""
    from . import cache
    extra = "\0".join(wasi_options or ()) + ("\0verify-ir" if verify else "")
    extra += "\0allow-unresolved" if allow_unresolved_imports else ""
    for pname, lib in preloads:
        extra += f"\0preload {pname}={hashlib.sha256(read_bytes(lib)).hexdigest()}"
    key = cache_key(data, opts, extra)
    if use_cache:
        cache.max_bytes()                  # a bad WASMAOT_CACHE_MAX_BYTES: say so now
        exe = os.path.join(cache_dir(), "exe", key)
    else:
        exe = os.path.join(tempfile.mkdtemp(prefix="wasmaot-run-"), key)
    meta = exe + ".exports"
    if os.path.exists(exe) and os.path.exists(meta):
        cache.touch(exe, meta)
        with open(meta) as f:
            return exe, json.load(f)
    os.makedirs(os.path.dirname(exe), exist_ok=True)
    res = compile_bytes(data, name, opts, emit="exe", out=exe, wasi_options=wasi_options,
                        verify=verify, preloads=preloads,
                        allow_unresolved_imports=allow_unresolved_imports)
    # The executable is renamed into place complete (compile_bytes); then
    # its exports, by rename too: a reader that sees both sees them whole.
    tmp = _temp_beside(meta)
    with open(tmp, "w") as f:
        json.dump(res.exported_funcs, f)
    os.replace(tmp, meta)
    if use_cache:
        cache.enforce_bound(keep={exe, meta})
    return exe, res.exported_funcs
