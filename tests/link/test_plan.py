"""The link plan (ir/plan.py): resolution of imports against earlier
instances at compile time, re-export chains, and one-line type errors."""
from __future__ import annotations

import pytest

from wasmaot.frontend.load import load_module
from wasmaot.ir.module import EXTERN_FUNC, EXTERN_GLOBAL, EXTERN_MEMORY, EXTERN_TABLE
from wasmaot.ir.plan import (HostBinding, Instance, InstanceBinding, LinkPlanError, build_plan,
                             single)
from wasmaot.ir.translate import translate_module


def ir(wat: str):
    return translate_module(load_module(wat.encode(), "t.wat"))


LIB = ir("""(module
  (import "env" "log" (func $log (param i32)))
  (memory (export "mem") 1 4)
  (table (export "tab") 2 funcref)
  (global (export "g") (mut i32) (i32.const 7))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (export "log" (func $log)))""")


def test_single_module_leaves_every_import_to_the_host():
    plan = single(LIB, "lib.wat")
    assert plan.bindings == {(0, EXTERN_FUNC, 0): HostBinding(0, EXTERN_FUNC, 0)}
    assert [(i, k, x, imp.module, imp.field) for i, k, x, imp in plan.host_imports()] == [
        (0, EXTERN_FUNC, 0, "env", "log")]


def test_imports_bind_to_the_defining_instance():
    app = ir("""(module
      (import "lib" "add" (func $add (param i32 i32) (result i32)))
      (import "lib" "log" (func $log (param i32)))
      (import "lib" "mem" (memory 1))
      (import "lib" "tab" (table 1 funcref))
      (import "lib" "g" (global (mut i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func (param i32))))""")
    plan = build_plan([Instance(LIB, "lib", "lib.wat"), Instance(app, None, "app.wat")])
    assert plan.main == 1
    b = plan.binding
    assert b(1, EXTERN_FUNC, 0) == InstanceBinding(0, EXTERN_FUNC, 1)   # lib's fn1 = add
    # a re-exported host import stays the exporter's host import
    assert b(1, EXTERN_FUNC, 1) == HostBinding(0, EXTERN_FUNC, 0)
    assert b(1, EXTERN_MEMORY, 0) == InstanceBinding(0, EXTERN_MEMORY, 0)
    assert b(1, EXTERN_TABLE, 0) == InstanceBinding(0, EXTERN_TABLE, 0)
    assert b(1, EXTERN_GLOBAL, 0) == InstanceBinding(0, EXTERN_GLOBAL, 0)
    assert b(1, EXTERN_FUNC, 2) == HostBinding(1, EXTERN_FUNC, 2)
    assert [(i, imp.module, imp.field) for i, _, _, imp in plan.host_imports()] == [
        (0, "env", "log"), (1, "wasi_snapshot_preview1", "proc_exit")]


@pytest.mark.parametrize("imp, why", [
    ('(func (param i32))', "incompatible import type (expected (i32) -> (), got (i32, i32) -> (i32))"),
    ('(global i32)', "incompatible import type (expected a global, lib.wat exports a func)"),
])
def test_type_mismatch_is_one_line(imp, why):
    app = ir(f'(module (import "lib" "add" {imp}))')
    with pytest.raises(LinkPlanError) as e:
        build_plan([Instance(LIB, "lib", "lib.wat"), Instance(app, None, "app.wat")])
    assert str(e.value) == f"app.wat: import 'lib' 'add': {why}"


@pytest.mark.parametrize("imp, ok", [
    ('(memory 1)', True), ('(memory 1 4)', True), ('(memory 2)', False),
    ('(memory 1 3)', False), ('(memory 0 8)', True)])
def test_memory_limits_follow_import_subtyping(imp, ok):
    app = ir(f'(module (import "lib" "mem" {imp}))')
    plan = [Instance(LIB, "lib", "lib.wat"), Instance(app, None, "app.wat")]
    if ok:
        build_plan(plan)
    else:
        with pytest.raises(LinkPlanError, match="limits 1..4 do not fit"):
            build_plan(plan)


def test_unknown_export_and_duplicate_names():
    app = ir('(module (import "lib" "nope" (func)))')
    with pytest.raises(LinkPlanError, match="unknown import .lib.wat exports no 'nope'"):
        build_plan([Instance(LIB, "lib", "lib.wat"), Instance(app, None, "app.wat")])
    with pytest.raises(LinkPlanError, match="instance name 'lib' is given twice"):
        build_plan([Instance(LIB, "lib", "a.wat"), Instance(LIB, "lib", "b.wat")])


def test_only_earlier_instances_are_visible():
    app = ir('(module (import "later" "add" (func (param i32 i32) (result i32))))')
    plan = build_plan([Instance(app, None, "app.wat"), Instance(LIB, "later", "lib.wat")])
    assert plan.binding(0, EXTERN_FUNC, 0) == HostBinding(0, EXTERN_FUNC, 0)
