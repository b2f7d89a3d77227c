"""The one table of Wasm instructions.

Every instruction the compiler knows is declared exactly once, in ``_TABLE``
below: text name, binary encoding, immediate kind, operand/result types and
flags.  The binary decoder, the validator, the text parser, the printer and (in
``wasmaot.ir``) the translator all derive what they need from ``OPS``; nothing
else lists opcodes.  Adding a proposal's instructions means adding rows here
and, for instructions whose typing is not a fixed signature, a case in the
validator.

Row format (whitespace separated)::

    name  encoding  immediate  signature  [flags...]

* ``encoding``: one hex byte (``6a``), or a prefix byte and the sub-opcode
  (``fc.08``, ``fd.10c``); sub-opcodes are u32 LEB128 in the binary.
* ``immediate``: an :class:`Imm` name, optionally with ``:N`` arguments:
  for ``memarg``/``memarg_lane`` the natural alignment (log2 bytes) and, for
  lane forms, the lane count; for ``lane`` the lane count.
* ``signature``: ``params->results`` with types joined by ``,`` (``i32,i32->i32``,
  ``->`` for none), or ``*`` when typing depends on immediates or on the
  control stack; those are the validator's special cases.
* flags: ``trap`` (may trap at run time), ``load``/``store`` (reads/writes
  linear memory), ``mem`` (needs memory 0 to exist), ``table`` (touches a
  table), ``global``, ``call``, ``control`` (ends or splits a basic block),
  and ``@feature``: the proposal the instruction comes from (a
  :mod:`.features` name, e.g. ``@tail-call``), when it differs from the
  section's.

A line holding only ``@feature`` sets the proposal of the rows after it
(``@simd`` before the 0xFD rows).  Every row has one: ``Op.feature``, which
the validator gates on (:mod:`.features`).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from .features import (  # noqa: F401
    BULK_MEMORY,
    COMPONENT,
    CUSTOM_PAGE_SIZES,
    EXCEPTIONS,
    EXTENDED_CONST,
    FUNCTION_REFERENCES,
    GC,
    LEGACY_EXCEPTIONS,
    MEMORY64,
    MULTI_MEMORY,
    MULTI_VALUE,
    MVP,
    REFERENCE_TYPES,
    RELAXED_SIMD,
    SATURATING_FLOAT_TO_INT,
    SIGN_EXTENSION,
    SIMD,
    STACK_SWITCHING,
    STRINGREF,
    TAIL_CALLS,
    THREADS,
    WIDE_ARITHMETIC,
    Feature,
)
from .features import BY_NAME as FEATURES
from .leb import uleb
from .types import EXTERNREF, F32, F64, FUNCREF, I32, I64, V128


class Imm(enum.IntEnum):
    """Immediate-operand shapes (binary layout in the decoder, text in the parser)."""
    NONE = 0
    BLOCKTYPE = 1      # 0x40 | valtype | s33 type index
    LABEL = 2          # u32 label depth
    BR_TABLE = 3       # vec(u32) u32
    FUNC = 4           # u32 funcidx
    CALL_INDIRECT = 5  # u32 typeidx, u32 tableidx
    LOCAL = 6          # u32 localidx
    GLOBAL = 7         # u32 globalidx
    TABLE = 8          # u32 tableidx
    MEMARG = 9         # u32 align, u32 offset
    MEMORY = 10        # memidx (a single 0x00 byte in Wasm 2.0)
    I32 = 11           # s32
    I64 = 12           # s64
    F32 = 13           # 4 bytes little endian
    F64 = 14           # 8 bytes little endian
    V128 = 15          # 16 bytes
    SELECT_T = 16      # vec(valtype)
    HEAPTYPE = 17      # s33 heap type: abstract type byte or type index
    ELEM = 18          # u32 elemidx
    DATA = 19          # u32 dataidx
    TABLE_INIT = 20    # u32 elemidx, u32 tableidx
    TABLE_COPY = 21    # u32 dst tableidx, u32 src tableidx
    MEMORY_INIT = 22   # u32 dataidx, memidx
    MEMORY_COPY = 23   # memidx dst, memidx src
    SHUFFLE = 24       # 16 lane bytes, each < 32
    LANE = 25          # 1 lane byte
    MEMARG_LANE = 26   # memarg then 1 lane byte
    TYPE = 27          # u32 typeidx (call_ref, return_call_ref)
    TAG = 28           # u32 tagidx (throw)
    TRY_TABLE = 29     # blocktype, vec(catch): catch = kind byte, [tagidx], label


class Flag(enum.IntFlag):
    NONE = 0
    TRAP = 1
    LOAD = 2
    STORE = 4
    MEM = 8
    TABLE = 16
    GLOBAL = 32
    CALL = 64
    CONTROL = 128


@dataclass(frozen=True, slots=True)
class Op:
    """One instruction.  ``params``/``results`` are None for special typing."""
    name: str
    prefix: int            # 0 for single-byte opcodes, else 0xFC / 0xFD
    code: int              # the opcode byte, or the sub-opcode after the prefix
    imm: Imm
    params: tuple[int, ...] | None
    results: tuple[int, ...] | None
    flags: Flag
    align: int = 0         # natural alignment (log2 bytes) for memarg forms
    lanes: int = 0         # lane count for lane-index immediates
    feature: Feature = MVP  # the proposal it belongs to (column ``@feature``)

    @property
    def key(self) -> int:
        """Unique integer id: ``code`` or ``prefix << 16 | code``."""
        return self.code if not self.prefix else (self.prefix << 16) | self.code

    @property
    def encoding(self) -> bytes:
        if not self.prefix:
            return bytes((self.code,))
        return bytes((self.prefix,)) + uleb(self.code)

    @property
    def special(self) -> bool:
        return self.params is None


# Proposal names (Feature objects, each also the string messages print):
# the ``@name`` column of ``_TABLE`` and the proposal of each
# not-yet-supported instruction below, which the error message names
# (``unsupported: exception handling (Wasm 3.0)``).  Re-exported here for
# the code that names proposals as ``opcodes.GC`` etc.


_TABLE = r"""
@mvp
# ---- control ---------------------------------------------------------------
unreachable          00     none        *                 trap control
nop                  01     none        ->
block                02     blocktype   *                 control
loop                 03     blocktype   *                 control
if                   04     blocktype   *                 control
else                 05     none        *                 control
end                  0b     none        *                 control
br                   0c     label       *                 control
br_if                0d     label       *                 control
br_table             0e     br_table    *                 control
return               0f     none        *                 control
call                 10     func        *                 call trap
call_indirect        11     call_indirect *               call trap table
return_call          12     func        *                 call trap control @tail-call
return_call_indirect 13     call_indirect *               call trap table control @tail-call
call_ref             14     type        *                 call trap @function-references
return_call_ref      15     type        *                 call trap control @function-references
throw                08     tag         *                 control @exceptions
throw_ref            0a     none        *                 trap control @exceptions
try_table            1f     try_table   *                 control @exceptions
try                  06     blocktype   *                 control @legacy-exceptions
catch                07     tag         *                 control @legacy-exceptions
rethrow              09     label       *                 control @legacy-exceptions
delegate             18     label       *                 control @legacy-exceptions
catch_all            19     none        *                 control @legacy-exceptions
# ---- parametric ------------------------------------------------------------
drop                 1a     none        *
select               1b     none        *
select               1c     select_t    *                 @reference-types
# ---- variables -------------------------------------------------------------
local.get            20     local       *
local.set            21     local       *
local.tee            22     local       *
global.get           23     global      *                 global
global.set           24     global      *                 global
table.get            25     table       *                 table trap @reference-types
table.set            26     table       *                 table trap @reference-types
# ---- memory ----------------------------------------------------------------
i32.load             28     memarg:2    i32->i32          mem load trap
i64.load             29     memarg:3    i32->i64          mem load trap
f32.load             2a     memarg:2    i32->f32          mem load trap
f64.load             2b     memarg:3    i32->f64          mem load trap
i32.load8_s          2c     memarg:0    i32->i32          mem load trap
i32.load8_u          2d     memarg:0    i32->i32          mem load trap
i32.load16_s         2e     memarg:1    i32->i32          mem load trap
i32.load16_u         2f     memarg:1    i32->i32          mem load trap
i64.load8_s          30     memarg:0    i32->i64          mem load trap
i64.load8_u          31     memarg:0    i32->i64          mem load trap
i64.load16_s         32     memarg:1    i32->i64          mem load trap
i64.load16_u         33     memarg:1    i32->i64          mem load trap
i64.load32_s         34     memarg:2    i32->i64          mem load trap
i64.load32_u         35     memarg:2    i32->i64          mem load trap
i32.store            36     memarg:2    i32,i32->         mem store trap
i64.store            37     memarg:3    i32,i64->         mem store trap
f32.store            38     memarg:2    i32,f32->         mem store trap
f64.store            39     memarg:3    i32,f64->         mem store trap
i32.store8           3a     memarg:0    i32,i32->         mem store trap
i32.store16          3b     memarg:1    i32,i32->         mem store trap
i64.store8           3c     memarg:0    i32,i64->         mem store trap
i64.store16          3d     memarg:1    i32,i64->         mem store trap
i64.store32          3e     memarg:2    i32,i64->         mem store trap
memory.size          3f     memory      ->i32             mem load
memory.grow          40     memory      i32->i32          mem store
# ---- constants -------------------------------------------------------------
i32.const            41     i32         ->i32
i64.const            42     i64         ->i64
f32.const            43     f32         ->f32
f64.const            44     f64         ->f64
# ---- i32 / i64 comparison --------------------------------------------------
i32.eqz              45     none        i32->i32
i32.eq               46     none        i32,i32->i32
i32.ne               47     none        i32,i32->i32
i32.lt_s             48     none        i32,i32->i32
i32.lt_u             49     none        i32,i32->i32
i32.gt_s             4a     none        i32,i32->i32
i32.gt_u             4b     none        i32,i32->i32
i32.le_s             4c     none        i32,i32->i32
i32.le_u             4d     none        i32,i32->i32
i32.ge_s             4e     none        i32,i32->i32
i32.ge_u             4f     none        i32,i32->i32
i64.eqz              50     none        i64->i32
i64.eq               51     none        i64,i64->i32
i64.ne               52     none        i64,i64->i32
i64.lt_s             53     none        i64,i64->i32
i64.lt_u             54     none        i64,i64->i32
i64.gt_s             55     none        i64,i64->i32
i64.gt_u             56     none        i64,i64->i32
i64.le_s             57     none        i64,i64->i32
i64.le_u             58     none        i64,i64->i32
i64.ge_s             59     none        i64,i64->i32
i64.ge_u             5a     none        i64,i64->i32
f32.eq               5b     none        f32,f32->i32
f32.ne               5c     none        f32,f32->i32
f32.lt               5d     none        f32,f32->i32
f32.gt               5e     none        f32,f32->i32
f32.le               5f     none        f32,f32->i32
f32.ge               60     none        f32,f32->i32
f64.eq               61     none        f64,f64->i32
f64.ne               62     none        f64,f64->i32
f64.lt               63     none        f64,f64->i32
f64.gt               64     none        f64,f64->i32
f64.le               65     none        f64,f64->i32
f64.ge               66     none        f64,f64->i32
# ---- i32 arithmetic --------------------------------------------------------
i32.clz              67     none        i32->i32
i32.ctz              68     none        i32->i32
i32.popcnt           69     none        i32->i32
i32.add              6a     none        i32,i32->i32
i32.sub              6b     none        i32,i32->i32
i32.mul              6c     none        i32,i32->i32
i32.div_s            6d     none        i32,i32->i32      trap
i32.div_u            6e     none        i32,i32->i32      trap
i32.rem_s            6f     none        i32,i32->i32      trap
i32.rem_u            70     none        i32,i32->i32      trap
i32.and              71     none        i32,i32->i32
i32.or               72     none        i32,i32->i32
i32.xor              73     none        i32,i32->i32
i32.shl              74     none        i32,i32->i32
i32.shr_s            75     none        i32,i32->i32
i32.shr_u            76     none        i32,i32->i32
i32.rotl             77     none        i32,i32->i32
i32.rotr             78     none        i32,i32->i32
# ---- i64 arithmetic --------------------------------------------------------
i64.clz              79     none        i64->i64
i64.ctz              7a     none        i64->i64
i64.popcnt           7b     none        i64->i64
i64.add              7c     none        i64,i64->i64
i64.sub              7d     none        i64,i64->i64
i64.mul              7e     none        i64,i64->i64
i64.div_s            7f     none        i64,i64->i64      trap
i64.div_u            80     none        i64,i64->i64      trap
i64.rem_s            81     none        i64,i64->i64      trap
i64.rem_u            82     none        i64,i64->i64      trap
i64.and              83     none        i64,i64->i64
i64.or               84     none        i64,i64->i64
i64.xor              85     none        i64,i64->i64
i64.shl              86     none        i64,i64->i64
i64.shr_s            87     none        i64,i64->i64
i64.shr_u            88     none        i64,i64->i64
i64.rotl             89     none        i64,i64->i64
i64.rotr             8a     none        i64,i64->i64
# ---- float arithmetic ------------------------------------------------------
f32.abs              8b     none        f32->f32
f32.neg              8c     none        f32->f32
f32.ceil             8d     none        f32->f32
f32.floor            8e     none        f32->f32
f32.trunc            8f     none        f32->f32
f32.nearest          90     none        f32->f32
f32.sqrt             91     none        f32->f32
f32.add              92     none        f32,f32->f32
f32.sub              93     none        f32,f32->f32
f32.mul              94     none        f32,f32->f32
f32.div              95     none        f32,f32->f32
f32.min              96     none        f32,f32->f32
f32.max              97     none        f32,f32->f32
f32.copysign         98     none        f32,f32->f32
f64.abs              99     none        f64->f64
f64.neg              9a     none        f64->f64
f64.ceil             9b     none        f64->f64
f64.floor            9c     none        f64->f64
f64.trunc            9d     none        f64->f64
f64.nearest          9e     none        f64->f64
f64.sqrt             9f     none        f64->f64
f64.add              a0     none        f64,f64->f64
f64.sub              a1     none        f64,f64->f64
f64.mul              a2     none        f64,f64->f64
f64.div              a3     none        f64,f64->f64
f64.min              a4     none        f64,f64->f64
f64.max              a5     none        f64,f64->f64
f64.copysign         a6     none        f64,f64->f64
# ---- conversions -----------------------------------------------------------
i32.wrap_i64         a7     none        i64->i32
i32.trunc_f32_s      a8     none        f32->i32          trap
i32.trunc_f32_u      a9     none        f32->i32          trap
i32.trunc_f64_s      aa     none        f64->i32          trap
i32.trunc_f64_u      ab     none        f64->i32          trap
i64.extend_i32_s     ac     none        i32->i64
i64.extend_i32_u     ad     none        i32->i64
i64.trunc_f32_s      ae     none        f32->i64          trap
i64.trunc_f32_u      af     none        f32->i64          trap
i64.trunc_f64_s      b0     none        f64->i64          trap
i64.trunc_f64_u      b1     none        f64->i64          trap
f32.convert_i32_s    b2     none        i32->f32
f32.convert_i32_u    b3     none        i32->f32
f32.convert_i64_s    b4     none        i64->f32
f32.convert_i64_u    b5     none        i64->f32
f32.demote_f64       b6     none        f64->f32
f64.convert_i32_s    b7     none        i32->f64
f64.convert_i32_u    b8     none        i32->f64
f64.convert_i64_s    b9     none        i64->f64
f64.convert_i64_u    ba     none        i64->f64
f64.promote_f32      bb     none        f32->f64
i32.reinterpret_f32  bc     none        f32->i32
i64.reinterpret_f64  bd     none        f64->i64
f32.reinterpret_i32  be     none        i32->f32
f64.reinterpret_i64  bf     none        i64->f64
@sign-extension
i32.extend8_s        c0     none        i32->i32
i32.extend16_s       c1     none        i32->i32
i64.extend8_s        c2     none        i64->i64
i64.extend16_s       c3     none        i64->i64
i64.extend32_s       c4     none        i64->i64
# ---- reference types -------------------------------------------------------
@reference-types
ref.null             d0     heaptype    *
ref.is_null          d1     none        *
ref.func             d2     func        *
ref.as_non_null      d4     none        *                 trap @function-references
br_on_null           d5     label       *                 control @function-references
br_on_non_null       d6     label       *                 control @function-references
# ---- 0xFC: saturating truncation, bulk memory, tables ----------------------
@saturating-float-to-int
i32.trunc_sat_f32_s  fc.00  none        f32->i32
i32.trunc_sat_f32_u  fc.01  none        f32->i32
i32.trunc_sat_f64_s  fc.02  none        f64->i32
i32.trunc_sat_f64_u  fc.03  none        f64->i32
i64.trunc_sat_f32_s  fc.04  none        f32->i64
i64.trunc_sat_f32_u  fc.05  none        f32->i64
i64.trunc_sat_f64_s  fc.06  none        f64->i64
i64.trunc_sat_f64_u  fc.07  none        f64->i64
@bulk-memory
memory.init          fc.08  memory_init i32,i32,i32->     mem store trap
data.drop            fc.09  data        ->
memory.copy          fc.0a  memory_copy i32,i32,i32->     mem load store trap
memory.fill          fc.0b  memory      i32,i32,i32->     mem store trap
table.init           fc.0c  table_init  i32,i32,i32->     table trap
elem.drop            fc.0d  elem        ->
table.copy           fc.0e  table_copy  i32,i32,i32->     table trap
@reference-types
table.grow           fc.0f  table       *                 table
table.size           fc.10  table       ->i32             table
table.fill           fc.11  table       *                 table trap
# ---- 0xFC: wide arithmetic (128-bit integers as (low, high) i64 pairs) -----
@wide-arithmetic
i64.add128           fc.13  none        i64,i64,i64,i64->i64,i64
i64.sub128           fc.14  none        i64,i64,i64,i64->i64,i64
i64.mul_wide_s       fc.15  none        i64,i64->i64,i64
i64.mul_wide_u       fc.16  none        i64,i64->i64,i64
# ---- 0xFD: fixed-width SIMD ------------------------------------------------
@simd
v128.load            fd.00  memarg:4    i32->v128         mem load trap
v128.load8x8_s       fd.01  memarg:3    i32->v128         mem load trap
v128.load8x8_u       fd.02  memarg:3    i32->v128         mem load trap
v128.load16x4_s      fd.03  memarg:3    i32->v128         mem load trap
v128.load16x4_u      fd.04  memarg:3    i32->v128         mem load trap
v128.load32x2_s      fd.05  memarg:3    i32->v128         mem load trap
v128.load32x2_u      fd.06  memarg:3    i32->v128         mem load trap
v128.load8_splat     fd.07  memarg:0    i32->v128         mem load trap
v128.load16_splat    fd.08  memarg:1    i32->v128         mem load trap
v128.load32_splat    fd.09  memarg:2    i32->v128         mem load trap
v128.load64_splat    fd.0a  memarg:3    i32->v128         mem load trap
v128.store           fd.0b  memarg:4    i32,v128->        mem store trap
v128.const           fd.0c  v128        ->v128
i8x16.shuffle        fd.0d  shuffle     v128,v128->v128
i8x16.swizzle        fd.0e  none        v128,v128->v128
i8x16.splat          fd.0f  none        i32->v128
i16x8.splat          fd.10  none        i32->v128
i32x4.splat          fd.11  none        i32->v128
i64x2.splat          fd.12  none        i64->v128
f32x4.splat          fd.13  none        f32->v128
f64x2.splat          fd.14  none        f64->v128
i8x16.extract_lane_s fd.15  lane:16     v128->i32
i8x16.extract_lane_u fd.16  lane:16     v128->i32
i8x16.replace_lane   fd.17  lane:16     v128,i32->v128
i16x8.extract_lane_s fd.18  lane:8      v128->i32
i16x8.extract_lane_u fd.19  lane:8      v128->i32
i16x8.replace_lane   fd.1a  lane:8      v128,i32->v128
i32x4.extract_lane   fd.1b  lane:4      v128->i32
i32x4.replace_lane   fd.1c  lane:4      v128,i32->v128
i64x2.extract_lane   fd.1d  lane:2      v128->i64
i64x2.replace_lane   fd.1e  lane:2      v128,i64->v128
f32x4.extract_lane   fd.1f  lane:4      v128->f32
f32x4.replace_lane   fd.20  lane:4      v128,f32->v128
f64x2.extract_lane   fd.21  lane:2      v128->f64
f64x2.replace_lane   fd.22  lane:2      v128,f64->v128
i8x16.eq             fd.23  none        v128,v128->v128
i8x16.ne             fd.24  none        v128,v128->v128
i8x16.lt_s           fd.25  none        v128,v128->v128
i8x16.lt_u           fd.26  none        v128,v128->v128
i8x16.gt_s           fd.27  none        v128,v128->v128
i8x16.gt_u           fd.28  none        v128,v128->v128
i8x16.le_s           fd.29  none        v128,v128->v128
i8x16.le_u           fd.2a  none        v128,v128->v128
i8x16.ge_s           fd.2b  none        v128,v128->v128
i8x16.ge_u           fd.2c  none        v128,v128->v128
i16x8.eq             fd.2d  none        v128,v128->v128
i16x8.ne             fd.2e  none        v128,v128->v128
i16x8.lt_s           fd.2f  none        v128,v128->v128
i16x8.lt_u           fd.30  none        v128,v128->v128
i16x8.gt_s           fd.31  none        v128,v128->v128
i16x8.gt_u           fd.32  none        v128,v128->v128
i16x8.le_s           fd.33  none        v128,v128->v128
i16x8.le_u           fd.34  none        v128,v128->v128
i16x8.ge_s           fd.35  none        v128,v128->v128
i16x8.ge_u           fd.36  none        v128,v128->v128
i32x4.eq             fd.37  none        v128,v128->v128
i32x4.ne             fd.38  none        v128,v128->v128
i32x4.lt_s           fd.39  none        v128,v128->v128
i32x4.lt_u           fd.3a  none        v128,v128->v128
i32x4.gt_s           fd.3b  none        v128,v128->v128
i32x4.gt_u           fd.3c  none        v128,v128->v128
i32x4.le_s           fd.3d  none        v128,v128->v128
i32x4.le_u           fd.3e  none        v128,v128->v128
i32x4.ge_s           fd.3f  none        v128,v128->v128
i32x4.ge_u           fd.40  none        v128,v128->v128
f32x4.eq             fd.41  none        v128,v128->v128
f32x4.ne             fd.42  none        v128,v128->v128
f32x4.lt             fd.43  none        v128,v128->v128
f32x4.gt             fd.44  none        v128,v128->v128
f32x4.le             fd.45  none        v128,v128->v128
f32x4.ge             fd.46  none        v128,v128->v128
f64x2.eq             fd.47  none        v128,v128->v128
f64x2.ne             fd.48  none        v128,v128->v128
f64x2.lt             fd.49  none        v128,v128->v128
f64x2.gt             fd.4a  none        v128,v128->v128
f64x2.le             fd.4b  none        v128,v128->v128
f64x2.ge             fd.4c  none        v128,v128->v128
v128.not             fd.4d  none        v128->v128
v128.and             fd.4e  none        v128,v128->v128
v128.andnot          fd.4f  none        v128,v128->v128
v128.or              fd.50  none        v128,v128->v128
v128.xor             fd.51  none        v128,v128->v128
v128.bitselect       fd.52  none        v128,v128,v128->v128
v128.any_true        fd.53  none        v128->i32
v128.load8_lane      fd.54  memarg_lane:0:16 i32,v128->v128  mem load trap
v128.load16_lane     fd.55  memarg_lane:1:8  i32,v128->v128  mem load trap
v128.load32_lane     fd.56  memarg_lane:2:4  i32,v128->v128  mem load trap
v128.load64_lane     fd.57  memarg_lane:3:2  i32,v128->v128  mem load trap
v128.store8_lane     fd.58  memarg_lane:0:16 i32,v128->      mem store trap
v128.store16_lane    fd.59  memarg_lane:1:8  i32,v128->      mem store trap
v128.store32_lane    fd.5a  memarg_lane:2:4  i32,v128->      mem store trap
v128.store64_lane    fd.5b  memarg_lane:3:2  i32,v128->      mem store trap
v128.load32_zero     fd.5c  memarg:2    i32->v128         mem load trap
v128.load64_zero     fd.5d  memarg:3    i32->v128         mem load trap
f32x4.demote_f64x2_zero      fd.5e  none  v128->v128
f64x2.promote_low_f32x4      fd.5f  none  v128->v128
i8x16.abs            fd.60  none        v128->v128
i8x16.neg            fd.61  none        v128->v128
i8x16.popcnt         fd.62  none        v128->v128
i8x16.all_true       fd.63  none        v128->i32
i8x16.bitmask        fd.64  none        v128->i32
i8x16.narrow_i16x8_s fd.65  none        v128,v128->v128
i8x16.narrow_i16x8_u fd.66  none        v128,v128->v128
f32x4.ceil           fd.67  none        v128->v128
f32x4.floor          fd.68  none        v128->v128
f32x4.trunc          fd.69  none        v128->v128
f32x4.nearest        fd.6a  none        v128->v128
i8x16.shl            fd.6b  none        v128,i32->v128
i8x16.shr_s          fd.6c  none        v128,i32->v128
i8x16.shr_u          fd.6d  none        v128,i32->v128
i8x16.add            fd.6e  none        v128,v128->v128
i8x16.add_sat_s      fd.6f  none        v128,v128->v128
i8x16.add_sat_u      fd.70  none        v128,v128->v128
i8x16.sub            fd.71  none        v128,v128->v128
i8x16.sub_sat_s      fd.72  none        v128,v128->v128
i8x16.sub_sat_u      fd.73  none        v128,v128->v128
f64x2.ceil           fd.74  none        v128->v128
f64x2.floor          fd.75  none        v128->v128
i8x16.min_s          fd.76  none        v128,v128->v128
i8x16.min_u          fd.77  none        v128,v128->v128
i8x16.max_s          fd.78  none        v128,v128->v128
i8x16.max_u          fd.79  none        v128,v128->v128
f64x2.trunc          fd.7a  none        v128->v128
i8x16.avgr_u         fd.7b  none        v128,v128->v128
i16x8.extadd_pairwise_i8x16_s fd.7c none v128->v128
i16x8.extadd_pairwise_i8x16_u fd.7d none v128->v128
i32x4.extadd_pairwise_i16x8_s fd.7e none v128->v128
i32x4.extadd_pairwise_i16x8_u fd.7f none v128->v128
i16x8.abs            fd.80  none        v128->v128
i16x8.neg            fd.81  none        v128->v128
i16x8.q15mulr_sat_s  fd.82  none        v128,v128->v128
i16x8.all_true       fd.83  none        v128->i32
i16x8.bitmask        fd.84  none        v128->i32
i16x8.narrow_i32x4_s fd.85  none        v128,v128->v128
i16x8.narrow_i32x4_u fd.86  none        v128,v128->v128
i16x8.extend_low_i8x16_s   fd.87  none  v128->v128
i16x8.extend_high_i8x16_s  fd.88  none  v128->v128
i16x8.extend_low_i8x16_u   fd.89  none  v128->v128
i16x8.extend_high_i8x16_u  fd.8a  none  v128->v128
i16x8.shl            fd.8b  none        v128,i32->v128
i16x8.shr_s          fd.8c  none        v128,i32->v128
i16x8.shr_u          fd.8d  none        v128,i32->v128
i16x8.add            fd.8e  none        v128,v128->v128
i16x8.add_sat_s      fd.8f  none        v128,v128->v128
i16x8.add_sat_u      fd.90  none        v128,v128->v128
i16x8.sub            fd.91  none        v128,v128->v128
i16x8.sub_sat_s      fd.92  none        v128,v128->v128
i16x8.sub_sat_u      fd.93  none        v128,v128->v128
f64x2.nearest        fd.94  none        v128->v128
i16x8.mul            fd.95  none        v128,v128->v128
i16x8.min_s          fd.96  none        v128,v128->v128
i16x8.min_u          fd.97  none        v128,v128->v128
i16x8.max_s          fd.98  none        v128,v128->v128
i16x8.max_u          fd.99  none        v128,v128->v128
i16x8.avgr_u         fd.9b  none        v128,v128->v128
i16x8.extmul_low_i8x16_s   fd.9c  none  v128,v128->v128
i16x8.extmul_high_i8x16_s  fd.9d  none  v128,v128->v128
i16x8.extmul_low_i8x16_u   fd.9e  none  v128,v128->v128
i16x8.extmul_high_i8x16_u  fd.9f  none  v128,v128->v128
i32x4.abs            fd.a0  none        v128->v128
i32x4.neg            fd.a1  none        v128->v128
i32x4.all_true       fd.a3  none        v128->i32
i32x4.bitmask        fd.a4  none        v128->i32
i32x4.extend_low_i16x8_s   fd.a7  none  v128->v128
i32x4.extend_high_i16x8_s  fd.a8  none  v128->v128
i32x4.extend_low_i16x8_u   fd.a9  none  v128->v128
i32x4.extend_high_i16x8_u  fd.aa  none  v128->v128
i32x4.shl            fd.ab  none        v128,i32->v128
i32x4.shr_s          fd.ac  none        v128,i32->v128
i32x4.shr_u          fd.ad  none        v128,i32->v128
i32x4.add            fd.ae  none        v128,v128->v128
i32x4.sub            fd.b1  none        v128,v128->v128
i32x4.mul            fd.b5  none        v128,v128->v128
i32x4.min_s          fd.b6  none        v128,v128->v128
i32x4.min_u          fd.b7  none        v128,v128->v128
i32x4.max_s          fd.b8  none        v128,v128->v128
i32x4.max_u          fd.b9  none        v128,v128->v128
i32x4.dot_i16x8_s    fd.ba  none        v128,v128->v128
i32x4.extmul_low_i16x8_s   fd.bc  none  v128,v128->v128
i32x4.extmul_high_i16x8_s  fd.bd  none  v128,v128->v128
i32x4.extmul_low_i16x8_u   fd.be  none  v128,v128->v128
i32x4.extmul_high_i16x8_u  fd.bf  none  v128,v128->v128
i64x2.abs            fd.c0  none        v128->v128
i64x2.neg            fd.c1  none        v128->v128
i64x2.all_true       fd.c3  none        v128->i32
i64x2.bitmask        fd.c4  none        v128->i32
i64x2.extend_low_i32x4_s   fd.c7  none  v128->v128
i64x2.extend_high_i32x4_s  fd.c8  none  v128->v128
i64x2.extend_low_i32x4_u   fd.c9  none  v128->v128
i64x2.extend_high_i32x4_u  fd.ca  none  v128->v128
i64x2.shl            fd.cb  none        v128,i32->v128
i64x2.shr_s          fd.cc  none        v128,i32->v128
i64x2.shr_u          fd.cd  none        v128,i32->v128
i64x2.add            fd.ce  none        v128,v128->v128
i64x2.sub            fd.d1  none        v128,v128->v128
i64x2.mul            fd.d5  none        v128,v128->v128
i64x2.eq             fd.d6  none        v128,v128->v128
i64x2.ne             fd.d7  none        v128,v128->v128
i64x2.lt_s           fd.d8  none        v128,v128->v128
i64x2.gt_s           fd.d9  none        v128,v128->v128
i64x2.le_s           fd.da  none        v128,v128->v128
i64x2.ge_s           fd.db  none        v128,v128->v128
i64x2.extmul_low_i32x4_s   fd.dc  none  v128,v128->v128
i64x2.extmul_high_i32x4_s  fd.dd  none  v128,v128->v128
i64x2.extmul_low_i32x4_u   fd.de  none  v128,v128->v128
i64x2.extmul_high_i32x4_u  fd.df  none  v128,v128->v128
f32x4.abs            fd.e0  none        v128->v128
f32x4.neg            fd.e1  none        v128->v128
f32x4.sqrt           fd.e3  none        v128->v128
f32x4.add            fd.e4  none        v128,v128->v128
f32x4.sub            fd.e5  none        v128,v128->v128
f32x4.mul            fd.e6  none        v128,v128->v128
f32x4.div            fd.e7  none        v128,v128->v128
f32x4.min            fd.e8  none        v128,v128->v128
f32x4.max            fd.e9  none        v128,v128->v128
f32x4.pmin           fd.ea  none        v128,v128->v128
f32x4.pmax           fd.eb  none        v128,v128->v128
f64x2.abs            fd.ec  none        v128->v128
f64x2.neg            fd.ed  none        v128->v128
f64x2.sqrt           fd.ef  none        v128->v128
f64x2.add            fd.f0  none        v128,v128->v128
f64x2.sub            fd.f1  none        v128,v128->v128
f64x2.mul            fd.f2  none        v128,v128->v128
f64x2.div            fd.f3  none        v128,v128->v128
f64x2.min            fd.f4  none        v128,v128->v128
f64x2.max            fd.f5  none        v128,v128->v128
f64x2.pmin           fd.f6  none        v128,v128->v128
f64x2.pmax           fd.f7  none        v128,v128->v128
i32x4.trunc_sat_f32x4_s      fd.f8  none  v128->v128
i32x4.trunc_sat_f32x4_u      fd.f9  none  v128->v128
f32x4.convert_i32x4_s        fd.fa  none  v128->v128
f32x4.convert_i32x4_u        fd.fb  none  v128->v128
i32x4.trunc_sat_f64x2_s_zero fd.fc  none  v128->v128
i32x4.trunc_sat_f64x2_u_zero fd.fd  none  v128->v128
f64x2.convert_low_i32x4_s    fd.fe  none  v128->v128
f64x2.convert_low_i32x4_u    fd.ff  none  v128->v128
# ---- 0xFD 0x100..: relaxed SIMD (results implementation-defined within the
# spec's sets; the translator always picks the deterministic profile's, ir/translate/simd.py)
@relaxed-simd
i8x16.relaxed_swizzle              fd.100  none  v128,v128->v128
i32x4.relaxed_trunc_f32x4_s        fd.101  none  v128->v128
i32x4.relaxed_trunc_f32x4_u        fd.102  none  v128->v128
i32x4.relaxed_trunc_f64x2_s_zero   fd.103  none  v128->v128
i32x4.relaxed_trunc_f64x2_u_zero   fd.104  none  v128->v128
f32x4.relaxed_madd                 fd.105  none  v128,v128,v128->v128
f32x4.relaxed_nmadd                fd.106  none  v128,v128,v128->v128
f64x2.relaxed_madd                 fd.107  none  v128,v128,v128->v128
f64x2.relaxed_nmadd                fd.108  none  v128,v128,v128->v128
i8x16.relaxed_laneselect           fd.109  none  v128,v128,v128->v128
i16x8.relaxed_laneselect           fd.10a  none  v128,v128,v128->v128
i32x4.relaxed_laneselect           fd.10b  none  v128,v128,v128->v128
i64x2.relaxed_laneselect           fd.10c  none  v128,v128,v128->v128
f32x4.relaxed_min                  fd.10d  none  v128,v128->v128
f32x4.relaxed_max                  fd.10e  none  v128,v128->v128
f64x2.relaxed_min                  fd.10f  none  v128,v128->v128
f64x2.relaxed_max                  fd.110  none  v128,v128->v128
i16x8.relaxed_q15mulr_s            fd.111  none  v128,v128->v128
i16x8.relaxed_dot_i8x16_i7x16_s    fd.112  none  v128,v128->v128
i32x4.relaxed_dot_i8x16_i7x16_add_s  fd.113  none  v128,v128,v128->v128
"""

_TYPES = {"i32": I32, "i64": I64, "f32": F32, "f64": F64, "v128": V128,
          "funcref": FUNCREF, "externref": EXTERNREF}
_FLAGS = {"trap": Flag.TRAP, "load": Flag.LOAD, "store": Flag.STORE,
          "mem": Flag.MEM, "table": Flag.TABLE, "global": Flag.GLOBAL,
          "call": Flag.CALL, "control": Flag.CONTROL}


def _types(s: str) -> tuple[int, ...]:
    return tuple(_TYPES[t] for t in s.split(",")) if s else ()


def _parse_table(text: str) -> list[Op]:
    ops = []
    section = MVP
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("@"):
            section = FEATURES[line[1:]]
            continue
        name, enc, imm, sig, *flags = line.split()
        if "." in enc:
            p, c = enc.split(".")
            prefix, code = int(p, 16), int(c, 16)
        else:
            prefix, code = 0, int(enc, 16)
        imm_name, *imm_args = imm.split(":")
        kind = Imm[imm_name.upper()]
        align = int(imm_args[0]) if kind in (Imm.MEMARG, Imm.MEMARG_LANE) else 0
        lanes = 0
        if kind is Imm.LANE:
            lanes = int(imm_args[0])
        elif kind is Imm.MEMARG_LANE:
            lanes = int(imm_args[1])
        if sig == "*":
            params = results = None
        else:
            p, r = sig.split("->")
            params, results = _types(p), _types(r)
        f = Flag.NONE
        feature = section
        for fl in flags:
            if fl.startswith("@"):
                feature = FEATURES[fl[1:]]
            else:
                f |= _FLAGS[fl]
        assert feature.implemented, name
        ops.append(Op(name, prefix, code, kind, params, results, f, align, lanes, feature))
    return ops


OPS: list[Op] = _parse_table(_TABLE)

#: Single-byte opcodes, indexed by byte value (None = not an opcode).
BY_BYTE: list[Op | None] = [None] * 256
#: 0xFC / 0xFD sub-opcodes, by prefix then sub-opcode.
BY_PREFIX: dict[int, dict[int, Op]] = {0xFC: {}, 0xFD: {}}
#: Text name -> Op.  ``select`` maps to the untyped form (0x1B); the text
#: parser picks 0x1C when a ``(result t)`` follows.
BY_NAME: dict[str, Op] = {}
#: Op.key -> Op
BY_KEY: dict[int, Op] = {}


def _index() -> None:
    for op in OPS:
        if op.prefix:
            assert op.code not in BY_PREFIX[op.prefix], op
            BY_PREFIX[op.prefix][op.code] = op
        else:
            assert BY_BYTE[op.code] is None, op
            BY_BYTE[op.code] = op
        BY_NAME.setdefault(op.name, op)
        BY_KEY[op.key] = op


_index()

# Frequently needed individual ops, by name, for code that special-cases them.
END = BY_NAME["end"]
ELSE = BY_NAME["else"]


# ---- instructions of proposals we do not support yet -------------------------
# Only the error path reads these: the decoder and the text parser reject an
# unknown opcode or keyword exactly as before, and then ask
# :func:`unsupported_op` / :func:`unsupported_name` which proposal it belongs
# to, so the message can name it (``unsupported: tail calls (Wasm 3.0)``).

_UNSUPPORTED_TABLE = """
ref.eq                     d3      GC
cont.new                   e0      STACK_SWITCHING
cont.bind                  e1      STACK_SWITCHING
suspend                    e2      STACK_SWITCHING
resume                     e3      STACK_SWITCHING
resume_throw               e4      STACK_SWITCHING
switch                     e5      STACK_SWITCHING
atomic.fence               fe.03   THREADS
"""
# Whole prefixes: every 0xFB instruction is GC's (0xFB 0x80 and up:
# stringref's), every 0xFE one is an atomic.
_UNSUPPORTED_PREFIXES = {0xFB: GC, 0xFE: THREADS}
# Text keyword families (prefix of the name -> proposal), for the text
# parser; the exact names of the table above come first.
_UNSUPPORTED_FAMILIES = (
    ("struct.", GC), ("array.", GC), ("i31.", GC), ("ref.i31", GC), ("ref.test", GC),
    ("ref.cast", GC), ("br_on_cast", GC), ("any.convert_extern", GC),
    ("extern.convert_any", GC), ("memory.atomic.", THREADS), ("i32.atomic.", THREADS),
    ("i64.atomic.", THREADS), ("string.", STRINGREF), ("stringview_", STRINGREF),
)
_UNSUPPORTED_BY_KEY: dict[tuple[int, int], tuple[str, str]] = {}
_UNSUPPORTED_BY_NAME: dict[str, str] = {}


def _index_unsupported() -> None:
    glob = globals()
    for line in _UNSUPPORTED_TABLE.strip().splitlines():
        name, enc, proposal = line.split()
        p, _, c = enc.rpartition(".")
        key = (int(p, 16) if p else 0, int(c, 16))
        assert key not in _UNSUPPORTED_BY_KEY and (key[0] or BY_BYTE[key[1]] is None), line
        assert not key[0] or key[1] not in BY_PREFIX.get(key[0], {}), line
        _UNSUPPORTED_BY_KEY[key] = (name, glob[proposal])
        _UNSUPPORTED_BY_NAME[name] = glob[proposal]


_index_unsupported()


def unsupported_op(prefix: int, code: int | None) -> tuple[str | None, str] | None:
    """``(instruction name or None, proposal)`` for an opcode we reject, if a
    proposal defines it; ``prefix`` 0 for single-byte opcodes (``code`` may be
    None when the sub-opcode could not be read)."""
    hit = _UNSUPPORTED_BY_KEY.get((prefix, code))
    if hit is not None:
        return hit
    proposal = _UNSUPPORTED_PREFIXES.get(prefix)
    if proposal is None:
        return None
    if prefix == 0xFB and code is not None and code >= 0x80:
        proposal = STRINGREF
    return None, proposal


def unsupported_name(name: str) -> str | None:
    """The proposal a text instruction name belongs to, if we know it."""
    hit = _UNSUPPORTED_BY_NAME.get(name)
    if hit is not None:
        return hit
    for prefix, proposal in _UNSUPPORTED_FAMILIES:
        if name.startswith(prefix):
            return proposal
    return None
