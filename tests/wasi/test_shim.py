"""Native unit tests of the WASI shim (tests/wasi/c/test_shim.c), one pytest
test per C case, plus the cases whose verdict is the process's exit status
or output (proc_exit, stdin, traps), and compile checks of every manifest
config (cross targets and bare metal)."""
from __future__ import annotations

import subprocess
import time

import pytest

from .conftest import HERE, SHIM, parse_manifest, shim_build, zig

C_CASES = ["args", "env_none", "env", "env_parse", "clocks", "clock_bad_id_traps", "random", "bad_pointers_trap",
           "stdout_first_iovec", "stdin_null", "fdstat", "prestat", "no_grants", "file_io", "fd_numbers", "dirs",
           "open_errors", "bad_enum_traps", "resolve", "p2_streams", "init_errors", "poll"]
ESCAPE_CASES = ["escape_dotdot", "escape_absolute", "escape_symlink", "escape_loop", "escape_readonly",
                "escape_race"]


def run_case(exe, case, tmp_path, stdin=b"", timeout=120):
    return subprocess.run([str(exe), case, str(tmp_path)], input=stdin, capture_output=True, timeout=timeout)


def test_case_list_is_complete(test_shim_exe):
    listed = subprocess.run([str(test_shim_exe), "--list"], capture_output=True, text=True).stdout.split()
    covered = set(C_CASES) | set(ESCAPE_CASES) | {"stdin_echo", "exit_code", "exit_invalid", "exit_hook",
                                                  "poll_stdin"}
    assert set(listed) == covered


@pytest.mark.parametrize("case", C_CASES)
def test_c_case(test_shim_exe, tmp_path, case):
    r = run_case(test_shim_exe, case, tmp_path)
    assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
    assert r.stdout.decode().splitlines()[-1] == "ok"


@pytest.mark.parametrize("case", ESCAPE_CASES)
def test_escape(test_shim_exe, tmp_path, case):
    """Capability rules: `..`, absolute paths, symlinks out, loops, a
    read-only preopen, and a symlink swapped during resolution."""
    r = run_case(test_shim_exe, case, tmp_path)
    assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
    assert r.stdout.decode().splitlines()[-1] == "ok"
    assert (tmp_path / "outside" / "secret").read_text() == "SECRET"


def test_stdout_stderr_content(test_shim_exe, tmp_path):
    r = run_case(test_shim_exe, "stdout_first_iovec", tmp_path)
    assert r.stdout == b"first\nok\n"
    assert r.stderr == b"to stderr\n"


def test_stdin_piped(test_shim_exe, tmp_path):
    data = b"hello stdin\n" * 100 + bytes(range(256))
    r = run_case(test_shim_exe, "stdin_echo", tmp_path, stdin=data)
    assert r.returncode == 0, r.stdout
    # the echo writes each chunk as a C string, so stop at the first NUL
    assert r.stdout.startswith(b"hello stdin\n" * 100)
    assert r.stderr == f"read {len(data)} bytes\n".encode()


def test_poll_waits_for_stdin(test_shim_exe, tmp_path):
    p = subprocess.Popen([str(test_shim_exe), "poll_stdin", str(tmp_path)], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.3)
    assert p.poll() is None, "poll_oneoff returned before stdin had data"
    out, err = p.communicate(b"late data", timeout=30)
    assert p.returncode == 0, out + err
    assert b"got late data" in out


def test_proc_exit_code(test_shim_exe, tmp_path):
    r = run_case(test_shim_exe, "exit_code", tmp_path)
    assert r.returncode == 3
    assert r.stdout == b"before exit\n"  # written before exiting, nothing lost


def test_proc_exit_invalid_status(test_shim_exe, tmp_path):
    """wasmtime: status >= 126 is an error, not an exit; CLI status 1."""
    r = run_case(test_shim_exe, "exit_invalid", tmp_path)
    assert r.returncode == 1
    assert b"exit with invalid exit status outside of [0..126)" in r.stderr


def test_proc_exit_hook(test_shim_exe, tmp_path):
    r = run_case(test_shim_exe, "exit_hook", tmp_path)
    assert r.returncode == 0
    assert r.stdout == b"hook 42 user\n"


# ------------------------------------------------------ builds per config

CONFIGS = sorted(parse_manifest(SHIM / "sources.txt").configs)


