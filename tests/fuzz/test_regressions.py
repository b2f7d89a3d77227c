"""Minimized differential-fuzzing mismatches, kept as regression tests.

Each ``regressions/<name>.wat`` (or ``.wasm``) has a ``<name>.json``:
``seed`` (of the call plan, ``differential.call_plan``), ``variants`` to
run, optionally ``targets`` (default ``["x86_64-linux"]``; others run
under qemu-user), and optionally ``expect_mismatch``: a list of ``{variant,
class, reason}`` (and ``targets`` if not all) for bugs not fixed yet.  Every other variant must agree with
wasmtime (and with the others); a listed mismatch that no longer happens
fails too, so the entry is removed with the fix.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from . import differential as d

REGRESSIONS = Path(__file__).resolve().parent / "regressions"
CASES = sorted(REGRESSIONS.glob("*.json"))
RUNS = [(c, t) for c in CASES for t in json.loads(c.read_text()).get("targets", ["x86_64-linux"])]


def _module(case: Path) -> bytes:
    wasm = case.with_suffix(".wasm")
    if wasm.exists():
        return wasm.read_bytes()
    import wasmtime
    return wasmtime.wat2wasm(case.with_suffix(".wat").read_text())


def test_cases_exist():
    assert CASES, f"no regression cases in {REGRESSIONS}"
    for case in CASES:
        spec = json.loads(case.read_text())
        assert set(spec) <= {"seed", "variants", "targets", "expect_mismatch"}, case.name
        assert all(v in d.VARIANTS for v in spec["variants"]), case.name
        for e in spec.get("expect_mismatch", ()):
            assert e["variant"] in spec["variants"] and e["class"] and e["reason"], case.name
            assert set(e.get("targets", ())) <= set(spec.get("targets", ["x86_64-linux"])), case.name


@pytest.mark.parametrize(("case", "target"), RUNS, ids=[f"{c.stem}-{t}" for c, t in RUNS])
def test_regression(case: Path, target: str):
    spec = json.loads(case.read_text())
    if target != "x86_64-linux":
        from wasmaot.backends.targets import get_target
        try:
            get_target(target).check_runnable()
        except Exception as e:  # noqa: BLE001 - the emulator is missing
            pytest.skip(str(e))
    rep = d.check_module(_module(case), spec["seed"], [d.VARIANTS[v] for v in spec["variants"]], target)
    assert rep.runs == len(spec["variants"]), [f.detail for f in rep.findings]
    expected = {(e["variant"], e["class"]) for e in spec.get("expect_mismatch", ())
                if target in e.get("targets", [target])}
    got = {(f.variant, f.signature()): f for f in rep.findings}
    unexpected = [f"[{f.variant}] {f.signature()}\n{f.detail}" for k, f in got.items() if k not in expected]
    assert not unexpected, "\n".join(unexpected)
    fixed = sorted(expected - set(got))
    assert not fixed, f"listed in expect_mismatch but agrees now (remove the entry): {fixed}"
