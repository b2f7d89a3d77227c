;; Donut wrapping: the host calls P's `run` (P's core), which calls its
;; child C, which calls back into P (a function P lifts and passes to C).
;; The entering set of that last call is empty (C's ancestors include P):
;; no trap (CanonicalABI.md entering_set), as in wasmtime.  `child` enters
;; C from the host directly, and C's call into P enters nothing either.
(component
  (core module $pm (func (export "g") (result i32) i32.const 5))
  (core instance $pi (instantiate $pm))
  (func $g (result u32) (canon lift (core func $pi "g")))
  (component $C
    (import "g" (func $g (result u32)))
    (core func $g2 (canon lower (func $g)))
    (core module $m2
      (import "" "" (func $g (result i32)))
      (func (export "f") (result i32) call $g i32.const 1 i32.add))
    (core instance $i (instantiate $m2 (with "" (instance (export "" (func $g2))))))
    (func (export "f") (result u32) (canon lift (core func $i "f")))
  )
  (instance $c (instantiate $C (with "g" (func $g))))
  (core func $f2 (canon lower (func $c "f")))
  (core module $m3
    (import "" "" (func $f (result i32)))
    (func (export "run") (result i32) call $f i32.const 10 i32.add))
  (core instance $i3 (instantiate $m3 (with "" (instance (export "" (func $f2))))))
  (func (export "run") (result u32) (canon lift (core func $i3 "run")))
  (export "child" (func $c "f"))
)
