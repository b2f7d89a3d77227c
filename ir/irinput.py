"""Is a compiler input IR text?  Asked on every ``wasmaot compile``, so it
lives apart from :mod:`.parser` (whose import a Wasm input does not need)."""
from __future__ import annotations

import os

#: The extension of IR text files (``wasmaot compile x.ir``).
IR_SUFFIX = ".ir"


def is_ir_input(data: bytes, filename: str | None) -> bool:
    """Is this compiler input IR text rather than Wasm?  ``.ir`` files
    always are; ``.wasm``/``.wat`` files never are; any other name is IR
    when it is neither a binary (``\\0asm``) nor WAT (whose first token,
    after blank and ``;`` comment lines, is ``(``)."""
    suffix = os.path.splitext(filename or "")[1].lower()
    if suffix in (IR_SUFFIX, ".wasm", ".wat"):
        return suffix == IR_SUFFIX
    if data[:4] == b"\0asm":
        return False
    for line in data.splitlines():
        line = line.strip()
        if line and not line.startswith(b";"):
            return not line.startswith(b"(")
    return False                                # empty: let the frontend say so
