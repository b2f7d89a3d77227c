"""The standalone executable's main (runtime-c/host/standalone_main.c) on a
hand-written module: --invoke argument parsing and result printing (the
format of `wasmtime run --invoke`), traps, _start, runtime flags vs program
arguments, unresolved imports."""
from __future__ import annotations

import os

import pytest

from wasmaot.backends.link import compile_host_c, link_executable

from .conftest import C_DIR, run

FAKE = C_DIR / "fake_standalone.c"


@pytest.fixture(scope="module")
def exes(tmp_path_factory, cache_root):
    os.environ["WASMAOT_CACHE_DIR"] = str(cache_root)
    d = tmp_path_factory.mktemp("standalone")
    out = {}
    for name, flags in {"plain": [], "start": ["-DWITH_START=1"], "import": ["-DWITH_IMPORT=1"]}.items():
        obj = compile_host_c(FAKE, extra_flags=flags)
        out[name] = link_executable([obj], d / name, "x86_64-linux", "guard")
    return out


@pytest.mark.parametrize("args, stdout", [
    (["add", "1", "0x10"], "17\n"),
    (["add", "-1", "0"], "-1\n"),                      # i32 printed signed
    (["add", "4294967295", "2"], "1\n"),               # unsigned input range too
    (["id64", "18446744073709551615"], "-1\n"),
    (["id64", "-9223372036854775808"], "-9223372036854775808\n"),
    (["id64", "0x7fffffffffffffff"], "9223372036854775807\n"),
    # Rust Display: shortest round-trip digits, never an exponent
    (["floats"], "1\n0.1\n-0\n1000000000000000000000\n-inf\nNaN\n-0.00000015\n"
                 "340282350000000000000000000000000000000\n"),
    (["fid", "nan", "-inf"], "NaN\n-inf\n"),
    (["fid", "0.1", "1e300"], "0.1\n1" + "0" * 300 + "\n"),
    (["fid", "0x1p-149", "-0"], "0.000000000000000000000000000000000000000000001\n-0\n"),
    (["v", "0xffffffffffffffffffffffffffffffff"], "340282366920938463463374607431768211455\n"),
    (["v", "18446744073709551616"], "18446744073709551616\n"),
    (["refs"], "<null externref>\n<funcref>\n"),
])
def test_invoke_prints_like_wasmtime(exes, args, stdout):
    r = run(exes["plain"], "--invoke", *args)
    assert (r.returncode, r.stdout, r.stderr) == (0, stdout, "")


@pytest.mark.parametrize("args, status, err", [
    (["add", "1"], 2, 'wasmaot: export "add" takes 2 argument(s)\n'),
    (["add", "x", "1"], 2, 'wasmaot: bad argument "x" for a i32 parameter\n'),
    (["add", "4294967296", "1"], 2, 'wasmaot: bad argument "4294967296" for a i32 parameter\n'),
    (["add", "-2147483649", "1"], 2, 'wasmaot: bad argument "-2147483649" for a i32 parameter\n'),
    (["nope"], 2, 'wasmaot: export "nope" not found\n'),
    ([], 2, None),
])
def test_invoke_errors(exes, args, status, err):
    r = run(exes["plain"], "--invoke", *args)
    assert r.returncode == status and r.stdout == ""
    if err is not None:
        assert r.stderr == err


def test_trap_exits_134(exes):
    r = run(exes["plain"], "--invoke", "trap")
    assert (r.returncode, r.stdout, r.stderr) == (134, "", "wasm trap: unreachable\n")


def test_env_var_selects_export_and_args_come_from_argv(exes):
    r = run(exes["plain"], "5", "6", env={"WASMAOT_INVOKE": "add"})
    assert (r.returncode, r.stdout) == (0, "11\n")
    # the command-line flag wins over the environment
    r = run(exes["plain"], "--invoke", "id64", "3", env={"WASMAOT_INVOKE": "add"})
    assert r.stdout == "3\n"


def test_start_gets_program_arguments(exes):
    r = run(exes["start"], "a", "--invoke")
    assert (r.returncode, r.stdout) == (0, "started with 3 args: a --invoke\n")
    # runtime flags only in argv[1]; `--` there passes the rest to the program
    r = run(exes["start"], "--", "--invoke", "x")
    assert (r.returncode, r.stdout) == (0, "started with 3 args: --invoke x\n")
    r = run(exes["start"], "--invoke", "add", "2", "2")
    assert r.stdout == "4\n"


def test_no_start_no_invoke_just_instantiates(exes):
    r = run(exes["plain"])
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")


def test_unknown_import(exes):
    r = run(exes["import"], "--invoke", "add", "1", "2")
    assert (r.returncode, r.stdout, r.stderr) == (1, "", 'wasmaot: unknown import "env" "foo"\n')


def test_host_c_is_warning_free():
    from wasmaot.runtime import root
    for src in (root() / "host").glob("*.c"):
        compile_host_c(src, extra_flags=["-Werror"])


def test_baked_in_default_export(tmp_path):
    from wasmaot.backends.link import default_invoke_object
    exe = link_executable([compile_host_c(FAKE), default_invoke_object("add")], tmp_path / "baked",
                          "x86_64-linux", "guard")
    assert run(exe, "20", "22").stdout == "42\n"
    assert run(exe, "--invoke", "id64", "7").stdout == "7\n"      # the flag still wins
