"""Differential execution against wasmtime, every run: a fixed-seed sample.

* ``test_sample``: :data:`SAMPLE_SEEDS` wasm-smith modules in every variant of
  ``differential.py`` (both bounds modes, -O0 and -O2, IR passes off,
  forced partitions with the -j byte check), 2 worker processes.  Every
  mismatch must be listed in :data:`EXPECTED_MISMATCHES` with its known
  class, and every listed one must still happen.
* unit tests of the comparison (NaN latitude, trap folding, classes);
* ``test_harness_reports_a_mismatch``: two modules that differ in one
  constant, one run by wasmtime and the other by us, must be reported, so a
  green sample means something.

The big run is ``python tests/fuzz/differential.py --seeds 1000 --jobs 2``.
"""
from __future__ import annotations

import os

import pytest

from . import differential as d

SAMPLE_SEEDS = range(100, 124)

#: (seed, variant) -> (known class, why) of a mismatch the sample hits
#: today.  Remove an entry when its bug is fixed: a listed case that agrees
#: with wasmtime fails the test.  Empty since the guard-mode lost-trap fix
#: (ea243cd), which removed (109, "guard-O2-nopasses") and
#: (120, "guard-O2-nopasses"), both guard-lost-oob-trap.
EXPECTED_MISMATCHES: dict[tuple[int, str], tuple[str, str]] = {}


def _tools_or_skip():
    try:
        d.wasm_tools()
        import wasmtime  # noqa: F401
    except Exception as e:  # noqa: BLE001 - missing test dependency
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"differential fuzzing needs "
                                                                 f"wasm-tools and wasmtime: {e}")


def test_sample():
    _tools_or_skip()
    s = d.campaign(list(SAMPLE_SEEDS), d.DEFAULT_VARIANTS, jobs=2)
    assert s.modules >= len(SAMPLE_SEEDS) * 9 // 10, s.line()
    assert s.calls >= 5 * s.modules, s.line()
    assert s.runs >= s.modules * len(d.DEFAULT_VARIANTS) * 9 // 10, s.line()
    got = {(f.seed, f.variant): f for f in s.findings}
    unexpected = [f"seed {f.seed} [{f.variant}] {f.signature()}\n{f.detail}"
                  for key, f in got.items()
                  if key not in EXPECTED_MISMATCHES or f.signature() != EXPECTED_MISMATCHES[key][0]]
    assert not unexpected, "\n".join(unexpected)
    fixed = [f"seed {k[0]} [{k[1]}] {v[0]}" for k, v in EXPECTED_MISMATCHES.items() if k not in got]
    assert not fixed, "listed in EXPECTED_MISMATCHES but agrees now (remove it): " + ", ".join(fixed)


#: Seeds of the proposals sample (``--proposals mix``): together they turn
#: on each of differential.PROPOSALS at least once (checked below).
PROPOSAL_SEEDS = range(900000, 900016)


def test_proposals_sample():
    """Modules with the proposals of differential.PROPOSALS (tail calls,
    several memories, 64-bit memories, wide arithmetic, relaxed SIMD,
    exceptions, 1-byte pages, random branch hints) agree with wasmtime in
    both bounds modes at -O2; smith's table64 modules (memory64) are
    counted as unsupported, never run."""
    _tools_or_skip()
    gen = d.Gen("mix", ("mix",))
    used = {n for s in PROPOSAL_SEEDS for n in gen.proposals_of(s)}
    assert used == set(d.PROPOSALS), used
    s = d.campaign(list(PROPOSAL_SEEDS), ("guard-O2", "explicit-O2"), gen=gen, jobs=2)
    assert s.modules + s.unsupported >= len(PROPOSAL_SEEDS) * 9 // 10, s.line()
    assert s.modules >= len(PROPOSAL_SEEDS) // 2, s.line()
    assert not s.findings, "\n".join(f"seed {f.seed} [{f.variant}] {f.signature()}\n{f.detail}"
                                      for f in s.findings)


