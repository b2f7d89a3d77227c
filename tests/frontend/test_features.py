"""The feature axis (frontend/features.py): every opcode-table row names its
proposal, a Features set gates validation, a disabled feature is one line
naming it and the place, and the default costs the validator nothing."""
import pickle

import pytest
from wasmaot import wasmtime_compat
from wasmaot.frontend import features as F
from wasmaot.frontend import opcodes as O
from wasmaot.frontend import validate as V
from wasmaot.frontend.binary import decode_module
from wasmaot.frontend.errors import MalformedError, WasmError
from wasmaot.frontend.text import parse_wat
from wasmaot.frontend.unsupported import DisabledError, DisabledInvalidError
from wasmaot.frontend.validate import validate_module

from .wasmbytes import body, functype, module, section, uleb, vec

# A module using each feature (a second one where the feature gates more
# than instructions), and what the error names.
USES = [
    ("tail-call", "(module (func $f (return_call $f)))", "return_call"),
    ("simd", "(module (func (result i32) (i32x4.extract_lane 0 (v128.const i64x2 0 0))))",
     "v128.const"),
    ("simd", "(module (func (param v128)))", "v128 in type 0"),
    ("simd", "(module (func (local v128)))", "v128 local"),
    ("simd", "(module (global v128 (v128.const i64x2 0 0)))", "v128 global"),
    ("multi-value", "(module (func (result i32 i32) (i32.const 0) (i32.const 1)))",
     "type 0 has 2 results"),
    ("multi-value", ("(module (type $t (func (param i32))) (func (i32.const 0) "
                     "(block (type $t) (drop))))"), "block type 0 (a type index)"),
    ("reference-types", "(module (table 1 funcref) (table 1 funcref))", "2 tables"),
    ("reference-types", "(module (table 1 funcref) (func (drop (ref.null func))))", "ref.null"),
    ("reference-types", "(module (table 1 funcref) (func (drop (table.size 0))))", "table.size"),
    ("reference-types", "(module (func (param externref)))", "externref in type 0"),
    ("reference-types", "(module (func (local funcref)))", "funcref local"),
    ("reference-types", "(module (global funcref (ref.null func)))", "reference-typed global"),
    ("reference-types", "(module (table 1 externref))", "externref table"),
    ("extended-const", "(module (global i32 (i32.add (i32.const 1) (i32.const 2))))",
     "i32.add in a constant expression"),
    ("mutable-global", '(module (global (export "g") (mut i32) (i32.const 1)))',
     "export of a mutable global"),
    ("mutable-global", '(module (global (import "m" "g") (mut i32)))',
     "import of a mutable global"),
    ("sign-extension", "(module (func (param i32) (result i32) (i32.extend8_s (local.get 0))))",
     "i32.extend8_s"),
    ("saturating-float-to-int",
     "(module (func (param f32) (result i32) (i32.trunc_sat_f32_s (local.get 0))))",
     "i32.trunc_sat_f32_s"),
    ("bulk-memory", ("(module (memory 1) (func (memory.fill (i32.const 0) (i32.const 0) "
                     "(i32.const 0))))"), "memory.fill"),
    ("bulk-memory", '(module (memory 1) (data "x"))', "passive data segment"),
    ("bulk-memory", "(module (func $f) (elem func $f))", "passive element segment"),
    ("reference-types", ("(module (table 1 funcref) (func $f) "
                         "(elem (i32.const 0) funcref (ref.func $f)))"),
     "element segment of expressions"),
    ("reference-types", "(module (func $f) (elem declare func $f))", "declarative element segment"),
    ("wide-arithmetic", ("(module (func (param i64) (result i64 i64) "
                         "(i64.mul_wide_s (local.get 0) (local.get 0))))"), "i64.mul_wide_s"),
    ("multi-memory", "(module (memory 1) (memory 0))", "2 memories"),
    ("multi-memory", ("(module (memory 1) (memory $m 1) (func (result i32) "
                      "(i32.load $m offset=4 (i32.const 0))))"), "memarg with a memory index"),
    ("multi-memory", "(module (memory 1) (memory $m 1) (func (drop (memory.size $m))))",
     "memory index byte 0x01"),
    ("memory64", "(module (memory i64 1))", "64-bit memory"),
    ("relaxed-simd", ("(module (func (param v128) (result v128) "
                      "(f32x4.relaxed_madd (local.get 0) (local.get 0) (local.get 0))))"),
     "f32x4.relaxed_madd"),
    ("memory64", '(module (import "m" "m" (memory i64 1 2)))', "64-bit memory import"),
    ("custom-page-sizes", "(module (memory 1 (pagesize 1)))", "memory with a page size"),
    ("custom-page-sizes", '(module (import "m" "m" (memory 1 (pagesize 65536))))',
     "memory import with a page size"),
    ("function-references", "(module (type $t (func)) (func (param (ref $t))))",
     "typed reference type in type 1"),
    ("function-references", "(module (type $t (func)) (func (local (ref null $t))))",
     "typed reference type"),
    ("function-references", "(module (func $f) (global (ref func) (ref.func $f)))",
     "typed reference global"),
    ("function-references", "(module (func $f) (table 1 (ref func) (ref.func $f)))",
     "typed reference table"),
    ("function-references", ("(module (func $f) (elem declare func $f) "
                             "(func (drop (ref.as_non_null (ref.func $f)))))"), "ref.as_non_null"),
    ("function-references", ("(module (type $t (func)) (func (param funcref) "
                             "(drop (block (result (ref null $t)) (ref.null $t)))))"),
     "typed reference type"),
    ("exceptions", "(module (tag $e))", "tag section (id 13)"),
    ("exceptions", "(module (func (block (try_table (catch_all 0)))))", "try_table"),
    ("exceptions", "(module (func (param exnref)))", "exnref in type 0"),
    ("legacy-exceptions", "(module (func try catch_all end))", "try"),
]
NEEDS = {"wide-arithmetic": ("multi-value",), "relaxed-simd": ("simd",),
         "function-references": ("reference-types",)}


