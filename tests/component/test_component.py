"""Component decoder, validator and inspect on a corpus of our own.

Components are written as text and built with wasm-tools (which parses but
does not validate, so invalid components can be built too).
"""
from __future__ import annotations

import pathlib
import subprocess

import pytest
from wasmaot.frontend.component import (
    UnsupportedError,
    decode_component,
    inspect_component,
    is_component,
    load_component,
)
from wasmaot.frontend.component import types as T
from wasmaot.frontend.errors import InvalidError, MalformedError, WasmError

from .util import build, build_from_wit, wasm_tools

HERE = pathlib.Path(__file__).parent
CORPUS = HERE / "corpus"


@pytest.fixture(scope="module")
def rich() -> bytes:
    return build((CORPUS / "rich.wat").read_text())


def test_rich_decodes_every_section_kind(rich):
    comp = decode_component(rich)
    kinds = {k for k, _ in comp.defs}
    assert kinds == {"core module", "core instance", "core type", "component", "instance",
                     "alias", "type", "canon", "import", "export", "custom"}


def test_rich_inspect_snapshot(rich):
    got = inspect_component(rich, "rich.wasm")
    want = (CORPUS / "rich.inspect.txt").read_text()
    assert got + "\n" == want


def test_broken_name_section_is_ignored():
    # a `component-name` section whose subsection overruns: still valid, no names
    data = PREAMBLE + b"\x00\x12\x0ecomponent-name\x01\x09\x00"
    assert load_component(data).ast.names == {}


def test_rich_component_type(rich):
    sc = load_component(rich)
    ct = sc.component_type()
    assert [n for n, _ in ct.imports] == ["wasi:cli/stdout@0.2.12", "log"]
    assert [n for n, _ in ct.exports] == ["point", "shape", "color", "perms", "counter", "go",
                                          "size", "wasi:demo/api@0.2.12", "inner"]
    exports = dict(ct.exports)
    size = exports["size"].type
    assert size.params[0] == ("s", "string")
    assert isinstance(size.result, T.Result) and size.result.err == "string"
    # the nested component's type: its imports, and its export re-typed
    inner = exports["inner"].type
    assert [n for n, _ in inner.imports] == ["point", "go"]
    stdout = dict(ct.imports)["wasi:cli/stdout@0.2.12"].type
    res = stdout.export("output-stream").type
    assert isinstance(res, T.Resource)
    assert stdout.export("get-stdout").type.result == T.Own(res)


@pytest.mark.parametrize("encoding", ["utf8", "utf16", "compact-utf16"])
def test_toolchain_component(encoding):
    """What `wasm-tools component new` makes of a WIT world with every kind
    of type, a resource each way and a 17-parameter function."""
    data = build_from_wit(str(CORPUS / "demo.wit"), encoding)
    sc = load_component(data)
    ct = sc.component_type()
    host = dict(ct.imports)["demo:rich/host@0.2.12"].type
    api = dict(ct.exports)["demo:rich/api@0.2.12"].type
    assert [n for n, _ in api.exports][:5] == ["point", "shape", "color", "perms", "counter"]
    counter = api.export("counter").type
    assert isinstance(counter, T.Resource) and counter.root.rep == 0x7F   # defined here
    ctor = api.export("[constructor]counter").type
    assert ctor.result == T.Own(counter)
    write = host.export("[method]out-stream.write").type
    assert write.params[0][1] == T.Borrow(host.export("out-stream").type)
    many = api.export("many").type
    assert T.flatten_functype(many, "lift") == T.CoreFuncType((0x7F,), (0x7F,))
    enc = {"utf8": "utf8", "utf16": "utf16", "compact-utf16": "latin1+utf16"}[encoding]
    assert f", {enc}" in inspect_component(data)


