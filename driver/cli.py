"""The `wasmaot` command line.

Every user error (missing file, malformed or invalid module, bad flag) ends
as one line on stderr naming the file and the byte offset or line:col, and a
non-zero exit status:

  1  the input was rejected (malformed, invalid, unreadable)
  2  bad command-line usage (click's convention), including an unknown
     target or a bounds mode the target lacks
  70 internal compiler error (a bug in wasmaot; set WASMAOT_TRACEBACK=1 to see it)
"""
from __future__ import annotations

import functools
import os
import sys

import click

from . import __version__
from .backends.targets import BOUNDS_MODES, DEFAULT_TARGET, TargetError, get_target, target_names
from .compile import EMIT_KINDS
from .frontend.errors import WasmError
from .frontend.load import InputError, load_file
from .ir.plan import LinkPlanError

EXIT_REJECTED = 1
EXIT_INTERNAL = 70


def _fail(msg: str, code: int = EXIT_REJECTED):
    click.echo(f"wasmaot: error: {msg}", err=True)
    sys.exit(code)


def user_errors(fn):
    """Turn expected failures into one-line messages; never a traceback."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (WasmError, InputError, LinkPlanError) as e:
            _fail(str(e))
        except TargetError as e:           # an option the target lacks: a usage error
            _fail(str(e), 2)
        except NotImplementedError as e:   # TranslateError: valid Wasm we do not compile yet
            _fail(f"unsupported: {e}")
        except OSError as e:               # unwritable output, missing directory, full disk...
            where = e.filename if e.filename else ""
            _fail(f"{where}: {e.strerror or e}" if where else str(e))
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as e:  # a bug: say so in one line, keep the details opt-in
            from .backends.link import LinkError    # lazily: only on the error path
            if isinstance(e, LinkError):            # e.g. the toolchain failed: one line, exit 1
                _fail(str(e))                       # LinkError messages say what failed
            if os.environ.get("WASMAOT_TRACEBACK"):
                raise
            first = (str(e).splitlines() or [""])[0]    # e.g. a VerifierError lists many
            where = f"{kwargs['file']}: " if kwargs.get("file") else ""
            _fail(f"{where}internal compiler error: {type(e).__name__}: {first} "
                  "(set WASMAOT_TRACEBACK=1 for details)", EXIT_INTERNAL)
    return wrapper


class _OneLineErrors(click.Group):
    """Usage errors as one line (`wasmaot: error: ...`), like every other
    error, instead of click's usage block; exit status 2 as click's."""

    def main(self, args=None, prog_name=None, **extra):
        try:
            rv = super().main(args, prog_name, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as e:     # bare `wasmaot`: show help
            click.echo(e.ctx.get_help(), err=True)
            sys.exit(2)
        except click.UsageError as e:
            cmd = e.ctx.command_path if e.ctx else "wasmaot"
            _fail(f"{e.format_message()} (see '{cmd} --help')", e.exit_code)
        except click.ClickException as e:
            _fail(e.format_message(), e.exit_code)
        except click.exceptions.Abort:
            _fail("aborted", 1)
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(cls=_OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wasmaot")
def main() -> None:
    """wasmaot: compile WebAssembly ahead of time to native code.

    Every command accepts binary (.wasm) and text (.wat) modules: a .wasm
    file is decoded as binary, a .wat file parsed as text, any other name
    decided by its content.  `compile` and `run` also accept wasmaot IR text
    (what `--emit ir` writes): a .ir file, or any other name whose content is
    neither a binary (\\0asm) nor WAT (first token `(`).
    """


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@user_errors
def inspect(file: str) -> None:
    """Show a module's sections (offsets, sizes), types, imports, exports,
    start function, memory/table limits, globals, segments and custom
    sections (including the name section).

    The module is decoded but not validated, so the structure of an invalid
    (but well-formed) module can still be looked at.
    """
    from .inspect import describe
    m = load_file(file, validate=False)
    for line in describe(m, file):
        click.echo(line)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-q", "--quiet", is_flag=True, help="Print nothing for valid modules.")
@user_errors
def validate(files: tuple[str, ...], quiet: bool) -> None:
    """Decode and fully validate each FILE (Wasm 2.0 + extended-const).

    Prints `FILE: valid` or a one-line error per file; exits 1 if any file
    is rejected.
    """
    bad = 0
    for f in files:
        try:
            load_file(f)
        except (WasmError, InputError) as e:
            click.echo(f"wasmaot: error: {e}", err=True)
            bad += 1
            continue
        if not quiet:
            click.echo(f"{f}: valid")
    if bad:
        sys.exit(EXIT_REJECTED)


def _compile_options(target, opt_level, bounds, cpu, stack_check, jobs=0):
    """CompileOptions from the flags; no --bounds means the target's default."""
    from .backends import CompileOptions
    try:
        t = get_target(target)
        bounds = t.check_bounds(bounds or t.default_bounds)
    except TargetError as e:
        raise click.UsageError(str(e)) from None
    try:
        return CompileOptions(target=target, opt_level=opt_level, bounds=bounds, cpu=cpu,
                              stack_check=stack_check, jobs=jobs or 0)
    except (ValueError, KeyError) as e:
        raise click.UsageError(str(e)) from None


