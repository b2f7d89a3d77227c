"""No-wrap facts on 64-bit targets (backends/llvm/nowrap.py): ``nsw``/``nuw``
and ``zext nneg`` where ranges prove them, never elsewhere, and random
loops addressed off a counter (some that wrap, some that trap) against
wasmtime in both bounds modes; ``iadd_nuw`` (loopversion's strided
copies) lowered to ``add nuw``, on 64-bit targets only; and ``add nuw`` on
``p + c`` after an access at ``p``, which the runtime's memory cap
(WASMAOT_MAX_MEMORY_BYTES) makes true."""
from __future__ import annotations

import random
import re
import subprocess

import pytest
import wasmtime
from wasmaot.backends import CompileOptions
from wasmaot.compile import compile_bytes

from .wast_check import assert_wast_passes, expect

#: clang's wasm32 loop shape: a counter from -{n} up to 0 by {step},
#: addresses ``counter + C`` (bicg's inner loop).
NEG_LOOP = """(module
  (memory 2)
  (func (export "sum") (param $p i32) (result f64) (local $i i32) (local $s f64)
    (local.set $i {start})
    (loop $l
      (local.set $s (f64.add (local.get $s) (f64.load (i32.add (local.get $i) (i32.const {c})))))
      (br_if $l (local.tee $i (i32.add (local.get $i) (i32.const {step})))))
    (local.get $s)))
"""


def _llvm(wat: str) -> str:
    text = compile_bytes(wat.encode(), "nw.wat", CompileOptions(opt_level=0), emit="llvm").data
    body = text[text.index("@wasm.f0("):]
    return body[:body.index("\n}\n")]


def test_counter_up_to_zero_gives_nsw_and_nneg():
    body = _llvm(NEG_LOOP.format(start="(i32.const -3200)", c=67200, step=16))
    assert re.search(r"= add nsw i32 %v\d+, 67200\b", body), body
    assert re.search(r"= add nsw i32 %v\d+, 16\b", body), body
    assert "zext nneg i32" in body, body


@pytest.mark.parametrize("start,c,step,why", [
    ("(local.get $p)", 67200, 16, "start unknown: the counter may be anything"),
    ("(i32.const -3200)", 67200, 48, "48 does not divide 3200: the counter wraps"),
    ("(i32.const -3200)", 0x80001000, 16, "addresses past 2^31 (the signed sum is fine)"),
])
def test_no_flag_without_a_proof(start, c, step, why):
    body = _llvm(NEG_LOOP.format(start=start, c=c, step=step))
    assert "nneg" not in body, why
    if c < 1 << 31:
        assert not re.search(rf"= add (nuw )?nsw i32 %v\d+, {c}\b", body), why


def test_not_on_32_bit_targets():
    text = compile_bytes(NEG_LOOP.format(start="(i32.const -3200)", c=67200, step=16).encode(),
                         "nw.wat", CompileOptions(target="cortex-m3", bounds="explicit", opt_level=0), emit="llvm").data
    assert " nsw " not in text and "nneg" not in text


def _s32(x: int) -> int:
    x &= 0xFFFFFFFF
    return x - (1 << 32) if x >> 31 else x


