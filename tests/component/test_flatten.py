"""Flattening a component's instance graph (frontend/component/flatten.py).

Our components (tests/component/flatten/*.wat, built with ``wasm-tools
parse``; ``compose`` is provider.wat + consumer.wat put together by ``wasm-tools
compose``) are checked two ways: structural assertions on the flat form
(the point of each file) and a snapshot of :func:`describe` next to the
source (``<name>.flat.txt``; ``python -m tests.component.test_flatten
--update`` rewrites them, then read the diff).  Every flat form must also
pass :func:`verify`.

Then every valid component of the two suites (as test_suites.py finds
them, async folders excluded) is flattened and verified, linked as the
script links it (components and ``component instance``s it names supply the
imports of that name: ``preload``); an ``assert_unlinkable`` must be refused
by that link.  The ones that do not get their expected outcome are listed in
NOT_FLATTENED with their reason (a listed one that does fails the test).  ``python -m tests.component.test_flatten``
prints the counts.
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import tempfile
from collections import Counter

import pytest
from wasmaot.frontend.component import flatten as F
from wasmaot.frontend.component import is_component, load_component
from wasmaot.frontend.errors import WasmError
from wasmaot.ir.plan import InstanceBinding

from .test_suites import SHARED, wast_files
from .util import build, wasm_tools

HERE = pathlib.Path(__file__).resolve().parent / "flatten"
SNAPSHOTS = ("single", "twice", "nested-twice", "outer", "pair", "compose", "reexport",
             "resources")


def compose() -> bytes:
    """consumer.wat with its `demo:pair/api` import satisfied by provider.wat."""
    with tempfile.TemporaryDirectory() as d:
        paths = {}
        for name in ("provider", "consumer"):
            paths[name] = os.path.join(d, name + ".wasm")
            with open(paths[name], "wb") as f:
                f.write(build((HERE / f"{name}.wat").read_text()))
        out = os.path.join(d, "out.wasm")
        r = subprocess.run([wasm_tools(), "compose", paths["consumer"], "-d", paths["provider"],
                            "-o", out], capture_output=True, text=True, check=False)
        assert r.returncode == 0, r.stderr
        with open(out, "rb") as f:
            return f.read()


def load(name: str) -> F.FlatComponent:
    data = compose() if name == "compose" else build((HERE / f"{name}.wat").read_text())
    flat = F.flatten_component(load_component(data, name), data)
    assert F.verify(flat) == []
    return flat


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_snapshot(name):
    want = (HERE / f"{name}.flat.txt").read_text()
    assert F.describe(load(name)) == want


def test_single():
    flat = load("single")
    assert len(flat.modules) == 1 and len(flat.instances) == 1 and len(flat.components) == 1
    [e] = flat.exports
    assert e.path == ("len",) and isinstance(e.value, F.Lifted)
    opts = e.value.options
    assert opts.memory == F.CoreDef(0, F.ExternKind.MEMORY, 0, "memory")
    assert opts.realloc == F.CoreDef(0, F.ExternKind.FUNC, 0, "realloc")
    assert e.value.core == F.CoreDef(0, F.ExternKind.FUNC, 1, "len")


def test_one_module_twice_compiled_once():
    flat = load("twice")
    assert len(flat.modules) == 2
    a, b = flat.instances[1], flat.instances[2]
    assert a.module is b.module
    # b imports what a re-exports (a's own import): bound to the definer, i0
    assert a.imports[0].source == b.imports[0].source == F.CoreDef(0, F.ExternKind.FUNC, 0, "f")
    assert F.plan_bindings(flat) == {(1, 0, 0): InstanceBinding(0, 0, 0),
                                     (2, 0, 0): InstanceBinding(0, 0, 0)}
    assert [e.value.core.instance for e in flat.exports] == [1, 2]


def test_link_plan_translates_each_module_once():
    from wasmaot.ir.translate import translate_module
    flat = load("twice")
    calls = []

    def translate(fm):
        calls.append(fm.index)
        return translate_module(fm.module)
    plan = F.link_plan(flat, translate)
    assert sorted(calls) == [0, 1]                       # m1 instantiated twice, translated once
    assert len(plan.instances) == 3 and plan.instances[1].module is plan.instances[2].module
    assert plan.binding(2, 0, 0) == InstanceBinding(0, 0, 0)
    assert plan.host_imports() == []
    assert plan.instances[2].origin == "twice: core instance 2 (module 1, component instance 0)"


def test_nested_component_twice_with_different_arguments():
    flat = load("nested-twice")
    assert [c.parent for c in flat.components] == [None, 0, 0]
    i1, i2 = flat.instances[1], flat.instances[2]
    assert i1.module is i2.module and (i1.component, i2.component) == (1, 2)
    l1, l2 = i1.imports[0].source, i2.imports[0].source
    assert isinstance(l1, F.Lowering) and isinstance(l2, F.Lowering)
    assert (l1.component, l2.component) == (1, 2)
    assert (l1.func.core.name, l2.func.core.name) == ("one", "two")
    assert {e.name: e.value.core.instance for e in flat.exports} == {"x#run": 1, "y#run": 2}


def test_outer_aliases():
    flat = load("outer")
    assert len(flat.modules) == 1            # the root's module, reached from two levels down
    assert [i.component for i in flat.instances] == [2, 1, 0]
    assert [c.parent for c in flat.components] == [None, 0, 1]
    names = {e.name: e for e in flat.exports}
    assert set(names) == {"mid#leaf#f", "mid#leaf#pt"}
    assert names["mid#leaf#pt"].kind == "type"


@pytest.mark.parametrize("name", ["pair", "compose"])
def test_composed_pair(name):
    flat = load(name)
    provider, consumer = 1, 2
    low = {lw.func.core.name: lw for lw in flat.lowerings}
    assert set(low) == {"add", "echo"}
    echo = low["echo"]
    assert isinstance(echo.func, F.Lifted)
    assert (echo.component, echo.func.component) == (consumer, provider)
    # each side its own memory: the consumer's lowering writes into its
    # libc's, the provider's lift reads its own
    callee_mem = echo.func.options.memory
    caller_mem = echo.options.memory
    assert flat.instances[callee_mem.instance].component == provider
    assert flat.instances[caller_mem.instance].component == consumer
    assert (echo.options.encoding, echo.func.options.encoding) == ("utf16", "utf8")
    assert echo.func.options.post_return.name == "free"
    [run] = flat.exports
    assert run.name == "run" and run.value.component == consumer


def test_reexports():
    flat = load("reexport")
    kinds = {e.name: (e.kind, type(e.value).__name__) for e in flat.exports}
    assert kinds == {
        "wasi:cli/stdout@0.2.0": ("instance", "_ImportedInst"),
        "demo:rich/api#sum": ("func", "Lifted"),
        "demo:rich/tools#log": ("func", "ImportedFunc"),
        "demo:rich/tools#sum": ("func", "Lifted"),
    }
    assert [n for n, _ in flat.imports] == ["wasi:cli/stdout@0.2.0", "log"]
    [r] = flat.resources
    assert r.defined_by is None and r.imported == "wasi:cli/stdout@0.2.0#output-stream"


def test_resources_with_destructors():
    flat = load("resources")
    r1, r2 = flat.resources                    # the provider instantiated twice: two types
    assert (r1.defined_by, r2.defined_by) == (1, 2)
    assert r1.dtor.instance != r2.dtor.instance and r1.dtor.name == r2.dtor.name == "dtor"
    consumer = flat.instances[-1]
    make, drop = (imp.source for imp in consumer.imports)
    assert isinstance(drop, F.Builtin) and drop.op == "resource.drop"
    assert drop.resource is r2 and drop.component == 3   # the consumer's table, p2's type
    assert isinstance(make, F.Lowering) and make.func.component == 2
    assert list(make.resources.values()) == [r2] and list(make.func.resources.values()) == [r2]
    news = [imp.source for inst in flat.instances for imp in inst.imports
            if isinstance(imp.source, F.Builtin) and imp.source.op == "resource.new"]
    assert [(b.resource, b.component) for b in news] == [(r1, 1), (r2, 2)]
    assert {e.name: e.value for e in flat.exports}["counter"] is r1


def test_identical_modules_are_compiled_once():
    mod = '(core module (func (export "f") (result i32) i32.const 1))'
    data = build(f"(component {mod} (component {mod} (core instance (instantiate 0))) "
                 "(core instance (instantiate 0)) (instance (instantiate 0)))")
    scope = load_component(data, "x.wasm")
    by_content = F.flatten_component(scope, data)
    assert len(by_content.modules) == 1 and len(by_content.instances) == 2
    by_definition = F.flatten_component(scope)          # without the bytes
    assert len(by_definition.modules) == 2


def _scope(wat_or_name: str):
    text = (HERE / f"{wat_or_name}.wat").read_text() if "(" not in wat_or_name else wat_or_name
    data = build(text)
    return load_component(data, "x.wasm"), data


def test_preload_supplies_imports_by_export_name():
    provider, consumer = _scope("provider"), _scope("consumer")
    flat = F.flatten_component(*consumer, preload=[("lib", *provider)])
    assert F.verify(flat) == []
    assert [(c.parent, c.label) for c in flat.components] == [(None, "preload 'lib'"),
                                                              (None, "root")]
    assert flat.imports == []                          # demo:pair/api came from the preload
    echo = next(lw for lw in flat.lowerings if lw.func.core.name == "echo")
    assert (echo.component, echo.func.component) == (1, 0)
    assert [e.name for e in flat.exports] == ["run"]   # the preload's are not the program's


def test_preload_supplies_a_whole_instance_with_a_module():
    lib = _scope('(component (core module $m (global (export "g") i32 i32.const 2)) '
                 '(export "m" (core module $m)))')
    user = _scope('(component (import "src" (instance $src (export "m" (core module '
                  '(export "g" (global i32)))))) (alias export $src "m" (core module $m)) '
                  '(core instance (instantiate $m)) (core instance (instantiate $m)))')
    flat = F.flatten_component(*user, preload=[("src", *lib)])
    assert len(flat.modules) == 1 and [i.component for i in flat.instances] == [1, 1]
    with pytest.raises(F.FlattenError, match="imported core module `src#m`"):
        F.flatten_component(*user)


def test_preload_supplies_a_resource_and_its_constructor():
    text = (HERE / "resources.wat").read_text()
    # resources.wat's two nested components, as standalone ones
    start = text.index("(component $provider")
    middle = text.index("(component $consumer")
    end = text.index("(instance $p1")
    provider = _scope(text[start:middle].rstrip())
    consumer = _scope(text[middle:end].rstrip())
    flat = F.flatten_component(*consumer, preload=[("p", *provider)])
    assert F.verify(flat) == []
    [counter] = flat.resources
    assert counter.defined_by == 0 and flat.imports == []
    drop = next(i.source for i in flat.instances[-1].imports if i.name == "drop")
    assert (drop.op, drop.resource, drop.component) == ("resource.drop", counter, 1)
    [make] = flat.lowerings
    assert list(make.resources.values()) == [counter] and make.func.component == 0


def test_tops_share_a_host_import():
    stdout = ('(import "wasi:cli/stdout@0.2.0" (instance $s '
              '(export "output-stream" (type (sub resource))) '
              '(export "get-stdout" (func (result (own 0))))))')
    user = ('(alias export $s "get-stdout" (func $g)) (core func (canon lower (func $g))) '
            '(alias export $s "output-stream" (type $os))')
    lib = _scope(f'(component {stdout} {user} (export "x" (type $os)))')
    app = _scope(f'(component {stdout} {user} (import "x" (type (eq $os))))')
    flat = F.flatten_component(*app, preload=[("lib", *lib)])
    assert F.verify(flat) == []
    assert [n for n, _ in flat.imports] == ["wasi:cli/stdout@0.2.0"]
    [os] = flat.resources                 # one host resource type, seen by both
    assert all(list(lw.resources.values()) == [os] for lw in flat.lowerings)
    assert flat.lowerings[0].func is flat.lowerings[1].func


def test_preload_of_the_wrong_type_is_refused():
    provider, consumer = _scope("provider"), _scope("consumer")
    with pytest.raises(F.LinkError) as e:    # the whole provider is not the interface
        F.flatten_component(*consumer, preload=[("demo:pair/api", *provider)])
    assert str(e.value) == ("x.wasm:0x34: unlinkable: type mismatch for import "
                            "`demo:pair/api`: missing expected export `add`")


def test_toolchain_component():
    # wasm-tools component new: the main module's imports go through a shim
    # instance's table, which a fixup instance fills with the lowerings
    from .util import build_from_wit
    data = build_from_wit(str(pathlib.Path(__file__).parent / "corpus" / "demo.wit"), "utf16")
    flat = F.flatten_component(load_component(data, "demo.wasm"), data)
    assert F.verify(flat) == []
    shim, main, fixup = flat.instances
    assert (len(shim.imports), [i.source.instance for i in fixup.imports
                                if isinstance(i.source, F.CoreDef)]) == (0, [1, 1, 0])
    table = [i for i in fixup.imports if i.kind == F.ExternKind.TABLE]
    assert [i.source.instance for i in table] == [0]
    assert all(isinstance(lw.func, F.ImportedFunc) for lw in flat.lowerings)
    assert {lw.func.name for lw in flat.lowerings} == {
        "demo:rich/host@0.2.12#get-stream", "demo:rich/host@0.2.12#[method]out-stream.write",
        "demo:rich/host@0.2.12#log"}
    greet = next(e.value for e in flat.exports if e.name == "demo:rich/api@0.2.12#greet")
    assert greet.options.encoding == "utf16" and greet.core.instance == main.index
    out_stream, counter = flat.resources
    assert out_stream.imported == "demo:rich/host@0.2.12#out-stream"
    assert counter.defined_by == 0 and counter.dtor.instance == shim.index


def test_verify_finds_broken_wiring():
    flat = load("resources")
    assert F.verify(flat) == []
    make = flat.instances[-1].imports[0].source
    make.resources = {k: flat.resources[0] for k in make.resources}     # p1's, not p2's
    flat.instances[0].imports.append(
        F.CoreImport("x", "y", F.ExternKind.MEMORY, 0, F.CoreDef(3, F.ExternKind.MEMORY, 0, "m")))
    flat.lifts[0].options.memory = F.CoreDef(0, F.ExternKind.MEMORY, 0, "memory")
    problems = F.verify(flat)
    assert any(p.startswith("lift0 memory: i0 exports no memory 0") for p in problems), problems
    assert any(p.startswith("lower0: its resources") for p in problems), problems
    assert any("i0 import 'x' 'y': bound to i3, not an earlier instance" in p
               for p in problems), problems


def test_imported_module_is_not_flattened():
    data = build('(component (import "m" (core module $m)) (core instance (instantiate $m)))')
    with pytest.raises(F.FlattenError) as e:
        F.flatten_component(load_component(data, "x.wasm"), data)
    assert "instantiates the imported core module `m`" in str(e.value)


def test_instance_explosion_is_refused(monkeypatch):
    # c_k instantiates c_{k-1} twice: 2^12 instances of the module
    levels = ["(component $c0 (core module $m) (core instance (instantiate $m)))"]
    for k in range(1, 13):
        levels.append(f"(component $c{k} (alias outer 1 {k - 1} (component $p)) "
                      "(instance (instantiate $p)) (instance (instantiate $p)))")
    data = build("(component " + " ".join(levels) + " (instance (instantiate $c12)))")
    scope = load_component(data, "x.wasm")
    monkeypatch.setattr(F, "MAX_INSTANCES", 1000)
    with pytest.raises(F.FlattenError, match="more than 1000 instances"):
        F.flatten_component(scope, data)
    monkeypatch.setattr(F, "MAX_INSTANCES", 20_000)     # 4096 core + 8191 component
    assert len(F.flatten_component(scope, data).instances) == 4096


# ---- the suites --------------------------------------------------------------------

_HOST = ("wasmtime's wast host instance (`host`, `host-return-two`) is not in the script; "
         "our spec driver will provide it")
_NO_PROVIDER = ("unlinkable in wasmtime because nothing provides the import; here a root "
                "import nothing supplies stays an import, refused later by the host check")
NOT_FLATTENED = {
    ("wasmtime-misc-tests/component-model/instance.wast", 216):
        "instantiates a core module of " + _HOST,
    ("wasmtime-misc-tests/component-model/instance.wast", 224):
        "instantiates a core module of " + _HOST,
    ("wasmtime-misc-tests/component-model/import.wast", 8): _HOST,
    ("wasmtime-misc-tests/component-model/resources.wast", 167): _HOST,
    ("wasmtime-misc-tests/component-model/resources.wast", 174): _HOST,
    ("wasmtime-misc-tests/component-model/resources.wast", 201): _HOST,
    ("wasmtime-misc-tests/component-model/linking.wast", 2): _NO_PROVIDER,
}
_VALID = ("module", "module_definition", "assert_unlinkable", "assert_uninstantiable")


def suite_files() -> list[str]:
    return [rel for rel in wast_files() if "/async/" not in rel]


def flatten_file(rel: str, workdir: pathlib.Path) -> list[tuple[int, str, str]]:
    """(line, outcome, message) for each valid component of one .wast file:
    outcome "ok" (flattened and verified), "unlinkable" (an
    ``assert_unlinkable`` refused by the preload type check, as expected),
    "not loaded" (the decoder refuses it: test_suites.py's business),
    "error", "wrong" (verify() finds a problem) or "linked" (an
    ``assert_unlinkable`` that links).

    As wasmtime's wast runner does, a component the script names
    (``(component $src ...)``) is instantiated and supplies the import
    ``src`` of later ones: those are preloaded (with what they import in
    turn, in script order)."""
    env = dict(os.environ, WAST_STRICT_COMPONENT_INDICES="0")
    r = subprocess.run([wasm_tools(), "json-from-wast", str(SHARED / rel), "-o",
                        str(workdir / "out.json"), "--wasm-dir", str(workdir)],
                       capture_output=True, text=True, env=env, check=False)
    if r.returncode != 0:
        return []                            # test_suites.py lists these (UNPARSEABLE)
    out = []
    named: dict[str, tuple] = {}             # script name -> (scope, data), in order
    definitions: dict[str, tuple] = {}       # (component definition $D ...)
    for cmd in json.loads((workdir / "out.json").read_text())["commands"]:
        if cmd["type"] == "module_instance" and cmd.get("module") in definitions:
            named.pop(cmd["instance"], None)             # a new instance, last in order
            named[cmd["instance"]] = definitions[cmd["module"]]
        if cmd["type"] not in _VALID or cmd.get("module_type") != "binary" \
                or "filename" not in cmd:
            continue
        data = (workdir / cmd["filename"]).read_bytes()
        if not is_component(data):
            continue
        try:
            scope = load_component(data, cmd["filename"])
        except WasmError as e:
            out.append((cmd["line"], "not loaded", str(e)))
            continue
        # a definition is not instantiated, so not linked either
        preload = [] if cmd["type"] == "module_definition" else _preload(scope, named)
        unlinkable = cmd["type"] == "assert_unlinkable"
        try:
            flat = F.flatten_component(scope, data, preload=preload)
            F.describe(flat)
            problems = F.verify(flat)
        except WasmError as e:
            link_error = isinstance(e, F.LinkError)
            out.append((cmd["line"], "unlinkable" if unlinkable and link_error else "error",
                        str(e)))
            continue
        if unlinkable and not problems:
            out.append((cmd["line"], "linked", "assert_unlinkable, but it links"))
            continue
        out.append((cmd["line"], "wrong" if problems else "ok", "; ".join(problems)))
        if cmd.get("name"):
            if cmd["type"] == "module":
                named.pop(cmd["name"], None)
                named[cmd["name"]] = (scope, data)
            elif cmd["type"] == "module_definition":
                definitions[cmd["name"]] = (scope, data)
    return out


def _preload(scope, named: dict) -> list[tuple]:
    """The named components ``scope`` imports, and theirs, in script order."""
    want: set[str] = set()
    todo = [scope]
    while todo:
        for name, _ in todo.pop().imports:
            if name in named and name not in want:
                want.add(name)
                todo.append(named[name][0])
    return [(name, *named[name]) for name in named if name in want]


@pytest.mark.parametrize("rel", suite_files())
def test_suite_file(rel, tmp_path):
    problems = []
    for line, outcome, msg in flatten_file(rel, tmp_path):
        listed = (rel, line) in NOT_FLATTENED
        if outcome in ("ok", "unlinkable") and listed:
            problems.append(f"line {line}: {outcome} as expected now: remove it from "
                            "NOT_FLATTENED")
        elif outcome in ("error", "wrong", "linked") and not listed:
            problems.append(f"line {line}: {outcome}: {msg}")
    assert not problems, "\n".join(problems)


def test_not_flattened_list_is_current():
    files = set(suite_files())
    assert all(rel in files for rel, _ in NOT_FLATTENED)


def main(argv: list[str]) -> None:
    if "--update" in argv:
        for name in SNAPSHOTS:
            (HERE / f"{name}.flat.txt").write_text(F.describe(load(name)))
        return
    total: Counter = Counter()
    for rel in suite_files():
        with tempfile.TemporaryDirectory() as d:
            for _line, outcome, _ in flatten_file(rel, pathlib.Path(d)):
                total[outcome] += 1
    print(", ".join(f"{v} {k}" for k, v in sorted(total.items())))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
