;; may_leave on a root import's lowering: the post-return of `f-post`
;; calls wasi:random's get-random-u64 while may_leave is clear: "cannot
;; leave component instance"; `f` calls it from the function: allowed.
(component
  (import "wasi:random/random@0.2.0" (instance $r
    (export "get-random-u64" (func (result u64)))))
  (core func $rand (canon lower (func $r "get-random-u64")))
  (core module $m
    (import "" "rand" (func $rand (result i64)))
    (func (export "f") (result i32) (drop (call $rand)) (i32.const 7))
    (func (export "post") (param i32) (drop (call $rand))))
  (core instance $i (instantiate $m (with "" (instance (export "rand" (func $rand))))))
  (func (export "f") (result u32) (canon lift (core func $i "f")))
  (func (export "f-post") (result u32) (canon lift (core func $i "f") (post-return (core func $i "post"))))
)
