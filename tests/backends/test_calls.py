"""Calls end to end: direct, imported (host function), indirect with every
trap in spec order, multi-value results through trampolines, recursion
hitting the stack limit, globals (defined, imported, funcref), tables and
element segments (active via __wasmaot_init, passive, dropped), ref.func,
the start function, and the descriptor as a host sees it."""
import pytest

from .conftest import f64, u32, u64

MODULE = """
sig0 = (i32) -> i32
sig1 = (i32, i32) -> i32
sig2 = () -> i32, i64, f64
table table0 funcref 4..10
global g0 i32 import "host" "g"
global g1 mut i32 = iconst 5
global g2 i64 = iconst -1
global g3 mut funcref = null
global g4 mut i32 = iconst 0
elem elem0 funcref active [fn1, fn2, fn3, fn0]
elem elem1 funcref passive [fn2, null]
export "g1" g1
export "tab" table0
export "reexp" fn0
start fn25
init fn26
function %add1(i32) -> i32 import "host" "add1"

function %inc(i32) -> i32 {
block0(v0: i32):
    v1 = iconst.i32 1
    v2 = iadd.i32 v0, v1
    return v2
}
function %dbl(i32) -> i32 {
block0(v0: i32):
    v1 = iadd.i32 v0, v0
    return v1
}
function %pair(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = isub.i32 v0, v1
    return v2
}
function %multi() -> i32, i64, f64 {
block0:
    v0 = iconst.i32 7
    v1 = iconst.i64 -2
    v2 = fconst.f64 0x3ff8000000000000
    return v0, v1, v2
}
function %call_multi() -> i64, i32 {
block0:
    v0, v1, v2 = call fn4()
    return v1, v0
}
function %ci(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = call_indirect sig0 table0 v0(v1)
    return v2
}
function %ci2(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = call_indirect sig1 table0 v0(v1, v1)
    return v2
}
function %call_import(i32) -> i32 {
block0(v0: i32):
    v1 = call fn0(v0)
    v2 = call fn1(v1)
    return v2
}
function %rec(i32) -> i32 {
block0(v0: i32):
    global_set g4 v0
    v1 = iconst.i32 1
    v2 = iadd.i32 v0, v1
    v3 = call fn9(v2)
    v4 = global_get g4
    v5 = iadd.i32 v3, v4
    return v5
}
function %depth(i32) -> i32 {
block0(v0: i32):
    brif v0, block1, block2
block1:
    v1 = iconst.i32 -1
    v2 = iadd.i32 v0, v1
    v3 = call fn10(v2)
    v4 = iconst.i32 1
    v5 = iadd.i32 v3, v4
    return v5
block2:
    return v0
}
function %globals() -> i32, i32, i64 {
block0:
    v0 = global_get g0
    v1 = global_get g1
    v2 = global_get g2
    return v0, v1, v2
}
function %gset(i32) {
block0(v0: i32):
    global_set g1 v0
    return
}
function %tsize() -> i32 {
block0:
    v0 = table_size table0
    return v0
}
function %tgrow(i32) -> i32 {
block0(v0: i32):
    v1 = func_ref fn2
    v2 = table_grow table0 v1, v0
    return v2
}
function %tset_null(i32) {
block0(v0: i32):
    v1 = null.funcref
    table_set table0 v0, v1
    return
}
function %tcopy_slot(i32, i32) {
block0(v0: i32, v1: i32):
    v2 = table_get table0 v0
    table_set table0 v1, v2
    return
}
function %tget_is_null(i32) -> i32 {
block0(v0: i32):
    v1 = table_get table0 v0
    v2 = is_null v1
    return v2
}
function %tinit(i32, i32, i32) {
block0(v0: i32, v1: i32, v2: i32):
    table_init table0 elem1 v0, v1, v2
    return
}
function %tfill(i32, i32) {
block0(v0: i32, v1: i32):
    v2 = func_ref fn1
    table_fill table0 v0, v2, v1
    return
}
function %tcopy(i32, i32, i32) {
block0(v0: i32, v1: i32, v2: i32):
    table_copy table0 table0 v0, v1, v2
    return
}
function %edrop() {
block0:
    elem_drop elem1
    return
}
function %gref_store(i32) {
block0(v0: i32):
    v1 = table_get table0 v0
    global_set g3 v1
    return
}
function %gref_call(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = global_get g3
    table_set table0 v0, v2
    v3 = call_indirect sig0 table0 v0(v1)
    return v3
}
function %started() -> i32 {
block0:
    v0 = global_get g4
    return v0
}
function %_start() {
block0:
    v0 = iconst.i32 1234
    global_set g4 v0
    return
}
function %__wasmaot_init() {
block0:
    v0 = iconst.i32 0
    v1 = iconst.i32 4
    table_init table0 elem0 v0, v0, v1
    elem_drop elem0
    return
}
"""

