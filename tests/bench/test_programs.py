"""`python -m wasmaot.bench.programs` (real programs against native, issue
18): the parts that decide a result, on small inputs; the real builds (a
minute of downloading and compiling) only with WASMAOT_SLOW=1."""
from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys

import pytest

from wasmaot.bench import program_builds, programs


def _prog(tmp_path, name, native_out, other_out):
    """A fake ProgramBuild whose 'native' and 'other' engines are shell
    commands printing the given outputs."""
    native = tmp_path / "native.sh"
    native.write_text(f"#!/bin/sh\ncat >/dev/null\nprintf '{native_out}'\n")
    other = tmp_path / "other.sh"
    other.write_text(f"#!/bin/sh\ncat >/dev/null\nprintf '{other_out}'\n")
    for f in (native, other):
        f.chmod(0o755)
    return native, other


def test_a_run_with_different_output_fails(tmp_path, monkeypatch):
    native, other = _prog(tmp_path, "p", "42\\n", "43\\n")
    stdin = tmp_path / "in"
    stdin.write_text("x")
    build = program_builds.ProgramBuild("p", tmp_path / "p.wasm", native, "test")
    (tmp_path / "p.wasm").write_bytes(b"\0asm")
    monkeypatch.setitem(program_builds.BUILDERS, "p", lambda: build)
    monkeypatch.setattr(programs, "program_io", lambda name: ([], stdin))
    monkeypatch.setattr(programs, "commands",
                        lambda b, names, engs: {"native": [str(native)], "wasmaot-guard": [str(other)]})
    res = programs.measure("p", ["native", "wasmaot-guard"], {}, 2, log=lambda m: None)
    assert res["engines"]["native"]["status"] == "ok"
    assert len(res["engines"]["native"]["times"]) == 2
    assert res["engines"]["native"]["ratio"] == pytest.approx(1.0)
    bad = res["engines"]["wasmaot-guard"]
    assert bad["status"].startswith("FAIL: stdout differs") and bad["ratio"] is None


def test_a_failing_exit_status_is_reported(tmp_path):
    stdin = tmp_path / "in"
    stdin.write_text("")
    dt, digest, err = programs.run_once(["sh", "-c", "echo boom >&2; exit 3"], stdin)
    assert dt is None and err == "exit 3: boom"


def test_geomean_and_markdown():
    assert programs.geomean([2.0, 8.0]) == pytest.approx(4.0)
    assert programs.geomean([]) is None
    doc = {"date": "2026-12-05T00:00:00", "machine": "m", "versions": "v", "runs": 1,
           "engines": ["native", "wasmaot-guard"],
           "programs": {"lua": {"source": "s", "engines": {
               "native": {"median_s": 1.0, "ratio": 1.0, "status": "ok"},
               "wasmaot-guard": {"median_s": None, "ratio": None, "status": "FAIL: exit 1: x"}}}},
           "geomean": {"native": 1.0, "wasmaot-guard": None}}
    md = programs.markdown(doc)
    assert "| lua | 1.000 s (1.00x) | FAIL: exit 1: x |" in md


@pytest.mark.parametrize("args,msg", [(["nope"], "unknown program 'nope'"),
                                      (["-e", "v9"], "unknown engine 'v9'"),
                                      (["-n", "0"], "--runs must be >= 1"),
                                      (["--instructions", "-e", "native,wasmtime"],
                                       "--instructions cannot count 'wasmtime'"),
                                      (["--instructions", "--isa", "host"], "use --isa portable"),
                                      (["--rev", "no-such-rev-x"], "--rev no-such-rev-x: not a commit"),
                                      (["-e", "native,wasmtime", "--rev", "HEAD"],
                                       "--rev needs a wasmaot engine")])
def test_usage_errors(args, msg):
    p = subprocess.run([sys.executable, "-m", "wasmaot.bench.programs", *args],
                       capture_output=True, text=True, timeout=120, check=False)
    assert p.returncode == 2 and msg in p.stderr, p.stderr


