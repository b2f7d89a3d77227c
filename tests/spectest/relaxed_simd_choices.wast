;; wasmaot's one result of each relaxed SIMD instruction, on inputs where the
;; spec allows several: always Wasm 3.0's deterministic profile
;; (ir/translate/simd.py, "relaxed SIMD").  Each assertion names the result the other
;; choice(s) would give, so a lowering that drifts (a fused madd, x86's
;; pshufb swizzle, a top-bit laneselect, an unsigned dot operand) fails here
;; on whatever target runs it.  wasmtime 49's `-W relaxed-simd-deterministic`
;; passes all but the madd/nmadd (it fuses) and dot (it wraps) assertions.
(module
  (func (export "swizzle") (param v128 v128) (result v128)
    (i8x16.relaxed_swizzle (local.get 0) (local.get 1)))
  (func (export "trunc_f32_s") (param v128) (result v128) (i32x4.relaxed_trunc_f32x4_s (local.get 0)))
  (func (export "trunc_f32_u") (param v128) (result v128) (i32x4.relaxed_trunc_f32x4_u (local.get 0)))
  (func (export "trunc_f64_s") (param v128) (result v128) (i32x4.relaxed_trunc_f64x2_s_zero (local.get 0)))
  (func (export "trunc_f64_u") (param v128) (result v128) (i32x4.relaxed_trunc_f64x2_u_zero (local.get 0)))
  (func (export "f32_madd") (param v128 v128 v128) (result v128)
    (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "f32_nmadd") (param v128 v128 v128) (result v128)
    (f32x4.relaxed_nmadd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "f64_madd") (param v128 v128 v128) (result v128)
    (f64x2.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "f64_nmadd") (param v128 v128 v128) (result v128)
    (f64x2.relaxed_nmadd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "sel8") (param v128 v128 v128) (result v128)
    (i8x16.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "sel16") (param v128 v128 v128) (result v128)
    (i16x8.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "sel32") (param v128 v128 v128) (result v128)
    (i32x4.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "sel64") (param v128 v128 v128) (result v128)
    (i64x2.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "f32_min") (param v128 v128) (result v128) (f32x4.relaxed_min (local.get 0) (local.get 1)))
  (func (export "f32_max") (param v128 v128) (result v128) (f32x4.relaxed_max (local.get 0) (local.get 1)))
  (func (export "f64_min") (param v128 v128) (result v128) (f64x2.relaxed_min (local.get 0) (local.get 1)))
  (func (export "f64_max") (param v128 v128) (result v128) (f64x2.relaxed_max (local.get 0) (local.get 1)))
  (func (export "q15") (param v128 v128) (result v128) (i16x8.relaxed_q15mulr_s (local.get 0) (local.get 1)))
  (func (export "dot") (param v128 v128) (result v128)
    (i16x8.relaxed_dot_i8x16_i7x16_s (local.get 0) (local.get 1)))
  (func (export "dot_add") (param v128 v128 v128) (result v128)
    (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get 0) (local.get 1) (local.get 2))))

