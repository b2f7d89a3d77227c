"""The translator's module-level API and declarations."""
from __future__ import annotations

import pytest

from wasmaot.frontend.load import load_module
from wasmaot.ir.module import GlobalInit, Module
from wasmaot.ir.opcodes import Opcode
from wasmaot.ir.translate import INIT_NAME, Translation, translate, translate_module
from wasmaot.ir.verifier import verify_module

from .util import translate_wat


def test_translation_and_init_function_index():
    tr = translate_wat("""(module
      (import "m" "f" (func $imp (param i32)))
      (func $a) (func $b (result i32) (i32.const 1)))""")
    assert isinstance(tr, Translation) and isinstance(tr.module, Module)
    funcs = tr.module.funcs
    assert tr.init_func == len(funcs) - 1 == 3
    init = funcs[tr.init_func]
    assert init.name == INIT_NAME and init.sig.params == () and init.sig.results == ()
    assert [f.name for f in funcs[:3]] == ["imp", "a", "b"]
    assert funcs[0].import_.module == "m" and funcs[0].body is None
    m = load_module(b"(module (func))")
    assert isinstance(translate_module(m), Module)


def test_index_spaces_imports_first():
    tr = translate_wat("""(module
      (import "e" "g" (global $g (mut i64)))
      (import "e" "t" (table 2 funcref))
      (global $d i32 (i32.const 3))
      (table 1 externref)
      (memory 1) )""")
    mod = tr.module
    assert mod.globals[0].import_ is not None and mod.globals[0].mutable
    assert mod.globals[1].init == GlobalInit(Opcode.iconst, 3)
    assert mod.tables[0].import_ is not None and mod.tables[0].min == 2
    assert mod.tables[1].min == 1


def test_names_are_unique():
    tr = translate_wat("(module (func $__wasmaot_init) (func) (func $fn1))")
    names = [f.name for f in tr.module.funcs]
    assert len(set(names)) == len(names) == 4
    assert names[-1] == INIT_NAME


def test_global_inits():
    tr = translate_wat("""(module
      (import "e" "g" (global $g i32))
      (global $a i32 (global.get $g))
      (global $b funcref (ref.null func))
      (global $c f64 (f64.const 1))
      (global $d i32 (i32.add (global.get $g) (i32.const 1)))
      (func $f))""")
    inits = [g.init for g in tr.module.globals]
    assert inits[1:4] == [GlobalInit(Opcode.global_get, 0), GlobalInit(Opcode.null),
                          GlobalInit(Opcode.fconst, 0x3FF0000000000000)]
    # extended-const: the instance's zero until __wasmaot_init computes it
    assert inits[4] == GlobalInit(Opcode.iconst, 0)


@pytest.mark.parametrize("wat", [
    "(module (func (drop (v128.const i64x2 0 0))))",
    "(module (func (result v128) (local v128) (local.get 0)))",
    "(module (global v128 (v128.const i64x2 0 0)))",
    "(module (func (unreachable) (drop (i32x4.splat (i32.const 0)))))",
])
def test_simd_translates(wat):
    # formerly "SIMD not supported yet"; now every v128 op has a translation
    verify_module(translate(load_module(wat.encode())).module)


def test_dispatch_covers_every_non_simd_op():
    from wasmaot.frontend.opcodes import OPS
    from wasmaot.ir.translate.dispatch import DISPATCH
    assert all(op.key in DISPATCH for op in OPS)


def test_verifier_checks_tail_call_results():
    """A tail call's callee results must be the function's results (I7):
    the translator only emits such calls; hand-written IR is checked."""
    from wasmaot.ir.parser import parse_module
    from wasmaot.ir.verifier import VerifierError
    text = ("sig0 = (i32) -> i64\n"
            'function %g(i32) -> i64 import "m" "g"\n'
            "table table0 funcref 1\n\n"
            "function %f(i32) -> i32 {\n"
            "block0(v0: i32):\n"
            "    brif v0, block1, block2\n"
            "block1:\n"
            "    return_call fn0(v0)\n"
            "block2:\n"
            "    return_call_indirect sig0 table0 v0(v0)\n"
            "}\n")
    with pytest.raises(VerifierError) as ei:
        verify_module(parse_module(text))
    msg = str(ei.value)
    assert "return_call: callee results (i64) differ from the function's (i32) (I7)" in msg, msg
    assert "return_call_indirect: callee results (i64)" in msg, msg
    ok = text.replace("(i32) -> i64", "(i32) -> i32").replace("-> i64 import", "-> i32 import")
    verify_module(parse_module(ok))
