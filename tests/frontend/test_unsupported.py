"""Input that uses a later proposal (or is a component) is reported as
"unsupported: <feature> (<proposal>)" at the right place, binary and text,
while staying malformed/invalid for Wasm 2.0 (the spec suite's wording is
kept in ``spec_message``)."""
import pytest

from wasmaot.frontend import opcodes as O
from wasmaot.frontend.binary import decode_module
from wasmaot.frontend.features import DEFAULT
from wasmaot.frontend.errors import (InvalidError, MalformedError, UnsupportedError,
                                     UnsupportedInvalidError, WasmError)
from wasmaot.frontend.load import load_module
from wasmaot.frontend.opcodes import _UNSUPPORTED_BY_KEY
from wasmaot.frontend.text import parse_wat
from wasmaot.frontend.validate import validate_module

from .wasmbytes import body, functype, module, section, uleb, vec


def _func_module(code: bytes) -> bytes:
    """One function of type [] -> [] whose body is ``code`` (plus ``end``)."""
    return module(section(1, vec([functype()])), section(3, vec([uleb(0)])),
                  section(5, vec([b"\x00\x01"])),
                  section(10, vec([body(code + b"\x0b")])))


def _reject(data: bytes, features=None) -> WasmError:
    with pytest.raises(WasmError) as ei:
        validate_module(decode_module(data, "t.wasm"), features)
    return ei.value


def _encoding(prefix: int, code: int) -> bytes:
    return bytes([code]) if not prefix else bytes([prefix]) + uleb(code)


@pytest.mark.parametrize("key", sorted(_UNSUPPORTED_BY_KEY), ids=lambda k: f"{k[0]:x}.{k[1]:x}")
def test_every_listed_opcode_names_its_proposal(key):
    """The whole table, not examples: each opcode in a function body (with
    zero bytes after it, which the error must not depend on)."""
    name, proposal = _UNSUPPORTED_BY_KEY[key]
    code = _encoding(*key) + b"\x00" * 4
    data = _func_module(code)
    err = _reject(data)
    assert isinstance(err, UnsupportedError) and isinstance(err, MalformedError)
    assert err.feature == proposal and name in err.message
    assert err.spec_message == "illegal opcode"
    assert str(err).startswith("t.wasm:0x") and "unsupported: " + proposal in str(err)
    assert err.offset == len(data) - len(code) - 1     # the opcode's own offset


@pytest.mark.parametrize("code,proposal", [
    (b"\xfb\x00", O.GC), (b"\xfb\x01", O.GC), (b"\xfb\x80\x01", O.STRINGREF),
    (b"\xfe\x00", O.THREADS), (b"\xfe\x10", O.THREADS), (b"\xfe\x4e", O.THREADS),
])
def test_whole_prefixes(code, proposal):
    err = _reject(_func_module(code + b"\x00\x00\x00"))
    assert isinstance(err, UnsupportedError) and err.feature == proposal


def test_unknown_opcodes_stay_plain_malformed():
    for code in (b"\x27", b"\xfc\x30", b"\xfd\x9a\x01", b"\xff"):
        err = _reject(_func_module(code))
        assert type(err) is MalformedError and err.message == "illegal opcode", code


@pytest.mark.parametrize("data,proposal,where", [
    (module(section(5, vec([b"\x03\x01\x02"]))), O.THREADS, 11),              # shared
    (module(section(1, vec([b"\x4e\x01\x60\x00\x00"]))), O.GC, 11),           # rec group
    (module(section(1, vec([b"\x5e\x7f\x00"]))), O.GC, 11),                   # array
    (module(section(1, vec([b"\x5f\x00"]))), O.GC, 11),                       # struct
    (module(section(1, vec([functype([0x64, 0x6E])]))), O.GC, 14),      # (ref any)
    (module(section(1, vec([functype([], [0x6e])]))), O.GC, 14),              # anyref result
    (b"\0asm\x0d\x00\x01\x00", O.COMPONENT, 4),
    (b"\0asm\x0e\x00\x01\x00" + b"\x00" * 8, O.COMPONENT, 4),
])
def test_binary_forms(data, proposal, where):
    with pytest.raises(UnsupportedError) as ei:
        decode_module(data, "x.wasm")
    e = ei.value
    assert e.feature == proposal, e
    assert e.offset == where, e
    assert str(e).startswith(f"x.wasm:0x{where:x}: unsupported: {proposal}")


