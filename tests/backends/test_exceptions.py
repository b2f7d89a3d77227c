"""Exception handling end to end (backends/ABI.md "Exceptions"): scripts
compiled and run natively by the spec runner's execution mode, and the
command line's report of an uncaught exception.

What must hold: exceptions cross function and instance boundaries; a tag
is its defining instance's (two instances of one module have distinct
tags); a trap is never catchable; an uncaught exception at an export is
the trap "uncaught exception"; a million throws caught without _ref (the
objects are recycled through the runtime's free list) keep their payloads."""
from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap

import pytest
from wasmaot.spectest import runner

CROSS = r'''
(module $a
  (tag $e (export "e") (param i32))
  (func (export "throw") (param i32) (throw $e (local.get 0)))
  (func (export "rethrow-through") (param i32) (result i32)
    (block $h (result i32 exnref)
      (try_table (catch_ref $e $h) (throw $e (local.get 0)))
      (unreachable))
    (throw_ref)))
(register "a" $a)

;; a second instance of the same module: its tag is another tag
(module $b
  (tag $e (export "e") (param i32))
  (func (export "throw") (param i32) (throw $e (local.get 0))))
(register "b" $b)

(module $c
  (import "a" "e" (tag $ea (param i32)))
  (import "b" "e" (tag $eb (param i32)))
  (import "a" "throw" (func $throw-a (param i32)))
  (import "b" "throw" (func $throw-b (param i32)))
  (import "a" "rethrow-through" (func $rt (param i32) (result i32)))
  (global $g (mut i32) (i32.const 0))
  ;; which tag catches: 1 = a's, 2 = b's, 3 = neither (catch_all)
  (func $which (param $from i32) (result i32)
    (block $all
      (block $b (result i32)
        (block $a (result i32)
          (try_table (catch $ea $a) (catch $eb $b) (catch_all $all)
            (if (i32.eqz (local.get $from))
              (then (call $throw-a (i32.const 7)))
              (else (call $throw-b (i32.const 8)))))
          (return (i32.const 0)))
        (drop) (return (i32.const 1)))
      (drop) (return (i32.const 2)))
    (i32.const 3))
  (func (export "which") (param i32) (result i32) (call $which (local.get 0)))
  (func (export "payload") (result i32)
    (block $h (result i32)
      (try_table (catch $ea $h) (drop (call $rt (i32.const 42))))
      (i32.const -1)))
  ;; a trap inside a try_table with catch_all is not caught
  (func (export "trap-not-caught") (result i32)
    (block $h
      (try_table (catch_all $h) (drop (i32.div_u (i32.const 1) (global.get $g))))
      (return (i32.const 0)))
    (i32.const 1))
  ;; a million throws caught without _ref (recycled objects)
  (func (export "many") (param $n i32) (result i32)
    (local $acc i32)
    (loop $l
      (block $h (result i32)
        (try_table (catch $ea $h) (call $throw-a (local.get $n)))
        (i32.const 0))
      (local.set $acc (i32.add (local.get $acc)))
      (local.tee $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l))
    (local.get $acc))
  (func (export "uncaught") (call $throw-b (i32.const 1))))

(assert_return (invoke "which" (i32.const 0)) (i32.const 1))
(assert_return (invoke "which" (i32.const 1)) (i32.const 2))
(assert_return (invoke "payload") (i32.const 42))
(assert_trap (invoke "trap-not-caught") "integer divide by zero")
(assert_return (invoke "many" (i32.const 1000000)) (i32.const 1784293664))
(assert_exception (invoke "uncaught"))
(assert_exception (invoke $a "throw" (i32.const 3)))
'''

LEGACY = r'''
(module
  (tag $e (param i32))
  (tag $f)
  (func $thrower (param i32) (throw $e (local.get 0)))
  (func (export "catch") (param i32) (result i32)
    (try (result i32)
      (do (call $thrower (local.get 0)) (i32.const 0))
      (catch $f (i32.const -1))
      (catch $e (i32.add (i32.const 1)))))
  (func (export "rethrow-outer") (result i32)
    (try (result i32)
      (do
        (try
          (do (throw $e (i32.const 5)))
          (catch_all (rethrow 0)))
        (i32.const 0))
      (catch $e)))
  (func (export "delegate-out")
    (try (do (call $thrower (i32.const 9))) (delegate 0))))

(assert_return (invoke "catch" (i32.const 41)) (i32.const 42))
(assert_return (invoke "rethrow-outer") (i32.const 5))
(assert_exception (invoke "delegate-out"))
'''


def _run(tmp_path, name: str, text: str, **opts):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return runner.run_file(str(path), runner.Options(mode="exec", **opts))


@pytest.mark.parametrize("bounds", ["guard", "explicit"])
def test_exceptions_cross_instances_and_traps_are_not_caught(tmp_path, bounds):
    res = _run(tmp_path, "cross.wast", CROSS, bounds=bounds)
    assert res.failed == 0 and res.skipped == 0, res.failures
    assert res.passed == 10


@pytest.mark.skipif(shutil.which("qemu-system-arm") is None, reason="needs qemu-system-arm")
def test_firmware_recycles_exceptions_on_its_bump_heap(tmp_path):
    """Bare metal: no unwinder, and a heap that never frees: the million
    throws fit only because caught exceptions are recycled."""
    res = _run(tmp_path, "cross.wast", CROSS, target="cortex-m3", bounds="explicit")
    assert res.failed == 0 and res.passed == 10, res.failures


def test_legacy_try_catch_rethrow_delegate(tmp_path):
    res = _run(tmp_path, "legacy.wast", LEGACY)
    assert res.failed == 0 and res.passed == 4, res.failures


def test_a_wrong_answer_fails(tmp_path):
    """The scripts above can fail: the same harness with a wrong payload."""
    res = _run(tmp_path, "wrong.wast", LEGACY.replace("(i32.const 42))", "(i32.const 43))"))
    assert res.failed == 1


UNCAUGHT = """
(module
  (tag $e (param i32))
  (func $inner (param i32) (result i32) (throw $e (local.get 0)))
  (func (export "boom") (param i32) (result i32) (call $inner (local.get 0))))
"""


def test_uncaught_exception_is_the_uncaught_exception_trap(tmp_path):
    wat = tmp_path / "u.wat"
    wat.write_text(UNCAUGHT)
    r = subprocess.run([sys.executable, "-m", "wasmaot", "run", str(wat), "--invoke", "boom",
                        "5"], check=False, capture_output=True, text=True)
    assert r.returncode == 134
    assert "wasm trap: uncaught exception" in r.stderr


REUSE = r'''
(module
  (tag $e (param i32))
  (tag $f (param i32))
  ;; the outer arm's exception is rethrown into an inner arm that ends
  ;; normally (it would free it), then thrown again by the outer arm after
  ;; another exception took the recycled object's place
  (func (export "rethrow-after-inner-catch") (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do (throw $e (i32.const 7)))
          (catch $e
            (drop)
            (try (do (rethrow 1)) (catch_all))
            (try (do (throw $f (i32.const 99))) (catch $f (drop)))
            (rethrow 0))))
      (catch $e)))
)
(assert_return (invoke "rethrow-after-inner-catch") (i32.const 7))
'''


def test_a_rethrown_exception_is_never_recycled_under_its_holder(tmp_path):
    res = _run(tmp_path, "reuse.wast", REUSE)
    assert res.failed == 0 and res.passed == 2, res.failures
