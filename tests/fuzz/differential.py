#!/usr/bin/env python3
"""Differential execution fuzzer: wasm-smith modules, wasmaot against wasmtime.

    python tests/fuzz/differential.py --seeds 1000 --jobs 2
    python tests/fuzz/differential.py --seeds 200 --start 5000 --target aarch64-linux
    python tests/fuzz/differential.py --replay bug.wasm --seed 17      # one module, every variant
    python tests/fuzz/differential.py --seeds 100 --minimize            # shrink what it finds

Seed ``s`` is a pure function of ``s``: ``random.Random(s)`` gives the
wasm-smith input bytes (500 B .. 24 KB), ``s`` the SIMD switch (``--simd``)
and ``disallow-traps`` (one seed in three, :func:`seed_params`);
the call plan and its arguments come from ``(s, export name, round)``, so a
shrunken module keeps the calls of the exports it still has.

wasm-smith is set to what wasmaot supports (:data:`SMITH_CONFIG`): Wasm 2.0
+ extended-const, SIMD on or off, and the proposals ``--proposals`` names
(:data:`PROPOSALS`: tail calls, multi-memory, memory64, wide arithmetic,
relaxed SIMD against wasmtime's deterministic mode;
``mix`` turns each on for about half the seeds); every item exported, no
imports, termination ensured (a fuel global decremented at loop headers and
function entries, :data:`FUEL`), NaNs canonicalized after every float
operation (so memory and global contents are deterministic), memories and
tables with a declared maximum of at most 16 pages / 1000 elements (so
hashing the state after every call stays cheap and ``memory.grow`` succeeds
or fails alike everywhere).

Each module runs in wasmtime (:mod:`wasmtime_ref`) and, compiled by wasmaot
in every *variant* (:data:`VARIANTS`: both bounds modes at -O0 and -O2, the
IR passes off, code generation forced into several partitions), in a
test-only C driver (``driver/diff_driver.c``).  Both run the same plan: up
to :data:`MAX_CALLS` calls of the exported functions, several rounds, on
one instance; after instantiation and after every call both print the
results (or the trap), and every exported memory (page count + CRC-32),
table (size + CRC-32 of its null map) and global (bits).  Compared:

* against wasmtime, line by line: results bit-exact except NaN payloads of
  scalar floats; trap or not, and its kind (wasmtime cannot tell
  ``undefined_element`` from ``table_out_of_bounds``); the state hashes;
* variants against each other (self-differential), exactly, trap codes
  included;
* ``-j 1`` against ``-j 2`` with forced partitions: identical object bytes.

A stack-exhaustion trap on either side ends the comparison of that module
(the engines' stacks differ in size, and the fuel left differs after it):
counted as *inconclusive*, not a mismatch.  In a guard-mode variant an
out-of-bounds memory trap ends it too, once the trap itself has been
compared: guard mode guarantees the trap, not the exact memory and globals
at it (LLVM moves stores it assumes cannot fault; backends/llvm/traps.py,
"Order of memory effects"), and what later calls do depends on that state
(the fuel global, for one).  Counted as *stopped at a guard trap*; explicit
mode's state at a trap is exact and compared in full.

Mismatch classes (:func:`compare`): ``instantiate``, ``result``,
``missing-trap:<trap>``, ``extra-trap:<trap>``, ``trap-kind``, ``state``,
``crash`` (the executable died or printed too little), ``compile`` (wasmaot
rejected a valid module or failed), ``harness``, ``self:<variant>``
(variants disagree), ``jobs-bytes``.  :func:`known_class` names mismatches
that are a known bug (``guard-lost-oob-trap``).

Findings go to ``--findings`` (default ``$TMPDIR/wasmaot-diff-findings``):
``seed<S>-<variant>-<class>.wasm`` + ``.txt`` and ``summary.json``.
``--minimize`` shrinks the first finding of each class with ``wasm-tools
shrink`` (the predicate re-runs the comparison: :func:`interesting`).
Exit status: 0 when nothing mismatched (known classes aside with
``--allow-known``), 1 otherwise, 2 on set-up errors.
"""
from __future__ import annotations

import argparse
import json
import random
import shlex
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):            # run as a script: import the siblings
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import wasmtime_ref
else:
    from . import wasmtime_ref

HERE = Path(__file__).resolve().parent
DRIVER_C = HERE / "driver" / "diff_driver.c"
DEFAULT_FINDINGS = Path(tempfile.gettempdir()) / "wasmaot-diff-findings"

FUEL = 1000
MAX_CALLS = 40
ROUNDS = 3
RUN_TIMEOUT = 60
#: Seconds a pool task (one seed, or one batch) may take before its worker
#: is killed (faulthandler's watchdog thread: it fires even while LLVM runs
#: in C).  The pool then breaks and the seeds run again alone, as after a
#: crash, so a compile that never ends is a finding, not a stalled run (a
#: riscv64 batch once spent minutes in LLVM's DAG combiner).  Normal tasks
#: take seconds.
WORKER_DEADLINE = 600
SEED_BYTES = (500, 24_000)

SMITH_CONFIG = {
    # exactly Wasm 2.0 + extended-const (+ SIMD when asked)
    "gc-enabled": False, "exceptions-enabled": False, "threads-enabled": False,
    "tail-call-enabled": False, "memory64-enabled": False, "relaxed-simd-enabled": False,
    "custom-page-sizes-enabled": False, "wide-arithmetic-enabled": False,
    "shared-everything-threads-enabled": False, "custom-descriptors-enabled": False,
    "compact-imports-enabled": False, "extended-const-enabled": True,
    "bulk-memory-enabled": True, "reference-types-enabled": True, "multi-value-enabled": True,
    "saturating-float-to-int-enabled": True, "sign-extension-ops-enabled": True,
    "max-memories": 1, "max-tables": 3, "max-imports": 0,
    "export-everything": True, "canonicalize-nans": True,
    "memory-max-size-required": True, "max-memory32-bytes": 16 * 65536,
    "table-max-size-required": True, "max-table-elements": 1000,
    "min-types": 1, "min-funcs": 2, "max-funcs": 24, "max-instructions": 300, "max-type-size": 100,
}
# wasm-tools validate's feature set for the same (a generated module outside
# it is a harness error, not a compiler bug).
VALIDATE_FEATURES = "wasm2,extended-const"


