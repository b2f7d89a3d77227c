"""Errors found in the binary encoded from text (validation, and the decoder's
own checks) name the text's line:column, not a binary offset: the encoder
rebuilds a map from binary offsets to text positions on the error path."""
import pickle

import pytest

from wasmaot.frontend.errors import WasmError
from wasmaot.frontend.load import load_module
from wasmaot.frontend.text import parse_wast
from wasmaot.frontend.text.wat import WatBinary, parse_module_text
from wasmaot.frontend.validate import validate_module
from wasmaot.frontend.binary import decode_module


def _where(text: str, name: str = "m.wat") -> tuple[int, int, str]:
    with pytest.raises(WasmError) as ei:
        load_module(text.encode(), name)
    e = ei.value
    assert e.filename == name and e.line is not None, str(e)
    assert str(e).startswith(f"{name}:{e.line}:{e.col}: "), str(e)
    return e.line, e.col, e.message


def _at(text: str, line: int, col: int) -> str:
    return text.splitlines()[line - 1][col - 1:]


@pytest.mark.parametrize("text,starts", [
    # flat instruction: the offending i32.add
    ("(module\n  (func (result i32)\n    i32.const 1\n    i64.const 2\n    i32.add))\n", "i32.add"),
    # folded: the instruction's name, not its operands
    ("(module\n  (func (result i32)\n    (i32.add (i32.const 1)\n      (i64.const 2))))\n", "i32.add"),
    # an index out of range in a body
    ("(module\n  (func\n    nop\n    (call 9)))\n", "call 9"),
    ("(func (local i32)\n  local.get 0\n  drop\n  local.get 1\n  drop)\n", "local.get 1"),
    # end of a block whose result is missing
    ("(module (func\n  (block (result i32)\n    nop)))\n", ")))"),
    # a field: export of a missing function, elem, data, global init, start
    ("(module\n  (func)\n  (export \"f\" (func 3)))\n", "(export"),
    ("(module\n  (table 1 funcref)\n  (elem (i32.const 0) 5))\n", "(elem"),
    ("(module\n  (data (i32.const 0) \"x\"))\n", "(data"),
    ("(module\n  (global i32 (i64.const 0)))\n", "(global"),
    ("(module\n  (func $f (param i32))\n  (start $f))\n", "(start"),
    # a memory index out of range (multi-memory): the instruction
    ("(module\n  (memory 1)\n  (memory 1)\n  (func\n    (drop (memory.size 2))))\n",
     "memory.size 2"),
])
def test_validation_errors_point_at_the_text(text, starts):
    line, col, _ = _where(text)
    assert _at(text, line, col).startswith(starts), (line, col, _at(text, line, col))


def test_second_function_of_many():
    funcs = "".join(f"  (func (export \"f{i}\") (result i32) (i32.const {i}))\n" for i in range(50))
    text = "(module\n" + funcs + "  (func (result i32)\n    (f32.const 1)))\n"
    line, col, msg = _where(text)
    assert line == 53 and "type mismatch" in msg        # inside the 51st function
    assert (line, col) == (53, 18)       # the func's closing paren: "    (f32.const 1)>)<)"


def test_script_modules_are_located_too():
    script = '(module (func))\n\n(module\n  (func (result i64)\n    (i32.const 0)))\n'
    cmds = parse_wast(script, "s.wast")
    with pytest.raises(WasmError) as ei:
        validate_module(decode_module(cmds[1].module.to_binary()))
    assert (ei.value.line, ei.value.filename) == (5, "s.wast"), str(ei.value)


def test_binary_input_keeps_offsets():
    wasm = b"\0asm\x01\0\0\0\x07\x05\x01\x01f\x00\x03"      # export of function 3
    with pytest.raises(WasmError) as ei:
        load_module(wasm, "m.wasm")
    assert ei.value.line is None and str(ei.value).startswith("m.wasm:0x"), str(ei.value)


def test_wat_binary_is_plain_bytes_elsewhere():
    b = parse_module_text("(module (func))")
    assert isinstance(b, WatBinary)
    p = pickle.loads(pickle.dumps(b))
    assert type(p) is bytes and p == b
    assert bytes(b) == b and b[:4] == b"\0asm"
