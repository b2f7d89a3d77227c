"""Registry of compilation targets: user-facing names -> :class:`Target`.

One :class:`Target` record per target owns every target-specific fact:
LLVM triple (always the full 4-part form), default CPU and features, the
float ABI, pointer size, the zig ``-target`` that builds the C runtime and
links, the supported and the default bounds modes, the build configuration
of the runtime (``runtime-c/sources.txt``) and of the WASI shim
(``wasi-shim/sources.txt``) for each bounds mode, the output kind and the
link recipe.  The emitter, ``backends/link.py``, the CLI (``--bounds``
defaults to :attr:`Target.default_bounds`) and the tests all read it; no
other table of targets exists.

Why a registry: targets are always named explicitly (``x86_64-linux``); the
compiler never falls back to "the host" by accident, so the same command
produces the same object on every build machine.

Adding a target: one folder ``backends/<family>/`` with ``__init__.py`` and
``target.py`` exporting ``TARGETS`` (a tuple of :class:`Target`), plus its
family name in :data:`FAMILIES`.  Packaging finds the folder by itself
(``setup.py``).  The configs it names must exist in both manifests
(``tests/hosts/test_targets.py`` checks every registered target); a target
for an existing C platform reuses or copies a config line there.

An unknown target, or a bounds mode a target lacks, is a
:class:`TargetError`: one line for the user, never an internal error.

Running executables of another architecture: any host builds for any
target (zig cross-compiles the runtime and musl); to *run* the result, the
spec runner and the tests put :meth:`Target.run_command_prefix` in front of
it -- nothing on the target's own architecture, else qemu-user
(``qemu-aarch64``, ``qemu-riscv64``; Debian package ``qemu-user``, see
``scripts/install-test-deps.sh``).  Our executables are static, so qemu
needs no sysroot and no binfmt registration.

Cost of guard reservations under qemu-user (measured, qemu 7.2 on an
x86-64 host): qemu tracks guest page flags per 4 KiB page, so each
GUARD-mode memory (one 8 GiB + 64 KiB PROT_NONE reservation) costs about
30-35 ms to map and about 70 MB of qemu's own memory (unmapping: ~15 ms
more); EXPLICIT mode reserves 4 GiB + 64 KiB per memory without a maximum,
about half.  The worst spec file (data.wast, dozens of live memories) runs
in 1.5 s / 1.2 GB RSS in guard mode vs 0.6 s / 0.4 GB explicit; over the
whole suite the two modes take about the same time (compilation
dominates), so qemu runs keep the real configuration.  The guard size is
deliberately NOT a build option: guard-mode code has no bounds check at all
and relies on zext(i32 index) + u32 offset + access size never leaving the
reservation, so a smaller one would turn out-of-bounds accesses into
accesses to unrelated mappings.  (EXPLICIT mode's reservation is already a
runtime build option, ``WASMAOT_EXPLICIT_RESERVE_BYTES``, trading copies on
``memory.grow`` for less address space.)
"""
from __future__ import annotations

import functools
import importlib
import platform
import re
import shutil
from dataclasses import dataclass, field

#: Target-family subpackages, each with a ``target.py`` exporting ``TARGETS``:
#: the one place a new family is registered.
FAMILIES = ("x86_64", "aarch64", "riscv64", "arm", "riscv32")

#: The target when none is named (the CLI's --target default).
DEFAULT_TARGET = "x86_64-linux"

#: How a target's trap backtrace finds frames (Target.backtrace); the
#: function attributes of each are backends/llvm/backtrace.py's FRAME_ATTRS.
BACKTRACE_WALKS = ("frame-pointers", "unwind-tables")
#: How guard mode keeps a load that may fault (Target.guard_keep;
#: backends/llvm/traps.py, "Guard-mode keeps").
GUARD_KEEPS = ("asm", "volatile")

#: Bounds modes the compiler implements (a target supports a subset).
BOUNDS_MODES = ("guard", "explicit")

