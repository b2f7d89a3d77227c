;; `canon lift` of a resource built-in: A's constructor is `canon
;; resource.new` lifted as it is (no core function of A's in between).  B
;; calls it through an adapter, then A's method with a borrow of the
;; handle; the lifted built-in runs on A's handle table.
(component
  (component $A
    (type $t' (resource (rep i32)))
    (export $t "t" (type $t'))
    (core func $ctor (canon resource.new $t))
    (core module $m
      (func (export "get") (param i32) (result i32) local.get 0 i32.const 1 i32.add))
    (core instance $i (instantiate $m))
    (func (export "[constructor]t") (param "x" u32) (result (own $t))
      (canon lift (core func $ctor)))
    (func (export "[method]t.get") (param "self" (borrow $t)) (result u32)
      (canon lift (core func $i "get")))
  )
  (instance $a (instantiate $A))
  (component $B
    (import "a" (instance $i
      (export "t" (type $t (sub resource)))
      (export "[constructor]t" (func (param "x" u32) (result (own $t))))
      (export "[method]t.get" (func (param "self" (borrow $t)) (result u32)))))
    (alias export $i "t" (type $t))
    (alias export $i "[constructor]t" (func $ctor))
    (alias export $i "[method]t.get" (func $get))
    (core func $ctor (canon lower (func $ctor)))
    (core func $get (canon lower (func $get)))
    (core func $drop (canon resource.drop $t))
    (core module $m
      (import "" "ctor" (func $ctor (param i32) (result i32)))
      (import "" "get" (func $get (param i32) (result i32)))
      (import "" "drop" (func $drop (param i32)))
      (func (export "f") (param i32) (result i32) (local $h i32) (local $r i32)
        (local.set $h (call $ctor (local.get 0)))
        (local.set $r (call $get (local.get $h)))
        (call $drop (local.get $h))
        (local.get $r)))
    (core instance $i (instantiate $m
      (with "" (instance (export "ctor" (func $ctor)) (export "get" (func $get))
                         (export "drop" (func $drop))))))
    (func (export "f") (param "x" u32) (result u32) (canon lift (core func $i "f")))
  )
  (instance $b (instantiate $B (with "a" (instance $a))))
  (export "f" (func $b "f"))
)