def test_type_dags_are_not_expanded():
    """Walks, visibility, flattening, sizes, equality and inspect visit each
    shared type once: a naive walk of this 1 KB component visits 2^24 leaves."""
    dag = (CORPUS / "dag.wat").read_text()
    data = build(dag)
    sc = load_component(data)
    t24 = sc.space["type"][24]
    assert T.flat_len(t24) == 1 << 24 and T.memoized_size(t24, 4) == (4 << 24, 4)
    copy = build(dag.replace('(import "f" (func $f (type $f)))',
                             '(import "f" (func $f (type $f)))\n'
                             '  (component $d (import "f" (func (type $f))))\n'
                             '  (instance (instantiate $d (with "f" (func $f))))'))
    load_component(copy)
    assert len(inspect_component(data)) < 50_000


def test_is_component(rich):
    assert is_component(rich)
    assert not is_component(b"\0asm\x01\0\0\0")


# ---- valid components ---------------------------------------------------------

VALID = {
    "empty": "(component)",
    "versioned names": """(component
        (import "wasi:cli/run@0.2.12" (instance))
        (import "wasi:io/streams@0.2.0-rc.1+build.5" (instance))
        (import "plain-name" (func)))""",
    "strongly unique annotated names": """(component
        (import "foo" (type $foo (sub resource)))
        (import "[constructor]foo" (func (result (own $foo))))
        (import "[method]foo.bar" (func (param "self" (borrow $foo))))
        (import "[static]foo.baz" (func))
        (import "foo-bar" (func))
        (import "foo:bar/baz" (instance)))""",
    "outer aliases at depth": """(component
        (type $t u32)
        (component
          (component
            (component
              (alias outer 3 $t (type $u))
              (type (list $u))))))""",
    "resources own and borrow": """(component
        (type $r (resource (rep i32)))
        (export $r' "r" (type $r))
        (core func $new (canon resource.new $r))
        (core func $rep (canon resource.rep $r))
        (core func $drop (canon resource.drop $r'))
        (core module $m
          (import "" "new" (func (param i32) (result i32)))
          (func (export "make") (result i32) unreachable)
          (func (export "use") (param i32)))
        (core instance $i (instantiate $m (with "" (instance (export "new" (func $new))))))
        (func $make (result (own $r')) (canon lift (core func $i "make")))
        (func $use (param "self" (borrow $r')) (canon lift (core func $i "use")))
        (export "[constructor]r" (func $make))
        (export "[method]r.use" (func $use) (func (param "self" (borrow $r')))))""",
    "resource imports bound by instantiation": """(component
        (import "t" (type $t (sub resource)))
        (import "f" (func $f (param "x" (own $t))))
        (component $c
          (import "t" (type $t (sub resource)))
          (import "g" (func (param "x" (own $t)))))
        (instance (instantiate $c (with "t" (type $t)) (with "g" (func $f)))))""",
    "instance subtyping: extra exports": """(component
        (import "i" (instance $i (export "a" (func)) (export "b" (func))))
        (component $c (import "i" (instance (export "a" (func)))))
        (instance (instantiate $c (with "i" (instance $i)))))""",
    "module types and core instantiation": """(component
        (core type $mt (module (import "m" "f" (func)) (export "g" (func (result i32)))))
        (import "m" (core module $m (type $mt)))
        (core module $lib (func (export "f")))
        (core instance $lib (instantiate $lib))
        (core instance (instantiate $m (with "m" (instance $lib)))))""",
    "lift with >16 params spills through realloc": """(component
        (core module $m
          (memory (export "mem") 1)
          (func (export "realloc") (param i32 i32 i32 i32) (result i32) unreachable)
          (func (export "f") (param i32)))
        (core instance $i (instantiate $m))
        (func (param "a" u32) (param "b" u32) (param "c" u32) (param "d" u32)
              (param "e" u32) (param "f" u32) (param "g" u32) (param "h" u32)
              (param "i" u32) (param "j" u32) (param "k" u32) (param "l" u32)
              (param "m" u32) (param "n" u32) (param "o" u32) (param "p" u32)
              (param "q" u32)
          (canon lift (core func $i "f") (memory (core memory $i "mem"))
            (realloc (core func $i "realloc")))))""",
}


