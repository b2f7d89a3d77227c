"""Python and JavaScript *command components* (issue 14), compiled by wasmaot
and compared with `wasmtime run` of the same component: stdout, stderr and
exit status for a few argument, environment, stdin and ending cases.

The components are built here from the sources in ``polyglot/`` and the
world ``polyglot/world.wit`` (all of wasi:cli/command 0.2.12, whose WIT
packages are copied from jco's npm package, the one the C component tests
install):

* Python: ``componentize-py`` (PyPI, the test extras) bundles CPython (14
  core modules sharing one memory and one table, about 18 MB);
* JavaScript: ``componentize-js`` (npm, a dependency of jco, so installed
  with it) bundles StarlingMonkey (about 15 MB), built with its wasi:http
  and fetch-event features off (``-d http fetch-event``): the world has no
  wasi:http, and wasmtime run does not serve it by default either.

The cross-language *compositions* (``polyglot/text.wit``, an interface of
our own: strings, a list of records of lists, a variant and a result): a C
command (``polyglot/c/consumer.c``, hand-written canonical ABI bindings,
through jco's preview1 adapter) composed by ``wasm-tools compose`` with a
JavaScript, a Python or a C provider of that interface, and a Python
command composed with the C provider.  The providers answer alike, so every
composition prints the same; the all-C one builds and compiles in seconds
and runs in the fast tier.

Builds go to the compiler's cache (never the repository), keyed by the
sources and the tool's version; the native executables are compiled once
per session.  Building and compiling take minutes, so the suite is slow:
skipped unless ``WASMAOT_SLOW=1`` (README, "Slow suites")::

    WASMAOT_SLOW=1 python -m pytest -q tests/wasi/test_component_polyglot.py

The grants (``--env``, ``--dir``) reach the executable at run time through
``WASMAOT_WASI_OPTIONS``, so one executable serves every case.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from wasmaot.cache import cache_dir
from wasmaot.frontend.component import component_binary, load_component

from .conftest import ZIG_CC, RunResult, build_wasm
from .test_component_programs import (
    _before_trap_report,
    command_adapter,
    make_component,
    run_wasmtime_cli,
    wasm_tools,
)

HERE = Path(__file__).resolve().parent
POLYGLOT = HERE / "polyglot"
WORLD = POLYGLOT / "world.wit"
TEXT_WIT = POLYGLOT / "text.wit"  # the compositions' interface and worlds
WASI_VERSION = "0.2.12"          # the version polyglot/world.wit includes
WASI_PACKAGES = ("cli", "clocks", "filesystem", "io", "random", "sockets")
#: -O1: the Python component (18.4 MB, 14 core modules) took 410 s of CPU at
#: -O1 -j 2 (most of it LLVM, 203 partitions) for a 21.6 MB executable.
OPT = "-O1"

slow = pytest.mark.skipif(os.environ.get("WASMAOT_SLOW") != "1",
                          reason="slow polyglot components (minutes of building and compiling): "
                                 "set WASMAOT_SLOW=1 (README, slow suites)")


# ------------------------------------------------------------------ fast

def test_instance_exported_types_are_named_by_the_import():
    """The wasi:sockets shape of componentize-py's output is valid: udp's
    `ip-socket-address` re-exports network's variant, whose records no
    alias names (wasm-tools accepts it; before, 'instance not valid to be
    used as import')."""
    src = POLYGLOT / "sockets_types.wat"
    scope = load_component(component_binary(src.read_bytes(), str(src)), str(src))
    assert [name for name, _ in scope.imports] == ["wasi:sockets/network@0.2.12", "wasi:sockets/udp@0.2.12"]


# ----------------------------------------------------------------- builds

def _digest(paths: list[Path], *extra: str) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    for e in extra:
        h.update(e.encode() + b"\0")
    return h.hexdigest()[:20]


def _jco_root() -> Path:
    """jco's package folder (installed by the C component tests' helper)."""
    adapter = command_adapter()
    return adapter.parent.parent


def _wit_dir(dest: Path, world: Path) -> Path:
    """``world`` (one WIT package) plus deps/ copied from jco's bundled
    WASI WIT (copies, not links: componentize-js reads WIT through a
    sandbox that does not follow links out of it)."""
    src = _jco_root() / "lib" / "wit" / "builtin" / WASI_VERSION
    if not src.is_dir():
        raise AssertionError(f"jco ships no WASI {WASI_VERSION} WIT at {src}")
    wit = dest / "wit"
    for pkg in WASI_PACKAGES:
        shutil.copytree(src / f"wasi-{pkg}", wit / "deps" / pkg)
    shutil.copy(world, wit / world.name)
    return wit


def _run_tool(cmd: list[str], what: str, cwd: Path) -> str:
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=1800, check=False)
    if r.returncode != 0:
        raise AssertionError(f"{what} failed ({r.returncode}):\n{r.stdout[-2000:]}\n{r.stderr[-4000:]}")
    return r.stdout


