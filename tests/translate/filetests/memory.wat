; pass:
;; Loads/stores: memarg offset -> IR offset, alignment kept only when not
;; natural; extending loads, truncating stores; size/grow; bulk memory.
(module
  (memory 1 2)
  (data $d "hello")
  (func $access (param i32) (result i64)
    (i32.store offset=8 (local.get 0) (i32.load align=1 (local.get 0)))
    (i64.store16 (local.get 0) (i64.const 65537))
    (f64.store offset=16 (local.get 0) (f64.load offset=16 (local.get 0)))
    (i64.add (i64.load8_s offset=3 (local.get 0))
             (i64.load32_u offset=4 align=2 (local.get 0))))
  (func $bulk (param i32) (result i32)
    (memory.fill (local.get 0) (i32.const 255) (i32.const 16))
    (memory.copy (i32.const 0) (local.get 0) (i32.const 16))
    (memory.init $d (local.get 0) (i32.const 1) (i32.const 3))
    (data.drop $d)
    (drop (memory.grow (i32.const 1)))
    (memory.size)))
; check:
function %access(i32) -> i64 {
block0(v0: i32):
    v1 = load.i32 align=1 mem0 v0
    store.i32 mem0 v0+8, v1
    v2 = iconst.i64 0x10001
    istore16.i64 mem0 v0, v2
    v3 = load.f64 mem0 v0+16
    store.f64 mem0 v0+16, v3
    v4 = sload8.i64 mem0 v0+3
    v5 = uload32.i64 align=2 mem0 v0+4
    v6 = iadd.i64 v4, v5
    return v6
}

function %bulk(i32) -> i32 {
block0(v0: i32):
    v1 = iconst.i32 255
    v2 = iconst.i32 16
    memory_fill mem0 v0, v1, v2
    v3 = iconst.i32 0
    v4 = iconst.i32 16
    memory_copy mem0 mem0 v3, v0, v4
    v5 = iconst.i32 1
    v6 = iconst.i32 3
    memory_init mem0 data0 v0, v5, v6
    data_drop data0
    v7 = iconst.i32 1
    v8 = memory_grow mem0 v7
    v9 = memory_size mem0
    return v9
}
