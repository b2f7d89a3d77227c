;; A script's named component instance supplies a later component's
;; import of its name (wasmtime's harness does so for modules, as
;; nested.wast uses): compiled in as a preload.
(component $c
  (core module (export "m")
    (global (export "g") i32 i32.const 101))
)
(component
  (import "c" (instance $i
    (export "m" (core module (export "g" (global i32))))))
  (core instance $m (instantiate (module $i "m")))
  (core module $v
    (import "" "g" (global i32))
    (func (export "get") (result i32) global.get 0))
  (core instance $v (instantiate $v (with "" (instance $m))))
  (func (export "get") (result u32) (canon lift (core func $v "get")))
  ;; a lift of a lowering (of a child's function): through the adapter module
  (component $child
    (core module $n (func (export "seven") (result i32) i32.const 7))
    (core instance $n (instantiate $n))
    (func (export "seven") (result u32) (canon lift (core func $n "seven"))))
  (instance $ch (instantiate $child))
  (core func $s (canon lower (func $ch "seven")))
  (func (export "seven") (result u32) (canon lift (core func $s)))
)
(assert_return (invoke "get") (u32.const 101))
(assert_return (invoke "seven") (u32.const 7))
(assert_unlinkable
  (component (import "c" (instance (export "m" (core module (export "h" (global i32)))))))
  "export `h` not defined")
