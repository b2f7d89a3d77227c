;; Two child components: C's `run` calls P's `add` (u32, u32) -> u32,
;; the call fuse.py turns into a direct one; C's `len` has a realloc (the
;; code that runs with may_leave clear).  test_fuse.py edits variants of it.
(component
  (component $P
    (core module $m (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
    (core instance $i (instantiate $m))
    (func (export "add") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "add")))
  )
  (component $C
    (import "add" (func $add (param "a" u32) (param "b" u32) (result u32)))
    (core func $add_low (canon lower (func $add)))
    (core module $m
      (import "x" "add" (func $add (param i32 i32) (result i32)))
      (memory (export "mem") 1)
      (func (export "run") (param i32) (result i32) local.get 0 i32.const 1 call $add)
      (func (export "len") (param i32 i32) (result i32) local.get 1)
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 8))
    (core instance $x (export "add" (func $add_low)))
    (core instance $i (instantiate $m (with "x" (instance $x))))
    (alias core export $i "mem" (core memory $mem))
    (alias core export $i "realloc" (core func $re))
    (func (export "run") (param "n" u32) (result u32) (canon lift (core func $i "run")))
    (func (export "len") (param "s" string) (result u32) (canon lift (core func $i "len") (memory $mem) (realloc $re)))
  )
  (instance $p (instantiate $P))
  (instance $c (instantiate $C (with "add" (func $p "add"))))
  (export "run" (func $c "run"))
  (export "len" (func $c "len"))
)
