"""Frontend robustness, every run: a small deterministic fuzz sample + hypothesis.

* ``test_mutation_sample``: 2,000 mutated spec-suite modules (campaign seed
  fixed, benchmark module left out so the sample is the same on every
  machine) through decode + validate in 2 worker processes: no exception other
  than ``WasmError``, no input over 5 s.
* ``test_structured_random_modules``: hypothesis builds modules section by
  section (random ids, sizes that lie or not, over-long LEB128s, random
  payloads, sometimes real instructions) and runs them in-process under an
  alarm.
* ``test_harness_detects_crashes_and_hangs``: the harness itself reports a
  crash, a dying worker and a hang (on a fake target), so a green sample
  means something.

The big run is ``python tests/fuzz/fuzz_frontend.py -n 100000 --jobs 2``.
"""
from __future__ import annotations

import os
import signal
import time
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wasmaot.frontend.binary import decode_module
from wasmaot.frontend.errors import WasmError

from . import fuzz_frontend as ff

SAMPLE_N = 2000
SAMPLE_SEED = 20240601
INPUT_LIMIT_S = 5.0


def _validate():
    try:
        from wasmaot.frontend.validate import validate_module
    except ImportError:
        return None
    return validate_module


@pytest.fixture(scope="module")
def seeds():
    # In CI the suite is always beside the repo: missing it there is a failure.
    if not ff.SUITE.is_dir():
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"spec test suite not found at {ff.SUITE}")
    try:
        return ff.build_corpus(ff.SUITE, include_bench=False)
    except ff.SetupError as e:
        (pytest.fail if os.environ.get("CI") else pytest.skip)(str(e))


def _describe(rep: ff.Report) -> str:
    lines = [f"{rep.crashes} crashes, {rep.hangs} hangs in {rep.inputs} inputs"]
    for f in rep.findings[:10]:
        lines.append(f"--- input {f.index} [{f.description}] {f.signature}\n"
                     f"hex: {f.data[:200].hex()}{'...' if len(f.data) > 200 else ''}\n"
                     f"{f.traceback}")
    return "\n".join(lines)


def test_mutation_sample(seeds):
    rep = ff.run_campaign(seeds, SAMPLE_N, jobs=2, base_seed=SAMPLE_SEED,
                          timeout=INPUT_LIMIT_S, chunk=50)
    assert rep.inputs == SAMPLE_N
    assert rep.crashes == 0 and rep.hangs == 0 and rep.generator_errors == 0, _describe(rep)
    assert rep.max_elapsed < INPUT_LIMIT_S, \
        f"input {rep.max_elapsed_index} took {rep.max_elapsed:.2f} s"
    assert rep.accepted + rep.rejected == SAMPLE_N
    # the mutations must not all be trivially rejected: some reach acceptance
    assert rep.accepted > SAMPLE_N // 50


def test_sample_is_deterministic(seeds):
    mut = ff.Mutator(seeds)
    again = ff.Mutator(seeds)
    for i in (0, 1, 17, 999):
        assert mut.generate(SAMPLE_SEED, i) == again.generate(SAMPLE_SEED, i)


# ---------------------------------------------------------------- hypothesis

