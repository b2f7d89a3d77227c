;; Found by differential.py on aarch64-linux (seed 3222, guard-O2: a global
;; set before an out-of-bounds load kept its old value after the trap), reduced
;; by hand.  Wasm does the global.set, then the load traps: `g` must be 5 after
;; the first call.  In guard mode at -O2 on AArch64 and RISC-V 64, LLVM's
;; scheduler moves the (faulting) load above the independent store to the
;; global (`ldr w0, [x9, w1, uxtw]` before `str w9, [x8, #8]`), so the trap
;; happens first and `g` stays 0.  x86-64 keeps the order.  Fixed: guard mode
;; turns the scheduler's alias analysis off (backends/llvm/traps.py,
;; codegen_options).
(module
  (memory (export "mem") 0 1)
  (global (export "g") (mut i32) (i32.const 0))
  (func (export "f") (param i32) (result i32)
    (global.set 0 (i32.add (global.get 0) (i32.const 5)))
    (i32.load (local.get 0))))
