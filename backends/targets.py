"""Registry of compilation targets: user-facing names -> :class:`Target`.

What: a target says everything target specific that the emitter, the linker
helpers and the tests need -- LLVM triple (always the full 4-part form),
default CPU and features, the zig ``-target`` used to build and link the C
runtime, pointer size, the default and the supported bounds modes, and which
``runtime-c/sources.txt`` configuration matches each bounds mode.

Why a registry: targets are always named explicitly (``x86_64-linux``); the
compiler never falls back to "the host" by accident, so the same command
produces the same object on every build machine.

Each family lives in its own folder (``x86_64/target.py``) exporting
``TARGETS``; :data:`FAMILIES` lists the folders to import.

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

import importlib
import platform
import shutil
from dataclasses import dataclass, field

#: Target-family subpackages, each with a ``target.py`` exporting ``TARGETS``.
FAMILIES = ("x86_64", "aarch64", "riscv64")


@dataclass(frozen=True)
class Target:
    name: str                  # user-facing name, e.g. "x86_64-linux"
    triple: str                # LLVM triple, 4 parts: arch-vendor-os-env
    default_cpu: str           # LLVM CPU name used unless overridden
    features: str              # LLVM feature string ("+a,-b"), may be ""
    zig_target: str            # `zig cc -target` for runtime and link
    pointer_bytes: int         # 8 or 4: drives funcref/segment layouts
    default_bounds: str        # "guard" or "explicit"
    bounds_modes: tuple[str, ...]
    runtime_configs: dict = field(default_factory=dict)  # bounds -> sources.txt config
    llvm_target_init: str = ""  # informational: LLVM backend name
    # Architecture as Linux's `uname -m` spells it (the triple's first part
    # unless given); compared with the build machine to decide whether the
    # target's executables run natively.
    arch: str = ""
    # Float ABI tag where the linker checks it (RISC-V: "lp64d"); "" = none.
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

    def __post_init__(self) -> None:
        assert self.triple.count("-") == 3, f"{self.name}: use a full 4-part triple"
        assert self.default_bounds in self.bounds_modes
        assert self.pointer_bytes in (4, 8)
        if not self.arch:
            object.__setattr__(self, "arch", self.triple.split("-", 1)[0])

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
        prefix = self.run_command_prefix(host_machine)
        if prefix and shutil.which(prefix[0]) is None:
            raise RunnerMissing(
                f"cannot run {self.name} executables on this {platform.machine()} machine: "
                f"{prefix[0]} not found (install Debian/Ubuntu package qemu-user, e.g. "
                f"scripts/install-test-deps.sh)")
        return prefix

    def runtime_config(self, bounds: str) -> str:
        try:
            return self.runtime_configs[bounds]
        except KeyError:
            raise ValueError(f"target {self.name} has no runtime configuration for "
                             f"bounds mode {bounds!r} (supported: {', '.join(self.bounds_modes)})") from None


class RunnerMissing(RuntimeError):
    """The emulator needed to run a non-native target's executables is not installed."""


# platform.machine() spellings -> Linux `uname -m` / our Target.arch
_MACHINE_ALIASES = {"amd64": "x86_64", "x64": "x86_64", "arm64": "aarch64"}


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
        raise ValueError(f"unknown target {name!r}; known: {', '.join(sorted(reg))}")
    return reg[name]


def target_names() -> list[str]:
    return sorted(_load())
