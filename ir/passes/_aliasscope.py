"""Alias scopes for loopversion's copy: the test before the loop also shows
that what the loop writes shares no byte with what else it touches, and the
copy's accesses say so (``scope=D:G`` memflags, LLVM ``!alias.scope`` and
``!noalias``).

What: the loop's accesses fall into *keys*: each covered group of
loopversion's test (``root + k``, moving ``s`` bytes a visit: its bytes over
visits ``0..T`` are ``[A, A + E + s*T)``, ``[A - |s|*T, A + E)`` for
``s < 0``), and each address value that does not vary (``a + off`` for
constant offsets: ``[zext(a_0) + min off, zext(a_0) + max end)``).
If the loop has a *hard pair* (a written key and another key of a
different step; a written key that does not move counts against every
other key), every key of a hard pair joins one new domain ``D`` as group
``G``, the test asks that each written member's bytes miss every other
member's (two 64-bit compares a pair: no sum wraps), and the copy's
accesses of member ``G`` carry ``scope=D:G``.  Two members that only read
are not tested: saying that two loads do not alias lets nothing move
that could change a value.  Accesses of no member keep no scope.

Why: a Wasm access carries no type and all of linear memory is one object
to LLVM, so its loop analysis can only compare two accesses' addresses;
for walks of different strides (SQLite's ``balance``: ``b.apCell[i] =
... get2byte(&aCell[2*i])``) it finds no constant distance and gives up,
and it keeps a store to a counter in memory (``b.nCell++``) inside the
loop, which alone stops vectorization.  Native code has C's types and
separate objects.  With the scopes LLVM promotes the counter to a register
and vectorizes: SQLite's cell-pointer loop made 13 instructions a visit
for 49 M visits (640 M of the shell's 12.5 G); natively it is
vectorized, 23 instructions for 8 visits.

Why it is sound: the copy runs only when the test passes, and then no
access of one member shares a byte with an access of another member
during the loop's visits, when either writes (the spans are the test's
own bounds: loopversion._in_bounds; the copy's accesses at those
addresses are exactly the covered ones, and a group's span bounds every
member at every visit).  A key with no span (an access at a varying
address the test does not cover) is never a member.  LLVM's own loop
versioning (LoopVersioning::annotateLoopWithNoAlias, used by its
vectorizer) marks its checked loops the same way.

Trade-off: a loop whose members do overlap (a loop writing through its
counter's bytes) runs the checked loop ``H`` instead of the copy; the test
grows by two compares per tested pair, and a loop with more than
:data:`MAX_KEYS` members takes no scopes.
"""
from __future__ import annotations

from ..opcodes import OPINFO, ImmKind, IntCC, MemFlags, Opcode
from ..types import I32, I64

#: Most members of one domain (the test grows with their square).
MAX_KEYS = 8


def _access(dfg, inst: int) -> tuple[int, int, int, int] | None:
    """``(mem, address value, first byte offset, end offset)`` of a load or
    store, else None."""
    info = OPINFO[dfg.op[inst]]
    if not info.access or ImmKind.MEMFLAGS not in info.imms:
        return None
    off = dfg.inst_imm(inst, ImmKind.OFFSET)
    return (dfg.inst_imm(inst, ImmKind.MEM), int(dfg.inst_args(inst)[0]), off,
            off + dfg.access_bytes(inst))


def _keys(func, loop, covered: dict) -> tuple[dict, dict, set]:
    """``(inst -> key, key -> [lo, hi] offsets of a fixed key, written
    keys)`` over the loop's accesses, in program order; an access with no
    span (neither fixed nor covered) has no key.  ``covered`` maps each
    covered access to its group (loopversion._covered)."""
    dfg, lay = func.dfg, func.layout
    mems = func.module.memories
    of, fixed, written = {}, {}, set()
    for b in loop.blocks:
        for inst in lay.insts(b):
            acc = _access(dfg, inst)
            if acc is None or mems[acc[0]].index_type != I32:
                continue
            mem, a, lo, hi = acc
            if loop.step(a) == 0:
                key = (mem, "at", a)
                span = fixed.setdefault(key, [lo, hi])
                span[0], span[1] = min(span[0], lo), max(span[1], hi)
            elif inst in covered:
                key = covered[inst]
            else:
                continue
            of[inst] = key
            if OPINFO[dfg.op[inst]].writes:
                written.add(key)
    return of, fixed, written


def _step(key) -> int:
    return 0 if key[1] == "at" else key[2]


def _members(keys: list, written: set) -> list:
    """Keys (in the order given) in a hard pair (see the module docstring)."""
    out = set()
    for w in written:
        for k in keys:
            if k != w and k[0] == w[0] and (_step(w) == 0 or _step(k) != _step(w)):
                out.update((w, k))
    return [k for k in keys if k in out]