def _default_bounds_help() -> str:
    """Each target's default bounds mode, from the registry, for --help."""
    by_mode: dict[str, list[str]] = {}
    for name in target_names():
        by_mode.setdefault(get_target(name).default_bounds, []).append(name)
    return "; ".join(f"{mode} for {', '.join(names)}" for mode, names in by_mode.items())


_codegen_options = [
    click.option("--target", default=DEFAULT_TARGET, show_default=True,
                 help=f"Target to compile for: {', '.join(target_names())} (always explicit; "
                      "never guessed from the host)."),
    click.option("-O", "opt_level", type=click.IntRange(0, 3), default=2, show_default=True,
                 help="LLVM optimization level, -O0 .. -O3."),
    click.option("--bounds", type=click.Choice(BOUNDS_MODES), default=None,
                 help="Memory bounds strategy: guard pages (no checks in code; 64-bit "
                      "targets) or an explicit compare on every access.  [default: the "
                      f"target's own: {_default_bounds_help()}]"),
    click.option("--cpu", default=None, help="Target CPU (default: the target's baseline)."),
    click.option("--no-stack-check", "stack_check", flag_value=False, default=True,
                 help="Rely on the guard page alone for stack exhaustion."),
    click.option("-j", "--jobs", type=click.IntRange(1), default=None,
                 help="Code-generation processes for modules large enough to be split "
                      "(default: the cores available); the output is identical for any N."),
]


def codegen_options(fn):
    for opt in reversed(_codegen_options):
        fn = opt(fn)
    return fn


_wasi_options = [
    click.option("--dir", "dirs", multiple=True, metavar="HOST[::GUEST]",
                 help="Grant a host directory (read-write) to the program, seen as GUEST "
                      "(default: the same path).  Repeatable.  Nothing is granted by default."),
    click.option("--dir-ro", "dirs_ro", multiple=True, metavar="HOST[::GUEST]",
                 help="Grant a host directory read-only.  Repeatable."),
    click.option("--env", "envs", multiple=True, metavar="NAME[=VAL]",
                 help="Set an environment variable for the program (NAME alone: inherit it "
                      "from the host).  Repeatable."),
    click.option("--inherit-env", is_flag=True, help="Give the program the whole host environment."),
]


def wasi_options(fn):
    for opt in reversed(_wasi_options):
        fn = opt(fn)
    return fn


def _grants(dirs, dirs_ro, envs, inherit_env) -> list[str]:
    """WASI grants as the shim's option list (wasi-shim/include/wasmaot_wasi.h)."""
    out: list[str] = []
    for d in dirs:
        out += ["--dir", d]
    for d in dirs_ro:
        out += ["--dir-ro", d]
    for e in envs:
        out += ["--env", e]
    if inherit_env:
        out.append("--inherit-env")
    return out


def _parse_preload(ctx, param, values) -> list[tuple[str, str]]:
    out = []
    for v in values:
        name, sep, path = v.partition("=")
        if not sep or not name or not path:
            raise click.BadParameter(f"{v!r} is not NAME=PATH", ctx, param)
        if not os.path.isfile(path):
            raise click.BadParameter(f"{path}: no such file", ctx, param)
        out.append((name, path))
    return out


#: Shared by compile and run.
_preload = click.option(
    "--preload", "preloads", multiple=True, metavar="NAME=PATH", callback=_parse_preload,
    help="Link the module at PATH into the program as an instance named NAME: "
         "imports from module NAME bind to its exports at compile time (direct calls, "
         "shared memories, tables and globals).  Repeatable; instantiated in the order "
         "given, before FILE.  As `wasmtime run --preload`.")

#: Shared by compile and run.
_verify_ir = click.option(
    "--verify-ir", is_flag=True,
    help="Run the IR verifier on the input of the IR passes and after every pass "
         "(slower; stops with the name of the pass that broke the IR).")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out", default=None,
              help="Output path (default: FILE without extension for exe, FILE.o for obj, "
                   "stdout for ir/llvm/asm; '-' for stdout).")
@click.option("--emit", type=click.Choice(EMIT_KINDS), default="exe",
              show_default=True, help="Stop after this stage and write its output.")
@click.option("--invoke", default=None, metavar="NAME",
              help="Bake in the export the executable calls by default (instead of _start); "
                   "`./app --invoke OTHER ARGS...` still overrides it at run time.")
