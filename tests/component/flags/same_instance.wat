;; A lowering of a function its own component instance lifts: calling it
;; traps "cannot enter component instance" (wasmtime's adapter compiler
;; emits the trap; the call would enter the running instance), from an
;; export (`run`) as from a core start function (start.wat).
(component
  (core module $m (func (export "") ))
  (core instance $m (instantiate $m))
  (func $f1 (canon lift (core func $m "")))
  (core func $f2 (canon lower (func $f1)))
  (core module $m2
    (import "" "" (func $f))
    (func (export "run") call $f)
    (func (export "ok") (result i32) i32.const 1))
  (core instance $i (instantiate $m2 (with "" (instance (export "" (func $f2))))))
  (func (export "run") (canon lift (core func $i "run")))
  (func (export "ok") (result u32) (canon lift (core func $i "ok")))
)
