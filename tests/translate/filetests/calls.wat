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
    v2, v3 = call fn1(v1)
    v4 = iconst.i32 9
    v5 = call_indirect sig0 table0 v0(v4)
    v6 = sextend.i64 v5
    v7 = iadd.i64 v3, v6
    return v2, v7
}
