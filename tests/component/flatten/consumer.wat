;; The consumer of the composed pair: imports demo:pair/api, lowers both
;; functions into its own memory (echo with utf16).
(component
  (import "demo:pair/api" (instance $api
    (export "add" (func (param "a" u32) (param "b" u32) (result u32)))
    (export "echo" (func (param "s" string) (result string)))))
  (core module $libc
    (memory (export "memory") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 16))
  (core instance $libc (instantiate $libc))
  (alias export $api "add" (func $add))
  (alias export $api "echo" (func $echo))
  (core func $add' (canon lower (func $add)))
  (core func $echo' (canon lower (func $echo) (memory (core memory $libc "memory"))
    (realloc (core func $libc "realloc")) string-encoding=utf16))
  (core module $main
    (import "api" "add" (func (param i32 i32) (result i32)))
    (import "api" "echo" (func (param i32 i32 i32)))
    (import "libc" "memory" (memory 1))
    (func (export "run") (result i32) i32.const 1 i32.const 2 call 0))
  (core instance $main (instantiate $main
    (with "api" (instance (export "add" (func $add')) (export "echo" (func $echo'))))
    (with "libc" (instance $libc))))
  (func (export "run") (result u32) (canon lift (core func $main "run"))))