#: What compiling for a target produces.  "exe": a static Linux executable
#: (generated objects + runtime + standalone host, linked by
#: ``backends/link.py``).  "firmware": an image for a microcontroller (ELF
#: plus .bin/.hex: vector table, reset handler, a linker script from the
#: board's memory map, defined memories in static RAM), linked by
#: ``backends/firmware`` following the target's :class:`FirmwareRecipe`.
OUTPUT_KINDS = ("exe", "firmware")


class TargetError(ValueError):
    """An unknown target, or an option the target does not support; ``str()``
    is one line for the user (the CLI exits 2, as for any bad flag)."""


@dataclass(frozen=True)
class LinkRecipe:
    """How ``backends/link.py`` links an executable for a target (output
    kind "exe"): ``python -m ziglang cc -target <zig_target> <ldflags>
    [<strip_flags>] <objects> <host objects> <shim + runtime objects>``."""
    ldflags: tuple[str, ...] = ("-static",)
    # --keep-symbols not given: drop symbols/debug info and unreferenced
    # sections (runtime and shim are built with -ffunction-sections); a
    # stripped hello world is ~5x smaller.
    strip_flags: tuple[str, ...] = ("-s", "-Wl,--gc-sections")
    # The standalone host's C files (its ``main``), relative to runtime-c/;
    # linked unless the caller supplies its own host (spec driver, tests).
    host_sources: tuple[str, ...] = ("host/standalone_main.c", "host/host_link.c")


@dataclass(frozen=True)
class FirmwareRecipe:
    """How ``backends/firmware`` builds an image for a target (output kind
    "firmware"): the startup file (vector table / reset handler, in
    ``backends/firmware/``) and the board used when ``--board`` is not
    given."""
    startup: str
    default_board: str
    # Whether reset must enable an FPU before any code runs (Cortex-M4F/M33:
    # CPACR); the startup file reads it as -DWASMAOT_FW_FPU.
    fpu: bool = False


