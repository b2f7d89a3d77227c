"""The `wasmaot` command line.

Every user error (missing file, malformed or invalid module, bad flag) ends
as one line on stderr naming the file and the byte offset or line:col, and a
non-zero exit status:

  1  the input was rejected (malformed, invalid, unreadable)
  2  bad command-line usage (click's convention)
  70 internal compiler error (a bug in wasmaot; set WASMAOT_TRACEBACK=1 to see it)
"""
from __future__ import annotations

import functools
import os
import sys

import click

from . import __version__
from .frontend.errors import WasmError
from .frontend.load import InputError, load_file

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
        except (WasmError, InputError) as e:
            _fail(str(e))
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as e:  # a bug: say so in one line, keep the details opt-in
            if os.environ.get("WASMAOT_TRACEBACK"):
                raise
            _fail(f"internal compiler error: {type(e).__name__}: {e} "
                  "(set WASMAOT_TRACEBACK=1 for details)", EXIT_INTERNAL)
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wasmaot")
def main() -> None:
    """wasmaot: compile WebAssembly ahead of time to native code.

    Every command accepts binary (.wasm) and text (.wat) modules; the form
    is detected from the content.
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


def _register_optional_commands() -> None:
    """Commands living in other subpackages register themselves here."""
    from .spectest.cli import spectest
    main.add_command(spectest)


_register_optional_commands()
