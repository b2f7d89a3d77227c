"""WASI 0.2 command components as firmware images (backends/firmware/
component.py): compiled for the firmware targets, run under qemu-system,
and compared with `wasmtime run` of the same component (stdout, exit
status); the imports a device cannot serve are a one-line compile error.

Two components: a hand-written component in the text format that imports
only wasi:cli/stdout, wasi:io/streams (and wasi:io/error, which the
streams' error type names) and wasi:cli/exit; and a C hello world built by
zig for wasm32-wasi with a small memory, wrapped with the preview1 command
adapter of tests/wasi (so it imports wasi:filesystem, terminals, stdin...
as every adapter-built command does).  Built from source, cached.
"""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from wasmaot.backends.firmware.component import served_p2_functions
from wasmaot.backends.firmware.size import measure
from wasmaot.cache import cache_dir

from .conftest import RUN_BOARDS, compile_image, run_image, wasmaot

# Writes a line, checks the write said ok, drops the stream, then
# exit(err): status 1 (wasmtime's status for err), nothing after it runs.
MINIMAL = """(component
  (import "wasi:io/error@0.2.0" (instance $io-error (export "error" (type (sub resource)))))
  (alias export $io-error "error" (type $error))
  (import "wasi:io/streams@0.2.0" (instance $streams
    (alias outer 1 $error (type $err))
    (export "error" (type $e (eq $err)))
    (export "output-stream" (type $os (sub resource)))
    (type $stream-error (variant (case "last-operation-failed" (own $e)) (case "closed")))
    (export "stream-error" (type $se (eq $stream-error)))
    (export "[method]output-stream.blocking-write-and-flush"
      (func (param "self" (borrow $os)) (param "contents" (list u8)) (result (result (error $se)))))))
  (alias export $streams "output-stream" (type $output-stream))
  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (alias outer 1 $output-stream (type $os0))
    (export "output-stream" (type $os (eq $os0)))
    (export "get-stdout" (func (result (own $os))))))
  (import "wasi:cli/exit@0.2.0" (instance $exit (export "exit" (func (param "status" (result))))))

  (core module $m
    (import "wasi" "get-stdout" (func $stdout (result i32)))
    (import "wasi" "write" (func $write (param i32 i32 i32 i32)))
    (import "wasi" "drop" (func $drop (param i32)))
    (import "wasi" "exit" (func $exit (param i32)))
    (import "env" "memory" (memory 1))
    (data (i32.const 16) "hello from a hand-written component\\0a")
    (func (export "run") (result i32)
      (local $s i32)
      (local.set $s (call $stdout))
      (call $write (local.get $s) (i32.const 16) (i32.const 36) (i32.const 200))
      (if (i32.load8_u (i32.const 200)) (then unreachable))
      (call $drop (local.get $s))
      (call $exit (i32.const 1))
      unreachable))

  ;; The memory comes first: the lowering of write reads the line from it.
  (core module $mem (memory (export "memory") 1 1))
  (core instance $memory (instantiate $mem))
  (alias core export $memory "memory" (core memory $line))
  (core func $get-stdout (canon lower (func $stdout "get-stdout")))
  (core func $write (canon lower (func $streams "[method]output-stream.blocking-write-and-flush")
    (memory $line)))
  (core func $drop (canon resource.drop $output-stream))
  (core func $exit (canon lower (func $exit "exit")))
  (core instance $wasi
    (export "get-stdout" (func $get-stdout)) (export "write" (func $write))
    (export "drop" (func $drop)) (export "exit" (func $exit)))
  (core instance $i (instantiate $m (with "wasi" (instance $wasi)) (with "env" (instance $memory))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run-inst)))
"""

# Imports wasi:sockets, which no device serves.
SOCKETS = """(component
  (import "wasi:sockets/network@0.2.0" (instance $net (export "network" (type (sub resource)))))
  (alias export $net "network" (type $network))
  (import "wasi:sockets/instance-network@0.2.0" (instance $inet
    (alias outer 1 $network (type $n0))
    (export "network" (type $n (eq $n0)))
    (export "instance-network" (func (result (own $n))))))
  (core func $f (canon lower (func $inet "instance-network")))
  (core module $m (import "x" "f" (func (result i32))) (func (export "run") (result i32) i32.const 0))
  (core instance $x (export "f" (func $f)))
  (core instance $i (instantiate $m (with "x" (instance $x))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $r (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $r)))
"""

