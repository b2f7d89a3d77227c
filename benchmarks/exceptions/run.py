"""Exception handling costs: wasmaot against the wasmtime CLI.

Cases (eh_bench.wat, calls_plain.wat): ``throw_catch`` (a throw caught one
frame up, per iteration), ``calls`` (a call per iteration to a function
that may throw but does not: each call is followed by the pending-exception
check), ``calls_in_try`` (the same loop inside a try_table) and ``plain``
(the same loop in a module without exception handling: no check).  Each
case runs ``--invoke NAME N`` as a separate process; the time per iteration
is (cpu(N) - cpu(0)) / N, the least CPU time of ``--repeat`` runs, so start-up
cancels.

    nice -n 19 python benchmarks/exceptions/run.py [--n 100000000] [--throws 2000000]
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = [("throw_catch", "eh_bench.wat", "throws"), ("calls", "eh_bench.wat", "n"),
         ("calls_in_try", "eh_bench.wat", "n"), ("plain", "calls_plain.wat", "n")]


def _best(cmd: list[str], repeat: int) -> float:
    """Least user+system CPU time of ``repeat`` runs (CPU time, not wall
    time: the machine is shared, and waiting for a core is not our cost)."""
    best = float("inf")
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        best = min(best, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return best


def _per_iter(cmd_for, n: int, repeat: int) -> float:
    return (_best(cmd_for(n), repeat) - _best(cmd_for(0), repeat)) / n * 1e9


def _ours(exe: Path, fn: str):
    return lambda k: [str(exe), "--invoke", fn, str(k)]


def _wasmtime(wasmtime: Path, wat: Path, fn: str):
    return lambda k: [str(wasmtime), "run", "-W", "exceptions=y", "--invoke", fn, str(wat), str(k)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000_000)
    ap.add_argument("--throws", type=int, default=2_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from wasmaot.bench import tools
    wasmtime = tools.wasmtime_cli()
    with tempfile.TemporaryDirectory() as tmp:
        exes = {}
        for wat in {c[1] for c in CASES}:
            exe = Path(tmp) / wat.replace(".wat", "")
            subprocess.run([sys.executable, "-m", "wasmaot", "compile", str(HERE / wat), "-o",
                            str(exe)], check=True)
            exes[wat] = exe
        print(f"{'case':<14} {'wasmaot ns/iter':>16} {'wasmtime ns/iter':>17}")
        for name, wat, which in CASES:
            n = args.throws if which == "throws" else args.n
            fn = "calls" if name == "plain" else name
            ours = _per_iter(_ours(exes[wat], fn), n, args.repeat)
            theirs = float("nan")
            if wasmtime is not None:
                theirs = _per_iter(_wasmtime(wasmtime, HERE / wat, fn), n, args.repeat)
            print(f"{name:<14} {ours:>16.2f} {theirs:>17.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
