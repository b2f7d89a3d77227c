"""A link plan -> one LLVM module: every instance, wired at compile time.

What: each instance of the plan (:mod:`wasmaot.ir.plan`) is emitted as a
lone module would be (:func:`.emit.emit_instance`), under its own symbol
prefix: the main instance keeps ``P`` (``opts.prefix``), library instance
``k`` is ``P_iK``.  What the plan adds:

* **One block of memory for the program.**  The instances' layouts are laid
  end to end in one block, the main instance first (offset 0), so the host
  sees one ordinary module: ``P_module`` publishes the whole block's size,
  the main instance's exports and trampolines, and the imports that are
  left to the host (every instance's, at their offsets in the block).  A
  host (the standalone main, the spec driver) needs nothing new.
* **Direct calls.**  An import bound to another instance's function is
  called directly, in the internal convention, with that instance's pointer
  computed from our own: ``%inst + (base_j - base_i)`` (both instances live
  in the same block, so the difference is a compile-time constant).
  Imported memories, tables and globals bound to another instance's *defined*
  ones are addressed the same way, with no slot load.
* **Instantiation in plan order** (``P.program.instantiate``): call each
  instance's ``instantiate`` (a failure stops there), and right after it
  copy every import slot bound to that instance's items into the importers
  (a funcref, or the memory/table/global pointer), so that they are filled
  before any later instance's start function runs.
  The slots are still filled because funcrefs are values (``ref.func`` of an
  import, tables) and not every access goes through the hooks.

A plan of one instance is emitted exactly as a lone module (same text).
"""
from __future__ import annotations

from ...ir.module import EXTERN_FUNC, EXTERN_GLOBAL, EXTERN_MEMORY, EXTERN_TABLE
from ...ir.types import I64
from ...ir.plan import HostBinding, InstanceBinding, LinkPlan
from .. import abi
from . import upper
from .common import TBAA_INST, Builder, Callee, ModuleContext
from .emit import emit_instance, module_text, name_functions
from .instance import InstanceLayout, descriptor_text, extern_type


class PlanContext(ModuleContext):
    """A :class:`ModuleContext` whose imports the plan binds: instance
    ``index`` of ``plan``, at byte ``bases[index]`` of the program block;
    ``contexts`` are every instance's contexts (filled by the caller)."""

    def __init__(self, plan: LinkPlan, index: int, bases: list[int],
                 contexts: list[PlanContext], opts, target, layout, prefix: str) -> None:
        super().__init__(plan.instances[index].module, opts, target, layout)
        self.prefix = prefix
        self.plan, self.index, self.bases, self.contexts = plan, index, bases, contexts

    def block_offset(self) -> int:
        return self.bases[self.index]

    def _other(self, b: Builder, j: int) -> str:
        """Instance ``j``'s pointer, from ours."""
        delta = self.bases[j] - self.bases[self.index]
        if delta == 0:
            return "%inst"
        t = b.tmp("oi")
        b.emit(f"{t} = getelementptr i8, ptr %inst, i64 {delta}")
        return t

    def import_callee(self, b: Builder, fn: int) -> Callee | None:
        bound = self.plan.binding(self.index, EXTERN_FUNC, fn)
        if not isinstance(bound, InstanceBinding):
            return None
        other = self.contexts[bound.instance]
        inst = self.own_instance_arg(self._other(b, bound.instance))
        return Callee("@" + other.fname(bound.index), inst, other.cc)

    def import_object(self, b: Builder, kind: int, index: int) -> str | None:
        bound = self.plan.binding(self.index, kind, index)
        if not isinstance(bound, InstanceBinding):
            return None
        lay = self.contexts[bound.instance].layout
        field = {EXTERN_TABLE: lay.table_struct, EXTERN_MEMORY: lay.mem_struct,
                 EXTERN_GLOBAL: lay.global_storage}[kind]
        return b.gep(self._other(b, bound.instance), field[bound.index])


def emit_program(plan: LinkPlan, opts, target, data_layout: str, cpu: str,
                 features: str) -> tuple[str, list[tuple[str, list[bytes]]]]:
    """The LLVM module text, and the data blobs it declares external:
    (symbol, byte chunks) each, for :func:`..codegen.data_object` (see
    :meth:`.common.ModuleContext.blob`)."""
    n = len(plan.instances)
    P = opts.prefix
    layouts = [InstanceLayout(inst.module, target.pointer_bytes) for inst in plan.instances]
    # The main instance first in the block: the host's instance pointer is its.
    order = [plan.main] + list(range(n - 1))
    bases = [0] * n
    end = 0
    for i in order:
        bases[i] = end
        end += layouts[i].size            # sizes are multiples of 16
    context = PlanContext
    if getattr(opts, "links", None) is not None:   # one module of several objects (spec runner)
        if n != 1:
            raise ValueError("compile-time object links apply to a lone module, not a plan")
        from .script_links import LinkedContext as context
    contexts: list[PlanContext] = []
    for i in range(n):
        prefix = P if i == plan.main else f"{P}_i{i}"
        contexts.append(context(plan, i, bases, contexts, opts, target, layouts[i], prefix))
    for mc in contexts[1:]:
        mc.md_next = contexts[0].md_next
    for i, mems in segment_memories(plan, opts, target).items():
        contexts[i].segment_mems = frozenset(mems)
    clean = upper.enabled(target, features)
    for mc in contexts:
        mc.clean_upper = clean
    for mc in contexts:        # names first: a body may call any instance's functions
        name_functions(mc)
    funcs, glue = [], []
    results = [None] * n
    for i in order:
        results[i] = emit_instance(contexts[i], trampolines=(i == plan.main))
    for i in order:
        funcs += results[i][0]
        glue += results[i][1]
    main = contexts[plan.main]
    if n == 1:
        desc = descriptor_text(main, results[plan.main][2])
    else:
        glue.append(_program_instantiate(plan, contexts, bases))
        host = [(contexts[i], bases[i], kind, index, imp)
                for i, kind, index, imp in plan.host_imports()]
        desc = descriptor_text(main, results[plan.main][2], host, end, f"@{P}.program.instantiate")
    text = module_text(target, data_layout, cpu, features, contexts, desc, funcs, glue)
    blobs = [(mc.blob_symbol(), mc.blob_parts) for mc in contexts if mc.blob_external()]
    return text, blobs


