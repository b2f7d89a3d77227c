; pass:
;; Code after br/return/unreachable is skipped (nested blocks included) while
;; else/end still match; a frame whose end nobody reaches stays dead.
(module
  (func $after_br (result i32)
    (block $b (result i32)
      (br $b (i32.const 1))
      (drop (i32.add (i32.const 2) (i32.const 3)))
      (block (loop (if (i32.const 0) (then (nop)) (else (unreachable)))))
      (i32.const 4)))
  (func $trap (param i32) (result i32)
    (if (local.get 0) (then (unreachable)))
    (unreachable))
  (func $dead_arm (param i32) (result i32)
    (if (result i32) (local.get 0)
      (then (return (i32.const 5)))
      (else (i32.const 6)))))
; check:
function %after_br() -> i32 {
block0:
    v0 = iconst.i32 1
    jump block1(v0)
block1(v1: i32):
    return v1
}

function %trap(i32) -> i32 {
block0(v0: i32):
    brif v0, block1, block3
block1:
    trap unreachable
block3:
    trap unreachable
}

function %dead_arm(i32) -> i32 {
block0(v0: i32):
    brif v0, block1, block2
block1:
    v1 = iconst.i32 5
    return v1
block2:
    v2 = iconst.i32 6
    return v2
}
