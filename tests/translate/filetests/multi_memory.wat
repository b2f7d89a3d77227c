; pass:
;; Multi-memory: each memory instruction's memory index (memarg flag bit 6,
;; the index of memory.size/grow/fill/init, both of memory.copy, lane loads)
;; becomes the IR ``mem`` immediate; imported memories come first.
(module
  (import "env" "a" (memory $a 1))
  (memory $b 1 2)
  (data $d "xy")
  (func $loads (param i32) (result i32)
    (i32.add (i32.load $b offset=8 (local.get 0)) (i32.load8_u $a (local.get 0))))
  (func $stores (param i32)
    (i64.store32 $b offset=4 (local.get 0) (i64.const 7))
    (v128.store 1 (local.get 0) (v128.load8_lane 0 3 (local.get 0) (v128.const i64x2 0 0))))
  (func $bulk (param i32) (result i32)
    (memory.copy $a $b (local.get 0) (i32.const 0) (i32.const 4))
    (memory.init $b $d (local.get 0) (i32.const 0) (i32.const 2))
    (memory.fill $b (local.get 0) (i32.const 0) (i32.const 1))
    (data.drop $d)
    (i32.add (memory.grow $b (i32.const 1)) (memory.size $a))))
; check:
function %loads(i32) -> i32 {
block0(v0: i32):
    v1 = load.i32 mem1 v0+8
    v2 = uload8.i32 mem0 v0
    v3 = iadd.i32 v1, v2
    return v3
}

function %stores(i32) {
block0(v0: i32):
    v1 = iconst.i64 7
    istore32.i64 mem1 v0+4, v1
    v2 = vconst 0x00000000000000000000000000000000
    v3 = vload8_lane mem0 3 v0, v2
    store.v128 mem1 v0, v3
    return
}

function %bulk(i32) -> i32 {
block0(v0: i32):
    v1 = iconst.i32 0
    v2 = iconst.i32 4
    memory_copy mem0 mem1 v0, v1, v2
    v3 = iconst.i32 0
    v4 = iconst.i32 2
    memory_init mem1 data0 v0, v3, v4
    v5 = iconst.i32 0
    v6 = iconst.i32 1
    memory_fill mem1 v0, v5, v6
    data_drop data0
    v7 = iconst.i32 1
    v8 = memory_grow mem1 v7
    v9 = memory_size mem0
    v10 = iadd.i32 v8, v9
    return v10
}
