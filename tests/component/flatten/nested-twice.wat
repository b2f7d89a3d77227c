;; A nested component instantiated twice with different arguments: two
;; component instances, its module compiled once and instantiated twice.
(component
  (core module $impl
    (func (export "one") (param i32) (result i32) i32.const 1)
    (func (export "two") (param i32) (result i32) i32.const 2))
  (core instance $impl (instantiate $impl))
  (func $one (param "x" u32) (result u32) (canon lift (core func $impl "one")))
  (func $two (param "x" u32) (result u32) (canon lift (core func $impl "two")))
  (component $inner
    (import "f" (func $f (param "x" u32) (result u32)))
    (core func $f' (canon lower (func $f)))
    (core module $m
      (import "host" "f" (func $f (param i32) (result i32)))
      (func (export "run") (param i32) (result i32) local.get 0 call $f))
    (core instance $i (instantiate $m (with "host" (instance (export "f" (func $f'))))))
    (func (export "run") (param "x" u32) (result u32) (canon lift (core func $i "run"))))
  (instance $x (instantiate $inner (with "f" (func $one))))
  (instance $y (instantiate $inner (with "f" (func $two))))
  (export "x" (instance $x))
  (export "y" (instance $y)))
