"""WASI 0.2 root imports of compiled components, without npm: hand-written
core modules wrapped by `wasm-tools component embed` + `component new`
against a small WIT of the WASI interfaces they use, at several 0.2.x
versions, each run as an executable and compared with `wasmtime run`; and
what the compiler refuses (one line).  The programs built through the
preview1 adapter are in test_component_programs.py."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from .differential import run_native
from .test_component_programs import run_wasmtime_cli, wasm_tools

REPO = Path(__file__).resolve().parents[2]

WIT = """package local:app;

package wasi:io@{v} {{
  interface error {{ resource error; }}
  interface streams {{
    use error.{{error}};
    resource output-stream {{
      blocking-write-and-flush: func(contents: list<u8>) -> result<_, stream-error>;
    }}
    variant stream-error {{ last-operation-failed(error), closed }}
  }}
}}

package wasi:cli@{v} {{
  interface stdout {{ use wasi:io/streams@{v}.{{output-stream}}; get-stdout: func() -> output-stream; }}
  interface environment {{ get-arguments: func() -> list<string>; }}
  interface exit {{ exit: func(status: result); }}
  interface run {{ run: func() -> result; }}
}}

world app {{
  import wasi:cli/stdout@{v};
  import wasi:cli/environment@{v};
  import wasi:cli/exit@{v};
  import wasi:io/error@{v};{extra}
  export wasi:cli/run@{v};
}}

interface extra {{ f: func(); }}
"""

#: run: prints "hello <argv[1]>\n" (or "hello\n"); with 2 arguments
#: returns err (status 1), with 3 calls exit(ok) (status 0) before
#: printing a last line it must never reach.
CORE = """(module
  (import "wasi:cli/stdout@{v}" "get-stdout" (func $stdout (result i32)))
  (import "wasi:io/streams@{v}" "[method]output-stream.blocking-write-and-flush"
    (func $write (param i32 i32 i32 i32)))
  (import "wasi:io/streams@{v}" "[resource-drop]output-stream" (func $drop (param i32)))
  (import "wasi:cli/environment@{v}" "get-arguments" (func $args (param i32)))
  (import "wasi:cli/exit@{v}" "exit" (func $exit (param i32))){extra}
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  (data (i32.const 16) "hello \\0a")
  (data (i32.const 32) "unreachable\\0a")
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
                           (i32.sub (i32.const 0) (local.get 2))))
    (global.set $heap (i32.add (local.get $p) (local.get 3)))
    (local.get $p))
  (func (export "wasi:cli/run@{v}#run") (result i32)
    (local $s i32) (local $argc i32)
    (call $args (i32.const 100))
    (local.set $argc (i32.load (i32.const 104)))
    (local.set $s (call $stdout))
    (if (i32.gt_u (local.get $argc) (i32.const 1))
      (then
        (call $write (local.get $s) (i32.const 16) (i32.const 6) (i32.const 200))
        (call $write (local.get $s) (i32.load offset=8 (i32.load (i32.const 100)))
                     (i32.load offset=12 (i32.load (i32.const 100))) (i32.const 200))))
    (call $write (local.get $s) (i32.const 22) (i32.const 1) (i32.const 200))
    (if (i32.gt_u (local.get $argc) (i32.const 3))
      (then (call $exit (i32.const 0))
            (call $write (local.get $s) (i32.const 32) (i32.const 12) (i32.const 200))))
    (call $drop (local.get $s))
    (i32.eq (local.get $argc) (i32.const 3))))
