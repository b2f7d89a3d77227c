"""``return_call`` of a function whose results LLVM returns through memory.

LLVM cannot make a ``musttail`` call of a function whose results it returns
through memory (sret demotion): it aborts with "failed to perform tail call
elimination on a call site marked musttail" (found by the differential
fuzzer, seed 900139 of ``--proposals mix``: ten results).  Such a
``return_call`` is a plain call + ret (``calls._tail_call``, from
``Target.tail_ret_regs``); results that fit in registers keep the
guaranteed tail call.  Each case compiles for every target family at -O0
and -O2, and runs on x86-64 with the right results."""
import subprocess
import sys

import pytest

TYPES = {"i32": "(i32.const {k})", "i64": "(i64.const {k})", "f32": "(f32.const {k})",
         "f64": "(f64.const {k})", "v128": "(v128.const i32x4 {k} 0 0 0)"}


def module(results: list[str]) -> str:
    """f1 tail-calls f0, which tail-calls itself n times, then returns
    ``results`` (value k: k + the depth it was called with)."""
    body = " ".join(TYPES[t].format(k=k + 1) for k, t in enumerate(results))
    res = " ".join(results)
    return f"""(module (type $t (func (param i32) (result {res})))
      (func $f0 (type $t)
        (if (local.get 0) (then (return_call $f0 (i32.sub (local.get 0) (i32.const 1)))))
        {body})
      (func (export "f1") (type $t) (return_call $f0 (local.get 0))))"""


# (results, targets) : shapes on both sides of each target's register limits
SHAPES = [["i64"] * 2, ["i64"] * 4, ["i32", "i64", "i64", "i64", "i64", "i64"],
          ["f64"] * 5, ["f64"] * 3 + ["v128"] * 2, ["i64"] * 9, ["v128"], ["i64", "v128"],
          ["i32", "f32", "f64", "i64", "i32", "i32", "f32", "v128", "v128"]]
TARGETS = ["x86_64-linux", "aarch64-linux", "riscv64-linux", "cortex-m3", "rv32imac"]


def _compile(tmp_path, results, target, opt, emit="obj"):
    src = tmp_path / "m.wat"
    src.write_text(module(results))
    out = tmp_path / ("m.o" if emit == "obj" else "m")
    return subprocess.run([sys.executable, "-m", "wasmaot", "compile", f"-O{opt}", "--target", target,
                           "--emit", emit, str(src), "-o", str(out)], check=False, capture_output=True, text=True), out


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("opt", [0, 2])
def test_every_shape_compiles(tmp_path, target, opt):
    bad = []
    for results in SHAPES:
        r, _ = _compile(tmp_path, results, target, opt)
        if r.returncode:
            bad.append(f"{results}: {r.stderr.strip()[-160:]}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("results", [SHAPES[1], SHAPES[2], SHAPES[8], ["i64"] * 2])
def test_results_are_right(tmp_path, results):
    r, exe = _compile(tmp_path, results, "x86_64-linux", 0, emit="exe")
    assert r.returncode == 0, r.stderr
    # deep enough that a plain call chain of this depth still fits the stack
    p = subprocess.run([str(exe), "--invoke", "f1", "1000"], check=False, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    # value k is k + 1 (module()); the standalone main prints each on a line
    assert p.stdout.split() == [str(k + 1) for k in range(len(results))]


def test_small_results_keep_the_guaranteed_tail_call(tmp_path):
    """Two i64 results fit in registers: a million-deep return_call chain
    runs in constant stack."""
    r, exe = _compile(tmp_path, ["i64"] * 2, "x86_64-linux", 0, emit="exe")
    assert r.returncode == 0, r.stderr
    p = subprocess.run([str(exe), "--invoke", "f1", "1000000"], check=False, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["1", "2"]
