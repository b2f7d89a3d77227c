"""wasmtime's own regression .wast tests (``../shared/wasmtime-misc-tests``):
which files we can run, and the explicit list of what still differs.

Each file of that suite names the features it needs in ``;;! name = true``
header lines (wasmtime's test configuration).  :data:`FEATURES` says, for
every feature name we know, whether we support it or which proposal (or
which wasmtime-only setting) it is; a file that needs anything else is
reported as *unsupported* with that reason, never silently skipped.  An
unknown feature name counts as unsupported too, so a new one shows up.

:data:`EXPECTED` is the explicit list of differences in the files we do run,
each with its reason, keyed by the path inside the suite and the line of the
command (``None``: every failing command of the file).  As with
:mod:`.expected_failures`, a listed case that passes is an error.

The harness differences are handled by ``wasmaot spectest --harness
wasmtime`` (runner.Options.harness): wasmtime's ``wast`` registers every
named module instance under its name without the ``$`` (``(module $m ...)``
is importable as ``"m"`` with no ``register`` command), which these scripts
rely on.
"""
from __future__ import annotations

import re

from .expected_failures import Expected

SUITE_DIR = "wasmtime-misc-tests"

# feature -> None (supported: Wasm 2.0 has it) or why a file needing it is not run
FEATURES: dict[str, str | None] = {
    "simd": None, "reference_types": None, "bulk_memory": None, "multi_value": None,
    "hogs_memory": None,            # wasmtime's hint that the file reserves a lot; we run it
    "branch_hinting": None,         # hints are advisory: the text parser drops the
                                    # annotations, a hint section is a custom section
    "nan_canonicalization": "wasmtime's NaN canonicalization setting (not a Wasm feature)",
    "multi_memory": None,
    "memory64": None,
    "custom_page_sizes": None,
    "threads": "threads and atomics (proposal)",
    "shared_everything_threads": "shared-everything threads (proposal)",
    "exceptions": None,
    "tail_call": None,
    "function_references": None,
    "gc": "garbage collection (Wasm 3.0)",
    "gc_types": "garbage collection types (Wasm 3.0)",
    "stack_switching": "stack switching (proposal)",
    "wide_arithmetic": None,
    "relaxed_simd": None,           # no file of the suite needs it (2026-08 snapshot)
    "extended_const": None,
}

_HEADER = re.compile(r"^;;!\s*([A-Za-z0-9_]+)\s*=\s*(true|false)\s*$", re.M)


def required_features(text: str) -> list[str]:
    """The features a script's ``;;!`` header lines turn on, in order."""
    return [m.group(1) for m in _HEADER.finditer(text) if m.group(2) == "true"]


#: Scripts whose ``gc = true`` header is wasmtime's configuration, not a use
#: of GC: wasmtime enables typed function references only with its GC
#: setting, and these scripts use no GC construct (no struct, array, i31,
#: any/eq/none type, cast or rec group).  They run.
GC_HEADER_ONLY = frozenset({
    "function-references/call_indirect.wast", "function-references/instance.wast",
    "function-references/table_fill.wast", "function-references/table_get.wast",
    "function-references/table_grow.wast", "function-references/table_set.wast",
})


def unsupported_reason(text: str, component_model: bool = True,
                       path: str | None = None) -> str | None:
    """Why a script cannot run here (the proposals it needs), or None.
    With ``component_model=False`` the component-model features are no
    reason: component scripts run, and what they need beyond (async ...) is
    spec-tests/component_expected.py's explicit list.  ``path``: the
    script's, for :data:`GC_HEADER_ONLY`."""
    why = []
    gc_config = path is not None and suite_path(path) in GC_HEADER_ONLY
    for f in required_features(text):
        if f == "gc" and gc_config:
            continue
        if f.startswith("component_model"):
            if not component_model:
                continue
            reason = "the component model"
        elif f in FEATURES:
            reason = FEATURES[f]
        else:
            reason = f"unknown wasmtime feature {f}"
        if reason is not None and reason not in why:
            why.append(reason)
    return ", ".join(why) or None


def suite_path(path: str) -> str | None:
    """``path`` relative to the suite folder, or None if it is not in it."""
    p = path.replace("\\", "/")
    marker = f"/{SUITE_DIR}/"
    at = p.rfind(marker)
    if at < 0:
        return p[len(SUITE_DIR) + 1:] if p.startswith(SUITE_DIR + "/") else None
    return p[at + len(marker):]


_WORDING = "wasmtime's wording"

