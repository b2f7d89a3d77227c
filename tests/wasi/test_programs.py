"""WASI test programs (tests/wasi/programs/*.c, wasm32-wasi via zig) run
under wasmtime, with sanity checks of their output, and differentially
against wasmaot (stdout, stderr, exit status identical)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .conftest import run_wasmtime
from .differential import compile_native, run_native


def make_fixture(base: Path) -> Path:
    """sandbox/ (hello, sub/inner, symlinks of every kind), ro/ (a copy, to
    be preopened read-only), outside/secret."""
    root, outside = base / "sandbox", base / "outside"
    (root / "sub").mkdir(parents=True)
    outside.mkdir()
    (root / "hello").write_text("hello world")
    (root / "sub" / "inner").write_text("inner")
    (outside / "secret").write_text("SECRET")
    os.symlink("../outside", root / "out_rel")
    os.symlink(str(outside), root / "out_abs")
    os.symlink("loop", root / "loop")
    os.symlink("pong", root / "ping")
    os.symlink("ping", root / "pong")
    os.symlink("../hello", root / "sub" / "up")
    os.symlink("sub/up", root / "chain")
    shutil.copytree(root, base / "ro", symlinks=True)
    return base


def tree(base: Path) -> dict[str, str]:
    """The fixture's final state: every path -> content / link target."""
    out = {}
    for p in sorted(base.rglob("*")):
        rel = str(p.relative_to(base))
        if p.is_symlink():
            out[rel] = "-> " + os.readlink(p).replace(str(base), "<base>")
        elif p.is_file():
            out[rel] = p.read_bytes().decode("latin-1")
        else:
            out[rel] = "<dir>"
    return out


# name -> (program, args, grants, stdin, checks on the wasmtime run)
CASES = {
    "args_env": ("args_env", ["x", "y z", ""], {"env": [("GREETING", "hi"), ("B", "2=3")]}, None,
                 [b"argc=4", b"argv[2]=[y z]", b"argv[3]=[]", b"env[B=2=3]", b"GREETING=hi"]),
    "no_env": ("args_env", [], {}, None, [b"envc=0", b"GREETING=(unset)"]),
    "clocks_random": ("clocks_random", [], {}, None,
                      [b"slept >= 30ms: 1", b"random differs: 1", b"res process cputime                      -> 8"]),
    "stdin": ("stdin_cat", [], {}, bytes(range(256)) * 64, []),
    "stdin_empty": ("stdin_cat", [], {}, b"", []),
    "exit_0": ("exit_code", ["0"], {}, None, [b"exiting with 0"]),
    "exit_7": ("exit_code", ["7"], {}, None, [b"exiting with 7"]),
    "exit_125": ("exit_code", ["125", "raw"], {}, None, []),
    "exit_126": ("exit_code", ["126", "raw"], {}, None, []),
    "files": ("files", [], {"dirs": [("sandbox", "/sandbox")]}, None,
              [b"content [AB23xyz]", b"reused 6", b"target [d/moved.txt]"]),
    "escape": ("escape", [], {"dirs": [("sandbox", "/sandbox")], "ro_dirs": [("ro", "/ro")]}, None,
               [b"open(3,../outside/secret,o0,fl0)         -> 63", b"open(3,loop,o0,fl0)                      -> 32"]),
    "no_grants": ("escape", [], {}, None, [b"fds -1 -1"]),
}
EXIT = {"exit_7": 7, "exit_125": 125, "exit_126": 1}


def _grants(spec: dict, base: Path) -> dict:
    return {"dirs": [(str(base / h), g) for h, g in spec.get("dirs", [])],
            "ro_dirs": [(str(base / h), g) for h, g in spec.get("ro_dirs", [])],
            "env": spec.get("env", [])}


def _run_wasmtime(wasm_programs, case, base):
    prog, args, spec, stdin, _ = CASES[case]
    return run_wasmtime(wasm_programs[prog], [prog, *args], stdin=stdin, **_grants(spec, base))


@pytest.mark.parametrize("case", sorted(CASES))
def test_under_wasmtime(wasm_programs, tmp_path, case):
    base = make_fixture(tmp_path)
    prog, args, spec, stdin, checks = CASES[case]
    r = _run_wasmtime(wasm_programs, case, base)
    assert r.status == EXIT.get(case, 0), r.stderr.decode()
    for c in checks:
        assert c in r.stdout, (c, r.stdout.decode())
    if prog == "stdin_cat":
        assert r.stdout == (stdin or b"")
        assert f"total {len(stdin or b'')} bytes".encode() in r.stderr
    if case == "exit_126":
        assert b"exit with invalid exit status outside of [0..126)" in r.stderr
    assert (base / "outside" / "secret").read_text() == "SECRET"


@pytest.mark.parametrize("target", ["x86_64-linux", "aarch64-linux", "riscv64-linux"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_differential(wasm_programs, tmp_path, case, target):
    """wasmaot (on every target; foreign ones under qemu-user) vs wasmtime:
    same stdout, stderr (except wasmtime's own error text for non-exit
    failures), exit status, and final file-system state."""
    prog, args, spec, stdin, _ = CASES[case]
    ref_base = make_fixture(tmp_path / "ref")
    ref = _run_wasmtime(wasm_programs, case, ref_base)
    base = make_fixture(tmp_path / "aot")
    exe = tmp_path / prog
    compile_native(wasm_programs[prog], exe, **_grants(spec, base), target=target)
    got = run_native(exe, args, stdin=stdin, target=target)
    assert got.status == ref.status
    assert got.stdout == ref.stdout
    if ref.status in (0,) or case.startswith("exit_") and case != "exit_126":
        assert got.stderr == ref.stderr
    else:
        assert b"exit with invalid exit status outside of [0..126)" in got.stderr
    assert tree(base).keys() == tree(ref_base).keys()
    assert {k: v for k, v in tree(base).items() if "<base>" not in v} == \
           {k: v for k, v in tree(ref_base).items() if "<base>" not in v}
