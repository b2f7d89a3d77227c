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


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_slp_vectorizer_stays_off(level):
    """Off at every level: merged stores break guard mode's order of
    memory effects before a trap (codegen.tuning_options)."""
    pto = codegen.tuning_options(codegen.llvm_binding(), level)
    assert pto.slp_vectorization is False
    assert level < 2 or pto.loop_vectorization


def _llvm(opt: int) -> str:
    from wasmaot.compile import compile_bytes
    res = compile_bytes(SLP_WAT.encode(), "slp.wat", CompileOptions(opt_level=opt), emit="llvm")
    return res.data


def test_neighbouring_stores_stay_separate():
    text = _llvm(2)
    main = text[text.index("@wasm_export_main("):]
    main = main[:main.index("\n}\n")]
    assert "store <4 x i32>" not in main and main.count("store i32") >= 4


#: Four functions; @c holds a jump table (block addresses of its own blocks)
#: and is not first, so a split puts it away from partition 0.
JT_LL = """\
define internal i32 @a(i32 %x) {
entry:
  %y = add i32 %x, 1
  ret i32 %y
}

define internal i32 @b(i32 %x) {
entry:
  %y = call i32 @a(i32 %x)
  %z = mul i32 %y, 3
  ret i32 %z
}

define i32 @c(i32 %i) {
entry:
  %n = call i32 @llvm.umin.i32(i32 %i, i32 1)
  %z = zext i32 %n to i64
  %p = getelementptr inbounds [2 x ptr], ptr @c.jt1, i64 0, i64 %z
  %t = load ptr, ptr %p, align 8
  indirectbr ptr %t, [ label %one, label %two ]
one:
  ret i32 1
two:
  ret i32 2
}

define i32 @d(i32 %x) {
entry:
  %y = call i32 @b(i32 %x)
  %z = call i32 @c(i32 %y)
  ret i32 %z
}

@g = internal global i32 0
@c.jt1 = private unnamed_addr constant [2 x ptr] [ptr blockaddress(@c, %one), ptr blockaddress(@c, %two)]

declare i32 @llvm.umin.i32(i32, i32)
"""


def test_jump_table_global_lives_in_its_functions_partition():
    parts = codegen.split_module(JT_LL, part_bytes=len(JT_LL) // 2)
    assert len(parts) >= 2
    holders = [p for p in parts if "@c.jt1 = private" in p.text]
    assert len(holders) == 1 and "define i32 @c(" in holders[0].text
    assert all("@c.jt1 = external" not in p.text for p in parts)
    assert "@g = internal global" in parts[0].text      # other globals: partition 0
    llvm = codegen.llvm_binding()
    for p in parts:
        llvm.parse_assembly(p.text).verify()
