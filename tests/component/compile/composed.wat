(component
  (component $provider
    (core module $m
      (memory (export "mem") 1)
      (global $next (mut i32) (i32.const 1024))
      (func $realloc (export "realloc") (param i32 i32 i32 i32) (result i32) (local $p i32)
        global.get $next local.get 2 i32.add i32.const 1 i32.sub
        i32.const 0 local.get 2 i32.sub i32.and local.tee $p
        local.get 3 i32.add global.set $next
        local.get $p local.get 0 local.get 1 memory.copy local.get $p)
      (data (i32.const 0) "hello ")
      (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
      (func (export "greet") (param $p i32) (param $n i32) (result i32) (local $d i32)
        i32.const 0 i32.const 0 i32.const 1 local.get $n i32.const 6 i32.add call $realloc local.set $d
        local.get $d i32.const 0 i32.const 6 memory.copy
        local.get $d i32.const 6 i32.add local.get $p local.get $n memory.copy
        i32.const 16 local.get $d i32.store
        i32.const 20 local.get $n i32.const 6 i32.add i32.store
        i32.const 16))
    (core instance $i (instantiate $m))
    (func (export "add") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "add")))
    (func (export "greet") (param "s" string) (result string)
      (canon lift (core func $i "greet") (memory (core memory $i "mem")) (realloc (core func $i "realloc")))))
  (component $consumer
    (import "add" (func $add (param "a" u32) (param "b" u32) (result u32)))
    (import "greet" (func $greet (param "s" string) (result string)))
    (core module $libc
      (memory (export "mem") 1)
      (global $next (mut i32) (i32.const 2048))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) (local $p i32)
        global.get $next local.get 2 i32.add i32.const 1 i32.sub
        i32.const 0 local.get 2 i32.sub i32.and local.tee $p
        local.get 3 i32.add global.set $next
        local.get $p local.get 0 local.get 1 memory.copy local.get $p))
    (core instance $libc (instantiate $libc))
    (core func $add (canon lower (func $add)))
    (core func $greet (canon lower (func $greet) (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))
    (core module $m
      (import "host" "add" (func $add (param i32 i32) (result i32)))
      (import "host" "greet" (func $greet (param i32 i32 i32)))
      (import "libc" "mem" (memory 1))
      (func (export "twice") (param i32) (result i32) local.get 0 local.get 0 call $add)
      ;; sum of add(i, 1) for i < n: n calls through the adapter
      (func (export "loop") (param $n i32) (result i32) (local $i i32) (local $s i32)
        block loop local.get $i local.get $n i32.ge_u br_if 1
          local.get $s local.get $i i32.const 1 call $add i32.add local.set $s
          local.get $i i32.const 1 i32.add local.set $i br 0 end end
        local.get $s)
      ;; greet twice: greet(greet(s))
      (func (export "greet2") (param i32 i32) (result i32)
        local.get 0 local.get 1 i32.const 100 call $greet
        i32.const 100 i32.load i32.const 104 i32.load i32.const 100 call $greet
        i32.const 100))
    (core instance $i (instantiate $m
      (with "host" (instance (export "add" (func $add)) (export "greet" (func $greet))))
      (with "libc" (instance $libc))))
    (func (export "twice") (param "x" u32) (result u32) (canon lift (core func $i "twice")))
    (func (export "loop") (param "n" u32) (result u32) (canon lift (core func $i "loop")))
    (func (export "greet2") (param "s" string) (result string)
      (canon lift (core func $i "greet2") (memory (core memory $libc "mem")) (realloc (core func $libc "realloc")))))
  (instance $p (instantiate $provider))
  (instance $c (instantiate $consumer (with "add" (func $p "add")) (with "greet" (func $p "greet"))))
  (export "twice" (func $c "twice"))
  (export "loop" (func $c "loop"))
  (export "greet2" (func $c "greet2")))
