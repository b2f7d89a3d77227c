"""The one table of IR opcodes.

Every IR opcode is declared exactly once, in ``_TABLE`` below.  The printer,
the parser, the builder methods (``InstBuilder.iadd`` ...), the verifier's
type checks and the passes' effect queries (``can_trap``, ``is_pure`` ...)
all read :data:`OPINFO`; nothing else lists opcodes.

Row format (whitespace separated)::

    name  ctrl  imms  args  results  [flags...]

* ``ctrl`` -- the controlling type, printed as the ``.T`` suffix
  (``iadd.i32``): a type class (``Int`` = i32|i64, ``Float`` = f32|f64,
  ``Num``, ``Ref``, ``Any``), a single type (``i64``), or ``-`` when the
  opcode is not polymorphic (then no suffix is printed).  SIMD rows use
  lane shapes (``i32x4`` ...; classes ``Shape``, ``IShape``, ``FShape``,
  or an explicit ``i8x16|i16x8`` list) as the controlling type: their
  vector operands and results are plain ``v128`` values, the shape only
  says how the 128 bits split into lanes.  ``NumV`` (= Num | v128) is
  what ``load``/``store`` accept.
* ``imms`` -- immediate kinds (:class:`ImmKind`) in storage and text order,
  comma separated, or ``-``.
* ``args`` -- value operands, comma separated, or ``-``.  Each is a *type
  spec*: ``T`` (the controlling type), ``Tbits`` (same-width other kind,
  for bitcast), a fixed type (``i32``), a class (``Int`` ...: any member,
  operand only), ``A`` (address type of the instruction's memory), ``G``
  (type of its global), ``E`` (element type of its first table), ``L``
  (lane type of the controlling shape: i32 for i8x16/i16x8/i32x4, i64,
  f32, f64).  A final
  ``...`` is a variadic list typed by the signature of the ``func``/``sig``
  immediate; ``rets...`` is typed by the enclosing function's results.
* ``results`` -- result type specs as above, ``sig`` for the results of the
  callee signature, or ``-``.
* flags -- ``trap:code,code`` (may trap, with these codes; ``trap:imm``: the
  code is the trapcode immediate), ``reads:``/``writes:`` followed by
  ``mem``/``table``/``global``/``seg`` (data/elem segment state), ``call``
  (may do anything a function can: every effect, every trap), ``term``
  (block terminator), ``branch:1``/``branch:2``/``branch:table`` (number
  of successor block calls, stored after the operands), ``access:8|16|32|64|T``
  (bytes touched by a memory access: width in bits, or the controlling type),
  ``hint`` (no effect on the program's state, but never removed: ``prefetch``).

An instruction is *pure* when it has no flag at all: it may be removed when
unused, hoisted, or folded.

Wasm semantics are part of each opcode's contract: integer ops wrap, shift and
rotate counts are taken modulo the width, ``fmin``/``fmax``/``fnearest`` are
Wasm's, conversions trap exactly where Wasm's do (see ``wasm_numerics``).

Memory: an access of S bytes at ``A+off`` (``load.i32 mem0 v0+8``) touches
bytes ``[zext(A) + off, zext(A) + off + S)`` computed without wrap-around
(64-bit arithmetic for memory32), and traps ``memory_out_of_bounds`` if the end exceeds
the memory's current byte size -- unless its memflags say ``notrap``, which
asserts that a dominating ``bounds_check``/access already proved it (the
emitter then omits the check).  ``bounds_check memN A+E`` traps unless
``zext(A) + E <= size``: E is the *end* offset (offset + access size), so one
check can cover several accesses off the same base.  Memory never shrinks,
so a proven range stays valid (what ``trapelim`` relies on).
``in_bounds memN A+E`` is the same test without the trap: 1 if ``zext(A) +
E <= size``, else 0 (``checkversion`` picks a copy of the function by it).

``trap code`` is an unconditional trap (Wasm ``unreachable`` is ``trap
unreachable``).  ``unreachable`` asserts control never gets here (after the
translator knows a path is impossible); emitters should still lower it to a
trap rather than to undefined behaviour.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from .trapcodes import TrapCode
from .types import (ANY, EXTERNREF, F32, F64, FLOAT, FSHAPE, FUNCREF, I32, I64,
                    INT, ISHAPE, NUM, REF, SHAPE, V128, bits, type_from_name)


class ImmKind(enum.IntEnum):
    IMM64 = 0      # integer constant, stored as the unsigned bit pattern
    IEEE = 1       # float constant, stored as the raw IEEE bit pattern
    INTCC = 2      # IntCC
    FLOATCC = 3    # FloatCC
    TRAPCODE = 4   # TrapCode
    MEMFLAGS = 5   # MemFlags bits (notrap, explicit alignment)
    MEM = 6        # memory index
    OFFSET = 7     # static byte offset added to the address (u32 for memory32)
    FUNC = 8       # function index
    SIG = 9        # signature index
    GLOBAL = 10
    TABLE = 11
    ELEM = 12
    DATA = 13
    LANE = 14      # SIMD lane index (< the lane count of the shape / access)
    IMM128 = 15    # low 64 bits of a 128-bit immediate (vconst bits, shuffle mask)
    IMM128_HI = 16  # its high 64 bits; always directly after IMM128 (the
                    # table's ``imm128`` expands to both: the pool is u64)
    TAG = 17       # exception tag index


class IntCC(enum.IntEnum):
    eq = 0
    ne = 1
    slt = 2
    ult = 3
    sgt = 4
    ugt = 5
    sle = 6
    ule = 7
    sge = 8
    uge = 9


class FloatCC(enum.IntEnum):
    """Wasm float comparisons: ``eq`` etc. are ordered (false on NaN) except
    ``ne``, which is unordered-or-not-equal (true on NaN), as in Wasm."""
    eq = 0
    ne = 1
    lt = 2
    gt = 3
    le = 4
    ge = 5


class MemFlags:
    """Helpers for the ``memflags`` immediate.

    bit 0: ``notrap`` -- the access is known to be in bounds (a dominating
    ``bounds_check`` or access covers it), so the emitter needs no check.
    bits 1..7: explicit alignment, ``log2(align) + 1``; 0 means natural.
    Natural alignment is normalised to 0 on creation so that one access has
    exactly one encoding (structural equality after a text round trip).
    bits 8..15 and 16..31: an alias *scope* ``(domain, group)``, both at
    least 1, or both 0 (none; text ``scope=D:G``).  Two accesses of one
    function with the same domain and different groups never touch a
    common byte while either of them writes (a run-time test before the
    code they are in showed it: loopversion's copies, ir/passes/_aliasscope.py);
    nothing is said about accesses without a scope or of another domain.
    """
    NOTRAP = 1
    _ALIGN = 0x7F << 1
    MAX_GROUP = 0xFF
    MAX_DOMAIN = 0xFFFF

    @staticmethod
    def make(notrap: bool, align_log2: int | None, natural_log2: int) -> int:
        a = 0 if align_log2 is None or align_log2 == natural_log2 else align_log2 + 1
        return (1 if notrap else 0) | (a << 1)

    @staticmethod
    def notrap(flags: int) -> bool:
        return bool(flags & 1)

    @staticmethod
    def align_log2(flags: int, natural_log2: int) -> int:
        a = (flags & MemFlags._ALIGN) >> 1
        return natural_log2 if a == 0 else a - 1

    @staticmethod
    def _scope_parts(flags: int) -> tuple[int, int]:
        return flags >> 16, (flags >> 8) & MemFlags.MAX_GROUP

    @staticmethod
    def scope(flags: int) -> tuple[int, int] | None:
        """``(domain, group)``, or None."""
        return MemFlags._scope_parts(flags) if flags >> 16 else None

    @staticmethod
    def with_scope(flags: int, domain: int, group: int) -> int:
        assert 1 <= domain <= MemFlags.MAX_DOMAIN and 1 <= group <= MemFlags.MAX_GROUP
        return (flags & (MemFlags.NOTRAP | MemFlags._ALIGN)) | group << 8 | domain << 16

    @staticmethod
    def valid(flags: int, natural_log2: int) -> bool:
        """Explicit alignment below natural only; a scope's two parts both
        set or both 0; nothing above bit 31."""
        a = (flags & MemFlags._ALIGN) >> 1
        d, g = MemFlags._scope_parts(flags)
        return a - 1 < natural_log2 and (g == 0) == (d == 0) and d <= MemFlags.MAX_DOMAIN


class Flag(enum.IntFlag):
    NONE = 0
    TRAPS = 1 << 0
    READS_MEM = 1 << 1
    WRITES_MEM = 1 << 2
    READS_TABLE = 1 << 3
    WRITES_TABLE = 1 << 4
    READS_GLOBAL = 1 << 5
    WRITES_GLOBAL = 1 << 6
    READS_SEG = 1 << 7
    WRITES_SEG = 1 << 8
    CALL = 1 << 9
    TERMINATOR = 1 << 10
    BRANCH = 1 << 11
    # No effect on the program's state, yet kept where it is (dce never
    # removes it): a hint to the hardware (``prefetch``).
    HINT = 1 << 12


READS = Flag.READS_MEM | Flag.READS_TABLE | Flag.READS_GLOBAL | Flag.READS_SEG
WRITES = Flag.WRITES_MEM | Flag.WRITES_TABLE | Flag.WRITES_GLOBAL | Flag.WRITES_SEG


class Spec(enum.IntEnum):
    """Symbolic type specs (fixed types are the type ints themselves, > 0)."""
    T = -1
    TBITS = -2
    A = -3
    G = -4
    E = -5
    INT = -10
    FLOAT = -11
    NUM = -12
    REF = -13
    ANY = -14
    L = -6         # lane type of the controlling lane shape (i32 for i8x16)
    A2 = -7        # address type of the op's SECOND memory (memory.copy's source)
    AMIN = -8      # the narrower of its two memories' address types (memory.copy's length)


#: Type classes a ``Spec`` class stands for.
SPEC_CLASS = {Spec.INT: INT, Spec.FLOAT: FLOAT, Spec.NUM: NUM, Spec.REF: REF,
              Spec.ANY: ANY}


class VarArgs(enum.IntEnum):
    NONE = 0
    SIG_PARAMS = 1     # `...`: callee signature params
    FUNC_RESULTS = 2   # `rets...`: enclosing function's results


_TABLE = r"""
# ---- constants -----------------------------------------------------------------
iconst            Int    imm64               -            T
fconst            Float  ieee                -            T
null              Ref    -                   -            T
func_ref          -      func                -            funcref
# ---- integer arithmetic (wraps; shift/rotate counts masked to the width) --------
iadd              Int    -                   T,T          T
# iadd_nuw: an iadd whose producer proved that the exact sum fits the width
# (loopversion's copies).  As LLVM's ``add nuw``: were it to wrap, the
# result would be poison (any value), so a pass may treat it as iadd, and
# nothing but the emitter may trust more.
iadd_nuw          Int    -                   T,T          T
isub              Int    -                   T,T          T
imul              Int    -                   T,T          T
sdiv              Int    -                   T,T          T      trap:integer_divide_by_zero,integer_overflow
udiv              Int    -                   T,T          T      trap:integer_divide_by_zero
srem              Int    -                   T,T          T      trap:integer_divide_by_zero
urem              Int    -                   T,T          T      trap:integer_divide_by_zero
band              Int    -                   T,T          T
bor               Int    -                   T,T          T
bxor              Int    -                   T,T          T
ishl              Int    -                   T,T          T
ushr              Int    -                   T,T          T
sshr              Int    -                   T,T          T
rotl              Int    -                   T,T          T
rotr              Int    -                   T,T          T
clz               Int    -                   T            T
ctz               Int    -                   T            T
popcnt            Int    -                   T            T
sextend8          Int    -                   T            T
sextend16         Int    -                   T            T
sextend32         i64    -                   T            T
eqz               Int    -                   T            i32
icmp              Int    intcc               T,T          i32
ireduce           i32    -                   i64          T
uextend           i64    -                   i32          T
sextend           i64    -                   i32          T
# ---- wide arithmetic: 128-bit integers as (low, high) i64 pairs -----------------
# (results too: low first).  Wrapping 128-bit add/sub; the full 128-bit
# product of two i64 read as signed (smul_wide) or unsigned (umul_wide).
iadd128           -      -                   i64,i64,i64,i64 i64,i64
isub128           -      -                   i64,i64,i64,i64 i64,i64
smul_wide         -      -                   i64,i64      i64,i64
umul_wide         -      -                   i64,i64      i64,i64
# ---- float arithmetic ------------------------------------------------------------
fadd              Float  -                   T,T          T
fsub              Float  -                   T,T          T
fmul              Float  -                   T,T          T
fdiv              Float  -                   T,T          T
fmin              Float  -                   T,T          T
fmax              Float  -                   T,T          T
fcopysign         Float  -                   T,T          T
fabs              Float  -                   T            T
fneg              Float  -                   T            T
fsqrt             Float  -                   T            T
fceil             Float  -                   T            T
ffloor            Float  -                   T            T
ftrunc            Float  -                   T            T
fnearest          Float  -                   T            T
fcmp              Float  floatcc             T,T          i32
# ---- conversions ---------------------------------------------------------------
fpromote          f64    -                   f32          T
fdemote           f32    -                   f64          T
fcvt_from_sint    Float  -                   Int          T
fcvt_from_uint    Float  -                   Int          T
fcvt_to_sint      Int    -                   Float        T      trap:integer_overflow,invalid_conversion
fcvt_to_uint      Int    -                   Float        T      trap:integer_overflow,invalid_conversion
fcvt_to_sint_sat  Int    -                   Float        T
fcvt_to_uint_sat  Int    -                   Float        T
bitcast           Num    -                   Tbits        T
# ---- parametric / references -----------------------------------------------------
select            Any    -                   i32,T,T      T
is_null           -      -                   Ref          i32
# ---- linear memory -------------------------------------------------------------
load              NumV   memflags,mem,offset A            T      trap:memory_out_of_bounds reads:mem access:T
uload8            Int    memflags,mem,offset A            T      trap:memory_out_of_bounds reads:mem access:8
sload8            Int    memflags,mem,offset A            T      trap:memory_out_of_bounds reads:mem access:8
uload16           Int    memflags,mem,offset A            T      trap:memory_out_of_bounds reads:mem access:16
sload16           Int    memflags,mem,offset A            T      trap:memory_out_of_bounds reads:mem access:16
uload32           i64    memflags,mem,offset A            T      trap:memory_out_of_bounds reads:mem access:32
sload32           i64    memflags,mem,offset A            T      trap:memory_out_of_bounds reads:mem access:32
store             NumV   memflags,mem,offset A,T          -      trap:memory_out_of_bounds writes:mem access:T
istore8           Int    memflags,mem,offset A,T          -      trap:memory_out_of_bounds writes:mem access:8
istore16          Int    memflags,mem,offset A,T          -      trap:memory_out_of_bounds writes:mem access:16
istore32          i64    memflags,mem,offset A,T          -      trap:memory_out_of_bounds writes:mem access:32
bounds_check      -      mem,offset          A            -      trap:memory_out_of_bounds reads:mem
in_bounds         -      mem,offset          A            i32    reads:mem
memory_size       -      mem                 -            A      reads:mem
memory_grow       -      mem                 A            A      reads:mem writes:mem
memory_fill       -      mem                 A,i32,A      -      trap:memory_out_of_bounds writes:mem
memory_copy       -      mem,mem             A,A2,Amin    -      trap:memory_out_of_bounds reads:mem writes:mem
memory_init       -      mem,data            A,i32,i32    -      trap:memory_out_of_bounds reads:seg writes:mem
# mismatch8 a, b, n (the bytecmp pass's form of a byte-compare loop): the
# least k < n (unsigned) at which the bytes at a + k and b + k differ (the
# sums wrap), else n.  It reads as the loop did, a + k and b + k for k = 0,
# 1, ..., trapping at the first byte out of bounds before a difference.
mismatch8         -      mem                 A,A,A        A      trap:memory_out_of_bounds reads:mem
# prefetch memN A: the cache line of byte A will be read soon (the prefetch
# pass).  A hint: it never traps, whatever A is (x86 prefetcht0 and AArch64
# prfm do not fault), reads nothing the program sees, and stays put (hint).
prefetch          -      mem                 A            -      hint
data_drop         -      data                -            -      writes:seg
# ---- globals and tables --------------------------------------------------------
global_get        -      global              -            G      reads:global
global_set        -      global              G            -      writes:global
table_get         -      table               i32          E      trap:table_out_of_bounds reads:table
table_set         -      table               i32,E        -      trap:table_out_of_bounds writes:table
table_size        -      table               -            i32    reads:table
table_grow        -      table               E,i32        i32    reads:table writes:table
table_fill        -      table               i32,E,i32    -      trap:table_out_of_bounds writes:table
table_copy        -      table,table         i32,i32,i32  -      trap:table_out_of_bounds reads:table writes:table
table_init        -      table,elem          i32,i32,i32  -      trap:table_out_of_bounds reads:seg writes:table
elem_drop         -      elem                -            -      writes:seg
# ---- calls ---------------------------------------------------------------------
call              -      func                ...          sig    call
call_indirect     -      sig,table           i32,...      sig    call trap:undefined_element,uninitialized_element,indirect_call_type_mismatch reads:table
# ---- control flow (terminators) ------------------------------------------------
return            -      -                   rets...      -      term
# Tail calls: terminators whose callee's results become the function's
# results (the verifier checks they are the same types); no successors.
return_call       -      func                ...          -      call term
return_call_indirect -   sig,table           i32,...      -      call term trap:undefined_element,uninitialized_element,indirect_call_type_mismatch reads:table
jump              -      -                   -            -      term branch:1
brif              -      -                   i32          -      term branch:2
br_table          -      -                   i32          -      term branch:table
trap              -      trapcode            -            -      term trap:imm
unreachable       -      -                   -            -      term
# ---- conditional traps (not terminators) --------------------------------------
trapz             -      trapcode            i32          -      trap:imm
trapnz            -      trapcode            i32          -      trap:imm
# ---- SIMD (v128) -----------------------------------------------------------------
# Lane-wise ops: the controlling type is the lane shape (see the docstring),
# operands/results are v128.  Integer lanes wrap; shift counts are taken
# modulo the lane width; float ops follow Wasm (fmin/fmax NaN-propagating
# with -0 < +0, pmin/pmax = b < a ? b : a / a < b ? b : a, NaN results are
# arithmetic NaNs); conversions to int saturate (NaN -> 0).
# Memory accesses: the same contract as load/store (a v128 `load`/`store`
# is `load.v128`); extending/splat/zero/lane loads touch the bytes `access`
# says.  `lane` immediates index lanes of the shape or of the access width.
vconst            -      imm128              -            v128
shuffle           -      imm128              v128,v128    v128
swizzle           -      -                   v128,v128    v128
splat             Shape  -                   L            v128
extractlane       i32x4|i64x2|f32x4|f64x2 lane v128      L
sextractlane      i8x16|i16x8 lane           v128         i32
uextractlane      i8x16|i16x8 lane           v128         i32
insertlane        Shape  lane                v128,L       v128
vnot              -      -                   v128         v128
vand              -      -                   v128,v128    v128
vor               -      -                   v128,v128    v128
vxor              -      -                   v128,v128    v128
vandnot           -      -                   v128,v128    v128
bitselect         -      -                   v128,v128,v128 v128
vany_true         -      -                   v128         i32
vall_true         IShape -                   v128         i32
vbitmask          IShape -                   v128         i32
viadd             IShape -                   v128,v128    v128
visub             IShape -                   v128,v128    v128
vimul             i16x8|i32x4|i64x2 -        v128,v128    v128
vineg             IShape -                   v128         v128
viabs             IShape -                   v128         v128
vpopcnt           i8x16  -                   v128         v128
vsadd_sat         i8x16|i16x8 -              v128,v128    v128
vuadd_sat         i8x16|i16x8 -              v128,v128    v128
vssub_sat         i8x16|i16x8 -              v128,v128    v128
vusub_sat         i8x16|i16x8 -              v128,v128    v128
vsmin             i8x16|i16x8|i32x4 -        v128,v128    v128
vumin             i8x16|i16x8|i32x4 -        v128,v128    v128
vsmax             i8x16|i16x8|i32x4 -        v128,v128    v128
vumax             i8x16|i16x8|i32x4 -        v128,v128    v128
vavgr_u           i8x16|i16x8 -              v128,v128    v128
vq15mulr_sat      i16x8  -                   v128,v128    v128
# widening ops: the controlling type is the RESULT shape (lanes of half
# the width come in); narrowing: the result shape too.
vdot_s            i32x4  -                   v128,v128    v128
vsextmul_low      i16x8|i32x4|i64x2 -        v128,v128    v128
vsextmul_high     i16x8|i32x4|i64x2 -        v128,v128    v128
vuextmul_low      i16x8|i32x4|i64x2 -        v128,v128    v128
vuextmul_high     i16x8|i32x4|i64x2 -        v128,v128    v128
vsextadd_pairwise i16x8|i32x4 -              v128         v128
vuextadd_pairwise i16x8|i32x4 -              v128         v128
vswiden_low       i16x8|i32x4|i64x2 -        v128         v128
vswiden_high      i16x8|i32x4|i64x2 -        v128         v128
vuwiden_low       i16x8|i32x4|i64x2 -        v128         v128
vuwiden_high      i16x8|i32x4|i64x2 -        v128         v128
vsnarrow          i8x16|i16x8 -              v128,v128    v128
vunarrow          i8x16|i16x8 -              v128,v128    v128
vishl             IShape -                   v128,i32     v128
vushr             IShape -                   v128,i32     v128
vsshr             IShape -                   v128,i32     v128
vicmp             IShape intcc               v128,v128    v128
vfcmp             FShape floatcc             v128,v128    v128
vfadd             FShape -                   v128,v128    v128
vfsub             FShape -                   v128,v128    v128
vfmul             FShape -                   v128,v128    v128
vfdiv             FShape -                   v128,v128    v128
vfmin             FShape -                   v128,v128    v128
vfmax             FShape -                   v128,v128    v128
vfpmin            FShape -                   v128,v128    v128
vfpmax            FShape -                   v128,v128    v128
vfabs             FShape -                   v128         v128
vfneg             FShape -                   v128         v128
vfsqrt            FShape -                   v128         v128
vfceil            FShape -                   v128         v128
vffloor           FShape -                   v128         v128
vftrunc           FShape -                   v128         v128
vfnearest         FShape -                   v128         v128
# int <-> float: the controlling type is the FLOAT shape; the int side is
# always i32x4 (f64x2: from its low two lanes / into its low two lanes,
# high lanes of the result zero).
vfcvt_from_sint   FShape -                   v128         v128
vfcvt_from_uint   FShape -                   v128         v128
vfcvt_to_sint_sat FShape -                   v128         v128
vfcvt_to_uint_sat FShape -                   v128         v128
vfdemote_zero     -      -                   v128         v128
vfpromote_low     -      -                   v128         v128
vload8x8_s        -      memflags,mem,offset A            v128   trap:memory_out_of_bounds reads:mem access:64
vload8x8_u        -      memflags,mem,offset A            v128   trap:memory_out_of_bounds reads:mem access:64
vload16x4_s       -      memflags,mem,offset A            v128   trap:memory_out_of_bounds reads:mem access:64
vload16x4_u       -      memflags,mem,offset A            v128   trap:memory_out_of_bounds reads:mem access:64
vload32x2_s       -      memflags,mem,offset A            v128   trap:memory_out_of_bounds reads:mem access:64
vload32x2_u       -      memflags,mem,offset A            v128   trap:memory_out_of_bounds reads:mem access:64
vload8_splat      -      memflags,mem,offset A            v128   trap:memory_out_of_bounds reads:mem access:8
vload16_splat     -      memflags,mem,offset A            v128   trap:memory_out_of_bounds reads:mem access:16
vload32_splat     -      memflags,mem,offset A            v128   trap:memory_out_of_bounds reads:mem access:32
vload64_splat     -      memflags,mem,offset A            v128   trap:memory_out_of_bounds reads:mem access:64
vload32_zero      -      memflags,mem,offset A            v128   trap:memory_out_of_bounds reads:mem access:32
vload64_zero      -      memflags,mem,offset A            v128   trap:memory_out_of_bounds reads:mem access:64
vload8_lane       -      memflags,mem,offset,lane A,v128  v128   trap:memory_out_of_bounds reads:mem access:8
vload16_lane      -      memflags,mem,offset,lane A,v128  v128   trap:memory_out_of_bounds reads:mem access:16
vload32_lane      -      memflags,mem,offset,lane A,v128  v128   trap:memory_out_of_bounds reads:mem access:32
vload64_lane      -      memflags,mem,offset,lane A,v128  v128   trap:memory_out_of_bounds reads:mem access:64
vstore8_lane      -      memflags,mem,offset,lane A,v128  -      trap:memory_out_of_bounds writes:mem access:8
vstore16_lane     -      memflags,mem,offset,lane A,v128  -      trap:memory_out_of_bounds writes:mem access:16
vstore32_lane     -      memflags,mem,offset,lane A,v128  -      trap:memory_out_of_bounds writes:mem access:32
vstore64_lane     -      memflags,mem,offset,lane A,v128  -      trap:memory_out_of_bounds writes:mem access:64
# ---- typed function references (appended: existing opcode numbers stay) ----------
# call_ref sigT vF(args): a call through funcref vF (the first operand), whose
# signature the validator proved is sigT: a null check, no signature check.
call_ref          -      sig                 funcref,...  sig    call trap:null_function_reference
return_call_ref   -      sig                 funcref,...  -      call term trap:null_function_reference
# ---- exception handling (appended; backends/ABI.md "Exceptions") -----------------
# An exception is a heap object (an externref-typed pointer: exnref erases to
# it) holding its tag and payload.  A call returns normally with the
# per-thread *pending* slot set when its callee threw; the translator checks
# the slot after every call that may throw (Module.may_throw_across_calls)
# and branches to the enclosing try_table's dispatch, or propagates.
# exn_new sigS tagT (args): a new exception of tag T (S = T's signature).
# exn_propagate v: set the pending slot to v and return (results undefined:
# the caller looks at the slot first).  exn_is tagT v: whether v's tag is
# this instance's tag T.  exn_field.T k v: payload value k.  exn_free v:
# release v (a catch without _ref), unless exn_keep v marked it as an
# exnref value (catch_ref: copies may live anywhere, it is never freed).
exn_new           -      sig,tag             ...          externref writes:global
exn_pending       -      -                   -            externref reads:global
exn_clear         -      -                   -            -      writes:global
exn_propagate     -      -                   externref    -      term writes:global
exn_is            -      tag                 externref    i32    reads:global
exn_field         Any    imm64               externref    T      reads:global
exn_free          -      -                   externref    -      writes:global
exn_keep          -      -                   externref    -      writes:global
"""

_TYPES = {"i32": I32, "i64": I64, "f32": F32, "f64": F64, "v128": V128,
          "funcref": FUNCREF, "externref": EXTERNREF}
_CLASSES = {"Int": (Spec.INT, INT), "Float": (Spec.FLOAT, FLOAT),
            "Num": (Spec.NUM, NUM), "Ref": (Spec.REF, REF), "Any": (Spec.ANY, ANY)}
#: Classes usable only as a controlling type (never as an operand spec).
_CTRL_CLASSES = {"NumV": NUM | {V128}, "Shape": SHAPE, "IShape": ISHAPE, "FShape": FSHAPE}
_SYMBOLS = {"L": Spec.L, "T": Spec.T, "Tbits": Spec.TBITS, "A": Spec.A, "A2": Spec.A2,
            "Amin": Spec.AMIN, "G": Spec.G, "E": Spec.E}
_EFFECTS = {("reads", "mem"): Flag.READS_MEM, ("writes", "mem"): Flag.WRITES_MEM,
            ("reads", "table"): Flag.READS_TABLE, ("writes", "table"): Flag.WRITES_TABLE,
            ("reads", "global"): Flag.READS_GLOBAL, ("writes", "global"): Flag.WRITES_GLOBAL,
            ("reads", "seg"): Flag.READS_SEG, ("writes", "seg"): Flag.WRITES_SEG}

#: Branch count marker for br_table (a default plus a variable list).
BRANCH_TABLE = -1


@dataclass(frozen=True, slots=True)
class OpInfo:
    """Everything the compiler knows about one opcode (one table row)."""
    opcode: int
    name: str
    ctrl: frozenset[int] | None        # allowed controlling types, None = none
    imms: tuple[ImmKind, ...]
    args: tuple[int, ...]              # fixed operand specs
    varargs: VarArgs
    results: tuple[int, ...]           # result specs (empty when sig_results)
    sig_results: bool                  # results come from a signature
    flags: Flag
    traps: tuple[TrapCode, ...]        # codes it may trap with (empty: see imm)
    trap_imm: bool                     # trap code is the TRAPCODE immediate
    access: int                        # bytes accessed: 0 none, -1 = T's width
    branches: int                      # 0, 1, 2 or BRANCH_TABLE
    ctrl_arg: int                      # index of the first `T` operand, or -1

    # Derived booleans, computed once per row (enum flag arithmetic is slow
    # in CPython and these are asked per instruction in every pass).
    is_terminator: bool = False
    is_call: bool = False
    may_trap: bool = False     # statically; a notrap memflags can still rule
                               # it out per instruction (DataFlowGraph.can_trap)
    writes: bool = False       # writes memory/table/global/segment state, or calls
    reads: bool = False
    is_pure: bool = False      # no flag at all: removable when unused
    is_hint: bool = False      # Flag.HINT: no effect, but never removed

    @property
    def is_branch(self) -> bool:
        return self.branches != 0

    def access_bytes(self, ctrl: int) -> int:
        """Bytes a memory access with controlling type ``ctrl`` touches (0
        for non-accesses)."""
        return self.access if self.access != -1 else bits(ctrl) // 8

    def natural_align_log2(self, ctrl: int) -> int:
        """log2 of the access's natural alignment (its size)."""
        return self.access_bytes(ctrl).bit_length() - 1

    def imm_index(self, kind: ImmKind) -> int:
        """Position of the first immediate of ``kind`` (ValueError if none)."""
        return self.imms.index(kind)


def _spec(s: str) -> int:
    if s in _TYPES:
        return _TYPES[s]
    if s in _CLASSES:
        return _CLASSES[s][0]
    return _SYMBOLS[s]


def _parse_table(text: str) -> list[OpInfo]:
    rows = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, ctrl_s, imms_s, args_s, res_s, *flag_words = line.split()
        if ctrl_s == "-":
            ctrl = None
        elif ctrl_s in _CLASSES:
            ctrl = frozenset(_CLASSES[ctrl_s][1])
        elif ctrl_s in _CTRL_CLASSES:
            ctrl = frozenset(_CTRL_CLASSES[ctrl_s])
        else:   # a type, or a `|` list of types / lane shapes
            ctrl = frozenset(type_from_name(t) for t in ctrl_s.split("|"))
        imm_list: list[ImmKind] = []
        for k in ([] if imms_s == "-" else imms_s.split(",")):
            imm_list.append(ImmKind[k.upper()])
            if k == "imm128":
                imm_list.append(ImmKind.IMM128_HI)
        imms = tuple(imm_list)
        varargs = VarArgs.NONE
        args: list[int] = []
        for a in ([] if args_s == "-" else args_s.split(",")):
            if a == "...":
                varargs = VarArgs.SIG_PARAMS
            elif a == "rets...":
                varargs = VarArgs.FUNC_RESULTS
            else:
                assert varargs is VarArgs.NONE, f"{name}: variadic must be last"
                args.append(_spec(a))
        sig_results = res_s == "sig"
        results = () if res_s in ("-", "sig") else tuple(_spec(r) for r in res_s.split(","))
        flags = Flag.NONE
        traps: tuple[TrapCode, ...] = ()
        trap_imm = False
        access = 0
        branches = 0
        for w in flag_words:
            key, _, val = w.partition(":")
            if key == "trap":
                flags |= Flag.TRAPS
                if val == "imm":
                    trap_imm = True
                else:
                    traps = tuple(TrapCode[c] for c in val.split(","))
            elif key in ("reads", "writes"):
                for v in val.split(","):
                    flags |= _EFFECTS[key, v]
            elif key == "call":
                flags |= Flag.CALL
            elif key == "term":
                flags |= Flag.TERMINATOR
            elif key == "branch":
                flags |= Flag.BRANCH
                branches = BRANCH_TABLE if val == "table" else int(val)
            elif key == "access":
                access = -1 if val == "T" else int(val) // 8
            elif key == "hint":
                flags |= Flag.HINT
            else:
                raise AssertionError(f"{name}: unknown flag {w}")
        if ctrl is None:
            assert Spec.T not in args and Spec.T not in results, name
        ctrl_arg = args.index(Spec.T) if Spec.T in args else -1
        rows.append(OpInfo(len(rows), name, ctrl, imms, tuple(args), varargs,
                           results, sig_results, flags, traps, trap_imm, access,
                           branches, ctrl_arg,
                           is_terminator=bool(flags & Flag.TERMINATOR),
                           is_call=bool(flags & Flag.CALL),
                           may_trap=bool(flags & (Flag.TRAPS | Flag.CALL)),
                           writes=bool(flags & (WRITES | Flag.CALL)),
                           reads=bool(flags & (READS | Flag.CALL)),
                           is_pure=not flags,
                           is_hint=bool(flags & Flag.HINT)))
    return rows


OPINFO: list[OpInfo] = _parse_table(_TABLE)

#: ``Opcode.iadd`` etc.: the opcode numbers, generated from the table so the
#: names cannot drift from it.  ``int(Opcode.x)`` indexes :data:`OPINFO`.
Opcode = enum.IntEnum("Opcode", [(i.name, i.opcode) for i in OPINFO])
Opcode.__doc__ = "IR opcodes (generated from the table in wasmaot.ir.opcodes)."
Opcode.__module__ = __name__

BY_NAME: dict[str, OpInfo] = {i.name: i for i in OPINFO}
assert len(BY_NAME) == len(OPINFO), "duplicate opcode name"


def info(op: int) -> OpInfo:
    return OPINFO[op]
