"""The `wasmaot` command line.

Every user error (missing file, malformed or invalid module, bad flag) ends
as one line on stderr naming the file and the byte offset or line:col, and a
non-zero exit status:

  1  the input was rejected (malformed, invalid, unreadable, an import
     nothing provides), or the output cannot be written
  2  bad command-line usage (click's convention): an unknown or unsupported
     option ("unsupported option X", wasmtime's included: wasmtime_compat.py),
     an unknown target or CPU, a bounds mode the target lacks, a --dir that
     does not exist, an --invoke export that does not exist
  70 internal compiler error (a bug in wasmaot; set WASMAOT_TRACEBACK=1 to see it)
"""
from __future__ import annotations

import functools
import os
import sys

import click

from . import __version__, wasmtime_compat
from .backends.targets import (BOUNDS_MODES, DEFAULT_TARGET, TargetError, canonical_target,
                               get_target, target_names)
from .cache import CacheError
from .compile import EMIT_KINDS, STDIN, InvokeError, read_input
from .frontend.errors import WasmError
from .frontend.load import InputError, load_module
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
        except (TargetError, InvokeError, CacheError) as e:   # usage errors
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


#: Commands of other subpackages: name -> (module, attribute), imported
#: when named or listed (_OneLineErrors).
_LAZY_COMMANDS = {"bench": ("wasmaot.bench.cli", "bench"),
                  "spectest": ("wasmaot.spectest.cli", "spectest")}


