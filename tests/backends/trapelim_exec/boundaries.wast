;; trapelim at the memory's end (tests/backends/test_trapelim_exec.py).
;; Every function whose accesses the pass proves in bounds (notrap) sits
;; next to a twin one element or one byte past the end, which must trap at
;; the same access, after every store before it.  Memory: 1 page = 65536.
(module
  (memory (export "mem") 1)
  ;; for (i = 0; i != 16384; i++) mem[4i] = i: the last store ends at 65536.
  (func (export "fill_to_end") (result i32)
    (local $i i32)
    (loop $l
      (i32.store (i32.shl (local.get $i) (i32.const 2)) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.ne (local.get $i) (i32.const 16384))))
    (i32.load (i32.const 65532)))
  ;; for (i = 16383; i >= 0; i--) sum += mem[4i] (signed guard, counting down)
  (func (export "sum_down") (result i32)
    (local $i i32) (local $s i32)
    (local.set $i (i32.const 16383))
    (loop $l
      (local.set $s (i32.add (local.get $s) (i32.load (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (br_if $l (i32.ge_s (local.get $i) (i32.const 0))))
    (local.get $s))
  ;; header-tested: while (i < n) ... with n = 16384 loaded as a u16 bound
  (func (export "sum_while") (param $n i32) (result i32)
    (local $i i32) (local $s i32) (local $m i32)
    (local.set $m (i32.and (local.get $n) (i32.const 0x3fff)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $m)))
        (local.set $s (i32.add (local.get $s) (i32.load offset=4 (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $s))
  ;; masks and branch guards
  (func (export "masked") (param i32) (result i32)
    (i32.load (i32.and (local.get 0) (i32.const 0xfffc))))
  (func (export "masked_wide") (param i32) (result i32)
    (i32.load (i32.and (local.get 0) (i32.const 0x1fffc))))
  (func (export "guarded") (param $i i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $i) (i32.const 16384))
      (then (i32.load (i32.shl (local.get $i) (i32.const 2))))
      (else (i32.const -1))))
  (func (export "guarded_over") (param $i i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $i) (i32.const 16385))
      (then (i32.load (i32.shl (local.get $i) (i32.const 2))))
      (else (i32.const -1))))
  ;; p + 8 first: it may wrap to a small address while p is out of bounds
  (func (export "wrap") (param $p i32) (result i32)
    (i32.add (i32.load (i32.add (local.get $p) (i32.const 8))) (i32.load (local.get $p))))
  ;; q + 24 cannot wrap (q <= 65535), so it covers q + 20 .. q + 24
  (func (export "below") (param $x i32) (result i32)
    (local $q i32)
    (local.set $q (i32.and (local.get $x) (i32.const 0xffff)))
    (i32.add (i32.load (i32.add (local.get $q) (i32.const 24))) (i32.load offset=20 (local.get $q))))
  ;; the same loop one element too far (base 4): traps at i = 16383, after
  ;; the store of i = 16382 (value 17382 at 65532)
  (func (export "fill_past_end")
    (local $i i32)
    (loop $l
      (i32.store offset=4 (i32.shl (local.get $i) (i32.const 2)) (i32.add (local.get $i) (i32.const 1000)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.ne (local.get $i) (i32.const 16384)))))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
)
(assert_return (invoke "fill_to_end") (i32.const 16383))
(assert_return (invoke "sum_down") (i32.const 134209536))
(assert_return (invoke "sum_while" (i32.const 16383)) (i32.const 134209536))
(assert_return (invoke "masked" (i32.const -1)) (i32.const 16383))
(assert_return (invoke "masked_wide" (i32.const 0xfffc)) (i32.const 16383))
(assert_trap (invoke "masked_wide" (i32.const 0x10000)) "out of bounds memory access")
(assert_return (invoke "guarded" (i32.const 16383)) (i32.const 16383))
(assert_return (invoke "guarded" (i32.const 16384)) (i32.const -1))
(assert_return (invoke "guarded_over" (i32.const 16383)) (i32.const 16383))
(assert_trap (invoke "guarded_over" (i32.const 16384)) "out of bounds memory access")
(assert_return (invoke "wrap" (i32.const 65524)) (i32.const 32764))
(assert_trap (invoke "wrap" (i32.const 65528)) "out of bounds memory access")
(assert_trap (invoke "wrap" (i32.const -8)) "out of bounds memory access")
(assert_return (invoke "below" (i32.const 65508)) (i32.const 32765))
(assert_trap (invoke "below" (i32.const 65509)) "out of bounds memory access")
(assert_trap (invoke "below" (i32.const -8)) "out of bounds memory access")
(assert_trap (invoke "fill_past_end") "out of bounds memory access")
(assert_return (invoke "load" (i32.const 65532)) (i32.const 17382))
(assert_return (invoke "load" (i32.const 4)) (i32.const 1000))
