; pass:
;; Exception handling (Wasm 3.0): no unwinder (backends/ABI.md "Exceptions").
;; throw makes the exception (exn_new, its payload) and leaves with
;; exn_propagate; after a call the caller reads exn_pending.  Inside a
;; try_table a pending exception is taken (exn_clear) to the handlers:
;; exn_is tests its tag, exn_field reads the payload, exn_free drops it;
;; catch_all_ref keeps it as the exnref it passes (exn_keep).  Outside any
;; try_table it propagates to the caller at once.
(module
  (tag $e (param i32))
  (func $thrower (param i32)
    (if (local.get 0) (then (throw $e (local.get 0)))))
  (func $catches (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (call $thrower (local.get 0)))
      (i32.const 0)))
  (func $catch_all (param i32) (result i32)
    (block $h (result exnref)
      (try_table (catch_all_ref $h)
        (call $thrower (local.get 0)))
      (return (i32.const 1)))
    (drop)
    (i32.const 2))
  (func $passes_on (param i32)
    (call $thrower (local.get 0))))
; check:
function %thrower(i32) {
block0(v0: i32):
    brif v0, block1, block3
block1:
    v1 = exn_new sig0 tag0(v0)
    exn_propagate v1
block3:
    return
}

function %catches(i32) -> i32 {
block0(v0: i32):
    call fn0(v0)
    v1 = exn_pending
    v2 = is_null v1
    brif v2, block1, block2
block2:
    exn_clear
    jump block3(v1)
block1:
    jump block4
block3(v3: externref):
    v5 = exn_is tag0 v3
    brif v5, block6, block7
block6:
    v6 = exn_field.i32 0 v3
    exn_free v3
    jump block5(v6)
block7:
    exn_propagate v3
block4:
    v7 = iconst.i32 0
    jump block5(v7)
block5(v4: i32):
    return v4
}

function %catch_all(i32) -> i32 {
block0(v0: i32):
    call fn0(v0)
    v1 = exn_pending
    v2 = is_null v1
    brif v2, block1, block2
block2:
    exn_clear
    jump block3(v1)
block1:
    jump block4
block3(v3: externref):
    exn_keep v3
    jump block5(v3)
block4:
    v5 = iconst.i32 1
    return v5
block5(v4: externref):
    v6 = iconst.i32 2
    return v6
}

function %passes_on(i32) {
block0(v0: i32):
    call fn0(v0)
    v1 = exn_pending
    v2 = is_null v1
    brif v2, block1, block2
block2:
    exn_propagate v1
block1:
    return
}
