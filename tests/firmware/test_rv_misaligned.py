"""The RV32 firmware's misaligned-access emulation
(backends/firmware/riscv_misaligned.c, wasmaot_rv_misaligned): loads and
stores of every width, compressed forms, sign extension, x0, and what it
must refuse.  qemu executes misaligned accesses itself, so the emulator is
called directly by rv_misaligned.c with the trap CSRs set."""
from __future__ import annotations

from pathlib import Path

from wasmaot.backends import firmware
from wasmaot.backends.buildcache import compile_host_c
from wasmaot.bench import firmware_instr as fi

from .conftest import qemu_for, run_image

HERE = Path(__file__).resolve().parent


def test_misaligned_emulation(tmp_path):
    qemu_for("virt-rv32")
    emu = compile_host_c(firmware.HERE / "riscv_misaligned.c", "rv32imac", "explicit")
    elf = fi.native_image("rv_misaligned", "rv32imac", tmp_path, src=HERE / "rv_misaligned.c",
                          extra=(emu,))
    r = run_image(elf, "virt-rv32")
    assert r.returncode == 0, f"case {r.returncode} wrong: {r.stdout}{r.stderr}"


def test_linked_only_for_unaligned_code():
    """The emulation is linked for RV32 code that assumes misaligned
    accesses work, never for Cortex-M or for rv32imac as it is today."""
    from dataclasses import replace

    from wasmaot.backends.targets import get_target
    rv = get_target("rv32imac")
    assert firmware.misaligned_objects(rv, "explicit") == []
    assert firmware.misaligned_objects(get_target("cortex-m3"), "explicit") == []
    unaligned = replace(rv, features=rv.features + "," + firmware.UNALIGNED_FEATURE)
    assert [p.name.split("-")[0] for p in firmware.misaligned_objects(unaligned, "explicit")] == \
        ["riscv_misaligned"]