@contextmanager
def _alarm(seconds: float):
    """Turn a hang into a test failure (main thread, POSIX)."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def on_alarm(signum, frame):
        raise TimeoutError(f"input took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _leb(draw, value: int) -> bytes:
    pad = draw(st.sampled_from((0, 0, 0, 1, 5, 6)))
    return ff.uleb(value, pad)


@st.composite
def _instrs(draw) -> bytes:
    mut = ff.Mutator([("x", b"")])
    rng_seed = draw(st.integers(0, 2**32))
    import random
    rng = random.Random(rng_seed)
    n = draw(st.integers(0, 12))
    return b"".join(mut.random_instr(rng) for _ in range(n))


@st.composite
def _payload(draw, sid: int) -> bytes:
    kind = draw(st.sampled_from(("bytes", "vec", "code", "leb")))
    if kind == "bytes":
        return draw(st.binary(max_size=64))
    if kind == "leb":
        return _leb(draw, draw(st.sampled_from(ff.INTERESTING_VALUES))) + draw(st.binary(max_size=8))
    if kind == "vec":
        # a count followed by small items that look like entries of many sections
        n = draw(st.integers(0, 5))
        items = b"".join(
            draw(st.sampled_from((b"\x60\x00\x00", b"\x60\x01\x7f\x01\x7f", b"\x00", b"\x01",
                                  b"\x70\x00\x01", b"\x00\x01", b"\x7f\x00\x41\x00\x0b",
                                  b"\x00\x41\x00\x0b\x00", b"\x01\x61\x00\x00",
                                  b"\x01\x61\x01\x61\x00\x00", b"\x02\x00\x0b"))) +
            draw(st.binary(max_size=3))
            for _ in range(n))
        count = n if draw(st.booleans()) else draw(st.sampled_from(ff.INTERESTING_VALUES))
        return _leb(draw, count & 0xFFFFFFFF) + items
    # code: bodies of random instructions
    bodies = []
    for _ in range(draw(st.integers(0, 3))):
        locals_ = draw(st.sampled_from((b"\x00", b"\x01\x01\x7f", b"\x01\x02\x7e",
                                        b"\x02\x01\x7f\x01\x7d", b"\x01\xff\xff\xff\xff\x0f\x7f")))
        body = locals_ + draw(_instrs()) + (b"\x0b" if draw(st.booleans()) else b"")
        bodies.append(_leb(draw, len(body)) + body)
    return _leb(draw, len(bodies)) + b"".join(bodies)


@st.composite
def structured_modules(draw) -> bytes:
    header = draw(st.sampled_from((b"\0asm\x01\0\0\0",) * 8 + (b"\0asm\x02\0\0\0", b"\0asm",
                                                             b"\0as", b"\0asm\x01\0\0\0\0")))
    out = bytearray(header)
    for _ in range(draw(st.integers(0, 8))):
        sid = draw(st.one_of(st.integers(0, 12), st.integers(0, 12), st.integers(0, 255)))
        payload = draw(_payload(sid))
        if sid == 0:
            name = draw(st.sampled_from((b"name", b"x", b"", b"\xff\xfe")))
            payload = ff.uleb(len(name)) + name + payload
        size = len(payload)
        lie = draw(st.sampled_from((0,) * 6 + (1, -1, 1000, 2**32 - 1)))
        size = max(0, size + lie) if lie != 2**32 - 1 else lie
        out.append(sid)
        out += _leb(draw, size)
        out += payload
    if draw(st.integers(0, 9)) == 0 and len(out) > 8:
        del out[draw(st.integers(8, len(out) - 1)):]
    return bytes(out)


@settings(max_examples=400, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(structured_modules())
def test_structured_random_modules(data):
    validate_module = _validate()
    t0 = time.perf_counter()
    with _alarm(INPUT_LIMIT_S):
        try:
            m = decode_module(data)
            if validate_module is not None:
                validate_module(m)
        except WasmError:
            pass
    assert time.perf_counter() - t0 < INPUT_LIMIT_S


# ---------------------------------------------------------------- the harness itself

def _fake_target(data: bytes) -> None:
    h = sum(data) % 23
    if h == 1:
        time.sleep(60)          # hang
    elif h == 2:
        raise IndexError("fake crash")
    elif h == 3:
        os._exit(9)             # worker dies
    elif h < 12:
        raise ff_errors().MalformedError("fake rejection")


def ff_errors():
    from wasmaot.frontend import errors
    return errors


def test_harness_detects_crashes_and_hangs(seeds):
    rep = ff.run_campaign(seeds, 120, jobs=2, base_seed=1, timeout=1.0, chunk=30,
                          target=f"{__name__}:_fake_target")
    expect = [ff.Mutator(seeds).generate(1, i)[0] for i in range(120)]
    hs = [sum(d) % 23 for d in expect]
    assert min(hs.count(1), hs.count(2), hs.count(3)) >= 1, "pick another base_seed"
    assert rep.inputs == 120
    assert rep.hangs == hs.count(1)
    assert rep.crashes == hs.count(2) + hs.count(3)
    assert rep.rejected == sum(1 for h in hs if 3 < h < 12 or h == 0)
    kinds = {f.signature.split(" at ")[0] for f in rep.findings}
    assert {"IndexError", "worker died (exit code 9)", "hang"} <= kinds
    for f in rep.findings:
        assert f.data == expect[f.index]


def _dying_target(data: bytes) -> None:
    time.sleep(0.02)
    if sum(data) % 3 == 1:
        os._exit(9)


def test_death_is_blamed_on_the_input_that_caused_it(seeds, monkeypatch):
    """A worker can send the result of input i and die on i+1 between the
    parent's poll of its pipe and its liveness check. The parent once blamed
    the death on i (whose result was still unread), restarted at i+1 and saw
    it die again: one death counted twice (a CI failure). A slow liveness
    check widens that window to every death."""
    class SlowCheckWorker(ff.Worker):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            is_alive = self.proc.is_alive

            def slow_is_alive():
                time.sleep(0.1)
                return is_alive()
            self.proc.is_alive = slow_is_alive

    monkeypatch.setattr(ff, "Worker", SlowCheckWorker)
    n = 40
    rep = ff.run_campaign(seeds, n, jobs=2, base_seed=1, timeout=5.0, chunk=20,
                          target=f"{__name__}:_dying_target")
    expect = [ff.Mutator(seeds).generate(1, i)[0] for i in range(n)]
    dies = [i for i, d in enumerate(expect) if sum(d) % 3 == 1]
    assert dies, "pick another base_seed"
    assert sorted(f.index for f in rep.findings) == dies
    assert (rep.inputs, rep.accepted) == (n, n - len(dies))


def test_atoms_always_progress():
    """A lone ')' or ';' inside a form (the wasm-3.0 folder has them) once
    made ``_atoms`` loop forever, growing its list until memory ran out."""
    import threading
    got = {}
    t = threading.Thread(target=lambda: got.update(
        a=ff._atoms("(module a ) b)"), b=ff._atoms('(module "s" ; x)')), daemon=True)
    t.start()
    t.join(10)
    assert got == {"a": ["module", "a", ")", "b"], "b": ["module", '"s"', ";", "x"]}