def test_proposal_switches():
    assert d.parse_proposals("") == ()
    assert d.parse_proposals("mix") == ("mix",)
    assert d.parse_proposals("memory64,tail-call") == ("memory64", "tail-call")
    with pytest.raises(Exception, match="unknown proposal"):
        d.parse_proposals("gc")
    assert d.Gen().proposals_of(5) == ()
    assert d.Gen("mix", ("tail-call",)).proposals_of(5) == ("tail-call",)
    _, settings = d.seed_params(7, d.Gen("mix", ("memory64", "multi-memory")))
    assert settings["memory64-enabled"] is True and settings["max-memories"] == 3
    _, settings = d.seed_params(7, d.Gen())
    assert "memory64-enabled" not in settings     # SMITH_CONFIG's False stays


def test_branch_hints_are_added():
    """The branch-hinting proposal's seeds carry a hint section whose
    offsets name br_if and if instructions (add_branch_hints)."""
    _tools_or_skip()
    from wasmaot.frontend.binary import decode_module
    gen = d.Gen("mix", ("branch-hinting",))
    seen = 0
    for seed in range(20):
        wasm = d.generate(seed, gen)
        if wasm is None:
            continue
        m = decode_module(wasm)
        for fn, hints in (m.branch_hints or {}).items():
            f = m.funcs[fn - m.num_imported_funcs]
            for off, h in hints.items():
                assert m.data[f.body_start + off] in (0x04, 0x0D) and h in (0, 1)
                seen += 1
    assert seen >= 20, seen


def test_hinted_modules_survive_our_text_parser():
    """A hinted smith module printed by wasm-tools (which writes each hint
    as a ``(@metadata.code.branch_hint ...)`` annotation) and parsed by our
    text parser carries the same hints as wasm-tools' own parse of that
    text: flat (even seeds) and folded (odd seeds) forms, every proposal
    of the mix.  (1,500 seeds
    of the mix agreed when this was written.)"""
    import subprocess
    _tools_or_skip()
    from wasmaot.frontend.binary import decode_module
    from wasmaot.frontend.text import parse_wat
    gen = d.Gen("mix", ("mix",))
    hinted = 0
    for seed in range(40, 52):
        wasm = d.generate(seed, gen)
        if wasm is None:
            continue
        wasm = d.add_branch_hints(wasm, seed)
        fold = ["--fold-instructions"] if seed % 2 else []
        text = subprocess.run([d.wasm_tools(), "print", *fold, "-"], input=wasm,
                              capture_output=True, check=True).stdout
        ref = subprocess.run([d.wasm_tools(), "parse", "-"], input=text, capture_output=True,
                             check=True).stdout
        want = decode_module(ref).branch_hints
        assert decode_module(parse_wat(text.decode(), f"seed{seed}.wat")).branch_hints == want, seed
        hinted += bool(want)
    assert hinted >= 8, hinted

def test_table64_and_memory64_modules_are_supported():
    from wasmaot.frontend.text import parse_wat
    assert not d.unsupported(parse_wat("(module (table i64 1 funcref))"))
    assert not d.unsupported(parse_wat("(module (memory i64 1))"))
    assert not d.unsupported(b"\0asm\1\0\0\0\xff")     # malformed: a finding, not a skip


# ------------------------------------------------------------- comparison

PLAN = [d.Call("f", [], [], [])]


def test_nan_payloads_may_differ_but_nothing_else():
    ref = ["inst ok", "state", "ret f32:7fc00000 i32:00000001", "state"]
    assert d.compare(ref, ["inst ok", "state", "ret f32:ffc00001 i32:00000001", "state"], PLAN) is None
    m = d.compare(ref, ["inst ok", "state", "ret f32:7f800000 i32:00000001", "state"], PLAN)
    assert m.klass == "result" and m.step == 2 and "'f'" in m.call
    m = d.compare(ref, ["inst ok", "state", "ret f32:ffc00001 i32:00000001", "state"], PLAN, exact=True)
    assert m.klass == "result"


