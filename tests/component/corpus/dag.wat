;; A type DAG: each tuple holds the previous type twice, 24 levels (2^24 leaves).
;; Validation, subtyping and inspect must visit each shared type once.
(component
  (type $t0 u32)
  (type $t1 (tuple $t0 $t0)) (type $t2 (tuple $t1 $t1)) (type $t3 (tuple $t2 $t2)) (type $t4 (tuple $t3 $t3))
  (type $t5 (tuple $t4 $t4)) (type $t6 (tuple $t5 $t5)) (type $t7 (tuple $t6 $t6)) (type $t8 (tuple $t7 $t7))
  (type $t9 (tuple $t8 $t8)) (type $t10 (tuple $t9 $t9)) (type $t11 (tuple $t10 $t10)) (type $t12 (tuple $t11 $t11))
  (type $t13 (tuple $t12 $t12)) (type $t14 (tuple $t13 $t13)) (type $t15 (tuple $t14 $t14)) (type $t16 (tuple $t15 $t15))
  (type $t17 (tuple $t16 $t16)) (type $t18 (tuple $t17 $t17)) (type $t19 (tuple $t18 $t18)) (type $t20 (tuple $t19 $t19))
  (type $t21 (tuple $t20 $t20)) (type $t22 (tuple $t21 $t21)) (type $t23 (tuple $t22 $t22)) (type $t24 (tuple $t23 $t23))
  (type $f (func (param "x" $t24) (result $t24)))
  (import "f" (func $f (type $f)))
  (core module $m (memory (export "mem") 1) (func (export "r") (param i32 i32 i32 i32) (result i32) unreachable))
  (core instance $i (instantiate $m))
  (core func (canon lower (func $f) (memory (core memory $i "mem")) (realloc (core func $i "r"))))
  (component $c (import "f" (func (param "x" u32))))
)
