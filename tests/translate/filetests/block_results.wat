; pass:
;; A block nobody branches to costs no IR block; br/br_if carry the block's
;; results as merge-block arguments; multi-value block params stay on the stack.
(module
  (func $plain (param i32) (result i32)
    (block (result i32) (i32.add (local.get 0) (i32.const 1))))
  (func $br_value (param i32) (result i32)
    (block $b (result i32)
      (drop (br_if $b (i32.const 10) (local.get 0)))
      (br $b (i32.const 20))))
  (func $multi (param i32 i64) (result i64 i32)
    (local.get 0) (local.get 1)
    (block (param i32 i64) (result i64 i32)
      (local.set 1) (local.set 0)
      (local.get 1) (local.get 0))))
; check:
function %plain(i32) -> i32 {
block0(v0: i32):
    v1 = iconst.i32 1
    v2 = iadd.i32 v0, v1
    return v2
}

function %br_value(i32) -> i32 {
block0(v0: i32):
    v1 = iconst.i32 10
    brif v0, block1(v1), block2
block2:
    v3 = iconst.i32 20
    jump block1(v3)
block1(v2: i32):
    return v2
}

function %multi(i32, i64) -> i64, i32 {
block0(v0: i32, v1: i64):
    return v1, v0
}
