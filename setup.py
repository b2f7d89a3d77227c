"""Package discovery that pyproject.toml cannot express.

The top-level folders are renamed into one import package (pyproject's
``[tool.setuptools] package-dir``: ``driver/`` is ``wasmaot``, ``backends/``
is ``wasmaot.backends`` ...), which ``[tool.setuptools.packages.find]``
cannot follow.  So the package list is computed here: every root of that
map plus every Python package found beneath it (its subfolders resolve
through the parent's mapping).  A new folder with an ``__init__.py`` --
e.g. a target family ``backends/<fam>/`` -- is packaged without touching
any list; the same holds for ``pip install .`` and ``pip install -e .``.
"""
import tomllib
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).resolve().parent
ROOTS = tomllib.loads((HERE / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]

setup(packages=sorted({*ROOTS, *(f"{pkg}.{sub}" for pkg, folder in ROOTS.items()
                                 for sub in find_packages(str(HERE / folder)))}))
