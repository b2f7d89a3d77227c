"""The C runtime's sources, shipped as package data (``wasmaot.runtime``).

Only this locator is Python; everything else in this folder is C.  Use
:func:`root` to find the sources in both editable and regular installs.
"""
import pathlib


def root() -> pathlib.Path:
    return pathlib.Path(__file__).resolve().parent