def reference_accepts(data: bytes) -> bool:
    """wasm-tools' own verdict, so the corpus's expectations are checked too."""
    r = subprocess.run([wasm_tools(), "validate", "--features", "all", "-"], input=data,
                       capture_output=True, check=False)
    return r.returncode == 0


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid(name):
    data = build(VALID[name])
    assert reference_accepts(data)
    load_component(data)


# ---- invalid components --------------------------------------------------------

_LIB = """(core module $m
      (memory (export "mem") 1)
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) unreachable)
      (func (export "s") (result i32) unreachable)
      (func (export "p") (param i32 i32))
      (func (export "v")))
    (core instance $i (instantiate $m))"""

INVALID = {
    "instantiation arg type mismatch": ("""(component
        (import "f" (func $f (param "x" string)))
        (component $c (import "f" (func (param "x" u32))))
        (instance (instantiate $c (with "f" (func $f)))))""",
                                        "type mismatch for import `f`"),
    "instantiation arg missing": ("""(component
        (component $c (import "f" (func)))
        (instance (instantiate $c)))""", "missing import named `f`"),
    "instantiation arg wrong resource": ("""(component
        (import "a" (type $a (sub resource)))
        (import "b" (type $b (sub resource)))
        (import "f" (func $f (param "x" (own $b))))
        (component $c
          (import "t" (type $t (sub resource)))
          (import "g" (func (param "x" (own $t)))))
        (instance (instantiate $c (with "t" (type $a)) (with "g" (func $f)))))""",
                                         "type mismatch in function parameter"),
    "core instantiation type mismatch": ("""(component
        (core module $a (func (export "f") (param i32)))
        (core module $b (import "a" "f" (func)))
        (core instance $a (instantiate $a))
        (core instance (instantiate $b (with "a" (instance $a)))))""", "type mismatch"),
    "duplicate import names": ("""(component
        (import "a" (func)) (import "A" (func)))""", "conflicts with previous name"),
    "duplicate method/static": ("""(component
        (import "r" (type $r (sub resource)))
        (import "[method]r.f" (func (param "self" (borrow $r))))
        (import "[static]r.f" (func)))""", "conflicts with previous name"),
    "bad kebab name": ('(component (import "aBc" (func)))', "not in kebab case"),
    "bad version": ('(component (import "a:b/c@1.0" (instance)))', "not a valid version"),
    "bad record label": ('(component (type (record (field "Xy-z" u32))))', "not in kebab case"),
    "lift without memory": (f"""(component {_LIB}
        (func (result string) (canon lift (core func $i "s"))))""",
                            "`memory` is required"),
    "lift without realloc": (f"""(component {_LIB}
        (func (param "x" string) (canon lift (core func $i "p")
          (memory (core memory $i "mem")))))""", "`realloc` is required"),
    "lift core signature": (f"""(component {_LIB}
        (func (param "x" u32) (canon lift (core func $i "v"))))""", "does not match"),
    "lower with post-return": (f"""(component {_LIB}
        (import "f" (func $f))
        (core func (canon lower (func $f) (post-return (core func $i "v")))))""",
                               "not allowed on lower"),
    "realloc signature": (f"""(component {_LIB}
        (func (param "x" string) (canon lift (core func $i "p")
          (memory (core memory $i "mem")) (realloc (core func $i "v")))))""",
                          "incorrect signature"),
    "duplicate string encoding": (f"""(component {_LIB}
        (func (canon lift (core func $i "v") string-encoding=utf8 string-encoding=utf16)))""",
                                  "conflicts with option"),
    "resource.new of an import": ("""(component
        (import "t" (type $t (sub resource)))
        (core func (canon resource.new $t)))""", "not a local resource"),
    "borrow in result": ("""(component
        (import "t" (type $t (sub resource)))
        (type (func (result (borrow $t)))))""", "cannot contain a `borrow`"),
    "outer alias of a resource across components": ("""(component
        (type $r (resource (rep i32)))
        (component (alias outer 1 $r (type))))""", "transitively refers to resources"),
    "export of an unnamed record": (f"""(component {_LIB}
        (type $rec (record (field "x" u32)))
        (func $f (result $rec) (canon lift (core func $i "s")))
        (export "f" (func $f)))""", "func not valid to be used as export"),
    "constructor of unknown resource": ('(component (import "[constructor]r" (func)))',
                                        "not a preceding resource"),
    "too many flags": ("(component (type (flags " + " ".join(f'"f{i}"' for i in range(33)) + ")))",
                       "more than 32 flags"),
    "alias of a missing export": ("""(component
        (import "i" (instance $i))
        (alias export $i "nope" (func)))""", "has no export named `nope`"),
    "core module invalid inside": ("""(component
        (core module (func (result i32))))""", "type mismatch"),
}


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid(name):
    wat, message = INVALID[name]
    data = build(wat)
    assert not reference_accepts(data)
    with pytest.raises(InvalidError) as exc:
        load_component(data, "x.wasm")
    e = exc.value
    assert message in e.message
    line = str(e)
    assert "\n" not in line and line.startswith("x.wasm:0x") and ": invalid: " in line
    assert 8 <= e.offset < len(data)


