; pass:
;; Table-driven numerics: comparisons carry IntCC/FloatCC, conversions take
;; the result type as controlling type, float constants are bit patterns.
(module
  (func $ints (param i32 i64) (result i32)
    (i32.or
      (i32.ge_u (i32.rotl (local.get 0) (i32.const 3)) (i32.div_s (local.get 0) (i32.const -7)))
      (i64.eqz (i64.rem_u (local.get 1) (i64.extend_i32_s (i32.extend8_s (local.get 0)))))))
  (func $floats (param f32 f64) (result i64)
    (i64.trunc_f64_s
      (f64.add (f64.promote_f32 (f32.neg (local.get 0)))
               (f64.copysign (local.get 1) (f64.const -0x1p-1)))))
  (func $convert (param i64) (result i32)
    (i32.add
      (i32.trunc_sat_f32_u (f32.convert_i64_u (local.get 0)))
      (i32.add (i32.wrap_i64 (local.get 0))
               (i32.reinterpret_f32 (f32.const nan:0x200000)))))
  (func $fcmp (param f64 f64) (result i32)
    (f64.ne (local.get 0) (local.get 1))))
; check:
function %ints(i32, i64) -> i32 {
block0(v0: i32, v1: i64):
    v2 = iconst.i32 3
    v3 = rotl.i32 v0, v2
    v4 = iconst.i32 -7
    v5 = sdiv.i32 v0, v4
    v6 = icmp.i32 uge v3, v5
    v7 = sextend8.i32 v0
    v8 = sextend.i64 v7
    v9 = urem.i64 v1, v8
    v10 = eqz.i64 v9
    v11 = bor.i32 v6, v10
    return v11
}

function %floats(f32, f64) -> i64 {
block0(v0: f32, v1: f64):
    v2 = fneg.f32 v0
    v3 = fpromote.f64 v2
    v4 = fconst.f64 0xbfe0000000000000
    v5 = fcopysign.f64 v1, v4
    v6 = fadd.f64 v3, v5
    v7 = fcvt_to_sint.i64 v6
    return v7
}

function %convert(i64) -> i32 {
block0(v0: i64):
    v1 = fcvt_from_uint.f32 v0
    v2 = fcvt_to_uint_sat.i32 v1
    v3 = ireduce.i32 v0
    v4 = fconst.f32 0x7fa00000
    v5 = bitcast.i32 v4
    v6 = iadd.i32 v3, v5
    v7 = iadd.i32 v2, v6
    return v7
}

function %fcmp(f64, f64) -> i32 {
block0(v0: f64, v1: f64):
    v2 = fcmp.f64 ne v0, v1
    return v2
}
