def test_add(build_ir):
    p = build_ir("""
function %add(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = iadd.i32 v0, v1
    return v2
}
""")
    assert p.call("add", 2, 3) == (5,)
