"""Section decoder: structure, every segment encoding, and the malformed checks."""
import pytest

from wasmaot.frontend.binary import decode_module
from wasmaot.frontend.errors import MalformedError, expected_message_matches
from wasmaot.frontend.module import ExternKind, SegmentMode
from wasmaot.frontend.types import EXTERNREF, F64, FUNCREF, I32, I64, NONNULL

from .wasmbytes import body, functype, module, name, section, uleb, vec

I32_CONST_0 = b"\x41\x00\x0b"


def malformed(data: bytes, expected: str) -> MalformedError:
    with pytest.raises(MalformedError) as ei:
        decode_module(data)
    # an UnsupportedError (a later proposal's encoding) keeps the Wasm 2.0 wording
    assert expected_message_matches(ei.value, expected), ei.value
    return ei.value


def test_empty_module():
    m = decode_module(module())
    assert m.types == [] and m.funcs == [] and m.sections == []


@pytest.mark.parametrize("data,msg", [
    (b"", "unexpected end"),
    (b"\0as", "unexpected end"),
    (b"asm\0", "magic header not detected"),
    (b"\0asm\x01\0\0", "unexpected end"),
    (b"\0asm\x02\0\0\0", "unknown binary version"),
    (b"\0asm\x01\0\0\0\x0d\x00", "unexpected end"),      # the tag section (exceptions): no count
    (b"\0asm\x01\0\0\0\x0e\x00", "malformed section id"),
    (b"\0asm\x01\0\0\0\x0f\x00", "malformed section id"),
    (b"\0asm\x01\0\0\0\x01\x05\x00", "length out of bounds"),
])
def test_preamble_and_section_headers(data, msg):
    malformed(data, msg)


def test_types_imports_exports():
    data = module(
        section(1, vec([functype([I32, I64], [F64]), functype()])),
        section(2, vec([
            name("env") + name("f") + b"\x00" + uleb(0),
            name("env") + name("t") + b"\x01\x70\x01" + uleb(1) + uleb(10),
            name("env") + name("m") + b"\x02\x00" + uleb(1),
            name("env") + name("g") + b"\x03\x7f\x01",
        ])),
        section(3, vec([uleb(1)])),
        section(7, vec([name("run") + b"\x00" + uleb(1)])),
        section(10, vec([body(b"\x0b")])),
    )
    m = decode_module(data)
    assert [str(t) for t in m.types] == ["[i32 i64] -> [f64]", "[] -> []"]
    assert [i.kind for i in m.imports] == [ExternKind.FUNC, ExternKind.TABLE,
                                           ExternKind.MEMORY, ExternKind.GLOBAL]
    assert m.num_imported_funcs == 1 and m.func_types == [0, 1]
    assert m.table_types[0].elem == FUNCREF and m.table_types[0].limits.max == 10
    assert m.global_types[0].mutable
    assert m.exports[0].name == "run" and m.exports[0].index == 1
    f = m.defined_func(1)
    assert data[f.body_start:f.body_end] == b"\x00\x0b"


def test_section_order_and_duplicates():
    t = section(1, vec([functype()]))
    malformed(module(t, t), "unexpected content after last section")
    f = section(3, vec([uleb(0)]))
    malformed(module(f, t), "unexpected content after last section")
    # datacount (12) goes between element (9) and code (10)
    m = decode_module(module(section(12, uleb(0)), section(11, vec([]))))
    assert m.data_count == 0


def test_section_size_mismatch():
    # a type section claiming one byte more than its content
    payload = vec([functype()])
    data = module(bytes([1]) + uleb(len(payload) + 1) + payload + b"\x00")
    malformed(data, "section size mismatch")


def test_function_code_count_agreement():
    t = section(1, vec([functype()]))
    malformed(module(t, section(3, vec([uleb(0)]))), "function and code section have inconsistent lengths")
    malformed(module(t, section(10, vec([body(b"\x0b")]))), "function and code section have inconsistent lengths")


def test_data_count_agreement():
    mem = section(5, vec([b"\x00\x01"]))
    malformed(module(mem, section(12, uleb(2)), section(11, vec([b"\x01" + vec([])]))),
              "data count and data section have inconsistent lengths")
    malformed(module(section(12, uleb(1))), "data count and data section have inconsistent lengths")


# segments of function indices hold (ref func) (typed function references)
REF_FUNC = FUNCREF | NONNULL


