"""Parallel code generation: LLVM IR text -> optimized object code.

The emitted module is cut into K partitions, each a complete LLVM module
holding a contiguous run of the defined functions; every partition is
parsed, verified, optimized and code-generated on its own, in a pool of
``jobs`` worker processes (llvmlite is not thread-safe, and the GIL would
serialize the Python side anyway).

Invariants:

* K depends only on the module text (:data:`PART_BYTES`; an even count
  when K > 1, see :func:`partition_count`), never on ``jobs``, and each partition is compiled the same way whichever process
  runs it: the objects, hence the executable, are byte-identical for any
  ``-j``.  A module under ``1.5 * PART_BYTES`` is one partition, compiled
  from the unchanged text (the single-module path).
* Partitions are contiguous runs of the ``define``s in *affinity order*
  (:func:`affinity_order`: depth first through references either way,
  starting from each unvisited define in text order), balanced by IR text
  size.  So a function's callees and its wrappers (export entry,
  trampoline) land in its partition, where LLVM may inline them and drop
  what is then unused; in plain Wasm order, a module whose call graph is
  not laid out in index order had almost every call cross partitions
  (10,000 functions of a binary call tree: 8,606 functions left to
  generate code for, 17.6 s of LLVM CPU; in affinity order 41 and
  10.9 s; 10,000 exports: 30,005 and 36 s against 20,011 and 28 s).
  Global variables and constants all live in partition 0 (and count
  towards its size), except a function's jump tables (``blockaddress``
  constants), which live with the function.
* A symbol defined in one partition and referenced from another is made
  visible across them: ``internal``/``private`` becomes ``hidden`` (global
  in the objects, local in the linked executable), and the referencing
  partition gets a declaration.  Symbols referenced only within their own
  partition keep their linkage, so LLVM still sees them as local.
* Cross-partition calls are not inlined: the price of partitioning, paid
  only by modules large enough to have K > 1.  Measured on SQLite's shell
  (K = 35 and 18 against K = 1): no slower at run time (a SQL workload,
  median of 5: 2.42 s, 2.43 s, 2.41 s), 35% less LLVM CPU time (36.6 s
  against 55.8 s: smaller functions, fewer whole-module analyses).  Copying small callees into their callers'
  partitions as ``available_externally`` (ThinLTO's importing) was tried:
  7% more CPU, no run-time gain, so it is not done.

Crashes: LLVM reports some internal errors by aborting the process.  Every
partition is compiled in a worker process, even when there is one (except
inside a daemonic process, such as the spec runner's workers), with its
stderr in a file; a worker that dies becomes :class:`CodegenCrash`, one line
with LLVM's reason, which the CLI reports as an internal error naming the
input (exit 70).  A fork per compile is the price (milliseconds).

Outputs: one object per partition (:func:`run` with ``"object"``), linked
together as any list of objects; :func:`merge_objects` makes them one
relocatable (``ld.lld -r``) for ``--emit obj``.  ``--emit llvm``/``asm``
print each partition's optimized IR / assembly in order, each after a
``partition i/K`` comment line: readable, not meant to be re-assembled as
one file when K > 1.
"""
from __future__ import annotations

import gc
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

#: Target LLVM IR text per partition (bytes).  SQLite's shell (35 MB of IR)
#: gets 35 partitions; a module under 1.5x this is never split (the bench
#: kernels, < 0.8 MB, are not).  Against 2 MB partitions: 7% less CPU and a
#: shorter tail on 2 workers (-O2 -j 2: 18.0 s against 20.2 s), no run-time
#: cost measured.
PART_BYTES = 1_000_000
#: What one function costs LLVM besides its text, in bytes of text: its
#: share of the per-function pass and code-generation set-up.  A module of
#: many tiny functions (1,000 exports: 3,005 functions in 1.1 MB) took 2 s
#: in one partition, as long as 1.9 MB of ordinary functions; counting
#: each function 300 bytes more splits it in 2.  The bench kernels (a few
#: hundred functions, < 0.8 MB) stay whole.
FUNC_BYTES = 300

OUTPUTS = ("object", "llvm", "asm")

