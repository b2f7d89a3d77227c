;; Found by differential.py (seed 33, minimized by hand from wasm-tools shrink's
;; output): in guard mode an out-of-bounds load whose value is only tested and
;; dropped is deleted by LLVM, so `f` returns 7 where wasmtime traps with
;; "out of bounds memory access" (guard-O2-nopasses before ea243cd, which keeps
;; every possibly-faulting load).  Memory has 0 pages: every load is out of bounds.
(module
  (memory (export "mem") 0 1)
  (func (export "f") (result i32) (local i64)
    (drop (i64.eqz (i64.load16_s (i32.const 1))))
    (i32.const 7)))
