"""What a file that is not the expected kind of input actually is.

Used on the error path only, to say "this is an ELF executable, not a Wasm
module" instead of the first decoding error that the bytes happen to hit
(``malformed UTF-8 encoding`` for a binary read as text, ``magic header not
detected`` for text read as a binary).
"""
from __future__ import annotations

MAGIC = b"\0asm"

# Leading bytes of common non-Wasm files.
_MAGICS = (
    (b"\x7fELF", "an ELF file (a native executable or object)"),
    (b"MZ", "a Windows executable"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O file"), (b"\xfe\xed\xfa\xcf", "a Mach-O file"),
    (b"\xca\xfe\xba\xbe", "a Mach-O universal binary or Java class file"),
    (b"\x1f\x8b", "a gzip file"), (b"PK\x03\x04", "a zip archive"),
    (b"%PDF", "a PDF document"), (b"\x89PNG", "a PNG image"),
    (b"!<arch>\n", "an ar archive (a static library)"),
    (b"#!", "a script"),
)


def describe(data: bytes) -> str | None:
    """A short description of what ``data`` is, if it is a known non-Wasm
    kind or a Wasm binary/text; else None."""
    head = bytes(data[:8])
    if head[:4] == MAGIC:
        if head[6:8] == b"\x01\x00":
            return "a WebAssembly component binary"
        return "a WebAssembly binary"
    for magic, what in _MAGICS:
        if head.startswith(magic):
            return what
    if looks_like_wat(data):
        return "WebAssembly text"
    return None


def looks_like_wat(data: bytes) -> bool:
    """Whether ``data`` starts (after blanks and comments) like the text format."""
    s = bytes(data[:4096]).lstrip()
    while s.startswith((b";;", b"(;")):
        if s.startswith(b";;"):
            nl = s.find(b"\n")
            s = s[nl + 1:].lstrip() if nl >= 0 else b""
        else:
            end = s.find(b";)")
            s = s[end + 2:].lstrip() if end >= 0 else b""
    return s.startswith(b"(")


def not_wasm_message(data: bytes) -> str:
    """The message for input that is neither a Wasm binary nor valid text:
    ``not a Wasm module: no \\0asm magic (an ELF file ...)``."""
    what = describe(data)
    return "not a Wasm module: no \\0asm magic" + (f" ({what})" if what else "")
