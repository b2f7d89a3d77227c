"""Linear memory asks for transparent huge pages when the process runs with
WASMAOT_HUGE_PAGES=1, and only then.

The POSIX runtime reserves every memory at a 2 MiB boundary and, when asked,
advises it MADV_HUGEPAGE (runtime-c/platform/posix/posix_memory.c), so that
where the host's THP mode is "madvise" (Debian's default) a big heap is
backed by 2 MiB pages.  Whether the kernel then finds huge pages is its business, so the
test checks what the runtime controls, read off /proc/PID/smaps of a running
executable: the memory starts on a 2 MiB boundary; its initial pages are not
advised (a small program's start-up never zeroes a 2 MiB page), while what it
grew, from the first 2 MiB boundary past the initial size, and the PROT_NONE
rest of the reservation carry the ``hg`` (advised) flag.
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from wasmaot.backends import CompileOptions
from wasmaot.compile import compile_bytes

#: Without THP in the kernel madvise(MADV_HUGEPAGE) is refused, so only the
#: test that looks for the advice needs it; alignment and "not unless asked"
#: hold on any kernel.
THP = Path("/sys/kernel/mm/transparent_hugepage")

PAGES = 64                      # grown by 4 MiB: two whole huge pages
#: _start grows the 1-page memory by PAGES, touches every 4 KiB page, writes
#: "R" to stdout, then blocks reading stdin, so the test can read its
#: mappings while it runs.
WAT = f"""
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (local $a i32)
    (if (i32.ne (memory.grow (i32.const {PAGES})) (i32.const 1)) (then unreachable))
    (loop $l
      (i32.store8 (local.get $a) (i32.const 1))
      (local.set $a (i32.add (local.get $a) (i32.const 4096)))
      (br_if $l (i32.lt_u (local.get $a) (i32.const {(PAGES + 1) * 65536}))))
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 1))
    (i32.store8 (i32.const 16) (i32.const 82))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))))
"""


def mappings(pid: int) -> list[tuple[int, int, str, list[str]]]:
    """(start, end, permissions, VmFlags) of every mapping of ``pid``."""
    out, cur = [], None
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) (\S+)", line)
        if m:
            cur = [int(m.group(1), 16), int(m.group(2), 16), m.group(3), []]
            out.append(cur)
        elif line.startswith("VmFlags:") and cur is not None:
            cur[3] = line.split()[1:]
    return [tuple(c) for c in out]


def run_and_map(exe: Path, env: dict) -> list:
    """The mappings of ``exe`` while it waits on stdin."""
    p = subprocess.Popen([str(exe)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
    try:
        assert p.stdout.read(1) == b"R"
        maps = mappings(p.pid)
    finally:
        p.stdin.close()
        p.wait(timeout=60)
    assert p.returncode == 0
    return maps


@pytest.mark.skipif(not THP.exists(), reason="kernel without transparent huge pages")
@pytest.mark.parametrize("bounds", ["guard", "explicit"])
def test_memory_is_aligned_and_advised(tmp_path, bounds):
    exe = tmp_path / "touch"
    compile_bytes(WAT.encode(), "touch.wat", CompileOptions(bounds=bounds), out=str(exe))
    maps = run_and_map(exe, {**os.environ, "WASMAOT_HUGE_PAGES": "1"})
    huge = 2 << 20
    grown = [m for m in maps if m[2].startswith("rw") and "hg" in m[3]]
    assert len(grown) == 1, [m for m in maps if "hg" in m[3]] or "no mapping advised MADV_HUGEPAGE"
    start, end, _, _ = grown[0]
    # memory = [base, base + 65 pages): base 2 MiB-aligned, advised from base + 2 MiB
    assert start % huge == 0 and end - (start - huge) == (PAGES + 1) * 65536, (hex(start), hex(end))
    initial = [m for m in maps if m[1] == start]
    assert initial and initial[0][0] == start - huge and initial[0][2].startswith("rw"), initial
    assert "hg" not in initial[0][3], "the initial memory must keep small pages"
    rest = [m for m in maps if m[0] == end]
    # the uncommitted rest of the reservation: advised too, so a later grow is covered
    assert rest and rest[0][2].startswith("---") and "hg" in rest[0][3], rest


@pytest.mark.parametrize("value", [None, "0", "yes"])
def test_not_advised_unless_asked(tmp_path, value):
    """Off by default (it costs on VMs whose host reclaims free memory), and
    only the exact value 1 turns it on."""
    exe = tmp_path / "touch"
    compile_bytes(WAT.encode(), "touch.wat", CompileOptions(), out=str(exe))
    env = {k: v for k, v in os.environ.items() if k != "WASMAOT_HUGE_PAGES"}
    if value is not None:
        env["WASMAOT_HUGE_PAGES"] = value
    maps = run_and_map(exe, env)
    assert not [m for m in maps if "hg" in m[3]]
    # still aligned: the 65-page memory is one rw mapping on a 2 MiB boundary
    mem = [m for m in maps if m[2].startswith("rw") and m[1] - m[0] == (PAGES + 1) * 65536]
    assert len(mem) == 1 and mem[0][0] % (2 << 20) == 0, mem
