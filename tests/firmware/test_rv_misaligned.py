"""The RV32 firmware's misaligned-access emulation
(backends/firmware/riscv_misaligned.c, wasmaot_rv_misaligned): loads and
stores of every width, compressed forms, sign extension, x0, and what it
must refuse.  qemu executes misaligned accesses itself, so the emulator is
called directly by rv_misaligned.c with the trap CSRs set."""
from __future__ import annotations

from pathlib import Path

from wasmaot.backends import firmware
from wasmaot.bench import firmware_instr as fi

from .conftest import qemu_for, run_image

HERE = Path(__file__).resolve().parent


def test_misaligned_emulation(tmp_path):
    qemu_for("virt-rv32")
    # link_image links the emulation into every rv32imac image.
    elf = fi.native_image("rv_misaligned", "rv32imac", tmp_path, src=HERE / "rv_misaligned.c")
    r = run_image(elf, "virt-rv32")
    assert r.returncode == 0, f"case {r.returncode} wrong: {r.stdout}{r.stderr}"


def test_linked_only_for_unaligned_code():
    """The emulation is linked for RV32 code that assumes misaligned
    accesses work (rv32imac), never for Cortex-M or an RV32 target without
    the feature."""
    from dataclasses import replace

    from wasmaot.backends.targets import get_target
    rv = get_target("rv32imac")
    assert firmware.UNALIGNED_FEATURE in rv.features.split(",")
    assert [p.name.split("-")[0] for p in firmware.misaligned_objects(rv, "explicit")] == \
        ["riscv_misaligned"]
    assert firmware.misaligned_objects(get_target("cortex-m3"), "explicit") == []
    aligned = replace(rv, features=rv.features.replace("," + firmware.UNALIGNED_FEATURE, ""))
    assert firmware.misaligned_objects(aligned, "explicit") == []
