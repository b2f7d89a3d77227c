; pass:
;; __wasmaot_init: globals from their constant expressions (extended-const
;; translated as IR), then element segments in order (active: table_init +
;; elem_drop; declarative: elem_drop; passive: nothing), then active data.
(module
  (import "env" "off" (global $off i32))
  (memory 1)
  (table 4 funcref)
  (global $a i32 (i32.add (global.get $off) (i32.const 2)))
  (global $b i64 (i64.mul (i64.const 3) (i64.sub (i64.const 5) (i64.const 1))))
  (global $f funcref (ref.func $g))
  (global $x f32 (f32.const 1.5))
  (func $g)
  (elem (i32.const 1) $g $g)
  (elem declare func $g)
  (elem $p func $g)
  (elem (table 0) (offset (global.get $off)) funcref (ref.null func))
  (data (i32.const 16) "abc")
  (data $pd "passive")
  (data (offset (i32.add (global.get $off) (i32.const 100))) "z"))
; check:
function %g() {
block0:
    return
}

function %__wasmaot_init() {
block0:
    v12 = iconst.i32 0
    v0 = global_get g0
    v1 = iconst.i32 2
    v2 = iadd.i32 v0, v1
    global_set g1 v2
    v3 = iconst.i64 3
    v4 = iconst.i64 5
    v5 = iconst.i64 1
    v6 = isub.i64 v4, v5
    v7 = imul.i64 v3, v6
    global_set g2 v7
    v8 = func_ref fn0
    global_set g3 v8
    v9 = fconst.f32 0x3fc00000
    global_set g4 v9
    v10 = iconst.i32 1
    v11 = iconst.i32 2
    table_init table0 elem0 v10, v12, v11
    elem_drop elem0
    elem_drop elem1
    v13 = global_get g0
    v14 = iconst.i32 1
    table_init table0 elem3 v13, v12, v14
    elem_drop elem3
    v15 = iconst.i32 16
    v16 = iconst.i32 3
    memory_init mem0 data0 v15, v12, v16
    data_drop data0
    v17 = global_get g0
    v18 = iconst.i32 100
    v19 = iadd.i32 v17, v18
    v20 = iconst.i32 1
    memory_init mem0 data2 v19, v12, v20
    data_drop data2
    return
}