@pytest.mark.parametrize("flags,payload,mode,etype,table,nfuncs,nexprs", [
    (0, I32_CONST_0 + vec([uleb(0)]), SegmentMode.ACTIVE, REF_FUNC, 0, 1, None),
    (1, b"\x00" + vec([uleb(0), uleb(0)]), SegmentMode.PASSIVE, REF_FUNC, 0, 2, None),
    (2, uleb(1) + I32_CONST_0 + b"\x00" + vec([uleb(0)]), SegmentMode.ACTIVE, REF_FUNC, 1, 1, None),
    (3, b"\x00" + vec([uleb(0)]), SegmentMode.DECLARATIVE, REF_FUNC, 0, 1, None),
    (4, I32_CONST_0 + vec([b"\xd2\x00\x0b"]), SegmentMode.ACTIVE, FUNCREF, 0, None, 1),
    (5, b"\x6f" + vec([b"\xd0\x6f\x0b"]), SegmentMode.PASSIVE, EXTERNREF, 0, None, 1),
    (6, uleb(1) + I32_CONST_0 + b"\x70" + vec([b"\xd2\x00\x0b"]), SegmentMode.ACTIVE, FUNCREF, 1, None, 1),
    (7, b"\x70" + vec([b"\xd2\x00\x0b", b"\xd0\x70\x0b"]), SegmentMode.DECLARATIVE, FUNCREF, 0, None, 2),
])
def test_all_eight_element_encodings(flags, payload, mode, etype, table, nfuncs, nexprs):
    m = decode_module(module(section(9, vec([uleb(flags) + payload]))))
    (e,) = m.elems
    assert (e.mode, e.type, e.table) == (mode, etype, table)
    assert (None if e.func_indices is None else len(e.func_indices)) == nfuncs
    assert (None if e.exprs is None else len(e.exprs)) == nexprs
    assert (e.offset is not None) == (mode is SegmentMode.ACTIVE)


def test_element_kind_errors():
    malformed(module(section(9, vec([uleb(8)]))), "malformed elements segment kind")
    malformed(module(section(9, vec([b"\x01\x01" + vec([])]))), "malformed element kind")


@pytest.mark.parametrize("flags,payload,mode,mem", [
    (0, I32_CONST_0, SegmentMode.ACTIVE, 0),
    (1, b"", SegmentMode.PASSIVE, 0),
    (2, uleb(0) + I32_CONST_0, SegmentMode.ACTIVE, 0),
])
def test_all_three_data_encodings(flags, payload, mode, mem):
    data = module(section(11, vec([uleb(flags) + payload + name(b"hey")])))
    m = decode_module(data)
    (d,) = m.datas
    assert (d.mode, d.memory) == (mode, mem)
    assert data[d.data_start:d.data_end] == b"hey"


def test_leb128_limits():
    # a 6-byte u32 vector count
    malformed(module(section(1, b"\x80\x80\x80\x80\x80\x00")), "integer representation too long")
    # unused bits set in the 5th byte of a u32
    malformed(module(section(1, b"\x80\x80\x80\x80\x10")), "integer too large")


def test_names_must_be_utf8():
    malformed(module(section(7, vec([name(b"\xff") + b"\x00\x00"]))), "malformed UTF-8 encoding")
    malformed(module(section(0, name(b"\xc0\x80"))), "malformed UTF-8 encoding")


def test_import_kind_and_mutability():
    malformed(module(section(2, vec([name("a") + name("b") + b"\x05\x00"]))), "malformed import kind")
    malformed(module(section(6, vec([b"\x7f\x02" + I32_CONST_0]))), "malformed mutability")


def test_name_section_decoded_and_bad_one_ignored():
    names = (b"\x00" + uleb(len(name("mod"))) + name("mod")
             + b"\x01" + uleb(len(vec([uleb(0) + name("main")]))) + vec([uleb(0) + name("main")]))
    data = module(section(1, vec([functype()])), section(3, vec([uleb(0)])),
                  section(10, vec([body(b"\x0b")])), section(0, name("name") + names))
    m = decode_module(data)
    assert m.names.module == "mod" and m.func_name(0) == "main"
    broken = module(section(0, name("name") + b"\x01\x09\x01"))
    assert decode_module(broken).names is None
    assert [c.name for c in decode_module(broken).customs] == ["name"]


def test_malformed_body_before_later_section_error_wins():
    # The body holds an over-long LEB (a malformed body); a section error
    # follows it in the stream.  Stream order says the body's error wins.
    t = section(1, vec([functype()]))
    f = section(3, vec([uleb(0)]))
    code = b"\x41\x80\x80\x80\x80\x80\x00\x1a\x0b"   # i32.const with a 6-byte LEB
    c = section(10, vec([uleb(len(code) + 1) + b"\x00" + code]))
    malformed(module(t, f, c, b"\x0e\x00"), "integer representation too long")


def test_error_carries_offset_and_filename():
    e = malformed(b"\0asm\x01\0\0\0\x0e\x00", "malformed section id")
    assert e.offset == 8
    with pytest.raises(MalformedError) as ei:
        decode_module(b"xx", filename="app.wasm")
    assert str(ei.value).startswith("app.wasm:")