@dataclass(frozen=True)
class Target:
    name: str                  # user-facing name, e.g. "x86_64-linux"
    triple: str                # LLVM triple, 4 parts: arch-vendor-os-env
    default_cpu: str           # LLVM CPU name used unless overridden
    features: str              # LLVM feature string ("+a,-b"), may be ""
    zig_target: str            # `zig cc -target` for runtime, host C and link
    pointer_bytes: int         # 8 or 4: drives funcref/segment layouts
    default_bounds: str        # `--bounds` when not given; in bounds_modes
    bounds_modes: tuple[str, ...]
    # bounds mode -> config name in runtime-c/sources.txt; one per mode.
    runtime_configs: dict = field(default_factory=dict)
    # bounds mode -> config name in wasi-shim/sources.txt.  Empty: the
    # runtime's names (the shim is built with its runtime's flags, so both
    # manifests name a configuration alike).
    shim_configs: dict = field(default_factory=dict)
    output_kind: str = "exe"   # one of OUTPUT_KINDS
    link: LinkRecipe = LinkRecipe()
    # Architecture as Linux's `uname -m` spells it (the triple's first part
    # unless given); compared with the build machine to decide whether the
    # target's executables run natively.
    arch: str = ""
    # Float ABI where the linker checks it (RISC-V: "lp64d"; "" = none).
    # Generated code gets it from `features` (LLVM picks lp64d given +d);
    # helper objects, built without our features, carry it as the
    # "target-abi" module flag (helper_objects.py), or lld refuses them.
    abi: str = ""
    # Command prefix that runs this target's executables on a machine of
    # another architecture (qemu-user; static executables need no sysroot).
    # Empty: f"qemu-{arch}".  See run_command_prefix().
    run_prefix: tuple[str, ...] = ()
    # LLVM's lowering of llvm.ceil/floor/trunc/roundeven may hand a
    # signalling NaN operand back unchanged (RISC-V without Zfa: "if
    # |x| >= 2^mantissa-bits or NaN, return x"), while Wasm wants an
    # arithmetic (quiet) NaN.  The emitter then follows those ops with
    # llvm.canonicalize (one fmin.s/d); elsewhere that would cost an
    # instruction for nothing (x86 roundsd, AArch64 frint* already quiet).
    round_may_keep_snan: bool = False
    # f64 min/max are expanded to compares and selects instead of
    # llvm.minimum/maximum.f64: LLVM 22 crashes selecting those for a core
    # whose FPU is single-precision only (Cortex-M4F, M33: "Cannot select"),
    # where f64 is soft-float anyway.
    expand_f64_minmax: bool = False
    # Attribute of a 32-bit integer crossing the C ABI between generated
    # code and C (the runtime, the WASI shim, host functions, a host calling
    # a C entry): "signext" where the C ABI keeps such a value sign-extended
    # in a 64-bit register and C code relies on it (RV64: "32-bit types,
    # unsigned included, are sign-extended"), on the arguments of calls to C
    # and on the i32 results of functions C calls; empty where nothing is
    # required (x86-64 and AArch64 leave the upper bits undefined, 32-bit
    # targets have none).  Without it an i32 made by i32.wrap_i64 reached C
    # with the i64's upper bits (tests/fuzz/regressions/rv64_wrap_to_c.wat).
    c_int_ext: str = ""
    # Follow the vector of a SIMD extending load (v128.load8x8_u...) with a
    # ``freeze`` before it is extended.  A workaround for LLVM 22 on RV64
    # without vector registers: a load <8 x i8> zero-extended, its high half
    # extended again and reduced by i64x2.all_true makes the DAG combiner
    # build a node that is its own operand (``t = and t, 255``): an abort
    # ("Node is not in map"), or an endless recursion in computeKnownBits
    # (a differential-fuzzing batch that stalled for minutes).  The freeze
    # stops the load and its extension being combined into an extending
    # load; the loaded bytes and the result are the same.  Reproduced with
    # that LLVM IR alone; rv32, Thumb, AArch64 and x86-64 compile it
    # (tests/fuzz/regressions/rv64_ext_load_combine.wat).
    freeze_ext_loads: bool = False
    # LLVM calling convention of Wasm-to-Wasm calls (backends/ABI.md
    # "Functions").  ``tailcc`` guarantees that a ``musttail`` call is a tail
    # call whatever the callee's signature (Wasm ``return_call``); where it
    # is broken or missing, ``fastcc`` (``musttail`` then needs matching
    # signatures).
    internal_cc: str = "tailcc"
    # Internal convention of a module that contains Wasm tail calls
    # (``return_call*``): ``tailcc`` wherever LLVM has it, so that every
    # tail call is a ``musttail`` call whatever the prototypes; empty:
    # ``fastcc`` on RISC-V (LLVM: "Unsupported calling convention"), where
    # musttail then needs identical parameter lists, else ``tailcc``.
    # AArch64 keeps ``fastcc`` as internal_cc for modules without tail
    # calls (brotli), see backends/ABI.md "Functions".
    tail_call_cc: str = ""
    # (integer, float/vector) argument registers of ``tail_call_cc``, the
    # instance pointer included.  A ``musttail`` call between different
    # prototypes is emitted only when both fit in registers: LLVM (zig's,
    # x86-64) drops the stack arguments of a tailcc musttail whose callee
    # needs more stack-argument space than its caller has.  (0, 0): only
    # identical prototypes (fastcc).  Empty: from the architecture.
    tail_arg_regs: tuple[int, int] = ()
    # What a ``musttail`` call's results may occupy: (integer registers in
    # pointer-size words, float/vector registers, values in all).  Results
    # beyond it LLVM returns through memory (sret demotion), which it cannot
    # combine with musttail ("failed to perform tail call elimination", an
    # abort): such a ``return_call`` is a plain call + ret, its tail call
    # not guaranteed (backends/ABI.md "Functions").  Measured with LLVM 22
    # at -O0 (tests/backends/test_tail_call_results.py); float/vector
    # registers 0: floats and vectors travel in integer words.  Empty:
    # from the architecture.
    tail_ret_regs: tuple[int, int, int] = ()
    # LLVM option (without the leading "-") that switches alias analysis in
    # code generation (machine scheduler, DAG combiner) on and off; "" if
    # the target's code generator never uses it (x86-64).  Guard mode turns
    # it off: with it, AArch64 and RISC-V schedule a linear-memory load
    # that may fault above an earlier store they prove independent (a Wasm
    # global, a table), so at the trap that store has not happened, which
    # Wasm forbids (tests/fuzz/regressions/guard_store_order.wat).  Without
    # AA the scheduler keeps memory operations in program order unless
    # they provably touch disjoint bytes of one base.  Explicit mode traps
    # by a branch, which no store crosses, and keeps AA on.
    codegen_aa_option: str = ""
    # The largest constant offset a scalar load or store folds into its
    # instruction (Thumb-2 ``ldr rt, [rn, #imm12]``: 4095; RISC-V signed
    # imm12: 2047).  Used by 32-bit targets only: an access ``offset=K``
    # with a larger K is emitted as ``(base + K) + index`` rather than
    # ``(base + index) + K``, so that ``base + K`` is loop-invariant and
    # hoisted (a table lookup ``table[i]`` at a constant address becomes
    # one register-indexed load, as native code has it) instead of an add
    # of a materialized constant per access (backends/llvm/memory.py).
    mem_offset_imm_max: int = 4095
    # f64 loads and stores of linear memory are emitted as two i32
    # accesses of its words (explicit bounds mode only: the check precedes
    # both).  ARM's FPU loads and stores (VLDR/VSTR) need a word-aligned
    # address and Wasm's accesses are ``align 1``, so LLVM legalized each
    # f64 access through core registers and a move to a D register (a
    # store even through a stack slot: vmov, vstr, ldrd, two str), only to
    # move it back for the soft-float call that uses it; as words, doubles
    # stay in core registers (cortex-m4f 2mm 1.061x -> 1.017x native).
    # Only where an FPU holds doubles: without one (cortex-m3) LLVM already
    # uses the words, and the split form cost 2mm 2% there.
    split_f64_accesses: bool = False
    # Largest count by which LLVM's loop unroller may unroll a loop; None:
    # LLVM's own choice (its cost model's).  Set on every compile, as an
    # LLVM option, to this or to LLVM's default (backends/__init__.py).
    unroll_max_count: int | None = None
    # Roll loops that a wasm32 producer unrolled back into one body before
    # the bounds passes (ir/passes/reroll.py), so that LLVM's loop
    # vectorizer sees the loop a native build has.  Only where LLVM has
    # vector registers to widen them into (x86-64, AArch64): on a scalar
    # core the unrolled loop, with a third of the branches, was the better
    # code, and nothing would re-widen the rolled one.
    reroll: bool = False
    # Run the prefetch pass (ir/passes/prefetch.py): a loop's base address,
    # known before an earlier loop, is prefetched where it is known.  Only
    # where a prefetch of any address is harmless (x86-64 prefetcht0,
    # AArch64 prfm: neither faults), since the pass proves nothing about
    # the address.  RISC-V has no prefetch without Zicbop, and on Cortex-M
    # a firmware image has no cache to speak of.
    prefetch: bool = False
    # LLVM CPU name -> features that tune code for that CPU beyond what
    # LLVM's own model of it says, added after the target's features and
    # before the user's (``--features`` can undo them): see
    # :meth:`tuning_features`.
    cpu_tuning: dict = field(default_factory=dict)
    # How the trap backtrace finds its frames (BACKTRACE_WALKS;
    # backends/llvm/backtrace.py): "frame-pointers" (generated code keeps them; the runtime walks the
    # chain) or "unwind-tables" (no frame pointers, LLVM's unwind tables;
    # the runtime config is built with WASMAOT_BACKTRACE_UNWIND and the
    # link recipe links libunwind).
    backtrace: str = "frame-pointers"
    # How a guard-mode load that may fault survives LLVM (GUARD_KEEPS;
    # backends/llvm/traps.py, "Guard-mode keeps"): "asm" hands its value
    # to an empty asm (a register operand); "volatile" emits the load
    # volatile behind an empty asm barrier, so x86-64 still folds it into
    # the instruction that uses it (``cmp``, ``add``, ``and`` from memory).
    guard_keep: str = "asm"
    # LLVM address space of a segment register that the process may point at
    # one linear memory (x86-64: 256, %gs, set by arch_prctl), or 0: none.
    # An executable that wasmaot links (CompileOptions.memory_segment)
    # then addresses its main memory as ``%gs:index`` in guard mode, with
    # no base register and no base load (backends/llvm/memory.py,
    # "Segment-addressed memory"; backends/ABI.md).
    memory_segment: int = 0
    # Output kind "firmware" only: how the image is built (None otherwise).
    firmware: FirmwareRecipe | None = None

    def __post_init__(self) -> None:
        # Invariants of every record (tests/hosts/test_targets.py adds the
        # cross-file ones: configs present in both manifests).
        assert self.triple.count("-") == 3, f"{self.name}: use a full 4-part triple"
        assert self.bounds_modes and set(self.bounds_modes) <= set(BOUNDS_MODES), self.name
        assert self.backtrace in BACKTRACE_WALKS, self.name
        assert self.guard_keep in GUARD_KEEPS, self.name
        assert self.default_bounds in self.bounds_modes, self.name
        assert set(self.runtime_configs) == set(self.bounds_modes), self.name
        assert self.pointer_bytes in (4, 8)
        assert self.output_kind in OUTPUT_KINDS, self.name
        assert (self.output_kind == "firmware") == (self.firmware is not None), self.name
        if not self.shim_configs:
            object.__setattr__(self, "shim_configs", dict(self.runtime_configs))
        assert set(self.shim_configs) == set(self.bounds_modes), self.name
        if not self.arch:
            object.__setattr__(self, "arch", self.triple.split("-", 1)[0])
        if not self.tail_call_cc:
            cc = "fastcc" if self.arch.startswith("riscv") else "tailcc"
            object.__setattr__(self, "tail_call_cc", cc)
        if not self.tail_arg_regs:
            regs = {"x86_64": (6, 8), "aarch64": (8, 8)}.get(self.arch, (0, 0))
            object.__setattr__(self, "tail_arg_regs", regs if self.tail_call_cc == "tailcc" else (0, 0))
        if not self.tail_ret_regs:
            rets = {"x86_64": (3, 4, 7), "aarch64": (8, 8, 16), "riscv64": (2, 2, 2),
                    "riscv32": (2, 0, 2)}.get(self.arch, (4, 0, 4))     # else ARM: r0-r3
            object.__setattr__(self, "tail_ret_regs", rets)

    def check_bounds(self, bounds: str) -> str:
        """``bounds`` if this target supports it, else a :class:`TargetError`."""
        if bounds not in self.bounds_modes:
            raise TargetError(f"target {self.name} does not support --bounds {bounds} "
                              f"(supported: {', '.join(self.bounds_modes)})")
        return bounds

    def resolve_cpu(self, cpu: str | None, host_machine: str | None = None) -> str | None:
        """``--cpu`` checked for this target: None (the default CPU), a name
        LLVM knows for the triple and that can produce this target's code,
        or ``native``, which becomes the build machine's CPU (LLVM's host
        CPU name) and is only valid when the target is the build machine's
        architecture.  Anything else is a :class:`TargetError` (one line),
        instead of LLVM's warnings and abort (``64-bit code requested on a
        subtarget that doesn't support it``)."""
        if cpu is None or cpu == self.default_cpu:
            return cpu
        if cpu == "native":
            if not self.runs_natively(host_machine):
                raise TargetError(f"--cpu native: the build machine is "
                                  f"{_normalize_machine(host_machine or platform.machine())}, "
                                  f"not {self.arch} ({self.name}); name a CPU of the target")
            return host_cpu_name()
        problem = check_cpu(self.triple, cpu, self.features)
        if problem:
            raise TargetError(f"--cpu {cpu}: {problem}")
        return cpu

    def resolve_features(self, features: str | None, cpu: str | None, native: bool) -> str:
        """LLVM feature list for ``--features`` (``+a,-b``, added to the
        target's own) and ``--cpu native`` (the build machine's features
        first, so ``--features`` can still turn one off).  A name LLVM does
        not know for the triple is a :class:`TargetError`."""
        parts = [host_cpu_features()] if native else []
        if features:
            problem = check_features(self.triple, cpu or self.default_cpu, features)
            if problem:
                raise TargetError(f"--features {features}: {problem}")
            parts.append(features)
        return ",".join(parts)

    def tuning_features(self, cpu: str | None) -> str:
        """Features this target adds for ``cpu`` (None: the default CPU),
        the resolved name as ``--cpu native`` gives it too; "" for most."""
        return self.cpu_tuning.get(cpu or self.default_cpu, "")

    def runtime_config(self, bounds: str) -> str:
        """The runtime-c/sources.txt config to link for ``bounds``."""
        return self.runtime_configs[self.check_bounds(bounds)]

    def shim_config(self, bounds: str) -> str:
        """The wasi-shim/sources.txt config to link for ``bounds``."""
        return self.shim_configs[self.check_bounds(bounds)]

    def runs_natively(self, host_machine: str | None = None) -> bool:
        """True if this target's Linux executables run directly on the
        build machine (same architecture; all our hosted targets are
        static Linux executables, so the OS must be Linux too)."""
        machine = _normalize_machine(host_machine or platform.machine())
        if host_machine is None and platform.system() != "Linux":
            return False
        return machine == self.arch

    def run_command_prefix(self, host_machine: str | None = None) -> tuple[str, ...]:
        """What to put before an executable of this target to run it here:
        ``()`` natively, else the emulator (``("qemu-aarch64",)``)."""
        if self.runs_natively(host_machine):
            return ()
        return self.run_prefix or (f"qemu-{self.arch}",)

    def check_runnable(self, host_machine: str | None = None) -> tuple[str, ...]:
        """:meth:`run_command_prefix`, after checking the emulator is
        installed; raises :class:`RunnerMissing` (one clear line) if not."""
        if self.firmware is not None:
            raise RunnerMissing(
                f"target {self.name} builds firmware images, which run on a board, not here: "
                f"`wasmaot compile --target {self.name} FILE -o app.elf`, then flash it or run "
                f"it under qemu-system (tests/firmware shows the command)")
        prefix = self.run_command_prefix(host_machine)
        if prefix and shutil.which(prefix[0]) is None:
            raise RunnerMissing(
                f"cannot run {self.name} executables on this {platform.machine()} machine: "
                f"{prefix[0]} not found (install Debian/Ubuntu package qemu-user, e.g. "
                f"scripts/install-test-deps.sh)")
        return prefix


