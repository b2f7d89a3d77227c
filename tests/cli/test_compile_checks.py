"""Mistakes reported by `wasmaot compile`, not by every run of its output
(issue 11): an --invoke export that does not exist, imports nothing
provides (or --allow-unresolved-imports: stubs that trap), --dir grants
that cannot work, relative --dir baked as absolute paths, CPU names."""
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
HELLO = REPO / "examples" / "hello.wat"


def wasmaot(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "wasmaot", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=300, env=env)


def one_line_error(r, code: int) -> str:
    assert r.returncode == code, (r.returncode, r.stderr)
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("wasmaot: error: "), r.stderr
    assert "Traceback" not in r.stderr
    return lines[0]


# ------------------------------------------------------------ --invoke

def test_compile_invoke_of_a_missing_export(tmp_path):
    out = tmp_path / "h"
    msg = one_line_error(wasmaot("compile", HELLO, "-o", out, "--invoke", "nope"), 2)
    assert msg == (f"wasmaot: error: {HELLO}: --invoke nope: no exported function of that name "
                   "(exported functions: _start, fac)")
    assert not out.exists()
    # an export that is not a function is not invocable either
    src = tmp_path / "m.wat"
    src.write_text('(module (memory (export "mem") 1) (func (export "f")))')
    msg = one_line_error(wasmaot("compile", src, "-o", out, "--invoke", "mem"), 2)
    assert "--invoke mem: no exported function" in msg and "(exported functions: f)" in msg


# ------------------------------------------------------------- imports

UNRESOLVED = """(module
  (import "env" "log" (func $log (param i32)))
  (import "env" "twice" (func $twice (param i64) (result i64)))
  (func (export "calls") (call $log (i32.const 1)))
  (func (export "fine") (result i32) (i32.const 7))
  (func (export "indirect") (result i64) (call $twice (i64.const 4))))
"""


@pytest.mark.parametrize("source,needle", [
    (UNRESOLVED, ("import 'env' 'log': unknown import (no module 'env': not a --preload instance, "
                  "not WASI) (and 1 more); --allow-unresolved-imports makes unknown functions "
                  "trap when called")),
    ('(module (import "wasi_snapshot_preview1" "fd_write_v2" (func (param i32))))',
     ("import 'wasi_snapshot_preview1' 'fd_write_v2': unknown import "
      "(wasi_snapshot_preview1 has no func 'fd_write_v2')")),
    ('(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32) (result i32))))',
     ("import 'wasi_snapshot_preview1' 'fd_write': incompatible import type "
      "(expected (i32,i32,i32,i32)->(i32), the import is (i32)->(i32))")),
    ('(module (import "env" "memory" (memory 1)))',
     "import 'env' 'memory': unknown import (no module 'env'"),
    ('(module (import "wasi_snapshot_preview1" "g" (global i32)))',
     "import 'wasi_snapshot_preview1' 'g': unknown import (wasi_snapshot_preview1 has no global 'g')"),
])
def test_unresolved_imports_are_compile_errors(tmp_path, source, needle):
    src = tmp_path / "m.wat"
    src.write_text(source)
    out = tmp_path / "m"
    msg = one_line_error(wasmaot("compile", src, "-o", out), 1)
    assert msg.startswith(f"wasmaot: error: {src}: {needle}"), msg
    assert not out.exists()


def test_objects_are_not_checked(tmp_path):
    """An object is linked by someone else's host (the spec driver, an
    embedder): its imports are that host's business."""
    src = tmp_path / "m.wat"
    src.write_text(UNRESOLVED)
    r = wasmaot("compile", src, "--emit", "obj", "-o", tmp_path / "m.o")
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("how", [["--allow-unresolved-imports"], ["-W", "unknown-imports-trap"]])
def test_allow_unresolved_imports_traps_only_when_called(tmp_path, how):
    src = tmp_path / "m.wat"
    src.write_text(UNRESOLVED)
    exe = tmp_path / "m"
    r = wasmaot("compile", src, "-o", exe, *how)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([exe, "--invoke", "fine"], capture_output=True, text=True)
    assert (r.returncode, r.stdout) == (0, "7\n")              # starts: nothing missing at start-up
    for export in ("calls", "indirect"):
        r = subprocess.run([exe, "--invoke", export], capture_output=True, text=True)
        assert r.returncode == 134 and r.stdout == ""
        assert r.stderr.splitlines()[0] == "wasm trap: host trap", r.stderr


