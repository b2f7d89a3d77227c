"""`wasmaot spectest`: run official .wast scripts."""
from __future__ import annotations

import os
import sys

import click

from ..backends.targets import BOUNDS_MODES, DEFAULT_TARGET, TargetError, get_target
from .runner import Options, collect, run_files


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--frontend-only", is_flag=True,
              help="Only decode/parse and validate: check module definitions, "
                   "assert_malformed and assert_invalid; count execution "
                   "assertions as skipped.")
@click.option("-j", "--jobs", type=click.IntRange(1), default=None,
              help="Worker processes (default: all cores).")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Skip .wast files whose name matches GLOB (repeatable), "
                   "e.g. --exclude 'simd_*'.")
@click.option("-v", "--verbose", is_flag=True, help="Print every failure, not just the first 10 per file.")
@click.option("--target", default=DEFAULT_TARGET, show_default=True,
              help="Execution mode: target to compile and run for.")
@click.option("--bounds", type=click.Choice(BOUNDS_MODES), default=None,
              help="Execution mode: memory bounds checking (guard pages or explicit compares); "
                   "default: the target's.")
@click.option("-O", "opt_level", type=click.IntRange(0, 3), default=2, show_default=True,
              help="Execution mode: optimization level (-O0 .. -O3).")
@click.option("--timeout", type=click.FloatRange(min=1), default=60, show_default=True,
              help="Execution mode: seconds each file's executable may run.")
@click.option("--via-ir", is_flag=True,
              help="Execution mode: compile every module from its printed IR text "
                   "(translate, print, parse, verify), as `wasmaot compile x.ir` does.")
@click.option("-r", "--recursive", is_flag=True,
              help="A folder stands for every .wast at any depth under it; --exclude "
                   "globs then also skip folders by name.")
@click.option("--harness", type=click.Choice(["spec", "wasmtime"]), default="spec",
              show_default=True,
              help="Script conventions: 'wasmtime' also registers every named module "
                   "under its name, as wasmtime's `wast` does (its regression suite "
                   "relies on it).")
@click.option("-W", "--wasm", "wasm_features", multiple=True, metavar="KEY[=VAL,...]",
              help="Wasm features as wasmtime spells them (-W tail-call=n,simd=n): modules "
                   "are decoded and validated with them (default: every implemented one).")
@click.option("--keep", "keep_dir", type=click.Path(file_okay=False), default=None,
              help="Execution mode: keep the test executables in this folder.")
def spectest(paths, frontend_only, jobs, exclude, verbose, target, bounds, opt_level, timeout, via_ir,
             recursive, harness, wasm_features, keep_dir):
    """Run .wast spec-test scripts (a folder means every .wast directly in it,
    or at any depth with -r).

    wasmtime's regression tests: `wasmaot spectest -r --harness wasmtime
    --exclude 'component-model*' ../shared/wasmtime-misc-tests`.

    Without --frontend-only every script is compiled, with all its modules,
    into one native executable that runs every command (execution mode).

    Prints one line per file and, as the very last line,
    `N passed, N failed, N skipped`.  Exits 1 if anything failed.
    Expected failures live in explicit lists (spec-tests/expected_failures.py,
    spec-tests/wasmtime_misc.py for wasmtime's regression suite and
    spec-tests/component_expected.py for component scripts); a listed one
    that passes fails.  Component scripts run too: each component is
    compiled and its actions executed.  A script whose `;;!` header needs a
    core feature we do not support is not run: it prints
    `unsupported: <proposal>` and counts as skipped.
    """
    files = collect(list(paths), list(exclude), recursive)
    if not files:
        raise click.UsageError("no .wast files found in the given paths")
    features = _features(wasm_features)
    if frontend_only:
        if via_ir:
            raise click.UsageError("--via-ir needs execution mode (drop --frontend-only)")
        opts = Options(mode="frontend", harness=harness, features=features)
    else:
        from .exec import backend_available
        why = backend_available()
        if why:
            # say so instead of failing every module of every file
            raise click.UsageError(f"execution mode: {why}; use --frontend-only")
        try:
            t = get_target(target)
            bounds = bounds or t.default_bounds
            t.check_bounds(bounds)
        except TargetError as e:
            raise click.UsageError(str(e)) from None
        opts = Options(mode="exec", target=target, bounds=bounds, opt_level=opt_level,
                       timeout=timeout, keep_dir=keep_dir, via_ir=via_ir, harness=harness,
                       features=features)
    total = [0, 0, 0, 0]
    for r in run_files(files, opts, jobs or os.cpu_count() or 1):
        total[0] += r.passed
        total[1] += r.failed
        total[2] += r.skipped
        total[3] += r.xfailed
        shown_name = _display_name(r.path, paths) if recursive else r.name
        if r.unsupported:
            click.echo(f"skip {shown_name}: unsupported: {r.unsupported}")
            continue
        status = "FAIL" if r.failed else "ok  "
        extra = f", {r.xfailed} expected failures" if r.xfailed else ""
        click.echo(f"{status} {shown_name}: {r.passed} passed, {r.failed} failed, "
                   f"{r.skipped} skipped{extra}")
        shown = r.failures if verbose else r.failures[:10]
        for line in shown:
            click.echo(f"     {line}")
        if len(shown) < len(r.failures):
            click.echo(f"     ... {len(r.failures) - len(shown)} more (use -v)")
    if total[3]:
        click.echo(f"({total[3]} expected failures)")
    click.echo(f"{total[0]} passed, {total[1]} failed, {total[2]} skipped")
    sys.exit(1 if total[1] else 0)


def _features(specs):
    """The -W feature switches (wasmtime's keys, driver/wasmtime_compat.py)
    as a Features set; any other -W key is a usage error here."""
    from .. import wasmtime_compat
    from ..frontend import features
    settings = wasmtime_compat.Settings()
    try:
        for spec in specs:
            wasmtime_compat.apply("W", spec, settings)
        if settings != wasmtime_compat.Settings(features=settings.features):
            raise ValueError(f"-W {' '.join(specs)}: only feature keys apply to spectest")
        return features.with_switches(settings.features)
    except (ValueError, features.FeatureError) as e:     # Unsupported is a ValueError
        raise click.UsageError(str(e)) from None


def _display_name(path: str, roots) -> str:
    """``path`` relative to the folder argument it was found under."""
    for root in roots:
        if os.path.isdir(root):
            rel = os.path.relpath(path, root)
            if not rel.startswith(".."):
                return rel
    return os.path.basename(path)
