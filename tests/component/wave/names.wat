;; Function names as `wasmtime run --invoke` takes them: a top-level export
;; and the functions of an exported interface instance.
(component
  (core module $m (func (export "f") (param i32) (result i32) local.get 0))
  (core instance $i (instantiate $m))
  (func $f (param "a" u32) (result u32) (canon lift (core func $i "f")))
  (instance $api (export "sum" (func $f)) (export "two-words" (func $f)))
  (export "demo:rich/api" (instance $api))
  (export "top-f" (func $f)))