def test_allow_unresolved_imports_keeps_wasi_and_refuses_a_memory(tmp_path):
    """WASI imports still bind to the shim; an unresolved memory has no stub."""
    src = tmp_path / "m.wat"
    src.write_text(HELLO.read_text().replace(
        "(memory", '(import "env" "f" (func $unknown))\n  (memory', 1))
    exe = tmp_path / "m"
    r = wasmaot("compile", src, "-o", exe, "--allow-unresolved-imports")
    assert r.returncode == 0, r.stderr
    r = subprocess.run([exe], capture_output=True, text=True)
    assert (r.returncode, r.stdout) == (0, "hello, world\n")
    src.write_text('(module (import "env" "m" (memory 1)) (func (export "f")))')
    msg = one_line_error(wasmaot("compile", src, "-o", exe, "--allow-unresolved-imports"), 1)
    assert "import 'env' 'm': unknown import" in msg and "--allow-unresolved" not in msg


def test_preload_still_resolves_and_a_missing_export_of_it_is_an_error(tmp_path):
    lib = tmp_path / "lib.wat"
    lib.write_text('(module (func (export "twice") (param i64) (result i64) '
                   '(i64.add (local.get 0) (local.get 0))))')
    app = tmp_path / "app.wat"
    app.write_text('(module (import "lib" "twice" (func $t (param i64) (result i64)))\n'
                   '  (import "env" "log" (func $log (param i32)))\n'
                   '  (func (export "go") (result i64) (call $t (i64.const 21))))')
    exe = tmp_path / "app"
    msg = one_line_error(wasmaot("compile", app, "--preload", f"lib={lib}", "-o", exe), 1)
    assert "import 'env' 'log': unknown import" in msg
    r = wasmaot("compile", app, "--preload", f"lib={lib}", "-o", exe, "--allow-unresolved-imports")
    assert r.returncode == 0, r.stderr
    r = subprocess.run([exe, "--invoke", "go"], capture_output=True, text=True)
    assert (r.returncode, r.stdout) == (0, "42\n")


def test_wasi_table_read_from_the_shim_matches_the_linked_shim(tmp_path):
    """driver/compile.py reads the shim's preview1 table from its C source;
    a module importing every function of it, with those signatures, must
    link and start (the shim's own resolver agrees with the parse)."""
    from wasmaot.compile import wasi_p1_functions
    funcs = wasi_p1_functions()
    assert len(funcs) >= 45 and funcs["fd_write"] == "(i32,i32,i32,i32)->(i32)"
    assert funcs["proc_exit"] == "(i32)->()"

    def wat_sig(sig):
        params, results = sig[1:].split(")->(")
        results = results[:-1]
        p = " ".join(params.split(",")) if params else ""
        r = " ".join(results.split(",")) if results else ""
        return (f"(param {p})" if p else "") + (f" (result {r})" if r else "")
    imports = "\n".join(f'  (import "wasi_snapshot_preview1" "{n}" (func {wat_sig(s)}))'
                        for n, s in funcs.items())
    src = tmp_path / "all.wat"
    src.write_text(f'(module\n{imports}\n  (memory (export "memory") 1)\n'
                   '  (func (export "ok") (result i32) (i32.const 1)))')
    exe = tmp_path / "all"
    r = wasmaot("compile", src, "-o", exe)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([exe, "--invoke", "ok"], capture_output=True, text=True)
    assert (r.returncode, r.stdout) == (0, "1\n"), r.stderr


# --------------------------------------------------------------- --dir

