"""The decoder and validator over every component in the two component suites.

``wasm-tools json-from-wast`` turns each .wast file of the component model's
own suite (../shared/component-model-tests/test/) and of wasmtime's component
tests (../shared/wasmtime-misc-tests/component-model/) into .wasm files plus
the expected outcome of each: valid (``module``, ``module_definition``,
``assert_unlinkable``, ``assert_uninstantiable``: linking and running are not
validation), ``assert_invalid`` or
``assert_malformed``.  Every component binary must get that outcome from
:func:`load_component`, except:

- features we do not implement yet give ``unsupported: ...``; that is
  allowed in the files listed in UNSUPPORTED (and every file under the
  async folders), and each listed file must still have such a case;
- the cases in KNOWN_DIFFERENCES, each with its reason; a listed case that
  now gets the expected outcome fails the test (remove it from the list).

``python -m tests.component.test_suites`` prints the counts.
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest
from wasmaot.frontend.component import is_component, load_component
from wasmaot.frontend.errors import WasmError

from .util import wasm_tools

SHARED = pathlib.Path(__file__).resolve().parents[2].parent / "shared"
SUITES = ("component-model-tests/test", "wasmtime-misc-tests/component-model")

ASYNC = "component model async (WASI 0.3): streams, futures, async lift/lower, task built-ins"
UNSUPPORTED_DIRS = {
    "component-model-tests/test/async/": ASYNC,
    "wasmtime-misc-tests/component-model/async/": ASYNC,
}
_FUNCREF = "core typed function references (Wasm 3.0) in a table initializer"
UNSUPPORTED = {
    "component-model-tests/test/binary/binary.wast":
        "async types and built-ins, thread built-ins, GC core types and map types in the "
        "binary-format tests",
    "component-model-tests/test/validation/indicies.wast":
        "async and thread built-ins in the index-space tests",
    "component-model-tests/test/validation/instantiation.wast": "shared memories (threads)",
    "component-model-tests/test/validation/max-value-size.wast": "map types (🗺️)",
    "component-model-tests/test/values/concat.wast": "map types (🗺️)",
    "component-model-tests/test/values/post-return.wast": "async built-ins (stream, context.get, "
                                                          "backpressure)",
    "component-model-tests/test/values/variants.wast": "task.return (async)",
    "wasmtime-misc-tests/component-model/alias-region-known-imported-entities.wast": _FUNCREF,
    "wasmtime-misc-tests/component-model/alias-region-multiple-instantiations.wast": _FUNCREF,
    "wasmtime-misc-tests/component-model/alias-region-reexported-ambiguous-entities.wast":
        _FUNCREF,
    "wasmtime-misc-tests/component-model/alias-region-reexported-known-entities.wast": _FUNCREF,
    "wasmtime-misc-tests/component-model/error-context-trap-in-post-return.wast":
        "error-context (async)",
    "wasmtime-misc-tests/component-model/gc/empty.wast": "GC canonical options",
    "wasmtime-misc-tests/component-model/map-types.wast": "map types (🗺️)",
    "wasmtime-misc-tests/component-model/memory64.wast": "core memory64 (Wasm 3.0)",
}

# json-from-wast itself rejects these (syntax wasm-tools 1.262 dropped).
UNPARSEABLE = {
    "component-model-tests/test/async/cancellable.wast": "`cancellable` option (async)",
    "wasmtime-misc-tests/component-model/async/task-deletion.wast": "`cancellable` option (async)",
    "wasmtime-misc-tests/component-model/async/stackful.wast": "`cancellable` option (async)",
}

_WASMTIME_ONLY = "wasmtime's own runtime restriction, not a validation rule"
KNOWN_DIFFERENCES = {
    ("wasmtime-misc-tests/component-model/restrictions.wast", 2): _WASMTIME_ONLY,
    ("wasmtime-misc-tests/component-model/restrictions.wast", 6): _WASMTIME_ONLY,
    ("wasmtime-misc-tests/component-model/restrictions.wast", 10): _WASMTIME_ONLY,
    ("wasmtime-misc-tests/component-model/restrictions.wast", 17): _WASMTIME_ONLY,
    ("wasmtime-misc-tests/component-model/simple.wast", 25): _WASMTIME_ONLY,
    ("wasmtime-misc-tests/component-model/simple.wast", 31): _WASMTIME_ONLY,
    ("wasmtime-misc-tests/component-model/import.wast", 2): _WASMTIME_ONLY,
    ("wasmtime-misc-tests/component-model/implements-disabled.wast", 4):
        "wasmtime run with the `cm-implements` feature off; we always accept `implements`",
    ("wasmtime-misc-tests/component-model/alias-region-reexported-entities-to-imported-module.wast",
     14): "the core decoder rejects the module's (ref null func) table type as malformed "
          "(typed function references, Wasm 3.0) instead of naming it unsupported",
}


def wast_files() -> list[str]:
    out = []
    for suite in SUITES:
        root = SHARED / suite
        out += sorted(str(p.relative_to(SHARED)) for p in root.rglob("*.wast"))
    return out


def _expected(kind: str) -> str:
    return {"module": "ok", "module_definition": "ok", "assert_unlinkable": "ok",
            "assert_uninstantiable": "ok",
            "assert_invalid": "invalid", "assert_malformed": "malformed"}[kind]


def outcomes(rel: str, workdir: pathlib.Path) -> list[tuple[int, str, str, str]] | None:
    """(line, expected, got, message) for every component binary of one file,
    or None when json-from-wast rejects the file."""
    env = dict(os.environ, WAST_STRICT_COMPONENT_INDICES="0")   # the legacy `(memory $i "m")`
    r = subprocess.run([wasm_tools(), "json-from-wast", str(SHARED / rel), "-o",
                        str(workdir / "out.json"), "--wasm-dir", str(workdir)],
                       capture_output=True, text=True, env=env, check=False)
    if r.returncode != 0:
        return None
    script = json.loads((workdir / "out.json").read_text())
    out = []
    for cmd in script["commands"]:
        if cmd["type"] not in ("module", "module_definition", "assert_unlinkable",
                               "assert_uninstantiable", "assert_invalid", "assert_malformed"):
            continue
        if cmd.get("module_type") != "binary" or "filename" not in cmd:
            continue
        data = (workdir / cmd["filename"]).read_bytes()
        if not is_component(data) and data[4:8] == b"\x01\0\0\0":
            continue                        # a core module: the core suite's business
        try:
            load_component(data, cmd["filename"])
            got, msg = "ok", ""
        except WasmError as e:
            got, msg = e.kind, str(e)
        out.append((cmd["line"], _expected(cmd["type"]), got, msg))
    return out


def _listed_unsupported(rel: str) -> bool:
    return rel in UNSUPPORTED or any(rel.startswith(d) for d in UNSUPPORTED_DIRS)


@pytest.mark.parametrize("rel", wast_files())
def test_suite_file(rel, tmp_path):
    results = outcomes(rel, tmp_path)
    if results is None:
        assert rel in UNPARSEABLE, f"json-from-wast rejects {rel}"
        return
    assert rel not in UNPARSEABLE, f"{rel} parses now: remove it from UNPARSEABLE"
    problems = []
    unsupported = 0
    for line, want, got, msg in results:
        known = (rel, line) in KNOWN_DIFFERENCES
        if got == "unsupported":
            unsupported += 1
            if not _listed_unsupported(rel):
                problems.append(f"line {line}: {msg} (not listed as unsupported)")
        elif got == want and known:
            problems.append(f"line {line}: listed in KNOWN_DIFFERENCES but gets {want} now")
        elif got != want and not known:
            problems.append(f"line {line}: expected {want}, got {got} {msg}")
    if _listed_unsupported(rel) and not unsupported:
        problems.append("listed as unsupported but has no unsupported case")
    listed = {ln for (f, ln) in KNOWN_DIFFERENCES if f == rel}
    missing = listed - {ln for ln, *_ in results}
    if missing:
        problems.append(f"KNOWN_DIFFERENCES lines {sorted(missing)} are not components")
    assert not problems, "\n".join(problems)


def main() -> None:
    import tempfile
    total = {"reproduced": 0, "unsupported": 0, "known difference": 0, "other": 0}
    for rel in wast_files():
        with tempfile.TemporaryDirectory() as d:
            results = outcomes(rel, pathlib.Path(d))
        for line, want, got, _ in results or []:
            key = ("reproduced" if got == want else "unsupported" if got == "unsupported"
                   else "known difference" if (rel, line) in KNOWN_DIFFERENCES else "other")
            total[key] += 1
    print(f"{sum(total.values())} component outcomes: " +
          ", ".join(f"{v} {k}" for k, v in total.items()))


if __name__ == "__main__":
    sys.exit(main())