def _cached_build(lang: str, sources: list[Path], version: str, build) -> Path:
    """The component built by ``build(workdir) -> Path`` once per sources
    and tool version, kept in the cache; built in a temporary folder and
    renamed, so an interrupted build leaves nothing half-written."""
    out = cache_dir() / "polyglot" / f"{lang}-{_digest(sources, version)}.wasm"
    if out.is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as td:
        built = build(Path(td))
        os.replace(built, out)
    return out


def build_python(lang: str = "py", app: str = "hello", src: Path = POLYGLOT / "py",
                 world: tuple[Path, str] = (WORLD, "app")) -> Path:
    """The componentize-py build of module ``app`` in folder ``src`` for
    ``world`` (WIT file, world name)."""
    exe = shutil.which("componentize-py") or str(Path(sys.executable).parent / "componentize-py")
    if not Path(exe).exists():
        pytest.fail("componentize-py is not installed (pip install -e '.[test]')")
    version = _run_tool([exe, "--version"], "componentize-py --version", POLYGLOT).strip()
    sources = [world[0], *sorted(src.glob("*.py"))]

    def build(work: Path) -> Path:
        wit = _wit_dir(work, world[0])
        _run_tool([exe, "-q", "-d", str(wit), "-w", world[1], "componentize", "-p", str(src),
                   app, "-o", str(work / "py.wasm")], "componentize-py", work)
        return work / "py.wasm"
    return _cached_build(lang, sources, version, build)


def build_js(lang: str = "js", script: Path = POLYGLOT / "hello.js",
             world: tuple[Path, str] = (WORLD, "app")) -> Path:
    """The componentize-js build of ``script`` for ``world``."""
    exe = _jco_root().parent.parent / ".bin" / "componentize-js"
    if not exe.exists():
        pytest.fail(f"componentize-js is not installed beside jco ({exe})")
    version = _run_tool([str(exe), "--version"], "componentize-js --version", POLYGLOT).strip()
    sources = [world[0], script]

    def build(work: Path) -> Path:
        wit = _wit_dir(work, world[0])
        shutil.copy(script, work / script.name)
        _run_tool([str(exe), "--wit", str(wit), "-n", world[1], "-d", "http", "fetch-event",
                   "-o", "js.wasm", script.name], "componentize-js", work)
        return work / "js.wasm"
    return _cached_build(lang, sources, version, build)


def build_c(lang: str, src: Path, world: str) -> Path:
    """A C component of ``TEXT_WIT``'s ``world`` with hand-written
    canonical ABI bindings (polyglot/c/text_abi.h): zig, then `wasm-tools
    component embed` and `component new`.  The consumer is a command
    (preview1 adapter), the provider a reactor that imports nothing."""
    sources = [TEXT_WIT, src, POLYGLOT / "c" / "text_abi.h"]
    version = _run_tool([wasm_tools(), "--version"], "wasm-tools --version", POLYGLOT) + \
        _run_tool([*ZIG_CC[:-1], "version"], "zig version", POLYGLOT)
    command = world == "consumer"

    def build(work: Path) -> Path:
        wit = _wit_dir(work, TEXT_WIT)
        core = build_wasm(src, work / "core.wasm", [] if command else ["-mexec-model=reactor"])
        _run_tool([wasm_tools(), "component", "embed", str(wit), "--world", world, str(core),
                   "-o", str(work / "embedded.wasm")], "wasm-tools component embed", work)
        if command:
            return make_component(work / "embedded.wasm", work / "c.wasm", command_adapter())
        _run_tool([wasm_tools(), "component", "new", str(work / "embedded.wasm"), "-o", str(work / "c.wasm")],
                  "wasm-tools component new", work)
        return work / "c.wasm"
    return _cached_build(lang, sources, version, build)


