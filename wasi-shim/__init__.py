"""The WASI shim's C sources, shipped as package data (``wasmaot.wasi``)."""
import pathlib


def root() -> pathlib.Path:
    return pathlib.Path(__file__).resolve().parent