class RunnerMissing(RuntimeError):
    """The emulator needed to run a non-native target's executables is not installed."""


# platform.machine() spellings -> Linux `uname -m` / our Target.arch
_MACHINE_ALIASES = {"amd64": "x86_64", "x64": "x86_64", "arm64": "aarch64",
                    "riscv64gc": "riscv64"}   # the last: Rust's (and wasmtime's) triples


def _normalize_machine(m: str) -> str:
    m = m.lower()
    return _MACHINE_ALIASES.get(m, m)


_REGISTRY: dict[str, Target] | None = None


def _load() -> dict[str, Target]:
    global _REGISTRY
    if _REGISTRY is None:
        reg: dict[str, Target] = {}
        for fam in FAMILIES:
            mod = importlib.import_module(f"{__package__}.{fam}.target")
            for t in mod.TARGETS:
                assert t.name not in reg, f"duplicate target {t.name}"
                reg[t.name] = t
        _REGISTRY = reg
    return _REGISTRY


def get_target(name: str) -> Target:
    reg = _load()
    if name not in reg:
        raise TargetError(f"unknown target {name!r} (known: {', '.join(sorted(reg))})")
    return reg[name]


def canonical_target(name: str) -> str:
    """Our name for ``name``: a target name as is, or an LLVM / Rust triple
    (what ``wasmtime run --target`` takes) of a registered target's
    architecture on Linux, e.g. ``x86_64-unknown-linux-gnu`` ->
    ``x86_64-linux``.  Anything else is returned unchanged, for
    :func:`get_target` to reject with the list of names."""
    reg = _load()
    if name in reg:
        return name
    parts = name.split("-")
    if len(parts) >= 3 and "linux" in parts[1:]:
        arch = _normalize_machine(parts[0])
        matches = [t.name for t in reg.values() if t.arch == arch]
        if len(matches) == 1:
            return matches[0]
    return name


