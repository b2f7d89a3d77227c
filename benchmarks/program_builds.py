"""Real programs for ``python -m wasmaot.bench.programs``: fetched from the
package registries, built for wasm32-wasi and natively by the same zig clang.

=========  ==================================================  ===================
program    sources                                              what it runs
=========  ==================================================  ===================
sqlite     npm ``sqlite3@6.0.1`` (SQLite 3.52.0 amalgamation    the shell on a SQL
           and shell; :mod:`.wasm_inputs`)                      script from stdin
brotli     PyPI ``brotli`` sdist (``c/``: the library and the   ``brotli -c -q 9``,
           CLI ``tools/brotli.c``)                              stdin to stdout
lua        PyPI ``lupa==2.8`` sdist (``third-party/lua54``:     ``lua -`` on a script
           Lua 5.4's ``onelua.c``, interpreter included)        from stdin
hello      ``programs/hello.c``                                 start-up: one line
=========  ==================================================  ===================

Downloads and builds go to the bench cache, never into the repository.
Both builds get the same defines; the wasm build adds only what WASI needs
(wasi-libc's emulation libraries; brotli's ``chown``).  Lua raises errors
with ``setjmp``/``longjmp``, which wasm32-wasi has only with the exception
handling proposal: both builds of Lua turn an error into ``abort()``
(``LUAI_THROW``), which the fixed benchmark script never reaches.
"""
from __future__ import annotations

import os
import platform
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

from . import suite
from .wasm_inputs import CFLAGS as SQLITE_WASM_FLAGS
from .wasm_inputs import LIBS as SQLITE_WASM_LIBS
from .wasm_inputs import SetupError, cache_dir, fetch_sqlite_source

WASM = ["-target", "wasm32-wasi", "-O2", "-g0", "-s"]
LUPA = "lupa==2.8"
#: Both Lua builds: errors abort (no setjmp in wasm32-wasi); os.tmpname and
#: os.execute fail (no temporary files or shell in WASI).
LUA_DEFINES = ["-DLUAI_THROW(L,c)=abort()", "-DLUAI_TRY(L,c,a)=if(1){a}", "-Dluai_jmpbuf=int",
               "-DLUA_TMPNAMBUFSIZE=32", "-Dlua_tmpnam(b,e)=e=1", "-Dl_system(cmd)=(-1)"]


@dataclass
class ProgramBuild:
    name: str
    wasm: Path
    native: Path
    source: str          # where the C came from, for the report
    native_musl: Path | None = None   # the same native build on musl (see _native)


def _native(args: list[str], out: Path, what: str) -> Path:
    """Build the native reference twice: against the host's C library
    (glibc: ``out``) and statically against musl (``out-musl``), the C
    library wasi-libc is made from.  A Wasm program carries its libc's
    printf, strspn, memcmp and malloc compiled to Wasm, where glibc's are
    hand-tuned SIMD: the musl build shows how much of a gap is the C
    library rather than the compiler.  musl's build names the host CPU
    itself (zig builds for the baseline of an explicit target)."""
    _zig([*suite.native_flags(), *args], out, f"{what} (native)")
    musl = out.with_name(out.name + "-musl")
    cpu = ["-mcpu=native"] if suite.ISA == "host" else []
    _zig(["-target", f"{platform.machine()}-linux-musl", *suite.native_flags(), *cpu, *args], musl,
         f"{what} (native, musl)")
    return musl


def _zig(args: list[str], out: Path, what: str) -> None:
    """``zig cc ARGS -o OUT`` unless OUT exists and was built by this very
    command with this zig (recorded beside it in OUT.cmd); published by
    rename, so a build is complete or absent."""
    stamp = out.with_name(out.name + ".cmd")
    cmd = "\0".join([str(suite.zig_version()), *args])
    if out.exists() and stamp.exists() and stamp.read_text() == cmd:
        return
    tmp = out.with_name(f"{out.name}.tmp{os.getpid()}")
    p = subprocess.run(suite.zig_cmd() + ["cc", *args, "-o", str(tmp)], capture_output=True,
                       text=True, timeout=1800, check=False)
    if p.returncode != 0:
        errs = [ln for ln in p.stderr.splitlines() if "error" in ln] or p.stderr.splitlines() or ["?"]
        raise SetupError(f"{what}: zig cc failed: {errs[0][:300]}")
    os.replace(tmp, out)
    stamp.write_text(cmd)


