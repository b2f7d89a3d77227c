"""memory.grow that the host cannot back returns -1 and the program goes on.

``run`` grows by its argument, then stores and loads at address 100 and
returns (grow result, memory.size, the loaded value): after a failed grow
the memory is unchanged and still usable.

How the host is made unable to back a grow, in the child only:
- RLIMIT_DATA limits private writable memory: committing pages (mprotect
  to read/write, in both bounds modes) fails with ENOMEM.
- RLIMIT_AS (``ulimit -v``) limits address space: a guard-mode memory
  cannot even reserve its 8 GiB, so instantiation fails with a one-line
  error and exit 1; an explicit-mode memory falls back to the least
  reservation and a grow that must move fails with -1.
"""
from __future__ import annotations

import resource

import pytest

from .conftest import assert_clean, assert_trap, build, run

MIB = 1 << 20
GROW_WAT = """
(module
  (memory 1)
  (func (export "run") (param i32) (result i32 i32 i32)
    (local $r i32)
    (local.set $r (memory.grow (local.get 0)))
    (i32.store (i32.const 100) (i32.const 42))
    (local.get $r) (memory.size) (i32.load (i32.const 100))))
"""
GIB_PAGES = 16384          # 1 GiB in Wasm pages


@pytest.fixture(scope="module", params=["guard", "explicit"])
def grow_exe(request, tmp_path_factory):
    out = tmp_path_factory.mktemp("grow") / f"grow_{request.param}"
    return request.param, build(GROW_WAT, out, bounds=request.param, invoke="run")


def results(r) -> list[int]:
    assert_clean(r)
    assert r.returncode == 0, r.stderr
    return [int(x) for x in r.stdout.split()]


def test_grow_works_unlimited(grow_exe):
    _, exe = grow_exe
    assert results(run([str(exe), str(GIB_PAGES)])) == [1, GIB_PAGES + 1, 42]


def test_grow_beyond_data_limit_is_minus_one(grow_exe):
    _, exe = grow_exe
    r = run([str(exe), str(GIB_PAGES)], rlimit=(resource.RLIMIT_DATA, 256 * MIB))
    assert results(r) == [-1, 1, 42]


def test_small_grow_within_data_limit_works(grow_exe):
    _, exe = grow_exe
    r = run([str(exe), "100"], rlimit=(resource.RLIMIT_DATA, 256 * MIB))
    assert results(r) == [1, 101, 42]


def test_limited_address_space(grow_exe):
    bounds, exe = grow_exe
    r = run([str(exe), str(GIB_PAGES)], rlimit=(resource.RLIMIT_AS, 512 * MIB))
    if bounds == "guard":
        # No room for the 8 GiB reservation: a clear one-line error.
        assert_clean(r)
        assert r.returncode == 1, r
        assert r.stderr.startswith("wasmaot: instantiation failed: cannot create a memory"), r.stderr
        assert "guard-mode memory reserves 8 GiB" in r.stderr
        assert len(r.stderr.splitlines()) == 1
    else:
        assert results(r) == [-1, 1, 42]
        r = run([str(exe), "100"], rlimit=(resource.RLIMIT_AS, 512 * MIB))
        assert results(r) == [1, 101, 42]


FOUR_GIB_WAT = """
(module
  (memory 1 65536)
  (func (export "run") (result i32 i32 i32 i32)
    (memory.grow (i32.const 65534))                       ;; to 4 GiB - 64 KiB: 1
    (i32.store (i32.const 0xFFFEFFFC) (i32.const 0x5eed))
    (i32.load (i32.const 0xFFFEFFFC))
    (memory.grow (i32.const 1))                           ;; past the cap: -1
    (memory.size))
  (func (export "past_end") (result i32)
    (drop (memory.grow (i32.const 65535)))                ;; -1: still 1 page
    (drop (memory.grow (i32.const 65534)))
    (i32.load offset=1 (i32.const 0xFFFEFFFC))))
"""


@pytest.mark.parametrize("bounds", ["guard", "explicit"])
def test_grow_to_the_memory_cap(tmp_path, bounds):
    """The largest memory: 4 GiB less one page (WASMAOT_MAX_MEMORY_BYTES),
    though the type allows 65536 pages; its last word is usable, one more
    page is -1, an access crossing its end traps."""
    exe = build(FOUR_GIB_WAT, tmp_path / "four", bounds=bounds)
    assert results(run([str(exe), "--invoke", "run"])) == [1, 0x5eed, -1, 65535]
    assert_trap(run([str(exe), "--invoke", "past_end"]), "out of bounds memory access")


@pytest.mark.parametrize("bounds", ["guard", "explicit"])
def test_initial_memory_the_host_cannot_back(tmp_path, bounds):
    """A 2 GiB initial memory under a 256 MiB data limit: the program does
    not start, with one line and exit 1."""
    wat = '(module (memory 32768) (func (export "run") (result i32) (i32.const 1)))'
    exe = build(wat, tmp_path / "big_initial", bounds=bounds, invoke="run")
    r = run([str(exe)], rlimit=(resource.RLIMIT_DATA, 256 * MIB))
    assert_clean(r)
    assert r.returncode == 1, r
    assert r.stderr.startswith("wasmaot: instantiation failed: cannot create a memory or table"), r.stderr
    assert len(r.stderr.splitlines()) == 1
    assert results(run([str(exe)])) == [1]


N_MEMORIES = 20
SPACE_FOR_FEW = 64 << 30      # room for 7 guard reservations, 15 explicit ones


@pytest.mark.parametrize("bounds", ["guard", "explicit"])
def test_address_space_for_many_memories(tmp_path, bounds):
    """20 instances with a memory each in one program, with 64 GiB of
    address space: guard mode (8 GiB each) cannot start, one line and exit
    1; explicit mode (4 GiB reservations, then the least one) runs."""
    pre = []
    for i in range(N_MEMORIES):
        p = tmp_path / f"m{i}.wat"
        p.write_text(f'(module (memory 1) (func (export "f") (result i32)'
                     f' (i32.store (i32.const 8) (i32.const {i})) (i32.load (i32.const 8))))')
        pre.append((f"m{i}", str(p)))
    imports = "".join(f'(import "m{i}" "f" (func $f{i} (result i32)))' for i in range(N_MEMORIES))
    adds = "".join(f"(call $f{i}) (i32.add)" for i in range(N_MEMORIES))
    wat = f'(module {imports} (func (export "sum") (result i32) (i32.const 0) {adds}))'
    exe = build(wat, tmp_path / "many", bounds=bounds, invoke="sum", preloads=pre)
    r = run([str(exe)], rlimit=(resource.RLIMIT_AS, SPACE_FOR_FEW))
    total = N_MEMORIES * (N_MEMORIES - 1) // 2
    if bounds == "guard":
        assert_clean(r)
        assert r.returncode == 1, r
        assert r.stderr.startswith("wasmaot: instantiation failed: cannot create a memory"), r.stderr
        assert len(r.stderr.splitlines()) == 1
        assert results(run([str(exe)])) == [total]
    else:
        assert results(r) == [total]