"""


def build_component(d: Path, version: str, extra: bool = False) -> Path:
    """The component at WASI ``version``; ``extra``: it also imports
    ``local:app/extra``, an interface no host provides."""
    (d / "app.wit").write_text(WIT.format(v=version, extra="\n  import extra;" if extra else ""))
    core_extra = '\n  (import "local:app/extra" "f" (func))' if extra else ""
    (d / "core.wat").write_text(CORE.format(v=version, extra=core_extra))
    wt = wasm_tools()
    for args in (["component", "embed", str(d / "app.wit"), str(d / "core.wat"), "-w", "app",
                  "-o", str(d / "emb.wasm")],
                 ["component", "new", str(d / "emb.wasm"), "-o", str(d / "app.wasm")]):
        r = subprocess.run([wt, *args], capture_output=True, text=True, check=False)
        assert r.returncode == 0, r.stderr
    return d / "app.wasm"


def compile_component(comp: Path, exe: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wasmaot", "compile", str(comp), "-o", str(exe)],
                          capture_output=True, text=True, check=False, timeout=900)


@pytest.mark.parametrize("version", ["0.2.0", "0.2.3", "0.2.12"])
def test_every_0_2_version_links_and_matches_wasmtime(tmp_path, version):
    """Imports match by interface and function whatever the 0.2 patch
    version; run's ok/err and exit(ok) give wasmtime's statuses."""
    comp = build_component(tmp_path, version)
    exe = tmp_path / "app"
    r = compile_component(comp, exe)
    assert r.returncode == 0, r.stderr
    for args in ([], ["wörld"], ["a", "b"], ["a", "b", "c"]):
        ref = run_wasmtime_cli(comp, args)
        got = run_native(exe, args)
        assert (got.status, got.stdout, got.stderr) == (ref.status, ref.stdout, ref.stderr), args
        assert got.status == (1 if len(args) == 2 else 0)
    assert got.stdout == b"hello a\n"          # exit(ok) ended the run before its last write


def test_non_wasi_import_is_refused_in_one_line(tmp_path):
    """Only WASI 0.2 interfaces have a host; anything else names itself."""
    comp = build_component(tmp_path, "0.2.3", extra=True)
    r = compile_component(comp, tmp_path / "app")
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert "component import 'local:app/extra' is not supported" in r.stderr


def test_other_major_version_is_refused(tmp_path):
    from wasmaot.backends.component import wasi
    assert wasi.interface_of("wasi:io/streams@0.2.12") == "wasi:io/streams"
    assert wasi.interface_of("wasi:io/streams@0.2.0-rc-2023-11-10") == "wasi:io/streams"
    assert wasi.interface_of("wasi:io/streams@0.3.0") is None
    assert wasi.interface_of("local:io/streams@0.2.0") is None
    assert wasi.host_index("wasi:io/streams@0.2.7", "[method]output-stream.write") is not None
    assert wasi.host_index("wasi:io/streams@0.2.7", "[method]output-stream.nope") is None


def test_function_list_matches_the_c_table():
    """p2_funcs.def is the one list: every row's implementation is defined
    in p2_component.c, p2_sockets.c or ../http/p2_http.c, every host
    function there is a row, and the compiler's indices are the rows'
    positions."""
    from wasmaot.backends.component import wasi
    shim = REPO / "wasi-shim" / "component"
    row = re.compile(r'^P2\("([^"]+)", "([^"]+)", (\w+)\)', re.MULTILINE)
    rows = row.findall((shim / "p2_funcs.def").read_text())
    host = re.compile(r"^HOST\((\w+)\)", re.MULTILINE)
    defined = {f for c in ("p2_component.c", "p2_sockets.c", "../http/p2_http.c")
               for f in host.findall((shim / c).read_text())}
    assert {impl for _, _, impl in rows} == defined
    assert len({(i, f) for i, f, _ in rows}) == len(rows)
    assert wasi.host_functions() == {(i, f): k for k, (i, f, _) in enumerate(rows)}


def test_exit_with_code_gives_wasmtimes_status(tmp_path):
    """exit-with-code(42) ends the run with 42 under both (wasmtime 49 links
    it without -S cli-exit-with-code too)."""
    (tmp_path / "app.wit").write_text(
        "package local:app;\npackage wasi:cli@0.2.6 {\n"
        "  interface exit { exit-with-code: func(status-code: u8); }\n"
        "  interface run { run: func() -> result; }\n}\n"
        "world app { import wasi:cli/exit@0.2.6; export wasi:cli/run@0.2.6; }\n")
    (tmp_path / "core.wat").write_text(
        '(module (import "wasi:cli/exit@0.2.6" "exit-with-code" (func $exit (param i32)))\n'
        '  (memory (export "memory") 1)\n'
        '  (func (export "wasi:cli/run@0.2.6#run") (result i32) (call $exit (i32.const 42)) (i32.const 0)))\n')
    for args in (["component", "embed", str(tmp_path / "app.wit"), str(tmp_path / "core.wat"), "-w", "app",
                  "-o", str(tmp_path / "emb.wasm")],
                 ["component", "new", str(tmp_path / "emb.wasm"), "-o", str(tmp_path / "app.wasm")]):
        r = subprocess.run([wasm_tools(), *args], capture_output=True, text=True, check=False)
        assert r.returncode == 0, r.stderr
    r = compile_component(tmp_path / "app.wasm", tmp_path / "app")
    assert r.returncode == 0, r.stderr
    ref, got = run_wasmtime_cli(tmp_path / "app.wasm", []), run_native(tmp_path / "app", [])
    assert (got.status, got.stdout, got.stderr) == (ref.status, ref.stdout, ref.stderr) == (42, b"", b"")
