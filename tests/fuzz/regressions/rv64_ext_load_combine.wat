;; RV64 (no vector registers): LLVM 22's DAG combiner built a node that is
;; its own operand (t = and t, 255) for a SIMD extending load whose vector
;; is shuffled, extended again and reduced: "Node is not in map!", an
;; abort in explicit mode at -O0 and -O2 (fuzzer seed 2101093, riscv64, the
;; proposal mix), and likely the endless computeKnownBits recursion that
;; stalled a riscv64 campaign earlier.  Guard mode's volatile load was
;; never combined.  Fixed by Target.freeze_ext_loads (a freeze between the
;; load and its extension).
(module
  (memory 1)
  (data (i32.const 16) "\01\02\03\04\05\06\07\08\00\00\00\00\00\00\00\00")
  (func (export "all_true_u") (param i32) (result i32)
    (i64x2.all_true (i16x8.extend_high_i8x16_u (v128.load8x8_u (local.get 0)))))
  (func (export "all_true_s") (param i32) (result i32)
    (i64x2.all_true (i32x4.extend_high_i16x8_s (v128.load8x8_s (local.get 0)))))
  (func (export "bitmask") (param i32) (result i32)
    (i64x2.bitmask (i64x2.extend_high_i32x4_u (v128.load16x4_u (local.get 0)))))
  (func (export "low_lane") (param i32) (result i64)
    (i64x2.extract_lane 1 (i32x4.extend_high_i16x8_u (v128.load8x8_u offset=3 (local.get 0))))))