def test_trap_classes():
    ref = ["inst ok", "state", "trap memory_out_of_bounds", "state"]
    m = d.compare(ref, ["inst ok", "state", "ret", "state"], PLAN)
    assert m.klass == "missing-trap:memory_out_of_bounds"
    assert d.known_class(d.VARIANTS["guard-O2"], m) == "guard-lost-oob-trap"
    assert d.known_class(d.VARIANTS["explicit-O2"], m) is None
    assert d.known_class(d.VARIANTS["guard-O0"], m) == "guard-lost-oob-trap"
    m = d.compare(ref, ["inst ok", "state", "trap unreachable", "state"], PLAN)
    assert m.klass == "trap-kind"       # the lost trap, then another one
    assert d.known_class(d.VARIANTS["guard-O2-nopasses"], m) == "guard-lost-oob-trap"
    other = d.compare(["inst ok", "state", "trap unreachable", "state"],
                      ["inst ok", "state", "trap memory_out_of_bounds", "state"], PLAN)
    assert d.known_class(d.VARIANTS["guard-O2"], other) is None
    ok = ["inst ok", "state", "ret", "state"]
    assert d.compare(ok, ["inst ok", "state", "trap unreachable", "state"], PLAN).klass == \
        "extra-trap:unreachable"
    # wasmtime has one code for both of ours
    table = ["inst ok", "state", "trap table_out_of_bounds", "state"]
    assert d.compare(table, ["inst ok", "state", "trap undefined_element", "state"], PLAN) is None
    assert d.compare(table, ["inst ok", "state", "trap undefined_element", "state"], PLAN,
                     exact=True).klass == "trap-kind"


def test_state_crash_and_exhaustion():
    ref = ["inst ok", "state 6d=mem:1:0000abcd", "ret", "state 6d=mem:1:0000abcd"]
    m = d.compare(ref, ["inst ok", "state 6d=mem:1:0000abcd", "ret", "state 6d=mem:1:0000abce"], PLAN)
    assert m.klass == "state"
    assert d.known_class(d.VARIANTS["guard-O2"], m) is None          # after a return
    trapped = ["inst ok", "state 27=i32:00000000", "trap memory_out_of_bounds", "state 27=i32:00000001"]
    m = d.compare(trapped, trapped[:3] + ["state 27=i32:00000000"], PLAN)
    assert m.klass == "state" and d.known_class(d.VARIANTS["explicit-O2"], m) is None
    # guard mode: the trap is compared, the state after it is not
    assert d.compare(trapped, trapped[:3] + ["state 27=i32:00000000"], PLAN, guard=True) == "guard-trap"
    m = d.compare(trapped, trapped[:2] + ["ret", "state 27=i32:00000001"], PLAN, guard=True)
    assert m.klass == "missing-trap:memory_out_of_bounds"
    m = d.compare(ref, ["inst ok", "state 6d=mem:1:0000abcd", "crash exit -11"], PLAN)
    assert m.klass == "crash"
    assert d.compare(ref[:2], ["inst trap unreachable"], []).klass == "instantiate"
    deep = ["inst ok", "state", "trap call_stack_exhausted", "state x"]
    assert d.compare(deep, ["inst ok", "state", "ret", "state y"], PLAN) == "exhausted"


def test_plan_is_a_function_of_seed_and_names():
    _tools_or_skip()
    wasm = d.generate(SAMPLE_SEEDS[0])
    a, b = d.call_plan(wasm, 7), d.call_plan(wasm, 7)
    assert [(c.name, c.slots) for c in a] == [(c.name, c.slots) for c in b]
    assert [c.slots for c in a] != [c.slots for c in d.call_plan(wasm, 8)]
    assert d.generate(SAMPLE_SEEDS[0]) == wasm


