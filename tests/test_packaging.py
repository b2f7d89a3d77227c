"""The C sources, headers and data files travel with the package: every
non-Python file in a package folder that the code reads must be matched
by pyproject.toml's ``package-data``, or a non-editable ``pip install .``
gives a compiler that cannot link (a new runtime folder, a new ``.def``
list and the firmware startup files were each missed once)."""
import glob
import os
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Files in package folders that are documentation or results, not read by the code.
NOT_PACKAGED = ("README.md", "results/", "__pycache__/", ".pyc")


def _config():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    return data["package-dir"], data["package-data"]


def test_every_data_file_is_packaged():
    dirs, data = _config()
    missing = []
    for pkg, folder in dirs.items():
        base = ROOT / folder
        matched = {os.path.normpath(m) for pat in data.get(pkg, ())
                   for m in glob.glob(pat, root_dir=base)}
        for path in base.rglob("*"):
            rel = path.relative_to(base).as_posix()
            if (path.is_dir() or path.suffix == ".py" or any(x in rel or rel.endswith(x)
                                                              for x in NOT_PACKAGED)):
                continue
            # a subpackage's own files are under the parent's patterns (setup.py
            # maps subfolders through their root)
            if os.path.normpath(rel) not in matched:
                missing.append(f"{folder}/{rel}")
    assert not missing, "not in pyproject.toml package-data: " + ", ".join(sorted(missing))


def test_patterns_match_something():
    dirs, data = _config()
    empty = [f"{pkg}: {pat}" for pkg, pats in data.items() for pat in pats
             if not glob.glob(pat, root_dir=ROOT / dirs[pkg])]
    assert not empty, empty