@pytest.mark.parametrize(("name", "wat", "what"), USES, ids=[f"{u[0]}-{i}" for i, u in
                                                            enumerate(USES)])
def test_a_feature_that_is_off_is_named_with_its_place(name, wat, what):
    binary = parse_wat(wat, "t.wat")
    validate_module(decode_module(binary, "t.wat"))                  # on by default
    off = F.DEFAULT.switched(name, False)
    with pytest.raises(WasmError) as ei:
        validate_module(decode_module(binary, "t.wat"), off)
    e = ei.value
    assert isinstance(e, (DisabledError, DisabledInvalidError)), e
    assert e.feature is F.BY_NAME[name]
    # a text position, or a section's byte offset where no text maps to it
    assert e.offset is not None and e.where().startswith("t.wat:")
    assert str(e) == f"{e.where()}: disabled: {e.feature}: {what} (enable with -W {name})"
    # the same through the features in force (what the CLI sets)
    with F.using(off), pytest.raises(WasmError) as ei2:
        validate_module(decode_module(binary, "t.wat"))
    assert str(ei2.value) == str(e)
    # and only that feature (wide arithmetic's results need multi-value):
    # everything else off still accepts it
    alone = F.Features(frozenset({"mvp", name, *NEEDS.get(name, ())}))
    validate_module(decode_module(binary, "t.wat"), alone)


def test_every_implemented_feature_has_a_use():
    used = {u[0] for u in USES}
    assert used == {f.name for f in F.ALL if f.implemented and f is not F.MVP} - F.ADVISORY
    # an advisory feature's use is what its switch ignores:
    # tests/translate/test_branch_hints.py (branch-hinting)
    assert F.ADVISORY == {"branch-hinting"}


def test_binary_offset_points_at_the_opcode():
    """A .wasm input: the offset is the instruction's own byte."""
    code = b"\x20\x00\xc0\x1a"            # local.get 0; i32.extend8_s; drop
    data = module(section(1, vec([functype([0x7F])])), section(3, vec([uleb(0)])),
                  section(10, vec([body(code + b"\x0b")])))
    off = F.DEFAULT.switched("sign-extension", False)
    with pytest.raises(DisabledError) as ei:
        validate_module(decode_module(data, "t.wasm"), off)
    assert ei.value.offset == data.index(code) + 2
    assert str(ei.value).startswith(f"t.wasm:0x{ei.value.offset:x}: disabled: ")
    assert isinstance(ei.value, MalformedError) and ei.value.spec_message == "illegal opcode"


def test_every_row_carries_an_implemented_feature():
    counts = {}
    for op in O.OPS:
        assert isinstance(op.feature, F.Feature) and op.feature.implemented, op.name
        counts[op.feature.name] = counts.get(op.feature.name, 0) + 1
    assert counts["simd"] == 236 and counts["wide-arithmetic"] == 4
    assert counts["relaxed-simd"] == 20
    assert counts["tail-call"] == 2 and counts["sign-extension"] == 5
    assert counts["saturating-float-to-int"] == 8 and counts["bulk-memory"] == 7
    assert O.BY_NAME["select"].feature is F.MVP
    assert O.BY_KEY[0x1C].feature is F.REFERENCE_TYPES            # select t*
    assert all(op.feature is (F.SIMD if op.code < 0x100 else F.RELAXED_SIMD)
               for op in O.OPS if op.prefix == 0xFD)


def test_unimplemented_proposals_are_features_too():
    """unsupported.py's names are Feature objects: one list of proposals."""
    for name, proposal in O._UNSUPPORTED_BY_KEY.values():
        assert isinstance(proposal, F.Feature) and not proposal.implemented, name
    assert O.TAIL_CALLS is F.TAIL_CALLS and O.TAIL_CALLS == "tail calls (Wasm 3.0)"
    with pytest.raises(F.FeatureError, match="not implemented"):
        F.DEFAULT.switched("gc", True)
    with pytest.raises(F.FeatureError, match="unknown feature"):
        F.DEFAULT.switched("bogus", False)
    with pytest.raises(F.FeatureError):
        F.DEFAULT.switched("mvp", False)


