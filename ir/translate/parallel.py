"""Translation and the function-pass pipeline of a large module in worker
processes.

Why: on SQLite's shell (1.4 MB of Wasm) translating and optimizing the IR
takes about 5 s of one core, in front of code generation (itself parallel,
``backends/codegen.py``); on 2 cores that serial head was a fifth of the
compile.

How: the parent decodes and validates the module and builds the
declarations (:func:`.module.declare_module`); forked workers inherit both,
translate a contiguous range of functions each and run the pass pipeline on
them (``PassManager.run_functions``: function passes only), and send back
each function's data-flow graph and layout (arrays: cheap to pickle; about
12 MB for half of SQLite) with their pass timings.  The parent then adds
the init function and runs the pipeline on it.

Invariants: the result is the module the serial path builds, whatever the
number of workers (a body's translation reads only the declarations, and a
function pass touches only its function).  Small modules, modules of tiny
functions, a pipeline with a module pass, or ``jobs == 1`` take the serial path (:func:`parallel_worth_it`).  Trade-off: forked
workers copy nothing up front but the parent's pages they touch, so this is
Linux (fork) only; elsewhere it is serial.
"""
from __future__ import annotations

import gc
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor

from ..function import Function
from ..module import Module
from .module import add_init_function, declare_module, translate_function

#: Below this many bytes of function bodies the serial path is faster (a
#: fork, pickling and a pool cost tens of milliseconds).
MIN_PARALLEL_BYTES = 256 * 1024

#: Below this many body bytes per function on average the serial path is
#: faster too: shipping a function back costs about 95 us of CPU whatever
#: its size (pickling its ~20 arrays in the worker, 52 us; unpickling them
#: in the parent, 43 us, serial), about what translating and optimizing a
#: tiny body costs (~105 us).  100,000 functions of ~16 bytes (the scale
#: bench's ``funcs`` shape): 40,000 of them took 10.7 s of CPU in workers
#: and parent against 4.3 s serially.
MIN_PARALLEL_AVG_BODY = 64

#: Work items per worker: small enough ranges that one slow function does
#: not leave the other workers idle at the end.
CHUNKS_PER_WORKER = 4

# What forked workers read: (frontend module, declarations, pass manager).
_STATE: tuple | None = None


def parallel_worth_it(m, pm, jobs: int) -> bool:
    """Whether a large module pays for :func:`translate_in_workers`."""
    total = sum(f.body_end - f.body_start for f in m.funcs)
    return (jobs > 1 and pm.function_parallel and "fork" in mp.get_all_start_methods()
            and total >= MIN_PARALLEL_BYTES
            and total >= MIN_PARALLEL_AVG_BODY * len(m.funcs))


def translate_in_workers(m, pm, jobs: int) -> Module:
    """Translate the validated frontend module ``m`` and run ``pm`` on every
    function, in ``jobs`` forked processes; returns the IR module.  The
    caller decides with :func:`parallel_worth_it` (the serial path is
    ``translate_module`` then ``pm.run_module``)."""
    assert jobs > 1 and pm.function_parallel, "see parallel_worth_it"
    sizes = [f.body_end - f.body_start for f in m.funcs]
    global _STATE
    mod = declare_module(m)
    first = m.num_imported_funcs
    ranges = _ranges(sizes, jobs * CHUNKS_PER_WORKER)
    _STATE = (m, mod, pm)
    gc.freeze()             # workers' collections skip (and so do not copy) our heap
    try:
        with ProcessPoolExecutor(jobs, mp_context=mp.get_context("fork")) as pool:
            for bodies, timings in pool.map(_work, [(first + a, first + b) for a, b in ranges]):
                for idx, dfg, layout in bodies:
                    decl = mod.funcs[idx]
                    f = Function(decl.name, decl.sig, mod)
                    f.dfg, f.layout = dfg, layout
                    decl.body = f
                pm.merge_timings(timings)
    finally:
        _STATE = None
        gc.unfreeze()
    add_init_function(m, mod)
    pm.run_functions([mod.funcs[mod.init_func].body])
    return mod


def _ranges(sizes: list[int], n: int) -> list[tuple[int, int]]:
    """Split ``range(len(sizes))`` into at most ``n`` contiguous, non-empty
    ranges of about equal total size."""
    total = sum(sizes) or 1
    out, start, acc = [], 0, 0
    for i, s in enumerate(sizes):
        acc += s
        if acc * n >= total * (len(out) + 1) and i + 1 < len(sizes):
            out.append((start, i + 1))
            start = i + 1
    out.append((start, len(sizes)))
    return [r for r in out if r[0] < r[1]]


def _work(span: tuple[int, int]):
    m, mod, pm = _STATE
    pm.timings = {}
    bodies = []
    for idx in range(*span):
        f = translate_function(m, mod, idx)
        pm.run_functions([f])
        bodies.append((idx, f.dfg, f.layout))
    return bodies, pm.timings
