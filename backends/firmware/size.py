"""Flash and RAM of a firmware image by part, read from the ELF (section
headers and symbols, with pyelftools): what ``wasmaot size`` and
``wasmaot compile --size-report`` print.

The parts are the output sections of the linker script (:mod:`.linker`),
plus two carved out by symbol: the data segments (``<prefix>.data``
symbols in ``.rodata.app``) and the instance (``wasmaot_fw_instance`` in
``.bss``).  Sizes are exact: padding between input sections counts with
the part that contains it, padding between output sections is its own
part, so the flash total is the size of the ``.bin``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...frontend.load import InputError
from .hexfile import binary, load_chunks
from .linker import FLASH_SECTIONS

_DATA_SEGMENTS = re.compile(r"^wasm\w*\.data$")   # P.data of every instance
INSTANCE = "wasmaot_fw_instance"
#: RAM output sections that are not .data/.bss -> part.
RAM_REGIONS = {".wasmaot_heap": "table heap", ".wasmaot_memory": "linear memory",
               ".wasmaot_stack": "stack"}


@dataclass
class Sizes:
    flash: dict[str, int] = field(default_factory=dict)
    ram: dict[str, int] = field(default_factory=dict)

    @property
    def flash_total(self) -> int:
        return sum(self.flash.values())

    @property
    def ram_total(self) -> int:
        return sum(self.ram.values())

    @property
    def ram_static(self) -> int:
        """RAM besides linear memory and the stack (the issue's budget)."""
        return self.ram_total - self.ram.get("linear memory", 0) - self.ram.get("stack", 0)


def _add(d: dict, part: str, n: int) -> None:
    d[part] = d.get(part, 0) + n


def measure(path) -> Sizes:
    """The :class:`Sizes` of the image at ``path``; :class:`InputError` if
    it is not a wasmaot firmware image."""
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile
    try:
        with open(path, "rb") as f:
            sizes = _measure(ELFFile(f))
        image = len(binary(load_chunks(path)))
    except (ELFError, OSError) as e:
        raise InputError(f"{path}: not a readable ELF file ({e})") from None
    if image > sizes.flash_total:        # between sections aligned to 4 or 16
        _add(sizes.flash, "alignment padding", image - sizes.flash_total)
    return sizes


def _measure(elf) -> Sizes:
    if elf.get_section_by_name(".vectors") is None:
        raise InputError("not a wasmaot firmware image (no .vectors section)")
    out = Sizes()
    for sec in elf.iter_sections():
        name, size = sec.name, sec["sh_size"]
        if not sec["sh_flags"] & 2 or not size:          # SHF_ALLOC
            continue
        if name in FLASH_SECTIONS:
            _add(out.flash, FLASH_SECTIONS[name], size)
        elif name in RAM_REGIONS:
            _add(out.ram, RAM_REGIONS[name], size)
        elif name in (".data", ".bss"):
            _add(out.ram, "runtime data", size)
            if name == ".data":
                _add(out.flash, ".data initial values", size)
        else:
            _add(out.flash, f"other ({name})", size)
    symbols = _symbols(elf)
    segments = sum(s for n, s in symbols if _DATA_SEGMENTS.match(n))
    if segments:
        _move(out.flash, "generated code", "data segments", segments)
    instance = sum(s for n, s in symbols if n == INSTANCE)
    if instance:
        _move(out.ram, "runtime data", "instance", instance)
    return out


def _symbols(elf) -> list[tuple[str, int]]:
    tab = elf.get_section_by_name(".symtab")
    return [] if tab is None else [(s.name, s["st_size"]) for s in tab.iter_symbols()]


def _move(d: dict, src: str, dst: str, n: int) -> None:
    d[src] = d.get(src, 0) - n
    d[dst] = d.get(dst, 0) + n


def report(path) -> str:
    """The size report of the image at ``path``, as text."""
    s = measure(path)
    flash_order = ["vector table", "generated code", "data segments", "WASI shim", "startup",
                   "runtime", ".data initial values"]
    ram_order = ["instance", "runtime data", "table heap", "linear memory", "stack"]
    head = (f"{path}: flash {s.flash_total} bytes, RAM {s.ram_total} bytes "
            f"({s.ram_static} besides linear memory and stack)")
    lines = [head, "flash:"]
    lines += _rows(s.flash, flash_order)
    lines.append("RAM:")
    lines += _rows(s.ram, ram_order)
    return "\n".join(lines)


def _rows(d: dict, order: list[str]) -> list[str]:
    names = [n for n in order if d.get(n)] + sorted(n for n in d if n not in order and d[n])
    return [f"  {n:<24}{d[n]:>10}" for n in names]
