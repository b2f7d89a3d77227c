"""Parser: error messages carry line:col; literals; round-trip properties."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from wasmaot.ir.parser import ParseError, parse_function, parse_module, tokenize
from wasmaot.ir.printer import print_function, print_module
from wasmaot.ir.opcodes import ImmKind

HEAD = "memory mem0 1\nglobal g0 mut i32 = iconst 0\n\n"


def perr(text: str) -> ParseError:
    with pytest.raises(ParseError) as ei:
        parse_module(text)
    return ei.value


def fn(body: str, sig: str = "(i32) -> i32", params: str = "(v0: i32)") -> str:
    return f"function %f{sig} {{\nblock0{params}:\n{body}\n}}\n"


@pytest.mark.parametrize("text,line,col,msg", [
    (fn("    v1 = frob.i32 v0\n    return v1"), 3, 10, "unknown opcode 'frob'"),
    (fn("    v1 = iadd v0, v0\n    return v1"), 3, 10, "iadd needs a type suffix"),
    (fn("    v1 = iadd.f32 v0, v0\n    return v1"), 3, 10, "iadd does not take type f32"),
    (fn("    v1 = iadd.i33 v0, v0\n    return v1"), 3, 10, "unknown type 'i33'"),
    (fn("    jump.i32 block1\nblock1:\n    return v0"), 3, 5, "jump takes no type suffix"),
    (fn("    v1 = iadd.i32 v0, v7\n    return v1"), 3, 23, "undefined value v7"),
    (fn("    jump block4"), 3, 10, "undefined block block4"),
    (fn("    v0 = iconst.i32 1\n    return v0"), 3, 5, "value v0 defined twice"),
    (fn("    jump block1\nblock1:\n    jump block1\nblock1:\n    return v0"), 6, 1,
     "block1 defined twice"),
    (fn("    v1 = iadd.i32 v0, v0 v0\n    return v1"), 3, 26, "expected end of line"),
    (fn("    v1 = iconst.i32 4294967296\n    return v1"), 3, 21, "does not fit i32"),
    (fn("    v1 = iconst.i32 -2147483649\n    return v1"), 3, 21, "does not fit i32"),
    (fn("    v1 = global_get g3\n    return v1"), 3, 21, "unknown global g3"),
    (fn("    v1 = load.i32 align=3 mem0 v0\n    return v1"), 3, 25,
     "alignment must be a power of two"),
    (fn("    v1 = load.i32 align=8 mem0 v0\n    return v1"), 3, 10,
     "alignment 8 exceeds the natural 4"),
    (fn("    v1 = load.i32 scope=0:1 mem0 v0\n    return v1"), 3, 25,
     "alias domain must be 1..65535"),
    (fn("    v1 = load.i32 scope=1:256 mem0 v0\n    return v1"), 3, 27,
     "alias group must be 1..255"),
    (fn("    v1 = load.i32 mem0 v0+4294967296\n    return v1"), 3, 26,
     "offset does not fit 32 bits"),
    (fn("    v1, v2 = iadd.i32 v0, v0\n    return v1"), 3, 5, "iadd has 1 result(s), 2 named"),
    (fn("    v1 = store.i32 mem0 v0, v0\n    return v0"), 3, 5, "store has 0 result(s), 1 named"),
    (fn("    v1 = icmp.i32 lt v0, v0\n    return v1"), 3, 19, "unknown IntCC 'lt'"),
    (fn("    trap oops"), 3, 10, "unknown TrapCode 'oops'"),
    (fn("    v1 = fconst.f32 nan:0x800000\n    return v0"), 3, 21, "NaN payload out of range"),
    (fn("    v1 = fconst.f32 0x100000000\n    return v0"), 3, 21, "bit pattern too wide"),
    (fn("    v1 = iadd.i32 v0 v0\n    return v1"), 3, 22, "expected ','"),
    (fn("    v1 = iadd.i32 v0, v0 @\n    return v1"), 3, 26, "unexpected character '@'"),
    ("function %f() {\n    return\n}\n", 2, 5, "instruction before the first block header"),
    ("function %f() {\nblock0:\n    return\n", 4, 1, "unterminated function body"),
    ("function %a() {\nblock0:\n    return\n}\nfunction %b() import \"m\" \"b\"\n", 5, 1,
     "function imports must precede definitions"),
    ("function %f(i32 -> i32 {}\n", 1, 17, "expected ')'"),
])
def test_parse_errors(text, line, col, msg):
    e = perr(HEAD + text)
    hl = HEAD.count("\n")
    assert msg in e.message, e
    assert (e.line, e.col) == (line + hl if line > 0 else line, col), str(e)
    assert str(e).startswith(f"{e.line}:{e.col}: ")


@pytest.mark.parametrize("text,line,col,msg", [
    ("memory mem1 1\n", 1, 8, "mem1 declared out of order, expected mem0"),
    ("global g0 i32 iconst 1\n", 1, 15, "expected '=' or import"),
    ("table table0 i32 1\n", 1, 14, "expected a reference type"),
    ("bogus\n", 1, 1, "expected a declaration or function"),
    ("sig0 = (i32\n", 2, 1, "expected ')', got 'end of input'"),
    ("memory mem0 1\nmemory mem1 1 import \"a\" \"b\"\n", 2, 1,
     "memory imports must precede definitions"),
    ("memory mem0 1 pagesize=4096\n", 1, 24, "page size must be 1 or 65536"),
    ("export \"f\" fn0\n", 1, 12, "unknown function fn0"),
    ("memory mem0 1\nexport \"m\" mem0\nexport \"m\" mem0\n", 3, 8, "duplicate export \"m\""),
    ("export \"x\" sig0\n", 1, 12, "expected fnN, tableN, memN or gN"),
    ("elem elem0 funcref active [fn0, null]\n", 1, 28, "unknown function fn0"),
    ("global g0 i32 = global_get g1\n", 1, 28, "unknown global g1"),
    ("data data0 active \"ab\\q\"\n", 1, 22, "bad escape in byte string"),
    ("start fn0\n", 1, 7, "unknown function fn0"),
    ("function %f()\ninit fn0\ninit fn0\n", 3, 1, "a second init function"),
    ("data data0 passive \"abc\\\"\n\"\n", 1, 20, "unterminated string"),
])
def test_declaration_errors(text, line, col, msg):
    e = perr(text)
    assert msg in e.message and (e.line, e.col) == (line, col), str(e)


def test_results_must_be_consecutive():
    e = perr("sig0 = (i32) -> i32, i32\nfunction %g(i32) -> i32, i32 import \"m\" \"g\"\n"
             + fn("    v1, v3 = call fn0(v0)\n    return v1"))
    assert "consecutive" in e.message and e.line == 5


def test_tokenizer_positions():
    toks = tokenize("v1 = iadd.i32 v0, v0+8 ; comment\n  block2(v3: f32):")
    got = [(t.text, t.line, t.col) for t in toks]
    assert got[:8] == [("v1", 1, 1), ("=", 1, 4), ("iadd.i32", 1, 6), ("v0", 1, 15),
                       (",", 1, 17), ("v0", 1, 19), ("+8", 1, 21), ("block2", 2, 3)]


@pytest.mark.parametrize("lit,ty,bits", [
    ("1.0", "f32", 0x3F800000),
    ("-0.0", "f32", 0x80000000),
    ("0.1", "f32", 0x3DCCCCCD),
    ("0.1", "f64", 0x3FB999999999999A),
    # 1 + 2^-24 + 2^-60: just above the f32 tie; a double would round it to
    # 1 + 2^-24 (a tie) and then to 1.0.  Decimal -> f32 must round once.
    ("1.000000059604644775390625000000000867361737988403547205962240695953369140625",
     "f32", 0x3F800001),
    ("inf", "f32", 0x7F800000),
    ("-inf", "f64", 0xFFF0000000000000),
    ("nan", "f32", 0x7FC00000),
    ("-nan:0x1", "f64", 0xFFF0000000000001),
    ("0x1.8p1", "f32", 0x40400000),
    ("3.4028235677973366e38", "f32", 0x7F7FFFFF),    # rounds down to FLT_MAX
    ("3.4028235677973367e38", "f32", 0x7F800000),    # at the halfway point: inf
    ("1e-46", "f32", 0x00000000),
    ("1.5e-45", "f32", 0x00000001),
])
def test_float_literals(lit, ty, bits):
    f = parse_function(f"function %f() {{\nblock0:\n    v0 = fconst.{ty} {lit}\n    return\n}}\n")
    inst = next(f.all_insts())
    assert f.dfg.inst_imm(inst, ImmKind.IEEE) == bits


def test_iconst_forms():
    f = parse_function("function %f() {\nblock0:\n    v0 = iconst.i32 0xffffffff\n"
                       "    v1 = iconst.i32 4294967295\n    v2 = iconst.i32 -1\n    return\n}\n")
    vals = {f.dfg.inst_imm(i, ImmKind.IMM64) for i in f.all_insts() if f.dfg.inst_results(i)}
    assert vals == {0xFFFFFFFF}
    assert "v0 = iconst.i32 -1\n" in print_function(f)


def test_natural_alignment_is_normalised():
    m = parse_module("memory mem0 1\nfunction %f(i32) -> i32 {\nblock0(v0: i32):\n"
                     "    v1 = load.i32 align=4 mem0 v0\n    return v1\n}\n")
    assert "v1 = load.i32 mem0 v0\n" in print_module(m)


def test_parse_function_requires_exactly_one():
    with pytest.raises(ParseError, match="exactly one function"):
        parse_function("memory mem0 1\n")


# ---- round trip on generated functions -------------------------------------

_OPS = ["iadd", "isub", "imul", "band", "bor", "bxor", "ishl", "rotr"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_OPS), st.integers(0, 1000), st.integers(0, 1000),
                          st.integers(-2**31, 2**32 - 1)), min_size=1, max_size=30),
       st.integers(0, 5))
def test_print_parse_roundtrip_generated(ops, nblocks):
    """Build random straight-line + branch code with the builder, then check
    parse(print(f)) == f and print(parse(print(f))) == print(f)."""
    from wasmaot.ir.builder import FunctionBuilder
    from wasmaot.ir.function import Function
    from wasmaot.ir.module import Module, Signature
    from wasmaot.ir.types import I32
    m = Module()
    f = Function("g", Signature((I32, I32), (I32,)))
    m.add_function(f)
    fb = FunctionBuilder(f)
    b = fb.create_block()
    fb.switch_to_block(b)
    vals = fb.append_entry_params()
    for k, (op, i, j, c) in enumerate(ops):
        if k % 3 == 0:
            vals.append(fb.iconst(I32, c))
        vals.append(getattr(fb, op)(vals[i % len(vals)], vals[j % len(vals)]))
        if nblocks and k % max(1, len(ops) // nblocks) == 0:
            nb = fb.create_block()
            p = fb.append_block_param(nb, I32)
            fb.brif(vals[-1], (nb, [vals[-1]]), (nb, [vals[0]]))
            fb.switch_to_block(nb)
            vals = [p] + vals[:2]
    fb.return_([vals[-1]])
    text = print_module(m)
    m2 = parse_module(text)
    assert m2 == m
    assert print_module(m2) == text


def test_import_order_is_text_order_and_prints_back():
    text = ('global g0 i32 import "a" "g"\nfunction %f() import "a" "f"\n'
            'memory mem0 1 import "a" "m"\nfunction %h() import "a" "h"\n')
    m = parse_module(text)
    assert [(k, i) for k, i, _ in m.imports()] == [(3, 0), (0, 0), (2, 0), (0, 1)]
    assert print_module(m) == text


def test_data_strings():
    m = parse_module('data data0 active "a\\00\\n\\t\\\\\\"\\41\\ff"\ndata data1\n'
                     'data data2 declarative "\u00e9"\n')
    assert [(d.data, d.mode) for d in m.datas] == [
        (b'a\0\n\t\\"A\xff', 0), (b"", 1), ("\u00e9".encode(), 2)]
    assert print_module(m).splitlines()[0] == r'data data0 active "a\00\0a\09\\\"A\ff"'


def test_precise_wasm_types_round_trip():
    """Typed function references survive the text (what --via-ir and
    linking need): a table's and a global's precise type, and an erased
    signature's descriptor text, on sig declarations and functions alike;
    i64 tables keep their address type."""
    from wasmaot.frontend.types import NONNULL, intern_func, type_key
    from wasmaot.ir.types import I64
    h = intern_func((I64,), ())
    text = (f'sig0 = (funcref) wasm "(funcref#rh0123456789abcdef)->()"\n'
            f'table table0 i64 funcref 2 wasm "{type_key(h)}"\n'
            f'global g0 funcref wasm "{type_key(h | NONNULL)}" import "m" "g"\n'
            'function %f(funcref) wasm "(funcref#rh0123456789abcdef)->()" {\n'
            'block0(v0: funcref):\n    return\n}\n')
    m = parse_module(text)
    assert m.tables[0].wasm_elem == h and m.tables[0].index_type == I64
    assert m.globals[0].wasm_type == h | NONNULL
    assert m.sigs[0].wasm == m.funcs[0].sig.wasm == "(funcref#rh0123456789abcdef)->()"
    assert print_module(m) == print_module(parse_module(print_module(m)))
    assert 'table table0 i64 funcref 2 wasm "(ref null {(i64)->()})"' in print_module(m)
    with pytest.raises(ParseError, match="unknown heap type"):
        parse_module('table table0 funcref 2 wasm "(ref null bogus)"\n')
