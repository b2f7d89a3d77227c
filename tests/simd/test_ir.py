"""SIMD in the IR: lane shapes, the 128-bit and lane immediates, verifier
checks, builder API, and the translator's coverage of every 0xFD op."""
from __future__ import annotations

import pytest

from wasmaot.frontend.load import load_module
from wasmaot.frontend.opcodes import OPS
from wasmaot.ir.builder import BuildError, FunctionBuilder
from wasmaot.ir.function import Function
from wasmaot.ir.module import FuncDecl, MemoryDecl, Module, Signature
from wasmaot.ir.opcodes import OPINFO, ImmKind, Opcode
from wasmaot.ir.parser import ParseError, parse_module
from wasmaot.ir.printer import print_module
from wasmaot.ir.translate import translate
from wasmaot.ir.translate.dispatch import DISPATCH
from wasmaot.ir.types import (I8X16, I16X8, I32, I32X4, I64, I64X2, SHAPE, V128,
                              lane_count, lane_type, type_from_name, type_name)
from wasmaot.ir.verifier import verifier_errors, verify_module


def test_shapes_are_named_and_never_wasm_types():
    for s in SHAPE:
        assert s >= 0x100 and type_from_name(type_name(s)) == s
    assert lane_type(I8X16) == I32 and lane_type(I64X2) == I64 and lane_count(I16X8) == 8


def test_every_simd_op_has_a_translation():
    simd = [op for op in OPS if op.prefix == 0xFD]
    assert len(simd) == 236 + 20               # Wasm 2.0's SIMD + relaxed SIMD
    assert all(op.key in DISPATCH for op in simd)


def test_simd_rows_use_v128_values_only():
    """Lane-wise rows: vector operands/results are v128, never the shape."""
    for info in OPINFO:
        if info.ctrl is not None and info.ctrl <= SHAPE:
            assert all(a < 0x100 for a in info.args + info.results), info.name


def _func(params, results):
    m = Module()
    m.memories.append(MemoryDecl(1, None))
    f = Function("f", Signature(tuple(params), tuple(results)), m)
    m.funcs.append(FuncDecl("f", f.sig, None, f))
    fb = FunctionBuilder(f)
    fb.switch_to_block(fb.create_block())
    return m, f, fb


def test_builder_vconst_shuffle_lanes_round_trip():
    m, f, fb = _func((V128, I32), (V128,))
    v, x = fb.append_entry_params()
    c = fb.vconst(0x0F0E0D0C0B0A09080706050403020100)
    s = fb.shuffle(int.from_bytes(bytes(range(16, 32)), "little"), v, c)
    e = fb.sextractlane(I16X8, 7, s)
    y = fb.insertlane(I32X4, 3, s, fb.iadd(e, x))
    z = fb.vload16_lane(0, 7, x, y, offset=2)    # mem, lane, addr, vector
    fb.store(0, x, z, offset=16)
    fb.return_([fb.viadd(I32X4, z, y)])
    verify_module(m)
    text = print_module(m)
    assert "vconst 0x0f0e0d0c0b0a09080706050403020100" in text
    assert "shuffle 0x1f1e1d1c1b1a19181716151413121110 v0, v2" in text
    assert "vload16_lane mem0 7 v1+2, v6" in text and "store.v128 mem0 v1+16, v7" in text
    assert print_module(parse_module(text)) == text
    with pytest.raises(BuildError, match="128-bit"):
        fb.vconst(1 << 128)


def test_verifier_checks_lane_and_mask_ranges():
    m, f, fb = _func((V128,), (I32,))
    (v,) = fb.append_entry_params()
    fb.shuffle(32, v, v)                    # lane 0 = 32: out of range
    fb.vload64_lane(0, 2, fb.iconst(I32, 0), v)   # mem0, lane 2: 64-bit lanes are 0..1
    r = fb.extractlane(I32X4, 4, v)
    fb.return_([r])
    errs = "\n".join(verifier_errors(f))
    assert "shuffle lane index >= 32" in errs
    assert errs.count("lane index") == 3    # shuffle + load lane + extract


def test_parser_rejects_shapes_as_value_types():
    with pytest.raises(ParseError, match="expected a type"):
        parse_module("function %f(i32x4) {\nblock0(v0: i32x4):\n    return\n}\n")
    with pytest.raises(ParseError, match="does not take type"):
        parse_module("function %f(v128) -> v128 {\nblock0(v0: v128):\n"
                     "    v1 = vq15mulr_sat.i8x16 v0, v0\n    return v1\n}\n")


def test_translation_of_a_simd_function():
    wat = b"""(module (memory 1) (global $g (mut v128) (v128.const i8x16 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16))
      (func (export "f") (param v128 i32) (result i32) (local v128)
        (local.set 2 (i16x8.extmul_high_i8x16_u (local.get 0) (global.get $g)))
        (v128.store32_lane offset=4 3 (local.get 1) (local.get 2))
        (i32x4.bitmask (i32x4.gt_s (local.get 2) (v128.load64_splat (local.get 1))))))"""
    m = translate(load_module(wat)).module
    verify_module(m)
    text = print_module(m)
    assert "global g0 mut v128 = vconst 0x100f0e0d0c0b0a090807060504030201" in text
    for want in ("vuextmul_high.i16x8", "vstore32_lane mem0 3 v1+4", "vicmp.i32x4 sgt",
                 "vload64_splat mem0 v1", "vbitmask.i32x4"):
        assert want in text, want


def test_v128_local_defaults_to_a_zero_vconst():
    m = translate(load_module(b"(module (func (result v128) (local v128) (local.get 0)))")).module
    f = m.functions()[0]
    insts = list(f.all_insts())
    assert f.dfg.op[insts[0]] == Opcode.vconst
    assert f.dfg.inst_imms(insts[0]) == (0, 0)
    info = OPINFO[Opcode.vconst]
    assert info.imms == (ImmKind.IMM128, ImmKind.IMM128_HI)