UNDEF, UNINIT, MISMATCH = "trap undefined element", "trap uninitialized element", "trap indirect call type mismatch"
TOOB = "trap out of bounds table access"

SCRIPT = [
    ("started", (1234,)),
    ("call_multi", (u64(-2), 7)), ("multi", (7, u64(-2), f64(1.5))),
    ("call_import 10", (12,)),
    ("globals", (42, 5, u64(-1))), ("gset 99", ()), ("globals", (42, 99, u64(-1))),
    ("global g1", (99,)),
    ("ci 0 5", (6,)), ("ci 1 5", (10,)), ("ci 3 5", (6,)),   # slot 3: the host import
    ("ci 2 5", MISMATCH), ("ci2 2 5", (0,)), ("ci2 0 5", MISMATCH),
    ("ci 4 5", UNDEF), ("ci 4294967295 5", UNDEF),
    ("tset_null 1", ()), ("ci 1 5", UNINIT), ("tset_null 4", TOOB),
    ("tsize", (4,)), ("tgrow 2", (4,)), ("tsize", (6,)), ("ci 5 21", (42,)), ("tgrow 5", (u32(-1),)),
    ("tcopy_slot 0 1", ()), ("ci 1 1", (2,)), ("tget_is_null 1", (0,)),
    ("tset_null 1", ()), ("tget_is_null 1", (1,)), ("tget_is_null 6", TOOB),
    ("tinit 1 0 1", ()), ("ci 1 8", (16,)), ("tinit 1 1 1", ()), ("ci 1 8", UNINIT),
    ("tinit 4 0 2", ()), ("tinit 5 1 2", TOOB), ("edrop", ()), ("tinit 0 0 1", TOOB), ("tinit 0 0 0", ()),
    ("tfill 4 2", ()), ("ci 4 1", (2,)), ("ci 5 1", (2,)), ("tfill 5 2", TOOB),
    ("tcopy 0 4 2", ()), ("ci 0 3", (4,)), ("tcopy 5 0 2", TOOB),
    ("gref_store 3", ()), ("gref_call 2 9", (10,)),           # host funcref via a global
    ("depth 1000", (1000,)),
    ("reexp 41", (42,)),                                       # re-exported import
]


@pytest.mark.parametrize("opt_level", [0, 2])
def test_calls_tables_globals(build_ir, opt_level):
    p = build_ir(MODULE, opt_level=opt_level)
    out = p.run(*(c for c, _ in SCRIPT))
    failures = []
    for (cmd, want), line in zip(SCRIPT, out):
        got = tuple(int(x) for x in line.split()[1:]) if line.startswith("ok") else line
        if got != want:
            failures.append(f"{cmd}: want {want}, got {got}")
    assert len(out) == len(SCRIPT), out
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("stack_check", [True, False])
def test_recursion_exhausts_stack(build_ir, stack_check):
    p = build_ir(MODULE, stack_check=stack_check)
    # after the trap the process keeps working (wasmaot_rt_try unwound it)
    assert p.run("rec 0", "depth 10") == ["trap call stack exhausted", "ok 10"]


def test_descriptor(build_ir):
    p = build_ir(MODULE)
    lines = p.run("describe")
    abi, size = lines[0].split()[1::2]
    from wasmaot.backends.abi import ABI_VERSION
    assert abi == str(ABI_VERSION) == "3" and int(size) % 16 == 0
    imports = [l.split() for l in lines if l.startswith("import")]
    exports = {l.split()[1]: l.split()[2:] for l in lines if l.startswith("export")}
    assert [i[1:4] + i[5:6] for i in imports] == [["host", "g", "3", "i32"], ["host", "add1", "0", "(i32)->(i32)"]]
    assert exports["call_multi"] == ["0", exports["call_multi"][1], "()->(i64,i32)", "tramp"]
    assert exports["g1"][0] == "3" and exports["g1"][2:] == ["mut", "i32", "-"]
    assert exports["tab"][0] == "1" and exports["tab"][2] == "funcref"
    assert "_start" not in exports and "__wasmaot_init" not in exports
    # a re-exported import shares the import's funcref slot
    assert exports["reexp"][1] == [i[4] for i in imports if i[2] == "add1"][0]
    offsets = [int(e[1]) for n, e in exports.items() if n != "reexp"] + [int(i[4]) for i in imports]
    # the import slots and funcrefs do not overlap one another
    assert len(set(offsets)) == len(offsets)
    assert all(0 <= o < int(size) for o in offsets)
