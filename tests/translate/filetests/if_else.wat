; pass:
;; if/else with a result; if without else whose params pass straight through
;; the else edge into the merge block; locals merged from both arms.
(module
  (func $max (param i32 i32) (result i32)
    (if (result i32) (i32.gt_s (local.get 0) (local.get 1))
      (then (local.get 0)) (else (local.get 1))))
  (func $no_else (param i32 i32) (result i32)
    (local.get 1)
    (if (param i32) (result i32) (local.get 0)
      (then (i32.const 1) (i32.add))))
  (func $locals (param i32) (result i32)
    (local $x i32)
    (if (local.get 0) (then (local.set $x (i32.const 7))))
    (local.get $x)))
; check:
function %max(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = icmp.i32 sgt v0, v1
    brif v2, block1, block2
block1:
    jump block3(v0)
block2:
    jump block3(v1)
block3(v3: i32):
    return v3
}

function %no_else(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    brif v0, block1, block3(v1)
block1:
    v2 = iconst.i32 1
    v3 = iadd.i32 v1, v2
    jump block3(v3)
block3(v4: i32):
    return v4
}

function %locals(i32) -> i32 {
block0(v0: i32):
    v3 = iconst.i32 0
    brif v0, block1, block3(v3)
block1:
    v1 = iconst.i32 7
    jump block3(v1)
block3(v2: i32):
    return v2
}
