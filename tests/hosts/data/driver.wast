;; Script for the spec driver tests.  Its modules are NOT compiled: the
;; hand-written tests/hosts/c/fake_spec_modules.c stands in for m0..m7.
;; Lines marked FAIL are meant to fail.
(module $M0
  (memory (export "mem") 1 2)
  (global (export "g") i32 (i32.const 42))
  (table (export "tab") 3 funcref)
  (func $add (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "nan32") (result f32) (f32.const -nan))
  (func (export "arith32") (result f32) (f32.const nan:0x400001))
  (func (export "nan64") (result f64) (f64.const nan))
  (func (export "multi") (param i64) (result i32 i64 f64)
    (i32.wrap_i64 (local.get 0)) (i64.add (local.get 0) (i64.const 1)) (f64.const 7.5))
  (func (export "vec") (result v128) (v128.const f32x4 nan 1 2 nan:0x400001))
  (func (export "ext") (param externref) (result externref) (local.get 0))
  (func (export "fref") (result funcref) (ref.func $add))
  (func (export "nullf") (result funcref) (ref.null func))
  (func $rec (export "rec") (result i32) (i32.add (call $rec) (i32.const 1)))
  (func (export "crash"))
)
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 4))            ;; FAIL
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_trap (invoke "add" (i32.const 1) (i32.const 0)) "integer divide by zero")   ;; FAIL
(assert_trap (invoke "div" (i32.const 0x80000000) (i32.const -1)) "integer overflow")
(assert_return (invoke "nan32") (f32.const nan:canonical))
(assert_return (invoke "arith32") (f32.const nan:arithmetic))
(assert_return (invoke "arith32") (f32.const nan:canonical))                       ;; FAIL
(assert_return (invoke "nan64") (f64.const nan:canonical))
(assert_return (invoke "multi" (i64.const 5)) (i32.const 5) (i64.const 6) (f64.const 7.5))
(assert_return (invoke "multi" (i64.const 5)) (i32.const 5) (i64.const 6))         ;; FAIL
(assert_return (invoke "vec") (v128.const f32x4 nan:canonical 1 2 nan:arithmetic))
(assert_return (invoke "vec") (v128.const f32x4 nan:canonical 1 3 nan:arithmetic)) ;; FAIL
(assert_return (invoke "ext" (ref.extern 0)) (ref.extern 0))
(assert_return (invoke "ext" (ref.extern 7)) (ref.extern))
(assert_return (invoke "ext" (ref.null extern)) (ref.null extern))
(assert_return (invoke "ext" (ref.extern 1)) (ref.extern 2))                       ;; FAIL
(assert_return (invoke "fref") (ref.func))
(assert_return (invoke "nullf") (ref.null func))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (either (i32.const 7) (i32.const 3)))
(assert_exhaustion (invoke "rec") "call stack exhausted")
(assert_return (get "g") (i32.const 42))
(invoke "add" (i32.const 1) (i32.const 1))
(invoke "nope")                                                                    ;; FAIL
(assert_return (invoke "add" (i64.const 1) (i32.const 1)) (i32.const 2))           ;; FAIL
(register "M0" $M0)
(module $M1
  (import "M0" "add" (func $add (param i32 i32) (result i32)))
  (import "spectest" "print_i32" (func $print (param i32)))
  (import "spectest" "global_i32" (global $g i32))
  (import "spectest" "memory" (memory 1))
  (func (export "sum3") (param i32) (result i32)
    (call $print (local.get 0)) (call $add (local.get 0) (i32.const 3)))
  (func (export "gi") (result i32) (global.get $g))
  (func (export "pages") (result i32) (i32.const 11))
)
(assert_return (invoke "sum3" (i32.const 4)) (i32.const 7))
(assert_return (invoke "gi") (i32.const 666))
(assert_return (invoke "pages") (i32.const 11))
(assert_return (invoke $M0 "add" (i32.const 2) (i32.const 2)) (i32.const 4))
(assert_unlinkable (module (import "spectest" "nope" (func))) "unknown import")
(assert_unlinkable (module (import "spectest" "print_i32" (func (param i64)))) "incompatible import type")
(assert_unlinkable (module (import "spectest" "memory" (memory 3))) "incompatible import type")
(assert_unlinkable (module (import "spectest" "table" (table 11 funcref))) "unknown import")  ;; FAIL
(assert_trap (module (func $s unreachable) (start $s)) "unreachable")
(assert_uninstantiable (module (memory 1) (data (i32.const 0) "a")) "out of bounds memory access")
(module (func (export "f")))                                                       ;; FAIL (the fake compiler refuses m8)
(assert_return (invoke "f"))                                                       ;; FAIL
(assert_return (invoke $M1 "sum3" (i32.const 1)) (i32.const 4))
