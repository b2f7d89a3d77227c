"""What `wasmaot compile` writes, and what it does when it cannot (issue 11):
usual modes under the user's umask, atomic replacement that never loses
the user's file, errors naming the output (read-only directory, full
disk), `-` for standard input; and `wasmaot cache` (bounded, cleanable)."""
import os
import pathlib
import subprocess
import sys
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
HELLO = REPO / "examples" / "hello.wat"


def wasmaot(*args, env=None, stdin=None, umask=None):
    def pre():
        if umask is not None:
            os.umask(umask)
    return subprocess.run([sys.executable, "-m", "wasmaot", *map(str, args)], capture_output=True,
                          timeout=300, env=env, input=stdin, preexec_fn=pre)


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_modes_follow_the_umask(tmp_path, umask):
    """Not mkstemp's 0600: a file 0666 & ~umask, an executable 0755 & ~umask."""
    for emit, executable in (("exe", True), ("obj", False), ("llvm", False)):
        out = tmp_path / f"h.{emit}"
        r = wasmaot("compile", HELLO, "--emit", emit, "-o", out, umask=umask)
        assert r.returncode == 0, r.stderr
        want = (0o755 if executable else 0o666) & ~umask
        assert out.stat().st_mode & 0o777 == want, (emit, oct(out.stat().st_mode))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]   # no temp left


def test_stdin_input(tmp_path):
    exe = tmp_path / "h"
    r = wasmaot("compile", "-", "-o", exe, stdin=HELLO.read_bytes())
    assert r.returncode == 0, r.stderr
    assert subprocess.run([exe], capture_output=True, text=True).stdout == "hello, world\n"
    r = wasmaot("compile", "-", "--emit", "ir", stdin=HELLO.read_bytes())     # text: stdout
    assert r.returncode == 0 and b"function %" in r.stdout
    r = wasmaot("compile", "-", stdin=HELLO.read_bytes())
    assert r.returncode == 2 and b"give -o PATH" in r.stderr
    r = wasmaot("compile", "-", "-o", exe, stdin=b"(module (func (i32.bogus)))")
    assert r.returncode == 1 and r.stderr.startswith(b"wasmaot: error: <stdin>:1:")
    r = wasmaot("validate", "-", stdin=HELLO.read_bytes())
    assert (r.returncode, r.stdout) == (0, b"<stdin>: valid\n")
    env = {**os.environ, "WASMAOT_CACHE_DIR": str(tmp_path / "cache")}
    fac = b'(module (func (export "sq") (param i32) (result i32) (i32.mul (local.get 0) (local.get 0))))'
    r = wasmaot("run", "--invoke", "sq", "-", "9", stdin=fac, env=env)
    assert (r.returncode, r.stdout) == (0, b"81\n"), r.stderr


def _mount_tmpfs(path: pathlib.Path, opts: str) -> bool:
    path.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(path)],
                       capture_output=True)
    return r.returncode == 0


def _umount(path: pathlib.Path) -> None:
    subprocess.run(["umount", str(path)], capture_output=True)


@pytest.fixture
def readonly_dir(tmp_path):
    """A read-only directory that stays read-only for root: a ro tmpfs, or
    (without mount rights) a directory without write permission, which
    only binds a non-root user."""
    d = tmp_path / "ro"
    if _mount_tmpfs(d, "ro,size=64k"):
        yield d
        _umount(d)
        return
    if os.geteuid() == 0:
        pytest.skip("root without mount rights: nothing is read-only to us")
    d.chmod(0o555)
    yield d
    d.chmod(0o755)


@pytest.mark.parametrize("emit", ["exe", "obj"])
def test_readonly_directory_names_the_output(readonly_dir, emit):
    out = readonly_dir / "h"
    r = wasmaot("compile", HELLO, "--emit", emit, "-o", out)
    assert r.returncode == 1
    lines = r.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"wasmaot: error: {out}: "), lines
    assert ".tmp" not in lines[0] and "wasmaot-" not in lines[0]


@pytest.fixture
def full_disk(tmp_path):
    """A directory on a file system with a few KiB free (a 1 MiB tmpfs),
    holding a precious file; else None."""
    d = tmp_path / "full"
    if not _mount_tmpfs(d, "size=1m"):
        yield None
        return
    (d / "h").write_text("precious\n")
    (d / "h.o").write_text("precious\n")
    with open(d / "fill", "wb") as f:
        try:
            f.write(b"\0" * (1 << 20))
        except OSError:
            pass
    yield d
    _umount(d)


@pytest.mark.parametrize("emit", ["exe", "obj"])
def test_full_disk_is_one_line_and_keeps_the_old_file(full_disk, emit):
    if full_disk is None:
        pytest.skip("cannot mount a small tmpfs here (see the injected variant)")
    out = full_disk / ("h" if emit == "exe" else "h.o")
    r = wasmaot("compile", HELLO, "--emit", emit, "-o", out)
    assert r.returncode == 1
    assert r.stderr.decode().splitlines() == [f"wasmaot: error: {out}: No space left on device"]
    assert out.read_text() == "precious\n"
    assert sorted(p.name for p in full_disk.iterdir()) == ["fill", "h", "h.o"]