# A component without wasi:cli/run: nothing for an image to start.
NO_RUN = """(component
  (core module $m (func (export "f") (result i32) i32.const 7))
  (core instance $i (instantiate $m))
  (func (export "f") (result u32) (canon lift (core func $i "f"))))
"""

# main's status 3 becomes the preview1 adapter's exit(err): 1.
HELLO_C = '#include <stdio.h>\nint main(void) { puts("hello from a component on a device"); return 3; }\n'
# What else a device serves: a monotonic clock, a sleep (a clock pollable
# and poll), an empty environment, a closed stdin, stderr.
DEVICE_C = r"""#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
int main(void) {
    struct timespec a, b, d = {0, 2000000};
    char buf[8];
    clock_gettime(CLOCK_MONOTONIC, &a);
    nanosleep(&d, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long long ns = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
    printf("slept 2 ms: %s\n", ns >= 2000000 ? "yes" : "no");
    printf("stdin: %ld\n", (long)read(0, buf, sizeof buf));
    printf("HOME: %s\n", getenv("HOME") ? "set" : "unset");
    fprintf(stderr, "to stderr\n");
    return 0;
}
"""
# wasi:random with no entropy source on the board: a trap, never made-up bytes.
RANDOM_C = r"""#include <stdio.h>
#include <unistd.h>
int main(void) {
    unsigned char b[8];
    puts("before");
    fflush(stdout);
    return getentropy(b, sizeof b);
}
"""
#: zig's wasm32-wasi default is a 16 MiB memory (its 1 MiB stack and more):
#: 128 KiB with a 16 KiB stack fits any of the qemu boards.
SMALL_MEMORY = ["-Wl,--initial-memory=131072", "-Wl,--stack=16384"]


def _tools():
    from ..wasi.test_component_programs import command_adapter, wasm_tools, wasmtime_cli
    return command_adapter, wasm_tools, wasmtime_cli


@pytest.fixture(scope="module")
def minimal(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("minimal") / "minimal.wat"
    p.write_text(MINIMAL)
    return p


def c_component(name: str, source: str) -> Path:
    """C ``source`` as a command component, built once into the user's
    cache (called from session fixtures: before the tests' private cache;
    the adapter comes from there too)."""
    command_adapter, wasm_tools, _ = _tools()
    adapter = command_adapter()
    key = hashlib.sha256("\0".join([source, *SMALL_MEMORY]).encode() + adapter.read_bytes()).hexdigest()[:16]
    out = cache_dir() / "fw-components" / f"{name}-{key}.wasm"
    if out.is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    src, core = out.with_suffix(".c"), out.with_suffix(".core.wasm")
    src.write_text(source)
    for cmd in ([sys.executable, "-m", "ziglang", "cc", "-target", "wasm32-wasi", "-Os", "-s", *SMALL_MEMORY,
                 str(src), "-o", str(core)],
                [wasm_tools(), "component", "new", str(core), "--adapt",
                 f"wasi_snapshot_preview1={adapter}", "-o", f"{out}.{os.getpid()}.tmp"]):
        r = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=300)
        assert r.returncode == 0, r.stderr
    Path(f"{out}.{os.getpid()}.tmp").replace(out)
    return out


@pytest.fixture(scope="session")
def hello_component() -> Path:
    return c_component("hello", HELLO_C)


@pytest.fixture(scope="session")
def device_component() -> Path:
    return c_component("device", DEVICE_C)


@pytest.fixture(scope="session")
def random_component() -> Path:
    return c_component("random", RANDOM_C)


def wasmtime_run(comp: Path) -> subprocess.CompletedProcess:
    _, _, wasmtime_cli = _tools()
    return subprocess.run([wasmtime_cli(), "run", str(comp)], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, check=False, timeout=300)


def _same_as_wasmtime(comp: Path, elf: Path, target: str) -> subprocess.CompletedProcess:
    want = wasmtime_run(comp)
    got = run_image(elf, RUN_BOARDS[target])
    assert (got.stdout, got.returncode) == (want.stdout, want.returncode), got.stderr
    return got


# ------------------------------------------------------------ the table