def target_names() -> list[str]:
    return sorted(_load())


# ---------------------------------------------------------------- CPU names
#
# LLVM takes any --cpu string: an unknown one prints "'x' is not a
# recognized processor for this target (ignoring processor)" once per
# subtarget it builds, and one that cannot produce the triple's code (i386
# for x86-64) aborts the process ("LLVM ERROR: 64-bit code requested...").
# So a CPU is tried once, in a child process, on a one-function module; its
# stderr decides.  ~0.3 s, only when --cpu names a non-default CPU, and
# memoized per process.

_CPU_PROBE = """
import sys
import llvmlite.binding as llvm
llvm.initialize_all_targets(); llvm.initialize_all_asmprinters()
triple, cpu, features = sys.argv[1:4]
tm = llvm.Target.from_triple(triple).create_target_machine(cpu=cpu, features=features)
if cpu != "help":
    m = llvm.parse_assembly(f'target triple = "{triple}"\\n'
                            'define i64 @f(i64 %x) {\\n  %y = add i64 %x, 1\\n  ret i64 %y\\n}\\n')
    tm.emit_object(m)
"""


def _probe(triple: str, cpu: str, features: str):
    import subprocess
    import sys
    return subprocess.run([sys.executable, "-c", _CPU_PROBE, triple, cpu, features],
                          check=False, capture_output=True, text=True, timeout=120)