@dataclass(frozen=True)
class Proposal:
    """A supported proposal the generator may turn on: wasm-smith's settings
    for it and wasm-tools validate's feature name ("" for none; wasmtime's
    engine has every one of them on, wasmtime_ref.engine), and ``post``:
    what to do to smith's module (``post(wasm, seed) -> wasm``), if anything."""
    smith: dict
    validate: str
    post: object = None


def add_branch_hints(wasm: bytes, seed: int) -> bytes:
    """``wasm`` with a ``metadata.code.branch_hint`` section appended that
    hints about half of its ``br_if`` and ``if`` instructions, likely or
    unlikely at random (picked by the seed)."""
    from wasmaot.frontend.binary import BRANCH_HINT_SECTION, decode_module
    from wasmaot.frontend.code import iter_instrs, read_locals
    from wasmaot.frontend.leb import uleb
    rng = random.Random(f"{seed}/hints")
    m = decode_module(wasm)
    funcs = []
    for k, f in enumerate(m.funcs):
        _, pos = read_locals(m.data, f.body_start, f.body_end)
        hints = [(off - f.body_start, rng.randrange(2))
                 for op, _, off in iter_instrs(m.data, pos, f.body_end)
                 if op.name in ("br_if", "if") and rng.random() < 0.5]
        if hints:
            funcs.append((m.num_imported_funcs + k, hints))
    if not funcs:
        return wasm
    body = bytearray(uleb(len(funcs)))
    for fn, hints in funcs:
        body += uleb(fn) + uleb(len(hints))
        for off, h in hints:
            body += uleb(off) + b"\x01" + bytes([h])
    name = BRANCH_HINT_SECTION.encode()
    content = uleb(len(name)) + name + bytes(body)
    return wasm + b"\x00" + uleb(len(content)) + content


#: What ``--proposals`` can switch on, beyond Wasm 2.0.  Relaxed SIMD turns
#: SIMD on for its seeds and is compared with wasmtime's deterministic mode:
#: wasmaot always makes Wasm 3.0's deterministic-profile choice.
PROPOSALS = {
    "tail-call": Proposal({"tail-call-enabled": True}, "tail-call"),
    "multi-memory": Proposal({"max-memories": 3}, "multi-memory"),
    # memory64 also lets smith make i64 tables (table64, not implemented):
    # such a module is counted as unsupported, not run (:func:`unsupported`)
    "memory64": Proposal({"memory64-enabled": True, "max-memory64-bytes": 16 * 65536}, "memory64"),
    "wide-arithmetic": Proposal({"wide-arithmetic-enabled": True}, "wide-arithmetic"),
    "relaxed-simd": Proposal({"relaxed-simd-enabled": True, "simd-enabled": True}, "relaxed-simd"),
    # the exnref form (try_table, throw, throw_ref); exports of tags and of
    # exnref-typed functions, globals and tables are left out of the
    # comparison (wasmtime_ref.exports_of)
    "exceptions": Proposal({"exceptions-enabled": True}, "exceptions"),
    # memories of 1-byte pages beside 64 KiB ones
    "custom-page-sizes": Proposal({"custom-page-sizes-enabled": True}, "custom-page-sizes"),
    # smith writes no hints: random ones are added (add_branch_hints); they
    # must change no result
    "branch-hinting": Proposal({}, "", post=add_branch_hints),
}



@dataclass(frozen=True)
class Gen:
    """How seeds become modules: ``simd`` (mix | on | off: SIMD for even
    seeds, all, none) and ``proposals``: names from :data:`PROPOSALS` on for
    every seed, or ``("mix",)``: each one on for about half the seeds, picked
    by the seed."""
    simd: str = "mix"
    proposals: tuple[str, ...] = ()

    def proposals_of(self, seed: int) -> tuple[str, ...]:
        if self.proposals != ("mix",):
            return self.proposals
        rng = random.Random(f"{seed}/proposals")
        return tuple(n for n in PROPOSALS if rng.random() < 0.5)


def parse_proposals(text: str) -> tuple[str, ...]:
    """``--proposals``: "", "mix" or a comma list of :data:`PROPOSALS` names."""
    names = tuple(n for n in text.split(",") if n)
    if names == ("mix",):
        return names
    bad = [n for n in names if n not in PROPOSALS]
    if bad:
        raise argparse.ArgumentTypeError(f"unknown proposal(s) {', '.join(bad)} (known: mix, {', '.join(PROPOSALS)})")
    return names


def unsupported(wasm: bytes) -> bool:
    """True when wasmaot rejects ``wasm`` as using something it does not
    implement (smith's table64 under memory64): skipped and counted, never
    a mismatch.  Any other rejection of a valid module stays a finding."""
    from wasmaot.frontend.binary import decode_module
    from wasmaot.frontend.errors import UnsupportedError, UnsupportedInvalidError
    from wasmaot.frontend.validate import validate_module
    try:
        validate_module(decode_module(wasm))
    except (UnsupportedError, UnsupportedInvalidError):
        return True
    except Exception:  # noqa: BLE001 - reported by the compile step as a finding
        return False
    return False


# ----------------------------------------------------------------- variants

@dataclass(frozen=True)
class Variant:
    name: str
    bounds: str
    opt: int
    passes: bool = True        # the IR pass pipeline (off: passes=[])
    parts: bool = False        # code generation forced into several partitions, -j 2

    def options(self, target: str, jobs: int = 1, prefix: str = "wasm"):
        from wasmaot.backends import CompileOptions
        return CompileOptions(target=target, opt_level=self.opt, bounds=self.bounds, jobs=jobs,
                              prefix=prefix)


