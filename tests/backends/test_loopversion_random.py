"""Random counted loops with strided accesses, against wasmtime.

Soundness of loopversion (ir/passes/loopversion.py): each function runs a
single-block loop ``do { ... p += s; i += c } while (i != n)`` (or ``i <
n``, unsigned or signed, for a rising counter) with a
load and maybe a store at ``p`` plus a constant offset (and maybe at a
second pointer ``q`` with another stride), so the copy without checks runs
when the test before the loop passes.  Calls use values of ``n`` that make
the last access end exactly at the memory's end, one step beyond it,
below 0 (wrapping), a count the step does not divide (the loop runs until
a check traps) and small ones.  The store's order against the trap is
observed: after every call, ``probe`` hashes the memory, and wasmtime
gives the expected results, traps and hashes.  The test also checks that
the pass versioned most loops (else it would only test the checks), and
that a quarter of the copies address a strided group with ``iadd_nuw``
(loopversion._affine), which the same runs then check.  Some loops also
store their sum at a fixed address every visit, inside the walked bytes
or not: the copies with alias scopes (ir/passes/_aliasscope.py), where
LLVM keeps the sum in a register, run only when the test shows no overlap.
Seeds alternate between the pass's 64-bit and 32-bit tests."""
import random

import pytest
import wasmtime
from wasmaot.backends import CompileOptions
from wasmaot.compile import compile_bytes
from wasmaot.ir.pipeline import default_pipeline

from .wast_check import assert_wast_passes, expect

N_FUNCS = 40
PAGE = 65536

PROBE = """
  (func (export "probe") (param $x i32) (result i32)
    (local $i i32) (local $h i32)
    (loop $l
      (local.set $h (i32.add (i32.mul (local.get $h) (i32.const 31))
                             (i32.load (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $l (i32.ne (local.get $i) (i32.const 65536))))
    (local.get $h))
"""


def _func(rng: random.Random, k: int, multi: bool = False) -> tuple[str, dict]:
    c = rng.choice([1, 1, 1, 2, -1, 3, 4, -2])
    s = rng.choice([1, 4, 8, -4, -1, 600, 3, 0])
    i0 = rng.choice([0, 0, 1, 5, -3])
    p0 = rng.choice([0, 16, 1000, PAGE - 64, PAGE - 1000, 40000])
    off = rng.choice([0, 0, 1, 3, 100])
    load, size = rng.choice([("i32.load8_u", 1), ("i32.load16_u", 2), ("i32.load", 4)])
    store = rng.choice(["", "", f"(i32.store8 offset={off + 1} (local.get $p) (local.get $i))"])
    if multi:       # a store only now and then: the loop has several blocks
        store = (f"(if (i32.eqz (i32.and (local.get $s) (i32.const 3))) (then "
                 f"(i32.store8 offset={off + 1} (local.get $p) (local.get $i))))")
    # the exit: i != n, or (a rising counter) i < n unsigned or signed
    cmp = rng.choice(["ne", "ne", "lt_u", "lt_s"]) if c > 0 else "ne"
    s2 = rng.choice([None, None, 4, -8, 2])
    q0 = rng.choice([0, 500, PAGE - 200])
    second = "" if s2 is None else f"""
        (local.set $s (i32.add (local.get $s) (i32.load8_u (local.get $q))))
        (local.set $q (i32.add (local.get $q) (i32.const {s2})))"""
    # a counter in memory, stored every visit at a fixed address (inside
    # the walks' bytes or not): the copy's alias scopes (_aliasscope.py)
    at = rng.choice([None, None, 0, 16, 1000, 2000, PAGE - 100])
    if at is not None:
        second += f"""
        (i32.store (i32.const {at}) (local.get $s))"""
    text = f"""
  (func (export "f{k}") (param $n i32) (result i32)
    (local $i i32) (local $p i32) (local $q i32) (local $s i32)
    (local.set $i (i32.const {i0}))
    (local.set $p (i32.const {p0}))
    (local.set $q (i32.const {q0}))
    (loop $l
      {store}
      (local.set $s (i32.add (local.get $s) ({load} offset={off} (local.get $p))))
      {second}
      (local.set $p (i32.add (local.get $p) (i32.const {s})))
      (local.set $i (i32.add (local.get $i) (i32.const {c})))
      (br_if $l (i32.{cmp} (local.get $i) (local.get $n))))
    (i32.add (local.get $s) (local.get $i)))
"""
    return text, dict(c=c, s=s, i0=i0, p0=p0, end=off + max(size, 2 if store else 0), cmp=cmp)


