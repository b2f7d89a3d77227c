"""Random unrolled loops, rolled back by reroll, against wasmtime.

Soundness of reroll (ir/passes/reroll.py): each function runs a
single-block loop whose body is ``u`` copies of one statement
``dst[i + j] = load(src[i + j]) OP g(i + j)`` (copy ``j`` addressed
through the counter plus ``j`` or the row plus ``j`` elements, every
copy with the same access offset),
the counter ``i`` running from a constant to a constant by ``u``, up or
down.  Some functions break the pattern on purpose (one copy's constant
or offset differs, a copy reads the value another loaded, the count is
not a multiple of ``u``, copies addressed through the access's offset:
exact only when that does not wrap), so reroll must leave them alone.  The bases
``src`` and ``dst`` are arguments: calls put them where the last visits
run off the end of memory, so a trap must strike at the same element,
after the same stores, as the unrolled loop's (``probe`` hashes the
memory after every call; wasmtime gives the expected results, traps and
hashes).  The test also checks that every loop that matches was rolled,
except those unrolled by a power of two (the default pipeline leaves them
to LLVM: reroll.for_vectorizer), and that none of the broken ones were."""
import random

import pytest
import wasmtime
from wasmaot.backends import CompileOptions
from wasmaot.compile import compile_bytes
from wasmaot.ir.pipeline import default_pipeline

from .test_loopversion_random import PROBE, PAGE
from .wast_check import assert_wast_passes, expect

N_FUNCS = 40
_TYPES = [("i32", "i32.load8_u", "i32.store8", 1), ("i32", "i32.load16_s", "i32.store16", 2),
          ("i32", "i32.load", "i32.store", 4), ("i64", "i64.load", "i64.store", 8),
          ("f64", "f64.load", "f64.store", 8), ("f32", "f32.load", "f32.store", 4)]
_OPS = {"i32": ["i32.add", "i32.xor", "i32.mul"], "i64": ["i64.add", "i64.sub"],
        "f64": ["f64.mul", "f64.add"], "f32": ["f32.sub", "f32.mul"]}
_FROM_I32 = {"i32": "", "i64": "i64.extend_i32_s", "f64": "f64.convert_i32_u",
             "f32": "f32.convert_i32_s"}
_PLANS = ["ok", "ok", "ok", "ok", "const", "offset", "shared", "count", "memarg"]


def _addr(base: str, j: int, size: int, how: str, off: int) -> tuple[str, int]:
    """Address of element ``i + j`` of ``base``: ``(expr, offset)``, the
    offset ``off`` (every copy's) plus, for ``memarg``, ``j`` elements."""
    sh = size.bit_length() - 1
    row = f"(i32.add (local.get ${base}) (i32.shl (local.get $i) (i32.const {sh})))"
    if how == "memarg" and j > 0:
        return row, off + j * size
    if how == "sum" and j:                          # off the row: (base + i*size) + j*size
        return f"(i32.add {row} (i32.const {j * size}))", off
    idx = f"(i32.add (local.get $i) (i32.const {j}))" if j else "(local.get $i)"
    return f"(i32.add (local.get ${base}) (i32.shl {idx} (i32.const {sh})))", off


def _func(rng: random.Random, k: int) -> tuple[str, dict]:
    ty, load, store, size = rng.choice(_TYPES)
    op = rng.choice(_OPS[ty])
    u = rng.choice([2, 3, 3, 4, 5, 6, 7])
    down = rng.random() < 0.3
    visits = rng.choice([1, 2, 7, 40, 300])
    plan = rng.choice(_PLANS)
    lo = rng.choice([0, 3, -2 * u])                 # the lowest element index
    off = rng.choice([0, 0, 16])
    stmts = []
    for jj in range(u):
        j = -jj if down else jj                     # copy jj works on element i + j
        how = "memarg" if plan == "memarg" and not down else rng.choice(["index", "sum"])
        sa, so = _addr("src", j, size, rng.choice(["index", "sum"]), off)
        da, do = _addr("dst", j, size, how, off)
        if plan == "offset" and jj == u - 1:
            do += size                              # the last copy writes one further
        c = 7 if plan == "const" and jj == 1 else 3
        idx = f"(i32.add (local.get $i) (i32.const {j}))"
        g = f"({_FROM_I32[ty]} {idx})" if _FROM_I32[ty] else idx
        g = f"({op} {g} ({ty}.const {c}))"
        v = f"({load} offset={so} {sa})"
        if plan == "shared" and jj == 1:
            v = "(local.get $t)"                    # copy 0's loaded value
        elif plan == "shared" and jj == 0:
            v = f"(local.tee $t {v})"
        stmts.append(f"({store} offset={do} {da} ({op} {v} {g}))")
    # Elements [lo, lo + u*visits): rising, i = lo, lo + u, ...; falling,
    # i = lo + u*visits - 1, ... down to lo + u - 1, each visit at i, i - 1, ...
    step = -u if down else u
    start, stop = (lo + u * visits - 1, lo - 1) if down else (lo, lo + u * visits)
    if plan == "count":
        stop += 1 if not down else -1               # never equal: runs until a trap
    text = f"""
  (func (export "f{k}") (param $src i32) (param $dst i32)
    (local $i i32) (local $t {ty})
    (local.set $i (i32.const {start}))
    (loop $l
      {' '.join(stmts)}
      (local.set $i (i32.add (local.get $i) (i32.const {step})))
      (br_if $l (i32.ne (local.get $i) (i32.const {stop})))))
"""
    if plan == "memarg" and down:
        plan = "ok"                                 # a memarg offset is never negative
    return text, dict(size=size, lo=lo, hi=lo + u * visits, plan=plan, u=u, off=off)


