; pass:
;; Relaxed SIMD: each instruction becomes its one deterministic choice
;; (ir/translate/simd.py, "relaxed SIMD"): the Wasm 2.0 op it relaxes
;; (swizzle, trunc_sat, bitselect, min/max, q15mulr_sat), unfused
;; multiply-add, and the signed, saturating i8 dot product built from i16
;; lane shifts and multiplies (Wasm 3.0's deterministic profile).
(module
  (func $swizzle (param v128 v128) (result v128)
    (i8x16.relaxed_swizzle (local.get 0) (local.get 1)))
  (func $trunc (param v128) (result v128)
    (i32x4.relaxed_trunc_f32x4_s (local.get 0))
    (i32x4.relaxed_trunc_f32x4_u)
    (i32x4.relaxed_trunc_f64x2_s_zero)
    (i32x4.relaxed_trunc_f64x2_u_zero))
  (func $madd (param v128 v128 v128) (result v128)
    (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2))
    (f64x2.relaxed_nmadd (local.get 1) (local.get 2)))
  (func $laneselect (param v128 v128 v128) (result v128)
    (i8x16.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2))
    (i16x8.relaxed_laneselect (local.get 1) (local.get 2))
    (i32x4.relaxed_laneselect (local.get 1) (local.get 2))
    (i64x2.relaxed_laneselect (local.get 1) (local.get 2)))
  (func $minmax (param v128 v128) (result v128)
    (f32x4.relaxed_min (local.get 0) (local.get 1))
    (f32x4.relaxed_max (local.get 1))
    (f64x2.relaxed_min (local.get 1))
    (f64x2.relaxed_max (local.get 1)))
  (func $q15 (param v128 v128) (result v128)
    (i16x8.relaxed_q15mulr_s (local.get 0) (local.get 1)))
  (func $dot (param v128 v128 v128) (result v128)
    (i16x8.relaxed_dot_i8x16_i7x16_s (local.get 0) (local.get 1))
    (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get 1) (local.get 2))))
; check:
function %swizzle(v128, v128) -> v128 {
block0(v0: v128, v1: v128):
    v2 = swizzle v0, v1
    return v2
}

function %trunc(v128) -> v128 {
block0(v0: v128):
    v1 = vfcvt_to_sint_sat.f32x4 v0
    v2 = vfcvt_to_uint_sat.f32x4 v1
    v3 = vfcvt_to_sint_sat.f64x2 v2
    v4 = vfcvt_to_uint_sat.f64x2 v3
    return v4
}

function %madd(v128, v128, v128) -> v128 {
block0(v0: v128, v1: v128, v2: v128):
    v3 = vfmul.f32x4 v0, v1
    v4 = vfadd.f32x4 v3, v2
    v5 = vfmul.f64x2 v4, v1
    v6 = vfneg.f64x2 v5
    v7 = vfadd.f64x2 v6, v2
    return v7
}

function %laneselect(v128, v128, v128) -> v128 {
block0(v0: v128, v1: v128, v2: v128):
    v3 = bitselect v0, v1, v2
    v4 = bitselect v3, v1, v2
    v5 = bitselect v4, v1, v2
    v6 = bitselect v5, v1, v2
    return v6
}

function %minmax(v128, v128) -> v128 {
block0(v0: v128, v1: v128):
    v2 = vfmin.f32x4 v0, v1
    v3 = vfmax.f32x4 v2, v1
    v4 = vfmin.f64x2 v3, v1
    v5 = vfmax.f64x2 v4, v1
    return v5
}

function %q15(v128, v128) -> v128 {
block0(v0: v128, v1: v128):
    v2 = vq15mulr_sat.i16x8 v0, v1
    return v2
}

function %dot(v128, v128, v128) -> v128 {
block0(v0: v128, v1: v128, v2: v128):
    v3 = iconst.i32 8
    v4 = vishl.i16x8 v0, v3
    v5 = vsshr.i16x8 v4, v3
    v6 = vishl.i16x8 v1, v3
    v7 = vsshr.i16x8 v6, v3
    v8 = vimul.i16x8 v5, v7
    v9 = vsshr.i16x8 v0, v3
    v10 = vsshr.i16x8 v1, v3
    v11 = vimul.i16x8 v9, v10
    v12 = vsadd_sat.i16x8 v8, v11
    v13 = iconst.i32 8
    v14 = vishl.i16x8 v12, v13
    v15 = vsshr.i16x8 v14, v13
    v16 = vishl.i16x8 v1, v13
    v17 = vsshr.i16x8 v16, v13
    v18 = vimul.i16x8 v15, v17
    v19 = vsshr.i16x8 v12, v13
    v20 = vsshr.i16x8 v1, v13
    v21 = vimul.i16x8 v19, v20
    v22 = vsadd_sat.i16x8 v18, v21
    v23 = vsextadd_pairwise.i32x4 v22
    v24 = viadd.i32x4 v23, v2
    return v24
}
