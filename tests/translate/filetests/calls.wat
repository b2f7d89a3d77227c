; pass:
;; Direct calls (imports share the index space), multi-value results,
;; call_indirect with signature and table.
(module
  (type $ii (func (param i32) (result i32)))
  (import "env" "ext" (func $ext (param i32) (result i32)))
  (table 2 funcref)
  (func $pair (param i32) (result i32 i64)
    (local.get 0) (i64.const -1))
  (func $caller (param i32) (result i32 i64)
    (call $pair (call $ext (local.get 0)))
    (i64.extend_i32_s (call_indirect (type $ii) (i32.const 9) (local.get 0)))
    (i64.add)))
; check:
function %pair(i32) -> i32, i64 {
block0(v0: i32):
    v1 = iconst.i64 -1
    return v0, v1
}

function %caller(i32) -> i32, i64 {
block0(v0: i32):
    v1 = call fn0(v0)
    v2 = exn_pending
    v3 = is_null v2
    brif v3, block1, block2
block2:
    exn_propagate v2
block1:
    v4, v5 = call fn1(v1)
    v6 = iconst.i32 9
    v7 = call_indirect sig0 table0 v0(v6)
    v8 = exn_pending
    v9 = is_null v8
    brif v9, block3, block4
block4:
    exn_propagate v8
block3:
    v10 = sextend.i64 v7
    v11 = iadd.i64 v5, v10
    return v4, v11
}
