"""Byte-compare loops rewritten by bytecmp, run against wasmtime.

Soundness of bytecmp (ir/passes/bytecmp.py): five memcmp loops as wasm32
C libraries and clang write them (zig's compiler_rt.memcmp and variants:
bxor, icmp ne, the pointers and count returned; wasi-libc's), each
rewritten into a mismatch8, and one that must stay (entered without a
test of the count).  Calls put the two runs anywhere: equal to the end
of memory (the loop traps on the first byte past it), a difference a
byte before the end (no trap), runs starting past the end or near 2^32,
counts up to 2^32 - 1.  ``poke`` plants the differences between calls;
wasmtime gives the expected results and traps.  The test also checks
that the five were rewritten and the sixth was not."""
import random

import pytest
import wasmtime
from wasmaot.backends import CompileOptions
from wasmaot.compile import compile_bytes

from .wast_check import assert_wast_passes, expect

PAGE = 65536

# name -> body: $a $b $n are the params, $d $x $y locals; each returns an i32.
_LOOP = """
    (block $done
      (block $zero
        (br_if $zero (i32.eqz (local.get $n)))
        (loop $l
          (br_if $done (local.tee $d {test}))
          (local.set $a (i32.add (local.get $a) (i32.const 1)))
          (local.set $b (i32.add (local.get $b) (i32.const 1)))
          (br_if $l (local.tee $n (i32.add (local.get $n) (i32.const -1))))))
      (local.set $d (i32.const 0)))
    {result}"""
_X = "(i32.load8_u (local.get $a))"
_Y = "(i32.load8_u (local.get $b))"
FUNCS = {
    "memcmp": _LOOP.format(test=f"(i32.sub {_X} {_Y})", result="(local.get $d)"),
    "differ": _LOOP.format(test=f"(i32.xor {_Y} {_X})", result="(local.get $d)"),
    "ne": _LOOP.format(test=f"(i32.ne {_X} {_Y})", result="(local.get $d)"),
    # where it stopped, and what was left of the count
    "where": _LOOP.format(test=f"(i32.sub {_X} {_Y})",
                          result="(i32.add (i32.mul (local.get $a) (i32.const 31)) "
                                 "(i32.xor (local.get $n) (local.get $b)))"),
    # wasi-libc's (musl's) memcmp as clang builds it (StarlingMonkey's, from
    # `wasm-tools print`): the bytes compared for equality, their difference
    # taken after the loop from the values it loaded.
    "musl": """
    (block $out
      (br_if $out (i32.eqz (local.get $n)))
      (loop $l
        (if (i32.eq (local.tee $x (i32.load8_u (local.get $a)))
                    (local.tee $y (i32.load8_u (local.get $b))))
          (then
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (local.set $a (i32.add (local.get $a) (i32.const 1)))
            (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))
            (br $out))))
      (local.set $d (i32.sub (local.get $x) (local.get $y))))
    (local.get $d)""",
}
# No test of the count before the loop: n = 0 loops 2^32 times (in effect,
# until a difference or a trap), so bytecmp must leave it alone.
UNGUARDED = """
    (loop $l
      (if (local.tee $d (i32.sub (i32.load8_u (local.get $a)) (i32.load8_u (local.get $b))))
        (then (return (local.get $d))))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $l (local.tee $n (i32.add (local.get $n) (i32.const -1)))))
    (i32.const 0)"""

MODULE = "(module\n  (memory 1 1)\n" + "".join(
    f'  (func (export "{name}") (param $a i32) (param $b i32) (param $n i32) (result i32)'
    f" (local $d i32) (local $x i32) (local $y i32){body})\n"
    for name, body in [*FUNCS.items(), ("unguarded", UNGUARDED)]) + """
  (func (export "poke") (param $p i32) (param $v i32)
    (i32.store8 (local.get $p) (local.get $v))))
"""


def _calls(rng: random.Random) -> list[tuple]:
    """("poke", p, v) or (function, a, b, n): runs that are equal to the
    end of memory, differ near it, start past it or wrap around 2^32."""
    out = []
    for _ in range(40):
        n = rng.choice([1, 2, 7, 8, 9, 15, 16, 17, 100, 4095, PAGE, 0xFFFFFFFF])
        a = rng.choice([0, 1, 100, 5000, PAGE - n % PAGE, PAGE - 9, PAGE - 1, PAGE, 0xFFFFFFF8])
        b = rng.choice([a, a + 1, a + 4096, 7, PAGE - 3, 0xFFFFFFFF]) % (1 << 32)
        if rng.random() < 0.5:                   # plant a difference somewhere in the run
            k = rng.choice([0, 1, 7, 8, 9, min(n, PAGE) - 1, rng.randrange(min(n, PAGE))])
            out.append(("poke", (a + k) % (1 << 32) % PAGE, rng.randrange(256)))
        out.append((rng.choice(list(FUNCS)), a, b, n))
        if rng.random() < 0.2:
            out.append(("unguarded", a, b, rng.choice([1, 3])))
    return out


def _script(seed: int):
    rng = random.Random(seed)
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    ex = wasmtime.Instance(store, wasmtime.Module(engine, MODULE), []).exports(store)
    for p in range(0, PAGE, 97):                 # a few bytes that are not zero
        ex["poke"](store, p, (p * 7) & 0xFF)
    lines = [MODULE] + [f'(invoke "poke" (i32.const {p}) (i32.const {(p * 7) & 0xFF}))'
                        for p in range(0, PAGE, 97)]
    for name, *args in _calls(rng):
        signed = [x - (1 << 32) if x >= 1 << 31 else x for x in args]
        lines.append(expect(ex, store, name, *signed))
    return "\n".join(lines) + "\n", len(lines)          # the module counts as one


def test_the_memcmp_loops_and_only_they_are_rewritten():
    ir = compile_bytes(MODULE.encode(), "b.wat", CompileOptions(), emit="ir").data
    ir = ir.decode() if isinstance(ir, bytes) else ir
    funcs = {f.split("(")[0]: f for f in ir.split("\nfunction %")[1:]}
    rewritten = {n for n, f in funcs.items() if "mismatch8" in f}
    assert rewritten == {f"fn{i}" for i in range(len(FUNCS))}, ir   # not the last, unguarded


@pytest.mark.parametrize("seed,bounds", [(1, "guard"), (2, "explicit")])
def test_rewritten_loops_match_wasmtime(tmp_path, seed, bounds):
    script, n = _script(seed)
    traps = script.count("assert_trap")
    assert traps >= 5 and script.count("assert_return (invoke \"memcmp\"") >= 3
    path = tmp_path / f"bytecmp{seed}.wast"
    path.write_text(script)
    assert_wast_passes(path, bounds, n)