# ---- malformed binaries ---------------------------------------------------------

def _sections(data: bytes) -> list[int]:
    """Offsets where top-level sections end (valid cut points)."""
    from wasmaot.frontend import reader
    ends, pos = [8], 8
    while pos < len(data):
        size, p = reader.u32(data, pos + 1, len(data))
        pos = p + size
        ends.append(pos)
    return ends


def test_every_truncation_is_one_line_malformed(rich):
    boundaries = set(_sections(rich))
    for cut in range(len(rich)):
        data = rich[:cut]
        try:
            load_component(data, "t.wasm")
        except MalformedError as e:
            assert "\n" not in str(e) and str(e).startswith("t.wasm:")
            assert e.offset is not None and e.offset <= cut
            continue
        except InvalidError:
            assert cut in boundaries       # a whole section is missing: invalid at worst
            continue
        assert cut in boundaries, cut


def test_mutations_never_crash(rich):
    """Random byte edits: always a one-line WasmError or a valid component,
    never another exception (a traceback on bad input is a bug)."""
    import random
    rng = random.Random(13)
    seen = {"ok": 0, "error": 0}
    for _ in range(1500):
        b = bytearray(rich)
        for _ in range(rng.randint(1, 3)):
            p = rng.randrange(8, len(b))
            r = rng.random()
            if r < 0.6:
                b[p] = rng.randrange(256)
            elif r < 0.8:
                del b[p]
            else:
                b.insert(p, rng.randrange(256))
        try:
            inspect_component(bytes(b), "m.wasm")
            seen["ok"] += 1
        except WasmError as e:
            assert "\n" not in str(e) and e.offset is not None
            seen["error"] += 1
    assert seen["ok"] and seen["error"]


PREAMBLE = b"\0asm\x0d\x00\x01\x00"

