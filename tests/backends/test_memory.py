"""Linear memory end to end, in both bounds modes: unaligned little-endian
accesses, out-of-bounds traps (including offsets near 2^32), memory.grow and
size (explicit mode must reload base/size after grow), bulk operations,
passive and active data segments, bounds_check."""
import pytest

from .conftest import f64, u32

OOB = "trap out of bounds memory access"

MODULE = r"""
memory mem0 1..3
data data0 passive "\01\02\03\04\05\06\07\08"
data data1 active "abcd"
init fn24

function %ld32(i32) -> i32 {
block0(v0: i32):
    v1 = load.i32 mem0 v0
    return v1
}
function %ld32_nt(i32) -> i32 {
block0(v0: i32):
    v1 = load.i32 notrap mem0 v0
    return v1
}
function %ld64_big(i32) -> i64 {
block0(v0: i32):
    v1 = load.i64 mem0 v0+4294967295
    return v1
}
function %ldu8(i32) -> i32 {
block0(v0: i32):
    v1 = uload8.i32 mem0 v0
    return v1
}
function %lds8(i32) -> i64 {
block0(v0: i32):
    v1 = sload8.i64 mem0 v0
    return v1
}
function %ldu16(i32) -> i32 {
block0(v0: i32):
    v1 = uload16.i32 mem0 v0+1
    return v1
}
function %lds16(i32) -> i32 {
block0(v0: i32):
    v1 = sload16.i32 mem0 v0
    return v1
}
function %lds32(i32) -> i64 {
block0(v0: i32):
    v1 = sload32.i64 mem0 v0
    return v1
}
function %ldu32(i32) -> i64 {
block0(v0: i32):
    v1 = uload32.i64 mem0 v0
    return v1
}
function %ldf64(i32) -> f64 {
block0(v0: i32):
    v1 = load.f64 mem0 v0+3
    return v1
}
function %st32(i32, i32) {
block0(v0: i32, v1: i32):
    store.i32 mem0 v0, v1
    return
}
function %st8(i32, i64) {
block0(v0: i32, v1: i64):
    istore8.i64 mem0 v0, v1
    return
}
function %st16(i32, i32) {
block0(v0: i32, v1: i32):
    istore16.i32 mem0 v0+2, v1
    return
}
function %st32w(i32, i64) {
block0(v0: i32, v1: i64):
    istore32.i64 mem0 v0, v1
    return
}
function %stf64(i32, f64) {
block0(v0: i32, v1: f64):
    store.f64 mem0 v0, v1
    return
}
function %size() -> i32 {
block0:
    v0 = memory_size mem0
    return v0
}
function %grow(i32) -> i32 {
block0(v0: i32):
    v1 = memory_grow mem0 v0
    return v1
}
function %grow_then_load(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = load.i32 mem0 v1
    v3 = memory_grow mem0 v0
    v4 = load.i32 mem0 v1
    v5 = iadd.i32 v2, v4
    return v5
}
function %fill(i32, i32, i32) {
block0(v0: i32, v1: i32, v2: i32):
    memory_fill mem0 v0, v1, v2
    return
}
function %copy(i32, i32, i32) {
block0(v0: i32, v1: i32, v2: i32):
    memory_copy mem0 mem0 v0, v1, v2
    return
}
function %init(i32, i32, i32) {
block0(v0: i32, v1: i32, v2: i32):
    memory_init mem0 data0 v0, v1, v2
    return
}
function %drop() {
block0:
    data_drop data0
    return
}
function %bc(i32) -> i32 {
block0(v0: i32):
    bounds_check mem0 v0+8
    v1 = load.i32 notrap mem0 v0+4
    return v1
}
function %sum_loop(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = iconst.i32 0
    jump block1(v0, v2)
block1(v3: i32, v4: i32):
    v5 = icmp.i32 uge v3, v1
    brif v5, block3, block2
block2:
    v6 = uload8.i32 mem0 v3
    v7 = iadd.i32 v4, v6
    v8 = iconst.i32 1
    v9 = iadd.i32 v3, v8
    jump block1(v9, v7)
block3:
    return v4
}
function %__wasmaot_init() {
block0:
    v0 = iconst.i32 16
    v1 = iconst.i32 0
    v2 = iconst.i32 4
    memory_init mem0 data1 v0, v1, v2
    data_drop data1
    return
}
"""

