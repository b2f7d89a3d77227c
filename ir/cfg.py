"""Control-flow graph and dominator tree.

``ControlFlowGraph`` lists successors and predecessors (as ``(block,
branch inst)`` pairs; a ``br_table`` naming a block twice is two edges).
``DominatorTree`` is Cooper, Harvey & Kennedy's iterative algorithm over
reverse postorder ("A Simple, Fast Dominance Algorithm"), with DFS
pre/post numbers on the tree so ``dominates`` is O(1).  Only blocks
reachable from the entry are in the tree.  ``natural_loops`` lists the
loops' bodies from the back edges.
"""
from __future__ import annotations

from .entities import Block
from .function import Function


class ControlFlowGraph:
    __slots__ = ("succs", "preds")

    def __init__(self, func: Function) -> None:
        n = func.dfg.num_blocks
        self.succs: list[list[int]] = [[] for _ in range(n)]
        self.preds: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        dfg, lay = func.dfg, func.layout
        for b in lay.blocks():
            last = lay.blast[b]
            if last < 0:
                continue
            for s in dfg.inst_successors(last):
                if s < n:
                    self.succs[b].append(s)
                    self.preds[s].append((b, last))


class DominatorTree:
    __slots__ = ("rpo", "idom", "rpo_index", "children", "pre", "post")

    def __init__(self, func: Function, cfg: ControlFlowGraph | None = None) -> None:
        cfg = cfg or ControlFlowGraph(func)
        n = func.dfg.num_blocks
        entry = func.layout.first_block
        # Reverse postorder by iterative DFS.
        post: list[int] = []
        seen = bytearray(n)
        if entry >= 0:
            stack = [(entry, iter(cfg.succs[entry]))]
            seen[entry] = 1
            while stack:
                b, it = stack[-1]
                for s in it:
                    if not seen[s]:
                        seen[s] = 1
                        stack.append((s, iter(cfg.succs[s])))
                        break
                else:
                    stack.pop()
                    post.append(b)
        self.rpo = post[::-1]
        idx = [-1] * n
        for i, b in enumerate(self.rpo):
            idx[b] = i
        self.rpo_index = idx
        idom = [-1] * n
        if entry >= 0:
            idom[entry] = entry
        changed = True
        while changed:
            changed = False
            for b in self.rpo[1:]:
                new = -1
                for p, _ in cfg.preds[b]:
                    if idom[p] < 0:
                        continue
                    if new < 0:
                        new = p
                        continue
                    a, c = p, new          # intersect
                    while a != c:
                        while idx[a] > idx[c]:
                            a = idom[a]
                        while idx[c] > idx[a]:
                            c = idom[c]
                    new = a
                if idom[b] != new:
                    idom[b] = new
                    changed = True
        self.idom = idom
        children: list[list[int]] = [[] for _ in range(n)]
        for b in self.rpo[1:]:
            children[idom[b]].append(b)
        self.children = children
        pre, postn = [-1] * n, [-1] * n
        counter = 0
        if entry >= 0:
            stack2 = [(entry, False)]
            while stack2:
                b, done = stack2.pop()
                if done:
                    postn[b] = counter
                    counter += 1
                    continue
                pre[b] = counter
                counter += 1
                stack2.append((b, True))
                for c in reversed(children[b]):
                    stack2.append((c, False))
        self.pre, self.post = pre, postn

    def is_reachable(self, b: int) -> bool:
        return self.rpo_index[b] >= 0 if b < len(self.rpo_index) else False

    def dominates(self, a: int, b: int) -> bool:
        """Block ``a`` dominates block ``b`` (reflexive); False if either is
        unreachable."""
        pa, pb = self.pre[a], self.pre[b]
        return pa >= 0 and pb >= 0 and pa <= pb and self.post[b] <= self.post[a]

    def immediate_dominator(self, b: int) -> Block | None:
        d = self.idom[b]
        return None if d < 0 or d == b else Block(d)

    def preorder(self) -> list[Block]:
        """Blocks in dominator-tree preorder (a block before all it dominates)."""
        return sorted((Block(b) for b in self.rpo), key=lambda b: self.pre[b])


def natural_loops(func: Function, cfg: ControlFlowGraph | None = None,
                  dom: DominatorTree | None = None) -> dict[int, set[int]]:
    """Header -> body of each natural loop: for every back edge ``t -> h``
    (``h`` dominates ``t``), ``h`` and every reachable block that reaches
    ``t`` without passing ``h``; back edges to one header make one loop.
    Nested loops are separate entries, the inner body inside the outer."""
    cfg = cfg or ControlFlowGraph(func)
    dom = dom or DominatorTree(func, cfg)
    bodies: dict[int, set[int]] = {}
    for t in dom.rpo:
        for h in cfg.succs[t]:
            if not dom.dominates(h, t):
                continue
            body = bodies.setdefault(h, {h})
            todo = [t]
            while todo:
                b = todo.pop()
                if b not in body:
                    body.add(b)
                    todo.extend(p for p, _ in cfg.preds[b] if dom.is_reachable(p))
    return bodies