@functools.cache
def llvm_cpu_names(triple: str) -> tuple[str, ...]:
    """Every CPU name LLVM knows for ``triple`` (its ``-mcpu=help`` list)."""
    proc = _probe(triple, "help", "")
    text = proc.stderr + proc.stdout
    names, inside = [], False
    for line in text.splitlines():
        if line.startswith("Available CPUs"):
            inside = True
        elif line.startswith("Available features"):
            break
        elif inside and line.strip():
            names.append(line.split()[0])
    return tuple(names)


@functools.cache
def check_cpu(triple: str, cpu: str, features: str = "") -> str:
    """Why LLVM cannot compile ``triple`` for ``cpu``, or "" if it can."""
    proc = _probe(triple, cpu, features)
    text = proc.stderr + proc.stdout
    if "is not a recognized processor" in text:
        import difflib
        close = difflib.get_close_matches(cpu, llvm_cpu_names(triple), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        return f"not a CPU LLVM knows for {triple}{hint}"
    if proc.returncode != 0:
        errors = [l for l in text.splitlines() if "LLVM ERROR" in l]
        why = errors[0].split("LLVM ERROR:", 1)[1].strip() if errors else \
            f"the LLVM probe exited with {proc.returncode}"
        return f"cannot generate {triple} code: {why}"
    return ""


def host_cpu_features() -> str:
    """The build machine's CPU features as LLVM reads them (``--cpu
    native``, as clang's ``-march=native``): the CPU name alone would
    assume every feature of that model, which a VM may hide (a masked
    AVX-512 is SIGILL)."""
    from .codegen import llvm_binding
    return llvm_binding().get_host_cpu_features().flatten()


_FEATURE_RE = re.compile(r"^[+-][A-Za-z0-9_.-]+$")


@functools.cache
def check_features(triple: str, cpu: str, features: str) -> str:
    """Why ``features`` (LLVM's ``+a,-b`` list) is not a feature list of
    ``triple``, or "" (the probe's "is not a recognized feature" warning
    decides, as for CPUs)."""
    for f in features.split(","):
        if not _FEATURE_RE.match(f):
            return f"{f!r} is not +NAME or -NAME"
    proc = _probe(triple, cpu, features)
    text = proc.stderr + proc.stdout
    m = re.search(r"'([^']*)' is not a recognized feature", text)
    if m:
        return f"{m.group(1)!r} is not a feature LLVM knows for {triple}"
    if proc.returncode != 0:
        return f"cannot generate {triple} code with these features"
    return ""


def host_cpu_name() -> str:
    """The build machine's CPU as LLVM names it (``--cpu native``)."""
    from .codegen import llvm_binding
    return llvm_binding().get_host_cpu_name()
