;; Exports returning own handles, lifted at the top-level call: the
;; handle's checks as the canonical ABI lifts it (wrong resource type,
;; unknown index: errors of the call, exit 1 as in wasmtime); a valid
;; handle cannot be printed in WAVE (wasmtime 49 panics): one line, exit 1.
(component
  (type $R1 (resource (rep i32)))
  (type $R2 (resource (rep i32)))
  (core func $new1 (canon resource.new $R1))
  (core module $M
    (import "" "new" (func $new (param i32) (result i32)))
    (func (export "mk") (result i32) (call $new (i32.const 100)))
    (func (export "bad-index") (result i32) i32.const 5))
  (core instance $m (instantiate $M (with "" (instance (export "new" (func $new1))))))
  (export $R1' "r1" (type $R1))
  (export $R2' "r2" (type $R2))
  (func (export "mk") (result (own $R1')) (canon lift (core func $m "mk")))
  (func (export "mk-as-r2") (result (own $R2')) (canon lift (core func $m "mk")))
  (func (export "bad-index") (result (own $R1')) (canon lift (core func $m "bad-index")))
)
