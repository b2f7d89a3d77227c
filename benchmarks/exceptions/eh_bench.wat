;; Exception handling costs (benchmarks/exceptions/run.py): a throw caught
;; one frame up, and a call-heavy loop with and without a try_table around
;; it.  $work may throw (so every call to it is followed by the pending
;; check) but never does; the loops call it through a table, so that LLVM
;; cannot inline it.  The table is exported: a table no host can write is
;; constant, and its calls are direct (ir/analysis/tables.py), so without the
;; export the loops were inlined and folded away.
(module
  (tag $e (param i32))
  (global $flag (mut i32) (i32.const 0))
  (type $t (func (param i32) (result i32)))
  (table (export "table") funcref (elem $work $thrower))

  (func $thrower (param i32) (result i32)
    (throw $e (local.get 0)))

  (func $work (param i32) (result i32)
    (if (global.get $flag) (then (throw $e (local.get 0))))
    (if (i32.eq (local.get 0) (i32.const -1))
      (then (return (call $work (i32.const 0)))))
    (i32.add (local.get 0) (i32.const 1)))

  (func (export "throw_catch") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $l
      (block $h (result i32)
        (try_table (result i32) (catch $e $h) (call_indirect (type $t) (local.get $i) (i32.const 1))))
      (local.set $acc (i32.add (local.get $acc)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))

  (func $loop (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (call_indirect (type $t) (local.get $i) (i32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))

  (func (export "calls") (param $n i32) (result i32)
    (call $loop (local.get $n)))

  (func (export "calls_in_try") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h)
        (loop $l
          (local.set $acc (i32.add (local.get $acc) (call_indirect (type $t) (local.get $i) (i32.const 0))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $acc))))
)