VARIANTS = {v.name: v for v in (
    Variant("guard-O2", "guard", 2),
    Variant("explicit-O2", "explicit", 2),
    Variant("guard-O0", "guard", 0),
    Variant("explicit-O0", "explicit", 0),
    Variant("guard-O2-nopasses", "guard", 2, passes=False),
    Variant("explicit-O2-parts", "explicit", 2, parts=True),
)}
DEFAULT_VARIANTS = tuple(VARIANTS)
#: IR text per partition when a variant forces partitions (PART_BYTES is
#: 1 MB: smith's modules would never be split).
FORCED_PART_BYTES = 3000


# ------------------------------------------------------------- generation

def wasm_tools() -> str:
    from wasmaot.bench import tools
    return str(tools.wasm_tools())


def seed_params(seed: int, gen: Gen) -> tuple[bytes, dict]:
    """wasm-smith's input bytes and the per-seed settings: SIMD (``gen.simd``:
    on, off, or mix = even seeds), and for one seed in three
    ``disallow-traps`` (smith guards its loads, divisions and conversions:
    longer runs that return values)."""
    rng = random.Random(seed)
    data = rng.randbytes(rng.randint(*SEED_BYTES))
    use_simd = {"on": True, "off": False}.get(gen.simd, seed % 2 == 0)
    settings = {"simd-enabled": use_simd, "disallow-traps": seed % 3 == 2}
    for name in gen.proposals_of(seed):
        settings.update(PROPOSALS[name].smith)
    return data, settings


def generate(seed: int, gen: Gen | None = None) -> bytes | None:
    """The module of ``seed``, or None if wasm-smith gives up on the input."""
    gen = gen or Gen()
    data, settings = seed_params(seed, gen)
    cfg = dict(SMITH_CONFIG, **settings)
    with tempfile.TemporaryDirectory(prefix="wasmaot-smith-") as td:
        conf, inp, out = Path(td, "c.json"), Path(td, "in.bin"), Path(td, "m.wasm")
        conf.write_text(json.dumps(cfg))
        inp.write_bytes(data)
        r = subprocess.run([wasm_tools(), "smith", "-c", str(conf), "--ensure-termination",
                            "--fuel", str(FUEL), str(inp), "-o", str(out)], capture_output=True, check=False)
        if r.returncode != 0:
            return None
        wasm = out.read_bytes()
    features = ",".join([VALIDATE_FEATURES, *(PROPOSALS[n].validate for n in gen.proposals_of(seed)
                                              if PROPOSALS[n].validate)])
    v = subprocess.run([wasm_tools(), "validate", "--features", features, "-"],
                       input=wasm, capture_output=True, check=False)
    if v.returncode != 0:
        raise HarnessError(f"seed {seed}: wasm-smith made a module outside {features}: "
                           f"{v.stderr.decode(errors='replace').strip()}")
    for n in gen.proposals_of(seed):
        if PROPOSALS[n].post is not None:
            wasm = PROPOSALS[n].post(wasm, seed)
    return wasm


class HarnessError(Exception):
    pass


# ----------------------------------------------------------------- the plan

@dataclass
class Call:
    name: str
    params: list[int]
    results: list[int]
    slots: list[int]

    def script_line(self) -> str:
        return " ".join(["call", "x" + self.name.encode().hex(), *(f"{s:x}" for s in self.slots)])

    def describe(self) -> str:
        return f"{self.name!r}({', '.join(f'{s:#x}' for s in self.slots)})"


_I32 = [0, 1, 2, 7, 0xFFFFFFFF, 0xFFFFFFFE, 0x80000000, 0x7FFFFFFF, 0xFFFF, 0x10000, 0xFFFC, 0xFFF8,
        0xFFFF0000, 0xFFFFFFF0, 16, 64, 100, 1000]
_I64 = [0, 1, 2, 0xFFFFFFFFFFFFFFFF, 0x8000000000000000, 0x7FFFFFFFFFFFFFFF, 0xFFFFFFFF, 0x100000000,
        0x10000, 0xFFFF]
_F32 = [0, 0x80000000, 0x3F800000, 0xBF800000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000,
        0x7FA00000, 0x00000001, 0x7F7FFFFF, 0x4F000000, 0xCF000000, 0x3F000000, 0x4B000001]
_F64 = [0, 0x8000000000000000, 0x3FF0000000000000, 0xBFF0000000000000, 0x7FF0000000000000,
        0xFFF0000000000000, 0x7FF8000000000000, 0xFFF8000000000000, 0x7FF4000000000000, 1,
        0x41E0000000000000, 0xC1E0000000000000, 0x43E0000000000000, 0x3FE0000000000000]


def _arg(rng: random.Random, kind: int) -> list[int]:
    pick = rng.random()
    if kind == wasmtime_ref.V128:
        lanes = [rng.choice(_I32) if pick < 0.5 else rng.getrandbits(32) for _ in range(4)]
        v = sum(x << (32 * i) for i, x in enumerate(lanes))
        return [v & (1 << 64) - 1, v >> 64]
    table = {wasmtime_ref.I32: (_I32, 32), wasmtime_ref.I64: (_I64, 64),
             wasmtime_ref.F32: (_F32, 32), wasmtime_ref.F64: (_F64, 64)}.get(kind)
    if table is None:
        return [0]                                   # refs: null
    values, bits = table
    if pick < 0.6:
        return [rng.choice(values)]
    if pick < 0.8:
        return [rng.randrange(0, 256)]
    return [rng.getrandbits(bits)]