;; indices >= 16 give 0 (x86's pshufb would read byte idx & 15 for 16..127)
(assert_return (invoke "swizzle"
                 (v128.const i8x16 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31)
                 (v128.const i8x16 0 15 16 17 31 32 127 128 129 200 255 1 2 3 4 5))
               (v128.const i8x16 16 31 0 0 0 0 0 0 0 0 0 17 18 19 20 21))

;; NaN -> 0 (not INT32_MAX / UINT32_MAX); out of range saturates;
;; below 0 unsigned -> 0 (not UINT32_MAX)
(assert_return (invoke "trunc_f32_s" (v128.const f32x4 nan 3e9 -3e9 -2.5))
               (v128.const i32x4 0 2147483647 -2147483648 -2))
(assert_return (invoke "trunc_f32_u" (v128.const f32x4 nan -1.5 5e9 2.5))
               (v128.const i32x4 0 0 4294967295 2))
(assert_return (invoke "trunc_f64_s" (v128.const f64x2 nan 3e9))
               (v128.const i32x4 0 2147483647 0 0))
(assert_return (invoke "trunc_f64_u" (v128.const f64x2 -1.0 5e9))
               (v128.const i32x4 0 4294967295 0 0))

;; unfused: (1+2^-23)^2 rounds to 1+2^-22 before the add, so the sum is 0
;; (fused: +-2^-46; f64: +-2^-104)
(assert_return (invoke "f32_madd" (v128.const f32x4 0x1.000002p+0 0x1.000002p+0 1 1)
                                  (v128.const f32x4 0x1.000002p+0 0x1.000002p+0 2 2)
                                  (v128.const f32x4 -0x1.000004p+0 -0x1.000004p+0 1 1))
               (v128.const f32x4 0 0 3 3))
(assert_return (invoke "f32_nmadd" (v128.const f32x4 0x1.000002p+0 0x1.000002p+0 1 1)
                                   (v128.const f32x4 0x1.000002p+0 0x1.000002p+0 2 2)
                                   (v128.const f32x4 0x1.000004p+0 0x1.000004p+0 1 1))
               (v128.const f32x4 0 0 -1 -1))
(assert_return (invoke "f64_madd" (v128.const f64x2 0x1.0000000000001p+0 1)
                                  (v128.const f64x2 0x1.0000000000001p+0 2)
                                  (v128.const f64x2 -0x1.0000000000002p+0 1))
               (v128.const f64x2 0 3))
(assert_return (invoke "f64_nmadd" (v128.const f64x2 0x1.0000000000001p+0 1)
                                   (v128.const f64x2 0x1.0000000000001p+0 2)
                                   (v128.const f64x2 0x1.0000000000002p+0 1))
               (v128.const f64x2 0 -1))

;; bitselect, also for masks that are not all ones or all zeros (a top-bit
;; select would give all ones / zero lanes): a = ~0, b = 0, so result = mask
(assert_return (invoke "sel8" (v128.const i8x16 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1 -1)
                              (v128.const i64x2 0 0)
                              (v128.const i8x16 0x81 0x01 0x81 0x01 0x81 0x01 0x81 0x01
                                                0x81 0x01 0x81 0x01 0x81 0x01 0xff 0))
               (v128.const i8x16 0x81 0x01 0x81 0x01 0x81 0x01 0x81 0x01
                                 0x81 0x01 0x81 0x01 0x81 0x01 0xff 0))
(assert_return (invoke "sel16" (v128.const i16x8 -1 -1 -1 -1 -1 -1 -1 -1) (v128.const i64x2 0 0)
                               (v128.const i16x8 0x8001 0x0101 0x8001 0x0101 0x8001 0x0101 0xffff 0))
               (v128.const i16x8 0x8001 0x0101 0x8001 0x0101 0x8001 0x0101 0xffff 0))
(assert_return (invoke "sel32" (v128.const i32x4 -1 -1 -1 -1) (v128.const i64x2 0 0)
                               (v128.const i32x4 0x80000001 0x00010001 0xffffffff 0))
               (v128.const i32x4 0x80000001 0x00010001 0xffffffff 0))
(assert_return (invoke "sel64" (v128.const i64x2 -1 -1) (v128.const i64x2 0 0)
                               (v128.const i64x2 0x8000000000000001 0x0000000100000001))
               (v128.const i64x2 0x8000000000000001 0x0000000100000001))

;; Wasm's min/max: -0 < +0 whichever operand comes first, a NaN operand
;; gives a NaN (x86's minps would give the second operand)
(assert_return (invoke "f32_min" (v128.const f32x4 +0.0 -0.0 nan 1) (v128.const f32x4 -0.0 +0.0 1 nan))
               (v128.const f32x4 -0.0 -0.0 nan:arithmetic nan:arithmetic))
(assert_return (invoke "f32_max" (v128.const f32x4 +0.0 -0.0 nan 1) (v128.const f32x4 -0.0 +0.0 1 nan))
               (v128.const f32x4 +0.0 +0.0 nan:arithmetic nan:arithmetic))
(assert_return (invoke "f64_min" (v128.const f64x2 +0.0 nan) (v128.const f64x2 -0.0 1))
               (v128.const f64x2 -0.0 nan:arithmetic))
(assert_return (invoke "f64_min" (v128.const f64x2 -0.0 1) (v128.const f64x2 +0.0 nan))
               (v128.const f64x2 -0.0 nan:arithmetic))
(assert_return (invoke "f64_max" (v128.const f64x2 -0.0 nan) (v128.const f64x2 +0.0 1))
               (v128.const f64x2 +0.0 nan:arithmetic))
(assert_return (invoke "f64_max" (v128.const f64x2 +0.0 1) (v128.const f64x2 -0.0 nan))
               (v128.const f64x2 +0.0 nan:arithmetic))

;; INT16_MIN * INT16_MIN saturates to INT16_MAX (not INT16_MIN)
(assert_return (invoke "q15" (v128.const i16x8 -32768 -32768 16384 -16384 1 0 32767 -32768)
                             (v128.const i16x8 -32768 -32768 16384 16384 1 0 32767 32767))
               (v128.const i16x8 32767 32767 8192 -8192 0 0 32766 -32767))

;; b's bytes >= 0x80 are signed (unsigned: 255, 128); the i16 pair sum
;; saturates (-128*-128*2 = 32768 -> 32767; the spec allows no wrapping)
(assert_return (invoke "dot" (v128.const i8x16 -128 -128 1 1 1 1 127 127 -128 127 0 0 0 0 0 0)
                             (v128.const i8x16 -128 -128 -1 0 -1 -1 127 127 -1 -128 0 0 0 0 0 0))
               (v128.const i16x8 32767 -1 -2 32258 -16128 0 0 0))
(assert_return (invoke "dot_add" (v128.const i8x16 -128 -128 -128 -128 1 1 1 1 5 0 0 0 0 0 0 0)
                                 (v128.const i8x16 -128 -128 -128 -128 -1 -1 -1 -1 -3 0 0 0 0 0 0 0)
                                 (v128.const i32x4 1 2 3 4))
               (v128.const i32x4 65535 -2 -12 4))
