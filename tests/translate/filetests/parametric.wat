; pass:
;; select (untyped and typed; the condition is the IR op's first operand),
;; drop, nop.
(module
  (func $sel (param i32 f64 f64) (result f64)
    (nop)
    (drop (select (i32.const 1) (i32.const 2) (local.get 0)))
    (select (result f64) (local.get 1) (local.get 2) (local.get 0)))
  (func $selref (param i32 externref) (result externref)
    (select (result externref) (local.get 1) (ref.null extern) (local.get 0))))
; check:
function %sel(i32, f64, f64) -> f64 {
block0(v0: i32, v1: f64, v2: f64):
    v3 = iconst.i32 1
    v4 = iconst.i32 2
    v5 = select.i32 v0, v3, v4
    v6 = select.f64 v0, v1, v2
    return v6
}

function %selref(i32, externref) -> externref {
block0(v0: i32, v1: externref):
    v2 = null.externref
    v3 = select.externref v0, v1, v2
    return v3
}
