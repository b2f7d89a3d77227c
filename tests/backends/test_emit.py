"""Emitted artefacts and API: every function nounwind, assembly produced,
only prefixed external symbols, options/cache keys, target registry,
guard-mode hoisting of the memory base out of loops."""
import re

import pytest

from wasmaot.backends import CompileOptions, get_target, target_names
from wasmaot.backends.llvm.emit import mangle

from .test_calls import MODULE as CALLS
from .test_memory import MODULE as MEM


def _compile(builder, ir, **kw):
    return builder.compile(ir, **kw)


@pytest.mark.parametrize("opt_level", [0, 2])
def test_every_function_is_nounwind(builder, opt_level):
    e = _compile(builder, CALLS, opt_level=opt_level)
    ir = e.llvm_ir
    groups = dict(re.findall(r"^attributes (#\d+) = \{(.*)\}$", ir, re.M))
    defs = re.findall(r"^define [^@]*@(\S+)\(.*\) (#\d+)", ir, re.M)
    assert len(defs) > 10
    for name, group in defs:
        assert "nounwind" in groups[group].split(), name


def test_asm_and_object(builder):
    e = _compile(builder, CALLS)
    assert e.object[:4] == b"\x7fELF" and e.object[18] == 62       # EM_X86_64
    asm = e.asm
    assert "wasm_export_inc:" in asm and "wasmaot_text" in asm   # ABI.md: Trap backtraces
    assert set(e.timings) >= {"emit", "parse", "optimize", "object", "asm"}


def test_only_prefixed_symbols_are_external(builder):
    from tests.runtime.test_build import elf_info
    import tempfile, pathlib
    e = _compile(builder, CALLS, prefix="m7")
    with tempfile.TemporaryDirectory() as d:
        p = pathlib.Path(d) / "m.o"
        p.write_bytes(e.object)
        _, _, defined, undefined = elf_info(p)
    assert "m7_module" in defined
    assert all(s.startswith("m7_") for s in defined), defined
    assert f"m7_export_{mangle('call_multi')}" in defined
    assert "wasmaot_rt_abi_v1_guard" in undefined and "wasmaot_stack_limit" in undefined


def test_guard_mode_hoists_memory_base(builder):
    ir = _compile(builder, MEM).llvm_ir
    start = ir.index(f"@wasm_export_{mangle('sum_loop')}(")
    body = ir[start:ir.index("\n}\n", start)]
    # The loop body (a block that branches back to itself) loads no pointer.
    blocks = re.split(r"\n(?=[\w.]+:)", body)
    loops = [b for b in blocks if re.match(r"([\w.]+):", b) and
             re.search(r"label %" + re.escape(re.match(r"([\w.]+):", b).group(1)) + r"\b", b)]
    assert loops
    for b in loops:
        assert "load ptr" not in b, b


def _body(ir: str, symbol: str) -> str:
    s = ir.index(f"@{symbol}(")
    return ir[s:ir.index("\n}\n", s)]


def test_stack_check_only_with_calls(builder):
    ir = _compile(builder, CALLS, opt_level=0).llvm_ir
    assert "wasmaot_stack_limit" in _body(ir, "wasm.f10")     # %depth
    assert "wasmaot_stack_limit" not in _body(ir, "wasm.f1")  # %inc, a leaf
    ir2 = _compile(builder, CALLS, opt_level=0, stack_check=False).llvm_ir
    assert "wasmaot_stack_limit" not in ir2


def test_options_and_targets():
    assert "x86_64-linux" in target_names()
    t = get_target("x86_64-linux")
    assert t.triple == "x86_64-unknown-linux-musl" and t.pointer_bytes == 8
    assert t.default_bounds == "guard" and t.runtime_config("explicit") == "x86_64-linux-musl-explicit"
    with pytest.raises(ValueError):
        get_target("native")
    with pytest.raises(ValueError):
        CompileOptions(bounds="none")
    with pytest.raises(ValueError):
        CompileOptions(opt_level=4)
    with pytest.raises(ValueError):
        CompileOptions(prefix="1bad")
    keys = {CompileOptions().cache_key(), CompileOptions(bounds="explicit").cache_key(),
            CompileOptions(cpu="x86-64-v3").cache_key(), CompileOptions(prefix="m0").cache_key(),
            CompileOptions(stack_check=False).cache_key(), CompileOptions(opt_level=3).cache_key()}
    assert len(keys) == 6
    assert CompileOptions().cache_key() == CompileOptions(cpu=None).cache_key()


def test_mangle_is_injective():
    names = ["a_b", "a_5fb", "a b", "é", "", "_", "__"]
    assert len({mangle(n) for n in names}) == len(names)
    assert all(re.fullmatch(r"[A-Za-z0-9_]*", mangle(n)) for n in names)


CONVENTIONS = """
sig0 = (i32) -> i32
table table0 funcref 1
elem elem0 funcref passive [fn1]
function %_leaf(i32) -> i32 {
block0(v0: i32):
    return v0
}
function %_in_table(i32) -> i32 {
block0(v0: i32):
    v1 = call fn0(v0)
    return v1
}
function %run(i32) -> i32 {
block0(v0: i32):
    v1 = call fn1(v0)
    v2 = iconst.i32 0
    v3 = call_indirect sig0 table0 v2(v1)
    return v3
}
"""


@pytest.mark.parametrize("target,cc", [("x86_64-linux", "fastcc"), ("aarch64-linux", "fastcc"),
                                       ("riscv64-linux", "fastcc")])
def test_internal_convention_and_c_entries(builder, target, cc):
    """Wasm-to-Wasm calls use the internal convention; C-ABI entries exist
    only for functions whose reference escapes (exports, element items)."""
    src = _compile(builder, CONVENTIONS, target=target, opt_level=0).source
    for i in range(3):
        assert f"define internal {cc} i32 @wasm.f{i}(" in src
    assert f"call {cc} i32 @wasm.f0(" in _body(src, "wasm.f1")
    run = _body(src, "wasm.f2")
    assert f"call {cc} i32 @wasm.f1(" in run
    # call_indirect: C ABI, whose 32-bit integers RV64 keeps sign-extended
    # (Target.c_int_ext): on the arguments of calls, the results of C entries
    ext = {"riscv64-linux": "signext "}.get(target, "")
    assert re.search(rf"= call i32 %\w+\(ptr %\w+, i32 {ext}%", run)
    # the export is the C entry of fn2; fn1 (in a table) gets an internal one
    assert f"call {cc} i32 @wasm.f2(" in _body(src, "wasm_export_run")
    assert re.search(rf"^define {ext}i32 @wasm_export_run\(", src, re.M)
    assert f"call {cc} i32 @wasm.f1(" in _body(src, "wasm.f1.c")
    assert "@wasm.f0.c" not in src and "@wasm.f2.c" not in src
    # two entries: below SEGMENT_LOOP_MIN, a store each (no table)
    assert "store ptr @wasm.f1.c, ptr" in _body(src, "wasm.instantiate")
    assert "@wasm.c_entries" not in src
    assert "store ptr @wasm.f0" not in src
