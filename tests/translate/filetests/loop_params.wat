; pass:
;; Loop headers take the loop params; the back edge passes them again.
;; A local changed in the loop becomes a header param; one that is only
;; read in the loop does not (its trivial phi is removed).
(module
  (func $sum (param $n i32) (param $k i32) (result i32)
    (local $acc i32)
    (loop $top
      (local.set $acc (i32.add (local.get $acc) (local.get $k)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $top (local.get $n)))
    (local.get $acc))
  (func $fib_params (param i32) (result i32)
    (i32.const 0) (i32.const 1)
    (loop $l (param i32 i32) (result i32)
      (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))
      (if (param i32 i32) (result i32)
        (then (drop))
        (else (i32.add) (br $l (local.get 0) (i32.const 0)) )))))
; check:
function %sum(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    v8 = iconst.i32 0
    jump block1(v8, v0)
block1(v2: i32, v5: i32):
    v4 = iadd.i32 v2, v1
    v6 = iconst.i32 1
    v7 = isub.i32 v5, v6
    brif v7, block1(v4, v7), block2
block2:
    return v4
}

function %fib_params(i32) -> i32 {
block0(v0: i32):
    v1 = iconst.i32 0
    v2 = iconst.i32 1
    jump block1(v1, v2, v0)
block1(v3: i32, v4: i32, v5: i32):
    v6 = iconst.i32 1
    v7 = isub.i32 v5, v6
    brif v7, block2, block3
block2:
    jump block4(v3)
block3:
    v9 = iadd.i32 v3, v4
    v10 = iconst.i32 0
    jump block1(v7, v10, v7)
block4(v8: i32):
    return v8
}
