"""The target registry is the one description of every target: each record
is consistent with the manifests, LLVM and the packaging, and the CLI takes
its defaults and its errors from it."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from wasmaot.backends import targets
from wasmaot.backends.manifest import parse_manifest, runtime_root, wasi_root
from wasmaot.backends.targets import (BOUNDS_MODES, DEFAULT_TARGET, OUTPUT_KINDS, TargetError,
                                      get_target, target_names)

REPO = Path(__file__).resolve().parents[2]
BACKENDS = REPO / "backends"
BOUNDS_MACRO = {"guard": "-DWASMAOT_BOUNDS_GUARD=1", "explicit": "-DWASMAOT_BOUNDS_EXPLICIT=1"}


@pytest.fixture(scope="module")
def manifests():
    return {"runtime": parse_manifest(runtime_root() / "sources.txt"),
            "shim": parse_manifest(wasi_root() / "sources.txt")}


# ------------------------------------------------------------- records

def test_every_target_folder_is_registered():
    folders = sorted(p.parent.name for p in BACKENDS.glob("*/target.py"))
    assert folders == sorted(targets.FAMILIES)
    assert DEFAULT_TARGET in target_names()


@pytest.mark.parametrize("name", target_names())
def test_record_is_consistent(name):
    t = get_target(name)
    assert t.name == name
    arch, vendor, os_, env = t.triple.split("-")          # LLVM's full 4-part form
    assert arch == t.arch
    if t.output_kind == "exe":
        assert os_ == "linux" and t.zig_target.startswith(f"{arch}-linux")
    else:                       # firmware: bare metal, an image recipe
        assert os_ == "none" and "-freestanding" in t.zig_target and t.firmware is not None
    assert set(t.bounds_modes) <= set(BOUNDS_MODES) and t.default_bounds in t.bounds_modes
    assert t.output_kind in OUTPUT_KINDS
    assert all((runtime_root() / s).is_file() for s in t.link.host_sources)


@pytest.mark.parametrize("name", target_names())
@pytest.mark.parametrize("lib", ["runtime", "shim"])
def test_configs_exist_and_match_target_and_bounds(manifests, lib, name):
    """Each bounds mode's config is in the manifest, built for the target's
    zig target with exactly that bounds mode."""
    t = get_target(name)
    for bounds in t.bounds_modes:
        config = t.runtime_config(bounds) if lib == "runtime" else t.shim_config(bounds)
        cfg = manifests[lib].config(config)
        assert cfg.target == t.zig_target, (config, cfg.target)
        assert [f for f in cfg.cflags if f.startswith("-DWASMAOT_BOUNDS_")] == [BOUNDS_MACRO[bounds]]


@pytest.mark.parametrize("name", target_names())
def test_backtrace_walk_matches_runtime_and_link(manifests, name):
    """Target.backtrace "unwind-tables" (code without frame pointers) needs
    the runtime's libunwind walk and libunwind in the link; a
    frame-pointer target has neither (the walk would find no tables).  An
    executable's runtime and shim keep frame pointers exactly when the walk
    follows them, and omit them explicitly otherwise (libunwind reads their
    unwind tables instead)."""
    t = get_target(name)
    unwind = t.backtrace == "unwind-tables"
    for bounds in t.bounds_modes:
        cflags = manifests["runtime"].config(t.runtime_config(bounds)).cflags
        assert ("-DWASMAOT_BACKTRACE_UNWIND=1" in cflags) == unwind, (name, bounds)
        if t.output_kind == "exe":
            shim = manifests["shim"].config(t.shim_config(bounds)).cflags
            for flags in (cflags, shim):
                assert ("-fno-omit-frame-pointer" in flags) != unwind, (name, bounds, flags)
                # zig's clang keeps frame pointers unless told (x86-64 Linux)
                assert ("-fomit-frame-pointer" in flags) == unwind, (name, bounds, flags)
    assert ("-lunwind" in t.link.ldflags) == (unwind and t.output_kind == "exe"), name


def test_every_backtrace_walk_has_its_function_attributes():
    from wasmaot.backends.llvm.backtrace import FRAME_ATTRS
    assert set(FRAME_ATTRS) == set(targets.BACKTRACE_WALKS)


@pytest.mark.parametrize("name", target_names())
def test_llvm_accepts_triple_cpu_and_features(name):
    from wasmaot.backends.codegen import llvm_binding
    t = get_target(name)
    tm = llvm_binding().Target.from_triple(t.triple).create_target_machine(cpu=t.default_cpu,
                                                                     features=t.features)
    assert tm.triple == t.triple


def test_record_invariants_are_checked():
    t = get_target(DEFAULT_TARGET)
    with pytest.raises(AssertionError):
        dataclasses.replace(t, default_bounds="guard", bounds_modes=("explicit",),
                            runtime_configs={"explicit": "x"}, shim_configs={})
    with pytest.raises(AssertionError):
        dataclasses.replace(t, triple="x86_64-linux-musl")          # 3 parts
    with pytest.raises(AssertionError):
        dataclasses.replace(t, output_kind="firmware")              # not yet a kind


def test_unknown_target_and_missing_bounds_mode_are_target_errors():
    with pytest.raises(TargetError, match=r"^unknown target 'mips-linux' \(known: "):
        get_target("mips-linux")
    t = _explicit_only()
    with pytest.raises(TargetError, match=r"^target x86_64-explicit-only does not support --bounds guard "
                                          r"\(supported: explicit\)$"):
        t.runtime_config("guard")


def test_packaging_finds_every_family():
    import runpy
    import setuptools
    seen = {}
    real = setuptools.setup
    try:
        setuptools.setup = lambda **kw: seen.update(kw)
        runpy.run_path(str(REPO / "setup.py"), run_name="__main__")
    finally:
        setuptools.setup = real
    assert {f"wasmaot.backends.{fam}" for fam in targets.FAMILIES} <= set(seen["packages"])
    assert {"wasmaot", "wasmaot.backends", "wasmaot.backends.llvm", "wasmaot.ir.passes"} <= set(seen["packages"])


# ------------------------------------------------------------------ CLI

def _explicit_only():
    """A target like x86-64 Linux that supports explicit bounds only (as a
    microcontroller target will): registered for one test."""
    base = get_target(DEFAULT_TARGET)
    return dataclasses.replace(base, name="x86_64-explicit-only", default_bounds="explicit",
                               bounds_modes=("explicit",),
                               runtime_configs={"explicit": base.runtime_config("explicit")},
                               shim_configs={})


@pytest.fixture
def explicit_only(monkeypatch):
    t = _explicit_only()
    monkeypatch.setitem(targets._load(), t.name, t)
    return t.name


def cli(capsys, *args) -> tuple[int, str, str]:
    from wasmaot.cli import main
    with pytest.raises(SystemExit) as e:
        main.main(args=[str(a) for a in args], prog_name="wasmaot")
    out, err = capsys.readouterr()
    return e.value.code, out, err


WAT = '(module (memory 1) (func (export "f") (result i32) (i32.load (i32.const 0))))'


@pytest.fixture
def wat(tmp_path):
    p = tmp_path / "m.wat"
    p.write_text(WAT)
    return p


def _marker(llvm_text: str) -> str:
    """The bounds mode the generated code links against (its marker symbol)."""
    modes = set(re.findall(r"wasmaot_rt_abi_v\d+_(guard|explicit)", llvm_text))
    assert len(modes) == 1, modes
    return modes.pop()


def test_bounds_default_follows_the_target(capsys, wat, tmp_path, explicit_only):
    out = tmp_path / "m.ll"
    assert cli(capsys, "compile", wat, "--emit", "llvm", "-o", out)[0] == 0
    assert _marker(out.read_text()) == get_target(DEFAULT_TARGET).default_bounds == "guard"
    assert cli(capsys, "compile", wat, "--emit", "llvm", "-o", out, "--target", explicit_only)[0] == 0
    assert _marker(out.read_text()) == "explicit"


def test_bounds_the_target_lacks_is_a_one_line_usage_error(capsys, wat, explicit_only):
    code, out, err = cli(capsys, "compile", wat, "--emit", "obj", "--target", explicit_only,
                         "--bounds", "guard")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(
        "wasmaot: error: target x86_64-explicit-only does not support --bounds guard (supported: explicit)")
    assert "internal compiler error" not in err


def test_unknown_target_is_a_one_line_usage_error(capsys, wat):
    code, out, err = cli(capsys, "run", "--target", "thumbv7m-none", wat)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("wasmaot: error: unknown target 'thumbv7m-none' (known: ")


def test_compile_ir_rejects_the_mode_as_a_target_error(explicit_only):
    from wasmaot.backends import CompileOptions, compile_ir
    with pytest.raises(TargetError, match="does not support --bounds guard"):
        compile_ir(None, CompileOptions(target=explicit_only, bounds="guard"))


def test_help_states_the_targets_defaults(capsys):
    code, out, _ = cli(capsys, "compile", "--help")
    assert code == 0
    text = " ".join(out.split())
    for name in target_names():
        assert name in text
    assert f"target's own: {get_target(DEFAULT_TARGET).default_bounds} for" in text
