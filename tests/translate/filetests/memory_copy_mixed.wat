; pass:
;; memory.copy between a 32-bit and a 64-bit memory (multi-memory +
;; memory64): the destination address has the destination memory's type,
;; the source address the source memory's, the length the narrower of the
;; two (the IR's A, A2 and Amin); verified, so a single A for all three
;; operands fails here.
(module
  (memory $a 1)
  (memory $b i64 1)
  (func (export "to64") (param i64 i32 i32)
    (memory.copy $b $a (local.get 0) (local.get 1) (local.get 2)))
  (func (export "to32") (param i32 i64 i32)
    (memory.copy $a $b (local.get 0) (local.get 1) (local.get 2)))
  (func (export "both64") (param i64 i64 i64)
    (memory.copy $b $b (local.get 0) (local.get 1) (local.get 2))))
; check:
function %fn0(i64, i32, i32) {
block0(v0: i64, v1: i32, v2: i32):
    memory_copy mem1 mem0 v0, v1, v2
    return
}

function %fn1(i32, i64, i32) {
block0(v0: i32, v1: i64, v2: i32):
    memory_copy mem0 mem1 v0, v1, v2
    return
}

function %fn2(i64, i64, i64) {
block0(v0: i64, v1: i64, v2: i64):
    memory_copy mem1 mem1 v0, v1, v2
    return
}
