"""custom-page-sizes (proposal): memories of 1-byte or 65536-byte pages,
executed natively through ``wasmaot spectest`` on x86-64 in both bounds
modes: the proposal's scripts, wasmtime's ``custom-page-sizes/`` files (and
its top-level ``memory_fill.wast``, which mixes page sizes), and a script of
ours for what those leave out (memory64 with 1-byte pages, guard mode at a
page end inside a host page, linking by page size, the IR round trip).

What runs and what does not:

* ``proposals/custom-page-sizes``: every script runs.  Its scripts use two
  memories and i64 memories, so the spec runner must keep multi-memory and
  memory64 on for them (spec-tests/runner.py ``script_features``,
  ``_WRITTEN_WITH``); custom-page-sizes is off for every other spec-suite
  script (Wasm 3.0 calls limits flag 0x08 malformed).  Their
  differences from the rest of the suite (one bound the later proposal text
  calls invalid, and a link error's wording) are in
  spec-tests/expected_failures.py.
* wasmtime's ``custom-page-sizes/``: ``max-size-invalid-shared-memory.wast``
  needs threads (shared memories); the differences of the others (wording,
  wasmtime's own 4 GiB limits) are listed in spec-tests/wasmtime_misc.py.

Guard mode checks a 1-byte-page memory's accesses explicitly
(backends/llvm/traps.py): its end need not be a host page boundary."""
import os
import re
import shutil
import subprocess
import sys

import pytest
from wasmaot.frontend.binary import decode_module
from wasmaot.frontend.errors import InvalidError, MalformedError, UnsupportedError
from wasmaot.frontend.features import DEFAULT
from wasmaot.frontend.text import parse_wat
from wasmaot.frontend.validate import validate_module
from wasmaot.spectest.runner import script_features

from .proposal_run import MISC, run_all_pass, run_spectest

MODES = ["guard", "explicit"]

#: Ours: what the proposal's and wasmtime's scripts do not exercise.
OURS = r'''
(module $small
  (memory (export "mem") 3 (pagesize 1))
  (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load32") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size)))
(register "small" $small)
(assert_return (invoke "store" (i32.const 2) (i32.const 7)))
(assert_return (invoke "load" (i32.const 2)) (i32.const 7))
(assert_trap (invoke "load" (i32.const 3)) "out of bounds memory access")
(assert_trap (invoke "load32" (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "grow" (i32.const 1)) (i32.const 3))
(assert_return (invoke "load32" (i32.const 0)) (i32.const 0x70000))
(assert_trap (invoke "load32" (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "grow" (i32.const 4093)) (i32.const 4))
(assert_return (invoke "size") (i32.const 4097))
(assert_return (invoke "load" (i32.const 4096)) (i32.const 0))
(assert_trap (invoke "load" (i32.const 4097)) "out of bounds memory access")

(module $imp
  (import "small" "mem" (memory 1 (pagesize 1)))
  (func (export "size") (result i32) (memory.size)))
(assert_return (invoke $imp "size") (i32.const 4097))
(assert_unlinkable
  (module (import "small" "mem" (memory 1 (pagesize 65536))))
  "incompatible import type")

(module
  (memory $b i64 0 (pagesize 1))
  (memory $l i64 1 1)
  (func (export "grow") (param i64) (result i64) (memory.grow $b (local.get 0)))
  (func (export "size") (result i64) (memory.size $b))
  (func (export "load") (param i64) (result i32) (i32.load8_u $b (local.get 0)))
  (func (export "fill") (param i64 i32 i64) (memory.fill $b (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i64 i64 i64) (memory.copy $l $b (local.get 0) (local.get 1) (local.get 2)))
  (func (export "load_l") (param i64) (result i32) (i32.load8_u $l (local.get 0))))
(assert_return (invoke "grow" (i64.const 0x1_0000_0000)) (i64.const -1))
(assert_return (invoke "grow" (i64.const 0)) (i64.const 0))
(assert_return (invoke "grow" (i64.const 5)) (i64.const 0))
(assert_return (invoke "size") (i64.const 5))
(assert_return (invoke "fill" (i64.const 1) (i32.const 9) (i64.const 4)))
(assert_trap (invoke "fill" (i64.const 1) (i32.const 9) (i64.const 5)) "out of bounds memory access")
(assert_return (invoke "load" (i64.const 4)) (i32.const 9))
(assert_trap (invoke "load" (i64.const 5)) "out of bounds memory access")
(assert_return (invoke "copy" (i64.const 65534) (i64.const 3) (i64.const 2)))
(assert_return (invoke "load_l" (i64.const 65535)) (i32.const 9))
(assert_trap (invoke "copy" (i64.const 0) (i64.const 4) (i64.const 2)) "out of bounds memory access")
'''


