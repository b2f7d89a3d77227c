"""Fixtures for backend tests: compile (frontend module, IR text) pairs to
objects, link them with the runtime (built once per session and bounds mode,
via wasmaot.backends.link) and the test host c/host.c, and run exports.

A test module is given twice: as WAT for the frontend ``Module`` (types,
imports, exports, segments, start; function bodies may be ``unreachable``)
and as IR text with the real bodies, in the same index space.  Once the
translator lands, tests can also go through ``translate_module``.
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
from wasmaot.frontend.load import load_module
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


class Builder:
    def __init__(self, root: Path):
        self.root = root
        self.cache: dict = {}

    def compile(self, wat: str, ir_text: str, **kw):
        wasm = load_module(wat.encode())
        irmod = parse_module(ir_text)
        for fn in irmod.functions():
            errs = verifier_errors(fn)
            assert not errs, errs
        return compile_ir(wasm, irmod, CompileOptions(**kw))

    def build(self, wat: str, ir_text: str, **kw) -> Program:
        key = (wat, ir_text, tuple(sorted(kw.items())))
        if key not in self.cache:
            opts = CompileOptions(**kw)
            emitted = self.compile(wat, ir_text, **kw)
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


def _tn(t: int) -> str:
    from wasmaot.ir.types import type_name
    return type_name(t)


def wat_for_ir(ir_text: str, extra: str = "") -> str:
    """A WAT module with the same index spaces as the IR module: imports,
    memories, tables, globals (initialisers are taken from the IR by the
    emitter, so the WAT ones are dummies of the right type), and one stub
    function per IR function, exported under its IR name unless the name
    starts with '_'.  ``extra`` adds segments, a start function, more
    exports."""
    m = parse_module(ir_text)
    out = ["(module"]
    for s in m.sigs:
        out.append(f"  (type (func (param {' '.join(map(_tn, s.params))}) (result {' '.join(map(_tn, s.results))})))")

    def lim(lo, hi):
        return f"{lo}" + (f" {hi}" if hi is not None else "")

    def imp(i):
        return f'(import "{i.module}" "{i.field}")'
    for i, d in enumerate(m.memories):
        if d.import_:
            out.append(f"  (memory {imp(d.import_)} {lim(d.min, d.max)})")
    for d in m.tables:
        if d.import_:
            out.append(f"  (table {imp(d.import_)} {lim(d.min, d.max)} {_tn(d.elem)})")
    for d in m.globals:
        if d.import_:
            t = f"(mut {_tn(d.type)})" if d.mutable else _tn(d.type)
            out.append(f"  (global {imp(d.import_)} {t})")
    for d in m.funcs:
        if d.import_:
            out.append(f"  (func ${d.name} {imp(d.import_)} (param {' '.join(map(_tn, d.sig.params))}) "
                       f"(result {' '.join(map(_tn, d.sig.results))}))")
    for d in m.memories:
        if not d.import_:
            out.append(f"  (memory {lim(d.min, d.max)})")
    for d in m.tables:
        if not d.import_:
            out.append(f"  (table {lim(d.min, d.max)} {_tn(d.elem)})")
    zero = {"i32": "(i32.const 0)", "i64": "(i64.const 0)", "f32": "(f32.const 0)",
            "f64": "(f64.const 0)", "funcref": "(ref.null func)", "externref": "(ref.null extern)"}
    for d in m.globals:
        if not d.import_:
            t = f"(mut {_tn(d.type)})" if d.mutable else _tn(d.type)
            out.append(f"  (global {t} {zero[_tn(d.type)]})")
    for d in m.funcs:
        if d.import_ or d.name == "__wasmaot_init":
            continue
        ex = "" if d.name.startswith("_") else f' (export "{d.name}")'
        out.append(f"  (func${d.name}{ex} (param {' '.join(map(_tn, d.sig.params))}) "
                   f"(result {' '.join(map(_tn, d.sig.results))}) unreachable)".replace("func$", "func $"))
    out.append(extra)
    out.append(")")
    return "\n".join(out)


@pytest.fixture(scope="session")
def build_ir(builder):
    def build(ir_text: str, extra_wat: str = "", **opts) -> Program:
        return builder.build(wat_for_ir(ir_text, extra_wat), ir_text, **opts)
    return build
