; pass:
;; memory64: i64 addresses (the IR's A is the memory's index type), u64
;; offsets, memory.size/grow in i64, bulk operands typed by the memory.
(module
  (memory $m i64 1 5)
  (data (i64.const 8) "abc")
  (func (export "f") (param i64) (result i32)
    (i32.store offset=4 (local.get 0) (i32.const 7))
    (memory.fill (local.get 0) (i32.const 1) (i64.const 2))
    (drop (memory.grow (i64.const 1)))
    (i32.add (i32.wrap_i64 (memory.size)) (i32.load8_u offset=0x100000000 (local.get 0)))))
; check:
function %fn0(i64) -> i32 {
block0(v0: i64):
    v1 = iconst.i32 7
    store.i32 mem0 v0+4, v1
    v2 = iconst.i32 1
    v3 = iconst.i64 2
    memory_fill mem0 v0, v2, v3
    v4 = iconst.i64 1
    v5 = memory_grow mem0 v4
    v6 = memory_size mem0
    v7 = ireduce.i32 v6
    v8 = uload8.i32 mem0 v0+4294967296
    v9 = iadd.i32 v7, v8
    return v9
}

function %__wasmaot_init() {
block0:
    v2 = iconst.i32 0
    v0 = iconst.i64 8
    v1 = iconst.i32 3
    memory_init mem0 data0 v0, v2, v1
    data_drop data0
    return
}
