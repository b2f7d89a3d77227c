"""Fused cross-component calls (backends/component/fuse.py): a lowering of
another instance's lifted function becomes a direct call only when lift and
lower are the identity and may_enter / may_leave provably hold; every other
lowering keeps the run-time adapter.  Variants of fuse/pair.wat."""
from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest
from wasmaot.backends.component import fuse
from wasmaot.frontend.component import flatten as F
from wasmaot.frontend.component import load_component

from .util import build

PAIR = (pathlib.Path(__file__).resolve().parent / "fuse" / "pair.wat").read_text()
ADD_TYPE = '(param "a" u32) (param "b" u32) (result u32)'
REALLOC = '(result i32) i32.const 8))'

VARIANTS = {
    "pair": (PAIR, [True]),
    # u8 is masked on lift: the adapter stays
    "narrow": (PAIR.replace(ADD_TYPE, '(param "a" u8) (param "b" u8) (result u8)'), [False]),
    "s64": (PAIR.replace(ADD_TYPE, '(param "a" s64) (param "b" s64) (result s64)')
                .replace("(param i32 i32) (result i32) local.get 0 local.get 1 i32.add",
                         "(param i64 i64) (result i64) local.get 0 local.get 1 i64.add")
                .replace("(import \"x\" \"add\" (func $add (param i32 i32) (result i32)))",
                         "(import \"x\" \"add\" (func $add (param i64 i64) (result i64)))")
                .replace("local.get 0 i32.const 1 call $add)",
                         "local.get 0 i64.extend_i32_u i64.const 1 call $add i32.wrap_i64)"), [True]),
    # C's realloc calls the import: may_leave is clear then, canon_lower must trap
    "realloc-calls": (PAIR.replace(REALLOC, "(result i32) i32.const 1 i32.const 2 call $add))"), [False]),
    # an indirect call in the realloc may reach it
    "realloc-indirect": (PAIR.replace(REALLOC, "(result i32) i32.const 0 call_indirect (result i32)))")
                             .replace('(memory (export "mem") 1)', '(memory (export "mem") 1) (table 1 funcref)'),
                         [False]),
    # a canon lower in the parent allows donut wrapping: P's may_enter is live
    "parent-lowers": (PAIR.replace('(instance $c (instantiate $C',
                                   '(core func $low (canon lower (func $p "add")))\n  (instance $c (instantiate $C'),
                      [False, False]),
}


def _flat(wat: str) -> F.FlatComponent:
    data = build(wat)
    return F.flatten_component(load_component(data, "pair"), data)


@pytest.mark.parametrize("name", list(VARIANTS))
def test_which_lowerings_fuse(name):
    wat, expected = VARIANTS[name]
    flat = _flat(wat)
    assert [fuse.fusable(flat, low) for low in flat.lowerings] == expected


@pytest.mark.parametrize("name", ["pair", "narrow", "s64"])
def test_fused_and_adapted_calls_run(tmp_path, name):
    src, exe = tmp_path / "c.wasm", tmp_path / "c"
    src.write_bytes(build(VARIANTS[name][0]))
    subprocess.run([sys.executable, "-m", "wasmaot", "compile", str(src), "-o", str(exe)], check=True)
    for call, out in (("run(41)", "42"), ('len("abc")', "3")):
        r = subprocess.run([str(exe), "--invoke", call], capture_output=True, text=True, check=False)
        assert (r.returncode, r.stdout.strip()) == (0, out), r.stderr


#: fuse/strings.wat through the adapter's copy path: call -> (exit, stdout, stderr).
#: The faults are reported as the generic path reports them, with
#: wasmtime's exit status: invalid UTF-8 is an error of the call (exit 1:
#: wasmtime's transcoders are host calls, "invalid utf8 encoding"), a
#: misaligned list a trap (134).
COPY_CALLS = {
    "good()": (0, "55", ""),
    "sum-good()": (0, "10", ""),
    "bad()": (1, "", "wasmaot: error: invalid utf-8 sequence of 1 bytes from index 2"),
    "sum-misaligned()": (134, "", "wasm trap: list pointer is not aligned"),
}


@pytest.fixture(scope="module")
def strings_exe(tmp_path_factory):
    from .wave import differential as wd
    wasmtime, _ = wd.tools_or_skip()
    d = tmp_path_factory.mktemp("fuse-strings")
    src, exe = d / "s.wasm", d / "s"
    src.write_bytes(build((pathlib.Path(__file__).resolve().parent / "fuse" / "strings.wat").read_text()))
    subprocess.run([sys.executable, "-m", "wasmaot", "compile", str(src), "-o", str(exe)], check=True)
    return wasmtime, src, exe


@pytest.mark.parametrize("call", list(COPY_CALLS))
def test_copy_path_values_and_faults(strings_exe, call):
    wasmtime, src, exe = strings_exe
    ours = subprocess.run([str(exe), "--invoke", call], capture_output=True, text=True, check=False)
    theirs = subprocess.run([wasmtime, "run", "--invoke", call, str(src)], capture_output=True, text=True,
                            check=False)
    code, out, err = COPY_CALLS[call]
    first = ours.stderr.strip().splitlines()[0] if ours.stderr.strip() else ""   # a trap's backtrace follows
    assert (ours.returncode, ours.stdout.strip(), first) == (code, out, err)
    assert theirs.returncode == code and (code or theirs.stdout.strip() == out)
