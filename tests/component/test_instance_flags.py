"""The canonical ABI's instance flags and the top-level call's handles,
compiled and compared with `wasmtime run --invoke` (the components are in
flags/, each with its reason): may_enter (a lowering of a function its own
instance lifts traps; donut wrapping does not), may_leave (a post-return
may not call out, to another component or to a root import), own handles
lifted from an export's result, a lifted resource built-in; and the exit
status of invalid strings between components (UTF-16 here, UTF-8 in
test_fuse.py): 1, an error of the call."""
from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest
from wasmaot.backends.component import fuse
from wasmaot.frontend.component import flatten as F
from wasmaot.frontend.component import load_component

from .util import build
from .wave import differential as wd

HERE = pathlib.Path(__file__).resolve().parent / "flags"

#: (file, call) -> (exit status, stdout, first line of stderr)
CASES = {
    ("same_instance", "run()"): (134, "", "wasm trap: cannot enter component instance"),
    ("same_instance", "ok()"): (0, "1", ""),
    ("start", "ok()"): (134, "", "wasm trap: cannot enter component instance"),
    ("donut", "run()"): (0, "16", ""),
    ("donut", "child()"): (0, "6", ""),
    ("leave", "f()"): (0, "7", ""),
    ("leave", "f-post()"): (134, "", "wasm trap: cannot leave component instance"),
    ("handle_result", "mk-as-r2()"): (1, "", "wasmaot: error: handle used with the wrong type"),
    ("handle_result", "bad-index()"): (1, "", "wasmaot: error: unknown handle index 5"),
    ("lifted_builtin", "f(299)"): (0, "300", ""),
    ("leave_host", "f()"): (0, "7", ""),
    ("leave_host", "f-post()"): (134, "", "wasm trap: cannot leave component instance"),
    ("utf16_invalid", "good()"): (0, "1", ""),
    ("utf16_invalid", "bad()"): (1, "", "wasmaot: error: unpaired surrogate found: d800"),
}


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    wasmtime, _ = wd.tools_or_skip()
    d = tmp_path_factory.mktemp("flags")
    out = {}
    for name in sorted({f for f, _ in CASES} | {"handle_result"}):
        src, exe = d / f"{name}.wasm", d / name
        src.write_bytes(build((HERE / f"{name}.wat").read_text()))
        subprocess.run([sys.executable, "-m", "wasmaot", "compile", str(src), "-o", str(exe)],
                       check=True)
        out[name] = (src, exe)
    return wasmtime, out


@pytest.mark.parametrize("case", list(CASES), ids=lambda c: f"{c[0]}-{c[1]}")
def test_same_as_wasmtime(compiled, case):
    wasmtime, files = compiled
    name, call = case
    src, exe = files[name]
    code, out, err = CASES[case]
    ours = subprocess.run([str(exe), "--invoke", call], capture_output=True, text=True, check=False)
    first = ours.stderr.strip().splitlines()[0] if ours.stderr.strip() else ""
    assert (ours.returncode, ours.stdout.strip(), first) == (code, out, err)
    theirs = subprocess.run([wasmtime, "run", "--invoke", call, str(src)], capture_output=True,
                            text=True, check=False)
    assert theirs.returncode == code, theirs.stderr[-2000:]
    # wasmtime prints a result only when the call (post-return included) succeeds
    assert theirs.stdout.strip() == (out if code == 0 else "")
    if code == 134:
        assert err.removeprefix("wasm trap: ") in theirs.stderr


def test_valid_handle_result_is_one_line(compiled):
    """A valid own handle passes its checks, then cannot be printed."""
    _, files = compiled
    r = subprocess.run([str(files["handle_result"][1]), "--invoke", "mk()"], capture_output=True,
                       text=True, check=False)
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr.startswith("wasmaot: error: ") and r.stderr.count("\n") == 1


def test_same_instance_lowering_is_never_fused():
    """Its adapter is what traps: binding it straight to the callee would
    let the call through."""
    data = build((HERE / "same_instance.wat").read_text())
    flat = F.flatten_component(load_component(data, "same_instance"), data)
    assert [fuse.fusable(flat, low) for low in flat.lowerings] == [False]