def compose(lang: str, consumer: Path, provider: Path) -> Path:
    """`wasm-tools compose consumer -d provider`: the provider's exports
    satisfy the consumer's imports of the same name.  The dependency is
    named after its file's stem, which must be kebab-case: it is copied to
    provider.wasm first."""
    version = _run_tool([wasm_tools(), "--version"], "wasm-tools --version", POLYGLOT)

    def build(work: Path) -> Path:
        shutil.copy(provider, work / "provider.wasm")
        _run_tool([wasm_tools(), "compose", str(consumer), "-d", str(work / "provider.wasm"),
                   "-o", str(work / "composed.wasm")], "wasm-tools compose", work)
        return work / "composed.wasm"
    return _cached_build(lang, [consumer, provider], version, build)


#: The sides of the compositions, by name (each built once, then cached).
SIDES = {
    "c-consumer": lambda: build_c("c-consumer", POLYGLOT / "c" / "consumer.c", "consumer"),
    "c-provider": lambda: build_c("c-provider", POLYGLOT / "c" / "provider.c", "provider"),
    "js-provider": lambda: build_js("js-provider", POLYGLOT / "provider.js", (TEXT_WIT, "provider")),
    "py-provider": lambda: build_python("py-provider", "provider", POLYGLOT / "py_provider",
                                        (TEXT_WIT, "provider")),
    "py-consumer": lambda: build_python("py-consumer", "consumer", POLYGLOT / "py_consumer",
                                        (TEXT_WIT, "command-consumer")),
}
#: composition -> (consumer, provider): a command of one language whose
#: `example:poly/text` import another language's component exports.
COMPOSITIONS = {
    "c-c": ("c-consumer", "c-provider"),
    "c-js": ("c-consumer", "js-provider"),
    "c-py": ("c-consumer", "py-provider"),
    "py-c": ("py-consumer", "c-provider"),
}


def build_composition(name: str) -> Path:
    consumer, provider = COMPOSITIONS[name]
    return compose(name, SIDES[consumer](), SIDES[provider]())


BUILDERS = {"py": build_python, "js": build_js,
            **{name: (lambda name=name: build_composition(name)) for name in COMPOSITIONS}}


@pytest.fixture(scope="session")
def polyglot(tmp_path_factory):
    """lang -> (component, native executable), each built on first use."""
    out = tmp_path_factory.mktemp("polyglot")
    made: dict[str, tuple[Path, Path]] = {}

    def get(lang: str) -> tuple[Path, Path]:
        if lang not in made:
            comp = BUILDERS[lang]()
            exe = out / lang
            t0 = time.monotonic()
            r = subprocess.run(["nice", "-n", "19", sys.executable, "-m", "wasmaot", "compile", str(comp),
                                "-o", str(exe), OPT, "-j", "2"],
                               capture_output=True, text=True, timeout=3600, check=False)
            if r.returncode != 0:
                raise AssertionError(f"wasmaot compile {comp.name} failed:\n{r.stderr[-4000:]}")
            made[lang] = (comp, exe)
            sys.stderr.write(f"\n{lang}: {comp.stat().st_size} B component, {exe.stat().st_size} B "
                             f"executable, compiled in {time.monotonic() - t0:.0f} s\n")
        return made[lang]
    return get


# ------------------------------------------------------------------ cases

#: name -> (arguments, environment grants, stdin, /data preopened).  The
#: first argument picks the program's ending (polyglot/py/hello.py, hello.js).
CASES = {
    "plain": ([], [], b"", False),
    "args_env_stdin": (["a b", "\u00fc\u00df", "--flag"], [("K", "V"), ("EMPTY", "")],
                       b"line one\nline two\n", False),
    "compute": (["compute"], [], b"", False),
}
PY_CASES = {
    "exit": (["exit", "3"], [], b"", False),
    "raise": (["raise"], [], b"", False),
    "write": (["write"], [], b"", True),
}
JS_CASES = {
    "fail": (["fail"], [], b"", False),
    "throw": (["throw"], [], b"", False),
}
ALL = [("py", c) for c in sorted({**CASES, **PY_CASES})] + [("js", c) for c in sorted({**CASES, **JS_CASES})]


def run_native_with(exe: Path, args: list[str], env, data: Path | None, stdin: bytes) -> RunResult:
    """``./exe -- ARGS`` with the grants in WASMAOT_WASI_OPTIONS (env values
    must not hold spaces: the variable splits on them)."""
    opts = [f"--env {k}={v}" for k, v in env]
    if data is not None:
        opts.append(f"--dir {data}::/data")
    proc = subprocess.run([str(exe), "--", *args], input=stdin, capture_output=True, timeout=300,
                          env={"PATH": os.environ.get("PATH", ""), "WASMAOT_WASI_OPTIONS": " ".join(opts)},
                          check=False)
    return RunResult(proc.returncode, proc.stdout, proc.stderr)


