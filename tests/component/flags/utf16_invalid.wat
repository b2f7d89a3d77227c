;; A UTF-16 caller passes an unpaired surrogate to a UTF-8 callee: an error
;; of the call (exit 1), as wasmtime reports its transcoder's "invalid utf16
;; encoding"; a valid string passes.
(component
  (component $P
    (core module $m
      (memory (export "mem") 1)
      (global $top (mut i32) (i32.const 1024))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        global.get $top local.get 2 i32.add i32.const 1 i32.sub
        i32.const 0 local.get 2 i32.sub i32.and local.tee $p
        local.get 3 i32.add global.set $top local.get $p)
      (func (export "len") (param i32 i32) (result i32) local.get 1))
    (core instance $i (instantiate $m))
    (func (export "len") (param "s" string) (result u32)
      (canon lift (core func $i "len") (memory (core memory $i "mem")) (realloc (core func $i "realloc")))))
  (instance $p (instantiate $P))
  (core module $mm (memory (export "mem") 1)
    (data (i32.const 64) "a\00\00\d8b\00"))
  (core instance $mi (instantiate $mm))
  (core func $len (canon lower (func $p "len") (memory (core memory $mi "mem")) string-encoding=utf16))
  (core module $c
    (import "" "len" (func $len (param i32 i32) (result i32)))
    (func (export "bad") (result i32) (call $len (i32.const 64) (i32.const 3)))
    (func (export "good") (result i32) (call $len (i32.const 64) (i32.const 1))))
  (core instance $ci (instantiate $c (with "" (instance (export "len" (func $len))))))
  (func (export "bad") (result u32) (canon lift (core func $ci "bad")))
  (func (export "good") (result u32) (canon lift (core func $ci "good")))
)