def _sdist(spec: str, d: Path) -> Path:
    """The unpacked PyPI sdist of ``spec`` in ``d`` (downloaded once)."""
    d.mkdir(parents=True, exist_ok=True)
    name = spec.split("=")[0]
    tars = sorted(d.glob(f"{name}-*.tar.gz"))
    if not tars:
        p = subprocess.run([sys.executable, "-m", "pip", "download", "--no-binary", ":all:",
                            "--no-deps", spec, "-d", str(d), "-q"], capture_output=True, text=True,
                           timeout=600, check=False)
        tars = sorted(d.glob(f"{name}-*.tar.gz"))
        if not tars:
            raise SetupError(f"cannot download the {spec} sdist: {p.stderr.strip()[-300:]}")
    src = d / tars[-1].name.removesuffix(".tar.gz")
    if not src.is_dir():
        with tarfile.open(tars[-1]) as t:
            t.extractall(d, filter="data")
    return src


def build_sqlite() -> ProgramBuild:
    cache = cache_dir()
    src = fetch_sqlite_source(cache)
    d = cache / "programs" / "sqlite"
    d.mkdir(parents=True, exist_ok=True)
    stubs = d / "wasi_stubs.c"
    if not stubs.exists():
        stubs.write_text("int system(const char *cmd) { (void)cmd; return -1; }\n")
    defines = [f for f in SQLITE_WASM_FLAGS if f.startswith("-DSQLITE")]
    files = [f"-I{src}", str(src / "sqlite3.c"), str(src / "shell.c")]
    wasm, native = d / "sqlite3.wasm", d / "sqlite3-native"
    _zig([*WASM, *[f for f in SQLITE_WASM_FLAGS if f.startswith("-D")], *files, str(stubs),
          *SQLITE_WASM_LIBS], wasm, "sqlite (wasm32-wasi)")
    musl = _native([*defines, *files, "-lm"], native, "sqlite")
    return ProgramBuild("sqlite", wasm, native, f"npm sqlite3@6.0.1 ({src.name})", musl)


def build_brotli() -> ProgramBuild:
    d = cache_dir() / "programs" / "brotli"
    src = _sdist("brotli", d / "sdist")
    c = src / "c"
    files = [f"-I{c / 'include'}",
             *sorted(str(p) for sub in ("common", "dec", "enc") for p in (c / sub).glob("*.c")),
             str(c / "tools" / "brotli.c"), "-lm"]
    wasm, native = d / "brotli.wasm", d / "brotli-native"
    # brotli.c copies the owner with chown(), which WASI does not have.
    _zig([*WASM, "-Dchown(p,u,g)=0", *files], wasm, "brotli (wasm32-wasi)")
    musl = _native(files, native, "brotli")
    return ProgramBuild("brotli", wasm, native, f"PyPI {src.name} sdist", musl)


def build_lua() -> ProgramBuild:
    d = cache_dir() / "programs" / "lua"
    src = _sdist(LUPA, d / "sdist")
    lua = src / "third-party" / "lua54"
    # ldo.c includes <setjmp.h>, which wasi-libc refuses without exception
    # handling: an empty one first on the path (both builds, same code).
    inc = d / "include"
    inc.mkdir(exist_ok=True)
    (inc / "setjmp.h").write_text("/* Lua's errors abort() in this build (LUAI_THROW) */\n")
    files = [*LUA_DEFINES, f"-I{inc}", f"-I{lua}", str(lua / "onelua.c"), "-lm"]
    stubs = d / "wasi_stubs.c"          # wasi-libc has no tmpfile (io.tmpfile returns nil)
    stubs.write_text("#include <stdio.h>\nFILE *tmpfile(void) { return NULL; }\n")
    wasm, native = d / "lua.wasm", d / "lua-native"
    _zig([*WASM, "-D_WASI_EMULATED_SIGNAL", "-D_WASI_EMULATED_PROCESS_CLOCKS", *files, str(stubs),
          "-lwasi-emulated-signal", "-lwasi-emulated-process-clocks"], wasm, "lua (wasm32-wasi)")
    musl = _native(files, native, "lua")
    return ProgramBuild("lua", wasm, native, f"PyPI {src.name} sdist, Lua 5.4 onelua.c", musl)


def build_hello() -> ProgramBuild:
    """Start-up cost: a hello world (programs/hello.c), nothing to fetch."""
    d = cache_dir() / "programs" / "hello"
    d.mkdir(parents=True, exist_ok=True)
    src = str(Path(__file__).resolve().parent / "programs" / "hello.c")
    wasm, native = d / "hello.wasm", d / "hello-native"
    _zig([*WASM, src], wasm, "hello (wasm32-wasi)")
    musl = _native([src], native, "hello")
    return ProgramBuild("hello", wasm, native, "programs/hello.c", musl)


BUILDERS = {"sqlite": build_sqlite, "brotli": build_brotli, "lua": build_lua, "hello": build_hello}
