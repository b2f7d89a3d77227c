"""The wasmaot side of the differential WASI tests.

A program is compiled with the wasmaot CLI (grants baked in, as the CLI
will spell them: ``wasmaot compile prog.wasm -o prog --dir HOST::GUEST``)
and run natively (foreign targets under qemu-user).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import RunResult

def grant_args(dirs=(), ro_dirs=(), env=()) -> list[str]:
    args = []
    for host, guest in dirs:
        args += ["--dir", f"{host}::{guest}"]
    for host, guest in ro_dirs:
        args += ["--dir-ro", f"{host}::{guest}"]
    for k, v in env:
        args += ["--env", f"{k}={v}"]
    return args


def compile_native(wasm: Path, exe: Path, dirs=(), ro_dirs=(), env=(),
                   target: str = "x86_64-linux") -> None:
    proc = subprocess.run([sys.executable, "-m", "wasmaot", "compile", str(wasm), "-o", str(exe),
                           "--target", target, *grant_args(dirs, ro_dirs, env)],
                          capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise AssertionError(f"wasmaot compile {wasm.name} failed:\n{proc.stderr}")


def run_native(exe: Path, args: list[str], stdin: bytes | None = None, cwd: Path | None = None,
               target: str = "x86_64-linux") -> RunResult:
    # `--` keeps the program's own arguments away from the runtime's flags
    # (runtime-c/host/standalone_main.c looks at argv[1] only).  Foreign
    # targets run under their emulator (qemu-user), as `wasmaot run` does.
    from wasmaot.backends import get_target
    prefix = list(get_target(target).check_runnable())
    proc = subprocess.run([*prefix, str(exe), "--", *args], input=stdin or b"", capture_output=True,
                          cwd=cwd, timeout=300)
    return RunResult(proc.returncode, proc.stdout, proc.stderr)
