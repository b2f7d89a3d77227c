"""Full pipeline from Wasm text: frontend -> translator -> IR passes ->
LLVM -> executable, checked against hand-computed results.  Exercises the
translator's real output (block params from Braun SSA, __wasmaot_init with
active segments) rather than hand-written IR."""
import pytest

from wasmaot.backends import CompileOptions, compile_ir
from wasmaot.frontend.load import load_module
from wasmaot.ir.pipeline import PassManager

WAT = r'''
(module
  (type $ii (func (param i32) (result i32)))
  (memory (export "mem") 1 2)
  (table 3 funcref)
  (global $counter (mut i32) (i32.const 100))
  (data (i32.const 8) "\01\00\00\00\02\00\00\00\03\00\00\00")
  (elem (i32.const 0) $fac $sq)
  (func $fac (export "fac") (type $ii)
    (if (result i32) (i32.le_s (local.get 0) (i32.const 1))
      (then (i32.const 1))
      (else (i32.mul (local.get 0) (call $fac (i32.sub (local.get 0) (i32.const 1)))))))
  (func $sq (type $ii) (i32.mul (local.get 0) (local.get 0)))
  (func (export "sum") (param $p i32) (param $n i32) (result i32) (local $s i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $s (i32.add (local.get $s) (i32.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $s))
  (func (export "dispatch") (param i32 i32) (result i32)
    (call_indirect (type $ii) (local.get 0) (local.get 1)))
  (func (export "bump") (result i32)
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (global.get $counter))
  (func (export "divmod") (param i32 i32) (result i32 i32)
    (i32.div_s (local.get 0) (local.get 1)) (i32.rem_s (local.get 0) (local.get 1)))
  (func (export "sw") (param i32) (result i32)
    (block (block (block (br_table 0 1 2 (local.get 0))) (return (i32.const 10)))
      (return (i32.const 11)))
    (i32.const 12))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
)
'''

SCRIPT = [("fac 5", (120,)), ("fac 10", (3628800,)), ("sum 8 3", (6,)), ("sum 8 0", (0,)),
          ("sum 65532 2", "trap out of bounds memory access"),
          ("dispatch 7 0", (5040,)), ("dispatch 7 1", (49,)),
          ("dispatch 7 2", "trap uninitialized element"), ("dispatch 7 3", "trap undefined element"),
          ("bump", (101,)), ("bump", (102,)),
          ("divmod 4294967289 2", (4294967293, 4294967295)), ("divmod 1 0", "trap integer divide by zero"),
          ("sw 0", (10,)), ("sw 1", (11,)), ("sw 2", (12,)), ("sw 99", (12,)),
          ("grow 1", (1,)), ("grow 1", (4294967295,)), ("sum 65532 2", (0,))]


@pytest.fixture(scope="module")
def translate():
    from wasmaot.ir.translate import translate_module
    return translate_module


@pytest.mark.parametrize("bounds,opt", [("guard", 2), ("explicit", 2), ("guard", 0)])
def test_wasm_pipeline(builder, translate, tmp_path, bounds, opt):
    from wasmaot.backends.link import link_executable
    from .conftest import C_DIR, Program
    wasm = load_module(WAT.encode())
    ir = translate(wasm)
    PassManager(verify=True).run_module(ir)
    emitted = compile_ir(ir, CompileOptions(bounds=bounds, opt_level=opt))
    obj = tmp_path / "m.o"
    obj.write_bytes(emitted.object)
    exe = link_executable([obj], tmp_path / "m", "x86_64-linux", bounds,
                          extra_c=[C_DIR / "host.c"], cache_dir=builder.root)
    out = Program(exe, emitted).run(*(c for c, _ in SCRIPT))
    got = [tuple(int(x) for x in l.split()[1:]) if l.startswith("ok") else l for l in out]
    assert got == [w for _, w in SCRIPT]
