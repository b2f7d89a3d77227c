; pass:
;; br to the function label is a return; br_if/br_table to it go through a
;; block that returns; multi-value returns.
(module
  (func $early (param i32) (result i32 i32)
    (br_if 0 (i32.const 1) (i32.const 2) (local.get 0))
    (drop) (drop)
    (if (local.get 0) (then (br 1 (i32.const 3) (i32.const 4))))
    (return (i32.const 5) (i32.const 6)))
  (func $table (param i32) (result i32)
    (i32.add (block (result i32) (br_table 0 1 (i32.const 7) (local.get 0)))
             (i32.const 8))))
; check:
function %early(i32) -> i32, i32 {
block0(v0: i32):
    v1 = iconst.i32 1
    v2 = iconst.i32 2
    brif v0, block1(v1, v2), block2
block2:
    brif v0, block3, block5
block3:
    v5 = iconst.i32 3
    v6 = iconst.i32 4
    return v5, v6
block5:
    v7 = iconst.i32 5
    v8 = iconst.i32 6
    return v7, v8
block1(v3: i32, v4: i32):
    return v3, v4
}

function %table(i32) -> i32 {
block0(v0: i32):
    v1 = iconst.i32 7
    br_table v0, block1(v1), [block2(v1)]
block2(v3: i32):
    v4 = iconst.i32 8
    v5 = iadd.i32 v3, v4
    jump block1(v5)
block1(v2: i32):
    return v2
}
