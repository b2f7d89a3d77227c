; pass:
;; br_table: default first, then the table; every target gets the same
;; arguments (the labels' arity); repeated targets are separate edges.
(module
  (func $switch (param i32) (result i32)
    (block $d (result i32)
      (block $b1 (result i32)
        (block $b0 (result i32)
          (br_table $b0 $b1 $b0 $d (i32.const 100) (local.get 0)))
        (return (i32.const 0)))
      (return (i32.const 1))))
  (func $to_loop (param i32)
    (loop $l
      (block $out
        (br_table $l $out (local.get 0))))))
; check:
function %switch(i32) -> i32 {
block0(v0: i32):
    v1 = iconst.i32 100
    br_table v0, block1(v1), [block2(v1), block3(v1), block2(v1)]
block2(v3: i32):
    v5 = iconst.i32 0
    return v5
block3(v4: i32):
    v6 = iconst.i32 1
    return v6
block1(v2: i32):
    return v2
}

function %to_loop(i32) {
block0(v0: i32):
    jump block1
block1:
    br_table v0, block2, [block1]
block2:
    return
}
