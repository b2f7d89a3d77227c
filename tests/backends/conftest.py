"""Fixtures for backend tests: compile IR modules to objects, link them
with the runtime (built once per session and bounds mode, via
wasmaot.backends.link) and the test host c/host.c, and run exports.

A test module is IR text only: the IR module is the whole module (imports,
exports, ``start``, segments with their bytes and items, ``init``), as the
backend sees it.  One convention saves writing an ``export`` line per
function: every defined function whose name does not start with ``_`` is
also exported under its name (:func:`parse_ir`).  Tests that start from
Wasm text translate it (``test_wasm.py``).
"""
from __future__ import annotations

import hashlib
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from wasmaot.backends import CompileOptions, compile_ir
from wasmaot.backends.link import link_executable
from wasmaot.ir.module import EXTERN_FUNC, Export
from wasmaot.ir.parser import parse_module
from wasmaot.ir.verifier import verifier_errors

C_DIR = Path(__file__).resolve().parent / "c"


def f32(x: float) -> int:
    return struct.unpack("<I", struct.pack("<f", x))[0]


def f64(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def as_f32(bits: int) -> float:
    return struct.unpack("<f", struct.pack("<I", bits & 0xFFFFFFFF))[0]


def as_f64(bits: int) -> float:
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


def u32(x: int) -> int:
    return x & 0xFFFFFFFF


def u64(x: int) -> int:
    return x & 0xFFFFFFFFFFFFFFFF


@dataclass
class Program:
    exe: Path
    emitted: object

    def run(self, *calls: str, stack_bytes: int = 8 << 20) -> list[str]:
        def pre():
            import resource
            soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
            want = stack_bytes if hard == resource.RLIM_INFINITY else min(stack_bytes, hard)
            resource.setrlimit(resource.RLIMIT_STACK, (want, hard))
        p = subprocess.run([str(self.exe), *calls], capture_output=True, text=True,
                           timeout=60, preexec_fn=pre)
        assert p.returncode == 0, f"exit {p.returncode}\n{p.stdout}\n{p.stderr}"
        return p.stdout.splitlines()

    def call(self, name: str, *args: int):
        """Results as a tuple of ints, or the string 'trap <message>'."""
        (line,) = self.run(" ".join([name, *map(str, args)]))
        if line.startswith("ok"):
            return tuple(int(x) for x in line.split()[1:])
        return line


def parse_ir(ir_text: str):
    """IR text -> verified IR module, with every defined function whose name
    does not start with ``_`` exported under its name (unless the text
    already exports something of that name)."""
    m = parse_module(ir_text)
    for fn in m.functions():
        errs = verifier_errors(fn)
        assert not errs, errs
    names = {e.name for e in m.exports}
    for i, d in enumerate(m.funcs[:m.wasm_funcs()]):
        if d.body is not None and not d.name.startswith("_") and d.name not in names:
            m.exports.append(Export(d.name, EXTERN_FUNC, i))
    return m


class Builder:
    def __init__(self, root: Path):
        self.root = root
        self.cache: dict = {}

    def compile(self, ir_text: str, **kw):
        return compile_ir(parse_ir(ir_text), CompileOptions(**kw))

    def build(self, ir_text: str, **kw) -> Program:
        key = (ir_text, tuple(sorted(kw.items())))
        if key not in self.cache:
            opts = CompileOptions(**kw)
            emitted = self.compile(ir_text, **kw)
            h = hashlib.sha1(repr(key).encode()).hexdigest()[:12]
            obj = self.root / f"m-{h}.o"
            obj.write_bytes(emitted.object)
            exe = self.root / f"m-{h}"
            link_executable([obj], exe, opts.target, opts.bounds,
                            extra_c=[C_DIR / "host.c"], cache_dir=self.root)
            self.cache[key] = Program(exe, emitted)
        return self.cache[key]


@pytest.fixture(scope="session")
def builder(tmp_path_factory) -> Builder:
    return Builder(tmp_path_factory.mktemp("wasmaot-backend"))


@pytest.fixture(scope="session")
def build_ir(builder):
    return builder.build
