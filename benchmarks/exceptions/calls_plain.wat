;; The baseline of eh_bench.wat's call loop: the same code in a module
;; without exception handling (no tags, no imports), so no call is checked.
;; The table is exported for the same reason as there.
(module
  (global $flag (mut i32) (i32.const 0))
  (type $t (func (param i32) (result i32)))
  (table (export "table") funcref (elem $work))

  (func $work (param i32) (result i32)
    (if (global.get $flag) (then (unreachable)))
    (if (i32.eq (local.get 0) (i32.const -1))
      (then (return (call $work (i32.const 0)))))
    (i32.add (local.get 0) (i32.const 1)))

  (func $loop (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (call_indirect (type $t) (local.get $i) (i32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))

  (func (export "calls") (param $n i32) (result i32)
    (call $loop (local.get $n)))
)
