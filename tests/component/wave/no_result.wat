;; A function without a result: `wasmtime run --invoke 'f(1)'` prints `()`.
(component
  (core module $m (func (export "f") (param i32)))
  (core instance $i (instantiate $m))
  (func $f (param "a" u32) (canon lift (core func $i "f")))
  (export "f" (func $f)))
