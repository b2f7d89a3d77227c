"""Raw binary and Intel HEX images of a linked ELF, from its loadable
segments at their load (physical) addresses: what a flash programmer
writes.  ``.data``'s initial values are in the image at their load address
in flash; NOLOAD regions (stack, .bss, heap, linear memory) are not."""
from __future__ import annotations

from pathlib import Path


def load_chunks(elf_path: Path) -> list[tuple[int, bytes]]:
    """(load address, bytes) of every PT_LOAD segment with file contents."""
    from elftools.elf.elffile import ELFFile
    with open(elf_path, "rb") as f:
        elf = ELFFile(f)
        return sorted((seg["p_paddr"], seg.data()[:seg["p_filesz"]])
                      for seg in elf.iter_segments()
                      if seg["p_type"] == "PT_LOAD" and seg["p_filesz"])


def entry_point(elf_path: Path) -> int:
    from elftools.elf.elffile import ELFFile
    with open(elf_path, "rb") as f:
        return ELFFile(f)["e_entry"]


def binary(chunks: list[tuple[int, bytes]]) -> bytes:
    """One blob from the lowest load address; gaps read as erased flash (0xFF)."""
    if not chunks:
        return b""
    base = chunks[0][0]
    out = bytearray(b"\xff" * (max(a + len(b) for a, b in chunks) - base))
    for addr, data in chunks:
        out[addr - base:addr - base + len(data)] = data
    return bytes(out)


def _record(kind: int, addr: int, data: bytes) -> str:
    body = bytes([len(data), addr >> 8 & 0xFF, addr & 0xFF, kind]) + data
    return ":" + body.hex().upper() + f"{-sum(body) & 0xFF:02X}"


def intel_hex(chunks: list[tuple[int, bytes]], entry: int) -> str:
    """Intel HEX: 16-byte data records, an extended linear address record
    (type 04) whenever the upper 16 bits change, the start address (05)."""
    lines, upper = [], None
    for addr, data in chunks:
        pos, end = addr, addr + len(data)
        while pos < end:
            n = min(16, end - pos, 0x10000 - (pos & 0xFFFF))   # never across 64 KiB
            if pos >> 16 != upper:
                upper = pos >> 16
                lines.append(_record(4, 0, upper.to_bytes(2, "big")))
            lines.append(_record(0, pos & 0xFFFF, data[pos - addr:pos - addr + n]))
            pos += n
    lines.append(_record(5, 0, entry.to_bytes(4, "big")))
    lines.append(_record(1, 0, b""))
    return "\n".join(lines) + "\n"


def write_bin_and_hex(elf_path: Path, bin_path: Path, hex_path: Path) -> None:
    chunks = load_chunks(elf_path)
    bin_path.write_bytes(binary(chunks))
    hex_path.write_text(intel_hex(chunks, entry_point(elf_path)))
