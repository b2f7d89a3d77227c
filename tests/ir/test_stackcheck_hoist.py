"""Where the stack check goes (ir/analysis/stackcheck.py): the nearest
common dominator of the blocks that call, moved out of loops; the entry when
that is where it lands; nowhere without calls."""
from wasmaot.ir.analysis.stackcheck import stack_check_block
from wasmaot.ir.parser import parse_module

MODULE = """
sig0 = (i32) -> i32
function %leaf(i32) -> i32 {
block0(v0: i32):
    v1 = iconst.i32 1
    v2 = iadd.i32 v0, v1
    return v2
}
function %fib(i32) -> i32 {
block0(v0: i32):
    v1 = iconst.i32 2
    v2 = icmp.i32 ult v0, v1
    brif v2, block2, block1
block1:
    v3 = iconst.i32 1
    v4 = isub.i32 v0, v3
    v5 = call fn1(v4)
    v6 = isub.i32 v0, v1
    v7 = call fn1(v6)
    v8 = iadd.i32 v5, v7
    return v8
block2:
    return v0
}
function %both(i32) -> i32 {
block0(v0: i32):
    brif v0, block1, block2
block1:
    v1 = call fn0(v0)
    return v1
block2:
    v2 = call fn0(v0)
    return v2
}
function %loop(i32) -> i32 {
block0(v0: i32):
    brif v0, block1, block3
block1:
    jump block2(v0)
block2(v1: i32):
    v2 = call fn0(v1)
    v3 = iconst.i32 1
    v4 = isub.i32 v1, v3
    brif v4, block2(v4), block3
block3:
    return v0
}
function %indirect(i32) -> i32 {
block0(v0: i32):
    brif v0, block1, block2
block1:
    v1 = call_indirect sig0 table0 v0(v0)
    return v1
block2:
    return v0
}
table table0 funcref 1..1
"""


def _blocks():
    m = parse_module(MODULE)
    return {d.name: stack_check_block(d.body) for d in m.funcs if d.body is not None}


def test_no_calls_no_check():
    assert _blocks()["leaf"] is None


def test_only_the_path_that_calls():
    assert _blocks()["fib"] == 1          # n < 2 returns without a check


def test_calls_on_every_path_check_at_entry():
    assert _blocks()["both"] == 0


def test_out_of_the_loop():
    assert _blocks()["loop"] == 1         # the preheader, not the loop block2


def test_call_indirect_counts():
    assert _blocks()["indirect"] == 1
