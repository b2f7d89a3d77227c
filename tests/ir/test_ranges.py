"""Range analysis (ir/analysis/ranges.py) checked against brute force.

The arithmetic is width-generic, so every rule is checked exhaustively or on
many random cases at W = 8, where all values can be enumerated: a computed
range must contain every value the operation can produce (soundness), and
the trip bound of a loop must be at least the number of back edges a
simulated loop takes.  The filetests (trapelim_ranges_*.ir) show what the
analysis proves on real IR.
"""
import random

import pytest
from wasmaot.ir.analysis import ranges as R
from wasmaot.ir.opcodes import IntCC, Opcode

W = 8
M = 1 << W


def contains(r, x):
    if r is None:
        return True
    lo, hi = r
    assert 0 <= lo < M and lo <= hi and hi - lo < M, r
    return (x - lo) % M <= hi - lo


def values(r):
    lo, hi = r
    return [x % M for x in range(lo, hi + 1)]


def rand_range(rng):
    lo = rng.randrange(M)
    return lo, lo + rng.choice([0, 0, 1, 2, 3, 7, 15, 40, 130, 255])


def rand_or_const(rng):
    if rng.random() < 0.5:
        return rand_range(rng)
    v = rng.randrange(M)
    return v, v


def as_signed(x):
    return x - M if x >= M // 2 else x


OPS = {
    Opcode.iadd: lambda a, b: a + b, Opcode.isub: lambda a, b: a - b,
    Opcode.imul: lambda a, b: a * b, Opcode.ishl: lambda a, b: a << (b % W),
    Opcode.ushr: lambda a, b: a >> (b % W), Opcode.sshr: lambda a, b: as_signed(a) >> (b % W),
    Opcode.band: lambda a, b: a & b, Opcode.bor: lambda a, b: a | b,
    Opcode.bxor: lambda a, b: a ^ b,
    Opcode.urem: lambda a, b: a % b if b else None, Opcode.udiv: lambda a, b: a // b if b else None,
}


@pytest.mark.parametrize("op", list(OPS), ids=lambda o: o.name)
def test_binary_transfer_is_sound(op):
    rng = random.Random(int(op))
    f = R._BINARY[op]
    for _ in range(400):
        a, b = rand_range(rng), rand_range(rng)
        if rng.random() < 0.3:
            b = (b[0], b[0])                 # constant operand: the exact rules
        r = f(a, b, W)
        for x in values(a):
            for y in values(b):
                z = OPS[op](x, y)
                assert z is None or contains(r, z % M), (op.name, a, b, r, x, y)


def test_join_meet_shift_sound():
    rng = random.Random(1)
    for _ in range(2000):
        a, b = rand_range(rng), rand_range(rng)
        j, m = R.join(a, b, W), R.meet(a, b, W)
        for x in values(a) + values(b):
            assert contains(j, x)
        for x in set(values(a)) & set(values(b)):
            assert contains(m, x)
        d = rng.randrange(-300, 300)
        s = R.shift(a, d, W)
        assert all(contains(s, (x + d) % M) for x in values(a))


def test_join_wraps_instead_of_widening():
    assert R.join((M - 1, M - 1), (0, 0), W) == (M - 1, M)
    assert R.unsigned((M - 1, M), W) == (0, M - 1)
    assert R.signed((M - 1, M), W) == (-1, 0)


def test_sign_extension_sound():
    rng = random.Random(2)
    f = R._sext(4)
    for _ in range(500):
        a = rand_range(rng)
        r = f(a, W)
        for x in values(a):
            low = x & 15
            assert contains(r, (low - 16 if low >= 8 else low) % M)


def holds(cc, x, y):
    sx, sy = as_signed(x), as_signed(y)
    return {IntCC.eq: x == y, IntCC.ne: x != y, IntCC.ult: x < y, IntCC.ule: x <= y,
            IntCC.ugt: x > y, IntCC.uge: x >= y, IntCC.slt: sx < sy, IntCC.sle: sx <= sy,
            IntCC.sgt: sx > sy, IntCC.sge: sx >= sy}[cc]


@pytest.mark.parametrize("cc", list(IntCC), ids=lambda c: c.name)
def test_branch_bound_sound(cc):
    """Refining a by ``a cc b`` keeps every a for which some b makes it true."""
    rng = random.Random(int(cc))
    for _ in range(300):
        cur, br = rand_range(rng), rand_range(rng)
        if rng.random() < 0.3:
            br = (br[0], br[0])
        r = R.meet(cur, R._bound(cc, br, cur, W), W)
        for x in values(cur):
            if any(holds(cc, x, y) for y in values(br)):
                assert contains(r, x), (cc.name, cur, br, r, x)


def back_edges(cc, x0, c, y, cap=3 * M):
    """Back edges a loop takes while x_k = x0 + k*c satisfies x_k cc y."""
    k, x = 0, x0
    while holds(cc, x, y):
        k += 1
        x = (x + c) % M
        if k > cap:
            return None
    return k


@pytest.mark.parametrize("cc", list(IntCC), ids=lambda c: c.name)
def test_trip_bound_sound(cc):
    rng = random.Random(100 + int(cc))
    proved = 0
    for _ in range(600):
        x0, y = rand_or_const(rng), rand_or_const(rng)
        c = rng.choice([-8, -5, -4, -2, -1, 1, 2, 3, 4, 8, 16])
        bound = R._trips(cc, x0, c, y, W)
        if bound is None:
            continue
        proved += 1
        for xv in values(x0):
            for yv in values(y):
                n = back_edges(cc, xv, c, yv)
                assert n is not None and n <= bound, (cc.name, x0, c, y, bound, xv, yv, n)
    if cc in (IntCC.ne, IntCC.ult, IntCC.ule, IntCC.ugt, IntCC.uge, IntCC.slt, IntCC.sge):
        assert proved > 20, "the rule never applied: the test would prove nothing"


def test_trip_bound_exact_for_counted_loops():
    """for (i = 0; i != 100; i += 4) takes 25 back edges... none: 100 is
    reached after 25 steps, so the guard i + 4 != 100 (d = 4) allows 24."""
    assert R._trips(IntCC.ne, (4, 4), 4, (100, 100), W) == 24
    assert back_edges(IntCC.ne, 4, 4, 100) == 24
    assert R._trips(IntCC.ne, (3, 3), 4, (100, 100), W) is None     # never equal: wraps
    assert R._trips(IntCC.ult, (0, 0), 1, (M - 1, M - 1), W) == M - 1
    assert R._trips(IntCC.ult, (0, 0), 2, (M - 1, M - 1), W) is None  # may step over 2^W


def test_trip_bound_ne_range_sound():
    """x_k != e with x_0 or e a range (the end is reached exactly only if
    the distances are multiples of the step: known low zero bits of e)."""
    rng = random.Random(7)
    proved = 0
    for _ in range(3000):
        x0, er = rand_or_const(rng), rand_or_const(rng)
        c = rng.choice([-4, -2, -1, 1, 2, 4])
        tz = rng.randrange(4)
        bound = R._trips_ne(x0, c, er, tz, W)
        if bound is None:
            continue
        proved += 1
        for xv in values(x0):
            for e in values(er):
                if e % (1 << tz):
                    continue                      # not a value e can have
                n = back_edges(IntCC.ne, xv, c, e)
                assert n is not None and n <= bound, (x0, c, er, tz, bound, xv, e, n)
    assert proved > 50
