"""The linker script of a firmware image, generated from a board's memory
map and the RAM the module needs.

Flash (executed in place, never written, nothing relocated at load time:
the image is a static ET_EXEC link at its final addresses):

=================  ==============================================  ==========
output section     what                                            part
=================  ==============================================  ==========
``.vectors``       the vector table, at the flash origin           vectors
``.text.app``      generated code                                  generated
``.rodata.app``    generated read-only data: data segments         generated
                   (``<prefix>.data``), descriptor, signatures
``.text.wasi``     the firmware WASI subset                        wasi
``.text.startup``  reset handler, fw_main, hooks                   startup
``.text.runtime``  the runtime, compiler-rt helpers, libc_min      runtime
``.got``           addresses PIC code loads (link-time constants)   other
(``.data`` image)  initial values of ``.data``, copied at reset    runtime
=================  ==============================================  ==========

RAM, from its origin up: the main stack (lowest, so an overflow faults
below RAM rather than overwriting data), ``.data`` and ``.bss`` (the
instance block, the runtime's statics), the table heap, then linear memory.
The heap and linear memory are NOLOAD: reset does not zero them, the
runtime zeroes what it hands out (runtime-c/platform/baremetal).

Parts are told apart by input file name: :func:`.link` names the objects
it links ``gen_*.o``, ``wasi_*.o``, ``fw_*.o`` and ``rt_*.o``, so the size
report (:mod:`.size`) reads each part's size from the ELF's section headers.
"""
from __future__ import annotations

from dataclasses import dataclass

from .boards import Board

#: Bytes of stack kept below wasmaot_stack_limit for the trap path (the
#: trap handler and its semihosting calls use about 100) and runtime
#: helpers called from the deepest checked frame.
STACK_RESERVE = 512

#: Output section -> part of the size report, in flash order.
FLASH_SECTIONS = {
    ".vectors": "vector table",
    ".text.app": "generated code",
    ".rodata.app": "generated code",
    ".text.wasi": "WASI shim",
    ".text.startup": "startup",
    ".text.runtime": "runtime",
}

# Input sections that hold code or read-only data.  .data.rel.ro is
# read-only after a static link (nothing is relocated at run time); the
# .s* sections are RISC-V's small-data ones.
_CODE = ".text .text.* wasmaot_text"
_RODATA = ".rodata .rodata.* .srodata .srodata.* .data.rel.ro .data.rel.ro.* wasmaot_bt"


@dataclass(frozen=True)
class RamNeeds:
    """What the module needs beyond .data/.bss, in bytes."""
    heap: int          # table elements (baremetal.c's bump heap)
    memory: int        # linear memories (whole pages)


def script(board: Board, needs: RamNeeds) -> str:
    """The linker script text for ``board``."""
    f, r = board.flash, board.ram
    app, wasi, startup = "*gen_*.o", "*wasi_*.o", "*fw_*.o"
    flash = ["  .vectors : { KEEP(*(.wasmaot_vectors)) } > FLASH",
             f"  .text.app : {{ {app}({_CODE}) }} > FLASH",
             f"  .rodata.app : ALIGN(4) {{ {app}({_RODATA}) }} > FLASH",
             f"  .text.wasi : ALIGN(4) {{ {wasi}({_CODE} {_RODATA}) }} > FLASH",
             f"  .text.startup : ALIGN(4) {{ {startup}({_CODE} {_RODATA}) }} > FLASH",
             f"  .text.runtime : ALIGN(4) {{ *({_CODE} {_RODATA}) }} > FLASH",
             # The GOT of position-independent generated code: filled at
             # link time, never written, so it stays in flash (placed here
             # explicitly: as an orphan it could land in RAM, uninitialized).
             "  .got : ALIGN(4) { *(.got .got.*) } > FLASH"]
    ram = [_reserve(".wasmaot_stack", "stack_bottom", "stack_top", board.stack, 8),
           _copied(".data", "data", "*(.data .data.* .sdata .sdata.*)", "RAM AT > FLASH", ""),
           "  __wasmaot_data_load = LOADADDR(.data);",
           _copied(".bss", "bss", "*(.bss .bss.* .sbss .sbss.* COMMON)", "RAM", " (NOLOAD)"),
           _reserve(".wasmaot_heap", "heap_start", "heap_end", needs.heap, 16),
           _reserve(".wasmaot_memory", "memory_start", "memory_end", needs.memory, 16),
           f"  __wasmaot_stack_limit = __wasmaot_stack_bottom + {STACK_RESERVE};"]
    return "\n".join([
        f"/* wasmaot firmware image for board {board.name}: generated, see backends/firmware/linker.py */",
        "MEMORY",
        "{",
        f"  FLASH (rx) : ORIGIN = 0x{f.origin:08x}, LENGTH = 0x{f.size:x}",
        f"  RAM (rwx) : ORIGIN = 0x{r.origin:08x}, LENGTH = 0x{r.size:x}",
        "}",
        "ENTRY(wasmaot_reset_handler)",
        "SECTIONS",
        "{",
        *flash,
        *ram,
        # No unwinding on a device (generated code is nounwind; the C is
        # built without tables): unwind tables and the CANTUNWIND index
        # entries are dead weight.
        "  /DISCARD/ : { *(.ARM.exidx .ARM.exidx.* .ARM.extab .ARM.extab.* .eh_frame .eh_frame_hdr) }",
        "}",
        ""])


def _reserve(section: str, start: str, end: str, size: int, align: int) -> str:
    """A NOLOAD RAM region of ``size`` bytes between ``__wasmaot_<start>``
    and ``__wasmaot_<end>``."""
    return (f"  {section} (NOLOAD) : ALIGN({align}) {{ __wasmaot_{start} = .; . += 0x{size:x}; "
            f"__wasmaot_{end} = .; }} > RAM")


def _copied(section: str, name: str, inputs: str, where: str, kind: str) -> str:
    """.data or .bss: word-aligned bounds ``__wasmaot_<name>_start/_end``
    (the reset handler copies / zeroes whole words)."""
    return (f"  {section}{kind} : ALIGN(4) {{ __wasmaot_{name}_start = .; {inputs} . = ALIGN(4); "
            f"__wasmaot_{name}_end = .; }} > {where}")
