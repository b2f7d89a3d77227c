"""`wasmaot compile` / `wasmaot run` as a user meets them: real executables."""
import os
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
HELLO = REPO / "examples" / "hello.wat"

TRAPS = r"""
(module
  (type $v (func))
  (table 2 funcref)
  (elem (i32.const 0) $nop)
  (memory 1)
  (func $nop)
  (func (export "unreachable") unreachable)
  (func (export "div0") (result i32) (i32.div_s (i32.const 1) (i32.const 0)))
  (func (export "overflow") (result i32) (i32.div_s (i32.const 0x80000000) (i32.const -1)))
  (func (export "badconv") (result i32) (i32.trunc_f32_s (f32.const nan)))
  (func (export "oob") (result i32) (i32.load (i32.const 65536)))
  (func (export "tableoob") (result funcref) (table.get 0 (i32.const 5)))
  (func (export "sigmismatch") (call_indirect (param i32) (i32.const 7) (i32.const 0)))
  (func (export "undefined") (call_indirect (type $v) (i32.const 9)))
  (func (export "uninit") (call_indirect (type $v) (i32.const 1)))
  (func $rec (export "exhaust") (call $rec))
  (func $fac (export "fac") (param i64) (result i64)
    (if (result i64) (i64.le_u (local.get 0) (i64.const 1)) (then (i64.const 1))
      (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
)
"""

EXPECTED_TRAPS = {
    "unreachable": "unreachable",
    "div0": "integer divide by zero",
    "overflow": "integer overflow",
    "badconv": "invalid conversion to integer",
    "oob": "out of bounds memory access",
    "tableoob": "out of bounds table access",
    "sigmismatch": "indirect call type mismatch",
    "undefined": "undefined element",
    "uninit": "uninitialized element",
    "exhaust": "call stack exhausted",
}


def wasmaot(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "wasmaot", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=300, env=env)


@pytest.fixture(scope="module", params=["guard", "explicit"])
def traps_exe(request, tmp_path_factory):
    d = tmp_path_factory.mktemp(f"traps-{request.param}")
    (d / "traps.wat").write_text(TRAPS)
    r = wasmaot("compile", d / "traps.wat", "-o", d / "traps", "--bounds", request.param)
    assert r.returncode == 0, r.stderr
    return d / "traps"


@pytest.mark.parametrize("export,message", sorted(EXPECTED_TRAPS.items()))
def test_every_trap_kind_exits_134_with_message(traps_exe, export, message):
    r = subprocess.run([traps_exe, "--invoke", export], capture_output=True, text=True, timeout=60)
    # the message first; a backtrace may follow (issue 11)
    assert (r.returncode, r.stdout) == (134, "")
    assert r.stderr.splitlines()[0] == f"wasm trap: {message}", r.stderr


def test_invoke_prints_results_like_wasmtime(traps_exe):
    r = subprocess.run([traps_exe, "--invoke", "fac", "20"], capture_output=True, text=True)
    assert (r.returncode, r.stdout) == (0, "2432902008176640000\n")


def test_hello_world_and_static_binary_in_empty_environment(tmp_path):
    exe = tmp_path / "hello"
    r = wasmaot("compile", HELLO, "-o", exe)
    assert r.returncode == 0 and r.stderr == ""
    run_dir = tmp_path / "elsewhere"
    run_dir.mkdir()
    # no PATH, no Python, nothing: a static executable needs none of it
    r = subprocess.run([str(exe)], capture_output=True, text=True, cwd=run_dir, env={})
    assert (r.returncode, r.stdout, r.stderr) == (0, "hello, world\n", "")
    out = subprocess.run(["file", str(exe)], capture_output=True, text=True).stdout
    assert "statically linked" in out or "static-pie" in out, out


def test_baked_invoke_and_runtime_override(tmp_path):
    (tmp_path / "t.wat").write_text(TRAPS)
    exe = tmp_path / "t"
    assert wasmaot("compile", tmp_path / "t.wat", "-o", exe, "--invoke", "fac").returncode == 0
    r = subprocess.run([exe, "5"], capture_output=True, text=True)
    assert r.stdout == "120\n"
    r = subprocess.run([exe, "--invoke", "div0"], capture_output=True, text=True)
    assert r.returncode == 134


def test_emit_each_stage(tmp_path):
    outs = {}
    for kind in ("ir", "llvm", "asm", "obj"):
        out = tmp_path / f"hello.{kind}"
        r = wasmaot("compile", HELLO, "--emit", kind, "-o", out)
        assert r.returncode == 0, r.stderr
        outs[kind] = out.read_bytes()
    assert b"function %" in outs["ir"] and b"return" in outs["ir"]
    assert b"target triple = \"x86_64-unknown-linux-musl\"" in outs["llvm"]
    assert b"nounwind" in outs["llvm"]
    assert b"@function" in outs["asm"]         # in whatever section the backend puts code
    assert outs["obj"][:4] == b"\x7fELF"
    r = wasmaot("compile", HELLO, "--emit", "ir")          # text to stdout by default
    assert r.returncode == 0 and "function %" in r.stdout


def test_time_passes(tmp_path):
    r = wasmaot("compile", HELLO, "-o", tmp_path / "h", "--time-passes")
    assert r.returncode == 0
    for stage in ("frontend", "translate", "passes", "llvm", "link", "constfold", "dce"):
        assert stage in r.stderr