@click.option("--time-passes", is_flag=True, help="Print per-stage and per-IR-pass timing on stderr.")
@click.option("--keep-symbols", is_flag=True,
              help="Keep symbols and debug info in the executable (default: stripped).")
@_preload
@_verify_ir
@codegen_options
@wasi_options
@user_errors
def compile(file, out, emit, invoke, time_passes, keep_symbols, preloads, verify_ir, target, opt_level,
            bounds, cpu, stack_check, jobs, dirs, dirs_ro, envs, inherit_env):
    """Compile a Wasm module (binary or text), or IR text, ahead of time.

    By default writes a static native executable that instantiates the
    module and runs its `_start` export, or the export named by
    `--invoke NAME` (at compile time, or as the executable's first argument
    at run time: `./app --invoke fac 20`).  Results print one per line as
    `wasmtime --invoke` prints them.  A trap prints `wasm trap: MESSAGE` on
    stderr and exits 134.

    Programs importing WASI preview1 get the WASI shim linked in.  Grants
    (`--dir`, `--dir-ro`, `--env`, `--inherit-env`) are baked into the
    executable; without them the program sees no files and no environment.
    The executable passes its own command line to the program (a leading
    `--` is dropped, so `./app -- --invoke` gives the program `--invoke`).
    """
    from .compile import compile_bytes
    from .frontend.load import read_bytes
    opts = _compile_options(target, opt_level, bounds, cpu, stack_check, jobs)
    data = read_bytes(file)
    stem = os.path.splitext(file)[0]
    if out is None:
        out = {"exe": stem, "obj": stem + ".o"}.get(emit, "-")
    if out != "-" and os.path.exists(out) and os.path.samefile(out, file):
        raise click.UsageError(f"output {out} would overwrite the input")
    if emit == "exe" and out == "-":
        raise click.UsageError("an executable cannot be written to stdout; give -o PATH")
    if out != "-" and not os.path.isdir(os.path.dirname(os.path.abspath(out))):
        raise click.UsageError(f"cannot write {out}: its directory does not exist")  # one line (see _OneLineErrors)
    res = compile_bytes(data, file, opts, emit=emit, out=out, invoke=invoke,
                        wasi_options=_grants(dirs, dirs_ro, envs, inherit_env),
                        strip=not keep_symbols, verify=verify_ir, preloads=preloads)
    if emit != "exe":
        payload = res.data.encode() if isinstance(res.data, str) else res.data
        if out == "-":
            sys.stdout.buffer.write(payload)
            sys.stdout.flush()
        else:
            _write_atomically(out, payload)
    if time_passes:
        for stage, secs in res.timings.items():
            click.echo(f"{secs:10.6f}  {stage}", err=True)
        if res.pass_report:
            click.echo(res.pass_report, err=True)
        if res.codegen_report:
            click.echo(res.codegen_report.rstrip("\n"), err=True)


def _write_atomically(path: str, payload: bytes) -> None:
    """Never leave a half-written file where the user's output goes."""
    import tempfile
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".wasmaot-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@main.command(context_settings={"ignore_unknown_options": True,
                                "allow_interspersed_args": False})
@_preload
@_verify_ir
@codegen_options
@wasi_options
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@user_errors
def run(file, args, preloads, verify_ir, target, opt_level, bounds, cpu, stack_check, jobs, dirs, dirs_ro, envs, inherit_env):
    """Compile FILE (cached) and run it natively.

    Options go before FILE; everything after FILE goes to the program.
    `wasmaot run app.wasm --invoke fac 20` calls an export instead of
    `_start`.  WASI grants as for `compile` (`--dir HOST[::GUEST]`, `--env`
    ...), spelled as `wasmtime run` spells them.  Executables are cached
    under $WASMAOT_CACHE_DIR (default ~/.cache/wasmaot), keyed on the
    compiler version, target, options, grants, runtime sources and the
    input's hash.  The exit status is the program's.
    """
    from .backends.targets import RunnerMissing
    from .compile import cached_executable
    opts = _compile_options(target, opt_level, bounds, cpu, stack_check, jobs)
    try:
        prefix = get_target(opts.target).check_runnable()   # e.g. qemu-aarch64 on x86-64
    except RunnerMissing as e:       # say how to get the emulator
        raise click.ClickException(str(e)) from None
    exe = cached_executable(file, opts, _grants(dirs, dirs_ro, envs, inherit_env), verify_ir,
                            preloads)
    sys.stdout.flush()
    sys.stderr.flush()
    if prefix:
        # qemu's -0 sets the program's argv[0] (the module's name, as natively)
        os.execvp(prefix[0], [*prefix, "-0", file, exe, *args])
    os.execv(exe, [file, *args])


def _register_optional_commands() -> None:
    """Commands living in other subpackages register themselves here."""
    from .spectest.cli import spectest
    from .bench.cli import bench
    main.add_command(spectest)
    main.add_command(bench)


_register_optional_commands()