@pytest.mark.parametrize("flag", ["--dir", "--dir-ro"])
@pytest.mark.parametrize("spec,needle", [
    ("/nonexistent-wasmaot::/data", "/nonexistent-wasmaot: no such directory"),
    ("::", "'::' is not HOST[::GUEST] (both non-empty)"),
    ("::/data", "'::/data' is not HOST[::GUEST]"),
    ("{tmp}::", "::' is not HOST[::GUEST]"),
    ("{file}::/f", "not a directory"),
])
def test_bad_dir_grants_are_usage_errors(tmp_path, flag, spec, needle):
    f = tmp_path / "file"
    f.write_text("x")
    spec = spec.format(tmp=tmp_path, file=f)
    out = tmp_path / "h"
    msg = one_line_error(wasmaot("compile", HELLO, "-o", out, flag, spec), 2)
    assert f"Invalid value for '{flag}'" in msg and needle in msg, msg
    assert not out.exists()


def test_bad_env_grant(tmp_path):
    msg = one_line_error(wasmaot("compile", HELLO, "-o", tmp_path / "h", "--env", "=x"), 2)
    assert "'=x' has no NAME" in msg


def test_relative_dir_is_baked_absolute(tmp_path):
    """A relative HOST is resolved where `wasmaot compile` runs; the guest
    still sees the name as given.  The executable then works from anywhere."""
    prog = tmp_path / "cat.c"
    prog.write_text('#include <stdio.h>\n'
                    'int main(int c, char **v) { FILE *f = fopen(v[1], "r"); if (!f) { perror(v[1]); return 3; }\n'
                    'char b[64]; size_t n = fread(b, 1, sizeof b, f); fwrite(b, 1, n, stdout); return 0; }\n')
    wasm = tmp_path / "cat.wasm"
    subprocess.run([sys.executable, "-m", "ziglang", "cc", "-target", "wasm32-wasi", "-O2",
                    str(prog), "-o", str(wasm)], check=True)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.txt").write_text("from data\n")
    r = wasmaot("compile", wasm, "-o", tmp_path / "cat", "--dir", "data", "--dir-ro", "data::/ro",
                cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "data").mkdir(parents=True)
    (elsewhere / "data" / "x.txt").write_text("WRONG: resolved at run time\n")
    for path in ("data/x.txt", "/ro/x.txt"):
        r = subprocess.run([tmp_path / "cat", path], capture_output=True, text=True, cwd=elsewhere)
        assert (r.returncode, r.stdout) == (0, "from data\n"), (path, r.stderr)


# --------------------------------------------------------------- --cpu

def test_cpu_native_is_the_build_machine(tmp_path):
    import platform
    if platform.machine() not in ("x86_64", "AMD64"):
        pytest.skip("checks x86_64-linux, the default target")
    from wasmaot.backends.targets import host_cpu_name
    r = wasmaot("compile", HELLO, "--cpu", "native", "--emit", "llvm")
    assert r.returncode == 0, r.stderr
    assert f'"target-cpu"="{host_cpu_name()}"' in r.stdout
    exe = tmp_path / "h"
    assert wasmaot("compile", HELLO, "--cpu", "native", "-o", exe).returncode == 0
    assert subprocess.run([exe], capture_output=True, text=True).stdout == "hello, world\n"


@pytest.mark.parametrize("args,needle", [
    (["--cpu", "bogus"], "--cpu bogus: not a CPU LLVM knows for x86_64-unknown-linux-musl"),
    (["--cpu", "skylak"], "(did you mean skylake"),
    (["--cpu", "i386"], ("--cpu i386: cannot generate x86_64-unknown-linux-musl code: "
                         "64-bit code requested")),
    (["--cpu", "cortex-a72"], "--cpu cortex-a72: not a CPU LLVM knows for x86_64"),
    (["--cpu", "native", "--target", "riscv64-linux"], "--cpu native: the build machine is "),
])
def test_bad_cpu_is_one_usage_line(tmp_path, args, needle):
    out = tmp_path / "h"
    r = wasmaot("compile", HELLO, "-o", out, *args)
    msg = one_line_error(r, 2)
    assert needle in msg and "LLVM ERROR" not in r.stderr, msg
    assert "recognized processor" not in r.stderr and not out.exists()


