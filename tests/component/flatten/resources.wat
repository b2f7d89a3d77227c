;; Resources with destructors: the provider (instantiated twice: two
;; resources) defines `counter`; the consumer imports it, lowers the
;; constructor and drops handles with resource.drop.
(component
  (component $provider
    (core module $m
      (func (export "dtor") (param i32))
      (func (export "new") (param i32) (result i32) i32.const 0))
    (core instance $i (instantiate $m))
    (type $counter (resource (rep i32) (dtor (core func $i "dtor"))))
    (core func $new (canon resource.new $counter))
    (core func $rep (canon resource.rep $counter))
    (core module $ctor
      (import "" "new" (func $new (param i32) (result i32)))
      (import "" "rep" (func (param i32) (result i32)))
      (func (export "make") (param i32) (result i32) local.get 0 call $new))
    (core instance $c (instantiate $ctor
      (with "" (instance (export "new" (func $new)) (export "rep" (func $rep))))))
    (export $c' "counter" (type $counter))
    (func (export "[constructor]counter") (param "n" u32) (result (own $c'))
      (canon lift (core func $c "make"))))
  (component $consumer
    (import "counter" (type $r (sub resource)))
    (import "[constructor]counter" (func $make (param "n" u32) (result (own $r))))
    (core func $make' (canon lower (func $make)))
    (core func $drop (canon resource.drop $r))
    (core module $m
      (import "" "make" (func (param i32) (result i32)))
      (import "" "drop" (func (param i32)))
      (func (export "run") i32.const 3 call 0 call 1))
    (core instance $i (instantiate $m
      (with "" (instance (export "make" (func $make')) (export "drop" (func $drop))))))
    (func (export "run") (canon lift (core func $i "run"))))
  (instance $p1 (instantiate $provider))
  (instance $p2 (instantiate $provider))
  (instance $c (instantiate $consumer
    (with "counter" (type $p2 "counter"))
    (with "[constructor]counter" (func $p2 "[constructor]counter"))))
  (export "run" (func $c "run"))
  (export "counter" (type $p1 "counter")))
