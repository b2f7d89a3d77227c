; pass:
;; Table ops, element segments in functions, and references.
(module
  (table $t 1 funcref)
  (table $e 0 externref)
  (elem $seg func $f)
  (func $f (param externref) (result i32)
    (table.set $t (i32.const 0) (ref.func $f))
    (drop (table.grow $e (local.get 0) (i32.const 2)))
    (table.fill $e (i32.const 0) (ref.null extern) (i32.const 2))
    (table.copy $t $t (i32.const 0) (i32.const 0) (i32.const 1))
    (table.init $t $seg (i32.const 0) (i32.const 0) (i32.const 1))
    (elem.drop $seg)
    (i32.add (ref.is_null (table.get $t (i32.const 0))) (table.size $e))))
; check:
function %f(externref) -> i32 {
block0(v0: externref):
    v1 = iconst.i32 0
    v2 = func_ref fn0
    table_set table0 v1, v2
    v3 = iconst.i32 2
    v4 = table_grow table1 v0, v3
    v5 = iconst.i32 0
    v6 = null.externref
    v7 = iconst.i32 2
    table_fill table1 v5, v6, v7
    v8 = iconst.i32 0
    v9 = iconst.i32 0
    v10 = iconst.i32 1
    table_copy table0 table0 v8, v9, v10
    v11 = iconst.i32 0
    v12 = iconst.i32 0
    v13 = iconst.i32 1
    table_init table0 elem0 v11, v12, v13
    elem_drop elem0
    v14 = iconst.i32 0
    v15 = table_get table0 v14
    v16 = is_null v15
    v17 = table_size table1
    v18 = iadd.i32 v16, v17
    return v18
}