def test_cpu_of_another_target_is_checked_for_that_target():
    r = wasmaot("compile", HELLO, "--target", "aarch64-linux", "--cpu", "cortex-a72", "--emit", "llvm")
    assert r.returncode == 0, r.stderr
    assert '"target-cpu"="cortex-a72"' in r.stdout


# --------------------------------------------------------------- --features

POPCNT = """(module (func (export "f") (param i32) (result i32) (i32.popcnt (local.get 0))))"""


def test_features_reach_llvm_and_the_cache_key(tmp_path):
    src = tmp_path / "p.wat"
    src.write_text(POPCNT)
    asm = {}
    for feats in ([], ["--features", "-popcnt"]):
        out = tmp_path / f"p{len(feats)}.s"
        r = wasmaot("compile", src, "--emit", "asm", "-o", out, *feats)
        assert r.returncode == 0, r.stderr
        asm[bool(feats)] = out.read_text()
    assert "popcnt" in asm[False] and "popcnt" not in asm[True]   # x86-64-v2 has it
    from wasmaot.backends import CompileOptions
    assert CompileOptions(features="-popcnt").cache_key() != CompileOptions().cache_key()


def test_cpu_native_brings_the_build_machines_features():
    import platform
    if platform.machine() not in ("x86_64", "AMD64"):
        pytest.skip("checks x86_64-linux, the default target")
    from wasmaot.backends.targets import get_target, host_cpu_features, host_cpu_name
    r = wasmaot("compile", HELLO, "--cpu", "native", "--features", "-avx2", "--emit", "llvm")
    assert r.returncode == 0, r.stderr
    # the tuning for its CPU (if any), the host's list, then ours: a
    # feature turned off stays off
    tuning = get_target("x86_64-linux").tuning_features(host_cpu_name())
    host = ",".join(f for f in (tuning, host_cpu_features()) if f)
    assert f'"target-features"="{host},-avx2"' in r.stdout


@pytest.mark.parametrize("cpu,expect", [
    ("skylake", "+prefer-no-gather,+prefer-no-scatter"),
    ("icelake-server", "+prefer-no-gather,+prefer-no-scatter"),
    ("x86-64-v3", ""),
    ("znver4", ""),
])
def test_gds_affected_cpus_get_no_gathers_unless_asked(cpu, expect):
    """Gather Data Sampling's microcode mitigation makes gathers slow on
    these Intel cores (backends/x86_64/target.py); --features can undo it,
    and the cache key sees the difference."""
    from wasmaot.backends import CompileOptions
    from wasmaot.backends.targets import get_target
    t = get_target("x86_64-linux")
    assert CompileOptions(cpu=cpu).llvm_features(t) == expect
    r = wasmaot("compile", HELLO, "--cpu", cpu, "--emit", "llvm")
    assert r.returncode == 0, r.stderr
    assert ('"target-features"="+prefer-no-gather,+prefer-no-scatter"' in r.stdout) == bool(expect)
    undo = CompileOptions(cpu=cpu, features="-prefer-no-gather")
    assert undo.llvm_features(t).endswith("-prefer-no-gather")
    assert undo.cache_key() != CompileOptions(cpu=cpu).cache_key()
    r = wasmaot("compile", HELLO, "--cpu", cpu, "--features", "-prefer-no-gather", "--emit", "llvm")
    assert r.returncode == 0, r.stderr
    assert f'"target-features"="{expect + "," if expect else ""}-prefer-no-gather"' in r.stdout


