"""The component-export table: the Python mirror of wasmaot_cm.h against
the header (compiled with zig cc), and the type nodes the compiler emits
against canonabi.py's layouts and CanonicalABI.md's hand-computed ones."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from wasmaot.backends.component import cm_abi as C
from wasmaot.backends.component.descriptors import Func, Table, UnsupportedType
from wasmaot.frontend import types as core
from wasmaot.frontend.component.types import (
    Enum,
    Flags,
    List,
    Option,
    Record,
    Result,
    Tuple,
    Variant,
    alignment,
    elem_size,
    flatten,
)

from .test_compile_values import ECHO
from .wave import differential as wd

INCLUDE = Path(__file__).resolve().parents[2] / "runtime-c" / "include"
TARGETS = [("x86_64-linux-musl", ["-DWASMAOT_PLATFORM_POSIX=1", "-DWASMAOT_BOUNDS_GUARD=1"]),
           ("riscv32-freestanding", ["-ffreestanding", "-DWASMAOT_PLATFORM_BAREMETAL=1",
                                     "-DWASMAOT_BOUNDS_EXPLICIT=1"])]


def _compile(source: str, target: str, flags: list[str], tmp_path) -> subprocess.CompletedProcess:
    src = tmp_path / "probe.c"
    src.write_text(source)
    return subprocess.run([sys.executable, "-m", "ziglang", "cc", "-target", target, *flags,
                           "-std=c11", f"-I{INCLUDE}", "-c", str(src), "-o", str(tmp_path / "p.o")],
                          capture_output=True, text=True, check=False)


@pytest.mark.parametrize("target, flags", TARGETS, ids=[t for t, _ in TARGETS])
def test_python_mirror_matches_the_header(target, flags, tmp_path):
    r = _compile(C.header_checks(), target, flags, tmp_path)
    assert r.returncode == 0, r.stderr


def test_the_header_check_can_fail(tmp_path):
    wrong = C.header_checks().replace("WASMAOT_CM_STRING == 12u", "WASMAOT_CM_STRING == 13u")
    r = _compile(wrong, *TARGETS[0], tmp_path)
    assert r.returncode != 0 and "WASMAOT_CM_STRING" in r.stderr


def _types() -> list:
    """Every type of the value tests plus hypothesis-drawn ones."""
    ts = [t for t, _ in ECHO] + [t for t, _ in wd.RESULT_CASES]
    return ts + [t for t, _ in wd.random_cases(60)]


_FLAT = {core.I32: 0, core.I64: 1, core.F32: 2, core.F64: 3}


def test_nodes_have_canonabis_layout():
    table = Table()
    for t in _types():
        node = table.types[table.type(t)]
        assert (node["size"], node["align"]) == (elem_size(t), alignment(t)), t
        flat = [_FLAT[x] for x in flatten(t)]
        assert node["flat_count"] == len(flat), t
        assert table.pool[node["flat"]:node["flat"] + len(flat)] == flat if flat else True, t


def test_graph_invariants():
    """Children before parents, every pool run and string inside its array."""
    table = Table()
    for t in _types():
        table.type(t)
    for i, node in enumerate(table.types):
        kids = table.pool[node["children"]:node["children"] + node["n"]] if node["kind"] not in (
            C.KINDS["enum"], C.KINDS["flags"]) and node["n"] else []
        assert all(k == C.NONE or k < i for k in kids), node
        if node["labels"] != C.NONE:
            for j in range(node["n"]):
                off, n = table.pool[node["labels"] + 2 * j:node["labels"] + 2 * j + 2]
                assert off + n <= len(table.strings)
    assert max(n["kind"] for n in table.types) < C.KIND_COUNT


@pytest.mark.parametrize("t, size, align, offsets", [
    # CanonicalABI.md: fields aligned in order, size rounded to the alignment
    (Record((("a", "u8"), ("b", "u32"), ("c", "u16"))), 12, 4, [0, 4, 8]),
    (Tuple(("u8", "f64", "char")), 24, 8, [0, 8, 16]),
    (Tuple(("u16", "string")), 12, 4, [0, 4]),
])
def test_field_offsets_by_hand(t, size, align, offsets):
    table = Table()
    node = table.types[table.type(t)]
    assert (node["size"], node["align"]) == (size, align)
    assert table.pool[node["offsets"]:node["offsets"] + len(offsets)] == offsets


@pytest.mark.parametrize("t, disc, payload, size", [
    (Variant((("a", "u8"), ("b", "u64"))), 1, 8, 16),
    (Option("u32"), 1, 4, 8),
    (Result(None, None), 1, 1, 1),
    (Enum(tuple(f"e{i}" for i in range(300))), 2, 2, 2),
    (Result("string", "u8"), 1, 4, 12),
])
def test_variant_layout_by_hand(t, disc, payload, size):
    table = Table()
    node = table.types[table.type(t)]
    assert (node["disc_size"], node["payload_offset"], node["size"]) == (disc, payload, size)


def test_functions_and_shared_nodes():
    table = Table()
    rec = Record((("x", "s32"), ("y", "s32")))
    table.add_func(Func("demo:x/api.mid", [("a", rec), ("b", rec)], rec, core="f0", memory="m0"))
    (f,) = table.funcs
    assert table.string_of(f["name"], f["name_len"]) == "demo:x/api.mid"
    a, b = table.pool[f["params"]:f["params"] + 2]
    assert a == b == f["result"]                         # one node for one type
    names = table.pool[f["params"] + 2:f["params"] + 6]
    assert [table.string_of(*names[:2]), table.string_of(*names[2:])] == ["a", "b"]
    assert (f["realloc_len"], f["post_return_len"]) == (0, 0)
    assert table.string_of(f["core"], f["core_len"]) == "f0"


@pytest.mark.parametrize("t", [List("u8", 4), Flags(tuple(f"f{i}" for i in range(33)))])
def test_unsupported_types_are_refused(t):
    with pytest.raises(UnsupportedType):
        Table().type(t)


def test_escape_table_is_generated_from_wave_py():
    """runtime-c/component/cm_escape.h is escapes.py's output, unedited."""
    from wasmaot.backends.component.escapes import escape_ranges, header_text
    committed = (INCLUDE.parent / "component" / "cm_escape.h").read_text()
    assert committed == header_text()
    ranges = escape_ranges()
    assert (0, 8) in ranges and any(lo <= 0x301 <= hi for lo, hi in ranges)   # NUL.., U+0301
    assert not any(lo <= ord("é") <= hi for lo, hi in ranges)


