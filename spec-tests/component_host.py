"""The `host` instance of wasmtime's wast harness (its
link_component_spectest), as a component in WAT: component scripts that
import `host`, or one of its export names such as `host-return-two`, get it
compiled in as a preload (component_exec.py "Imports"), composed at compile
time like any other instance.  What the harness's Rust host functions do is
done here in core code:

- return-three, nested.return-four, host-return-two: constants;
- simple-module: a core module exporting global g = 100 and f() = 101;
- x, rec, some-record: record types;
- resource1 (and resource1-again, the same type), resource2: resources with
  an i32 rep; dropping an own resource1 handle counts a drop and records its
  rep ([static]resource1.drops / .last-drop);
- [constructor]resource1(rep): a new own handle;
- [static]resource1.assert(own r, rep): traps unless r's rep is rep;
- [method]resource1.simple(borrow, rep): the same for a borrow;
- [method]resource1.take-borrow, .take-own: take them (an own handle the
  host takes is released without counting a drop, as the harness's Rust
  `Resource` is: the destructor runs only for a guest's drop).

A Python string rather than a .wat file: the package installs the Python
files of spec-tests/ (pyproject.toml's package-data lists no .wat there).
"""
from __future__ import annotations

HOST_WAT = r"""
(component
  (core module $state
    (global $drops (export "drops") (mut i32) (i32.const 0))
    (global $last (export "last") (mut i32) (i32.const 0))
    (global $quiet (export "quiet") (mut i32) (i32.const 0))
    (func (export "dtor") (param i32)
      (if (i32.eqz (global.get $quiet))
        (then
          (global.set $drops (i32.add (global.get $drops) (i32.const 1)))
          (global.set $last (local.get 0))))))
  (core instance $state (instantiate $state))

  (type $r1 (resource (rep i32) (dtor (core func $state "dtor"))))
  (type $r2 (resource (rep i32)))
  (core func $new (canon resource.new $r1))
  (core func $rep (canon resource.rep $r1))
  (core func $drop (canon resource.drop $r1))

  (core module $main
    (import "" "rep" (func $rep (param i32) (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (import "" "drops" (global $drops (mut i32)))
    (import "" "last" (global $last (mut i32)))
    (import "" "quiet" (global $quiet (mut i32)))
    (func $release (param i32)
      (global.set $quiet (i32.const 1))
      (call $drop (local.get 0))
      (global.set $quiet (i32.const 0)))
    (func (export "two") (result i32) (i32.const 2))
    (func (export "three") (result i32) (i32.const 3))
    (func (export "four") (result i32) (i32.const 4))
    (func (export "assert") (param i32 i32)
      (if (i32.ne (call $rep (local.get 0)) (local.get 1)) (then (unreachable)))
      (call $release (local.get 0)))
    (func (export "simple") (param i32 i32)
      (if (i32.ne (local.get 0) (local.get 1)) (then (unreachable))))
    (func (export "take-borrow") (param i32 i32))
    (func (export "take-own") (param i32 i32) (call $release (local.get 1)))
    (func (export "drops") (result i32) (global.get $drops))
    (func (export "last-drop") (result i32) (global.get $last)))
  (core instance $main (instantiate $main
    (with "" (instance
      (export "rep" (func $rep))
      (export "drop" (func $drop))
      (export "drops" (global $state "drops"))
      (export "last" (global $state "last"))
      (export "quiet" (global $state "quiet"))))))

  (func (export "host-return-two") (result u32) (canon lift (core func $main "two")))
  (func (export "return-two") (result u32) (canon lift (core func $main "two")))
  (func (export "return-three") (result u32) (canon lift (core func $main "three")))
  (func $four (result u32) (canon lift (core func $main "four")))
  (instance $nested (export "return-four" (func $four)))
  (export "nested" (instance $nested))

  (core module $simple
    (global (export "g") i32 (i32.const 100))
    (func (export "f") (result i32) (i32.const 101)))
  (export "simple-module" (core module $simple))

  (type $x' (record (field "x" u32)))
  (export $x "x" (type $x'))
  (type $rec' (record (field "x" $x) (field "y" string)))
  (export $rec "rec" (type $rec'))
  (export "some-record" (type $rec))

  (export $R1 "resource1" (type $r1))
  (export "resource2" (type $r2))
  (export "resource1-again" (type $r1))
  (func (export "[constructor]resource1") (param "r" u32) (result (own $R1))
    (canon lift (core func $new)))
  (func (export "[static]resource1.assert") (param "r" (own $R1)) (param "rep" u32)
    (canon lift (core func $main "assert")))
  (func (export "[static]resource1.last-drop") (result u32)
    (canon lift (core func $main "last-drop")))
  (func (export "[static]resource1.drops") (result u32)
    (canon lift (core func $main "drops")))
  (func (export "[method]resource1.simple") (param "self" (borrow $R1)) (param "rep" u32)
    (canon lift (core func $main "simple")))
  (func (export "[method]resource1.take-borrow") (param "self" (borrow $R1))
    (param "b" (borrow $R1))
    (canon lift (core func $main "take-borrow")))
  (func (export "[method]resource1.take-own") (param "self" (borrow $R1)) (param "b" (own $R1))
    (canon lift (core func $main "take-own")))
)
"""
