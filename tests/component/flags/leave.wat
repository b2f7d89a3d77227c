;; may_leave: C's `f-post` has a post-return that calls D's `g` through
;; an adapter; C may not leave while its post-return runs: "cannot leave
;; component instance" (canon_lower's trap_if(not may_leave)).  `f` makes
;; the same call from the function itself: allowed.
(component
  ;; D: a plain callee
  (component $D
    (core module $m (func (export "g") (result i32) i32.const 7))
    (core instance $i (instantiate $m))
    (func (export "g") (result u32) (canon lift (core func $i "g"))))
  (instance $d (instantiate $D))
  ;; C: its export's post-return calls D's g (may_leave is clear then)
  (component $C
    (import "g" (func $g (result u32)))
    (core func $g2 (canon lower (func $g)))
    (core module $m
      (import "" "g" (func $g (result i32)))
      (func (export "f") (result i32) call $g)
      (func (export "post") (param i32) call $g drop))
    (core instance $i (instantiate $m (with "" (instance (export "g" (func $g2))))))
    (func (export "f") (result u32) (canon lift (core func $i "f")))
    (func (export "f-post") (result u32) (canon lift (core func $i "f") (post-return (core func $i "post")))))
  (instance $c (instantiate $C (with "g" (func $d "g"))))
  (export "f" (func $c "f"))
  (export "f-post" (func $c "f-post"))
)
