"""Component scripts whose components import what the script provides
(spec-tests/component_exec.py "Imports"): an earlier named instance
(scripts/imports.wast) and wasmtime's harness's `host` instance, which
spec-tests/component_host.py provides (scripts/host.wast).  Each passes
under `wasmaot spectest` and under `wasmtime wast` alike."""
from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

from .wave import differential as wd

SCRIPTS = pathlib.Path(__file__).resolve().parent / "scripts"
#: script -> commands it holds (all must pass)
EXPECTED = {"imports.wast": 5, "host.wast": 3}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_script_passes_like_wasmtime(name):
    wasmtime, _ = wd.tools_or_skip()
    script = SCRIPTS / name
    ours = subprocess.run([sys.executable, "-m", "wasmaot", "spectest", "-j", "1", "-O0", str(script)],
                          capture_output=True, text=True, check=False)
    last = ours.stdout.strip().splitlines()[-1]
    assert last == f"{EXPECTED[name]} passed, 0 failed, 0 skipped", ours.stdout
    theirs = subprocess.run([wasmtime, "wast", str(script)], capture_output=True, text=True, check=False)
    assert theirs.returncode == 0, theirs.stderr[-2000:]


def test_host_component_is_valid_and_named_like_the_harness():
    """The host exports what the harness's scripts import from `host`."""
    from wasmaot.spectest import component_exec
    _, scope = component_exec._host()["host"]
    names = {n for n, _ in scope.exports}
    assert {"return-three", "nested", "simple-module", "resource1", "resource1-again",
            "[constructor]resource1", "host-return-two"} <= names


LOOSE_USER = """(component
  (import "host" (instance
    (export "resource1" (type $r1 (sub resource)))
    (export "not-in-the-host" (type (eq $r1)))
    (export "[method]resource1.simple" (func (param "self" (borrow $r1)) (param "b" u32)))))
)"""


def test_host_links_as_a_host_linker_checks():
    """What the harness's host supplies is checked as wasmtime's linker
    checks host definitions: no parameter names, no export needed for a
    type bound by equality; any other preload is an instantiation argument."""
    from wasmaot.frontend.component import flatten_component, load_component
    from wasmaot.frontend.component.flatten import LinkError
    from wasmaot.frontend.text import parse_wat
    from wasmaot.spectest import component_exec
    binary, scope = component_exec._host()["host"]
    data = parse_wat(LOOSE_USER)
    user = load_component(data)
    flat = flatten_component(user, data, preload=[("host", scope, binary)], hosts=frozenset({"host"}))
    assert [c.label for c in flat.components][:1] == ["preload 'host'"]
    with pytest.raises(LinkError, match="missing expected export `not-in-the-host`"):
        flatten_component(user, data, preload=[("host", scope, binary)])
