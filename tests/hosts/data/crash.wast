;; The fake m0 (tests/hosts/c/fake_spec_modules.c) exports "crash", which
;; dereferences a bad pointer: not a trap, a real SIGSEGV.
(module (func (export "add") (param i32 i32) (result i32) (local.get 0)) (func (export "crash")))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(invoke "crash")
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_malformed (module quote "(func") "unclosed parenthesis")
