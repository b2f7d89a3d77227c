"""Scripts (.wast): commands, values, expected results, lazy module errors."""
import pytest

from wasmaot.frontend.errors import MalformedError
from wasmaot.frontend.text import (
    ActionCommand, AssertExhaustion, AssertInvalid, AssertMalformed, AssertReturn, AssertTrap,
    AssertUninstantiable, AssertUnlinkable, Either, Get, Invoke, ModuleCommand, NanPattern,
    RefExtern, RefFunc, RefNull, Register, V128Pattern, Value, parse_wast,
)

SCRIPT = r'''
(module $M (func (export "f") (param i32) (result i32) local.get 0))
(module $B binary "\00asm" "\01\00\00\00")
(register "m" $M)
(assert_return (invoke $M "f" (i32.const -1)) (i32.const 0xffff_ffff))
(assert_return (invoke "g" (f32.const -0) (f64.const nan:0x1) (i64.const -1))
               (f32.const nan:canonical) (f64.const nan:arithmetic) (f32.const 0x1p-149))
(assert_return (get "glob") (v128.const i32x4 1 2 3 -1))
(assert_return (invoke "v") (v128.const f32x4 1.0 nan:canonical -0 nan:arithmetic))
(assert_return (invoke "r" (ref.null extern) (ref.extern 7))
               (ref.null func) (ref.extern 7) (ref.extern) (ref.func))
(assert_return (invoke "e") (either (i32.const 1) (i32.const 2)))
(assert_trap (invoke "t") "unreachable")
(assert_trap (module (func $s unreachable) (start $s)) "unreachable")
(assert_exhaustion (invoke "loop") "call stack exhausted")
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_malformed (module quote "(func (i32.const0))") "unknown operator")
(assert_malformed (module binary "\00asm") "unexpected end")
(assert_unlinkable (module (import "x" "y" (func))) "unknown import")
(assert_uninstantiable (module (memory 1) (data (i32.const 99999) "a")) "out of bounds")
(invoke "f" (i32.const 1))
(get $M "glob")
'''


@pytest.fixture(scope="module")
def cmds():
    return parse_wast(SCRIPT, "t.wast")


def test_command_kinds_and_lines(cmds):
    kinds = [c.kind for c in cmds]
    assert kinds == ["module", "module", "register", "assert_return", "assert_return",
                     "assert_return", "assert_return", "assert_return", "assert_return",
                     "assert_trap", "assert_trap", "assert_exhaustion", "assert_invalid",
                     "assert_malformed", "assert_malformed", "assert_unlinkable",
                     "assert_uninstantiable", "action", "action"]
    assert [c.line for c in cmds][:5] == [2, 3, 4, 5, 6]
    assert all(isinstance(c.line, int) for c in cmds)


def test_modules(cmds):
    m, b = cmds[0], cmds[1]
    assert isinstance(m, ModuleCommand) and m.name == "$M" and m.module.kind == "text"
    assert m.module.text.startswith("(module $M") and m.module.text.endswith("local.get 0))")
    assert m.module.to_binary()[:8] == b"\0asm\x01\0\0\0"
    assert b.module.kind == "binary" and b.module.to_binary() == b"\0asm\x01\0\0\0"
    assert isinstance(cmds[2], Register) and cmds[2].as_name == "m" and cmds[2].module == "$M"


def test_values(cmds):
    a = cmds[3]
    assert isinstance(a, AssertReturn)
    assert a.action == Invoke("$M", "f", (Value("i32", 0xFFFFFFFF),), 5)
    assert a.expected == (Value("i32", 0xFFFFFFFF),)
    b = cmds[4]
    assert b.action.args == (Value("f32", 0x80000000), Value("f64", 0x7FF0000000000001),
                             Value("i64", (1 << 64) - 1))
    assert b.expected == (NanPattern("f32", "canonical"), NanPattern("f64", "arithmetic"),
                          Value("f32", 1))
    c = cmds[5]
    assert isinstance(c.action, Get) and c.action.module is None
    assert c.expected == (Value("v128", bytes([1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 255, 255, 255, 255])),)
    d = cmds[6]
    assert d.expected == (V128Pattern("f32x4", (0x3F800000, NanPattern("f32", "canonical"),
                                                0x80000000, NanPattern("f32", "arithmetic"))),)
    e = cmds[7]
    assert e.action.args == (RefNull("extern"), RefExtern(7))
    assert e.expected == (RefNull("func"), RefExtern(7), RefExtern(None), RefFunc(None))
    assert cmds[8].expected == (Either((Value("i32", 1), Value("i32", 2))),)


