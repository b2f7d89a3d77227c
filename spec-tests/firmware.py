"""Spec scripts as firmware: ``wasmaot spectest --target cortex-m3 ...``.

For a firmware target (``Target.output_kind == "firmware"``) execution mode
(:mod:`.exec`) builds what it builds for Linux, one program per .wast with
every module of the script, its command table and the spec driver
(``driver/spectest_driver.c``), but links it as a firmware image
(:func:`link`) and runs it under qemu-system (:func:`command`) instead of
as a Linux executable:

* the driver's ``main`` is called by ``driver/fw_spec_main.c`` (the reset
  handler's ``wasmaot_fw_main``), with the C library subset it needs from
  ``driver/fw_libc.c`` (headers in ``driver/fwlibc/``): printf over
  semihosting, a heap over the image's RAM, exit with the status;
* traps unwind to the driver (``wasmaot_rt_try`` over a small setjmp);
* ``fw_spec_main.c`` replaces the runtime's bare-metal platform layer
  (``baremetal.c``, left out of the link) so linear memories live in that
  heap and grow by moving: a script instantiates dozens of modules;
* bounds are explicit (no MMU), as for every firmware target.

The board is the target's default board (the qemu machine), with the
spec run's RAM in its big RAM where it has one (the MPS2 boards' 16 MiB
PSRAM; riscv32 ``virt``: 16 MiB of its RAM stand for flash, the rest is RAM),
and a 256 KiB native stack.  What cannot run on a board (a memory larger
than its RAM) is listed, with the reason, in :mod:`.firmware_expected`.

Slow suite (about an hour per target on one core)::

    nice -n 19 wasmaot spectest --target cortex-m3 -j 2 ../shared/spec-testsuite/*.wast
"""
from __future__ import annotations

import dataclasses
import hashlib
import shutil
from pathlib import Path

from .exec import DRIVER_DIR

#: Native stack of a spec image (deep recursion tests, the driver's frames).
STACK = 256 << 10
#: Capacity of the runtime's signature registry (distinct signatures of a
#: whole script; the largest Wasm 2.0 scripts use well under 200).
MAX_SIGNATURES = 1024
#: Runtime objects this link replaces (fw_spec_main.c is the platform layer).
REPLACED = ("platform_baremetal_baremetal.o",)
#: qemu executable -> Debian package (for the "not installed" message).
PACKAGES = {"qemu-system-arm": "qemu-system-arm", "qemu-system-riscv32": "qemu-system-misc"}


def is_firmware(target: str) -> bool:
    from ..backends.targets import get_target
    return get_target(target).output_kind == "firmware"


def spec_board(target: str):
    """The board a spec image for ``target`` is linked for and run on."""
    from ..backends.firmware.boards import BOARDS, Region
    from ..backends.targets import get_target
    board = BOARDS[get_target(target).firmware.default_board]
    if board.big_ram is not None:
        return dataclasses.replace(board, ram=board.big_ram, stack=STACK)
    # No flash and one RAM (riscv32 virt): a bigger flash part of it, as
    # whole scripts (f32.wast: thousands of commands) outgrow 1 MiB.
    start, end = board.flash.origin, board.ram.origin + board.ram.size
    flash = Region(start, 16 << 20)
    return dataclasses.replace(board, flash=flash, ram=Region(start + flash.size, end - start - flash.size),
                               stack=STACK)


def host_objects(target: str, bounds: str, extra_c=()) -> list:
    """The driver, its firmware main and C library subset, compiled."""
    from ..backends.buildcache import compile_host_c
    from ..backends.firmware import include_flags
    from .exec import driver_sources
    libc = DRIVER_DIR / "fwlibc"
    # compile_host_c's cache key covers the headers beside a source, not
    # these: their digest as a macro keys the objects on them too.
    digest = hashlib.sha256(b"".join(h.read_bytes() for h in sorted(libc.glob("*.h")))).hexdigest()[:16]
    flags = [f"-I{libc}", "-include", "fw_rt_try.h", f"-DWASMAOT_FW_LIBC_HEADERS=0x{digest}",
             *include_flags()]
    sources = [*driver_sources(), DRIVER_DIR / "fw_spec_main.c", DRIVER_DIR / "fw_libc.c", *extra_c]
    return [compile_host_c(s, target, bounds, extra_flags=flags) for s in sources]


def link(objects, exe, target: str, bounds: str, extra_c=()) -> Path:
    """Link the command table and module ``objects`` with the driver into
    the firmware image ``exe`` (``.bin``/``.hex`` beside it)."""
    from ..backends.buildcache import runtime_objects
    from ..backends.firmware import link_image, linker, startup_object
    from ..backends.targets import get_target
    t = get_target(target)
    board = spec_board(target)
    # The whole RAM but the stack and a margin for .data/.bss is the heap
    # (linker.py's "linear memory" region; fw_libc.c's malloc uses it).
    heap = board.ram.size - board.stack - (256 << 10)
    rt = [o for o in runtime_objects(target, bounds, extra_cflags=[f"-DWASMAOT_MAX_SIGNATURES={MAX_SIGNATURES}"])
          if Path(o).name not in REPLACED]
    fw = [startup_object(t, bounds), *host_objects(target, bounds, extra_c)]
    return link_image(t, bounds, board, linker.RamNeeds(0, heap), exe,
                      {"gen": list(objects), "fw": fw, "rt": rt})


def command(exe, target: str) -> list[str]:
    """The qemu-system command that runs the image ``exe`` (output and exit
    status over semihosting); a one-line error naming the package if that
    qemu is not installed."""
    from ..backends.targets import RunnerMissing
    board = spec_board(target)
    qemu = board.qemu[0]
    if shutil.which(qemu) is None:
        raise RunnerMissing(f"{qemu} not installed: cannot run {target} firmware "
                            f"(apt-get install {PACKAGES.get(qemu, qemu)})")
    return [*board.qemu, "-nographic", "-monitor", "none", "-serial", "none",
            "-semihosting-config", "enable=on,target=native", "-kernel", str(exe)]
