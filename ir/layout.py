"""Block order and instruction order: doubly linked lists over arenas.

``Layout`` is separate from the :class:`~.dfg.DataFlowGraph` (as in
Cranelift): the DFG says *what* each instruction computes, the layout says
*where* it sits.  Insert, remove and move are O(1).  Links are ``array('i')``
indexed by entity number, ``-1`` meaning none; ``iblock[i] == -1`` means
instruction ``i`` is not in the layout, ``binl[b] == 0`` that block ``b``
is not.

Iteration (``blocks()``, ``insts(b)``) reads the next link *before* yielding,
so the current item may be removed while iterating.
"""
from __future__ import annotations

from array import array
from typing import Iterator

from .entities import Block, Inst


class Layout:
    __slots__ = ("bprev", "bnext", "binl", "bfirst", "blast", "first_block",
                 "last_block", "iprev", "inext", "iblock", "cold")

    def __init__(self) -> None:
        #: blocks rarely entered (Cranelift's ``block3 cold:``): a branch
        #: hint of the module (ir/translate/control.py) made them.  Advisory
        #: only: the backend weights the branches into them, and a pass
        #: that copies or merges blocks may drop the mark.
        self.cold: set[int] = set()
        self.bprev = array("i")
        self.bnext = array("i")
        self.binl = bytearray()
        self.bfirst = array("i")
        self.blast = array("i")
        self.first_block = -1
        self.last_block = -1
        self.iprev = array("i")
        self.inext = array("i")
        self.iblock = array("i")

    def _grow_blocks(self, b: int) -> None:
        n = b + 1 - len(self.binl)
        if n > 0:
            neg = array("i", [-1]) * n
            self.bprev.extend(neg)
            self.bnext.extend(neg)
            self.bfirst.extend(neg)
            self.blast.extend(neg)
            self.binl.extend(bytes(n))

    def _grow_insts(self, i: int) -> None:
        n = i + 1 - len(self.iblock)
        if n == 1:                      # the common case: the newest inst
            self.iprev.append(-1)
            self.inext.append(-1)
            self.iblock.append(-1)
        elif n > 0:
            neg = array("i", [-1]) * n
            self.iprev.extend(neg)
            self.inext.extend(neg)
            self.iblock.extend(neg)

    # ---- blocks -----------------------------------------------------------
    def set_cold(self, b: int) -> None:
        self.cold.add(int(b))

    def is_cold(self, b: int) -> bool:
        return int(b) in self.cold

    def is_block_inserted(self, b: int) -> bool:
        return b < len(self.binl) and bool(self.binl[b])

    def append_block(self, b: int) -> None:
        self._grow_blocks(b)
        assert not self.binl[b], f"block{b} already in layout"
        self.binl[b] = 1
        self.bprev[b] = self.last_block
        self.bnext[b] = -1
        if self.last_block >= 0:
            self.bnext[self.last_block] = b
        else:
            self.first_block = b
        self.last_block = b

    def insert_block_after(self, b: int, after: int) -> None:
        self._grow_blocks(b)
        assert not self.binl[b] and self.binl[after]
        nxt = self.bnext[after]
        self.binl[b] = 1
        self.bprev[b] = after
        self.bnext[b] = nxt
        self.bnext[after] = b
        if nxt >= 0:
            self.bprev[nxt] = b
        else:
            self.last_block = b

    def insert_block_first(self, b: int) -> None:
        """Make ``b`` the first block (the entry)."""
        self._grow_blocks(b)
        assert not self.binl[b]
        nxt = self.first_block
        self.binl[b] = 1
        self.bprev[b] = -1
        self.bnext[b] = nxt
        self.first_block = b
        if nxt >= 0:
            self.bprev[nxt] = b
        else:
            self.last_block = b

    def remove_block(self, b: int) -> None:
        """Unlink ``b`` and all its instructions."""
        assert self.binl[b]
        for i in list(self.insts(b)):
            self.iblock[i] = -1
        self.bfirst[b] = self.blast[b] = -1
        p, n = self.bprev[b], self.bnext[b]
        if p >= 0:
            self.bnext[p] = n
        else:
            self.first_block = n
        if n >= 0:
            self.bprev[n] = p
        else:
            self.last_block = p
        self.binl[b] = 0
        self.bprev[b] = self.bnext[b] = -1

    def blocks(self) -> Iterator[Block]:
        b = self.first_block
        while b >= 0:
            nxt = self.bnext[b]
            yield Block(b)
            b = nxt

    @property
    def entry_block(self) -> Block | None:
        return Block(self.first_block) if self.first_block >= 0 else None

    # ---- instructions -------------------------------------------------------
    def inst_block(self, i: int) -> Block | None:
        b = self.iblock[i] if i < len(self.iblock) else -1
        return Block(b) if b >= 0 else None

    def is_inst_inserted(self, i: int) -> bool:
        return i < len(self.iblock) and self.iblock[i] >= 0

    def append_inst(self, i: int, b: int) -> None:
        self._grow_insts(i)
        assert self.iblock[i] < 0, f"inst{i} already in layout"
        assert self.binl[b], f"block{b} not in layout"
        last = self.blast[b]
        self.iblock[i] = b
        self.iprev[i] = last
        self.inext[i] = -1
        if last >= 0:
            self.inext[last] = i
        else:
            self.bfirst[b] = i
        self.blast[b] = i

    def insert_inst_before(self, i: int, before: int) -> None:
        self._grow_insts(i)
        assert self.iblock[i] < 0 and self.iblock[before] >= 0
        b = self.iblock[before]
        p = self.iprev[before]
        self.iblock[i] = b
        self.iprev[i] = p
        self.inext[i] = before
        self.iprev[before] = i
        if p >= 0:
            self.inext[p] = i
        else:
            self.bfirst[b] = i

    def insert_inst_after(self, i: int, after: int) -> None:
        nxt = self.inext[after]
        if nxt >= 0:
            self.insert_inst_before(i, nxt)
        else:
            self.append_inst(i, self.iblock[after])

    def remove_inst(self, i: int) -> None:
        b = self.iblock[i]
        assert b >= 0, f"inst{i} not in layout"
        p, n = self.iprev[i], self.inext[i]
        if p >= 0:
            self.inext[p] = n
        else:
            self.bfirst[b] = n
        if n >= 0:
            self.iprev[n] = p
        else:
            self.blast[b] = p
        self.iblock[i] = -1
        self.iprev[i] = self.inext[i] = -1

    def insts(self, b: int) -> Iterator[Inst]:
        i = self.bfirst[b]
        while i >= 0:
            nxt = self.inext[i]
            yield Inst(i)
            i = nxt

    def first_inst(self, b: int) -> Inst | None:
        i = self.bfirst[b]
        return Inst(i) if i >= 0 else None

    def last_inst(self, b: int) -> Inst | None:
        i = self.blast[b]
        return Inst(i) if i >= 0 else None

    def next_inst(self, i: int) -> Inst | None:
        n = self.inext[i]
        return Inst(n) if n >= 0 else None

    def prev_inst(self, i: int) -> Inst | None:
        p = self.iprev[i]
        return Inst(p) if p >= 0 else None
