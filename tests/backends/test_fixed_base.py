"""CompileOptions.fixed_base (a firmware image: baremetal.c never moves a
memory): a function that calls inside a loop loads the memory's base once,
in its entry block (backends/llvm/memory.memory_base); other functions,
and objects for other hosts, load it at each access as before, never as
an ``!invariant.load`` (LLVM rematerializes those inside hot loops)."""
from __future__ import annotations

from wasmaot.backends import CompileOptions, compile_ir
from wasmaot.frontend.load import load_module
from wasmaot.ir.pipeline import PassManager
from wasmaot.ir.translate import translate_module

WAT = r'''(module
  (memory 1)
  (func $f (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "loop") (param $n i32) (result i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (call $f (local.get $n))))
      (i32.store (local.get $n) (local.get $s))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $s))
  (func (export "once") (param i32) (result i32)
    (i32.add (call $f (local.get 0)) (i32.load (local.get 0)))))
'''


def _llvm(fixed: bool) -> str:
    ir = translate_module(load_module(WAT.encode()))
    PassManager(verify=True).run_module(ir)
    opts = CompileOptions(target="cortex-m3", bounds="explicit", opt_level=0, fixed_base=fixed)
    return compile_ir(ir, opts).source


def _body(src: str, fn: int) -> str:
    b = src[src.index(f"@wasm.f{fn}(ptr"):]
    return b[:b.index("\n}\n")]


def test_entry_base_only_for_calls_in_loops():
    src = _llvm(True)
    assert "%fbase0 = load ptr" in _body(src, 1)        # calls $f in a loop
    assert "%fbase0" not in _body(src, 2)                # calls once
    assert "%fbase0" not in _body(src, 0)                # no call
    assert "invariant.load" not in _body(src, 0)


def test_objects_for_other_hosts_reload_the_base():
    assert "%fbase" not in _llvm(False)
