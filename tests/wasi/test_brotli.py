"""A real program nobody here wrote: the brotli CLI (c/tools/brotli.c of
the PyPI sdist), built for wasm32-wasi with zig, compressing and
decompressing real files through a preopened directory, and through
stdin/stdout.  Compared byte for byte with brotli built natively
(x86_64-linux-musl) and, once the compiler exists, with wasmaot.

The sdist is fetched with `pip download --no-binary :all: --no-deps brotli`
into the test cache (outside the repository; nothing fetched or built from
it is committed).  Without network access the tests skip, saying so."""
from __future__ import annotations

import random
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from .conftest import REPO, cache_root, run_wasmtime, zig
from .differential import compile_native, run_native as _run_native


@pytest.fixture(scope="session")
def brotli_builds() -> tuple[Path, Path]:
    import fcntl
    cache = cache_root() / "brotli"
    wasm, native = cache / "brotli.wasm", cache / "brotli-native"
    if wasm.is_file() and native.is_file():
        return wasm, native
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "w") as lock:  # xdist workers build once
        fcntl.flock(lock, fcntl.LOCK_EX)
        if wasm.is_file() and native.is_file():
            return wasm, native
        return _build_brotli(cache, wasm, native)


def _build_brotli(cache: Path, wasm: Path, native: Path) -> tuple[Path, Path]:
    sdists = sorted(cache.glob("brotli-*.tar.gz"))
    if not sdists:
        proc = subprocess.run([sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
                               "brotli", "-d", str(cache), "-q"], capture_output=True, text=True, timeout=600)
        sdists = sorted(cache.glob("brotli-*.tar.gz"))
        if not sdists:
            # PyPI is reachable in CI: there a failed download is a failure
            (pytest.fail if os.environ.get("CI") else pytest.skip)(
                f"cannot download the brotli sdist: {proc.stderr.strip()[-300:]}")
    src = cache / "src"
    if not src.is_dir():
        part = cache / f"src.{os.getpid()}.tmp"      # one per process: pytest-xdist workers
        shutil.rmtree(part, ignore_errors=True)
        with tarfile.open(sdists[-1]) as t:
            t.extractall(part, filter="data")
        try:
            part.rename(src)
        except OSError:                             # another worker was first
            shutil.rmtree(part, ignore_errors=True)
    c = next(src.glob("brotli-*/c"))
    srcs = sorted(str(p) for d in ("common", "dec", "enc") for p in (c / d).glob("*.c")) + [str(c / "tools/brotli.c")]
    # brotli.c copies the owner with chown(), which WASI does not have.
    zig(["-target", "wasm32-wasi", "-O2", "-s", f"-I{c / 'include'}", "-Dchown(p,u,g)=0", *srcs, "-lm",
         "-o", f"{wasm}.{os.getpid()}.tmp"])
    zig(["-target", "x86_64-linux-musl", "-O2", "-static", f"-I{c / 'include'}", *srcs, "-lm",
         "-o", f"{native}.{os.getpid()}.tmp"])
    Path(f"{wasm}.{os.getpid()}.tmp").replace(wasm)
    Path(f"{native}.{os.getpid()}.tmp").replace(native)
    return wasm, native


def corpus(d: Path) -> list[str]:
    """Real files (this repository's C sources and docs) plus generated text
    and incompressible bytes."""
    d.mkdir(parents=True, exist_ok=True)
    real = sorted((REPO / "wasi-shim").rglob("*.c")) + sorted((REPO / "runtime-c").rglob("*.[ch]"))
    (d / "sources.txt").write_bytes(b"".join(p.read_bytes() for p in real))
    shutil.copy(REPO / "backends" / "ABI.md", d / "ABI.md")
    rnd = random.Random(1234)
    words = [rnd.choice(["wasm", "native", "brotli", "preopen", "\n", "shim"]) for _ in range(50000)]
    (d / "words.txt").write_text(" ".join(words))
    (d / "random.bin").write_bytes(bytes(rnd.getrandbits(8) for _ in range(100000)))
    (d / "empty").write_bytes(b"")
    return ["sources.txt", "ABI.md", "words.txt", "random.bin", "empty"]