def test_body_forms():
    # memory.size of memory 1, i32.load with bit 6 of the alignment (an
    # explicit memory index): multi-memory, named when it is off ...
    off = DEFAULT.switched("multi-memory", False)
    e = _reject(_func_module(b"\x3f\x01\x1a"), off)
    assert isinstance(e, UnsupportedError) and e.feature == O.MULTI_MEMORY
    assert e.spec_message == "zero byte expected"
    e = _reject(_func_module(b"\x41\x00\x28\x42\x00\x00\x1a"), off)
    assert isinstance(e, UnsupportedError) and e.feature == O.MULTI_MEMORY
    # ... and a plain unknown memory when it is on
    for code in (b"\x3f\x01\x1a", b"\x41\x00\x28\x42\x01\x00\x1a"):
        e = _reject(_func_module(code))
        assert type(e) is InvalidError and e.message == "unknown memory 1", e
    # a typed reference in a block type: disabled when function-references is off
    off = DEFAULT.switched("function-references", False)
    e = _reject(_func_module(b"\x02\x64\x70\x0b"), off)
    assert isinstance(e, UnsupportedError) and e.feature == O.FUNCTION_REFERENCES
    assert e.spec_message == "malformed value type"


def test_second_memory_is_disabled_not_just_invalid():
    data = module(section(5, vec([b"\x00\x01", b"\x00\x01"])))
    validate_module(decode_module(data))          # multi-memory is on by default
    e = _reject(data, DEFAULT.switched("multi-memory", False))
    assert isinstance(e, UnsupportedInvalidError) and isinstance(e, InvalidError)
    assert e.feature == O.MULTI_MEMORY and "multiple memories" in e.spec_message


def test_wasm2_malformed_stays_malformed():
    """Bytes that are no proposal's encoding keep the plain Wasm 2.0 error."""
    cases = [module(section(14, b"")), module(section(5, vec([b"\x10\x01"]))),
             module(section(1, vec([b"\x61\x00\x00"]))), b"\0asm\x02\0\0\0",
             module(section(1, vec([functype([0x60])])))]
    for data in cases:
        with pytest.raises(MalformedError) as ei:
            decode_module(data)
        assert not isinstance(ei.value, UnsupportedError), ei.value


@pytest.mark.parametrize("wat,proposal,what", [
    ("(module (memory 1 1 shared))", O.THREADS, "shared memory"),
    ("(module (type (struct (field i32))))", O.GC, "struct type"),
    ("(module (type (array i8)))", O.GC, "array type"),
    ("(module (rec (type (func))))", O.GC, "(rec ...)"),
    ("(module (global anyref (ref.null any)))", O.GC, "anyref"),
    ("(module (func (drop (struct.new $s))))", O.GC, "struct.new"),
    ("(module (func (drop (ref.i31 (i32.const 1)))))", O.GC, "ref.i31"),
    ("(module (memory 1) (func (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))))",
     O.THREADS, "i32.atomic.rmw.add"),
    ("(module (func atomic.fence))", O.THREADS, "atomic.fence"),
    ("(module (func (drop (ref.null eq))))", O.GC, "ref.null eq"),
])
def test_text_forms(wat, proposal, what):
    with pytest.raises(UnsupportedError) as ei:
        parse_wat(wat, "t.wat")
    e = ei.value
    assert e.feature == proposal and e.message.endswith(what), e
    assert str(e).startswith("t.wat:") and f": unsupported: {proposal}: {what}" in str(e)
    # points at the keyword itself
    line, col = e.line, e.col
    text_at = wat.splitlines()[line - 1][col - 1:]
    words = what.replace("(", " ").replace(")", " ").replace("...", " ").split()
    assert any(text_at.lstrip("(").startswith(w) for w in words), (text_at, what)


