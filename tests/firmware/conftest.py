"""Fixtures for the firmware tests: a private build cache, the CLI, and
the qemu of each firmware target's qemu board (qemu-system-arm,
qemu-system-riscv32: a skip with the reason when it is missing, a failure
in CI)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from wasmaot.backends.firmware.boards import BOARDS

#: Firmware target -> the qemu board its images run on in these tests.
RUN_BOARDS = {"cortex-m3": "mps2-an385", "cortex-m4f": "mps2-an386", "cortex-m33": "mps2-an505",
              "rv32imac": "virt-rv32"}
#: qemu executable -> Debian package.
PACKAGES = {"qemu-system-arm": "qemu-system-arm", "qemu-system-riscv32": "qemu-system-misc"}


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    """Never touch the user's ~/.cache/wasmaot from tests."""
    monkeypatch.setenv("WASMAOT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "wasmaot-cache"))


def wasmaot(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wasmaot", *map(str, args)], check=False, capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def compile_image(src: Path, out: Path, *flags, target: str = "cortex-m3") -> Path:
    """``wasmaot compile --target TARGET SRC -o OUT FLAGS``; fails the test
    with the compiler's message if it fails."""
    r = wasmaot("compile", "--target", target, src, "-o", out, *flags)
    assert r.returncode == 0, r.stderr
    return out


def qemu_for(board: str) -> tuple[str, ...]:
    """The qemu command of ``board``; skip (fail in CI) if not installed."""
    cmd = BOARDS[board].qemu
    if shutil.which(cmd[0]) is None:
        why = (f"{cmd[0]} not installed: cannot run {board} firmware images "
               f"(apt-get install {PACKAGES[cmd[0]]}, or scripts/install-test-deps.sh)")
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    return cmd


def run_image(elf: Path, board: str) -> subprocess.CompletedProcess:
    """Run ``elf`` on qemu's model of ``board``: output and exit status over
    semihosting."""
    return subprocess.run([*qemu_for(board), "-nographic", "-monitor", "none", "-serial", "none",
                           "-semihosting-config", "enable=on,target=native", "-kernel", str(elf)],
                          check=False, capture_output=True, text=True, timeout=60)
