;; Re-exports: an imported instance as is, a nested instance's interface,
;; and a bag mixing an import and a lifted function.
(component
  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (export "output-stream" (type (sub resource)))
    (export "get-stdout" (func (result (own 0))))))
  (import "log" (func $log (param "msg" string)))
  (component $lib
    (core module $m (func (export "sum") (param i32 i32) (result i32) i32.const 0)
      (memory (export "memory") 1)
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 0))
    (core instance $i (instantiate $m))
    (func $sum (param "xs" (list u32)) (result u32)
      (canon lift (core func $i "sum") (memory (core memory $i "memory"))
        (realloc (core func $i "realloc"))))
    (instance $api (export "sum" (func $sum)))
    (export "demo:rich/api" (instance $api)))
  (instance $lib (instantiate $lib))
  (export "wasi:cli/stdout@0.2.0" (instance $stdout))
  (export "demo:rich/api" (instance $lib "demo:rich/api"))
  (alias export $lib "demo:rich/api" (instance $api))
  (alias export $api "sum" (func $sum))
  (instance $bag (export "log" (func $log)) (export "sum" (func $sum)))
  (export "demo:rich/tools" (instance $bag)))
