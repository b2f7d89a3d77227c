"""Board presets: the memory map a firmware image is linked for.

One table (:data:`BOARDS`), one record per board: where flash (code and
read-only data, executed in place) and RAM are, which targets' cores the
board has, and how to run it under qemu if qemu models it.  ``--board NAME``
picks a record; ``--flash ORIGIN:SIZE --ram ORIGIN:SIZE`` describe any other
board (:func:`custom_board`), or override a preset's regions.

Memory maps are the vendors' documented ones; the qemu machines' are what
qemu 7.2 models (``hw/arm/mps2.c``, ``hw/arm/stellaris.c``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..targets import TargetError


@dataclass(frozen=True)
class Region:
    origin: int
    size: int

    def __str__(self) -> str:
        return f"0x{self.origin:08x}:{_human(self.size)}"


@dataclass(frozen=True)
class Board:
    name: str
    flash: Region
    ram: Region
    targets: tuple[str, ...]          # targets whose code the board's core runs
    # qemu command that runs an image (None: qemu does not model the board);
    # the image path and semihosting options are added by the runner.
    qemu: tuple[str, ...] | None = None
    # Native stack (main stack, at the bottom of RAM so an overflow faults
    # below RAM instead of overwriting data).  Generated code checks the
    # limit (wasmaot_stack_limit) in every function that calls.
    stack: int = 8 << 10
    doc: str = ""
    # A bigger (slower) RAM besides ``ram``, e.g. the MPS2's 16 MiB PSRAM;
    # images do not use it, the spec suite's firmware runs put all their
    # RAM there (spec-tests/firmware.py).  None: ``ram`` is all there is.
    big_ram: Region | None = None


BOARDS: dict[str, Board] = {b.name: b for b in (
    Board("mps2-an385", Region(0x0000_0000, 4 << 20), Region(0x2000_0000, 4 << 20),
          ("cortex-m3",), ("qemu-system-arm", "-M", "mps2-an385"), big_ram=Region(0x2100_0000, 16 << 20),
          doc="Arm MPS2+ FPGA with the AN385 Cortex-M3 image: 4 MiB ZBT SSRAM1 "
              "as code memory at 0, 4 MiB SSRAM2/3 at 0x20000000, 16 MiB PSRAM at 0x21000000"),
    Board("mps2-an386", Region(0x0000_0000, 4 << 20), Region(0x2000_0000, 4 << 20),
          ("cortex-m4f",), ("qemu-system-arm", "-M", "mps2-an386"), big_ram=Region(0x2100_0000, 16 << 20),
          doc="Arm MPS2+ with the AN386 Cortex-M4 image: the AN385 memory map"),
    # The M33 resets into the Secure state with VTOR_S = 0x10000000, and the
    # IDAU makes addresses with bit 28 set Secure: so the Secure aliases of
    # the SSRAMs (the memory protection controllers leave every block
    # Secure after reset; the Non-secure addresses would fault).
    Board("mps2-an505", Region(0x1000_0000, 4 << 20), Region(0x3800_0000, 4 << 20),
          ("cortex-m33",), ("qemu-system-arm", "-M", "mps2-an505"), big_ram=Region(0x8000_0000, 16 << 20),
          doc="Arm MPS2+ with the AN505 Cortex-M33 image (SSE-200 subsystem): 4 MiB "
              "ZBT SSRAM1 as code memory at 0x10000000, 4 MiB SSRAM2/3 at 0x38000000 "
              "(Secure aliases), 16 MiB PSRAM at 0x80000000"),
    Board("lm3s6965evb", Region(0x0000_0000, 256 << 10), Region(0x2000_0000, 64 << 10),
          ("cortex-m3",), ("qemu-system-arm", "-M", "lm3s6965evb"),
          doc="TI Stellaris LM3S6965 evaluation board (Cortex-M3): 256 KiB flash, "
              "64 KiB SRAM"),
    # qemu loads its device tree into the last 2 MiB of RAM (0x87e00000 with
    # the default -m 128M): an image's regions, NOLOAD ones too, must end
    # before it or qemu refuses to load the image ("ROM regions overlapping").
    Board("virt-rv32", Region(0x8000_0000, 1 << 20), Region(0x8010_0000, 125 << 20),
          ("rv32imac",), ("qemu-system-riscv32", "-M", "virt", "-bios", "none"),
          doc="qemu's riscv32 virt machine (128 MiB of RAM at 0x80000000, qemu's "
              "default -m): no flash, so the first MiB of RAM stands for it; the "
              "last 2 MiB hold qemu's device tree"),
    Board("stm32f103c8", Region(0x0800_0000, 64 << 10), Region(0x2000_0000, 20 << 10),
          ("cortex-m3",), None, stack=4 << 10,
          doc="STM32F103C8 (\"Blue Pill\", Cortex-M3): 64 KiB flash, 20 KiB SRAM; "
              "linked, not run here"),
)}


def get_board(name: str, target: str) -> Board:
    """The preset ``name`` for ``target``; a :class:`TargetError` (one line)
    for an unknown board or one whose core is not the target's."""
    board = BOARDS.get(name)
    if board is None:
        raise TargetError(f"unknown board {name!r} (known: {', '.join(sorted(BOARDS))}; "
                          f"or give --flash ORIGIN:SIZE --ram ORIGIN:SIZE)")
    if target not in board.targets:
        raise TargetError(f"board {name} has a {'/'.join(board.targets)} core, not {target}")
    return board


def resolve_board(target: str, default: str, name: str | None, flash: str | None,
                  ram: str | None) -> Board:
    """The board of a compile: ``--board`` (or ``default``), with
    ``--flash``/``--ram`` replacing its regions; both regions and no
    ``--board`` make a custom board."""
    if name is None and flash and ram:
        return custom_board(target, parse_region(flash, "--flash"), parse_region(ram, "--ram"))
    board = get_board(name or default, target)
    if flash:
        board = replace(board, flash=parse_region(flash, "--flash"), qemu=None)
    if ram:
        board = replace(board, ram=parse_region(ram, "--ram"), qemu=None)
    return board


def custom_board(target: str, flash: Region, ram: Region) -> Board:
    return Board("custom", flash, ram, (target,), None)


_SIZE = re.compile(r"(0x[0-9a-fA-F]+|\d+)\s*([kKmM]i?[bB]?)?\Z")


def parse_size(text: str, what: str) -> int:
    """``65536``, ``0x10000``, ``64K``, ``64KiB``, ``1M`` -> bytes."""
    m = _SIZE.match(text.strip())
    if not m:
        raise TargetError(f"{what}: {text!r} is not a size (e.g. 64K, 0x10000, 1M)")
    n = int(m.group(1), 0)
    unit = (m.group(2) or "").lower()[:1]
    return n << {"": 0, "k": 10, "m": 20}[unit]


def parse_region(text: str, what: str) -> Region:
    """``ORIGIN:SIZE`` (``0x08000000:64K``) -> :class:`Region`."""
    origin, sep, size = text.partition(":")
    if not sep:
        raise TargetError(f"{what}: expected ORIGIN:SIZE (e.g. 0x08000000:64K), not {text!r}")
    region = Region(parse_size(origin, what), parse_size(size, what))
    if region.size == 0 or region.origin % 4 or region.origin + region.size > 1 << 32:
        raise TargetError(f"{what}: {text!r} is not a 4-byte aligned region of the 32-bit space")
    return region


def _human(n: int) -> str:
    for shift, unit in ((20, "M"), (10, "K")):
        if n and n % (1 << shift) == 0:
            return f"{n >> shift}{unit}"
    return str(n)
