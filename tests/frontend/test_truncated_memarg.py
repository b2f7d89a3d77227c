"""A memarg cut off by the end of the function body (or of the module) is
one malformed error, never an IndexError: found by the frontend fuzz sample
(input 1177: ``i32.const -1; i64.store32`` then the body ends after the
align byte) when the validator's one-byte memarg fast path read past the
body."""
import pytest
from wasmaot.frontend.binary import decode_module
from wasmaot.frontend.errors import WasmError
from wasmaot.frontend.validate import validate_module

CASES = {
    "align byte last in the module": "0061736d01000000010401600000030201000a07010500417f380b",
    "nothing after the opcode": "0061736d01000000010401600000030201000a06010400417f38",
}


@pytest.mark.parametrize("hexdata", CASES.values(), ids=list(CASES))
def test_truncated_memarg_is_one_error(hexdata):
    with pytest.raises(WasmError) as e:
        validate_module(decode_module(bytes.fromhex(hexdata)))
    assert "malformed" in str(e.value) or "invalid" in str(e.value), str(e.value)
    assert "\n" not in str(e.value)
