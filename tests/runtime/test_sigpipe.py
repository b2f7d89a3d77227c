"""A closed pipe never kills the program (issue 11).

A WASI program whose stdout reader goes away must see EPIPE from its write
and exit with its own status, as under wasmtime -- never die of SIGPIPE
(shell status 141): the standalone runtime ignores SIGPIPE at start
(wasmaot_rt_init).  The program (``wasi/pipe_writer.c``) exits 3 on EPIPE, 4 on another error.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from wasmaot.backends import CompileOptions
from wasmaot.bench.tools import wasmtime_cli
from wasmaot.compile import compile_bytes

HERE = Path(__file__).resolve().parent
EPIPE_STATUS = 3


@pytest.fixture(scope="module")
def writer_wasm(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sigpipe") / "pipe_writer.wasm"
    subprocess.run([sys.executable, "-m", "ziglang", "cc", "-target", "wasm32-wasi", "-O2", "-s",
                    str(HERE / "wasi" / "pipe_writer.c"), "-o", str(out)], check=True,
                   capture_output=True, text=True)
    return out


def read_one_byte_then_close(cmd: list[str]) -> subprocess.CompletedProcess:
    """Run ``cmd``, read one byte of its stdout, close the pipe (what
    ``| head -c1`` does), and wait for it."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = p.stdout.read(1)
    p.stdout.close()
    err = p.stderr.read().decode()
    p.stderr.close()
    code = p.wait(timeout=120)
    return subprocess.CompletedProcess(cmd, code, first, err)


def test_closed_pipe_is_epipe_not_a_signal(writer_wasm, tmp_path):
    exe = tmp_path / "pipe_writer"
    compile_bytes(writer_wasm.read_bytes(), str(writer_wasm), CompileOptions(), out=str(exe))
    r = read_one_byte_then_close([str(exe)])
    assert r.stdout == b"x"
    assert r.returncode == EPIPE_STATUS, (r.returncode, r.stderr)   # -13 would be SIGPIPE
    assert r.stderr == "write failed: EPIPE\n"


def test_wasmtime_also_returns_an_error(writer_wasm):
    """The behaviour we match: under wasmtime too the write fails and the
    program exits with its own status.  wasmtime 49 reports the broken pipe
    as EIO (status 4 here); we report EPIPE, what the host said and what a
    native program sees (backends/ABI.md "Signals")."""
    r = read_one_byte_then_close([str(wasmtime_cli()), "run", str(writer_wasm)])
    assert r.returncode in (EPIPE_STATUS, EPIPE_STATUS + 1), (r.returncode, r.stderr)


def test_shell_pipeline_status(writer_wasm, tmp_path):
    """What a user types: ``./prog | head -c1``; bash's PIPESTATUS[0] is
    the program's status (141 before the fix)."""
    exe = tmp_path / "pipe_writer"
    compile_bytes(writer_wasm.read_bytes(), str(writer_wasm), CompileOptions(), out=str(exe))
    r = subprocess.run(["bash", "-c", f"'{exe}' | head -c1 >/dev/null; echo ${{PIPESTATUS[0]}}"],
                       check=False, capture_output=True, text=True, timeout=120)
    assert r.stdout.strip() == str(EPIPE_STATUS), r