def segment_memories(plan: LinkPlan, opts, target) -> dict[int, list[int]]:
    """instance -> its memory indices that are the program's segment memory
    (backends/llvm/memory.py, "Segment-addressed memory"): a defined 32-bit
    memory, the first in the order main instance, then the others, and
    every import the plan binds to it.  Empty unless the options and the
    target allow it: the process's segment register is this program's
    (``memory_segment``: an executable of this program alone, or the spec
    drivers' one memory-defining module, whose links to other objects are
    calls), one instance (static), guard mode (a base that never moves)."""
    if not (opts.memory_segment and opts.static_instance and target.memory_segment
            and opts.bounds == "guard"):
        return {}
    chosen = None
    for i in [plan.main] + [k for k in range(len(plan.instances)) if k != plan.main]:
        mems = plan.instances[i].module.memories
        chosen = next(((i, m) for m, d in enumerate(mems)
                       if d.import_ is None and d.index_type != I64), None)
        if chosen:
            break
    if chosen is None:
        return {}
    out = {chosen[0]: [chosen[1]]}
    for i, inst in enumerate(plan.instances):
        for kind, index, _ in inst.module.imports():
            if kind == EXTERN_MEMORY and plan.binding(i, kind, index) == InstanceBinding(
                    chosen[0], EXTERN_MEMORY, chosen[1]):
                out.setdefault(i, []).append(index)
    return out


def _program_instantiate(plan: LinkPlan, contexts: list[PlanContext], bases: list[int]) -> str:
    """Instantiate every instance in plan order.  A bound import slot is
    copied as soon as what it copies is there: slots the host filled (an
    import bound to another instance's host import) before anything runs,
    and a slot bound to instance ``k``'s item right after ``k``
    instantiates, before the next instance does.  Copying at the exporter's
    turn, not the importer's, matters when a start function calls out: a
    component's core start function that calls a lowered import reaches the
    callee through the export shim, the plan's last instance, whose slots
    must already be filled then."""
    b = Builder()
    P = contexts[plan.main].ptr_bytes
    fr_size = abi.funcref(P).sizeof
    after: dict[int | None, list[tuple[int, int, int, object]]] = {}
    for i, inst in enumerate(plan.instances):
        for kind, index, _imp in inst.module.imports():
            bound = plan.binding(i, kind, index)
            if isinstance(bound, HostBinding):
                if bound.instance != i:        # else the host filled it
                    after.setdefault(None, []).append((i, kind, index, bound))
            else:
                after.setdefault(bound.instance, []).append((i, kind, index, bound))

    def copy(i: int, kind: int, index: int, bound) -> None:
        src_mc, mc = contexts[bound.instance], contexts[i]
        src = b.inst_field(bases[bound.instance] + extern_type(src_mc, bound.kind, bound.index)[0])
        dst = b.inst_field(bases[i] + extern_type(mc, kind, index)[0])
        if kind == EXTERN_FUNC:
            b.emit(f"call void @llvm.memcpy.p0.p0.i64(ptr align {P} {dst}, ptr align {P} {src}, "
                   f"i64 {fr_size}, i1 false)")
        else:
            v = b.load("ptr", src, TBAA_INST, align=P)
            b.store("ptr", v, dst, TBAA_INST, align=P)

    for c in after.get(None, []):
        copy(*c)
    for i in range(len(plan.instances)):
        mc = contexts[i]
        r = b.tmp("r")
        b.emit(f"{r} = call i32 @{mc.prefix}.instantiate(ptr {b.inst_field(bases[i])}) #2")
        z = b.tmp("z")
        b.emit(f"{z} = icmp ne i32 {r}, 0")
        b.emit(f"br i1 {z}, label %fail, label %inst{i}.ok")
        b.cur.append(f"inst{i}.ok:")
        for c in after.get(i, []):
            copy(*c)
    b.emit("ret i32 0")
    b.cur.append("fail:")
    b.emit("ret i32 -1")
    main = contexts[plan.main]
    return (f"define internal {main.c_ret('i32')} @{main.prefix}.program.instantiate(ptr %inst) #3 {{\nentry:\n"
            + "\n".join(b.cur) + "\n}\n")