def test_run_caches_and_passes_arguments(tmp_path):
    env = {**os.environ, "WASMAOT_CACHE_DIR": str(tmp_path / "cache")}
    (tmp_path / "t.wat").write_text(TRAPS)
    r = wasmaot("run", tmp_path / "t.wat", "--invoke", "fac", "10", env=env)
    assert (r.returncode, r.stdout) == (0, "3628800\n")
    r = wasmaot("run", tmp_path / "t.wat", "--invoke", "div0", env=env)
    assert r.returncode == 134 and "integer divide by zero" in r.stderr
    def exes():         # the executables, not the .exports lists beside them
        return [p for p in (tmp_path / "cache" / "exe").iterdir() if p.suffix != ".exports"]
    assert len(exes()) == 1                     # the second run reused the first build
    r = wasmaot("run", "-O0", tmp_path / "t.wat", "--invoke", "fac", "3", env=env)
    assert r.stdout == "6\n"
    assert len(exes()) == 2                   # -O0 is another key


def test_wasi_grants(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "x.txt").write_text("granted\n")
    prog = tmp_path / "cat.c"
    prog.write_text('#include <stdio.h>\n#include <stdlib.h>\n'
                    'int main(int c, char **v) { FILE *f = fopen(v[1], "r"); if (!f) { perror(v[1]); return 3; }\n'
                    'char b[64]; size_t n = fread(b, 1, sizeof b, f); fwrite(b, 1, n, stdout);\n'
                    'const char *e = getenv("K"); printf("K=%s\\n", e ? e : "-");\n'
                    'if (getenv("WASMAOT_WASI_OPTIONS")) printf("LEAKED\\n"); return 0; }\n')
    wasm = tmp_path / "cat.wasm"
    subprocess.run([sys.executable, "-m", "ziglang", "cc", "-target", "wasm32-wasi", "-O2",
                    str(prog), "-o", str(wasm)], check=True)
    exe = tmp_path / "cat"
    r = wasmaot("compile", wasm, "-o", exe, "--dir", f"{data}::/d", "--env", "K=v")
    assert r.returncode == 0, r.stderr
    r = subprocess.run([exe, "/d/x.txt"], capture_output=True, text=True)
    assert (r.returncode, r.stdout) == (0, "granted\nK=v\n")
    for escape in ("/d/../cat.c", str(prog), "/etc/passwd"):
        r = subprocess.run([exe, escape], capture_output=True, text=True)
        assert r.returncode == 3 and r.stdout == "", (escape, r.stdout)
    # nothing granted: no files at all
    bare = tmp_path / "bare"
    assert wasmaot("compile", wasm, "-o", bare).returncode == 0
    r = subprocess.run([bare, "/d/x.txt"], capture_output=True, text=True)
    assert r.returncode == 3
    # grants at run time, by environment variable (never the program's argv)
    env = {"WASMAOT_WASI_OPTIONS": f"--dir {data}::/d --env K=rt --inherit-env"}
    r = subprocess.run([bare, "/d/x.txt"], capture_output=True, text=True, env=env)
    assert (r.returncode, r.stdout) == (0, "granted\nK=rt\n")      # and not LEAKED
    r = subprocess.run([bare, "x"], capture_output=True, text=True,
                       env={"WASMAOT_WASI_OPTIONS": "--bogus"})
    assert r.returncode == 1 and "--bogus" in r.stderr


def test_user_errors_are_one_line(tmp_path):
    r = wasmaot("compile", tmp_path / "missing.wat", "-o", tmp_path / "x")
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and "missing.wat" in r.stderr
    r = wasmaot("compile", HELLO, "--target", "mips-linux")
    assert r.returncode == 2 and "unknown target" in r.stderr
    src = tmp_path / "same.wat"
    src.write_text(HELLO.read_text())
    r = wasmaot("compile", src, "-o", src)
    assert r.returncode == 2 and src.read_text() == HELLO.read_text()   # input untouched
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(b"\0asm\x01\0\0\0\x01")
    out = tmp_path / "out"
    out.write_text("precious")
    r = wasmaot("compile", bad, "-o", out)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert out.read_text() == "precious"        # a failed compile never clobbers the output


def test_unwritable_output_is_a_user_error(tmp_path):
    r = wasmaot("compile", HELLO, "-o", tmp_path / "no-such-dir" / "x")
    assert r.returncode == 2 and "no-such-dir/x" in r.stderr
    assert "internal compiler error" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_llvm_crash_is_one_line_naming_the_input(tmp_path):
    """An LLVM abort in code generation (injected: a worker aborts as LLVM
    does) is one line naming the input, exit 70, no dump and no output file."""
    env = {**os.environ, "WASMAOT_FAULT_INJECT": "codegen-abort"}
    env.pop("WASMAOT_TRACEBACK", None)
    r = subprocess.run([sys.executable, "-m", "wasmaot", "compile", str(HELLO), "-o",
                        str(tmp_path / "h")], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 70
    assert r.stderr.splitlines() == [
        f"wasmaot: error: {HELLO}: internal compiler error: CodegenCrash: LLVM crashed compiling "
        "partition 0: LLVM ERROR: injected fault (WASMAOT_FAULT_INJECT) "
        "(set WASMAOT_TRACEBACK=1 for details)"]
    assert not (tmp_path / "h").exists()
