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
    assert "wasm_export_inc:" in asm and ".text" in asm
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


def test_stack_check_only_with_calls(builder):
    ir = _compile(builder, CALLS, opt_level=0).llvm_ir
    def body(name):
        s = ir.index(f"@wasm_export_{mangle(name)}(")
        return ir[s:ir.index("\n}\n", s)]
    assert "wasmaot_stack_limit" in body("depth")
    assert "wasmaot_stack_limit" not in body("inc")        # leaf function
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
