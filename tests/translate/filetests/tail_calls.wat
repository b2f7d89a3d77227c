; pass:
;; Tail calls (Wasm 3.0): return_call / return_call_indirect are terminators
;; with no successors, carrying the callee's arguments (and, indirect, the
;; table index first); what follows them in the Wasm block is dead and not
;; translated.  A tail call to an import stays a return_call (the emitter
;; decides how to call it).
(module
  (type $ii (func (param i32) (result i32)))
  (import "env" "ext" (func $ext (param i32) (result i32)))
  (table 2 funcref)
  (func $count (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 7))
      (else (return_call $count (i32.sub (local.get 0) (i32.const 1))))))
  (func $via_table (param i32) (result i32)
    (return_call_indirect (type $ii) (local.get 0) (i32.const 1))
    (drop (i32.const 5)))
  (func $to_import (param i32) (result i32)
    (block (br_if 0 (local.get 0)) (return_call $ext (i32.const 3)))
    (return_call $ext (local.get 0))))
; check:
function %count(i32) -> i32 {
block0(v0: i32):
    v1 = eqz.i32 v0
    brif v1, block1, block2
block1:
    v2 = iconst.i32 7
    jump block3(v2)
block2:
    v4 = iconst.i32 1
    v5 = isub.i32 v0, v4
    return_call fn1(v5)
block3(v3: i32):
    return v3
}

function %via_table(i32) -> i32 {
block0(v0: i32):
    v1 = iconst.i32 1
    return_call_indirect sig0 table0 v1(v0)
}

function %to_import(i32) -> i32 {
block0(v0: i32):
    brif v0, block1, block2
block2:
    v1 = iconst.i32 3
    return_call fn0(v1)
block1:
    return_call fn0(v0)
}
