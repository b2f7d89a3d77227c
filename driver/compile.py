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

import hashlib
import os
import tempfile
import time
from dataclasses import dataclass, field
from typing import Sequence

from . import __version__
from .cache import cache_dir
from .frontend.load import load_module, read_bytes

EMIT_KINDS = ("exe", "obj", "llvm", "asm", "ir")
WASI_P1 = "wasi_snapshot_preview1"


@dataclass
class Result:
    data: bytes | str | None = None          # what was asked for (None for exe)
    timings: dict[str, float] = field(default_factory=dict)
    pass_report: str | None = None
    codegen_report: str | None = None        # per partition / worker (backends.codegen)


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
                  preloads: Sequence[tuple[str, str]] = ()) -> Result:
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
    only."""
    from .ir.pipeline import PIPELINE, PassManager
    from .ir.plan import Instance, build_plan

    res = Result()
    clock = _Clock(res.timings)
    # One pass manager for every instance: the report covers the program.
    pm = PassManager(list(PIPELINE if passes is None else passes), verify)
    instances = []
    for name, path in preloads:
        lib = _load_ir_module(read_bytes(path), path, clock, pm, opts.jobs)
        instances.append(Instance(lib, name, path))
    ir_module = _load_ir_module(data, filename, clock, pm, opts.jobs)
    res.pass_report = pm.report()
    if emit == "ir":
        res.data = str(ir_module)
        return res
    instances.append(Instance(ir_module, None, filename))
    with clock.stage("plan"):
        plan = build_plan(instances)
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
    from .backends.link import default_invoke_object, link_executable, wasi_options_object
    objects = list(product)
    if invoke is not None:
        objects.append(default_invoke_object(invoke, opts.target))
    # The WASI shim is linked only into programs that import WASI, so a pure
    # module's executable stays minimal.  Grants (--dir, --env ...) are baked
    # in; nothing is granted unless asked.
    wasi = any(imp.module == WASI_P1 for _, _, _, imp in plan.host_imports())
    if wasi and wasi_options:
        objects.append(wasi_options_object(wasi_options, opts.target))
    with clock.stage("link"):
        link_executable(objects, out, opts.target, opts.bounds, wasi=wasi, strip=strip)
    return res


def _load_ir_module(data: bytes, filename: str, clock: _Clock, pm, jobs: int):
    """Wasm (binary or text) or IR text -> the IR module after ``pm``'s passes."""
    from .backends.codegen import cores_available
    from .ir.parser import is_ir_input, load_ir
    from .ir.translate.parallel import parallel_worth_it, translate_in_workers
    jobs = jobs or cores_available()
    if is_ir_input(data, filename):
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


def _sources_digest() -> str:
    """Hash of the C sources linked into every executable (runtime, hosts):
    an edited runtime must not be served from an old cached executable."""
    from .runtime import root as runtime_root
    from .wasi import root as wasi_root
    h = hashlib.sha256()
    for base in (runtime_root(), wasi_root()):
        for p in sorted(base.rglob("*")):
            if p.suffix in (".c", ".h", ".txt") and p.is_file():
                h.update(str(p.relative_to(base)).encode())
                h.update(p.read_bytes())
    return h.hexdigest()


def cache_key(data: bytes, opts, extra: str = "") -> str:
    """Compiler version, every option that changes the object (target, CPU,
    features, -O, bounds...), the runtime and shim sources, what is baked
    in (``extra``: WASI grants) and the input's hash."""
    h = hashlib.sha256()
    for part in ("wasmaot", __version__, opts.cache_key(), _sources_digest(), extra):
        h.update(part.encode())
        h.update(b"\0")
    h.update(hashlib.sha256(data).digest())
    return h.hexdigest()[:32]


def cached_executable(path: str, opts, wasi_options: list[str] | None = None,
                      verify: bool = False, preloads: Sequence[tuple[str, str]] = ()) -> str:
    """Compile ``path`` to an executable in the cache (or reuse it); return its path.
    A ``verify`` compile has its own cache entry, so it always runs the verifier.
    Preloaded instances are part of the key: their names and contents."""
    data = read_bytes(path)
    extra = "\0".join(wasi_options or ()) + ("\0verify-ir" if verify else "")
    for name, lib in preloads:
        extra += f"\0preload {name}={hashlib.sha256(read_bytes(lib)).hexdigest()}"
    key = cache_key(data, opts, extra)
    exe = os.path.join(cache_dir(), "exe", key)
    if os.path.exists(exe):
        return exe
    os.makedirs(os.path.dirname(exe), exist_ok=True)
    # Link to a private name, then rename: concurrent runs never see a partial file.
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(exe), prefix=".tmp-")
    os.close(fd)
    try:
        compile_bytes(data, path, opts, emit="exe", out=tmp, wasi_options=wasi_options,
                      verify=verify, preloads=preloads)
        os.replace(tmp, exe)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return exe
