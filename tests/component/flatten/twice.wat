;; One module instantiated twice (compiled once): the second instance imports
;; what the first re-exports, which resolves to the defining instance.
(component
  (core module $libc
    (func (export "f") (result i32) i32.const 7))
  (core module $m
    (import "env" "f" (func $f (result i32)))
    (memory (export "memory") 1)
    (func (export "g") (result i32) call $f)
    (export "f" (func $f)))
  (core instance $libc (instantiate $libc))
  (core instance $a (instantiate $m (with "env" (instance $libc))))
  (core instance $b (instantiate $m (with "env" (instance $a))))
  (func (export "a") (result s32) (canon lift (core func $a "g")))
  (func (export "b") (result s32) (canon lift (core func $b "g"))))