# A global value name as it appears after `@` (unquoted form, or quoted).
_SYM = r'(?:[-A-Za-z$._][-\w$.]*|"[^"]*"|\d+)'
_REF_RE = re.compile(r"@(" + _SYM + r")")
_DEFINE_NAME_RE = re.compile(r"@(" + _SYM + r")\(")
_GLOBAL_RE = re.compile(r"@(" + _SYM + r")\s*=\s*")
_LINKAGES = {"private", "internal", "external", "available_externally", "linkonce",
             "linkonce_odr", "weak", "weak_odr", "common", "appending", "extern_weak"}
# Linkages we can split across modules as they are (or by making them hidden).
_SPLITTABLE = {"private", "internal", "external", None}
_GLOBAL_WORDS = {"global", "constant"}


def cores_available() -> int:
    """CPUs this process may run on (the default for ``-j``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:          # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class Item:
    """One top-level entity of the module text."""
    # "define" | "global" (a variable or constant defined here) | "shared"
    # (declarations, types, attributes, metadata: copied into every
    # partition) | "header" (target lines) | "skip" (blank, comments)
    kind: str
    text: str
    name: str | None = None
    linkage: str | None = None


@dataclass
class Partition:
    """One self-contained LLVM module: ``functions`` of the module's
    ``define``s (K = 1: all of them, and ``text`` is the module's own)."""
    index: int
    text: str
    functions: int
    ir_bytes: int


@dataclass
class PartResult:
    index: int
    pid: int
    start: float              # seconds after the pool started
    timings: dict[str, float]  # wall seconds per stage
    cpu: float                # CPU seconds of the whole partition (robust on a busy machine)
    payload: bytes | str


@dataclass(frozen=True)
class Machine:
    """What a worker needs to build the target machine (picklable)."""
    triple: str
    cpu: str
    features: str
    opt_level: int
    # LLVM command-line options ("-name=value") this compile needs.  They
    # are process-global in LLVM, so every partition sets its own each time
    # (a worker may compile for another configuration next): see
    # Target.codegen_aa_option.
    llvm_options: tuple[str, ...] = ()
    # LLVM's relocation model: "pic" (any link), or "static" for code that
    # only a static non-PIE link takes (CompileOptions.static_exe, firmware).
    reloc: str = "pic"


@dataclass
class Outcome:
    partitions: list[Partition]
    results: list[PartResult]
    wall: float
    workers: int
    output: str
    timings: dict[str, float] = field(default_factory=dict)


# --------------------------------------------------------------------------
# Splitting


class _Unsplittable(Exception):
    """The text uses a construct the splitter does not handle: compile it whole."""


def scan_items(text: str) -> list[Item]:
    """Cut module text into top-level items.  A ``define`` runs to its
    closing ``}`` line; any other item to the next line starting in column 0
    with something other than ``]``/``}`` (multi-line initializers)."""
    items: list[Item] = []
    pos, n = 0, len(text)
    while pos < n:
        if text.startswith("define ", pos):
            end = text.find("\n}\n", pos)
            end = n if end < 0 else end + 3
            items.append(_define_item(text[pos:end]))
            pos = end
            continue
        end = text.find("\n", pos)
        end = n if end < 0 else end + 1
        while end < n and text[end] in " \t]}":
            nxt = text.find("\n", end)
            end = n if nxt < 0 else nxt + 1
        items.append(_other_item(text[pos:end]))
        pos = end
    return items


def _define_item(chunk: str) -> Item:
    header = chunk[:chunk.find("\n")]
    m = _DEFINE_NAME_RE.search(header)
    if not m:
        raise _Unsplittable(f"cannot find the name in {header[:80]!r}")
    words = header[len("define "):m.start()].split()
    linkage = words[0] if words and words[0] in _LINKAGES else None
    if linkage not in _SPLITTABLE:
        raise _Unsplittable(f"linkage {linkage}")
    return Item("define", chunk, m.group(1), linkage)


def _other_item(chunk: str) -> Item:
    if not chunk.strip() or chunk.startswith(";"):
        return Item("skip", chunk)
    if chunk.startswith(("target ", "source_filename")):
        return Item("header", chunk)
    if chunk.startswith(("declare ", "attributes ", "!", "%")):
        return Item("shared", chunk)
    m = _GLOBAL_RE.match(chunk)
    if not m:
        raise _Unsplittable(f"top-level {chunk[:40]!r}")
    words = chunk[m.end():].split(None, 8)
    linkage = words[0] if words and words[0] in _LINKAGES else None
    if linkage in ("external", "extern_weak"):
        return Item("shared", chunk)          # a declaration
    if linkage not in _SPLITTABLE or not _GLOBAL_WORDS & set(words):
        raise _Unsplittable(f"global {chunk[:60]!r}")
    return Item("global", chunk, m.group(1), linkage)


def _cuts(sizes: list[int], k: int) -> list[int]:
    """Indices where partitions 1..k-1 start: contiguous runs of about
    ``sum(sizes) / k`` each (cumulative targets, so errors do not add up)."""
    total = sum(sizes)
    cuts, acc, nxt = [], 0, 1
    for i, s in enumerate(sizes):
        if nxt < k and acc >= total * nxt / k:
            cuts.append(i)
            nxt += 1
        acc += s
    return cuts


def partition_count(nbytes: int, part_bytes: int | None = None, nfuncs: int = 0) -> int:
    """About ``(nbytes + FUNC_BYTES * nfuncs) / PART_BYTES``, rounded up to an even count when
    split at all: partitions are about equally long, so an odd count keeps
    one of 2 workers (or 2 of 4) busy alone at the end (10,000 functions:
    5 partitions were 3 on one worker, 2 on the other).  Still a function
    of the text alone (objects identical for any ``-j``)."""
    part = part_bytes or PART_BYTES
    # The weight scales with the partition size asked for, so a smaller
    # part_bytes (tests) keeps each function's share of a partition.
    k = max(1, round((nbytes + FUNC_BYTES * nfuncs * part / PART_BYTES) / part))
    return k + 1 if k > 1 and k % 2 else k


def split_module(text: str, part_bytes: int | None = None) -> list[Partition]:
    """The module as K self-contained modules (K = 1: the text itself)."""
    nfuncs = text.count("\ndefine ") + text.startswith("define ")
    k = partition_count(len(text), part_bytes, nfuncs)
    if k > 1:
        try:
            return _split(scan_items(text), k)
        except _Unsplittable:
            pass
    return [Partition(0, text, nfuncs, len(text))]


def affinity_order(defines: list[Item], refs: dict[str, set[str]]) -> list[Item]:
    """``defines`` in depth-first preorder of the undirected reference
    graph (``refs``: name -> names it references), each search starting at
    the first unvisited define in text order and taking neighbours
    (callees and callers) in text order.  Depends only on the text (so
    partitions do not depend on ``-j``)."""
    index = {it.name: i for i, it in enumerate(defines)}
    adj: list[set[int]] = [set() for _ in defines]
    for i, it in enumerate(defines):
        for n in refs[it.name]:
            j = index.get(n, i)
            if j != i:
                adj[i].add(j)
                adj[j].add(i)
    seen = [False] * len(defines)
    order = []
    for root in range(len(defines)):
        stack = [root]
        while stack:
            i = stack.pop()
            if seen[i]:
                continue
            seen[i] = True
            order.append(defines[i])
            stack.extend(j for j in sorted(adj[i], reverse=True) if not seen[j])
    return order


def _split(items: list[Item], k: int) -> list[Partition]:
    refs = {it.name: set(_REF_RE.findall(it.text)) for it in items if it.kind in ("define", "global")}
    defines = affinity_order([it for it in items if it.kind == "define"], refs)
    k = min(k, len(defines))
    if k <= 1:
        raise _Unsplittable("too few functions")
    globals_ = [it for it in items if it.kind == "global"]
    # Partition 0 also holds every global (tables of a large module run to
    # megabytes): they count towards its share, so it gets fewer functions
    # instead of being the long pole (100,000 functions: 35 MB of text in
    # partition 0 against 0.9 MB in the others).
    weight = sum(len(g.text) for g in globals_)
    sizes = [len(d.text) for d in defines]
    if weight * k >= weight + sum(sizes):       # the globals alone fill a share
        starts = [0, 0, *_cuts(sizes, k - 1), len(defines)]
    else:
        starts = [0, *(c - 1 for c in _cuts([weight, *sizes], k)), len(defines)]
    groups = [defines[a:b] for a, b in zip(starts, starts[1:])]
    owner = {it.name: 0 for it in globals_}
    for p, group in enumerate(groups):
        for it in group:
            owner[it.name] = p
    for g, fn in _block_address_owners(globals_).items():
        owner[g] = owner[fn]
    owned: list[list[Item]] = [[] for _ in groups]      # globals by partition, in order
    for g in globals_:
        owned[owner[g.name]].append(g)
    by_name = {it.name: it for it in (*globals_, *defines)}
    outside = []                      # per partition: symbols defined elsewhere it uses
    for p, group in enumerate(groups):
        own = group + owned[p]
        used = set().union(*(refs[it.name] for it in own))
        outside.append(sorted(n for n in used if owner.get(n, p) != p))
    exported = {n for r in outside for n in r}
    head = "".join(it.text for it in items if it.kind == "header")
    shared = "".join(it.text for it in items if it.kind == "shared")
    parts = []
    for p, group in enumerate(groups):
        own = owned[p] + group
        body = "".join(_exported(it) if it.name in exported else it.text for it in own)
        decls = "".join(_declaration(by_name[n]) for n in outside[p])
        text = f"{head}\n; partition {p}/{len(groups)}\n{decls}{body}{shared}"
        parts.append(Partition(p, text, len(group), len(text)))
    return parts


_BLOCKADDRESS_RE = re.compile(r"blockaddress\(@(" + _SYM + r"),")


def _block_address_owners(globals_: list[Item]) -> dict[str, str]:
    """global -> the function whose block addresses it holds (a br_table's
    jump table).  Such a global lives in that function's partition: a
    ``blockaddress`` can only name a function defined in the same module,
    and the table is private to the function, so it never crosses."""
    out = {}
    for g in globals_:
        m = _BLOCKADDRESS_RE.search(g.text)
        if m:
            out[g.name] = m.group(1)
    return out


def _relink(text: str, start: int, linkage: str | None) -> str:
    """``text`` with the linkage word after ``start`` replaced by ``hidden``
    when it was internal/private (kept as is otherwise)."""
    if linkage not in ("internal", "private"):
        return text
    i = text.index(linkage, start)
    return text[:i] + "hidden" + text[i + len(linkage):]


def _exported(it: Item) -> str:
    start = len("define ") if it.kind == "define" else _GLOBAL_RE.match(it.text).end()
    return _relink(it.text, start, it.linkage)


def _declaration(it: Item) -> str:
    """A declaration of ``it`` for another partition (hidden if it was local)."""
    vis = "hidden " if it.linkage in ("internal", "private") else ""
    if it.kind == "define":
        header = it.text[:it.text.find("\n")].rstrip().removesuffix("{").rstrip()
        rest = header[len("define "):]
        if it.linkage:
            rest = rest.split(None, 1)[1]
        return f"declare {vis}{rest}\n"
    m = _GLOBAL_RE.match(it.text)
    words = it.text[m.end():]
    if it.linkage:
        words = words.split(None, 1)[1]
    # [unnamed_addr|local_unnamed_addr] [addrspace(N)] [externally_initialized] global|constant TYPE init...
    kw = re.match(r"((?:[a-z_]+(?:\(\d+\))?\s+)*?)(global|constant)\s+", words)
    ty = _scan_type(words, kw.end())
    return f"@{it.name} = external {vis}{kw.group(1)}{kw.group(2)} {ty}\n"


def _scan_type(s: str, i: int) -> str:
    """The LLVM type starting at ``s[i]`` (brackets balanced)."""
    depth, j = 0, i
    while j < len(s):
        c = s[j]
        if c in "[{<(":
            depth += 1
        elif c in "]}>)":
            depth -= 1
        elif c in " ,\n" and depth == 0:
            break
        j += 1
    return s[i:j]


# --------------------------------------------------------------------------
# Compiling partitions

_llvm_ready = False


def llvm_binding():
    """llvmlite.binding with its targets initialised, once per process (the
    backend's one initialisation)."""
    global _llvm_ready
    import llvmlite.binding as llvm
    if not _llvm_ready:
        llvm.initialize_all_targets()
        llvm.initialize_all_asmprinters()
        # The host's assembly parser (llvmlite offers no other): inline asm
        # with an instruction in it needs it (backends/llvm/addr32.py).
        llvm.initialize_native_asmparser()
        _llvm_ready = True
    return llvm


def target_machine(m: Machine):
    llvm = llvm_binding()
    t = llvm.Target.from_triple(m.triple)
    # PIC works for both static-PIE and non-PIE links (the linker relaxes a
    # GOT access to a lea, not to the direct operand static code has).
    return t.create_target_machine(cpu=m.cpu, features=m.features, opt=m.opt_level,
                                   reloc=m.reloc, codemodel="default")


def tuning_options(llvm, opt_level: int):
    """The pass pipeline's tuning, as clang sets it for -O<opt_level>.
    llvmlite's defaults leave the SLP vectorizer off, which clang turns on
    from -O2 (``CodeGenOpts.VectorizeSLP``): without it straight-line
    neighbouring loads and stores (struct copies, unrolled bodies) stay
    scalar where the native build of the same C has vector moves.

    It stays off: in guard mode it merges neighbouring stores into one
    wider store, so when the last of them faults the earlier, in-bounds
    ones are never written, and Wasm requires them written before the trap
    (tests/backends/test_guard_traps.py, order_gaps.wast:46-47).  It bought
    brotli 0.9% of its instructions."""
    pto = llvm.create_pipeline_tuning_options(speed_level=opt_level)
    pto.slp_vectorization = False
    return pto


def compile_partition(machine: Machine, text: str, output: str) -> tuple[dict, bytes | str]:
    """Parse, verify, optimize one module and produce ``output``.  Each
    module gets a fresh LLVM context, so what one partition parsed never
    changes how the next is named or compiled."""
    llvm = llvm_binding()
    for opt in machine.llvm_options:
        llvm.set_option("wasmaot", opt)
    tm = target_machine(machine)
    timings = {}
    t0 = time.perf_counter()
    ctx = llvm.create_context()
    mod = llvm.parse_assembly(text, context=ctx)
    try:
        mod.verify()
        t1 = time.perf_counter()
        timings["parse"] = t1 - t0
        if machine.opt_level > 0:
            pb = llvm.create_pass_builder(tm, tuning_options(llvm, machine.opt_level))
            pb.getModulePassManager().run(mod, pb)
        t2 = time.perf_counter()
        timings["optimize"] = t2 - t1
        if output == "object":
            payload = tm.emit_object(mod)
        elif output == "asm":
            payload = tm.emit_assembly(mod)
        else:
            payload = str(mod)
        timings[output] = time.perf_counter() - t2
    finally:
        mod.close()             # the module before its context
        ctx.close()
    return timings, payload


class CodegenCrash(RuntimeError):
    """LLVM died (an abort, a segfault) while compiling a partition in a
    worker process; ``str()`` is one line with LLVM's own reason."""


#: Fault injection for the tests: a worker aborts as LLVM does on an
#: internal error (``WASMAOT_FAULT_INJECT=codegen-abort``).
_FAULT_ENV = "WASMAOT_FAULT_INJECT"


def _worker(machine: Machine, index: int, text: str, output: str, t_pool: float,
            errdir: str | None = None) -> PartResult:
    """Compile one partition.  In a pool worker (``errdir`` given), LLVM's
    stderr (its crash dump) goes to ``errdir/part<index>.err``, so that a
    crash becomes one line in the parent (:func:`_crash_message`) instead of
    a dump on the user's terminal."""
    saved = None
    if errdir is not None:
        saved = os.dup(2)
        fd = os.open(os.path.join(errdir, f"part{index}.err"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(fd, 2)
        os.close(fd)
    try:
        if os.environ.get(_FAULT_ENV) == "codegen-abort":
            os.write(2, b"LLVM ERROR: injected fault (WASMAOT_FAULT_INJECT)\n")
            os.abort()
        start, cpu0 = time.time() - t_pool, time.process_time()
        timings, payload = compile_partition(machine, text, output)
        return PartResult(index, os.getpid(), start, timings, time.process_time() - cpu0, payload)
    finally:
        if saved is not None:
            os.dup2(saved, 2)
            os.close(saved)


_CRASH_LINE = re.compile(r"LLVM ERROR: .*|.*Do not know how.*|UNREACHABLE executed.*|.*Assertion .* failed.*")


def _crash_message(errdir: str) -> str:
    """One line from the crash dumps the workers left: LLVM's reason, and
    the partition it was compiling."""
    for name in sorted(os.listdir(errdir)):
        with open(os.path.join(errdir, name), errors="replace") as f:
            text = f.read()
        m = _CRASH_LINE.search(text)
        if m:
            return f"LLVM crashed compiling partition {name[4:-4]}: {m.group(0).strip()}"
    return "a code-generation worker died without a message (killed, or out of memory?)"


def _pooled(parts: list[Partition], machine: Machine, workers: int, output: str,
            t0: float) -> list[PartResult]:
    """The partitions compiled in a pool of ``workers`` processes, largest
    first (the last partition to start is a small one)."""
    from concurrent.futures.process import BrokenProcessPool
    order = sorted(parts, key=lambda p: -p.ir_bytes)
    with tempfile.TemporaryDirectory(prefix="wasmaot-cg-") as errdir:
        gc.freeze()       # forked workers' collections skip (and do not copy) our heap
        try:
            with ProcessPoolExecutor(workers, mp_context=_pool_context()) as pool:
                futs = [pool.submit(_worker, machine, p.index, p.text, output, t0, errdir)
                        for p in order]
                try:
                    return sorted((f.result() for f in futs), key=lambda r: r.index)
                except BrokenProcessPool:
                    raise CodegenCrash(_crash_message(errdir)) from None
        finally:
            gc.unfreeze()


def _pool_context():
    """fork where available: workers start at once, without re-importing.
    Safe here because the parent has at most registered LLVM's targets
    (no LLVM threads, no module state a worker uses) and workers make
    their own contexts and target machines."""
    import multiprocessing as mp
    return mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")


def _in_daemon() -> bool:
    import multiprocessing as mp
    return mp.current_process().daemon


def run(parts: list[Partition], machine: Machine, jobs: int, output: str = "object") -> Outcome:
    """Compile every partition to ``output``; results in partition order."""
    if output not in OUTPUTS:
        raise ValueError(f"output must be one of {OUTPUTS}, not {output!r}")
    workers = max(1, min(jobs, len(parts)))
    t0 = time.time()
    if _in_daemon():
        # A daemonic process (the spec runner's workers) may not have
        # children: compile here; a crash takes this process down, and its
        # parent reports it.
        results = [_worker(machine, p.index, p.text, output, t0) for p in parts]
    else:
        # Even one partition goes to a worker process: an LLVM abort then
        # becomes a CodegenCrash (one line) instead of killing wasmaot.
        results = _pooled(parts, machine, workers, output, t0)
    out = Outcome(parts, results, time.time() - t0, workers, output)
    for r in results:
        for k, v in r.timings.items():
            out.timings[k] = out.timings.get(k, 0.0) + v
    out.timings["codegen_cpu"] = sum(r.cpu for r in results)
    out.timings["codegen_wall"] = out.wall
    return out


def report(out: Outcome) -> str:
    """Per partition: size, worker, start and stage seconds; per worker: busy time."""
    labels = {}
    for r in sorted(out.results, key=lambda r: (r.start, r.index)):
        labels.setdefault(r.pid, f"w{len(labels)}")
    stages = list(out.results[0].timings)
    lines = [f"codegen: {len(out.partitions)} partition(s), {out.workers} worker(s), "
             f"{out.wall:.3f} s wall",
             f"{'part':>5}{'funcs':>7}{'IR KiB':>9}  {'worker':<7}{'start':>8}"
             + "".join(f"{s:>10}" for s in stages) + f"{'total':>10}{'cpu':>10}"]
    busy: dict[str, float] = {}
    for p, r in zip(out.partitions, out.results):
        total = sum(r.timings.values())
        busy[labels[r.pid]] = busy.get(labels[r.pid], 0.0) + total
        lines.append(f"{p.index:>5}{p.functions:>7}{p.ir_bytes // 1024:>9}  {labels[r.pid]:<7}"
                     f"{r.start:>8.3f}" + "".join(f"{r.timings[s]:>10.3f}" for s in stages)
                     + f"{total:>10.3f}{r.cpu:>10.3f}")
    lines.append("busy: " + ", ".join(f"{w} {s:.3f} s" for w, s in sorted(busy.items())))
    return "\n".join(lines)


def joined(out: Outcome) -> str:
    """Textual outputs (LLVM IR, assembly) of all partitions, in order,
    each after a comment line naming it (none when there is one)."""
    if len(out.results) == 1:
        return out.results[0].payload
    c = ";" if out.output == "llvm" else "#"
    return "".join(f"{c} ---- partition {r.index}/{len(out.results)} ----\n{r.payload}"
                   for r in out.results)


def merge_objects(objects: list[bytes]) -> bytes:
    """One relocatable object from several (``ld.lld -r``, zig's lld)."""
    if len(objects) == 1:
        return objects[0]
    with tempfile.TemporaryDirectory(prefix="wasmaot-obj-") as d:
        paths = []
        for i, o in enumerate(objects):
            paths.append(os.path.join(d, f"part{i}.o"))
            with open(paths[-1], "wb") as f:
                f.write(o)
        out = os.path.join(d, "merged.o")
        proc = subprocess.run([sys.executable, "-m", "ziglang", "ld.lld", "-r", *paths, "-o", out],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            from .toolchain import LinkError, first_error
            raise LinkError(f"merging partition objects: {first_error(proc.stderr)}")
        with open(out, "rb") as f:
            return f.read()


# --------------------------------------------------------------------------
# Data objects

# ELF constants (the System V gABI).
_ET_REL, _SHT_PROGBITS, _SHT_SYMTAB, _SHT_STRTAB = 1, 1, 2, 3
_SHF_ALLOC = 2
_STB_GLOBAL, _STT_OBJECT, _STV_HIDDEN = 1, 1, 2


def data_object(like: bytes, symbol: str, chunks: list[bytes]) -> bytes:
    """An ELF relocatable object defining ``symbol`` (global, hidden) as the
    concatenated ``chunks`` in ``.rodata``, aligned 16, for the same machine
    as the object ``like`` (its class, byte order, ``e_machine`` and
    ``e_flags``: RISC-V links only objects of one float ABI).

    Why not LLVM: data segments are bytes that only need copying, and as an
    LLVM constant a 50 MB segment was 150 MB of ``c"\\XX"`` text to build
    and parse, then an LLVM value (the issue measured 79 s and 2.8 GB).
    Written here they cost one copy.  Every target is ELF64 little-endian
    (checked: anything else is an internal error, not a bad object)."""
    import struct
    if like[:4] != b"\x7fELF" or like[4] != 2 or like[5] != 1:
        raise ValueError("data objects are written for ELF64 little-endian targets only")
    machine, = struct.unpack_from("<H", like, 18)
    flags, = struct.unpack_from("<I", like, 48)
    size = sum(len(c) for c in chunks)
    strtab = b"\0" + symbol.encode() + b"\0"
    shstrtab = b"\0.rodata\0.symtab\0.strtab\0.shstrtab\0"
    # symbols: the null symbol, then ours (global: symtab's sh_info = 1)
    symtab = bytes(24) + struct.pack("<IBBHQQ", 1, _STB_GLOBAL << 4 | _STT_OBJECT, _STV_HIDDEN,
                                     1, 0, size)
    data_off = 64
    sym_off = (data_off + size + 7) & ~7
    str_off = sym_off + len(symtab)
    shstr_off = str_off + len(strtab)
    sh_off = (shstr_off + len(shstrtab) + 7) & ~7

    def sh(name, typ, flags_, off, sz, link=0, info=0, align=1, entsize=0):
        return struct.pack("<IIQQQQIIQQ", name, typ, flags_, 0, off, sz, link, info, align, entsize)

    headers = b"".join([
        bytes(64),
        sh(1, _SHT_PROGBITS, _SHF_ALLOC, data_off, size, align=16),
        sh(9, _SHT_SYMTAB, 0, sym_off, len(symtab), link=3, info=1, align=8, entsize=24),
        sh(17, _SHT_STRTAB, 0, str_off, len(strtab)),
        sh(25, _SHT_STRTAB, 0, shstr_off, len(shstrtab)),
    ])
    ehdr = (like[:16] + struct.pack("<HHIQQQIHHHHHH", _ET_REL, machine, 1, 0, 0, sh_off, flags,
                                    64, 0, 0, 64, 5, 4))
    return b"".join([ehdr, *chunks, bytes(sym_off - data_off - size), symtab, strtab, shstrtab,
                     bytes(sh_off - shstr_off - len(shstrtab)), headers])
