"""Branch hints (``metadata.code.branch_hint``, the branch-hinting proposal):
the decoder reads the section, the translator turns each hint into a cold
block (``blockN cold:``), the LLVM backend weights the branch into it as
clang weights ``__builtin_expect`` (2000 : 1).  The binaries here are
encoded by wasm-tools, as a producer would emit them; our own text parser
writes the same section from the annotations (tests/text/test_annotations.py,
and the last test here)."""
from __future__ import annotations

import re
import subprocess

import pytest

from wasmaot.frontend.binary import BRANCH_HINT_SECTION, decode_module
from wasmaot.ir.printer import print_function
from wasmaot.ir.translate import translate
from tests.component.util import wasm_tools

from .util import verify_translation

# br_if unlikely taken, br_if likely taken, `if` likely without `else`,
# `if` unlikely with `else`, and a br_if without a hint
WAT = r"""(module
  (func (export "f") (param i32 i32) (result i32)
    (local i32)
    (block $a
      local.get 0
      (@metadata.code.branch_hint "\00") br_if $a
      (local.set 2 (i32.const 10)))
    (block $b
      local.get 1
      (@metadata.code.branch_hint "\01") br_if $b
      (local.set 2 (i32.add (local.get 2) (i32.const 100))))
    local.get 0
    (@metadata.code.branch_hint "\01") if
      (local.set 2 (i32.add (local.get 2) (i32.const 1000)))
    end
    local.get 1
    (@metadata.code.branch_hint "\00") if (result i32)
      (i32.add (local.get 2) (i32.const 10000))
    else
      local.get 2
    end
    (block $c
      (br_if $c (local.get 0))
      (return (i32.const -1)))))"""


@pytest.fixture(scope="module")
def hinted() -> bytes:
    r = subprocess.run([wasm_tools(), "parse", "-"], input=WAT.encode(),
                       capture_output=True, check=True)
    return r.stdout


def _fn0(wasm: bytes) -> str:
    tr = translate(decode_module(wasm))
    verify_translation(tr)
    return print_function(tr.module.funcs[0].body)


def test_section_is_decoded_with_offsets_from_the_body_start(hinted):
    m = decode_module(hinted)
    assert any(s.name == BRANCH_HINT_SECTION for s in m.customs)
    hints = m.branch_hints[0]
    assert sorted(hints.values()) == [0, 0, 1, 1]
    body = m.funcs[0].body_start
    # each offset names a br_if (0x0d) or an if (0x04)
    assert sorted(m.data[body + off] for off in hints) == [0x04, 0x04, 0x0D, 0x0D]


def test_each_hint_makes_the_unlikely_side_cold(hinted):
    text = _fn0(hinted)
    cold = set(re.findall(r"^(block\d+)(?:\([^)]*\))? cold:", text, re.M))
    branches = re.findall(r"brif v\d+, (block\d+)(?:\([^)]*\))?, (block\d+)", text)
    assert len(branches) == 5, text
    unlikely_br, likely_br, likely_if, unlikely_if, plain = branches
    assert unlikely_br[0] in cold and unlikely_br[1] not in cold      # the taken edge
    assert likely_br[1] in cold and likely_br[0] not in cold          # the fall-through
    assert likely_if[1] in cold and likely_if[0] not in cold          # no else: a cold jump
    assert unlikely_if[0] in cold and unlikely_if[1] not in cold      # the then arm
    assert not cold & set(plain)
    assert len(cold) == 4
    # without the section: the same function, no cold block
    plain_wasm = _stripped(hinted)
    assert decode_module(plain_wasm).branch_hints is None
    assert " cold:" not in _fn0(plain_wasm)


def _stripped(wasm: bytes) -> bytes:
    return subprocess.run([wasm_tools(), "strip", "--all", "-"], input=wasm,
                          capture_output=True, check=True).stdout


def _compile(wasm: bytes, tmp_path, *args) -> subprocess.CompletedProcess:
    src = tmp_path / "h.wasm"
    src.write_bytes(wasm)
    return subprocess.run(["wasmaot", "compile", str(src), *args], capture_output=True, text=True)


def test_the_backend_weights_branches_into_cold_blocks(hinted, tmp_path):
    r = _compile(hinted, tmp_path, "--emit", "llvm", "-O0", "-o", "-")
    assert r.returncode == 0, r.stderr
    weights = dict(re.findall(r"^(!\d+) = !\{!\"branch_weights\", (i32 \d+, i32 \d+)\}", r.stdout, re.M))
    used = [weights[m] for m in re.findall(r"br i1 .*!prof (!\d+)", r.stdout) if m in weights]
    assert sorted(used) == ["i32 1, i32 2000"] * 2 + ["i32 2000, i32 1"] * 2, used


@pytest.mark.parametrize("bounds", ["guard", "explicit"])
def test_hints_change_no_result(hinted, tmp_path, bounds):
    exe = tmp_path / f"h-{bounds}"
    r = _compile(hinted, tmp_path, "--bounds", bounds, "--invoke", "f", "-o", str(exe))
    assert r.returncode == 0, r.stderr
    import wasmtime
    store = wasmtime.Store()
    f = wasmtime.Instance(store, wasmtime.Module(store.engine, hinted), []).exports(store)["f"]
    for a, b in ((0, 0), (1, 0), (0, 1), (1, 1), (5, 7)):
        want = f(store, a, b)
        out = subprocess.run([str(exe), str(a), str(b)], capture_output=True, text=True)
        assert out.returncode == 0 and out.stdout.strip() == str(want), (a, b, want, out)
    assert len({f(store, a, b) for a in (0, 1) for b in (0, 1)}) == 3     # the paths differ


def test_a_malformed_section_is_ignored(hinted):
    name = BRANCH_HINT_SECTION.encode()
    body = bytes([len(name)]) + name + b"\x01\x00\x01\x05\x02\x07"   # size 2: not a hint
    plain = _stripped(hinted)
    bad = plain[:8] + b"\x00" + bytes([len(body)]) + body + plain[8:]
    m = decode_module(bad)
    assert m.branch_hints is None
    assert " cold:" not in _fn0(bad)


def test_our_text_parser_gives_the_same_cold_blocks(hinted):
    from wasmaot.frontend.text import parse_wat
    ours = parse_wat(WAT)
    assert decode_module(ours).branch_hints == decode_module(hinted).branch_hints
    assert _fn0(ours) == _fn0(hinted) and " cold:" in _fn0(ours)


def test_w_branch_hinting_n_ignores_the_section(hinted, tmp_path):
    from wasmaot.frontend.features import DEFAULT, using
    with using(DEFAULT.switched("branch-hinting", False)):
        assert decode_module(hinted).branch_hints is None
    assert decode_module(hinted).branch_hints is not None
    r = _compile(hinted, tmp_path, "-W", "branch-hinting=n", "--emit", "ir", "-o", "-")
    assert r.returncode == 0, r.stderr
    assert " cold:" not in r.stdout and "brif" in r.stdout
    r = _compile(hinted, tmp_path, "-W", "branch-hinting", "--emit", "ir", "-o", "-")
    assert r.returncode == 0 and " cold:" in r.stdout, r.stderr
