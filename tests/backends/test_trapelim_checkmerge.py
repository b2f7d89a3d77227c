"""checkmerge (ir/passes/checkmerge.py) executed at the memory's end.

The driver does not run the pass yet (it belongs after ``trapelim`` for
``--bounds explicit`` only), so the module is compiled through
``compile_bytes`` with the pipeline plus ``checkmerge``, in both bounds
modes, and run with ``--invoke``: a run of loads whose largest end is the
memory's last byte returns the sum, one byte further traps, and an access
after a ``global.set`` keeps its own check (the set must happen first).
"""
import subprocess

import pytest
from wasmaot.backends import CompileOptions
from wasmaot.compile import compile_bytes
from wasmaot.ir.opcodes import Opcode
from wasmaot.ir.parser import parse_module
from wasmaot.ir.pipeline import PIPELINE

_AT = PIPELINE.index("trapelim") + 1
PASSES = PIPELINE[:_AT] + ["checkmerge"] + PIPELINE[_AT:]

WAT = b"""
(module
  (memory 1)
  (global $g (mut i32) (i32.const 0))
  (func (export "run") (param $p i32) (result i32)
    (i32.add (i32.add (i32.load (local.get $p)) (i32.load offset=8 (local.get $p)))
             (i32.load offset=4 (local.get $p))))
  (func (export "split") (param $p i32) (result i32)
    (local $a i32)
    (local.set $a (i32.load (local.get $p)))
    (global.set $g (i32.const 1))
    (i32.add (local.get $a) (i32.load offset=8 (local.get $p))))
  (func (export "g") (result i32) (global.get $g)))
"""


def test_checks_are_merged():
    ir = parse_module(compile_bytes(WAT, "m.wat", CompileOptions(), emit="ir", passes=PASSES).data)
    checks = {d.name: sum(1 for i in d.body.all_insts() if d.body.dfg.op[i] == Opcode.bounds_check)
              for d in ir.funcs if d.body is not None}
    assert checks["fn0"] == 1 and checks["fn1"] == 0, checks


@pytest.mark.parametrize("bounds", ["explicit", "guard"])
def test_boundary(tmp_path, bounds):
    exe = tmp_path / f"m-{bounds}"
    compile_bytes(WAT, "m.wat", CompileOptions(bounds=bounds), emit="exe", out=str(exe), passes=PASSES)

    def invoke(*args):
        return subprocess.run([str(exe), "--invoke", *map(str, args)], check=False, capture_output=True,
                              text=True, timeout=60)
    ok = invoke("run", 65524)                     # ends at 65536: the last byte
    assert ok.returncode == 0 and ok.stdout.strip() == "0", ok
    for p in (65525, -4):
        bad = invoke("run", p)
        assert bad.returncode == 134 and "out of bounds memory access" in bad.stderr, (p, bad)
    assert invoke("split", 65524).stdout.strip() == "0"
    bad = invoke("split", 65525)
    assert bad.returncode == 134 and "out of bounds memory access" in bad.stderr