def test_adapt_import_names_are_the_headers():
    header = (INCLUDE / "wasmaot_cm.h").read_text()
    module, name = C.ADAPT_IMPORT
    assert f'#define WASMAOT_CM_ADAPT_MODULE "{module}"' in header
    assert f'#define WASMAOT_CM_ADAPT_NAME "{name}"' in header
    assert C.BUILTIN_IMPORT == (module, "builtin") and C.HOST_IMPORT[0] == module
    assert f'#define WASMAOT_CM_BUILTIN_NAME "{C.BUILTIN_IMPORT[1]}"' in header
    assert f'#define WASMAOT_CM_HOST_NAME "{C.HOST_IMPORT[1]}"' in header


def test_handles_name_their_resource_per_instantiation():
    """own/borrow nodes carry the flat resource; one static type in two
    instantiations (two resource maps) is two nodes, a handle-free type one."""
    from wasmaot.frontend.component.types import Borrow, Own, Resource
    r = Resource("counter")
    t = Record((("a", Own(r)), ("b", Borrow(r)), ("n", "u32")))
    table = Table()
    first, second = table.type(t, {id(r): 0}), table.type(t, {id(r): 1})
    assert first != second and table.type(t, {id(r): 0}) == first
    node = table.types[first]
    own, borrow = table.pool[node["children"]:node["children"] + 2]
    assert (table.types[own]["kind"], table.types[own]["resource"]) == (C.KINDS["own"], 0)
    assert (table.types[borrow]["kind"], table.types[borrow]["resource"]) == (C.KINDS["borrow"], 0)
    assert table.types[own]["size"] == table.types[own]["align"] == 4
    assert table.type("u32", {id(r): 0}) == table.type("u32", {id(r): 1})
