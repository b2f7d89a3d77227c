"""The one explicit list of component-script commands that do not pass yet,
each with its reason (issue 13).

Keys are paths inside ../shared (the project root's sibling) with a
command's line, or ``None`` for every failing command of the file (a
folder ending in ``/``: every script under it).  A listed command that
fails counts as an expected failure; a listed command that passes, or a
whole-file entry whose file has no failing command left, fails the run,
so the list cannot go stale.
"""
from __future__ import annotations

from .expected_failures import Expected

CM = "component-model-tests/test/"
WT = "wasmtime-misc-tests/component-model/"

ASYNC = "component-model async (streams, futures, async lift/lower, task and waitable built-ins)"
_THREADS = "shared memories and thread built-ins (threads proposal)"
_EH = "core exception handling (Wasm 3.0): tags"
_MAP = "map types (🗺️)"
_CM64 = ("64-bit memories in canonical options (component-model memory64): not implemented "
         "(the validator and the canonical ABI are 32-bit)")
_WASMTIME_ONLY = "wasmtime's own restriction, not a validation rule of the specification"
_STRING_LIMIT = ("wasmtime allows strings up to (1 << 31) - 1 bytes and reaches the guest's "
                 "realloc (which traps unreachable); CanonicalABI.md's MAX_STRING_BYTE_LENGTH "
                 "is (1 << 28) - 1, and we trap before realloc ('string too long')")


def _lines(rel: str, why: str, *lines: int) -> dict:
    """Entries failing in both modes (the component does not load)."""
    return {(rel, line): Expected(why) for line in lines}


_EXEC = frozenset({"exec"})


def _xlines(rel: str, why: str, *lines: int) -> dict:
    """Entries about running: frontend-only mode loads these components fine."""
    return {(rel, line): Expected(why, _EXEC) for line in lines}


LISTED: dict[tuple[str, int | None], Expected] = {
    (CM + "async/", None): Expected(ASYNC),
    (WT + "async/", None): Expected(ASYNC),
    (CM + "values/post-return.wast", None): Expected(
        "async built-ins (stream, context.get, backpressure) in most of its components"),
    (WT + "error-context-trap-in-post-return.wast", None): Expected("error-context (async)"),
    (WT + "map-types.wast", None): Expected(_MAP),
    (WT + "fixed_length_lists.wast", None): Expected(
        "fixed-length lists (🔧), not in WASI 0.2's component model (execution: in "
        "frontend-only mode the file's one component using them counts as unsupported)", _EXEC),
    **_lines(CM + "binary/binary.wast", ASYNC, 557, 743, 755, 974),
    **_lines(CM + "binary/binary.wast", "GC core types (Wasm 3.0)", 892),
    **_lines(CM + "binary/binary.wast", _MAP, 965),
    **_lines(CM + "validation/indicies.wast", ASYNC + "; " + _THREADS, 236, 251, 267),
    **_lines(CM + "validation/instantiation.wast", _THREADS, 421),
    **_lines(CM + "validation/max-value-size.wast", ASYNC, 6),
    **_lines(CM + "values/concat.wast", _MAP, 463, 722, 729, 731, 740, 747, 754, 761, 769, 788),
    **_lines(CM + "values/variants.wast", "task.return (async)", 83, 183, 184, 185, 186),
    **_xlines(WT + "big-strings.wast", _STRING_LIMIT, 207, 218, 228, 242, 256, 276, 289, 299, 313,
             327, 337, 350, 358, 374, 387, 398, 408, 416),
    **_lines(WT + "implements-disabled.wast",
             "wasmtime run with its `cm-implements` feature off; we always accept `implements`", 3),
    **_lines(WT + "import.wast", _WASMTIME_ONLY, 1),
    **_lines(WT + "restrictions.wast", _WASMTIME_ONLY, 1, 5, 9, 16),
    **_lines(WT + "simple.wast", _WASMTIME_ONLY, 24, 30),
    **_xlines(WT + "strings.wast",
             "a UTF-16-tagged latin1+utf16 string shrunk to Latin-1: CanonicalABI.md "
             "store_probably_utf16_to_latin1_or_utf16 reallocates with alignment 1, as we do, "
             "and this test's realloc traps unreachable on any alignment but 2; wasmtime's "
             "adapter asks for 2 and then traps on the unaligned result", 173),
    **_lines(WT + "memory64.wast", _CM64, 24),
    **_xlines(WT + "memory64.wast", _CM64, 122, 126, 131),
}


def suite_path(path: str) -> str | None:
    """``path`` from the suite folder's parent (``component-model-tests/...``)."""
    p = path.replace("\\", "/")
    for root in ("component-model-tests/", "wasmtime-misc-tests/"):
        at = p.rfind("/" + root)
        if at >= 0:
            return p[at + 1:]
        if p.startswith(root):
            return p
    return None


def expected(path: str, line: int) -> tuple[Expected | None, bool]:
    """The entry for the command of ``path`` at ``line``: ``(entry, whole_file)``."""
    rel = suite_path(path)
    if rel is None:
        return None, False
    e = LISTED.get((rel, line))
    if e is not None:
        return e, False
    for (k, ln), e in LISTED.items():
        if ln is None and (k == rel or (k.endswith("/") and rel.startswith(k))):
            return e, True
    return None, False
