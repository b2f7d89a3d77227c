; pass:
;; Wide arithmetic: one IR instruction per Wasm op, operands in Wasm order
;; (low, high of each 128-bit operand), two i64 results (low, high) pushed
;; in that order.
(module
  (func $add (param i64 i64 i64 i64) (result i64 i64)
    (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func $sub_swapped (param i64 i64 i64 i64) (result i64 i64)
    (local.get 2) (local.get 3) (local.get 0) (local.get 1)
    i64.sub128)
  (func $mul_chain (param i64 i64) (result i64)
    (i64.mul_wide_s (local.get 0) (local.get 1))
    (i64.mul_wide_u)
    (drop))
  (func $mul_low (param i64 i64) (result i64)
    (i64.mul_wide_u (local.get 0) (i64.const -1))
    (drop)))
; check:
function %add(i64, i64, i64, i64) -> i64, i64 {
block0(v0: i64, v1: i64, v2: i64, v3: i64):
    v4, v5 = iadd128 v0, v1, v2, v3
    return v4, v5
}

function %sub_swapped(i64, i64, i64, i64) -> i64, i64 {
block0(v0: i64, v1: i64, v2: i64, v3: i64):
    v4, v5 = isub128 v2, v3, v0, v1
    return v4, v5
}

function %mul_chain(i64, i64) -> i64 {
block0(v0: i64, v1: i64):
    v2, v3 = smul_wide v0, v1
    v4, v5 = umul_wide v2, v3
    return v4
}

function %mul_low(i64, i64) -> i64 {
block0(v0: i64, v1: i64):
    v2 = iconst.i64 -1
    v3, v4 = umul_wide v0, v2
    return v3
}