@slow
@pytest.mark.parametrize("lang,case", ALL, ids=[f"{lang}-{c}" for lang, c in ALL])
def test_polyglot_matches_wasmtime(polyglot, tmp_path, lang, case):
    """Same stdout, stderr and exit status as `wasmtime run` of the same
    component, and the same file written into the preopen.  Python's
    sys.exit(3) ends run with exit(err): status 1 under both; an uncaught
    exception traps (134) after the traceback."""
    comp, exe = polyglot(lang)
    args, env, stdin, with_data = {**CASES, **PY_CASES, **JS_CASES}[case]
    ref_dir, got_dir = tmp_path / "ref", tmp_path / "got"
    ref_dir.mkdir()
    got_dir.mkdir()
    dirs = [(str(ref_dir), "/data")] if with_data else []
    ref = run_wasmtime_cli(comp, args, dirs=dirs, env=env, stdin=stdin)
    got = run_native_with(exe, args, env, got_dir if with_data else None, stdin)
    assert (got.status, got.stdout.decode(errors="replace")) == (ref.status, ref.stdout.decode(errors="replace")), \
        got.stderr.decode(errors="replace")[-2000:]
    if ref.status == 134:
        # An uncaught Python exception: the traceback and componentize-py's
        # panic message, then a trap; the runners' reports of it differ in form.
        assert _before_trap_report(got.stderr) == _before_trap_report(ref.stderr)
        assert b"wasm trap: " in got.stderr
    else:
        assert got.stderr == ref.stderr
    assert {p.name: p.read_bytes() for p in got_dir.iterdir()} == {p.name: p.read_bytes() for p in ref_dir.iterdir()}
    assert ref.stdout, "the program printed nothing under wasmtime"


# ------------------------------------------------------------ compositions

#: The consumers' first argument picks the items they render
#: (c/consumer.c, py_consumer/consumer.py); the others are split into words.
MODES = ("default", "empty", "bad", "many", "bulk")
WORDS = ["a  b", "\u00fc \u00df"]
#: What every composition prints for "default", whatever its languages.
DEFAULT_STDOUT = ("render ok: list \u2713: applex3[red,s\u00fc\u00df]; gr\u00fc\u00dfex1; "
                  "\u65e5\u672cx12[\u20acuro] (total 16, 3 items)\n"
                  "4 words: [a] [b] [\u00fc] [\u00df]\n").encode()
SLOW_COMPOSITIONS = [c for c in COMPOSITIONS if c != "c-c"]


def _composition_matches_wasmtime(polyglot, name: str, mode: str) -> RunResult:
    """Same stdout, stderr and exit status as `wasmtime run` of the same
    composed component; render's err cases end with exit(err), status 1."""
    comp, exe = polyglot(name)
    args = [mode, *WORDS]
    ref = run_wasmtime_cli(comp, args)
    got = run_native_with(exe, args, [], None, b"")
    assert (got.status, got.stdout, got.stderr) == (ref.status, ref.stdout, ref.stderr)
    assert ref.status == (0 if mode in ("default", "bulk") else 1), ref.stderr.decode(errors="replace")[-2000:]
    if mode == "default":
        assert ref.stdout == DEFAULT_STDOUT
    return ref


@pytest.mark.parametrize("mode", MODES)
def test_c_composition_matches_wasmtime(polyglot, mode):
    """Two C components (hand-written bindings, seconds to build and
    compile), composed: the fast check of what the polyglot compositions
    below do across languages."""
    _composition_matches_wasmtime(polyglot, "c-c", mode)


@slow
@pytest.mark.parametrize("name,mode", [(c, m) for c in SLOW_COMPOSITIONS for m in MODES],
                         ids=[f"{c}-{m}" for c in SLOW_COMPOSITIONS for m in MODES])
def test_composition_matches_wasmtime(polyglot, name, mode):
    """A command of one language composed with a provider of another
    (C with JavaScript, C with Python, Python with C): as wasmtime, and
    the same output as the all-C composition, since the providers agree."""
    ref = _composition_matches_wasmtime(polyglot, name, mode)
    c_only = run_wasmtime_cli(build_composition("c-c"), [mode, *WORDS])
    assert (ref.status, ref.stdout, ref.stderr) == (c_only.status, c_only.stdout, c_only.stderr)

if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
