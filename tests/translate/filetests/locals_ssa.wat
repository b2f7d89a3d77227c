; pass:
;; Locals in SSA: defaults are one zero constant per type at the top of the
;; entry; nested loops get header params only for locals changed inside them;
;; local.tee defines and keeps the value on the stack.
(module
  (func $nested (param $n i32) (result i64)
    (local $i i32) (local $j i32) (local $acc i64) (local $unused f64)
    (loop $outer
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $j))))
        (br_if $inner (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1)))
                                (local.get $n))))
      (br_if $outer (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                              (local.get $n))))
    (local.get $acc))
  (func $defaults (result f32 f64 i64)
    (local f32 f64 i64)
    (local.get 0) (local.get 1) (local.get 2)))
; check:
function %nested(i32) -> i64 {
block0(v0: i32):
    v17 = iconst.i64 0
    v18 = iconst.i32 0
    jump block1(v17, v18)
block1(v10: i64, v13: i32):
    v1 = iconst.i32 0
    jump block2(v10, v1)
block2(v2: i64, v3: i32):
    v4 = uextend.i64 v3
    v5 = iadd.i64 v2, v4
    v6 = iconst.i32 1
    v7 = iadd.i32 v3, v6
    v9 = icmp.i32 ult v7, v0
    brif v9, block2(v5, v7), block3
block3:
    v14 = iconst.i32 1
    v15 = iadd.i32 v13, v14
    v16 = icmp.i32 ult v15, v0
    brif v16, block1(v5, v15), block4
block4:
    return v5
}

function %defaults() -> f32, f64, i64 {
block0:
    v0 = fconst.f32 0x00000000
    v1 = fconst.f64 0x0000000000000000
    v2 = iconst.i64 0
    return v0, v1, v2
}
