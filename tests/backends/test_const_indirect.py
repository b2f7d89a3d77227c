"""call_indirect through a constant table (ir/analysis/tables.py and the
fast path of backends/llvm/traps.call_indirect_check), and the bounds
checks that use what the memory's limits tell (traps.memory_check32,
memory.size_facts).

The fast path must give exactly the general path's results and traps:
undefined element past the end, uninitialized element at a null entry,
indirect call type mismatch at an entry of another signature (equal
signatures declared twice are one type), in that order.
"""
import inspect
import re

import pytest
from wasmaot.backends import CompileOptions, compile_ir
from wasmaot.frontend.load import load_module
from wasmaot.ir.analysis.tables import constant_tables
from wasmaot.ir.pipeline import PassManager

UNDEF, UNINIT, MISMATCH = ("trap undefined element", "trap uninitialized element",
                           "trap indirect call type mismatch")
OOB = "trap out of bounds memory access"

# $t: constant (private, written only by active segments): entries 0 sq,
# 1 null, 2 add (another type), 3 neg (type $ii2, equal to $ii), 4 the
# exported $tw, 5 null.  $f: fixed size (2..2) but exported.  $w: written
# by table.set.  $r: constant, holds the recursive $down.  Memory 1..1: a
# fixed size.
WAT = r'''
(module
  (type $ii (func (param i32) (result i32)))
  (type $iii (func (param i32 i32) (result i32)))
  (type $ii2 (func (param i32) (result i32)))
  (memory 1 1)
  (table $t 6 funcref)
  (table $f (export "ft") 2 2 funcref)
  (table $w 3 funcref)
  (elem (table $t) (i32.const 0) func $sq)
  (elem (table $t) (i32.const 2) func $add $neg $tw)
  (elem (table $f) (i32.const 0) func $sq $add)
  (elem (table $w) (i32.const 0) func $sq)
  (elem declare func $neg)
  (func $sq (type $ii) (i32.mul (local.get 0) (local.get 0)))
  (func $add (type $iii) (i32.add (local.get 0) (local.get 1)))
  (func $neg (type $ii2) (i32.sub (i32.const 0) (local.get 0)))
  (func $tw (export "tw") (type $ii) (i32.mul (local.get 0) (i32.const 2)))
  (func (export "ci") (param i32 i32) (result i32)
    (call_indirect $t (type $ii) (local.get 1) (local.get 0)))
  (func (export "ci2") (param i32 i32) (result i32)
    (call_indirect $t (type $iii) (local.get 1) (local.get 1) (local.get 0)))
  (func (export "ci_const") (param i32) (result i32)
    (call_indirect $t (type $ii2) (local.get 0) (i32.const 3)))
  (func (export "cf") (param i32 i32) (result i32)
    (call_indirect $f (type $ii) (local.get 1) (local.get 0)))
  (func (export "cw") (param i32 i32) (result i32)
    (call_indirect $w (type $ii) (local.get 1) (local.get 0)))
  (func (export "setw") (param i32)
    (table.set $w (local.get 0) (ref.func $neg)))
  (func (export "ld") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "ld8") (param i32) (result i32) (i32.load8_u offset=7 (local.get 0)))
  (table $r 1 funcref)
  (elem (table $r) (i32.const 0) func $down)
  (func $down (export "down") (type $ii)
    (if (local.get 0) (then (return (i32.add (i32.const 1)
      (call_indirect $r (type $ii) (i32.sub (local.get 0) (i32.const 1)) (i32.const 0))))))
    (local.get 0))
  ;; $s: the entries of $ii fill [1, 3), nulls around them; $o: the same
  ;; span after an entry of another type (one compare, cold path decides)
  (table $s 4 funcref)
  (elem (table $s) (i32.const 1) func $sq $tw)
  (table $o 3 funcref)
  (elem (table $o) (i32.const 0) func $add $sq $tw)
  (func (export "cs") (param i32 i32) (result i32)
    (call_indirect $s (type $ii) (local.get 1) (local.get 0)))
  (func (export "co") (param i32 i32) (result i32)
    (call_indirect $o (type $ii) (local.get 1) (local.get 0)))
)
'''

SCRIPT = [
    ("ci 0 5", (25,)), ("ci 1 5", UNINIT), ("ci 2 5", MISMATCH), ("ci 3 5", (4294967291,)),
    ("ci 4 5", (10,)), ("ci 5 5", UNINIT), ("ci 6 5", UNDEF), ("ci 4294967295 5", UNDEF),
    ("ci2 2 5", (10,)), ("ci2 0 5", MISMATCH), ("ci2 1 5", UNINIT), ("ci2 6 5", UNDEF),
    ("ci_const 7", (4294967289,)),
    ("cf 0 3", (9,)), ("cf 1 3", MISMATCH), ("cf 2 3", UNDEF),
    ("cw 0 3", (9,)), ("cw 1 3", UNINIT), ("setw 1", ()), ("cw 1 3", (4294967293,)),
    ("cw 3 3", UNDEF),
    ("ld 65532", (0,)), ("ld 65533", OOB), ("ld 4294967295", OOB),
    ("ld8 65528", (0,)), ("ld8 65529", OOB),
    ("cs 0 5", UNINIT), ("cs 1 5", (25,)), ("cs 2 5", (10,)), ("cs 3 5", UNINIT),
    ("cs 4 5", UNDEF), ("cs 4294967295 5", UNDEF),
    ("co 0 5", MISMATCH), ("co 1 5", (25,)), ("co 2 5", (10,)), ("co 3 5", UNDEF),
    ("co 4294967295 5", UNDEF),
    # recursion through a constant table still ends in the stack check
    ("down 1000", (1000,)), ("down 100000000", "trap call stack exhausted"),
]


