"""wasmtime's `run` options with `wasmaot run`/`compile` (issue 11): every
option and every -S/-W/-O/-D/-C/-R key that wasmtime 49 lists is honoured,
accepted as a no-op with a reason, or refused as "unsupported option" with
exit 2 -- never a misleading "no such file"."""
import os
import re
import subprocess
import sys

import pytest

from wasmaot import wasmtime_compat as wc

FAC = """(module
  (func $fac (export "fac") (param i64) (result i64)
    (if (result i64) (i64.le_u (local.get 0) (i64.const 1)) (then (i64.const 1))
      (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1))))))))
"""


def wasmaot(*args, env=None, stdin=None):
    return subprocess.run([sys.executable, "-m", "wasmaot", *map(str, args)], capture_output=True,
                          text=True, timeout=300, env=env, input=stdin)


@pytest.fixture(scope="module")
def fac(tmp_path_factory):
    d = tmp_path_factory.mktemp("fac")
    (d / "fac.wat").write_text(FAC)
    return d / "fac.wat"


@pytest.fixture
def cache_env(tmp_path):
    return {**os.environ, "WASMAOT_CACHE_DIR": str(tmp_path / "cache")}


# ------------------------------------------------- the table is complete

def _wasmtime():
    try:
        from wasmaot.bench.tools import wasmtime_cli
        return wasmtime_cli()
    except Exception as e:                  # the test extra is not installed
        pytest.skip(f"wasmtime CLI not available: {e}")


@pytest.mark.parametrize("group", sorted(wc.TABLE))
def test_every_wasmtime_key_is_in_the_table(group):
    """Each key `wasmtime run -X help` lists has a row (a new wasmtime key
    would otherwise fall through to 'wasmtime has no such key')."""
    out = subprocess.run([_wasmtime(), "run", f"-{group}", "help"], capture_output=True,
                         text=True, timeout=60).stdout
    keys = re.findall(rf"^\s*-{group}\s+([a-z0-9-]+(?:<KEY>)?)", out, re.MULTILINE)
    assert len(keys) >= 3, out
    for key in keys:
        probe = "cranelift-foo" if key == "cranelift-<KEY>" else key
        assert wc.lookup(group, probe) is not None, f"-{group} {key} is not in wasmtime_compat"


def test_every_wasmtime_run_option_is_in_the_table():
    out = subprocess.run([_wasmtime(), "run", "--help"], capture_output=True, text=True,
                         timeout=60).stdout
    options = set(re.findall(r"^\s+(?:-(\w), )?(--[a-z0-9-]+)", out, re.MULTILINE))
    assert len(options) > 10, out
    groups = {f"--{long.lstrip('-')}" for long, _ in wc.TABLE.values()}
    shown = {k.split("/")[-1] for k in wc.TOP_LEVEL}
    for _short, long in options:
        assert long in groups | shown | {"--help"}, f"{long} is not in wasmtime_compat.TOP_LEVEL"


# --------------------------------------------- each row does what it says

def _rows():
    for group, (_long, keys) in wc.TABLE.items():
        for key, entry in keys.items():
            key = "cranelift-opt_level" if key == "cranelift-*" else key
            if isinstance(entry, wc.Flag):
                yield group, f"{key}=y", entry.yes
                yield group, f"{key}=n", entry.no
            elif entry.values:
                for v in entry.values:
                    yield group, f"{key}={v}", entry.act
            else:
                yield group, f"{key}=1", entry.act


@pytest.mark.parametrize("group,spec,act", list(_rows()), ids=lambda x: x if isinstance(x, str) else "")
def test_each_row_is_applied_as_documented(group, spec, act):
    assert act.why, f"-{group} {spec}: every row says why"
    s = wc.Settings()
    if act.kind == wc.REFUSE:
        with pytest.raises(wc.Unsupported, match=rf"^unsupported option -{group} {re.escape(spec)}: "):
            wc.apply(group, spec, s)
        return
    wc.apply(group, spec, s)
    changed = s != wc.Settings()
    assert changed == (act.kind == wc.HONOUR), (group, spec, s)


