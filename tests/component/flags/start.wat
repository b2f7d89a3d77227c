;; adapter.wast's case: a core start function calls a lowering of a
;; function its own component instance lifts; instantiation traps.
(component
  (core module $m (func (export "") ))
  (core instance $m (instantiate $m))
  (func $f1 (canon lift (core func $m "")))
  (core func $f2 (canon lower (func $f1)))
  (core module $m2
    (import "" "" (func $f))
    (func $start call $f)
    (start $start)
    (func (export "ok") (result i32) i32.const 1))
  (core instance $i (instantiate $m2 (with "" (instance (export "" (func $f2))))))
  (func (export "ok") (result u32) (canon lift (core func $i "ok")))
)