def call_plan(wasm: bytes, seed: int) -> list[Call]:
    """Up to MAX_CALLS calls of every exported function, ROUNDS rounds, in
    an order and with arguments that depend only on (seed, name, round)."""
    sigs = [(e.name, e.params, e.results) for e in wasmtime_ref.exports_of(wasm) if e.kind == "func"]
    if not sigs:
        return []
    rounds = max(1, min(ROUNDS, MAX_CALLS // len(sigs)))
    calls = []
    for r in range(rounds):
        for name, params, results in sigs:
            rng = random.Random(f"{seed}/{name}/{r}")
            slots = [s for kind in params for s in _arg(rng, kind)]
            calls.append((rng.random() + r, Call(name, params, results, slots)))
    calls.sort(key=lambda kc: kc[0])
    return [c for _, c in calls[:MAX_CALLS]]


# ----------------------------------------------------------------- our side

def compile_object(wasm: bytes, variant: Variant, target: str, jobs: int = 1,
                   prefix: str = "wasm") -> list[bytes]:
    """The objects of ``wasm`` compiled as ``variant`` under symbol prefix
    ``prefix`` (a batch gives each module its own)."""
    from wasmaot.backends import codegen
    from wasmaot.compile import compile_bytes
    saved = codegen.PART_BYTES
    if variant.parts:
        codegen.PART_BYTES = FORCED_PART_BYTES
    try:
        res = compile_bytes(wasm, "fuzz.wasm", variant.options(target, jobs, prefix), emit="obj",
                            passes=None if variant.passes else [])
    finally:
        codegen.PART_BYTES = saved
    return [res.data]


def build(wasm: bytes, variant: Variant, target: str, exe: Path) -> None:
    from wasmaot.backends.link import link_executable
    from wasmaot.runtime import root
    objs = compile_object(wasm, variant, target, jobs=2 if variant.parts else 1)
    link_executable(objs, exe, target, variant.bounds, [DRIVER_C, root() / "host" / "host_link.c"])


def run_ours(exe: Path, plan: list[Call], target: str, workdir: Path, script: str | None = None) -> list[str]:
    """The driver's lines; a death or a timeout ends them with a ``crash`` line.
    ``script``: the whole script text instead of ``plan``'s calls."""
    from wasmaot.backends.targets import get_target
    text = "".join(c.script_line() + "\n" for c in plan) if script is None else script
    script = workdir / "calls.txt"
    script.write_text(text)
    prefix = list(get_target(target).check_runnable())
    try:
        p = subprocess.run([*prefix, str(exe), str(script)], capture_output=True, timeout=RUN_TIMEOUT,
                           check=False)
    except subprocess.TimeoutExpired as e:
        return _ours_lines(e.stdout or b"") + [f"crash timeout after {RUN_TIMEOUT}s"]
    lines = _ours_lines(p.stdout)
    if p.returncode != 0:
        err = p.stderr.decode(errors="replace").strip().splitlines()
        lines.append(f"crash exit {p.returncode}" + (f": {err[-1]}" if err else ""))
    return lines


def _ours_lines(out: bytes) -> list[str]:
    """Driver output with trap codes spelled as TrapCode names."""
    from wasmaot.ir.trapcodes import TrapCode
    lines = []
    for line in out.decode(errors="replace").splitlines():
        head, _, code = line.rpartition(" ")
        if head in ("trap", "inst trap") and code.isdigit():
            try:
                line = f"{head} {TrapCode(int(code)).name}"
            except ValueError:
                line = f"{head} code{code}"
        lines.append(line)
    return lines


# --------------------------------------------------------------- comparison

@dataclass
class Mismatch:
    klass: str
    step: int                  # line index
    expected: str
    got: str
    call: str = ""
    after: str = ""            # the reference's line before (a state line follows a ret/trap)

    def text(self) -> str:
        where = f" in call {self.call}" if self.call else ""
        return f"{self.klass} at step {self.step}{where}:\n  expected: {self.expected}\n  got:      {self.got}"


def _is_nan(tok: str) -> bool:
    kind, _, bits = tok.partition(":")
    if kind == "f32":
        v = int(bits, 16)
        return v & 0x7F800000 == 0x7F800000 and v & 0x7FFFFF != 0
    if kind == "f64":
        v = int(bits, 16)
        return v & 0x7FF0000000000000 == 0x7FF0000000000000 and v & 0xFFFFFFFFFFFFF != 0
    return False


def _values_equal(a: str, b: str) -> bool:
    ta, tb = a.split(), b.split()
    return len(ta) == len(tb) and all(x == y or (_is_nan(x) and _is_nan(y)) for x, y in zip(ta, tb))


def wasmtime_view(line: str) -> str:
    """Our line as wasmtime can see it: one code for table index errors."""
    return line.replace("trap undefined_element", "trap table_out_of_bounds")


def _step_calls(lines: list[str], plan: list[Call]) -> list[str]:
    """For each line index, the call it belongs to (by counting ret/trap lines)."""
    out, k = [], -1
    for line in lines:
        if line.startswith(("ret", "trap")):
            k += 1
        out.append(plan[k].describe() if 0 <= k < len(plan) and not line.startswith("inst") else "")
    return out


GUARD_TRAP = "trap memory_out_of_bounds"


def compare(ref: list[str], got: list[str], plan: list[Call], exact: bool = False,
            guard: bool = False) -> Mismatch | str | None:
    """The first difference of ``got`` from ``ref`` as a Mismatch; the
    string ``"exhausted"`` if a stack exhaustion ended the comparison
    first, ``"guard-trap"`` if ``guard`` and an out-of-bounds memory trap
    that both sides have ended it (the state after it is not compared);
    None if they agree.  ``exact``: no NaN or trap-code latitude."""
    where = _step_calls(ref, plan)
    for i, want in enumerate(ref):
        have = got[i] if i < len(got) else "(nothing)"
        if not exact:
            have = wasmtime_view(have)
        if "call_stack_exhausted" in want or "call_stack_exhausted" in have:
            return "exhausted"
        if guard and want == have == GUARD_TRAP:
            return "guard-trap"
        if want == have or (want.startswith("ret") and have.startswith("ret") and not exact
                            and _values_equal(want, have)):
            continue
        return Mismatch(_classify(want, have), i, want, have, where[i], ref[i - 1] if i else "")
    if len(got) > len(ref):
        return Mismatch(_classify("(end)", got[len(ref)]), len(ref), "(end)", got[len(ref)])
    return None


def _classify(want: str, have: str) -> str:
    if have.startswith(("crash", "(nothing)")):
        return "crash"
    if have.startswith("error") or want.startswith("error"):
        return "harness"
    if want.startswith("inst") or have.startswith("inst"):
        return "instantiate"
    if want.startswith("trap") and have.startswith("ret"):
        return f"missing-trap:{want.split()[1]}"
    if want.startswith("ret") and have.startswith("trap"):
        return f"extra-trap:{have.split()[1]}"
    if want.startswith("trap") and have.startswith("trap"):
        return "trap-kind"
    if want.startswith("ret"):
        return "result"
    return "state"


def known_class(variant: Variant, m: Mismatch) -> str | None:
    """The name of a known bug this mismatch is an instance of, or None.

    ``guard-lost-oob-trap``: in guard mode an out-of-bounds load whose value
    LLVM folds away was deleted, so it did not fault: wasmtime traps and we
    go on, to return or to trap later for another reason.  Known (issue
    11) and hit by this fuzzer at -O2 and once at -O0; fixed in ea243cd
    (every possibly-faulting load is kept).  The name stays so that a recurrence, or a run
    against an older build, is reported as what it is.

    (``guard-store-order``, a guard-mode state other than Wasm's after an
    out-of-bounds trap, is no longer a class: guard mode does not promise
    that state, and compare() stops there; see the module docstring.)"""
    if (variant.bounds == "guard" and m.expected == "trap memory_out_of_bounds"
            and m.klass in ("missing-trap:memory_out_of_bounds", "trap-kind")):
        return "guard-lost-oob-trap"
    return None


# ----------------------------------------------------------------- one seed

@dataclass
class Finding:
    seed: int
    variant: str
    klass: str
    known: str | None
    detail: str

    def signature(self) -> str:
        return self.known or self.klass


@dataclass
class SeedReport:
    seed: int
    generated: bool = False
    calls: int = 0
    runs: int = 0
    inconclusive: int = 0
    guard_stops: int = 0       # variant runs whose comparison a guard-mode trap ended
    unsupported: bool = False  # generated, but uses what wasmaot does not implement: not run
    findings: list[Finding] = field(default_factory=list)
    wasm: bytes | None = None
    seconds: float = 0.0


def canonical_nans(target: str) -> bool:
    """Does ``target``'s hardware make every NaN result canonical (RISC-V),
    so that its reference is wasmtime with NaN canonicalization
    (wasmtime_ref.engine)?"""
    return target.startswith("riscv")


def check_module(wasm: bytes, seed: int, variants: list[Variant], target: str,
                 check_jobs: bool = True) -> SeedReport:
    """Run ``wasm`` (call plan of ``seed``) in wasmtime and in every variant."""
    rep = SeedReport(seed, generated=True, wasm=wasm)
    plan = call_plan(wasm, seed)
    rep.calls = len(plan)
    ref = wasmtime_ref.run(wasm, plan, canonical_nans(target))
    outputs: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="wasmaot-diff-") as td:
        for v in variants:
            lines = _variant_lines(wasm, v, target, plan, Path(td), rep)
            if lines is None:
                continue
            rep.runs += 1
            outputs[v.name] = lines
            m = compare(ref, lines, plan, guard=v.bounds == "guard")
            if m == "exhausted":
                rep.inconclusive += 1
            elif m == "guard-trap":
                rep.guard_stops += 1
            elif m is not None:
                rep.findings.append(Finding(seed, v.name, m.klass, known_class(v, m), m.text()))
    _self_differential(outputs, plan, rep)
    if check_jobs and any(v.parts for v in variants):
        _jobs_bytes(wasm, next(v for v in variants if v.parts), target, rep)
    return rep


def _variant_lines(wasm, v: Variant, target: str, plan, td: Path, rep: SeedReport) -> list[str] | None:
    exe = td / f"{v.name}.exe"
    try:
        build(wasm, v, target, exe)
    except Exception as e:  # noqa: BLE001 - any compile failure of a valid module is a finding
        first = (str(e).strip().splitlines() or [""])[0]
        rep.findings.append(Finding(rep.seed, v.name, "compile", None, f"{type(e).__name__}: {first}"))
        return None
    return run_ours(exe, plan, target, td)


def _self_differential(outputs: dict[str, list[str]], plan, rep: SeedReport) -> None:
    """Variants that agree with wasmtime must agree with each other exactly
    (trap codes included) up to the first stack exhaustion."""
    bad = {f.variant for f in rep.findings}
    names = [n for n in outputs if n not in bad]
    if len(names) < 2:
        return
    base = names[0]
    for other in names[1:]:
        guard = "guard" in (VARIANTS[base].bounds, VARIANTS[other].bounds)
        m = compare(outputs[base], outputs[other], plan, exact=True, guard=guard)
        if isinstance(m, Mismatch):
            rep.findings.append(Finding(rep.seed, other, f"self:{base}", None, m.text()))


def _jobs_bytes(wasm, v: Variant, target: str, rep: SeedReport) -> None:
    try:
        one, two = (compile_object(wasm, v, target, jobs=j) for j in (1, 2))
    except Exception:  # noqa: BLE001 - already reported as a compile finding
        return
    if one != two:
        rep.findings.append(Finding(rep.seed, v.name, "jobs-bytes", None,
                                    f"-j 1 and -j 2 objects differ ({len(one[0])} / {len(two[0])} bytes)"))


def run_seed(seed: int, variant_names: tuple[str, ...], target: str, gen: Gen) -> SeedReport:
    t0 = time.perf_counter()
    try:
        wasm = generate(seed, gen)
        if wasm is None:
            return SeedReport(seed)
        if unsupported(wasm):
            return SeedReport(seed, unsupported=True)
        rep = check_module(wasm, seed, [VARIANTS[n] for n in variant_names], target)
    except Exception as e:  # noqa: BLE001 - a harness failure is reported, the campaign goes on
        rep = SeedReport(seed)
        rep.findings.append(Finding(seed, "-", "harness", None, f"{type(e).__name__}: {e}"))
    rep.seconds = time.perf_counter() - t0
    return rep


# ------------------------------------------------------------------ batches
#
# The long run's economy: a batch of K consecutive seeds, all compiled as ONE
# variant (chosen by the batch's index, so a run covers every variant
# equally), each module under its own symbol prefix (m0, m1, ...), linked
# into one driver executable (DIFF_MODULES) and run by one process with a
# `module k` line before each module's calls.  A link and a process per
# module cost more than compiling it; batching makes ~100,000 modules fit in
# an afternoon on two cores.  What a batch does not do: compare variants
# with each other or -j 1 with -j 2 (run_seed does, for every seed of a
# normal run).

def _batch_prefix(k: int) -> str:
    return f"m{k}"


def _batch_driver(n: int, target: str, bounds: str) -> Path:
    """The driver object for n modules (cached by the build cache: the
    prefixes are the same for every batch of n)."""
    from wasmaot.backends.buildcache import compile_host_c
    names = "".join(f"X({_batch_prefix(k)})" for k in range(n))
    return compile_host_c(DRIVER_C, target, bounds, extra_flags=[f"-DDIFF_MODULES={names}"])


def _split_batch(out: list[str], n: int) -> dict[int, list[str]]:
    """Driver output of a batch -> module index -> its lines (`module k`
    lines are the separators)."""
    parts: dict[int, list[str]] = {}
    cur = None
    for line in out:
        if line.startswith("module ") and line[7:].isdigit():
            cur = int(line[7:])
            parts[cur] = []
        elif cur is not None:
            parts[cur].append(line)
    return parts


def _run_batch_exe(exe: Path, plans: list[list[Call]], target: str, td: Path) -> dict[int, list[str]]:
    """Every module's lines.  A process that dies (a crash, a timeout) ends
    the module it was in with the crash line; the modules after it run
    again in a new process."""
    result: dict[int, list[str]] = {}
    todo = list(range(len(plans)))
    while todo:
        script = [f"module {k}\n" + "".join(c.script_line() + "\n" for c in plans[k]) for k in todo]
        lines = run_ours(exe, [], target, td, script="".join(script))
        parts = _split_batch(lines, len(plans))
        crash = [ln for ln in lines if ln.startswith("crash")]
        done = [k for k in todo if k in parts]
        for k in done:                 # the crash line is already the last one's
            result[k] = parts[k]
        if crash and not done:         # died before its first module line
            result[todo[0]] = crash
        todo = [k for k in todo if k not in result]
        if not crash and todo:         # a module the driver never reached
            for k in todo:
                result[k] = ["crash driver skipped the module"]
            todo = []
    return result


def run_batch(seeds: list[int], variant_name: str, target: str, gen: Gen) -> list[SeedReport]:
    """Generate, reference-run, compile and compare the modules of ``seeds``
    as one batch executable of ``variant_name``."""
    from wasmaot.backends.link import link_executable
    from wasmaot.runtime import root
    v = VARIANTS[variant_name]
    reps, mods = [], []           # mods: (report, wasm, plan, reference lines, object)
    for seed in seeds:
        t0 = time.perf_counter()
        rep = SeedReport(seed)
        reps.append(rep)
        try:
            wasm = generate(seed, gen)
            if wasm is None:
                continue
            if unsupported(wasm):
                rep.unsupported = True
                continue
            rep.generated, rep.wasm = True, wasm
            plan = call_plan(wasm, seed)
            rep.calls = len(plan)
            ref = wasmtime_ref.run(wasm, plan, canonical_nans(target))
        except Exception as e:  # noqa: BLE001 - a harness failure is reported, the campaign goes on
            rep.findings.append(Finding(seed, "-", "harness", None, f"{type(e).__name__}: {e}"))
            continue
        try:
            obj, = compile_object(wasm, v, target, jobs=2 if v.parts else 1,
                                  prefix=_batch_prefix(len(mods)))
        except Exception as e:  # noqa: BLE001 - any compile failure of a valid module is a finding
            first = (str(e).strip().splitlines() or [""])[0]
            rep.findings.append(Finding(seed, v.name, "compile", None, f"{type(e).__name__}: {first}"))
            continue
        rep.seconds = time.perf_counter() - t0
        mods.append((rep, wasm, plan, ref, obj))
    if not mods:
        return reps
    with tempfile.TemporaryDirectory(prefix="wasmaot-diffb-") as td:
        exe = Path(td, "batch.exe")
        try:
            link_executable([m[4] for m in mods], exe, target, v.bounds,
                            [_batch_driver(len(mods), target, v.bounds), root() / "host" / "host_link.c"])
        except Exception as e:  # noqa: BLE001 - a link failure is the harness's or ours: report it
            for rep, *_ in mods:
                rep.findings.append(Finding(rep.seed, v.name, "compile", None, f"link: {e}"))
            return reps
        outs = _run_batch_exe(exe, [m[2] for m in mods], target, Path(td))
    for k, (rep, _wasm, plan, ref, _obj) in enumerate(mods):
        rep.runs = 1
        m = compare(ref, outs.get(k, ["crash no output"]), plan, guard=v.bounds == "guard")
        if m == "exhausted":
            rep.inconclusive += 1
        elif m == "guard-trap":
            rep.guard_stops += 1
        elif m is not None:
            rep.findings.append(Finding(rep.seed, v.name, m.klass, known_class(v, m), m.text()))
    return reps


# ----------------------------------------------------------------- campaign

@dataclass
class Summary:
    seeds: int = 0
    modules: int = 0
    calls: int = 0
    runs: int = 0
    inconclusive: int = 0
    guard_stops: int = 0
    unsupported: int = 0
    by_class: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    started: float = field(default_factory=time.perf_counter)

    def add(self, rep: SeedReport) -> None:
        self.seconds = time.perf_counter() - self.started
        self.seeds += 1
        self.modules += rep.generated
        self.calls += rep.calls
        self.runs += rep.runs
        self.inconclusive += rep.inconclusive
        self.guard_stops += rep.guard_stops
        self.unsupported += rep.unsupported
        for f in rep.findings:
            self.by_class[f.signature()] = self.by_class.get(f.signature(), 0) + 1
            self.findings.append(f)

    def unknown(self) -> list[Finding]:
        return [f for f in self.findings if not f.known]

    def line(self) -> str:
        cls = ", ".join(f"{k}: {v}" for k, v in sorted(self.by_class.items())) or "none"
        return (f"{self.seeds} seeds, {self.modules} modules, {self.calls} calls, {self.runs} runs, "
                f"{self.inconclusive} inconclusive (stack exhaustion), {self.guard_stops} stopped at a "
                f"guard-mode trap, "
                + (f"{self.unsupported} unsupported (not run), " if self.unsupported else "")
                + f"{len(self.findings)} mismatches "
                f"({cls}) in {self.seconds:.0f} s")


def campaign(seeds: list[int], variant_names: tuple[str, ...], target: str = "x86_64-linux",
             gen: Gen | None = None, jobs: int = 1, findings_dir: Path | None = None,
             progress=None, batch: int = 0) -> Summary:
    """Run every seed (``jobs`` worker processes); findings saved if asked.
    ``batch`` > 0: batches of that many seeds, one variant each (run_batch).
    A worker that dies (a crash in wasmtime or LLVM in-process) breaks its
    pool: the seeds left unfinished run again one per pool, and one that
    kills its own pool is a finding."""
    summary = Summary()

    def collect(rep: SeedReport) -> None:
        _collect(rep, summary, findings_dir, progress)

    if batch:
        _batch_campaign(seeds, variant_names, target, gen, jobs, batch, collect)
    else:
        lost = _run_pool([(s, run_seed, (s, variant_names, target, gen)) for s in seeds], jobs, collect)
        for seed in lost:
            _retry_alone(seed, variant_names, target, gen, collect)
    summary.seconds = time.perf_counter() - summary.started
    return summary


def _run_pool(tasks: list[tuple], jobs: int, collect, initializer=None) -> list:
    """Run ``tasks`` -- (key, function, args), the function giving a
    SeedReport or a list of them -- in a pool of ``jobs`` forked workers;
    the keys of the tasks left unfinished if a worker died and broke it."""
    import multiprocessing as mp
    with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("fork"),
                             initializer=initializer) as pool:
        futs = {pool.submit(_with_deadline, WORKER_DEADLINE, fn, *args): key
                for key, fn, args in tasks}
        try:
            for fut in as_completed(futs):
                res = fut.result()
                for rep in res if isinstance(res, list) else [res]:
                    collect(rep)
        except BrokenProcessPool:
            return [k for f, k in futs.items() if not f.done() or f.exception() is not None]
    return []


