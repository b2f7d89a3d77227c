"""Addressing of 32-bit targets (issue 17, firmware speed): where a memory
access's constant offset goes, and the Cortex-M unroll cap."""
from __future__ import annotations

import re

import pytest
from wasmaot.backends import CompileOptions, _llvm_options
from wasmaot.backends.targets import get_target

#: ``table[i]`` at a constant address (a C global, as a Wasm producer lays
#: it out: the offset of the memarg), in a loop; and a small offset.
WAT = """(module
  (memory 1)
  (func (export "sum") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s)
        (i32.load offset={big} (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $s (i32.add (local.get $s)
        (i32.load offset=8 (i32.shl (local.get $i) (i32.const 2)))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                          (local.get $n))))
    (local.get $s)))
"""


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("WASMAOT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "addr-cache"))


def _llvm(target: str, big: int) -> str:
    """The export's LLVM IR at -O0: the emitter's address arithmetic as
    written, before LLVM moves any of it."""
    from wasmaot.compile import compile_bytes
    opts = CompileOptions(target=target, bounds="explicit", opt_level=0)
    text = compile_bytes(WAT.format(big=big).encode(), "addr.wat", opts, emit="llvm").data
    body = text[text.index("@wasm.f0("):]
    return body[:body.index("\n}\n")]


def _const_geps(body: str) -> list[int]:
    return [int(k) for k in re.findall(r"getelementptr i8, ptr %[\w.]+, i32 (\d+)\b", body)]


@pytest.mark.parametrize("target,big,hoisted", [
    ("cortex-m3", 16400, True),     # past Thumb-2's imm12
    ("cortex-m3", 4000, False),     # fits it: (base + index) + 4000
    ("rv32imac", 3000, True),       # past RISC-V's signed imm12
    ("rv32imac", 2000, False),
])
def test_large_offset_is_added_to_the_base_first(target, big, hoisted):
    body = _llvm(target, big)
    lines = body.splitlines()
    # the loop and loopversion's unchecked copy of it (its exit is i < n)
    k_lines = [i for i, ln in enumerate(lines) if re.search(rf"i32 {big}\b", ln) and "getelementptr" in ln]
    assert len(k_lines) == 2, body
    base_loads = {m.group(1) for m in re.finditer(r"(%[\w.]+) = load ptr", body)}
    for k_line in k_lines:
        gep = re.match(r"\s*(%[\w.]+) = getelementptr i8, ptr (%[\w.]+), i32 \d+", lines[k_line])
        assert gep, lines[k_line]
        # Hoisted: the offset is added to the memory's base itself (a loaded
        # pointer), and the index to that sum; else to base + index.
        assert (gep.group(2) in base_loads) == hoisted, lines[k_line]
    assert 8 in _const_geps(body)   # a small offset is never hoisted


@pytest.mark.parametrize("name,cap", [("cortex-m3", 4), ("cortex-m4f", 4), ("cortex-m33", 4),
                                      ("rv32imac", None), ("x86_64-linux", None)])
def test_every_compile_sets_the_unroll_cap(name, cap):
    """LLVM options are process-global: a target without a cap must spell
    out LLVM's default, or a worker that compiled for a Cortex-M target
    before would keep its cap."""
    t = get_target(name)
    assert t.unroll_max_count == cap
    opts = _llvm_options(t, CompileOptions(target=name, bounds=t.default_bounds))
    (unroll,) = [o for o in opts if o.startswith("-unroll-max-count=")]
    assert unroll == f"-unroll-max-count={cap if cap else (1 << 32) - 1}"


F64_WAT = """(module (memory 1)
  (func (export "st") (param $p i32) (param $x f64) (result f64)
    (f64.store offset=8 (local.get $p) (local.get $x))
    (f64.load offset=16 (local.get $p))))
"""


@pytest.mark.parametrize("target,split", [("cortex-m4f", True), ("cortex-m33", True),
                                          ("cortex-m3", False), ("rv32imac", False)])
def test_f64_access_as_two_words_where_an_fpu_holds_doubles(target, split):
    from wasmaot.compile import compile_bytes
    opts = CompileOptions(target=target, bounds="explicit", opt_level=0)
    text = compile_bytes(F64_WAT.encode(), "f64.wat", opts, emit="llvm").data
    body = text[text.index("@wasm.f0("):]
    body = body[:body.index("\n}\n")]
    assert get_target(target).split_f64_accesses == split
    assert ("store double" in body) != split and ("load double" in body) != split
    # The words: the store's value and the load's result pass a bitcast.
    assert (re.search(r"= bitcast double %[\w.]+ to i64", body) is not None) == split
    assert (re.search(r"= bitcast i64 %[\w.]+ to double", body) is not None) == split
