"""Gigabytes written to a pipe whose reader goes away: the write returns
EPIPE (WASI errno 64) and the program exits with its own status -- never
SIGPIPE.  The small-scale version (a C program, and wasmtime's behaviour)
is tests/runtime/test_sigpipe.py; this one streams 1 GiB through the pipe
first, so the failure comes after many full pipe buffers, not the first."""
from __future__ import annotations

import subprocess

from .conftest import RUN_TIMEOUT, build

MIB = 1 << 20
READ_BEFORE_CLOSE = 1024 * MIB
WASI_EPIPE = 64
EPIPE_STATUS, OTHER_ERROR_STATUS = 3, 4     # the program's own exit statuses

WRITER_WAT = f"""
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 17)
  (func (export "_start")
    (local $i i32) (local $e i32)
    (i32.store (i32.const 0) (i32.const 65536))      ;; iovec: 1 MiB at 64 KiB
    (i32.store (i32.const 4) (i32.const {MIB}))
    (memory.fill (i32.const 65536) (i32.const 120) (i32.const {MIB}))
    (loop $l                                          ;; up to 4 GiB
      (local.set $e (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (if (local.get $e) (then (call $exit (select (i32.const {EPIPE_STATUS}) (i32.const {OTHER_ERROR_STATUS})
                                       (i32.eq (local.get $e) (i32.const {WASI_EPIPE}))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 4096))))
    (call $exit (i32.const 0))))
"""


def test_gigabytes_then_closed_pipe(tmp_path):
    exe = build(WRITER_WAT, tmp_path / "writer")
    p = subprocess.Popen([str(exe)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    got = 0
    while got < READ_BEFORE_CLOSE:
        chunk = p.stdout.read1(4 * MIB)
        assert chunk, "the writer stopped early"
        got += len(chunk)
    p.stdout.close()
    err = p.stderr.read().decode()
    p.stderr.close()
    code = p.wait(timeout=RUN_TIMEOUT)
    assert code == EPIPE_STATUS, (code, err)   # -13 would be SIGPIPE