def test_assertions(cmds):
    t = cmds[9]
    assert isinstance(t, AssertTrap) and t.module is None and t.message == "unreachable"
    tm = cmds[10]
    assert isinstance(tm, AssertTrap) and tm.action is None and tm.module.kind == "text"
    assert isinstance(cmds[11], AssertExhaustion)
    assert isinstance(cmds[12], AssertInvalid) and cmds[12].message == "type mismatch"
    mal = cmds[13]
    assert isinstance(mal, AssertMalformed) and mal.module.kind == "quote"
    assert mal.module.text == "(func (i32.const0))"
    with pytest.raises(MalformedError, match="unknown operator") as ei:
        mal.module.to_binary()
    assert ei.value.line == 17 == mal.line
    assert cmds[14].module.kind == "binary" and cmds[14].module.to_binary() == b"\0asm"
    assert isinstance(cmds[15], AssertUnlinkable) and isinstance(cmds[16], AssertUninstantiable)
    assert isinstance(cmds[17], ActionCommand) and cmds[17].action.field == "f"
    assert cmds[18].action == Get("$M", "glob", 22)


def test_bad_text_module_fails_lazily():
    cmds = parse_wast("(module (func (i32.add (nope))))\n(module)")
    assert len(cmds) == 2
    with pytest.raises(MalformedError) as ei:
        cmds[0].module.to_binary()
    assert (ei.value.line, ei.value.col) == (1, 25)      # at "nope"


def test_quote_with_invalid_utf8_fails_lazily():
    cmds = parse_wast('(assert_malformed (module quote "\\ff") "malformed UTF-8 encoding")')
    with pytest.raises(MalformedError, match="malformed UTF-8 encoding"):
        cmds[0].module.to_binary()


@pytest.mark.parametrize("text", [
    "(module", "(module))", "(bogus)", "(assert_return (invoke \"f\" (i32.const 1.5)))",
    "(assert_return (invoke \"f\") (i32.const 0x100000000))", "(invoke)", "x",
    "(assert_malformed (invoke \"f\") \"x\")", "(register $M)",
])
def test_malformed_scripts_raise(text):
    with pytest.raises(MalformedError) as ei:
        parse_wast(text, "s.wast")
    assert ei.value.line is not None and ei.value.filename == "s.wast"


def test_inline_module_script():
    cmds = parse_wast('(func) (memory 0) (func (export "f"))')
    assert len(cmds) == 1 and cmds[0].kind == "module"
    assert cmds[0].module.to_binary()[:8] == b"\0asm\x01\0\0\0"


# ---- newer script forms: module definition/instance, threads --------------

def test_module_definition_and_instances():
    cmds = parse_wast('(module definition $M (func (export "f")))\n'
                      '(module instance $I1 $M)\n(module instance $I2 $M)\n'
                      '(module definition (memory 1))\n(module instance)\n'
                      '(assert_return (invoke $I1 "f"))\n')
    assert [c.kind for c in cmds] == ["module_definition", "module", "module",
                                      "module_definition", "module", "assert_return"]
    i1, i2 = cmds[1], cmds[2]
    assert (i1.name, i2.name) == ("$I1", "$I2")
    # the same source (the name section carries each instance's own name)
    assert i1.module._range == i2.module._range == cmds[0].module._range
    assert i1.module is not i2.module
    assert cmds[4].name is None and b"\x05" in cmds[4].module.to_binary()   # the latest one
    with pytest.raises(MalformedError, match="unknown module definition"):
        parse_wast("(module instance $I $nope)")


def test_threads_run_in_line_with_their_own_names():
    cmds = parse_wast('(module $A (func (export "a")))\n'
                      '(register "a" $A)\n'
                      '(thread $t (shared (module $A))\n'
                      '  (module $A (func (export "b")))\n'
                      '  (invoke $A "b")\n'
                      '  (module (func (export "c")))\n'
                      '  (invoke "c"))\n'
                      '(wait $t)\n'
                      '(invoke "a")\n'
                      '(invoke $A "a")\n')
    kinds = [c.kind for c in cmds]
    assert kinds == ["module", "register", "module", "action", "module", "action",
                     "action", "action"]
    # the thread's $A is its own; the main script's $A is untouched
    assert cmds[2].name == "$A@$t" and cmds[3].action.module == "$A@$t"
    assert cmds[5].action.module is None              # the thread's current module
    # after the thread, unnamed actions go to the main script's current module
    assert cmds[6].action.module == "$A" and cmds[7].action.module == "$A"
    with pytest.raises(MalformedError, match="unknown thread"):
        parse_wast("(wait $nope)")


def test_thread_after_anonymous_module_names_it():
    cmds = parse_wast('(module (func (export "m")))\n(thread $t (module))\n(wait $t)\n'
                      '(assert_return (invoke "m"))\n')
    main = cmds[0].name
    assert main is not None and cmds[-1].action.module == main


def test_component_script_parses_to_a_component_command():
    from wasmaot.frontend.component import is_component
    from wasmaot.frontend.text import ComponentCommand
    (cmd,) = parse_wast('(component (core module))\n')
    assert isinstance(cmd, ComponentCommand) and is_component(cmd.component.to_binary())


def test_untyped_ref_null_result_is_any_null():
    (cmd,) = parse_wast('(assert_return (invoke "r") (ref.null))')
    assert cmd.expected == (Either((RefNull("func"), RefNull("extern"))),)
    with pytest.raises(MalformedError):
        parse_wast('(invoke "r" (ref.null))')          # an argument needs its type