MALFORMED = {
    "empty": (b"", "unexpected end", 0),
    "bad magic": (b"\0ASM\x0d\x00\x01\x00", "magic header", 0),
    "bad layer": (b"\0asm\x0d\x00\x02\x00", "unknown binary version", 4),
    "bad version": (b"\0asm\x0c\x00\x01\x00", "unknown component version", 4),
    "bad section id": (PREAMBLE + b"\x0d\x00", "unknown section id 0xd", 8),
    "section id 9 (start) is unsupported": (PREAMBLE + b"\x09\x00", "start definitions", 8),
    "section size past the end": (PREAMBLE + b"\x07\x05\x00", "section size out of bounds", 10),
    "overlong LEB": (PREAMBLE + b"\x07\xff\xff\xff\xff\x7f", "integer", 9),
    "bad UTF-8 name": (PREAMBLE + b"\x00\x03\x02\xff\xfe", "malformed UTF-8", 11),
    "bad type byte": (PREAMBLE + b"\x07\x02\x01\x55", "component defined type", 11),
    "bad extern name tag": (PREAMBLE + b"\x0a\x05\x01\x07\x01a\x01", "external name", 11),
    "trailing bytes in section": (PREAMBLE + b"\x07\x03\x01\x7f\x00", "section size mismatch", 12),
    "async func type": (PREAMBLE + b"\x07\x04\x01\x43\x00\x01", "component model async", 11),
    "stream type": (PREAMBLE + b"\x07\x03\x01\x66\x00", "stream (component model async)", 11),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed(name):
    data, message, offset = MALFORMED[name]
    with pytest.raises(MalformedError) as exc:
        load_component(data, "m.wasm")
    e = exc.value
    assert message in e.message, e.message
    assert e.offset == offset
    assert "\n" not in str(e)


def test_unsupported_is_named():
    with pytest.raises(UnsupportedError) as exc:
        load_component(MALFORMED["async func type"][0], "a.wasm")
    assert str(exc.value) == "a.wasm:0xb: unsupported: async functions (component model async)"


def test_core_module_error_offset_is_in_the_file():
    # a core module whose type section is cut short, nested two deep
    data = build("""(component (component (core module (func))))""")
    mod = data.index(b"\0asm\x01\0\0\0")
    bad = bytearray(data)
    bad[mod + 8] = 0x55                      # the module's first section id
    with pytest.raises(WasmError) as exc:
        load_component(bytes(bad), "c.wasm")
    assert exc.value.offset == mod + 8


# ---- names ----------------------------------------------------------------------

def test_name_grammar():
    from wasmaot.frontend.component import names as N
    ok = ["a", "a-b-c", "a1-2-3", "A", "A-B-C", "a11-w0rds", "m1x3d-4CR0NYMS",
          "[constructor]a", "[method]a.b", "[static]a-b.c", "wasi:cli/run",
          "wasi:cli/run@0.2.12", "wasi:http/types@0.2.0-rc.1+b.2",
          # 🔗 canonical versions (Explainer.md); wasm-tools 1.262 does not take them yet
          "a:b/c@1", "a:b/c@0.2", "a:b/c@0.0.1"]
    for n in ok:
        N.parse_extern_name(n)
    bad = ["", "1-a", "a-", "a--b", "aBc", "[method]a", "[method]a.", "[other]a", "a:b",
           "a:b/c/d", "a:b:c/d", "a:b/c@1.0", "a:b/c@01.0.0", "A:b/c", "a:b/cD"]
    for n in bad:
        with pytest.raises(ValueError):
            N.parse_extern_name(n)
    assert N.strong_key("[method]foo.foo") == N.strong_key("FOO")
    assert N.strong_key("[static]foo.bar") == N.strong_key("[method]FOO.bar")
    assert N.strong_key("[constructor]foo") != N.strong_key("foo")
    N.check_version_suffix("0.2", ".12")
    with pytest.raises(ValueError):
        N.check_version_suffix("0.2.1", ".12")


# ---- types ---------------------------------------------------------------------

def test_flatten_and_sizes():
    rec = T.Record((("a", "u8"), ("b", "u64"), ("c", "string")))
    assert T.elem_size(rec) == 24 and T.alignment(rec) == 8
    assert T.flatten(rec) == [0x7F, 0x7E, 0x7F, 0x7F]
    var = T.Variant((("x", "f32"), ("y", "u64"), ("z", None)))
    assert T.flatten(var) == [0x7F, 0x7E]            # i32 disc, join(f32, i64) = i64
    assert T.elem_size(T.Result("u8", "u32")) == 8
    assert T.elem_size(T.Flags(tuple(f"f{i}" for i in range(9)))) == 2
    ft = T.FuncType(tuple((f"p{i}", "u32") for i in range(17)), "string")
    assert T.flatten_functype(ft, "lift") == T.CoreFuncType((0x7F,), (0x7F,))
    assert T.flatten_functype(ft, "lower") == T.CoreFuncType((0x7F, 0x7F), ())


def test_resource_aliases_are_equal_but_distinct():
    r = T.Resource("r")
    a = r.alias("s")
    assert a == r and a is not r and T.Own(a) == T.Own(r)
    assert T.Resource("r") != r