def disjoint(func, loop, covered: dict, groups: dict, t64) -> tuple[int, int, dict] | None:
    """``(ok, domain, inst -> group)``: ``ok`` an i32 computed in ``P``, 1
    iff no written member shares a byte with another member at any visit;
    None (nothing emitted) if the loop has no hard pair or too many
    members.  Groups and ``covered`` are ``_covered``'s, their starts in
    ``loop.starts``; the domain is the next of ``loop.domains`` (one
    counter per run of the pass)."""
    of, fixed, written = _keys(func, loop, covered)
    members = _members(list(dict.fromkeys(of.values())), written)
    if not members or len(members) > MAX_KEYS:
        return None
    domain = loop.domains.take()
    if domain is None:
        return None
    spans: dict = {}
    ok = None
    for i, w in enumerate(members):
        if w not in written:
            continue
        for j, k in enumerate(members):
            if k == w or k[0] != w[0] or (k in written and j < i):
                continue                        # a written pair is tested once
            wlo, whi = _span(loop, spans, w, fixed, groups, t64)
            klo, khi = _span(loop, spans, k, fixed, groups, t64)
            below = loop.emit(Opcode.icmp, I64, (int(IntCC.ule),), (whi, klo), I32)
            above = loop.emit(Opcode.icmp, I64, (int(IntCC.ule),), (khi, wlo), I32)
            one = loop.emit(Opcode.bor, I32, (), (below, above), I32)
            ok = one if ok is None else loop.emit(Opcode.band, I32, (), (ok, one), I32)
    index = {k: g + 1 for g, k in enumerate(members)}
    return (ok if ok is not None else loop.const(I32, 1)), domain, \
        {inst: index[k] for inst, k in of.items() if k in index}


def _span(loop, spans: dict, key, fixed: dict, groups: dict, t64) -> tuple[int, int]:
    """The bytes ``[lo, hi)`` (i64 values in ``P``) of a key, made once."""
    got = spans.get(key)
    if got is not None:
        return got
    if key[1] == "at":
        lo, hi = fixed[key]
        base = loop.emit(Opcode.uextend, I64, (), (loop.initial(key[2]),), I64)
        got = (loop.emit(Opcode.iadd, I64, (), (base, loop.const(I64, lo)), I64),
               loop.emit(Opcode.iadd, I64, (), (base, loop.const(I64, hi)), I64))
    else:
        s = key[2]
        kmin, end = groups[key]
        base = loop.emit(Opcode.uextend, I64, (), (loop.starts[key],), I64)
        top = loop.emit(Opcode.iadd, I64, (), (base, loop.const(I64, end - kmin)), I64)
        if s == 0:
            got = base, top
        else:
            span = loop.emit(Opcode.imul, I64, (), (t64(), loop.const(I64, abs(s))), I64)
            got = ((base, loop.emit(Opcode.iadd, I64, (), (top, span), I64)) if s > 0 else
                   (loop.emit(Opcode.isub, I64, (), (base, span), I64), top))
    spans[key] = got
    return got


def mark(func, loop, group_of: dict, domain: int) -> None:
    """Give the copies (``loop.imap``) of the members' accesses their scope."""
    dfg = func.dfg
    for inst, g in group_of.items():
        new = loop.imap.get(inst)
        if new is not None:
            flags = dfg.inst_imm(new, ImmKind.MEMFLAGS)
            dfg.set_imm(new, ImmKind.MEMFLAGS, MemFlags.with_scope(flags, domain, g))


def func_scopes(func) -> dict[int, set[int]]:
    """domain -> its groups, over the function's accesses."""
    dfg, out = func.dfg, {}
    for b in func.layout.blocks():
        for inst in func.layout.insts(b):
            info = OPINFO[dfg.op[inst]]
            if info.access and ImmKind.MEMFLAGS in info.imms:
                sc = MemFlags.scope(dfg.inst_imm(inst, ImmKind.MEMFLAGS))
                if sc is not None:
                    out.setdefault(sc[0], set()).add(sc[1])
    return out


class Domains:
    """The domains a run of loopversion hands out: from one more than the
    largest the function already uses (found on the first request, so a
    function without hard pairs is never scanned) up to the largest the
    memflags hold."""

    def __init__(self, func) -> None:
        self.func, self.next = func, 0

    def take(self) -> int | None:
        if self.next == 0:
            self.next = max(func_scopes(self.func), default=0) + 1
        if self.next > MemFlags.MAX_DOMAIN:
            return None
        self.next += 1
        return self.next - 1