def test_features_are_frozen_hashable_and_keyed():
    a = F.with_switches([("simd", False)])
    b = F.with_switches([("tail-call", True), ("simd", False)])
    assert a == b and hash(a) == hash(b) and a.key() == b.key() != F.DEFAULT.key()
    assert F.with_switches([("simd", False), ("simd", True)]) is F.DEFAULT
    assert "simd" not in a and F.SIMD in F.DEFAULT and "mvp" in a
    assert str(a) == "default without simd"
    with pytest.raises(AttributeError):
        a.enabled = frozenset()
    assert pickle.loads(pickle.dumps(a)) == a
    assert pickle.loads(pickle.dumps(F.SIMD)) is F.SIMD


def test_the_default_uses_the_static_dispatch_tables():
    """No cost while every feature is on: the same table objects."""
    kind, prefix_ops = V._gates(F.DEFAULT)
    assert kind is V._KIND and prefix_ops is V._PREFIX_OPS
    kind, prefix_ops = V._gates(F.DEFAULT.switched("tail-call", False))
    assert kind[0x12] == V.K_DISABLED and kind is not V._KIND


# Implemented features whose -W key driver/wasmtime_compat.py still lists as
# unsupported.  Once one moves, this test fails until its entry goes.
CLI_PENDING: set[str] = set()


def test_the_cli_keys_are_the_features():
    keys = set(wasmtime_compat._SUPPORTED_PROPOSALS + wasmtime_compat.WASMAOT_FEATURE_KEYS)
    assert not keys & CLI_PENDING
    # an advisory feature has a -W flag of its own (nothing to reject)
    assert F.ADVISORY <= set(wasmtime_compat.WASM) and not F.ADVISORY & keys
    assert keys | CLI_PENDING | F.ADVISORY == {f.name for f in F.ALL
                                                if f.implemented and f is not F.MVP}
    s = wasmtime_compat.Settings()
    wasmtime_compat.apply("W", "simd=n,tail-call", s)
    wasmtime_compat.apply("W", "wide-arithmetic=no", s)
    assert s.features == (("simd", False), ("tail-call", True), ("wide-arithmetic", False))


def test_the_run_cache_key_includes_the_features():
    from wasmaot.backends import CompileOptions
    from wasmaot.compile import cache_key
    opts = CompileOptions()
    with F.using(F.DEFAULT.switched("simd", False)):
        off = cache_key(b"x", opts)
    assert off != cache_key(b"x", opts)


def test_validate_command_takes_w(tmp_path):
    import subprocess
    import sys
    src = tmp_path / "w.wat"
    src.write_text("(module (func (param i64) (result i64 i64)\n"
                   "  (i64.mul_wide_u (local.get 0) (local.get 0))))\n")

    def validate(*args):
        return subprocess.run([sys.executable, "-m", "wasmaot", "validate", *args, str(src)],
                              check=False, capture_output=True, text=True, timeout=120)
    r = validate()
    assert (r.returncode, r.stdout) == (0, f"{src}: valid\n"), r.stderr
    r = validate("-W", "wide-arithmetic=n")
    assert r.returncode == 1 and r.stderr == (
        f"wasmaot: error: {src}:2:4: disabled: wide arithmetic (proposal): i64.mul_wide_u "
        "(enable with -W wide-arithmetic)\n"), r.stderr
    r = validate("-W", "multi-value=n")
    assert r.returncode == 1 and "disabled: multi-value (Wasm 2.0): type 0 has 2 results" \
        in r.stderr, r.stderr
    r = validate("-W", "gc")
    assert r.returncode == 2 and "unsupported option -W gc" in r.stderr, r.stderr


@pytest.mark.parametrize(("name", "wat", "what"), USES, ids=[f"{u[0]}-{i}" for i, u in
                                                            enumerate(USES)])
def test_features_used_names_each_use(name, wat, what):
    """The report (for inspect) sees every construct the gates see."""
    used = V.features_used(decode_module(parse_wat(wat)))
    assert F.BY_NAME[name] in used and F.MVP not in used
    assert set(used) <= {F.BY_NAME[name], *map(F.BY_NAME.get, NEEDS.get(name, ())),
                         F.REFERENCE_TYPES}, used      # ref.null in a global: both


def test_features_used_in_order():
    wat = ('(module (table 2 funcref) (global (mut i32) (i32.const 0)) (export "g" (global 0))\n'
           '  (func (param i64) (result i64 i64) (i64.add128 (local.get 0) (local.get 0)\n'
           '    (local.get 0) (i32.extend8_s (i32.const 0)) (drop) (local.get 0))))')
    used = V.features_used(decode_module(parse_wat(wat)))
    assert [f.name for f in used] == ["mutable-global", "sign-extension", "multi-value",
                                      "wide-arithmetic"]
    assert V.features_used(decode_module(parse_wat("(module (func (nop)))"))) == []
