"""call_ref / return_call_ref lowering (typed function references): a null
check that traps "null function reference", then a call through the
funcref's code pointer with its instance; no signature check (the
validator proved the type).  Run end to end through the IR."""
from .conftest import u32

MODULE = """
sig0 = (i32) -> i32
function %inc(i32) -> i32 {
block0(v0: i32):
    v1 = iconst.i32 1
    v2 = iadd.i32 v0, v1
    return v2
}
function %via(i32) -> i32 {
block0(v0: i32):
    v1 = func_ref fn0
    v2 = call_ref sig0 v1(v0)
    return v2
}
function %null(i32) -> i32 {
block0(v0: i32):
    v1 = null.funcref
    v2 = call_ref sig0 v1(v0)
    return v2
}
function %tail(i32) -> i32 {
block0(v0: i32):
    v1 = func_ref fn0
    return_call_ref sig0 v1(v0)
}
function %tail_null(i32) -> i32 {
block0(v0: i32):
    v1 = null.funcref
    return_call_ref sig0 v1(v0)
}
"""


def test_call_ref_calls_and_traps_on_null(build_ir):
    p = build_ir(MODULE)
    assert p.call("via", 41) == (42,)
    assert p.call("tail", u32(-1)) == (0,)
    assert p.call("null", 1) == "trap null function reference"
    assert p.call("tail_null", 1) == "trap null function reference"


def test_call_ref_has_no_signature_check(builder):
    text = builder.compile(MODULE).llvm_ir
    assert "@wasmaot_trap(i32 11)" in text       # null_function_reference
    # neither call_indirect's signature nor its uninitialized-element trap
    assert "@wasmaot_trap(i32 4)" not in text and "@wasmaot_trap(i32 5)" not in text