def _with_deadline(seconds: float, fn, *args):
    """``fn(*args)`` in a pool worker that is killed after ``seconds``
    (:data:`WORKER_DEADLINE`), with every thread's Python stack on stderr."""
    import faulthandler
    faulthandler.dump_traceback_later(seconds, exit=True)
    try:
        return fn(*args)
    finally:
        faulthandler.cancel_dump_traceback_later()


def _retry_alone(seed: int, variant_names, target: str, gen: Gen, collect) -> None:
    """A seed whose pool broke runs again in a pool of its own; if it kills
    that one too, it is the finding."""
    if _run_pool([(seed, run_seed, (seed, variant_names, target, gen))], 1, collect):
        collect(_dead_worker(seed))


def _batch_campaign(seeds: list[int], variant_names, target, gen, jobs, batch, collect) -> None:
    """Batches of ``batch`` consecutive seeds, batch i in variant i mod n.  A
    worker that dies takes its batch with it: those seeds run again one by
    one (_retry_alone)."""
    chunks = [seeds[i:i + batch] for i in range(0, len(seeds), batch)]

    def variant(chunk):
        return variant_names[(chunk[0] // batch) % len(variant_names)]

    tasks = [(k, run_batch, (c, variant(c), target, gen)) for k, c in enumerate(chunks)]
    for k in _run_pool(tasks, jobs, collect, initializer=_codegen_in_process):
        for seed in chunks[k]:
            _retry_alone(seed, (variant(chunks[k]),), target, gen, collect)


def _codegen_in_process() -> None:
    """Batch workers run LLVM in their own process, as the spec runner's
    daemonic workers do (codegen.run): the worker is already the crash
    boundary (a dying one is reported, and its seeds run again one by one
    with the crash-isolating code generator), and a code-generation pool
    per module cost a third of the run."""
    from wasmaot.backends import codegen
    codegen._in_daemon = lambda: True


def _dead_worker(seed: int) -> SeedReport:
    rep = SeedReport(seed)
    rep.findings.append(Finding(seed, "-", "harness", None,
                                f"the worker process died (a crash, or no result in "
                                f"{WORKER_DEADLINE} s)"))
    return rep


def _collect(rep: SeedReport, summary: Summary, findings_dir: Path | None, progress) -> None:
    summary.add(rep)
    if findings_dir is not None and rep.findings:
        save_findings(rep, findings_dir)
    if progress:
        progress(rep, summary)


def save_findings(rep: SeedReport, outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    for f in rep.findings:
        stem = f"seed{f.seed}-{f.variant}-{f.signature().replace(':', '_').replace('/', '_')}"
        if rep.wasm is not None:
            (outdir / f"{stem}.wasm").write_bytes(rep.wasm)
        (outdir / f"{stem}.txt").write_text(
            f"seed {f.seed}\nvariant {f.variant}\nclass {f.klass}\nknown {f.known}\n\n{f.detail}\n")


# ------------------------------------------------------------- minimizing

def interesting(wasm: bytes, seed: int, variant: str, klass: str, target: str) -> bool:
    """Whether ``wasm`` still shows a ``klass`` mismatch in ``variant``."""
    names = [klass.split(":", 1)[1], variant] if klass.startswith("self:") else [variant]
    try:
        rep = check_module(wasm, seed, [VARIANTS[n] for n in names], target, check_jobs=klass == "jobs-bytes")
    except Exception:  # noqa: BLE001 - the predicate: anything else is "not interesting"
        return False
    return any(f.klass == klass or f.known == klass for f in rep.findings)


def minimize(wasm: bytes, seed: int, variant: str, klass: str, target: str, out: Path,
             attempts: int = 300) -> bytes:
    """``wasm-tools shrink`` with :func:`interesting` as the predicate."""
    with tempfile.TemporaryDirectory(prefix="wasmaot-shrink-") as td:
        src, pred = Path(td, "in.wasm"), Path(td, "pred.sh")
        src.write_bytes(wasm)
        cmd = [sys.executable, str(Path(__file__).resolve()), "--interesting", "--seed", str(seed),
               "--variant", variant, "--klass", klass, "--target", target]
        pred.write_text(f"#!/bin/sh\nexec {shlex.join(cmd)} --replay \"$1\"\n")
        pred.chmod(0o755)
        subprocess.run([wasm_tools(), "shrink", "--attempts", str(attempts), str(pred), str(src),
                        "-o", str(out)], check=True, capture_output=True)
    return out.read_bytes()


# ------------------------------------------------------------------- CLI

def _parse(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=100, help="number of seeds (default 100)")
    ap.add_argument("--start", type=int, default=0, help="first seed (default 0)")
    ap.add_argument("--jobs", "-j", type=int, default=1, help="worker processes (default 1)")
    ap.add_argument("--target", default="x86_64-linux")
    ap.add_argument("--variants", default=",".join(DEFAULT_VARIANTS),
                    help=f"comma-separated, of: {', '.join(VARIANTS)}")
    ap.add_argument("--simd", choices=("mix", "on", "off"), default="mix",
                    help="SIMD in the generated modules (mix: even seeds)")
    ap.add_argument("--proposals", type=parse_proposals, default=(),
                    help="proposals beyond Wasm 2.0 in the generated modules: a comma list of "
                         f"{', '.join(PROPOSALS)}, or mix (each on for about half the seeds); "
                         "default: none")
    ap.add_argument("--findings", type=Path, default=DEFAULT_FINDINGS)
    ap.add_argument("--minimize", action="store_true", help="shrink the first finding of each class")
    ap.add_argument("--attempts", type=int, default=300, help="wasm-tools shrink attempts (default 300)")
    ap.add_argument("--batch", type=int, default=0, metavar="K",
                    help="the long run's mode: batches of K seeds, each batch compiled as ONE variant "
                         "(rotating) into one executable; no self-differential checks (default: off)")
    ap.add_argument("--allow-known", action="store_true", help="known bug classes do not fail the run")
    ap.add_argument("--replay", type=Path, help="check this module instead of generated ones")
    ap.add_argument("--seed", type=int, default=0, help="with --replay: the seed of the call plan")
    ap.add_argument("--interesting", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--variant", help=argparse.SUPPRESS)
    ap.add_argument("--klass", help=argparse.SUPPRESS)
    ap.add_argument("-q", "--quiet", action="store_true")
    return ap.parse_args(argv)


def main(argv=None) -> int:
    a = _parse(argv)
    names = tuple(n for n in a.variants.split(",") if n)
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        print(f"differential: unknown variant(s) {', '.join(unknown)}", file=sys.stderr)
        return 2
    if a.interesting:      # the shrink predicate: exit 0 when still interesting
        return 0 if interesting(a.replay.read_bytes(), a.seed, a.variant, a.klass, a.target) else 1
    if a.replay:
        try:
            rep = check_module(a.replay.read_bytes(), a.seed, [VARIANTS[n] for n in names], a.target)
        except Exception as e:  # noqa: BLE001 - bad input: one line, not a traceback
            print(f"differential: {a.replay}: {type(e).__name__}: {e}", file=sys.stderr)
            return 1
        for f in rep.findings:
            print(f"[{f.variant}] {f.signature()}\n{f.detail}")
        print(f"{rep.calls} calls, {rep.runs} runs, {rep.inconclusive} inconclusive, "
              f"{len(rep.findings)} mismatches")
        return 1 if rep.findings else 0

    def progress(rep: SeedReport, s: Summary):
        if a.quiet:
            return
        for f in rep.findings:
            print(f"seed {f.seed} [{f.variant}] {f.signature()}: {f.detail.splitlines()[0]}", flush=True)
        if s.seeds % 50 == 0:
            print(f"... {s.line()}", flush=True)

    if a.batch < 0:
        print("differential: --batch must be >= 0", file=sys.stderr)
        return 2
    s = campaign(list(range(a.start, a.start + a.seeds)), names, a.target, Gen(a.simd, a.proposals),
                 a.jobs,
                 a.findings, progress, batch=a.batch)
    print(s.line())
    (a.findings).mkdir(parents=True, exist_ok=True)
    (a.findings / "summary.json").write_text(json.dumps(
        {k: v for k, v in s.__dict__.items() if k not in ("findings", "started")} |
        {"findings": [f.__dict__ for f in s.findings], "args": vars(a) | {"findings": str(a.findings),
                                                                           "replay": None}},
        indent=1))
    if a.minimize:
        _minimize_all(s, a)
    failing = s.unknown() if a.allow_known else s.findings
    return 1 if failing else 0


def _minimize_all(s: Summary, a) -> None:
    done = set()
    for f in s.findings:
        if f.signature() in done or f.variant == "-":
            continue
        done.add(f.signature())
        stem = f"seed{f.seed}-{f.variant}-{f.signature().replace(':', '_')}"
        wasm = (a.findings / f"{stem}.wasm").read_bytes()
        out = a.findings / f"min-{stem}.wasm"
        try:
            small = minimize(wasm, f.seed, f.variant, f.signature(), a.target, out, a.attempts)
            print(f"minimized {stem}: {len(wasm)} -> {len(small)} bytes: {out}")
        except subprocess.CalledProcessError as e:
            print(f"could not minimize {stem}: {e.stderr.decode(errors='replace').strip()[:300]}")


if __name__ == "__main__":
    sys.exit(main())
