;; Outer aliases: a module and a type of the root, used two levels down.
(component $root
  (core module $m (func (export "f") (result i32) i32.const 42))
  (type $pt (record (field "x" u32) (field "y" u32)))
  (component $mid
    (component $leaf
      (alias outer $root $m (core module $m'))
      (alias outer $root $pt (type $pt'))
      (core instance $i (instantiate $m'))
      (func (export "f") (result u32) (canon lift (core func $i "f")))
      (export "pt" (type $pt')))
    (instance $l (instantiate $leaf))
    (alias outer $root $m (core module $m2))
    (core instance (instantiate $m2))
    (export "leaf" (instance $l)))
  (instance $mid (instantiate $mid))
  (core instance (instantiate $m))
  (export "mid" (instance $mid)))