# ---------------------------------------------------------- the harness itself

_WAT = """(module
  (memory (export "mem") 1 1)
  (global (export "g") (mut i64) (i64.const 0))
  (func (export "f") (param i32) (result i32)
    (i32.store8 (i32.const 10) (local.get 0))
    (global.set 0 (i64.const 5))
    (i32.add (local.get 0) (i32.const K))))"""


def _wasm(k: int) -> bytes:
    import wasmtime
    return wasmtime.wat2wasm(_WAT.replace("K", str(k)))


def test_harness_reports_a_mismatch(tmp_path):
    _tools_or_skip()
    one, two = _wasm(1), _wasm(2)
    plan = d.call_plan(one, 3)
    ref = d.wasmtime_ref.run(one, plan)
    exe = tmp_path / "two.exe"
    d.build(two, d.VARIANTS["explicit-O2"], "x86_64-linux", exe)
    ours = d.run_ours(exe, plan, "x86_64-linux", tmp_path)
    m = d.compare(ref, ours, plan)
    assert isinstance(m, d.Mismatch) and m.klass == "result", m
    # and the same module agrees, state included (memory written, global set)
    d.build(one, d.VARIANTS["explicit-O2"], "x86_64-linux", exe)
    same = d.run_ours(exe, plan, "x86_64-linux", tmp_path)
    assert d.compare(ref, same, plan) is None
    assert any("=mem:1:" in line and "=i64:0000000000000005" in line for line in same)


_EXN_WAT = """(module
  (tag $t (export "t") (param i32))
  (table (export "tx") 2 exnref)
  (global (export "gx") (mut exnref) (ref.null exn))
  (global (export "g") (mut i32) (i32.const 0))
  (memory (export "m") 1)
  (func (export "throws") (param i32) (result i32)
    (global.set 1 (local.get 0))
    (throw $t (local.get 0)))
  (func (export "catches") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $t $h) (drop (call 0 (local.get 0))))
      (i32.const -1)))
  (func (export "rethrows_null") (result i32)
    (throw_ref (ref.null exn)))
  (func (export "takes_exnref") (param exnref) (result i32) (i32.const 1)))"""


def test_exceptions_compare_on_both_sides(tmp_path):
    """An exception leaving an export, and one leaving the start function,
    is `uncaught_exception` on both sides; throw_ref of null is
    `null_reference`; tags and exnref-typed exports are out of the state
    and the plan (neither side can print them), the rest is in."""
    _tools_or_skip()
    import wasmtime
    wasm = wasmtime.wat2wasm(_EXN_WAT)
    plan = d.call_plan(wasm, 5)
    assert {c.name for c in plan} == {"throws", "catches", "rethrows_null"}
    ref = d.wasmtime_ref.run(wasm, plan)
    exe = tmp_path / "exn.exe"
    d.build(wasm, d.VARIANTS["guard-O2"], "x86_64-linux", exe)
    ours = d.run_ours(exe, plan, "x86_64-linux", tmp_path)
    assert d.compare(ref, ours, plan) is None, (ref, ours)
    assert "trap uncaught_exception" in ref and "trap null_reference" in ref
    states = {line for line in ref if line.startswith("state")}
    assert all(line.split()[1:] and all(k.split("=")[0] in ("67", "6d") for k in line.split()[1:])
               for line in states), states          # "g" and "m" only
    start = wasmtime.wat2wasm('(module (tag $t) (func $s (throw $t)) (start $s))')
    assert d.wasmtime_ref.run(start, []) == ["inst trap uncaught_exception"]
    d.build(start, d.VARIANTS["explicit-O2"], "x86_64-linux", exe)
    assert d.run_ours(exe, [], "x86_64-linux", tmp_path) == ["inst trap uncaught_exception"]


def _dies_on_seed_2(seed, *args):
    if seed == 2:
        os._exit(9)
    return d.SeedReport(seed, generated=True)