def test_syntax_as_wasmtime():
    s = wc.Settings()
    wc.apply("S", "inherit-env", s)                           # bare key: yes
    assert s.inherit_env
    s = wc.Settings()
    wc.apply("W", "simd,bulk-memory=yes,unknown-imports-trap=true", s)   # a list
    assert s.allow_unresolved_imports
    with pytest.raises(ValueError, match="not a boolean"):
        wc.apply("S", "inherit-env=maybe", wc.Settings())
    with pytest.raises(ValueError, match="needs a value"):
        wc.apply("W", "fuel", wc.Settings())
    with pytest.raises(wc.Unsupported, match="accepted values are 0, 1, 2"):
        wc.apply("O", "opt-level=s", wc.Settings())
    with pytest.raises(wc.Unsupported, match="wasmtime has no such key"):
        wc.apply("W", "no-such-thing", wc.Settings())


# ------------------------------------------------ the command line itself

def test_invoke_before_the_file_as_wasmtime(fac, cache_env):
    r = wasmaot("run", "--invoke", "fac", fac, "5", env=cache_env)
    assert (r.returncode, r.stdout, r.stderr) == (0, "120\n", "")
    r = wasmaot("run", fac, "--invoke", "fac", "6", env=cache_env)      # our own spelling
    assert (r.returncode, r.stdout) == (0, "720\n")


@pytest.mark.parametrize("args", [
    ["--invoke", "nope"],             # wasmtime's spelling
    [],                               # ours: after FILE
])
def test_invoke_of_a_missing_export_is_a_usage_error(fac, cache_env, args):
    cmd = ["run", *args, fac] + (["--invoke", "nope"] if not args else [])
    r = wasmaot(*cmd, env=cache_env)
    assert r.returncode == 2, r.stderr
    assert r.stderr == (f"wasmaot: error: {fac}: --invoke nope: no exported function of that "
                        "name (exported functions: fac)\n")


@pytest.mark.parametrize("opt,needle", [
    (["-W", "gc"], "unsupported option -W gc: wasmaot does not implement"),
    (["-Wgc=y"], "unsupported option -W gc=y:"),
    (["-W", "all-proposals=n"], "unsupported option -W all-proposals=n: turn proposals off"),
    (["-S", "http"], "unsupported option -S http: wasi-http is not implemented"),
    (["-S", "inherit-stdin=n"], "unsupported option -S inherit-stdin=n"),
    (["-O", "memory-guard-size=0"], "unsupported option -O memory-guard-size=0"),
    (["-D", "coredump=x.core"], "unsupported option -D coredump=x.core"),
    (["-C", "compiler=winch"], "unsupported option -C compiler=winch"),
    (["-C", "cranelift-opt_level=none"], "unsupported option -C cranelift-opt_level=none"),
    (["-R", "path=t.trace"], "unsupported option -R path=t.trace"),
    (["--profile", "perfmap"], "unsupported option --profile: "),
    (["--config", "w.toml"], "unsupported option --config: "),
    (["-g", "1234"], "unsupported option -g/--gdbstub: "),
    (["--fuel", "5"], "unsupported option --fuel"),            # old wasmtime spellings too
    (["--mapdir", "a::b"], "unsupported option --mapdir"),
])
def test_refused_options_say_unsupported_exit_2(fac, cache_env, opt, needle):
    r = wasmaot("run", *opt, "--invoke", "fac", fac, "3", env=cache_env)
    assert r.returncode == 2 and r.stdout == "", r.stderr
    assert r.stderr.startswith(f"wasmaot: error: {needle}"), r.stderr
    assert len(r.stderr.splitlines()) == 1 and "no such file" not in r.stderr


@pytest.mark.parametrize("opt", [
    ["-W", "simd,bulk-memory,multi-value,reference-types,extended-const,tail-call"],
    ["-W", "gc=n,exceptions=n,memory64=n,component-model"],
    ["-W", "simd=n,tail-call=n,wide-arithmetic=n", "-W", "sign-extension=n"],
    ["-S", "inherit-network"], ["-S", "allow-ip-name-lookup"], ["-S", "tcp=n,udp=n"],
    ["-S", "cli,preview2=n"], ["-O", "table-lazy-init=n"], ["-D", "logging"],
    ["--allow-precompiled"], ["-C", "cache=y"], ["-O", "opt-level=0"], ["-O1"],
    ["-C", "parallel-compilation=n"], ["--target", "x86_64-unknown-linux-gnu"],
])
def test_accepted_options_run_the_program(fac, cache_env, opt):
    r = wasmaot("run", *opt, "--invoke", "fac", fac, "10", env=cache_env)
    assert (r.returncode, r.stdout, r.stderr) == (0, "3628800\n", "")