@pytest.mark.parametrize("config", CONFIGS)
def test_manifest_config_builds(config):
    """Every config of wasi-shim/sources.txt compiles with -Werror (cross
    targets and freestanding bare metal included)."""
    b = shim_build(config)
    assert all(o.is_file() and o.stat().st_size > 0 for o in b.objects)


def test_baremetal_has_no_filesystem_and_no_libc(tmp_path):
    """The Cortex-M build links without any C library: the shim needs only
    the embedder hooks, the runtime core (memcpy/memset from its libc_min)
    and the compiler's runtime library for 64-bit division (nanoseconds to
    seconds: __aeabi_uldivmod, in libgcc / compiler-rt, which every ARM
    toolchain links; zig links its compiler_rt unless -nostdlib)."""
    b = shim_build("thumbv7m-cortex-m3")
    fw = tmp_path / "fw.c"
    fw.write_text(r'''
#include "wasmaot_wasi.h"
#include <stdint.h>
long wasmaot_wasi_embedder_write(int s, const uint8_t *b, size_t n) { (void)s; (void)b; return (long)n; }
uint64_t wasmaot_wasi_embedder_monotonic_ns(void) { static uint64_t t; return t += 1000; }
uint64_t wasmaot_wasi_embedder_wall_ns(void) { return 0; }
int wasmaot_wasi_embedder_random(uint8_t *b, size_t n) { for (size_t i = 0; i < n; i++) b[i] = (uint8_t)i; return 0; }
void wasmaot_wasi_embedder_exit(int code) { (void)code; for (;;) {} }
void wasmaot_embedder_trap(wasmaot_trap_code c) { (void)c; for (;;) {} }
static wasmaot_wasi_ctx ctx;
static wasmaot_wasi_config cfg;
int32_t wasmaot_p1_fd_write(void *, int32_t, int32_t, int32_t, int32_t);
void _start(void) {
    wasmaot_wasi_config_init(&cfg);
    wasmaot_wasi_init(&ctx, &cfg);
    wasmaot_funcref f;
    wasmaot_wasi_resolve(&ctx, "wasi_snapshot_preview1", "fd_write", "(i32,i32,i32,i32)->(i32)", &f);
    for (;;) {}
}
''')
    out = tmp_path / "fw.elf"
    zig(["-target", b.target, *b.cflags, "-Wno-error", *b.includes, "-nostartfiles", "-Wl,--gc-sections",
         "-Wl,-e,_start", str(fw), *map(str, b.objects), "-o", str(out)])
    assert out.stat().st_size > 0


@pytest.mark.parametrize("macros,message", [
    (["-DWASMAOT_WASI_MAX_FDS=2"], "WASMAOT_WASI_MAX_FDS must be at least 4"),
    (["-DWASMAOT_WASI_MAX_RESOURCES=4"], "WASMAOT_WASI_MAX_RESOURCES must be at least 8"),
    (["-DWASMAOT_WASI_MAX_FDS=64", "-DWASMAOT_WASI_MAX_RESOURCES=32"], "cannot exceed"),
    (["-DWASMAOT_WASI_MAX_PATH=100"], "WASMAOT_WASI_MAX_PATH must be at least 256"),
    (["-DWASMAOT_WASI_IO_CHUNK=100"], "WASMAOT_WASI_IO_CHUNK must be at least 4096"),
])
def test_config_macro_errors(tmp_path, macros, message):
    b = shim_build("x86_64-linux-musl")
    src = tmp_path / "x.c"
    src.write_text('#include "wasmaot_wasi.h"\n')
    with pytest.raises(RuntimeError, match=message):
        zig(["-target", b.target, *b.includes, *macros, "-c", str(src), "-o", str(tmp_path / "x.o")])


def test_filesystem_on_baremetal_is_an_error(tmp_path):
    b = shim_build("thumbv7m-cortex-m3")
    src = tmp_path / "x.c"
    src.write_text('#include "wasmaot_wasi.h"\n')
    with pytest.raises(RuntimeError, match="WASMAOT_WASI_FILESYSTEM needs WASMAOT_PLATFORM_POSIX"):
        zig(["-target", b.target, "-ffreestanding", "-DWASMAOT_PLATFORM_BAREMETAL=1", "-DWASMAOT_WASI_FILESYSTEM=1",
             *b.includes, "-c", str(src), "-o", str(tmp_path / "x.o")])