def test_harness_reports_a_dying_worker(monkeypatch):
    monkeypatch.setattr(d, "run_seed", _dies_on_seed_2)
    s = d.campaign([0, 1, 2, 3, 4], ("guard-O2",), jobs=2)
    assert s.seeds == 5 and s.modules == 4
    assert [(f.seed, f.klass) for f in s.findings] == [(2, "harness")]


def _hangs_on_seed_2(seed, *args):
    if seed == 2:
        import time
        time.sleep(60)
    return d.SeedReport(seed, generated=True)


def test_harness_reports_a_hanging_worker(monkeypatch):
    """A task past WORKER_DEADLINE kills its worker (as a compile stuck in
    LLVM would): reported like a crash, the other seeds unaffected."""
    monkeypatch.setattr(d, "run_seed", _hangs_on_seed_2)
    monkeypatch.setattr(d, "WORKER_DEADLINE", 2)
    s = d.campaign([0, 1, 2, 3], ("guard-O2",), jobs=2)
    assert s.seeds == 4 and s.modules == 3
    assert [(f.seed, f.klass) for f in s.findings] == [(2, "harness")]
    assert "no result in 2 s" in s.findings[0].detail


# ------------------------------------------------------------------ batches

def test_batch_reports_the_one_module_that_differs(monkeypatch):
    """In a batch executable each module is compared on its own: the module
    compiled from the wrong source is the only finding, the others agree."""
    _tools_or_skip()
    wrong = _wasm(2)
    monkeypatch.setattr(d, "generate", lambda seed, gen=None: _wasm(seed))
    real = d.compile_object

    def compile_swapped(wasm, v, target, jobs=1, prefix="wasm"):
        return real(_wasm(9) if wasm == wrong else wasm, v, target, jobs, prefix)

    monkeypatch.setattr(d, "compile_object", compile_swapped)
    reps = d.run_batch([1, 2, 3], "explicit-O2", "x86_64-linux", "mix")
    assert [r.runs for r in reps] == [1, 1, 1]
    assert [(f.seed, f.klass) for r in reps for f in r.findings] == [(2, "result")]


def test_batch_reruns_the_modules_after_a_crash(monkeypatch, tmp_path):
    """A process that dies ends its module with the crash line; the modules
    after it run in a new process."""
    scripts = []

    def fake_run(exe, plan, target, workdir, script=None):
        scripts.append(script)
        if len(scripts) == 1:
            return ["module 0", "inst ok", "ret", "module 1", "inst ok", "crash exit -11"]
        return ["module 2", "inst ok", "ret"]

    monkeypatch.setattr(d, "run_ours", fake_run)
    out = d._run_batch_exe(tmp_path / "x", [PLAN, PLAN, PLAN], "x86_64-linux", tmp_path)
    assert out == {0: ["inst ok", "ret"], 1: ["inst ok", "crash exit -11"], 2: ["inst ok", "ret"]}
    assert scripts[1].startswith("module 2\n") and "module 0" not in scripts[1]


def _batch_dies_on_seed_2(seeds, *args):
    if 2 in seeds:
        os._exit(9)
    return [d.SeedReport(s, generated=True) for s in seeds]


def test_a_dying_batch_worker_reruns_its_seeds_alone(monkeypatch):
    """The batch that died runs again seed by seed: the seed that kills its
    own pool is the one finding, its batch-mates are reported normally."""
    monkeypatch.setattr(d, "run_batch", _batch_dies_on_seed_2)
    monkeypatch.setattr(d, "run_seed", _dies_on_seed_2)
    s = d.campaign([0, 1, 2, 3, 4, 5], ("guard-O2", "explicit-O2"), jobs=2, batch=3)
    assert s.seeds == 6 and s.modules == 5
    assert [(f.seed, f.klass) for f in s.findings] == [(2, "harness")]