class _OneLineErrors(click.Group):
    """Usage errors as one line (`wasmaot: error: ...`), like every other
    error, instead of click's usage block; exit status 2 as click's.

    Commands of other subpackages (``_LAZY_COMMANDS``) are imported only when named
    or listed (`wasmaot --help`): `wasmaot compile` does not pay for the
    spec-test runner's imports (the component frontend, the text parser)."""

    def list_commands(self, ctx):
        return sorted({*self.commands, *_LAZY_COMMANDS})

    def get_command(self, ctx, cmd_name):
        if cmd_name not in self.commands and cmd_name in _LAZY_COMMANDS:
            import importlib
            module, attr = _LAZY_COMMANDS[cmd_name]
            self.add_command(getattr(importlib.import_module(module), attr), cmd_name)
        return super().get_command(ctx, cmd_name)

    def main(self, args=None, prog_name=None, **extra):
        try:
            rv = super().main(args, prog_name, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as e:     # bare `wasmaot`: show help
            click.echo(e.ctx.get_help(), err=True)
            sys.exit(2)
        except click.NoSuchOption as e:    # wasmtime's spellings land here too
            hint = (f" (did you mean {', '.join(sorted(e.possibilities))}?)"
                    if e.possibilities else "")
            cmd = e.ctx.command_path if e.ctx else "wasmaot"
            _fail(f"unsupported option {e.option_name}{hint} (see '{cmd} --help')", 2)
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
    sections (including the name section); for a component, its structure
    (nested components, core modules, instances, imports and exports with
    their WIT-level types).

    The module is decoded but not validated, so the structure of an invalid
    (but well-formed) module can still be looked at.
    """
    from .frontend.component import component_binary, inspect_component
    from .inspect import describe
    data = read_input(file)
    comp = component_binary(data, _name(file))
    if comp is not None:
        # A component's types are only known after validation, so an invalid
        # component prints its error rather than its structure.
        click.echo(inspect_component(comp, _name(file)))
        return
    m = load_module(data, _name(file), validate=False)
    for line in describe(m, file):
        click.echo(line)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-q", "--quiet", is_flag=True, help="Print nothing for valid modules.")
@click.option("-W", "--wasm", "wt_W", multiple=True, metavar="KEY[=VAL,...]", is_eager=True,
              callback=lambda ctx, param, v: _group_help("W")(ctx, param, v),  # defined below
              help="Wasm features as wasmtime spells them (-W simd=n,tail-call=n): a module "
                   "using a feature that is off is rejected; `-W help` lists the keys.")
@user_errors
def validate(files: tuple[str, ...], quiet: bool, wt_W: tuple[str, ...]) -> None:
    """Decode and fully validate each FILE (a Wasm 2.0 + extended-const module or a component).

    Prints `FILE: valid` or a one-line error per file; exits 1 if any file
    is rejected.
    """
    from .frontend.component import component_binary, load_component
    _settings((), {"W": wt_W})
    bad = 0
    for f in files:
        try:
            data = read_input(f)
            comp = component_binary(data, _name(f))
            if comp is not None:
                load_component(comp, _name(f))
            else:
                load_module(data, _name(f))
        except (WasmError, InputError) as e:
            click.echo(f"wasmaot: error: {e}", err=True)
            bad += 1
            continue
        if not quiet:
            click.echo(f"{_name(f)}: valid")
    if bad:
        sys.exit(EXIT_REJECTED)


def _name(file: str) -> str:
    """How errors name an input (`-` is standard input)."""
    return "<stdin>" if file == STDIN else file


def _compile_options(target, opt_level, bounds, cpu, stack_check, jobs=0, features=None):
    """CompileOptions from the flags; no --bounds means the target's default.
    ``target`` may be an LLVM triple (as wasmtime's --target); ``cpu`` may
    be ``native`` (the build machine's CPU and features); a bad name of
    either, or a feature LLVM does not know, is a usage error."""
    from .backends import CompileOptions
    try:
        target = canonical_target(target)
        t = get_target(target)
        bounds = t.check_bounds(bounds or t.default_bounds)
        native = cpu == "native"
        cpu = t.resolve_cpu(cpu)
        features = t.resolve_features(features, cpu, native)
    except TargetError as e:
        raise click.UsageError(str(e)) from None
    try:
        return CompileOptions(target=target, opt_level=opt_level, bounds=bounds, cpu=cpu,
                              features=features, stack_check=stack_check, jobs=jobs or 0)
    except (ValueError, KeyError) as e:
        raise click.UsageError(str(e)) from None


def _default_bounds_help() -> str:
    """Each target's default bounds mode, from the registry, for --help."""
    by_mode: dict[str, list[str]] = {}
    for name in target_names():
        by_mode.setdefault(get_target(name).default_bounds, []).append(name)
    return "; ".join(f"{mode} for {', '.join(names)}" for mode, names in by_mode.items())


def _group_help(group: str):
    """An eager callback: `-X help` prints the group's table and exits 0
    (before FILE is required, as `wasmtime run -S help`)."""
    def callback(ctx, param, values):
        if values and any(v.strip() in ("help", "help-long") for v in values):
            lines = wasmtime_compat.describe(group)
            if group == "O":
                lines[1:1] = [("  -O0 .. -O3 (a digit): wasmaot's own LLVM optimization "
                               "level, default -O2"), ""]
            click.echo("\n".join(lines))
            ctx.exit(0)
        return values
    return callback


_codegen_options = [
    click.option("--target", default=DEFAULT_TARGET, show_default=True,
                 help=f"Target to compile for: {', '.join(target_names())}, or an LLVM "
                      "triple of one of them (x86_64-unknown-linux-gnu); always explicit, "
                      "never guessed from the host."),
    click.option("-O", "opt_specs", multiple=True, metavar="N|KEY=VAL",
                 is_eager=True, callback=_group_help("O"),
                 help="LLVM optimization level -O0 .. -O3 (default -O2), or wasmtime's "
                      "-O KEY[=VAL] (opt-level=0|1|2 honoured; `-O help` lists every key "
                      "and what wasmaot does with it)."),
    click.option("--bounds", type=click.Choice(BOUNDS_MODES), default=None,
                 help="Memory bounds strategy: guard pages (no checks in code; 64-bit "
                      "targets) or an explicit compare on every access.  [default: the "
                      f"target's own: {_default_bounds_help()}]"),
    click.option("--cpu", default=None, metavar="NAME|native",
                 help="Target CPU, an LLVM CPU name of the target (default: the target's "
                      "baseline).  `native`: this build machine's CPU, only when the target "
                      "is the build machine's architecture, with its features (as clang's "
                      "-march=native).  Intel cores slowed by the Gather Data Sampling "
                      "mitigation (skylake .. icelake-server, tigerlake, rocketlake) get "
                      "+prefer-no-gather,+prefer-no-scatter.  A name LLVM does not know for "
                      "the target is a usage error."),
    click.option("--features", default=None, metavar="+A,-B",
                 help="LLVM target features to add (+NAME) or remove (-NAME), e.g. "
                      "`+avx2,+fma` or `-avx512f`; after --cpu's.  A feature LLVM does not "
                      "know for the target is a usage error.  Part of the cache key."),
    click.option("--no-stack-check", "stack_check", flag_value=False, default=True,
                 help="Rely on the guard page alone for stack exhaustion."),
    click.option("-j", "--jobs", type=click.IntRange(1), default=None,
                 help="Code-generation processes for modules large enough to be split "
                      "(default: the cores available); the output is identical for any N."),
    click.option("--allow-unresolved-imports", is_flag=True,
                 help="An imported function that nothing provides (not WASI, not a --preload "
                      "instance) compiles to a stub that traps (`wasm trap: host trap`) when "
                      "called, as wasmtime's -W unknown-imports-trap.  Without it such an "
                      "import is a compile-time error; unresolved memories, tables and "
                      "globals always are."),
]


def codegen_options(fn):
    for opt in reversed(_codegen_options):
        fn = opt(fn)
    return fn


def _group_option(letter: str, long: str, what: str):
    return click.option(f"-{letter}", f"--{long}", f"wt_{letter}", multiple=True,
                        metavar="KEY[=VAL,...]", is_eager=True, callback=_group_help(letter),
                        help=f"wasmtime's {what} options; `-{letter} help` lists every key and "
                             "whether wasmaot honours it, ignores it (no effect here) or "
                             "refuses it (exit 2).")


#: wasmtime's -S/-W/-D/-C/-R groups (-O is merged into codegen_options).
_wasmtime_groups = [
    _group_option("S", "wasi", "WASI (-S inherit-env)"),
    _group_option("W", "wasm", "Wasm feature (-W simd)"),
    _group_option("D", "debug", "debug"),
    _group_option("C", "codegen", "code generation"),
    _group_option("R", "record", "execution recording"),
]


def wasmtime_groups(fn):
    for opt in reversed(_wasmtime_groups):
        fn = opt(fn)
    return fn


def _settings(opt_specs, groups: dict[str, tuple[str, ...]]) -> tuple[int, wasmtime_compat.Settings]:
    """The -O level and what wasmtime's -S/-W/-O/-D/-C/-R keys ask for."""
    settings = wasmtime_compat.Settings()
    level = 2
    try:
        for spec in opt_specs:
            if spec in ("0", "1", "2", "3"):
                level = int(spec)
            elif spec.isdigit():
                raise ValueError(f"-O{spec}: the optimization level is 0 .. 3")
            else:
                settings.opt_level = None
                wasmtime_compat.apply("O", spec, settings)
                if settings.opt_level is not None:
                    level = settings.opt_level
        for letter, specs in groups.items():
            for spec in specs:
                wasmtime_compat.apply(letter, spec, settings)
    except wasmtime_compat.Unsupported as e:
        _fail(str(e), 2)
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    _activate_features(settings)
    return level, settings


def _activate_features(settings: wasmtime_compat.Settings) -> None:
    """The -W feature switches become the features of this command: every
    decode and validation reads them (frontend/features.py), and the run
    cache key includes them."""
    from .frontend import features
    try:
        features.activate(features.with_switches(settings.features))
    except features.FeatureError as e:
        raise click.UsageError(f"-W: {e}") from None


_wasi_options = [
    click.option("--dir", "dirs", multiple=True, metavar="HOST[::GUEST]",
                 help="Grant a host directory (read-write) to the program, seen as GUEST "
                      "(default: the name as given).  HOST must exist; a relative HOST is "
                      "made absolute now.  Repeatable.  Nothing is granted by default."),
    click.option("--dir-ro", "dirs_ro", multiple=True, metavar="HOST[::GUEST]",
                 help="Grant a host directory read-only.  Repeatable."),
    click.option("--env", "envs", multiple=True, metavar="NAME[=VAL]",
                 help="Set an environment variable for the program (NAME alone: inherit it "
                      "from the host).  Repeatable."),
    click.option("--inherit-env", is_flag=True,
                 help="Give the program the whole host environment (also -S inherit-env)."),
]


def wasi_options(fn):
    for opt in reversed(_wasi_options):
        fn = opt(fn)
    return fn


def _dir_grant(flag: str, spec: str) -> str:
    """``HOST[::GUEST]`` checked now, HOST made absolute; GUEST defaults to
    HOST *as given* (wasmtime's rule), so `--dir data` is still `data` to
    the program.  Why absolute: the grant is baked into an executable that
    may run from any directory; a run-time grant (WASMAOT_WASI_OPTIONS) is
    the way to name a directory relative to where it runs."""
    host, sep, guest = spec.partition("::")
    if not host or (sep and not guest):
        raise click.BadParameter(f"{spec!r} is not HOST[::GUEST] (both non-empty)",
                                 param_hint=f"'{flag}'")
    if not os.path.isdir(host):
        why = "not a directory" if os.path.exists(host) else "no such directory"
        raise click.BadParameter(f"{host}: {why}", param_hint=f"'{flag}'")
    return f"{os.path.abspath(host)}::{guest if sep else host}"


def _grants(dirs, dirs_ro, envs, inherit_env) -> list[str]:
    """WASI grants as the shim's option list (wasi-shim/include/wasmaot_wasi.h)."""
    out: list[str] = []
    for d in dirs:
        out += ["--dir", _dir_grant("--dir", d)]
    for d in dirs_ro:
        out += ["--dir-ro", _dir_grant("--dir-ro", d)]
    for e in envs:
        if not e.partition("=")[0]:
            raise click.BadParameter(f"{e!r} has no NAME", param_hint="'--env'")
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


def _check_output(out: str, file: str, emit: str) -> None:
    if out != "-" and file != STDIN and os.path.exists(out) and os.path.samefile(out, file):
        raise click.UsageError(f"output {out} would overwrite the input")
    if emit == "exe" and out == "-":
        raise click.UsageError("an executable cannot be written to stdout; give -o PATH")
    if out != "-" and not os.path.isdir(os.path.dirname(os.path.abspath(out))):
        raise click.UsageError(f"cannot write {out}: its directory does not exist")


#: Firmware targets only (Target.output_kind "firmware"; backends/firmware).
_firmware_options = [
    click.option("--board", default=None, metavar="NAME",
                 help="Firmware: the board whose memory map the image is linked for "
                      "(mps2-an385, mps2-an386, mps2-an505, lm3s6965evb, stm32f103c8, "
                      "virt-rv32; default: the target's)."),
    click.option("--flash", default=None, metavar="ORIGIN:SIZE",
                 help="Firmware: the flash region (e.g. 0x08000000:64K), for any other board."),
    click.option("--ram", default=None, metavar="ORIGIN:SIZE",
                 help="Firmware: the RAM region (e.g. 0x20000000:20K), for any other board."),
    click.option("--max-memory", default=None, metavar="SIZE",
                 help="Firmware: RAM reserved for linear memory (64K, 1M ...; a multiple of "
                      "64 KiB) when it is less than the declared maximum or there is none "
                      "(default: the declared maximum, else the initial size); memory.grow "
                      "returns -1 beyond it."),
    click.option("--size-report", is_flag=True,
                 help="Firmware: print flash and RAM by part after linking (as `wasmaot size`)."),
]


def firmware_options(fn):
    for opt in reversed(_firmware_options):
        fn = opt(fn)
    return fn


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("-o", "--output", "out", default=None,
              help="Output path (default: FILE without extension for exe, FILE.o for obj, "
                   "stdout for ir/llvm/asm; '-' for stdout).  Needed when FILE is '-'.")
@click.option("--emit", type=click.Choice(EMIT_KINDS), default="exe",
              show_default=True, help="Stop after this stage and write its output. obj, llvm and asm are "
                   "the code other hosts link (position-independent, the instance passed in, "
                   "memory through its base), not the executable's own (one static "
                   "instance; on x86-64 the main memory through %gs): see that with "
                   "--keep-symbols and objdump.")
@click.option("--invoke", default=None, metavar="NAME",
              help="Bake in the export the executable calls by default (instead of _start); "
                   "`./app --invoke OTHER ARGS...` still overrides it at run time.  NAME must "
                   "be an exported function (checked now).")
@click.option("--time-passes", is_flag=True, help="Print per-stage and per-IR-pass timing on stderr.")
@click.option("--keep-symbols", is_flag=True,
              help="Keep symbols and debug info in the executable (default: stripped).")
@_preload
@_verify_ir
@codegen_options
@wasi_options
@wasmtime_groups
@firmware_options
@user_errors
def compile(file, out, emit, invoke, time_passes, keep_symbols, preloads, verify_ir, target, opt_specs,
            bounds, cpu, features, stack_check, jobs, allow_unresolved_imports, dirs, dirs_ro, envs, inherit_env,
            wt_S, wt_W, wt_D, wt_C, wt_R, board, flash, ram, max_memory, size_report):
    """Compile a Wasm module (binary or text), or IR text, ahead of time.
    FILE '-' reads the module from standard input.

    By default writes a static native executable that instantiates the
    module and runs its `_start` export, or the export named by
    `--invoke NAME` (at compile time, or as the executable's first argument
    at run time: `./app --invoke fac 20`).  Results print one per line as
    `wasmtime --invoke` prints them.  A trap prints `wasm trap: MESSAGE` on
    stderr and exits 134.

    Programs importing WASI preview1 get the WASI shim linked in.  Grants
    (`--dir`, `--dir-ro`, `--env`, `--inherit-env`) are baked into the
    executable; without them the program sees no files and no environment.
    Every import of an executable must be provided (WASI, a --preload
    instance) unless --allow-unresolved-imports.
    The executable passes its own command line to the program (a leading
    `--` is dropped, so `./app -- --invoke` gives the program `--invoke`).
    The output appears only when complete (written beside it, then renamed),
    with the usual permissions (umask).
    """
    from .compile import compile_bytes, write_output
    level, wt = _settings(opt_specs, {"S": wt_S, "W": wt_W, "D": wt_D, "C": wt_C, "R": wt_R})
    opts = _compile_options(target, level, bounds, cpu, stack_check, jobs or wt.jobs, features)
    grants = _grants(dirs, dirs_ro, envs, inherit_env or wt.inherit_env) + wasmtime_compat.network_grants(wt)
    fw = _firmware_request(opts.target, emit, invoke, grants, board=board, flash=flash, ram=ram,
                           max_memory=max_memory, size_report=size_report)
    if out is None:
        if file == STDIN and emit in ("exe", "obj"):
            raise click.UsageError("reading the module from stdin ('-'): give -o PATH")
        stem = os.path.splitext(file)[0]
        out = {"exe": stem + (".elf" if fw else ""), "obj": stem + ".o"}.get(emit, "-")
    _check_output(out, file, emit)
    data = read_input(file)
    res = compile_bytes(data, _name(file), opts, emit=emit, out=None if out == "-" else out,
                        invoke=invoke, wasi_options=grants, strip=not keep_symbols,
                        verify=verify_ir, preloads=preloads,
                        allow_unresolved_imports=allow_unresolved_imports or wt.allow_unresolved_imports,
                        firmware=fw)
    if fw and size_report and emit == "exe":
        from .backends.firmware.size import report
        click.echo(report(out))
    if emit != "exe":
        payload = res.data.encode() if isinstance(res.data, str) else res.data
        if out == "-":
            sys.stdout.buffer.write(payload)
            sys.stdout.flush()
        else:
            write_output(out, payload, executable=False)
    if time_passes:
        for stage, secs in res.timings.items():
            click.echo(f"{secs:10.6f}  {stage}", err=True)
        if res.pass_report:
            click.echo(res.pass_report, err=True)
        if res.codegen_report:
            click.echo(res.codegen_report.rstrip("\n"), err=True)


def _firmware_request(target: str, emit: str, invoke, grants, **given):
    """The firmware options of a compile (FirmwareOptions), None for a
    target that produces executables; firmware flags elsewhere, and
    executable-only flags on firmware, are usage errors."""
    from .backends.targets import get_target
    named = [f"--{k.replace('_', '-')}" for k, v in given.items() if v]
    if get_target(target).output_kind != "firmware":
        if named:
            raise click.UsageError(f"{', '.join(named)}: only for firmware targets, not {target}")
        return None
    if invoke is not None or grants:
        raise click.UsageError(f"target {target} builds firmware: it runs _start, with no "
                               "--invoke, files or environment")
    from .backends.firmware import FirmwareOptions, check_options
    given.pop("size_report")
    fw = FirmwareOptions(**given)
    check_options(target, fw)
    return fw


@main.command("size")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@user_errors
def size(file: str) -> None:
    """Print the flash and RAM of a firmware image (an ELF that `wasmaot
    compile --target cortex-m3 ...` wrote) by part: vector table,
    generated code, data segments, WASI shim, startup, runtime, RAM data,
    instance, linear memory, stack."""
    from .backends.firmware.size import report
    click.echo(report(file))


def _refused(option: str):
    """A callback refusing a wasmtime option we do not honour (see
    wasmtime_compat.TOP_LEVEL for why)."""
    def callback(ctx, param, value):
        if value not in (None, False, ()):
            _fail(f"unsupported option {option}: {wasmtime_compat.TOP_LEVEL[option].why}", 2)
    return callback


#: wasmtime `run` options that wasmaot refuses (hidden: --help lists what works).
_refused_run_options = [
    click.option("--config", hidden=True, expose_value=False, callback=_refused("--config")),
    click.option("--profile", hidden=True, expose_value=False, callback=_refused("--profile")),
    click.option("-g", "--gdbstub", hidden=True, expose_value=False,
                 callback=_refused("-g/--gdbstub")),
    click.option("--allow-precompiled", is_flag=True, hidden=True, expose_value=False,
                 help="Accepted and ignored (wasmaot never runs .cwasm files)."),
]


def refused_run_options(fn):
    for opt in reversed(_refused_run_options):
        fn = opt(fn)
    return fn


@main.command(context_settings={"allow_interspersed_args": False})
@_preload
@_verify_ir
@codegen_options
@wasi_options
@wasmtime_groups
@click.option("--invoke", default=None, metavar="NAME",
              help="Call export NAME with ARGS (parsed per its signature) and print its "
                   "results, as `wasmtime run --invoke NAME FILE ARGS`.")
@click.option("--argv0", default=None, metavar="NAME",
              help="The program's argv[0] (default: FILE as given).")
@refused_run_options
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@user_errors
def run(file, args, preloads, verify_ir, target, opt_specs, bounds, cpu, features, stack_check, jobs,
        allow_unresolved_imports, dirs, dirs_ro, envs, inherit_env, wt_S, wt_W, wt_D, wt_C, wt_R,
        invoke, argv0):
    """Compile FILE (cached) and run it natively; FILE '-' reads the module
    from standard input.

    Options go before FILE; everything after FILE goes to the program.
    `wasmaot run --invoke fac app.wasm 20` (as wasmtime spells it) or
    `wasmaot run app.wasm --invoke fac 20` calls an export instead of
    `_start`.  WASI grants as for `compile` (`--dir HOST[::GUEST]`, `--env`
    ...), spelled as `wasmtime run` spells them, -S/-W/-O/-D/-C/-R keys
    included: each is honoured, or ignored where it changes nothing here, or
    refused with "unsupported option" (exit 2), as `-S help` etc. list.  Any
    other wasmtime option (--profile, --config, -g) is refused the same way.

    Executables are cached under $WASMAOT_CACHE_DIR (default
    ~/.cache/wasmaot), keyed on the compiler version, target, options,
    grants, runtime sources and the input's hash, and bounded in size (see
    `wasmaot cache`).  The exit status is the program's.
    """
    from .backends.targets import RunnerMissing
    from .compile import cached_executable, check_invoke
    level, wt = _settings(opt_specs, {"S": wt_S, "W": wt_W, "D": wt_D, "C": wt_C, "R": wt_R})
    opts = _compile_options(target, level, bounds, cpu, stack_check, jobs or wt.jobs, features)
    grants = _grants(dirs, dirs_ro, envs, inherit_env or wt.inherit_env) + wasmtime_compat.network_grants(wt)
    try:
        prefix = get_target(opts.target).check_runnable()   # e.g. qemu-aarch64 on x86-64
    except RunnerMissing as e:       # say how to get the emulator
        raise click.ClickException(str(e)) from None
    data = read_input(file)
    exe, exports = cached_executable(data, _name(file), opts, grants, verify_ir, preloads,
                                     allow_unresolved_imports or wt.allow_unresolved_imports,
                                     use_cache=not wt.no_cache)
    if invoke is None and args[:1] == ("--invoke",) and len(args) > 1:
        invoke, args = args[1], args[2:]      # the runtime's own spelling, checked alike
    if invoke is not None:
        check_invoke(exports, invoke, _name(file))
        args = ("--invoke", invoke, *args)
    sys.stdout.flush()
    sys.stderr.flush()
    shown = argv0 if argv0 is not None else file
    # qemu's -0 sets the program's argv[0] (the module's name, as natively)
    argv = [*prefix, "-0", shown, exe, *args] if prefix else [shown, *args]
    path = prefix[0] if prefix else exe
    if wt.no_cache:               # -C cache=n: a private build, removed after the run
        _run_and_remove(path, argv, os.path.dirname(exe))
    os.execvp(path, argv) if prefix else os.execv(path, argv)


def _run_and_remove(path: str, argv: list[str], private_dir: str) -> None:
    """Run, remove ``private_dir``, exit with the program's status (a signal
    N as 128+N, as a shell reports it)."""
    import shutil
    import subprocess
    try:
        rc = subprocess.call(argv, executable=path)
    finally:
        shutil.rmtree(private_dir, ignore_errors=True)
    sys.exit(128 - rc if rc < 0 else rc)


@main.group(cls=click.Group)
def cache() -> None:
    """The run cache: executables built by `wasmaot run`, and the runtime
    objects every compile links.

    It lives under $WASMAOT_CACHE_DIR (default ~/.cache/wasmaot) and is
    bounded: after each new entry, the least recently used entries are
    removed until it holds at most $WASMAOT_CACHE_MAX_BYTES (default 2 GiB;
    0: no bound).
    """


@cache.command("clean")
@user_errors
def cache_clean() -> None:
    """Remove every cache entry (the next run rebuilds what it needs)."""
    from .cache import clean
    n, size = clean()
    click.echo(f"removed {n} entries ({size / 2**20:.1f} MiB) from {_cache_root()}")


@cache.command("info")
@user_errors
def cache_info() -> None:
    """Where the cache is, its size and its bound."""
    from .cache import max_bytes, usage
    n, size = usage()
    bound = max_bytes()
    click.echo(f"{_cache_root()}: {n} entries, {size / 2**20:.1f} MiB; bound "
               + (f"{bound / 2**20:.0f} MiB" if bound else "none"))


def _cache_root() -> str:
    from .cache import cache_dir
    return str(cache_dir())
