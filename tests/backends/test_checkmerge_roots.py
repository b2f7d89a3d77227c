"""checkmerge across address values of one root (ir/passes/checkmerge.py):
``p`` and ``p + 600`` get one check at ``p`` when wrapping past 2^32
cannot change the trap, which depends on the largest size the memory can
have: its declared maximum, or (default pipeline) the target's pointer
width.  Executed at the memory's end and at an address whose ``p + 600``
wraps to an in-bounds one: Wasm traps there at ``p``, and so must the
merged check."""
import subprocess

import pytest
from wasmaot.backends import CompileOptions
from wasmaot.compile import compile_bytes
from wasmaot.ir.opcodes import Opcode
from wasmaot.ir.parser import parse_module
from wasmaot.ir.passes import checkmerge
from wasmaot.ir.pipeline import PassInfo, default_pipeline, run_passes

ROWS = """
(module
  (memory {limits})
  (func (export "rows") (param $p i32) (result i32)
    (i32.add (i32.load (local.get $p))
             (i32.load (i32.add (local.get $p) (i32.const 600)))))
  (func (export "below") (param $p i32) (param $v i32) (result i32)
    (i32.store (i32.const 0) (local.get $v))
    (i32.add (i32.load (i32.add (local.get $p) (i32.const 8)))
             (i32.load (i32.add (local.get $p) (i32.const -4)))))
  (func (export "first") (result i32) (i32.load (i32.const 0))))
"""


def _checks(ir_text: str) -> dict[str, int]:
    ir = parse_module(ir_text)
    return {d.name: sum(1 for i in d.body.all_insts() if d.body.dfg.op[i] == Opcode.bounds_check)
            for d in ir.funcs if d.body is not None}


def _ir(limits: str, target: str = "x86_64-linux") -> str:
    wat = ROWS.format(limits=limits).encode()
    return compile_bytes(wat, "m.wat", CompileOptions(target=target, bounds="explicit"), emit="ir").data


def test_merged_only_where_the_size_allows_it():
    assert _checks(_ir("1 1"))["fn0"] == 1            # at most 64 KiB: merged
    assert _checks(_ir("1"))["fn0"] == 0              # may reach 4 GiB: a check per access
    assert _checks(_ir("1", "cortex-m3"))["fn0"] == 1  # a 32-bit target: below 4 GiB
    assert _checks(_ir("1 65536", "rv32imac"))["fn0"] == 1


def test_default_pipeline_per_pointer_width():
    assert "checkmerge" in default_pipeline("explicit")
    merge = [p for p in default_pipeline("explicit", 4) if isinstance(p, PassInfo)]
    assert [p.name for p in merge] == ["checkmerge", "loopversion"]
    assert "checkmerge" not in default_pipeline("guard", 4)


def test_max_size():
    from wasmaot.ir.module import MemoryDecl
    assert checkmerge.max_size(MemoryDecl(1)) == 1 << 32
    assert checkmerge.max_size(MemoryDecl(1), (1 << 32) - 1) == (1 << 32) - 65536
    assert checkmerge.max_size(MemoryDecl(1, 3)) == 3 << 16
    assert checkmerge.max_size(MemoryDecl(1, page_size_log2=0)) == (1 << 32) - 1


def test_pass_parameter():
    text = _ir("1")          # unmerged: run the pass again as a 32-bit target would
    ir = parse_module(text)
    f = next(d.body for d in ir.funcs if d.name == "fn0")
    assert not checkmerge.run(f)
    assert checkmerge.for_pointer_bytes(4)(f)
    assert sum(1 for i in f.all_insts() if f.dfg.op[i] == Opcode.bounds_check) == 1
    run_passes(ir, [], verify=True)


@pytest.fixture(scope="module")
def exe(tmp_path_factory):
    out = tmp_path_factory.mktemp("roots") / "m"
    compile_bytes(ROWS.format(limits="1 1").encode(), "m.wat", CompileOptions(bounds="explicit"),
                  emit="exe", out=str(out))
    return out


def _invoke(exe, *args):
    return subprocess.run([str(exe), "--invoke", *map(str, args)], check=False, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("p, ok", [(65536 - 604, True), (65536 - 603, False), (-600, False),
                                   (-1, False), (0, True)])
def test_rows_boundary(exe, p, ok):
    r = _invoke(exe, "rows", p)
    if ok:
        assert r.returncode == 0 and r.stdout.strip() == "0", r
    else:
        assert r.returncode == 134 and "out of bounds memory access" in r.stderr, (p, r)


@pytest.mark.parametrize("p, ok", [(4, True), (65524, True), (65525, False), (3, False), (-8, False)])
def test_below_boundary(exe, p, ok):
    """Loads at p+8 and p-4 after a store (which ends any run before
    them): one check at p-4, so p-4 wrapping below 0 traps, as in Wasm."""
    r = _invoke(exe, "below", p, 7)
    if ok:
        assert r.returncode == 0 and r.stdout.strip() in ("0", "7", "14"), r
    else:
        assert r.returncode == 134 and "out of bounds memory access" in r.stderr, (p, r)
