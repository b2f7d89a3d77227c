"""Code-generation tuning for run-time speed (issue 18, real programs):
the pass pipeline is tuned as clang's for the same -O level."""
from __future__ import annotations

import pytest
from wasmaot.backends import CompileOptions, codegen

#: Four neighbouring loads, adds and stores at constant addresses (proven in
#: bounds, so no guard keeps between them): one <4 x i32> operation when
#: the SLP vectorizer runs.
SLP_WAT = """(module
  (memory 1)
  (func (export "main") (result i32)
    (i32.store offset=16 (i32.const 0) (i32.add (i32.load offset=0 (i32.const 0)) (i32.const 1)))
    (i32.store offset=20 (i32.const 0) (i32.add (i32.load offset=4 (i32.const 0)) (i32.const 2)))
    (i32.store offset=24 (i32.const 0) (i32.add (i32.load offset=8 (i32.const 0)) (i32.const 3)))
    (i32.store offset=28 (i32.const 0) (i32.add (i32.load offset=12 (i32.const 0)) (i32.const 4)))
    (i32.load offset=28 (i32.const 0))))
"""


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("WASMAOT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "perf2-cache"))


@pytest.mark.parametrize("level, slp", [(0, False), (1, False), (2, True), (3, True)])
def test_slp_vectorizer_on_from_O2_as_clang(level, slp):
    pto = codegen.tuning_options(codegen.llvm_binding(), level)
    assert pto.slp_vectorization is slp
    assert pto.loop_vectorization


def _llvm(opt: int) -> str:
    from wasmaot.compile import compile_bytes
    res = compile_bytes(SLP_WAT.encode(), "slp.wat", CompileOptions(opt_level=opt), emit="llvm")
    return res.data


def test_neighbouring_scalar_ops_become_one_vector_op():
    text = _llvm(2)
    main = text[text.index("@wasm_export_main("):]
    main = main[:main.index("\n}\n")]
    assert "add <4 x i32>" in main
    assert "store <4 x i32>" in main
