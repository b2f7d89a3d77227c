"""A loop carrying a strict-order float reduction gets
``llvm.loop.unroll.disable`` on its back edge (backends/llvm/control.py,
``_reduction_edge``), and only such a loop: an integer loop, a float
parameter passed around unchanged or replaced by a value that does not come
from it keep LLVM's unrolling.  The reduction still computes in order."""
import re

import pytest

from wasmaot.backends.llvm.common import MD_NO_UNROLL

from .conftest import f64

IR = """
function %horner(f64, f64, i32) -> f64 {
block0(v0: f64, v1: f64, v2: i32):
    v3 = fconst.f64 0x0000000000000000
    jump block1(v2, v3)
block1(v4: i32, v5: f64):
    brif v4, block2, block3
block2:
    v6 = fmul.f64 v5, v0
    v7 = fadd.f64 v6, v1
    v8 = iconst.i32 -1
    v9 = iadd.i32 v4, v8
    jump block1(v9, v7)
block3:
    return v5
}
function %count(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    jump block1(v0, v1)
block1(v2: i32, v3: i32):
    brif v2, block2, block3
block2:
    v4 = iconst.i32 -1
    v5 = iadd.i32 v2, v4
    v6 = iadd.i32 v3, v2
    jump block1(v5, v6)
block3:
    return v3
}
function %carry(f64, i32) -> f64 {
block0(v0: f64, v1: i32):
    jump block1(v1, v0)
block1(v2: i32, v3: f64):
    v4 = iconst.i32 -1
    v5 = iadd.i32 v2, v4
    brif v5, block1(v5, v3), block2
block2:
    return v3
}
function %replace(f64, i32) -> f64 {
block0(v0: f64, v1: i32):
    jump block1(v1, v0)
block1(v2: i32, v3: f64):
    v4 = iconst.i32 -1
    v5 = iadd.i32 v2, v4
    v6 = fadd.f64 v0, v0
    brif v5, block1(v5, v6), block2
block2:
    return v3
}
"""


def _functions(llvm_text: str) -> dict[str, str]:
    """LLVM function name suffix -> its body text."""
    out = {}
    for m in re.finditer(r"^define [^@]*@(\S+?)\(.*?^}", llvm_text, re.S | re.M):
        out[m.group(1)] = m.group(0)
    return out


def test_only_the_reduction_loop_is_marked(builder):
    funcs = _functions(builder.compile(IR).source)
    # functions are named by index: f0 horner, f1 count, f2 carry, f3 replace
    assert {n.rsplit(".", 1)[-1] for n in funcs} >= {"f0", "f1", "f2", "f3"}, sorted(funcs)
    marked = {name for name, body in funcs.items() if f"!llvm.loop {MD_NO_UNROLL}" in body}
    assert {n.rsplit(".", 1)[-1] for n in marked} == {"f0"}, sorted(marked)
    horner = next(body for name, body in funcs.items() if name.endswith(".f0"))
    # on the back edge (the jump to the loop header), not on the loop's exit test
    assert re.search(rf"br label %b1, !llvm\.loop {re.escape(MD_NO_UNROLL)}", horner), horner


@pytest.mark.parametrize("opt_level", [0, 2])
def test_reduction_still_computes_in_order(build_ir, opt_level):
    p = build_ir(IR, opt_level=opt_level)
    # Horner: ((0 * 2 + 1) * 2 + 1) * 2 + 1 = 7
    assert p.call("horner", f64(2.0), f64(1.0), 3) == (f64(7.0),)
    # ten 0.1s added in order round to 0.9999999999999999; any regrouping
    # (pairwise, as an unrolled, reassociated loop would) gives 1.0
    acc = 0.0
    for _ in range(10):
        acc = acc * 1.0 + 0.1
    assert acc != 1.0
    assert p.call("horner", f64(1.0), f64(0.1), 10) == (f64(acc),)
    assert p.call("count", 4, 0) == (10,)
    assert p.call("carry", f64(1.5), 3) == (f64(1.5),)
