; pass: constfold unreachable dce
;; The translator's output goes straight into the IR passes.
(module
  (func $f (param i32) (result i32)
    (local $x i32)
    (if (i32.const 1) (then (local.set $x (i32.const 3))) (else (local.set $x (local.get 0))))
    (local.get $x)))
; check:
function %f(i32) -> i32 {
block0(v0: i32):
    jump block1
block1:
    v2 = iconst.i32 3
    jump block3
block3:
    return v2
}