def test_full_disk_injected(tmp_path, monkeypatch):
    """Where no tmpfs can be mounted: a link failure with the file system
    reported full (WASMAOT_FAULT_INJECT=disk-full) says so, in one line."""
    from wasmaot import compile as comp
    from wasmaot.backends import toolchain
    monkeypatch.setenv("WASMAOT_FAULT_INJECT", "disk-full")

    def dying_link(*a, **k):
        raise toolchain.LinkError("link failed: zig cc was killed by SIGABRT")
    monkeypatch.setattr("wasmaot.backends.link.link_executable", dying_link)
    out = tmp_path / "h"
    out.write_text("precious\n")
    from wasmaot.backends import CompileOptions
    with pytest.raises(OSError) as e:
        comp.compile_bytes(HELLO.read_bytes(), str(HELLO), CompileOptions(), out=str(out))
    assert (e.value.filename, e.value.strerror) == (str(out), "No space left on device")
    assert out.read_text() == "precious\n" and os.listdir(tmp_path) == ["h"]


def test_failed_compile_keeps_an_existing_output(tmp_path):
    out = tmp_path / "h.o"
    out.write_text("precious\n")
    r = wasmaot("compile", tmp_path / "missing.wat", "--emit", "obj", "-o", out)
    assert r.returncode == 1 and out.read_text() == "precious\n"


# --------------------------------------------------------------- the cache

def _entry(root: pathlib.Path, kind: str, name: str, size: int, age: float) -> pathlib.Path:
    p = root / kind / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(b"x" * size)
    t = time.time() - age
    os.utime(p, (t, t))
    return p


def test_bound_evicts_least_recently_used(tmp_path, monkeypatch):
    from wasmaot import cache
    monkeypatch.setenv("WASMAOT_CACHE_MAX_BYTES", "3k")
    old = _entry(tmp_path, "exe", "old", 1024, 3600)
    mid = _entry(tmp_path, "runtime", "mid", 1024, 1800)
    new = _entry(tmp_path, "exe", "new", 1024, 600)
    fresh = _entry(tmp_path, "host", "fresh.o", 1024, 1)       # in use right now: kept
    keep = _entry(tmp_path, "exe", "keep", 1024, 7200)          # the entry just made: kept
    other = _entry(tmp_path, "wasi-tests", "not-ours", 4096, 9999)
    removed = cache.enforce_bound(keep={str(keep)}, root=tmp_path)
    assert removed == [old, mid]
    assert all(p.exists() for p in (new, fresh, keep, other))
    assert cache.usage(tmp_path) == (3, 3072)


def test_bound_setting(monkeypatch):
    from wasmaot import cache
    monkeypatch.delenv("WASMAOT_CACHE_MAX_BYTES", raising=False)
    assert cache.max_bytes() == cache.DEFAULT_MAX_BYTES == 2 << 30
    for raw, want in (("0", 0), ("500M", 500 << 20), ("1g", 1 << 30), ("123", 123)):
        monkeypatch.setenv("WASMAOT_CACHE_MAX_BYTES", raw)
        assert cache.max_bytes() == want
    monkeypatch.setenv("WASMAOT_CACHE_MAX_BYTES", "lots")
    with pytest.raises(cache.CacheError, match="is not a size"):
        cache.max_bytes()


def test_run_enforces_the_bound_and_cache_clean(tmp_path):
    env = {**os.environ, "WASMAOT_CACHE_DIR": str(tmp_path / "c"), "WASMAOT_CACHE_MAX_BYTES": "1"}
    stale = _entry(tmp_path / "c", "exe", "0" * 32, 5000, 3600)
    r = wasmaot("run", "--invoke", "fac", HELLO, "5", env=env)
    assert (r.returncode, r.stdout) == (0, b"120\n"), r.stderr
    assert not stale.exists()                    # evicted: over the bound, not recent
    exes = list((tmp_path / "c" / "exe").iterdir())
    assert len(exes) == 2                        # the new executable and its .exports
    r = wasmaot("run", "--invoke", "fac", HELLO, "6", env=env)     # a hit, nothing rebuilt
    assert r.stdout == b"720\n" and sorted((tmp_path / "c" / "exe").iterdir()) == sorted(exes)
    r = wasmaot("cache", "info", env=env)
    assert r.returncode == 0 and b"bound 0 MiB" in r.stdout
    r = wasmaot("cache", "clean", env=env)
    assert r.returncode == 0 and r.stdout.startswith(b"removed "), r.stderr
    assert not list((tmp_path / "c" / "exe").iterdir())
    env["WASMAOT_CACHE_MAX_BYTES"] = "many"
    r = wasmaot("run", "--invoke", "fac", HELLO, "5", env=env)
    assert r.returncode == 2 and b"WASMAOT_CACHE_MAX_BYTES='many' is not a size" in r.stderr


@pytest.mark.parametrize("emit", ["exe", "obj", "asm"])
def test_output_to_a_device_writes_into_it(tmp_path, emit):
    """`-o /dev/null` (here: a null device of our own) is written, not
    replaced by a rename: the device stays a device."""
    import stat
    null = tmp_path / "null"
    try:
        os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError):
        pytest.skip("cannot create a device node here")
    r = wasmaot("compile", HELLO, "--emit", emit, "-o", null)
    assert r.returncode == 0, r.stderr
    assert stat.S_ISCHR(null.stat().st_mode)
    assert os.listdir(tmp_path) == ["null"]