def _ir():
    from wasmaot.ir.translate import translate_module
    ir = translate_module(load_module(WAT.encode()))
    PassManager(verify=True).run_module(ir)
    return ir


def test_constant_tables_analysis():
    ir = _ir()
    sq, add, neg, tw = 0, 1, 2, 3
    assert constant_tables(ir) == {0: (sq, None, add, neg, tw, None), 3: (12,),
                                   4: (None, sq, tw, None), 5: (add, sq, tw)}


@pytest.mark.parametrize("extra,why", [
    ('(export "t" (table $t))', "exported"),
    ('(func (param i32) (table.set $t (local.get 0) (ref.null func)))', "table.set"),
    ('(func (drop (table.grow $t (ref.null func) (i32.const 1))))', "table.grow"),
    ('(func (table.copy $t $f (i32.const 0) (i32.const 0) (i32.const 1)))', "table.copy into"),
    ('(func (table.init $t 4 (i32.const 0) (i32.const 0) (i32.const 1)))', "table.init"),
])
def test_written_tables_are_not_constant(extra, why):
    from wasmaot.ir.translate import translate_module
    wat = WAT.rstrip().removesuffix(")") + extra + "\n)"
    ir = translate_module(load_module(wat.encode()))
    assert 0 not in constant_tables(ir), why


def test_segment_of_imported_function_or_global_offset():
    from wasmaot.ir.translate import translate_module
    imp = '(module (import "m" "f" (func $i (param i32) (result i32))) (table 2 funcref)' \
          ' (elem (i32.const 0) func $i))'
    assert constant_tables(translate_module(load_module(imp.encode()))) == {}
    glob = '(module (import "m" "g" (global $g i32)) (table 2 funcref) (func $f)' \
           ' (elem (global.get $g) func $f))'
    assert constant_tables(translate_module(load_module(glob.encode()))) == {}


def _body(llvm: str, fn: int) -> str:
    """The LLVM text of defined function ``fn``'s internal symbol."""
    b = llvm[llvm.index(f"@wasm.f{fn}(ptr"):]
    return b[:b.index("\n}\n")]


def _fast_path_wired() -> bool:
    """The emitter passes the table and signature (backends/llvm/calls.py)."""
    from wasmaot.backends.llvm import calls
    return "table=" in inspect.getsource(calls._checked_indirect)


def test_constant_table_emits_no_table_loads():
    if not _fast_path_wired():
        pytest.skip("backends/llvm/calls.py does not pass table=/sig= yet")
    src = compile_ir(_ir(), CompileOptions(bounds="explicit", opt_level=2)).source
    assert "ctab0.s" in src and "ctab0.null" in src
    body = _body(src, 4)
    # no load of the table's elements, nor of the callee's instance
    assert "ctab0.s" in body and "%elems" not in body and not re.search(r"%ci\d", body)


def test_contiguous_signature_span_is_one_compare():
    """$s and $o: the entries of the expected type fill one range, so the
    fast path is ``idx - lo <u n`` and loads no null flag; ci2's table
    ($t, with nulls and other types elsewhere) the same."""
    if not _fast_path_wired():
        pytest.skip("backends/llvm/calls.py does not pass table=/sig= yet")
    src = compile_ir(_ir(), CompileOptions(bounds="explicit", opt_level=0)).source
    for fn in (13, 14, 5):
        body = _body(src, fn)
        assert re.search(r"%crel\d+ = sub i32 %v\d+, [12]", body), fn
        assert "icmp eq ptr" not in body, fn   # no null test of the loaded entry
    assert "%crel" not in _body(src, 4)        # $ii in $t: 0, 3, 4, not one range


@pytest.mark.parametrize("target,needle,absent", [
    ("cortex-m3", "icmp uge i32", "select"),
])
def test_fixed_memory_check_is_a_constant_compare(target, needle, absent):
    src = compile_ir(_ir(), CompileOptions(target=target, bounds="explicit", opt_level=0)).source
    ld = _body(src, 10)
    assert f"{needle} %v0, 65533" in ld and absent not in ld
    assert "size_bytes" not in ld and "%sz" not in ld


def test_growable_memory_check_has_no_select():
    """min >= end: lim = size - (end - 1), one i32 load, no select."""
    wat = WAT.replace("(memory 1 1)", "(memory 1)")
    from wasmaot.ir.translate import translate_module
    ir = translate_module(load_module(wat.encode()))
    src = compile_ir(ir, CompileOptions(target="cortex-m3", bounds="explicit", opt_level=0)).source
    ld = _body(src, 10)
    assert "load i32" in ld and "sub nuw i32" in ld and "select" not in ld and "load i64" not in ld


@pytest.mark.parametrize("bounds,opt", [("explicit", 2), ("guard", 2), ("explicit", 0)])
def test_constant_table_runs(builder, tmp_path, bounds, opt):
    from wasmaot.backends.link import link_executable

    from .conftest import C_DIR, Program
    emitted = compile_ir(_ir(), CompileOptions(bounds=bounds, opt_level=opt))
    obj = tmp_path / "m.o"
    obj.write_bytes(emitted.object)
    exe = link_executable([obj], tmp_path / "m", "x86_64-linux", bounds,
                          extra_c=[C_DIR / "host.c"], cache_dir=builder.root)
    out = Program(exe, emitted).run(*(c for c, _ in SCRIPT))
    got = [tuple(int(x) for x in l.split()[1:]) if l.startswith("ok") else l for l in out]
    assert got == [w for _, w in SCRIPT]
