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
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field

#: Target-family subpackages, each with a ``target.py`` exporting ``TARGETS``.
FAMILIES = ("x86_64",)


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

    def __post_init__(self) -> None:
        assert self.triple.count("-") == 3, f"{self.name}: use a full 4-part triple"
        assert self.default_bounds in self.bounds_modes
        assert self.pointer_bytes in (4, 8)

    def runtime_config(self, bounds: str) -> str:
        try:
            return self.runtime_configs[bounds]
        except KeyError:
            raise ValueError(f"target {self.name} has no runtime configuration for "
                             f"bounds mode {bounds!r} (supported: {', '.join(self.bounds_modes)})") from None


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