def _func(rng: random.Random, k: int) -> str:
    step = rng.choice([1, 2, 4, 8, 16, -4, -8])
    n = rng.randrange(1, 200)
    start = rng.choice([-n * step, 0, rng.randrange(-4096, 4096), (1 << 31) - 8 * n])
    end = start + n * step + rng.choice([0, 0, 0, step // 2 or 1])
    scale = rng.choice([1, 2, 4, 8])
    c = rng.choice([0, 4096, 65536, 131072 - 8, -start * scale, 0x7FFFFF00, 0xFFFFF000])
    width = rng.choice([("i32.load", 4), ("i64.load8_u", 1), ("f64.load", 8)])
    start, end, c = _s32(start), _s32(end), _s32(c)
    load = f"({width[0]} (i32.add (i32.mul (local.get $i) (i32.const {scale})) (i32.const {c})))"
    if width[0] == "f64.load":
        load = f"(i32.wrap_i64 (i64.trunc_sat_f64_s {load}))"
    elif width[0] == "i64.load8_u":
        load = f"(i32.wrap_i64 {load})"
    return f"""
  (func (export "f{k}") (param $x i32) (result i32) (local $i i32) (local $s i32) (local $g i32)
    (local.set $i (i32.const {start}))
    (block $out (loop $l
      (local.set $s (i32.add (local.get $s) {load}))
      (local.set $g (i32.add (local.get $g) (i32.const 1)))
      (br_if $out (i32.gt_u (local.get $g) (i32.const 100000)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const {step}))) (i32.const {end})))))
    (i32.add (local.get $s) (local.get $x)))
"""


INIT = """
  (func (export "init") (local $p i32)
    (loop $l
      (i32.store (local.get $p) (i32.mul (local.get $p) (i32.const 2654435761)))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br_if $l (i32.ne (local.get $p) (i32.const 131072)))))
"""
N_FUNCS = 60


@pytest.mark.parametrize("seed,bounds", [(1, "guard"), (2, "explicit"), (3, "guard")])
def test_counter_loops_match_wasmtime(tmp_path, seed, bounds):
    rng = random.Random(seed)
    module = "(module\n  (memory 2)" + INIT + "".join(_func(rng, k) for k in range(N_FUNCS)) + ")\n"
    text = compile_bytes(module.encode(), "nw.wat", CompileOptions(bounds=bounds, opt_level=0), emit="llvm").data
    # Not vacuous: some accesses got the facts, not all.
    nneg, zext = text.count("zext nneg i32"), len(re.findall(r"zext (nneg )?i32 %\S+ to i64", text))
    assert 0 < nneg < zext, (nneg, zext)
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    ex = wasmtime.Instance(store, wasmtime.Module(engine, module), []).exports(store)
    ex["init"](store)
    lines = [module, '(invoke "init")'] + [expect(ex, store, f"f{k}", 7) for k in range(N_FUNCS)]
    path = tmp_path / f"nowrap{seed}.wast"
    path.write_text("\n".join(lines) + "\n")
    assert_wast_passes(path, bounds, len(lines))


#: a column walk (step 400, 4 bytes a visit) beside a row walk: loopversion's
#: copy addresses both as A + o with iadd_nuw (ir/passes/loopversion.py,
#: _affine), which the emitter lowers to ``add nuw``.
COLUMN = """(module
  (memory 1)
  (func (export "colsum") (param $n i32) (result i32)
    (local $p i32) (local $q i32) (local $s i32)
    (local.set $q (i32.const 40000))
    (loop $l
      (local.set $s (i32.add (local.get $s)
        (i32.add (i32.load (local.get $p)) (i32.load (local.get $q)))))
      (local.set $p (i32.add (local.get $p) (i32.const 400)))
      (local.set $q (i32.add (local.get $q) (i32.const 4)))
      (br_if $l (i32.ne (local.get $p) (local.get $n))))
    (local.get $s)))
"""


@pytest.mark.parametrize("bounds", ["guard", "explicit"])
def test_versioned_strided_loop_addresses_are_add_nuw(bounds):
    ir = _text(compile_bytes(COLUMN.encode(), "col.wat", CompileOptions(bounds=bounds), emit="ir").data)
    assert ir.count("iadd_nuw") == 4, ir            # two bases, two step increments
    text = compile_bytes(COLUMN.encode(), "col.wat", CompileOptions(bounds=bounds, opt_level=0),
                         emit="llvm").data
    # the fast copy's four iadd_nuw, and the checked copy's two increments
    # (p and q were accessed before them: the accessed-address fact)
    assert len(re.findall(r"= add nuw i32 ", text)) == 6, text


def _text(data) -> str:
    return data.decode() if isinstance(data, bytes) else data


def test_no_affine_rewrite_on_32_bit_targets():
    ir = _text(compile_bytes(COLUMN.encode(), "col.wat", CompileOptions(target="cortex-m3", bounds="explicit"),
                             emit="ir").data)
    assert "memory_size" in ir and "iadd_nuw" not in ir     # versioned, not rewritten


#: memcmp as musl writes it: both pointers step by 1 after their accesses.
MEMCMP = """(module
  (memory 1)
  (func (export "cmp") (param $l i32) (param $r i32) (param $n i32) (result i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $n)))
      (br_if $done (i32.ne (i32.load8_u (local.get $l)) (i32.load8_u offset=3 (local.get $r))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (local.set $l (i32.add (local.get $l) (i32.const 1)))
      (local.set $r (i32.add (local.get $r) (i32.const 65536)))
      (br $l)))
    (local.get $n)))
"""


def test_accessed_address_plus_a_small_constant_is_add_nuw():
    body = _llvm(MEMCMP)
    adds = re.findall(r"= add (nuw )?i32 %v\d+, (\d+)", body)
    assert sorted(adds) == [("nuw ", "1"), ("nuw ", "65536")], body
    assert re.search(r"= sub i32 %v\d+, 1\b", body), body        # n: no access, no flag


@pytest.mark.parametrize("wat,why", [
    ("(drop (i32.load (local.get $p))) (i32.add (local.get $p) (i32.const 65537))",
     "65537 past the cap's slack: p + 65537 may wrap"),
    ("(i32.add (local.get $p) (i32.const 4)) (drop (i32.load (local.get $p)))",
     "the add runs before the access"),
    ("(if (local.get $x) (then (drop (i32.load (local.get $p))))) (i32.add (local.get $p) (i32.const 4))",
     "the access does not run on every path"),
    ("(memory.fill (local.get $p) (i32.const 0) (local.get $x)) (i32.add (local.get $p) (i32.const 4))",
     "a bulk operation of 0 bytes accesses nothing: p may be the size"),
    ("(drop (i32.load (local.get $x))) (i32.add (local.get $p) (i32.const 4))",
     "another address was accessed"),
])
def test_no_accessed_fact_without_its_conditions(wat, why):
    body = _llvm(f"""(module (memory 1)
      (func (export "f") (param $p i32) (param $x i32) (result i32) {wat}))""")
    assert re.search(r"= add i32 %v\d+, \d+", body) and not re.search(r"= add nuw[ a-z]* i32", body), why


def test_access_at_accessed_plus_constant_folds_it_into_the_offset():
    """``p + 4`` that cannot wrap (p was loaded just before): the store at
    it zero-extends ``p`` itself and adds 4 in 64 bits, the same ``zext``
    as the load's, instead of zero-extending the i32 sum."""
    body = _llvm("""(module (memory 1)
      (func (export "f") (param $p i32)
        (i32.store (i32.add (local.get $p) (i32.const 4)) (i32.load (local.get $p)))))""")
    zexts = re.findall(r"%(ea\d+) = zext i32 %(v\d+) to i64", body)
    assert len(zexts) == 2 and zexts[0][1] == zexts[1][1] == "v0", body   # both of p
    assert re.search(rf"= add nuw i64 %{zexts[1][0]}, 4\b", body), body
    assert not re.search(r"zext i32 %v\d+ to i64", body.replace("zext i32 %v0 ", "")), body


@pytest.mark.parametrize("wat,why", [
    ("(i32.store (i32.add (local.get $p) (i32.const 4)) (local.get $x))",
     "p was not accessed: p + 4 may wrap"),
    ("(drop (i32.load (local.get $p))) (i32.store offset=4294967295 (i32.add (local.get $p) "
     "(i32.const 4)) (local.get $x))",
     "the offset would pass 2^32"),
])
def test_no_offset_fold_without_its_conditions(wat, why):
    body = _llvm(f"""(module (memory 1)
      (func (export "f") (param $p i32) (param $x i32) {wat}))""")
    assert re.search(r"%(\w+) = add i32 %v0, 4\b", body) or "add nuw i32 %v0, 4" in body, why
    sum_ = re.search(r"%(\w+) = add (?:nuw )?i32 %v0, 4\b", body).group(1)
    assert re.search(rf"zext i32 %{sum_} to i64", body), why     # the sum is the index


def test_memory_stops_short_of_4_gib(tmp_path):
    """What makes the accessed-address fact true: no memory grows to 65536
    pages (WASMAOT_MAX_MEMORY_BYTES), and one that must start there does not
    instantiate."""
    path = tmp_path / "cap.wast"
    path.write_text("""(module
  (memory 0)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "last") (result i32)
    (i32.store8 (i32.const 0xFFFEFFFF) (i32.const 9)) (i32.load8_u (i32.const 0xFFFEFFFF))))
(assert_return (invoke "grow" (i32.const 65536)) (i32.const -1))
(assert_return (invoke "grow" (i32.const 65535)) (i32.const 0))
(assert_return (invoke "last") (i32.const 9))
(assert_return (invoke "grow" (i32.const 1)) (i32.const -1))
(module (memory 0 (pagesize 1))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
(assert_return (invoke "grow" (i32.const 0xFFFF0001)) (i32.const -1))
(assert_return (invoke "grow" (i32.const 0xFFFF0000)) (i32.const 0))
""")
    for bounds in ("guard", "explicit"):
        assert_wast_passes(path, bounds, 8)
    exe = tmp_path / "big"
    compile_bytes(b"(module (memory 65536))", "big.wat", CompileOptions(), out=str(exe))
    r = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "instantiation failed: cannot create a memory" in r.stderr, r.stderr
