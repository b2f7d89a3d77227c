;; The provider of compose.wat's pair: exports demo:pair/api with its own memory.
(component
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