@pytest.mark.parametrize("args,needle", [
    (["--features", "+bogus"], "--features +bogus: '+bogus' is not a feature LLVM knows for x86_64"),
    (["--features", "avx2"], "--features avx2: 'avx2' is not +NAME or -NAME"),
    (["--features", "+avx2", "--target", "aarch64-linux"],
     "'+avx2' is not a feature LLVM knows for aarch64"),
])
def test_bad_features_are_one_usage_line(tmp_path, args, needle):
    out = tmp_path / "h"
    r = wasmaot("compile", HELLO, "-o", out, *args)
    msg = one_line_error(r, 2)
    assert needle in msg and "recognized feature" not in r.stderr, msg
    assert not out.exists()


# ------------------------------------------------- the executable's --invoke

@pytest.mark.parametrize("name", ["nope", "memory"])
def test_executable_invoke_of_a_missing_export_exits_2(tmp_path, name):
    exe = tmp_path / "h"
    assert wasmaot("compile", HELLO, "-o", exe).returncode == 0
    r = subprocess.run([exe, "--invoke", name], capture_output=True, text=True)
    assert r.returncode == 2 and name in r.stderr, (r.returncode, r.stderr)


def test_executable_bad_invoke_arguments_exit_2(tmp_path):
    """What the runtime already does for the rest of a bad --invoke line."""
    exe = tmp_path / "h"
    assert wasmaot("compile", HELLO, "-o", exe).returncode == 0
    for args in (["fac"], ["fac", "1", "2"], ["fac", "x"]):
        r = subprocess.run([exe, "--invoke", *args], capture_output=True, text=True)
        assert r.returncode == 2, (args, r.stderr)


def test_unresolved_import_re_exported_by_a_preload(tmp_path):
    """A library re-exports an import nothing provides: the error names the
    library's import; with stubs, the app's call through the re-export traps."""
    (tmp_path / "a.wat").write_text('(module (import "env" "f" (func $f (result i32))) '
                                    '(export "f" (func $f)))')
    (tmp_path / "m.wat").write_text('(module (import "a" "f" (func $f (result i32)))\n'
                                    '  (func (export "go") (result i32) (call $f))\n'
                                    '  (func (export "ok") (result i32) (i32.const 3)))')
    args = ("compile", tmp_path / "m.wat", "--preload", f"a={tmp_path / 'a.wat'}", "-o", tmp_path / "m")
    msg = one_line_error(wasmaot(*args), 1)
    assert f"{tmp_path / 'a.wat'}: import 'env' 'f': unknown import" in msg
    assert wasmaot(*args, "--allow-unresolved-imports").returncode == 0
    r = subprocess.run([tmp_path / "m", "--invoke", "ok"], capture_output=True, text=True)
    assert (r.returncode, r.stdout) == (0, "3\n")
    r = subprocess.run([tmp_path / "m", "--invoke", "go"], capture_output=True, text=True)
    assert r.returncode == 134 and r.stderr.startswith("wasm trap: host trap\n")


@pytest.mark.parametrize("name,want", [
    ("x86_64-linux", "x86_64-linux"),
    ("x86_64-unknown-linux-gnu", "x86_64-linux"),
    ("x86_64-unknown-linux-musl", "x86_64-linux"),
    ("aarch64-unknown-linux-gnu", "aarch64-linux"),
    ("arm64-apple-linux", "aarch64-linux"),
    ("riscv64gc-unknown-linux-gnu", "riscv64-linux"),                 # Rust's spelling
    ("mips-unknown-linux-gnu", "mips-unknown-linux-gnu"),             # no such target
    ("x86_64-pc-windows-msvc", "x86_64-pc-windows-msvc"),             # not Linux: unchanged
])
def test_target_triples(name, want):
    from wasmaot.backends.targets import canonical_target
    assert canonical_target(name) == want


def test_unknown_triple_is_a_usage_error(tmp_path):
    msg = one_line_error(wasmaot("compile", HELLO, "-o", tmp_path / "h", "--target",
                                 "x86_64-pc-windows-msvc"), 2)
    assert "unknown target 'x86_64-pc-windows-msvc'" in msg