def _counts(rng: random.Random, f: dict) -> list[int]:
    """Values of ``n``: visits around the last in-bounds one (module doc)."""
    c, s = f["c"], f["s"]
    if s > 0:
        last = (PAGE - f["end"] - f["p0"]) // s          # the last visit t in bounds
    elif s < 0:
        last = f["p0"] // -s
    else:
        last = rng.randrange(1, 300)
    out = set()
    for t in (last - 1, last, last + 1, 0, 1, 2, rng.randrange(0, 50)):
        if 0 <= t < 70000:
            out.add(f["i0"] + c * (t + 1))
    if s != 0 and abs(c) > 1:          # never equal: runs until p leaves the memory
        out.add(f["i0"] + c * (last + 1) + 1)
    if f["cmp"] != "ne":               # bounds a step may jump past (the test fails)
        top = (1 << 32) if f["cmp"] == "lt_u" else (1 << 31)
        out.update((top - 1, top - c, top - c + 1, f["i0"] - 1))
    return sorted(n % (1 << 32) for n in out)


def _script(seed: int) -> tuple[str, str, int, list[int]]:
    rng = random.Random(seed)
    funcs = [_func(rng, k, seed > 2) for k in range(N_FUNCS)]
    less = [k for k, (_, f) in enumerate(funcs) if f["cmp"] != "ne"]
    # Seed 2: a declared maximum keeps the memory below 4 GiB, so the pass
    # makes its 32-bit test (seed 1: the 64-bit one).
    module = f"(module\n  (memory 1{' 1' if seed % 2 == 0 else ''})" + PROBE + "".join(t for t, _ in funcs) + ")\n"
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    ex = wasmtime.Instance(store, wasmtime.Module(engine, module), []).exports(store)
    lines = [module]
    for k, (_, f) in enumerate(funcs):
        for n in _counts(rng, f):
            lines.append(expect(ex, store, f"f{k}", n - (1 << 32) if n >= 1 << 31 else n))
            lines.append(expect(ex, store, "probe", 0))
    return module, "\n".join(lines) + "\n", len(lines), less


def _versioned(module: str, bounds: str, less: list[int]) -> tuple[int, int, int, int]:
    """Loops the pass versioned (its test is the only memory_size),
    functions whose copy addresses strided groups with iadd_nuw (64-bit
    targets: loopversion._affine), versioned loops among ``less``
    (the functions whose exit is ``i < n``) and copies with alias scopes."""
    ir = compile_bytes(module.encode(), "r.wat", CompileOptions(bounds=bounds), emit="ir").data
    ir = ir.decode() if isinstance(ir, bytes) else ir
    funcs = ir.split("\nfunction ")[2:]            # after the header and probe
    return (ir.count("memory_size"), sum("iadd_nuw" in f for f in funcs),
            sum("memory_size" in funcs[k] for k in less), sum("scope=" in f for f in funcs))


# Seeds 3 and 4: the store sits in an ``if`` (a loop of several blocks).
# Guard mode: the copy drops the keeps of covered loads (the fault stays
# the check), so a wrong test would lose a trap or fault in the copy.
@pytest.mark.parametrize("seed,bounds", [(1, "explicit"), (2, "explicit"), (3, "explicit"),
                                         (4, "explicit"), (1, "guard"), (3, "guard")])
def test_versioned_loops_match_wasmtime(tmp_path, seed, bounds):
    module, script, n, less = _script(seed)
    versioned, rewritten, less_versioned, scoped = _versioned(module, bounds, less)
    assert versioned >= N_FUNCS // 2 and rewritten >= N_FUNCS // 4 and scoped >= N_FUNCS // 8
    assert less_versioned >= len(less) // 2 > 0        # the i < n exits too
    path = tmp_path / f"loopversion{seed}.wast"
    path.write_text(script)
    assert_wast_passes(path, bounds, n)


def test_pipeline_per_mode():
    """Explicit mode: after checkmerge.  Guard mode: with a higher floor of
    visits (loopversion.guard_mode) and without checkmerge, whose merged
    check would be an instruction guard mode does not otherwise pay."""
    names = [p if isinstance(p, str) else p.name for p in default_pipeline("explicit", 4)]
    assert names.index("loopversion") == names.index("checkmerge") + 1
    guard = [p if isinstance(p, str) else p.name for p in default_pipeline("guard")]
    assert "loopversion" in guard and "checkmerge" not in guard and "checkversion" not in guard
