"""WASI 0.2 root imports: which the standalone host provides, and the index
each lowered import function is bound to at compile time.

The one list is the shim's ``wasi-shim/component/p2_funcs.def`` (rows
``P2("wasi:io/streams", "[method]output-stream.write", impl)``; a row's
index is its position in the C table ``wasmaot_wasi_p2_hostfns``).  Names
match by package, interface and function; the version is ignored as long
as it is 0.2.x, so every 0.2 patch release a toolchain emits links.
"""
from __future__ import annotations

import re
from functools import lru_cache

_ROW = re.compile(r'^P2\("([^"]+)",\s*"([^"]+)",\s*(\w+)\)\s*$', re.MULTILINE)
_NAME = re.compile(r"^(wasi:[a-z0-9-]+/[a-z0-9-]+)(?:@(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?)?$")


@lru_cache(maxsize=1)
def host_functions() -> dict[tuple[str, str], int]:
    """(interface, function) -> index in the shim's host function table."""
    from ...wasi import root as wasi_root
    text = (wasi_root() / "component" / "p2_funcs.def").read_text()
    rows = _ROW.findall(text)
    if not rows:
        raise RuntimeError("cannot read the WASI 0.2 function list (wasi-shim/component/p2_funcs.def)")
    return {(iface, func): k for k, (iface, func, _) in enumerate(rows)}


def interface_of(import_name: str) -> str | None:
    """``wasi:io/streams`` for ``wasi:io/streams@0.2.3``; None for a name
    that is not a WASI 0.2.x interface (another version, another package)."""
    m = _NAME.match(import_name)
    if not m or (m.group(2) is not None and (m.group(2), m.group(3)) != ("0", "2")):
        return None
    return m.group(1)


def host_index(import_name: str, func: str) -> int | None:
    """The table index of function ``func`` of root import ``import_name``
    (an interface instance), or None if the shim does not provide it."""
    iface = interface_of(import_name)
    return None if iface is None else host_functions().get((iface, func))
