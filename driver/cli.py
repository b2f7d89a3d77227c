"""The `wasmaot` command line."""
import click

from . import __version__


@click.group()
@click.version_option(__version__, prog_name="wasmaot")
def main() -> None:
    """wasmaot: compile WebAssembly ahead of time to native code."""
