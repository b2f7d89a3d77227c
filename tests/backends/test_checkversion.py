"""checkversion (ir/passes/checkversion.py) end to end: an interpreter
step ``m[a] = m[b] + m[c]; m[8]++`` (a, b, c bytes) gets a fast copy behind
one ``in_bounds m+1024``; near the end of memory the slow copy runs and
traps exactly where Wasm does, after the stores before the trap."""
from __future__ import annotations

from wasmaot.backends import CompileOptions
from wasmaot.compile import compile_bytes
from wasmaot.ir.pipeline import default_pipeline

from .wast_check import assert_wast_passes

WAT = r'''(module
  (memory 1)
  (func $op (export "op") (param $m i32) (param $i i32)
    (i32.store (i32.add (local.get $m) (i32.shl (i32.load8_u (local.get $i)) (i32.const 2)))
      (i32.add
        (i32.load (i32.add (local.get $m) (i32.shl (i32.load8_u offset=1 (local.get $i)) (i32.const 2))))
        (i32.load (i32.add (local.get $m) (i32.shl (i32.load8_u offset=2 (local.get $i)) (i32.const 2))))))
    (i32.store offset=32 (local.get $m) (i32.add (i32.load offset=32 (local.get $m)) (i32.const 1))))
  (func (export "peek") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "poke") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "insn") (param $a i32) (param $b i32) (param $c i32)
    (i32.store8 (i32.const 0) (local.get $a))
    (i32.store8 (i32.const 1) (local.get $b))
    (i32.store8 (i32.const 2) (local.get $c))))
'''


def _i(*xs):
    return " ".join(f"(i32.const {x})" for x in xs)


# (command, expected): expected None for assert_return of no value.
SCRIPT = [
    # fast copy: m = 256, m[0] = m[1] + m[2]
    (f'(invoke "insn" {_i(0, 1, 2)})', None), (f'(invoke "poke" {_i(260, 5)})', None),
    (f'(invoke "poke" {_i(264, 7)})', None), (f'(invoke "op" {_i(256, 0)})', None),
    (f'(invoke "peek" {_i(256)})', 12), (f'(invoke "peek" {_i(288)})', 1),
    # byte 255: m + 1020 still inside, fast copy
    (f'(invoke "insn" {_i(255, 1, 2)})', None), (f'(invoke "op" {_i(256, 0)})', None),
    (f'(invoke "peek" {_i(1276)})', 12), (f'(invoke "peek" {_i(288)})', 2),
    # m = 65536 - 36: m + 1024 is past the end, the slow copy runs, no trap
    (f'(invoke "insn" {_i(0, 1, 2)})', None), (f'(invoke "poke" {_i(65504, 3)})', None),
    (f'(invoke "poke" {_i(65508, 4)})', None), (f'(invoke "op" {_i(65500, 0)})', None),
    (f'(invoke "peek" {_i(65500)})', 7), (f'(invoke "peek" {_i(65532)})', 1),
    # m = 65536 - 34: m[a] is stored, then m[8] traps; the store stays
    (f'(invoke "poke" {_i(65506, 0)})', None), (f'(invoke "poke" {_i(65510, 9)})', None),
    (f'(invoke "op" {_i(65502, 0)})', "trap"), (f'(invoke "peek" {_i(65502)})', 9),
    # a byte that reaches past the end traps before any store
    (f'(invoke "insn" {_i(200, 1, 2)})', None), (f'(invoke "poke" {_i(65000, 0)})', None),
    (f'(invoke "op" {_i(65000, 0)})', "trap"), (f'(invoke "peek" {_i(65000)})', 0),
]


def _wast() -> str:
    out = [WAT]
    for cmd, want in SCRIPT:
        if want == "trap":
            out.append(f'(assert_trap {cmd} "out of bounds memory access")')
        elif want is None:
            out.append(f"(assert_return {cmd})")
        else:
            out.append(f"(assert_return {cmd} (i32.const {want}))")
    return "\n".join(out) + "\n"


def test_op_is_versioned():
    ir = compile_bytes(WAT.encode(), "op.wat", CompileOptions(bounds="explicit"), emit="ir",
                       passes=default_pipeline("explicit")).data
    op = ir[ir.index("function %op"):]
    op = op[:op.index("\n}\n")]
    assert "in_bounds mem0" in op and "+1024" in op, op


def test_versioned_traps_exact(tmp_path):
    path = tmp_path / "checkversion.wast"
    path.write_text(_wast())
    assert_wast_passes(path, "explicit", len(SCRIPT) + 1)