def test_served_rows_are_shim_rows_with_their_functions():
    """Every row the firmware serves is a WASI 0.2 function of the hosted
    table (p2_funcs.def), and its C function is in the object."""
    from elftools.elf.elffile import ELFFile
    from wasmaot.backends.buildcache import compile_host_c
    from wasmaot.backends.component.wasi import host_functions
    from wasmaot.wasi import root as wasi_root
    rows = served_p2_functions()
    assert {("wasi:cli/stdout", "get-stdout"), ("wasi:io/streams", "[method]output-stream.write"),
            ("wasi:cli/exit", "exit"), ("wasi:filesystem/preopens", "get-directories")} <= set(rows)
    assert set(rows) <= set(host_functions())
    assert not any(iface.startswith("wasi:sockets") for iface, _ in rows)
    obj = compile_host_c(wasi_root() / "component" / "p2_firmware.c", "cortex-m3", "explicit",
                         extra_flags=[f"-I{wasi_root() / 'include'}"])
    with open(obj, "rb") as f:
        defined = {s.name for s in ELFFile(f).get_section_by_name(".symtab").iter_symbols()
                   if s["st_shndx"] != "SHN_UNDEF"}
    assert {f"wasmaot_fw_p2_{n}" for n in rows.values()} | {"wasmaot_fw_p2_drop"} <= defined


# ------------------------------------------------------------ compile errors

@pytest.mark.parametrize("text, why", [
    (SOCKETS, ("component import wasi:sockets/instance-network@0.2.0#instance-network is not "
               "available on firmware target cortex-m3")),
    (NO_RUN, "exports none"),
])
def test_what_a_device_cannot_run_is_a_one_line_error(tmp_path, text, why):
    src = tmp_path / "c.wat"
    src.write_text(text)
    r = wasmaot("compile", "--target", "cortex-m3", src, "-o", tmp_path / "c.elf")
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and why in r.stderr, r.stderr
    assert not (tmp_path / "c.elf").exists()


# ------------------------------------------------------------ under qemu

@pytest.mark.parametrize("target", sorted(RUN_BOARDS))
def test_minimal_component_runs_as_wasmtime_runs_it(tmp_path, minimal, target):
    elf = compile_image(minimal, tmp_path / "m.elf", target=target)
    r = _same_as_wasmtime(minimal, elf, target)
    assert r.stdout == "hello from a hand-written component\n"


@pytest.mark.parametrize("target", ["cortex-m3", "rv32imac"])
def test_c_hello_component_runs_as_wasmtime_runs_it(tmp_path, hello_component, target):
    elf = compile_image(hello_component, tmp_path / "h.elf", target=target)
    r = _same_as_wasmtime(hello_component, elf, target)
    assert (r.stdout, r.returncode) == ("hello from a component on a device\n", 1)


def test_device_services_as_wasmtime_serves_them(tmp_path, device_component):
    """Clock, sleep, environment, stdin and stderr: the same output on
    both streams and the same status as wasmtime."""
    elf = compile_image(device_component, tmp_path / "d.elf")
    got = _same_as_wasmtime(device_component, elf, "cortex-m3")
    assert got.stdout == "slept 2 ms: yes\nstdin: 0\nHOME: unset\n"
    assert got.stderr == wasmtime_run(device_component).stderr == "to stderr\n"


def test_random_without_an_entropy_source_traps(tmp_path, random_component):
    elf = compile_image(random_component, tmp_path / "r.elf")
    r = run_image(elf, RUN_BOARDS["cortex-m3"])
    assert (r.stdout, r.returncode) == ("before\n", 134), r.stderr
    assert "no entropy source" in r.stderr and "wasm trap: host trap" in r.stderr


def test_size_report_of_a_component_image(tmp_path, hello_component):
    """--size-report reads a component image like a module's: every part,
    totals that are the .bin's size; p2_firmware.c counts as the WASI shim
    (only the functions the component imports are linked)."""
    r = wasmaot("compile", "--target", "cortex-m3", hello_component, "-o", tmp_path / "h.elf",
                "--size-report")
    assert r.returncode == 0, r.stderr
    sizes = measure(tmp_path / "h.elf")
    assert sizes.flash_total == (tmp_path / "h.bin").stat().st_size
    m = re.search(r"flash (\d+) bytes", r.stdout)
    assert m and int(m.group(1)) == sizes.flash_total
    assert {"generated code", "WASI shim", "startup", "runtime"} <= set(sizes.flash)
    assert 0 < sizes.flash["WASI shim"] < 2048 and sizes.ram["instance"] > 0
