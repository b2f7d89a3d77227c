"""The CLI on components: `inspect` shows the structure, `validate` validates,
and `compile` compiles."""
from __future__ import annotations

import subprocess
import sys

from .util import build

COMPONENT = """
(component
  (core module $m (func (export "f") (result i32) i32.const 7))
  (core instance $i (instantiate $m))
  (func $f (result u32) (canon lift (core func $i "f")))
  (export "get" (func $f)))
"""


def wasmaot(*args, cwd):
    return subprocess.run([sys.executable, "-m", "wasmaot", *args], cwd=cwd, check=False,
                          capture_output=True, text=True)


def test_inspect_validate_and_compile_of_a_component(tmp_path):
    (tmp_path / "c.wasm").write_bytes(build(COMPONENT))
    r = wasmaot("inspect", "c.wasm", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("c.wasm: component")
    assert 'export "get"' in r.stdout and "func() -> u32" in r.stdout
    r = wasmaot("validate", "c.wasm", cwd=tmp_path)
    assert (r.returncode, r.stdout.strip()) == (0, "c.wasm: valid"), r.stderr
    # Components compile since issue 13's first slice (test_compile_invoke.py).
    r = wasmaot("compile", "c.wasm", "-o", "x", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(tmp_path / "x"), "--invoke", "get()"], capture_output=True, text=True,
                       check=False)
    assert (r.returncode, r.stdout) == (0, "7\n"), r.stderr


def test_a_truncated_component_is_one_line_with_an_offset(tmp_path):
    (tmp_path / "t.wasm").write_bytes(build(COMPONENT)[:40])
    for cmd in ("inspect", "validate"):
        r = wasmaot(cmd, "t.wasm", cwd=tmp_path)
        assert r.returncode == 1
        assert r.stderr.startswith("wasmaot: error: t.wasm:0x") and len(r.stderr.splitlines()) == 1


def test_component_text_is_inspected_and_validated_like_its_binary(tmp_path):
    (tmp_path / "c.wat").write_text(";; a comment first\n" + COMPONENT)
    (tmp_path / "c.wasm").write_bytes(build(COMPONENT))
    text, binary = (wasmaot("inspect", f, cwd=tmp_path) for f in ("c.wat", "c.wasm"))
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines()[1:] == binary.stdout.splitlines()[1:]
    r = wasmaot("validate", "c.wat", cwd=tmp_path)
    assert (r.returncode, r.stdout.strip()) == (0, "c.wat: valid"), r.stderr
    (tmp_path / "d.wat").write_text('(component (import "x" (func)) (import "x" (func)))')
    r = wasmaot("validate", "d.wat", cwd=tmp_path)
    assert r.returncode == 1 and "conflicts with previous name" in r.stderr
