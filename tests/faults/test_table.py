"""A table of 10^7 elements (WASMAOT_TABLE_ELEMENTS_LIMIT, the resource
limit table.grow honours): defined with that minimum or grown to it, the
last element is callable; one element more is a -1 from table.grow, and an
index past the end is a trap -- never a crash."""
from __future__ import annotations

import re
import resource
from pathlib import Path

import pytest

from .conftest import assert_clean, assert_trap, build, run

REPO = Path(__file__).resolve().parents[2]
TEN_MILLION = 10_000_000

TABLE_WAT = f"""
(module
  (type $t (func (result i32)))
  (table $a {TEN_MILLION} funcref)
  (table $b 0 funcref)
  (func $f (result i32) (i32.const 7))
  (elem declare func $f)
  (func (export "defined") (result i32 i32)
    (table.set $a (i32.const {TEN_MILLION - 1}) (ref.func $f))
    (call_indirect $a (type $t) (i32.const {TEN_MILLION - 1}))
    (table.grow $a (ref.null func) (i32.const 1)))
  (func (export "grown") (result i32 i32 i32 i32)
    (table.grow $b (ref.func $f) (i32.const {TEN_MILLION}))
    (call_indirect $b (type $t) (i32.const {TEN_MILLION - 1}))
    (table.grow $b (ref.null func) (i32.const 1))
    (table.size $b))
  (func (export "grow_twice") (result i32)
    (drop (table.grow $b (ref.null func) (i32.const {TEN_MILLION})))
    (table.grow $b (ref.null func) (i32.const {TEN_MILLION})))
  (func (export "past_end") (result i32)
    (call_indirect $a (type $t) (i32.const {TEN_MILLION})))
  (func (export "null_last") (result i32)
    (call_indirect $a (type $t) (i32.const {TEN_MILLION - 1}))))
"""


def test_limit_is_ten_million():
    """The test's numbers are the runtime's limit (defined once, in C)."""
    h = (REPO / "runtime-c" / "include" / "wasmaot_rt.h").read_text()
    m = re.search(r"#define WASMAOT_TABLE_ELEMENTS_LIMIT (\d+)u", h)
    assert m and int(m.group(1)) == TEN_MILLION


@pytest.fixture(scope="module", params=["guard", "explicit"])
def table_exe(request, tmp_path_factory):
    out = tmp_path_factory.mktemp("table") / f"table_{request.param}"
    return build(TABLE_WAT, out, bounds=request.param)


def call(exe, name):
    r = run([str(exe), "--invoke", name])
    assert_clean(r)
    return r


def test_defined_ten_million(table_exe):
    r = call(table_exe, "defined")
    assert (r.returncode, r.stdout.split()) == (0, ["7", "-1"]), r.stderr


def test_grown_to_ten_million(table_exe):
    r = call(table_exe, "grown")
    assert (r.returncode, r.stdout.split()) == (0, ["0", "7", "-1", str(TEN_MILLION)]), r.stderr


def test_grow_past_limit_is_minus_one(table_exe):
    r = call(table_exe, "grow_twice")
    assert (r.returncode, r.stdout.split()) == (0, ["-1"]), r.stderr


def test_past_end_traps(table_exe):
    assert_trap(call(table_exe, "past_end"), "undefined element")


def test_null_element_traps(table_exe):
    assert_trap(call(table_exe, "null_last"), "uninitialized element")


GROW_ONLY_WAT = f"""
(module
  (type $t (func (result i32)))
  (table $b 1 funcref)
  (func $f (result i32) (i32.const 7))
  (elem (i32.const 0) $f)
  (func (export "grown") (result i32 i32 i32)
    (table.grow $b (ref.null func) (i32.const {TEN_MILLION - 1}))
    (table.size $b)
    (call_indirect $b (type $t) (i32.const 0))))
"""
#: Below what 10^7 elements need (at least 8 bytes each), above what the
#: program needs otherwise.
SMALL_DATA = 48 << 20


def test_grow_the_host_cannot_back_is_minus_one(tmp_path):
    """Storage for 10^7 elements refused (RLIMIT_DATA): table.grow is -1,
    the table unchanged and usable."""
    exe = build(GROW_ONLY_WAT, tmp_path / "grow_only", invoke="grown")
    r = run([str(exe)], rlimit=(resource.RLIMIT_DATA, SMALL_DATA))
    assert_clean(r)
    assert (r.returncode, r.stdout.split()) == (0, ["-1", "1", "7"]), r.stderr
    r = run([str(exe)])
    assert (r.returncode, r.stdout.split()) == (0, ["1", str(TEN_MILLION), "7"]), r.stderr


def test_defined_table_the_host_cannot_back(table_exe):
    """A module whose table of 10^7 cannot be allocated does not start: a
    one-line instantiation error, exit 1."""
    r = run([str(table_exe), "--invoke", "defined"], rlimit=(resource.RLIMIT_DATA, SMALL_DATA))
    assert_clean(r)
    assert r.returncode == 1, r
    assert r.stderr.startswith("wasmaot: instantiation failed: cannot create a memory or table"), r.stderr
    assert len(r.stderr.splitlines()) == 1
