"""Build machinery for the C runtime tests.

The runtime is compiled from `runtime-c/sources.txt` (read by the product's
own parser, as the backend reads it), with the hermetic zig toolchain, once
per configuration per pytest session; test programs from `tests/runtime/c/`
are then linked against those objects with the Linux targets' link flags
(the target registry's link recipe).  Everything lands in a session temp dir.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RUNTIME = REPO / "runtime-c"
C_DIR = Path(__file__).resolve().parent / "c"
ZIG_CC = [sys.executable, "-m", "ziglang", "cc"]

# Extra strictness for the runtime itself in tests (not in the manifest: a
# future compiler's new warning must not break users' builds).
RUNTIME_TEST_CFLAGS = ["-Werror"]


# --------------------------------------------------------------- manifest


# The manifest reader is the product's own (backends/manifest.py), so the
# tests read runtime-c/sources.txt exactly as the compiler driver does.
from wasmaot.backends.manifest import Config, Manifest, parse_manifest  # noqa: E402,F401
from wasmaot.backends.targets import DEFAULT_TARGET, get_target  # noqa: E402

# Test programs are hosted Linux executables: linked as the default target
# links its executables (static).
LDFLAGS = list(get_target(DEFAULT_TARGET).link.ldflags)


# ------------------------------------------------------------------ zig


def zig(args: list[str], check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(ZIG_CC + args, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise RuntimeError(f"zig cc failed ({proc.returncode}): {' '.join(args)}\n{proc.stderr}")
    return proc


@dataclass
class RuntimeBuild:
    """Runtime objects of one configuration, plus how to build programs against them."""

    config: Config
    cflags: list[str]  # all + config + extra: also used for test programs
    include_flags: list[str]
    objects: list[Path]
    outdir: Path
    _exes: dict = field(default_factory=dict)

    def compile_program(self, source: Path, extra: list[str] = ()) -> Path:
        obj = self.outdir / (source.stem + "-" + _digest(extra) + ".o")
        # Test programs are ordinary hosted C even when the runtime under test
        # was built freestanding (host-baremetal): they play the embedder.
        cflags = [f for f in self.cflags if f != "-ffreestanding"]
        zig(["-target", self.config.target, *cflags, *self.include_flags, *extra,
             "-I", str(C_DIR), "-c", str(source), "-o", str(obj)])
        return obj

    def link(self, program: str, extra_cflags: list[str] = ()) -> Path:
        """Compile tests/runtime/c/<program>.c and link it with the runtime (cached)."""
        key = (program, tuple(extra_cflags))
        if key not in self._exes:
            obj = self.compile_program(C_DIR / f"{program}.c", list(extra_cflags))
            exe = self.outdir / f"{program}-{_digest(extra_cflags)}"
            zig(["-target", self.config.target, *LDFLAGS, str(obj),
                 *map(str, self.objects), "-o", str(exe)])
            self._exes[key] = exe
        return self._exes[key]


def _digest(parts) -> str:
    return hashlib.sha1("\0".join(parts).encode()).hexdigest()[:10]


class RuntimeBuilder:
    def __init__(self, manifest: Manifest, root: Path):
        self.manifest = manifest
        self.root = root
        self._builds: dict = {}

    def build(self, config: Config | str, extra_cflags: list[str] = (), werror: bool = True) -> RuntimeBuild:
        if isinstance(config, str):
            config = self.manifest.configs.get(config) or TEST_CONFIGS[config]
        key = (config.name, config.target, tuple(config.layers), tuple(config.cflags), tuple(extra_cflags))
        if key in self._builds:
            return self._builds[key]
        outdir = self.root / f"{config.name}-{_digest([config.target, *config.cflags, *extra_cflags])}"
        outdir.mkdir(parents=True, exist_ok=True)
        cflags = [*self.manifest.all_cflags, *config.cflags, *extra_cflags]
        incs = [f"-I{RUNTIME / d}" for d in self.manifest.includes]
        strict = RUNTIME_TEST_CFLAGS if werror else []
        jobs = []
        for src in self.manifest.sources(config):
            obj = outdir / (src.replace("/", "_").removesuffix(".c") + ".o")
            jobs.append((obj, ["-target", config.target, *cflags, *strict, *incs,
                               "-c", str(RUNTIME / src), "-o", str(obj)]))
        with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
            list(pool.map(lambda j: zig(j[1]), jobs))
        build = RuntimeBuild(config, cflags, incs, [obj for obj, _ in jobs], outdir)
        self._builds[key] = build
        return build


# ------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def manifest() -> Manifest:
    return parse_manifest(RUNTIME / "sources.txt")


@pytest.fixture(scope="session")
def builder(manifest, tmp_path_factory) -> RuntimeBuilder:
    return RuntimeBuilder(manifest, tmp_path_factory.mktemp("wasmaot-rt"))


# Test-only configurations, addressable by name like manifest configs.
TEST_CONFIGS = {
    # The bare-metal layers built freestanding for the host, so their logic
    # can run here; the test program plays the embedder (c/harness.h).
    "host-baremetal": Config(
        name="host-baremetal",
        target="x86_64-linux-musl",
        layers=["core", "baremetal", "canon"],
        cflags=["-ffreestanding", "-DWASMAOT_PLATFORM_BAREMETAL=1", "-DWASMAOT_BOUNDS_EXPLICIT=1"],
    ),
    # 32-bit hosted POSIX, runs natively on x86_64 Linux: exercises the
    # 32-bit layout (i386 aligns uint64_t to 4 in structs) and the 32-bit
    # EXPLICIT defaults (no up-front reservation, so grow moves memory).
    "x86-linux-musl": Config(
        name="x86-linux-musl",
        target="x86-linux-musl",
        layers=["core", "posix", "canon"],
        cflags=["-DWASMAOT_PLATFORM_POSIX=1", "-DWASMAOT_BOUNDS_EXPLICIT=1"],
    ),
}


def run(exe: Path, *args: str, stack_bytes: int | None = 8 << 20, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run a test program with a known RLIMIT_STACK (the stack window and the
    stack limit derive from it)."""

    def preexec():
        if stack_bytes is not None:
            import resource

            soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
            want = stack_bytes if hard == resource.RLIM_INFINITY else min(stack_bytes, hard)
            resource.setrlimit(resource.RLIMIT_STACK, (want, hard))

    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=timeout, preexec_fn=preexec)
