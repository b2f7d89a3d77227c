"""Fixtures for the firmware tests: a private build cache, the CLI, and
qemu-system-arm (a skip with the reason when it is missing, a failure in CI)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

QEMU = "qemu-system-arm"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    """Never touch the user's ~/.cache/wasmaot from tests."""
    monkeypatch.setenv("WASMAOT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "wasmaot-cache"))


def wasmaot(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wasmaot", *map(str, args)], check=False, capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def compile_image(src: Path, out: Path, *flags) -> Path:
    """``wasmaot compile --target cortex-m3 SRC -o OUT FLAGS``; fails the test
    with the compiler's message if it fails."""
    r = wasmaot("compile", "--target", "cortex-m3", src, "-o", out, *flags)
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="session")
def qemu() -> str:
    """The qemu-system-arm executable; skip (fail in CI) if not installed."""
    path = shutil.which(QEMU)
    if path is None:
        why = (f"{QEMU} not installed: cannot run firmware images "
               f"(apt-get install qemu-system-arm, or scripts/install-test-deps.sh)")
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    return path


def run_image(qemu: str, elf: Path, machine: str = "mps2-an385") -> subprocess.CompletedProcess:
    """Run ``elf`` on qemu's ``machine``: output and exit status over semihosting."""
    return subprocess.run([qemu, "-M", machine, "-nographic", "-monitor", "none", "-serial", "none",
                           "-semihosting-config", "enable=on,target=native", "-kernel", str(elf)],
                          check=False, capture_output=True, text=True, timeout=60)
