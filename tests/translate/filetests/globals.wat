; pass:
;; global.get/set, imported globals first in the index space.
(module
  (import "env" "base" (global $base i32))
  (global $count (mut i64) (i64.const 0))
  (func $bump (result i32)
    (global.set $count (i64.add (global.get $count) (i64.const 1)))
    (global.get $base)))
; check:
function %bump() -> i32 {
block0:
    v0 = global_get g1
    v1 = iconst.i64 1
    v2 = iadd.i64 v0, v1
    global_set g1 v2
    v3 = global_get g0
    return v3
}

function %__wasmaot_init() {
block0:
    v0 = iconst.i64 0
    global_set g1 v0
    return
}
