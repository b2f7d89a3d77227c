"""A type-mismatch error stays one short line however deep the operand stack
(the frontend fuzzer met a 30 KB message: 100,000 i32s left on the stack)."""
import pytest
from wasmaot.frontend.errors import InvalidError
from wasmaot.frontend.load import load_module


def test_a_deep_stack_is_summarized():
    body = "(i32.const 0) " * 5000
    with pytest.raises(InvalidError) as e:
        load_module(f"(module (func {body}))".encode(), "deep.wat")
    msg = str(e.value)
    assert "type mismatch" in msg and "(4992 more) i32 i32 i32 i32 i32 i32 i32 i32]" in msg, msg
    assert len(msg) < 200, msg