# (path inside the suite, command line or None for the whole file) -> why
EXPECTED: dict[tuple[str, int | None], Expected] = {
    ("traps-skip-catch-all.wast", 42): Expected(
        f"{_WORDING}: 'divide by zero' is a substring of the trap message (wasmtime's wast "
        "matches substrings); ours is the spec's 'integer divide by zero', which the spec "
        "harness matches as a prefix", frozenset({"exec"})),
    ("no-panic-on-invalid.wast", 2): Expected(
        f"{_WORDING}: 'operators remaining after end' for what the spec calls 'section size mismatch'"),
    ("table_copy.wast", 63): Expected(
        f"{_WORDING}: its trap text is 'undefined element: out of bounds table access' and the "
        "script matches the first half; ours is the spec's 'out of bounds table access'",
        frozenset({"exec"})),
    **{("linking-errors.wast", line): Expected(
        f"{_WORDING}: its link errors describe the mismatch (`expected global of type ...`); "
        "ours is the spec's 'incompatible import type', for the same import", frozenset({"exec"}))
       for line in (16, 21, 25, 29, 34, 38, 43, 48, 52)},
    **{("memory64/linking.wast", line): Expected(
        f"{_WORDING}: 'memory types incompatible' for a 32/64-bit memory mismatch; ours is the "
        "spec's 'incompatible import type', for the same import", frozenset({"exec"}))
       for line in (9, 12)},
    ("memory64/linking-errors.wast", 7): Expected(
        f"{_WORDING}: 'expected 64-bit memory, found 32-bit memory'; ours is the spec's "
        "'incompatible import type', for the same import", frozenset({"exec"})),
    ("memory64/bounds.wast", 4): Expected(
        "wasmtime reports an out-of-bounds data segment as a link error (assert_unlinkable); "
        "here instantiation traps 'out of bounds memory access', as the spec's assert_trap "
        "says", frozenset({"exec"})),
    ("memory64/more-than-4gb.wast", None): Expected(
        "memories above 4 GiB: the runtime's page counts are u32, capped at WASMAOT_MAX_PAGES "
        "(65536) for memory64 too, so a 65537-page memory cannot be created",
        frozenset({"exec"})),
    **{("custom-page-sizes/custom-page-sizes-invalid.wast", line): Expected(
        f"{_WORDING}: 'memory types incompatible' for a page size mismatch; ours is the "
        "spec's 'incompatible import type', for the same import", frozenset({"exec"}))
       for line in (101, 108)},
    # WASMAOT_MAX_MEMORY_BYTES (runtime-c/include/wasmaot_rt.h): no memory reaches
    # 4 GiB - 64 KiB, so that an accessed i32 address plus up to 64 KiB cannot wrap
    # (backends/llvm/nowrap.py); wasmtime's memories go up to 4 GiB.
    ("custom-page-sizes/max-size-invalid.wast", None): Expected(
        "a memory of 2^32-2 one-byte pages is past WASMAOT_MAX_MEMORY_BYTES (4 GiB - 64 KiB) "
        "and does not instantiate here, so the script's importer has nothing to import; "
        "wasmtime creates it (its own limit is 2^32-1 pages, which line 4 asserts as a "
        "trap: here a failed instantiation)", frozenset({"exec"})),
    **{("big-memory-behavior.wast", line): Expected(
        "memory.grow from 65535 to 65536 pages (4 GiB) returns -1 here: no memory reaches "
        "WASMAOT_MAX_MEMORY_BYTES (4 GiB - 64 KiB); wasmtime's reaches 4 GiB",
        frozenset({"exec"}))
       for line in (16, 17, 18)},
    ("memory64/table-too-big.wast", None): Expected(
        "wasmtime traps when a table cannot be allocated ('failed to allocate', its resource "
        "limiter); the spec's table.grow returns -1, as here, and a table of 2^61 entries "
        "fails instantiation here", frozenset({"exec"})),
    **{("function-references/call_indirect.wast", line): Expected(
        f"{_WORDING}: 'out of bounds' for an index beyond the table (the spec's 'undefined "
        "element', ours) and 'call type mismatch' (the spec's 'indirect call type mismatch'), "
        "for the same trap", frozenset({"exec"}))
       for line in (42, 43, 45, 48, 49, 51, 54, 55, 56, 57)},
}


def expected(path: str, line: int) -> tuple[Expected | None, bool]:
    """The entry for a command of ``path`` at ``line``: ``(entry, whole_file)``."""
    rel = suite_path(path)
    if rel is None:
        return None, False
    e = EXPECTED.get((rel, line))
    if e is not None:
        return e, False
    e = EXPECTED.get((rel, None))
    return e, e is not None
