;; Two components composed by hand: each has its own memory; the consumer
;; lowers the provider's lifted `echo` into its memory (an adapter).
(component
  (component $provider
    (core module $m
      (memory (export "memory") 1)
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 8)
      (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
      (func (export "echo") (param i32 i32) (result i32) i32.const 0)
      (func (export "free") (param i32)))
    (core instance $i (instantiate $m))
    (func $add (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "add")))
    (func $echo (param "s" string) (result string)
      (canon lift (core func $i "echo") (memory (core memory $i "memory"))
        (realloc (core func $i "realloc")) (post-return (core func $i "free"))))
    (instance $api (export "add" (func $add)) (export "echo" (func $echo)))
    (export "demo:pair/api" (instance $api)))
  (component $consumer
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
  (instance $p (instantiate $provider))
  (instance $c (instantiate $consumer (with "demo:pair/api" (instance $p "demo:pair/api"))))
  (export "run" (func $c "run")))
