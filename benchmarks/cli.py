"""The `wasmaot bench` command (a click command; registered by the main CLI).

Also runs on its own: ``python -m wasmaot.bench [ARGS]``.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import engines as eng
from . import suite


def _err(msg: str, code: int) -> None:
    click.echo(f"wasmaot bench: error: {msg}", err=True)
    sys.exit(code)


def _list() -> None:
    click.echo("suites: all, " + ", ".join(suite.GROUPS))
    for g in suite.GROUPS:
        click.echo(f"\n{g}:")
        for name, (grp, desc) in suite.WORKLOADS.items():
            if grp == g:
                click.echo(f"  {name:<16} {desc}")
    click.echo("\nengines: " + ", ".join(eng.ENGINE_ORDER) + "  (groups: wasmaot, wasmtimes, v8, all)")


@click.command("bench", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("specs", nargs=-1, metavar="[SUITE|WORKLOAD|FILE]...")
@click.option("-e", "--engines", "engine_spec", default="all", show_default=True, metavar="LIST",
              help="Comma-separated engines: native, wasmaot-guard, wasmaot-explicit, wasmtime, "
                   "wasmtime-cwasm, wasm2c, v8, v8-noliftoff; groups wasmaot, wasmtimes, v8, all.")
@click.option("-n", "--runs", type=click.IntRange(1), default=None,
              help="Timed runs per workload and engine [default: 5, --quick: 3].")
@click.option("--warmup", type=click.IntRange(0), default=1, show_default=True,
              help="Untimed rounds first.")
@click.option("--isa", type=click.Choice(["host", "portable"]), default="host", show_default=True,
              help="ISA level of the ahead-of-time builds: host (native C and wasm2c for this "
                   "CPU, wasmaot --cpu native) or portable (all of them for x86-64-v2). JIT "
                   "engines always use the host's features.")
@click.option("--quick", is_flag=True, help="Small inputs (-DSIZE_QUICK), 3 runs: a smoke run.")
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False), default="bench-results",
              show_default=True, help="Directory for results.md, runs.csv, results.json and the SVGs.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=None,
              help="Seconds per run before it counts as failed [default: 120, --quick: 60].")
@click.option("-j", "--jobs", type=click.IntRange(0), default=0,
              help="Parallel builds and wasmaot compiles (0 = number of CPUs). "
                   "Use 1 for compile times measured without contention.")
@click.option("--rebuild", is_flag=True, help="Ignore cached builds and compiles.")
@click.option("--list", "list_only", is_flag=True, help="List suites, workloads and engines.")
@click.option("--redraw", type=click.Path(dir_okay=False, exists=True), default=None, metavar="JSON",
              help="Only rewrite the reports (tables, SVGs) of a finished run from its results.json.")
def bench(specs, engine_spec, runs, warmup, isa, quick, out_dir, timeout, jobs, rebuild, list_only, redraw):
    """Run workloads under several engines side by side and compare them with native.

    Each workload (C, self-checking, built for wasm32-wasi and for this CPU
    by `zig cc -O2`) runs under every engine in turn, interleaved
    (A B C A B C ...) after a warm-up.  Reported per workload: the median
    and spread of the workload's own kernel time and of the whole process,
    the ratio to native, and the geometric mean per engine; compile times
    in their own table.  SUITE is all (default), polybench, calls, memory
    or string; FILE is a .c file (same contract: print `kernel-ns: N` on
    stderr, exit 0 only if the result is right) or a .wasm module.

    Exit status: 0 all runs correct, 1 a workload failed (wrong result,
    trap, crash, timeout), 2 usage.  Missing engines are reported, not
    failures.
    """
    if list_only:
        _list()
        return
    from . import harness, report
    if redraw:
        import json
        try:
            res = harness.Results.from_json(json.loads(Path(redraw).read_text()))
            paths = report.write_all(res, Path(out_dir))
        except (OSError, ValueError, KeyError, TypeError) as e:
            _err(f"cannot redraw from {redraw}: {e}", 1)
        click.echo(f"rewrote {', '.join(str(p) for p in paths.values())}")
        return
    try:
        workloads = suite.select(list(specs))
        names = eng.expand(engine_spec)
    except ValueError as e:
        _err(str(e), 2)
    if not names:
        _err("no engines selected", 2)
    cfg = harness.Config(workloads=workloads, engine_names=names,
                         runs=runs if runs is not None else (3 if quick else 5), warmup=warmup,
                         quick=quick, timeout=timeout or (60.0 if quick else 120.0), jobs=jobs,
                         rebuild=rebuild, isa=isa)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        if not os.access(out, os.W_OK):
            raise OSError(f"{out}: not writable")
    except OSError as e:
        _err(f"cannot use the output directory: {e}", 2)
    progress = harness.Progress(sys.stderr)
    try:
        res = harness.run(cfg, progress)
    except KeyboardInterrupt:
        progress.note("")
        _err("interrupted", 130)
    try:
        paths = report.write_all(res, out)
    except OSError as e:
        _err(f"cannot write the results: {e}", 1)

    click.echo("")
    click.echo("geometric mean of time / native (lower is better):")
    click.echo(f"  {'engine':<30}{'kernel':>9}{'whole':>9}  workloads")
    for e in res.engines:
        if e["missing"]:
            click.echo(f"  {e['label']:<30}  missing: {e['missing']}")
            continue
        gk, nk, tot = res.geomean(e["name"], "kernel")
        gw, _, _ = res.geomean(e["name"], "whole")
        click.echo(f"  {e['label']:<30}{report.fmt_ratio(gk) or '-':>9}{report.fmt_ratio(gw) or '-':>9}"
                   f"  {nk} of {tot}")
    fails = res.failures()
    for w, e, s in fails:
        click.echo(f"FAIL {w} / {e}: {s.removeprefix('FAIL: ')}", err=True)
    click.echo(f"\n{len(res.runs)} runs in {res.elapsed_s:.0f} s; results in {out}/: "
               + ", ".join(p.name for p in paths.values()))
    if fails:
        sys.exit(1)


def main() -> None:
    bench(prog_name="wasmaot bench")


if __name__ == "__main__":
    main()
