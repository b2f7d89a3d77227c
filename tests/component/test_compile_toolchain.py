"""Components as a toolchain makes them: C compiled by zig for wasm32 with
hand-written canonical-ABI glue (tests/component/compile/rich.c), wrapped by
``wasm-tools component embed`` + ``component new``, compiled by us and run
against ``wasmtime run --invoke`` (records, variants, enums, flags,
options, results, strings, lists, 17 spilled parameters, a 12-field tuple
result, post-return, a guest trap); and a second C component
(consumer.c) that relays every call to the first, the two composed by
``wasm-tools compose`` into one component and one static executable, with
a resource crossing the boundary (own, borrow, drop, destructor, use after
drop)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .compile.gen import cause, run
from .wave import differential as wd

HERE = Path(__file__).parent / "compile"
CALLS = [
    "add(1, 2)",
    'demo:rich/api.greet("hi")',
    'demo:rich/api.greet("ünï☃")',
    "demo:rich/api.sum([1, 2, 3])",
    "demo:rich/api.sum([])",
    "demo:rich/api.describe({x: 1, y: 2}, circle(1.5), red, {write})",
    "demo:rich/api.describe({x: 1, y: 2}, circle(-1), green, {read})",
    "demo:rich/api.describe({x: 0, y: 0}, %none, green, {read, write})",
    "demo:rich/api.describe({x: -1, y: 2}, %none, green, {})",
    "demo:rich/api.many(" + ", ".join(str(i) for i in range(1, 18)) + ")",
    "demo:rich/api.fail(0)",
    "demo:rich/api.fail(1)",
    "demo:rich/api.describe({x: -1, y: 2}, none, green, {})",     # `none` is a keyword
]


def _steps(argvs: list[list[str]]) -> None:
    for argv in argvs:
        code, _, err = run(argv)
        assert code == 0, (argv[:4], err)


def _component(wasm_tools: str, d: Path, source: str, world: str) -> Path:
    """C source -> core module (zig) -> component (wasm-tools)."""
    core, emb, comp = d / f"{world}.core.wasm", d / f"{world}.emb.wasm", d / f"{world}.wasm"
    _steps([
        [sys.executable, "-m", "ziglang", "cc", "-target", "wasm32-freestanding", "-O2", "-nostdlib",
         "-Wl,--no-entry", "-o", str(core), str(HERE / source)],
        [wasm_tools, "component", "embed", str(HERE / "rich.wit"), str(core), "-o", str(emb),
         "--world", world],
        [wasm_tools, "component", "new", str(emb), "-o", str(comp)],
    ])
    return comp


@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    wasmtime, wasm_tools = wd.tools_or_skip()
    d = tmp_path_factory.mktemp("rich")
    comp = _component(wasm_tools, d, "rich.c", "rich")
    _steps([[sys.executable, "-m", "wasmaot", "compile", str(comp), "-o", str(d / "rich")]])
    return wasmtime, comp, d / "rich"


@pytest.mark.parametrize("call", CALLS)
def test_c_component_matches_wasmtime(rich, call):
    wasmtime, comp, exe = rich
    ours = run([str(exe), "--invoke", call])
    theirs = run([wasmtime, "run", "--invoke", call, str(comp)])
    if theirs[0] == 0:
        assert ours[:2] == theirs[:2], (ours, theirs)
    else:          # the same class: a guest trap 134; a bad call is our usage error (2)
        assert ours[0] == (134 if theirs[0] == 134 else 2) and ours[1] == "", (ours, theirs)


@pytest.fixture(scope="module")
def composed(tmp_path_factory):
    wasmtime, wasm_tools = wd.tools_or_skip()
    d = tmp_path_factory.mktemp("composed")
    provider = _component(wasm_tools, d, "rich.c", "rich")
    consumer = _component(wasm_tools, d, "consumer.c", "consumer")
    comp = d / "composed.wasm"
    _steps([[wasm_tools, "compose", str(consumer), "-d", str(provider), "-o", str(comp)],
            [sys.executable, "-m", "wasmaot", "compile", str(comp), "-o", str(d / "app")]])
    return wasmtime, comp, d / "app"


RELAY_CALLS = [c.replace("demo:rich/api.", "relay-") for c in CALLS if c.startswith("demo:rich/api.")]
#: Resources: own handles from the provider's constructor, borrows lent to
#: its methods, drops running its destructor; a handle used after its drop.
RESOURCE_CALLS = ["relay-counter(5, 3)", "relay-counter(0, 0)", "relay-use-after-drop()"]


@pytest.mark.parametrize("call", RELAY_CALLS + RESOURCE_CALLS)
def test_two_composed_c_components_match_wasmtime(composed, call):
    """Each call crosses the adapter between the two components' memories
    and handle tables."""
    wasmtime, comp, exe = composed
    ours = run([str(exe), "--invoke", call])
    theirs = run([wasmtime, "run", "--invoke", call, str(comp)])
    if theirs[0] == 1 and "while interpreting parameters" not in theirs[2]:
        # a canonical-ABI error (a bad handle): wasmtime's message, exit 1
        assert ours[:2] == (1, "") and ours[2].strip() == "wasmaot: error: " + cause(theirs[2])
    else:
        test_c_component_matches_wasmtime(composed, call)
