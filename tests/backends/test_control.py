"""Control-flow lowering corner cases: one terminator reaching the same
block with different arguments (brif, br_table), repeated identical edges,
a loop, unreachable blocks, trap/unreachable
terminators, trapz/trapnz; and imported memory/table in both bounds modes."""
import pytest

CONTROL = """
function %same_target(i32, i32, i32) -> i32 {
block0(v0: i32, v1: i32, v2: i32):
    brif v0, block1(v1), block1(v2)
block1(v3: i32):
    return v3
}
function %same_args(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    brif v0, block1(v1), block1(v1)
block1(v3: i32):
    return v3
}
function %table(i32) -> i32 {
block0(v0: i32):
    v1 = iconst.i32 10
    v2 = iconst.i32 20
    v3 = iconst.i32 30
    br_table v0, block1(v3), [block1(v1), block1(v2), block1(v1), block2, block1(v3)]
block1(v4: i32):
    return v4
block2:
    v5 = iconst.i32 99
    return v5
}
function %loop(i32, i32) -> i32 {
block0(v5: i32, v6: i32):
    jump block3(v5, v6)
block3(v0: i32, v1: i32):
    brif v0, block1, block2
block1:
    v2 = iconst.i32 -1
    v3 = iadd.i32 v0, v2
    v4 = iadd.i32 v1, v0
    jump block3(v3, v4)
block2:
    return v1
}
function %dead(i32) -> i32 {
block0(v0: i32):
    return v0
block1(v1: i32):
    v2 = iadd.i32 v1, v1
    jump block1(v2)
}
function %traps(i32) -> i32 {
block0(v0: i32):
    trapnz integer_overflow v0
    v1 = iconst.i32 1
    v2 = iadd.i32 v0, v1
    trapz memory_out_of_bounds v2
    brif v2, block1, block2
block1:
    unreachable
block2:
    trap unreachable
}
"""

CONTROL_SCRIPT = [
    ("same_target 1 5 6", (5,)), ("same_target 0 5 6", (6,)), ("same_args 0 7", (7,)),
    ("table 0", (10,)), ("table 1", (20,)), ("table 2", (10,)), ("table 3", (99,)),
    ("table 4", (30,)), ("table 5", (30,)), ("table 4294967295", (30,)),
    ("loop 4 0", (10,)), ("dead 3", (3,)),
    ("traps 1", "trap integer overflow"), ("traps 0", "trap unreachable"),
]

IMPORTED = """
memory mem0 1..2 import "host" "mem"
table table0 funcref 2 import "host" "tab"
function %ld(i32) -> i32 {
block0(v0: i32):
    v1 = load.i32 mem0 v0
    return v1
}
function %st(i32, i32) {
block0(v0: i32, v1: i32):
    store.i32 mem0 v0, v1
    return
}
function %grow(i32) -> i32 {
block0(v0: i32):
    v1 = memory_grow mem0 v0
    return v1
}
function %tsize() -> i32 {
block0:
    v0 = table_size table0
    return v0
}
"""
IMPORTED_SCRIPT = [("st 65532 7", ()), ("ld 65532", (7,)), ("ld 65533", "trap out of bounds memory access"),
                   ("grow 1", (1,)), ("ld 65536", (0,)), ("grow 1", (4294967295,)), ("tsize", (2,))]


def _check(p, script):
    out = p.run(*(c for c, _ in script))
    got = [tuple(int(x) for x in l.split()[1:]) if l.startswith("ok") else l for l in out]
    assert got == [w for _, w in script]


@pytest.mark.parametrize("opt_level", [0, 2])
def test_control(build_ir, opt_level):
    _check(build_ir(CONTROL, opt_level=opt_level), CONTROL_SCRIPT)


@pytest.mark.parametrize("bounds", ["guard", "explicit"])
def test_imported_memory_and_table(build_ir, bounds):
    _check(build_ir(IMPORTED, bounds=bounds), IMPORTED_SCRIPT)
