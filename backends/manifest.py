"""The build manifests of the C libraries: ``runtime-c/sources.txt`` and
``wasi-shim/sources.txt`` (format documented at the top of the former).

The one reader of both (the runtime and WASI tests use it too).  A manifest
says how to *compile* a configuration; which configuration a target links
for a bounds mode is the target's business (``Target.runtime_configs`` /
``shim_configs``), and so is the link recipe.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


def runtime_root() -> Path:
    """runtime-c/ (``wasmaot.runtime``), in editable and regular installs."""
    from ..runtime import root
    return root()


def wasi_root() -> Path:
    """wasi-shim/ (``wasmaot.wasi``), in editable and regular installs."""
    from ..wasi import root
    return root()


@dataclass
class Config:
    name: str
    target: str                # zig -target
    layers: list[str]
    cflags: list[str] = field(default_factory=list)


@dataclass
class Manifest:
    includes: list[str]
    layers: dict[str, list[str]]
    all_cflags: list[str]
    configs: dict[str, Config]
    path: str = ""             # where it was read from, for messages

    def sources(self, config: Config) -> list[str]:
        return [f for layer in config.layers for f in self.layers[layer]]

    def config(self, name: str) -> Config:
        """Config ``name``; a missing one is a packaging bug (a target
        naming a config its manifest lacks), said in one line."""
        try:
            return self.configs[name]
        except KeyError:
            raise ValueError(f"{self.path or 'manifest'}: no config {name!r}") from None


def parse_manifest(path: Path | str) -> Manifest:
    """Parse a sources.txt (format documented at the top of runtime-c/sources.txt)."""
    includes: list[str] = []
    layers: dict[str, list[str]] = {}
    cflags: dict[str, list[str]] = {}
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
        else:
            raise ValueError(f"{path}:{lineno}: unknown keyword {key!r}")
    for name, cfg in configs.items():
        cfg.cflags = cflags.get(name, [])
        for layer in cfg.layers:
            if layer not in layers:
                raise ValueError(f"config {name}: unknown layer {layer!r}")
    unknown = set(cflags) - {"all"} - set(configs)
    if unknown:
        raise ValueError(f"flags for unknown configs: {sorted(unknown)}")
    return Manifest(includes, layers, cflags.get("all", []), configs, str(path))


def include_dir(root: Path, d: str) -> Path:
    """A manifest include path; ``../runtime-c/...`` names the runtime's
    folder, which an installed package calls ``runtime``."""
    if d.startswith("../runtime-c/"):
        return runtime_root() / d[len("../runtime-c/"):]
    return root / d
