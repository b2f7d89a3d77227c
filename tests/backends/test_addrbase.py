"""Address bases hoisted before a loop stay hoisted (backends/llvm/addrbase.py):
the emitter freezes them, so LLVM's Reassociate cannot factor their parts
back into the loop's address arithmetic."""
from __future__ import annotations

import re
import subprocess

import pytest

from wasmaot.backends import CompileOptions
from wasmaot.backends.llvm.addrbase import frozen_bases
from wasmaot.frontend.binary import decode_module
from wasmaot.frontend.text import parse_wat
from wasmaot.ir.opcodes import Opcode
from wasmaot.ir.translate import translate

# brotli's hash chain in small: base = buckets + (key << bits << 2) before
# the loop, base + ((i & mask) << 2) in it.
LOOP = """(module (memory 1)
  (func (export "sum") (param $key i32) (param $bits i32) (param $n i32) (result i32)
    (local $base i32) (local $mask i32) (local $i i32) (local $s i32)
    (local.set $mask (i32.load (i32.const 4)))
    (local.set $base (i32.add (i32.load (i32.const 0))
                              (i32.shl (i32.shl (local.get $key) (local.get $bits)) (i32.const 2))))
    %s
    (loop $l
      (local.set $s (i32.add (local.get $s)
          (i32.load (i32.add (local.get $base)
                             (i32.shl (i32.and (local.get $i) (local.get $mask)) (i32.const 2))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s))
  (data (i32.const 0) "\\40\\00\\00\\00\\07\\00\\00\\00")
  (data (i32.const 64) "\\01\\00\\00\\00\\02\\00\\00\\00\\03\\00\\00\\00\\04\\00\\00\\00"
                       "\\05\\00\\00\\00\\06\\00\\00\\00\\07\\00\\00\\00\\08\\00\\00\\00")
  (data (i32.const 96) "\\0a\\00\\00\\00\\14\\00\\00\\00\\1e\\00\\00\\00\\28\\00\\00\\00"
                       "\\32\\00\\00\\00\\3c\\00\\00\\00\\46\\00\\00\\00\\50\\00\\00\\00"))"""


def _func(wat: str):
    tr = translate(decode_module(parse_wat(wat)))
    return tr.module.funcs[0].body


def _base_value(func) -> int:
    """The value the loop's address sum adds to: the hoisted base."""
    dfg, lay = func.dfg, func.layout
    for b in lay.blocks():
        for i in lay.insts(b):
            if dfg.access_bytes(i) > 0 and dfg.inst_args(i):
                addr = dfg.value_inst(dfg.inst_args(i)[0])
                if addr is None or dfg.op[addr] != Opcode.iadd:
                    continue
                for x in dfg.inst_args(addr):
                    d = dfg.value_inst(x)
                    if d is not None and dfg.op[d] == Opcode.iadd and lay.inst_block(d) != b:
                        return int(x)
    raise AssertionError("no address sum with a base from another block")


def test_the_base_of_an_address_in_a_loop_is_frozen():
    func = _func(LOOP % "")
    assert frozen_bases(func) == {_base_value(func)}


def test_no_loop_no_freeze():
    # the same sums, straight-line: a block boundary alone is no reason
    wat = LOOP % "(block $b (br_if $b (local.get $n)))"
    straight = wat.replace("(loop $l", "(block $l").replace("(br_if $l", "(drop")
    assert frozen_bases(_func(straight)) == frozenset()
    assert frozen_bases(_func(wat))                     # with the loop: frozen


def _loop(llvm: str) -> str:
    """The exported function's text from its loop header (the block with
    the phis) to its end: the loop, its exit, its trap blocks."""
    body = llvm[llvm.index("@wasm_export_sum("):]
    body = body[:body.index("\n}\n")]
    phi_line = body.rindex("\n", 0, body.index(" phi "))
    return body[body.rindex("\n", 0, phi_line):]         # from the header's label


@pytest.mark.parametrize("bounds", ["guard", "explicit"])
def test_llvm_keeps_one_base_in_the_loop(bounds):
    from wasmaot.compile import compile_bytes
    res = compile_bytes(parse_wat(LOOP % ""), "loop.wat",
                        CompileOptions(opt_level=2, bounds=bounds), emit="llvm")
    loop = _loop(res.data)
    assert "freeze i32" in res.data
    # i32 adds: the address ((i & mask) << 2, plus the one base), the sum,
    # the counter; LLVM's factoring adds the key's part in the loop instead
    assert len(re.findall(r"= add (nuw |nsw )*i32", loop)) == 3, loop


def test_results_do_not_change(tmp_path):
    exe = tmp_path / "sum"
    src = tmp_path / "loop.wasm"
    src.write_bytes(parse_wat(LOOP % ""))
    r = subprocess.run(["wasmaot", "compile", str(src), "--invoke", "sum", "-o", str(exe)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    # base = 64 + (key << bits << 2), mask 7: words base/4 + (i & 7)
    words = list(range(1, 9)) + [10, 20, 30, 40, 50, 60, 70, 80]
    for key, bits, n in ((0, 0, 8), (1, 3, 16), (0, 5, 3)):
        base = (64 + ((key << bits) << 2) - 64) // 4
        want = sum(words[base + (i & 7)] for i in range(max(n, 1)))
        out = subprocess.run([str(exe), str(key), str(bits), str(n)], capture_output=True, text=True)
        assert out.returncode == 0 and out.stdout.strip() == str(want), (key, bits, n, out)
