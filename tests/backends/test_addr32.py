"""addr32 loads (backends/llvm/addr32.py): on x86-64, in guard mode, a load
from the segment-addressed memory at an address ``iadd ...`` with a static
offset of 0 computes its address in the instruction, in 32 bits.  Checked in
the LLVM text (which loads, which operands) and by running an executable
whose loads wrap around 2^32, land past the memory's end, or carry an offset
that must not wrap, against the Wasm semantics computed here."""
from __future__ import annotations

import re
import struct
import subprocess

import pytest

from wasmaot.backends import CompileOptions, compile_ir
from wasmaot.backends.llvm import addr32
from wasmaot.backends.targets import get_target
from wasmaot.frontend.load import load_module
from wasmaot.ir.pipeline import PassManager
from wasmaot.ir.translate import translate_module

DATA = bytes(range(1, 9)) + bytes([0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF, 0x80])
PAGE = 65536

WAT = r'''(module (memory 1)
  (data (i32.const 0) "\01\02\03\04\05\06\07\08\f9\fa\fb\fc\fd\fe\ff\80")
  (func (export "add32") (param i32 i32) (result i32)
    (i32.load (i32.add (local.get 0) (local.get 1))))
  (func (export "scaled") (param i32 i32) (result i32)
    (i32.load (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2)))))
  (func (export "disp_u8") (param i32 i32) (result i32)
    (i32.load8_u (i32.add (i32.add (local.get 0) (i32.const -3)) (local.get 1))))
  (func (export "s8_64") (param i32 i32) (result i64)
    (i64.load8_s (i32.add (local.get 0) (local.get 1))))
  (func (export "s16") (param i32 i32) (result i32)
    (i32.load16_s (i32.add (local.get 0) (local.get 1))))
  (func (export "u32_64") (param i32 i32) (result i64)
    (i64.load32_u (i32.add (local.get 0) (local.get 1))))
  (func (export "f64_bits") (param i32 i32) (result i64)
    (i64.reinterpret_f64 (f64.load (i32.add (local.get 0) (local.get 1)))))
  (func (export "off4") (param i32 i32) (result i32)
    (i32.load offset=4 (i32.add (local.get 0) (local.get 1))))
  (func (export "plain") (param i32) (result i32)
    (i32.load (local.get 0)))
  (func (export "proven") (param i32 i32) (result i32) (local i32)
    (local.set 2 (i32.add (local.get 0) (local.get 1)))
    (i32.store (local.get 2) (i32.const 7))
    (i32.load (local.get 2)))
  (func (export "flat") (param i32 i32) (result i32)
    (i32.load8_u (i32.sub (i32.add (local.get 0) (local.get 1)) (i32.const 3)))))
'''

#: export -> (bytes, signed, how the address is formed from the two args)
LOADS = {
    "add32": (4, False, lambda a, b: a + b),
    "scaled": (4, False, lambda a, b: a + (b << 2)),
    "disp_u8": (1, False, lambda a, b: a - 3 + b),
    "flat": (1, False, lambda a, b: a + b - 3),
    "s8_64": (1, True, lambda a, b: a + b),
    "s16": (2, True, lambda a, b: a + b),
    "u32_64": (4, False, lambda a, b: a + b),
    "f64_bits": (8, False, lambda a, b: a + b),
}
RESULT_BITS = {"s8_64": 64, "u32_64": 64, "f64_bits": 64}


def _llvm(*, segment: bool = True, bounds: str = "guard", target: str = "x86_64-linux") -> str:
    ir = translate_module(load_module(WAT.encode()))
    PassManager(verify=True).run_module(ir)
    opts = CompileOptions(target=target, bounds=bounds, opt_level=0).for_executable(segment=segment)
    return compile_ir(ir, opts).source


ORDER = ("add32", "scaled", "disp_u8", "s8_64", "s16", "u32_64", "f64_bits", "off4",
         "plain", "proven", "flat")


def _body(src: str, name: str) -> str:
    """Function ``name``'s text (functions are ``wasm.fN`` in WAT order)."""
    body = src[src.index(f"@wasm.f{ORDER.index(name)}(ptr"):]
    return body[:body.index("\n}\n")]


needs_host = pytest.mark.skipif(not addr32.available(get_target("x86_64-linux")),
                                reason="addr32 loads are emitted on x86-64 hosts only")