def test_rev_engines_compile_with_that_commit(tmp_path):
    """--rev: one engine per wasmaot engine, named MODE@REV, whose compiler
    command runs the commit's exported tree (not the installed package),
    and whose cache key is the commit (a change of the working tree does
    not reuse its builds).  The tests run in a git checkout (CI clones)."""
    revs = programs.rev_engines(["HEAD"], ["native", "wasmaot-guard", "wasmtime"], tmp_path)
    assert list(revs) == ["wasmaot-guard@HEAD"]
    e = revs["wasmaot-guard@HEAD"]
    cmd = e._cmd(tmp_path / "x.wasm", tmp_path / "x")
    assert cmd[1] == "-c" and cmd[3] == str(tmp_path / "HEAD") and cmd[4] == "compile"
    assert (tmp_path / "HEAD" / "pyproject.toml").exists()
    head = subprocess.run(["git", "-C", str(programs.HERE), "rev-parse", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    assert e._fp == f"rev {head}" and e.label.endswith("at HEAD")
    p = subprocess.run(cmd[:4] + ["compile", "--help"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and "--bounds" in p.stdout, p.stderr


@pytest.mark.skipif(os.environ.get("WASMAOT_SLOW") != "1",
                    reason="downloads and builds Lua (about a minute): set WASMAOT_SLOW=1")
def test_lua_runs_natively_and_under_wasmtime(tmp_path):
    out = tmp_path / "programs"
    p = subprocess.run([sys.executable, "-m", "wasmaot.bench.programs", "lua", "-n", "1",
                        "-e", "native,wasmtime-cwasm", "-o", str(out)],
                       capture_output=True, text=True, timeout=1800, check=False)
    assert p.returncode == 0, p.stderr[-2000:]
    import json
    doc = json.loads(out.with_suffix(".json").read_text())
    assert doc["programs"]["lua"]["engines"]["wasmtime-cwasm"]["ratio"] > 0


def test_native_musl_runs_the_musl_build(tmp_path):
    """``native-musl`` runs the build against musl (program_builds._native),
    and says so when a program has none."""
    b = program_builds.ProgramBuild("p", tmp_path / "p.wasm", tmp_path / "glibc", "test",
                                    tmp_path / "glibc-musl")
    cmds = programs.commands(b, ["native", "native-musl"], {})
    assert cmds == {"native": [str(tmp_path / "glibc")], "native-musl": [str(tmp_path / "glibc-musl")]}
    b.native_musl = None
    assert programs.commands(b, ["native-musl"], {})["native-musl"] == "not built"


@pytest.mark.skipif(shutil.which("qemu-x86_64") is None or platform.machine() != "x86_64",
                    reason="needs qemu-x86_64 on an x86-64 host")
def test_instruction_counts_are_exact_and_grow_with_the_work(tmp_path):
    """--instructions: one run under qemu with the counting plugin; the
    same program counts the same twice, and a longer loop counts more."""
    from wasmaot.bench import firmware_instr, suite
    src = tmp_path / "loop.c"
    src.write_text("#include <stdio.h>\nint main(void) { int n = 0; if (scanf(\"%d\", &n) != 1) return 1;"
                   " volatile unsigned s = 0; for (int i = 0; i < n; i++) s += i;"
                   " printf(\"%u\\n\", s); return 0; }\n")
    exe = tmp_path / "loop"
    subprocess.run(suite.zig_cmd() + ["cc", "-target", "x86_64-linux-musl", "-O2", str(src), "-o", str(exe)],
                   check=True, capture_output=True, timeout=300)
    so = firmware_instr.plugin()
    counts = {}
    for n in (1000, 1000, 101000):
        stdin = tmp_path / f"in{n}"
        stdin.write_text(f"{n}\n")
        c, digest, err = programs.count_once([str(exe)], stdin, so)
        assert err == "" and c, err
        counts.setdefault(n, []).append((c, digest))
    assert counts[1000][0] == counts[1000][1]               # exact, output included
    extra = counts[101000][0][0] - counts[1000][0][0]
    assert 100000 * 3 <= extra <= 100000 * 12, extra        # a few instructions an iteration
    bad = tmp_path / "empty"
    bad.write_text("")
    c, _, err = programs.count_once([str(exe)], bad, so)
    assert c is None and err.startswith("exit 1")