def test_help_of_each_group_lists_the_table(fac):
    for group in sorted(set(wc.TABLE) - {"O"}):
        r = wasmaot("run", f"-{group}", "help")        # no FILE needed, as wasmtime
        assert (r.returncode, r.stdout.splitlines()) == (0, wc.describe(group)), r.stderr
    r = wasmaot("compile", "-O", "help")
    assert r.returncode == 0 and "-O0 .. -O3" in r.stdout and "-O opt-level=..." in r.stdout


def test_opt_level_key_is_the_same_as_dash_O(fac, tmp_path):
    """-O opt-level=N is -ON: the same LLVM output."""
    a = wasmaot("compile", fac, "--emit", "llvm", "-O", "opt-level=0")
    b = wasmaot("compile", fac, "--emit", "llvm", "-O0")
    c = wasmaot("compile", fac, "--emit", "llvm", "-O2")
    assert a.returncode == b.returncode == c.returncode == 0
    assert a.stdout == b.stdout != c.stdout


def test_cache_n_leaves_nothing_behind(fac, tmp_path, cache_env):
    r = wasmaot("run", "-C", "cache=n", "--invoke", "fac", fac, "4", env=cache_env)
    assert (r.returncode, r.stdout) == (0, "24\n"), r.stderr
    assert not (tmp_path / "cache" / "exe").exists()


def test_argv0(tmp_path, cache_env):
    """--argv0 is the program's argv[0] (a WASI program printing it)."""
    prog = tmp_path / "a0.c"
    prog.write_text('#include <stdio.h>\n#include <stdlib.h>\n'
                    'int main(int c, char **v) { const char *e = getenv("K");\n'
                    'printf("%s %s\\n", v[0], e ? e : "-"); return 0; }\n')
    wasm = tmp_path / "a0.wasm"
    subprocess.run([sys.executable, "-m", "ziglang", "cc", "-target", "wasm32-wasi", "-O2",
                    str(prog), "-o", str(wasm)], check=True)
    r = wasmaot("run", "--argv0", "shown", wasm, env=cache_env)
    assert (r.returncode, r.stdout) == (0, "shown -\n"), r.stderr
    # -S inherit-env is --inherit-env: the whole environment
    r = wasmaot("run", "-S", "inherit-env", wasm, env={**cache_env, "K": "from-host"})
    assert (r.returncode, r.stdout) == (0, f"{wasm} from-host\n"), r.stderr
    r = wasmaot("run", "-S", "inherit-env=n", wasm, env={**cache_env, "K": "from-host"})
    assert (r.returncode, r.stdout) == (0, f"{wasm} -\n"), r.stderr


def test_a_feature_turned_off_rejects_the_module_that_uses_it(tmp_path, cache_env):
    """-W tail-call=n is honoured (frontend/features.py): one line naming the
    feature and the place, exit 1; the run cache does not serve the build
    made with the feature on (the features are part of its key)."""
    src = tmp_path / "tc.wat"
    src.write_text('(module (func $f (export "f") (param i32) (result i32)\n'
                   '  (if (result i32) (local.get 0) (then (return_call $f (i32.const 0)))\n'
                   '    (else (i32.const 7)))))\n')
    assert wasmaot("run", "--invoke", "f", src, "1", env=cache_env).stdout == "7\n"
    r = wasmaot("run", "-W", "tail-call=n", "--invoke", "f", src, "1", env=cache_env)
    assert r.returncode == 1 and r.stdout == "", r.stderr
    assert r.stderr == (f"wasmaot: error: {src}:2:41: disabled: tail calls (Wasm 3.0): "
                        "return_call (enable with -W tail-call)\n")
    r = wasmaot("run", "-W", "tail-call=n,tail-call=y", "--invoke", "f", src, "1", env=cache_env)
    assert r.stdout == "7\n", r.stderr