@needs_host
def test_which_loads_compute_their_address():
    src = _llvm()
    want = {
        "add32": r'"addr32 movl %gs:\(\$1,\$2\), \$\{0\}", "=r,r,r,~\{memory\}"',
        "scaled": r'"addr32 movl %gs:\(\$1,\$2,4\), \$\{0\}"',
        "disp_u8": r'"addr32 movzbl %gs:-3\(\$1,\$2\), \$\{0\}"',
        # (a + b) - 3: the constant peeled off, the sum taken apart
        "flat": r'"addr32 movzbl %gs:-3\(\$1,\$2\), \$\{0\}"',
        "s8_64": r'"addr32 movsbq %gs:\(\$1,\$2\), \$\{0\}"',
        "s16": r'"addr32 movswl %gs:\(\$1,\$2\), \$\{0\}"',
        "u32_64": r'"addr32 movl %gs:\(\$1,\$2\), \$\{0:k\}"',
        "f64_bits": r'"addr32 movsd %gs:\(\$1,\$2\), \$\{0\}", "=x,r,r,~\{memory\}"',
    }
    for name, pattern in want.items():
        body = _body(src, name)
        assert re.search(r"call \w+ asm sideeffect " + pattern, body), (name, body)
        assert "load volatile" not in body, name
    # a memarg offset is added without wrapping: the prefix would wrap it
    assert "addr32" not in _body(src, "off4")
    # nothing to compute; and a load the store before it proved in bounds
    # is LLVM's to optimise (no keep, so no asm)
    assert "addr32" not in _body(src, "plain")
    assert "addr32" not in _body(src, "proven")


@pytest.mark.parametrize("kw", [dict(segment=False), dict(bounds="explicit"),
                                dict(target="aarch64-linux")],
                         ids=["no-segment", "explicit", "aarch64"])
def test_nowhere_else(kw):
    assert "addr32" not in _llvm(**kw)


def _expected(name: str, a: int, b: int) -> str | None:
    """What the export returns for (a, b) under the Wasm semantics, or None
    for an out-of-bounds trap."""
    n, signed, form = LOADS[name]
    ea = form(a, b) & 0xFFFFFFFF
    if ea + n > PAGE:
        return None
    raw = (DATA + bytes(PAGE - len(DATA)))[ea:ea + n]
    v = int.from_bytes(raw, "little", signed=signed)
    bits = RESULT_BITS.get(name, 32)
    if v < 0:
        v += 1 << bits
    return str(v - (1 << bits) if v >= 1 << (bits - 1) else v)


#: second arguments: byte offsets, or (scaled) word indexes; 1 << 30
#: words is 2^32 bytes, which must wrap to nothing
B_ARGS = {False: (0, 4, 5, -4, -8, 16, PAGE - 2, 1 << 30),
          True: (0, 1, 2, -1, -2, PAGE // 4 - 1, 1 << 30, (1 << 30) + 1)}
ARGS = (0, 1, 3, 4, 8, 12, PAGE - 8, PAGE - 4, PAGE - 1, PAGE, -1, -3, -4, -16, 1 << 31, (1 << 31) - 1)


def _exe(tmp_path, wat: str, invoke: str):
    """``wasmaot compile`` of ``wat`` (default export ``invoke``)."""
    src = tmp_path / "m.wat"
    src.write_text(wat)
    exe = tmp_path / "m"
    r = subprocess.run(["wasmaot", "compile", str(src), "-o", str(exe), "--invoke", invoke],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return exe


def _traps(out) -> bool:
    return out.returncode != 0 and "out of bounds memory access" in out.stderr


def _run(exe, *args):
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True)


@needs_host
def test_wrapping_sums_and_traps(tmp_path):
    exe = _exe(tmp_path, WAT, "add32")
    checked = traps = 0
    for name in LOADS:
        for a in ARGS:
            for b in B_ARGS[name == "scaled"]:
                want = _expected(name, a, b)
                out = _run(exe, "--invoke", name, _i32(a), _i32(b))
                if want is None:
                    assert _traps(out), (name, a, b, out)
                    traps += 1
                else:
                    assert out.returncode == 0 and out.stdout.strip() == want, (name, a, b, want, out)
                checked += 1
    assert traps > 20 and checked - traps > 100, (checked, traps)


def _i32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >= 1 << 31 else v


@needs_host
def test_an_offset_past_2_32_still_traps(tmp_path):
    # (a + b) wraps to 0xfffffffc, + offset 4 is 2^32: out of bounds, though
    # the 32-bit sum of all three would be 0
    exe = _exe(tmp_path, WAT, "off4")
    assert _traps(_run(exe, -8, 4))
    ok = _run(exe, -8, 8)
    assert ok.returncode == 0 and ok.stdout.strip() == str(struct.unpack("<i", DATA[4:8])[0])


SMALL_PAGES = r'''(module (memory 10 (pagesize 1))
  (func (export "ld") (param i32 i32) (result i32)
    (i32.load8_u (i32.add (local.get 0) (local.get 1)))))
'''


@needs_host
def test_a_memory_of_1_byte_pages_keeps_its_check(tmp_path):
    # guard mode checks such a memory's accesses explicitly (its end is not
    # a page boundary, so no fault marks it): an addr32 load would skip the
    # check and read the byte past the end
    exe = _exe(tmp_path, SMALL_PAGES, "ld")
    ok = _run(exe, 5, 4)
    assert ok.returncode == 0 and ok.stdout.strip() == "0"
    out = _run(exe, 5, 5)
    assert _traps(out), out
