"""The spec suite as firmware (spec-tests/firmware.py), the small CI run:
a few scripts per target under qemu-system, with traps, memory.grow and an
explicitly listed impossible case.  The whole suite is the slow command in
tests/firmware/README.md."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import RUN_BOARDS, qemu_for, wasmaot

# ../shared next to the project root, wherever the checkout is.
SUITE = Path(__file__).resolve().parents[2].parent / "shared" / "spec-testsuite"
# i32: arithmetic and its traps; traps: every trap kind the driver catches
# and continues after; call: a 20 MiB memory.grow that is listed for the
# MPS2 boards (16 MiB of RAM) and passes on riscv32 virt.
SCRIPTS = ("i32.wast", "traps.wast", "call.wast")


def _suite() -> Path:
    if not all((SUITE / s).is_file() for s in SCRIPTS):
        pytest.skip(f"the spec test suite is not at {SUITE}")
    return SUITE


@pytest.mark.parametrize("target", ["cortex-m3", "rv32imac"])
def test_spec_scripts_run_as_firmware(target):
    suite = _suite()
    qemu_for(RUN_BOARDS[target])
    r = wasmaot("spectest", "--target", target, *(suite / s for s in SCRIPTS))
    last = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
    m = re.fullmatch(r"(\d+) passed, (\d+) failed, (\d+) skipped", last)
    assert m, r.stdout[-2000:] + r.stderr[-2000:]
    passed, failed, _ = map(int, m.groups())
    assert failed == 0 and r.returncode == 0, r.stdout[-3000:]
    assert passed >= 585, passed                  # 460 + 36 + 90 or 91: everything ran
    listed = "(1 expected failures)" in r.stdout
    assert listed == (target != "rv32imac"), r.stdout[-1000:]


def test_missing_qemu_names_its_package(monkeypatch):
    """A missing qemu-system fails the commands with the package to install."""
    import shutil

    from wasmaot.spectest import firmware
    real = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name: None if name.startswith("qemu-system") else real(name))
    with pytest.raises(RuntimeError, match=r"qemu-system-arm not installed.*apt-get install qemu-system-arm"):
        firmware.command("x.elf", "cortex-m3")


@pytest.mark.parametrize("target", sorted(RUN_BOARDS))
def test_spec_board_keeps_the_flash_and_fits_qemu(target):
    """The spec run's board: the target's qemu machine, flash where its
    reset expects it, RAM disjoint from flash, and a big stack."""
    from wasmaot.backends.firmware.boards import BOARDS
    from wasmaot.spectest import firmware
    b = firmware.spec_board(target)
    assert b.qemu == BOARDS[RUN_BOARDS[target]].qemu
    assert b.flash.origin == BOARDS[RUN_BOARDS[target]].flash.origin
    assert b.ram.origin >= b.flash.origin + b.flash.size or b.ram.origin + b.ram.size <= b.flash.origin
    assert b.stack == firmware.STACK and b.ram.size >= 16 << 20


def test_guard_bounds_on_a_firmware_target_is_a_usage_error(tmp_path):
    """No MMU: explicit bounds only, said in one line before any compile."""
    wast = tmp_path / "one.wast"
    wast.write_text("(module)\n")
    r = wasmaot("spectest", "--target", "cortex-m3", "--bounds", "guard", wast)
    assert r.returncode == 2 and "does not support --bounds guard" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