@pytest.mark.parametrize("quality", ["1", "9"])
def test_brotli_files_wasmtime_vs_native(brotli_builds, tmp_path, quality):
    wasm, native = brotli_builds
    names = corpus(tmp_path / "data")
    for name in names:
        r = run_wasmtime(wasm, ["brotli", "-q", quality, "-o", f"/data/{name}.br", f"/data/{name}"],
                         dirs=[(str(tmp_path / "data"), "/data")])
        assert r.status == 0, r.stderr
        n = subprocess.run([str(native), "-q", quality, "-c", str(tmp_path / "data" / name)], capture_output=True)
        assert n.returncode == 0
        assert (tmp_path / "data" / f"{name}.br").read_bytes() == n.stdout, name
        r = run_wasmtime(wasm, ["brotli", "-d", "-o", f"/data/{name}.out", f"/data/{name}.br"],
                         dirs=[(str(tmp_path / "data"), "/data")])
        assert r.status == 0, r.stderr
        assert (tmp_path / "data" / f"{name}.out").read_bytes() == (tmp_path / "data" / name).read_bytes()


def test_brotli_stdio_wasmtime_vs_native(brotli_builds, tmp_path):
    wasm, native = brotli_builds
    corpus(tmp_path / "data")
    data = (tmp_path / "data" / "sources.txt").read_bytes()
    r = run_wasmtime(wasm, ["brotli", "-c"], stdin=data)
    n = subprocess.run([str(native), "-c"], input=data, capture_output=True)
    assert r.status == 0 and n.returncode == 0
    assert r.stdout == n.stdout
    d = run_wasmtime(wasm, ["brotli", "-d", "-c"], stdin=r.stdout)
    assert d.stdout == data


def test_brotli_errors_wasmtime_vs_native(brotli_builds, tmp_path):
    """Same failure (exit status) for a missing input and for an output
    that already exists, with no grants beyond the data directory."""
    wasm, native = brotli_builds
    corpus(tmp_path / "data")
    (tmp_path / "data" / "words.txt.br").write_bytes(b"exists")
    for args in (["/data/missing"], ["/data/words.txt"], ["/elsewhere/x"]):
        r = run_wasmtime(wasm, ["brotli", *args], dirs=[(str(tmp_path / "data"), "/data")])
        host_args = [a.replace("/data", str(tmp_path / "data")) for a in args]
        n = subprocess.run([str(native), *host_args], capture_output=True)
        assert r.status == n.returncode != 0, (args, r.stderr, n.stderr)


@pytest.mark.parametrize("target", ["x86_64-linux", "aarch64-linux", "riscv64-linux"])
def test_brotli_wasmaot(brotli_builds, tmp_path, target):
    """wasmaot-compiled brotli (every target; foreign ones under qemu-user):
    byte-identical to wasmtime and to brotli built natively."""
    wasm, native = brotli_builds
    names = corpus(tmp_path / "data")
    exe = tmp_path / "brotli-aot"
    compile_native(wasm, exe, dirs=[(str(tmp_path / "data"), "/data")], target=target)

    def run_native(exe, args, stdin=None):
        return _run_native(exe, args, stdin=stdin, target=target)
    for name in names:
        got = run_native(exe, ["-q", "9", "-o", f"/data/{name}.br", f"/data/{name}"])
        assert got.status == 0, got.stderr
        n = subprocess.run([str(native), "-q", "9", "-c", str(tmp_path / "data" / name)], capture_output=True)
        assert (tmp_path / "data" / f"{name}.br").read_bytes() == n.stdout
        got = run_native(exe, ["-d", "-o", f"/data/{name}.out", f"/data/{name}.br"])
        assert got.status == 0
        assert (tmp_path / "data" / f"{name}.out").read_bytes() == (tmp_path / "data" / name).read_bytes()
    data = (tmp_path / "data" / "words.txt").read_bytes()
    got = run_native(exe, ["-c"], stdin=data)
    ref = run_wasmtime(wasm, ["brotli", "-c"], stdin=data)
    assert got.stdout == ref.stdout and got.status == ref.status == 0
