"""wasmaot.backends: IR -> LLVM IR -> optimized object, per backends/ABI.md.

Public API (other components code against exactly this)::

    opts = CompileOptions(target="x86_64-linux", opt_level=2, bounds="guard")
    emitted = compile_ir(ir_module, opts)      # or compile_ir(link_plan, opts)
    emitted.object      # ELF relocatable bytes defining `<prefix>_module`
    emitted.llvm_ir     # optimized LLVM IR text   (computed on first access)
    emitted.asm         # target assembly text     (computed on first access)
    emitted.timings     # {"emit": s, "parse": s, "optimize": s, "object": s, ...}

A link plan (:mod:`wasmaot.ir.plan`) of several instances compiles into one
module whose descriptor looks like a single module's to the host
(:mod:`.llvm.program`).

Preconditions: ``ir_module`` verifies.  It is the whole module (imports,
exports, start, segments, the type index space ``ir.sigs``): nothing else is
read, so a module translated from Wasm and one parsed from IR text compile
the same way.
The object references the runtime's bounds-mode marker symbol, so it links
only with a runtime built with the same ``bounds`` (runtime-c/sources.txt
config from ``Target.runtime_config(bounds)``; see :mod:`.link`).
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, fields, replace

from .targets import Target, get_target, target_names

__all__ = ["CompileOptions", "Emitted", "compile_ir", "get_target", "target_names", "Target"]

_PREFIX_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class CompileOptions:
    target: str = "x86_64-linux"
    opt_level: int = 2            # 0..3: LLVM pipeline level
    bounds: str = "guard"         # "guard" | "explicit"
    stack_check: bool = True
    prefix: str = "wasm"          # symbol prefix P
    cpu: str | None = None
    # LLVM target features added to the target's own (``+avx2,-sse4.2``;
    # ``--cpu native`` puts the build machine's here): part of the cache key.
    features: str = ""
    # Compile-time links to modules compiled as other objects of the same
    # executable (the spec runner): .llvm.script_links.ObjectLinks.
    links: object = None
    # The linear memories' ``base`` never moves after instantiation, so
    # explicit-mode code may keep it across calls: set for a firmware image
    # (``backends/firmware`` links baremetal.c, which grows in place),
    # never for objects that other hosts link (the firmware spec driver's
    # platform grows by realloc).  backends/ABI.md "Firmware".
    fixed_base: bool = False
    # The object goes into an executable that wasmaot links itself, static
    # and not position-independent (LinkRecipe ``-static``): code may use
    # absolute addresses (LLVM's static relocation model).  A jump table
    # is then ``jmp *table(,%r,8)`` instead of a load, a lea and an add
    # (every ``br_table``: an interpreter's dispatch): Lua 1.6% fewer
    # instructions.  The runtime's globals are then declared ``dso_local``
    # (ModuleContext.runtime_global): without it LLVM still loads their
    # address from the GOT, so each stack check was a lea (the linker's
    # relaxed GOT load) and a compare instead of one compare.
    # Set by the driver for ``--emit exe``; never for objects other hosts
    # link (``--emit obj``: they may go into a PIE or a shared library),
    # so ``--emit asm``/``llvm`` show the object's code.
    static_exe: bool = False
    # The process creates the program's instance once, in a block the
    # object defines (``P.static``, published as the descriptor's
    # ``static_instance``): function bodies address the instance as that
    # symbol, not through their ``inst`` parameter, so no register holds
    # it, calls between our functions pass nothing for it, and instance
    # fields (memory base, globals) are RIP-relative loads: SQLite's shell
    # 1.7% fewer instructions.  Set with ``static_exe`` by the driver for
    # ``--emit exe`` and by the spec drivers (each of their modules is
    # instantiated once); never for objects other hosts link, which may
    # instantiate a module many times.  backends/ABI.md "Static instance".
    static_instance: bool = False
    # The program owns its thread's segment register (Target.memory_segment):
    # one guard-mode memory, the program's main one, is addressed through
    # it (backends/llvm/memory.py, "Segment-addressed memory").  Set with
    # ``static_instance`` by the driver for ``--emit exe`` only: the spec
    # drivers link the objects of several modules, each with its own
    # memory, into one executable, and other hosts own their registers.
    memory_segment: bool = False
    # Code-generation processes (0: the cores available).  Not in the cache
    # key: the object is byte-identical for any value (see .codegen).
    jobs: int = field(default=0, compare=False)

    def for_executable(self, own_block: bool = True, segment: bool = False) -> "CompileOptions":
        """These options for code that wasmaot links into a static
        executable itself (``static_exe``), whose host instantiates it once,
        in the object's own block (``static_instance``) unless ``own_block``
        is False: a firmware image, whose fw_main.c has its own block.
        ``segment``: the executable holds this program alone
        (``memory_segment``)."""
        return replace(self, static_exe=True, static_instance=own_block,
                       memory_segment=segment and own_block)

    def __post_init__(self) -> None:
        if not 0 <= self.opt_level <= 3:
            raise ValueError(f"opt_level must be 0..3, not {self.opt_level}")
        if self.bounds not in ("guard", "explicit"):
            raise ValueError(f"bounds must be 'guard' or 'explicit', not {self.bounds!r}")
        if self.jobs < 0:
            raise ValueError(f"jobs must be >= 0, not {self.jobs}")
        if not _PREFIX_RE.match(self.prefix):
            raise ValueError(f"prefix must be a C identifier, not {self.prefix!r}")

    def llvm_features(self, target) -> str:
        """The target's features, its tuning for our CPU, then ours, as
        LLVM takes them (a later entry for the same feature wins, so
        ``--features`` can undo a tuning feature)."""
        tuning = target.tuning_features(self.cpu)
        return ",".join(f for f in (target.features, tuning, self.features) if f)

    def cache_key(self) -> str:
        """Everything that affects the object, as one string.  The resolved
        CPU (not None) is used so that changing a target's default CPU
        changes the key."""
        t = get_target(self.target)
        parts = [f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.compare]
        parts.append(f"triple={t.triple}")
        parts.append(f"resolved_cpu={self.cpu or t.default_cpu}")
        parts.append(f"features={self.llvm_features(t)}")
        parts.append(f"backend_abi={_BACKEND_REVISION}")
        return ";".join(parts)


#: Bump when generated code changes for the same options.  The executable
#: cache of the driver also hashes the compiler's own sources
#: (driver/compile.py ``digest_inputs``), so a forgotten bump no longer
#: serves stale code there; this number keys what hashes no sources.
_BACKEND_REVISION = 25

class Emitted:
    """Result of :func:`compile_ir`.  Every output is produced on first
    access, by one run of :mod:`.codegen` over the module's partitions
    (parse, verify, optimize, then object / IR / assembly): asking only for
    the LLVM IR does not generate code.  ``objects`` has one object per
    partition, then one per data blob too large for LLVM text
    (:func:`.codegen.data_object`; what the linker takes); ``object`` is them as one
    relocatable.  ``timings`` and ``codegen_report`` grow with each run."""

    def __init__(self, parts, machine, jobs: int, timings: dict[str, float], source: str,
                 blobs=()) -> None:
        self._parts = parts
        self._blobs = list(blobs)     # (symbol, chunks): data the LLVM IR declares external
        self._machine = machine
        self._jobs = jobs
        self.timings = timings
        self.source = source          # the unoptimized LLVM IR we generated
        self.codegen_report = ""      # per partition and worker (--time-passes)
        self._out: dict[str, object] = {}

    def _run(self, output: str):
        if output not in self._out:
            from . import codegen
            res = codegen.run(self._parts, self._machine, self._jobs, output)
            for k, v in res.timings.items():
                self.timings[k] = self.timings.get(k, 0.0) + v
            self.codegen_report += codegen.report(res) + "\n"
            self._out[output] = ([r.payload for r in res.results] if output == "object"
                                 else codegen.joined(res))
        return self._out[output]

    @property
    def objects(self) -> list[bytes]:
        """One object per partition, then one per external data blob."""
        if "objects" not in self._out:
            from .codegen import data_object
            objs = self._run("object")
            t0 = time.perf_counter()
            data = [data_object(objs[0], sym, chunks) for sym, chunks in self._blobs]
            if data:
                self.timings["data"] = time.perf_counter() - t0
            self._out["objects"] = objs + data
        return self._out["objects"]

    @property
    def object(self) -> bytes:
        from .codegen import merge_objects
        return merge_objects(self.objects)

    @property
    def llvm_ir(self) -> str:
        return self._run("llvm")

    @property
    def asm(self) -> str:
        return self._run("asm")


def relocation_model(opts: CompileOptions, target) -> str:
    """LLVM's relocation model for ``opts`` on ``target``: "static" for an
    executable wasmaot links itself (``static_exe``) and for a bare-metal
    image (a "-none-" triple, backends/firmware), else "pic"."""
    return "static" if opts.static_exe or "-none-" in target.triple else "pic"


def compile_ir(program, opts: CompileOptions) -> Emitted:
    """IR module, or link plan of several (:mod:`wasmaot.ir.plan`) ->
    :class:`Emitted`: emit LLVM IR text, then :func:`_codegen`."""
    from ..ir.plan import LinkPlan, single
    target = get_target(opts.target)
    target.check_bounds(opts.bounds)        # TargetError: one line for the user
    from .llvm.program import emit_program
    plan = program if isinstance(program, LinkPlan) else single(program)
    timings: dict[str, float] = {}
    from . import codegen
    reloc = relocation_model(opts, target)
    machine = codegen.Machine(target.triple, opts.cpu or target.default_cpu, opts.llvm_features(target),
                              opts.opt_level, _llvm_options(target, opts), reloc)
    data_layout = str(codegen.target_machine(machine).target_data)
    t0 = time.perf_counter()
    text, blobs = emit_program(plan, opts, target, data_layout, machine.cpu, machine.features)
    timings["emit"] = time.perf_counter() - t0
    return _codegen(text, machine, opts, timings, blobs)


def _llvm_options(target, opts: CompileOptions) -> tuple[str, ...]:
    """LLVM options of this compile: the bounds policy's (traps.py), then
    the target's unroll cap.  LLVM options are process-global and a worker
    may compile for several targets, so each is set on every compile,
    LLVM's default spelled out where the target has none (the unroller
    takes ``-unroll-max-count`` once given at all; its default is the
    largest unsigned)."""
    from .llvm.traps import codegen_options
    cap = target.unroll_max_count
    return codegen_options(target, opts.bounds) + (
        f"-unroll-max-count={(1 << 32) - 1 if cap is None else cap}",)


def _codegen(text: str, machine, opts: CompileOptions, timings: dict[str, float],
             blobs=()) -> Emitted:
    """LLVM IR text -> partitions (see :mod:`.codegen`), compiled on demand."""
    from . import codegen
    t0 = time.perf_counter()
    parts = codegen.split_module(text)
    timings["split"] = time.perf_counter() - t0
    return Emitted(parts, machine, opts.jobs or codegen.cores_available(), timings, text, blobs)