def test_table64_validates_and_needs_memory64():
    """memory64's i64-indexed tables validate (their instructions take and
    return i64); with memory64 off they are named as disabled."""
    validate_module(decode_module(module(section(5, vec([b"\x05\x01\x02"])))))
    wat = ("(module (table $t i64 1 funcref) (func (param i64) (result i64)"
           " (drop (table.get $t (local.get 0))) (table.grow $t (ref.null func) (local.get 0))))")
    for data in (module(section(4, vec([b"\x70\x04\x01"]))), parse_wat(wat, "t.wat")):
        validate_module(decode_module(data))
        with pytest.raises(WasmError) as ei:
            validate_module(decode_module(data), features=DEFAULT.switched("memory64", False))
        assert "memory64" in str(ei.value), ei.value
    bad = parse_wat("(module (table $t i64 1 funcref) (func (param i32)"
                    " (drop (table.get $t (local.get 0)))))", "t.wat")
    with pytest.raises(WasmError, match="type mismatch"):
        validate_module(decode_module(bad))


def test_text_unknown_stays_malformed():
    for wat in ("(module (func i32.bogus))", "(module (memory q))", "(module (frob))"):
        with pytest.raises(MalformedError) as ei:
            parse_wat(wat)
        assert not isinstance(ei.value, UnsupportedError), ei.value


def test_load_module_names_the_feature_for_both_forms():
    """The same one-line path the CLI prints, for .wasm and .wat input."""
    wasm = _func_module(b"\xfb\x00\x00")      # struct.new 0
    for data, fname in ((wasm, "a.wasm"), (b"(module (type $s (struct)) (func (drop (struct.new $s))))", "a.wat")):
        with pytest.raises(UnsupportedError) as ei:
            load_module(data, fname)
        assert str(ei.value).startswith(fname + ":")
        assert "unsupported: garbage collection (Wasm 3.0)" in str(ei.value)
        assert "\n" not in str(ei.value)


def test_constant_expression_reading_a_defined_global():
    """Wasm 3.0 (GC) lets a global's initializer read earlier defined
    globals; Wasm 2.0 calls it an unknown global.  A forward reference is
    unknown in both."""
    from wasmaot.frontend.text import parse_wat
    back = parse_wat("(module (global i32 (i32.const 1)) (global i32 (global.get 0)))")
    e = _reject(back)
    assert isinstance(e, UnsupportedInvalidError) and e.feature == O.GC
    assert e.spec_message == "unknown global 0"
    fwd = parse_wat("(module (global i32 (global.get 1)) (global i32 (i32.const 1)))")
    e = _reject(fwd)
    assert type(e) is InvalidError and e.message == "unknown global 1"


def test_tail_calls_are_supported():
    """return_call / return_call_indirect (Wasm 3.0) decode, parse and
    validate; the callee's results must be the caller's."""
    ok = ("(module (type $t (func (param i32) (result i32))) (table 1 funcref)\n"
          "  (func $f (param i32) (result i32) (return_call $f (local.get 0)) (i32.const 1))\n"
          "  (func (param i32) (result i32)\n"
          "    (return_call_indirect (type $t) (local.get 0) (i32.const 0)) (drop)))")
    m = load_module(ok.encode(), "ok.wat")
    assert m is not None
    for bad in ("(module (func $g (result i64) (i64.const 0)) (func (result i32) (return_call $g)))",
                ("(module (type $t (func)) (table 1 funcref)\n"
                 "  (func (result i32) (return_call_indirect (type $t) (i32.const 0))))")):
        with pytest.raises(WasmError) as ei:
            load_module(bad.encode(), "bad.wat")
        assert not isinstance(ei.value, UnsupportedError), ei.value
        assert "type mismatch" in str(ei.value)


@pytest.mark.parametrize("wat", ["(component)", "(component (core module))"])
def test_component_text_is_not_a_core_module(wat):
    """The text parser reads components (frontend/text/component*); loading
    one as a core module names the component model, from its preamble."""
    with pytest.raises(UnsupportedError) as ei:
        load_module(wat.encode(), "t.wat")
    assert ei.value.feature == O.COMPONENT and str(ei.value).startswith("t.wat:0x4:"), ei.value
