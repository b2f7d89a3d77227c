;; C passes strings and lists of records it holds in its data segment to
;; P across the run-time adapter's copy path: valid UTF-8 (ASCII and not),
;; invalid UTF-8 and a misaligned list, whose faults must be reported as
;; the generic path (and wasmtime) reports them.  P returns what it got.
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
      (func (export "echo") (param i32 i32) (result i32)
        i32.const 16 local.get 0 i32.store i32.const 20 local.get 1 i32.store i32.const 16)
      (func (export "sum") (param i32 i32) (result i64)
        (local $s i64)
        (block $done (loop $l
          local.get 1 i32.eqz br_if $done
          local.get $s local.get 0 i64.load32_u i64.add local.get 0 i64.load offset=8 i64.add local.set $s
          local.get 0 i32.const 16 i32.add local.set 0 local.get 1 i32.const 1 i32.sub local.set 1 br $l))
        local.get $s))
    (core instance $i (instantiate $m))
    (alias core export $i "mem" (core memory $mem))
    (alias core export $i "realloc" (core func $re))
    (type $e (record (field "k" u32) (field "v" u64)))
    (export $ee "e" (type $e))
    (func (export "echo") (param "s" string) (result string)
      (canon lift (core func $i "echo") (memory $mem) (realloc $re)))
    (func (export "sum") (param "xs" (list $ee)) (result u64)
      (canon lift (core func $i "sum") (memory $mem) (realloc $re)))
  )
  (component $C
    (type $e (record (field "k" u32) (field "v" u64)))
    (import "e" (type $ee (eq $e)))
    (import "echo" (func $echo (param "s" string) (result string)))
    (import "sum" (func $sum (param "xs" (list $ee)) (result u64)))
    (core module $mm
      (memory (export "mem") 1)
      (global $top (mut i32) (i32.const 4096))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        global.get $top global.get $top local.get 3 i32.add global.set $top))
    (core instance $mi (instantiate $mm))
    (alias core export $mi "mem" (core memory $mem_ref))
    (alias core export $mi "realloc" (core func $re_ref))
    (core func $echo_low (canon lower (func $echo) (memory $mem_ref) (realloc $re_ref)))
    (core func $sum_low (canon lower (func $sum) (memory $mem_ref)))
    (core module $m
      (import "x" "echo" (func $echo (param i32 i32 i32)))
      (import "x" "sum" (func $sum (param i32 i32) (result i64)))
      (import "x" "mem" (memory 1))
      (data (i32.const 64) "h\c3\a9llo w\c3\b6rld, \e2\98\83 and more ascii text to pass 32 bytes")
      (data (i32.const 192) "ok\ff\fe")
      (data (i32.const 256) "\01\00\00\00\00\00\00\00\02\00\00\00\00\00\00\00\03\00\00\00\00\00\00\00\04\00\00\00\00\00\00\00")
      (func $len (param i32 i32) (result i32)
        local.get 0 local.get 1 i32.const 8 call $echo i32.const 12 i32.load)
      (func (export "good") (result i32) i32.const 64 i32.const 55 call $len)
      (func (export "bad") (result i32) i32.const 192 i32.const 4 call $len)
      (func (export "sum-good") (result i64) i32.const 256 i32.const 2 call $sum)
      (func (export "sum-misaligned") (result i64) i32.const 260 i32.const 1 call $sum))
    (core instance $x (export "echo" (func $echo_low)) (export "sum" (func $sum_low)) (export "mem" (memory $mem_ref)))
    (core instance $i (instantiate $m (with "x" (instance $x))))
    (func (export "good") (result u32) (canon lift (core func $i "good")))
    (func (export "bad") (result u32) (canon lift (core func $i "bad")))
    (func (export "sum-good") (result u64) (canon lift (core func $i "sum-good")))
    (func (export "sum-misaligned") (result u64) (canon lift (core func $i "sum-misaligned")))
  )
  (instance $p (instantiate $P))
  (instance $c (instantiate $C (with "e" (type $p "e")) (with "echo" (func $p "echo")) (with "sum" (func $p "sum"))))
  (export "good" (func $c "good"))
  (export "bad" (func $c "bad"))
  (export "sum-good" (func $c "sum-good"))
  (export "sum-misaligned" (func $c "sum-misaligned"))
)
