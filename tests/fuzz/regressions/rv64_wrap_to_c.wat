;; RV64: an i32 made by i32.wrap_i64 keeps the i64's upper bits in its
;; register, and the C ABI wants 32-bit arguments sign-extended: the
;; runtime's table_get saw index 0x100000000 and trapped (fuzzer seed
;; 650898, riscv64, every variant but the forced partitions).  Fixed by
;; Target.c_int_ext ("signext" on the C calls' i32 arguments).
(module
  (table 1 36 funcref)
  (memory 1 2)
  (global $wide (mut i64) (i64.const 0x100000000))
  (global $wide1 (mut i64) (i64.const 0x7fffffff00000001))
  (func (export "table_get") (result i32)
    (ref.is_null (table.get 0 (i32.wrap_i64 (global.get $wide)))))
  (func (export "table_set")
    (table.set 0 (i32.wrap_i64 (global.get $wide)) (ref.null func)))
  (func (export "memory_grow") (result i32)
    (memory.grow (i32.wrap_i64 (global.get $wide))))
  (func (export "memory_fill") (result i32)
    (memory.fill (i32.wrap_i64 (global.get $wide1)) (i32.const 7)
                 (i32.wrap_i64 (global.get $wide1)))
    (i32.load8_u (i32.const 1)))
  (func (export "table_fill")
    (table.fill 0 (i32.wrap_i64 (global.get $wide)) (ref.null func)
                (i32.wrap_i64 (global.get $wide1)))))