SCRIPT = [
    ("ld32 16", (0x64636261,)),                  # active segment applied by __wasmaot_init
    ("st32 1 287454020", ()), ("ld32 1", (0x11223344,)), ("ldu8 1", (0x44,)),
    ("ldu16 1", (0x2233,)),                      # offset 1: bytes 2..3
    ("st8 70 255", ()), ("lds8 70", (0xFFFFFFFFFFFFFFFF,)), ("ldu8 70", (255,)),
    ("st16 70 32768", ()), ("lds16 72", (0xFFFF8000,)),
    ("st32w 80 18446744073709551615", ()), ("lds32 80", (0xFFFFFFFFFFFFFFFF,)),
    ("ldu32 80", (0xFFFFFFFF,)),
    (f"stf64 101 {f64(1.5)}", ()), ("ldf64 98", (f64(1.5),)),
    ("ld32 65532", (0,)), ("ld32 65533", OOB), ("ldu8 65535", (0,)), ("ldu8 65536", OOB),
    ("ld32 4294967295", OOB), ("ld64_big 0", OOB), ("ld64_big 4294967295", OOB),
    ("st32 65534 1", OOB), ("ldu16 65534", OOB), ("ld32_nt 100", (0,)),
    ("bc 65528", (0,)), ("bc 65529", OOB),
    ("size", (1,)), ("grow 1", (1,)), ("size", (2,)), ("ld32 65536", (0,)),
    ("ld32 131068", (0,)), ("ld32 131069", OOB),
    ("grow 2", (u32(-1),)), ("grow 0", (2,)), ("grow_then_load 1 65600", (0,)), ("size", (3,)),
    ("ld32 196604", (0,)), ("grow 1", (u32(-1),)),
    ("fill 200 171 4", ()), ("ld32 200", (0xABABABAB,)), ("fill 196607 0 2", OOB),
    ("fill 196608 0 0", ()), ("fill 196609 0 0", OOB),
    ("copy 201 200 3", ()), ("ld32 200", (0xABABABAB,)), ("ldu8 203", (0xAB,)),
    ("init 300 2 3", ()), ("ld32 300", (0x00050403,)), ("init 0 6 3", OOB),
    ("drop", ()), ("init 0 0 0", ()), ("init 0 0 1", OOB),
    ("sum_loop 300 303", (12,)),
]


@pytest.mark.parametrize("bounds", ["guard", "explicit"])
def test_memory_script(build_ir, bounds):
    p = build_ir(MODULE, bounds=bounds)
    out = p.run(*(c for c, _ in SCRIPT))
    failures = []
    for (cmd, want), line in zip(SCRIPT, out):
        got = tuple(int(x) for x in line.split()[1:]) if line.startswith("ok") else line
        if got != want:
            failures.append(f"{cmd}: want {want}, got {got}")
    assert len(out) == len(SCRIPT)
    assert not failures, "\n".join(failures)


def test_explicit_checks_and_guard_does_not(builder):
    g = builder.compile(MODULE, bounds="guard").llvm_ir
    e = builder.compile(MODULE, bounds="explicit").llvm_ir
    assert "wasmaot_rt_abi_v1_guard" in g and "wasmaot_rt_abi_v1_explicit" not in g
    assert "wasmaot_rt_abi_v1_explicit" in e
    # ld32 in guard mode: no trap block at all; explicit: the oob trap
    def body(ir, name):
        from wasmaot.backends.llvm.emit import mangle
        start = ir.index(f"@wasm_export_{mangle(name)}(")
        return ir[start:ir.index("\n}\n", start)]
    assert "wasmaot_trap" not in body(g, "ld32")
    assert "wasmaot_trap(i32 2)" in body(e, "ld32")
    # notrap accesses never check
    assert "wasmaot_trap" not in body(e, "ld32_nt")


@pytest.mark.parametrize("bounds", ["guard", "explicit"])
def test_bulk_ops_check_inline_and_call_byte_routines(builder, bounds):
    """memory.fill/copy of a 32-bit memory: the range check is in the
    generated function (a trap block of its own) and the call goes to the
    runtime's byte routine, not to the checking wrapper (backends/ABI.md,
    "Traps, bounds and modes"); the script above runs the traps."""
    ir = builder.compile(MODULE, bounds=bounds).llvm_ir
    from wasmaot.backends.llvm.emit import mangle

    def body(name):
        start = ir.index(f"@wasm_export_{mangle(name)}(")
        return ir[start:ir.index("\n}\n", start)]
    fill, copy = body("fill"), body("copy")
    assert "@wasmaot_rt_memset(" in fill and "wasmaot_memory_fill" not in fill
    assert "@wasmaot_rt_memmove(" in copy and "wasmaot_memory_copy" not in copy
    for b in (fill, copy):
        assert "wasmaot_trap(i32 2)" in b and "icmp ugt i64" in b
