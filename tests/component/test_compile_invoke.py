"""`wasmaot compile comp.wasm -o app && ./app --invoke 'f(...)'` and
`wasmaot run comp.wasm --invoke ...`: the command-line paths of compiled
components, their errors, and the thin end-to-end cases against wasmtime."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .compile.gen import run
from .util import build
from .wave import differential as wd

HERE = Path(__file__).parent / "compile"
ADD_GREET = r"""
(component
  (core module $m
    (memory (export "mem") 1)
    (global $next (mut i32) (i32.const 1024))
    (func $realloc (export "realloc") (param i32 i32 i32 i32) (result i32) (local $p i32)
      global.get $next local.get 2 i32.add i32.const 1 i32.sub
      i32.const 0 local.get 2 i32.sub i32.and local.tee $p
      local.get 3 i32.add global.set $next
      local.get $p local.get 0 local.get 1 memory.copy local.get $p)
    (data (i32.const 0) "hello ")
    (global $posts (mut i32) (i32.const 0))
    (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
    ;; "hello " ++ s, through a (ptr, len) pair at 16
    (func (export "greet") (param $p i32) (param $n i32) (result i32) (local $d i32)
      i32.const 0 i32.const 0 i32.const 1 local.get $n i32.const 6 i32.add call $realloc local.set $d
      local.get $d i32.const 0 i32.const 6 memory.copy
      local.get $d i32.const 6 i32.add local.get $p local.get $n memory.copy
      i32.const 16 local.get $d i32.store
      i32.const 20 local.get $n i32.const 6 i32.add i32.store
      i32.const 16)
    ;; post-return gets the core result; it traps on a wrong one
    (func (export "post-greet") (param i32) local.get 0 i32.const 16 i32.ne if unreachable end)
    (func (export "sum") (param $p i32) (param $n i32) (result i64) (local $s i64)
      block loop local.get $n i32.eqz br_if 1
        local.get $s local.get $p i64.load32_u i64.add local.set $s
        local.get $p i32.const 4 i32.add local.set $p
        local.get $n i32.const 1 i32.sub local.set $n br 0 end end
      local.get $s)
  )
  (core instance $i (instantiate $m))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "add")))
  (func (export "greet") (param "s" string) (result string)
    (canon lift (core func $i "greet") (memory (core memory $i "mem"))
      (realloc (core func $i "realloc")) (post-return (core func $i "post-greet"))))
  (func $sum (param "xs" (list u32)) (result u64)
    (canon lift (core func $i "sum") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
  (instance $api (export "sum" (func $sum)))
  (export "demo:rich/api" (instance $api))
)
"""

CALLS = ['add(1, 2)', 'add(4294967295, 1)', 'greet("hi")', 'greet("")', 'greet("ünï\\n")',
         'demo:rich/api.sum([1, 2, 3])', 'demo:rich/api.sum([])']


def wasmaot(*args, cwd):
    return subprocess.run([sys.executable, "-m", "wasmaot", *args], cwd=cwd, check=False,
                          capture_output=True, text=True)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    d = tmp_path_factory.mktemp("app")
    (d / "c.wat").write_text(ADD_GREET)
    r = wasmaot("compile", "c.wat", "-o", "app", cwd=d)      # our text parser, not wasm-tools
    assert r.returncode == 0, r.stderr
    return d


def test_thin_path_matches_wasmtime(app, tmp_path):
    """add, greet (realloc, post-return) and an interface function, named
    as wasmtime names them."""
    wasmtime, _ = wd.tools_or_skip()
    (tmp_path / "c.wasm").write_bytes(build(ADD_GREET))
    for call in CALLS:
        ours = run([str(app / "app"), "--invoke", call])
        theirs = run([wasmtime, "run", "--invoke", call, str(tmp_path / "c.wasm")])
        assert ours[:2] == theirs[:2] and ours[0] == 0, (call, ours, theirs)
    assert run([str(app / "app"), "--invoke", "add(1, 2)"])[1] == "3\n"
    assert run([str(app / "app"), "--invoke", 'greet("hi")'])[1] == '"hello hi"\n'


def test_run_invokes_a_component(app):
    r = wasmaot("run", "c.wat", "--invoke", "demo:rich/api.sum([1, 2, 3])", cwd=app)
    assert (r.returncode, r.stdout) == (0, "6\n"), r.stderr
    r = wasmaot("run", "--invoke", "add(1, 2)", "c.wat", cwd=app)
    assert (r.returncode, r.stdout) == (0, "3\n"), r.stderr


def test_compile_time_default_call(app):
    r = wasmaot("compile", "c.wat", "-o", "dflt", "--invoke", "add(20, 22)", cwd=app)
    assert r.returncode == 0, r.stderr
    assert run([str(app / "dflt")])[:2] == (0, "42\n")
    r = wasmaot("compile", "c.wat", "-o", "bad", "--invoke", "nope(1)", cwd=app)
    assert r.returncode == 2 and "no exported function" in r.stderr and "add" in r.stderr


@pytest.mark.parametrize("call, fragment", [
    ("add(1)", "missing arguments"),
    ("add(1, x)", "expected an integer (u32)"),
    ("add(1, 2, 3)", "more arguments"),
    ("add(-1, 2)", "out of range"),
    ('greet("open)', "unterminated string"),
    ("nope()", "no exported function named 'nope'"),
    ("add(1, 2) x", "after the value"),
])
def test_bad_calls_are_one_line_exit_2(app, call, fragment):
    code, out, err = run([str(app / "app"), "--invoke", call])
    assert (code, out) == (2, ""), err
    assert fragment in err and len(err.splitlines()) == 1 and "column" in err


def test_without_invoke_and_with_extra_arguments(app):
    code, out, err = run([str(app / "app")])
    assert (code, out) == (2, "") and "wasi:cli/run" in err and len(err.splitlines()) == 1
    code, out, err = run([str(app / "app"), "--invoke", "add(1, 2)", "3"])
    assert (code, out) == (2, "") and "one argument" in err


def test_post_return_runs_and_its_trap_is_a_trap(tmp_path):
    """post-return receives the core result: a wrong one traps (134)."""
    text = ADD_GREET.replace("i32.const 16 i32.ne if", "i32.const 16 i32.eq if")
    (tmp_path / "c.wat").write_text(text)
    assert wasmaot("compile", "c.wat", "-o", "app", cwd=tmp_path).returncode == 0
    code, out, err = run([str(tmp_path / "app"), "--invoke", 'greet("x")'])
    assert code == 134 and out == "" and err.startswith("wasm trap: unreachable")


def test_imports_are_refused_naming_the_import(tmp_path):
    (tmp_path / "c.wat").write_text("""(component
      (import "host-log" (func $log (param "m" u32)))
      (core module $m (func (export "f") (result i32) i32.const 1))
      (core instance $i (instantiate $m))
      (func (export "f") (result u32) (canon lift (core func $i "f"))))""")
    r = wasmaot("compile", "c.wat", "-o", "app", cwd=tmp_path)
    assert r.returncode == 1 and "'host-log'" in r.stderr and "not supported" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and not (tmp_path / "app").exists()


def test_call_names_as_wasmtime_takes_them(tmp_path):
    """test_wave.py's call texts on a component with a top-level function
    and an interface instance: run or refused as wasmtime does."""
    from .test_wave import NAME_CALLS
    tools = wd.tools_or_skip()
    text = wd.fixture("names.wat")
    (tmp_path / "n.wat").write_text(text)
    assert wasmaot("compile", "n.wat", "-o", "app", cwd=tmp_path).returncode == 0
    theirs = wd.run_calls(tools, tmp_path, text, NAME_CALLS)
    for call, (ok, out) in zip(NAME_CALLS, theirs):
        code, stdout, _ = run([str(tmp_path / "app"), "--invoke", call])
        assert (code == 0, stdout.strip()) == (ok, out), call
        assert code in (0, 2), call


@pytest.mark.parametrize("call", ["twice(21)", 'greet2("x")', 'greet2("ünï☃")', "loop(1000)"])
def test_composed_components_run_as_one_executable(tmp_path, call):
    """compile/composed.wat: a consumer component whose imports another
    component instance supplies (an adapter per import)."""
    wasmtime, _ = wd.tools_or_skip()
    src = HERE / "composed.wat"
    (tmp_path / "c.wasm").write_bytes(build(src.read_text()))
    assert wasmaot("compile", str(src), "-o", "app", cwd=tmp_path).returncode == 0
    ours = run([str(tmp_path / "app"), "--invoke", call])
    theirs = run([wasmtime, "run", "--invoke", call, str(tmp_path / "c.wasm")])
    assert ours[:2] == theirs[:2] and ours[0] == 0, (ours, theirs)


def test_a_bad_value_crossing_an_adapter_is_a_trap(tmp_path):
    """The provider returns a bad char to the consumer: the adapter traps,
    as wasmtime's (Wasm) adapters do, with its message."""
    text = (HERE / "composed.wat").read_text().replace(
        "(func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)",
        "(func (export \"add\") (param i32 i32) (result i32) i32.const 0xD800)").replace(
        '(func (export "add") (param "a" u32) (param "b" u32) (result u32)',
        '(func (export "add") (param "a" u32) (param "b" u32) (result char)').replace(
        '(import "add" (func $add (param "a" u32) (param "b" u32) (result u32)))',
        '(import "add" (func $add (param "a" u32) (param "b" u32) (result char)))')
    assert "0xD800" in text
    (tmp_path / "c.wat").write_text(text)
    r = wasmaot("compile", "c.wat", "-o", "app", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    code, out, err = run([str(tmp_path / "app"), "--invoke", "twice(1)"])
    wasmtime, _ = wd.tools_or_skip()
    (tmp_path / "c.wasm").write_bytes(build(text))
    theirs = run([wasmtime, "run", "--invoke", "twice(1)", str(tmp_path / "c.wasm")])
    assert theirs[0] == 134 and "wasm trap: invalid `char` bit pattern" in theirs[2]
    assert (code, out, err) == (134, "", "wasm trap: invalid `char` bit pattern\n")


@pytest.mark.parametrize("opts", [["--bounds", "explicit"], ["--target", "aarch64-linux"],
                                  ["--target", "riscv64-linux"]], ids=lambda o: o[1])
def test_composed_component_on_other_targets_and_bounds(tmp_path, opts):
    """The component run time is plain C: the same output under explicit
    bounds and on the other Linux targets (through qemu when not native)."""
    from wasmaot.backends.targets import RunnerMissing, get_target
    if opts[0] == "--target":
        try:
            get_target(opts[1]).check_runnable()
        except RunnerMissing as e:
            pytest.skip(str(e))
    r = wasmaot("run", *opts, "--invoke", 'greet2("ünï")', str(HERE / "composed.wat"), cwd=tmp_path)
    assert (r.returncode, r.stdout) == (0, '"hello hello ünï"\n'), r.stderr


def _max_rss(argv: list[str]) -> tuple[int, bytes, int]:
    """(exit status, stdout, peak RSS in KiB) of one child (it includes the
    forked interpreter's pages, the same for every run)."""
    import os
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, out, usage.ru_maxrss


def test_cross_component_calls_run_in_constant_memory(tmp_path):
    """A million calls through an adapter take no more memory than a
    thousand: its values are freed after each (kept, some 50 MB)."""
    assert wasmaot("compile", str(HERE / "composed.wat"), "-o", "app", cwd=tmp_path).returncode == 0
    app = str(tmp_path / "app")
    code, _, few = _max_rss([app, "--invoke", "loop(1000)"])
    code2, out, many = _max_rss([app, "--invoke", "loop(1000000)"])
    assert (code, code2, out) == (0, 0, f"{sum(range(1, 1000001)) % 2**32}\n".encode())
    assert many - few < 10_000, (few, many)                            # KiB
