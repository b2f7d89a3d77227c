"""Input of the wrong kind says what it is (issue 11): a Wasm binary in a
.wat file, text in a .wasm file, an executable, plain text."""
import pytest

from wasmaot.frontend.binary import decode_module
from wasmaot.frontend.errors import MalformedError
from wasmaot.frontend.sniff import describe, looks_like_wat, not_wasm_message
from wasmaot.frontend.text import parse_wat

WASM = b"\0asm\x01\0\0\0"


@pytest.mark.parametrize("data,what", [
    (WASM, "a WebAssembly binary"),
    (b"\0asm\x0d\0\x01\0", "a WebAssembly component binary"),
    (b"\x7fELF\x02\x01\x01", "an ELF file"),
    (b"\x1f\x8b\x08\0", "a gzip file"),
    (b"#!/bin/sh\n", "a script"),
    (b"  ;; comment\n(; block ;) (module)", "WebAssembly text"),
    (b"hello", None),
    (b"", None),
])
def test_describe(data, what):
    got = describe(data)
    assert (got is None) if what is None else got.startswith(what), got


def test_looks_like_wat():
    assert looks_like_wat(b"(module)") and looks_like_wat(b"\n;; x\n  (func)")
    assert not looks_like_wat(b"module") and not looks_like_wat(b";; only a comment")


def test_binary_in_a_wat_file_is_named():
    with pytest.raises(MalformedError) as ei:
        parse_wat(WASM.decode("latin-1"), "m.wat")
    e = ei.value
    assert str(e) == "m.wat:1:1: malformed: not WebAssembly text: this is a WebAssembly binary; name it .wasm"


def test_plain_text_in_a_wat_file():
    with pytest.raises(MalformedError) as ei:
        parse_wat("hello world\n", "m.wat")
    assert "not WebAssembly text (a module starts with '('): unknown operator hello" in str(ei.value)
    # a real module with an error keeps the plain error
    with pytest.raises(MalformedError) as ei:
        parse_wat(";; c\n(module (func (i32.const)))", "m.wat")
    assert "not WebAssembly text" not in str(ei.value)


@pytest.mark.parametrize("data,tail", [
    (b"(module)", ": this is WebAssembly text, not a binary (name it .wat)"),
    (b"\x7fELF\x02\x01\x01\0", ": this is an ELF file (a native executable or object), not a Wasm module"),
    (b"junk", ""),
])
def test_magic_header_says_what_it_is(data, tail):
    with pytest.raises(MalformedError) as ei:
        decode_module(data, "m.wasm")
    assert ei.value.message == "magic header not detected" + tail   # the spec's wording first


def test_not_wasm_message():
    assert not_wasm_message(b"\x7fELF") == \
        "not a Wasm module: no \\0asm magic (an ELF file (a native executable or object))"
    assert not_wasm_message(b"\xff\xfe") == "not a Wasm module: no \\0asm magic"


@pytest.mark.parametrize("name", ["prog", "prog.wat"])
def test_non_utf8_input_that_is_not_text_says_what_it_is(name):
    """Not `malformed UTF-8 encoding`: an executable is not broken text."""
    from wasmaot.frontend.load import to_binary
    elf = b"\x7fELF\x02\x01\x01\0" + bytes(range(256))
    with pytest.raises(MalformedError) as e:
        to_binary(elf, name)
    assert "an ELF file" in str(e.value) and "UTF-8" not in str(e.value)


def test_wat_with_a_bad_byte_keeps_the_utf8_error_and_its_offset():
    from wasmaot.frontend.load import to_binary
    with pytest.raises(MalformedError) as e:
        to_binary(b"(module)\xff", "m.wat")
    assert "malformed UTF-8 encoding" in str(e.value) and e.value.offset == 8