def _commands(text: str) -> int:
    """The script's counted commands: modules and assertions (at line starts)."""
    return len(re.findall(r"^\((?:assert_|module)", text, re.MULTILINE))


@pytest.mark.parametrize("bounds", MODES)
def test_proposal_scripts(suite, bounds, tmp_path):
    folder = suite / "proposals" / "custom-page-sizes"
    files = sorted(folder.glob("*.wast"))
    assert [f.name for f in files] == ["custom-page-sizes-invalid.wast",
                                       "custom-page-sizes.wast", "memory_max.wast"]
    fs = script_features(str(files[0]), DEFAULT)
    assert "multi-memory" in fs and "memory64" in fs and "custom-page-sizes" in fs
    passed, skipped = run_spectest(["--target", "x86_64-linux", "--bounds", bounds, *files],
                                   tmp_path)
    assert skipped == 0
    assert passed >= 71, passed          # 74 commands, 3 listed differences


@pytest.mark.parametrize("bounds", MODES)
def test_wasmtime_files(bounds, tmp_path):
    folder = MISC / "custom-page-sizes"
    if not folder.is_dir():
        pytest.skip(f"wasmtime's regression tests not found at {MISC}")
    passed, skipped = run_spectest(["--harness", "wasmtime", "--bounds", bounds, folder,
                                    MISC / "memory_fill.wast"], tmp_path)
    assert skipped == 1                  # max-size-invalid-shared-memory.wast: threads
    # max-size-invalid.wast's memory of 2^32-2 one-byte pages is past the
    # memory cap (spec-tests/wasmtime_misc.py lists the file)
    assert passed >= 60 + 42, passed


@pytest.mark.parametrize("args", [["--bounds", "guard"], ["--bounds", "explicit"],
                                  ["--bounds", "guard", "--via-ir"]],
                         ids=["guard", "explicit", "guard-via-ir"])
def test_our_script(args, tmp_path):
    script = tmp_path / "pages.wast"
    script.write_text(OURS)
    assert run_all_pass([*args, script], tmp_path) == _commands(OURS)


def _decode(wat: str):
    m = decode_module(parse_wat(wat, "t.wat"), "t.wat")
    validate_module(m)
    return m


def test_the_text_and_binary_forms():
    m = _decode('(module (import "a" "b" (memory 0 (pagesize 1))) (memory i64 2 3 '
                '(pagesize 65536)) (memory (pagesize 1) (data "abcde")))')
    assert [(t.page_size_log2, t.limits.min, t.limits.max) for t in m.mem_types] == [
        (0, 0, None), (16, 2, 3), (0, 5, 5)]
    # (pagesize 65536) is the default type, spelled out
    assert m.mem_types[1].custom_page_size and m.mem_types[1] == _decode(
        "(module (memory i64 2 3))").mem_types[0]
    data = parse_wat("(module (memory 1 2 (pagesize 1)))")
    assert data.endswith(b"\x05\x05\x01\x09\x01\x02\x00"), data.hex()