def _calls(rng: random.Random, f: dict) -> list[tuple[int, int]]:
    """(src, dst) pairs: all in bounds, and the end of memory reached
    partway (a trap after some stores)."""
    size, lo, hi = f["size"], f["lo"], f["hi"]
    span = (hi - lo) * size
    base = -lo * size + 64                          # element lo at byte 64 (+ the offset)
    out = [(base, base + span + 64), (base + span + 64, base)]
    end = PAGE - hi * size - f["off"] + rng.choice([-size, 0, size, 3 * size, span // 2])
    out += [(base, end), (end, base), (end, end)]
    return [(s % (1 << 32), d % (1 << 32)) for s, d in out]


def _script(seed: int):
    rng = random.Random(seed)
    funcs = [_func(rng, k) for k in range(N_FUNCS)]
    module = "(module\n  (memory 1 1)" + PROBE + "".join(t for t, _ in funcs) + ")\n"
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    ex = wasmtime.Instance(store, wasmtime.Module(engine, module), []).exports(store)
    lines = [module]
    for k, (_, f) in enumerate(funcs):
        for s, d in _calls(rng, f):
            signed = [x - (1 << 32) if x >= 1 << 31 else x for x in (s, d)]
            lines.append(expect(ex, store, f"f{k}", *signed))
            lines.append(expect(ex, store, "probe", 0))
    return module, "\n".join(lines) + "\n", len(lines), [f for _, f in funcs]


def _rolled(module: str, plans: list[dict]) -> list[bool]:
    """Per function: did the default pipeline's reroll (the one the
    spectest runs use) leave one store (of its ``u``)?"""
    step = [p for p in default_pipeline("guard", 8, True) if getattr(p, "name", p) == "reroll"]
    ir = compile_bytes(module.encode(), "r.wat", CompileOptions(),
                       passes=["constfold", "unreachable", "dce"] + step, emit="ir").data
    ir = ir.decode() if isinstance(ir, bytes) else ir
    funcs = ir.split("\nfunction ")[2:]             # after the header and probe
    return [f.count(" = load") + f.count(" = uload") + f.count(" = sload") <= 1
            and f.count("store") == 1 for f in funcs][:len(plans)]


@pytest.mark.parametrize("seed,bounds", [(1, "guard"), (2, "explicit"), (3, "guard")])
def test_rolled_loops_match_wasmtime(tmp_path, seed, bounds):
    module, script, n, funcs = _script(seed)
    rolled = _rolled(module, funcs)
    # factors 2 and 4 match but stay (reroll.for_vectorizer): LLVM widens them
    expected = [f["plan"] == "ok" and f["u"] & (f["u"] - 1) != 0 for f in funcs]
    assert rolled == expected, [(f["plan"], f["u"]) for f in funcs]
    assert sum(expected) >= 6
    path = tmp_path / f"reroll{seed}.wast"
    path.write_text(script)
    assert_wast_passes(path, bounds, n)


def test_reroll_only_where_llvm_vectorizes():
    """x86-64 and AArch64 roll loops back (before trapelim, in both
    modes); RISC-V without V and the microcontrollers keep them unrolled."""
    from wasmaot.backends.targets import get_target, target_names
    rolling = {n for n in target_names() if get_target(n).reroll}
    assert rolling == {"x86_64-linux", "aarch64-linux"}
    for bounds in ("guard", "explicit"):
        t = get_target("x86_64-linux")
        names = [p if isinstance(p, str) else p.name
                 for p in default_pipeline(bounds, t.pointer_bytes, t.reroll)]
        assert names.index("reroll") == names.index("trapelim") - 1
        assert "reroll" not in default_pipeline(bounds, 8)
