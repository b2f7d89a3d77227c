"""backends/link.py and backends/buildcache.py: the runtime build cache
(reuse, rebuild on any change of flags or sources, safe under concurrent
builds), one-line LinkErrors, and never leaving a partial executable where
the user's output was."""
from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from wasmaot.backends import buildcache
from wasmaot.backends.link import LinkError, compile_host_c, link_executable, runtime_objects
from wasmaot.backends.targets import TargetError, get_target

from .conftest import C_DIR, run


@pytest.fixture
def zig_calls(monkeypatch):
    calls = []
    real = buildcache.run_zig

    def counting(args, what):
        calls.append(list(args))
        return real(args, what)
    monkeypatch.setattr(buildcache, "run_zig", counting)
    buildcache._runtime_memo.clear()
    return calls


def test_second_build_reuses_and_a_changed_flag_rebuilds(tmp_path, monkeypatch, zig_calls):
    monkeypatch.setenv("WASMAOT_CACHE_DIR", str(tmp_path))
    first = runtime_objects("x86_64-linux", "guard")
    assert len(zig_calls) == len(first) > 0 and all(p.is_file() for p in first)
    mtimes = [p.stat().st_mtime_ns for p in first]
    buildcache._runtime_memo.clear()                # as in a new process
    again = runtime_objects("x86_64-linux", "guard")
    assert again == first and len(zig_calls) == len(first)
    assert [p.stat().st_mtime_ns for p in again] == mtimes
    other = runtime_objects("x86_64-linux", "guard", extra_cflags=["-DWASMAOT_STACK_RESERVE=65536"])
    assert other[0].parent != first[0].parent and len(zig_calls) == 2 * len(first)
    explicit = runtime_objects("x86_64-linux", "explicit")
    assert explicit[0].parent.name.startswith(get_target("x86_64-linux").runtime_config("explicit") + "-")
    # no temporary directories left behind
    assert not [p for p in (tmp_path / "runtime").iterdir() if ".tmp-" in p.name]


def test_a_changed_source_rebuilds(tmp_path, monkeypatch, zig_calls):
    from wasmaot.runtime import root
    copy = tmp_path / "rt"
    shutil.copytree(root(), copy)
    monkeypatch.setattr(buildcache, "runtime_root", lambda: copy)
    monkeypatch.setenv("WASMAOT_CACHE_DIR", str(tmp_path / "cache"))
    a = runtime_objects()
    (copy / "core" / "string.c").write_text((copy / "core" / "string.c").read_text() + "\n/* edit */\n")
    b = runtime_objects()
    assert a[0].parent != b[0].parent
    (copy / "include" / "wasmaot_rt.h").write_text((copy / "include" / "wasmaot_rt.h").read_text() + "\n")
    c = runtime_objects()
    assert c[0].parent not in (a[0].parent, b[0].parent)


def test_concurrent_builds_agree(tmp_path, monkeypatch):
    monkeypatch.setenv("WASMAOT_CACHE_DIR", str(tmp_path))
    buildcache._runtime_memo.clear()
    results, errors = [], []

    def build():
        try:
            results.append(runtime_objects("x86_64-linux", "explicit"))
        except Exception as e:   # pragma: no cover - the failure is the assertion below
            errors.append(e)
    threads = [threading.Thread(target=build) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and all(r == results[0] for r in results)
    assert all(p.is_file() for p in results[0])
    entries = list((tmp_path / "runtime").iterdir())
    assert len(entries) == 1, entries


def test_link_error_is_one_line_and_keeps_the_old_output(tmp_path):
    src = tmp_path / "bad.c"
    src.write_text("extern void no_such_function(void);\n"
                   "int main(void) { no_such_function(); return 0; }\n")
    out = tmp_path / "prog"
    out.write_text("the user's previous build\n")
    with pytest.raises(LinkError) as e:
        link_executable([], out, "x86_64-linux", "guard", extra_c=[src])
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith("link failed: ") and "no_such_function" in msg
    assert out.read_text() == "the user's previous build\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.c", "prog"]   # no temp files


def test_compile_error_is_one_line(tmp_path):
    src = tmp_path / "broken.c"
    src.write_text("int f(void) { return }\n")
    with pytest.raises(LinkError) as e:
        compile_host_c(src)
    assert "\n" not in str(e.value) and str(e.value).startswith("cannot compile broken.c: ")


def test_bytes_objects_and_default_host(tmp_path):
    obj = compile_host_c(C_DIR / "fake_standalone.c")
    exe = link_executable([obj.read_bytes()], tmp_path / "p")     # bytes, standalone main by default
    assert run(exe, "--invoke", "add", "2", "3").stdout == "5\n"
    # relinking over an existing executable replaces it
    exe = link_executable([obj], tmp_path / "p")
    assert run(exe, "--invoke", "add", "2", "4").stdout == "6\n"


def test_mode_mismatch_is_a_link_error(tmp_path):
    """An object built for GUARD (reads the guard marker) against an EXPLICIT runtime."""
    obj = compile_host_c(C_DIR / "fake_spec_modules.c", bounds="guard")
    main = tmp_path / "main.c"
    main.write_text("#include <wasmaot_rt.h>\nextern const wasmaot_module_desc m0_module;\n"
                    "int main(void) { return m0_module.instantiate(0); }\n")
    with pytest.raises(LinkError, match="^link failed: undefined symbol: wasmaot_rt_abi_v1_guard"):
        link_executable([obj], tmp_path / "x", "x86_64-linux", "explicit", extra_c=[main])


def test_unknown_target_and_bounds():
    with pytest.raises(TargetError, match=r"^unknown target 'sparc-solaris' \(known: .*x86_64-linux"):
        runtime_objects("sparc-solaris", "guard")
    with pytest.raises(TargetError, match=r"^target x86_64-linux does not support --bounds fast"):
        runtime_objects("x86_64-linux", "fast")
    with pytest.raises(TargetError, match="does not support --bounds fast"):
        link_executable([], "never-written", "x86_64-linux", "fast")