@pytest.mark.parametrize("wat,error,message", [
    ("(module (memory 0 (pagesize 3)))", MalformedError, "invalid custom page size"),
    ("(module (memory 0 (pagesize 0)))", MalformedError, "invalid custom page size"),
    ("(module (memory 0 (pagesize 4096)))", InvalidError, "invalid custom page size"),
    ("(module (memory 0 (pagesize 0x20000)))", InvalidError, "invalid custom page size"),
    ("(module (memory 0x1_0000_0000 (pagesize 1)))", InvalidError,
     "memory size must be at most 4294967295 pages (4GiB)"),
    ("(module (memory 65537 (pagesize 65536)))", InvalidError,
     "memory size must be at most 65536 pages (4GiB)"),
    ("(module (memory i64 0x1_0000_0000_0001))", InvalidError,
     "memory size must be at most 2^48 pages"),
])
def test_rejections(wat, error, message):
    with pytest.raises(error) as ei:
        _decode(wat)
    assert message in str(ei.value) and not isinstance(ei.value, UnsupportedError)


def test_the_largest_memories_validate():
    _decode("(module (memory 0xFFFF_FFFF (pagesize 1)))")
    _decode("(module (memory i64 0xFFFF_FFFF_FFFF_FFFF (pagesize 1)))")
    _decode("(module (memory i64 0x1_0000_0000_0000))")


def _module(*sections: bytes) -> bytes:
    out = b"\0asm\x01\0\0\0"
    for sid, payload in sections:
        out += bytes((sid, len(payload))) + payload
    return out


@pytest.mark.parametrize("payload,message", [
    (b"\x01\x08\x00\x41", "invalid custom page size"),      # 2**65 does not fit a u64
    (b"\x01\x08\x00", "unexpected end"),                    # the page size is missing
])
def test_binary_page_size_errors(payload, message):
    with pytest.raises(MalformedError) as ei:
        decode_module(_module((5, payload)))
    assert message in str(ei.value)


def test_a_table_has_no_page_size():
    """Flag bit 3 is a memory's: on a table it is plainly malformed, not a
    proposal we lack."""
    with pytest.raises(MalformedError) as ei:
        decode_module(_module((4, b"\x01\x70\x08\x00\x10")))
    assert not isinstance(ei.value, UnsupportedError), ei.value


#: Firmware: a 32-byte memory that may grow by one byte (33 bytes of RAM).
FIRMWARE = r'''
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 32 33 (pagesize 1))
  (data (i32.const 8) "tiny\n")
  (func $say (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16))))
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 8))
    (i32.store (i32.const 4) (i32.const 5))
    (call $say)
    (drop (memory.grow (i32.const 1)))
    (i32.store8 (i32.const 32) (i32.const 1))
    (call $say)
    (i32.store8 (i32.const 33) (i32.const 1))))
'''


def _run(cmd, tmp_path, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run(list(map(str, cmd)), check=False, capture_output=True, text=True,
                          timeout=timeout,
                          env={**os.environ, "WASMAOT_CACHE_DIR": str(tmp_path / "cache")})


def test_a_33_byte_memory_on_a_microcontroller(tmp_path):
    """The firmware case the proposal is for: the image reserves the
    memory's 33 bytes, grows into the last one and traps one byte beyond."""
    src, elf = tmp_path / "tiny.wat", tmp_path / "tiny.elf"
    src.write_text(FIRMWARE)
    wasmaot = [sys.executable, "-m", "wasmaot"]
    r = _run([*wasmaot, "compile", "--target", "cortex-m3", "--board", "mps2-an385", src,
              "-o", elf], tmp_path)
    assert r.returncode == 0, r.stderr
    r = _run([*wasmaot, "size", elf], tmp_path)
    assert re.search(r"linear memory\s+33\b", r.stdout), r.stdout
    if shutil.which("qemu-system-arm") is None:
        pytest.skip("qemu-system-arm not installed: the image is not run")
    r = _run(["qemu-system-arm", "-M", "mps2-an385", "-nographic", "-monitor", "none",
              "-serial", "none", "-semihosting-config", "enable=on,target=native",
              "-kernel", elf], tmp_path, timeout=60)
    assert (r.returncode, r.stdout) == (134, "tiny\ntiny\n"), (r.returncode, r.stdout, r.stderr)
    assert "out of bounds memory access" in r.stderr
