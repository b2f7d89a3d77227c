"""Fixtures for the host tests: a private build cache per session, and the
hand-written fake modules in ``c/``."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
C_DIR = HERE / "c"
DATA = HERE / "data"


@pytest.fixture(scope="session")
def cache_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("wasmaot-cache")


@pytest.fixture(autouse=True)
def _private_cache(cache_root, monkeypatch):
    """Never touch the user's ~/.cache/wasmaot from tests."""
    monkeypatch.setenv("WASMAOT_CACHE_DIR", str(cache_root))


def run(exe, *args, env=None, timeout=60) -> subprocess.CompletedProcess:
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=env)
